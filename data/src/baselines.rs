//! The forecaster's reference predictors, scored on observed targets: persistence (`y[t-1]`)
//! and the seasonal naive forecast (`y[t-m]`), and the windows a model needs to predict the same
//! targets.
//!
//! "Observed targets" are real series values, never the tutorial's padding copies. For a split
//! at T they are every test value `x[T..n]`, the first `step` included (whose windows reach back
//! into the training part, as a forecaster rolling over the test period would), and the training
//! values whose window lies in the training part, `x[lost + step..T]` (`lost`: the values
//! differencing consumes, 0 without it).

use std::ops::Range;

use crate::{DataError, Layout, Windows};

/// Persistence, the naive one-step forecast: the prediction of `values[t]` is `values[t - 1]`,
/// for each `t` in `targets`. Errors if `targets` starts at 0 or ends past the series.
pub fn persistence(values: &[f64], targets: Range<usize>) -> Result<Vec<f64>, DataError> {
    seasonal_lag(values, 1, targets, "persistence")
}

/// The seasonal naive forecast: the prediction of `values[t]` is `values[t - m]`, the value one
/// season earlier, for each `t` in `targets`. Errors if `m == 0`, `targets` starts before `m`
/// (no value a season earlier) or ends past the series.
pub fn seasonal_naive(
    values: &[f64],
    m: usize,
    targets: Range<usize>,
) -> Result<Vec<f64>, DataError> {
    if m == 0 {
        return Err(DataError::arg("season", 0, "a season length of at least 1"));
    }
    seasonal_lag(values, m, targets, "season")
}

fn seasonal_lag(
    values: &[f64],
    lag: usize,
    targets: Range<usize>,
    name: &'static str,
) -> Result<Vec<f64>, DataError> {
    check_targets(values.len(), &targets)?;
    if targets.start < lag {
        return Err(DataError::arg(
            name,
            lag,
            &format!(
                "a lag of at most {} (the first target is value {} of the series)",
                targets.start, targets.start
            ),
        ));
    }
    Ok(targets.map(|t| values[t - lag]).collect())
}

pub(crate) fn check_targets(n: usize, targets: &Range<usize>) -> Result<(), DataError> {
    if targets.is_empty() || targets.end > n {
        return Err(DataError::arg(
            "targets",
            format!("{}..{}", targets.start, targets.end),
            &format!("a non-empty range of positions in a series of {n} values"),
        ));
    }
    Ok(())
}

/// Mean squared error of f64 predictions against f64 targets (series units). Errors if the
/// lengths differ or are zero.
pub fn mse_f64(predictions: &[f64], targets: &[f64]) -> Result<f64, DataError> {
    crate::metrics::mean_squared_error(predictions, targets)
}

/// The windows that predict the series values at positions `targets` from the model's input
/// series `model_values` (scaled, and differenced when `lost > 0`: `model_values[j]` belongs
/// to series position `j + lost`). The window of target `t` is the `step` model values just
/// before it, `model_values[t - lost - step..t - lost]`; it may reach back across the split.
/// Errors if a window would start before the model series, or a target is past its end.
pub fn observed_windows(
    model_values: &[f64],
    lost: usize,
    targets: Range<usize>,
    step: usize,
    layout: Layout,
) -> Result<Windows, DataError> {
    crate::frame::observed_windows_frame(
        crate::Frame::single(model_values),
        lost,
        targets,
        step,
        layout,
    )
}

/// Skill of a model against a reference: `1 - model_mse / reference_mse` (1 is perfect, 0 no
/// better than the reference, negative worse). `None` when the reference is 0 (no skill can be
/// measured against a perfect reference).
pub fn skill(model_mse: f64, reference_mse: f64) -> Option<f64> {
    (reference_mse > 0.0).then(|| 1.0 - model_mse / reference_mse)
}

/// Mean absolute scaled error of `placed` predictions (`(position, prediction)` pairs of
/// `values`): their mean absolute error divided by the mean absolute error of the naive
/// forecast with lag `m` (1: persistence) over the training part `values[m..split]`. `None`
/// when that in-sample error is 0. Errors if there are no predictions, a position is past the
/// series, or the training part holds no more than `m` values.
pub fn mase(
    placed: &[(usize, f64)],
    values: &[f64],
    split: usize,
    m: usize,
) -> Result<Option<f64>, DataError> {
    if m == 0 || split > values.len() || split <= m {
        return Err(DataError::arg(
            "season",
            m,
            &format!(
                "a lag from 1 to {} (below the training length)",
                split.saturating_sub(1)
            ),
        ));
    }
    if placed.is_empty() {
        return Err(DataError::arg(
            "predictions",
            "[]",
            "at least one prediction",
        ));
    }
    let mut abs = 0.0;
    for &(t, p) in placed {
        let v = values.get(t).ok_or_else(|| {
            DataError::arg("position", t, &format!("a position below {}", values.len()))
        })?;
        abs += (p - v).abs();
    }
    let scale: f64 = (m..split)
        .map(|t| (values[t] - values[t - m]).abs())
        .sum::<f64>()
        / (split - m) as f64;
    Ok((scale > 0.0).then(|| abs / placed.len() as f64 / scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_forecasts_look_back() {
        let x = [1.0, 2.0, 4.0, 8.0, 16.0];
        assert_eq!(persistence(&x, 2..5).unwrap(), vec![2.0, 4.0, 8.0]);
        assert_eq!(seasonal_naive(&x, 2, 2..5).unwrap(), vec![1.0, 2.0, 4.0]);
        assert!(seasonal_naive(&x, 3, 2..5).is_err());
        assert!(persistence(&x, 0..2).is_err());
        assert!(persistence(&x, 2..6).is_err());
        assert!(seasonal_naive(&x, 0, 2..5).is_err());
    }

    #[test]
    fn observed_windows_reach_back_across_the_split() {
        let z: Vec<f64> = (0..10).map(f64::from).collect();
        let w = observed_windows(&z, 0, 6..10, 3, Layout::Tutorial).unwrap();
        assert_eq!(w.shape(), [4, 1, 3]);
        assert_eq!(w.row(0).unwrap(), &[3.0, 4.0, 5.0]);
        // With one value lost to differencing, z[j] is series position j + 1.
        let w = observed_windows(&z, 1, 6..11, 3, Layout::Sequence).unwrap();
        assert_eq!(w.row(0).unwrap(), &[2.0, 3.0, 4.0]);
        assert_eq!(w.row(4).unwrap(), &[6.0, 7.0, 8.0]);
        assert!(observed_windows(&z, 1, 3..5, 3, Layout::Tutorial).is_err());
    }

    #[test]
    fn mase_scales_by_the_in_sample_naive_error() {
        // Training part 0, 1, 2, 3: persistence's in-sample error is 1.
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(mase(&[(4, 4.5), (5, 4.0)], &x, 4, 1).unwrap(), Some(0.75));
        // A lag of 2: in-sample error 2.
        assert_eq!(mase(&[(4, 5.0)], &x, 4, 2).unwrap(), Some(0.5));
        assert_eq!(mase(&[(4, 5.0)], &[1.0; 6], 4, 1).unwrap(), None);
        assert!(mase(&[(4, 5.0)], &x, 4, 4).is_err());
        assert!(mase(&[], &x, 4, 1).is_err());
        assert!(mase(&[(9, 1.0)], &x, 4, 1).is_err());
    }

    #[test]
    fn skill_is_relative_to_the_reference() {
        assert_eq!(skill(1.0, 4.0), Some(0.75));
        assert_eq!(skill(4.0, 2.0), Some(-1.0));
        assert_eq!(skill(1.0, 0.0), None);
    }
}
