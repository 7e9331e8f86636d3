//! Backtesting a many-series model: for each series, the rolling origins of a one-series
//! backtest ([`crate::series::backtest()`], the fold geometry of [`data::backtest_folds`]),
//! each forecast by the series' member (its local model, or the global one) from the values
//! before the origin as [`ManyModel::forecast`] continues a series (its scaler, differencing
//! and window), scored beside the baselines from the same origins. The scores are pooled over
//! the series: the mean of their MSEs, and how many the model beats persistence on.
//!
//! The model file keeps each series' last values only, so the series come from the data
//! (the long file the model was trained on, or a longer one). Series of the data the model
//! does not know, series of the model the data lacks, and series too short for the folds are
//! skipped with the reason; no series left is an error.
//!
//! The model's weights serve every fold; with a refit ([`ManyBacktestConfig::refit`], local
//! models only) each series' architecture is retrained on each fold's history as a one-series
//! `--refit` retrains it (scaling fitted on that history, seeded by the fold number and the
//! member's own seed, which is its series seed), so a series' scores depend on nothing else.
//! A series whose refit fails on a fold (a history too short for the model's targets or
//! constant under the scaling, a diverging fit) is skipped with the reason, as training skips
//! it. A global model has no refit: its one model would be retrained on every series' fold.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use super::bundle::{ManyModel, Member, MemberSettings, SeriesState, forecast_one};
use super::{Mode, SeriesInput, Skipped};
use crate::series::backtest::{
    BacktestConfig, ByStep, Columns, FoldReport, Overall, fold_columns, fold_geometry,
    forecast_from, mean, refit_fold, score,
};
use crate::series::covariates::CovariateHistory;
use crate::{FitSettings, ForecastError};

/// How to backtest every series.
#[derive(Debug, Clone, PartialEq)]
pub struct ManyBacktestConfig {
    /// Values forecast from each origin (`--horizon`).
    pub horizon: usize,
    /// Origins per series (`--folds`).
    pub folds: usize,
    /// Positions between consecutive origins (`--stride`; `None`: the horizon).
    pub stride: Option<usize>,
    /// Season length `m` of the seasonal naive baseline (`--season`); `None`: the training
    /// run's, which the model file keeps, or not scored when it had none.
    pub season: Option<usize>,
    /// Retrain each series' model on each fold's history with these settings (`--refit`,
    /// `--epochs`, `--batch-size`; local models only) instead of reusing its weights.
    pub refit: Option<FitSettings>,
}

/// The backtest of one series, in its units.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesBacktest {
    /// The series id.
    pub id: String,
    /// Each fold's scores, in time order (`in_training_part`: the origin lies before the
    /// split `T` of the series as the model was trained on it).
    pub folds: Vec<FoldReport>,
    /// Means over the folds.
    pub overall: Overall,
    /// Per horizon step.
    pub by_step: ByStep,
    /// Each fold's geometry (origin, end), in time order.
    #[serde(skip)]
    pub geometry: Vec<data::Fold>,
    /// The forecasts of every fold (`H` values each) beside the actual values.
    #[serde(skip)]
    pub columns: Columns,
    /// The time labels of the forecast values (in the order of `columns`), when the data had
    /// a time column.
    #[serde(skip)]
    pub times: Option<Vec<String>>,
}

/// The scores pooled over the backtested series: means over the series of their overall
/// MSEs (each in its own units).
#[derive(Debug, Clone, Serialize)]
pub struct PooledOverall {
    /// Series backtested.
    pub series: usize,
    /// The model's.
    pub mse: f64,
    /// Persistence's.
    pub persistence_mse: f64,
    /// The seasonal naive forecast's (with a season).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seasonal_naive_mse: Option<f64>,
    /// The window mean's.
    pub window_mean_mse: f64,
    /// `1 - mse / persistence_mse` of the pooled means (`None` when persistence is perfect).
    pub skill: Option<f64>,
    /// Series whose overall MSE is below persistence's.
    pub series_beating_persistence: usize,
}

/// A many-series backtest's results.
#[derive(Debug, Clone, Serialize)]
pub struct ManyBacktest {
    /// Local or global.
    pub mode: Mode,
    /// Values forecast from each origin.
    pub horizon: usize,
    /// Positions between consecutive origins.
    pub stride: usize,
    /// Whether each fold retrained each series' model rather than reusing its weights.
    pub refit: bool,
    /// The model's outputs per forward pass (1: recursive forecasts).
    pub model_horizon: usize,
    /// The seasonal naive forecast's season, when scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub season: Option<usize>,
    /// The scores pooled over the series.
    pub overall: PooledOverall,
    /// Each backtested series, in id order.
    pub series: Vec<SeriesBacktest>,
    /// The series left out, with the reason, in id order.
    pub skipped: Vec<Skipped>,
}

/// Backtests every series of `model` on its values in `inputs` (see the module docs). Errors
/// (usage) on a zero horizon, folds, stride or season, a refit of a global model, and when no
/// series can be backtested (naming the first series' reason).
pub fn backtest(
    model: &ManyModel,
    inputs: &[SeriesInput],
    cfg: &ManyBacktestConfig,
) -> Result<ManyBacktest, ForecastError> {
    for (flag, v) in [
        ("--horizon", Some(cfg.horizon)),
        ("--folds", Some(cfg.folds)),
        ("--stride", cfg.stride),
        ("--season", cfg.season),
    ] {
        if v == Some(0) {
            return Err(ForecastError::flag(flag, 0, "at least 1"));
        }
    }
    if cfg.refit.is_some() && model.mode == Mode::Global {
        return Err(ForecastError::Usage(
            "--refit: a global model cannot be refitted per series and fold (its one model \
             learns from every series); backtest its saved weights, or train a local model"
                .into(),
        ));
    }
    // The training run's season unless another is given, as a one-series backtest takes the
    // saved run's.
    let saved_season = model.members.first().and_then(|m| m.settings.season);
    let cfg = &ManyBacktestConfig {
        season: cfg.season.or(saved_season),
        ..cfg.clone()
    };
    let by_id: HashMap<&str, &SeriesInput> = inputs.iter().map(|s| (s.id.as_str(), s)).collect();
    let outcomes = model
        .members
        .par_iter()
        .enumerate()
        .map(|(i, m)| {
            m.settings
                .series
                .par_iter()
                .map_init(
                    || Member::load(&m.bytes, &format!("member {i}")),
                    |loaded, s| {
                        let Some(input) = by_id.get(s.id.as_str()) else {
                            return Ok(Err(skip(&s.id, "not in the data")));
                        };
                        let (net, _) = loaded.as_mut().map_err(|e| e.clone())?;
                        backtest_one(net, &m.settings, s, input, cfg)
                    },
                )
                .collect::<Result<Vec<_>, ForecastError>>()
        })
        .collect::<Result<Vec<_>, ForecastError>>()?;
    let mut series = Vec::new();
    let mut skipped = Vec::new();
    for o in outcomes.into_iter().flatten() {
        match o {
            Ok(s) => series.push(s),
            Err(s) => skipped.push(s),
        }
    }
    let known: std::collections::HashSet<&str> = model.ids().into_iter().collect();
    skipped.extend(
        inputs
            .iter()
            .filter(|s| !known.contains(s.id.as_str()))
            .map(|s| skip(&s.id, "not in the model")),
    );
    series.sort_by(|a, b| a.id.cmp(&b.id));
    skipped.sort_by(|a, b| a.id.cmp(&b.id));
    if series.is_empty() {
        let flags = format!("--folds {} --horizon {}: ", cfg.folds, cfg.horizon);
        // A too-short series' reason starts with the same flags.
        let why = skipped.first().map_or_else(String::new, |s| {
            let reason = s.reason.strip_prefix(&flags).unwrap_or(&s.reason);
            format!(" (series '{}': {reason})", s.id)
        });
        return Err(ForecastError::Usage(format!(
            "{flags}no series of the data can be backtested by the model{why}"
        )));
    }
    let overall = pooled(&series, cfg.season.is_some());
    Ok(ManyBacktest {
        mode: model.mode,
        horizon: cfg.horizon,
        stride: cfg.stride.unwrap_or(cfg.horizon),
        refit: cfg.refit.is_some(),
        model_horizon: model
            .members
            .first()
            .map_or(1, |m| m.settings.model.horizon),
        season: cfg.season,
        overall,
        series,
        skipped,
    })
}

fn skip(id: &str, reason: &str) -> Skipped {
    Skipped {
        id: id.to_string(),
        reason: reason.to_string(),
    }
}

/// The backtest of series `s` (values `input`) by `net`, the model of a member with
/// `settings` (or, with a refit, by its architecture retrained on each fold's history);
/// `Err(Skipped)` when the series is too short for the folds or a refit fails.
fn backtest_one(
    net: &mut nn::Sequential,
    settings: &MemberSettings,
    s: &SeriesState,
    input: &SeriesInput,
    cfg: &ManyBacktestConfig,
) -> Result<Result<SeriesBacktest, Skipped>, ForecastError> {
    let values = &input.values;
    let (h, step) = (cfg.horizon, settings.windows.step);
    let d = settings.differencing;
    let kept = step + d.lost();
    let geometry = BacktestConfig {
        horizon: h,
        folds: cfg.folds,
        stride: cfg.stride,
        refit: cfg.refit.clone(),
    };
    // A refit needs a window and all of the model's targets.
    let targets = if cfg.refit.is_some() {
        settings.model.horizon
    } else {
        1
    };
    let folds = match fold_geometry(
        values.len(),
        &geometry,
        (step, d.lost(), targets),
        cfg.season,
    ) {
        Ok(f) => f,
        Err(e) => return Ok(Err(skip(&s.id, e.message()))),
    };
    let covariates = match series_covariates(s, input) {
        Ok(c) => c,
        Err(why) => return Ok(Err(skip(&s.id, &why))),
    };
    let shape = (step, h, settings.windows.layout);
    // Why a refit failed: the series is skipped with it, as training skips a series.
    let mut refit_failed: Option<String> = None;
    let columns = fold_columns(values, &folds, (h, cfg.season, step), |f| {
        match &cfg.refit {
            None if !covariates.is_empty() => {
                // The covariates' values of the fold's own positions serve as their future
                // values (known in a backtest), through the scalers the model file keeps.
                forecast_from(net, s.scaler, d, values, &covariates, f.origin, shape)
            }
            None => {
                // The series as the model file would keep it had it ended at the origin.
                let at_origin = SeriesState {
                    tail: values[f.origin - kept..f.origin].to_vec(),
                    time: None,
                    calibration: None,
                    ..s.clone()
                };
                Ok(forecast_one(net, &at_origin, settings, h, None)?.values)
            }
            Some(fit) => {
                let (kind, at) = (settings.windows.scale, (f.origin, f.index));
                let (mut fold_model, scaler, _) =
                    refit_fold(&settings.model, fit, kind, d, values, &covariates, at).map_err(
                        |e| {
                            let why = if e.message().starts_with("--refit") {
                                e.message().to_string()
                            } else {
                                format!("--refit, fold {}: {e}", f.index)
                            };
                            refit_failed = Some(why.clone());
                            ForecastError::Runtime(why)
                        },
                    )?;
                forecast_from(
                    &mut fold_model,
                    scaler,
                    d,
                    values,
                    &covariates,
                    f.origin,
                    shape,
                )
            }
        }
    });
    let columns = match (columns, refit_failed) {
        (Ok(c), _) => c,
        (Err(_), Some(why)) => return Ok(Err(skip(&s.id, &why))),
        (Err(e), None) => return Err(e),
    };
    let split = settings.windows.split.resolve(s.series_len).ok();
    let times = input.times.as_ref();
    let label = |i: usize| Ok(times.and_then(|t| t.get(i).cloned()));
    let in_training = |f: &data::Fold| cfg.refit.is_none() && split.is_some_and(|t| f.origin < t);
    let scores = score(&columns, &folds, h, in_training, label)?;
    let times = times.map(|t| {
        folds
            .iter()
            .flat_map(|f| t[f.origin..f.end].iter().cloned())
            .collect()
    });
    Ok(Ok(SeriesBacktest {
        id: s.id.clone(),
        folds: scores.folds,
        overall: scores.overall,
        by_step: scores.by_step,
        geometry: folds,
        columns,
        times,
    }))
}

/// The covariates of series `s` (the member's names and scalers) with their values from the
/// data `input`, aligned with its values; empty for a model without covariates. `Err`: why the
/// series cannot be backtested (the data lacks a covariate the model takes).
fn series_covariates(s: &SeriesState, input: &SeriesInput) -> Result<CovariateHistory, String> {
    let Some(c) = s.covariates.as_ref() else {
        return Ok(CovariateHistory::default());
    };
    let values = c
        .names
        .iter()
        .map(|name| {
            input
                .covariates
                .iter()
                .find(|have| &have.name == name)
                .map(|have| have.values.clone())
                .ok_or_else(|| format!("the data lacks the model's covariate '{name}'"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CovariateHistory {
        names: c.names.clone(),
        values,
        scalers: c.scalers.clone(),
    })
}

/// The means over `series` of their overall MSEs.
fn pooled(series: &[SeriesBacktest], seasonal: bool) -> PooledOverall {
    let of = |f: fn(&Overall) -> f64| mean(series.iter().map(|s| f(&s.overall)));
    let (mse, persistence_mse) = (of(|o| o.mse), of(|o| o.persistence_mse));
    PooledOverall {
        series: series.len(),
        mse,
        persistence_mse,
        seasonal_naive_mse: seasonal.then(|| of(|o| o.seasonal_naive_mse.unwrap_or(f64::NAN))),
        window_mean_mse: of(|o| o.window_mean_mse),
        skill: data::skill(mse, persistence_mse),
        series_beating_persistence: series
            .iter()
            .filter(|s| s.overall.mse < s.overall.persistence_mse)
            .count(),
    }
}

/// Every forecast value of a many-series backtest as columns, one entry per series (in id
/// order), fold and step: the long table `recur backtest` writes as `backtest.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BacktestRows {
    /// The series id.
    pub id: Vec<String>,
    /// 1-based fold number.
    pub fold: Vec<usize>,
    /// The fold's origin (series position of its first forecast value).
    pub origin: Vec<usize>,
    /// 1-based horizon step.
    pub step: Vec<usize>,
    /// Series position of the value.
    pub position: Vec<usize>,
    /// Its time label, when the data had a time column (empty for a series without).
    pub time: Option<Vec<String>>,
    /// The series' value.
    pub actual: Vec<f64>,
    /// The model's forecast.
    pub model: Vec<f64>,
    /// Persistence's.
    pub persistence: Vec<f64>,
    /// The seasonal naive forecast's, with a season.
    pub seasonal_naive: Option<Vec<f64>>,
    /// The window mean's.
    pub window_mean: Vec<f64>,
}

impl ManyBacktest {
    /// Every forecast value beside the actual one and the baselines', as columns.
    pub fn rows(&self) -> BacktestRows {
        let timed = self.series.iter().any(|s| s.times.is_some());
        let mut r = BacktestRows {
            time: timed.then(Vec::new),
            seasonal_naive: self.season.map(|_| Vec::new()),
            ..BacktestRows::default()
        };
        let h = self.horizon;
        for s in &self.series {
            let c = &s.columns;
            for f in &s.geometry {
                for j in 0..h {
                    r.id.push(s.id.clone());
                    r.fold.push(f.index);
                    r.origin.push(f.origin);
                    r.step.push(j + 1);
                    r.position.push(f.origin + j);
                }
            }
            if let Some(t) = r.time.as_mut() {
                match &s.times {
                    Some(times) => t.extend(times.iter().cloned()),
                    None => t.extend(std::iter::repeat_n(String::new(), c.actual.len())),
                }
            }
            r.actual.extend(&c.actual);
            r.model.extend(&c.model);
            r.persistence.extend(&c.persistence);
            if let (Some(all), Some(sn)) = (r.seasonal_naive.as_mut(), c.seasonal.as_ref()) {
                all.extend(sn);
            }
            r.window_mean.extend(&c.window_mean);
        }
        r
    }
}
