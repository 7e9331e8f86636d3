//! Strided matrix views: the operands of [`crate::gemm`].
//!
//! A view is a slice plus a shape and a row and column stride (in elements), so a transpose is a
//! stride swap and a sub-matrix is a sub-slice; neither needs a copy. Views are validated when
//! they are made: every element they address lies inside the slice.

use crate::error::KernelError;

/// Number of elements a `rows x cols` view with the given strides needs: one past its largest
/// index, or 0 for an empty view.
fn needed_len(
    operand: &'static str,
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
) -> Result<usize, KernelError> {
    if rows == 0 || cols == 0 {
        return Ok(0);
    }
    let overflow = || KernelError::StrideOverflow {
        operand,
        shape: [rows, cols],
        strides: [row_stride, col_stride],
    };
    let last_row = (rows - 1).checked_mul(row_stride).ok_or_else(overflow)?;
    let last_col = (cols - 1).checked_mul(col_stride).ok_or_else(overflow)?;
    last_row
        .checked_add(last_col)
        .and_then(|v| v.checked_add(1))
        .ok_or_else(overflow)
}

/// A read-only `rows x cols` f32 matrix: element `(i, j)` is `data[i * row_stride + j * col_stride]`.
///
/// Strides may be zero (a broadcast row or column) and need not be contiguous.
#[derive(Debug, Clone, Copy)]
pub struct MatRef<'a> {
    pub(crate) data: &'a [f32],
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) row_stride: usize,
    pub(crate) col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// A view with explicit strides (in elements). Fails if the slice is too short.
    pub fn new(
        data: &'a [f32],
        rows: usize,
        cols: usize,
        row_stride: usize,
        col_stride: usize,
    ) -> Result<Self, KernelError> {
        Self::named("A", data, rows, cols, row_stride, col_stride)
    }

    /// Like [`MatRef::new`], with the operand name used in error messages.
    pub fn named(
        operand: &'static str,
        data: &'a [f32],
        rows: usize,
        cols: usize,
        row_stride: usize,
        col_stride: usize,
    ) -> Result<Self, KernelError> {
        let needed = needed_len(operand, rows, cols, row_stride, col_stride)?;
        if data.len() < needed {
            return Err(KernelError::SliceTooShort {
                operand,
                shape: [rows, cols],
                strides: [row_stride, col_stride],
                needed,
                len: data.len(),
            });
        }
        Ok(MatRef {
            data,
            rows,
            cols,
            row_stride,
            col_stride,
        })
    }

    /// A contiguous row-major view (`row_stride = cols`, `col_stride = 1`).
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Result<Self, KernelError> {
        Self::new(data, rows, cols, cols, 1)
    }

    /// The transpose: the same memory with rows and columns swapped. Never copies.
    pub fn t(self) -> Self {
        MatRef {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `[row_stride, col_stride]` in elements.
    pub fn strides(&self) -> [usize; 2] {
        [self.row_stride, self.col_stride]
    }

    /// Element `(i, j)`. Panics if out of bounds (callers index within `rows x cols`).
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f32 {
        assert!(
            i < self.rows && j < self.cols,
            "MatRef::get({i}, {j}) outside {}x{}",
            self.rows,
            self.cols
        );
        self.data[i * self.row_stride + j * self.col_stride]
    }
}

/// A writable `rows x cols` f32 matrix: element `(i, j)` is `data[i * row_stride + j * col_stride]`.
///
/// Unlike [`MatRef`], distinct elements must not share a location (validated on construction).
#[derive(Debug)]
pub struct MatMut<'a> {
    pub(crate) data: &'a mut [f32],
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) row_stride: usize,
    pub(crate) col_stride: usize,
}

impl<'a> MatMut<'a> {
    /// A writable view with explicit strides. Fails if the slice is too short or the strides make
    /// two elements alias.
    pub fn new(
        data: &'a mut [f32],
        rows: usize,
        cols: usize,
        row_stride: usize,
        col_stride: usize,
    ) -> Result<Self, KernelError> {
        MatRef::named("C", data, rows, cols, row_stride, col_stride)?;
        if rows == 0 || cols == 0 {
            // No elements, so nothing can alias (a row-major 2 x 0 view has row stride 0).
        } else if rows > 1 && cols > 1 {
            // Non-overlap: the smaller stride must be at least 1 and the larger must step over a
            // whole run of the smaller dimension.
            let (small, small_dim, large) = if row_stride <= col_stride {
                (row_stride, rows, col_stride)
            } else {
                (col_stride, cols, row_stride)
            };
            // small * small_dim cannot overflow: needed_len checked (dim-1)*stride and the slice
            // holds it; one more stride step is at most the slice length plus a stride.
            if small == 0 || large < small.saturating_mul(small_dim) {
                return Err(KernelError::AliasingOutput {
                    shape: [rows, cols],
                    strides: [row_stride, col_stride],
                });
            }
        } else if (rows > 1 && row_stride == 0) || (cols > 1 && col_stride == 0) {
            return Err(KernelError::AliasingOutput {
                shape: [rows, cols],
                strides: [row_stride, col_stride],
            });
        }
        Ok(MatMut {
            data,
            rows,
            cols,
            row_stride,
            col_stride,
        })
    }

    /// A contiguous row-major writable view.
    pub fn row_major(data: &'a mut [f32], rows: usize, cols: usize) -> Result<Self, KernelError> {
        Self::new(data, rows, cols, cols, 1)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `[row_stride, col_stride]` in elements.
    pub fn strides(&self) -> [usize; 2] {
        [self.row_stride, self.col_stride]
    }

    /// A read-only view of the same elements.
    pub fn as_ref(&self) -> MatRef<'_> {
        MatRef {
            data: self.data,
            rows: self.rows,
            cols: self.cols,
            row_stride: self.row_stride,
            col_stride: self.col_stride,
        }
    }
}
