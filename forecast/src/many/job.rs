//! One series' windows and scores: what the local and global runners share.

use std::ops::Range;

use data::{Dataset, Windows};
use nn::Sequential;
use serde::Serialize;

use super::model_series::{model_series, series_split};
use super::{ManyConfig, SeriesInput};
use crate::ForecastError;
use crate::fitting::{predict_all, score};
use crate::series::covariates::model_covariates;
use crate::series::horizon::{DirectPart, direct_parts};
use crate::series::intervals::{HeldOut, calibrate, check_coverage, hold_out, report};
use crate::series::train::first_windows;

/// The figures of one trained series, in the series' units (squared for MSEs).
///
/// `train_mse`, `test_mse` and `baseline_test_mse` are taken on the tutorial's windows (padded
/// unless `pad` is off); with differencing, on the windows of the differences, whose one-step
/// errors are the same numbers in series units (`x[t] = d[t] + base[t]`, the base from the
/// real past). The observed figures are taken on every test value `x[T..n]` of the series
/// itself, the first `step` included (their windows reach back into the training part).
///
/// A direct model (`horizon H > 1`) is scored as a one-series run scores it: `train_mse` and
/// `test_mse` on its windows over all `H` outputs, every observed figure (and the
/// predictions) on its horizon-1 output.
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
    /// With intervals: the share of the observed test targets `x[T..n]` inside the one-step
    /// prediction plus or minus the step-1 half-width of the run's coverage `P` (the
    /// one-series run's `test_coverage`); `None` without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_coverage: Option<f64>,
    /// With intervals: that step-1 half-width, series units; `None` without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_half_width: Option<f64>,
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

/// One series made ready to fit: its windows (and a direct model's), and with intervals its
/// hold-out and the windows fitted on (those before the held-out targets).
#[derive(Debug)]
pub(crate) struct SeriesData {
    /// The one-step windows of the model series, with its scaler.
    pub ds: Dataset,
    /// The training and test parts of a direct model (`horizon > 1`).
    direct: Option<Box<(DirectPart, DirectPart)>>,
    /// With intervals: which windows are fitted on and which targets calibrate.
    pub held: Option<HeldOut>,
    /// With intervals: the first windows of the training part, those fitted on.
    fit: Option<(Windows, Vec<f32>)>,
}

impl SeriesData {
    /// The training windows and targets (a direct model's: `H` targets per window).
    pub fn train(&self) -> (&Windows, &[f32]) {
        match &self.direct {
            Some(d) => (&d.0.x, &d.0.y),
            None => (&self.ds.train.x, &self.ds.train.y),
        }
    }

    /// The test windows and targets.
    pub fn test(&self) -> (&Windows, &[f32]) {
        match &self.direct {
            Some(d) => (&d.1.x, &d.1.y),
            None => (&self.ds.test.x, &self.ds.test.y),
        }
    }

    /// The windows fit runs on: the training windows, or with intervals those before the
    /// held-out targets.
    pub fn fit_part(&self) -> (&Windows, &[f32]) {
        match &self.fit {
            Some((x, y)) => (x, y),
            None => self.train(),
        }
    }
}

/// Errors (usage, naming the series) unless `input` carries exactly the run's covariates
/// ([`ManyConfig::features`], by name and in order), each as long as its values. Why an error
/// and not a skip: a series without the run's covariates is a mistake of the caller's, not a
/// property of the data.
pub(crate) fn check_input(input: &SeriesInput, cfg: &ManyConfig) -> Result<(), ForecastError> {
    let names: Vec<&str> = input.covariates.iter().map(|c| c.name.as_str()).collect();
    if names != cfg.features {
        let list = |n: &[&str]| {
            if n.is_empty() {
                "none".to_string()
            } else {
                n.join(", ")
            }
        };
        let wanted: Vec<&str> = cfg.features.iter().map(String::as_str).collect();
        return Err(ForecastError::Usage(format!(
            "series '{}' has the covariates {} where the run's features are {}",
            input.id,
            list(&names),
            list(&wanted)
        )));
    }
    let n = input.values.len();
    if let Some(c) = input.covariates.iter().find(|c| c.values.len() != n) {
        return Err(ForecastError::Usage(format!(
            "series '{}': covariate '{}' has {} values where the series has {n}",
            input.id,
            c.name,
            c.values.len()
        )));
    }
    Ok(())
}

/// Differences (with differencing), splits, scales and windows one series (for a direct
/// model too), each covariate scaled on the series' own training part as a one-series run
/// scales it (windows of `1 + F` values per time step), checks that its training part is longer than the run's season and, with
/// intervals, holds out its calibration targets as a one-series run does. The error is the
/// reason the series is skipped.
pub(crate) fn prepare(input: &SeriesInput, cfg: &ManyConfig) -> Result<SeriesData, String> {
    if input.values.is_empty() {
        return Err("no values".into());
    }
    let d = cfg.differencing;
    let (values, windows) = model_series(&input.values, d, &cfg.windows)?;
    let covariates = model_covariates(&input.covariates, d.lost());
    let covariate_scale = data::covariate_scale(cfg.windows.scale);
    let ds = data::prepare_with_covariates(&values, &covariates, &windows, covariate_scale)
        .map_err(|e| {
        if d.is_none() || matches!(e, data::DataError::Covariate { .. }) {
            e.to_string()
        } else {
            format!(
                "{e} (after differencing, which consumes the first {} value(s): the model's series and T are shorter by that much)",
                d.lost()
            )
        }
    })?;
    let split = series_split(&ds, d);
    if let Some(m) = cfg.season.filter(|&m| m >= split) {
        return Err(format!(
            "season {m} is not shorter than its training part (T = {split}): the seasonal naive forecast needs the value a season before each test value"
        ));
    }
    let h = cfg.model.horizon;
    let direct = if h > 1 {
        Some(Box::new(
            direct_parts(&ds, h, cfg.windows.layout).map_err(|e| e.to_string())?,
        ))
    } else {
        None
    };
    let mut data = SeriesData {
        ds,
        direct,
        held: None,
        fit: None,
    };
    if let Some(i) = cfg.interval {
        let held = hold_out(i, data.train().0.count(), split, d.lost(), data.ds.step, h)
            .and_then(|held| check_coverage(&held, i.p).map(|()| held))
            .map_err(|e| e.to_string())?;
        data.fit = Some(first_windows(data.train(), held.fit_windows));
        data.held = Some(held);
    }
    Ok(data)
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
    let x = data::observed_windows_frame(
        ds.frame()?,
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

/// What scoring a trained series gives: its figures, its one-step predictions placed on it,
/// and with intervals its calibration.
pub(crate) type Scored = (SeriesMetrics, SeriesPredictions, Option<data::Calibration>);

/// Scores a trained `model` on one series' windows, unscaling with the series' scaler, and on
/// its observed test targets beside persistence and (with a season) the seasonal naive
/// forecast, places its predictions on the series in its units and, with intervals,
/// calibrates it on the series' held-out targets.
pub(crate) fn score_series(
    model: &mut Sequential,
    input: &SeriesInput,
    data: &SeriesData,
    cfg: &ManyConfig,
    epochs: usize,
) -> Result<Scored, ForecastError> {
    let ds = &data.ds;
    let sc = ds.scaler;
    let d = cfg.differencing;
    let values = &input.values;
    let train = score(model, data.train().0, data.train().1)?;
    let test = score(model, data.test().0, data.test().1)?;
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
    let mut metrics = SeriesMetrics {
        id: input.id.clone(),
        train_mse: sc.inverse_mse(train.mse),
        test_mse: sc.inverse_mse(test.mse),
        baseline_test_mse: sc.inverse_mse(data::baseline_mse(&ds.test.x, &ds.test.y)?),
        test_mse_observed,
        persistence_test_mse: persistence,
        seasonal_naive_test_mse: seasonal,
        skill: data::skill(test_mse_observed, best),
        train_windows: data.train().0.count(),
        test_windows: data.test().0.count(),
        epochs,
        interval_coverage: None,
        interval_half_width: None,
    };
    let calibration = match (&data.held, cfg.interval) {
        (Some(held), Some(i)) => {
            let cal = calibrate(model, values, ds, (d, cfg.windows.layout), held)?;
            let placed: Vec<(usize, f64)> = (split..n).zip(observed.iter().copied()).collect();
            let r = report(&cal, i.p, held, &placed, values)?;
            metrics.interval_coverage = Some(r.test_coverage);
            metrics.interval_half_width = r.half_widths.first().copied();
            Some(cal)
        }
        _ => None,
    };
    let direct = data.direct.is_some();
    let mut placed = Vec::with_capacity(ds.train.len() + ds.test.len());
    for (part, scored, which) in [
        (&ds.train, &train.predictions, Part::Train),
        (&ds.test, &test.predictions, Part::Test),
    ] {
        // A direct model's scores hold H outputs per window of its own parts: its horizon-1
        // outputs on the one-step windows are placed instead.
        let horizon_one;
        let preds: &[f32] = if direct {
            horizon_one = predict_all(model, &part.x)?;
            &horizon_one
        } else {
            scored
        };
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
        calibration,
    ))
}
