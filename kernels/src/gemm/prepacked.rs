//! A right-hand operand packed once for many products: [`PackedB`] and [`gemm_prepacked`].
//!
//! A recurrent layer multiplies every timestep's state by the same kernel `U`. The packed path
//! would pack `U` into its panels on every call (inside the first A strip's tiles); with 32-row
//! batch chunks that packing is a fifth of each product (measured with `gemm-tune`: 146 against
//! 189 GFLOP/s at 32 x 256 x 1024 without it). Packing `U` once per pass and handing the panels
//! to every step and chunk removes it.
//!
//! Layout: the passes over k (depth `kc`, the last one shorter) one after the other; each pass
//! is `ceil(n / NR)` panels of `depth x NR`, zero padded, exactly as the packed path packs a
//! block. A block `(jc, pc)` of the loop nest therefore starts at element `pc * panels * NR +
//! jc * depth`.

#[cfg(target_arch = "x86_64")]
use super::isa::{Avx2Isa, Avx512Isa};
use super::isa::{Blocking, Isa, LoopOrder, PortableIsa};
use super::pack::pack_b;
use super::problem::{Problem, View};
use super::{GemmOptions, KernelPath, blocked, model, pool, scale};
use crate::cache::{self, CacheDescription, CacheLevel};
use crate::error::KernelError;
use crate::matrix::{MatMut, MatRef};

/// Alignment of the packed panels, in f32 elements (64 bytes).
const ALIGN: usize = 16;

/// B (`k x n`) packed into the packed path's panels, for [`gemm_prepacked`]. Repacking reuses
/// the buffer, so a warm loop allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct PackedB {
    data: Vec<f32>,
    /// Start of the 64-byte aligned panels in `data`.
    offset: usize,
    k: usize,
    n: usize,
    /// Depth of the passes over k (fixes the order of summation, like the packed path's KC).
    kc: usize,
    /// Columns of one worker's block at that depth (the model's NC on the caches packed for).
    nc: usize,
    /// Rows of one A block (the model's MC on those caches).
    mc: usize,
    /// The kernel family whose panel width the packing used (None: never packed).
    path: Option<KernelPath>,
    /// The L1 data cache of the caches packed for: whether the products pack A's strips
    /// (`model::packs_a`).
    l1d: CacheLevel,
}

impl PackedB {
    /// An empty packing (pack before use).
    pub fn new() -> PackedB {
        PackedB::default()
    }

    /// Rows of the packed B (the products' depth k).
    pub fn rows(&self) -> usize {
        self.k
    }

    /// Columns of the packed B (n).
    pub fn cols(&self) -> usize {
        self.n
    }

    /// Bytes of heap memory the packing holds (its buffer's capacity).
    pub fn held_bytes(&self) -> usize {
        self.data.capacity() * std::mem::size_of::<f32>()
    }

    /// Packs `b` for products whose A has `m` rows, on the selected kernel path and the detected
    /// caches. The passes over k are those [`crate::gemm`] would use for an `m x k` A, so
    /// [`gemm_prepacked`] sums in the same order as the packed path does for that m, whatever
    /// the thread count. A bad `RECUR_CACHES` or `RECUR_KERNEL` is an error.
    pub fn pack(&mut self, b: MatRef<'_>, m: usize) -> Result<(), KernelError> {
        let caches = cache::detected()?.description;
        self.pack_on(KernelPath::selected()?, &caches, b, m)
    }

    /// [`PackedB::pack`] for the kernel family `path` and cache description `caches` (tests and
    /// benchmarks).
    #[doc(hidden)]
    pub fn pack_on(
        &mut self,
        path: KernelPath,
        caches: &CacheDescription,
        b: MatRef<'_>,
        m: usize,
    ) -> Result<(), KernelError> {
        match path.check()? {
            KernelPath::Scalar => self.pack_for::<PortableIsa>(caches, b, m),
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx2 => self.pack_for::<Avx2Isa>(caches, b, m),
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx512 => self.pack_for::<Avx512Isa>(caches, b, m),
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!("check() rejects x86 paths elsewhere"),
        }
        self.path = Some(path);
        Ok(())
    }

    fn pack_for<I: Isa>(&mut self, caches: &CacheDescription, b: MatRef<'_>, m: usize) {
        let (k, n) = (b.rows, b.cols);
        let blocking = I::blocking_for(caches, m.max(1), k.max(1));
        let kc = blocking.kc;
        (self.nc, self.mc) = (blocking.nc, blocking.mc);
        self.l1d = caches.l1d;
        let panels = n.div_ceil(I::NR);
        let len = k * panels * I::NR;
        if self.data.len() < len + ALIGN {
            self.data.resize(len + ALIGN, 0.0);
        }
        let misalign = (self.data.as_ptr() as usize / std::mem::size_of::<f32>()) % ALIGN;
        self.offset = (ALIGN - misalign) % ALIGN;
        (self.k, self.n, self.kc) = (k, n, kc);
        let view = View {
            ptr: b.data.as_ptr(),
            row_stride: if k <= 1 { 1 } else { b.row_stride },
            col_stride: if n <= 1 { 1 } else { b.col_stride },
        };
        let base = self.data[self.offset..].as_mut_ptr();
        let mut pc = 0;
        while pc < k {
            let depth = kc.min(k - pc);
            // SAFETY: rows pc..pc+depth and columns 0..n exist in `b` (a validated view); the
            // pass's panels (`panels * NR * depth` elements from `pc * panels * NR`) lie inside
            // the `k * panels * NR` elements after `offset`, which `data` holds, and `data` does
            // not overlap `b` (one is borrowed mutably, the other shared).
            unsafe {
                pack_b(
                    base.add(pc * panels * I::NR),
                    view.at(pc, 0),
                    depth,
                    n,
                    I::NR,
                )
            };
            pc += depth;
        }
    }
}

/// `C <- alpha * A * B + beta * C` with B packed beforehand ([`PackedB::pack`]). The result has
/// the bits the packed path gives for the same product when `A` has the row count B was packed
/// for (the small path, which [`crate::gemm`] takes for small products, sums in one pass and
/// may differ in the last bits for k above one pass); it is bit-identical for every thread count.
pub fn gemm_prepacked(
    options: &GemmOptions,
    alpha: f32,
    a: MatRef<'_>,
    b: &PackedB,
    beta: f32,
    mut c: MatMut<'_>,
) -> Result<(), KernelError> {
    if a.cols != b.k || a.rows != c.rows || b.n != c.cols {
        return Err(KernelError::ShapeMismatch {
            a: [a.rows, a.cols],
            b: [b.k, b.n],
            c: [c.rows, c.cols],
        });
    }
    if options.threads == Some(0) {
        return Err(KernelError::ZeroThreads);
    }
    let (m, k, n) = (a.rows, a.cols, b.n);
    if m == 0 || n == 0 {
        return Ok(());
    }
    let path = match b.path {
        Some(p) if k > 0 && alpha != 0.0 => p,
        _ => {
            scale(beta, &mut c);
            return Ok(());
        }
    };
    // The problem's B view stands in for the shape only: the packed path reads the panels.
    let panels = &b.data[b.offset..];
    let stand_in = MatRef::row_major(&panels[..k * n], k, n)?;
    let problem = Problem::new(alpha, &a, &stand_in, beta, &mut c);
    match path {
        KernelPath::Scalar => run::<PortableIsa>(options, &problem, b),
        #[cfg(target_arch = "x86_64")]
        KernelPath::Avx2 => run::<Avx2Isa>(options, &problem, b),
        #[cfg(target_arch = "x86_64")]
        KernelPath::Avx512 => run::<Avx512Isa>(options, &problem, b),
        #[cfg(not(target_arch = "x86_64"))]
        _ => unreachable!("a packing only records supported paths"),
    }
}

/// The packed path on `b`'s panels, with the blocking `b` was packed with.
fn run<I: Isa>(options: &GemmOptions, p: &Problem, b: &PackedB) -> Result<(), KernelError> {
    let heights = [I::tile_rows(p.m.min(b.mc)), I::SHORT_MR];
    let (pack_a, short_tiles) = model::reads_a(&b.l1d, p.a, p.n, heights, I::NR);
    let blocking = Blocking {
        kc: b.kc,
        mc: b.mc,
        nc: b.nc,
        order: LoopOrder::APanelInL1,
        pack_a,
        short_tiles,
        pack_b_first: false,
    };
    let pre = blocked::Prepacked {
        ptr: b.data[b.offset..].as_ptr(),
        panels: b.n.div_ceil(I::NR),
    };
    match options.threads {
        Some(1) => {
            // SAFETY: the path was supported when B was packed for it (PackedB::pack_on checked
            // it); `p` comes from validated views with m, k, n >= 1; the panels hold `k` rows
            // of `panels` panels packed with this family's NR and `blocking.kc`.
            unsafe { blocked::blocked::<I>(p, blocking, 1, Some(pre)) };
        }
        Some(t) => {
            let pool = pool::pool(t)?;
            // SAFETY: as above; `install` runs the call inside the t-thread pool.
            pool.install(|| unsafe { blocked::blocked::<I>(p, blocking, t, Some(pre)) });
        }
        None => {
            let t = rayon::current_num_threads();
            // SAFETY: as above; with t > 1 the parallel loops use the current (global) pool.
            unsafe { blocked::blocked::<I>(p, blocking, t, Some(pre)) };
        }
    }
    Ok(())
}
