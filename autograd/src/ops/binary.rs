//! Elementwise add, sub, mul, div with broadcasting of a one-element operand (scalar) or of an
//! operand whose dimensions are the trailing dimensions of the other (a bias row `[n]` against
//! `[m, n]`, a `[t, n]` block against `[b, t, n]`).

use crate::error::{AutogradError, Result};
use crate::op::{BinaryKind, Op};
use crate::shape::Shape;
use crate::tape::{Tape, Var};
use crate::tape_backward::BackCtx;

/// The output shape of a broadcasting binary op, or a shape error naming both operands.
fn broadcast(op: &'static str, a: Shape, b: Shape) -> Result<Shape> {
    if a == b {
        return Ok(a);
    }
    let (big, small) = if a.rank() > b.rank() || (a.rank() == b.rank() && b.numel() == 1) {
        (a, b)
    } else {
        (b, a)
    };
    let suffix =
        big.rank() >= small.rank() && big.dims()[big.rank() - small.rank()..] == *small.dims();
    if small.numel() == 1 && small.rank() <= big.rank() || suffix {
        Ok(big)
    } else {
        Err(AutogradError::ShapeMismatch {
            op,
            lhs: a,
            rhs: b,
            expected: "equal shapes, a one-element operand, or one operand's dimensions equal to \
                       the other's trailing dimensions (e.g. a bias [n] with [m, n])",
        })
    }
}

/// `out[i] = f(a[i mod |a|], b[i mod |b|])`.
fn map(out: &mut [f32], a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) {
    let n = out.len();
    if a.len() == n && b.len() == n {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = f(x, y);
        }
        return;
    }
    let (mut ia, mut ib) = (0, 0);
    for o in out.iter_mut() {
        *o = f(a[ia], b[ib]);
        ia += 1;
        if ia == a.len() {
            ia = 0;
        }
        ib += 1;
        if ib == b.len() {
            ib = 0;
        }
    }
}

/// `dst[i mod |dst|] += g[i] * d(a[i mod |a|], b[i mod |b|])`: the broadcast operand sums the
/// contributions of every output element it fed.
fn accumulate(dst: &mut [f32], g: &[f32], a: &[f32], b: &[f32], d: impl Fn(f32, f32) -> f32) {
    let n = g.len();
    if a.len() == n && b.len() == n && dst.len() == n {
        for (((o, &gi), &x), &y) in dst.iter_mut().zip(g).zip(a).zip(b) {
            *o += gi * d(x, y);
        }
        return;
    }
    let (mut ia, mut ib, mut id) = (0, 0, 0);
    for &gi in g {
        dst[id] += gi * d(a[ia], b[ib]);
        ia += 1;
        if ia == a.len() {
            ia = 0;
        }
        ib += 1;
        if ib == b.len() {
            ib = 0;
        }
        id += 1;
        if id == dst.len() {
            id = 0;
        }
    }
}

impl Tape {
    /// `a + b` (broadcasting, see the module doc). Derivative: 1 for both operands.
    pub fn add(&mut self, a: Var, b: Var) -> Result<Var> {
        self.binary("add", BinaryKind::Add, a, b)
    }

    /// `a - b` (broadcasting). Derivative: 1 for `a`, -1 for `b`.
    pub fn sub(&mut self, a: Var, b: Var) -> Result<Var> {
        self.binary("sub", BinaryKind::Sub, a, b)
    }

    /// `a * b` elementwise (broadcasting). Derivative: `b` for `a`, `a` for `b`.
    pub fn mul(&mut self, a: Var, b: Var) -> Result<Var> {
        self.binary("mul", BinaryKind::Mul, a, b)
    }

    /// `a / b` elementwise (broadcasting). Derivative: `1/b` for `a`, `-a/b²` for `b`.
    pub fn div(&mut self, a: Var, b: Var) -> Result<Var> {
        self.binary("div", BinaryKind::Div, a, b)
    }

    fn binary(&mut self, op: &'static str, kind: BinaryKind, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = (self.index(op, a)?, self.index(op, b)?);
        let (na, nb) = (self.nodes[ia as usize], self.nodes[ib as usize]);
        let shape = broadcast(op, na.shape, nb.shape)?;
        let rg = na.requires_grad || nb.requires_grad;
        let off = self.push(shape, Op::Binary { kind, a: ia, b: ib }, rg);
        let (lo, hi) = self.values.split_at_mut(off);
        let (xa, xb, out) = (&lo[na.range()], &lo[nb.range()], &mut hi[..shape.numel()]);
        match kind {
            BinaryKind::Add => map(out, xa, xb, |x, y| x + y),
            BinaryKind::Sub => map(out, xa, xb, |x, y| x - y),
            BinaryKind::Mul => map(out, xa, xb, |x, y| x * y),
            BinaryKind::Div => map(out, xa, xb, |x, y| x / y),
        }
        Ok(self.last_var())
    }
}

pub(crate) fn backward(kind: BinaryKind, a: u32, b: u32, g: &[f32], ctx: &mut BackCtx<'_>) {
    let values = ctx.values;
    let xa = &values[ctx.node(a).range()];
    let xb = &values[ctx.node(b).range()];
    if let Some(ga) = ctx.grad_mut(a) {
        match kind {
            BinaryKind::Add | BinaryKind::Sub => accumulate(ga, g, xa, xb, |_, _| 1.0),
            BinaryKind::Mul => accumulate(ga, g, xa, xb, |_, y| y),
            BinaryKind::Div => accumulate(ga, g, xa, xb, |_, y| 1.0 / y),
        }
    }
    if let Some(gb) = ctx.grad_mut(b) {
        match kind {
            BinaryKind::Add => accumulate(gb, g, xa, xb, |_, _| 1.0),
            BinaryKind::Sub => accumulate(gb, g, xa, xb, |_, _| -1.0),
            BinaryKind::Mul => accumulate(gb, g, xa, xb, |x, _| x),
            BinaryKind::Div => accumulate(gb, g, xa, xb, |x, y| -x / (y * y)),
        }
    }
}
