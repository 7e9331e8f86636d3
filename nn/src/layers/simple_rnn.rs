//! `SimpleRNN(units)`: Keras 3's fully connected recurrent layer (KERAS.md A.1), run by the
//! fused autograd op [`Tape::simple_rnn`].
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
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{LayerOutput, Param, activity_penalty, ag, param, validate_common};
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

    pub(crate) fn validate(&self) -> Result<()> {
        validate_common(
            self.units,
            &[
                &self.kernel_initializer,
                &self.recurrent_initializer,
                &self.bias_initializer,
            ],
            &[
                &self.kernel_regularizer,
                &self.recurrent_regularizer,
                &self.bias_regularizer,
                &self.activity_regularizer,
            ],
            &[
                &self.kernel_constraint,
                &self.recurrent_constraint,
                &self.bias_constraint,
            ],
        )?;
        for (name, rate) in [
            ("dropout", self.dropout),
            ("recurrent_dropout", self.recurrent_dropout),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(NnError::invalid(
                    name,
                    rate,
                    "a rate in [0, 1] (Keras silently clamps out-of-range rates; recur \
                     rejects them)",
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn make_params(
        &self,
        layer: &str,
        input_shape: &[usize],
    ) -> Result<(Vec<Param>, Vec<usize>)> {
        if input_shape.len() != 2 {
            return Err(rank_error(layer, input_shape.len() + 1, "input_shape"));
        }
        let features = input_shape[1];
        if features == 0 || input_shape[0] == 0 {
            return Err(NnError::invalid(
                "input_shape",
                format!("{input_shape:?}"),
                &format!(
                    "at least one timestep and one feature for SimpleRNN layer '{layer}' \
                     (timesteps, features)"
                ),
            ));
        }
        let u = self.units;
        let mut params = vec![
            param(
                "kernel",
                vec![features, u],
                &self.kernel_initializer,
                &self.kernel_regularizer,
                &self.kernel_constraint,
            ),
            param(
                "recurrent_kernel",
                vec![u, u],
                &self.recurrent_initializer,
                &self.recurrent_regularizer,
                &self.recurrent_constraint,
            ),
        ];
        if self.use_bias {
            params.push(param(
                "bias",
                vec![u],
                &self.bias_initializer,
                &self.bias_regularizer,
                &self.bias_constraint,
            ));
        }
        let out = if self.return_sequences {
            vec![input_shape[0], u]
        } else {
            vec![u]
        };
        Ok((params, out))
    }
}

/// The error for an input of the wrong rank (LESSONS.md, users item 2).
fn rank_error(layer: &str, rank: usize, what: &str) -> NnError {
    let hint = if rank == 2 {
        "a 2-D input usually comes from a recurrent layer without return_sequences=True before \
         this one (set it), or from data with one value per timestep (reshape it to \
         (batch, timesteps, 1))"
    } else {
        "reshape the data to (batch, timesteps, features)"
    };
    NnError::invalid(
        what,
        format!("an input of rank {rank}"),
        &format!(
            "SimpleRNN layer '{layer}' expects input of rank 3, laid out as (batch, timesteps, \
             features); {hint}"
        ),
    )
}

/// What a SimpleRNN call reads and updates besides its parameters.
pub(super) struct CallState<'a> {
    pub rng: &'a mut ChaCha8Rng,
    pub states: &'a mut Vec<f32>,
    pub state_batch: &'a mut Option<usize>,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn forward(
    c: &SimpleRnnConfig,
    name: &str,
    vars: &[Var],
    tape: &mut Tape,
    x: Var,
    training: bool,
    initial_state: Option<Var>,
    st: &mut CallState<'_>,
) -> Result<LayerOutput> {
    let xs = tape.shape(x).map_err(ag("SimpleRNN input"))?;
    if xs.rank() != 3 {
        return Err(rank_error(name, xs.rank(), "input"));
    }
    let (b, f, u) = (xs.dims()[0], xs.dims()[2], c.units);
    let e = || ag("SimpleRNN forward");
    let mut h0 = initial_state;
    if c.stateful {
        match *st.state_batch {
            Some(sb) if sb != b => {
                return Err(NnError::invalid(
                    "batch_size",
                    b,
                    &format!(
                        "batches of exactly {sb} samples: stateful SimpleRNN layer '{name}' \
                         keeps one state per sample and was first called with {sb}; use a \
                         batch_size that divides the number of samples (or drop the \
                         remainder), and call predict/evaluate with batch_size={sb}"
                    ),
                ));
            }
            Some(_) => {}
            None => {
                *st.state_batch = Some(b);
                st.states.clear();
                st.states.resize(b * u, 0.0);
            }
        }
        if h0.is_none() {
            h0 = Some(tape.constant(st.states, &[b, u]).map_err(e())?);
        }
    }
    let input_mask = if training && c.dropout > 0.0 {
        Some(tape.dropout_mask(&[b, f], c.dropout, st.rng).map_err(e())?)
    } else {
        None
    };
    let recurrent_mask = if training && c.recurrent_dropout > 0.0 {
        Some(
            tape.dropout_mask(&[b, u], c.recurrent_dropout, st.rng)
                .map_err(e())?,
        )
    } else {
        None
    };
    let inputs = SimpleRnnInputs {
        x,
        kernel: vars[0],
        recurrent_kernel: vars[1],
        bias: c.use_bias.then(|| vars[2]),
        initial_state: h0,
        input_mask,
        recurrent_mask,
    };
    let out = tape
        .simple_rnn(&inputs, c.activation, c.go_backwards)
        .map_err(|err| NnError::state(format!("SimpleRNN layer '{name}': {err}")))?;
    if c.stateful {
        let last = tape.value(out.last).map_err(e())?;
        st.states.copy_from_slice(last);
    }
    let output = if c.return_sequences {
        out.sequence
    } else {
        out.last
    };
    let state = c.return_state.then_some(out.last);
    let activity_penalty = match &c.activity_regularizer {
        Some(r) => {
            let mut p = activity_penalty(tape, r, output, b)?;
            if let Some(s) = state {
                let q = activity_penalty(tape, r, s, b)?;
                p = tape.add(p, q).map_err(e())?;
            }
            Some(p)
        }
        None => None,
    };
    Ok(LayerOutput {
        output,
        state,
        activity_penalty,
    })
}
