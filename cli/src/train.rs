//! The `recur train` pipeline: load and window the series, build and fit the model, score it,
//! and write the model (with its settings inside), the predictions CSV and the plot.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::config::{DataConfig, FitSettings, ModelSpec, TrainConfig};
use crate::error::CliError;
use crate::model::{Backend, History, Model};
use crate::output::OutDir;
use crate::plot::{SeriesPlot, series_plot};
use crate::predictions::{place, predictions_csv};
use crate::progress::Console;

/// File name of the saved model inside the output folder.
pub const MODEL_FILE: &str = "model.recur";
/// File name of the predictions CSV.
pub const PREDICTIONS_FILE: &str = "predictions.csv";

/// How many of the series' last values a model file keeps (for `predict` and `forecast`
/// without the series, and the forecast plot's context).
pub const TAIL_LEN: usize = 300;

/// Tag of the settings document kept inside a model file.
pub const SETTINGS_FORMAT: &str = "recur-cli-settings/1";

/// The settings `recur train` keeps inside the model file (nn's user metadata, covered by the
/// file's checksum), so evaluate, predict and forecast rebuild the same windows, and predict
/// and forecast work from the model file alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedSettings {
    /// Always [`SETTINGS_FORMAT`].
    pub format: String,
    /// Series and windows the model was trained on.
    pub data: DataConfig,
    /// The model's specification.
    pub model: ModelSpec,
    /// The scaling fitted on the training part (identity without `--scale`).
    pub scaler: data::Scaler,
    /// Length of the training series.
    pub series_len: usize,
    /// The series' last values (at most [`TAIL_LEN`], at least `step + 1`), in its units; the
    /// first sits at index `series_len - tail.len()`.
    pub tail: Vec<f64>,
    /// Time labels of the tail values, when the CSV had a time column.
    pub tail_times: Option<Vec<String>>,
}

impl SavedSettings {
    /// The settings of a run on `series` with `ds`.
    pub fn new(cfg: &TrainConfig, series: &data::Series, ds: &data::Dataset) -> Self {
        let n = series.len();
        let start = n - n.min(TAIL_LEN);
        SavedSettings {
            format: SETTINGS_FORMAT.to_string(),
            data: cfg.data.clone(),
            model: cfg.model.clone(),
            scaler: ds.scaler,
            series_len: n,
            tail: series.values()[start..].to_vec(),
            tail_times: series.times().map(|t| t[start..].to_vec()),
        }
    }

    /// Reads the settings document of a model file.
    pub fn from_json(value: serde_json::Value, path: &Path) -> Result<Self, CliError> {
        if let Some(t) = crate::task::TaskSettings::from_json(&value) {
            return Err(CliError::Usage(format!(
                "--model '{}' was trained on --task {} (lag {}): evaluate, predict and forecast                  work on series models; `recur summary` shows this one, and its test scores are                  in the train report",
                path.display(),
                t.task.kind,
                t.task.lag
            )));
        }
        let s: SavedSettings = serde_json::from_value(value).map_err(|e| {
            CliError::Usage(format!(
                "--model '{}': the settings in the model file are not recur's: {e}",
                path.display()
            ))
        })?;
        let step = s.data.windows.step;
        if s.format != SETTINGS_FORMAT || s.tail.len() <= step || s.tail.len() > s.series_len {
            return Err(CliError::Usage(format!(
                "--model '{}': the settings in the model file are not valid (format '{}', {} tail values for step {step})",
                path.display(),
                s.format,
                s.tail.len()
            )));
        }
        Ok(s)
    }
}

/// The files a run wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outputs {
    /// The model file (the settings are inside).
    pub model: PathBuf,
    /// The plot image.
    pub plot: PathBuf,
    /// The predictions CSV.
    pub predictions: PathBuf,
}

/// Window shapes `[N, a, b]` of the training and test inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shapes {
    /// Training windows.
    pub train: [usize; 3],
    /// Test windows.
    pub test: [usize; 3],
}

/// Everything `recur train` reports (the `--json` object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Every setting used, seeds included.
    pub config: TrainConfig,
    /// Worker threads used.
    pub threads: usize,
    /// Window shapes.
    pub shapes: Shapes,
    /// Trainable parameter count.
    pub params: usize,
    /// fit's per-epoch losses (running means of batch losses), and val_loss with validation.
    pub history: History,
    /// Train score: model.evaluate on the training windows after fit (the compiled loss).
    pub train_score: f64,
    /// Test score: model.evaluate on the test windows.
    pub test_score: f64,
    /// Units of `train_score` and `test_score`: `scaled` with `--scale`, else `series`.
    pub score_units: String,
    /// MSE on the training windows in the series' units (squared). With the mse loss it is
    /// `train_score` (model.evaluate) converted to series units; with another loss, the mse of
    /// the predictions.
    pub train_mse: f64,
    /// MSE on the test windows, as `train_mse`.
    pub test_mse: f64,
    /// MSE of the mean-of-window predictor on the test windows, in the series' units.
    pub baseline_test_mse: f64,
    /// Prediction after the last `step` real values of the series (series units).
    pub next_value: f64,
    /// The tutorial's figure: prediction from `testX[-1]` (with padding, `step` copies of the
    /// last value), in series units.
    pub next_value_tutorial: f64,
    /// Seconds spent in the training loop alone (fit), not loading, scoring or writing.
    pub fit_seconds: f64,
    /// Files written.
    pub outputs: Outputs,
}

fn check_fit(fit: &FitSettings, windows: usize) -> Result<(), CliError> {
    if let Some(v) = fit.validation_split {
        // Keras: the first int(N * (1 - v)) windows train, the rest validate.
        let kept = (windows as f64 * (1.0 - v)) as usize;
        if kept == 0 || kept >= windows {
            return Err(CliError::flag(
                "--validation-split",
                v,
                &format!(
                    "a fraction that leaves at least one of the {windows} training windows on each side"
                ),
            ));
        }
    }
    Ok(())
}

fn one_prediction(model: &mut dyn Model, x: &data::Windows) -> Result<f32, CliError> {
    let out = model.predict(x)?;
    match out.as_slice() {
        [v] => Ok(*v),
        _ => Err(CliError::Runtime(format!(
            "the model gave {} outputs for one window",
            out.len()
        ))),
    }
}

/// A validated run, ready to fit: the series, its windows and the untrained model.
pub struct Prepared {
    series: data::Series,
    ds: data::Dataset,
    model: Box<dyn Model>,
    shapes: Shapes,
}

impl Prepared {
    /// The text Keras users see before fit: window shapes and the model summary.
    pub fn header(&self) -> String {
        let s = |a: [usize; 3]| format!("({}, {}, {})", a[0], a[1], a[2]);
        format!(
            "train windows {}, test windows {}\n{}\n",
            s(self.shapes.train),
            s(self.shapes.test),
            self.model.summary()
        )
    }
}

/// First half of `recur train`: loads and windows the series, checks the fit settings against
/// it and builds the model. Nothing is written.
pub fn prepare(cfg: &TrainConfig, backend: &dyn Backend) -> Result<Prepared, CliError> {
    let (series, ds) = cfg.data.load()?;
    check_fit(&cfg.fit, ds.train.len())?;
    let model = backend.build(&cfg.model)?;
    let shapes = Shapes {
        train: ds.train.x.shape(),
        test: ds.test.x.shape(),
    };
    Ok(Prepared {
        series,
        ds,
        model,
        shapes,
    })
}

/// What [`fit_and_score`] returns: fit's history, its wall time, the two `evaluate` scores and
/// the predictions on both parts.
pub(crate) struct Scored {
    pub history: History,
    /// Seconds spent in the training loop alone.
    pub fit_seconds: f64,
    /// `model.evaluate` on the training part (the compiled loss, penalties included).
    pub train_score: f64,
    /// `model.evaluate` on the test part.
    pub test_score: f64,
    /// `model.predict` on the training part, one output per window.
    pub train_pred: Vec<f32>,
    /// `model.predict` on the test part.
    pub test_pred: Vec<f32>,
}

/// The step `recur train` shares between series and `--task` runs: fit on `train` (timing the
/// training loop alone, reporting to `progress`), then evaluate and predict on both parts, one
/// forward pass per part.
pub(crate) fn fit_and_score(
    model: &mut dyn Model,
    train: (&data::Windows, &[f32]),
    test: (&data::Windows, &[f32]),
    fit: &FitSettings,
    progress: &mut Console<'_>,
) -> Result<Scored, CliError> {
    let started = Instant::now();
    let history = model.fit(train.0, train.1, fit, &mut |e| progress.handle(e))?;
    let fit_seconds = started.elapsed().as_secs_f64();
    let (train_score, train_pred) = model.evaluate_and_predict(train.0, train.1)?;
    let (test_score, test_pred) = model.evaluate_and_predict(test.0, test.1)?;
    Ok(Scored {
        history,
        fit_seconds,
        train_score,
        test_score,
        train_pred,
        test_pred,
    })
}

/// Second half of `recur train`: fits (reporting to `progress`), scores, and only then creates
/// the output folder and writes the model, its settings, the predictions and the plot.
pub fn fit_and_write(
    cfg: &TrainConfig,
    prepared: Prepared,
    progress: &mut Console<'_>,
) -> Result<TrainReport, CliError> {
    let Prepared {
        series,
        ds,
        mut model,
        shapes,
    } = prepared;
    let Scored {
        history,
        fit_seconds,
        train_score,
        test_score,
        train_pred,
        test_pred,
    } = fit_and_score(
        model.as_mut(),
        (&ds.train.x, &ds.train.y),
        (&ds.test.x, &ds.test.y),
        &cfg.fit,
        progress,
    )?;
    let sc = ds.scaler;
    let (train_mse, test_mse) = if cfg.model.loss == "mse" {
        (sc.inverse_mse(train_score), sc.inverse_mse(test_score))
    } else {
        (
            sc.inverse_mse(data::mse(&train_pred, &ds.train.y)?),
            sc.inverse_mse(data::mse(&test_pred, &ds.test.y)?),
        )
    };
    let baseline_test_mse = sc.inverse_mse(data::baseline_mse(&ds.test.x, &ds.test.y)?);
    let next_value = sc.inverse(f64::from(one_prediction(model.as_mut(), &ds.next_window)?));
    let next_value_tutorial = sc.inverse(f64::from(one_prediction(
        model.as_mut(),
        &ds.tutorial_next_window,
    )?));
    let placed = place(&ds, &train_pred, &test_pred)?;

    let out = OutDir::create(&cfg.output.out)?;
    let saved = serde_json::to_value(SavedSettings::new(cfg, &series, &ds))
        .map_err(|e| CliError::Runtime(format!("cannot encode the settings: {e}")))?;
    let model_path = out.write_with(MODEL_FILE, |tmp| model.save(tmp, &saved))?;
    let predictions = out.write_bytes(PREDICTIONS_FILE, &predictions_csv(&series, &placed)?)?;
    let plot_name = format!("plot.{}", cfg.output.plot_format.extension());
    let title = format!(
        "recur: {} (n = {}, T = {}, step {}) - test mse {:.4}",
        series.name().unwrap_or("series"),
        series.len(),
        ds.split,
        ds.step,
        test_mse
    );
    let plot = out.write_with(&plot_name, |tmp| {
        series_plot(
            tmp,
            cfg.output.plot_format,
            &SeriesPlot {
                title,
                values: series.values(),
                train: &placed.train,
                test: &placed.test,
                split: ds.split,
                next: next_value,
                time_span: series
                    .times()
                    .and_then(|t| Some((t.first()?.clone(), t.last()?.clone()))),
            },
        )
    })?;
    Ok(TrainReport {
        config: cfg.clone(),
        threads: rayon::current_num_threads(),
        shapes,
        params: model.param_count(),
        history,
        score_units: if cfg.data.windows.scale == data::ScaleKind::None {
            "series"
        } else {
            "scaled"
        }
        .to_string(),
        train_score,
        test_score,
        train_mse,
        test_mse,
        baseline_test_mse,
        next_value,
        next_value_tutorial,
        fit_seconds,
        outputs: Outputs {
            model: model_path,
            plot,
            predictions,
        },
    })
}

/// The human text printed after fit: labelled figures, aligned, then the output folder.
pub fn human_report(r: &TrainReport) -> String {
    let loss = &r.config.model.loss;
    let step = r.config.data.windows.step;
    let last_loss = r.history.loss.last().copied().unwrap_or(f64::NAN);
    let tutorial = if r.config.data.windows.pad {
        "next value, tutorial's figure (testX[-1]: last value padded)"
    } else {
        "next value, tutorial's figure (testX[-1])"
    };
    let scaled = r.score_units == "scaled";
    let units = if scaled { ", scaled units" } else { "" };
    let mut rows: Vec<(String, String)> = vec![
        (
            "last epoch loss (fit's running mean of batch losses)".into(),
            format!("{last_loss:.6}"),
        ),
        (
            format!("train score (model.evaluate on train windows, {loss}{units})"),
            format!("{:.6}", r.train_score),
        ),
        (
            format!("test score (model.evaluate on test windows, {loss}{units})"),
            format!("{:.6}", r.test_score),
        ),
    ];
    if scaled || loss != "mse" {
        rows.push((
            "train mse (series units)".into(),
            format!("{:.6}", r.train_mse),
        ));
        rows.push((
            "test mse (series units)".into(),
            format!("{:.6}", r.test_mse),
        ));
    }
    rows.extend([
        (
            if scaled {
                "baseline test mse (mean of each window, series units)".into()
            } else {
                "baseline test mse (mean of each window)".into()
            },
            format!("{:.6}", r.baseline_test_mse),
        ),
        (
            format!("next value (from the last {step} real values)"),
            format!("{:.6}", r.next_value),
        ),
        (tutorial.into(), format!("{:.6}", r.next_value_tutorial)),
        (
            "fit time".into(),
            format!("{:.2} s on {} thread(s)", r.fit_seconds, r.threads),
        ),
    ]);
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut s = String::new();
    for (label, value) in rows {
        s.push_str(&format!("{label:<width$}  {value}\n"));
    }
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    s.push_str(&format!(
        "outputs in {}: {}, {}, {}\n",
        r.config.output.out.display(),
        name(&r.outputs.model),
        name(&r.outputs.plot),
        name(&r.outputs.predictions)
    ));
    s
}
