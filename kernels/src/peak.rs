//! A throughput-bound FMA loop, so benchmark reports can state GEMM speed as a fraction of what
//! this CPU's vector units can do at all.

use crate::error::KernelError;
use crate::gemm::KernelPath;
#[cfg(target_arch = "x86_64")]
use crate::gemm::simd::{Avx2, Avx512};
use crate::gemm::simd::{Portable, Simd};

/// Independent accumulators: FMA latency (4 cycles) times FMA ports (2) is 8 chains needed to
/// saturate the units; 12 leaves margin and, with the two operands, fits AVX2's 16 registers.
/// (16 chains did not: the two spilled accumulators' store-to-load round trips halved the
/// measured peak on a Zen 3, to 58 GFLOP/s per core while the GEMM ran at 93.)
const CHAINS: usize = 12;

/// Runs `iterations` rounds of `CHAINS` (12) independent vector FMAs on `path`'s vectors and returns the
/// floating-point operations done (2 per lane per FMA; the portable path's multiply-then-add
/// counts the same) and a checksum that keeps the work from being optimised away.
///
/// Time it to get the FMA peak: on a core with two FMA units it approaches
/// `2 units * lanes * 2 flops * clock`.
#[doc(hidden)]
pub fn fma_peak_loop(path: KernelPath, iterations: u64) -> Result<(f64, f32), KernelError> {
    let path = path.check()?;
    let checksum = match path {
        // SAFETY: the portable loop needs no CPU feature.
        KernelPath::Scalar => unsafe { peak_body::<Portable>(iterations) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `check` confirmed AVX2 and FMA.
        KernelPath::Avx2 => unsafe { peak_avx2(iterations) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `check` confirmed AVX-512F and FMA.
        KernelPath::Avx512 => unsafe { peak_avx512(iterations) },
        #[cfg(not(target_arch = "x86_64"))]
        _ => unreachable!("check() rejects x86 paths elsewhere"),
    };
    let lanes = match path {
        KernelPath::Scalar => Portable::W,
        KernelPath::Avx2 => 8,
        KernelPath::Avx512 => 16,
    };
    Ok((iterations as f64 * (CHAINS * lanes * 2) as f64, checksum))
}

/// The loop body: `acc = acc * x + y` on `CHAINS` independent accumulators. With `x` just below
/// 1 the values settle near `y / (1 - x)` and never overflow or turn subnormal.
///
/// # Safety
/// The CPU supports `S`'s instruction set.
#[inline(always)]
unsafe fn peak_body<S: Simd>(iterations: u64) -> f32 {
    // SAFETY: the CPU supports S (caller contract); only registers and a local array are used.
    unsafe {
        let x = S::splat(std::hint::black_box(0.999_999));
        let y = S::splat(std::hint::black_box(1e-6));
        // Distinct starting values keep the compiler from merging or rotating identical chains.
        let starts: [f32; CHAINS] = std::hint::black_box(std::array::from_fn(|i| i as f32));
        let mut acc: [S::V; CHAINS] = std::array::from_fn(|i| S::splat(starts[i]));
        for _ in 0..iterations {
            for a in acc.iter_mut() {
                *a = S::mul_add(*a, x, y);
            }
        }
        let one = S::splat(1.0);
        let mut total = acc[0];
        for a in &acc[1..] {
            total = S::mul_add(*a, one, total);
        }
        let mut out = [0.0f32; 16];
        S::store_masked(out.as_mut_ptr(), total, S::mask(1));
        out[0]
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn peak_avx2(iterations: u64) -> f32 {
    // SAFETY: runs only where AVX2 and FMA exist (caller contract).
    unsafe { peak_body::<Avx2>(iterations) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
unsafe fn peak_avx512(iterations: u64) -> f32 {
    // SAFETY: runs only where AVX-512F and FMA exist (caller contract).
    unsafe { peak_body::<Avx512>(iterations) }
}
