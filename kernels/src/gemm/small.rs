//! The small-product path: no packing, no threads, one pass over k in registers.
//!
//! An RNN step multiplies 16 x 32 by 32 x 32; at that size packing and thread dispatch cost more
//! than the arithmetic, so tiles read the operands where they are. The kernel needs one operand
//! contiguous along the output's vector dimension: B along n (row-major B), or else A along m
//! (column-major A, handled as the transposed product). When neither is, B (only `k x n`, against
//! `m * k * n` of work) is copied once into a reused row-major scratch block.

use super::isa::Isa;
use super::pack::copy_row_major;
use super::problem::{Problem, View};
use super::scratch::{SMALL_B, Scratch};

/// Runs `p` on the small path.
///
/// # Safety
/// The CPU supports `I`'s instruction set; `p` satisfies the [`Problem`] invariant with
/// `m, k, n >= 1`.
pub(crate) unsafe fn small<I: Isa>(p: &Problem) {
    let b_rows = p.b.col_stride == 1;
    let a_cols = p.a.row_stride == 1;
    // Vectorise along the dimension that fills vectors better when both layouts allow either.
    let prefer_m = a_cols && p.n < I::W && p.m > p.n;
    if b_rows && !prefer_m {
        // SAFETY: forwarded caller contract; B has unit column stride.
        unsafe { I::small(p) }
    } else if a_cols {
        // SAFETY: the transposed problem addresses the same elements; its B (A^T) has unit
        // column stride.
        unsafe { I::small(&p.transposed()) }
    } else {
        let mut scratch = Scratch::take(&SMALL_B, p.k * p.n);
        let buf = scratch.as_mut_slice();
        // SAFETY: `buf` holds at least k * n elements and is private to this call; B is valid for
        // k x n (Problem invariant).
        unsafe { copy_row_major(buf.as_mut_ptr(), p.b, p.k, p.n) };
        let q = Problem {
            b: View {
                ptr: buf.as_ptr(),
                row_stride: p.n,
                col_stride: 1,
            },
            ..*p
        };
        // SAFETY: q's B is the contiguous k x n copy, alive until `scratch` drops below.
        unsafe { I::small(&q) }
        drop(scratch);
    }
}
