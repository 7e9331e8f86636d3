//! Validated settings built from the flags: everything is checked here, before any output
//! folder exists. The structs are serialized as the `config` of `--json` and in the
//! settings kept inside the model file, so evaluate/predict/forecast rebuild the same windows.

use std::path::PathBuf;
use std::str::FromStr;

use data::{
    Column, CsvOptions, Dataset, Layout, NoiseKind, ScaleKind, Scaler, Series, SineConfig, SplitAt,
    WindowConfig,
};
use serde::{Deserialize, Serialize};

use crate::args::{DataArgs, OutputArgs, TrainArgs};
use crate::error::CliError;
use crate::{names, parse};

/// Where the series comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// The tutorial's generated sine.
    Generated(SineConfig),
    /// A CSV file.
    Csv {
        /// Path as given.
        path: PathBuf,
        /// Value column (`None`: the only or last numeric column).
        column: Option<Column>,
        /// Optional time-label column.
        time_column: Option<Column>,
    },
}

/// The series and how it becomes windows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataConfig {
    /// Where the series comes from.
    pub source: Source,
    /// Split, step, padding, layout and scaling.
    pub windows: WindowConfig,
    /// Whether T was given (or saved) rather than the tutorial's default.
    pub split_given: bool,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            source: Source::Generated(SineConfig::default()),
            windows: WindowConfig::default(),
            split_given: false,
        }
    }
}

fn data_err(flag: &str, e: data::DataError) -> CliError {
    CliError::Usage(format!("{flag}: {e}"))
}

impl DataConfig {
    /// Settings from the flags; flags not given take their value from `saved` (the settings a
    /// model was trained with) or else the tutorial's.
    pub fn from_args(args: &DataArgs, saved: Option<&DataConfig>) -> Result<Self, CliError> {
        let base = saved.cloned().unwrap_or_default();
        let generator_flags = [
            ("--n", &args.n),
            ("--freq", &args.freq),
            ("--amplitude", &args.amplitude),
            ("--noise", &args.noise),
            ("--noise-amplitude", &args.noise_amplitude),
            ("--data-seed", &args.data_seed),
        ];
        let source = if let Some(path) = &args.csv {
            if let Some((flag, _)) = generator_flags.iter().find(|(_, v)| v.is_some()) {
                return Err(CliError::Usage(format!(
                    "{flag} sets the generated series and cannot be combined with --csv '{}'",
                    path.display()
                )));
            }
            let column = args.column.as_deref().map(Column::from_str).transpose();
            let time_column = args
                .time_column
                .as_deref()
                .map(Column::from_str)
                .transpose();
            Source::Csv {
                path: path.clone(),
                column: column.map_err(|e| data_err("--column", e))?,
                time_column: time_column.map_err(|e| data_err("--time-column", e))?,
            }
        } else {
            if let Some(flag) = [
                ("--column", &args.column),
                ("--time-column", &args.time_column),
            ]
            .iter()
            .find(|(_, v)| v.is_some())
            .map(|(f, _)| f)
            {
                return Err(CliError::Usage(format!("{flag} needs --csv FILE")));
            }
            match &base.source {
                Source::Csv { .. } if generator_flags.iter().all(|(_, v)| v.is_none()) => {
                    base.source.clone()
                }
                other => {
                    let mut g = match other {
                        Source::Generated(g) => g.clone(),
                        Source::Csv { .. } => SineConfig::default(),
                    };
                    if let Some(t) = &args.n {
                        g.n = parse::count("--n", t, 1)?;
                    }
                    if let Some(t) = &args.freq {
                        g.freq = parse::finite("--freq", t)?;
                    }
                    if let Some(t) = &args.amplitude {
                        g.amplitude = parse::finite("--amplitude", t)?;
                    }
                    if let Some(t) = &args.noise {
                        g.noise = NoiseKind::from_str(t).map_err(|e| data_err("--noise", e))?;
                    }
                    if let Some(t) = &args.noise_amplitude {
                        g.noise_amplitude = parse::finite("--noise-amplitude", t)?;
                    }
                    if let Some(t) = &args.data_seed {
                        g.seed = parse::seed("--data-seed", t)?;
                    }
                    g.validate().map_err(|e| CliError::Usage(e.to_string()))?;
                    Source::Generated(g)
                }
            }
        };
        let mut windows = base.windows;
        let mut split_given = base.split_given;
        if let Some(t) = &args.split {
            windows.split = SplitAt::from_str(t).map_err(|e| data_err("--split", e))?;
            split_given = true;
        }
        if let Some(t) = &args.step {
            windows.step = parse::count("--step", t, 1)?;
        }
        if let Some(t) = &args.layout {
            windows.layout = Layout::from_str(t).map_err(|e| data_err("--layout", e))?;
        }
        if let Some(t) = &args.scale {
            windows.scale = ScaleKind::from_str(t).map_err(|e| data_err("--scale", e))?;
        }
        if args.no_pad {
            windows.pad = false;
        }
        Ok(DataConfig {
            source,
            windows,
            split_given,
        })
    }

    /// Reads or generates the series and builds the windows. Every problem (unreadable or
    /// malformed CSV, missing column, series too short for T and the step) is a usage error.
    pub fn load(&self) -> Result<(Series, Dataset), CliError> {
        self.load_scaled(None)
    }

    /// [`DataConfig::load`] with a scaler fitted earlier (the one a model was trained with)
    /// instead of one fitted on this series' training part, when it is of the kind the
    /// settings ask for. The arithmetic is prepare's own, so on the training series the
    /// windows are bit-identical.
    pub fn load_scaled(&self, fitted: Option<Scaler>) -> Result<(Series, Dataset), CliError> {
        let series = match &self.source {
            Source::Generated(g) => data::generate::sine(g)?,
            Source::Csv {
                path,
                column,
                time_column,
            } => {
                let options = CsvOptions {
                    column: column.clone(),
                    time_column: time_column.clone(),
                    ..CsvOptions::default()
                };
                data::read_csv_path(path, &options)
                    .map_err(|e| CliError::Usage(format!("--csv '{}': {e}", path.display())))?
            }
        };
        let fitted = fitted.filter(|f| f.kind() == self.windows.scale);
        let prepared = match fitted {
            Some(f) => {
                let windows = WindowConfig {
                    scale: ScaleKind::None,
                    ..self.windows
                };
                data::prepare(&f.transform_all(series.values()), &windows).map(|mut ds| {
                    ds.scaler = f;
                    ds
                })
            }
            None => data::prepare(series.values(), &self.windows),
        };
        let dataset = prepared.map_err(|e| {
            let hint = if self.split_given {
                String::new()
            } else {
                " (T = 900 is the tutorial's default: pass --split with an index or a fraction such as 0.7)"
                    .to_string()
            };
            CliError::Usage(format!("{e}{hint}"))
        })?;
        Ok((series, dataset))
    }
}

/// Whether a rate is 0 (left out of the saved spec, which then reads as before the flag existed).
fn is_zero(x: &f32) -> bool {
    *x == 0.0
}

/// The model and how it is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Recurrent cell (`simple`, `lstm` or `gru`).
    pub cell: String,
    /// Units of the recurrent layer.
    pub units: usize,
    /// Activation of the recurrent layer.
    pub activation: String,
    /// Activation of the gates (LSTM and GRU; `None` for SimpleRNN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrent_activation: Option<String>,
    /// Input dropout rate of the recurrent layer (0: none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropout: f32,
    /// Recurrent dropout rate of the recurrent layer (0: none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub recurrent_dropout: f32,
    /// Hidden Dense sizes (relu) before the final Dense(1).
    pub dense: Vec<usize>,
    /// Canonical loss name (`mse`, `mae`, `huber`, `msle`).
    pub loss: String,
    /// Optimizer name.
    pub optimizer: String,
    /// Learning rate (> 0).
    pub learning_rate: f64,
    /// Keras's `clipnorm`: each gradient is rescaled to at most this L2 norm (None: off).
    #[serde(default)]
    pub clipnorm: Option<f64>,
    /// Keras's `global_clipnorm`: all gradients together are rescaled to at most this global L2
    /// norm (None: off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_clipnorm: Option<f64>,
    /// The one seed of the run: it fixes the initial weights, the shuffling and any dropout
    /// (default 0); results are bit-identical for any thread count.
    pub seed: u64,
    /// Window length: the model's input holds `step` values.
    pub step: usize,
    /// Input layout: `(1, step)` or `(step, features)` per sample.
    pub layout: Layout,
    /// Features per time step: 1 for a series, 2 for a `--task` (value and marker).
    #[serde(default = "one_feature")]
    pub features: usize,
}

fn one_feature() -> usize {
    1
}

/// How fit runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitSettings {
    /// Epochs (>= 1).
    pub epochs: usize,
    /// Batch size (>= 1).
    pub batch_size: usize,
    /// Fraction of training windows held out for validation, in `(0, 1)`: as Keras, the last
    /// `N - floor(N * (1 - v))` windows, taken before any shuffling.
    pub validation_split: Option<f64>,
    /// Patience of early stopping, as Keras's `EarlyStopping(monitor, patience)` with its
    /// defaults (`min_delta = 0`, `restore_best_weights = False`): it monitors `val_loss` with a
    /// validation split, else `loss`, and stops after `patience` epochs without improvement.
    pub early_stopping: Option<usize>,
    /// Keras verbosity 0, 1 or 2.
    pub verbose: u8,
}

/// Plot image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Checks the plot format and that `--out` is not an existing file.
    pub fn from_args(args: &OutputArgs) -> Result<Self, CliError> {
        let plot_format = match args.plot_format.trim().to_ascii_lowercase().as_str() {
            "png" => PlotFormat::Png,
            "svg" => PlotFormat::Svg,
            _ => {
                return Err(CliError::flag(
                    "--plot-format",
                    &args.plot_format,
                    "png or svg",
                ));
            }
        };
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
        // The folder is created only after fit; catch a path that can never be a folder now.
        if let Some(file) = args.out.ancestors().skip(1).find(|a| a.is_file()) {
            return Err(CliError::flag(
                "--out",
                args.out.display(),
                &format!("a folder path ('{}' is an existing file)", file.display()),
            ));
        }
        Ok(OutputConfig {
            out: args.out.clone(),
            plot_format,
        })
    }
}

/// Every setting of `recur train` (the `config` object of `--json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Series and windows.
    pub data: DataConfig,
    /// The model.
    pub model: ModelSpec,
    /// Fit settings.
    pub fit: FitSettings,
    /// Outputs.
    pub output: OutputConfig,
    /// The long-dependency task trained on instead of the series (`--task`); `data` is then
    /// unused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<data::LongDependencyConfig>,
    /// Worker threads (`None`: RAYON_NUM_THREADS or all cores).
    pub threads: Option<usize>,
}

/// Parses `--threads`; without it, checks `RAYON_NUM_THREADS` (which rayon would otherwise
/// ignore silently when malformed). `None` lets rayon pick: that variable, else all cores.
pub fn threads(text: Option<&str>) -> Result<Option<usize>, CliError> {
    if let Some(t) = text {
        return parse::count("--threads", t, 1).map(Some);
    }
    match std::env::var("RAYON_NUM_THREADS") {
        Ok(v) if v.trim().parse::<usize>().is_ok_and(|n| n >= 1) => Ok(None),
        Ok(v) => Err(CliError::Usage(format!(
            "invalid value '{v}' for the RAYON_NUM_THREADS environment variable: expected a whole number >= 1 (or pass --threads)"
        ))),
        Err(_) => Ok(None),
    }
}

impl TrainConfig {
    /// Validates every flag of `recur train` (the data itself is checked by [`DataConfig::load`]).
    pub fn from_args(args: &TrainArgs) -> Result<Self, CliError> {
        let data = DataConfig::from_args(&args.data, None)?;
        let task = task_from_args(args)?;
        let cell = names::cell(&args.cell)?;
        let units = parse::count("--units", &args.units, 1)?;
        let activation = names::activation(&args.activation)?;
        let recurrent_activation =
            names::recurrent_activation(&cell, args.recurrent_activation.as_deref())?;
        let rate = |flag: &str, text: &Option<String>| {
            text.as_deref().map_or(Ok(0.0), |t| parse::rate(flag, t))
        };
        let dropout = rate("--dropout", &args.dropout)?;
        let recurrent_dropout = rate("--recurrent-dropout", &args.recurrent_dropout)?;
        let dense = parse::dense(&args.dense)?;
        let loss = names::loss(&args.loss)?;
        let (optimizer, default_lr) = names::optimizer(&args.optimizer)?;
        let learning_rate = match &args.learning_rate {
            Some(t) => parse::positive("--learning-rate", t)?,
            None => default_lr,
        };
        let clipnorm = args
            .clipnorm
            .as_deref()
            .map(|t| parse::positive("--clipnorm", t))
            .transpose()?;
        let global_clipnorm = args
            .global_clipnorm
            .as_deref()
            .map(|t| parse::positive("--global-clipnorm", t))
            .transpose()?;
        let epochs = parse::count("--epochs", &args.epochs, 1)?;
        let batch_size = parse::count("--batch-size", &args.batch_size, 1)?;
        let validation_split = match &args.validation_split {
            Some(t) => match t.trim().parse::<f64>() {
                Ok(v) if v > 0.0 && v < 1.0 => Some(v),
                _ => {
                    return Err(CliError::flag(
                        "--validation-split",
                        t,
                        "a fraction strictly between 0 and 1",
                    ));
                }
            },
            None => None,
        };
        let early_stopping = args
            .early_stopping
            .as_deref()
            .map(|t| parse::count("--early-stopping", t, 1))
            .transpose()?;
        let seed = parse::seed("--seed", &args.seed)?;
        let verbose = match args.verbose.trim() {
            "0" => 0,
            "1" => 1,
            "2" => 2,
            _ => return Err(CliError::flag("--verbose", &args.verbose, "0, 1 or 2")),
        };
        let output = OutputConfig::from_args(&args.output)?;
        let threads = threads(args.common.threads.as_deref())?;
        Ok(TrainConfig {
            model: ModelSpec {
                cell,
                units,
                activation,
                recurrent_activation,
                dropout,
                recurrent_dropout,
                dense,
                loss,
                optimizer,
                learning_rate,
                clipnorm,
                global_clipnorm,
                seed,
                step: task.map_or(data.windows.step, |t| t.timesteps()),
                layout: if task.is_some() {
                    Layout::Sequence
                } else {
                    data.windows.layout
                },
                features: if task.is_some() {
                    data::generate::LONG_DEPENDENCY_FEATURES
                } else {
                    1
                },
            },
            data,
            fit: FitSettings {
                epochs,
                batch_size,
                validation_split,
                early_stopping,
                verbose,
            },
            output,
            task,
            threads,
        })
    }
}

/// The `--task` settings, or `None` without `--task`. `--lag` and `--count` need `--task`; the
/// series flags (CSV, generator, window) cannot be combined with it; `--split` is the task's
/// training share and `--data-seed` (else `--seed`) seeds its data.
fn task_from_args(args: &TrainArgs) -> Result<Option<data::LongDependencyConfig>, CliError> {
    let Some(kind) = &args.task else {
        if let Some(flag) = [("--lag", &args.lag), ("--count", &args.count)]
            .iter()
            .find(|(_, v)| v.is_some())
            .map(|(f, _)| f)
        {
            return Err(CliError::Usage(format!(
                "{flag} needs --task recall|adding"
            )));
        }
        return Ok(None);
    };
    let d = &args.data;
    let series_flags = [
        ("--column", &d.column),
        ("--time-column", &d.time_column),
        ("--n", &d.n),
        ("--freq", &d.freq),
        ("--amplitude", &d.amplitude),
        ("--noise", &d.noise),
        ("--noise-amplitude", &d.noise_amplitude),
        ("--step", &d.step),
        ("--layout", &d.layout),
        ("--scale", &d.scale),
    ];
    // The default png is indistinguishable from an explicit one; any other format asks for a
    // plot that a task run does not draw.
    if !args.output.plot_format.trim().eq_ignore_ascii_case("png") {
        return Err(CliError::Usage(format!(
            "--plot-format '{}' cannot be combined with --task '{kind}': a task run draws no plot",
            args.output.plot_format
        )));
    }
    let conflict = if d.csv.is_some() {
        Some("--csv")
    } else if d.no_pad {
        Some("--no-pad")
    } else {
        series_flags
            .iter()
            .find(|(_, v)| v.is_some())
            .map(|(f, _)| *f)
    };
    if let Some(flag) = conflict {
        return Err(CliError::Usage(format!(
            "{flag} sets the series and cannot be combined with --task '{kind}' (the task generates its own sequences; --data-seed or --seed seeds them)"
        )));
    }
    let mut t = data::LongDependencyConfig {
        kind: kind
            .parse()
            .map_err(|_| CliError::flag("--task", kind, "recall or adding"))?,
        seed: match &d.data_seed {
            Some(v) => parse::seed("--data-seed", v)?,
            None => parse::seed("--seed", &args.seed)?,
        },
        ..data::LongDependencyConfig::default()
    };
    if let Some(v) = &args.lag {
        t.lag = parse::count("--lag", v, 1)?;
    }
    if let Some(v) = &args.count {
        t.count = parse::count("--count", v, 2)?;
    }
    if let Some(v) = &d.split {
        t.split = SplitAt::from_str(v).map_err(|e| data_err("--split", e))?;
    }
    t.validate().map_err(|e| {
        let e = e.to_string();
        // The data crate names its fields; the user typed flags.
        CliError::Usage(format!("--task {kind}: {e}"))
    })?;
    Ok(Some(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_settings_fill_in_flags_not_given() {
        let saved_args = DataArgs {
            split: Some("1000".into()),
            step: Some("6".into()),
            layout: Some("sequence".into()),
            n: Some("1500".into()),
            ..DataArgs::default()
        };
        let saved = DataConfig::from_args(&saved_args, None).unwrap();
        let again = DataConfig::from_args(&DataArgs::default(), Some(&saved)).unwrap();
        assert_eq!(again, saved);
        let over = DataConfig::from_args(
            &DataArgs {
                step: Some("3".into()),
                ..DataArgs::default()
            },
            Some(&saved),
        )
        .unwrap();
        assert_eq!(over.windows.step, 3);
        assert_eq!(over.windows.split, SplitAt::Index(1000));
        match over.source {
            Source::Generated(g) => assert_eq!(g.n, 1500),
            Source::Csv { .. } => panic!("generated source expected"),
        }
    }

    #[test]
    fn csv_and_generator_flags_do_not_mix() {
        let args = DataArgs {
            csv: Some("a.csv".into()),
            n: Some("10".into()),
            ..DataArgs::default()
        };
        let e = DataConfig::from_args(&args, None).unwrap_err().one_line();
        assert!(e.contains("--n") && e.contains("--csv"), "{e}");
    }

    #[test]
    fn tutorial_defaults() {
        let cfg = TrainConfig::from_args(&TrainArgs {
            cell: "simple".into(),
            units: "32".into(),
            activation: "relu".into(),
            dense: "8".into(),
            loss: "mse".into(),
            optimizer: "rmsprop".into(),
            epochs: "50".into(),
            batch_size: "16".into(),
            seed: "0".into(),
            verbose: "2".into(),
            output: OutputArgs {
                out: "recur-out".into(),
                plot_format: "png".into(),
            },
            ..TrainArgs::default()
        })
        .unwrap();
        assert_eq!(cfg.model.learning_rate, 0.001);
        assert_eq!(cfg.model.dense, vec![8]);
        assert_eq!(cfg.data.windows, WindowConfig::default());
        assert_eq!(cfg.fit.epochs, 50);
        assert_eq!(cfg.fit.batch_size, 16);
        assert_eq!(cfg.threads, None);
    }
}
