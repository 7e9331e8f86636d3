//! One series at a time: the pipeline of `recur train` (without `--task`), `evaluate`,
//! `predict`, `forecast` and `backtest`, for every front end (the CLI, Python's `recur.series`).
//!
//! - [`config`] and [`data_config`]: the settings of a run ([`SeriesConfig`]: the data, the
//!   model, fit, the interval calibration) and of its data ([`DataConfig`]: a generated sine
//!   or a CSV file, or its text handed over in memory, then differencing, windows and scaling).
//! - [`train`]: [`prepare`] checks everything and builds the model, [`Prepared::fit`] fits it
//!   (reporting fit's events to an observer that can stop it) and scores it into a
//!   [`SeriesRun`]: the model file, the figures, the predictions placed on the series.
//! - [`model`]: a trained model with the data settings to use it on ([`SeriesModel`]), for
//!   [`evaluate()`], [`predict()`], [`forecast()`] and [`backtest()`].
//! - The parts: [`time_axis`] (a CSV's time column as a regular axis), [`covariates`]
//!   (`--features` channels and their future values), [`scores`] (observed-target scores and
//!   baselines), [`intervals`] (split-conformal calibration), [`horizon`] (direct multi-step
//!   models), [`placed`] (predictions on the series' rows), [`limits`] (resource caps checked
//!   before allocating) and [`model_file`] (the file with its settings; its format is the one
//!   `recur` has always written).
//!
//! Messages name each setting by its CLI flag (`--split`, `--features`...), the one name it
//! has in the docs.

pub mod backtest;
pub mod config;
pub mod covariates;
pub mod data_config;
pub mod evaluate;
pub mod forecast;
pub mod horizon;
pub mod intervals;
pub mod limits;
pub mod model;
pub mod model_file;
pub mod placed;
pub mod predict;
pub mod scores;
pub mod time_axis;
pub mod train;

pub use backtest::{BacktestConfig, BacktestRun, BacktestSummary, backtest};
pub use config::{DEFAULT_INTERVAL_HORIZON, IntervalConfig, SeriesConfig};
pub use covariates::FutureCovariates;
pub use data_config::{CsvDialect, DataConfig, Source};
pub use evaluate::{Evaluation, evaluate};
pub use forecast::{Forecast, ForecastRequest, forecast};
pub use model::SeriesModel;
pub use model_file::{ModelFile, SeriesSettings, Settings};
pub use placed::{Placed, PredictionTable};
pub use predict::{PredictRequest, Prediction, predict};
pub use time_axis::SeriesTime;
pub use train::{Prepared, SeriesFigures, SeriesRun, Shapes, prepare};
