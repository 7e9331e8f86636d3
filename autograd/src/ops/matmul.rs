//! Matrix product through the kernels' GEMM; the backward uses transposed strides, not copies.

use kernels::{MatMut, MatRef, gemm};

use crate::error::{AutogradError, Result};
use crate::op::Op;
use crate::tape::{Node, Tape, Var};
use crate::tape_backward::BackCtx;

/// Rows of the left operand: the product of all its dimensions but the last.
fn rows(n: &Node) -> usize {
    let d = n.shape.dims();
    d[..d.len() - 1].iter().product()
}

impl Tape {
    /// `a · b` with `a` of shape `[..., k]` (rank >= 2; leading dimensions act as rows, as in
    /// Keras' Dense on 3-D input) and `b` of shape `[k, n]`; the result is `[..., n]`.
    ///
    /// The derivative: `dA = G · Bᵀ`, `dB = Aᵀ · G` (G the output's gradient, flattened to
    /// rows), both accumulated with GEMM `beta = 1` on transposed strides.
    pub fn matmul(&mut self, a: Var, b: Var) -> Result<Var> {
        const OP: &str = "matmul";
        let (ia, ib) = (self.index(OP, a)?, self.index(OP, b)?);
        let (na, nb) = (self.nodes[ia as usize], self.nodes[ib as usize]);
        if na.shape.rank() < 2 {
            return Err(AutogradError::BadShape {
                op: OP,
                arg: "a",
                shape: na.shape,
                expected: "rank 2 or more ([rows, k] or [batch, time, k])",
            });
        }
        if nb.shape.rank() != 2 {
            return Err(AutogradError::BadShape {
                op: OP,
                arg: "b",
                shape: nb.shape,
                expected: "rank 2 ([k, n])",
            });
        }
        let k = na.shape.dim(na.shape.rank() - 1);
        if nb.shape.dim(0) != k {
            return Err(AutogradError::ShapeMismatch {
                op: OP,
                lhs: na.shape,
                rhs: nb.shape,
                expected: "a's last dimension equal to b's first ([..., k] · [k, n])",
            });
        }
        let (m, n) = (rows(&na), nb.shape.dim(1));
        let shape = na.shape.with_dim(na.shape.rank() - 1, n);
        let rg = na.requires_grad || nb.requires_grad;
        let off = self.push(shape, Op::MatMul { a: ia, b: ib }, rg);
        let (lo, hi) = self.values.split_at_mut(off);
        gemm(
            1.0,
            MatRef::row_major(&lo[na.range()], m, k)?,
            MatRef::row_major(&lo[nb.range()], k, n)?,
            0.0,
            MatMut::row_major(&mut hi[..m * n], m, n)?,
        )?;
        Ok(self.last_var())
    }
}

/// `dA += G · Bᵀ`, `dB += Aᵀ · G`.
pub(crate) fn backward(
    _node: &Node,
    a: u32,
    b: u32,
    g: &[f32],
    ctx: &mut BackCtx<'_>,
) -> Result<()> {
    let (na, nb) = (*ctx.node(a), *ctx.node(b));
    let (m, k, n) = (rows(&na), nb.shape.dim(0), nb.shape.dim(1));
    let values = ctx.values;
    let gm = MatRef::row_major(g, m, n)?;
    if let Some(ga) = ctx.grad_mut(a) {
        let bt = MatRef::row_major(&values[nb.range()], k, n)?.t();
        gemm(1.0, gm, bt, 1.0, MatMut::row_major(ga, m, k)?)?;
    }
    if let Some(gb) = ctx.grad_mut(b) {
        let at = MatRef::row_major(&values[na.range()], m, k)?.t();
        gemm(1.0, at, gm, 1.0, MatMut::row_major(gb, k, n)?)?;
    }
    Ok(())
}
