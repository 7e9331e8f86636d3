//! One instruction set's kernel family: tile shapes, block sizes, and the `#[target_feature]`
//! wrappers into which the generic small-path and macro-kernel loops inline.

use super::problem::Problem;
use super::simd::Portable;
use super::simd::Simd;
#[cfg(target_arch = "x86_64")]
use super::simd::{Avx2, Avx512};
use super::tile::{PackedA, StridedA, StridedB, TileOut, tile};

/// Cache blocking of the packed path (all in elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocking {
    /// Depth of one packed block: cuts the `pc` loop over k. A `KC x NR` B micro-panel must stay
    /// in L1 while the `MR x KC` A micro-panels stream past it. Fixes the summation split of k, so
    /// it never depends on the thread count.
    pub kc: usize,
    /// Rows of one packed A block: cuts the `ic` loop over m. `MC x KC` of A stays in L2 while
    /// the micro-kernel sweeps the B panels. Rounded up to a multiple of the tile height.
    pub mc: usize,
    /// Columns of one packed B block: cuts the `jc` loop over n. `KC x NC` of B is packed once
    /// and reused by every A block (L2/L3). Rounded up to a multiple of the tile width.
    pub nc: usize,
}

/// The packed-path arguments of one macro-kernel call: a packed `rows x kc` A block times a
/// packed `kc x cols` B block into C.
#[derive(Clone, Copy)]
pub(crate) struct MacroTile {
    pub(crate) kc: usize,
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) a: *const f32,
    pub(crate) b: *const f32,
    pub(crate) c: *mut f32,
    pub(crate) c_row_stride: usize,
    pub(crate) c_col_stride: usize,
    pub(crate) alpha: f32,
    pub(crate) beta: f32,
}

/// A kernel family for one instruction set.
pub(crate) trait Isa {
    /// Vector lanes.
    const W: usize;
    /// Packed-path tile height (rows of C per micro-kernel call).
    const MR: usize;
    /// Packed-path tile width (columns of C per micro-kernel call).
    const NR: usize;
    /// Default cache blocking of the packed path.
    const BLOCKING: Blocking;

    /// The whole small product, in place.
    ///
    /// # Safety
    /// The CPU supports the instruction set; `p` satisfies the [`Problem`] invariant, has
    /// `m, k, n >= 1` and `p.b.col_stride == 1`.
    unsafe fn small(p: &Problem);

    /// Every tile of a packed A block times a packed B block.
    ///
    /// # Safety
    /// The CPU supports the instruction set; `t.a` holds `ceil(rows / MR)` packed panels of depth
    /// `kc`, `t.b` `ceil(cols / NR)` panels, and `t.c` addresses `rows x cols` writable elements
    /// that no other thread touches during the call.
    unsafe fn macro_kernel(t: &MacroTile);
}

/// Small path: tiles of `MR x (NV * W)` straight from the strided operands, B's rows read in place
/// (unit column stride), A's elements broadcast from wherever they are.
///
/// # Safety
/// As for [`Isa::small`], with `S` the instruction set.
#[inline(always)]
unsafe fn small_tiles<S: Simd, const MR: usize, const NV: usize>(p: &Problem) {
    let width = NV * S::W;
    let mut j0 = 0;
    while j0 < p.n {
        let cols = width.min(p.n - j0);
        // SAFETY: j0 < n is a column of B and C; i0 < m a row of A and C (Problem invariant).
        unsafe {
            let b = StridedB {
                ptr: p.b.ptr.add(j0),
                row_stride: p.b.row_stride,
            };
            let mut i0 = 0;
            while i0 < p.m {
                let rows = MR.min(p.m - i0);
                let a = StridedA::<MR>::new(
                    p.a.ptr.add(i0 * p.a.row_stride),
                    rows,
                    p.a.row_stride,
                    p.a.col_stride,
                );
                let out = TileOut {
                    c: p.c.add(i0 * p.c_row_stride + j0 * p.c_col_stride),
                    row_stride: p.c_row_stride,
                    col_stride: p.c_col_stride,
                    rows,
                    cols,
                    alpha: p.alpha,
                    beta: p.beta,
                };
                if cols == width {
                    tile::<S, MR, NV, false>(p.k, a, b, &out);
                } else {
                    tile::<S, MR, NV, true>(p.k, a, b, &out);
                }
                i0 += MR;
            }
        }
        j0 += width;
    }
}

/// Packed path: the `jr` loop over B micro-panels (each stays in L1) around the `ir` loop over A
/// micro-panels (streamed from the L2-resident A block).
///
/// # Safety
/// As for [`Isa::macro_kernel`], with `S` the instruction set.
#[inline(always)]
unsafe fn macro_tiles<S: Simd, const MR: usize, const NV: usize>(t: &MacroTile) {
    let nr = NV * S::W;
    let mut j0 = 0;
    while j0 < t.cols {
        let cols = nr.min(t.cols - j0);
        // SAFETY: panel j0 / nr of B and i0 / MR of A exist (caller contract); (i0, j0) is inside
        // the rows x cols of C.
        unsafe {
            // A packed panel is B read in place with row stride nr (and zero padding, so no masks).
            let b = StridedB {
                ptr: t.b.add(j0 * t.kc),
                row_stride: nr,
            };
            let mut i0 = 0;
            while i0 < t.rows {
                let a = PackedA::<MR> {
                    ptr: t.a.add(i0 * t.kc),
                };
                let out = TileOut {
                    c: t.c.add(i0 * t.c_row_stride + j0 * t.c_col_stride),
                    row_stride: t.c_row_stride,
                    col_stride: t.c_col_stride,
                    rows: MR.min(t.rows - i0),
                    cols,
                    alpha: t.alpha,
                    beta: t.beta,
                };
                tile::<S, MR, NV, false>(t.kc, a, b, &out);
                i0 += MR;
            }
        }
        j0 += nr;
    }
}

/// The portable family (no SIMD beyond what the compiler picks for the baseline target).
pub(crate) struct PortableIsa;

impl Isa for PortableIsa {
    const W: usize = Portable::W;
    const MR: usize = 4;
    const NR: usize = 8;
    const BLOCKING: Blocking = Blocking {
        kc: 256,
        mc: 256,
        nc: 4096,
    };

    unsafe fn small(p: &Problem) {
        // SAFETY: forwarded caller contract; the portable family needs no CPU feature.
        unsafe { small_tiles::<Portable, 4, 2>(p) }
    }

    unsafe fn macro_kernel(t: &MacroTile) {
        // SAFETY: forwarded caller contract.
        unsafe { macro_tiles::<Portable, 4, 2>(t) }
    }
}

/// The AVX2 + FMA family: 16 ymm registers, so a 6 x 16 tile (12 accumulators, 2 B vectors,
/// 1 broadcast).
#[cfg(target_arch = "x86_64")]
pub(crate) struct Avx2Isa;

#[cfg(target_arch = "x86_64")]
impl Isa for Avx2Isa {
    const W: usize = Avx2::W;
    const MR: usize = 6;
    const NR: usize = 16;
    const BLOCKING: Blocking = Blocking {
        kc: 256,
        mc: 384,
        nc: 4096,
    };

    unsafe fn small(p: &Problem) {
        // SAFETY: forwarded caller contract (the CPU has AVX2 and FMA).
        unsafe { avx2_small(p) }
    }

    unsafe fn macro_kernel(t: &MacroTile) {
        // SAFETY: forwarded caller contract (the CPU has AVX2 and FMA).
        unsafe { avx2_macro(t) }
    }
}

/// Small-path tile choice for AVX2: one vector column when n fits it, else 4 x 16.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_small(p: &Problem) {
    // SAFETY: this function only runs where AVX2 and FMA exist (caller contract).
    unsafe {
        if p.n <= 8 {
            small_tiles::<Avx2, 8, 1>(p);
        } else if p.m <= 16 {
            small_tiles::<Avx2, 4, 2>(p);
        } else {
            small_tiles::<Avx2, 6, 2>(p);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_macro(t: &MacroTile) {
    // SAFETY: this function only runs where AVX2 and FMA exist (caller contract).
    unsafe { macro_tiles::<Avx2, 6, 2>(t) }
}

/// The AVX-512F family: 32 zmm registers, so a 12 x 32 tile (24 accumulators, 2 B vectors,
/// broadcasts folded into the FMAs).
#[cfg(target_arch = "x86_64")]
pub(crate) struct Avx512Isa;

#[cfg(target_arch = "x86_64")]
impl Isa for Avx512Isa {
    const W: usize = Avx512::W;
    const MR: usize = 12;
    const NR: usize = 32;
    const BLOCKING: Blocking = Blocking {
        kc: 256,
        mc: 384,
        nc: 4096,
    };

    unsafe fn small(p: &Problem) {
        // SAFETY: forwarded caller contract (the CPU has AVX-512F and FMA).
        unsafe { avx512_small(p) }
    }

    unsafe fn macro_kernel(t: &MacroTile) {
        // SAFETY: forwarded caller contract (the CPU has AVX-512F and FMA).
        unsafe { avx512_macro(t) }
    }
}

/// Small-path tile choice for AVX-512: one masked vector column when n <= 16 (16 rows, or 8 for
/// short m), else two columns (32 wide) by 8 or 12 rows.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
unsafe fn avx512_small(p: &Problem) {
    // SAFETY: this function only runs where AVX-512F and FMA exist (caller contract).
    unsafe {
        if p.n <= 16 {
            if p.m <= 8 {
                small_tiles::<Avx512, 8, 1>(p);
            } else {
                small_tiles::<Avx512, 16, 1>(p);
            }
        } else if p.m <= 32 {
            small_tiles::<Avx512, 8, 2>(p);
        } else {
            small_tiles::<Avx512, 12, 2>(p);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
unsafe fn avx512_macro(t: &MacroTile) {
    // SAFETY: this function only runs where AVX-512F and FMA exist (caller contract).
    unsafe { macro_tiles::<Avx512, 12, 2>(t) }
}
