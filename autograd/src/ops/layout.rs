//! Ops that move data without arithmetic: reshape, 2-D transpose, slice and select along an
//! axis, stack along a new axis, concat along an existing one. Their backward moves the
//! gradient back (adding, so a node sliced twice gets both parts).

use crate::error::{AutogradError, Result};
use crate::op::Op;
use crate::shape::{MAX_RANK, Shape};
use crate::tape::{Node, Tape, Var};
use crate::tape_backward::BackCtx;

fn axis_check(op: &'static str, axis: usize, bound: usize, shape: Shape) -> Result<()> {
    if axis >= bound {
        return Err(AutogradError::OutOfRange {
            op,
            arg: "axis",
            value: axis,
            bound,
            shape,
        });
    }
    Ok(())
}

impl Tape {
    /// The same elements in the same order with dimensions `dims` (same element count).
    /// Derivative: the gradient reshaped back.
    pub fn reshape(&mut self, x: Var, dims: &[usize]) -> Result<Var> {
        const OP: &str = "reshape";
        let ix = self.index(OP, x)?;
        let nx = self.nodes[ix as usize];
        let shape = Shape::checked(OP, dims)?;
        if shape.numel() != nx.shape.numel() {
            return Err(AutogradError::ShapeMismatch {
                op: OP,
                lhs: nx.shape,
                rhs: shape,
                expected: "the same number of elements",
            });
        }
        let off = self.push(shape, Op::Reshape { x: ix }, nx.requires_grad);
        let (lo, hi) = self.values.split_at_mut(off);
        hi[..shape.numel()].copy_from_slice(&lo[nx.range()]);
        Ok(self.last_var())
    }

    /// The transpose of a 2-D `x`: `[m, n]` -> `[n, m]`. Derivative: the gradient transposed.
    pub fn transpose(&mut self, x: Var) -> Result<Var> {
        const OP: &str = "transpose";
        let ix = self.index(OP, x)?;
        let nx = self.nodes[ix as usize];
        if nx.shape.rank() != 2 {
            return Err(AutogradError::BadShape {
                op: OP,
                arg: "x",
                shape: nx.shape,
                expected: "rank 2",
            });
        }
        let (m, n) = (nx.shape.dim(0), nx.shape.dim(1));
        let shape = Shape::checked(OP, &[n, m])?;
        let off = self.push(shape, Op::Transpose { x: ix }, nx.requires_grad);
        let (lo, hi) = self.values.split_at_mut(off);
        let src = &lo[nx.range()];
        for i in 0..m {
            for j in 0..n {
                hi[j * m + i] = src[i * n + j];
            }
        }
        Ok(self.last_var())
    }

    /// Elements `start..start + len` along `axis` (the axis is kept, with size `len`); e.g. a
    /// window of timesteps of `[batch, time, features]`. Derivative: the gradient scattered back.
    pub fn slice(&mut self, x: Var, axis: usize, start: usize, len: usize) -> Result<Var> {
        const OP: &str = "slice";
        let ix = self.index(OP, x)?;
        let nx = self.nodes[ix as usize];
        axis_check(OP, axis, nx.shape.rank(), nx.shape)?;
        let n = nx.shape.dim(axis);
        let end = start.saturating_add(len);
        if end > n {
            return Err(AutogradError::OutOfRange {
                op: OP,
                arg: "start + len",
                value: end,
                bound: n,
                shape: nx.shape,
            });
        }
        let shape = nx.shape.with_dim(axis, len);
        let opk = Op::Slice {
            x: ix,
            axis: axis as u8,
            start,
        };
        let off = self.push(shape, opk, nx.requires_grad);
        let (lo, hi) = self.values.split_at_mut(off);
        let (outer, _, inner) = nx.shape.split_at_axis(axis);
        let src = &lo[nx.range()];
        for o in 0..outer {
            let s = (o * n + start) * inner;
            hi[o * len * inner..(o + 1) * len * inner].copy_from_slice(&src[s..s + len * inner]);
        }
        Ok(self.last_var())
    }

    /// Element `index` along `axis`, with the axis removed: `x[:, t]` of `[batch, time, f]`
    /// is `select(x, 1, t)` of shape `[batch, f]`. Derivative: the gradient put back at `index`.
    pub fn select(&mut self, x: Var, axis: usize, index: usize) -> Result<Var> {
        const OP: &str = "select";
        let ix = self.index(OP, x)?;
        let nx = self.nodes[ix as usize];
        axis_check(OP, axis, nx.shape.rank(), nx.shape)?;
        let n = nx.shape.dim(axis);
        if index >= n {
            return Err(AutogradError::OutOfRange {
                op: OP,
                arg: "index",
                value: index,
                bound: n,
                shape: nx.shape,
            });
        }
        let shape = nx.shape.without(axis);
        let opk = Op::Select {
            x: ix,
            axis: axis as u8,
            index,
        };
        let off = self.push(shape, opk, nx.requires_grad);
        let (lo, hi) = self.values.split_at_mut(off);
        let (outer, _, inner) = nx.shape.split_at_axis(axis);
        let src = &lo[nx.range()];
        for o in 0..outer {
            let s = (o * n + index) * inner;
            hi[o * inner..(o + 1) * inner].copy_from_slice(&src[s..s + inner]);
        }
        Ok(self.last_var())
    }

    /// Equal-shaped `xs` stacked along a new axis at position `axis` (`0..=rank`): stacking
    /// `T` tensors `[batch, f]` at axis 1 gives `[batch, T, f]`. Derivative: each input gets
    /// its own slice of the gradient.
    pub fn stack(&mut self, xs: &[Var], axis: usize) -> Result<Var> {
        const OP: &str = "stack";
        let first = self.join_inputs(OP, xs)?;
        let s0 = self.nodes[self.links[first] as usize].shape;
        for &li in &self.links[first..] {
            let s = self.nodes[li as usize].shape;
            if s != s0 {
                self.links.truncate(first);
                return Err(AutogradError::ShapeMismatch {
                    op: OP,
                    lhs: s0,
                    rhs: s,
                    expected: "every input of the same shape",
                });
            }
        }
        if axis > s0.rank() || s0.rank() == MAX_RANK {
            self.links.truncate(first);
            return Err(AutogradError::OutOfRange {
                op: OP,
                arg: "axis",
                value: axis,
                bound: s0.rank() + 1,
                shape: s0,
            });
        }
        let shape = s0.inserted(axis, xs.len());
        let rg = self.links[first..]
            .iter()
            .any(|&i| self.nodes[i as usize].requires_grad);
        let opk = Op::Stack {
            axis: axis as u8,
            first: first as u32,
            count: xs.len() as u32,
        };
        let off = self.push(shape, opk, rg);
        let (lo, hi) = self.values.split_at_mut(off);
        let outer: usize = s0.dims()[..axis].iter().product();
        let inner: usize = s0.dims()[axis..].iter().product();
        let k = xs.len();
        for (j, &li) in self.links[first..].iter().enumerate() {
            let src = &lo[self.nodes[li as usize].range()];
            for o in 0..outer {
                let d = (o * k + j) * inner;
                hi[d..d + inner].copy_from_slice(&src[o * inner..(o + 1) * inner]);
            }
        }
        Ok(self.last_var())
    }

    /// `xs` joined along the existing `axis`; all dimensions but `axis` must agree.
    /// Derivative: each input gets its own part of the gradient.
    pub fn concat(&mut self, xs: &[Var], axis: usize) -> Result<Var> {
        const OP: &str = "concat";
        let first = self.join_inputs(OP, xs)?;
        let s0 = self.nodes[self.links[first] as usize].shape;
        if axis >= s0.rank() {
            self.links.truncate(first);
            return Err(AutogradError::OutOfRange {
                op: OP,
                arg: "axis",
                value: axis,
                bound: s0.rank(),
                shape: s0,
            });
        }
        let mut total = 0;
        for &li in &self.links[first..] {
            let s = self.nodes[li as usize].shape;
            if s.rank() != s0.rank() || s.with_dim(axis, 0) != s0.with_dim(axis, 0) {
                self.links.truncate(first);
                return Err(AutogradError::ShapeMismatch {
                    op: OP,
                    lhs: s0,
                    rhs: s,
                    expected: "equal ranks and equal dimensions except along the concat axis",
                });
            }
            total += s.dim(axis);
        }
        let shape = s0.with_dim(axis, total);
        let rg = self.links[first..]
            .iter()
            .any(|&i| self.nodes[i as usize].requires_grad);
        let opk = Op::Concat {
            axis: axis as u8,
            first: first as u32,
            count: xs.len() as u32,
        };
        let off = self.push(shape, opk, rg);
        let (lo, hi) = self.values.split_at_mut(off);
        let (outer, _, inner) = shape.split_at_axis(axis);
        let row = total * inner;
        let mut at = 0;
        for &li in &self.links[first..] {
            let n = self.nodes[li as usize];
            let w = n.shape.dim(axis) * inner;
            let src = &lo[n.range()];
            for o in 0..outer {
                hi[o * row + at..o * row + at + w].copy_from_slice(&src[o * w..(o + 1) * w]);
            }
            at += w;
        }
        Ok(self.last_var())
    }

    /// Checks `xs` and appends their node indices to the link arena; returns the first link.
    fn join_inputs(&mut self, op: &'static str, xs: &[Var]) -> Result<usize> {
        if xs.is_empty() {
            return Err(AutogradError::Empty { op, arg: "xs" });
        }
        let first = self.links.len();
        for &x in xs {
            match self.index(op, x) {
                Ok(i) => self.links.push(i),
                Err(e) => {
                    self.links.truncate(first);
                    return Err(e);
                }
            }
        }
        Ok(first)
    }
}

pub(crate) fn backward_reshape(x: u32, g: &[f32], ctx: &mut BackCtx<'_>) {
    if let Some(gx) = ctx.grad_mut(x) {
        gx.iter_mut().zip(g).for_each(|(d, &v)| *d += v);
    }
}

pub(crate) fn backward_transpose(x: u32, g: &[f32], ctx: &mut BackCtx<'_>) {
    let s = ctx.node(x).shape;
    let (m, n) = (s.dim(0), s.dim(1));
    if let Some(gx) = ctx.grad_mut(x) {
        for i in 0..m {
            for j in 0..n {
                gx[i * n + j] += g[j * m + i];
            }
        }
    }
}

pub(crate) fn backward_slice(
    x: u32,
    axis: usize,
    start: usize,
    node: &Node,
    g: &[f32],
    ctx: &mut BackCtx<'_>,
) {
    let s = ctx.node(x).shape;
    let (outer, n, inner) = s.split_at_axis(axis);
    let len = node.shape.dim(axis);
    if let Some(gx) = ctx.grad_mut(x) {
        for o in 0..outer {
            let d = (o * n + start) * inner;
            let src = &g[o * len * inner..(o + 1) * len * inner];
            gx[d..d + len * inner]
                .iter_mut()
                .zip(src)
                .for_each(|(a, &v)| *a += v);
        }
    }
}

pub(crate) fn backward_select(x: u32, axis: usize, index: usize, g: &[f32], ctx: &mut BackCtx<'_>) {
    let s = ctx.node(x).shape;
    let (outer, n, inner) = s.split_at_axis(axis);
    if let Some(gx) = ctx.grad_mut(x) {
        for o in 0..outer {
            let d = (o * n + index) * inner;
            gx[d..d + inner]
                .iter_mut()
                .zip(&g[o * inner..(o + 1) * inner])
                .for_each(|(a, &v)| *a += v);
        }
    }
}

pub(crate) fn backward_stack(
    axis: usize,
    first: u32,
    count: u32,
    g: &[f32],
    ctx: &mut BackCtx<'_>,
) {
    let links = ctx.links;
    let ids = &links[first as usize..(first + count) as usize];
    let s0 = ctx.node(ids[0]).shape;
    let outer: usize = s0.dims()[..axis].iter().product();
    let inner: usize = s0.dims()[axis..].iter().product();
    let k = count as usize;
    for (j, &li) in ids.iter().enumerate() {
        if let Some(gx) = ctx.grad_mut(li) {
            for o in 0..outer {
                let s = (o * k + j) * inner;
                gx[o * inner..(o + 1) * inner]
                    .iter_mut()
                    .zip(&g[s..s + inner])
                    .for_each(|(a, &v)| *a += v);
            }
        }
    }
}

pub(crate) fn backward_concat(
    axis: usize,
    first: u32,
    count: u32,
    node: &Node,
    g: &[f32],
    ctx: &mut BackCtx<'_>,
) {
    let links = ctx.links;
    let ids = &links[first as usize..(first + count) as usize];
    let (outer, total, inner) = node.shape.split_at_axis(axis);
    let row = total * inner;
    let mut at = 0;
    for &li in ids {
        let w = ctx.node(li).shape.dim(axis) * inner;
        if let Some(gx) = ctx.grad_mut(li) {
            for o in 0..outer {
                gx[o * w..(o + 1) * w]
                    .iter_mut()
                    .zip(&g[o * row + at..o * row + at + w])
                    .for_each(|(a, &v)| *a += v);
            }
        }
        at += w;
    }
}
