//! `SimpleRNN(units)`: Keras 3's fully connected recurrent layer (docs/keras-semantics.md, A.1),
//! run by the fused autograd op [`Tape::simple_rnn`].
//!
//! Cell: `h_t = act((x_t · W + b) + h_{t-1} · U)`, `h_0 = 0` (or `initial_state`, or the
//! carried state of a stateful layer).
//!
//! Deliberate differences from Keras 3.15, each documented on the argument:
//! - `dropout` / `recurrent_dropout` outside `[0, 1]` are rejected (Keras clamps silently).
//! - Dropout masks are drawn only in training calls (Keras also draws, and discards, them in
//!   inference calls); the masks' values come from recur's seeded stream, not Keras's.
//! - `unroll` is accepted and has no effect: the fused op is numerically identical to Keras's
//!   unrolled and looped versions alike (Keras's own tests use the same goldens for both).
//! - `seed` is saved with the config (Keras drops it from `get_config`).

use autograd::{Activation, SimpleRnnInputs, Tape, Var};
use serde::{Deserialize, Serialize};

use super::cell_weights::CellWeights;
use super::recurrent::{CallState, Spec, begin, finish};
use super::{LayerOutput, Param};
use crate::constraints::Constraint;
use crate::error::{NnError, Result};
use crate::initializers::Initializer;
use crate::regularizers::Regularizer;

/// Keras `SimpleRNN` arguments; [`SimpleRnnConfig::new`] gives Keras's defaults.
///
/// Weights, in Keras's order and names: `kernel (features, units)`,
/// `recurrent_kernel (units, units)`, `bias (units,)` (one bias: 1,184 parameters for
/// `SimpleRNN(32)` on 4 features).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimpleRnnConfig {
    /// Layer name (None: Keras's automatic `simple_rnn`, `simple_rnn_1`, ...).
    #[serde(default)]
    pub name: Option<String>,
    /// State size, > 0.
    pub units: usize,
    /// Default tanh (Keras `activation=None` is [`Activation::Linear`]).
    pub activation: Activation,
    /// Default true.
    pub use_bias: bool,
    /// Default glorot_uniform.
    pub kernel_initializer: Initializer,
    /// Default orthogonal.
    pub recurrent_initializer: Initializer,
    /// Default zeros.
    pub bias_initializer: Initializer,
    /// Default none.
    pub kernel_regularizer: Option<Regularizer>,
    /// Default none.
    pub recurrent_regularizer: Option<Regularizer>,
    /// Default none.
    pub bias_regularizer: Option<Regularizer>,
    /// Penalty on every returned tensor (the state too with `return_state`), divided by the
    /// batch size. Default none.
    pub activity_regularizer: Option<Regularizer>,
    /// Default none.
    pub kernel_constraint: Option<Constraint>,
    /// Default none.
    pub recurrent_constraint: Option<Constraint>,
    /// Default none.
    pub bias_constraint: Option<Constraint>,
    /// Input dropout rate in `[0, 1]` (default 0): one mask `(batch, features)` per call, reused
    /// at every timestep (Keras 3). Out-of-range rates are an error (Keras clamps them).
    pub dropout: f32,
    /// Recurrent dropout rate in `[0, 1]` (default 0): one mask `(batch, units)` per call.
    pub recurrent_dropout: f32,
    /// Return the whole sequence `(batch, timesteps, units)` instead of the last output.
    pub return_sequences: bool,
    /// Also return the final state (layer calls only: a [`crate::model::Sequential`] layer must
    /// have one output, as in Keras).
    pub return_state: bool,
    /// Process time backwards; the returned sequence is in processing order (reversed), as Keras.
    pub go_backwards: bool,
    /// Carry the last state of each call into the next; the batch size is fixed by the first
    /// call and a batch of another size is an error. Reset with `reset_states`.
    pub stateful: bool,
    /// Accepted for Keras compatibility; changes nothing (the fused op is used either way and
    /// gives the same numbers as Keras's unrolled loop).
    pub unroll: bool,
    /// Seed of the dropout masks (default: derived from the model seed).
    pub seed: Option<u64>,
}

impl SimpleRnnConfig {
    /// `SimpleRNN(units)` with Keras's defaults.
    pub fn new(units: usize) -> Self {
        SimpleRnnConfig {
            name: None,
            units,
            activation: Activation::Tanh,
            use_bias: true,
            kernel_initializer: Initializer::glorot_uniform(),
            recurrent_initializer: Initializer::orthogonal(),
            bias_initializer: Initializer::Zeros,
            kernel_regularizer: None,
            recurrent_regularizer: None,
            bias_regularizer: None,
            activity_regularizer: None,
            kernel_constraint: None,
            recurrent_constraint: None,
            bias_constraint: None,
            dropout: 0.0,
            recurrent_dropout: 0.0,
            return_sequences: false,
            return_state: false,
            go_backwards: false,
            stateful: false,
            unroll: false,
            seed: None,
        }
    }

    /// Sets the activation.
    pub fn activation(mut self, a: Activation) -> Self {
        self.activation = a;
        self
    }

    /// Sets the layer name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets `return_sequences`.
    pub fn return_sequences(mut self, b: bool) -> Self {
        self.return_sequences = b;
        self
    }

    /// The weight arguments, as the shared validation and parameter code reads them.
    fn weights(&self) -> CellWeights<'_> {
        CellWeights {
            class: "SimpleRNN",
            units: self.units,
            gates: 1,
            use_bias: self.use_bias,
            bias_shape: vec![self.units],
            initializers: [
                &self.kernel_initializer,
                &self.recurrent_initializer,
                &self.bias_initializer,
            ],
            regularizers: [
                &self.kernel_regularizer,
                &self.recurrent_regularizer,
                &self.bias_regularizer,
            ],
            activity_regularizer: &self.activity_regularizer,
            constraints: [
                &self.kernel_constraint,
                &self.recurrent_constraint,
                &self.bias_constraint,
            ],
            dropout: self.dropout,
            recurrent_dropout: self.recurrent_dropout,
            return_sequences: self.return_sequences,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        self.weights().validate()
    }

    pub(crate) fn make_params(
        &self,
        layer: &str,
        input_shape: &[usize],
    ) -> Result<(Vec<Param>, Vec<usize>)> {
        self.weights().params(layer, input_shape)
    }
}

impl SimpleRnnConfig {
    /// The arguments the shared recurrent call logic reads.
    pub(super) fn spec(&self) -> Spec<'_> {
        Spec {
            class: "SimpleRNN",
            units: self.units,
            n_states: 1,
            gate_blocks: 1,
            dropout: self.dropout,
            recurrent_dropout: self.recurrent_dropout,
            return_sequences: self.return_sequences,
            return_state: self.return_state,
            stateful: self.stateful,
            activity_regularizer: &self.activity_regularizer,
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn forward(
    c: &SimpleRnnConfig,
    name: &str,
    vars: &[Var],
    tape: &mut Tape,
    x: Var,
    training: bool,
    initial_states: &[Var],
    st: &mut CallState<'_>,
) -> Result<LayerOutput> {
    let spec = c.spec();
    let start = begin(&spec, name, tape, x, training, initial_states, st)?;
    let inputs = SimpleRnnInputs {
        x,
        kernel: vars[0],
        recurrent_kernel: vars[1],
        bias: c.use_bias.then(|| vars[2]),
        initial_state: start.initial[0],
        input_mask: start.input_mask,
        recurrent_mask: start.recurrent_mask,
    };
    let e = |err| NnError::autograd(format!("SimpleRNN layer '{name}'"), err);
    // Without return_sequences only the last state is used: the op need not keep the sequence
    // as an output (same bits, less memory traffic).
    let (sequence, last) = if c.return_sequences {
        let out = tape
            .simple_rnn(&inputs, c.activation, c.go_backwards)
            .map_err(e)?;
        (Some(out.sequence), out.last)
    } else {
        let last = tape
            .simple_rnn_last(&inputs, c.activation, c.go_backwards)
            .map_err(e)?;
        (None, last)
    };
    finish(&spec, tape, start.batch, sequence, [Some(last), None], st)
}
