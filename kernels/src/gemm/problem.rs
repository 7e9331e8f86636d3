//! A validated GEMM as raw pointers and strides: what the kernels below the safe API work on.

use crate::matrix::{MatMut, MatRef};

/// A read-only strided operand: element `(i, j)` at `ptr[i * row_stride + j * col_stride]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct View {
    pub(crate) ptr: *const f32,
    pub(crate) row_stride: usize,
    pub(crate) col_stride: usize,
}

// SAFETY: a View only reads, and is shared only among the workers of one GEMM call while the
// slice it was made from is borrowed by that call.
unsafe impl Send for View {}
// SAFETY: as above.
unsafe impl Sync for View {}

impl View {
    /// The view starting at element `(i, j)` of this one.
    ///
    /// # Safety
    /// `(i, j)` is an element of the view (or the view is empty in that direction and the
    /// result is never read).
    #[inline(always)]
    pub(crate) unsafe fn at(self, i: usize, j: usize) -> View {
        View {
            // SAFETY: (i, j) is inside the view (caller contract).
            ptr: unsafe { self.ptr.add(i * self.row_stride + j * self.col_stride) },
            ..self
        }
    }

    /// The transpose (a stride swap).
    pub(crate) fn t(self) -> View {
        View {
            ptr: self.ptr,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }
}

/// `C[m,n] <- alpha * A[m,k] * B[k,n] + beta * C` with every operand a strided view.
///
/// Invariant (established by [`Problem::new`] from validated views, kept by the transforms): every
/// element `(i, p)` of A, `(p, j)` of B and `(i, j)` of C with `i < m`, `p < k`, `j < n` lies in
/// memory the call may access, C's elements are distinct, and C does not overlap A or B. Strides
/// of a dimension of size 1 are normalised to 1, since they are never multiplied by a nonzero
/// index; that lets a vector (`n == 1`) count as contiguous.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Problem {
    pub(crate) m: usize,
    pub(crate) k: usize,
    pub(crate) n: usize,
    pub(crate) a: View,
    pub(crate) b: View,
    pub(crate) c: *mut f32,
    pub(crate) c_row_stride: usize,
    pub(crate) c_col_stride: usize,
    pub(crate) alpha: f32,
    pub(crate) beta: f32,
}

// SAFETY: a Problem is only shared between the worker threads of one GEMM call, which read A and
// B and write disjoint tiles of C (see `blocked.rs`); the borrows it was made from outlive the call.
unsafe impl Send for Problem {}
// SAFETY: as above.
unsafe impl Sync for Problem {}

/// Stride used for a dimension: 1 when the dimension has a single index.
fn norm(dim: usize, stride: usize) -> usize {
    if dim <= 1 { 1 } else { stride }
}

impl Problem {
    /// From views whose shapes were checked to fit (`a: m x k`, `b: k x n`, `c: m x n`).
    ///
    /// Build it once and pass it by reference: a by-value copy of a just-built `Problem` (its
    /// fields written as 8-byte stores, reread as 16-byte vectors) stalled a 16 x 4 x 32 product
    /// on store forwarding.
    #[inline]
    pub(crate) fn new(
        alpha: f32,
        a: &MatRef<'_>,
        b: &MatRef<'_>,
        beta: f32,
        c: &mut MatMut<'_>,
    ) -> Problem {
        let (m, k, n) = (a.rows, a.cols, b.cols);
        Problem {
            m,
            k,
            n,
            a: View {
                ptr: a.data.as_ptr(),
                row_stride: norm(m, a.row_stride),
                col_stride: norm(k, a.col_stride),
            },
            b: View {
                ptr: b.data.as_ptr(),
                row_stride: norm(k, b.row_stride),
                col_stride: norm(n, b.col_stride),
            },
            c: c.data.as_mut_ptr(),
            c_row_stride: norm(m, c.row_stride),
            c_col_stride: norm(n, c.col_stride),
            alpha,
            beta,
        }
    }

    /// The same product transposed: `C^T <- alpha * B^T * A^T + beta * C^T`. Each element's sum
    /// has the same terms in the same order, and `a * b == b * a` exactly, so the bits match.
    pub(crate) fn transposed(self) -> Problem {
        Problem {
            m: self.n,
            k: self.k,
            n: self.m,
            a: self.b.t(),
            b: self.a.t(),
            c: self.c,
            c_row_stride: self.c_col_stride,
            c_col_stride: self.c_row_stride,
            alpha: self.alpha,
            beta: self.beta,
        }
    }
}
