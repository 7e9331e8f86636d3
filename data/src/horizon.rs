//! Direct multi-step models (`--horizon H`): windows whose targets are the next `H` values, and
//! forecasting with a model that outputs `H` values at once.

use crate::error::num;
use crate::windows::to_f32;
use crate::{DataError, Frame, Layout, Windows};

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
    crate::frame::direct_windows_frame(crate::Frame::single(values), step, horizon, layout)
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
    predict: impl FnMut(&Windows) -> Result<Vec<f32>, E>,
) -> Result<Vec<f32>, E> {
    direct_forecast_frame(Frame::single(history), &[], step, horizon, layout, predict)
}

/// How many rows of future covariates a forecast of `horizon` values needs from a model with
/// `outputs` values per forward pass: every output but those of the last pass is fed back
/// into a window, with the covariates at its own time, so `(ceil(horizon / outputs) - 1) *
/// outputs` rows (`horizon - 1` for a one-step model; none when `horizon <= outputs`). Row
/// `k` holds the covariates at the time of forecast value `k` (position `n + k` after a
/// history of `n` values). `outputs == 0` counts as 1.
pub fn fed_back_rows(horizon: usize, outputs: usize) -> usize {
    let outputs = outputs.max(1);
    horizon.div_ceil(outputs).saturating_sub(1) * outputs
}

/// [`direct_forecast`] on a frame of the target and `F` covariates (see [`Frame`]): each
/// window is the last `step` rows, and each output fed back becomes a new row made of the
/// output and its covariates, taken from `future` (row-major, `F` values per row; row `k` at
/// the time of forecast value `k`, as [`fed_back_rows`] counts them). With one channel
/// `future` must be empty and this is [`direct_forecast`]. Errors as it does, and if `future`
/// is not whole rows or runs out before the last output fed back.
pub fn direct_forecast_frame<E: From<DataError>>(
    history: Frame<'_>,
    future: &[f64],
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
    let (w, rows) = (history.width(), history.rows());
    let f = w - 1;
    if (f == 0 && !future.is_empty()) || (f > 0 && !future.len().is_multiple_of(f)) {
        return Err(DataError::arg(
            "future",
            format!("{} value(s)", future.len()),
            &format!("whole rows of the {f} covariate(s)"),
        )
        .into());
    }
    if rows < step {
        return Err(DataError::arg(
            "history",
            format!("{rows} value(s)"),
            &format!("at least step = {step} values to start the forecast from"),
        )
        .into());
    }
    let mut window: Vec<f64> = history.data()[(rows - step) * w..].to_vec();
    let mut out = Vec::with_capacity(horizon);
    while out.len() < horizon {
        let x = Windows::from_steps(to_f32(&window, "window")?, step, w, layout)?;
        let block = predict(&x)?;
        if block.is_empty() {
            return Err(
                DataError::arg("prediction", "no value", "at least one model output").into(),
            );
        }
        let start = out.len();
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
        }
        if out.len() == horizon {
            break;
        }
        // The whole block becomes the newest rows of the next window.
        for (k, &y) in block.iter().enumerate() {
            window.push(f64::from(y));
            let at = start + k;
            let row = future.get(at * f..(at + 1) * f).ok_or_else(|| {
                DataError::arg(
                    "future",
                    format!("{} row(s)", future.len().checked_div(f).unwrap_or(0)),
                    &format!(
                        "a row of covariates for each forecast value fed back: at least {} for a forecast of {horizon} values from {} output(s) per pass",
                        fed_back_rows(horizon, block.len()),
                        block.len()
                    ),
                )
            })?;
            window.extend_from_slice(row);
        }
        window.drain(..window.len() - step * w);
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
    fn fed_back_outputs_take_their_covariates_from_the_future_rows() {
        // Rows (y, x); the model predicts y + x of the last row.
        let model = |w: &Windows| -> Result<Vec<f32>, DataError> {
            let r = w.data();
            Ok(vec![r[r.len() - 2] + r[r.len() - 1]])
        };
        let history = [0.0, 10.0, 1.0, 11.0];
        let frame = Frame::new(&history, 2).unwrap();
        let future = [100.0, 1000.0];
        let out = direct_forecast_frame(frame, &future, 1, 3, Layout::Sequence, model).unwrap();
        assert_eq!(out, vec![12.0, 112.0, 1112.0]);
        // Two values need one fed-back row; three need two.
        assert!(direct_forecast_frame(frame, &future[..1], 1, 2, Layout::Sequence, model).is_ok());
        let e = direct_forecast_frame(frame, &future[..1], 1, 3, Layout::Sequence, model)
            .unwrap_err()
            .to_string();
        assert!(e.contains("1 row(s)") && e.contains("at least 2"), "{e}");
        // A one-channel frame takes no future rows.
        assert!(
            direct_forecast_frame(Frame::single(&[1.0]), &[1.0], 1, 2, Layout::Sequence, model)
                .is_err()
        );
    }

    #[test]
    fn fed_back_rows_are_all_outputs_but_the_last_pass() {
        assert_eq!(fed_back_rows(1, 1), 0);
        assert_eq!(fed_back_rows(5, 1), 4);
        assert_eq!(fed_back_rows(3, 3), 0);
        assert_eq!(fed_back_rows(4, 3), 3);
        assert_eq!(fed_back_rows(7, 3), 6);
        assert_eq!(fed_back_rows(6, 3), 3);
        assert_eq!(fed_back_rows(2, 0), 1);
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
