//! `recur train`: one pipeline for both kinds of run. Load the windows (of a series) or the
//! sequences (of a `--task`), build and fit the model, score both parts, then write the model
//! with its settings, the predictions and, for a series, the plot. The two kinds differ only in
//! what they report beside the common figures and in the files they write.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use data::Windows;
use nn::{History, Sequential};
use serde::Serialize;

use crate::error::CliError;
use crate::horizon::{DirectPart, direct_parts, test_mse_by_horizon};
use crate::intervals::{HeldOut, IntervalReport, calibrate, hold_out};
use crate::model_file::{MODEL_FILE, ModelFile, SeriesSettings, Settings, TaskSettings};
use crate::output::OutDir;
use crate::plot::{SeriesPlot, series_plot};
use crate::predictions::{predictions_csv, task_predictions_csv};
use crate::progress::Console;
use crate::report::{Rows, file_name};
use crate::run_config::{Run, TrainConfig};
use crate::scores::{ObservedScores, next_after, observed};
use forecast::fitting::{self, PartScores};

/// The set of files `recur train` owns in the output folder (see [`crate::output`]).
pub const TRAIN_SET: &str = "train";

/// File name of the predictions CSV.
pub const PREDICTIONS_FILE: &str = "predictions.csv";

/// Input shapes `[N, a, b]` of the training and test parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Shapes {
    /// Training windows (or sequences).
    pub train: [usize; 3],
    /// Test windows (or sequences).
    pub test: [usize; 3],
}

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

/// What a missing-value policy did to the series read (`--missing`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MissingReport {
    /// The policy: `error`, `drop`, `ffill` or `interpolate`.
    pub policy: data::MissingPolicy,
    /// Missing values filled in.
    pub filled: usize,
    /// Rows left out.
    pub dropped: usize,
    /// Rows absent from a regular time column, inserted on its step (and counted in
    /// `filled`, or `dropped` at the series' edges).
    pub missing_rows: usize,
}

impl MissingReport {
    /// The report of a series read with `config`'s CSV policy; `None` for a generated series.
    pub fn of(config: &crate::data_config::DataConfig, series: &data::Series) -> Option<Self> {
        match &config.source {
            crate::data_config::Source::Csv { dialect, .. } => Some(MissingReport {
                policy: dialect.missing,
                filled: series.missing().filled,
                dropped: series.missing().dropped,
                missing_rows: series.missing().missing_rows,
            }),
            crate::data_config::Source::Generated(_) => None,
        }
    }

    /// `3 filled, 1 dropped (--missing ffill)`, with `, 2 of them missing rows of the time
    /// column` when rows were inserted.
    pub fn describe(&self) -> String {
        let rows = if self.missing_rows > 0 {
            format!(
                ", {} of them missing rows of the time column",
                self.missing_rows
            )
        } else {
            String::new()
        };
        format!(
            "{} filled, {} dropped{rows} (--missing {})",
            self.filled, self.dropped, self.policy
        )
    }
}

/// What only a series run reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesFigures {
    /// Units of `train_score` and `test_score`: `scaled` with `--scale`, else `series`
    /// (`differenced` or `scaled differences` with `--diff`/`--seasonal-diff`).
    pub score_units: &'static str,
    /// MSE on the tutorial's (padded) training windows in the series' units (squared); with
    /// differencing, in the units of the differences. With `--horizon H > 1`, on the direct
    /// model's windows, over all `H` outputs.
    pub train_mse: f64,
    /// MSE on the tutorial's (padded) test windows, in the same units as `train_mse`.
    pub test_mse: f64,
    /// MSE of the mean-of-window predictor on the tutorial's test windows, in those units.
    pub baseline_test_mse: f64,
    /// Scores on the observed targets and the baselines, in series units (with `--horizon
    /// H > 1`, of the model's horizon-1 output).
    #[serde(flatten)]
    pub observed: ObservedScores,
    /// MSE on the observed test targets for each horizon step `1..=H` of the model's outputs,
    /// series units (entry 0 is `test_mse_observed`; one entry for a one-step model).
    pub test_mse_by_horizon: Vec<f64>,
    /// What `--missing` did (`null` for the generated series).
    pub missing: Option<MissingReport>,
    /// Prediction after the last `step` real values of the series (series units).
    pub next_value: f64,
    /// The tutorial's figure: prediction from `testX[-1]` (with padding, `step` copies of the
    /// last value), in series units.
    pub next_value_tutorial: f64,
    /// The time column, when the CSV has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeSummary>,
    /// The split-conformal calibration (`--interval`), when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<IntervalReport>,
    /// The covariates (`--features`) by name, in the model's channel order (channel 0 is the
    /// target); absent without them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// How each covariate was scaled on the training part: `--scale`'s kind, `standard` with
    /// `--scale none`; absent without covariates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_scale: Option<data::ScaleKind>,
}

/// A series' time column as the train report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeSummary {
    /// The column's name.
    pub column: String,
    /// The first time.
    pub first: String,
    /// The last time.
    pub last: String,
    /// The regular step, inferred or given (`1d`, `3mo`...).
    pub step: String,
    /// The time of `next_value`.
    pub next: String,
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

/// The inputs and targets of a run.
// One value per run, never in bulk: the size difference between the variants costs nothing.
#[allow(clippy::large_enum_variant)]
enum Loaded {
    Series {
        series: data::Series,
        ds: data::Dataset,
        /// The training and test parts of a direct model (`--horizon H > 1`), which trains and
        /// is scored on them instead of the one-target windows.
        direct: Option<Box<(DirectPart, DirectPart)>>,
    },
    Task(data::LongDependencyData),
}

impl Loaded {
    fn load(run: &Run, run_horizon: usize) -> Result<Self, CliError> {
        Ok(match run {
            Run::Series { data } => {
                let (series, ds) = data.load()?;
                let h = run_horizon;
                let direct = if h > 1 {
                    Some(Box::new(direct_parts(&ds, h, data.windows.layout)?))
                } else {
                    None
                };
                Loaded::Series { series, ds, direct }
            }
            Run::Task { task } => {
                // The sequences and their copies in f32: checked before they are generated.
                let values = (task.count as u128)
                    * (task.timesteps() as u128)
                    * (data::generate::LONG_DEPENDENCY_FEATURES as u128);
                crate::limits::check_memory(
                    &format!(
                        "the sequences of --task {} with --count {} and --lag {}",
                        task.kind, task.count, task.lag
                    ),
                    values * 4 * 3,
                )?;
                Loaded::Task(
                    data::long_dependency(task)
                        .map_err(|e| CliError::Usage(format!("--task: {e}")))?,
                )
            }
        })
    }

    fn train(&self) -> (&Windows, &[f32]) {
        match self {
            Loaded::Series {
                direct: Some(d), ..
            } => (&d.0.x, &d.0.y),
            Loaded::Series { ds, .. } => (&ds.train.x, &ds.train.y),
            Loaded::Task(t) => (&t.train.x, &t.train.y),
        }
    }

    fn test(&self) -> (&Windows, &[f32]) {
        match self {
            Loaded::Series {
                direct: Some(d), ..
            } => (&d.1.x, &d.1.y),
            Loaded::Series { ds, .. } => (&ds.test.x, &ds.test.y),
            Loaded::Task(t) => (&t.test.x, &t.test.y),
        }
    }

    fn shapes(&self) -> Shapes {
        Shapes {
            train: self.train().0.shape(),
            test: self.test().0.shape(),
        }
    }
}

/// The first `count` windows of a part and their targets (`y.len() / x.count()` per window).
fn first_windows((x, y): (&Windows, &[f32]), count: usize) -> (Windows, Vec<f32>) {
    let per = y.len() / x.count().max(1);
    let kept = x.head(count);
    let targets = y[..kept.count() * per].to_vec();
    (kept, targets)
}

/// Keras's rule for `validation_split`: the first `int(N * (1 - v))` windows train, the rest
/// validate; both sides must be non-empty.
fn check_validation_split(v: Option<f64>, windows: usize) -> Result<(), CliError> {
    if let Some(v) = v {
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

/// The text printed before fit: the task, the input shapes and the model summary.
fn header(cfg: &TrainConfig, shapes: Shapes, summary: &str) -> String {
    let s = |a: [usize; 3]| format!("({}, {}, {})", a[0], a[1], a[2]);
    match &cfg.run {
        Run::Series { .. } => format!(
            "train windows {}, test windows {}\n{summary}\n",
            s(shapes.train),
            s(shapes.test)
        ),
        Run::Task { task } => format!(
            "task {} at lag {} ({} sequences), train sequences {}, test sequences {}\n{summary}\n",
            task.kind,
            task.lag,
            task.count,
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
    let loaded = Loaded::load(&cfg.run, cfg.model.horizon)?;
    if let (Loaded::Series { ds, .. }, Run::Series { data }) = (&loaded, &cfg.run) {
        crate::scores::check_season(data, ds)?;
    }
    // With --interval, fit only on the windows before the held-out tail.
    let held = match (&loaded, &cfg.run, cfg.interval) {
        (Loaded::Series { ds, .. }, Run::Series { data }, Some(i)) => Some(hold_out(
            i,
            loaded.train().0.count(),
            ds.split + data.differencing.lost(),
            data.differencing.lost(),
            ds.step,
            cfg.model.horizon,
        )?),
        _ => None,
    };
    let fit_part = held
        .as_ref()
        .map(|h| first_windows(loaded.train(), h.fit_windows));
    let fit_windows = fit_part
        .as_ref()
        .map_or(loaded.train().0.count(), |(x, _)| x.count());
    check_validation_split(cfg.fit.validation_split, fit_windows)?;
    // Before nn allocates anything: a batch never holds more windows than there are.
    let batch = cfg.fit.batch_size.min(fit_windows).max(1);
    crate::limits::check_training(&cfg.model, batch)?;
    let mut model = cfg
        .model
        .build()
        .map_err(|e| CliError::Usage(format!("cannot build the model: {e}")))?;
    let shapes = loaded.shapes();
    if !json {
        let text = header(cfg, shapes, &fitting::summary(&model)?);
        let _ = write!(stdout, "{text}");
    }
    let started = Instant::now();
    let history = {
        let sink: &mut dyn Write = if json { stderr } else { &mut *stdout };
        let mut console = Console::new(cfg.fit.verbose, sink);
        let (x, y) = match &fit_part {
            Some((x, y)) => (x, y.as_slice()),
            None => loaded.train(),
        };
        let magnitude = match (&loaded, &cfg.run) {
            (Loaded::Series { series, .. }, Run::Series { data }) => Some(
                fitting::DataMagnitude::of(series.values(), data.windows.scale),
            ),
            _ => None,
        };
        fitting::fit(&mut model, x, y, &cfg.fit, magnitude, &mut |e| {
            console.handle(e)
        })?
    };
    let fit_seconds = started.elapsed().as_secs_f64();
    let train = fitting::score(&mut model, loaded.train().0, loaded.train().1)?;
    let test = fitting::score(&mut model, loaded.test().0, loaded.test().1)?;
    let (figures, outputs) = match &loaded {
        Loaded::Series { series, ds, .. } => {
            series_outputs(cfg, &mut model, series, ds, &train, &test, held.as_ref())?
        }
        Loaded::Task(t) => task_outputs(cfg, &model, t, &test)?,
    };
    let epochs = history.loss.len().max(1);
    let report = TrainReport {
        config: cfg.clone(),
        threads: rayon::current_num_threads(),
        shapes,
        params: model.count_params(),
        history,
        train_score: train.score,
        test_score: test.score,
        seconds_per_epoch: matches!(figures, Figures::Task(_)).then(|| fit_seconds / epochs as f64),
        figures,
        fit_seconds,
        outputs,
    };
    if json {
        crate::print_json(stdout, &report)
    } else {
        let _ = write!(stdout, "{}", human_report(&report));
        Ok(())
    }
}

/// Scores a series run in series units, predicts the next value, and writes the model, the
/// predictions and the plot.
fn series_outputs(
    cfg: &TrainConfig,
    model: &mut Sequential,
    series: &data::Series,
    ds: &data::Dataset,
    train: &PartScores,
    test: &PartScores,
    held: Option<&HeldOut>,
) -> Result<(Figures, Outputs), CliError> {
    let Run::Series { data } = &cfg.run else {
        return Err(CliError::Runtime(
            "a series run without series settings".into(),
        ));
    };
    let sc = ds.scaler;
    let test_mse = sc.inverse_mse(test.mse);
    let time = crate::time_column::series_time(series);
    let n = series.len();
    let time_summary = match &time {
        Some(t) => Some(TimeSummary {
            column: t.name.clone(),
            first: t.label(0)?,
            last: t.label(n - 1)?,
            step: t.axis.step.to_string(),
            next: t.label(n)?,
        }),
        None => None,
    };
    let (observed, placed) = observed(model, series.values(), ds, data)?;
    let d = data.differencing;
    let mut figures = SeriesFigures {
        time: time_summary,
        score_units: score_units(data),
        train_mse: sc.inverse_mse(train.mse),
        test_mse,
        baseline_test_mse: sc.inverse_mse(data::baseline_mse(&ds.test.x, &ds.test.y)?),
        next_value: next_after(model, &ds.next_window, series.values(), &sc, d)?,
        next_value_tutorial: next_after(model, &ds.tutorial_next_window, series.values(), &sc, d)?,
        missing: MissingReport::of(data, series),
        test_mse_by_horizon: test_mse_by_horizon(model, series.values(), ds, data)?,
        observed,
        interval: None,
        features: series.covariates().iter().map(|c| c.name.clone()).collect(),
        feature_scale: (!series.covariates().is_empty())
            .then(|| data::covariate_scale(data.windows.scale)),
    };
    let (calibration, interval) = match (held, cfg.interval) {
        (Some(h), Some(i)) => {
            let cal = calibrate(model, series.values(), ds, data, h)?;
            let r = crate::intervals::report(&cal, i.p, h, &placed.test, series.values())?;
            (Some(cal), Some(r))
        }
        _ => (None, None),
    };
    figures.interval = interval;
    let mut out = OutDir::create(&cfg.output.out)?.stage(TRAIN_SET)?;
    let mut series_settings = SeriesSettings::new(data, &cfg.model, series, time.as_ref(), ds)?;
    series_settings.calibration = calibration;
    let settings = Settings::Series(series_settings);
    let model_path = out.write_with(MODEL_FILE, |tmp| ModelFile::save(model, &settings, tmp))?;
    let predictions = out.write_bytes(
        PREDICTIONS_FILE,
        &predictions_csv(series, time.as_ref(), &placed)?,
    )?;
    let plot_name = format!("plot.{}", cfg.output.plot_format.extension());
    let split = ds.split + d.lost();
    let title = format!(
        "recur: {} (n = {}, T = {}, step {}{}) - observed test mse {:.4}",
        series.name().unwrap_or("series"),
        series.len(),
        split,
        ds.step,
        if d.is_none() {
            String::new()
        } else {
            format!(", {}", d.describe())
        },
        figures.observed.test_mse_observed
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
                split,
                next: figures.next_value,
                time: time.as_ref(),
                value_name: series.name().unwrap_or("value"),
            },
        )
    })?;
    out.commit()?;
    let outputs = Outputs {
        model: model_path,
        plot: Some(plot),
        predictions,
    };
    Ok((Figures::Series(Box::new(figures)), outputs))
}

/// Scores a `--task` run against its baseline and writes the model and the test predictions.
fn task_outputs(
    cfg: &TrainConfig,
    model: &Sequential,
    task: &data::LongDependencyData,
    test: &PartScores,
) -> Result<(Figures, Outputs), CliError> {
    let Run::Task { task: settings } = &cfg.run else {
        return Err(CliError::Runtime("a task run without task settings".into()));
    };
    let test_mse = data::mse(&test.predictions, &task.test.y)?;
    let mut out = OutDir::create(&cfg.output.out)?.stage(TRAIN_SET)?;
    let settings = Settings::Task(TaskSettings {
        format: crate::model_file::TASK_FORMAT.to_string(),
        task: *settings,
        model: cfg.model.clone(),
    });
    let model_path = out.write_with(MODEL_FILE, |tmp| ModelFile::save(model, &settings, tmp))?;
    let predictions = out.write_bytes(
        PREDICTIONS_FILE,
        task_predictions_csv(&task.test.y, &test.predictions).as_bytes(),
    )?;
    out.commit()?;
    let figures = TaskFigures {
        test_mse,
        baseline_test_mse: task.baseline_test_mse,
        test_mse_ratio: test_mse / task.baseline_test_mse,
    };
    let outputs = Outputs {
        model: model_path,
        plot: None,
        predictions,
    };
    Ok((Figures::Task(figures), outputs))
}

/// The units of the model's own scores: `series`, `scaled` with a scaling, `differenced`
/// with differencing, `scaled differences` with both.
pub fn score_units(config: &crate::data_config::DataConfig) -> &'static str {
    let scaled = config.windows.scale != data::ScaleKind::None;
    match (scaled, config.differencing.is_none()) {
        (false, true) => "series",
        (true, true) => "scaled",
        (false, false) => "differenced",
        (true, false) => "scaled differences",
    }
}

/// The human text printed after fit: labelled figures, aligned, then the output folder.
pub fn human_report(r: &TrainReport) -> String {
    let loss = r.config.model.loss.short_name();
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
            let Run::Series { data } = &r.config.run else {
                return rows.render();
            };
            let scaled = f.score_units != "series";
            let diffed = !data.differencing.is_none();
            let direct = format!("direct windows, all {} outputs", r.config.model.horizon);
            let padded = if r.config.model.horizon > 1 {
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
            if scaled || r.config.model.loss != nn::Loss::MeanSquaredError {
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
