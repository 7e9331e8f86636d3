//! Packing: copies of A and B blocks into the panel layouts the micro-kernel streams.
//!
//! A block of A (`rows x kc`) becomes `ceil(rows / mr)` panels, each `kc` steps of `mr`
//! consecutive rows (`panel[p * mr + r]`); a block of B (`kc x cols`) becomes `ceil(cols / nr)`
//! panels, each `kc` rows of `nr` consecutive columns (`panel[p * nr + j]`). The last panel is
//! zero padded, so the kernel always runs full tiles and edges cost only the padding.
//! Unit-stride sources get contiguous copies; others a strided gather.

use super::problem::View;

/// Packs rows `0..rows` and depth `0..kc` of `a` into `mr`-tall panels at `dst`.
///
/// # Safety
/// `a` is valid for `rows x kc` elements; `dst` is valid for `ceil(rows / mr) * mr * kc` writes
/// and does not overlap `a`.
pub(crate) unsafe fn pack_a(dst: *mut f32, a: View, rows: usize, kc: usize, mr: usize) {
    // SAFETY (whole body): reads stay within rows x kc of `a`, writes within the panels of `dst`
    // (caller contract); every index below is bounded by those sizes.
    unsafe {
        let mut r0 = 0;
        let mut d = dst;
        while r0 < rows {
            let live = mr.min(rows - r0);
            let src = a.ptr.add(r0 * a.row_stride);
            if live == mr && a.row_stride == 1 {
                // Column-major A (a transposed operand): each depth step is `mr` contiguous
                // floats. A copy of a length known at compile time is a few vector moves; with
                // `mr` known only at run time every step was a call to memmove (5% of a
                // SimpleRNN(256) cell's fwd+bwd went to those calls).
                match mr {
                    12 => copy_steps::<12>(d, src, a.col_stride, kc),
                    8 => copy_steps::<8>(d, src, a.col_stride, kc),
                    6 => copy_steps::<6>(d, src, a.col_stride, kc),
                    4 => copy_steps::<4>(d, src, a.col_stride, kc),
                    _ => {
                        for p in 0..kc {
                            std::ptr::copy_nonoverlapping(
                                src.add(p * a.col_stride),
                                d.add(p * mr),
                                mr,
                            );
                        }
                    }
                }
            } else if live == mr && a.col_stride == 1 {
                // Row-major A: read each row contiguously, scatter with stride `mr`.
                for r in 0..mr {
                    let row = src.add(r * a.row_stride);
                    for p in 0..kc {
                        *d.add(p * mr + r) = *row.add(p);
                    }
                }
            } else {
                for p in 0..kc {
                    for r in 0..mr {
                        *d.add(p * mr + r) = if r < live {
                            *src.add(r * a.row_stride + p * a.col_stride)
                        } else {
                            0.0
                        };
                    }
                }
            }
            r0 += mr;
            d = d.add(mr * kc);
        }
    }
}

/// Copies `kc` steps of `MR` contiguous floats, step `p` from `src + p * stride` to
/// `dst + p * MR`.
///
/// # Safety
/// `src` is valid for those `kc` reads of `MR`, `dst` for `kc * MR` writes, not overlapping.
#[inline(always)]
unsafe fn copy_steps<const MR: usize>(dst: *mut f32, src: *const f32, stride: usize, kc: usize) {
    for p in 0..kc {
        // SAFETY: step p < kc of the source and of the destination (caller contract); the
        // unaligned read and write of an [f32; MR] touch exactly those MR floats.
        unsafe {
            let v = src.add(p * stride).cast::<[f32; MR]>().read_unaligned();
            dst.add(p * MR).cast::<[f32; MR]>().write_unaligned(v);
        }
    }
}

/// Copies `N` floats from `src` to `dst`.
///
/// # Safety
/// `src` is valid for `N` reads, `dst` for `N` writes, not overlapping.
#[inline(always)]
unsafe fn copy_run<const N: usize>(dst: *mut f32, src: *const f32) {
    // SAFETY: caller contract; unaligned accesses of exactly N floats.
    unsafe {
        let v = src.cast::<[f32; N]>().read_unaligned();
        dst.cast::<[f32; N]>().write_unaligned(v);
    }
}

/// Packs depth `0..kc` and columns `0..cols` of `b` into `nr`-wide panels at `dst`.
///
/// # Safety
/// `b` is valid for `kc x cols` elements; `dst` is valid for `ceil(cols / nr) * nr * kc` writes
/// and does not overlap `b`.
pub(crate) unsafe fn pack_b(dst: *mut f32, b: View, kc: usize, cols: usize, nr: usize) {
    // SAFETY (whole body): reads stay within kc x cols of `b`, writes within the panels of `dst`
    // (caller contract).
    unsafe {
        if b.col_stride == 1 {
            // Row-major B: row by row, each row front to back into every panel (`live`
            // contiguous floats each, then padding). Panel by panel would read `nr` floats of
            // every row a row stride apart, which from memory keeps the prefetchers from
            // streaming (see `model::packs_b_first`).
            let panels = cols.div_ceil(nr);
            for p in 0..kc {
                let row = b.ptr.add(p * b.row_stride);
                for jp in 0..panels {
                    let j0 = jp * nr;
                    let live = nr.min(cols - j0);
                    let out = dst.add(jp * nr * kc + p * nr);
                    // A copy of a length known at compile time is a few vector moves (see
                    // `pack_a`); the families' panel widths get one.
                    match live {
                        32 => copy_run::<32>(out, row.add(j0)),
                        16 => copy_run::<16>(out, row.add(j0)),
                        8 => copy_run::<8>(out, row.add(j0)),
                        _ => std::ptr::copy_nonoverlapping(row.add(j0), out, live),
                    }
                    for j in live..nr {
                        *out.add(j) = 0.0;
                    }
                }
            }
            return;
        }
        let mut j0 = 0;
        let mut d = dst;
        while j0 < cols {
            let live = nr.min(cols - j0);
            let src = b.ptr.add(j0 * b.col_stride);
            if live == nr && b.row_stride == 1 {
                // Column-major B: read each column contiguously, scatter with stride `nr`.
                for j in 0..nr {
                    let col = src.add(j * b.col_stride);
                    for p in 0..kc {
                        *d.add(p * nr + j) = *col.add(p);
                    }
                }
            } else {
                for p in 0..kc {
                    for j in 0..nr {
                        *d.add(p * nr + j) = if j < live {
                            *src.add(p * b.row_stride + j * b.col_stride)
                        } else {
                            0.0
                        };
                    }
                }
            }
            j0 += nr;
            d = d.add(nr * kc);
        }
    }
}

/// Packs a `rows x cols` view into a contiguous row-major block at `dst` (row stride `cols`).
///
/// # Safety
/// `src` is valid for `rows x cols` elements; `dst` for `rows * cols` writes, not overlapping.
pub(crate) unsafe fn copy_row_major(dst: *mut f32, src: View, rows: usize, cols: usize) {
    // SAFETY: indices are bounded by rows x cols on both sides (caller contract).
    unsafe {
        if src.row_stride == 1 {
            // Column-major source: walk it contiguously, scatter by rows.
            for j in 0..cols {
                let col = src.ptr.add(j * src.col_stride);
                for i in 0..rows {
                    *dst.add(i * cols + j) = *col.add(i);
                }
            }
        } else {
            for i in 0..rows {
                for j in 0..cols {
                    *dst.add(i * cols + j) = *src.ptr.add(i * src.row_stride + j * src.col_stride);
                }
            }
        }
    }
}
