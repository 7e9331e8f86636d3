//! Shared pieces of recur's GEMM benchmarks: the shapes, the three contenders (ours,
//! matrixmultiply, a naive loop), median timing, and the FMA peak.

pub mod cells;
pub mod long_dependency;
pub mod many;

use std::hint::black_box;
use std::time::Instant;

use kernels::{GemmOptions, KernelError, KernelPath, MatMut, MatRef, gemm_with};

/// Square sizes benchmarked.
pub const SQUARE: [usize; 7] = [32, 64, 128, 256, 512, 1024, 2048];

/// (m, k, n) of the GEMMs in a small RNN's training step (forward, and A^T B / A B^T backward).
pub const RNN_SHAPES: [(usize, usize, usize); 6] = [
    (16, 4, 32),
    (16, 32, 32),
    (16, 32, 8),
    (16, 8, 1),
    (32, 16, 32),
    (64, 64, 64),
];

/// Floating-point operations of one `m x k` by `k x n` product (one multiply and one add per
/// term).
pub fn flops(m: usize, k: usize, n: usize) -> f64 {
    2.0 * m as f64 * k as f64 * n as f64
}

/// Row-major operands of one product, filled with small deterministic values.
pub struct Operands {
    /// `m x k`, row-major.
    pub a: Vec<f32>,
    /// `k x n`, row-major.
    pub b: Vec<f32>,
    /// `m x n`, row-major.
    pub c: Vec<f32>,
    /// Rows of A and C.
    pub m: usize,
    /// Columns of A, rows of B.
    pub k: usize,
    /// Columns of B and C.
    pub n: usize,
}

impl Operands {
    /// Operands for an `m x k` by `k x n` product.
    pub fn new(m: usize, k: usize, n: usize) -> Operands {
        let fill = |len: usize, seed: usize| -> Vec<f32> {
            (0..len)
                .map(|i| ((i * 7 + seed * 13) % 17) as f32 / 17.0 - 0.5)
                .collect()
        };
        Operands {
            a: fill(m * k, 1),
            b: fill(k * n, 2),
            c: fill(m * n, 3),
            m,
            k,
            n,
        }
    }

    /// `C <- A B` with recur's kernels on `threads` threads.
    pub fn ours(&mut self, threads: usize) -> Result<(), KernelError> {
        gemm_with(
            &GemmOptions {
                threads: Some(threads),
            },
            1.0,
            MatRef::row_major(&self.a, self.m, self.k)?,
            MatRef::row_major(&self.b, self.k, self.n)?,
            0.0,
            MatMut::row_major(&mut self.c, self.m, self.n)?,
        )
    }

    /// `C <- A B` with matrixmultiply (default features: single-threaded).
    pub fn matrixmultiply(&mut self) {
        self.matrixmultiply_strided(self.k, 1);
    }

    /// `C <- A B` with matrixmultiply, reading the buffer `a` as A's transpose (`k x m`
    /// row-major, so A has row stride 1 and column stride m): a recurrent op's `dU = H'ᵀ dZ`.
    pub fn matrixmultiply_at(&mut self) {
        self.matrixmultiply_strided(1, self.m);
    }

    /// matrixmultiply with A's element `(i, p)` at `a[i * rsa + p * csa]`.
    ///
    /// The only `unsafe` outside `kernels` (the package denies `unsafe_code` elsewhere; see
    /// `benches/Cargo.toml`): matrixmultiply's API is raw pointers and strides, and this safe
    /// wrapper checks the buffer sizes it relies on.
    #[allow(unsafe_code)]
    fn matrixmultiply_strided(&mut self, rsa: usize, csa: usize) {
        let (m, k, n) = (self.m, self.k, self.n);
        assert!(self.a.len() >= m * k && self.b.len() >= k * n && self.c.len() >= m * n);
        assert!((rsa, csa) == (k, 1) || (rsa, csa) == (1, m));
        // SAFETY: `a` holds m * k elements, addressed row-major m x k or k x m (asserted above),
        // B and C row-major k x n and m x n; C does not overlap A or B (distinct Vecs), and
        // strides fit isize.
        unsafe {
            matrixmultiply::sgemm(
                m,
                k,
                n,
                1.0,
                self.a.as_ptr(),
                rsa as isize,
                csa as isize,
                self.b.as_ptr(),
                n as isize,
                1,
                0.0,
                self.c.as_mut_ptr(),
                n as isize,
                1,
            );
        }
    }

    /// `C <- A B` with the textbook triple loop (i, p, j order so the inner loop is contiguous).
    pub fn naive(&mut self) {
        let (m, k, n) = (self.m, self.k, self.n);
        self.c.fill(0.0);
        for i in 0..m {
            for p in 0..k {
                let a = self.a[i * k + p];
                let b = &self.b[p * n..(p + 1) * n];
                let c = &mut self.c[i * n..(i + 1) * n];
                for (c, b) in c.iter_mut().zip(b) {
                    *c += a * b;
                }
            }
        }
    }
}

/// Median over `samples` of the time per call of `f`, in nanoseconds. Each sample runs `f`
/// often enough to last about `sample_ns`, so timer resolution and call overhead amortise.
pub fn median_ns(samples: usize, sample_ns: f64, mut f: impl FnMut()) -> f64 {
    f();
    let t = Instant::now();
    f();
    let once = t.elapsed().as_nanos().max(1) as f64;
    let reps = ((sample_ns / once).ceil() as usize).clamp(1, 1_000_000);
    let mut times: Vec<f64> = (0..samples.max(1))
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_nanos() as f64 / reps as f64
        })
        .collect();
    median(&mut times)
}

/// Fastest time per call of `f` over `samples` samples of about `sample_ns` each, in
/// nanoseconds: on a machine shared with other jobs the minimum estimates the uncontended speed
/// better than the median (used for tuning, where two settings are compared).
pub fn min_ns(samples: usize, sample_ns: f64, mut f: impl FnMut()) -> f64 {
    f();
    let t = Instant::now();
    f();
    let once = t.elapsed().as_nanos().max(1) as f64;
    let reps = ((sample_ns / once).ceil() as usize).clamp(1, 1_000_000);
    (0..samples.max(1))
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_nanos() as f64 / reps as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// Median of a non-empty list (sorts it).
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// This CPU's FMA peak in GFLOP/s on `threads` threads (each runs the throughput loop of the
/// widest supported vector path): the best of `samples` runs of a few milliseconds each. A
/// peak is what the units can do, and other jobs on a shared machine can only lower a run, so
/// the maximum (not the median) estimates it.
pub fn fma_peak_gflops(threads: usize, samples: usize) -> Result<f64, KernelError> {
    let path = KernelPath::best_supported();
    let iters: u64 = 2_000_000;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| KernelError::ThreadPool {
            threads,
            reason: e.to_string(),
        })?;
    let mut rates = Vec::new();
    for _ in 0..samples.max(1) {
        let t = Instant::now();
        let results: Vec<Result<(f64, f32), KernelError>> = pool.install(|| {
            use rayon::prelude::*;
            (0..threads)
                .into_par_iter()
                .map(|_| kernels::fma_peak_loop(path, black_box(iters)))
                .collect()
        });
        let secs = t.elapsed().as_secs_f64();
        let mut flops = 0.0;
        for r in results {
            let (f, checksum) = r?;
            black_box(checksum);
            flops += f;
        }
        rates.push(flops / secs / 1e9);
    }
    Ok(rates.into_iter().fold(0.0, f64::max))
}
