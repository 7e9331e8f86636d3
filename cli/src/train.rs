//! `recur train`: one pipeline for both kinds of run. A series run is the `forecast` crate's
//! ([`forecast::series::prepare`], then fit and scores); a `--task` run loads its sequences
//! here. Both build and fit the model, score both parts, then write the model with its
//! settings, the predictions and, for a series, the plot. The two kinds differ only in what
//! they report beside the common figures and in the files they write.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

use forecast::fitting::{self, PartScores};
use forecast::series::model_file::{MODEL_FILE, ModelFile, Settings, TASK_FORMAT, TaskSettings};
use forecast::series::train::build_model;
use forecast::series::{SeriesFigures, SeriesRun, Shapes};
use nn::{History, Sequential};
use serde::Serialize;

use crate::error::CliError;
use crate::output::OutDir;
use crate::plot::{SeriesPlot, series_plot};
use crate::predictions::{table_csv, task_predictions_csv};
use crate::progress::Console;
use crate::report::{Rows, file_name};
use crate::run_config::{Run, TaskConfig, TrainConfig};

/// The set of files `recur train` owns in the output folder (see [`crate::output`]).
pub const TRAIN_SET: &str = "train";

/// File name of the predictions CSV.
pub const PREDICTIONS_FILE: &str = "predictions.csv";

/// The files a run wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outputs {
    /// The model file (the settings are inside).
    pub model: PathBuf,
    /// The plot image (`None` for a `--task`: it has no series to draw).
    pub plot: Option<PathBuf>,
    /// The predictions CSV.
    pub predictions: PathBuf,
}

/// What only a `--task` run reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskFigures {
    /// MSE of the test predictions.
    pub test_mse: f64,
    /// MSE of predicting the training targets' mean on the test sequences.
    pub baseline_test_mse: f64,
    /// `test_mse / baseline_test_mse`: below 1 the model carries information across the lag.
    pub test_mse_ratio: f64,
}

/// The figures of one kind of run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Figures {
    /// A series run (boxed: its figures are many times the size of a task's).
    Series(Box<SeriesFigures>),
    /// A `--task` run.
    Task(TaskFigures),
}

/// Everything `recur train` reports (the `--json` object).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainReport {
    /// Every setting used, seeds included.
    pub config: TrainConfig,
    /// Worker threads used.
    pub threads: usize,
    /// Input shapes.
    pub shapes: Shapes,
    /// Trainable parameter count.
    pub params: usize,
    /// fit's per-epoch losses (running means of batch losses), and val_loss with validation.
    pub history: History,
    /// Train score: model.evaluate on the training part after fit (the compiled loss).
    pub train_score: f64,
    /// Test score: model.evaluate on the test part.
    pub test_score: f64,
    /// The figures of this kind of run.
    #[serde(flatten)]
    pub figures: Figures,
    /// Seconds spent in the training loop alone (fit), not loading, scoring or writing.
    pub fit_seconds: f64,
    /// `fit_seconds` divided by the epochs run (`--task` runs, which compare cells by it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds_per_epoch: Option<f64>,
    /// Files written.
    pub outputs: Outputs,
}

/// The text printed before fit: the task, the input shapes and the model summary.
fn header(cfg: &TrainConfig, shapes: Shapes, summary: &str) -> String {
    let s = |a: [usize; 3]| format!("({}, {}, {})", a[0], a[1], a[2]);
    match &cfg.run {
        Run::Series(_) => format!(
            "train windows {}, test windows {}\n{summary}\n",
            s(shapes.train),
            s(shapes.test)
        ),
        Run::Task(t) => format!(
            "task {} at lag {} ({} sequences), train sequences {}, test sequences {}\n{summary}\n",
            t.task.kind,
            t.task.lag,
            t.task.count,
            s(shapes.train),
            s(shapes.test)
        ),
    }
}

/// `recur train`: everything is checked (data loaded, model built) before fit, and nothing is
/// written before fit succeeds. `json` prints the report as JSON on `stdout` and fit's lines
/// on `stderr`.
pub fn train(
    cfg: &TrainConfig,
    json: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), CliError> {
    let report = match &cfg.run {
        Run::Series(series) => {
            let prepared = forecast::series::prepare(series)?;
            if !json {
                let summary = fitting::summary(prepared.model())?;
                let _ = write!(stdout, "{}", header(cfg, prepared.shapes(), &summary));
            }
            let run = {
                let sink: &mut dyn Write = if json { stderr } else { &mut *stdout };
                let mut console = Console::new(series.fit.verbose, sink);
                prepared.fit(&mut |e| {
                    console.handle(e);
                    ControlFlow::Continue(())
                })?
            };
            let outputs = series_outputs(cfg, &run)?;
            TrainReport {
                config: cfg.clone(),
                threads: rayon::current_num_threads(),
                shapes: run.shapes,
                params: run.params,
                history: run.history,
                train_score: run.train_score,
                test_score: run.test_score,
                seconds_per_epoch: None,
                figures: Figures::Series(Box::new(run.figures)),
                fit_seconds: run.fit_seconds,
                outputs,
            }
        }
        Run::Task(task) => train_task(cfg, task, json, stdout, stderr)?,
    };
    if json {
        crate::print_json(stdout, &report)
    } else {
        let _ = write!(stdout, "{}", human_report(&report));
        Ok(())
    }
}

/// A `--task` run: its sequences generated, the model built and fitted, both parts scored and
/// the model and test predictions written.
fn train_task(
    cfg: &TrainConfig,
    task: &TaskConfig,
    json: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<TrainReport, CliError> {
    let t = &task.task;
    // The sequences and their copies in f32: checked before they are generated.
    let values = (t.count as u128)
        * (t.timesteps() as u128)
        * (data::generate::LONG_DEPENDENCY_FEATURES as u128);
    forecast::series::limits::check_memory(
        &format!(
            "the sequences of --task {} with --count {} and --lag {}",
            t.kind, t.count, t.lag
        ),
        values * 4 * 3,
    )?;
    let sequences =
        data::long_dependency(t).map_err(|e| CliError::Usage(format!("--task: {e}")))?;
    let (train, test) = (&sequences.train, &sequences.test);
    let mut model = build_model(&task.model, &task.fit, train.x.count())?;
    let shapes = Shapes {
        train: train.x.shape(),
        test: test.x.shape(),
    };
    if !json {
        let text = header(cfg, shapes, &fitting::summary(&model)?);
        let _ = write!(stdout, "{text}");
    }
    let started = Instant::now();
    let history = {
        let sink: &mut dyn Write = if json { stderr } else { &mut *stdout };
        let mut console = Console::new(task.fit.verbose, sink);
        fitting::fit(&mut model, &train.x, &train.y, &task.fit, None, &mut |e| {
            console.handle(e)
        })?
    };
    let fit_seconds = started.elapsed().as_secs_f64();
    let train_scores = fitting::score(&mut model, &train.x, &train.y)?;
    let test_scores = fitting::score(&mut model, &test.x, &test.y)?;
    let (figures, outputs) = task_outputs(cfg, task, &model, &sequences, &test_scores)?;
    let epochs = history.loss.len().max(1);
    Ok(TrainReport {
        config: cfg.clone(),
        threads: rayon::current_num_threads(),
        shapes,
        params: model.count_params(),
        history,
        train_score: train_scores.score,
        test_score: test_scores.score,
        seconds_per_epoch: Some(fit_seconds / epochs as f64),
        figures,
        fit_seconds,
        outputs,
    })
}

/// Writes a series run's model, predictions and plot.
fn series_outputs(cfg: &TrainConfig, run: &SeriesRun) -> Result<Outputs, CliError> {
    let series = &run.series;
    let data = &run.config.data;
    let d = data.differencing;
    let mut out = OutDir::create(&cfg.output.out)?.stage(TRAIN_SET)?;
    let file = &run.model_file;
    let model_path = out.write_with(MODEL_FILE, |tmp| {
        let settings = file.settings.as_ref().ok_or_else(|| {
            CliError::Runtime("a series run without the settings of its model file".into())
        })?;
        Ok(ModelFile::save(&file.model, settings, tmp)?)
    })?;
    let predictions = out.write_bytes(PREDICTIONS_FILE, &table_csv(&run.predictions()?)?)?;
    let plot_name = format!("plot.{}", cfg.output.plot_format.extension());
    let split = run.split;
    let title = format!(
        "recur: {} (n = {}, T = {}, step {}{}) - observed test mse {:.4}",
        series.name().unwrap_or("series"),
        series.len(),
        split,
        run.step,
        if d.is_none() {
            String::new()
        } else {
            format!(", {}", d.describe())
        },
        run.figures.observed.test_mse_observed
    );
    let plot = out.write_with(&plot_name, |tmp| {
        series_plot(
            tmp,
            cfg.output.plot_format,
            &SeriesPlot {
                title,
                values: series.values(),
                train: &run.placed.train,
                test: &run.placed.test,
                split,
                next: run.figures.next_value,
                time: run.time.as_ref(),
                value_name: series.name().unwrap_or("value"),
            },
        )
    })?;
    out.commit()?;
    Ok(Outputs {
        model: model_path,
        plot: Some(plot),
        predictions,
    })
}

/// Scores a `--task` run against its baseline and writes the model and the test predictions.
fn task_outputs(
    cfg: &TrainConfig,
    task: &TaskConfig,
    model: &Sequential,
    sequences: &data::LongDependencyData,
    test: &PartScores,
) -> Result<(Figures, Outputs), CliError> {
    let test_mse = data::mse(&test.predictions, &sequences.test.y)?;
    let mut out = OutDir::create(&cfg.output.out)?.stage(TRAIN_SET)?;
    let settings = Settings::Task(TaskSettings {
        format: TASK_FORMAT.to_string(),
        task: task.task,
        model: task.model.clone(),
    });
    let model_path = out.write_with(MODEL_FILE, |tmp| {
        Ok(ModelFile::save(model, &settings, tmp)?)
    })?;
    let predictions = out.write_bytes(
        PREDICTIONS_FILE,
        task_predictions_csv(&sequences.test.y, &test.predictions).as_bytes(),
    )?;
    out.commit()?;
    let figures = TaskFigures {
        test_mse,
        baseline_test_mse: sequences.baseline_test_mse,
        test_mse_ratio: test_mse / sequences.baseline_test_mse,
    };
    let outputs = Outputs {
        model: model_path,
        plot: None,
        predictions,
    };
    Ok((Figures::Task(figures), outputs))
}

/// The human text printed after fit: labelled figures, aligned, then the output folder.
pub fn human_report(r: &TrainReport) -> String {
    let loss = r.config.model().loss.short_name();
    let last_loss = r.history.loss.last().map_or(f64::NAN, |&v| f64::from(v));
    let what = match r.figures {
        Figures::Series(_) => "windows",
        Figures::Task(_) => "sequences",
    };
    let mut rows = Rows::default();
    rows.push(
        "last epoch loss (fit's running mean of batch losses)",
        format!("{last_loss:.6}"),
    );
    let units = match &r.figures {
        Figures::Series(f) if f.score_units != "series" => format!(", {} units", f.score_units),
        _ => String::new(),
    };
    rows.push(
        format!("train score (model.evaluate on train {what}, {loss}{units})"),
        format!("{:.6}", r.train_score),
    );
    rows.push(
        format!("test score (model.evaluate on test {what}, {loss}{units})"),
        format!("{:.6}", r.test_score),
    );
    let fit_time = format!("{:.2} s on {} thread(s)", r.fit_seconds, r.threads);
    let name = |p: &Option<PathBuf>| p.as_deref().map(file_name).unwrap_or_default();
    let out = r.config.output.out.display();
    let (model, predictions) = (
        file_name(&r.outputs.model),
        file_name(&r.outputs.predictions),
    );
    match &r.figures {
        Figures::Series(f) => {
            let Run::Series(series) = &r.config.run else {
                return rows.render();
            };
            let data = &series.data;
            let scaled = f.score_units != "series";
            let diffed = !data.differencing.is_none();
            let direct = format!("direct windows, all {} outputs", r.config.model().horizon);
            let padded = if r.config.model().horizon > 1 {
                direct.as_str()
            } else if data.windows.pad {
                "tutorial's padded windows"
            } else {
                "tutorial's windows"
            };
            let units = if diffed {
                "units of the differences"
            } else {
                "series units"
            };
            if scaled || r.config.model().loss != nn::Loss::MeanSquaredError {
                rows.push(
                    format!("train mse ({padded}, {units})"),
                    format!("{:.6}", f.train_mse),
                );
                rows.push(
                    format!("test mse ({padded}, {units})"),
                    format!("{:.6}", f.test_mse),
                );
            }
            let suffix = if scaled {
                format!(", {units}")
            } else {
                String::new()
            };
            rows.push(
                format!("baseline test mse (mean of each window, {padded}{suffix})"),
                format!("{:.6}", f.baseline_test_mse),
            );
            let o = &f.observed;
            rows.push(
                "train mse on observed targets (real values only, series units)",
                format!("{:.6}", o.train_mse_observed),
            );
            rows.push(
                "test mse on observed targets (every test value, series units)",
                format!("{:.6}", o.test_mse_observed),
            );
            if let [_, _, ..] = f.test_mse_by_horizon.as_slice() {
                let list: Vec<String> = f
                    .test_mse_by_horizon
                    .iter()
                    .map(|v| format!("{v:.6}"))
                    .collect();
                rows.push(
                    "test mse by horizon 1..H (observed targets, series units)",
                    list.join(", "),
                );
            }
            rows.push(
                "persistence test mse (y[t-1], observed targets)",
                format!("{:.6}", o.persistence_test_mse),
            );
            if let (Some(m), Some(v)) = (data.season, o.seasonal_naive_test_mse) {
                rows.push(
                    format!("seasonal naive test mse (y[t-{m}], observed targets)"),
                    format!("{v:.6}"),
                );
            }
            rows.push(
                format!(
                    "skill (1 - test mse / {} mse; > 0 beats it)",
                    o.best_baseline.replace('_', " ")
                ),
                o.skill
                    .map_or("n/a (baseline is perfect)".into(), |s| format!("{s:.4}")),
            );
            rows.push(
                format!(
                    "mase (test mae / in-sample mae of y[t-{}]; < 1 beats it)",
                    data.season.unwrap_or(1)
                ),
                o.mase
                    .map_or("n/a (in-sample error is 0)".into(), |v| format!("{v:.4}")),
            );
            if let Some(m) = &f.missing
                && m.policy != data::MissingPolicy::Error
            {
                rows.push("missing values", m.describe());
            }
            if let Some(kind) = f.feature_scale {
                rows.push(
                    format!(
                        "covariates (past values at each window step, {kind} scaling fitted on the training part)"
                    ),
                    f.features.join(", "),
                );
            }
            if let Some(i) = &f.interval {
                rows.push(
                    format!(
                        "{:.0}% interval (split conformal, {} held-out targets, steps 1..{})",
                        i.p * 100.0,
                        i.held_out,
                        i.horizons
                    ),
                    format!(
                        "+/- {:.6} at step 1, +/- {:.6} at step {}; test coverage {:.4}",
                        i.half_widths[0],
                        i.half_widths[i.horizons - 1],
                        i.horizons,
                        i.test_coverage
                    ),
                );
            }
            rows.push(
                format!(
                    "next value (from the last {} real values)",
                    data.windows.step
                ),
                format!("{:.6}", f.next_value),
            );
            rows.push(
                if data.windows.pad {
                    "next value, tutorial's figure (testX[-1]: last value padded)"
                } else {
                    "next value, tutorial's figure (testX[-1])"
                },
                format!("{:.6}", f.next_value_tutorial),
            );
            if let Some(t) = &f.time {
                rows.push(
                    format!("time column '{}'", t.column),
                    format!(
                        "{} to {}, step {}; next value at {}",
                        t.first, t.last, t.step, t.next
                    ),
                );
            }
            rows.push("fit time", fit_time);
            format!(
                "{}{}\noutputs in {out}: {model}, {}, {predictions}\n",
                rows.render(),
                f.observed.verdict(),
                name(&r.outputs.plot)
            )
        }
        Figures::Task(f) => {
            rows.push("test mse", format!("{:.6}", f.test_mse));
            rows.push(
                "baseline test mse (predict the training mean)",
                format!("{:.6}", f.baseline_test_mse),
            );
            rows.push("test mse / baseline", format!("{:.4}", f.test_mse_ratio));
            rows.push(
                "fit time",
                format!(
                    "{fit_time}, {:.3} s per epoch",
                    r.seconds_per_epoch.unwrap_or(f64::NAN)
                ),
            );
            format!(
                "{}outputs in {out}: {model}, {predictions} (no plot: a task has no series to draw)\n",
                rows.render()
            )
        }
    }
}
