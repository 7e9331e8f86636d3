//! `LSTM(units)`: Keras 3's long short-term memory layer (docs/keras-semantics.md, A.10), run by
//! the fused autograd op [`Tape::lstm`] (gate blocks i, f, c, o as Keras fuses them, so weights map
//! one to one).
//!
//! Cell: `z = x_t · W + h_{t-1} · U + b`, `i = ra(z_i)`, `f = ra(z_f)`, `o = ra(z_o)`,
//! `c_t = f ⊙ c_{t-1} + i ⊙ a(z_c)`, `h_t = o ⊙ a(c_t)` (`a` tanh, `ra` sigmoid by default).
//!
//! Deliberate differences from Keras 3.15 (as for SimpleRNN):
//! - `dropout` / `recurrent_dropout` outside `[0, 1]` are rejected (Keras clamps silently); the
//!   masks are drawn once per training call (reused at every step) from recur's seeded stream.
//!   The recurrent mask multiplies `h` in the recurrent product only; `c` is never masked.
//! - Dropout masks follow Keras 3.15.1 (checked in its installed source,
//!   `keras/src/layers/rnn/lstm.py` and `dropout_rnn_cell.py`): while `recurrent_dropout` is 0
//!   (`implementation=2`) one input mask `(batch, features)` serves all four gates; a nonzero
//!   `recurrent_dropout` switches the cell to `implementation=1`, and recur then draws, as Keras
//!   does, 4 independent input masks (if `dropout` > 0) and 4 recurrent masks, one per gate
//!   (i, f, c, o), input masks first. The fused op then runs one input GEMM and one recurrent
//!   GEMM per step for each gate block instead of one for all four.
//! - A rate of exactly 1 is rejected: Keras's LSTMCell applies its masks only for
//!   `0 < rate < 1`, so at 1 it silently trains without dropout (its SimpleRNN drops everything,
//!   as recur's does).
//! - `unroll` is accepted and has no effect (the fused op gives the same numbers).
//! - `seed` is saved with the config.

use autograd::{Activation, LstmInputs, LstmOptions, Tape, Var};
use serde::{Deserialize, Serialize};

use super::cell_weights::CellWeights;
use super::recurrent::{CallState, Spec, begin, finish};
use super::{LayerOutput, Param};
use crate::constraints::Constraint;
use crate::error::{NnError, Result};
use crate::initializers::Initializer;
use crate::regularizers::Regularizer;

/// Keras `LSTM` arguments; [`LstmConfig::new`] gives Keras's defaults.
///
/// Weights, in Keras's order and names: `kernel (features, 4·units)`,
/// `recurrent_kernel (units, 4·units)`, `bias (4·units,)`, each with the gate blocks i, f, c, o
/// along the last axis (4,736 parameters for `LSTM(32)` on 4 features).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LstmConfig {
    /// Layer name (None: Keras's automatic `lstm`, `lstm_1`, ...).
    #[serde(default)]
    pub name: Option<String>,
    /// State size, > 0.
    pub units: usize,
    /// Candidate and output squashing, default tanh (Keras `None` is [`Activation::Linear`]).
    pub activation: Activation,
    /// The i, f, o gates' activation, default sigmoid.
    pub recurrent_activation: Activation,
    /// Default true.
    pub use_bias: bool,
    /// Default glorot_uniform.
    pub kernel_initializer: Initializer,
    /// Default orthogonal.
    pub recurrent_initializer: Initializer,
    /// Default zeros.
    pub bias_initializer: Initializer,
    /// Default true: the bias starts as Keras's `[init(units), ones(units), init(2·units)]`,
    /// i.e. the forget gate's bias at 1 (with the default zeros initializer).
    pub unit_forget_bias: bool,
    /// Default none.
    pub kernel_regularizer: Option<Regularizer>,
    /// Default none.
    pub recurrent_regularizer: Option<Regularizer>,
    /// Default none.
    pub bias_regularizer: Option<Regularizer>,
    /// Penalty on every returned tensor (the states too with `return_state`), divided by the
    /// batch size. Default none.
    pub activity_regularizer: Option<Regularizer>,
    /// Default none.
    pub kernel_constraint: Option<Constraint>,
    /// Default none.
    pub recurrent_constraint: Option<Constraint>,
    /// Default none.
    pub bias_constraint: Option<Constraint>,
    /// Input dropout rate in `[0, 1]` (default 0): one mask `(batch, features)` per call, reused
    /// at every timestep, or one per gate when `recurrent_dropout` is set (Keras 3). Out-of-range
    /// rates are an error (Keras clamps them).
    pub dropout: f32,
    /// Recurrent dropout rate in `[0, 1]` (default 0): one mask `(batch, units)` per gate and
    /// call on `h` in the recurrent product (Keras 3's `implementation=1`).
    pub recurrent_dropout: f32,
    /// Return the whole sequence `(batch, timesteps, units)` instead of the last output.
    pub return_sequences: bool,
    /// Also return the final states `h` and `c` (layer calls only: a
    /// [`crate::model::Sequential`] layer must have one output, as in Keras).
    pub return_state: bool,
    /// Process time backwards; the returned sequence is in processing order (reversed), as Keras.
    pub go_backwards: bool,
    /// Carry the last `h` and `c` of each call into the next; the batch size is fixed by the
    /// first call and a batch of another size is an error. Reset with `reset_states`.
    pub stateful: bool,
    /// Accepted for Keras compatibility; changes nothing (the fused op is used either way and
    /// gives the same numbers as Keras's unrolled loop).
    pub unroll: bool,
    /// Seed of the dropout masks (default: derived from the model seed).
    pub seed: Option<u64>,
}

impl LstmConfig {
    /// `LSTM(units)` with Keras's defaults.
    pub fn new(units: usize) -> Self {
        LstmConfig {
            name: None,
            units,
            activation: Activation::Tanh,
            recurrent_activation: Activation::Sigmoid,
            use_bias: true,
            kernel_initializer: Initializer::glorot_uniform(),
            recurrent_initializer: Initializer::orthogonal(),
            bias_initializer: Initializer::Zeros,
            unit_forget_bias: true,
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

    /// Sets the recurrent (gate) activation.
    pub fn recurrent_activation(mut self, a: Activation) -> Self {
        self.recurrent_activation = a;
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
            class: "LSTM",
            units: self.units,
            gates: 4,
            use_bias: self.use_bias,
            bias_shape: vec![4 * self.units],
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

    /// Keras's `unit_forget_bias` initializer: `concat(init((units,)), ones((units,)),
    /// init((2·units,)))`, both `init` calls with the bias's seed (an initializer instance
    /// repeats its draws in Keras too).
    pub(crate) fn init_bias(&self, seed: u64, bias: &mut [f32]) -> Result<()> {
        let u = self.units;
        let init = &self.bias_initializer;
        init.initialize_into(&[u], seed, &mut bias[..u])?;
        bias[u..2 * u].fill(1.0);
        init.initialize_into(&[2 * u], seed, &mut bias[2 * u..])
    }

    /// The arguments the shared recurrent call logic reads.
    pub(super) fn spec(&self) -> Spec<'_> {
        Spec {
            class: "LSTM",
            units: self.units,
            n_states: 2,
            gate_blocks: 4,
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
    c: &LstmConfig,
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
    let inputs = LstmInputs {
        x,
        kernel: vars[0],
        recurrent_kernel: vars[1],
        bias: c.use_bias.then(|| vars[2]),
        initial_h: start.initial[0],
        initial_c: start.initial[1],
        input_mask: start.input_mask,
        recurrent_mask: start.recurrent_mask,
    };
    let options = LstmOptions {
        activation: c.activation,
        recurrent_activation: c.recurrent_activation,
        go_backwards: c.go_backwards,
    };
    let e = |err| NnError::autograd(format!("LSTM layer '{name}'"), err);
    // Without return_sequences only the last states are used: the op need not keep the
    // sequences as outputs (same bits, less memory traffic).
    let (sequence, last, last_c) = if c.return_sequences {
        let out = tape.lstm(&inputs, &options).map_err(e)?;
        (Some(out.sequence), out.last, out.last_c)
    } else {
        let out = tape.lstm_last(&inputs, &options).map_err(e)?;
        (None, out.last, out.last_c)
    };
    finish(
        &spec,
        tape,
        start.batch,
        sequence,
        [Some(last), Some(last_c)],
        st,
    )
}
