//! `recur evaluate`, `predict`, `forecast` and `summary`: load a saved model (and the settings
//! saved inside it), rebuild the windows and use the model. `predict` and `forecast` on the
//! series the model was trained on need only the model file: it keeps the series' last values
//! and the scaler.

use std::path::{Path, PathBuf};

use forecast::fitting;
use forecast::series::covariates::column_list;
use forecast::series::model_file::ModelFile;
use forecast::series::{
    DataConfig, Evaluation, ForecastRequest, FutureCovariates, PredictRequest, Prediction,
    SeriesModel,
};
use serde::Serialize;

use crate::args::{DataArgs, EvaluateArgs, ForecastArgs, PredictArgs, SummaryArgs, UpgradeArgs};
use crate::data_config::DataConfigArgs;
use crate::error::CliError;
use crate::output::OutDir;
use crate::plot::{ForecastPlot, forecast_plot};
use crate::predictions::forecast_csv_with_interval;
use crate::run_config::OutputConfig;

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

/// Loads the single-series model at `path` and applies the data flags over its saved
/// settings. A flag that contradicts a saved setting the model's numbers depend on (`--scale`,
/// `--step`, `--layout`) is an error naming both values; flags that only choose which data is
/// scored (`--csv`, `--column`, `--split`, `--no-pad`, the generator flags) are allowed.
pub(crate) fn load_model(path: &Path, args: &DataArgs) -> Result<SeriesModel, CliError> {
    let bytes = forecast::series::model_file::read_bytes(path)?;
    model_with_flags(&bytes, path, args)
}

/// [`load_model`] from the model file's bytes.
pub(crate) fn model_with_flags(
    bytes: &[u8],
    path: &Path,
    args: &DataArgs,
) -> Result<SeriesModel, CliError> {
    let file = ModelFile::from_bytes(bytes, path)?;
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
    Ok(SeriesModel::new(file, path, data)?)
}

/// The `recur evaluate` report.
#[derive(Debug, Serialize)]
struct EvaluateReport {
    model: PathBuf,
    config: DataConfig,
    #[serde(flatten)]
    evaluation: Evaluation,
}

/// `recur evaluate`: scores on the training and test windows, in the model's own loss, and
/// the MSE of its predictions in series units.
pub fn evaluate(args: &EvaluateArgs) -> Result<Outcome, CliError> {
    let mut model = load_model(&args.model.model, &args.data)?;
    let evaluation = forecast::series::evaluate(&mut model)?;
    let loss = model.file.model.loss().map_or("loss", |l| l.short_name());
    let r = EvaluateReport {
        model: args.model.model.clone(),
        config: model.data,
        evaluation,
    };
    let units = if r.config.differencing.is_none() {
        "series units"
    } else {
        "units of the differences"
    };
    let o = &r.evaluation.observed;
    let mut human = format!(
        "train score (model.evaluate on the training windows, {loss}, {u}): {:.6}\ntest score  (model.evaluate on the test windows, {loss}, {u}):     {:.6}\ntutorial's windows: train mse {:.6}, test mse {:.6}, baseline test mse (mean of window) {:.6} ({units})\nobserved targets (series units): train mse {:.6}, test mse {:.6}, persistence test mse {:.6}",
        r.evaluation.train_score,
        r.evaluation.test_score,
        r.evaluation.train_mse,
        r.evaluation.test_mse,
        r.evaluation.baseline_test_mse,
        o.train_mse_observed,
        o.test_mse_observed,
        o.persistence_test_mse,
        u = r.evaluation.score_units
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
    if let [_, _, ..] = r.evaluation.test_mse_by_horizon.as_slice() {
        let list: Vec<String> = r
            .evaluation
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
    if let Some(m) = &r.evaluation.missing
        && m.policy != data::MissingPolicy::Error
    {
        human.push_str(&format!("missing values: {}\n", m.describe()));
    }
    if !r.evaluation.features.is_empty() {
        human.push_str(&format!(
            "covariates: {}\n",
            r.evaluation.features.join(", ")
        ));
    }
    human.push_str(&o.verdict());
    human.push('\n');
    outcome(&r, human)
}

/// The `recur predict` report.
#[derive(Debug, Serialize)]
struct PredictReport {
    model: PathBuf,
    #[serde(flatten)]
    prediction: Prediction,
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
    let mut model = load_model(&args.model.model, &args.data)?;
    let request = PredictRequest {
        window: args.window.as_ref().map(|w| w.0.clone()),
        interval: args.interval,
    };
    let r = forecast::series::predict(&mut model, &request)?;
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
    let report = PredictReport {
        model: args.model.model.clone(),
        prediction: r,
    };
    outcome(&report, human)
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
    let bytes = forecast::series::model_file::read_bytes(&args.model.model)?;
    if forecast::many::ManyModel::is_many(&bytes) {
        return crate::many_forecast::forecast_many(args, &bytes, output);
    }
    refuse_season(&args.data, "forecast")?;
    let horizon = args.horizon;
    let mut model = model_with_flags(&bytes, &args.model.model, &args.data)?;
    let request = ForecastRequest {
        horizon,
        interval: args.interval,
        future: args.future_csv.clone().map(FutureCovariates::Csv),
    };
    let f = forecast::series::forecast(&mut model, &request)?;
    let band = f.lo.as_deref().zip(f.hi.as_deref());
    let mut out = OutDir::create(&output.out)?.stage("forecast")?;
    let columns = f.time_column.as_deref().zip(f.times.as_deref());
    let csv = out.write_bytes(
        "forecast.csv",
        &forecast_csv_with_interval(f.index, &f.values, columns, band)?,
    )?;
    let after = match &f.time {
        Some(t) => t.label(f.history.len() - 1)?,
        None => format!("n = {}", f.index),
    };
    let plot_name = format!("forecast.{}", output.plot_format.extension());
    let name = f.series_name.as_deref();
    let plot = out.write_with(&plot_name, |tmp| {
        forecast_plot(
            tmp,
            output.plot_format,
            &ForecastPlot {
                title: format!(
                    "recur forecast: {}, {horizon} steps after {after}",
                    name.unwrap_or("series")
                ),
                values: &f.history,
                offset: f.offset,
                forecast: &f.values,
                time: f.time.as_ref(),
                value_name: name.unwrap_or("value"),
                model_horizon: f.model_horizon,
                band: band.zip(args.interval).map(|((lo, hi), p)| (lo, hi, p)),
            },
        )
    })?;
    out.commit()?;
    let model_horizon = f.model_horizon;
    let future_rows = f.future_rows.unwrap_or(0);
    let r = ForecastReport {
        model: args.model.model.clone(),
        horizon,
        model_horizon,
        interval: args.interval,
        lo: f.lo,
        hi: f.hi,
        forecast: f.values,
        times: f.times,
        future_rows: f.future_rows,
        features: f.features,
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
