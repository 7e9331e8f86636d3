//! Elementwise unary ops: neg, scale, square, sqrt, abs, exp, log.

use crate::error::Result;
use crate::op::{Op, UnaryKind};
use crate::tape::{Node, Tape, Var};
use crate::tape_backward::BackCtx;

impl Tape {
    /// `-x`. Derivative: -1.
    pub fn neg(&mut self, x: Var) -> Result<Var> {
        self.unary("neg", UnaryKind::Neg, x)
    }

    /// `c * x` for a constant `c`. Derivative: `c`.
    pub fn scale(&mut self, x: Var, c: f32) -> Result<Var> {
        self.unary("scale", UnaryKind::Scale(c), x)
    }

    /// `x²`. Derivative: `2x`.
    pub fn square(&mut self, x: Var) -> Result<Var> {
        self.unary("square", UnaryKind::Square, x)
    }

    /// `√x` (NaN below 0). Derivative: `1 / (2√x)`, taken from the output.
    pub fn sqrt(&mut self, x: Var) -> Result<Var> {
        self.unary("sqrt", UnaryKind::Sqrt, x)
    }

    /// `|x|`. Derivative: `sign(x)`, with 0 at `x = 0` (as TensorFlow).
    pub fn abs(&mut self, x: Var) -> Result<Var> {
        self.unary("abs", UnaryKind::Abs, x)
    }

    /// `eˣ`. Derivative: `eˣ`, taken from the output.
    pub fn exp(&mut self, x: Var) -> Result<Var> {
        self.unary("exp", UnaryKind::Exp, x)
    }

    /// `ln x` (NaN below 0, -inf at 0). Derivative: `1/x`.
    pub fn log(&mut self, x: Var) -> Result<Var> {
        self.unary("log", UnaryKind::Log, x)
    }

    fn unary(&mut self, op: &'static str, kind: UnaryKind, x: Var) -> Result<Var> {
        let ix = self.index(op, x)?;
        let nx = self.nodes[ix as usize];
        let off = self.push(nx.shape, Op::Unary { kind, x: ix }, nx.requires_grad);
        let (lo, hi) = self.values.split_at_mut(off);
        let (src, dst) = (&lo[nx.range()], &mut hi[..nx.shape.numel()]);
        let f: fn(f32) -> f32 = match kind {
            UnaryKind::Neg => |v| -v,
            UnaryKind::Scale(c) => {
                for (d, &v) in dst.iter_mut().zip(src) {
                    *d = c * v;
                }
                return Ok(self.last_var());
            }
            UnaryKind::Square => |v| v * v,
            UnaryKind::Sqrt => f32::sqrt,
            UnaryKind::Abs => f32::abs,
            UnaryKind::Exp => f32::exp,
            UnaryKind::Log => f32::ln,
        };
        for (d, &v) in dst.iter_mut().zip(src) {
            *d = f(v);
        }
        Ok(self.last_var())
    }
}

pub(crate) fn backward(kind: UnaryKind, x: u32, node: &Node, g: &[f32], ctx: &mut BackCtx<'_>) {
    let values = ctx.values;
    let xv = &values[ctx.node(x).range()];
    let yv = &values[node.range()];
    let Some(gx) = ctx.grad_mut(x) else { return };
    let it = gx.iter_mut().zip(g).zip(xv.iter().zip(yv));
    match kind {
        UnaryKind::Neg => it.for_each(|((d, &gi), _)| *d -= gi),
        UnaryKind::Scale(c) => it.for_each(|((d, &gi), _)| *d += c * gi),
        UnaryKind::Square => it.for_each(|((d, &gi), (&v, _))| *d += gi * 2.0 * v),
        UnaryKind::Sqrt => it.for_each(|((d, &gi), (_, &y))| *d += gi * 0.5 / y),
        UnaryKind::Abs => it.for_each(|((d, &gi), (&v, _))| {
            let s = if v > 0.0 {
                1.0
            } else if v < 0.0 {
                -1.0
            } else {
                0.0
            };
            *d += gi * s
        }),
        UnaryKind::Exp => it.for_each(|((d, &gi), (_, &y))| *d += gi * y),
        UnaryKind::Log => it.for_each(|((d, &gi), (&v, _))| *d += gi / v),
    }
}
