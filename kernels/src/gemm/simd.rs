//! The vector operations the GEMM micro-kernels are written in, one implementation per
//! instruction set.
//!
//! The kernels are generic over [`Simd`] and marked `#[inline(always)]`; each instruction set gets
//! a `#[target_feature]` wrapper (in `isa.rs`) into which the generic body and these
//! intrinsics inline, so one kernel source yields the AVX-512, AVX2+FMA and portable machine code.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::tile::{TileA, TileC};

/// One instruction set's f32 vector type and the few operations a GEMM tile needs.
///
/// # Safety (for every method)
/// The caller runs on a CPU with the instruction set of the implementing type (checked once by
/// `KernelPath::supported`), and every pointer is valid for the lanes the method touches: all `W`
/// lanes for the plain load/store, only the lanes enabled by the mask for the masked ones (masked-off
/// lanes are neither read nor written, so they may lie past the end of a slice).
pub(crate) trait Simd: Copy {
    /// A vector of `W` f32 lanes.
    type V: Copy;
    /// A lane mask selecting the first `n` lanes.
    type Mask: Copy;
    /// Lanes per vector.
    const W: usize;

    /// All lanes zero.
    unsafe fn zero() -> Self::V;
    /// All lanes `x`.
    unsafe fn splat(x: f32) -> Self::V;
    /// Unaligned load of `W` lanes.
    unsafe fn load(p: *const f32) -> Self::V;
    /// Unaligned store of `W` lanes.
    unsafe fn store(p: *mut f32, v: Self::V);
    /// The mask enabling lanes `0..n` (`n <= W`; `n == 0` enables none).
    unsafe fn mask(n: usize) -> Self::Mask;
    /// Load of the enabled lanes; the others are zero and not read.
    unsafe fn load_masked(p: *const f32, m: Self::Mask) -> Self::V;
    /// Store of the enabled lanes; the others are not written.
    unsafe fn store_masked(p: *mut f32, v: Self::V, m: Self::Mask);
    /// `a * b + c` (fused where the instruction set has FMA).
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `a * b`.
    unsafe fn mul(a: Self::V, b: Self::V) -> Self::V;
    /// Scalar `a * b + c`, rounded exactly as one lane of [`Simd::mul_add`], so a tile written
    /// through the scalar (strided-C) path gets the same bits as through the vector path.
    unsafe fn mul_add_scalar(a: f32, b: f32, c: f32) -> f32;

    /// Accumulates a full `MR x (NV * W)` tile over depth `k` from zero with a hand-written
    /// kernel, if this instruction set has one for the shape, and writes it to `c` (the
    /// accumulators, or C plus them); returns false (computing nothing) if it has none. The
    /// result is bit for bit the generic kernel's. B's row `p` is the `NV * W` floats at
    /// `b + p * b_row_stride`; `prefetch_rows > 0` says B streams from L2 (hint that many rows
    /// ahead); a non-null `pack_to` also receives B's rows as loaded (`NV * W` apart), as the
    /// generic kernel's `PACK_B` does.
    ///
    /// # Safety
    /// As for the generic kernel: `a` and `b` are readable over depth `k` as described, `c`
    /// addresses `MR` rows of `NV * W` writable (with `c.add` also readable) floats, `pack_to`
    /// (if not null) `k * NV * W` writable ones.
    #[inline(always)]
    unsafe fn hand_tile<const MR: usize, const NV: usize>(
        k: usize,
        a: TileA,
        b: *const f32,
        b_row_stride: usize,
        prefetch_rows: usize,
        pack_to: *mut f32,
        c: TileC,
    ) -> bool {
        let _ = (k, a, b, b_row_stride, prefetch_rows, pack_to, c);
        false
    }

    /// Hints that the cache line at `p` will be accessed soon. Never faults, whatever `p` is.
    #[inline(always)]
    unsafe fn prefetch(p: *const f32) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: prefetcht0 is SSE (baseline on x86-64) and never faults, even on a bad address.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(p.cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = p;
    }
}

/// Portable fallback: 4-lane arrays that the compiler maps onto SSE2 (always present on x86-64)
/// or whatever the target has. No FMA: `mul_add` is a multiply then an add.
#[derive(Clone, Copy)]
pub(crate) struct Portable;

impl Simd for Portable {
    type V = [f32; 4];
    type Mask = usize;
    const W: usize = 4;

    #[inline(always)]
    unsafe fn zero() -> Self::V {
        [0.0; 4]
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self::V {
        [x; 4]
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self::V {
        // SAFETY: the caller guarantees 4 readable lanes at `p` (trait contract).
        unsafe { p.cast::<[f32; 4]>().read_unaligned() }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: Self::V) {
        // SAFETY: the caller guarantees 4 writable lanes at `p` (trait contract).
        unsafe { p.cast::<[f32; 4]>().write_unaligned(v) }
    }
    #[inline(always)]
    unsafe fn mask(n: usize) -> Self::Mask {
        n
    }
    #[inline(always)]
    unsafe fn load_masked(p: *const f32, m: Self::Mask) -> Self::V {
        let mut v = [0.0; 4];
        for (i, lane) in v.iter_mut().enumerate().take(m) {
            // SAFETY: lane i < m is enabled, so readable by the trait contract.
            *lane = unsafe { *p.add(i) };
        }
        v
    }
    #[inline(always)]
    unsafe fn store_masked(p: *mut f32, v: Self::V, m: Self::Mask) {
        for (i, lane) in v.iter().enumerate().take(m) {
            // SAFETY: lane i < m is enabled, so writable by the trait contract.
            unsafe { *p.add(i) = *lane };
        }
    }
    #[inline(always)]
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V {
        [
            a[0] * b[0] + c[0],
            a[1] * b[1] + c[1],
            a[2] * b[2] + c[2],
            a[3] * b[3] + c[3],
        ]
    }
    #[inline(always)]
    unsafe fn mul(a: Self::V, b: Self::V) -> Self::V {
        [a[0] * b[0], a[1] * b[1], a[2] * b[2], a[3] * b[3]]
    }
    #[inline(always)]
    unsafe fn mul_add_scalar(a: f32, b: f32, c: f32) -> f32 {
        a * b + c
    }
}

/// AVX2 + FMA: 8-lane `__m256`, masks through `vmaskmovps`.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(crate) struct Avx2;

/// Sliding window for AVX2 lane masks: 8 ones then 8 zeros; the mask for `n` lanes starts at
/// index `8 - n`.
#[cfg(target_arch = "x86_64")]
static AVX2_MASK_WINDOW: [i32; 16] = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];

#[cfg(target_arch = "x86_64")]
impl Simd for Avx2 {
    type V = __m256;
    type Mask = __m256i;
    const W: usize = 8;

    #[inline(always)]
    unsafe fn zero() -> Self::V {
        // SAFETY: AVX is available (trait contract).
        unsafe { _mm256_setzero_ps() }
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self::V {
        // SAFETY: AVX is available (trait contract).
        unsafe { _mm256_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self::V {
        // SAFETY: AVX is available and 8 lanes at `p` are readable (trait contract).
        unsafe { _mm256_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: Self::V) {
        // SAFETY: AVX is available and 8 lanes at `p` are writable (trait contract).
        unsafe { _mm256_storeu_ps(p, v) }
    }
    #[inline(always)]
    unsafe fn mask(n: usize) -> Self::Mask {
        debug_assert!(n <= 8);
        // SAFETY: 8 - n is in 0..=8, so the 8 lanes read lie inside the 16-entry window.
        unsafe { _mm256_loadu_si256(AVX2_MASK_WINDOW.as_ptr().add(8 - n).cast()) }
    }
    #[inline(always)]
    unsafe fn load_masked(p: *const f32, m: Self::Mask) -> Self::V {
        // SAFETY: AVX is available; vmaskmovps reads (and faults on) only enabled lanes.
        unsafe { _mm256_maskload_ps(p, m) }
    }
    #[inline(always)]
    unsafe fn store_masked(p: *mut f32, v: Self::V, m: Self::Mask) {
        // SAFETY: AVX is available; vmaskmovps writes only enabled lanes.
        unsafe { _mm256_maskstore_ps(p, m, v) }
    }
    #[inline(always)]
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V {
        // SAFETY: FMA is available (trait contract).
        unsafe { _mm256_fmadd_ps(a, b, c) }
    }
    #[inline(always)]
    unsafe fn mul(a: Self::V, b: Self::V) -> Self::V {
        // SAFETY: AVX is available (trait contract).
        unsafe { _mm256_mul_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn mul_add_scalar(a: f32, b: f32, c: f32) -> f32 {
        // Inlined into an `fma` context this is one vfmadd; it rounds once, like the vector FMA.
        a.mul_add(b, c)
    }
}

/// AVX-512F: 16-lane `__m512`, k-register masks (free on loads and stores).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(crate) struct Avx512;

#[cfg(target_arch = "x86_64")]
impl Simd for Avx512 {
    type V = __m512;
    type Mask = __mmask16;
    const W: usize = 16;

    #[inline(always)]
    unsafe fn zero() -> Self::V {
        // SAFETY: AVX-512F is available (trait contract).
        unsafe { _mm512_setzero_ps() }
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self::V {
        // SAFETY: AVX-512F is available (trait contract).
        unsafe { _mm512_set1_ps(x) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self::V {
        // SAFETY: AVX-512F is available and 16 lanes at `p` are readable (trait contract).
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: Self::V) {
        // SAFETY: AVX-512F is available and 16 lanes at `p` are writable (trait contract).
        unsafe { _mm512_storeu_ps(p, v) }
    }
    #[inline(always)]
    unsafe fn mask(n: usize) -> Self::Mask {
        debug_assert!(n <= 16);
        ((1u32 << n) - 1) as __mmask16
    }
    #[inline(always)]
    unsafe fn load_masked(p: *const f32, m: Self::Mask) -> Self::V {
        // SAFETY: AVX-512F is available; masked-off lanes are not accessed (fault suppression).
        unsafe { _mm512_maskz_loadu_ps(m, p) }
    }
    #[inline(always)]
    unsafe fn store_masked(p: *mut f32, v: Self::V, m: Self::Mask) {
        // SAFETY: AVX-512F is available; masked-off lanes are not accessed.
        unsafe { _mm512_mask_storeu_ps(p, m, v) }
    }
    #[inline(always)]
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V {
        // SAFETY: AVX-512F is available (trait contract).
        unsafe { _mm512_fmadd_ps(a, b, c) }
    }
    #[inline(always)]
    unsafe fn mul(a: Self::V, b: Self::V) -> Self::V {
        // SAFETY: AVX-512F is available (trait contract).
        unsafe { _mm512_mul_ps(a, b) }
    }
    #[inline(always)]
    unsafe fn mul_add_scalar(a: f32, b: f32, c: f32) -> f32 {
        // Inlined into an `avx512f,fma` context this is one vfmadd; it rounds once, like the
        // vector FMA.
        a.mul_add(b, c)
    }

    #[inline(always)]
    unsafe fn hand_tile<const MR: usize, const NV: usize>(
        k: usize,
        a: TileA,
        b: *const f32,
        b_row_stride: usize,
        prefetch_rows: usize,
        pack_to: *mut f32,
        c: TileC,
    ) -> bool {
        // SAFETY: AVX-512F is available (trait contract) and the operands are as the generic
        // kernel's (forwarded contract); the 32-wide kernels exist for NV == 2 only.
        NV == 2
            && unsafe {
                super::asm_avx512::tile_x32::<MR>(k, a, b, b_row_stride, prefetch_rows, pack_to, c)
            }
    }
}
