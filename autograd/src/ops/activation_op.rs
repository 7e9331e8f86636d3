//! The activation op: a Keras [`Activation`] applied to a tensor (softmax over the last axis).

use crate::activation::Activation;
use crate::error::Result;
use crate::op::Op;
use crate::tape::{Node, Tape, Var};
use crate::tape_backward::BackCtx;

/// Length of the rows softmax works on: the last dimension (1 for a scalar).
fn row_len(node: &Node) -> usize {
    let d = node.shape.dims();
    d.last().copied().unwrap_or(1)
}

impl Tape {
    /// `act(x)` elementwise (softmax: over the last axis). The derivative of each activation
    /// is documented on [`Activation`]; backward multiplies it into the incoming gradient.
    pub fn activation(&mut self, x: Var, act: Activation) -> Result<Var> {
        let ix = self.index("activation", x)?;
        let nx = self.nodes[ix as usize];
        let off = self.push(nx.shape, Op::Activation { x: ix, act }, nx.requires_grad);
        let (lo, hi) = self.values.split_at_mut(off);
        let n = nx.shape.numel();
        let out = &mut hi[..n];
        out.copy_from_slice(&lo[nx.range()]);
        let row = row_len(&nx);
        if act.is_row_wise() {
            if row > 0 {
                out.chunks_exact_mut(row).for_each(|r| act.apply_row(r));
            }
        } else {
            act.apply_row(out);
        }
        Ok(self.last_var())
    }
}

pub(crate) fn backward(act: Activation, x: u32, node: &Node, g: &[f32], ctx: &mut BackCtx<'_>) {
    let values = ctx.values;
    let xv = &values[ctx.node(x).range()];
    let yv = &values[node.range()];
    let row = row_len(node);
    let Some(gx) = ctx.grad_mut(x) else { return };
    if act.is_row_wise() {
        if row == 0 {
            return;
        }
        for (((xr, yr), gr), dr) in xv
            .chunks_exact(row)
            .zip(yv.chunks_exact(row))
            .zip(g.chunks_exact(row))
            .zip(gx.chunks_exact_mut(row))
        {
            act.backward_row(xr, yr, gr, dr, true);
        }
    } else {
        act.backward_row(xv, yv, g, gx, true);
    }
}
