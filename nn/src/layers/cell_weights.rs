//! What SimpleRNN, LSTM and GRU configs share about their weights: the kernel, recurrent kernel
//! and bias arguments (initializer, regularizer, constraint of each), their validation and the
//! parameters they make. Each config lends its fields through a [`CellWeights`] view, so the
//! configs keep Keras's flat argument names (and their saved form) while the logic is written
//! once.

use super::recurrent::{input_features, output_shape, validate_rates};
use super::{Param, param, validate_common};
use crate::constraints::Constraint;
use crate::error::Result;
use crate::initializers::Initializer;
use crate::regularizers::Regularizer;

/// A recurrent config's weight arguments, borrowed; `[kernel, recurrent_kernel, bias]` order.
pub(super) struct CellWeights<'a> {
    /// Keras class name (`SimpleRNN`, `LSTM`, `GRU`), for messages.
    pub class: &'static str,
    /// State size.
    pub units: usize,
    /// Gate blocks of the kernels' columns (1, 4 or 3): kernels are `(·, gates·units)`.
    pub gates: usize,
    /// Whether there is a bias.
    pub use_bias: bool,
    /// The bias's shape (`(gates·units,)`, or `(2, 3·units)` for GRU's `reset_after`).
    pub bias_shape: Vec<usize>,
    /// Initializers of kernel, recurrent kernel and bias.
    pub initializers: [&'a Initializer; 3],
    /// Regularizers of kernel, recurrent kernel and bias.
    pub regularizers: [&'a Option<Regularizer>; 3],
    /// The output's activity regularizer.
    pub activity_regularizer: &'a Option<Regularizer>,
    /// Constraints of kernel, recurrent kernel and bias.
    pub constraints: [&'a Option<Constraint>; 3],
    /// Input dropout rate.
    pub dropout: f32,
    /// Recurrent dropout rate.
    pub recurrent_dropout: f32,
    /// Whether the output is the whole sequence.
    pub return_sequences: bool,
}

impl CellWeights<'_> {
    /// Checks `units`, every initializer, regularizer and constraint, and the dropout rates.
    pub(super) fn validate(&self) -> Result<()> {
        let [ki, ri, bi] = self.initializers;
        let [kr, rr, br] = self.regularizers;
        validate_common(
            self.units,
            &[ki, ri, bi],
            &[kr, rr, br, self.activity_regularizer],
            &self.constraints,
        )?;
        validate_rates(self.class, self.dropout, self.recurrent_dropout)
    }

    /// The layer's parameters for `input_shape` (`(timesteps, features)`), zeroed: `kernel`
    /// `(features, gates·units)`, `recurrent_kernel` `(units, gates·units)`, and `bias` when
    /// used; and the output shape.
    pub(super) fn params(
        &self,
        layer: &str,
        input_shape: &[usize],
    ) -> Result<(Vec<Param>, Vec<usize>)> {
        let features = input_features(self.class, layer, input_shape)?;
        let (u, g) = (self.units, self.gates * self.units);
        let shapes = [vec![features, g], vec![u, g], self.bias_shape.clone()];
        let names = ["kernel", "recurrent_kernel", "bias"];
        let count = if self.use_bias { 3 } else { 2 };
        let params = (0..count)
            .map(|i| {
                param(
                    names[i],
                    shapes[i].clone(),
                    self.initializers[i],
                    self.regularizers[i],
                    self.constraints[i],
                )
            })
            .collect();
        Ok((params, output_shape(input_shape, u, self.return_sequences)))
    }
}
