//! `Shape`: up to [`MAX_RANK`] dimensions, stored inline so nodes never allocate for it.

use std::fmt;

use crate::error::{AutogradError, Result};

/// Largest number of dimensions a tensor may have (`[batch, time, features]` plus one spare).
pub const MAX_RANK: usize = 4;

/// The dimensions of a tensor (row-major; the last dimension is contiguous). Rank 0 is a scalar.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Shape {
    dims: [usize; MAX_RANK],
    rank: u8,
}

impl Shape {
    /// A shape from its dimensions. Fails above [`MAX_RANK`] dimensions or if the element count
    /// overflows `usize`.
    pub fn new(dims: &[usize]) -> Result<Shape> {
        Self::checked("shape", dims)
    }

    pub(crate) fn checked(op: &'static str, dims: &[usize]) -> Result<Shape> {
        if dims.len() > MAX_RANK {
            return Err(AutogradError::BadDims {
                op,
                dims: dims.to_vec(),
                reason: "more than MAX_RANK = 4 dimensions",
            });
        }
        dims.iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| AutogradError::BadDims {
                op,
                dims: dims.to_vec(),
                reason: "the element count overflows usize",
            })?;
        let mut s = Shape {
            dims: [0; MAX_RANK],
            rank: dims.len() as u8,
        };
        s.dims[..dims.len()].copy_from_slice(dims);
        Ok(s)
    }

    /// The rank-0 shape of a scalar (one element).
    pub const fn scalar() -> Shape {
        Shape {
            dims: [0; MAX_RANK],
            rank: 0,
        }
    }

    /// The dimensions.
    pub fn dims(&self) -> &[usize] {
        &self.dims[..self.rank as usize]
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.rank as usize
    }

    /// Number of elements (1 for a scalar).
    pub fn numel(&self) -> usize {
        // Checked against overflow when the shape was made.
        self.dims().iter().product()
    }

    /// Dimension `axis` (caller checks `axis < rank`).
    pub(crate) fn dim(&self, axis: usize) -> usize {
        self.dims[axis]
    }

    /// `(outer, n, inner)`: the products of the dimensions before, at and after `axis`.
    pub(crate) fn split_at_axis(&self, axis: usize) -> (usize, usize, usize) {
        let d = self.dims();
        let outer = d[..axis].iter().product();
        let inner = d[axis + 1..].iter().product();
        (outer, d[axis], inner)
    }

    /// This shape with dimension `axis` replaced by `n`.
    pub(crate) fn with_dim(mut self, axis: usize, n: usize) -> Shape {
        self.dims[axis] = n;
        self
    }

    /// This shape without dimension `axis`.
    pub(crate) fn without(self, axis: usize) -> Shape {
        let mut d = [0usize; MAX_RANK];
        let mut r = 0;
        for (i, &v) in self.dims().iter().enumerate() {
            if i != axis {
                d[r] = v;
                r += 1;
            }
        }
        Shape {
            dims: d,
            rank: r as u8,
        }
    }

    /// This shape with a new dimension `n` inserted at `axis` (caller checks rank < MAX_RANK).
    pub(crate) fn inserted(self, axis: usize, n: usize) -> Shape {
        let mut d = [0usize; MAX_RANK];
        let src = self.dims();
        d[..axis].copy_from_slice(&src[..axis]);
        d[axis] = n;
        d[axis + 1..src.len() + 1].copy_from_slice(&src[axis..]);
        Shape {
            dims: d,
            rank: self.rank + 1,
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.dims())
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Shape{:?}", self.dims())
    }
}
