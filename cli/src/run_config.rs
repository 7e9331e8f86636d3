//! The settings of `recur train`, validated from the flags before any output folder exists.
//! They are written as the `config` of `--json`.

use std::path::PathBuf;

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

use crate::args::{OutputArgs, TrainArgs};
use crate::data_config::DataConfigArgs;
use crate::error::CliError;
pub use forecast::FitSettings;
use forecast::series::config::check_horizon;
use forecast::series::{DEFAULT_INTERVAL_HORIZON, DataConfig, IntervalConfig, SeriesConfig};
use forecast::spec::{ModelSpec, RecurrentSpec};

/// What a run trains on: a series or a built-in long-dependency task. One or the other, never
/// both (clap rejects `--task` with any series flag).
// One value per run, never in bulk: the size difference between the variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Run {
    /// A series cut into windows: the `forecast` crate's single-series run.
    Series(SeriesConfig),
    /// `--task`: generated sequences `[N, lag + 1, 2]` with one target each.
    Task(TaskConfig),
}

/// The settings of a `--task` run.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskConfig {
    /// The task.
    pub task: data::LongDependencyConfig,
    /// The model.
    pub model: ModelSpec,
    /// Fit settings.
    pub fit: FitSettings,
}

/// Plot image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlotFormat {
    /// A PNG bitmap.
    Png,
    /// An SVG drawing.
    Svg,
}

impl PlotFormat {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            PlotFormat::Png => "png",
            PlotFormat::Svg => "svg",
        }
    }
}

/// Output folder and plot format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputConfig {
    /// The output folder.
    pub out: PathBuf,
    /// Plot image format.
    pub plot_format: PlotFormat,
}

impl OutputConfig {
    /// Checks that `--out` can be a folder recur writes in: creates it if needed, finishes
    /// what a killed run left there and probes a file's creation, renaming and removal (see
    /// [`crate::output::probe`]; the folder is created for good only when the outputs are
    /// written).
    pub fn from_args(args: &OutputArgs) -> Result<Self, CliError> {
        if args.out.as_os_str().is_empty() {
            return Err(CliError::flag("--out", "", "a folder path"));
        }
        if args.out.exists() && !args.out.is_dir() {
            return Err(CliError::flag(
                "--out",
                args.out.display(),
                "a folder (this path is an existing file)",
            ));
        }
        if let Some(file) = args.out.ancestors().skip(1).find(|a| a.is_file()) {
            return Err(CliError::flag(
                "--out",
                args.out.display(),
                &format!("a folder path ('{}' is an existing file)", file.display()),
            ));
        }
        // Before any work: an unwritable folder is found in a moment, not after training.
        crate::output::probe(&args.out).map_err(|reason| {
            CliError::flag(
                "--out",
                args.out.display(),
                &format!("a folder recur can write ({reason})"),
            )
        })?;
        Ok(OutputConfig {
            out: args.out.clone(),
            plot_format: args.plot_format,
        })
    }
}

/// Every setting of `recur train` (the `config` object of `--json`): the series run (or the
/// task) with the output folder and the threads around it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// The series or the task.
    pub run: Run,
    /// Outputs.
    pub output: OutputConfig,
    /// Worker threads (`None`: RAYON_NUM_THREADS or all cores).
    pub threads: Option<usize>,
}

impl TrainConfig {
    /// The model.
    pub fn model(&self) -> &ModelSpec {
        match &self.run {
            Run::Series(s) => &s.model,
            Run::Task(t) => &t.model,
        }
    }

    /// Fit settings.
    pub fn fit(&self) -> &FitSettings {
        match &self.run {
            Run::Series(s) => &s.fit,
            Run::Task(t) => &t.fit,
        }
    }
}

/// The `config` object as recur has always written it: the series' `data` (or the `task`),
/// `model`, `fit`, `output`, `threads`, `interval`.
#[derive(Serialize)]
struct ConfigDocument<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a DataConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    task: Option<&'a data::LongDependencyConfig>,
    model: &'a ModelSpec,
    fit: &'a FitSettings,
    output: &'a OutputConfig,
    threads: Option<usize>,
    interval: Option<IntervalConfig>,
}

impl Serialize for TrainConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (data, task, interval) = match &self.run {
            Run::Series(c) => (Some(&c.data), None, c.interval),
            Run::Task(t) => (None, Some(&t.task), None),
        };
        ConfigDocument {
            data,
            task,
            model: self.model(),
            fit: self.fit(),
            output: &self.output,
            threads: self.threads,
            interval,
        }
        .serialize(s)
    }
}

/// `--threads` (its parser caps it), or `None` to let rayon pick; without the flag, checks
/// `RAYON_NUM_THREADS` against the same cap (rayon would otherwise ignore a malformed value
/// silently, and spend minutes starting a huge number of threads).
pub fn threads(flag: Option<usize>) -> Result<Option<usize>, CliError> {
    if flag.is_some() {
        return Ok(flag);
    }
    match std::env::var("RAYON_NUM_THREADS") {
        Ok(v) => match crate::parsers::threads(&v) {
            Ok(_) => Ok(None),
            Err(expected) => Err(CliError::Usage(format!(
                "invalid value '{v}' for the RAYON_NUM_THREADS environment variable: {expected} (or pass --threads)"
            ))),
        },
        Err(_) => Ok(None),
    }
}

impl TrainConfig {
    /// The settings of `recur train` (the data itself is checked when it is loaded).
    pub fn from_args(args: &TrainArgs) -> Result<Self, CliError> {
        enum Kind {
            Series(DataConfig),
            Task(data::LongDependencyConfig),
        }
        let kind = match args.task {
            None => Kind::Series(DataConfig::from_args(&args.data, None)?),
            Some(kind) => Kind::Task(task_config(args, kind)?),
        };
        let (step, layout, features) = match &kind {
            // The target, then each covariate, at every time step.
            Kind::Series(data) => (
                data.windows.step,
                data.windows.layout,
                1 + data.features().len(),
            ),
            Kind::Task(task) => (
                task.timesteps(),
                data::Layout::Sequence,
                data::generate::LONG_DEPENDENCY_FEATURES,
            ),
        };
        let horizon = args.horizon.unwrap_or(1);
        if let Kind::Series(data) = &kind {
            check_horizon(data, horizon)?;
        }
        let recurrent = RecurrentSpec::new(
            args.cell,
            args.units,
            args.activation,
            args.recurrent_activation,
            args.dropout.unwrap_or(0.0),
            args.recurrent_dropout.unwrap_or(0.0),
        )
        .map_err(CliError::Usage)?;
        let mut optimizer = args.optimizer.clone();
        optimizer.learning_rate = args.learning_rate.unwrap_or(optimizer.learning_rate);
        optimizer.clipnorm = args.clipnorm;
        optimizer.global_clipnorm = args.global_clipnorm;
        let model = ModelSpec {
            recurrent,
            dense: args.dense.0.clone(),
            loss: args.loss,
            optimizer,
            seed: args.seed,
            step,
            layout,
            features,
            horizon,
        };
        let fit = FitSettings {
            epochs: args.epochs,
            batch_size: args.batch_size,
            validation_split: args.validation_split,
            early_stopping: args.early_stopping,
            verbose: args.verbose,
        };
        let output = OutputConfig::from_args(&args.output)?;
        let threads = threads(args.common.threads)?;
        let run = match kind {
            Kind::Series(data) => Run::Series(SeriesConfig {
                data,
                model,
                fit,
                interval: args.interval.map(|p| IntervalConfig {
                    p,
                    horizon: args.interval_horizon.unwrap_or(DEFAULT_INTERVAL_HORIZON),
                }),
                csv_text: None,
            }),
            Kind::Task(task) => Run::Task(TaskConfig { task, model, fit }),
        };
        Ok(TrainConfig {
            run,
            output,
            threads,
        })
    }
}

/// The `--task` settings: `--split` is the task's training share and `--data-seed` (else
/// `--seed`) seeds its data.
fn task_config(
    args: &TrainArgs,
    kind: data::LongDependencyKind,
) -> Result<data::LongDependencyConfig, CliError> {
    let defaults = data::LongDependencyConfig::default();
    let t = data::LongDependencyConfig {
        kind,
        seed: args.data.data_seed.unwrap_or(args.seed),
        lag: args.lag.unwrap_or(defaults.lag),
        count: args.count.unwrap_or(defaults.count),
        split: args.data.split.unwrap_or(defaults.split),
        ..defaults
    };
    // The data crate names its fields; the user typed flags.
    t.validate()
        .map_err(|e| CliError::Usage(format!("--task {kind}: {e}")))?;
    Ok(t)
}
