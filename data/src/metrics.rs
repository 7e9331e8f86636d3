//! Error measures and the mean-of-window baseline.

use crate::{DataError, Windows};

/// Mean squared error `mean((p - t)^2)`, accumulated in f64.
///
/// Errors if the lengths differ or are zero.
pub fn mse(predictions: &[f32], targets: &[f32]) -> Result<f64, DataError> {
    mean_squared_error(predictions, targets)
}

/// [`mse`] over any values that widen to f64 (f32 model outputs, f64 series values).
pub(crate) fn mean_squared_error<T: Copy + Into<f64>>(
    predictions: &[T],
    targets: &[T],
) -> Result<f64, DataError> {
    if predictions.len() != targets.len() {
        return Err(DataError::LengthMismatch {
            what: "predictions and targets",
            left: predictions.len(),
            right: targets.len(),
        });
    }
    if predictions.is_empty() {
        return Err(DataError::arg(
            "predictions",
            "[]",
            "at least one prediction",
        ));
    }
    let sum: f64 = predictions
        .iter()
        .zip(targets)
        .map(|(&p, &t)| {
            let d = p.into() - t.into();
            d * d
        })
        .sum();
    Ok(sum / predictions.len() as f64)
}

/// The mean-of-window predictor: for each window, the mean of its `step` values (computed in
/// f64, returned as f32 like a model's output). With covariates (windows of `F + 1` features
/// per time step) it is the mean of the target's values, channel 0 of each time step.
pub fn window_means(x: &Windows) -> Vec<f32> {
    let (features, timesteps) = (x.features(), x.timesteps() as f64);
    x.rows()
        .map(|row| {
            let sum: f64 = row.iter().step_by(features).map(|&v| f64::from(v)).sum();
            (sum / timesteps) as f32
        })
        .collect()
}

/// MSE of the mean-of-window predictor on windows `x` with targets `y` (the CLI's
/// `baseline_test_mse`). Errors if `y` does not have one target per window, or there are none.
pub fn baseline_mse(x: &Windows, y: &[f32]) -> Result<f64, DataError> {
    mse(&window_means(x), y)
}
