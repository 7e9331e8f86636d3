//! Sum and mean over all elements or over one axis.

use crate::error::{AutogradError, Result};
use crate::op::Op;
use crate::shape::Shape;
use crate::tape::{Tape, Var};
use crate::tape_backward::BackCtx;

impl Tape {
    /// Sum of all elements (a scalar). Derivative: 1 for every element.
    pub fn sum(&mut self, x: Var) -> Result<Var> {
        self.reduce_all("sum", x, false)
    }

    /// Mean of all elements (a scalar; NaN for an empty input). Derivative: `1/n`.
    pub fn mean(&mut self, x: Var) -> Result<Var> {
        self.reduce_all("mean", x, true)
    }

    /// Sum over `axis` (the axis is removed). Derivative: 1, broadcast back along the axis.
    pub fn sum_axis(&mut self, x: Var, axis: usize) -> Result<Var> {
        self.reduce_axis("sum_axis", x, axis, false)
    }

    /// Mean over `axis` (the axis is removed). Derivative: `1/n` along the axis.
    pub fn mean_axis(&mut self, x: Var, axis: usize) -> Result<Var> {
        self.reduce_axis("mean_axis", x, axis, true)
    }

    fn reduce_all(&mut self, op: &'static str, x: Var, mean: bool) -> Result<Var> {
        let ix = self.index(op, x)?;
        let nx = self.nodes[ix as usize];
        let opk = if mean {
            Op::MeanAll { x: ix }
        } else {
            Op::SumAll { x: ix }
        };
        let off = self.push(Shape::scalar(), opk, nx.requires_grad);
        let (lo, hi) = self.values.split_at_mut(off);
        let s: f32 = lo[nx.range()].iter().sum();
        hi[0] = if mean { s / nx.shape.numel() as f32 } else { s };
        Ok(self.last_var())
    }

    fn reduce_axis(&mut self, op: &'static str, x: Var, axis: usize, mean: bool) -> Result<Var> {
        let ix = self.index(op, x)?;
        let nx = self.nodes[ix as usize];
        if axis >= nx.shape.rank() {
            return Err(AutogradError::OutOfRange {
                op,
                arg: "axis",
                value: axis,
                bound: nx.shape.rank(),
                shape: nx.shape,
            });
        }
        let shape = nx.shape.without(axis);
        let opk = if mean {
            Op::MeanAxis {
                x: ix,
                axis: axis as u8,
            }
        } else {
            Op::SumAxis {
                x: ix,
                axis: axis as u8,
            }
        };
        let off = self.push(shape, opk, nx.requires_grad);
        let (lo, hi) = self.values.split_at_mut(off);
        let (src, dst) = (&lo[nx.range()], &mut hi[..shape.numel()]);
        let (outer, n, inner) = nx.shape.split_at_axis(axis);
        for o in 0..outer {
            let d = &mut dst[o * inner..(o + 1) * inner];
            for j in 0..n {
                let s = &src[(o * n + j) * inner..(o * n + j + 1) * inner];
                for (a, &v) in d.iter_mut().zip(s) {
                    *a += v;
                }
            }
            if mean {
                d.iter_mut().for_each(|a| *a /= n as f32);
            }
        }
        Ok(self.last_var())
    }
}

/// `dx[i] += g * scale` for every element.
pub(crate) fn backward_all(x: u32, scale: f32, g: &[f32], ctx: &mut BackCtx<'_>) {
    if let Some(gx) = ctx.grad_mut(x) {
        let v = g[0] * scale;
        gx.iter_mut().for_each(|d| *d += v);
    }
}

/// `dx[o, j, i] += g[o, i]` (times `1/n` for the mean).
pub(crate) fn backward_axis(x: u32, axis: usize, mean: bool, g: &[f32], ctx: &mut BackCtx<'_>) {
    let (outer, n, inner) = ctx.node(x).shape.split_at_axis(axis);
    let scale = if mean { 1.0 / n as f32 } else { 1.0 };
    let Some(gx) = ctx.grad_mut(x) else { return };
    for o in 0..outer {
        let src = &g[o * inner..(o + 1) * inner];
        for j in 0..n {
            let d = &mut gx[(o * n + j) * inner..(o * n + j + 1) * inner];
            for (a, &v) in d.iter_mut().zip(src) {
                *a += v * scale;
            }
        }
    }
}
