//! The settings of a many-series `recur train` (`--id-column`), validated from the flags
//! before any output folder exists. They are written as the `config` of `--json`.

use std::path::PathBuf;

use data::time::{TimeFormat, TimeStep};
use data::{Column, ScaleKind, SplitAt};
use forecast::many::{ManyConfig, Mode};
use serde::Serialize;

use crate::args::TrainArgs;
use crate::error::CliError;
use crate::run_config::{OutputConfig, Run, TrainConfig};
use forecast::series::Source;

/// The split within each series when `--split` is not given: the last fifth is the test
/// part. Why not the tutorial's T = 900: series of a long file differ in length, and a fixed
/// index would skip every series shorter than 900 values.
pub const DEFAULT_SPLIT: SplitAt = SplitAt::Fraction(0.8);

/// Every setting of a many-series run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManyTrainConfig {
    /// The long-format CSV file.
    pub csv: PathBuf,
    /// Its column of series ids.
    pub id_column: Column,
    /// Its value column (`None`: the only or last numeric one besides id and time).
    pub column: Option<Column>,
    /// Its time column, which orders each series.
    pub time_column: Option<Column>,
    /// Its covariate columns (`--features`), read beside the value column of each series.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<Column>,
    /// `--time-format`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_format: Option<TimeFormat>,
    /// `--time-step`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_step: Option<TimeStep>,
    /// Mode, windows, model and fit.
    #[serde(flatten)]
    pub run: ManyConfig,
    /// Outputs.
    pub output: OutputConfig,
    /// Worker threads (`None`: RAYON_NUM_THREADS or all cores).
    pub threads: Option<usize>,
}

impl ManyTrainConfig {
    /// The settings of `recur train --id-column ...`: the one-series settings (the same flags
    /// mean the same), with the split defaulting to [`DEFAULT_SPLIT`] and, with `--global`,
    /// the scaling to standard. `--diff`, `--seasonal-diff`, `--season`, `--horizon` (a
    /// direct model) and `--interval` (each series calibrated on its own held-out targets)
    /// apply to each series, and `--features` reads covariates beside each series' values.
    /// clap has already refused the flag a many-series run does not take (`--task`).
    pub fn from_args(args: &TrainArgs) -> Result<Self, CliError> {
        let id_column = args
            .id_column
            .clone()
            .ok_or_else(|| CliError::Usage("a many-series run needs --id-column".into()))?;
        let base = TrainConfig::from_args(args)?;
        let Run::Series(series) = &base.run else {
            return Err(CliError::Usage(
                "the argument '--id-column' cannot be used with '--task'".into(),
            ));
        };
        let data = &series.data;
        let Source::Csv {
            path,
            column,
            time_column,
            time_format,
            time_step,
            dialect,
            features,
        } = &data.source
        else {
            return Err(CliError::Usage(
                "the argument '--id-column' needs '--csv <FILE>' (a long-format file)".into(),
            ));
        };
        let mode = if args.global {
            Mode::Global
        } else {
            Mode::Local
        };
        let mut windows = data.windows;
        if !data.split_given {
            windows.split = DEFAULT_SPLIT;
        }
        if mode == Mode::Global && args.data.series.scale.is_none() {
            windows.scale = ScaleKind::Standard;
        }
        Ok(ManyTrainConfig {
            csv: path.clone(),
            id_column,
            column: column.clone(),
            time_column: time_column.clone(),
            features: features.clone(),
            time_format: time_format.clone(),
            time_step: *time_step,
            run: ManyConfig {
                mode,
                windows,
                model: series.model.clone(),
                fit: series.fit.clone(),
                // The file's own names replace these once it is read.
                columns: Default::default(),
                differencing: data.differencing,
                season: data.season,
                interval: series.interval,
                // The file's names of the --features columns, set once it is read (the
                // model already takes 1 + F values per time step).
                features: Vec::new(),
                // Delimiter, decimal separator and missing-value policy of the file, and of
                // the future values' file with covariates.
                dialect: Some(*dialect),
            },
            output: base.output,
            threads: base.threads,
        })
    }
}
