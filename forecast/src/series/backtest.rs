//! Backtesting a single-series model: forecasts from `K` rolling origins at the end of the
//! series (expanding history; the model's weights, or with a refit its architecture retrained
//! per fold), scored with the baselines from the same origins. The fold geometry is data's
//! [`data::backtest_folds`]; docs/forecasting.md describes it.

use serde::Serialize;

use super::covariates::CovariateHistory;
use super::model::SeriesModel;
use super::time_axis::{SeriesTime, series_time};
use super::train::build_model;
use crate::fitting::{self, predict_rows};
use crate::spec::ModelSpec;
use crate::{FitSettings, ForecastError};

/// How to backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestConfig {
    /// Values forecast from each origin (`--horizon`).
    pub horizon: usize,
    /// Origins (`--folds`).
    pub folds: usize,
    /// Positions between consecutive origins (`--stride`; `None`: the horizon).
    pub stride: Option<usize>,
    /// Retrain the saved architecture on each fold's history with these settings (`--refit`,
    /// `--epochs`, `--batch-size`) instead of reusing the model's weights.
    pub refit: Option<FitSettings>,
}

/// One fold's scores, in series units.
#[derive(Debug, Clone, Serialize)]
pub struct FoldReport {
    /// 1-based fold number.
    pub fold: usize,
    /// Position of the first forecast value (the history is the values before it).
    pub origin: usize,
    /// Time of the first forecast value, with a time column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_time: Option<String>,
    /// Whether the origin lies before the model's training split T (the model was trained on
    /// some of the values it forecasts here).
    pub in_training_part: bool,
    /// MSE of the model's forecast over the fold's H values.
    pub mse: f64,
    /// MSE of persistence (the last value repeated).
    pub persistence_mse: f64,
    /// MSE of the seasonal naive forecast (`--season`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seasonal_naive_mse: Option<f64>,
    /// MSE of the mean of the last `step` values, repeated.
    pub window_mean_mse: f64,
}

/// Means over the folds of their MSEs, in series units.
#[derive(Debug, Clone, Serialize)]
pub struct Overall {
    /// The model's.
    pub mse: f64,
    /// Persistence's.
    pub persistence_mse: f64,
    /// The seasonal naive forecast's (`--season`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seasonal_naive_mse: Option<f64>,
    /// The mean of window's.
    pub window_mean_mse: f64,
    /// `1 - mse / persistence_mse` (`None` when persistence is perfect).
    pub skill: Option<f64>,
}

/// MSE per horizon step `1..=H` over the folds, in series units.
#[derive(Debug, Clone, Serialize)]
pub struct ByStep {
    /// The model's.
    pub mse: Vec<f64>,
    /// Persistence's.
    pub persistence_mse: Vec<f64>,
    /// The seasonal naive forecast's (`--season`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seasonal_naive_mse: Option<Vec<f64>>,
    /// The mean of window's.
    pub window_mean_mse: Vec<f64>,
}

/// All forecasts of the folds one after the other, `H` values each, in series units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Columns {
    /// The series' values.
    pub actual: Vec<f64>,
    /// The model's forecasts.
    pub model: Vec<f64>,
    /// Persistence's (the last value repeated).
    pub persistence: Vec<f64>,
    /// The seasonal naive forecast's (`--season`).
    pub seasonal: Option<Vec<f64>>,
    /// The mean of the last `step` values, repeated.
    pub window_mean: Vec<f64>,
}

/// A backtest's scores: the `recur backtest --json` report without the CLI's paths, and
/// what `recur.series` returns.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestSummary {
    /// Values forecast from each origin.
    pub horizon: usize,
    /// Positions between consecutive origins.
    pub stride: usize,
    /// Whether each fold retrained the model (`--refit`) rather than reusing its weights.
    pub refit: bool,
    /// The model's outputs per forward pass (1: recursive forecasts).
    pub model_horizon: usize,
    /// The model's training split T (series positions).
    pub split: usize,
    /// Each fold's scores, in time order.
    pub folds: Vec<FoldReport>,
    /// Means over the folds.
    pub overall: Overall,
    /// Per horizon step.
    pub by_step: ByStep,
}

/// A backtest's results.
#[derive(Debug, Clone)]
pub struct BacktestRun {
    /// The scores.
    pub summary: BacktestSummary,
    /// Each fold's geometry (origin, end), in time order.
    pub geometry: Vec<data::Fold>,
    /// The forecasts of every fold, beside the actual values.
    pub columns: Columns,
    /// The series' values.
    pub values: Vec<f64>,
    /// The series' time axis, with a time column.
    pub time: Option<SeriesTime>,
    /// The series' name (its header).
    pub series_name: Option<String>,
}

impl BacktestRun {
    /// The time label of series position `i`, with a time column.
    pub fn label(&self, i: usize) -> Result<Option<String>, ForecastError> {
        self.time.as_ref().map(|t| t.label(i)).transpose()
    }
}

/// The mean of `v` (NaN when empty).
pub(crate) fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    s / n as f64
}

/// The model's forecast of `h` values after the first `origin` values of `values` (series
/// units), as `recur forecast` makes it: differenced and scaled as at training (`scaler`,
/// `covariates.scalers`), recursive or direct, then undone. The covariates' values from
/// `origin` on are the future rows fed back with the forecasts (known in hindsight, as a
/// backtest with future covariates takes them).
pub(crate) fn forecast_from(
    model: &mut nn::Sequential,
    scaler: data::Scaler,
    d: data::Differencing,
    values: &[f64],
    covariates: &CovariateHistory,
    origin: usize,
    (step, h, layout): (usize, usize, data::Layout),
) -> Result<Vec<f64>, ForecastError> {
    let history = &values[..origin];
    let past = CovariateHistory {
        values: covariates
            .values
            .iter()
            .map(|c| c[..origin].to_vec())
            .collect(),
        ..covariates.clone()
    };
    let future: Vec<Vec<f64>> = covariates
        .values
        .iter()
        .map(|c| c[origin..].to_vec())
        .collect();
    let rows = past.rows(history, &scaler, d)?;
    let fed = if covariates.is_empty() {
        0
    } else {
        data::fed_back_rows(h, model.output_shape().map_or(1, |s| s[0])).min(values.len() - origin)
    };
    let raw = data::direct_forecast_frame(
        data::Frame::new(&rows, 1 + covariates.len())?,
        &covariates.future_rows(&future, fed),
        step,
        h,
        layout,
        |x| predict_rows(model, x).map(|(out, _)| out),
    )?;
    Ok(d.integrate(history, &scaler.inverse_all(&raw))?)
}

/// The saved architecture trained afresh on the first `origin` values alone: scalings (of
/// `kind` for the target, [`data::covariate_scale`] of it for the covariates) fitted on its
/// model series, every window whose targets lie in it, seeded by
/// [`data::fold_seed`]`(spec.seed, fold)` so each fold's result depends on nothing else.
/// Returns the model with the target's scaler and the covariates' (raw values beside them).
pub(crate) fn refit_fold(
    spec: &ModelSpec,
    fit: &FitSettings,
    kind: data::ScaleKind,
    d: data::Differencing,
    values: &[f64],
    covariates: &CovariateHistory,
    (origin, fold): (usize, usize),
) -> Result<(nn::Sequential, data::Scaler, CovariateHistory), ForecastError> {
    let history = &values[..origin];
    let model_values = d.apply(history)?;
    let scaler = data::Scaler::fit(kind, &model_values)?;
    let lost = d.lost();
    let covariate_kind = data::covariate_scale(kind);
    let mut fold_covariates = covariates.clone();
    for (c, s) in covariates.values.iter().zip(&mut fold_covariates.scalers) {
        *s = data::Scaler::fit(covariate_kind, &c[lost..origin]).map_err(|e| {
            ForecastError::Usage(format!(
                "--refit, fold {fold}: a covariate of the fold's history cannot be scaled: {e}"
            ))
        })?;
    }
    let past = CovariateHistory {
        values: covariates
            .values
            .iter()
            .map(|c| c[..origin].to_vec())
            .collect(),
        ..fold_covariates.clone()
    };
    let rows = past.rows(history, &scaler, d)?;
    let (x, y) = data::direct_windows_frame(
        data::Frame::new(&rows, 1 + covariates.len())?,
        spec.step,
        spec.horizon,
        spec.layout,
    )
    .map_err(|e| ForecastError::Usage(format!("--refit, fold {fold}: {e}")))?;
    let fit = FitSettings {
        batch_size: fit.batch_size.min(x.count()).max(1),
        ..fit.clone()
    };
    let spec = ModelSpec {
        seed: data::fold_seed(spec.seed, fold),
        ..spec.clone()
    };
    let mut model = build_model(&spec, &fit, x.count())?;
    let magnitude = fitting::DataMagnitude::of(history, kind);
    fitting::fit(&mut model, &x, &y, &fit, Some(magnitude), &mut |_| {})?;
    Ok((model, scaler, fold_covariates))
}

/// Backtests `model` on its series (read with its data settings, or from `csv_text`). Errors
/// (usage) name the settings: folds that do not fit the series, a refit of a model without
/// saved settings.
pub fn backtest(
    model: &mut SeriesModel,
    cfg: &BacktestConfig,
) -> Result<BacktestRun, ForecastError> {
    let (series, ds) = model.series()?;
    let values = series.values();
    let (step, layout) = (model.data.windows.step, model.data.windows.layout);
    let d = model.data.differencing;
    let season = model.data.season;
    let split = ds.split + d.lost();
    let h = cfg.horizon;
    // The first history must hold a window after the values differencing consumes, and a
    // season for the seasonal naive forecast.
    let model_horizon = model.model_horizon();
    // A refit needs a window and all of the model's targets.
    let targets = if cfg.refit.is_some() {
        model_horizon
    } else {
        1
    };
    let folds = fold_geometry(values.len(), cfg, (step, d.lost(), targets), season)?;
    let refit = match (&cfg.refit, &model.saved) {
        (None, _) => None,
        (Some(fit), Some(saved)) => Some((saved.model.clone(), fit.clone())),
        (Some(_), None) => {
            return Err(ForecastError::Usage(format!(
                "--refit needs the model's saved settings: --model '{}' has none (train it again with this recur)",
                model.path.display()
            )));
        }
    };
    let m = &mut model.file.model;
    let kind = model.data.windows.scale;
    let covariates = CovariateHistory::from_series(&series, &ds);
    let shape = (step, h, layout);
    let c = fold_columns(values, &folds, (h, season, step), |f| match &refit {
        None => forecast_from(m, ds.scaler, d, values, &covariates, f.origin, shape),
        Some((spec, fit)) => {
            let at = (f.origin, f.index);
            let (mut fold_model, scaler, fold_covariates) =
                refit_fold(spec, fit, kind, d, values, &covariates, at)?;
            forecast_from(
                &mut fold_model,
                scaler,
                d,
                values,
                &fold_covariates,
                f.origin,
                shape,
            )
        }
    })?;
    let time = series_time(&series);
    let label = |i: usize| time.as_ref().map(|t| t.label(i)).transpose();
    let scores = score(
        &c,
        &folds,
        h,
        |f| refit.is_none() && f.origin < split,
        label,
    )?;
    Ok(BacktestRun {
        summary: BacktestSummary {
            horizon: h,
            stride: cfg.stride.unwrap_or(h),
            refit: cfg.refit.is_some(),
            model_horizon,
            split,
            folds: scores.folds,
            overall: scores.overall,
            by_step: scores.by_step,
        },
        geometry: folds,
        columns: c,
        series_name: series.name().map(str::to_string),
        time,
        values: series.into_values(),
    })
}

/// The folds of a backtest of a series of `n` values (`cfg`'s folds, horizon and stride) whose
/// first history holds a window of `step` values, the `lost` values differencing consumes
/// before it, `targets` values after it (the model's outputs with a refit, else 1) and a
/// `season` for the seasonal naive forecast. The error (usage) names the flags and what the
/// first history needs.
pub(crate) fn fold_geometry(
    n: usize,
    cfg: &BacktestConfig,
    (step, lost, targets): (usize, usize, usize),
    season: Option<usize>,
) -> Result<Vec<data::Fold>, ForecastError> {
    let (folds, h) = (cfg.folds, cfg.horizon);
    let min_train = (step + lost + targets).max(season.unwrap_or(0));
    data::backtest_folds(n, folds, h, cfg.stride, min_train).map_err(|e| {
        ForecastError::Usage(format!(
            "--folds {folds} --horizon {h}: {e} (the first fold's history needs {min_train} values: a window of step {step}, its target(s) and the {lost} value(s) differencing consumes{})",
            season.map_or(String::new(), |m| format!(", and at least --season {m}"))
        ))
    })
}

/// The forecasts of every fold (`forecast` of each, `h` values) beside the series' values
/// and the baselines from the same origins (`season`: the seasonal naive forecast's; `window`:
/// the values the window mean averages).
pub(crate) fn fold_columns(
    values: &[f64],
    folds: &[data::Fold],
    (h, season, window): (usize, Option<usize>, usize),
    mut forecast: impl FnMut(&data::Fold) -> Result<Vec<f64>, ForecastError>,
) -> Result<Columns, ForecastError> {
    let mut c = Columns {
        seasonal: season.map(|_| Vec::new()),
        ..Columns::default()
    };
    for f in folds {
        c.model.extend(forecast(f)?);
        let b = data::origin_baselines(values, f.origin, h, season, window)?;
        c.actual.extend_from_slice(&values[f.origin..f.end]);
        c.persistence.extend(b.persistence);
        c.window_mean.extend(b.window_mean);
        if let (Some(all), Some(s)) = (c.seasonal.as_mut(), b.seasonal_naive) {
            all.extend(s);
        }
    }
    Ok(c)
}

/// The scores of a backtest's columns: per fold, their means and per step.
#[derive(Debug, Clone)]
pub(crate) struct Scores {
    /// Each fold's, in time order.
    pub folds: Vec<FoldReport>,
    /// Means over the folds.
    pub overall: Overall,
    /// Per horizon step.
    pub by_step: ByStep,
}

/// Scores the columns `c` of `folds` (`h` values each); `in_training` tells whether a fold's
/// origin lies in the model's training part, `label` the time of a series position.
pub(crate) fn score(
    c: &Columns,
    folds: &[data::Fold],
    h: usize,
    in_training: impl Fn(&data::Fold) -> bool,
    label: impl Fn(usize) -> Result<Option<String>, ForecastError>,
) -> Result<Scores, ForecastError> {
    let fold_mse = |col: &[f64], k: usize| {
        data::mse_f64(&col[k * h..(k + 1) * h], &c.actual[k * h..(k + 1) * h])
    };
    let mut reports = Vec::with_capacity(folds.len());
    for (k, f) in folds.iter().enumerate() {
        reports.push(FoldReport {
            fold: f.index,
            origin: f.origin,
            origin_time: label(f.origin)?,
            in_training_part: in_training(f),
            mse: fold_mse(&c.model, k)?,
            persistence_mse: fold_mse(&c.persistence, k)?,
            seasonal_naive_mse: c.seasonal.as_deref().map(|s| fold_mse(s, k)).transpose()?,
            window_mean_mse: fold_mse(&c.window_mean, k)?,
        });
    }
    let overall_mse = mean(reports.iter().map(|r| r.mse));
    let persistence_mse = mean(reports.iter().map(|r| r.persistence_mse));
    let overall = Overall {
        mse: overall_mse,
        persistence_mse,
        seasonal_naive_mse: c
            .seasonal
            .as_ref()
            .map(|_| mean(reports.iter().filter_map(|r| r.seasonal_naive_mse))),
        window_mean_mse: mean(reports.iter().map(|r| r.window_mean_mse)),
        skill: data::skill(overall_mse, persistence_mse),
    };
    let by_step = ByStep {
        mse: data::mse_by_step(&c.model, &c.actual, h)?,
        persistence_mse: data::mse_by_step(&c.persistence, &c.actual, h)?,
        seasonal_naive_mse: c
            .seasonal
            .as_deref()
            .map(|s| data::mse_by_step(s, &c.actual, h))
            .transpose()?,
        window_mean_mse: data::mse_by_step(&c.window_mean, &c.actual, h)?,
    };
    Ok(Scores {
        folds: reports,
        overall,
        by_step,
    })
}
