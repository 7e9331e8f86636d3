//! The GEMM entry points: `C <- alpha * A * B + beta * C` on strided f32 views.
//!
//! Dispatch, in order: shape checks; empty C, `k == 0` or `alpha == 0` (C is only scaled, A and B
//! are not read); then the small path ([`small`](self::small)) for products where packing does not
//! pay, else the packed BLIS path ([`blocked`](self::blocked)) with rayon threads. The choice
//! depends on the shape only, never on the thread count.

#[cfg(target_arch = "x86_64")]
mod asm_avx512;
mod blocked;
mod isa;
mod model;
mod pack;
mod path;
mod pool;
mod prepacked;
mod problem;
mod scratch;
pub(crate) mod simd;
mod small;
mod tile;

pub use isa::{Blocking, LoopOrder};
pub use model::Limits;
pub use path::{KERNEL_ENV, KernelPath};
pub use prepacked::{PackedB, gemm_prepacked};

use crate::cache::{self, CacheDescription};
use crate::error::KernelError;
use crate::matrix::{MatMut, MatRef};
use isa::Isa;
use problem::Problem;

/// Options of one GEMM call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GemmOptions {
    /// Worker threads; `None` follows rayon's global pool (`RAYON_NUM_THREADS`). The result is
    /// bit-identical for every thread count.
    pub threads: Option<usize>,
}

/// `C <- alpha * A * B + beta * C` with A `m x k`, B `k x n`, C `m x n`.
///
/// `beta == 0` overwrites C without reading it (NaN or infinity already in C does not leak), as
/// BLAS does. Threads follow rayon's global pool.
pub fn gemm(
    alpha: f32,
    a: MatRef<'_>,
    b: MatRef<'_>,
    beta: f32,
    c: MatMut<'_>,
) -> Result<(), KernelError> {
    gemm_with(&GemmOptions::default(), alpha, a, b, beta, c)
}

/// [`gemm`] with explicit [`GemmOptions`].
pub fn gemm_with(
    options: &GemmOptions,
    alpha: f32,
    a: MatRef<'_>,
    b: MatRef<'_>,
    beta: f32,
    c: MatMut<'_>,
) -> Result<(), KernelError> {
    gemm_tuned(&GemmTuning::default(), options, alpha, a, b, beta, c)
}

/// Which algorithm a call uses (for tests and benchmarks; [`gemm`] decides by shape).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// No packing, no threads (see [`uses_small_path`]).
    Small,
    /// Packed BLIS loop nest with threads.
    Blocked,
}

/// Overrides for tests and benchmarks: every field `None` means "as [`gemm`] decides".
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GemmTuning {
    /// Micro-kernel family (`None`: [`KernelPath::selected`]). An unsupported path is an error.
    pub path: Option<KernelPath>,
    /// Small or packed path (`None`: by shape, [`uses_small_path`]).
    pub algorithm: Option<Algorithm>,
    /// Cache blocking of the packed path (`None`: the model's, from `caches`).
    pub blocking: Option<Blocking>,
    /// The cache description the model reads (`None`: [`cache::detected`], which also makes a
    /// bad `RECUR_CACHES` an error of this call).
    pub caches: Option<CacheDescription>,
}

/// [`gemm_with`] with overrides of the kernel path, algorithm and blocking: the test-visible
/// way to exercise every path on one machine.
#[doc(hidden)]
pub fn gemm_tuned(
    tuning: &GemmTuning,
    options: &GemmOptions,
    alpha: f32,
    a: MatRef<'_>,
    b: MatRef<'_>,
    beta: f32,
    mut c: MatMut<'_>,
) -> Result<(), KernelError> {
    if a.cols != b.rows || a.rows != c.rows || b.cols != c.cols {
        return Err(KernelError::ShapeMismatch {
            a: [a.rows, a.cols],
            b: [b.rows, b.cols],
            c: [c.rows, c.cols],
        });
    }
    if options.threads == Some(0) {
        return Err(KernelError::ZeroThreads);
    }
    let path = match tuning.path {
        Some(p) => p.check()?,
        None => KernelPath::selected()?,
    };
    // By reference: a copy of the description per call is measurable on 100-ns products.
    let caches = match &tuning.caches {
        Some(c) => c,
        None => &cache::detected()?.description,
    };
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if m == 0 || n == 0 {
        return Ok(());
    }
    if k == 0 || alpha == 0.0 {
        scale(beta, &mut c);
        return Ok(());
    }
    let problem = Problem::new(alpha, &a, &b, beta, &mut c);
    match path {
        KernelPath::Scalar => run::<isa::PortableIsa>(tuning, caches, options, &problem),
        #[cfg(target_arch = "x86_64")]
        KernelPath::Avx2 => run::<isa::Avx2Isa>(tuning, caches, options, &problem),
        #[cfg(target_arch = "x86_64")]
        KernelPath::Avx512 => run::<isa::Avx512Isa>(tuning, caches, options, &problem),
        #[cfg(not(target_arch = "x86_64"))]
        _ => unreachable!("check() rejects x86 paths elsewhere"),
    }
}

/// The blocks the packed path uses for an `m x k` by `k x n` product on kernel family `path`
/// with caches `caches` (what [`gemm`] does with [`cache::detected`]'s description): see the
/// model in `gemm/model.rs`. Depends on m, k, the family's tile and the caches only. Its
/// `pack_a` is false: [`gemm`] sets it from A's layout and n (packed when A's rows are not
/// contiguous, i.e. column stride != 1, and n spans more than 4 tiles), which this function
/// does not see.
pub fn blocking_for(path: KernelPath, caches: &CacheDescription, m: usize, k: usize) -> Blocking {
    match path {
        KernelPath::Scalar => isa::PortableIsa::blocking_for(caches, m, k),
        #[cfg(target_arch = "x86_64")]
        KernelPath::Avx2 => isa::Avx2Isa::blocking_for(caches, m, k),
        #[cfg(target_arch = "x86_64")]
        KernelPath::Avx512 => isa::Avx512Isa::blocking_for(caches, m, k),
        #[cfg(not(target_arch = "x86_64"))]
        _ => isa::PortableIsa::blocking_for(caches, m, k),
    }
}

/// Whether [`gemm`] packs the blocks of a row-major `k x n` B in a pass of their own before
/// their tiles run, on caches `caches` ([`Blocking::pack_b_first`]).
#[doc(hidden)]
pub fn packs_b_first(caches: &CacheDescription, k: usize, n: usize) -> bool {
    let b = problem::View {
        ptr: std::ptr::null(),
        row_stride: n,
        col_stride: 1,
    };
    model::packs_b_first(&caches.l2, b, k, n)
}

/// The blocking model's shape-independent limits for kernel family `path` on `caches`.
pub fn blocking_limits(path: KernelPath, caches: &CacheDescription) -> Limits {
    match path {
        KernelPath::Scalar => isa::PortableIsa::limits(caches),
        #[cfg(target_arch = "x86_64")]
        KernelPath::Avx2 => isa::Avx2Isa::limits(caches),
        #[cfg(target_arch = "x86_64")]
        KernelPath::Avx512 => isa::Avx512Isa::limits(caches),
        #[cfg(not(target_arch = "x86_64"))]
        _ => isa::PortableIsa::limits(caches),
    }
}

/// Largest `m * k * n` the small path takes on one thread. Measured with `gemm-tune cutover`
/// (fastest of 15 runs): the packed path starts to win between 128x128x256 and 256x128x128
/// (ties within 5% from 2M to 8M); below 2M the small path is 1.1-4x faster, as packing B and
/// the packed tile's 32-column padding cost more than they save.
const SMALL_MAX_WORK: usize = 128 * 128 * 256;

/// Columns up to which the small path always wins: its one-vector tiles (n <= 16) waste nothing,
/// while a packed tile pads n to 32 (measured: 1.5-4x faster at n = 8 for every m, k <= 512).
const SMALL_MAX_COLS: usize = 16;

/// Whether [`gemm`] takes the small path (no packing, no threads) for an `m x k` by `k x n`
/// product. Depends on the shape only, never on the thread count.
///
/// Threads do not move the cut-over: `gemm-tune cutover 2` measured the 2-thread packed path
/// 1.3-48x slower than the 1-thread small path on every shape below it (waking a rayon worker
/// costs microseconds, far more when the other core is busy). For `k <= 256` the two paths give
/// identical bits anyway (one pass over k, same operations; a test checks this), so a future
/// thread-aware cut-over there would keep results thread-count independent.
#[doc(hidden)]
pub fn uses_small_path(m: usize, k: usize, n: usize) -> bool {
    let work = m.saturating_mul(k).saturating_mul(n);
    (n <= SMALL_MAX_COLS && k <= 1024) || work <= SMALL_MAX_WORK
}

/// `C <- beta * C` (`beta == 0` writes zeros without reading).
fn scale(beta: f32, c: &mut MatMut<'_>) {
    if beta == 1.0 {
        return;
    }
    for i in 0..c.rows {
        for j in 0..c.cols {
            let x = &mut c.data[i * c.row_stride + j * c.col_stride];
            *x = if beta == 0.0 { 0.0 } else { beta * *x };
        }
    }
}

/// Runs a non-empty product on family `I` (whose instruction set the caller checked).
fn run<I: Isa>(
    tuning: &GemmTuning,
    caches: &CacheDescription,
    options: &GemmOptions,
    p: &Problem,
) -> Result<(), KernelError> {
    let small = match tuning.algorithm {
        Some(a) => a == Algorithm::Small,
        None => uses_small_path(p.m, p.k, p.n),
    };
    if small {
        // SAFETY: the path was checked supported; `p` comes from validated views, m, k, n >= 1.
        unsafe { small::small::<I>(p) };
        return Ok(());
    }
    let blocking = tuning.blocking.unwrap_or_else(|| {
        let b = I::blocking_for(caches, p.m, p.k);
        let heights = [I::tile_rows(p.m.min(b.mc)), I::SHORT_MR];
        let (pack_a, short_tiles) = model::reads_a(&caches.l1d, p.a, p.n, heights, I::NR);
        Blocking {
            pack_a,
            short_tiles,
            pack_b_first: model::packs_b_first(&caches.l2, p.b, p.k, p.n),
            ..b
        }
    });
    match options.threads {
        Some(1) => {
            // SAFETY: as above.
            unsafe { blocked::blocked::<I>(p, blocking, 1, None) };
        }
        Some(t) => {
            let pool = pool::pool(t)?;
            // SAFETY: as above; `install` runs the call inside the t-thread pool.
            pool.install(|| unsafe { blocked::blocked::<I>(p, blocking, t, None) });
        }
        None => {
            let t = rayon::current_num_threads();
            // SAFETY: as above; with t > 1 the parallel loops use the current (global) pool.
            unsafe { blocked::blocked::<I>(p, blocking, t, None) };
        }
    }
    Ok(())
}
