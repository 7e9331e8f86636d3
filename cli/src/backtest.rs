//! `recur backtest`: a saved model forecast from `K` rolling origins at the end of the series
//! (expanding history; its weights, or with `--refit` its architecture retrained per fold),
//! scored with the baselines from the same origins. The fold geometry is data's
//! [`data::backtest_folds`]; docs/forecasting.md describes it.

use std::path::PathBuf;

use serde::Serialize;

use crate::args::BacktestArgs;
use crate::backtest_plot::{BacktestPlot, backtest_plot};
use crate::commands::{Loaded, Outcome, outcome};
use crate::covariates::CovariateHistory;
use crate::error::CliError;
use crate::output::OutDir;
use crate::run_config::{FitSettings, OutputConfig};
use crate::time_column::series_time;
use forecast::fitting::{self, predict_rows};
use forecast::spec::ModelSpec;

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

/// The files written.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestOutputs {
    /// `backtest.csv`: one row per fold and step.
    pub backtest: PathBuf,
    /// The plot of the folds.
    pub plot: PathBuf,
}

/// The `recur backtest` report.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestReport {
    /// The model file.
    pub model: PathBuf,
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
    /// Each fold, in time order.
    pub folds: Vec<FoldReport>,
    /// Means over the folds.
    pub overall: Overall,
    /// Per horizon step.
    pub by_step: ByStep,
    /// The files written.
    pub outputs: BacktestOutputs,
}

/// All forecasts of the folds one after the other, `H` values each.
#[derive(Default)]
struct Columns {
    actual: Vec<f64>,
    model: Vec<f64>,
    persistence: Vec<f64>,
    seasonal: Option<Vec<f64>>,
    window_mean: Vec<f64>,
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    s / n as f64
}

/// The model's forecast of `h` values after the first `origin` values of `values` (series
/// units), as `recur forecast` makes it: differenced and scaled as at training (`scaler`,
/// `covariates.scalers`), recursive or direct, then undone. The covariates' values from
/// `origin` on are the future rows fed back with the forecasts (known in hindsight, as a
/// backtest with future covariates takes them).
fn forecast_from(
    model: &mut nn::Sequential,
    scaler: data::Scaler,
    d: data::Differencing,
    values: &[f64],
    covariates: &CovariateHistory,
    origin: usize,
    (step, h, layout): (usize, usize, data::Layout),
) -> Result<Vec<f64>, CliError> {
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
fn refit_fold(
    spec: &ModelSpec,
    fit: &FitSettings,
    kind: data::ScaleKind,
    d: data::Differencing,
    values: &[f64],
    covariates: &CovariateHistory,
    (origin, fold): (usize, usize),
) -> Result<(nn::Sequential, data::Scaler, CovariateHistory), CliError> {
    let history = &values[..origin];
    let model_values = d.apply(history)?;
    let scaler = data::Scaler::fit(kind, &model_values)?;
    let lost = d.lost();
    let covariate_kind = data::covariate_scale(kind);
    let mut fold_covariates = covariates.clone();
    for (c, s) in covariates.values.iter().zip(&mut fold_covariates.scalers) {
        *s = data::Scaler::fit(covariate_kind, &c[lost..origin]).map_err(|e| {
            CliError::Usage(format!(
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
    .map_err(|e| CliError::Usage(format!("--refit, fold {fold}: {e}")))?;
    let fit = FitSettings {
        batch_size: fit.batch_size.min(x.count()).max(1),
        ..fit.clone()
    };
    let spec = ModelSpec {
        seed: data::fold_seed(spec.seed, fold),
        ..spec.clone()
    };
    crate::limits::check_training(&spec, fit.batch_size)?;
    let mut model = spec
        .build()
        .map_err(|e| CliError::Usage(format!("cannot build the model: {e}")))?;
    let magnitude = fitting::DataMagnitude::of(history, kind);
    fitting::fit(&mut model, &x, &y, &fit, Some(magnitude), &mut |_| {})?;
    Ok((model, scaler, fold_covariates))
}

/// `recur backtest`: see the module docs.
pub fn backtest(args: &BacktestArgs) -> Result<Outcome, CliError> {
    let output = OutputConfig::from_args(&args.output)?;
    let mut l = Loaded::new(&args.model.model, &args.data)?;
    let (series, ds) = l.series()?;
    let values = series.values();
    let (step, layout) = (l.data.windows.step, l.data.windows.layout);
    let d = l.data.differencing;
    let season = l.data.season;
    let split = ds.split + d.lost();
    let h = args.horizon;
    // The first history must hold a window after the values differencing consumes, and a
    // season for the seasonal naive forecast.
    let model_horizon = l.model_horizon();
    // A refit needs a window and all of the model's targets.
    let targets = if args.refit { model_horizon } else { 1 };
    let min_train = (step + d.lost() + targets).max(season.unwrap_or(0));
    let folds = data::backtest_folds(values.len(), args.folds, h, args.stride, min_train)
        .map_err(|e| {
            CliError::Usage(format!(
                "--folds {} --horizon {h}: {e} (the first fold's history needs {min_train} values: a window of step {step}, its target(s) and the {} value(s) differencing consumes{})",
                args.folds,
                d.lost(),
                season.map_or(String::new(), |m| format!(", and at least --season {m}"))
            ))
        })?;
    let refit = match (args.refit, &l.saved) {
        (false, _) => None,
        (true, Some(saved)) => Some((
            saved.model.clone(),
            FitSettings {
                epochs: args.epochs.unwrap_or(50),
                batch_size: args.batch_size.unwrap_or(16),
                validation_split: None,
                early_stopping: None,
                verbose: 0,
            },
        )),
        (true, None) => {
            return Err(CliError::Usage(format!(
                "--refit needs the model's saved settings: --model '{}' has none (train it again with this recur)",
                args.model.model.display()
            )));
        }
    };
    let m = &mut l.file.model;
    let mut c = Columns {
        seasonal: season.map(|_| Vec::new()),
        ..Columns::default()
    };
    let kind = l.data.windows.scale;
    let covariates = CovariateHistory::from_series(&series, &ds);
    let shape = (step, h, layout);
    for f in &folds {
        let forecast = match &refit {
            None => forecast_from(m, ds.scaler, d, values, &covariates, f.origin, shape)?,
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
                )?
            }
        };
        c.model.extend(forecast);
        let b = data::origin_baselines(values, f.origin, h, season, step)?;
        c.actual.extend_from_slice(&values[f.origin..f.end]);
        c.persistence.extend(b.persistence);
        c.window_mean.extend(b.window_mean);
        if let (Some(all), Some(s)) = (c.seasonal.as_mut(), b.seasonal_naive) {
            all.extend(s);
        }
    }
    let time = series_time(&series);
    let label = |i: usize| time.as_ref().map(|t| t.label(i)).transpose();
    let fold_mse = |col: &[f64], k: usize| {
        data::mse_f64(&col[k * h..(k + 1) * h], &c.actual[k * h..(k + 1) * h])
    };
    let mut reports = Vec::with_capacity(folds.len());
    for (k, f) in folds.iter().enumerate() {
        reports.push(FoldReport {
            fold: f.index,
            origin: f.origin,
            origin_time: label(f.origin)?,
            in_training_part: refit.is_none() && f.origin < split,
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
    let csv = backtest_csv(
        &folds,
        &c,
        h,
        time.as_ref().map(|t| t.name.as_str()),
        &label,
    )?;
    let mut out = OutDir::create(&output.out)?.stage("backtest")?;
    let csv_path = out.write_bytes("backtest.csv", &csv)?;
    let plot_name = format!("backtest.{}", output.plot_format.extension());
    let origins: Vec<usize> = folds.iter().map(|f| f.origin).collect();
    let name = series.name().unwrap_or("series");
    let plot = out.write_with(&plot_name, |tmp| {
        backtest_plot(
            tmp,
            output.plot_format,
            &BacktestPlot {
                title: format!("recur backtest: {name}, {} folds of {h} steps", folds.len()),
                values,
                origins: &origins,
                forecasts: &c.model,
                horizon: h,
                time: time.as_ref(),
                value_name: series.name().unwrap_or("value"),
            },
        )
    })?;
    out.commit()?;
    let r = BacktestReport {
        model: args.model.model.clone(),
        horizon: h,
        stride: args.stride.unwrap_or(h),
        refit: args.refit,
        model_horizon,
        split,
        folds: reports,
        overall,
        by_step,
        outputs: BacktestOutputs {
            backtest: csv_path,
            plot,
        },
    };
    let human = human(&r);
    outcome(&r, human)
}

/// `backtest.csv`: fold, origin, step, position (and time), actual, then each forecast.
fn backtest_csv(
    folds: &[data::Fold],
    c: &Columns,
    h: usize,
    time_name: Option<&str>,
    label: &dyn Fn(usize) -> Result<Option<String>, CliError>,
) -> Result<Vec<u8>, CliError> {
    let err = |e: csv::Error| CliError::Runtime(format!("cannot write CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["fold", "origin", "step", "position"];
    header.extend(time_name);
    header.extend(["actual", "model", "persistence"]);
    if c.seasonal.is_some() {
        header.push("seasonal_naive");
    }
    header.push("window_mean");
    w.write_record(&header).map_err(err)?;
    for (k, f) in folds.iter().enumerate() {
        for j in 0..h {
            let i = k * h + j;
            let pos = f.origin + j;
            let mut row = vec![
                f.index.to_string(),
                f.origin.to_string(),
                (j + 1).to_string(),
                pos.to_string(),
            ];
            row.extend(label(pos)?);
            row.extend([
                c.actual[i].to_string(),
                c.model[i].to_string(),
                c.persistence[i].to_string(),
            ]);
            row.extend(c.seasonal.as_ref().map(|sn| sn[i].to_string()));
            row.push(c.window_mean[i].to_string());
            w.write_record(&row).map_err(err)?;
        }
    }
    w.into_inner()
        .map_err(|e| CliError::Runtime(format!("cannot write CSV: {e}")))
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.6}"))
}

/// The text table: one row per fold, the overall means and the per-step MSEs.
fn human(r: &BacktestReport) -> String {
    let mut s = format!(
        "backtest: {} folds, horizon {}, stride {} (series units; {})\n",
        r.folds.len(),
        r.horizon,
        r.stride,
        if r.refit {
            "the model retrained on each fold's history"
        } else {
            "the model's weights serve every fold, no refit"
        }
    );
    s.push_str(&format!(
        "{:>4}  {:>8}  {:>14}  {:>14}  {:>14}  {:>14}\n",
        "fold", "origin", "model mse", "persistence", "seasonal", "window mean"
    ));
    for f in &r.folds {
        let origin = f
            .origin_time
            .clone()
            .unwrap_or_else(|| f.origin.to_string());
        let mark = if f.in_training_part { "*" } else { "" };
        s.push_str(&format!(
            "{:>4}  {:>8}  {:>14.6}  {:>14.6}  {:>14}  {:>14.6}{mark}\n",
            f.fold,
            origin,
            f.mse,
            f.persistence_mse,
            opt(f.seasonal_naive_mse),
            f.window_mean_mse
        ));
    }
    let o = &r.overall;
    s.push_str(&format!(
        "{:>4}  {:>8}  {:>14.6}  {:>14.6}  {:>14}  {:>14.6}\n",
        "mean",
        "",
        o.mse,
        o.persistence_mse,
        opt(o.seasonal_naive_mse),
        o.window_mean_mse
    ));
    if r.folds.iter().any(|f| f.in_training_part) {
        s.push_str(&format!(
            "* origin before the model's training split T = {}: in-sample values\n",
            r.split
        ));
    }
    let steps: Vec<String> = r.by_step.mse.iter().map(|v| format!("{v:.6}")).collect();
    s.push_str(&format!(
        "model mse by step 1..{}: {}\n",
        r.horizon,
        steps.join(", ")
    ));
    if let Some(k) = o.skill {
        s.push_str(&format!("skill against persistence: {k:.4}\n"));
    }
    s.push_str(&format!(
        "wrote {}, {}\n",
        r.outputs.backtest.display(),
        r.outputs.plot.display()
    ));
    s
}
