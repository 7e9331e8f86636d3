//! `recur evaluate`, `predict`, `forecast` and `summary`: load a saved model (and the settings
//! saved beside it), rebuild the windows and use the model.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::args::{DataArgs, EvaluateArgs, ForecastArgs, PredictArgs, SummaryArgs};
use crate::config::{DataConfig, OutputConfig};
use crate::error::CliError;
use crate::model::{Backend, Model};
use crate::output::OutDir;
use crate::parse;
use crate::plot::{ForecastPlot, forecast_plot};
use crate::predictions::forecast_csv;
use crate::train::{SavedSettings, settings_path};

/// What a subcommand produced: the `--json` object and the human text.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The JSON object printed with `--json`.
    pub json: serde_json::Value,
    /// The text printed otherwise.
    pub human: String,
}

fn outcome(report: &impl Serialize, human: String) -> Result<Outcome, CliError> {
    let json = serde_json::to_value(report)
        .map_err(|e| CliError::Runtime(format!("cannot encode the report: {e}")))?;
    Ok(Outcome { json, human })
}

/// Checks that `path` is a readable file and reads the settings saved beside it (if any).
/// A missing or unreadable file, or a settings file that is not valid, is a usage error.
pub fn check_model_file(path: &Path) -> Result<Option<SavedSettings>, CliError> {
    if path.is_dir() {
        return Err(CliError::flag(
            "--model",
            path.display(),
            "a model file (this is a folder)",
        ));
    }
    File::open(path).map_err(|e| {
        CliError::Usage(format!(
            "--model '{}': cannot read the model file: {e}",
            path.display()
        ))
    })?;
    let settings = settings_path(path);
    if !settings.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&settings).map_err(|e| {
        CliError::Usage(format!(
            "cannot read the model settings '{}': {e}",
            settings.display()
        ))
    })?;
    serde_json::from_str(&text).map(Some).map_err(|e| {
        CliError::Usage(format!(
            "the model settings '{}' are not valid (written by recur train?): {e}",
            settings.display()
        ))
    })
}

/// Errors unless `model` takes windows of `data`'s step and layout.
pub fn check_input(model: &dyn Model, data: &DataConfig, path: &Path) -> Result<(), CliError> {
    let (step, layout) = model.input();
    let w = &data.windows;
    if step != w.step || layout != w.layout {
        return Err(CliError::Usage(format!(
            "--model '{}' takes windows of step {step} in the {} layout, but the data settings give step {} in the {} layout",
            path.display(),
            layout.name(),
            w.step,
            w.layout.name()
        )));
    }
    Ok(())
}

struct Loaded {
    model: Box<dyn Model>,
    data: DataConfig,
}

fn load(backend: &dyn Backend, path: &Path, data: &DataArgs) -> Result<Loaded, CliError> {
    let saved = check_model_file(path)?;
    let data = DataConfig::from_args(data, saved.as_ref().map(|s| &s.data))?;
    let model = backend.load(path)?;
    check_input(model.as_ref(), &data, path)?;
    Ok(Loaded { model, data })
}

/// The `recur evaluate` report.
#[derive(Debug, Serialize)]
struct EvaluateReport {
    model: PathBuf,
    config: DataConfig,
    train_score: f64,
    test_score: f64,
    train_mse: f64,
    test_mse: f64,
    baseline_test_mse: f64,
}

/// `recur evaluate`: scores on the training and test windows.
pub fn evaluate(args: &EvaluateArgs, backend: &dyn Backend) -> Result<Outcome, CliError> {
    let l = load(backend, &args.model.model, &args.data)?;
    let (_, ds) = l.data.load()?;
    let m = l.model.as_ref();
    let r = EvaluateReport {
        model: args.model.model.clone(),
        train_score: m.evaluate(&ds.train.x, &ds.train.y)?,
        test_score: m.evaluate(&ds.test.x, &ds.test.y)?,
        train_mse: data::mse(&m.predict(&ds.train.x)?, &ds.train.y)?,
        test_mse: data::mse(&m.predict(&ds.test.x)?, &ds.test.y)?,
        baseline_test_mse: data::baseline_mse(&ds.test.x, &ds.test.y)?,
        config: l.data,
    };
    let human = format!(
        "train score (model.evaluate on the training windows): {:.6}\ntest score  (model.evaluate on the test windows):     {:.6}\ntrain mse {:.6}, test mse {:.6}, baseline test mse (mean of window) {:.6}\n",
        r.train_score, r.test_score, r.train_mse, r.test_mse, r.baseline_test_mse
    );
    outcome(&r, human)
}

/// The `recur predict` report.
#[derive(Debug, Serialize)]
struct PredictReport {
    model: PathBuf,
    window: Vec<f64>,
    next_value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_value_tutorial: Option<f64>,
}

fn one(model: &dyn Model, x: &data::Windows) -> Result<f64, CliError> {
    let out = model.predict(x)?;
    match out.as_slice() {
        [v] => Ok(f64::from(*v)),
        _ => Err(CliError::Runtime(format!(
            "the model gave {} outputs for one window",
            out.len()
        ))),
    }
}

/// `recur predict`: the next value after the series, or after `--window`.
pub fn predict(args: &PredictArgs, backend: &dyn Backend) -> Result<Outcome, CliError> {
    let window = args
        .window
        .as_deref()
        .map(data::parse_window)
        .transpose()
        .map_err(|e| CliError::Usage(format!("--window: {e}")))?;
    let l = load(backend, &args.model.model, &args.data)?;
    let step = l.data.windows.step;
    let layout = l.data.windows.layout;
    let m = l.model.as_ref();
    let r = match window {
        Some(w) => {
            if w.len() != step {
                return Err(CliError::flag(
                    "--window",
                    args.window.as_deref().unwrap_or_default(),
                    &format!("exactly step = {step} values (the model's window length)"),
                ));
            }
            // The scaler is fitted on the training part, so scaled models need the series.
            let scaler = if l.data.windows.scale == data::ScaleKind::None {
                data::Scaler::Identity
            } else {
                l.data.load()?.1.scaler
            };
            let x = data::Windows::single(&scaler.transform_all(&w), layout)?;
            PredictReport {
                model: args.model.model.clone(),
                next_value: scaler.inverse(one(m, &x)?),
                window: w,
                next_value_tutorial: None,
            }
        }
        None => {
            let (series, ds) = l.data.load()?;
            let n = series.len();
            PredictReport {
                model: args.model.model.clone(),
                window: series.values()[n - step..].to_vec(),
                next_value: ds.scaler.inverse(one(m, &ds.next_window)?),
                next_value_tutorial: Some(ds.scaler.inverse(one(m, &ds.tutorial_next_window)?)),
            }
        }
    };
    let mut human = format!("next value after {:?}: {:.6}\n", r.window, r.next_value);
    if let Some(t) = r.next_value_tutorial {
        human.push_str(&format!("tutorial's figure (from testX[-1]): {t:.6}\n"));
    }
    outcome(&r, human)
}

/// The `recur forecast` report.
#[derive(Debug, Serialize)]
struct ForecastReport {
    model: PathBuf,
    horizon: usize,
    forecast: Vec<f64>,
    outputs: ForecastOutputs,
}

#[derive(Debug, Serialize)]
struct ForecastOutputs {
    forecast: PathBuf,
    plot: PathBuf,
}

/// `recur forecast`: `--horizon` values after the series, each prediction fed back as input;
/// writes `forecast.csv` and the forecast plot.
pub fn forecast(args: &ForecastArgs, backend: &dyn Backend) -> Result<Outcome, CliError> {
    let horizon = parse::count("--horizon", &args.horizon, 1)?;
    let output = OutputConfig::from_args(&args.output)?;
    let l = load(backend, &args.model.model, &args.data)?;
    let (series, ds) = l.data.load()?;
    let m = l.model.as_ref();
    let raw = data::recursive_forecast(&ds.scaled, ds.step, horizon, l.data.windows.layout, |x| {
        let out = m.predict(x)?;
        match out.as_slice() {
            [v] => Ok(*v),
            _ => Err(CliError::Runtime(format!(
                "the model gave {} outputs for one window",
                out.len()
            ))),
        }
    })?;
    let values = ds.scaler.inverse_all(&raw);
    let out = OutDir::create(&output.out)?;
    let csv = out.write_bytes("forecast.csv", &forecast_csv(series.len(), &values)?)?;
    let plot_name = format!("forecast.{}", output.plot_format.extension());
    let plot = out.write_with(&plot_name, |tmp| {
        forecast_plot(
            tmp,
            output.plot_format,
            &ForecastPlot {
                title: format!("recur forecast: {horizon} steps after n = {}", series.len()),
                values: series.values(),
                forecast: &values,
            },
        )
    })?;
    let r = ForecastReport {
        model: args.model.model.clone(),
        horizon,
        forecast: values,
        outputs: ForecastOutputs {
            forecast: csv,
            plot,
        },
    };
    let human = format!(
        "forecast of {horizon} values: {:?}\nwrote {}, {}\n",
        r.forecast,
        r.outputs.forecast.display(),
        r.outputs.plot.display()
    );
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
pub fn summary(args: &SummaryArgs, backend: &dyn Backend) -> Result<Outcome, CliError> {
    check_model_file(&args.model.model)?;
    let m = backend.load(&args.model.model)?;
    let r = SummaryReport {
        model: args.model.model.clone(),
        params: m.param_count(),
        summary: m.summary(),
    };
    let human = format!("{}\n", r.summary);
    outcome(&r, human)
}
