//! The register-blocked micro-kernel: one `MR x (NV*W)` tile of C from `k` rank-1 updates.
//!
//! The same generic body serves the packed (BLIS) path and the small-product path; only where A
//! and B are read from differs ([`PackedA`]/[`StridedA`], [`StridedB`]), and the
//! compiler specialises each combination. Accumulators live in an `[[V; NV]; MR]` array that the
//! fully unrolled loops keep in registers.

// Index loops over the fixed-size register arrays mirror the tile's (row, vector) coordinates;
// iterator chains would obscure them and unroll no better.
#![allow(clippy::needless_range_loop)]

use super::simd::Simd;

/// A tile's A operand as a hand-written kernel reads it: a packed panel or all `MR` rows in
/// place (an edge tile whose rows are clamped has no such form and takes the generic kernel).
#[derive(Clone, Copy)]
pub(crate) enum TileA {
    /// A packed `MR`-tall panel: element `(r, p)` at `ptr[p * MR + r]`.
    Packed(*const f32),
    /// A in place with every one of the tile's `MR` rows present: element `(r, p)` at
    /// `ptr[r * row_stride + p * col_stride]` (strides in elements).
    Strided {
        /// Element `(0, 0)`.
        ptr: *const f32,
        /// Elements between consecutive rows.
        row_stride: usize,
        /// Elements between consecutive depths.
        col_stride: usize,
    },
}

/// Where a hand-written kernel writes its finished tile: `MR` rows of `NV * W` floats, row `r` at
/// `ptr + r * row_stride`, either overwritten with the accumulators or (`add`) incremented by them.
#[derive(Clone, Copy)]
pub(crate) struct TileC {
    /// The tile's element `(0, 0)`.
    pub(crate) ptr: *mut f32,
    /// Elements between consecutive rows.
    pub(crate) row_stride: usize,
    /// `C + acc` instead of `acc`.
    pub(crate) add: bool,
}

/// Where the kernel reads A's element `(r, p)` (tile row `r`, depth `p`) to broadcast it.
pub(crate) trait ASource: Copy {
    /// Pointer to element `(r, p)`.
    ///
    /// # Safety
    /// `r < MR` and `p < k` of the tile being computed; the source was built for that tile.
    unsafe fn at(&self, r: usize, p: usize) -> *const f32;

    /// The operand as a hand-written kernel reads it, if it has that form.
    fn layout(&self) -> Option<TileA>;
}

/// A packed `MR`-tall panel: element `(r, p)` at `ptr[p * MR + r]`.
#[derive(Clone, Copy)]
pub(crate) struct PackedA<const MR: usize> {
    pub(crate) ptr: *const f32,
}

impl<const MR: usize> ASource for PackedA<MR> {
    #[inline(always)]
    unsafe fn at(&self, r: usize, p: usize) -> *const f32 {
        // SAFETY: the panel holds k * MR elements and r < MR, p < k (caller contract).
        unsafe { self.ptr.add(p * MR + r) }
    }

    #[inline(always)]
    fn layout(&self) -> Option<TileA> {
        Some(TileA::Packed(self.ptr))
    }
}

/// A's rows read in place: element `(r, p)` at `ptr[row_off[r] + p * col_stride]`. Rows past the
/// matrix's last row point at the last row again (see `StridedA::new`), so an edge tile reads only
/// valid memory and merely computes a few rows that are never stored.
#[derive(Clone, Copy)]
pub(crate) struct StridedA<const MR: usize> {
    ptr: *const f32,
    row_off: [usize; MR],
    col_stride: usize,
    /// Distance between rows, and whether all `MR` rows exist (no clamped offsets).
    row_stride: usize,
    full: bool,
}

impl<const MR: usize> StridedA<MR> {
    /// Rows `0..rows` of the view at `ptr` (`rows >= 1`), clamped to `MR` tile rows.
    #[inline(always)]
    pub(crate) fn new(ptr: *const f32, rows: usize, row_stride: usize, col_stride: usize) -> Self {
        let last = rows.min(MR) - 1;
        StridedA {
            ptr,
            row_off: std::array::from_fn(|r| r.min(last) * row_stride),
            col_stride,
            row_stride,
            full: rows >= MR,
        }
    }
}

impl<const MR: usize> ASource for StridedA<MR> {
    #[inline(always)]
    unsafe fn at(&self, r: usize, p: usize) -> *const f32 {
        // SAFETY: row_off[r] addresses an existing row (clamped in `new`) and p < k is an
        // existing column of the view the caller validated.
        unsafe { self.ptr.add(self.row_off[r] + p * self.col_stride) }
    }

    #[inline(always)]
    fn layout(&self) -> Option<TileA> {
        self.full.then_some(TileA::Strided {
            ptr: self.ptr,
            row_stride: self.row_stride,
            col_stride: self.col_stride,
        })
    }
}

/// Where the kernel reads B's row `p` of the tile (its `NV*W` columns are contiguous).
pub(crate) trait BSource: Copy {
    /// Pointer to the tile's column 0 of depth `p`.
    ///
    /// # Safety
    /// `p < k` of the tile being computed.
    unsafe fn row(&self, p: usize) -> *const f32;

    /// Like [`BSource::row`] for any `p`, without the in-bounds guarantee (for prefetch hints).
    fn row_wrapping(&self, p: usize) -> *const f32;

    /// Row 0 and the distance between rows, in elements.
    fn base_and_stride(&self) -> (*const f32, usize);
}

/// B with unit column stride: row `p` at `ptr[p * row_stride]`. Serves B read in place (small
/// path) and packed `NR`-wide panels (`row_stride = NR`, zero padded past the matrix edge).
#[derive(Clone, Copy)]
pub(crate) struct StridedB {
    pub(crate) ptr: *const f32,
    pub(crate) row_stride: usize,
}

impl BSource for StridedB {
    #[inline(always)]
    unsafe fn row(&self, p: usize) -> *const f32 {
        // SAFETY: row p < k exists in the validated view (caller contract).
        unsafe { self.ptr.add(p * self.row_stride) }
    }

    #[inline(always)]
    fn row_wrapping(&self, p: usize) -> *const f32 {
        self.ptr.wrapping_add(p.wrapping_mul(self.row_stride))
    }

    #[inline(always)]
    fn base_and_stride(&self) -> (*const f32, usize) {
        (self.ptr, self.row_stride)
    }
}

/// Where and how a finished tile is written: `C <- alpha * acc + beta * C` on the first `rows x
/// cols` elements of the tile (`beta == 0` never reads C).
#[derive(Clone, Copy)]
pub(crate) struct TileOut {
    pub(crate) c: *mut f32,
    pub(crate) row_stride: usize,
    pub(crate) col_stride: usize,
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) alpha: f32,
    pub(crate) beta: f32,
}

/// Computes one `MR x (NV * S::W)` tile over depth `k` and writes it to `out`.
///
/// `MASKED_B`: B's columns past `out.cols` do not exist (in-place B at the right edge), so B rows
/// are loaded under a lane mask; packed B is zero padded and uses plain loads.
///
/// `PACK_B`: B is read in place and each row, as loaded (masked-off lanes zero), is also stored
/// to `pack_to[p * NV * W ..]`, so the tile packs B's zero-padded panel while it computes with it.
///
/// # Safety
/// `S`'s instruction set is available; `a` and `b` are valid for `MR` rows (A) and
/// `NV * S::W` columns (B, or `out.cols` of them when `MASKED_B`) over depth `k`; `out` describes
/// `out.rows <= MR` by `out.cols <= NV * S::W` writable elements of C, distinct from A and B and
/// not written concurrently by anyone else. With `PACK_B`, `pack_to` is valid for `k * NV * W`
/// writes that nobody else reads or writes during the call.
#[inline(always)]
pub(crate) unsafe fn tile<
    S: Simd,
    const MR: usize,
    const NV: usize,
    const MASKED_B: bool,
    const PREFETCH_B: usize,
    const PACK_B: bool,
>(
    k: usize,
    a: impl ASource,
    b: impl BSource,
    out: &TileOut,
    pack_to: *mut f32,
) {
    // SAFETY (whole body): every intrinsic runs on a CPU with S's instruction set (caller
    // contract); pointer arithmetic stays inside the operands as argued at each access.
    unsafe {
        let masks: [S::Mask; NV] =
            std::array::from_fn(|v| S::mask(out.cols.saturating_sub(v * S::W).min(S::W)));
        // A full-width tile of a shape the instruction set has a hand-written kernel for takes
        // it (same arithmetic, same bits; see `asm_avx512.rs` for why).
        if !MASKED_B && let Some(layout) = a.layout() {
            let (b_ptr, b_stride) = b.base_and_stride();
            let pack = if PACK_B {
                pack_to
            } else {
                std::ptr::null_mut()
            };
            // A whole tile of C with alpha 1 and beta 0 or 1 is written by the kernel itself
            // (`alpha * acc` is then `acc` exactly, and `fma(1, C, acc)` is `C + acc`): no
            // round trip of the accumulators through memory, and no stack buffer for them
            // (zeroing its 1-1.5 KiB before every tile was 10% of a 16 x 4 x 32 product).
            // Any other write-back goes through `write_tile` from the accumulators the kernel
            // stores.
            let direct = out.alpha == 1.0
                && (out.beta == 0.0 || out.beta == 1.0)
                && out.col_stride == 1
                && out.rows == MR
                && out.cols == NV * S::W;
            if direct {
                let c = TileC {
                    ptr: out.c,
                    row_stride: out.row_stride,
                    add: out.beta == 1.0,
                };
                if S::hand_tile::<MR, NV>(k, layout, b_ptr, b_stride, PREFETCH_B, pack, c) {
                    return;
                }
            } else {
                let mut stored = [[S::zero(); NV]; MR];
                let c = TileC {
                    ptr: stored.as_mut_ptr().cast::<f32>(),
                    row_stride: NV * S::W,
                    add: false,
                };
                if S::hand_tile::<MR, NV>(k, layout, b_ptr, b_stride, PREFETCH_B, pack, c) {
                    write_tile::<S, MR, NV>(&stored, out, &masks);
                    return;
                }
            }
        }
        let mut acc = [[S::zero(); NV]; MR];
        for p in 0..k {
            let brow = b.row(p);
            if PREFETCH_B > 0 {
                // Packed B streams from L2: ask for the row PREFETCH_B steps ahead (a hint that
                // never faults, so running past the panel's end is harmless).
                let ahead = b.row_wrapping(p + PREFETCH_B);
                for v in 0..NV {
                    S::prefetch(ahead.wrapping_add(v * S::W));
                }
            }
            let mut bv = [S::zero(); NV];
            for v in 0..NV {
                // Masked-off lanes are not accessed, so the pointer may pass the end of B;
                // wrapping_add keeps forming it free of UB.
                bv[v] = if MASKED_B {
                    S::load_masked(brow.wrapping_add(v * S::W), masks[v])
                } else {
                    S::load(brow.add(v * S::W))
                };
            }
            if PACK_B {
                let dst = pack_to.add(p * NV * S::W);
                for v in 0..NV {
                    S::store(dst.add(v * S::W), bv[v]);
                }
            }
            for r in 0..MR {
                let av = S::splat(*a.at(r, p));
                for v in 0..NV {
                    acc[r][v] = S::mul_add(av, bv[v], acc[r][v]);
                }
            }
        }
        write_tile::<S, MR, NV>(&acc, out, &masks);
    }
}

/// `C <- alpha * acc + beta * C` for the valid part of a tile. Unit column stride uses vector
/// loads and stores (masked at the right edge); any other layout goes through a stack copy.
///
/// # Safety
/// As for [`tile`]; `masks[v]` enables the valid lanes of vector column `v`.
#[inline(always)]
unsafe fn write_tile<S: Simd, const MR: usize, const NV: usize>(
    acc: &[[S::V; NV]; MR],
    out: &TileOut,
    masks: &[S::Mask; NV],
) {
    // SAFETY (whole body): only elements (r, j) with r < out.rows, j < out.cols are accessed
    // (vector lanes beyond out.cols are masked off), which the caller guarantees are writable.
    unsafe {
        let alpha = S::splat(out.alpha);
        if out.col_stride == 1 {
            let beta = S::splat(out.beta);
            for (r, acc_row) in acc.iter().enumerate() {
                if r >= out.rows {
                    break;
                }
                let row = out.c.add(r * out.row_stride);
                for v in 0..NV {
                    let p = row.wrapping_add(v * S::W);
                    let x = S::mul(alpha, acc_row[v]);
                    if out.cols >= (v + 1) * S::W {
                        let y = if out.beta == 0.0 {
                            x
                        } else {
                            S::mul_add(beta, S::load(p), x)
                        };
                        S::store(p, y);
                    } else {
                        let y = if out.beta == 0.0 {
                            x
                        } else {
                            S::mul_add(beta, S::load_masked(p, masks[v]), x)
                        };
                        S::store_masked(p, y, masks[v]);
                    }
                }
            }
        } else {
            let mut scaled = [[S::zero(); NV]; MR];
            for r in 0..MR {
                for v in 0..NV {
                    scaled[r][v] = S::mul(alpha, acc[r][v]);
                }
            }
            // A vector type is W f32 lanes in memory order, so the array reads as MR rows of
            // NV * W floats.
            let base = scaled.as_ptr().cast::<f32>();
            let width = NV * S::W;
            for r in 0..out.rows {
                for j in 0..out.cols {
                    let x = *base.add(r * width + j);
                    let dst = out.c.add(r * out.row_stride + j * out.col_stride);
                    *dst = if out.beta == 0.0 {
                        x
                    } else {
                        S::mul_add_scalar(out.beta, *dst, x)
                    };
                }
            }
        }
    }
}
