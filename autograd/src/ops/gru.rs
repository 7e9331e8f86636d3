//! The fused GRU op (Keras 3 `GRU`, implementation 2): a whole sequence in one node, with a
//! hand-written BPTT backward.
//!
//! At processing step `s` consuming `x_t` (`t = s`, or `T-1-s` with `go_backwards`), gate blocks
//! z, r, h as Keras fuses them, `a` the activation (tanh), `ra` the recurrent one (sigmoid):
//! - `reset_after = true` (Keras default; bias `[2, 3U]`: input row, recurrent row):
//!   `X = x'_t · W + b_in`, `R = h'_{s-1} · U + b_rec`, `z = ra(X_z + R_z)`,
//!   `r = ra(X_r + R_r)`, `hh = a(X_h + r ⊙ R_h)`;
//! - `reset_after = false` (bias `[3U]`): `X = x'_t · W + b`, `z`, `r` as above from
//!   `h'_{s-1} · U[:, :2U]`, `hh = a(X_h + (r ⊙ h'_{s-1}) · U[:, 2U:])`;
//! - `h_s = z ⊙ h_{s-1} + (1 - z) ⊙ hh`.
//!
//! `x' = x ⊙ m_x`, `h' = h ⊙ m_h` with the dropout masks (reused at every step); the carried term
//! `z ⊙ h_{s-1}` uses the unmasked state. A mask is shared by the three gate blocks (`[B, W]`:
//! Keras 3's `implementation=2`, which has an input mask only; a shared recurrent mask is an
//! extension) or one per gate block (`[3, B, W]`: `implementation=1`, which Keras 3 uses whenever
//! `recurrent_dropout` is set): block g's products then use `x ⊙ m_x[g]` and `h ⊙ m_h[g]`, and
//! reset_before's `r ⊙ h'` uses the h block's mask.
//!
//! The node's value is every `h_s`, `[B, T, U]`, in processing order ([`Tape::gru_last`]'s is
//! `h_T`, `[B, U]`, with the sequence in the aux arena). Saved in the aux arena:
//! the gate activations `[B, T, 3U]` (input-time rows), `R_h` (reset_after) or `r ⊙ h'`
//! (reset_before) `[B, T, U]`, and the pre-activations only if a derivative needs them.
//! The backward mirrors the forward step by step (one or two GEMMs per step for the carry), then
//! one GEMM each for `dU`, `dW` and `dx` over all steps.
//!
//! Both step loops run per batch chunk ([`Chunking`]), the chunks in parallel.

use kernels::{GemmOptions, MatMut, MatRef, PackedB, gemm, gemm_with};

use crate::activation::Activation;
use crate::error::Result;
use crate::op::{NONE, Op};
use crate::ops::batch_chunks::{Chunking, Cut, scratch_of};
use crate::ops::cell_record::{CellInputs, CellOptions, CellSpec, CellVars, Recorded};
use crate::ops::gated::{
    BackInputs, CarryStep, Dims, GatedOp, StateGrad, add_column_sums, add_masked, add_state_grad,
    gate_aux_lens, gate_blocks, input_side_grads, masked_input, pack_recurrent, prev_row,
    prev_state, prev_states_in_place, recurrent_grad, recurrent_grad_in_place, step_product,
    transpose_into,
};
use crate::tape::{Node, Tape, Var};
use crate::tape_backward::BackCtx;

/// The inputs of [`Tape::gru`] (Keras names in the comments).
#[derive(Clone, Copy, Debug)]
pub struct GruInputs {
    /// The sequence `[batch, time, features]`.
    pub x: Var,
    /// `kernel`, `[features, 3·units]`, gate blocks z, r, h.
    pub kernel: Var,
    /// `recurrent_kernel`, `[units, 3·units]`, gate blocks z, r, h.
    pub recurrent_kernel: Var,
    /// `bias`: `[2, 3·units]` with `reset_after` (input bias, recurrent bias), else `[3·units]`;
    /// None for `use_bias=False`.
    pub bias: Option<Var>,
    /// `initial_state`, `[batch, units]` (None: zeros).
    pub initial_state: Option<Var>,
    /// Input dropout mask `[batch, features]`, or `[3, batch, features]` (one per gate block),
    /// a constant (see [`crate::dropout_mask`]).
    pub input_mask: Option<Var>,
    /// Recurrent dropout mask `[batch, units]` or `[3, batch, units]` on `h` in the recurrent
    /// products, a constant.
    pub recurrent_mask: Option<Var>,
}

/// The options of [`Tape::gru`]; `Default` is Keras' (tanh, sigmoid, forwards, reset_after).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GruOptions {
    /// `activation` (the candidate state), Keras default tanh.
    pub activation: Activation,
    /// `recurrent_activation` (the z and r gates), Keras default sigmoid.
    pub recurrent_activation: Activation,
    /// `go_backwards`: process time from the last step; outputs stay in processing order.
    pub go_backwards: bool,
    /// `reset_after`: apply the reset gate after the recurrent product (Keras 3 default true).
    pub reset_after: bool,
}

impl Default for GruOptions {
    fn default() -> Self {
        GruOptions {
            activation: Activation::Tanh,
            recurrent_activation: Activation::Sigmoid,
            go_backwards: false,
            reset_after: true,
        }
    }
}

/// The outputs of [`Tape::gru`]; both are differentiable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GruOutput {
    /// Every state, `[batch, time, units]`, in processing order (`return_sequences`).
    pub sequence: Var,
    /// The last state `h_T`, `[batch, units]` (the output, and the `return_state` state).
    pub last: Var,
}

/// GRU's checks and saved data (aux: the gate activations, `R_h` or `r ⊙ h'`, the
/// pre-activations); the bias has a second row (the recurrent bias) with `reset_after`.
fn spec(reset_after: bool) -> CellSpec {
    let (bias_rows, bias_expect) = if reset_after {
        (2, "[2, 3·units] (reset_after: input and recurrent rows)")
    } else {
        (1, "[3·units] (reset_after false)")
    };
    CellSpec {
        op: "gru",
        gates: 3,
        kernel_expect: "kernel of shape [features, 3·units] for x [batch, timesteps, features]",
        recurrent_expect: "[units, 3·units]",
        h0_arg: "initial_state",
        bias_rows,
        bias_expect,
        per_gate_masks: true,
        states: 1,
        aux_lens: gate_aux_lens::<3>,
        make: Op::Gru,
    }
}

impl Tape {
    /// Runs a Keras GRU over a whole sequence as one node (see the module doc for the math).
    ///
    /// Errors name the argument and its shape; dropout masks must be constants.
    pub fn gru(&mut self, inputs: &GruInputs, options: &GruOptions) -> Result<GruOutput> {
        let steps = self.gru_node(inputs, options, false)?;
        let sequence = self.last_var();
        let last = self.select(sequence, 1, steps - 1)?;
        Ok(GruOutput { sequence, last })
    }

    /// [`Tape::gru`] when only the last state is used (Keras without `return_sequences`):
    /// returns `h_T`, `[batch, units]`, with the same bits as `gru(..).last` and the same
    /// gradients, but the node keeps its state sequence where the tape neither zeroes nor
    /// differentiates it as an output, so the backward reads no `[batch, time, units]` gradient.
    pub fn gru_last(&mut self, inputs: &GruInputs, options: &GruOptions) -> Result<Var> {
        self.gru_node(inputs, options, true)?;
        Ok(self.last_var())
    }

    /// Records and runs the GRU node (every state, or only the last); returns the number of
    /// steps.
    fn gru_node(
        &mut self,
        inputs: &GruInputs,
        options: &GruOptions,
        last_only: bool,
    ) -> Result<usize> {
        let vars = CellVars {
            x: inputs.x,
            kernels: [inputs.kernel, inputs.recurrent_kernel],
            bias: inputs.bias,
            states: [inputs.initial_state, None],
            masks: [inputs.input_mask, inputs.recurrent_mask],
        };
        let cell = CellOptions {
            activation: options.activation,
            recurrent_activation: options.recurrent_activation,
            go_backwards: options.go_backwards,
            reset_after: options.reset_after,
            last_only,
        };
        self.run_cell(&spec(options.reset_after), &vars, cell, forward)
    }
}

/// The forward pass: the batch's chunks (see [`Chunking`]) each run [`forward_chunk`]. Returns
/// the number of steps.
fn forward(rec: Recorded<'_>) -> Result<usize> {
    let Recorded {
        op,
        inputs,
        out: hseq,
        aux: [gates, rh, pre],
        scratch,
        packed: [packed_zr, packed_h],
    } = rec;
    let d = op.dims();
    let ch = Chunking::of(d.b);
    // The per-step products' kernels, packed once: U (reset_after), or U's z, r blocks and its
    // h block (reset_before, whose candidate product takes r ⊙ h' instead of h').
    let (u, g3, rk, mh) = (d.u, 3 * d.u, inputs.rk, inputs.mh);
    let has_steps = d.t > 1 || inputs.h0.is_some();
    let width = if op.reset_after { g3 } else { 2 * u };
    let u_zr = MatRef::new(rk, u, width, g3, 1)?;
    let packed_zr = pack_recurrent(packed_zr, u_zr, ch.rows, mh, has_steps)?;
    let packed_h = if op.reset_after {
        None
    } else {
        let u_h = MatRef::new(&rk[2 * u..], u, u, g3, 1)?;
        pack_recurrent(packed_h, u_h, ch.rows, mh, has_steps)?
    };
    let xm_rows = if inputs.mx.is_some() {
        ch.rows * d.t * d.f
    } else {
        0
    };
    let per = xm_rows + ch.rows * d.u + ch.rows * 3 * d.u;
    let buf = scratch_of(scratch, per * ch.count);
    let (tu, tg) = (d.t * d.u, d.t * 3 * d.u);
    ch.run_jobs(
        [
            Cut::Rows(hseq, tu),
            Cut::Rows(gates, tg),
            Cut::Rows(rh, tu),
            Cut::Rows(pre, tg),
            Cut::Each(buf, per),
        ],
        |i, [h, g, r, p, scratch], opts| {
            forward_chunk(
                &op,
                d.chunk(&ch, i),
                opts,
                &inputs.chunk(&ch, i, d),
                h,
                [g, r, p],
                scratch,
                [packed_zr, packed_h],
            )
        },
    )?;
    Ok(d.t)
}

/// One chunk's forward pass (`d.b` = the chunk's samples; every slice holds just its rows).
#[allow(clippy::too_many_arguments)]
fn forward_chunk(
    op: &GatedOp,
    d: Dims,
    opts: &GemmOptions,
    inp: &CellInputs<'_>,
    hseq: &mut [f32],
    [gates, rh, pre]: [&mut [f32]; 3],
    scratch: &mut [f32],
    [packed_zr, packed_h]: [Option<&PackedB>; 2],
) -> Result<()> {
    let (bt, u, g3) = (d.b * d.t, d.u, 3 * d.u);
    let (act, ract) = (op.activation, op.recurrent_activation);
    let (x, w, rk, bias) = (inp.x, inp.w, inp.rk, inp.bias);
    let (h0, mx, mh) = (inp.h0, inp.mx, inp.mh);
    let xm_len = if mx.is_some() { bt * d.f } else { 0 };
    let buf = &mut scratch[..xm_len + d.b * u + d.b * g3];
    let (xm, rest) = buf.split_at_mut(xm_len);
    let (hbuf, rstep) = rest.split_at_mut(d.b * u);
    // One product per gate block with per-gate masks, else one over all three.
    for (c0, width, m) in gate_blocks(mx, 3, u) {
        let xin = masked_input(d, x, m, xm);
        gemm_with(
            opts,
            1.0,
            MatRef::row_major(xin, bt, d.f)?,
            MatRef::new(&w[c0..], d.f, width, g3, 1)?,
            0.0,
            MatMut::new(&mut gates[c0..], bt, width, g3, 1)?,
        )?;
    }
    // The candidate's recurrent mask (reset_before multiplies r ⊙ h' by hand).
    let mh_h = mh.map(|m| m.gate(2));
    let (b_in, b_rec) = match bias {
        Some(b) if op.reset_after => (Some(&b[..g3]), Some(&b[g3..])),
        other => (other, None),
    };
    let save_pre = !pre.is_empty();
    for s in 0..d.t {
        let ts = op.input_time(s);
        let has_prev = s > 0 || h0.is_some();
        // The recurrent product(s) of the gates z, r (and h with reset_after) into rstep.
        {
            let blocks = if op.reset_after { 3 } else { 2 };
            let width = blocks * u;
            let rstep = &mut rstep[..d.b * width];
            for (c0, bw, m) in gate_blocks(mh, blocks, u) {
                match prev_state(d, s, hseq, h0, m, hbuf)? {
                    Some(hp) => {
                        let dst = MatMut::new(&mut rstep[c0..], d.b, bw, width, 1)?;
                        let ub = MatRef::new(&rk[c0..], u, bw, g3, 1)?;
                        step_product(opts, hp, packed_zr, ub, 0.0, dst)?;
                    }
                    None => rstep.fill(0.0),
                }
            }
        }
        for bi in 0..d.b {
            let gr = d.at(bi, ts, g3);
            let rr = d.at(bi, ts, u);
            let z = &mut gates[gr..gr + g3];
            // The element-wise steps run vectorized for the CPU (this crate is compiled for
            // baseline x86-64, where these loops ran at SSE2 width), with the same bits.
            if let Some(bv) = b_in {
                kernels::vecmath::add_assign(z, bv);
            }
            if op.reset_after {
                let rs = &rstep[bi * g3..(bi + 1) * g3];
                let rhr = &mut rh[rr..rr + u];
                kernels::vecmath::gru_recurrent_after(&mut z[..2 * u], rs, b_rec, rhr);
            } else {
                let rs = &rstep[bi * 2 * u..(bi + 1) * 2 * u];
                kernels::vecmath::add_assign(&mut z[..2 * u], rs);
            }
            if save_pre {
                pre[gr..gr + 2 * u].copy_from_slice(&z[..2 * u]);
            }
            ract.apply_row(&mut z[..u]);
            ract.apply_row(&mut z[u..2 * u]);
            if op.reset_after {
                let (zr, zh) = z.split_at_mut(2 * u);
                kernels::vecmath::add_product(zh, &zr[u..], &rh[rr..rr + u]);
            } else {
                // r ⊙ h' (masked previous state), saved for the candidate's product and dU.
                let rhr = &mut rh[rr..rr + u];
                match prev_row(d, s, bi, hseq, h0) {
                    None => rhr.fill(0.0),
                    Some(hp) => {
                        for j in 0..u {
                            let m = mh_h.map_or(1.0, |m| m[bi * u + j]);
                            rhr[j] = z[u + j] * (hp[j] * m);
                        }
                    }
                }
            }
        }
        if !op.reset_after {
            // hh's recurrent product (r ⊙ h') · U_h for the whole batch, into gates' h block.
            if has_prev {
                let rhs = MatRef::new(&rh[ts * u..], d.b, u, d.t * u, 1)?;
                let dst = MatMut::new(&mut gates[ts * g3 + 2 * u..], d.b, u, d.t * g3, 1)?;
                let uh = MatRef::new(&rk[2 * u..], u, u, g3, 1)?;
                step_product(opts, rhs, packed_h, uh, 1.0, dst)?;
            }
        }
        for bi in 0..d.b {
            let gr = d.at(bi, ts, g3);
            let z = &mut gates[gr..gr + g3];
            if save_pre {
                pre[gr + 2 * u..gr + g3].copy_from_slice(&z[2 * u..]);
            }
            act.apply_row(&mut z[2 * u..]);
            let hr = d.at(bi, s, u);
            let (before, after) = hseq.split_at_mut(hr);
            let hprev = if s > 0 {
                Some(&before[hr - u..])
            } else {
                h0.map(|h| &h[bi * u..(bi + 1) * u])
            };
            kernels::vecmath::gru_mix(&z[..u], &z[2 * u..], hprev, &mut after[..u]);
        }
    }
    Ok(())
}

/// BPTT (see the module doc).
pub(crate) fn backward(r: &GatedOp, node: &Node, g: &[f32], ctx: &mut BackCtx<'_>) -> Result<()> {
    let d = r.dims();
    let (bt, u, g3) = (d.b * d.t, d.u, 3 * d.u);
    let (act, ract) = (r.activation, r.recurrent_activation);
    let BackInputs {
        states: hseq,
        rk,
        h0,
        mh,
        aux: [gates, rh, pre],
        want_rk,
        ..
    } = r.back_inputs(ctx, node, gate_aux_lens::<3>(d, r.saves_preacts()), 1);
    let [g, _] = StateGrad::split(r, g, 1);
    // Pre-activations, or the activations themselves when no derivative reads its input.
    let pre: &[f32] = if pre.is_empty() { gates } else { pre };

    let mut scratch = std::mem::take(ctx.scratch);
    let dr_len = if r.reset_after { bt * g3 } else { 0 };
    let big_len = (bt * u).max(bt * d.f).max(d.b * g3);
    let ch = Chunking::of(d.b);
    // Per chunk: a [rows, U] product, a row of zeros (a missing previous state) and one row of
    // gate gradients.
    let per = ch.rows * u + u + g3;
    let need = bt * g3 + dr_len + d.b * u + ch.count * per + u * g3 + big_len;
    let buf = scratch_of(&mut scratch, need);
    let (dz, rest) = buf.split_at_mut(bt * g3);
    let (dr, rest) = rest.split_at_mut(dr_len);
    let (carry, rest) = rest.split_at_mut(d.b * u);
    let (temps, rest) = rest.split_at_mut(ch.count * per);
    let (rkt_buf, big) = rest.split_at_mut(u * g3);
    // Uᵀ `[3U, U]`: rows 0..2U are the z, r blocks' transposes, rows 2U..3U the h block's.
    // Uᵀ serves the carry products, which one step without an initial state never runs.
    if d.t > 1 || h0.is_some() {
        transpose_into(rk, u, g3, rkt_buf);
    }

    let rkt_buf: &[f32] = rkt_buf;
    // reset_after's per-step carry product dR · Uᵀ, packed once (reset_before's two smaller
    // products go through the plain path).
    let mut packed = std::mem::take(&mut ctx.packed[0]);
    let packed_ut = if r.reset_after {
        let ut = MatRef::row_major(rkt_buf, g3, u)?;
        pack_recurrent(&mut packed, ut, ch.rows, mh, d.t > 1 || h0.is_some())?
    } else {
        None
    };
    let (tu, tg) = (d.t * u, d.t * g3);
    ch.run_jobs(
        [
            Cut::Rows(dz, tg),
            Cut::Rows(dr, tg),
            Cut::Rows(carry, u),
            Cut::Each(temps, per),
        ],
        |i, [dz, dr, carry, temp], opts| {
            let d = Dims {
                b: ch.range(i).1,
                ..d
            };
            let (gates, pre) = (ch.rows(gates, i, tg), ch.rows(pre, i, tg));
            let (rh, hseq, g) = (ch.rows(rh, i, tu), ch.rows(hseq, i, tu), g.chunk(&ch, i, d));
            let (h0, mh) = (ch.rows_of(h0, i, u), mh.map(|m| m.rows(ch.range(i), u)));
            let per_gate = mh.is_some_and(|m| m.per_gate());
            let mh_h = mh.map(|m| m.gate(2));
            let (tmp, rest) = temp.split_at_mut(d.b * u);
            let (zeros, dpost) = rest.split_at_mut(u);
            // Stands in for a missing previous state and for the state gradient of a last-only
            // node's earlier steps.
            zeros.fill(0.0);
            carry.fill(0.0);
            for s in (0..d.t).rev() {
                let ts = r.input_time(s);
                let has_prev = s > 0 || h0.is_some();
                for bi in 0..d.b {
                    let (gr, rr) = (d.at(bi, ts, g3), d.at(bi, ts, u));
                    let gt = &gates[gr..gr + g3];
                    let pr = &pre[gr..gr + g3];
                    let hp: &[f32] = prev_row(d, s, bi, hseq, h0).unwrap_or(zeros);
                    let c = &mut carry[bi * u..(bi + 1) * u];
                    let (gz, ghh) = (&gt[..u], &gt[2 * u..]);
                    let gr_ = g.row(d, bi, s, zeros);
                    let (dpz, rest) = dpost.split_at_mut(u);
                    let dph = &mut rest[u..];
                    kernels::vecmath::gru_state_grads(gr_, hp, gz, ghh, c, dpz, dph);
                    let dzr = &mut dz[gr..gr + g3];
                    act.backward_row(
                        &pr[2 * u..],
                        &gt[2 * u..],
                        &dpost[2 * u..],
                        &mut dzr[2 * u..],
                        false,
                    );
                    ract.backward_row(&pr[..u], &gt[..u], &dpost[..u], &mut dzr[..u], false);
                    if r.reset_after {
                        let drr = &mut dr[gr..gr + g3];
                        let dzh = &dzr[2 * u..];
                        kernels::vecmath::multiply(dzh, &rh[rr..rr + u], &mut dpost[u..2 * u]);
                        kernels::vecmath::multiply(dzh, &gt[u..2 * u], &mut drr[2 * u..]);
                        ract.backward_row(
                            &pr[u..2 * u],
                            &gt[u..2 * u],
                            &dpost[u..2 * u],
                            &mut dzr[u..2 * u],
                            false,
                        );
                        drr[..2 * u].copy_from_slice(&dzr[..2 * u]);
                    } else if !has_prev {
                        dzr[u..2 * u].fill(0.0); // r only acts on the (zero) previous state
                    }
                }
                if !has_prev {
                    continue;
                }
                if r.reset_after {
                    let rows = &dr[ts * g3..];
                    let step = CarryStep {
                        d,
                        opts,
                        rows,
                        gw: g3,
                        blocks: 3,
                        rkt: rkt_buf,
                        masks: mh,
                    };
                    step.products(packed_ut, true, carry, tmp)?;
                } else {
                    // d(r ⊙ h') = dZ_h · U_hᵀ, then dr and the h' part, then the z, r products.
                    gemm_with(
                        opts,
                        1.0,
                        MatRef::new(&dz[ts * g3 + 2 * u..], d.b, u, d.t * g3, 1)?,
                        MatRef::row_major(&rkt_buf[2 * u * u..], u, u)?,
                        0.0,
                        MatMut::row_major(tmp, d.b, u)?,
                    )?;
                    for bi in 0..d.b {
                        let gr = d.at(bi, ts, g3);
                        let gt = &gates[gr..gr + g3];
                        let pr = &pre[gr..gr + g3];
                        let hp = prev_row(d, s, bi, hseq, h0).unwrap_or(&[]);
                        let tr = &mut tmp[bi * u..(bi + 1) * u];
                        for j in 0..u {
                            let m = mh_h.map_or(1.0, |m| m[bi * u + j]);
                            dpost[u + j] = tr[j] * hp[j] * m;
                            tr[j] *= gt[u + j];
                        }
                        ract.backward_row(
                            &pr[u..2 * u],
                            &gt[u..2 * u],
                            &dpost[u..2 * u],
                            &mut dz[gr + u..gr + 2 * u],
                            false,
                        );
                    }
                    if per_gate {
                        // d h'_h = r ⊙ (dZ_h U_hᵀ) (in tmp) under the candidate's mask, then the z
                        // and r blocks' products under theirs.
                        if let Some(m) = mh_h {
                            add_masked(carry, tmp, m);
                        }
                        let rows = &dz[ts * g3..];
                        let step = CarryStep {
                            d,
                            opts,
                            rows,
                            gw: g3,
                            blocks: 2,
                            rkt: rkt_buf,
                            masks: mh,
                        };
                        step.products(None, true, carry, tmp)?;
                    } else {
                        gemm_with(
                            opts,
                            1.0,
                            MatRef::new(&dz[ts * g3..], d.b, 2 * u, d.t * g3, 1)?,
                            MatRef::row_major(&rkt_buf[..2 * u * u], 2 * u, u)?,
                            1.0,
                            MatMut::row_major(tmp, d.b, u)?,
                        )?;
                        match mh_h {
                            None => carry.iter_mut().zip(tmp.iter()).for_each(|(c, &t)| *c += t),
                            Some(m) => {
                                add_masked(carry, tmp, m);
                            }
                        }
                    }
                }
            }
            Ok(())
        },
    )?;
    add_state_grad(ctx, r.h0, carry);
    if want_rk {
        // dU's z, r (and, with reset_after, h) blocks: H'ᵀ dR or H'ᵀ dZ, by mask block.
        let (blocks, src): (usize, &mut [f32]) = if r.reset_after {
            (3, &mut *dr)
        } else {
            (2, &mut *dz)
        };
        if prev_states_in_place(r, mh) {
            recurrent_grad_in_place(r, ctx, hseq, src, h0, (g3, blocks), big)?;
        } else {
            recurrent_grad(
                r,
                ctx,
                [hseq, src],
                h0,
                mh,
                (g3, blocks),
                &mut big[..bt * u],
            )?;
        }
        // reset_before's h block: (r ⊙ h')ᵀ dZ_h, with r ⊙ h' as saved (its mask applied).
        if !r.reset_after
            && let Some(grk) = ctx.grad_mut(r.recurrent)
        {
            gemm(
                1.0,
                MatRef::row_major(rh, bt, u)?.t(),
                MatRef::new(&dz[2 * u..], bt, u, g3, 1)?,
                1.0,
                MatMut::new(&mut grk[2 * u..], u, u, g3, 1)?,
            )?;
        }
    }
    if r.reset_after
        && r.bias != NONE
        && let Some(gb) = ctx.grad_mut(r.bias)
    {
        add_column_sums(&mut gb[g3..], dr);
    }
    input_side_grads(r, g3, dz, ctx, &mut big[..bt * d.f])?;
    *ctx.scratch = scratch;
    ctx.packed[0] = packed;
    Ok(())
}
