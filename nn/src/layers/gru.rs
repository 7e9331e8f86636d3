//! `GRU(units)`: Keras 3's gated recurrent unit layer (docs/keras-semantics.md, A.10), run by the
//! fused autograd op [`Tape::gru`] (gate blocks z, r, h as Keras fuses them, so weights map one to
//! one).
//!
//! Cell (`a` tanh, `ra` sigmoid by default): `z = ra(x_t W_z + h_{t-1} U_z + b_z)`, `r` alike,
//! - `reset_after=True` (Keras 3's default, bias `(2, 3·units)`: input row, recurrent row):
//!   `hh = a(x_t W_h + b_in_h + r ⊙ (h_{t-1} U_h + b_rec_h))`;
//! - `reset_after=False` (bias `(3·units,)`): `hh = a(x_t W_h + b_h + (r ⊙ h_{t-1}) U_h)`;
//!
//! and `h_t = z ⊙ h_{t-1} + (1 - z) ⊙ hh`.
//!
//! Deliberate differences from Keras 3.15 (as for SimpleRNN):
//! - `dropout` / `recurrent_dropout` outside `[0, 1]` are rejected (Keras clamps silently); the
//!   masks are drawn once per training call (reused at every step) from recur's seeded stream.
//!   The recurrent mask multiplies `h` in the recurrent products only; the carried term
//!   `z ⊙ h_{t-1}` uses the unmasked state.
//! - Dropout masks follow Keras 3.15.1 (checked in its installed source,
//!   `keras/src/layers/rnn/gru.py` and `dropout_rnn_cell.py`): while `recurrent_dropout` is 0
//!   (`implementation=2`) one input mask `(batch, features)` serves all three gates; a nonzero
//!   `recurrent_dropout` switches the cell to `implementation=1`, and recur then draws, as Keras
//!   does, 3 independent input masks (if `dropout` > 0) and 3 recurrent masks, one per gate
//!   (z, r, h), input masks first; with `reset_after=False` the h gate's recurrent mask is the
//!   one in `r ⊙ h'`.
//! - A rate of exactly 1 is rejected: Keras's GRUCell applies its masks only for
//!   `0 < rate < 1`, so at 1 it silently trains without dropout (its SimpleRNN drops everything,
//!   as recur's does).
//! - `unroll` is accepted and has no effect (the fused op gives the same numbers).
//! - `seed` is saved with the config.

use autograd::{Activation, GruInputs, GruOptions, Tape, Var};
use serde::{Deserialize, Serialize};

use super::cell_weights::CellWeights;
use super::recurrent::{CallState, Spec, begin, finish};
use super::{LayerOutput, Param};
use crate::constraints::Constraint;
use crate::error::{NnError, Result};
use crate::initializers::Initializer;
use crate::regularizers::Regularizer;

/// Keras `GRU` arguments; [`GruConfig::new`] gives Keras's defaults.
///
/// Weights, in Keras's order and names: `kernel (features, 3·units)`,
/// `recurrent_kernel (units, 3·units)`, `bias` `(2, 3·units)` with `reset_after` (else
/// `(3·units,)`), each with the gate blocks z, r, h along the last axis (3,648 parameters for
/// `GRU(32)` on 4 features; 3,552 without `reset_after`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GruConfig {
    /// Layer name (None: Keras's automatic `gru`, `gru_1`, ...).
    #[serde(default)]
    pub name: Option<String>,
    /// State size, > 0.
    pub units: usize,
    /// The candidate state's activation, default tanh (Keras `None` is
    /// [`Activation::Linear`]).
    pub activation: Activation,
    /// The z and r gates' activation, default sigmoid.
    pub recurrent_activation: Activation,
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
    /// call on `h` in the recurrent products (Keras 3's `implementation=1`).
    pub recurrent_dropout: f32,
    /// Return the whole sequence `(batch, timesteps, units)` instead of the last output.
    pub return_sequences: bool,
    /// Also return the final state `h` (layer calls only: a
    /// [`crate::model::Sequential`] layer must have one output, as in Keras).
    pub return_state: bool,
    /// Process time backwards; the returned sequence is in processing order (reversed), as Keras.
    pub go_backwards: bool,
    /// Carry the last `h` of each call into the next; the batch size is fixed by the
    /// first call and a batch of another size is an error. Reset with `reset_states`.
    pub stateful: bool,
    /// Accepted for Keras compatibility; changes nothing (the fused op is used either way and
    /// gives the same numbers as Keras's unrolled loop).
    pub unroll: bool,
    /// Apply the reset gate after the recurrent product (default true, Keras 3's and
    /// cuDNN's formula, with separate input and recurrent biases).
    pub reset_after: bool,
    /// Seed of the dropout masks (default: derived from the model seed).
    pub seed: Option<u64>,
}

impl GruConfig {
    /// `GRU(units)` with Keras's defaults.
    pub fn new(units: usize) -> Self {
        GruConfig {
            name: None,
            units,
            activation: Activation::Tanh,
            recurrent_activation: Activation::Sigmoid,
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
            reset_after: true,
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

    /// Sets `reset_after`.
    pub fn reset_after(mut self, b: bool) -> Self {
        self.reset_after = b;
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
            class: "GRU",
            units: self.units,
            gates: 3,
            use_bias: self.use_bias,
            bias_shape: if self.reset_after {
                vec![2, 3 * self.units]
            } else {
                vec![3 * self.units]
            },
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

    /// The arguments the shared recurrent call logic reads.
    pub(super) fn spec(&self) -> Spec<'_> {
        Spec {
            class: "GRU",
            units: self.units,
            n_states: 1,
            gate_blocks: 3,
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
    c: &GruConfig,
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
    let inputs = GruInputs {
        x,
        kernel: vars[0],
        recurrent_kernel: vars[1],
        bias: c.use_bias.then(|| vars[2]),
        initial_state: start.initial[0],
        input_mask: start.input_mask,
        recurrent_mask: start.recurrent_mask,
    };
    let options = GruOptions {
        activation: c.activation,
        recurrent_activation: c.recurrent_activation,
        go_backwards: c.go_backwards,
        reset_after: c.reset_after,
    };
    let e = |err| NnError::autograd(format!("GRU layer '{name}'"), err);
    // Without return_sequences only the last state is used: the op need not keep the sequence
    // as an output (same bits, less memory traffic).
    let (sequence, last) = if c.return_sequences {
        let out = tape.gru(&inputs, &options).map_err(e)?;
        (Some(out.sequence), out.last)
    } else {
        (None, tape.gru_last(&inputs, &options).map_err(e)?)
    };
    finish(&spec, tape, start.batch, sequence, [Some(last), None], st)
}
