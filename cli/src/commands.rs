//! `recur evaluate`, `predict`, `forecast` and `summary`: load a saved model (and the settings
//! saved inside it), rebuild the windows and use the model. `predict` and `forecast` without
//! data flags need only the model file: it keeps the series' last values and the scaler.

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
use crate::train::SavedSettings;

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

/// Checks that `path` is a readable file (not a folder); a usage error otherwise.
pub fn check_model_file(path: &Path) -> Result<(), CliError> {
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
    Ok(())
}

/// Whether any series or window flag was given (else the settings saved in the model rule).
fn data_flags_given(a: &DataArgs) -> bool {
    let texts = [
        &a.column,
        &a.time_column,
        &a.n,
        &a.freq,
        &a.amplitude,
        &a.noise,
        &a.noise_amplitude,
        &a.data_seed,
        &a.split,
        &a.step,
        &a.layout,
        &a.scale,
    ];
    a.csv.is_some() || a.no_pad || texts.iter().any(|t| t.is_some())
}

/// Errors unless `model` takes windows of `data`'s step and layout.
pub fn check_input(model: &dyn Model, data: &DataConfig, path: &Path) -> Result<(), CliError> {
    let (step, layout) = model.input();
    let w = &data.windows;
    // With step 1 both layouts hold the same single value.
    if step != w.step || (layout != w.layout && step != 1) {
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
    /// The settings saved in the model file, when no data flag overrides them.
    saved: Option<SavedSettings>,
    /// The scaler the model was trained with (from its file), used on any series.
    scaler: Option<data::Scaler>,
}

impl Loaded {
    /// The series and windows, scaled as the model was trained.
    fn series(&self) -> Result<(data::Series, data::Dataset), CliError> {
        self.data.load_scaled(self.scaler)
    }
}

fn load(backend: &dyn Backend, path: &Path, data: &DataArgs) -> Result<Loaded, CliError> {
    check_model_file(path)?;
    let (model, settings) = backend.load(path)?;
    let saved = settings
        .map(|v| SavedSettings::from_json(v, path))
        .transpose()?;
    let data_cfg = DataConfig::from_args(data, saved.as_ref().map(|s| &s.data))?;
    check_input(model.as_ref(), &data_cfg, path)?;
    let scaler = saved.as_ref().map(|s| s.scaler);
    let saved = saved.filter(|_| !data_flags_given(data));
    Ok(Loaded {
        model,
        data: data_cfg,
        saved,
        scaler,
    })
}

/// The `recur evaluate` report.
#[derive(Debug, Serialize)]
struct EvaluateReport {
    model: PathBuf,
    config: DataConfig,
    train_score: f64,
    test_score: f64,
    score_units: &'static str,
    train_mse: f64,
    test_mse: f64,
    baseline_test_mse: f64,
}

/// `recur evaluate`: scores on the training and test windows.
pub fn evaluate(args: &EvaluateArgs, backend: &dyn Backend) -> Result<Outcome, CliError> {
    let mut l = load(backend, &args.model.model, &args.data)?;
    let (_, ds) = l.series()?;
    let m = l.model.as_mut();
    let sc = ds.scaler;
    let mse_loss = l.saved.as_ref().is_none_or(|s| s.model.loss == "mse");
    // The score and the mse in series units, one forward pass per part: with the mse loss the
    // score converts; with another loss the mse comes from the predictions.
    let mut score = |part: &data::WindowedPart| -> Result<(f64, f64), CliError> {
        if mse_loss {
            let s = m.evaluate(&part.x, &part.y)?;
            Ok((s, sc.inverse_mse(s)))
        } else {
            let (s, pred) = m.evaluate_and_predict(&part.x, &part.y)?;
            Ok((s, sc.inverse_mse(data::mse(&pred, &part.y)?)))
        }
    };
    let (train_score, train_mse) = score(&ds.train)?;
    let (test_score, test_mse) = score(&ds.test)?;
    let r = EvaluateReport {
        model: args.model.model.clone(),
        train_score,
        test_score,
        score_units: if l.data.windows.scale == data::ScaleKind::None {
            "series"
        } else {
            "scaled"
        },
        train_mse,
        test_mse,
        baseline_test_mse: sc.inverse_mse(data::baseline_mse(&ds.test.x, &ds.test.y)?),
        config: l.data,
    };
    let human = format!(
        "train score (model.evaluate on the training windows, {u}): {:.6}\ntest score  (model.evaluate on the test windows, {u}):     {:.6}\ntrain mse {:.6}, test mse {:.6}, baseline test mse (mean of window) {:.6} (series units)\n",
        r.train_score,
        r.test_score,
        r.train_mse,
        r.test_mse,
        r.baseline_test_mse,
        u = r.score_units
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

fn one(model: &mut dyn Model, x: &data::Windows) -> Result<f64, CliError> {
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
    let mut l = load(backend, &args.model.model, &args.data)?;
    let step = l.data.windows.step;
    let layout = l.data.windows.layout;
    let pad = l.data.windows.pad;
    let m = l.model.as_mut();
    let r = match (window, &l.saved) {
        (Some(w), _) => {
            if w.len() != step {
                return Err(CliError::flag(
                    "--window",
                    args.window.as_deref().unwrap_or_default(),
                    &format!("exactly step = {step} values (the model's window length)"),
                ));
            }
            // The scaler was fitted on the training part: saved in the model, else refitted.
            let scaler = match &l.saved {
                Some(s) => s.scaler,
                None if l.data.windows.scale == data::ScaleKind::None => data::Scaler::Identity,
                None => l.data.load_scaled(l.scaler)?.1.scaler,
            };
            let x = data::Windows::single(&scaler.transform_all(&w), layout)?;
            PredictReport {
                model: args.model.model.clone(),
                next_value: scaler.inverse(one(m, &x)?),
                window: w,
                next_value_tutorial: None,
            }
        }
        (None, Some(s)) => {
            // From the model file alone: its tail holds the series' last values.
            let t = &s.tail;
            let last = t[t.len() - step..].to_vec();
            let tutorial = if pad {
                vec![t[t.len() - 1]; step]
            } else {
                t[t.len() - step - 1..t.len() - 1].to_vec()
            };
            let sc = s.scaler;
            let x = data::Windows::single(&sc.transform_all(&last), layout)?;
            let xt = data::Windows::single(&sc.transform_all(&tutorial), layout)?;
            PredictReport {
                model: args.model.model.clone(),
                window: last,
                next_value: sc.inverse(one(m, &x)?),
                next_value_tutorial: Some(sc.inverse(one(m, &xt)?)),
            }
        }
        (None, None) => {
            let (series, ds) = l.data.load_scaled(l.scaler)?;
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
    let mut l = load(backend, &args.model.model, &args.data)?;
    // The values to continue (series units), the index of the first, and the scaler.
    let (history, offset, scaler) = match &l.saved {
        Some(s) => (s.tail.clone(), s.series_len - s.tail.len(), s.scaler),
        None => {
            let (series, ds) = l.series()?;
            (series.into_values(), 0, ds.scaler)
        }
    };
    let step = l.data.windows.step;
    let layout = l.data.windows.layout;
    let m = l.model.as_mut();
    let raw = data::recursive_forecast(
        &scaler.transform_all(&history),
        step,
        horizon,
        layout,
        |x| {
            let out = m.predict(x)?;
            match out.as_slice() {
                [v] => Ok(*v),
                _ => Err(CliError::Runtime(format!(
                    "the model gave {} outputs for one window",
                    out.len()
                ))),
            }
        },
    )?;
    let values = scaler.inverse_all(&raw);
    let n = offset + history.len();
    let out = OutDir::create(&output.out)?;
    let csv = out.write_bytes("forecast.csv", &forecast_csv(n, &values)?)?;
    let plot_name = format!("forecast.{}", output.plot_format.extension());
    let plot = out.write_with(&plot_name, |tmp| {
        forecast_plot(
            tmp,
            output.plot_format,
            &ForecastPlot {
                title: format!("recur forecast: {horizon} steps after n = {n}"),
                values: &history,
                offset,
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
    let (m, _) = backend.load(&args.model.model)?;
    let r = SummaryReport {
        model: args.model.model.clone(),
        params: m.param_count(),
        summary: m.summary(),
    };
    let human = format!("{}\n", r.summary);
    outcome(&r, human)
}
