//! `Dense(units)`: `y = act(x · W + b)` on the last axis (docs/keras-semantics.md, A.2).

use autograd::{Activation, Tape, Var};
use serde::{Deserialize, Serialize};

use super::{LayerOutput, Param, activity_penalty, ag, param, validate_common};
use crate::constraints::Constraint;
use crate::error::{NnError, Result};
use crate::initializers::Initializer;
use crate::regularizers::Regularizer;

/// Keras `Dense` arguments; [`DenseConfig::new`] gives Keras's defaults.
///
/// The kernel has shape `(input features, units)` (Keras layout) and is applied to the last
/// axis, so a `(batch, features)` input gives `(batch, units)` and a
/// `(batch, timesteps, features)` input gives `(batch, timesteps, units)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenseConfig {
    /// Layer name (None: Keras's automatic `dense`, `dense_1`, ...).
    #[serde(default)]
    pub name: Option<String>,
    /// Output size, > 0.
    pub units: usize,
    /// Default linear (Keras `activation=None`).
    pub activation: Activation,
    /// Default true.
    pub use_bias: bool,
    /// Default glorot_uniform.
    pub kernel_initializer: Initializer,
    /// Default zeros.
    pub bias_initializer: Initializer,
    /// Default none.
    pub kernel_regularizer: Option<Regularizer>,
    /// Default none.
    pub bias_regularizer: Option<Regularizer>,
    /// Penalty on the output, divided by the batch size. Default none.
    pub activity_regularizer: Option<Regularizer>,
    /// Default none.
    pub kernel_constraint: Option<Constraint>,
    /// Default none.
    pub bias_constraint: Option<Constraint>,
}

impl DenseConfig {
    /// `Dense(units)` with Keras's defaults.
    pub fn new(units: usize) -> Self {
        DenseConfig {
            name: None,
            units,
            activation: Activation::Linear,
            use_bias: true,
            kernel_initializer: Initializer::glorot_uniform(),
            bias_initializer: Initializer::Zeros,
            kernel_regularizer: None,
            bias_regularizer: None,
            activity_regularizer: None,
            kernel_constraint: None,
            bias_constraint: None,
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

    /// Sets `use_bias`.
    pub fn use_bias(mut self, b: bool) -> Self {
        self.use_bias = b;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        validate_common(
            self.units,
            &[&self.kernel_initializer, &self.bias_initializer],
            &[
                &self.kernel_regularizer,
                &self.bias_regularizer,
                &self.activity_regularizer,
            ],
            &[&self.kernel_constraint, &self.bias_constraint],
        )
    }

    pub(crate) fn make_params(
        &self,
        layer: &str,
        input_shape: &[usize],
    ) -> Result<(Vec<Param>, Vec<usize>)> {
        let Some(&features) = input_shape.last() else {
            return Err(NnError::invalid(
                "input_shape",
                format!("{input_shape:?}"),
                &format!(
                    "Dense layer '{layer}' needs inputs of rank 2 or more, (batch, features) \
                     or (batch, timesteps, features); got rank 1 (batch,): reshape the data \
                     to (batch, 1)"
                ),
            ));
        };
        if features == 0 {
            return Err(NnError::invalid(
                "input_shape",
                format!("{input_shape:?}"),
                &format!("a positive last dimension for Dense layer '{layer}'"),
            ));
        }
        let mut params = vec![param(
            "kernel",
            vec![features, self.units],
            &self.kernel_initializer,
            &self.kernel_regularizer,
            &self.kernel_constraint,
        )];
        if self.use_bias {
            params.push(param(
                "bias",
                vec![self.units],
                &self.bias_initializer,
                &self.bias_regularizer,
                &self.bias_constraint,
            ));
        }
        let mut out = input_shape.to_vec();
        *out.last_mut().expect("non-empty") = self.units;
        Ok((params, out))
    }
}

pub(super) fn forward(
    c: &DenseConfig,
    name: &str,
    vars: &[Var],
    tape: &mut Tape,
    x: Var,
) -> Result<LayerOutput> {
    let xs = tape.shape(x).map_err(ag("Dense input"))?;
    let k = tape.shape(vars[0]).map_err(ag("Dense kernel"))?;
    if xs.rank() < 2 || xs.dims()[xs.rank() - 1] != k.dims()[0] {
        return Err(NnError::invalid(
            "input",
            format!("shape {:?}", xs.dims()),
            &format!(
                "an input of rank 2 or more whose last axis has {} features for Dense layer \
                 '{name}', i.e. (batch, {}) or (batch, timesteps, {})",
                k.dims()[0],
                k.dims()[0],
                k.dims()[0]
            ),
        ));
    }
    let batch = xs.dims()[0];
    let e = || ag("Dense forward");
    let mut y = tape.matmul(x, vars[0]).map_err(e())?;
    if c.use_bias {
        y = tape.add(y, vars[1]).map_err(e())?;
    }
    if c.activation != Activation::Linear {
        y = tape.activation(y, c.activation).map_err(e())?;
    }
    let activity_penalty = match &c.activity_regularizer {
        Some(r) => Some(activity_penalty(tape, r, y, batch)?),
        None => None,
    };
    Ok(LayerOutput {
        output: y,
        state: None,
        carry_state: None,
        activity_penalty,
    })
}
