//! The settings of a single-series run: the data, the model, how fit runs and the
//! split-conformal calibration, with the CSV's text when a front end hands it over in memory.

use serde::{Deserialize, Serialize};

use super::data_config::DataConfig;
use crate::spec::ModelSpec;
use crate::{FitSettings, ForecastError};

/// Everything a single-series training run needs (the CLI's `recur train` without `--task`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesConfig {
    /// The series and its windows.
    pub data: DataConfig,
    /// The model.
    pub model: ModelSpec,
    /// How fit runs.
    pub fit: FitSettings,
    /// Split-conformal calibration (`--interval`, `--interval-horizon`), or none.
    pub interval: Option<IntervalConfig>,
    /// The CSV's text, read instead of the file at the CSV source's path (which then only
    /// names the data in messages and in the model file). Never serialized: it is the data,
    /// not a setting.
    #[serde(skip)]
    pub csv_text: Option<String>,
}

/// `train --interval P --interval-horizon K`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IntervalConfig {
    /// The coverage reported on the test targets.
    pub p: f64,
    /// Horizon steps calibrated, `1..=horizon`.
    pub horizon: usize,
}

/// `--interval-horizon`'s default.
pub const DEFAULT_INTERVAL_HORIZON: usize = 24;

/// `--horizon H` against the windows: a direct model trains on real targets only, and with the
/// tutorial's padding `H - 1` of the targets after a part's last windows would be padding
/// copies, so `H > 1` asks for `--no-pad` instead of mixing them in.
pub fn check_horizon(data: &DataConfig, horizon: usize) -> Result<(), ForecastError> {
    check_horizon_padding(horizon, data.windows.pad)
}

/// [`check_horizon`] on windows padded (`pad`) or not: the check of every front end and
/// runner that trains a direct model (the many-series runners too).
pub fn check_horizon_padding(horizon: usize, pad: bool) -> Result<(), ForecastError> {
    if horizon > 1 && pad {
        return Err(ForecastError::Usage(format!(
            "--horizon {horizon} trains on the next {horizon} real values after each window, \
             but the tutorial's padding makes up targets at the end of each part: pass --no-pad"
        )));
    }
    Ok(())
}
