//! Recursive multi-step forecasting: each prediction becomes the newest value of the next window.

use crate::{DataError, Layout, Windows};

/// Forecasts `horizon` values after `history` with a one-step predictor, feeding each
/// prediction back in: the first window is the last `step` values of `history`, and each later
/// window drops its oldest value and appends the previous prediction.
///
/// Works in whatever units `history` is in (pass scaled values and unscale the outputs with
/// [`crate::Scaler::inverse_all`] when the model was trained on scaled data). `predict` gets a
/// batch of one window in `layout` and returns the model's output; its errors are passed
/// through. Errors if `step == 0`, `horizon == 0`, `history` has fewer than `step` values, or a
/// value is not finite in f32.
pub fn recursive_forecast<E: From<DataError>>(
    history: &[f64],
    step: usize,
    horizon: usize,
    layout: Layout,
    mut predict: impl FnMut(&Windows) -> Result<f32, E>,
) -> Result<Vec<f32>, E> {
    // A one-step model is a direct model of horizon 1: each block of one output is fed back.
    crate::direct_forecast(history, step, horizon, layout, |w| {
        predict(w).map(|y| vec![y])
    })
}

/// Parses a window given as text, `"v1,v2,..."` (spaces allowed), into finite values; errors
/// name the 1-based position and the text of the first bad value.
pub fn parse_window(text: &str) -> Result<Vec<f64>, DataError> {
    if text.trim().is_empty() {
        return Err(DataError::arg(
            "window",
            "''",
            "comma-separated numbers such as 0.1,0.5,0.9,1.2",
        ));
    }
    text.split(',')
        .enumerate()
        .map(|(i, part)| {
            let part = part.trim();
            match part.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(DataError::arg(
                    "window",
                    format!("'{text}' (value {} is '{part}')", i + 1),
                    "comma-separated finite numbers such as 0.1,0.5,0.9,1.2",
                )),
            }
        })
        .collect()
}
