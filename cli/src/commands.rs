//! `recur evaluate`, `predict`, `forecast` and `summary`: load a saved model (and the settings
//! saved inside it), rebuild the windows and use the model. `predict` and `forecast` on the
//! series the model was trained on need only the model file: it keeps the series' last values
//! and the scaler.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::args::{DataArgs, EvaluateArgs, ForecastArgs, PredictArgs, SummaryArgs, UpgradeArgs};
use crate::covariates::{CovariateHistory, FutureColumns, forecast_rows};
use crate::data_config::DataConfig;
use crate::error::CliError;
use crate::horizon::{direct_parts, test_mse_by_horizon};
use crate::intervals::half_widths;
use crate::model_file::{ModelFile, SeriesSettings};
use crate::output::OutDir;
use crate::plot::{ForecastPlot, forecast_plot};
use crate::predictions::forecast_csv_with_interval;
use crate::run_config::OutputConfig;
use crate::scores::{ObservedScores, next_after, observed};
use crate::time_column::series_time;
use crate::train::{MissingReport, score_units};
use forecast::fitting::{self, predict_rows};

/// What a subcommand produced: the `--json` object and the human text.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The JSON object printed with `--json`.
    pub json: serde_json::Value,
    /// The text printed otherwise.
    pub human: String,
}

pub(crate) fn outcome(report: &impl Serialize, human: String) -> Result<Outcome, CliError> {
    let json = serde_json::to_value(report)
        .map_err(|e| CliError::Runtime(format!("cannot encode the report: {e}")))?;
    Ok(Outcome { json, human })
}

/// A model file with the data settings to use it on.
pub(crate) struct Loaded {
    pub(crate) file: ModelFile,
    /// The settings saved with the model, for a series model.
    pub(crate) saved: Option<SeriesSettings>,
    /// The series settings: the saved ones with the flags given on top.
    pub(crate) data: DataConfig,
}

impl Loaded {
    /// Loads `path` and applies the data flags over its saved settings. A flag that
    /// contradicts a saved setting the model's numbers depend on (`--scale`, `--step`,
    /// `--layout`) is an error naming both values; flags that only choose which data is scored
    /// (`--csv`, `--column`, `--split`, `--no-pad`, the generator flags) are allowed.
    pub(crate) fn new(path: &Path, args: &DataArgs) -> Result<Self, CliError> {
        let file = ModelFile::load(path)?;
        let saved = file.series_settings(path)?.cloned();
        let s = &args.series;
        if let (Some(scale), Some(saved)) = (s.scale, &saved) {
            let trained = saved.data.windows.scale;
            if scale != trained {
                return Err(CliError::Usage(format!(
                    "--scale {} contradicts the model's saved scaling '{}' (--model '{}'): the \
                     model only knows values scaled as it was trained; leave out --scale",
                    scale.name(),
                    trained.name(),
                    path.display()
                )));
            }
        }
        if let Some(saved) = &saved {
            let trained = saved.data.differencing;
            let asked = data::Differencing {
                order: s.diff.unwrap_or(trained.order),
                seasonal: s.seasonal_diff.or(trained.seasonal),
            };
            if asked != trained {
                return Err(CliError::Usage(format!(
                    "{} contradicts the model's saved differencing '{}' (--model '{}'): the \
                     model only knows the series differenced as it was trained; leave out \
                     --diff and --seasonal-diff",
                    asked.describe(),
                    trained.describe(),
                    path.display()
                )));
            }
        } else if s.diff.is_some() || s.seasonal_diff.is_some() {
            return Err(CliError::Usage(format!(
                "--diff and --seasonal-diff apply at training: --model '{}' has no saved settings to say how it was trained",
                path.display()
            )));
        }
        let trained: Vec<data::Column> = saved
            .as_ref()
            .map(|s| s.data.features().to_vec())
            .unwrap_or_default();
        if let Some(asked) = s.features.as_ref().filter(|f| f.0 != trained) {
            return Err(CliError::Usage(format!(
                "--features {} contradicts the model's saved covariates ({}) (--model '{}'): the \
                 model takes exactly the inputs it was trained on; leave out --features",
                column_list(&asked.0),
                if trained.is_empty() {
                    "none".to_string()
                } else {
                    column_list(&trained)
                },
                path.display()
            )));
        }
        // The window length and layout are the model's input shape, saved settings or not.
        if let Some(step) = s.step.filter(|&v| v != file.step) {
            return Err(CliError::Usage(format!(
                "--step {step} contradicts the model's window length {} (--model '{}'): leave out --step",
                file.step,
                path.display()
            )));
        }
        // With step 1 both layouts hold the same single value.
        if let Some(layout) = s.layout.filter(|&l| l != file.layout && file.step != 1) {
            return Err(CliError::Usage(format!(
                "--layout {} contradicts the model's layout '{}' (--model '{}'): leave out --layout",
                layout.name(),
                file.layout.name(),
                path.display()
            )));
        }
        let data = DataConfig::from_args(args, saved.as_ref().map(|s| &s.data))?;
        let w = &data.windows;
        // A model saved without settings takes the tutorial's defaults, which may not fit it.
        if file.step != w.step || (file.layout != w.layout && file.step != 1) {
            return Err(CliError::Usage(format!(
                "--model '{}' takes windows of step {} in the {} layout, but the data settings give step {} in the {} layout: pass --step {} --layout {}",
                path.display(),
                file.step,
                file.layout.name(),
                w.step,
                w.layout.name(),
                file.step,
                file.layout.name()
            )));
        }
        // Covariates come from a CSV's columns: the generated sine has none to give.
        if data.features().len() + 1 != file.features {
            return Err(CliError::Usage(format!(
                "--model '{}' takes {} covariate(s) beside the series ({}), which only a CSV \
                 with those columns gives: leave out the generator's flags (or pass --csv)",
                path.display(),
                file.features - 1,
                column_list(&trained)
            )));
        }
        Ok(Loaded { file, saved, data })
    }

    /// The covariates' scalers saved with the model (`None` without covariates).
    fn saved_covariate_scalers(&self) -> Option<&[data::Scaler]> {
        self.saved
            .as_ref()
            .and_then(|s| s.covariates.as_ref())
            .map(|c| c.scalers.as_slice())
    }

    /// Whether the model takes covariates (`train --features`).
    pub(crate) fn has_covariates(&self) -> bool {
        self.file.features > 1
    }

    /// The split-conformal residuals stored by `train --interval`, if any.
    fn calibration(&self) -> Option<&data::Calibration> {
        self.saved.as_ref().and_then(|s| s.calibration.as_ref())
    }

    /// The model's outputs per window (`--horizon H` at training; 1 for a one-step model or a
    /// file without saved settings).
    pub(crate) fn model_horizon(&self) -> usize {
        self.saved.as_ref().map_or(1, |s| s.model.horizon)
    }

    /// The saved settings when the data settings are still the ones the model was trained
    /// with: then the saved tail is the end of this very series.
    fn same_series(&self) -> Option<&SeriesSettings> {
        self.saved.as_ref().filter(|s| s.data == self.data)
    }

    /// The scaler the model was trained with, when it is of the kind the settings ask for.
    fn saved_scaler(&self) -> Option<data::Scaler> {
        self.saved.as_ref().map(|s| s.scaler)
    }

    /// The series and windows, scaled as the model was trained.
    pub(crate) fn series(&self) -> Result<(data::Series, data::Dataset), CliError> {
        self.data
            .load_scaled(self.saved_scaler(), self.saved_covariate_scalers())
    }

    /// The scaler for raw values: the model's own when it is of the asked kind, identity
    /// without scaling, else one fitted on the series' training part.
    fn scaler(&self) -> Result<data::Scaler, CliError> {
        match self.saved_scaler() {
            Some(s) if s.kind() == self.data.windows.scale => Ok(s),
            _ if self.data.windows.scale == data::ScaleKind::None => Ok(data::Scaler::Identity),
            _ => Ok(self.series()?.1.scaler),
        }
    }
}

/// Columns as a comma list for messages (`'price', index 3`).
pub(crate) fn column_list(columns: &[data::Column]) -> String {
    columns
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `recur evaluate` report.
#[derive(Debug, Serialize)]
struct EvaluateReport {
    model: PathBuf,
    config: DataConfig,
    /// The covariates' names (`--features` at training), when the model has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    features: Vec<String>,
    train_score: f64,
    test_score: f64,
    score_units: &'static str,
    train_mse: f64,
    test_mse: f64,
    baseline_test_mse: f64,
    #[serde(flatten)]
    observed: ObservedScores,
    test_mse_by_horizon: Vec<f64>,
    missing: Option<MissingReport>,
}

/// `recur evaluate`: scores on the training and test windows, in the model's own loss, and
/// the MSE of its predictions in series units.
pub fn evaluate(args: &EvaluateArgs) -> Result<Outcome, CliError> {
    let mut l = Loaded::new(&args.model.model, &args.data)?;
    let (series, ds) = l.series()?;
    let h = l.model_horizon();
    let model = &mut l.file.model;
    // A direct model is scored on its own windows (the next H values as targets).
    let (train, test) = if h > 1 {
        let (tr, te) = direct_parts(&ds, h, l.data.windows.layout)?;
        (
            fitting::score(model, &tr.x, &tr.y)?,
            fitting::score(model, &te.x, &te.y)?,
        )
    } else {
        (
            fitting::score(model, &ds.train.x, &ds.train.y)?,
            fitting::score(model, &ds.test.x, &ds.test.y)?,
        )
    };
    let (observed, _) = observed(model, series.values(), &ds, &l.data)?;
    let test_mse_by_horizon = test_mse_by_horizon(model, series.values(), &ds, &l.data)?;
    let sc = ds.scaler;
    let r = EvaluateReport {
        model: args.model.model.clone(),
        train_score: train.score,
        test_score: test.score,
        score_units: score_units(&l.data),
        train_mse: sc.inverse_mse(train.mse),
        test_mse: sc.inverse_mse(test.mse),
        baseline_test_mse: sc.inverse_mse(data::baseline_mse(&ds.test.x, &ds.test.y)?),
        observed,
        test_mse_by_horizon,
        missing: MissingReport::of(&l.data, &series),
        features: series.covariates().iter().map(|c| c.name.clone()).collect(),
        config: l.data,
    };
    let loss = model.loss().map_or("loss", |l| l.short_name());
    let units = if r.config.differencing.is_none() {
        "series units"
    } else {
        "units of the differences"
    };
    let o = &r.observed;
    let mut human = format!(
        "train score (model.evaluate on the training windows, {loss}, {u}): {:.6}\ntest score  (model.evaluate on the test windows, {loss}, {u}):     {:.6}\ntutorial's windows: train mse {:.6}, test mse {:.6}, baseline test mse (mean of window) {:.6} ({units})\nobserved targets (series units): train mse {:.6}, test mse {:.6}, persistence test mse {:.6}",
        r.train_score,
        r.test_score,
        r.train_mse,
        r.test_mse,
        r.baseline_test_mse,
        o.train_mse_observed,
        o.test_mse_observed,
        o.persistence_test_mse,
        u = r.score_units
    );
    if let Some(v) = o.seasonal_naive_test_mse {
        human.push_str(&format!(", seasonal naive test mse {v:.6}"));
    }
    if let Some(k) = o.skill {
        human.push_str(&format!(", skill {k:.4}"));
    }
    if let Some(k) = o.mase {
        human.push_str(&format!(", mase {k:.4}"));
    }
    human.push('\n');
    if let [_, _, ..] = r.test_mse_by_horizon.as_slice() {
        let list: Vec<String> = r
            .test_mse_by_horizon
            .iter()
            .map(|v| format!("{v:.6}"))
            .collect();
        human.push_str(&format!(
            "test mse by horizon 1..{} (observed targets, series units): {}\n",
            list.len(),
            list.join(", ")
        ));
    }
    if let Some(m) = &r.missing
        && m.policy != data::MissingPolicy::Error
    {
        human.push_str(&format!("missing values: {}\n", m.describe()));
    }
    if !r.features.is_empty() {
        human.push_str(&format!("covariates: {}\n", r.features.join(", ")));
    }
    human.push_str(&o.verdict());
    human.push('\n');
    outcome(&r, human)
}

/// The `recur predict` report.
#[derive(Debug, Serialize)]
struct PredictReport {
    model: PathBuf,
    window: Vec<f64>,
    next_value: f64,
    /// The time of the predicted value, with a time column.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_value_tutorial: Option<f64>,
    /// The coverage of `lo` and `hi` (`--interval`).
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<f64>,
    /// Lower bound of the split-conformal interval around `next_value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    lo: Option<f64>,
    /// Upper bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    hi: Option<f64>,
}

/// The interval bounds `values -/+ half` (one half-width per value).
fn bounds(values: &[f64], half: &[f64]) -> (Vec<f64>, Vec<f64>) {
    values.iter().zip(half).map(|(v, h)| (v - h, v + h)).unzip()
}

/// `--season` chooses a baseline of train and evaluate: predict and forecast have none.
fn refuse_season(args: &DataArgs, command: &str) -> Result<(), CliError> {
    match args.series.season {
        Some(m) => Err(CliError::Usage(format!(
            "--season {m} sets the seasonal naive baseline of train and evaluate; {command} \
             scores nothing: leave it out"
        ))),
        None => Ok(()),
    }
}

/// `recur predict`: the next value after the series, or after `--window`.
pub fn predict(args: &PredictArgs) -> Result<Outcome, CliError> {
    refuse_season(&args.data, "predict")?;
    let mut l = Loaded::new(&args.model.model, &args.data)?;
    let half = match args.interval {
        Some(p) => Some(half_widths(l.calibration(), p, 1)?[0]),
        None => None,
    };
    let w = &l.data.windows;
    let (step, layout, pad) = (w.step, w.layout, w.pad);
    let d = l.data.differencing;
    let needed = step + d.lost();
    let path = args.model.model.clone();
    let r = if let Some(window) = &args.window {
        let values = &window.0;
        if l.has_covariates() {
            return Err(CliError::Usage(format!(
                "--window gives the series' values only, but --model '{}' also takes its {} \
                 covariate(s) at each time step: predict after a series instead (leave out \
                 --window: the model file's own, or --csv with the covariates' columns)",
                path.display(),
                l.file.features - 1
            )));
        }
        if values.len() != needed {
            let what = if d.is_none() {
                format!("exactly step = {step} values (the model's window length)")
            } else {
                format!(
                    "exactly step + {} = {needed} values (the model's window length, plus the {} value(s) {} consumes)",
                    d.lost(),
                    d.lost(),
                    d.describe()
                )
            };
            return Err(CliError::flag("--window", format!("{values:?}"), &what));
        }
        let scaler = l.scaler()?;
        let z = scaler.transform_all(&d.apply(values)?);
        let x = data::Windows::single(&z, layout)?;
        PredictReport {
            model: path,
            next_value: next_after(&mut l.file.model, &x, values, &scaler, d)?,
            window: values.clone(),
            next_time: None,
            next_value_tutorial: None,
            interval: None,
            lo: None,
            hi: None,
        }
    } else {
        // From the model file alone when its tail is the end of this series.
        let (history, scaler, next_time, covariates) = match l.same_series().cloned() {
            Some(s) => {
                let next_time = s.time.as_ref().map(|t| t.label(s.tail.len())).transpose()?;
                let covariates = CovariateHistory::from_settings(s.covariates.as_ref());
                (s.tail, s.scaler, next_time, covariates)
            }
            None => {
                let (series, ds) = l.series()?;
                let n = series.len();
                let next_time = series_time(&series).map(|t| t.label(n)).transpose()?;
                let covariates = CovariateHistory::from_series(&series, &ds);
                (series.into_values(), ds.scaler, next_time, covariates)
            }
        };
        let n = history.len();
        let rows = covariates.rows(&history, &scaler, d)?;
        let frame = data::Frame::new(&rows, 1 + covariates.len())?;
        let m = frame.rows();
        let x = data::last_window(frame, step, layout)?;
        // The tutorial's testX[-1]: with padding, `step` copies of the last row (every
        // channel's last value); without, the `step` rows before the last.
        let xt = if pad {
            let copies = data::pad_rows_with_last(frame.slice(m - 1..m)?, step - 1);
            data::last_window(data::Frame::new(&copies, frame.width())?, step, layout)?
        } else {
            data::last_window(frame.slice(0..m - 1)?, step, layout)?
        };
        let model = &mut l.file.model;
        PredictReport {
            model: path,
            window: history[n - needed..].to_vec(),
            next_time,
            next_value: next_after(model, &x, &history, &scaler, d)?,
            next_value_tutorial: Some(next_after(model, &xt, &history, &scaler, d)?),
            interval: None,
            lo: None,
            hi: None,
        }
    };
    let mut r = r;
    if let (Some(h), Some(p)) = (half, args.interval) {
        r.interval = Some(p);
        r.lo = Some(r.next_value - h);
        r.hi = Some(r.next_value + h);
    }
    let mut human = match &r.next_time {
        Some(t) => format!(
            "next value ({t}) after {:?}: {:.6}\n",
            r.window, r.next_value
        ),
        None => format!("next value after {:?}: {:.6}\n", r.window, r.next_value),
    };
    if let Some(t) = r.next_value_tutorial {
        human.push_str(&format!("tutorial's figure (from testX[-1]): {t:.6}\n"));
    }
    if let (Some(p), Some(lo), Some(hi)) = (r.interval, r.lo, r.hi) {
        human.push_str(&format!(
            "{:.0}% interval (split conformal): [{lo:.6}, {hi:.6}]\n",
            p * 100.0
        ));
    }
    outcome(&r, human)
}

/// The `recur forecast` report.
#[derive(Debug, Serialize)]
struct ForecastReport {
    model: PathBuf,
    horizon: usize,
    /// The model's outputs per forward pass (`--horizon` at training).
    model_horizon: usize,
    forecast: Vec<f64>,
    /// The coverage of `lo` and `hi` (`--interval`).
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<f64>,
    /// Lower bounds of the split-conformal interval, one per forecast value.
    #[serde(skip_serializing_if = "Option::is_none")]
    lo: Option<Vec<f64>>,
    /// Upper bounds.
    #[serde(skip_serializing_if = "Option::is_none")]
    hi: Option<Vec<f64>>,
    /// The time of each forecast value, with a time column.
    #[serde(skip_serializing_if = "Option::is_none")]
    times: Option<Vec<String>>,
    /// The covariates' names (`--features` at training), when the model has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    features: Vec<String>,
    /// Rows of future covariates read from `--future-csv` (with covariates).
    #[serde(skip_serializing_if = "Option::is_none")]
    future_rows: Option<usize>,
    outputs: ForecastOutputs,
}

#[derive(Debug, Serialize)]
struct ForecastOutputs {
    forecast: PathBuf,
    plot: PathBuf,
}

/// `recur forecast`: `--horizon` values after the series; writes `forecast.csv` and the forecast
/// plot. A one-step model feeds each prediction back as input; a direct model (trained with
/// `--horizon H`) gives `H` values per forward pass, and beyond `H` continues by blocks of `H`.
pub fn forecast(args: &ForecastArgs) -> Result<Outcome, CliError> {
    // Before the model file is read: an unusable --out is refused ahead of any other error.
    let output = OutputConfig::from_args(&args.output)?;
    let bytes = crate::model_file::read_bytes(&args.model.model)?;
    if forecast::many::ManyModel::is_many(&bytes) {
        return crate::many_forecast::forecast_many(args, &bytes, output);
    }
    refuse_season(&args.data, "forecast")?;
    let horizon = args.horizon;
    let mut l = Loaded::new(&args.model.model, &args.data)?;
    // Checked before any work: the stored residuals must allow P for every step.
    let half = match args.interval {
        Some(p) => Some(half_widths(l.calibration(), p, horizon)?),
        None => None,
    };
    // The values to continue (series units), the index of the first, the scaler, the time
    // axis (position 0 at the first value to continue), the series' name (its header, so
    // `Some` exactly when the CSV had one) and the covariates beside the values.
    let (history, offset, scaler, time, name, covariates) = match l.same_series() {
        Some(s) => (
            s.tail.clone(),
            s.series_len - s.tail.len(),
            s.scaler,
            s.time.clone(),
            s.series_name.clone(),
            CovariateHistory::from_settings(s.covariates.as_ref()),
        ),
        None => {
            let (series, ds) = l.series()?;
            let time = series_time(&series);
            let name = series.name().map(str::to_string);
            let covariates = CovariateHistory::from_series(&series, &ds);
            (series.into_values(), 0, ds.scaler, time, name, covariates)
        }
    };
    let times = match &time {
        Some(t) => Some(
            (history.len()..history.len() + horizon)
                .map(|i| t.label(i))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| CliError::Usage(format!("--horizon {horizon}: {e}")))?,
        ),
        None => None,
    };
    let (step, layout) = (l.data.windows.step, l.data.windows.layout);
    let d = l.data.differencing;
    let model_horizon = l.model_horizon();
    let wanted = FutureColumns::of(
        &l.data,
        &covariates.names,
        name.is_some(),
        time.as_ref().map(|t| t.name.as_str()),
    );
    let (future, future_rows) = forecast_rows(
        args.future_csv.as_deref(),
        &covariates,
        &wanted,
        time.as_ref(),
        history.len(),
        horizon,
        model_horizon,
    )?;
    let rows = covariates.rows(&history, &scaler, d)?;
    let m = &mut l.file.model;
    // The model continues its own series (the differences, with differencing); the rebuilt
    // values then continue the history in series units.
    let raw = data::direct_forecast_frame(
        data::Frame::new(&rows, 1 + covariates.len())?,
        &future,
        step,
        horizon,
        layout,
        |x| predict_rows(m, x).map(|(out, _)| out),
    )?;
    let values = d.integrate(&history, &scaler.inverse_all(&raw))?;
    let band = half.as_ref().map(|h| bounds(&values, h));
    let n = offset + history.len();
    let mut out = OutDir::create(&output.out)?.stage("forecast")?;
    let columns = time.as_ref().zip(times.as_deref());
    let csv = out.write_bytes(
        "forecast.csv",
        &forecast_csv_with_interval(
            n,
            &values,
            columns.map(|(t, v)| (t.name.as_str(), v)),
            band.as_ref().map(|(lo, hi)| (lo.as_slice(), hi.as_slice())),
        )?,
    )?;
    let after = match &time {
        Some(t) => t.label(history.len() - 1)?,
        None => format!("n = {n}"),
    };
    let plot_name = format!("forecast.{}", output.plot_format.extension());
    let plot = out.write_with(&plot_name, |tmp| {
        forecast_plot(
            tmp,
            output.plot_format,
            &ForecastPlot {
                title: format!(
                    "recur forecast: {}, {horizon} steps after {after}",
                    name.as_deref().unwrap_or("series")
                ),
                values: &history,
                offset,
                forecast: &values,
                time: time.as_ref(),
                value_name: name.as_deref().unwrap_or("value"),
                model_horizon,
                band: band
                    .as_ref()
                    .zip(args.interval)
                    .map(|((lo, hi), p)| (lo.as_slice(), hi.as_slice(), p)),
            },
        )
    })?;
    out.commit()?;
    let r = ForecastReport {
        model: args.model.model.clone(),
        horizon,
        model_horizon,
        interval: args.interval,
        lo: band.as_ref().map(|b| b.0.clone()),
        hi: band.map(|b| b.1),
        forecast: values,
        times,
        future_rows: (!covariates.is_empty()).then_some(future_rows),
        features: covariates.names,
        outputs: ForecastOutputs {
            forecast: csv,
            plot,
        },
    };
    let span = match r.times.as_deref() {
        Some([first, .., last]) => format!(" ({first} to {last})"),
        Some([only]) => format!(" ({only})"),
        _ => String::new(),
    };
    let human = format!(
        "forecast of {horizon} values{span}: {:?}\nwrote {}, {}\n",
        r.forecast,
        r.outputs.forecast.display(),
        r.outputs.plot.display()
    );
    let human = match (&r.lo, &r.hi, r.interval) {
        (Some(lo), Some(hi), Some(p)) => format!(
            "{human}{:.0}% interval (split conformal): lo {lo:?}\n{:>w$}hi {hi:?}\n",
            p * 100.0,
            "",
            w = format!("{:.0}% interval (split conformal): ", p * 100.0).len()
        ),
        _ => human,
    };
    let human = if r.features.is_empty() {
        human
    } else {
        format!(
            "{human}covariates {}: {} future row(s) read{}\n",
            r.features.join(", "),
            future_rows,
            args.future_csv
                .as_ref()
                .map_or(String::new(), |f| format!(" from {}", f.display()))
        )
    };
    let human = if model_horizon > 1 {
        format!(
            "{human}direct model: {model_horizon} values per forward pass{}\n",
            if horizon > model_horizon {
                ", continued by blocks of them beyond that"
            } else {
                " (none fed back)"
            }
        )
    } else {
        human
    };
    outcome(&r, human)
}

/// The `recur summary` report.
#[derive(Debug, Serialize)]
struct SummaryReport {
    model: PathBuf,
    params: usize,
    summary: String,
}

/// `recur summary`: the Keras table of a saved model.
pub fn summary(args: &SummaryArgs) -> Result<Outcome, CliError> {
    let file = ModelFile::load(&args.model.model)?;
    let r = SummaryReport {
        model: args.model.model.clone(),
        params: file.model.count_params(),
        summary: fitting::summary(&file.model)?,
    };
    let human = format!("{}\n", r.summary);
    outcome(&r, human)
}

/// The `recur upgrade` report.
#[derive(Debug, Serialize)]
struct UpgradeReport {
    model: PathBuf,
    upgraded: bool,
    /// What the old format's checksum did not cover (read unverified), when upgraded.
    unverified: Option<&'static str>,
}

/// `recur upgrade`: rewrites an older model file in the current format, in place.
pub fn upgrade(args: &UpgradeArgs) -> Result<Outcome, CliError> {
    let path = &args.model.model;
    let (_, unverified) = ModelFile::upgrade(path)?;
    let r = UpgradeReport {
        model: path.clone(),
        upgraded: unverified.is_some(),
        unverified,
    };
    let human = match unverified {
        Some(what) => format!(
            "upgraded '{}' to the current format (a checksum over every byte). Its old checksum \
             did not cover {what}: they were read as found, so check the model's predictions once\n",
            path.display()
        ),
        None => format!(
            "'{}' is already in the current format; nothing written\n",
            path.display()
        ),
    };
    outcome(&r, human)
}
