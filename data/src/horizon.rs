//! Direct multi-step models (`--horizon H`): windows whose targets are the next `H` values, and
//! forecasting with a model that outputs `H` values at once.

use crate::error::num;
use crate::windows::to_f32;
use crate::{DataError, Layout, Windows};

/// The windows of `values` with their next `horizon` values as targets: window `i` is
/// `values[i..i+step]`, its targets `values[i+step..i+step+horizon]` (row-major, `horizon` per
/// window). Windows whose targets do not all exist are left out, so there are
/// `values.len() - step - horizon + 1` of them; with `horizon == 1` this is [`crate::conmat`].
///
/// Errors if `step` or `horizon` is 0, there are not `step + horizon` values (no window), or a
/// value is not finite in f32.
pub fn direct_windows(
    values: &[f64],
    step: usize,
    horizon: usize,
    layout: Layout,
) -> Result<(Windows, Vec<f32>), DataError> {
    if step == 0 {
        return Err(DataError::arg("step", 0, "a window length of at least 1"));
    }
    if horizon == 0 {
        return Err(DataError::arg(
            "horizon",
            0,
            "a number of steps of at least 1",
        ));
    }
    let need = step.saturating_add(horizon);
    if values.len() < need {
        return Err(DataError::arg(
            "values",
            format!("{} value(s)", values.len()),
            &format!(
                "at least step + horizon = {step} + {horizon} values (one window and all of its targets)"
            ),
        ));
    }
    let count = values.len() - need + 1;
    if count
        .checked_mul(step.max(horizon))
        .is_none_or(|total| total > crate::MAX_WINDOW_VALUES)
    {
        return Err(DataError::arg(
            "step",
            step,
            &format!(
                "a window length whose {count} windows hold at most {} values in all",
                crate::MAX_WINDOW_VALUES
            ),
        ));
    }
    let v = to_f32(values, "series")?;
    let mut x = Vec::with_capacity(count * step);
    let mut y = Vec::with_capacity(count * horizon);
    for i in 0..count {
        x.extend_from_slice(&v[i..i + step]);
        y.extend_from_slice(&v[i + step..i + step + horizon]);
    }
    Ok((Windows::from_rows(x, step, layout)?, y))
}

/// Forecasts `horizon` values after `history` with a model that outputs `H >= 1` values per
/// window (the next `H` steps). The first window is the last `step` values of `history`; one
/// forward pass gives the next `H` values. Beyond `H`, the forecast continues by blocks: the
/// `H` outputs are appended to the window (dropping its `H` oldest values) and the model runs
/// again. With `H = 1` this is [`crate::recursive_forecast`].
///
/// Works in whatever units `history` is in (see [`crate::recursive_forecast`]). `predict` gets
/// a batch of one window in `layout` and returns the model's `H` outputs; its errors are
/// passed through. Errors if `step == 0`, `horizon == 0`, `history` has fewer than `step`
/// values, `predict` returns no value or a value that is not finite.
pub fn direct_forecast<E: From<DataError>>(
    history: &[f64],
    step: usize,
    horizon: usize,
    layout: Layout,
    mut predict: impl FnMut(&Windows) -> Result<Vec<f32>, E>,
) -> Result<Vec<f32>, E> {
    if step == 0 {
        return Err(DataError::arg("step", 0, "a window length of at least 1").into());
    }
    if horizon == 0 {
        return Err(DataError::arg("horizon", 0, "a number of steps of at least 1").into());
    }
    if history.len() < step {
        return Err(DataError::arg(
            "history",
            format!("{} value(s)", history.len()),
            &format!("at least step = {step} values to start the forecast from"),
        )
        .into());
    }
    let mut window: Vec<f64> = history[history.len() - step..].to_vec();
    let mut out = Vec::with_capacity(horizon);
    while out.len() < horizon {
        let block = predict(&Windows::single(&window, layout)?)?;
        if block.is_empty() {
            return Err(
                DataError::arg("prediction", "no value", "at least one model output").into(),
            );
        }
        for &y in &block {
            if !y.is_finite() {
                return Err(DataError::arg(
                    "prediction",
                    format!("{} at forecast step {}", num(f64::from(y)), out.len() + 1),
                    "a finite model output",
                )
                .into());
            }
            if out.len() < horizon {
                out.push(y);
            }
            window.push(f64::from(y));
        }
        window.drain(..window.len() - step);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_the_next_h_values_and_short_windows_are_dropped() {
        let v = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let (x, y) = direct_windows(&v, 2, 3, Layout::Tutorial).unwrap();
        assert_eq!(x.count(), 2);
        assert_eq!(x.data(), &[0.0, 1.0, 1.0, 2.0]);
        assert_eq!(y, vec![2.0, 3.0, 4.0, 3.0, 4.0, 5.0]);
        let (x1, y1) = direct_windows(&v, 2, 1, Layout::Tutorial).unwrap();
        let (xc, yc) = crate::conmat(&v, 2, Layout::Tutorial).unwrap();
        assert_eq!((x1, y1), (xc, yc));
        assert!(direct_windows(&v, 3, 4, Layout::Tutorial).is_err());
        assert!(direct_windows(&v, 2, 0, Layout::Tutorial).is_err());
    }

    #[test]
    fn blocks_continue_from_the_model_outputs() {
        // A model that outputs (last + 1, last + 2): the forecast counts up whatever H is used.
        let model = |w: &Windows| -> Result<Vec<f32>, DataError> {
            let last = *w.data().last().unwrap();
            Ok(vec![last + 1.0, last + 2.0])
        };
        let out = direct_forecast(&[0.0, 1.0, 2.0], 2, 5, Layout::Sequence, model).unwrap();
        assert_eq!(out, vec![3.0, 4.0, 5.0, 6.0, 7.0]);
        let one = direct_forecast(&[0.0, 1.0, 2.0], 2, 1, Layout::Sequence, model).unwrap();
        assert_eq!(one, vec![3.0]);
        let nan = |_: &Windows| -> Result<Vec<f32>, DataError> { Ok(vec![1.0, f32::NAN]) };
        assert!(direct_forecast(&[0.0, 1.0], 2, 3, Layout::Sequence, nan).is_err());
    }

    #[test]
    fn one_output_matches_the_recursive_forecast() {
        let f = |w: &Windows| -> Result<f32, DataError> { Ok(w.data().iter().sum::<f32>() * 0.5) };
        let a = crate::recursive_forecast(&[1.0, 2.0, 3.0], 2, 4, Layout::Tutorial, f).unwrap();
        let b = direct_forecast(&[1.0, 2.0, 3.0], 2, 4, Layout::Tutorial, |w| {
            Ok::<_, DataError>(vec![f(w)?])
        })
        .unwrap();
        assert_eq!(a, b);
    }
}
