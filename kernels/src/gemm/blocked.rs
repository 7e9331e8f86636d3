//! The packed (BLIS) path for products large enough that packing pays, with rayon threads.
//!
//! Loop nest, outermost first: `jc` over n by NC (times the thread count), `pc` over k by KC
//! (never split across threads: each C element sums its k blocks in the same order whatever
//! the thread count, so results are bit-identical), `ic` over m by MC (A read in place, or packed
//! into a thread-local buffer: strip by strip with A's strip in L1, else block by block), then
//! the macro-kernel's `jr`/`ir` loops over NR- and MR-wide micro-panels.
//!
//! A `KC x NC` block of row-major B is packed by the tiles of the first A micro-panel, which read
//! B in place and store each row as they use it: the copy rides along with the arithmetic instead
//! of costing a pass of its own (5% of a 256-cube before). A B too large to be in cache
//! ([`Blocking::pack_b_first`]) and other layouts are packed into panels first.
//!
//! Threads split each block of C's columns into NR-aligned column ranges, one per worker (NC
//! columns each): a worker packs its own B panels and multiplies them by all of A, so a block
//! costs one fork-join and B never crosses cores. When the panels cannot be shared out evenly
//! (narrow n), B is packed first and the workers split C's rows instead. A tile's arithmetic
//! does not depend on which rectangle or thread computes it, so the split may follow the thread
//! count freely; only KC, which fixes the order of summation, must not.
//!
//! B may also come packed beforehand ([`super::prepacked::PackedB`], for a kernel that many
//! products share); then nothing is packed here.

use rayon::prelude::*;

use super::isa::{Blocking, Isa, LoopOrder, MacroA, MacroTile};
use super::pack::{pack_a, pack_b};
use super::problem::{Problem, View};
use super::scratch::{PACK_A, PACK_B, Scratch};

/// A pointer that may cross to rayon workers (each writes a disjoint part of what it points to).
#[derive(Clone, Copy)]
struct SharedMut(*mut f32);
// SAFETY: used only to hand disjoint regions of one buffer to workers of one call (see users).
unsafe impl Send for SharedMut {}
// SAFETY: as above.
unsafe impl Sync for SharedMut {}

impl SharedMut {
    /// The pointer (a method, so closures capture the whole Sync wrapper, not the raw field).
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// B packed beforehand ([`super::prepacked::PackedB`]): the passes over k one after the other,
/// each `panels` NR-wide panels of its depth.
#[derive(Clone, Copy)]
pub(crate) struct Prepacked {
    pub(crate) ptr: *const f32,
    pub(crate) panels: usize,
}

// SAFETY: the panels are only read, by the workers of one call, while the PackedB they point
// into is borrowed by that call.
unsafe impl Send for Prepacked {}
// SAFETY: as above.
unsafe impl Sync for Prepacked {}

/// Rounds `x` up to a multiple of `to` (`to >= 1`).
fn round_up(x: usize, to: usize) -> usize {
    x.div_ceil(to) * to
}

/// Runs `p` on the packed path with `threads` workers (1: on the calling thread, no rayon). With
/// more, the caller must be inside the rayon pool that should do the work. With `pre`, B's
/// panels are read from there and `p.b` is never read.
///
/// # Safety
/// The CPU supports `I`'s instruction set; `p` satisfies the [`Problem`] invariant with
/// `m, k, n >= 1`; `pre`, if given, holds `p.k` rows of `ceil(p.n / NR)` panels packed with
/// `I::NR` in passes of `blocking.kc`, and nothing writes it during the call.
pub(crate) unsafe fn blocked<I: Isa>(
    p: &Problem,
    blocking: Blocking,
    threads: usize,
    pre: Option<Prepacked>,
) {
    let kc = blocking.kc.max(1);
    let mc = round_up(blocking.mc.max(1), I::MR);
    // NC sizes one worker's share of a packed B block (it stays in that core's L2), so a block
    // is `threads` shares wide: on a column split each worker then reuses every A element it
    // streams as often as a single thread does.
    let nc = round_up(blocking.nc.max(1), I::NR) * threads.max(1);
    let nc_used = nc.min(round_up(p.n, I::NR));
    let kc_used = kc.min(p.k);
    let scratch_len = if pre.is_some() { 0 } else { kc_used * nc_used };
    let mut b_scratch = Scratch::take(&PACK_B, scratch_len);
    let scratch_buf = SharedMut(b_scratch.as_mut_slice().as_mut_ptr());

    let mut jc = 0;
    while jc < p.n {
        let cols = nc.min(p.n - jc);
        let b_panels = cols.div_ceil(I::NR);
        let mut pc = 0;
        while pc < p.k {
            let depth = kc.min(p.k - pc);
            let beta = if pc == 0 { p.beta } else { 1.0 };
            // SAFETY: (pc, jc) is inside B (Problem invariant).
            let b_block = unsafe { p.b.at(pc, jc) };
            // SAFETY: (0, pc) is inside A and (0, jc) inside C (Problem invariant).
            let (a_block, c_block) =
                unsafe { (p.a.at(0, pc), SharedMut(p.c.add(jc * p.c_col_stride))) };
            // Row-major B (unit column stride) is packed by the first A micro-panel's tiles as
            // they compute; other layouts are gathered into panels beforehand; prepacked B is
            // not packed at all.
            let fuse = b_block.col_stride == 1 && pre.is_none() && !blocking.pack_b_first;
            let packs = pre.is_none() && !fuse;
            let b_buf = match pre {
                // SAFETY: the block's panels start there (layout in `prepacked.rs`); only read.
                Some(pp) => {
                    SharedMut(unsafe { pp.ptr.add(pc * pp.panels * I::NR + jc * depth).cast_mut() })
                }
                None => scratch_buf,
            };
            let block = Block {
                depth,
                cols,
                a: a_block,
                b_packed: b_buf,
                b_src: b_block,
                c: c_block,
                beta,
                mc,
                order: blocking.order,
                pack_a: blocking.pack_a,
                short_tiles: blocking.short_tiles,
            };
            if threads <= 1 {
                if packs {
                    pack_b_block::<I>(b_buf, b_block, depth, cols, b_panels, 1);
                }
                // SAFETY: forwarded contract; the whole block belongs to this thread.
                unsafe { block.run::<I>(p, 0, p.m, 0, cols, fuse) };
            } else if let Some(per_chunk) = column_split(b_panels, p.m.div_ceil(I::MR), threads) {
                // Each worker packs its own B panels and multiplies them by all of A: one
                // fork-join per block, no wait for other workers' packing, and the panels stay
                // in the cache of the core that packed them.
                let chunks = b_panels.div_ceil(per_chunk);
                (0..chunks).into_par_iter().for_each(|chunk| {
                    let j0 = chunk * per_chunk * I::NR;
                    let cs = (per_chunk * I::NR).min(cols - j0);
                    // SAFETY: chunk `chunk` alone writes panels chunk*per_chunk.. of the packed
                    // buffer (disjoint ranges, sized for b_panels panels in `blocked`) and
                    // columns j0..j0+cs of C; it reads only the panels it packs itself (or
                    // prepacked ones, which nobody writes).
                    unsafe {
                        if packs {
                            pack_b_panels::<I>(b_buf, b_block, depth, j0, cs);
                        }
                        block.run::<I>(p, 0, p.m, j0, cs, fuse);
                    }
                });
            } else {
                if pre.is_none() {
                    pack_b_block::<I>(b_buf, b_block, depth, cols, b_panels, threads);
                }
                let (row_chunk, col_chunk) = split::<I>(p.m, cols, mc, threads);
                let m_chunks = p.m.div_ceil(row_chunk);
                let n_chunks = cols.div_ceil(col_chunk);
                (0..m_chunks * n_chunks).into_par_iter().for_each(|item| {
                    let i0 = (item / n_chunks) * row_chunk;
                    let j0 = (item % n_chunks) * col_chunk;
                    let rows = row_chunk.min(p.m - i0);
                    let cs = col_chunk.min(cols - j0);
                    // SAFETY: items cover disjoint rectangles of C (distinct (i0, j0) on the
                    // chunk grid), so no two workers write one element; B's packed block is
                    // complete (packed before this loop) and only read.
                    unsafe { block.run::<I>(p, i0, rows, j0, cs, false) };
                });
            }
            pc += kc;
        }
        jc += nc;
    }
    drop(b_scratch);
}

/// Packs `b_block` (`depth x cols`) into `b_panels` NR-wide panels at `dst`, split across threads.
fn pack_b_block<I: Isa>(
    dst: SharedMut,
    b_block: View,
    depth: usize,
    cols: usize,
    b_panels: usize,
    threads: usize,
) {
    let per_chunk = if threads <= 1 {
        b_panels
    } else {
        b_panels.div_ceil(threads)
    };
    let chunks = b_panels.div_ceil(per_chunk);
    let pack_chunk = |chunk: usize| {
        let j0 = chunk * per_chunk * I::NR;
        let width = (per_chunk * I::NR).min(cols - j0);
        // SAFETY: chunk `chunk` owns panels chunk*per_chunk.. of the buffer (sized for b_panels
        // panels of depth x NR in `blocked`); its columns j0..j0+width lie inside the block.
        unsafe { pack_b_panels::<I>(dst, b_block, depth, j0, width) };
    };
    if chunks <= 1 {
        pack_chunk(0);
    } else {
        (0..chunks).into_par_iter().for_each(pack_chunk);
    }
}

/// Packs columns `j0..j0+width` (`j0` a multiple of NR) of `b_block` (`depth` rows) into the
/// NR-wide panels of the packed block at `dst` that hold those columns.
///
/// # Safety
/// `dst` holds at least `ceil((j0 + width) / NR)` panels of `depth x NR`, and no one else reads
/// or writes those from `j0 / NR` on during the call; the columns lie inside `b_block`.
unsafe fn pack_b_panels<I: Isa>(
    dst: SharedMut,
    b_block: View,
    depth: usize,
    j0: usize,
    width: usize,
) {
    // SAFETY: forwarded contract: panel j0 / NR starts at element j0 * depth of the buffer.
    unsafe {
        pack_b(
            dst.get().add(j0 * depth),
            b_block.at(0, j0),
            depth,
            width,
            I::NR,
        )
    };
}

/// Panels per worker when the workers should split a block by columns (each packing and
/// computing its own B panels), or `None` when a split by rows balances better. `m_tiles` is
/// the number of MR-tall row tiles.
///
/// A column split whose busiest worker has at most 1/8 more panels than an even share is taken
/// (it saves a barrier and cross-core traffic), as is any column split at least as balanced as
/// the row split.
fn column_split(b_panels: usize, m_tiles: usize, threads: usize) -> Option<usize> {
    if b_panels < threads {
        return None;
    }
    let per_chunk = b_panels.div_ceil(threads);
    // Excess of the busiest worker over an even share, scaled by `threads` to stay integral:
    // `busiest * threads - total` against `total / 8`.
    let col_excess = per_chunk * threads - b_panels;
    let row_excess = m_tiles.div_ceil(threads) * threads - m_tiles;
    let col_ok = col_excess * 8 <= b_panels || col_excess * m_tiles <= row_excess * b_panels;
    col_ok.then_some(per_chunk)
}

/// Chunk sizes (rows, columns) of the per-thread rectangles: rows in multiples of MR and at most
/// MC, a multiple of `threads` chunks where m allows; columns split (in multiples of NR) only when
/// m alone cannot feed every thread.
fn split<I: Isa>(m: usize, cols: usize, mc: usize, threads: usize) -> (usize, usize) {
    let m_tiles = m.div_ceil(I::MR);
    let m_chunks = round_up(m.div_ceil(mc), threads).min(m_tiles);
    let row_chunk = round_up(m.div_ceil(m_chunks), I::MR);
    let m_chunks = m.div_ceil(row_chunk);
    let n_tiles = cols.div_ceil(I::NR);
    let n_chunks = threads.div_ceil(m_chunks).min(n_tiles).max(1);
    let col_chunk = round_up(cols.div_ceil(n_chunks), I::NR);
    (row_chunk, col_chunk)
}

/// One (jc, pc) step: the packed B block and where A and C start for it.
#[derive(Clone, Copy)]
struct Block {
    depth: usize,
    cols: usize,
    a: View,
    b_packed: SharedMut,
    /// B's block in place (to pack from while computing, when `run` is asked to).
    b_src: View,
    c: SharedMut,
    beta: f32,
    mc: usize,
    order: LoopOrder,
    pack_a: bool,
    short_tiles: bool,
}

// SAFETY: a Block is shared only among the workers of one call: they read A and the packed B and
// write disjoint rectangles of C (see `blocked`).
unsafe impl Sync for Block {}
// SAFETY: as above.
unsafe impl Send for Block {}

impl Block {
    /// Rows `i0..i0+rows`, columns `j0..j0+cols` (tile aligned) of this block of C. With
    /// `pack_b`, the B panels of these columns are packed by the first A micro-panel's tiles
    /// (`b_src` has unit column stride); else they are packed already.
    ///
    /// # Safety
    /// As for [`blocked`]; the rectangle is inside the block and written by no one else now, and
    /// so are the B panels of its columns when `pack_b`.
    unsafe fn run<I: Isa>(
        &self,
        p: &Problem,
        i0: usize,
        rows: usize,
        j0: usize,
        cols: usize,
        pack_b: bool,
    ) {
        // With A's strip outside in the micro-panel loops, A is packed one strip at a time (see
        // `MacroA::Strips`); in the other order the whole MC block is packed first.
        let strips = self.pack_a && self.order == LoopOrder::APanelInL1;
        let a_len = if strips {
            I::MR * self.depth
        } else if self.pack_a {
            self.mc.min(round_up(rows, I::MR)) * self.depth
        } else {
            0
        };
        let mut a_scratch = Scratch::take(&PACK_A, a_len);
        let a_buf = a_scratch.as_mut_slice().as_mut_ptr();
        let mut ic = i0;
        while ic < i0 + rows {
            let mrows = self.mc.min(i0 + rows - ic);
            // SAFETY: rows ic..ic+mrows and depth 0..depth exist in A; the scratch holds
            // ceil(mrows / MR) panels when packing a block, one when packing strips; C's rectangle is this caller's; the B panels
            // from j0 on were packed for `self.cols` columns.
            unsafe {
                let a_src = self.a.at(ic, 0);
                let a = if strips {
                    MacroA::Strips {
                        src: a_src,
                        buf: a_buf,
                    }
                } else if self.pack_a {
                    pack_a(a_buf, a_src, mrows, self.depth, I::MR);
                    MacroA::Packed(a_buf)
                } else {
                    MacroA::InPlace(a_src)
                };
                I::macro_kernel(&MacroTile {
                    kc: self.depth,
                    rows: mrows,
                    cols,
                    a,
                    b: self.b_packed.get().add(j0 * self.depth),
                    // Only the first A block packs; the later ones read its panels.
                    b_src: (pack_b && ic == i0).then(|| self.b_src.at(0, j0)),
                    c: self.c.get().add(ic * p.c_row_stride + j0 * p.c_col_stride),
                    c_row_stride: p.c_row_stride,
                    c_col_stride: p.c_col_stride,
                    alpha: p.alpha,
                    beta: self.beta,
                    order: self.order,
                    short_tiles: self.short_tiles,
                });
            }
            ic += self.mc;
        }
        debug_assert!(j0 + cols <= self.cols);
        drop(a_scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::column_split;

    #[test]
    fn column_split_only_when_it_balances() {
        // 512 columns of 32-wide panels on 2 workers: 8 panels each.
        assert_eq!(column_split(16, 43, 2), Some(8));
        // Fewer panels than workers: rows.
        assert_eq!(column_split(1, 100, 2), None);
        // 3 panels on 2 workers (2 vs 1) against evenly split rows: rows.
        assert_eq!(column_split(3, 100, 2), None);
        // ... unless the rows split no better (one row tile).
        assert_eq!(column_split(3, 1, 2), Some(2));
        // 17 panels on 2 workers: 9 vs 8 is within 1/8 of even.
        assert_eq!(column_split(17, 43, 2), Some(9));
    }
}
