//! Rolling-origin backtesting: the fold geometry (expanding training window, `K` origins at the
//! end of the series, `H` test values each), the baselines forecasting the same `H` values from
//! the same origin, per-step scores and each fold's seed.
//!
//! Geometry, for a series of `n` values, `K` folds, horizon `H` and stride `s` (default `H`):
//! fold `k` (1-based) has origin `o_k = n - H - (K - k) * s`; it trains on `x[..o_k]` and
//! forecasts `x[o_k..o_k + H]`. The last fold ends at the end of the series; with `s = H` the
//! `K` test blocks are the last `K * H` values, consecutive and disjoint; with `s < H` they
//! overlap, with `s > H` they leave gaps.

use crate::{DataError, mse_f64};

/// One fold of a rolling-origin backtest: train on `x[..origin]`, forecast `x[origin..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    /// 1-based fold number, in time order.
    pub index: usize,
    /// Position of the first forecast value; the training part is `x[..origin]`.
    pub origin: usize,
    /// One past the last forecast value (`origin + horizon`).
    pub end: usize,
}

/// The `folds` folds of a series of `n` values: origins `n - horizon - (folds - k) * stride` for
/// `k = 1..=folds` (`stride` defaults to `horizon`), each forecasting `horizon` values.
///
/// `min_train` is the fewest training values the first fold may have (a window and its target,
/// plus whatever the model's preprocessing consumes). Errors name the numbers: `folds`,
/// `horizon` or `stride` of 0, or a series too short for the first fold's training part.
pub fn backtest_folds(
    n: usize,
    folds: usize,
    horizon: usize,
    stride: Option<usize>,
    min_train: usize,
) -> Result<Vec<Fold>, DataError> {
    if folds == 0 {
        return Err(DataError::arg(
            "folds",
            0,
            "a number of folds of at least 1",
        ));
    }
    if horizon == 0 {
        return Err(DataError::arg(
            "horizon",
            0,
            "a number of steps of at least 1",
        ));
    }
    let stride = stride.unwrap_or(horizon);
    if stride == 0 {
        return Err(DataError::arg("stride", 0, "a stride of at least 1"));
    }
    let need = (folds - 1)
        .checked_mul(stride)
        .and_then(|v| v.checked_add(horizon))
        .and_then(|v| v.checked_add(min_train));
    match need {
        Some(need) if need <= n => {}
        _ => {
            return Err(DataError::arg(
                "folds",
                folds,
                &format!(
                    "at most as many folds as the series holds: {folds} folds of horizon {horizon} \
                     (stride {stride}) after at least {min_train} training values need \
                     {min_train} + {horizon} + ({folds} - 1) * {stride} values, the series has {n}"
                ),
            ));
        }
    }
    Ok((1..=folds)
        .map(|k| {
            let origin = n - horizon - (folds - k) * stride;
            Fold {
                index: k,
                origin,
                end: origin + horizon,
            }
        })
        .collect())
}

/// The baselines' forecasts of `values[origin..origin + horizon]` from `values[..origin]` only.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginBaselines {
    /// Persistence: the last value before the origin, repeated.
    pub persistence: Vec<f64>,
    /// Seasonal naive with season `m`: step `j` (0-based) is `values[origin - m + j % m]`, the
    /// last observed season repeated. `None` without a season.
    pub seasonal_naive: Option<Vec<f64>>,
    /// Mean of the last `window` values before the origin, repeated.
    pub window_mean: Vec<f64>,
}

/// Forecasts `horizon` values from `origin` with the baselines, in series units. Errors if
/// `horizon`, `window` or `season` is 0, or the history `values[..origin]` is shorter than
/// `window` or `season`.
pub fn origin_baselines(
    values: &[f64],
    origin: usize,
    horizon: usize,
    season: Option<usize>,
    window: usize,
) -> Result<OriginBaselines, DataError> {
    if horizon == 0 {
        return Err(DataError::arg(
            "horizon",
            0,
            "a number of steps of at least 1",
        ));
    }
    if origin > values.len() {
        return Err(DataError::arg(
            "origin",
            origin,
            &format!("a position of at most {}", values.len()),
        ));
    }
    let history = &values[..origin];
    if window == 0 || window > history.len() {
        return Err(DataError::arg(
            "window",
            window,
            &format!(
                "a window of 1 to {} values (the history before origin {origin})",
                history.len()
            ),
        ));
    }
    let last = history[history.len() - 1];
    let mean = history[history.len() - window..].iter().sum::<f64>() / window as f64;
    let seasonal_naive = match season {
        None => None,
        Some(m) if m == 0 || m > history.len() => {
            return Err(DataError::arg(
                "season",
                m,
                &format!(
                    "a season of 1 to {} values (the history before origin {origin})",
                    history.len()
                ),
            ));
        }
        Some(m) => Some((0..horizon).map(|j| history[origin - m + j % m]).collect()),
    };
    Ok(OriginBaselines {
        persistence: vec![last; horizon],
        seasonal_naive,
        window_mean: vec![mean; horizon],
    })
}

/// MSE per horizon step over all folds: `predictions` and `actuals` hold the folds one after
/// the other, `horizon` values each; entry `j` of the result is the MSE of step `j + 1` over
/// the folds. Errors if the lengths differ, are 0 or are not a multiple of `horizon`.
pub fn mse_by_step(
    predictions: &[f64],
    actuals: &[f64],
    horizon: usize,
) -> Result<Vec<f64>, DataError> {
    if horizon == 0 || !predictions.len().is_multiple_of(horizon) {
        return Err(DataError::arg(
            "horizon",
            horizon,
            &format!(
                "a divisor of the {} predictions (the folds' values, horizon each)",
                predictions.len()
            ),
        ));
    }
    // Checks equal, non-zero lengths with its own messages.
    mse_f64(predictions, actuals)?;
    let folds = predictions.len() / horizon;
    (0..horizon)
        .map(|j| {
            let p: Vec<f64> = (0..folds).map(|f| predictions[f * horizon + j]).collect();
            let a: Vec<f64> = (0..folds).map(|f| actuals[f * horizon + j]).collect();
            mse_f64(&p, &a)
        })
        .collect()
}

/// The seed of fold `fold` (1-based) refitted from the run's `seed`: splitmix64 of the pair, so
/// each fold's initial weights and shuffles are fixed by `(seed, fold)` alone, whatever order
/// or threads the folds run on.
pub fn fold_seed(seed: u64, fold: usize) -> u64 {
    let mut z = seed ^ (fold as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_end_at_the_series_end_in_consecutive_blocks() {
        let f = backtest_folds(20, 3, 4, None, 5).unwrap();
        let origins: Vec<usize> = f.iter().map(|f| f.origin).collect();
        assert_eq!(origins, vec![8, 12, 16]);
        assert_eq!(f[2].end, 20);
        assert_eq!(f[0].index, 1);
        // A stride of 1: origins one apart, test blocks overlapping.
        let f = backtest_folds(20, 3, 4, Some(1), 5).unwrap();
        assert_eq!(
            f.iter().map(|f| f.origin).collect::<Vec<_>>(),
            vec![14, 15, 16]
        );
    }

    #[test]
    fn too_short_a_series_names_the_numbers() {
        // 5 + 4 + 2 * 4 = 17 values are needed.
        assert!(backtest_folds(17, 3, 4, None, 5).is_ok());
        let e = backtest_folds(16, 3, 4, None, 5).unwrap_err().to_string();
        assert!(e.contains("5 + 4 + (3 - 1) * 4"), "{e}");
        assert!(e.contains("the series has 16"), "{e}");
        assert!(backtest_folds(20, 0, 4, None, 5).is_err());
        assert!(backtest_folds(20, 2, 0, None, 5).is_err());
        assert!(backtest_folds(20, 2, 4, Some(0), 5).is_err());
        assert!(backtest_folds(usize::MAX, usize::MAX, 4, None, 5).is_err());
    }

    #[test]
    fn baselines_use_only_the_history() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 100.0, 100.0];
        let b = origin_baselines(&x, 6, 5, Some(3), 2).unwrap();
        assert_eq!(b.persistence, vec![6.0; 5]);
        assert_eq!(b.window_mean, vec![5.5; 5]);
        assert_eq!(b.seasonal_naive.unwrap(), vec![4.0, 5.0, 6.0, 4.0, 5.0]);
        assert!(
            origin_baselines(&x, 6, 5, None, 2)
                .unwrap()
                .seasonal_naive
                .is_none()
        );
        assert!(origin_baselines(&x, 2, 1, Some(3), 1).is_err());
        assert!(origin_baselines(&x, 2, 1, None, 3).is_err());
        assert!(origin_baselines(&x, 9, 1, None, 1).is_err());
        assert!(origin_baselines(&x, 6, 0, None, 1).is_err());
    }

    #[test]
    fn step_scores_average_over_folds() {
        // Two folds of horizon 2: errors (1, 2) and (3, 0).
        let p = [1.0, 2.0, 3.0, 0.0];
        let a = [0.0; 4];
        assert_eq!(mse_by_step(&p, &a, 2).unwrap(), vec![5.0, 2.0]);
        assert!(mse_by_step(&p, &a, 3).is_err());
        assert!(mse_by_step(&p, &a[..2], 2).is_err());
    }

    #[test]
    fn fold_seeds_differ_and_repeat() {
        assert_eq!(fold_seed(7, 1), fold_seed(7, 1));
        assert_ne!(fold_seed(7, 1), fold_seed(7, 2));
        assert_ne!(fold_seed(7, 1), fold_seed(8, 1));
    }
}
