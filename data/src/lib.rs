//! `data`: the series side of recur.
//!
//! - [`generate::sine`]: the tutorial's seeded series `amplitude * sin(freq * t) + noise`.
//! - [`long_dependency`]: a built-in long-dependency task (marked recall or the adding problem)
//!   as sequences `[N, lag + 1 + extra, 2]` with targets and a mean baseline.
//! - [`read_csv_path`] / [`read_csv_str`] / [`read_csv_reader`]: a real series from CSV, with a
//!   line number and the row's text for every bad row.
//! - [`read_long_csv_path`] / [`read_long_csv_str`] / [`read_long_csv_reader`]: many series from
//!   one long-format CSV (id, time, value rows in any order) as [`LongData`], sorted by id, each
//!   series sorted by time with its own regular axis when it has one, and with the covariate
//!   columns of `LongCsvOptions::features` when asked.
//! - [`prepare`]: split at T, optional scaling fitted on the training part ([`Scaler`]), the
//!   tutorial's padding, and [`conmat`] sliding windows in either [`Layout`].
//! - [`mse`] and [`baseline_mse`] (mean-of-window predictor).
//! - [`time`]: time columns (dates, date-times, numbers), their regular step, gaps and future times;
//!   [`fill_on_axis`]: missing rows of a regular time column through the [`MissingPolicy`].
//! - [`mse`] and [`baseline_mse`] (mean-of-window predictor); [`persistence`] and
//!   [`seasonal_naive`], the forecaster's baselines, and [`observed_windows`], the windows that
//!   score a model on the same observed targets; [`skill`] and [`mase`].
//! - [`Differencing`] (`--diff`, `--seasonal-diff`) and its inverse; [`MissingPolicy`] for gaps.
//! - [`recursive_forecast`] (predictions fed back in) and [`parse_window`] (a window as text);
//!   [`direct_windows`] and [`direct_forecast`] for direct multi-step models (`H` outputs).
//! - Covariates ([`Covariate`], `CsvOptions::covariates`): other columns as extra input
//!   channels; [`Frame`] holds the target and covariates row by row, and [`conmat_frame`],
//!   [`observed_windows_frame`], [`direct_windows_frame`], [`direct_forecast_frame`] and
//!   [`prepare_with_covariates`] are the windowing functions over it (one channel gives the
//!   single-series results). [`read_csv_table_path`] reads their future values.
//! - [`backtest_folds`]: rolling-origin folds (expanding window); [`origin_baselines`] forecast
//!   each fold's values from its origin; [`mse_by_step`] and [`fold_seed`].
//! - [`Calibration`] and [`conformal_quantile`]: split-conformal prediction intervals.
//!
//! The tutorial's data in a few lines:
//!
//! ```
//! use data::{SineConfig, WindowConfig, generate::sine, prepare};
//!
//! let series = sine(&SineConfig::default())?; // 2000 values, seed 0
//! let ds = prepare(series.values(), &WindowConfig::default())?; // T = 900, step 4, padded
//! assert_eq!(ds.train.x.shape(), [900, 1, 4]);
//! assert_eq!(ds.test.x.shape(), [1100, 1, 4]);
//! assert_eq!(ds.train.y[0], series.values()[4] as f32); // x[0..4] -> x[4]
//! # Ok::<(), data::DataError>(())
//! ```
//!
//! Values are f64 until windowing and f32 in [`Windows`] and targets, as numpy's float64 arrays
//! become float32 tensors in Keras. All errors are [`DataError`]s.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod backtest;
mod baselines;
mod column;
mod conformal;
mod covariates;
mod csv_columns;
mod csv_input;
mod csv_rows;
mod csv_table;
mod dataset;
mod dialect_names;
mod differencing;
mod error;
mod forecast;
mod frame;
pub mod generate;
mod horizon;
mod long;
mod long_series;
mod metrics;
mod missing;
mod scale;
mod series;
mod split;
pub mod time;
mod time_gaps;
mod windows;

pub use backtest::{
    Fold, OriginBaselines, backtest_folds, fold_seed, mse_by_step, origin_baselines,
};
pub use baselines::{mase, mse_f64, observed_windows, persistence, seasonal_naive, skill};
pub use column::Column;
pub use conformal::{Calibration, conformal_quantile, residuals_needed};
pub use covariates::{Covariate, covariate_scale};
pub use csv_input::{
    CsvLimits, CsvOptions, MAX_CSV_BYTES, MAX_CSV_CELLS, MAX_CSV_LINE_BYTES, MAX_CSV_ROWS,
    read_csv_path, read_csv_reader, read_csv_str,
};
pub use csv_table::{CsvTable, TableOptions, read_csv_table_path, read_csv_table_str};
pub use dataset::{Dataset, WindowConfig, WindowedPart, prepare, prepare_with_covariates};
pub use dialect_names::{decimal, delimiter};
pub use differencing::{Differencing, MAX_DIFF_ORDER};
pub use error::DataError;
pub use forecast::{parse_window, recursive_forecast};
pub use frame::{
    Frame, conmat_frame, direct_windows_frame, interleave, last_window, observed_windows_frame,
    pad_rows_with_last,
};
pub use generate::{
    LongDependencyConfig, LongDependencyData, LongDependencyKind, NoiseKind, SequencePart,
    SineConfig, ValueDistribution, long_dependency,
};
pub use horizon::{direct_forecast, direct_forecast_frame, direct_windows, fed_back_rows};
pub use long::{
    LongCsvOptions, LongData, LongSeries, MAX_LONG_SERIES, read_long_csv_path,
    read_long_csv_reader, read_long_csv_str,
};
pub use metrics::{baseline_mse, mse, window_means};
pub use missing::{Filled, MissingCounts, MissingPolicy, fill_missing, is_missing_marker};
pub use scale::{ScaleKind, Scaler};
pub use series::Series;
pub use split::SplitAt;
pub use time_gaps::{OnAxis, TimeGridOptions, fill_on_axis};
pub use windows::{Layout, MAX_WINDOW_VALUES, Windows, conmat, pad_with_last};
