//! The fused LSTM op (Keras 3 `LSTM`, implementation 2): a whole sequence in one node, with a
//! hand-written BPTT backward.
//!
//! Forward, at processing step `s` consuming `x_t` (`t = s`, or `T-1-s` with `go_backwards`):
//! `z = x'_t · W + h'_{s-1} · U + b` (`[B, 4U]`, gate blocks i, f, c, o as Keras fuses them),
//! `i = ra(z_i)`, `f = ra(z_f)`, `g = a(z_c)`, `o = ra(z_o)`, `c_s = f ⊙ c_{s-1} + i ⊙ g`,
//! `h_s = o ⊙ a(c_s)`, with `a` the activation (tanh), `ra` the recurrent activation (sigmoid),
//! `x' = x ⊙ m_x` and `h' = h ⊙ m_h` when dropout masks are given (the same masks at every step;
//! `c` is never masked). `h_{-1}`, `c_{-1}` are the initial states or zeros.
//!
//! A mask is either shared by the four gate blocks (`[B, W]`: Keras 3's `implementation=2`, which
//! has an input mask only; a shared recurrent mask is an extension) or one per gate block
//! (`[4, B, W]`: `implementation=1`, which Keras 3 uses whenever `recurrent_dropout` is set);
//! then block g of `z` is `x'_g · W_g + h'_g · U_g` with `x'_g = x ⊙ m_x[g]`, and the products
//! (and their gradients) run block by block.
//!
//! The node's value is `[2, B, T, U]`: every `h_s`, then every `c_s`, in processing order; the
//! outputs are small select/slice nodes of it. ([`Tape::lstm_last`]'s node holds only
//! `[2, B, U]`, `h_T` and `c_T`, and keeps the sequences in the aux arena.) Saved in the aux arena: the gate activations
//! `[B, T, 4U]` (input-time rows), `a(c)` `[B, T, U]` and, only if an activation's derivative
//! needs its input, the gate pre-activations.
//!
//! Backward, for `s = T-1 .. 0`: `dh = G_h + carry_h`, `dc = G_c + carry_c + dh ⊙ o ⊙ a'(c_s)`,
//! gate gradients through `ra'`/`a'` into `dZ_s`, `carry_c = dc ⊙ f`, `carry_h = (dZ_s Uᵀ) ⊙ m_h`;
//! then one GEMM each for `dU = H'ᵀ dZ`, `dW = x'ᵀ dZ`, `dx = (dZ Wᵀ) ⊙ m_x`.
//!
//! Both step loops run per batch chunk ([`Chunking`]), the chunks in parallel.

use kernels::{GemmOptions, MatMut, MatRef, PackedB, gemm_with};

use crate::activation::Activation;
use crate::error::Result;
use crate::op::Op;
use crate::ops::batch_chunks::{Chunking, Cut, scratch_of};
use crate::ops::cell_record::{CellInputs, CellOptions, CellSpec, CellVars, Recorded};
use crate::ops::gated::{
    BackInputs, CarryStep, Dims, GatedOp, StateGrad, add_state_grad, gate_aux_lens, gate_blocks,
    input_side_grads, masked_input, pack_recurrent, prev_row, prev_state, prev_states_in_place,
    recurrent_grad, recurrent_grad_in_place, step_product, transpose_into,
};
use crate::tape::{Node, Tape, Var};
use crate::tape_backward::BackCtx;

/// The inputs of [`Tape::lstm`] (Keras names in the comments).
#[derive(Clone, Copy, Debug)]
pub struct LstmInputs {
    /// The sequence `[batch, time, features]`.
    pub x: Var,
    /// `kernel`, `[features, 4·units]`, gate blocks i, f, c, o.
    pub kernel: Var,
    /// `recurrent_kernel`, `[units, 4·units]`, gate blocks i, f, c, o.
    pub recurrent_kernel: Var,
    /// `bias`, `[4·units]` (None for `use_bias=False`).
    pub bias: Option<Var>,
    /// Initial memory state `h`, `[batch, units]` (None: zeros).
    pub initial_h: Option<Var>,
    /// Initial carry state `c`, `[batch, units]` (None: zeros).
    pub initial_c: Option<Var>,
    /// Input dropout mask `[batch, features]`, or `[4, batch, features]` (one per gate block),
    /// a constant (see [`crate::dropout_mask`]).
    pub input_mask: Option<Var>,
    /// Recurrent dropout mask `[batch, units]` or `[4, batch, units]` on `h` in the recurrent
    /// product, a constant.
    pub recurrent_mask: Option<Var>,
}

/// The options of [`Tape::lstm`]; `Default` is Keras' (tanh, sigmoid, forwards).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LstmOptions {
    /// `activation` (candidate and output squashing), Keras default tanh.
    pub activation: Activation,
    /// `recurrent_activation` (the i, f, o gates), Keras default sigmoid.
    pub recurrent_activation: Activation,
    /// `go_backwards`: process time from the last step; outputs stay in processing order.
    pub go_backwards: bool,
}

impl Default for LstmOptions {
    fn default() -> Self {
        LstmOptions {
            activation: Activation::Tanh,
            recurrent_activation: Activation::Sigmoid,
            go_backwards: false,
        }
    }
}

/// The outputs of [`Tape::lstm`]; all are differentiable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LstmOutput {
    /// Every `h_s`, `[batch, time, units]`, in processing order (`return_sequences`).
    pub sequence: Var,
    /// The last memory state `h_T`, `[batch, units]`.
    pub last: Var,
    /// The last carry state `c_T`, `[batch, units]` (`return_state` gives `[output, h, c]`).
    pub last_c: Var,
}

/// The outputs of [`Tape::lstm_last`]; both are differentiable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LstmLast {
    /// The last memory state `h_T`, `[batch, units]`.
    pub last: Var,
    /// The last carry state `c_T`, `[batch, units]`.
    pub last_c: Var,
}

/// LSTM's checks and saved data (aux: the gate activations, `a(c)`, the pre-activations).
const SPEC: CellSpec = CellSpec {
    op: "lstm",
    gates: 4,
    kernel_expect: "kernel of shape [features, 4·units] for x [batch, timesteps, features]",
    recurrent_expect: "[units, 4·units]",
    h0_arg: "initial_h",
    bias_rows: 1,
    bias_expect: "[4·units]",
    per_gate_masks: true,
    states: 2,
    aux_lens: gate_aux_lens::<4>,
    make: Op::Lstm,
};

impl Tape {
    /// Runs a Keras LSTM over a whole sequence as one node (see the module doc for the math).
    ///
    /// Errors name the argument and its shape; dropout masks must be constants.
    pub fn lstm(&mut self, inputs: &LstmInputs, options: &LstmOptions) -> Result<LstmOutput> {
        let d = self.lstm_node(inputs, options, false)?;
        let node = self.last_var();
        let h_seq = self.select(node, 0, 0)?;
        let tail = self.slice(node, 2, d.t - 1, 1)?;
        let tail = self.reshape(tail, &[2, d.b, d.u])?;
        let last = self.select(tail, 0, 0)?;
        let last_c = self.select(tail, 0, 1)?;
        Ok(LstmOutput {
            sequence: h_seq,
            last,
            last_c,
        })
    }

    /// [`Tape::lstm`] when only the last states are used (Keras without `return_sequences`):
    /// the same `last` and `last_c`, bit for bit, with the same gradients, but the node's value
    /// is just `[2, batch, units]` (`h_T`, `c_T`) and its state sequences live where the tape
    /// neither zeroes nor differentiates them as outputs, so the backward reads no
    /// `[batch, time, units]` gradient.
    pub fn lstm_last(&mut self, inputs: &LstmInputs, options: &LstmOptions) -> Result<LstmLast> {
        self.lstm_node(inputs, options, true)?;
        let node = self.last_var();
        Ok(LstmLast {
            last: self.select(node, 0, 0)?,
            last_c: self.select(node, 0, 1)?,
        })
    }

    /// Records and runs the LSTM node (every state, or only the last); returns the sizes.
    fn lstm_node(
        &mut self,
        inputs: &LstmInputs,
        options: &LstmOptions,
        last_only: bool,
    ) -> Result<Dims> {
        let vars = CellVars {
            x: inputs.x,
            kernels: [inputs.kernel, inputs.recurrent_kernel],
            bias: inputs.bias,
            states: [inputs.initial_h, inputs.initial_c],
            masks: [inputs.input_mask, inputs.recurrent_mask],
        };
        let cell = CellOptions {
            activation: options.activation,
            recurrent_activation: options.recurrent_activation,
            go_backwards: options.go_backwards,
            reset_after: false,
            last_only,
        };
        self.run_cell(&SPEC, &vars, cell, forward)
    }
}

/// The forward pass: the batch's chunks (see [`Chunking`]) each run [`forward_chunk`]. Returns
/// the sizes.
fn forward(rec: Recorded<'_>) -> Result<Dims> {
    let Recorded {
        op,
        inputs,
        out,
        aux: [gates, act_c, pre],
        scratch,
        packed,
    } = rec;
    let d = op.dims();
    let ch = Chunking::of(d.b);
    let u4 = MatRef::row_major(inputs.rk, d.u, 4 * d.u)?;
    let has_steps = d.t > 1 || inputs.h0.is_some();
    let packed_u = pack_recurrent(&mut packed[0], u4, ch.rows, inputs.mh, has_steps)?;
    let xm_rows = if inputs.mx.is_some() {
        ch.rows * d.t * d.f
    } else {
        0
    };
    let per = xm_rows + ch.rows * d.u;
    let buf = scratch_of(scratch, per * ch.count);
    let (hseq, cseq) = out.split_at_mut(d.b * d.t * d.u);
    let (tu, tg) = (d.t * d.u, d.t * 4 * d.u);
    ch.run_jobs(
        [
            Cut::Rows(hseq, tu),
            Cut::Rows(cseq, tu),
            Cut::Rows(gates, tg),
            Cut::Rows(act_c, tu),
            Cut::Rows(pre, tg),
            Cut::Each(buf, per),
        ],
        |i, [h, c, g, a, p, scratch], opts| {
            forward_chunk(
                &op,
                d.chunk(&ch, i),
                opts,
                &inputs.chunk(&ch, i, d),
                [h, c],
                [g, a, p],
                scratch,
                packed_u,
            )
        },
    )?;
    Ok(d)
}

/// One chunk's forward pass (`d.b` = the chunk's samples; every slice holds just its rows).
#[allow(clippy::too_many_arguments)]
fn forward_chunk(
    op: &GatedOp,
    d: Dims,
    opts: &GemmOptions,
    inp: &CellInputs<'_>,
    [hseq, cseq]: [&mut [f32]; 2],
    [gates, act_c, pre]: [&mut [f32]; 3],
    scratch: &mut [f32],
    packed_u: Option<&PackedB>,
) -> Result<()> {
    let (bt, u, g4) = (d.b * d.t, d.u, 4 * d.u);
    let (act, ract) = (op.activation, op.recurrent_activation);
    let (x, w, rk, bias) = (inp.x, inp.w, inp.rk, inp.bias);
    let (h0, c0, mx, mh) = (inp.h0, inp.c0, inp.mx, inp.mh);
    let xm_len = if mx.is_some() { bt * d.f } else { 0 };
    let buf = &mut scratch[..xm_len + d.b * u];
    let (xm, hbuf) = buf.split_at_mut(xm_len);
    // One product per gate block with per-gate masks, else one over all four.
    for (c0, width, m) in gate_blocks(mx, 4, u) {
        let xin = masked_input(d, x, m, xm);
        gemm_with(
            opts,
            1.0,
            MatRef::row_major(xin, bt, d.f)?,
            MatRef::new(&w[c0..], d.f, width, g4, 1)?,
            0.0,
            MatMut::new(&mut gates[c0..], bt, width, g4, 1)?,
        )?;
    }
    let save_pre = !pre.is_empty();
    // Keras' default activations take one vectorized pass per row (same bits as the steps
    // below, one after the other).
    let fused = ract == Activation::Sigmoid && act == Activation::Tanh && !save_pre;
    for s in 0..d.t {
        let ts = op.input_time(s);
        for (c0, width, m) in gate_blocks(mh, 4, u) {
            if let Some(hp) = prev_state(d, s, hseq, h0, m, hbuf)? {
                let slot = MatMut::new(&mut gates[ts * g4 + c0..], d.b, width, d.t * g4, 1)?;
                let rkb = MatRef::new(&rk[c0..], u, width, g4, 1)?;
                step_product(opts, hp, packed_u, rkb, 1.0, slot)?;
            }
        }
        for bi in 0..d.b {
            let gr = d.at(bi, ts, g4);
            let z = &mut gates[gr..gr + g4];
            let hr = d.at(bi, s, u);
            if fused {
                // c_{s-1} is the row just before c_s in cseq (or c0, or zeros).
                let (before, after) = cseq.split_at_mut(hr);
                let cprev = if s > 0 {
                    Some(&before[hr - u..])
                } else {
                    c0.map(|c| &c[bi * u..(bi + 1) * u])
                };
                kernels::vecmath::lstm_step_sigmoid_tanh(
                    z,
                    bias,
                    cprev,
                    &mut after[..u],
                    &mut act_c[hr..hr + u],
                    &mut hseq[hr..hr + u],
                );
                continue;
            }
            if let Some(bv) = bias {
                kernels::vecmath::add_assign(z, bv);
            }
            if save_pre {
                pre[gr..gr + g4].copy_from_slice(z);
            }
            let (zi, rest) = z.split_at_mut(u);
            let (zf, rest) = rest.split_at_mut(u);
            let (zg, zo) = rest.split_at_mut(u);
            ract.apply_row(zi);
            ract.apply_row(zf);
            act.apply_row(zg);
            ract.apply_row(zo);
            // c_{s-1} is the row just before c_s in cseq (or c0, or zeros).
            let (before, after) = cseq.split_at_mut(hr);
            let crow = &mut after[..u];
            let cprev = if s > 0 {
                Some(&before[hr - u..])
            } else {
                c0.map(|c| &c[bi * u..(bi + 1) * u])
            };
            // The element-wise steps run vectorized for the CPU (this crate is compiled for
            // baseline x86-64, where these loops ran at SSE2 width), with the same bits.
            kernels::vecmath::lstm_cell_state(zi, zf, zg, cprev, crow);
            let ac = &mut act_c[hr..hr + u];
            ac.copy_from_slice(crow);
            act.apply_row(ac);
            kernels::vecmath::multiply(zo, ac, &mut hseq[hr..hr + u]);
        }
    }
    Ok(())
}

/// BPTT (see the module doc).
pub(crate) fn backward(r: &GatedOp, node: &Node, g: &[f32], ctx: &mut BackCtx<'_>) -> Result<()> {
    let d = r.dims();
    let (bt, u, g4) = (d.b * d.t, d.u, 4 * d.u);
    let (act, ract) = (r.activation, r.recurrent_activation);
    let BackInputs {
        states,
        rk,
        h0,
        c0,
        mh,
        aux: [gates, act_c, pre],
        want_rk,
        want_h0,
    } = r.back_inputs(
        ctx,
        node,
        gate_aux_lens::<4>(d, r.saves_preacts()),
        SPEC.states,
    );
    let (hseq, cseq) = states.split_at(bt * u);
    let [gh, gc] = StateGrad::split(r, g, SPEC.states);
    // Pre-activations, or the activations themselves when no derivative reads its input.
    let pre: &[f32] = if pre.is_empty() { gates } else { pre };

    let mut scratch = std::mem::take(ctx.scratch);
    let xbuf_len = bt * d.f;
    let ch = Chunking::of(d.b);
    // Per chunk: the gate gradients of one row (dpost), two rows of temporaries, a row of zeros
    // (the state gradients of a last-only node's earlier steps) and a `[rows, U]` product (the
    // per-gate masks' carry terms).
    let per = g4 + 3 * u + ch.rows * u;
    let big_len = (bt * u).max(xbuf_len).max(d.b * g4);
    let need = bt * g4 + 2 * d.b * u + ch.count * per + u * g4 + big_len;
    let buf = scratch_of(&mut scratch, need);
    let (dz, rest) = buf.split_at_mut(bt * g4);
    let (carry_h, rest) = rest.split_at_mut(d.b * u);
    let (carry_c, rest) = rest.split_at_mut(d.b * u);
    let (temps, rest) = rest.split_at_mut(ch.count * per);
    let (rkt_buf, big) = rest.split_at_mut(u * g4);
    // Uᵀ serves the carry products, which one step without dh0 never runs (the tutorial).
    if d.t > 1 || want_h0 {
        transpose_into(rk, u, g4, rkt_buf);
    }
    let rkt_buf: &[f32] = rkt_buf;
    let mut packed = std::mem::take(&mut ctx.packed[0]);
    let packed_ut = pack_recurrent(
        &mut packed,
        MatRef::row_major(rkt_buf, g4, u)?,
        ch.rows,
        mh,
        d.t > 1 || want_h0,
    )?;
    let (tu, tg) = (d.t * u, d.t * g4);
    // Keras' default activations take one vectorized pass per row (same bits as the steps
    // below, one after the other).
    let fused = ract == Activation::Sigmoid && act == Activation::Tanh;
    ch.run_jobs(
        [
            Cut::Rows(dz, tg),
            Cut::Rows(carry_h, u),
            Cut::Rows(carry_c, u),
            Cut::Each(temps, per),
        ],
        |i, [dz, carry_h, carry_c, temp], opts| {
            let d = Dims {
                b: ch.range(i).1,
                ..d
            };
            let (gates, pre) = (ch.rows(gates, i, tg), ch.rows(pre, i, tg));
            let (act_c, cseq) = (ch.rows(act_c, i, tu), ch.rows(cseq, i, tu));
            let (gh, gc) = (gh.chunk(&ch, i, d), gc.chunk(&ch, i, d));
            let (c0, mh) = (ch.rows_of(c0, i, u), mh.map(|m| m.rows(ch.range(i), u)));
            let (dpost, rest) = temp.split_at_mut(g4);
            let (t1, rest) = rest.split_at_mut(u);
            let (t2, rest) = rest.split_at_mut(u);
            let (zeros, prod) = rest.split_at_mut(u);
            zeros.fill(0.0);
            let zeros: &[f32] = zeros;
            let prod = &mut prod[..d.b * u];
            carry_h.fill(0.0);
            carry_c.fill(0.0);
            for s in (0..d.t).rev() {
                let ts = r.input_time(s);
                for bi in 0..d.b {
                    let hr = d.at(bi, s, u);
                    let gr = d.at(bi, ts, g4);
                    let gt = &gates[gr..gr + g4];
                    if fused {
                        kernels::vecmath::lstm_step_grads_sigmoid_tanh(
                            gh.row(d, bi, s, zeros),
                            &carry_h[bi * u..(bi + 1) * u],
                            gc.row(d, bi, s, zeros),
                            gt,
                            &act_c[hr..hr + u],
                            prev_row(d, s, bi, cseq, c0),
                            &mut carry_c[bi * u..(bi + 1) * u],
                            &mut dz[gr..gr + g4],
                        );
                        continue;
                    }
                    let (gi, gf, gg, go) =
                        (&gt[..u], &gt[u..2 * u], &gt[2 * u..3 * u], &gt[3 * u..]);
                    let ac = &act_c[hr..hr + u];
                    let chr = &mut carry_h[bi * u..(bi + 1) * u];
                    let (dpi, rest) = dpost.split_at_mut(u);
                    let (dpf, rest) = rest.split_at_mut(u);
                    let (dpg, dpo) = rest.split_at_mut(u);
                    // dh -> do (into dpost) and d a(c) (into t1), vectorized for the CPU.
                    let ghr = gh.row(d, bi, s, zeros);
                    kernels::vecmath::lstm_output_grads(ghr, chr, ac, go, dpo, t1);
                    act.backward_row(&cseq[hr..hr + u], ac, t1, t2, false);
                    // t1 is free again: zeros stand in for a missing previous carry state.
                    let cp: &[f32] = match prev_row(d, s, bi, cseq, c0) {
                        Some(cp) => cp,
                        None => {
                            t1.fill(0.0);
                            t1
                        }
                    };
                    let cc = &mut carry_c[bi * u..(bi + 1) * u];
                    let gcr = gc.row(d, bi, s, zeros);
                    kernels::vecmath::lstm_state_grads(gcr, t2, gi, gf, gg, cp, cc, dpi, dpf, dpg);
                    let pr = &pre[gr..gr + g4];
                    let dzr = &mut dz[gr..gr + g4];
                    for (k, a) in [ract, ract, act, ract].iter().enumerate() {
                        let sl = k * u..(k + 1) * u;
                        a.backward_row(
                            &pr[sl.clone()],
                            &gt[sl.clone()],
                            &dpost[sl.clone()],
                            &mut dzr[sl],
                            false,
                        );
                    }
                }
                if s > 0 || want_h0 {
                    // carry_h = Σ over the products (one, or one per gate block) of (dZ_g U_gᵀ) ⊙ m_g.
                    let step = CarryStep {
                        d,
                        opts,
                        rows: &dz[ts * g4..],
                        gw: g4,
                        blocks: 4,
                        rkt: rkt_buf,
                        masks: mh,
                    };
                    step.products(packed_ut, false, carry_h, prod)?;
                }
            }
            Ok(())
        },
    )?;
    add_state_grad(ctx, r.h0, carry_h);
    add_state_grad(ctx, r.c0, carry_c);
    if want_rk && prev_states_in_place(r, mh) {
        recurrent_grad_in_place(r, ctx, hseq, dz, h0, (g4, 4), big)?;
    } else if want_rk {
        recurrent_grad(r, ctx, [hseq, dz], h0, mh, (g4, 4), &mut big[..bt * u])?;
    }
    input_side_grads(r, g4, dz, ctx, &mut big[..xbuf_len])?;
    *ctx.scratch = scratch;
    ctx.packed[0] = packed;
    Ok(())
}
