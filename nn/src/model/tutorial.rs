//! The Keras SimpleRNN time-series tutorial's model, built in one call (for the CLI, the
//! benches and examples).

use autograd::{Activation, Loss};

use super::Sequential;
use crate::error::Result;
use crate::layers::{DenseConfig, SimpleRnnConfig};
use crate::optimizer::OptimizerConfig;

/// `Sequential([SimpleRNN(units, relu), Dense(8, relu), Dense(1)])` compiled with mse and
/// RMSprop (Keras defaults), for inputs of shape `input_shape` without the batch axis:
/// `[1, step]` in the tutorial layout (1,457 parameters for `units = 32`, `step = 4`) or
/// `[step, 1]` in the sequence layout (1,361).
pub fn tutorial_model(input_shape: &[usize], units: usize, seed: u64) -> Result<Sequential> {
    let mut m = Sequential::with_seed(seed);
    m.set_input_shape(input_shape)?;
    m.add(SimpleRnnConfig::new(units).activation(Activation::RELU))?;
    m.add(DenseConfig::new(8).activation(Activation::RELU))?;
    m.add(DenseConfig::new(1))?;
    m.compile(Loss::MeanSquaredError, OptimizerConfig::rmsprop())?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_counts_of_both_layouts() {
        assert_eq!(tutorial_model(&[1, 4], 32, 1).unwrap().count_params(), 1457);
        assert_eq!(tutorial_model(&[4, 1], 32, 1).unwrap().count_params(), 1361);
    }
}
