//! Scores on observed targets, in series units, beside the forecaster's baselines.
//!
//! The tutorial's figures (`test_mse`, `baseline_test_mse`) are taken on its padded windows:
//! `step` made-up targets per part enter them, and the first `step` test values are never
//! predicted. The observed scores use the real values only:
//!
//! - test targets: every test value `x[T..n]`; the window of `x[t]` is the `step` model values
//!   just before it, reaching back into the training part for the first `step` of them;
//! - training targets: `x[lost + step..T]`, those whose window lies in the training part
//!   (`lost`: the values differencing consumes, 0 without `--diff`/`--seasonal-diff`).
//!
//! The model's outputs are unscaled and, with differencing, turned back into series values
//! from the real past (`x[t] = d[t] + base[t]`), so every score here is in series units. The
//! baselines (persistence `x[t-1]`, seasonal naive `x[t-m]` with `--season m`) predict the same
//! test targets from the raw series.

use nn::Sequential;
use serde::Serialize;

use super::data_config::DataConfig;
use super::placed::Placed;
use crate::ForecastError;
use crate::fitting::predict_all;

/// Targets predicted per batch of observed windows.
const OBSERVED_CHUNK: usize = 1 << 14;

/// The observed-target scores of a series model and its baselines (series units, squared).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedScores {
    /// MSE of the model on the observed training targets `x[lost + step..T]`.
    pub train_mse_observed: f64,
    /// MSE of the model on every test value `x[T..n]`.
    pub test_mse_observed: f64,
    /// MSE of persistence (`x[t-1]`) on the same test targets.
    pub persistence_test_mse: f64,
    /// MSE of the seasonal naive forecast (`x[t-m]`) on the same test targets; `null` without
    /// `--season`.
    pub seasonal_naive_test_mse: Option<f64>,
    /// The baseline with the lower test MSE: `persistence` or `seasonal_naive`.
    pub best_baseline: &'static str,
    /// `1 - test_mse_observed / best baseline's MSE`: above 0 the model beats every baseline,
    /// below 0 it loses to one; `null` when the best baseline is perfect (MSE 0).
    pub skill: Option<f64>,
    /// Mean absolute scaled error (Hyndman and Koehler): the model's mean absolute error on
    /// the observed test targets divided by the in-sample mean absolute error of the naive
    /// forecast on the training part (seasonal naive with `--season m`, else persistence).
    /// Below 1 the model beats that naive forecast's in-sample error; `null` when the
    /// in-sample error is 0.
    pub mase: Option<f64>,
}

impl ObservedScores {
    /// The best baseline's test MSE.
    pub fn best_baseline_mse(&self) -> f64 {
        match self.seasonal_naive_test_mse {
            Some(s) if self.best_baseline == "seasonal_naive" => s,
            _ => self.persistence_test_mse,
        }
    }

    /// One plain sentence on how the model compares with the baselines.
    pub fn verdict(&self) -> String {
        let best = self.best_baseline_mse();
        let name = self.best_baseline.replace('_', " ");
        let m = self.test_mse_observed;
        if m < best {
            format!(
                "the model beats every baseline on the observed test targets (mse {m:.6} vs {name}'s {best:.6})"
            )
        } else {
            let times = if best > 0.0 {
                format!(" ({:.2}x)", m / best)
            } else {
                String::new()
            };
            format!(
                "the model LOSES to {name} on the observed test targets: mse {m:.6} vs {best:.6}{times}; predicting {} would be better",
                if self.best_baseline == "persistence" {
                    "the last value"
                } else {
                    "the value one season earlier"
                }
            )
        }
    }
}

/// Errors (naming `--season`) if the season is not shorter than the training part: the seasonal
/// naive forecast of the first test value needs the value a season before it. Checked before
/// training, so a bad `--season` costs no fit.
pub fn check_season(config: &DataConfig, ds: &data::Dataset) -> Result<(), ForecastError> {
    let split = ds.split + config.differencing.lost();
    match config.season {
        Some(m) if m >= split => Err(ForecastError::flag(
            "--season",
            m,
            &format!(
                "a season shorter than the training part (T = {split}): the seasonal naive forecast needs the value a season before each target, and MASE a season of training values"
            ),
        )),
        _ => Ok(()),
    }
}

/// The one-step predictions of a series model for the observed targets (series units, placed
/// on the index of the value each predicts) and their scores with the baselines'.
pub fn observed(
    model: &mut Sequential,
    values: &[f64],
    ds: &data::Dataset,
    config: &DataConfig,
) -> Result<(ObservedScores, Placed), ForecastError> {
    let d = config.differencing;
    let lost = d.lost();
    let (n, step, split) = (values.len(), ds.step, ds.split + lost);
    let layout = config.windows.layout;
    let frame = ds.frame()?;
    let mut part = |targets: std::ops::Range<usize>| -> Result<Vec<(usize, f64)>, ForecastError> {
        let mut placed = Vec::with_capacity(targets.len());
        // In chunks, so these windows never hold more memory than a chunk's worth beside the
        // tutorial's windows (which the memory check before loading counted).
        let mut start = targets.start;
        while start < targets.end {
            let chunk = start..targets.end.min(start + OBSERVED_CHUNK);
            let x = data::observed_windows_frame(frame, lost, chunk.clone(), step, layout)?;
            let unscaled = ds.scaler.inverse_all(&predict_all(model, &x)?);
            for (t, p) in chunk.zip(unscaled) {
                placed.push((t, p + d.base(values, t)?));
            }
            start += OBSERVED_CHUNK;
        }
        Ok(placed)
    };
    let train = part(lost + step..split)?;
    let test = part(split..n)?;
    let mse = |placed: &[(usize, f64)]| -> Result<f64, ForecastError> {
        let (p, a): (Vec<f64>, Vec<f64>) = placed.iter().map(|&(t, p)| (p, values[t])).unzip();
        Ok(data::mse_f64(&p, &a)?)
    };
    let actual = &values[split..n];
    let persistence = data::mse_f64(&data::persistence(values, split..n)?, actual)?;
    check_season(config, ds)?;
    let seasonal = match config.season {
        Some(m) => Some(data::mse_f64(
            &data::seasonal_naive(values, m, split..n)?,
            actual,
        )?),
        None => None,
    };
    let (best_baseline, best) = match seasonal {
        Some(s) if s < persistence => ("seasonal_naive", s),
        _ => ("persistence", persistence),
    };
    let test_mse_observed = mse(&test)?;
    let scores = ObservedScores {
        train_mse_observed: mse(&train)?,
        test_mse_observed,
        persistence_test_mse: persistence,
        seasonal_naive_test_mse: seasonal,
        best_baseline,
        skill: data::skill(test_mse_observed, best),
        mase: data::mase(&test, values, split, config.season.unwrap_or(1))?,
    };
    Ok((scores, Placed { train, test }))
}

/// A one-step prediction after `history` (series units): the model's output for the last
/// `step` model values (`window`, already scaled and differenced), unscaled and, with
/// differencing, added to the base of the value after `history`.
pub fn next_after(
    model: &mut Sequential,
    window: &data::Windows,
    history: &[f64],
    scaler: &data::Scaler,
    differencing: data::Differencing,
) -> Result<f64, ForecastError> {
    let raw = crate::fitting::predict_one(model, window)?;
    Ok(scaler.inverse(f64::from(raw)) + differencing.base(history, history.len())?)
}
