//! The Keras SimpleRNN time-series tutorial's model, built in one call (for the CLI, the
//! benches and examples).

use autograd::{Activation, Loss};

use super::Sequential;
use crate::error::Result;
use crate::layers::{DenseConfig, LayerConfig, SimpleRnnConfig};
use crate::optimizer::OptimizerConfig;

/// `Sequential([SimpleRNN(units, relu), Dense(8, relu), Dense(1)])` compiled with mse and
/// RMSprop (Keras defaults), for inputs of shape `input_shape` without the batch axis:
/// `[1, step]` in the tutorial layout (1,457 parameters for `units = 32`, `step = 4`) or
/// `[step, 1]` in the sequence layout (1,361).
pub fn tutorial_model(input_shape: &[usize], units: usize, seed: u64) -> Result<Sequential> {
    tutorial_model_with(
        input_shape,
        SimpleRnnConfig::new(units).activation(Activation::RELU),
        seed,
    )
}

/// The tutorial's stack with `recurrent` (any recurrent layer config, e.g.
/// `LstmConfig::new(32).activation(Activation::RELU)`) in place of its SimpleRNN:
/// `Sequential([recurrent, Dense(8, relu), Dense(1)])`, mse and RMSprop. With 32 units on the
/// `[1, 4]` layout: 5,009 parameters for LSTM, 3,921 for GRU (3,825 without `reset_after`).
pub fn tutorial_model_with(
    input_shape: &[usize],
    recurrent: impl Into<LayerConfig>,
    seed: u64,
) -> Result<Sequential> {
    let mut m = Sequential::with_seed(seed);
    m.set_input_shape(input_shape)?;
    m.add(recurrent)?;
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
        use crate::layers::{GruConfig, LstmConfig};
        let count = |c: LayerConfig| tutorial_model_with(&[1, 4], c, 1).unwrap().count_params();
        assert_eq!(count(LstmConfig::new(32).into()), 5009);
        assert_eq!(count(GruConfig::new(32).into()), 3921);
        assert_eq!(count(GruConfig::new(32).reset_after(false).into()), 3825);
    }
}
