//! `recur train --task recall|adding`: trains on a built-in long-dependency task (data's
//! generated sequences `[N, lag + 1, 2]`) instead of a series, reports the test mse against the
//! predict-the-mean baseline, and writes the model and `predictions.csv`. There is no plot: the
//! task has no series to draw, and the report says so (`outputs.plot` is `null`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{ModelSpec, TrainConfig};
use crate::error::CliError;
use crate::model::{Backend, History, Model};
use crate::output::OutDir;
use crate::progress::Console;
use crate::train::{MODEL_FILE, PREDICTIONS_FILE, Scored, Shapes, fit_and_score};

/// Tag of the settings document kept inside the model file of a `--task` run.
pub const TASK_SETTINGS_FORMAT: &str = "recur-cli-task/1";

/// The settings a `--task` run keeps inside its model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSettings {
    /// Always [`TASK_SETTINGS_FORMAT`].
    pub format: String,
    /// The task the model was trained on.
    pub task: data::LongDependencyConfig,
    /// The model's specification.
    pub model: ModelSpec,
}

impl TaskSettings {
    /// The task of a model file's settings document, if it is a `--task` model's.
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        if value.get("format")?.as_str()? != TASK_SETTINGS_FORMAT {
            return None;
        }
        serde_json::from_value(value.clone()).ok()
    }
}

/// The files a `--task` run wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskOutputs {
    /// The model file (the task settings are inside).
    pub model: PathBuf,
    /// Always `None`: a task has no series to plot.
    pub plot: Option<PathBuf>,
    /// The test predictions CSV: `index,target,prediction`.
    pub predictions: PathBuf,
}

/// Everything `recur train --task` reports (the `--json` object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskReport {
    /// Every setting used (`config.task` holds the task).
    pub config: TrainConfig,
    /// Worker threads used.
    pub threads: usize,
    /// Sequence shapes `[N, T, 2]`.
    pub shapes: Shapes,
    /// Trainable parameter count.
    pub params: usize,
    /// fit's per-epoch losses.
    pub history: History,
    /// model.evaluate on the training sequences after fit (the compiled loss).
    pub train_score: f64,
    /// model.evaluate on the test sequences.
    pub test_score: f64,
    /// MSE of the test predictions.
    pub test_mse: f64,
    /// MSE of predicting the training targets' mean on the test sequences.
    pub baseline_test_mse: f64,
    /// `test_mse / baseline_test_mse`: below 1 the model carries information across the lag.
    pub test_mse_ratio: f64,
    /// Seconds spent in fit alone.
    pub fit_seconds: f64,
    /// `fit_seconds` divided by the epochs run.
    pub seconds_per_epoch: f64,
    /// Files written.
    pub outputs: TaskOutputs,
}

/// A validated `--task` run, ready to fit: the sequences and the untrained model.
pub struct PreparedTask {
    task: data::LongDependencyData,
    model: Box<dyn Model>,
    shapes: Shapes,
}

impl PreparedTask {
    /// The text printed before fit: the task, the sequence shapes and the model summary.
    pub fn header(&self, cfg: &TrainConfig) -> String {
        let s = |a: [usize; 3]| format!("({}, {}, {})", a[0], a[1], a[2]);
        let task = cfg.task.as_ref().map_or_else(String::new, |t| {
            format!("task {} at lag {} ({} sequences), ", t.kind, t.lag, t.count)
        });
        format!(
            "{task}train sequences {}, test sequences {}\n{}\n",
            s(self.shapes.train),
            s(self.shapes.test),
            self.model.summary()
        )
    }
}

/// First half of `recur train --task`: generates the sequences and builds the model.
pub fn prepare(cfg: &TrainConfig, backend: &dyn Backend) -> Result<PreparedTask, CliError> {
    let t = cfg
        .task
        .as_ref()
        .ok_or_else(|| CliError::Runtime("no --task to prepare".into()))?;
    let task = data::long_dependency(t).map_err(|e| CliError::Usage(format!("--task: {e}")))?;
    let model = backend.build(&cfg.model)?;
    let shapes = Shapes {
        train: task.train.x.shape(),
        test: task.test.x.shape(),
    };
    Ok(PreparedTask {
        task,
        model,
        shapes,
    })
}

fn predictions_csv(y: &[f32], pred: &[f32]) -> String {
    let mut s = String::from("index,target,prediction\n");
    for (i, (t, p)) in y.iter().zip(pred).enumerate() {
        let _ = writeln!(s, "{i},{t},{p}");
    }
    s
}

/// Second half: fits, scores on the test sequences, then writes the model (with the task
/// settings inside) and the test predictions.
pub fn fit_and_write(
    cfg: &TrainConfig,
    prepared: PreparedTask,
    progress: &mut Console<'_>,
) -> Result<TaskReport, CliError> {
    let PreparedTask {
        task,
        mut model,
        shapes,
    } = prepared;
    let Scored {
        history,
        fit_seconds,
        train_score,
        test_score,
        test_pred,
        ..
    } = fit_and_score(
        model.as_mut(),
        (&task.train.x, &task.train.y),
        (&task.test.x, &task.test.y),
        &cfg.fit,
        progress,
    )?;
    let test_mse = data::mse(&test_pred, &task.test.y)?;

    let out = OutDir::create(&cfg.output.out)?;
    let settings = TaskSettings {
        format: TASK_SETTINGS_FORMAT.to_string(),
        task: cfg
            .task
            .ok_or_else(|| CliError::Runtime("no --task to save".into()))?,
        model: cfg.model.clone(),
    };
    let saved = serde_json::to_value(&settings)
        .map_err(|e| CliError::Runtime(format!("cannot encode the settings: {e}")))?;
    let model_path = out.write_with(MODEL_FILE, |tmp| model.save(tmp, &saved))?;
    let predictions = out.write_bytes(
        PREDICTIONS_FILE,
        predictions_csv(&task.test.y, &test_pred).as_bytes(),
    )?;
    let epochs = history.loss.len().max(1);
    Ok(TaskReport {
        config: cfg.clone(),
        threads: rayon::current_num_threads(),
        shapes,
        params: model.param_count(),
        history,
        train_score,
        test_score,
        test_mse,
        baseline_test_mse: task.baseline_test_mse,
        test_mse_ratio: test_mse / task.baseline_test_mse,
        fit_seconds,
        seconds_per_epoch: fit_seconds / epochs as f64,
        outputs: TaskOutputs {
            model: model_path,
            plot: None,
            predictions,
        },
    })
}

/// The human text printed after a `--task` fit.
pub fn human_report(r: &TaskReport) -> String {
    let loss = &r.config.model.loss;
    let last_loss = r.history.loss.last().copied().unwrap_or(f64::NAN);
    let rows: Vec<(String, String)> = vec![
        (
            "last epoch loss (fit's running mean of batch losses)".into(),
            format!("{last_loss:.6}"),
        ),
        (
            format!("train score (model.evaluate on train sequences, {loss})"),
            format!("{:.6}", r.train_score),
        ),
        (
            format!("test score (model.evaluate on test sequences, {loss})"),
            format!("{:.6}", r.test_score),
        ),
        ("test mse".into(), format!("{:.6}", r.test_mse)),
        (
            "baseline test mse (predict the training mean)".into(),
            format!("{:.6}", r.baseline_test_mse),
        ),
        (
            "test mse / baseline".into(),
            format!("{:.4}", r.test_mse_ratio),
        ),
        (
            "fit time".into(),
            format!(
                "{:.2} s on {} thread(s), {:.3} s per epoch",
                r.fit_seconds, r.threads, r.seconds_per_epoch
            ),
        ),
    ];
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut s = String::new();
    for (label, value) in rows {
        let _ = writeln!(s, "{label:<width$}  {value}");
    }
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let _ = writeln!(
        s,
        "outputs in {}: {}, {} (no plot: a task has no series to draw)",
        r.config.output.out.display(),
        name(&r.outputs.model),
        name(&r.outputs.predictions)
    );
    s
}
