//! Recording a fused recurrent cell's node, shared by SimpleRNN (a one-gate cell), LSTM and GRU:
//! the arguments' node indices and shape checks, the node with its aux regions, and the views
//! of its input values that the op's forward pass reads (per batch chunk, too).

use kernels::PackedB;

use crate::activation::Activation;
use crate::error::{AutogradError, Result};
use crate::op::{NONE, Op};
use crate::ops::batch_chunks::Chunking;
use crate::ops::gated::{Dims, GateMasks, GatedOp};
use crate::shape::Shape;
use crate::tape::{Tape, Var};

/// What sets one cell's op apart at recording time: its name, gate count and argument names (for
/// the checks and their errors), its value's layout and what it saves for backward.
pub(crate) struct CellSpec {
    /// The op's name in errors.
    pub op: &'static str,
    /// Gate blocks of the kernels' columns (SimpleRNN 1, GRU 3, LSTM 4).
    pub gates: usize,
    /// The expected shapes of the kernel and the recurrent kernel, as errors state them.
    pub kernel_expect: &'static str,
    pub recurrent_expect: &'static str,
    /// The initial state's field name in the op's inputs struct.
    pub h0_arg: &'static str,
    /// Rows of the bias: 1 (`[G·U]`), or 2 (`[2, G·U]`, GRU's input and recurrent biases).
    pub bias_rows: usize,
    pub bias_expect: &'static str,
    /// Whether a dropout mask may be one per gate block (`[G, batch, width]`); SimpleRNN has a
    /// single block, so only the shared form.
    pub per_gate_masks: bool,
    /// States the op keeps at each step: 1 (`[B, T, U]`), or 2 (LSTM's h then c,
    /// `[2, B, T, U]`); a last-only node's value holds the last step's, `[B, U]` or
    /// `[2, B, U]`.
    pub states: usize,
    /// Sizes of the op's three aux regions from its sizes and whether it saves pre-activations.
    pub aux_lens: fn(Dims, bool) -> [usize; 3],
    /// The node's op.
    pub make: fn(GatedOp) -> Op,
}

/// The argument vars of a fused cell op, from the fields of its inputs struct.
pub(crate) struct CellVars {
    pub x: Var,
    /// `kernel` and `recurrent_kernel`.
    pub kernels: [Var; 2],
    pub bias: Option<Var>,
    /// The initial states `h` and (LSTM only) `c`.
    pub states: [Option<Var>; 2],
    /// The input and recurrent dropout masks.
    pub masks: [Option<Var>; 2],
}

/// The options of a fused cell op (see [`GatedOp`]).
#[derive(Clone, Copy)]
pub(crate) struct CellOptions {
    pub activation: Activation,
    pub recurrent_activation: Activation,
    pub go_backwards: bool,
    /// GRU only.
    pub reset_after: bool,
    /// Record only the last step's states as the node's value (see [`GatedOp::last_only`]).
    pub last_only: bool,
}

/// The input values of a fused cell op: the whole batch's, or one chunk's rows of the
/// per-sample ones (see [`CellInputs::chunk`]).
#[derive(Clone, Copy)]
pub(crate) struct CellInputs<'a> {
    pub x: &'a [f32],
    pub w: &'a [f32],
    pub rk: &'a [f32],
    pub bias: Option<&'a [f32]>,
    pub h0: Option<&'a [f32]>,
    pub c0: Option<&'a [f32]>,
    pub mx: Option<GateMasks<'a>>,
    pub mh: Option<GateMasks<'a>>,
}

impl<'a> CellInputs<'a> {
    /// Chunk `i`'s rows of the per-sample inputs (`d`: the whole batch's sizes); the weights
    /// are shared.
    pub(crate) fn chunk(&self, ch: &Chunking, i: usize, d: Dims) -> CellInputs<'a> {
        CellInputs {
            x: ch.rows(self.x, i, d.t * d.f),
            h0: ch.rows_of(self.h0, i, d.u),
            c0: ch.rows_of(self.c0, i, d.u),
            mx: self.mx.map(|m| m.rows(ch.range(i), d.f)),
            mh: self.mh.map(|m| m.rows(ch.range(i), d.u)),
            ..*self
        }
    }
}

/// A recorded cell node, for its op's forward pass to fill: the op, its input values, its state
/// sequence, its aux regions (sized by [`CellSpec::aux_lens`]) and the tape's reused buffers.
pub(crate) struct Recorded<'a> {
    pub op: GatedOp,
    pub inputs: CellInputs<'a>,
    /// Every step's states, `[states, B, T, U]`: the node's value, or (last-only) its aux
    /// region, whose last steps [`Tape::run_cell`] then copies into the value.
    pub out: &'a mut [f32],
    pub aux: [&'a mut [f32]; 3],
    pub scratch: &'a mut Vec<f32>,
    pub packed: &'a mut [PackedB; 2],
}

/// The node indices of a fused cell op's arguments (NONE when absent).
struct Indices {
    x: u32,
    kernel: u32,
    recurrent: u32,
    bias: u32,
    h0: u32,
    c0: u32,
    input_mask: u32,
    recurrent_mask: u32,
}

impl Tape {
    /// Records a fused cell op's node (checked as `record_cell` does) and runs its `forward` pass;
    /// a last-only node's value then gets the last step of each state. Returns what `forward`
    /// returns.
    pub(crate) fn run_cell<R>(
        &mut self,
        spec: &CellSpec,
        vars: &CellVars,
        options: CellOptions,
        forward: fn(Recorded<'_>) -> Result<R>,
    ) -> Result<R> {
        let rec = self.record_cell(spec, vars, options)?;
        let op = rec.op;
        let result = forward(rec)?;
        if op.last_only {
            let d = op.dims();
            let seq = op.seq_aux((spec.aux_lens)(d, op.saves_preacts()));
            let seq = &self.aux[seq..seq + spec.states * d.b * d.t * d.u];
            let off = self.nodes[self.nodes.len() - 1].offset;
            let last = &mut self.values[off..off + spec.states * d.b * d.u];
            // One row of T·U per state and sample; its last U are the last step.
            for (dst, src) in last.chunks_exact_mut(d.u).zip(seq.chunks_exact(d.t * d.u)) {
                dst.copy_from_slice(&src[(d.t - 1) * d.u..]);
            }
        }
        Ok(result)
    }

    /// Checks a fused cell op's arguments and records its node (the state sequence and aux
    /// regions are left for the forward pass to write, every element of them). Errors name the
    /// argument and its shape; dropout masks must be constants.
    fn record_cell(
        &mut self,
        spec: &CellSpec,
        vars: &CellVars,
        options: CellOptions,
    ) -> Result<Recorded<'_>> {
        let opt = |t: &Tape, v: Option<Var>| v.map_or(Ok(NONE), |v| t.index(spec.op, v));
        let ix = Indices {
            x: self.index(spec.op, vars.x)?,
            kernel: self.index(spec.op, vars.kernels[0])?,
            recurrent: self.index(spec.op, vars.kernels[1])?,
            bias: opt(self, vars.bias)?,
            h0: opt(self, vars.states[0])?,
            c0: opt(self, vars.states[1])?,
            input_mask: opt(self, vars.masks[0])?,
            recurrent_mask: opt(self, vars.masks[1])?,
        };
        let d = check_shapes(self, spec, &ix)?;
        let op = GatedOp {
            x: ix.x,
            kernel: ix.kernel,
            recurrent: ix.recurrent,
            bias: ix.bias,
            h0: ix.h0,
            c0: ix.c0,
            input_mask: ix.input_mask,
            recurrent_mask: ix.recurrent_mask,
            activation: options.activation,
            recurrent_activation: options.recurrent_activation,
            go_backwards: options.go_backwards,
            reset_after: options.reset_after,
            last_only: options.last_only,
            aux: 0,
            batch: d.b,
            steps: d.t,
            features: d.f,
            units: d.u,
        };
        // The value: every step's states, or only the last step's (no leading axis for one).
        let (all_steps, last_step) = ([spec.states, d.b, d.t, d.u], [spec.states, d.b, d.u]);
        let dims: &[usize] = if op.last_only { &last_step } else { &all_steps };
        let shape = Shape::checked(spec.op, &dims[usize::from(spec.states == 1)..])?;
        let lens = (spec.aux_lens)(d, op.saves_preacts());
        let seq_len = spec.states * d.b * d.t * d.u;
        let own_seq = if op.last_only { seq_len } else { 0 };
        let op = GatedOp {
            aux: self.aux_alloc(lens.iter().sum::<usize>() + own_seq),
            ..op
        };
        let requires_grad = [ix.x, ix.kernel, ix.recurrent, ix.bias, ix.h0, ix.c0]
            .iter()
            .any(|&i| i != NONE && self.nodes[i as usize].requires_grad);
        // The forward pass (or, last-only, `run_cell`) writes every element of the value.
        let off = self.push_unfilled(shape, (spec.make)(op), requires_grad);
        let nodes = &self.nodes;
        let (lo, hi) = self.values.split_at_mut(off);
        let lo: &[f32] = lo;
        let val = |i: u32| &lo[nodes[i as usize].range()];
        let opt = |i: u32| (i != NONE).then(|| val(i));
        let (a0, rest) = self.aux[op.aux..].split_at_mut(lens[0]);
        let (a1, rest) = rest.split_at_mut(lens[1]);
        let (a2, rest) = rest.split_at_mut(lens[2]);
        let out = if op.last_only {
            &mut rest[..seq_len]
        } else {
            &mut hi[..seq_len]
        };
        Ok(Recorded {
            op,
            inputs: CellInputs {
                x: val(ix.x),
                w: val(ix.kernel),
                rk: val(ix.recurrent),
                bias: opt(ix.bias),
                h0: opt(ix.h0),
                c0: opt(ix.c0),
                mx: opt(ix.input_mask).map(|m| GateMasks::new(m, d.b * d.f)),
                mh: opt(ix.recurrent_mask).map(|m| GateMasks::new(m, d.b * d.u)),
            },
            out,
            aux: [a0, a1, a2],
            scratch: &mut self.scratch,
            packed: &mut self.packed,
        })
    }
}

/// Checks every shape of a fused cell op; returns the sizes.
fn check_shapes(tape: &Tape, spec: &CellSpec, ix: &Indices) -> Result<Dims> {
    let (op, gates) = (spec.op, spec.gates);
    let shape_of = |i: u32| tape.nodes[i as usize].shape;
    let xs = shape_of(ix.x);
    if xs.rank() != 3 {
        return Err(AutogradError::BadShape {
            op,
            arg: "x",
            shape: xs,
            expected: "rank 3: [batch, timesteps, features]",
        });
    }
    let (b, t, f) = (xs.dim(0), xs.dim(1), xs.dim(2));
    if b == 0 || t == 0 {
        return Err(AutogradError::BadShape {
            op,
            arg: "x",
            shape: xs,
            expected: "at least one sample and one timestep",
        });
    }
    let ws = shape_of(ix.kernel);
    if ws.rank() != 2 || ws.dim(0) != f || ws.dim(1) % gates != 0 || ws.dim(1) == 0 {
        return Err(AutogradError::ShapeMismatch {
            op,
            lhs: xs,
            rhs: ws,
            expected: spec.kernel_expect,
        });
    }
    let u = ws.dim(1) / gates;
    // The argument at node `i`, when present, must have one of the `allowed` shapes.
    let expect = |i: u32, allowed: &[&[usize]], arg: &'static str, e: &'static str| {
        if i != NONE && !allowed.contains(&shape_of(i).dims()) {
            return Err(AutogradError::BadShape {
                op,
                arg,
                shape: shape_of(i),
                expected: e,
            });
        }
        Ok(())
    };
    expect(
        ix.recurrent,
        &[&[u, gates * u]],
        "recurrent_kernel",
        spec.recurrent_expect,
    )?;
    let bias: &[usize] = match spec.bias_rows {
        1 => &[gates * u],
        rows => &[rows, gates * u],
    };
    expect(ix.bias, &[bias], "bias", spec.bias_expect)?;
    expect(ix.h0, &[&[b, u]], spec.h0_arg, "[batch, units]")?;
    expect(ix.c0, &[&[b, u]], "initial_c", "[batch, units]")?;
    // A mask is shared by the gate blocks ([batch, width]) or one per block ([gates, batch, width]).
    let (mx_shapes, mh_shapes, mx_expect, mh_expect): (&[&[usize]], &[&[usize]], _, _) =
        if spec.per_gate_masks {
            (
                &[&[b, f], &[gates, b, f]],
                &[&[b, u], &[gates, b, u]],
                "[batch, features], or [gates, batch, features] (one mask per gate block)",
                "[batch, units], or [gates, batch, units] (one mask per gate block)",
            )
        } else {
            (
                &[&[b, f]],
                &[&[b, u]],
                "[batch, features]",
                "[batch, units]",
            )
        };
    expect(ix.input_mask, mx_shapes, "input_mask", mx_expect)?;
    expect(ix.recurrent_mask, mh_shapes, "recurrent_mask", mh_expect)?;
    if [ix.input_mask, ix.recurrent_mask]
        .iter()
        .any(|&i| i != NONE && tape.nodes[i as usize].requires_grad)
    {
        return Err(AutogradError::Unsupported {
            op,
            what: "dropout masks that need a gradient (masks are constants)",
        });
    }
    Ok(Dims { b, t, f, u })
}
