//! The fused SimpleRNN op: a whole sequence forward in one node, with a hand-written BPTT
//! backward.
//!
//! Forward, Keras 3's cell at every step (`h_{-1}` = initial state or zeros):
//! `z_s = (x'_t · W + b) + h'_{s-1} · U`, `h_s = act(z_s)`, with `x' = x ⊙ m_x` and
//! `h' = h ⊙ m_h` when the dropout masks are given (the same masks at every step). Step `s`
//! consumes `x_t` with `t = s`, or `t = T-1-s` with `go_backwards`; the output sequence is in
//! processing order (as Keras returns it). The input projection of all steps is one GEMM
//! `[B·T, F] · [F, U]`; each step adds one `[B, U] · [U, U]` GEMM.
//!
//! Backward, for `s = T-1 .. 0`: `dh_s = G_s + carry`, `dz_s = dh_s ⊙ act'(z_s)`,
//! `carry = (dz_s Uᵀ) ⊙ m_h` (which is `dh0` after step 0); then once for all steps
//! `dU += H'ᵀ dZ` (`H'` the masked previous states), `dW += x'ᵀ dZ`, `db += Σ dZ`,
//! `dx += (dZ Wᵀ) ⊙ m_x`.
//!
//! Both step loops run per batch chunk ([`Chunking`]), the chunks in parallel.

use kernels::{GemmOptions, MatMut, MatRef, gemm, gemm_with};

use crate::ops::batch_chunks::{Chunking, Cut, run, scratch_of};
use crate::ops::gated::transpose_into;

use crate::activation::Activation;
use crate::error::{AutogradError, Result};
use crate::op::{NONE, Op, RnnOp};
use crate::shape::Shape;
use crate::tape::{Node, Tape, Var};
use crate::tape_backward::BackCtx;

/// The inputs of [`Tape::simple_rnn`] (Keras names in the comments).
#[derive(Clone, Copy, Debug)]
pub struct SimpleRnnInputs {
    /// The sequence `[batch, time, features]`.
    pub x: Var,
    /// `kernel`, `[features, units]`.
    pub kernel: Var,
    /// `recurrent_kernel`, `[units, units]`.
    pub recurrent_kernel: Var,
    /// `bias`, `[units]` (None for `use_bias=False`).
    pub bias: Option<Var>,
    /// `initial_state`, `[batch, units]` (None: zeros).
    pub initial_state: Option<Var>,
    /// Input dropout mask `[batch, features]`, a constant (see [`crate::dropout_mask`]).
    pub input_mask: Option<Var>,
    /// Recurrent dropout mask `[batch, units]`, a constant.
    pub recurrent_mask: Option<Var>,
}

/// The outputs of [`Tape::simple_rnn`]; both are differentiable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimpleRnnOutput {
    /// Every state, `[batch, time, units]`, in processing order.
    pub sequence: Var,
    /// The last state `h_T`, `[batch, units]` (Keras' output without `return_sequences`).
    pub last: Var,
}

#[derive(Clone, Copy)]
struct Dims {
    b: usize,
    t: usize,
    f: usize,
    u: usize,
}

impl Tape {
    /// Runs a SimpleRNN over a whole sequence as one node (see the module doc for the math).
    ///
    /// Errors name the argument and its shape; dropout masks and their shapes are checked, and
    /// masks that need a gradient are rejected.
    pub fn simple_rnn(
        &mut self,
        inputs: &SimpleRnnInputs,
        activation: Activation,
        go_backwards: bool,
    ) -> Result<SimpleRnnOutput> {
        const OP: &str = "simple_rnn";
        let ix = self.index(OP, inputs.x)?;
        let iw = self.index(OP, inputs.kernel)?;
        let iu = self.index(OP, inputs.recurrent_kernel)?;
        let opt =
            |t: &Self, v: Option<Var>| -> Result<u32> { v.map_or(Ok(NONE), |v| t.index(OP, v)) };
        let ib = opt(self, inputs.bias)?;
        let ih = opt(self, inputs.initial_state)?;
        let imx = opt(self, inputs.input_mask)?;
        let imh = opt(self, inputs.recurrent_mask)?;
        let shape_of = |i: u32| self.nodes[i as usize].shape;

        let xs = shape_of(ix);
        if xs.rank() != 3 {
            return Err(AutogradError::BadShape {
                op: OP,
                arg: "x",
                shape: xs,
                expected: "rank 3: [batch, timesteps, features]",
            });
        }
        let (b, t, f) = (xs.dim(0), xs.dim(1), xs.dim(2));
        if b == 0 || t == 0 {
            return Err(AutogradError::BadShape {
                op: OP,
                arg: "x",
                shape: xs,
                expected: "at least one sample and one timestep",
            });
        }
        let ws = shape_of(iw);
        if ws.rank() != 2 || ws.dim(0) != f {
            return Err(AutogradError::ShapeMismatch {
                op: OP,
                lhs: xs,
                rhs: ws,
                expected: "kernel of shape [features, units] for x [batch, timesteps, features]",
            });
        }
        let u = ws.dim(1);
        let expect = |i: u32, dims: &[usize], arg: &'static str, e: &'static str| -> Result<()> {
            if i != NONE && shape_of(i).dims() != dims {
                return Err(AutogradError::BadShape {
                    op: OP,
                    arg,
                    shape: shape_of(i),
                    expected: e,
                });
            }
            Ok(())
        };
        expect(iu, &[u, u], "recurrent_kernel", "[units, units]")?;
        expect(ib, &[u], "bias", "[units]")?;
        expect(ih, &[b, u], "initial_state", "[batch, units]")?;
        expect(imx, &[b, f], "input_mask", "[batch, features]")?;
        expect(imh, &[b, u], "recurrent_mask", "[batch, units]")?;
        if [imx, imh]
            .iter()
            .any(|&i| i != NONE && self.nodes[i as usize].requires_grad)
        {
            return Err(AutogradError::Unsupported {
                op: OP,
                what: "dropout masks that need a gradient (masks are constants)",
            });
        }

        let d = Dims { b, t, f, u };
        let preact = if activation.derivative_needs_input() {
            // Every element is written by the forward pass (the `saved` rows).
            self.aux_alloc(b * t * u)
        } else {
            NONE as usize
        };
        let rg = [ix, iw, iu, ib, ih]
            .iter()
            .any(|&i| i != NONE && self.nodes[i as usize].requires_grad);
        let op = RnnOp {
            x: ix,
            kernel: iw,
            recurrent: iu,
            bias: ib,
            h0: ih,
            input_mask: imx,
            recurrent_mask: imh,
            activation,
            go_backwards,
            preact,
            batch: b,
            steps: t,
            features: f,
            units: u,
        };
        let shape = Shape::checked(OP, &[b, t, u])?;
        let off = self.push(shape, Op::SimpleRnn(op), rg);
        let nodes = &self.nodes;
        let (lo, hi) = self.values.split_at_mut(off);
        let get = |i: u32| (i != NONE).then(|| &lo[nodes[i as usize].range()]);
        let saved = (preact != NONE as usize).then(|| &mut self.aux[preact..preact + b * t * u]);
        forward(
            d,
            &op,
            [
                &lo[nodes[ix as usize].range()],
                &lo[nodes[iw as usize].range()],
                &lo[nodes[iu as usize].range()],
            ],
            [get(ib), get(ih), get(imx), get(imh)],
            &mut hi[..b * t * u],
            saved,
            &mut self.scratch,
        )?;
        let sequence = self.last_var();
        let last = self.select(sequence, 1, t - 1)?;
        Ok(SimpleRnnOutput { sequence, last })
    }
}

/// `out[b, s, :]` row offset.
#[inline]
fn row(d: Dims, bi: usize, s: usize) -> usize {
    (bi * d.t + s) * d.u
}

/// `x ⊙ m_x` with the `[B, F]` mask repeated over time, into `dst` `[B, T, F]`.
fn mask_input(d: Dims, x: &[f32], m: &[f32], dst: &mut [f32]) {
    for bi in 0..d.b {
        let mr = &m[bi * d.f..(bi + 1) * d.f];
        for ti in 0..d.t {
            let o = (bi * d.t + ti) * d.f;
            for ((o, &v), &mv) in dst[o..o + d.f].iter_mut().zip(&x[o..o + d.f]).zip(mr) {
                *o = v * mv;
            }
        }
    }
}

/// `h_{s-1} ⊙ m_h` into `dst` `[B, U]`: from the output sequence, or the initial state.
fn previous_state(
    d: Dims,
    s: usize,
    out: &[f32],
    h0: Option<&[f32]>,
    mh: Option<&[f32]>,
    dst: &mut [f32],
) {
    for bi in 0..d.b {
        let src = if s > 0 {
            &out[row(d, bi, s - 1)..row(d, bi, s - 1) + d.u]
        } else {
            // Only called for s = 0 when there is an initial state.
            &h0.unwrap_or(&[])[bi * d.u..(bi + 1) * d.u]
        };
        let dr = &mut dst[bi * d.u..(bi + 1) * d.u];
        match mh {
            Some(m) => {
                for ((o, &v), &mv) in dr.iter_mut().zip(src).zip(&m[bi * d.u..(bi + 1) * d.u]) {
                    *o = v * mv;
                }
            }
            None => dr.copy_from_slice(src),
        }
    }
}

/// Every step's masked previous state `h'_{s-1}` as `[B, T, U]` rows at input time (the rows
/// of dZ), zeros at step 0 without an initial state: `dU = H'ᵀ · dZ` is then one GEMM.
fn all_previous_states(
    d: Dims,
    go_backwards: bool,
    out: &[f32],
    h0: Option<&[f32]>,
    mh: Option<&[f32]>,
    dst: &mut [f32],
) {
    for bi in 0..d.b {
        for s in 0..d.t {
            let ts = if go_backwards { d.t - 1 - s } else { s };
            let o = row(d, bi, ts);
            let dr = &mut dst[o..o + d.u];
            let src = if s > 0 {
                &out[row(d, bi, s - 1)..row(d, bi, s - 1) + d.u]
            } else if let Some(h) = h0 {
                &h[bi * d.u..(bi + 1) * d.u]
            } else {
                dr.fill(0.0);
                continue;
            };
            match mh {
                Some(m) => {
                    let mr = &m[bi * d.u..(bi + 1) * d.u];
                    for ((o, &v), &mv) in dr.iter_mut().zip(src).zip(mr) {
                        *o = v * mv;
                    }
                }
                None => dr.copy_from_slice(src),
            }
        }
    }
}

/// The forward pass: the batch's chunks (see [`Chunking`]) each run [`forward_chunk`].
#[allow(clippy::too_many_arguments)]
fn forward(
    d: Dims,
    op: &RnnOp,
    [x, w, rk]: [&[f32]; 3],
    [bias, h0, mx, mh]: [Option<&[f32]>; 4],
    out: &mut [f32],
    saved: Option<&mut [f32]>,
    scratch: &mut Vec<f32>,
) -> Result<()> {
    let ch = Chunking::of(d.b);
    let per = forward_scratch_len(Dims { b: ch.rows, ..d }, op, mx.is_some());
    let buf = scratch_of(scratch, per * ch.count);
    let row_len = d.t * d.u;
    let mut jobs = ch.jobs([
        Cut::Rows(out, row_len),
        Cut::Rows(saved.unwrap_or_default(), row_len),
        Cut::Each(buf, per),
    ]);
    let opts = ch.gemm_options();
    run(&mut jobs[..ch.count], |i, [out, saved, scratch]| {
        let dc = Dims {
            b: ch.range(i).1,
            ..d
        };
        forward_chunk(
            dc,
            op,
            &opts,
            [ch.rows(x, i, d.t * d.f), w, rk],
            [
                bias,
                ch.rows_of(h0, i, d.u),
                ch.rows_of(mx, i, d.f),
                ch.rows_of(mh, i, d.u),
            ],
            out,
            (!saved.is_empty()).then_some(&mut **saved),
            scratch,
        )
    })
}

/// Scratch floats [`forward_chunk`] needs for a chunk of `d.b` samples.
fn forward_scratch_len(d: Dims, op: &RnnOp, masked_input: bool) -> usize {
    let bt = d.b * d.t;
    let xm_len = if masked_input { bt * d.f } else { 0 };
    let proj_len = if op.go_backwards { bt * d.u } else { 0 };
    xm_len + proj_len + d.b * d.u
}

/// One chunk's forward pass (`d.b` = the chunk's samples; every slice holds just its rows).
#[allow(clippy::too_many_arguments)]
fn forward_chunk(
    d: Dims,
    op: &RnnOp,
    opts: &GemmOptions,
    [x, w, rk]: [&[f32]; 3],
    [bias, h0, mx, mh]: [Option<&[f32]>; 4],
    out: &mut [f32],
    mut saved: Option<&mut [f32]>,
    scratch: &mut [f32],
) -> Result<()> {
    let (bt, act) = (d.b * d.t, op.activation);
    let xm_len = if mx.is_some() { bt * d.f } else { 0 };
    let proj_len = if op.go_backwards { bt * d.u } else { 0 };
    // Every scratch element is written before it is read.
    let (xm, rest) = scratch.split_at_mut(xm_len);
    let (proj, hprev) = rest.split_at_mut(proj_len);
    let xin: &[f32] = match mx {
        Some(m) => {
            mask_input(d, x, m, xm);
            xm
        }
        None => x,
    };
    let xmat = MatRef::row_major(xin, bt, d.f)?;
    let wmat = MatRef::row_major(w, d.f, d.u)?;
    if op.go_backwards {
        gemm_with(
            opts,
            1.0,
            xmat,
            wmat,
            0.0,
            MatMut::row_major(proj, bt, d.u)?,
        )?;
        for bi in 0..d.b {
            for s in 0..d.t {
                let src = row(d, bi, d.t - 1 - s);
                out[row(d, bi, s)..row(d, bi, s) + d.u].copy_from_slice(&proj[src..src + d.u]);
            }
        }
    } else {
        gemm_with(opts, 1.0, xmat, wmat, 0.0, MatMut::row_major(out, bt, d.u)?)?;
    }
    let rkmat = MatRef::row_major(rk, d.u, d.u)?;
    for s in 0..d.t {
        if let Some(bv) = bias {
            for bi in 0..d.b {
                let r = row(d, bi, s);
                out[r..r + d.u]
                    .iter_mut()
                    .zip(bv)
                    .for_each(|(o, &v)| *o += v);
            }
        }
        if s > 0 || h0.is_some() {
            previous_state(d, s, out, h0, mh, hprev);
            let slot = MatMut::new(&mut out[s * d.u..], d.b, d.u, d.t * d.u, 1)?;
            gemm_with(
                opts,
                1.0,
                MatRef::row_major(hprev, d.b, d.u)?,
                rkmat,
                1.0,
                slot,
            )?;
        }
        for bi in 0..d.b {
            let r = row(d, bi, s);
            if let Some(z) = saved.as_deref_mut() {
                z[r..r + d.u].copy_from_slice(&out[r..r + d.u]);
            }
            act.apply_row(&mut out[r..r + d.u]);
        }
    }
    Ok(())
}

/// BPTT (see the module doc). The recurrence runs per batch chunk (see [`Chunking`]); `dU`,
/// `dW`, `db` and `dx` are then one GEMM or sum each over all samples and steps.
pub(crate) fn backward(r: &RnnOp, node: &Node, g: &[f32], ctx: &mut BackCtx<'_>) -> Result<()> {
    let d = Dims {
        b: r.batch,
        t: r.steps,
        f: r.features,
        u: r.units,
    };
    let (bt, act) = (d.b * d.t, r.activation);
    let values = ctx.values;
    let val = |i: u32| (i != NONE).then(|| &values[ctx.node(i).range()]);
    let (x, w, rk) = (
        val(r.x).unwrap_or(&[]),
        val(r.kernel).unwrap_or(&[]),
        val(r.recurrent).unwrap_or(&[]),
    );
    let (h0, mx, mh) = (val(r.h0), val(r.input_mask), val(r.recurrent_mask));
    let out = &values[node.range()];
    let aux = ctx.aux;
    let z: &[f32] = if r.preact != NONE as usize {
        &aux[r.preact..r.preact + bt * d.u]
    } else {
        out
    };
    // With one step and no initial state every previous state is zero: dU gets nothing.
    let want_u = ctx.wants(r.recurrent) && (d.t > 1 || h0.is_some());
    let want_h0 = r.h0 != NONE && ctx.wants(r.h0);

    let mut scratch = std::mem::take(ctx.scratch);
    let ch = Chunking::of(d.b);
    // dZ, the carry (dh0 after step 0), Uᵀ, each chunk's dh, then the previous states or x'.
    let big_len = if want_u { bt * d.u } else { 0 }.max(if mx.is_some() { bt * d.f } else { 0 });
    let per = ch.rows * d.u;
    let need = bt * d.u + d.b * d.u + d.u * d.u + ch.count * per + big_len;
    let buf = scratch_of(&mut scratch, need);
    let (dz, rest) = buf.split_at_mut(bt * d.u);
    let (carry, rest) = rest.split_at_mut(d.b * d.u);
    let (rkt_buf, rest) = rest.split_at_mut(d.u * d.u);
    let (dhs, big) = rest.split_at_mut(ch.count * per);
    // Uᵀ once: a transposed view would make the small GEMM path copy U at every step.
    if d.t > 1 || (h0.is_some() && want_h0) {
        transpose_into(rk, d.u, d.u, rkt_buf);
    }
    let rkt = MatRef::row_major(rkt_buf, d.u, d.u)?;
    let row_len = d.t * d.u;
    let mut jobs = ch.jobs([
        Cut::Rows(dz, row_len),
        Cut::Rows(carry, d.u),
        Cut::Each(dhs, per),
    ]);
    let opts = ch.gemm_options();
    let (go_backwards, has_h0) = (r.go_backwards, h0.is_some());
    run(&mut jobs[..ch.count], |i, [dz, carry, dh]| {
        let dc = Dims {
            b: ch.range(i).1,
            ..d
        };
        let (g, z, out) = (
            ch.rows(g, i, row_len),
            ch.rows(z, i, row_len),
            ch.rows(out, i, row_len),
        );
        let mh = ch.rows_of(mh, i, d.u);
        carry.fill(0.0);
        for s in (0..d.t).rev() {
            // Row of dZ in input-time order, so dW and dx are single GEMMs over all steps.
            let ts = if go_backwards { d.t - 1 - s } else { s };
            for bi in 0..dc.b {
                let (ro, rz) = (row(dc, bi, s), row(dc, bi, ts));
                let dhr = &mut dh[bi * d.u..(bi + 1) * d.u];
                let cr = &carry[bi * d.u..(bi + 1) * d.u];
                for ((o, &gi), &c) in dhr.iter_mut().zip(&g[ro..ro + d.u]).zip(cr) {
                    *o = gi + c;
                }
                act.backward_row(
                    &z[ro..ro + d.u],
                    &out[ro..ro + d.u],
                    dhr,
                    &mut dz[rz..rz + d.u],
                    false,
                );
            }
            if s == 0 && !(has_h0 && want_h0) {
                break;
            }
            let dzs = MatRef::new(&dz[ts * d.u..], dc.b, d.u, d.t * d.u, 1)?;
            gemm_with(
                &opts,
                1.0,
                dzs,
                rkt,
                0.0,
                MatMut::row_major(carry, dc.b, d.u)?,
            )?;
            if let Some(m) = mh {
                carry.iter_mut().zip(m).for_each(|(c, &mv)| *c *= mv);
            }
        }
        Ok(())
    })?;
    if want_h0 && let Some(gh) = ctx.grad_mut(r.h0) {
        gh.iter_mut().zip(carry.iter()).for_each(|(a, &c)| *a += c);
    }
    if want_u && !r.go_backwards && mh.is_none() {
        // Without masks or reversal, h'_{s-1} is the row of `out` just before dZ's row inside
        // each sample, so dU = OUTᵀ·dZ over rows shifted by one, read in place (copying the
        // previous states cost 3-4% of the (128, 64, 256) step). Each sample's step-0 row of
        // dZ would pair with the previous sample's last state: it sits in a stash meanwhile,
        // zeros in its place, and pairs with h0 (if any) in a second product.
        let u = d.u;
        let stash = &mut big[..d.b * u];
        for bi in 0..d.b {
            let r0 = row(d, bi, 0);
            stash[bi * u..(bi + 1) * u].copy_from_slice(&dz[r0..r0 + u]);
            dz[r0..r0 + u].fill(0.0);
        }
        if let Some(gu) = ctx.grad_mut(r.recurrent) {
            if bt > 1 {
                let prev = MatRef::row_major(&out[..(bt - 1) * u], bt - 1, u)?.t();
                let next = MatRef::row_major(&dz[u..], bt - 1, u)?;
                gemm(1.0, prev, next, 1.0, MatMut::row_major(gu, u, u)?)?;
            }
            if let Some(h) = h0 {
                let first = MatRef::row_major(stash, d.b, u)?;
                let h0t = MatRef::row_major(h, d.b, u)?.t();
                gemm(1.0, h0t, first, 1.0, MatMut::row_major(gu, u, u)?)?;
            }
        }
        for bi in 0..d.b {
            let r0 = row(d, bi, 0);
            dz[r0..r0 + u].copy_from_slice(&stash[bi * u..(bi + 1) * u]);
        }
    } else if want_u {
        let hp = &mut big[..bt * d.u];
        all_previous_states(d, r.go_backwards, out, h0, mh, hp);
        if let Some(gu) = ctx.grad_mut(r.recurrent) {
            let hpt = MatRef::row_major(hp, bt, d.u)?.t();
            let dzm = MatRef::row_major(dz, bt, d.u)?;
            gemm(1.0, hpt, dzm, 1.0, MatMut::row_major(gu, d.u, d.u)?)?;
        }
    }
    let xm = &mut big[..if mx.is_some() { bt * d.f } else { 0 }];

    let dzmat = MatRef::row_major(dz, bt, d.u)?;
    if ctx.wants(r.kernel) {
        let xin: &[f32] = match mx {
            Some(m) => {
                mask_input(d, x, m, xm);
                xm
            }
            None => x,
        };
        if let Some(gw) = ctx.grad_mut(r.kernel) {
            let xt = MatRef::row_major(xin, bt, d.f)?.t();
            gemm(1.0, xt, dzmat, 1.0, MatMut::row_major(gw, d.f, d.u)?)?;
        }
    }
    if r.bias != NONE
        && let Some(gb) = ctx.grad_mut(r.bias)
    {
        for rz in dz.chunks_exact(d.u) {
            gb.iter_mut().zip(rz).for_each(|(a, &v)| *a += v);
        }
    }
    if let Some(gx) = ctx.grad_mut(r.x) {
        let wt = MatRef::row_major(w, d.f, d.u)?.t();
        match mx {
            None => gemm(1.0, dzmat, wt, 1.0, MatMut::row_major(gx, bt, d.f)?)?,
            Some(m) => {
                gemm(1.0, dzmat, wt, 0.0, MatMut::row_major(xm, bt, d.f)?)?;
                for bi in 0..d.b {
                    let mr = &m[bi * d.f..(bi + 1) * d.f];
                    for ti in 0..d.t {
                        let o = (bi * d.t + ti) * d.f;
                        for ((a, &v), &mv) in gx[o..o + d.f].iter_mut().zip(&xm[o..o + d.f]).zip(mr)
                        {
                            *a += v * mv;
                        }
                    }
                }
            }
        }
    }
    *ctx.scratch = scratch;
    Ok(())
}
