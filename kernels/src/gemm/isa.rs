//! One instruction set's kernel family: tile shapes, block sizes, and the `#[target_feature]`
//! wrappers into which the generic small-path and macro-kernel loops inline.

use super::model::{self, Limits};
use super::pack::pack_a;
use super::problem::{Problem, View};
use super::simd::Portable;
use super::simd::Simd;
#[cfg(target_arch = "x86_64")]
use super::simd::{Avx2, Avx512};
use super::tile::{ASource, PackedA, StridedA, StridedB, TileA, TileC, TileOut, tile};
use crate::cache::CacheDescription;

/// Cache blocking of the packed path (all in elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocking {
    /// Depth of one packed block: cuts the `pc` loop over k. A `KC x NR` B micro-panel must stay
    /// in L1 while the `MR x KC` A micro-panels stream past it. Fixes the summation split of k, so
    /// it never depends on the thread count.
    pub kc: usize,
    /// Rows of one A block: cuts the `ic` loop over m. When A is packed, `MC x KC` of it stays in
    /// L2 while the micro-kernel sweeps the B panels; it also bounds a thread's work item.
    /// Rounded up to a multiple of the tile height.
    pub mc: usize,
    /// Columns of one worker's packed B block: cuts the `jc` loop over n (in steps of NC times the
    /// thread count, so each worker of a column split reuses every A element it streams as often
    /// as a single thread does). `KC x NC` of B is packed once and reused by every A block from
    /// that core's L2. Rounded up to a multiple of the tile width.
    pub nc: usize,
    /// Which micro-panel the two innermost loops keep in L1.
    pub order: LoopOrder,
    /// Whether A is packed into `MR`-tall panels (else the micro-kernel broadcasts A's elements
    /// from where they are, like the small path): one strip at a time just before its tiles in
    /// [`LoopOrder::APanelInL1`], the whole `MC x KC` block first in the other order. [`gemm`]
    /// packs when A's rows are not contiguous (a transposed operand) and n spans more than 4
    /// tiles.
    ///
    /// [`gemm`]: crate::gemm()
    pub pack_a: bool,
    /// Whether every block runs the family's shorter full-width tile (AVX-512: 8 rows, not
    /// 12) instead of the height that pads the block least. [`gemm`] sets it for a row-major
    /// A read in place whose full-height strips would share too few of L1's sets while
    /// shorter ones fit (see `model::reads_a`). A family with one tile height runs that tile
    /// either way. Never changes a tile's arithmetic: the bits are the same.
    ///
    /// [`gemm`]: crate::gemm()
    pub short_tiles: bool,
    /// Whether a row-major B's blocks are packed in a pass of their own, row by row, before
    /// their tiles run, instead of by the first A strip's tiles as they compute. [`gemm`] sets
    /// it when B is too large to be in L2 when the product starts (see `model::packs_b_first`).
    /// Never changes a tile's arithmetic: the bits are the same.
    ///
    /// [`gemm`]: crate::gemm()
    pub pack_b_first: bool,
}

/// The order of the packed path's two innermost loops (`jr` over B micro-panels, `ir` over A
/// micro-panels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopOrder {
    /// `jr` outside: a `KC x NR` B micro-panel stays in L1, the `MC x KC` A block in L2 (the
    /// classic BLIS order).
    BPanelInL1,
    /// `ir` outside: an `MR x KC` A micro-panel stays in L1, the `KC x NC` B block in L2.
    APanelInL1,
}

/// The packed-path arguments of one macro-kernel call: a packed `rows x kc` A block times a
/// packed `kc x cols` B block into C.
#[derive(Clone, Copy)]
pub(crate) struct MacroTile {
    pub(crate) kc: usize,
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) a: MacroA,
    /// The packed B panels (`ceil(cols / NR)` of depth `kc`).
    pub(crate) b: *mut f32,
    /// When set, the panels at `b` are not packed yet: this is B's block in place (unit column
    /// stride, element (0, 0) the block's), and the tiles of the first A micro-panel read it
    /// from here and pack each panel as they go; the other tiles then read the packed panels.
    pub(crate) b_src: Option<View>,
    pub(crate) c: *mut f32,
    pub(crate) c_row_stride: usize,
    pub(crate) c_col_stride: usize,
    pub(crate) alpha: f32,
    pub(crate) beta: f32,
    pub(crate) order: LoopOrder,
    /// Run the family's shorter tile on every strip ([`Blocking::short_tiles`]).
    pub(crate) short_tiles: bool,
}

/// Where the macro-kernel reads its A block.
#[derive(Clone, Copy)]
pub(crate) enum MacroA {
    /// Packed into `MR`-tall panels of depth `kc` (zero padded).
    Packed(*const f32),
    /// In place: the view's element (0, 0) is the block's; edge rows are clamped as in the
    /// small path.
    InPlace(View),
    /// In place (`src`, element (0, 0) the block's), but each `MR x kc` strip is packed into
    /// `buf` (room for `MR * kc` elements) just before its tiles run. With A's strip in L1
    /// ([`LoopOrder::APanelInL1`]) a strip is packed once and read by every B panel, and the
    /// packed copy (12 KiB for 6 x 512) stays in L1 instead of taking L2 from the B block as a
    /// packed `MC x KC` block would. For A whose rows are not contiguous (a transposed operand),
    /// where a strip read in place spans `kc` lines.
    Strips { src: View, buf: *mut f32 },
}

/// A kernel family for one instruction set.
pub(crate) trait Isa {
    /// Vector lanes.
    const W: usize;
    /// Packed-path tile height (rows of C per micro-kernel call).
    const MR: usize;
    /// Packed-path tile width (columns of C per micro-kernel call).
    const NR: usize;

    /// Height of the packed-path tiles on a block of `rows` rows of an A read in place or
    /// packed strip by strip: `MR`, unless the family has a shorter full-width tile that pads
    /// the block less.
    fn tile_rows(rows: usize) -> usize {
        let _ = rows;
        Self::MR
    }

    /// Height of the family's shortest full-width packed-path tile (`MR` when it has one).
    const SHORT_MR: usize = Self::MR;

    /// The blocking model's limits for this family's tile on `caches` (see [`super::model`]).
    fn limits(caches: &CacheDescription) -> Limits {
        model::limits(caches, Self::MR, Self::NR)
    }

    /// The default blocking for an `m x k` by `k x n` product on `caches`
    /// ([`model::blocking_for`]). Depends on m, k and the caches, never on n or the thread
    /// count (KC fixes the order of summation).
    fn blocking_for(caches: &CacheDescription, m: usize, k: usize) -> Blocking {
        model::blocking_for(&Self::limits(caches), Self::NR, m, k)
    }

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
    /// `kc` (or is [`MacroA::Strips`] with a buffer of `MR * kc`), `t.b` `ceil(cols / NR)` panels, and `t.c` addresses `rows x cols` writable elements
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
    // SAFETY: forwarded caller contract.
    if unsafe { whole_tiles::<S, MR, NV>(p) } {
        return;
    }
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
                    tile::<S, MR, NV, false, 0, false>(p.k, a, b, &out, std::ptr::null_mut());
                } else {
                    tile::<S, MR, NV, true, 0, false>(p.k, a, b, &out, std::ptr::null_mut());
                }
                i0 += MR;
            }
        }
        j0 += width;
    }
}

/// The small product as whole tiles written by the instruction set's hand-written kernel, when
/// it has one for `MR x NV` and the product is made of them: `m` a multiple of `MR`, `n` of the
/// tile's width, alpha 1, beta 0 or 1, C's rows contiguous. Returns false, having done nothing,
/// otherwise.
///
/// The same kernel with the same operands as [`tile`] would call (so the same bits), without
/// building the generic tile's row offsets, lane masks and write-back per tile: on a
/// `16 x 4 x 32` product (two tiles of 64 FMAs) that setup took a third of the small path's
/// samples (`perf`, Zen 4).
///
/// # Safety
/// As for [`Isa::small`], with `S` the instruction set; B has unit column stride.
#[inline(always)]
unsafe fn whole_tiles<S: Simd, const MR: usize, const NV: usize>(p: &Problem) -> bool {
    let width = NV * S::W;
    if !p.m.is_multiple_of(MR)
        || !p.n.is_multiple_of(width)
        || p.alpha != 1.0
        || (p.beta != 0.0 && p.beta != 1.0)
        || p.c_col_stride != 1
    {
        return false;
    }
    let add = p.beta == 1.0;
    let mut i0 = 0;
    while i0 < p.m {
        let mut j0 = 0;
        while j0 < p.n {
            // SAFETY: rows i0..i0 + MR of A and C and columns j0..j0 + width of B and C exist (m
            // and n are multiples of the tile); C's tile is distinct from A and B (Problem
            // invariant), and B's rows are contiguous (caller contract).
            let done = unsafe {
                S::hand_tile::<MR, NV>(
                    p.k,
                    TileA::Strided {
                        ptr: p.a.ptr.add(i0 * p.a.row_stride),
                        row_stride: p.a.row_stride,
                        col_stride: p.a.col_stride,
                    },
                    p.b.ptr.add(j0),
                    p.b.row_stride,
                    0,
                    std::ptr::null_mut(),
                    TileC {
                        ptr: p.c.add(i0 * p.c_row_stride + j0),
                        row_stride: p.c_row_stride,
                        add,
                    },
                )
            };
            if !done {
                // No hand-written kernel for this shape: the first tile says so for all, and
                // nothing has been written yet.
                debug_assert!(i0 == 0 && j0 == 0);
                return false;
            }
            j0 += width;
        }
        i0 += MR;
    }
    true
}

/// How many k steps ahead the packed-path micro-kernel prefetches B (0: none). Measured at
/// n = 1024, three alternating runs each: 16 steps (2 KiB ahead) gave 168-170 GFLOP/s against
/// 165-168 without; 8 steps was within noise of none.
const PREFETCH_B: usize = 16;

/// Packed path: the two innermost loops over micro-panels. With [`LoopOrder::BPanelInL1`] the
/// `jr` loop over B micro-panels is outside (each `KC x NR` B panel stays in L1 while the A
/// panels of the L2-resident A block stream past); with [`LoopOrder::APanelInL1`] the `ir` loop
/// over A micro-panels is outside (each `MR x KC` A panel stays in L1 while the B panels of the
/// L2-resident B block stream past). The order changes only which tile is computed when, never a
/// tile's arithmetic.
///
/// # Safety
/// As for [`Isa::macro_kernel`], with `S` the instruction set.
#[inline(always)]
unsafe fn macro_tiles<S: Simd, const MR: usize, const NV: usize>(t: &MacroTile) {
    let nr = NV * S::W;
    let m_panels = t.rows.div_ceil(MR);
    let n_panels = t.cols.div_ceil(nr);
    let (outer, inner) = match t.order {
        LoopOrder::BPanelInL1 => (n_panels, m_panels),
        LoopOrder::APanelInL1 => (m_panels, n_panels),
    };
    // The A strip whose packed copy `MacroA::Strips`'s buffer holds.
    let mut packed_strip = usize::MAX;
    for o in 0..outer {
        for i in 0..inner {
            let (ip, jp) = match t.order {
                LoopOrder::BPanelInL1 => (i, o),
                LoopOrder::APanelInL1 => (o, i),
            };
            let (i0, j0) = (ip * MR, jp * nr);
            // SAFETY: panel ip of A and jp of B exist (caller contract); (i0, j0) is inside the
            // rows x cols of C, and prefetches never fault. A strip buffer holds MR * kc
            // elements and is this call's alone; rows i0..i0+out.rows of the source exist.
            unsafe {
                let out = TileOut {
                    c: t.c.add(i0 * t.c_row_stride + j0 * t.c_col_stride),
                    row_stride: t.c_row_stride,
                    col_stride: t.c_col_stride,
                    rows: MR.min(t.rows - i0),
                    cols: nr.min(t.cols - j0),
                    alpha: t.alpha,
                    beta: t.beta,
                };
                // The tile's C lines are needed only after kc rank-1 updates: start fetching them
                // now so the write-back does not wait on L3 or memory.
                if t.c_col_stride == 1 {
                    for r in 0..out.rows {
                        let row = out.c.wrapping_add(r * out.row_stride);
                        for v in 0..NV {
                            S::prefetch(row.wrapping_add(v * S::W));
                        }
                    }
                }
                let panel = t.b.add(j0 * t.kc);
                // The first A micro-panel meets every B panel first, in both loop orders.
                let packing = t.b_src.filter(|_| ip == 0);
                match t.a {
                    MacroA::Packed(ptr) => {
                        let a = PackedA::<MR> {
                            ptr: ptr.add(i0 * t.kc),
                        };
                        b_tile::<S, MR, NV>(t.kc, a, panel, packing, j0, &out);
                    }
                    MacroA::InPlace(v) => {
                        let a = StridedA::<MR>::new(
                            v.ptr.add(i0 * v.row_stride),
                            out.rows,
                            v.row_stride,
                            v.col_stride,
                        );
                        b_tile::<S, MR, NV>(t.kc, a, panel, packing, j0, &out);
                    }
                    MacroA::Strips { src, buf } => {
                        // In the A-strip-outer order this packs once per strip; in the other
                        // it would pack per tile (correct, but `blocked` does not ask for it).
                        if packed_strip != ip {
                            pack_a(buf, src.at(i0, 0), out.rows, t.kc, MR);
                            packed_strip = ip;
                        }
                        let a = PackedA::<MR> { ptr: buf };
                        b_tile::<S, MR, NV>(t.kc, a, panel, packing, j0, &out);
                    }
                }
            }
        }
    }
}

/// One packed-path tile whose B panel `panel` is either packed already (`packing` None: read it,
/// zero padded, with row stride NR) or still to be packed from `packing`, B's block in place,
/// whose columns `j0..` it covers (masked at the block's right edge).
///
/// # Safety
/// As for [`macro_tiles`]; `panel` has room for `kc` rows of `NV * W`, and when `packing` is
/// None it holds them.
#[inline(always)]
unsafe fn b_tile<S: Simd, const MR: usize, const NV: usize>(
    kc: usize,
    a: impl ASource,
    panel: *mut f32,
    packing: Option<View>,
    j0: usize,
    out: &TileOut,
) {
    // SAFETY: forwarded contract; the source's columns j0..j0 + out.cols exist (the tile lies
    // inside the block) and those past them are masked off.
    unsafe {
        match packing {
            None => {
                let b = StridedB {
                    ptr: panel,
                    row_stride: NV * S::W,
                };
                tile::<S, MR, NV, false, PREFETCH_B, false>(kc, a, b, out, std::ptr::null_mut());
            }
            Some(src) => {
                let b = StridedB {
                    ptr: src.ptr.wrapping_add(j0),
                    row_stride: src.row_stride,
                };
                if out.cols == NV * S::W {
                    tile::<S, MR, NV, false, PREFETCH_B, true>(kc, a, b, out, panel);
                } else {
                    tile::<S, MR, NV, true, PREFETCH_B, true>(kc, a, b, out, panel);
                }
            }
        }
    }
}

/// The portable family (no SIMD beyond what the compiler picks for the baseline target).
pub(crate) struct PortableIsa;

impl Isa for PortableIsa {
    const W: usize = Portable::W;
    const MR: usize = 4;
    const NR: usize = 8;

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
/// 1 broadcast). Its blocks come from the cache model like every family's (on a Zen 3: KC up
/// to 512, NC 256 from its 2 MiB L3 share per core).
#[cfg(target_arch = "x86_64")]
pub(crate) struct Avx2Isa;

#[cfg(target_arch = "x86_64")]
impl Isa for Avx2Isa {
    const W: usize = Avx2::W;
    const MR: usize = 6;
    const NR: usize = 16;

    unsafe fn small(p: &Problem) {
        // SAFETY: forwarded caller contract (the CPU has AVX2 and FMA).
        unsafe { avx2_small(p) }
    }

    unsafe fn macro_kernel(t: &MacroTile) {
        // SAFETY: forwarded caller contract (the CPU has AVX2 and FMA).
        unsafe { avx2_macro(t) }
    }
}

/// Small-path tile choice for AVX2: one vector column when n fits it, else 4 x 16 for short m
/// and 6 x 16 above. Short means m <= 8, or m <= 16 with k and n both under 128: at m = 16 three
/// 6-row tiles beat four 4-row ones on a 16-sample LSTM chunk's step products (n = 4·64 forward,
/// k = 4·64 backward; 12 accumulators per broadcast instead of 8) but lost on a SimpleRNN's
/// 64 x 64 ones.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_small(p: &Problem) {
    // SAFETY: this function only runs where AVX2 and FMA exist (caller contract).
    unsafe {
        if p.n <= 8 {
            small_tiles::<Avx2, 8, 1>(p);
        } else if p.m <= 2 && p.n > 16 {
            // See `avx512_small`: one pass over B's rows for every 64 columns.
            if p.m == 1 {
                small_tiles::<Avx2, 1, 8>(p);
            } else {
                small_tiles::<Avx2, 2, 4>(p);
            }
        } else if p.m <= 8 || (p.m <= 16 && p.k < 128 && p.n < 128) {
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
    const SHORT_MR: usize = 8;

    /// 8 when 8-row tiles cover the block with fewer padded rows than 12-row ones (e.g. 256
    /// rows: 32 tiles of 8 against 22 of 12 = 264 rows; 256^3 measured ~3% faster with 8).
    fn tile_rows(rows: usize) -> usize {
        if rows.div_ceil(8) * 8 < rows.div_ceil(12) * 12 {
            8
        } else {
            12
        }
    }

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
/// short m); for one to four rows, tiles as wide as 16 accumulators allow (256 columns for one
/// row, 128 for two, 64 for four); else two columns (32 wide) by 8 or 12 rows, whichever pads m
/// less.
///
/// The wide tiles are for a recurrent op's `dW = x'ᵀ dZ` with few features: `1 x 8192 x 256` at
/// one feature, whose every tile walks all 8192 rows of B. With 32-column tiles that is eight
/// passes over B (8 MiB), each reading 128 bytes per 1 KiB row, latency bound: 3.4 ms per
/// product on a Zen 4 (1.2 GFLOP/s), a tenth of the large model's training step. One 256-wide
/// tile reads each row whole, once.
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
        } else if p.m <= 4 {
            match p.m {
                1 => small_tiles::<Avx512, 1, 16>(p),
                2 => small_tiles::<Avx512, 2, 8>(p),
                _ => small_tiles::<Avx512, 4, 4>(p),
            }
        } else if p.m.div_ceil(8) * 8 <= p.m.div_ceil(12) * 12 {
            // Fewer padded rows with 8-row tiles (ties included: the 8 x 32 tile measured
            // 167 -> 188 GFLOP/s at 64x64x64 and 183 -> 188 at 96x64x64 against 12 x 32).
            small_tiles::<Avx512, 8, 2>(p);
        } else {
            small_tiles::<Avx512, 12, 2>(p);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
unsafe fn avx512_macro(t: &MacroTile) {
    // SAFETY: this function only runs where AVX-512F and FMA exist (caller contract); an
    // in-place A has no panel layout, so any tile height may read it, and a strip buffer holds
    // 12 * kc elements, enough for an 8-row strip.
    unsafe {
        match t.a {
            MacroA::InPlace(_) | MacroA::Strips { .. }
                if t.short_tiles || Avx512Isa::tile_rows(t.rows) == 8 =>
            {
                macro_tiles::<Avx512, 8, 2>(t)
            }
            _ => macro_tiles::<Avx512, 12, 2>(t),
        }
    }
}
