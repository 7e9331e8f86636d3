//! The settings of `recur train`, validated from the flags before any output folder exists.
//! They are written as the `config` of `--json`.

use std::path::PathBuf;

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

use crate::args::{OutputArgs, TrainArgs};
use crate::data_config::DataConfig;
use crate::error::CliError;
pub use forecast::FitSettings;
use forecast::spec::{ModelSpec, RecurrentSpec};

/// What a run trains on: a series or a built-in long-dependency task. One or the other, never
/// both (clap rejects `--task` with any series flag).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Run {
    /// A series cut into windows.
    Series {
        /// Series and windows.
        data: DataConfig,
    },
    /// `--task`: generated sequences `[N, lag + 1, 2]` with one target each.
    Task {
        /// The task.
        task: data::LongDependencyConfig,
    },
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

/// Every setting of `recur train` (the `config` object of `--json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainConfig {
    /// The series or the task.
    #[serde(flatten)]
    pub run: Run,
    /// The model.
    pub model: ModelSpec,
    /// Fit settings.
    pub fit: FitSettings,
    /// Outputs.
    pub output: OutputConfig,
    /// Worker threads (`None`: RAYON_NUM_THREADS or all cores).
    pub threads: Option<usize>,
    /// Split-conformal calibration (`--interval`, `--interval-horizon`), or none.
    pub interval: Option<IntervalConfig>,
}

/// `train --interval P --interval-horizon K`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IntervalConfig {
    /// The coverage reported on the test targets.
    pub p: f64,
    /// Horizon steps calibrated, `1..=horizon`.
    pub horizon: usize,
}

/// `--interval-horizon`'s default.
pub const DEFAULT_INTERVAL_HORIZON: usize = 24;

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
        let run = match args.task {
            None => Run::Series {
                data: DataConfig::from_args(&args.data, None)?,
            },
            Some(kind) => Run::Task {
                task: task_config(args, kind)?,
            },
        };
        let (step, layout, features) = match &run {
            // The target, then each covariate, at every time step.
            Run::Series { data } => (
                data.windows.step,
                data.windows.layout,
                1 + data.features().len(),
            ),
            Run::Task { task } => (
                task.timesteps(),
                data::Layout::Sequence,
                data::generate::LONG_DEPENDENCY_FEATURES,
            ),
        };
        let horizon = train_horizon(args, &run)?;
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
        Ok(TrainConfig {
            run,
            model: ModelSpec {
                recurrent,
                dense: args.dense.0.clone(),
                loss: args.loss,
                optimizer,
                seed: args.seed,
                step,
                layout,
                features,
                horizon,
            },
            fit: FitSettings {
                epochs: args.epochs,
                batch_size: args.batch_size,
                validation_split: args.validation_split,
                early_stopping: args.early_stopping,
                verbose: args.verbose,
            },
            output: OutputConfig::from_args(&args.output)?,
            threads: threads(args.common.threads)?,
            interval: args.interval.map(|p| IntervalConfig {
                p,
                horizon: args.interval_horizon.unwrap_or(DEFAULT_INTERVAL_HORIZON),
            }),
        })
    }
}

/// `--horizon H` (default 1). A direct model trains on real targets only: with the tutorial's
/// padding, `H - 1` of the targets after a part's last windows would be padding copies, so
/// `H > 1` asks for `--no-pad` instead of mixing them in.
fn train_horizon(args: &TrainArgs, run: &Run) -> Result<usize, CliError> {
    let h = args.horizon.unwrap_or(1);
    if let Run::Series { data } = run
        && h > 1
        && data.windows.pad
    {
        return Err(CliError::Usage(format!(
            "--horizon {h} trains on the next {h} real values after each window, but the \
             tutorial's padding makes up targets at the end of each part: pass --no-pad"
        )));
    }
    Ok(h)
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
