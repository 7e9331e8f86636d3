//! One series' windows and scores: what the local and global runners share.

use std::ops::Range;

use data::Dataset;
use nn::Sequential;
use serde::Serialize;

use super::model_series::{model_series, series_split};
use super::{ManyConfig, SeriesInput};
use crate::ForecastError;
use crate::fitting::{predict_all, score};

/// The figures of one trained series, in the series' units (squared for MSEs).
///
/// `train_mse`, `test_mse` and `baseline_test_mse` are taken on the tutorial's windows (padded
/// unless `pad` is off); with differencing, on the windows of the differences, whose one-step
/// errors are the same numbers in series units (`x[t] = d[t] + base[t]`, the base from the
/// real past). The observed figures are taken on every test value `x[T..n]` of the series
/// itself, the first `step` included (their windows reach back into the training part).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesMetrics {
    /// The series id.
    pub id: String,
    /// MSE of the model on the training windows.
    pub train_mse: f64,
    /// MSE of the model on the test windows.
    pub test_mse: f64,
    /// MSE of the mean-of-window predictor on the test windows.
    pub baseline_test_mse: f64,
    /// MSE of the model on the observed test targets `x[T..n]`.
    pub test_mse_observed: f64,
    /// MSE of persistence (`x[t-1]`) on the observed test targets.
    pub persistence_test_mse: f64,
    /// MSE of the seasonal naive forecast (`x[t-m]`, `m` the run's season) on the observed
    /// test targets; `None` without a season.
    pub seasonal_naive_test_mse: Option<f64>,
    /// `1 - test_mse_observed / min(persistence_test_mse, seasonal_naive_test_mse)`: above 0
    /// the model beats the best baseline; `None` when that baseline is perfect (MSE 0).
    pub skill: Option<f64>,
    /// Training windows used.
    pub train_windows: usize,
    /// Test windows scored.
    pub test_windows: usize,
    /// Epochs fit ran (fewer than asked with early stopping).
    pub epochs: usize,
}

/// Which part of the split a prediction belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// The training part `x[0..T]`.
    Train,
    /// The test part `x[T..n]`.
    Test,
}

impl Part {
    /// `train` or `test`.
    pub fn name(self) -> &'static str {
        match self {
            Part::Train => "train",
            Part::Test => "test",
        }
    }
}

/// One-step predictions of one series in its units, each on the index of the value it
/// predicts (windows whose target is a padding copy have none).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPredictions {
    /// The series id.
    pub id: String,
    /// `(index, prediction)`, in index order, training part first.
    pub placed: Vec<(usize, f64, Part)>,
}

/// Differences (with differencing), splits, scales and windows one series, and checks that
/// its training part is longer than the run's season. The error is the reason the series is
/// skipped.
pub(crate) fn prepare(input: &SeriesInput, cfg: &ManyConfig) -> Result<Dataset, String> {
    if input.values.is_empty() {
        return Err("no values".into());
    }
    let d = cfg.differencing;
    let (values, windows) = model_series(&input.values, d, &cfg.windows)?;
    let ds = data::prepare(&values, &windows).map_err(|e| {
        if d.is_none() {
            e.to_string()
        } else {
            format!(
                "{e} (after differencing, which consumes the first {} value(s): the model's series and T are shorter by that much)",
                d.lost()
            )
        }
    })?;
    let split = series_split(&ds, d);
    match cfg.season {
        Some(m) if m >= split => Err(format!(
            "season {m} is not shorter than its training part (T = {split}): the seasonal naive forecast needs the value a season before each test value"
        )),
        _ => Ok(ds),
    }
}

/// The model's one-step predictions of the series values at `targets` (series units), from
/// windows of the model series (scaled, and differenced with differencing) that may reach back
/// across the split.
fn observed_predictions(
    model: &mut Sequential,
    values: &[f64],
    ds: &Dataset,
    cfg: &ManyConfig,
    targets: Range<usize>,
) -> Result<Vec<f64>, ForecastError> {
    let d = cfg.differencing;
    let x = data::observed_windows(
        &ds.scaled,
        d.lost(),
        targets.clone(),
        ds.step,
        cfg.windows.layout,
    )?;
    let unscaled = ds.scaler.inverse_all(&predict_all(model, &x)?);
    targets
        .zip(unscaled)
        .map(|(t, p)| Ok(p + d.base(values, t)?))
        .collect()
}

/// Scores a trained `model` on one series' windows, unscaling with the series' scaler, and on
/// its observed test targets beside persistence and (with a season) the seasonal naive
/// forecast, then places its predictions on the series in its units.
pub(crate) fn score_series(
    model: &mut Sequential,
    input: &SeriesInput,
    ds: &Dataset,
    cfg: &ManyConfig,
    epochs: usize,
) -> Result<(SeriesMetrics, SeriesPredictions), ForecastError> {
    let sc = ds.scaler;
    let d = cfg.differencing;
    let values = &input.values;
    let train = score(model, &ds.train.x, &ds.train.y)?;
    let test = score(model, &ds.test.x, &ds.test.y)?;
    let (split, n) = (series_split(ds, d), values.len());
    let actual = &values[split..n];
    let observed = observed_predictions(model, values, ds, cfg, split..n)?;
    let test_mse_observed = data::mse_f64(&observed, actual)?;
    let persistence = data::mse_f64(&data::persistence(values, split..n)?, actual)?;
    let seasonal = match cfg.season {
        Some(m) => Some(data::mse_f64(
            &data::seasonal_naive(values, m, split..n)?,
            actual,
        )?),
        None => None,
    };
    let best = seasonal.map_or(persistence, |s| s.min(persistence));
    let metrics = SeriesMetrics {
        id: input.id.clone(),
        train_mse: sc.inverse_mse(train.mse),
        test_mse: sc.inverse_mse(test.mse),
        baseline_test_mse: sc.inverse_mse(data::baseline_mse(&ds.test.x, &ds.test.y)?),
        test_mse_observed,
        persistence_test_mse: persistence,
        seasonal_naive_test_mse: seasonal,
        skill: data::skill(test_mse_observed, best),
        train_windows: ds.train.len(),
        test_windows: ds.test.len(),
        epochs,
    };
    let mut placed = Vec::with_capacity(ds.train.len() + ds.test.len());
    for (part, preds, which) in [
        (&ds.train, &train.predictions, Part::Train),
        (&ds.test, &test.predictions, Part::Test),
    ] {
        let unscaled = sc.inverse_all(preds);
        for (i, p) in unscaled.into_iter().enumerate() {
            // A model position j is series position j + lost.
            if let Some(j) = part.target_index(i) {
                let t = j + d.lost();
                placed.push((t, p + d.base(values, t)?, which));
            }
        }
    }
    Ok((
        metrics,
        SeriesPredictions {
            id: input.id.clone(),
            placed,
        },
    ))
}
