//! The series and its windows: built from the flags (over the settings a model was trained
//! with, for evaluate/predict/forecast), then read or generated and windowed.

use std::path::PathBuf;

use data::time::{TimeFormat, TimeStep};
use data::{Column, CsvOptions, Dataset, ScaleKind, Scaler, Series, SineConfig, WindowConfig};
use serde::{Deserialize, Serialize};

use crate::args::{DataArgs, SineArgs};
use crate::error::CliError;

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
        /// Optional time column.
        time_column: Option<Column>,
        /// `--time-format` (absent in model files of older recur: detected).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time_format: Option<TimeFormat>,
        /// `--time-step` (absent in model files of older recur: inferred).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time_step: Option<TimeStep>,
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

impl DataConfig {
    /// Settings from the flags; flags not given take their value from `saved` (the settings a
    /// model was trained with) or else the tutorial's. clap has already checked each value and
    /// the relations between the flags (`--csv` against the generator flags).
    pub fn from_args(args: &DataArgs, saved: Option<&DataConfig>) -> Result<Self, CliError> {
        let base = saved.cloned().unwrap_or_default();
        let s = &args.series;
        let source = match (&s.csv, base.source) {
            (Some(path), _) => Source::Csv {
                path: path.clone(),
                column: s.column.clone(),
                time_column: s.time_column.clone(),
                time_format: s.time_format.clone(),
                time_step: s.time_step,
            },
            (None, Source::Generated(mut g)) => {
                apply_generator_flags(args, &mut g)?;
                Source::Generated(g)
            }
            // A saved CSV source stays unless a generator flag asks for the sine instead.
            (None, csv @ Source::Csv { .. }) if !generator_flag_given(args) => csv,
            (None, Source::Csv { .. }) => {
                let mut g = SineConfig::default();
                apply_generator_flags(args, &mut g)?;
                Source::Generated(g)
            }
        };
        let mut windows = base.windows;
        let split_given = base.split_given || args.split.is_some();
        windows.split = args.split.unwrap_or(windows.split);
        windows.step = s.step.unwrap_or(windows.step);
        windows.layout = s.layout.unwrap_or(windows.layout);
        windows.scale = s.scale.unwrap_or(windows.scale);
        windows.pad &= !s.no_pad;
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
        let step = self.windows.step;
        let series = match &self.source {
            Source::Generated(g) => {
                crate::limits::check_windows(g.n, step)?;
                data::generate::sine(g)?
            }
            Source::Csv {
                path,
                column,
                time_column,
                ..
            } => {
                let options = CsvOptions {
                    column: column.clone(),
                    time_column: time_column.clone(),
                    ..CsvOptions::default()
                };
                let series = data::read_csv_path(path, &options)
                    .map_err(|e| CliError::Usage(format!("--csv '{}': {e}", path.display())))?;
                crate::limits::check_windows(series.len(), step)?;
                // Bad times or missing rows are found before any window is built.
                crate::time_column::series_time(&self.source, &series)?;
                series
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
                ""
            } else {
                " (T = 900 is the tutorial's default: pass --split with an index or a fraction such as 0.7)"
            };
            CliError::Usage(format!("{e}{hint}"))
        })?;
        Ok((series, dataset))
    }
}

/// Whether a flag of the generated sine was given (they cannot be combined with `--csv`).
fn generator_flag_given(args: &DataArgs) -> bool {
    args.sine != SineArgs::default() || args.data_seed.is_some()
}

/// Sets the generator's fields that were given and checks the whole generator config.
fn apply_generator_flags(args: &DataArgs, g: &mut SineConfig) -> Result<(), CliError> {
    let s = &args.sine;
    g.n = s.n.unwrap_or(g.n);
    g.freq = s.freq.unwrap_or(g.freq);
    g.amplitude = s.amplitude.unwrap_or(g.amplitude);
    g.noise = s.noise.unwrap_or(g.noise);
    g.noise_amplitude = s.noise_amplitude.unwrap_or(g.noise_amplitude);
    g.seed = args.data_seed.unwrap_or(g.seed);
    g.validate().map_err(|e| CliError::Usage(e.to_string()))
}
