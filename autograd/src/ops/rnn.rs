//! The fused SimpleRNN op: a whole sequence forward in one node, with a hand-written BPTT
//! backward.
//!
//! Forward, Keras 3's cell at every step (`h_{-1}` = initial state or zeros):
//! `z_s = (x'_t · W + b) + h'_{s-1} · U`, `h_s = act(z_s)`, with `x' = x ⊙ m_x` and
//! `h' = h ⊙ m_h` when the dropout masks are given (the same masks at every step). Step `s`
//! consumes `x_t` with `t = s`, or `t = T-1-s` with `go_backwards`; the output sequence is in
//! processing order (as Keras returns it). Each step is one GEMM onto the step's rows,
//! `[h'_{s-1}, x'_t, 1] · [U; W; b]` (`[B, U + F + 1] · [U + F + 1, U]`). The node's value is that
//! sequence, or, for [`Tape::simple_rnn_last`], `h_T` alone, with the sequence in the aux arena
//! (whose gradient `G` is then zero before the last step).
//!
//! Backward, for `s = T-1 .. 0`: `dh_s = G_s + carry`, `dz_s = dh_s ⊙ act'(z_s)`,
//! `carry = (dz_s Uᵀ) ⊙ m_h` (which is `dh0` after step 0); then once for all steps
//! `dU += H'ᵀ dZ` (`H'` the masked previous states), `dW += x'ᵀ dZ`, `db += Σ dZ`,
//! `dx += (dZ Wᵀ) ⊙ m_x`.
//!
//! Both step loops run per batch chunk ([`Chunking`]), the chunks in parallel.

use kernels::{GemmOptions, MatMut, MatRef, PackedB, gemm_with};

use crate::activation::Activation;
use crate::error::Result;
use crate::op::{NONE, Op};
use crate::ops::batch_chunks::{Chunking, Cut, scratch_of};
use crate::ops::cell_record::{CellInputs, CellOptions, CellSpec, CellVars, Recorded};
use crate::ops::gated::{
    BackInputs, CarryStep, Dims, GatedOp, StateGrad, add_state_grad, input_side_grads, mask_row,
    pack_recurrent, prev_row, prev_states_in_place, recurrent_grad, recurrent_grad_in_place,
    step_product, transpose_into,
};
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

/// SimpleRNN is a one-gate cell; it saves only the pre-activations `[B, T, U]` (processing
/// order), when the activation's derivative needs them: its value holds the activations.
const SPEC: CellSpec = CellSpec {
    op: "simple_rnn",
    gates: 1,
    kernel_expect: "kernel of shape [features, units] for x [batch, timesteps, features]",
    recurrent_expect: "[units, units]",
    h0_arg: "initial_state",
    bias_rows: 1,
    bias_expect: "[units]",
    per_gate_masks: false,
    states: 1,
    aux_lens: |d, preacts| [0, 0, if preacts { d.b * d.t * d.u } else { 0 }],
    make: Op::SimpleRnn,
};

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
        let steps = self.simple_rnn_node(inputs, activation, go_backwards, false)?;
        let sequence = self.last_var();
        let last = self.select(sequence, 1, steps - 1)?;
        Ok(SimpleRnnOutput { sequence, last })
    }

    /// [`Tape::simple_rnn`] when only the last state is used (Keras without
    /// `return_sequences`): returns `h_T`, `[batch, units]`, with the same bits as
    /// `simple_rnn(..).last` and the same gradients, but the node keeps its state sequence
    /// where the tape neither zeroes nor differentiates it as an output, so the backward reads
    /// no `[batch, time, units]` gradient.
    pub fn simple_rnn_last(
        &mut self,
        inputs: &SimpleRnnInputs,
        activation: Activation,
        go_backwards: bool,
    ) -> Result<Var> {
        self.simple_rnn_node(inputs, activation, go_backwards, true)?;
        Ok(self.last_var())
    }

    /// Records and runs the SimpleRNN node (every state, or only the last); returns the number
    /// of steps.
    fn simple_rnn_node(
        &mut self,
        inputs: &SimpleRnnInputs,
        activation: Activation,
        go_backwards: bool,
        last_only: bool,
    ) -> Result<usize> {
        let vars = CellVars {
            x: inputs.x,
            kernels: [inputs.kernel, inputs.recurrent_kernel],
            bias: inputs.bias,
            states: [inputs.initial_state, None],
            masks: [inputs.input_mask, inputs.recurrent_mask],
        };
        // No gates: the linear recurrent activation saves nothing and is never applied.
        let options = CellOptions {
            activation,
            recurrent_activation: Activation::Linear,
            go_backwards,
            reset_after: false,
            last_only,
        };
        self.run_cell(&SPEC, &vars, options, forward)
    }
}

/// The forward pass: the batch's chunks (see [`Chunking`]) each run [`forward_chunk`], all on
/// one stacked kernel `[U; W; b]` (see [`stack_kernels`]), packed once per pass when it pays
/// (see [`pack_recurrent`]). Returns the number of steps.
fn forward(rec: Recorded<'_>) -> Result<usize> {
    let Recorded {
        op,
        inputs,
        out,
        aux: [_, _, saved],
        scratch,
        packed,
    } = rec;
    let d = op.dims();
    let ch = Chunking::of(d.b);
    let k = stacked_depth(d, inputs.bias.is_some());
    let per = ch.rows * k;
    let buf = scratch_of(scratch, k * d.u + per * ch.count);
    let (stacked, rows) = buf.split_at_mut(k * d.u);
    stack_kernels(d, &inputs, stacked);
    let stacked: &[f32] = stacked;
    let smat = MatRef::row_major(stacked, k, d.u)?;
    let has_steps = d.t > 1 || inputs.h0.is_some();
    let packed_s = pack_recurrent(&mut packed[0], smat, ch.rows, inputs.mh, has_steps)?;
    let row_len = d.t * d.u;
    ch.run_jobs(
        [
            Cut::Rows(out, row_len),
            Cut::Rows(saved, row_len),
            Cut::Each(rows, per),
        ],
        |i, [out, saved, rows], opts| {
            let dc = d.chunk(&ch, i);
            let inp = inputs.chunk(&ch, i, d);
            let kernel = StepKernel {
                plain: stacked,
                packed: packed_s,
            };
            forward_chunk(dc, &op, opts, &inp, kernel, [out, saved, rows])
        },
    )?;
    Ok(d.t)
}

/// Depth of a step's single product: the previous state's `U` columns, the input's `F` and,
/// with a bias, a column of ones.
fn stacked_depth(d: Dims, bias: bool) -> usize {
    d.u + d.f + usize::from(bias)
}

/// The recurrent kernel, the input kernel and the bias stacked into one `[U + F (+ 1), U]`
/// matrix, so that a step's `h'_{s-1} U + x'_t W + b` is one product of the row
/// `[h'_{s-1}, x'_t, 1]` by it. Two products per step (the input projection onto the bias rows,
/// then the recurrent product onto those) wrote and read the step's strided output rows three
/// times; the joint product writes them once, and the input projection (k = F, a poor fit for
/// the micro-kernel) rides along with the recurrent one.
fn stack_kernels(d: Dims, inputs: &CellInputs<'_>, dst: &mut [f32]) {
    let (uu, fu) = (d.u * d.u, d.f * d.u);
    dst[..uu].copy_from_slice(&inputs.rk[..uu]);
    dst[uu..uu + fu].copy_from_slice(&inputs.w[..fu]);
    if let Some(bv) = inputs.bias {
        dst[uu + fu..uu + fu + d.u].copy_from_slice(&bv[..d.u]);
    }
}

/// A step's stacked kernel: its packing when [`pack_recurrent`] made one, and the plain matrix.
#[derive(Clone, Copy)]
struct StepKernel<'a> {
    /// `[K, U]` row-major.
    plain: &'a [f32],
    packed: Option<&'a PackedB>,
}

/// One chunk's forward pass (`d.b` = the chunk's samples; every slice holds just its rows;
/// `saved` is empty when no pre-activation is saved). `rows` holds the step's product operand,
/// `[B, K]` with `K` = [`stacked_depth`]: per sample `[h'_{s-1}, x'_t, 1]`.
///
/// Per step: the (masked) input row into its columns, one product by the stacked kernel into
/// the step's rows of `out` (overwritten, beta = 0), then one pass over them while they are
/// hot: save the pre-activation if needed, apply the activation, and write the next step's
/// (masked) previous state into the operand's first `U` columns. Step 0 without an initial
/// state multiplies only the input columns (the state is zero). The bias enters the product's
/// sum as its last term, so `z` is `Σ h'U + Σ x'W + b` summed in that order.
fn forward_chunk(
    d: Dims,
    op: &GatedOp,
    opts: &GemmOptions,
    inp: &CellInputs<'_>,
    kernel: StepKernel<'_>,
    [out, saved, rows]: [&mut [f32]; 3],
) -> Result<()> {
    let (u, f, act) = (d.u, d.f, op.activation);
    let k = stacked_depth(d, inp.bias.is_some());
    let mx = inp.mx.map(|m| m.gate(0));
    let mh = inp.mh.map(|m| m.gate(0));
    // Every element of `rows` is written before it is read: the ones column here, the state
    // columns before the first product that reads them, the input columns at every step.
    let mut have_prev = false;
    for bi in 0..d.b {
        let row = &mut rows[bi * k..(bi + 1) * k];
        if inp.bias.is_some() {
            row[k - 1] = 1.0;
        }
        if let Some(src) = prev_row(d, 0, bi, out, inp.h0) {
            have_prev = true;
            match mh {
                None => row[..u].copy_from_slice(src),
                Some(m) => mask_row(&mut row[..u], src, &m[bi * u..(bi + 1) * u]),
            }
        }
    }
    for s in 0..d.t {
        // The input this step consumes (`x_{T-1-s}` with go_backwards).
        let ts = op.input_time(s);
        for bi in 0..d.b {
            let o = d.at(bi, ts, f);
            let dst = &mut rows[bi * k + u..bi * k + u + f];
            match mx {
                None => dst.copy_from_slice(&inp.x[o..o + f]),
                Some(m) => mask_row(dst, &inp.x[o..o + f], &m[bi * f..(bi + 1) * f]),
            }
        }
        let slot = MatMut::new(&mut out[s * u..], d.b, u, d.t * u, 1)?;
        if have_prev {
            let a = MatRef::row_major(rows, d.b, k)?;
            let plain = MatRef::row_major(kernel.plain, k, u)?;
            step_product(opts, a, kernel.packed, plain, 0.0, slot)?;
        } else {
            let a = MatRef::new(&rows[u..], d.b, k - u, k, 1)?;
            let b = MatRef::row_major(&kernel.plain[u * u..], k - u, u)?;
            gemm_with(opts, 1.0, a, b, 0.0, slot)?;
        }
        let last = s + 1 == d.t;
        for bi in 0..d.b {
            let r = d.at(bi, s, u);
            let row = &mut out[r..r + u];
            if !saved.is_empty() {
                saved[r..r + u].copy_from_slice(row);
            }
            act.apply_row(row);
            if !last {
                let next = &mut rows[bi * k..bi * k + u];
                match mh {
                    None => next.copy_from_slice(row),
                    Some(m) => mask_row(next, row, &m[bi * u..(bi + 1) * u]),
                }
            }
        }
        have_prev = true;
    }
    Ok(())
}

/// BPTT (see the module doc). The recurrence runs per batch chunk (see [`Chunking`]); `dU`,
/// `dW`, `db` and `dx` are then one GEMM or sum each over all samples and steps.
pub(crate) fn backward(r: &GatedOp, node: &Node, g: &[f32], ctx: &mut BackCtx<'_>) -> Result<()> {
    let d = r.dims();
    let (bt, u, act) = (d.b * d.t, d.u, r.activation);
    let BackInputs {
        states: out,
        rk,
        h0,
        mh,
        aux: [_, _, saved],
        want_rk,
        want_h0,
        ..
    } = r.back_inputs(
        ctx,
        node,
        (SPEC.aux_lens)(d, r.saves_preacts()),
        SPEC.states,
    );
    let [g, _] = StateGrad::split(r, g, SPEC.states);
    // Pre-activations, or the activations themselves when the derivative reads its output.
    let z: &[f32] = if saved.is_empty() { out } else { saved };

    let mut scratch = std::mem::take(ctx.scratch);
    let ch = Chunking::of(d.b);
    // dZ, the carry (dh0 after step 0), Uᵀ, each chunk's dh and a row of zeros (the gradient of
    // a last-only node's earlier steps), then the previous states or x'.
    let big = if want_rk { bt * u } else { 0 }.max(if r.input_mask != NONE { bt * d.f } else { 0 });
    let per = ch.rows * u + u;
    let need = bt * u + d.b * u + u * u + ch.count * per + big;
    let buf = scratch_of(&mut scratch, need);
    let (dz, rest) = buf.split_at_mut(bt * u);
    let (carry, rest) = rest.split_at_mut(d.b * u);
    let (rkt_buf, rest) = rest.split_at_mut(u * u);
    let (dhs, big) = rest.split_at_mut(ch.count * per);
    // Uᵀ once: a transposed view would make the small GEMM path copy U at every step.
    if d.t > 1 || want_h0 {
        transpose_into(rk, u, u, rkt_buf);
    }
    let rkt_buf: &[f32] = rkt_buf;
    // Uᵀ packed once for every step's carry product, when that pays (as U in the forward).
    let mut packed = std::mem::take(&mut ctx.packed[0]);
    let packed_ut = pack_recurrent(
        &mut packed,
        MatRef::row_major(rkt_buf, u, u)?,
        ch.rows,
        mh,
        d.t > 1 || want_h0,
    )?;
    let row_len = d.t * u;
    let output_grad = act.output_grad();
    ch.run_jobs(
        [
            Cut::Rows(dz, row_len),
            Cut::Rows(carry, u),
            Cut::Each(dhs, per),
        ],
        |i, [dz, carry, temp], opts| {
            let dc = d.chunk(&ch, i);
            let (g, z, out) = (
                g.chunk(&ch, i, d),
                ch.rows(z, i, row_len),
                ch.rows(out, i, row_len),
            );
            let mh = mh.map(|m| m.rows(ch.range(i), u));
            let (dh, zeros) = temp.split_at_mut(ch.rows * u);
            zeros.fill(0.0);
            let zeros: &[f32] = zeros;
            carry.fill(0.0);
            for s in (0..d.t).rev() {
                // Row of dZ in input-time order, so dW and dx are single GEMMs over all steps.
                let ts = r.input_time(s);
                for bi in 0..dc.b {
                    let (ro, rz) = (dc.at(bi, s, u), dc.at(bi, ts, u));
                    let cr = &carry[bi * u..(bi + 1) * u];
                    let gr = g.row(dc, bi, s, zeros);
                    if let Some(kind) = output_grad {
                        // dZ = (G + carry) ⊙ f'(Y) in one vectorized pass.
                        let (y, dzr) = (&out[ro..ro + u], &mut dz[rz..rz + u]);
                        kernels::vecmath::activation_grad(kind, y, gr, Some(cr), dzr);
                        continue;
                    }
                    let dhr = &mut dh[bi * u..(bi + 1) * u];
                    for ((o, &gi), &c) in dhr.iter_mut().zip(gr).zip(cr) {
                        *o = gi + c;
                    }
                    act.backward_row(
                        &z[ro..ro + u],
                        &out[ro..ro + u],
                        dhr,
                        &mut dz[rz..rz + u],
                        false,
                    );
                }
                if s == 0 && !want_h0 {
                    break;
                }
                if s > 0 {
                    // The next step's rows of Y (written in the forward pass, long out of L2)
                    // load while this step's product runs: 39.0 -> 37.4-38.3 ms per fwd+bwd at
                    // (128, 64, 32, 256) on a Zen 4, 1 thread.
                    for bi in 0..dc.b {
                        let ro = dc.at(bi, s - 1, u);
                        kernels::memory::prefetch_l2(&out[ro..ro + u]);
                    }
                }
                // carry = (dZ_s Uᵀ) ⊙ m_h (a single block: `prod` is never needed).
                let step = CarryStep {
                    d: dc,
                    opts,
                    rows: &dz[ts * u..],
                    gw: u,
                    blocks: 1,
                    rkt: rkt_buf,
                    masks: mh,
                };
                step.products(packed_ut, false, carry, &mut [])?;
            }
            Ok(())
        },
    )?;
    add_state_grad(ctx, r.h0, carry);
    if want_rk && prev_states_in_place(r, mh) {
        recurrent_grad_in_place(r, ctx, out, dz, h0, (u, 1), big)?;
    } else if want_rk {
        recurrent_grad(r, ctx, [out, dz], h0, mh, (u, 1), &mut big[..bt * u])?;
    }
    let xbuf_len = if r.input_mask != NONE { bt * d.f } else { 0 };
    input_side_grads(r, u, dz, ctx, &mut big[..xbuf_len])?;
    *ctx.scratch = scratch;
    ctx.packed[0] = packed;
    Ok(())
}
