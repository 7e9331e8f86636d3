//! The reverse walk: seeds the output's gradient, then visits nodes from last to first and lets
//! each op add its inputs' gradient contributions (`+=`, so reused nodes sum all of them).

use super::{Node, Tape, Var};
use crate::error::{AutogradError, Result};
use crate::op::Op;
use crate::ops;

/// What one op's backward may touch: every value, the gradients of the nodes before it, the
/// side arenas and a scratch buffer.
pub(crate) struct BackCtx<'a> {
    pub nodes: &'a [Node],
    pub values: &'a [f32],
    /// Gradients of all nodes recorded before the current one (its inputs among them).
    pub lower: &'a mut [f32],
    pub touched: &'a mut [bool],
    pub links: &'a [u32],
    pub aux: &'a [f32],
    pub scratch: &'a mut Vec<f32>,
    /// Packed recurrent kernels (see `Tape::packed`).
    pub packed: &'a mut [kernels::PackedB; 2],
}

impl BackCtx<'_> {
    /// The node `i`.
    pub fn node(&self, i: u32) -> &Node {
        &self.nodes[i as usize]
    }

    /// The gradient accumulator of input `i`, or `None` if it needs no gradient. Marks it as
    /// reached so the walk visits it.
    pub fn grad_mut(&mut self, i: u32) -> Option<&mut [f32]> {
        let n = &self.nodes[i as usize];
        if !n.requires_grad {
            return None;
        }
        self.touched[i as usize] = true;
        Some(&mut self.lower[n.range()])
    }

    /// Whether input `i` needs a gradient.
    pub fn wants(&self, i: u32) -> bool {
        self.nodes[i as usize].requires_grad
    }
}

impl Tape {
    /// Reverse-mode differentiation of the one-element `loss`: afterwards [`Tape::grad`] gives
    /// d loss / d v for every `v` that needs a gradient.
    pub fn backward(&mut self, loss: Var) -> Result<()> {
        let n = *self.node("backward", loss)?;
        if n.shape.numel() != 1 {
            return Err(AutogradError::BadShape {
                op: "backward",
                arg: "loss",
                shape: n.shape,
                expected: "one element (use backward_with_seed for other outputs)",
            });
        }
        self.backward_with_seed(loss, &[1.0])
    }

    /// Reverse-mode differentiation of `sum(output * seed)`: `seed` has `output`'s element
    /// count and is the gradient flowing into `output`.
    pub fn backward_with_seed(&mut self, output: Var, seed: &[f32]) -> Result<()> {
        let idx = self.index("backward_with_seed", output)? as usize;
        let out = self.nodes[idx];
        if seed.len() != out.shape.numel() {
            return Err(AutogradError::DataLength {
                op: "backward_with_seed",
                dims: out.shape.dims().to_vec(),
                expected: out.shape.numel(),
                got: seed.len(),
            });
        }
        let end = out.range().end;
        self.grads.clear();
        // As the value arena (see `arena_alloc`): huge pages for a buffer of tens of MiB.
        kernels::memory::resize_with_huge_pages(&mut self.grads, end);
        self.touched.clear();
        self.touched.resize(idx + 1, false);
        self.has_grads = true;
        if !out.requires_grad {
            return Ok(());
        }
        self.grads[out.range()].copy_from_slice(seed);
        self.touched[idx] = true;

        for i in (0..=idx).rev() {
            let node = self.nodes[i];
            if !node.requires_grad || !self.touched[i] || matches!(node.op, Op::Leaf) {
                continue;
            }
            let (lower, upper) = self.grads.split_at_mut(node.offset);
            let g = &upper[..node.shape.numel()];
            let mut ctx = BackCtx {
                nodes: &self.nodes[..i],
                values: &self.values,
                lower,
                touched: &mut self.touched[..i],
                links: &self.links,
                aux: &self.aux,
                scratch: &mut self.scratch,
                packed: &mut self.packed,
            };
            dispatch(&node, g, &mut ctx)?;
        }
        Ok(())
    }
}

/// Calls the backward of the node's op family.
fn dispatch(node: &Node, g: &[f32], ctx: &mut BackCtx<'_>) -> Result<()> {
    match node.op {
        Op::Leaf => Ok(()),
        Op::MatMul { a, b } => ops::matmul::backward(node, a, b, g, ctx),
        Op::Binary { kind, a, b } => {
            ops::binary::backward(kind, a, b, g, ctx);
            Ok(())
        }
        Op::Unary { kind, x } => {
            ops::unary::backward(kind, x, node, g, ctx);
            Ok(())
        }
        Op::SumAll { x } => {
            ops::reduce::backward_all(x, 1.0, g, ctx);
            Ok(())
        }
        Op::MeanAll { x } => {
            let n = ctx.node(x).shape.numel().max(1) as f32;
            ops::reduce::backward_all(x, 1.0 / n, g, ctx);
            Ok(())
        }
        Op::SumAxis { x, axis } => {
            ops::reduce::backward_axis(x, axis as usize, false, g, ctx);
            Ok(())
        }
        Op::MeanAxis { x, axis } => {
            ops::reduce::backward_axis(x, axis as usize, true, g, ctx);
            Ok(())
        }
        Op::Reshape { x } => {
            ops::layout::backward_reshape(x, g, ctx);
            Ok(())
        }
        Op::Transpose { x } => {
            ops::layout::backward_transpose(x, g, ctx);
            Ok(())
        }
        Op::Slice { x, axis, start } => {
            ops::layout::backward_slice(x, axis as usize, start, node, g, ctx);
            Ok(())
        }
        Op::Select { x, axis, index } => {
            ops::layout::backward_select(x, axis as usize, index, g, ctx);
            Ok(())
        }
        Op::Stack { axis, first, count } => {
            ops::layout::backward_stack(axis as usize, first, count, g, ctx);
            Ok(())
        }
        Op::Concat { axis, first, count } => {
            ops::layout::backward_concat(axis as usize, first, count, node, g, ctx);
            Ok(())
        }
        Op::Activation { x, act } => {
            ops::activation_op::backward(act, x, node, g, ctx);
            Ok(())
        }
        Op::Loss { pred, target, loss } => {
            ops::loss_op::backward(loss, pred, target, g, ctx);
            Ok(())
        }
        Op::SimpleRnn(ref r) => ops::rnn::backward(r, node, g, ctx),
        Op::Lstm(ref r) => ops::lstm::backward(r, node, g, ctx),
        Op::Gru(ref r) => ops::gru::backward(r, node, g, ctx),
    }
}
