//! The loss op: a Keras [`Loss`] of `y_pred` against `y_true`, reduced to a scalar as Keras'
//! default `sum_over_batch_size` does.

use crate::error::{AutogradError, Result};
use crate::loss::Loss;
use crate::op::Op;
use crate::shape::Shape;
use crate::tape::{Tape, Var};
use crate::tape_backward::BackCtx;

/// The shape both operands take after Keras' `squeeze_or_expand_to_same_rank`, or an error.
fn common_shape(t: Shape, p: Shape) -> Result<Shape> {
    if t == p {
        return Ok(p);
    }
    let (big, small) = if t.rank() > p.rank() { (t, p) } else { (p, t) };
    let r = big.rank();
    if r == small.rank() + 1 && big.dim(r - 1) == 1 && big.dims()[..r - 1] == *small.dims() {
        return Ok(big);
    }
    Err(AutogradError::ShapeMismatch {
        op: "loss",
        lhs: t,
        rhs: p,
        expected: "y_true and y_pred of the same shape, or one of them [..., 1] and the other \
                   the same without the trailing 1 (Keras expands y_true (N,) to (N, 1))",
    })
}

/// `(samples, per_sample)`: per-sample losses average the last axis; the reduction averages
/// the samples.
fn counts(s: Shape) -> (usize, usize) {
    let c = s.dims().last().copied().unwrap_or(1);
    let n = s.numel().checked_div(c).unwrap_or(0);
    (n, c)
}

impl Tape {
    /// The Keras loss of `y_pred` against `y_true` with reduction `sum_over_batch_size`: each
    /// sample's loss is the mean of the elementwise loss over the last axis, and the result is
    /// the sum of the sample losses divided by their count (0 for an empty batch). `y_true` of
    /// shape `(N,)` against `y_pred` `(N, 1)` is expanded to `(N, 1)`, never broadcast to
    /// `(N, N)`. `y_true` must be a constant.
    ///
    /// The derivative with respect to `y_pred` is `Loss::derivative / (C · N)` (C elements per
    /// sample, N samples).
    pub fn loss(&mut self, loss: Loss, y_true: Var, y_pred: Var) -> Result<Var> {
        const OP: &str = "loss";
        let (it, ip) = (self.index(OP, y_true)?, self.index(OP, y_pred)?);
        let (nt, np) = (self.nodes[it as usize], self.nodes[ip as usize]);
        let shape = common_shape(nt.shape, np.shape)?;
        if nt.requires_grad {
            return Err(AutogradError::Unsupported {
                op: OP,
                what: "a y_true that needs a gradient (targets are constants)",
            });
        }
        if let Loss::Huber { delta } = loss
            && !(delta > 0.0 && delta.is_finite())
        {
            return Err(AutogradError::InvalidArgument {
                op: OP,
                arg: "delta",
                value: delta as f64,
                expected: "a positive finite number",
            });
        }
        let opk = Op::Loss {
            pred: ip,
            target: it,
            loss,
        };
        let off = self.push(Shape::scalar(), opk, np.requires_grad);
        let (lo, hi) = self.values.split_at_mut(off);
        let (tv, pv) = (&lo[nt.range()], &lo[np.range()]);
        let (n, c) = counts(shape);
        let mut total = 0.0f32;
        for s in 0..n {
            let mut acc = 0.0f32;
            for j in s * c..(s + 1) * c {
                acc += loss.elementwise(pv[j], tv[j]);
            }
            total += acc / c as f32;
        }
        hi[0] = if n == 0 { 0.0 } else { total / n as f32 };
        Ok(self.last_var())
    }
}

pub(crate) fn backward(loss: Loss, pred: u32, target: u32, g: &[f32], ctx: &mut BackCtx<'_>) {
    let values = ctx.values;
    let (np, nt) = (*ctx.node(pred), *ctx.node(target));
    let shape = if np.shape.rank() >= nt.shape.rank() {
        np.shape
    } else {
        nt.shape
    };
    let (n, c) = counts(shape);
    if n == 0 {
        return;
    }
    let scale = g[0] / (c as f32 * n as f32);
    let (pv, tv) = (&values[np.range()], &values[nt.range()]);
    if let Some(gp) = ctx.grad_mut(pred) {
        for ((d, &p), &t) in gp.iter_mut().zip(pv).zip(tv) {
            *d += scale * loss.derivative(p, t);
        }
    }
}
