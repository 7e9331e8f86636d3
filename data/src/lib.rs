//! `data`: the series side of recur.
//!
//! - [`generate::sine`]: the tutorial's seeded series `amplitude * sin(freq * t) + noise`.
//! - [`read_csv_path`] / [`read_csv_str`] / [`read_csv_reader`]: a real series from CSV, with a
//!   line number and the row's text for every bad row.
//! - [`prepare`]: split at T, optional scaling fitted on the training part ([`Scaler`]), the
//!   tutorial's padding, and [`conmat`] sliding windows in either [`Layout`].
//! - [`mse`] and [`baseline_mse`] (mean-of-window predictor).
//!
//! Values are f64 until windowing and f32 in [`Windows`] and targets, as numpy's float64 arrays
//! become float32 tensors in Keras. All errors are [`DataError`]s.

#![warn(missing_docs)]

mod column;
mod csv_input;
mod dataset;
mod error;
pub mod generate;
mod metrics;
mod scale;
mod series;
mod split;
mod windows;

pub use column::Column;
pub use csv_input::{CsvOptions, read_csv_path, read_csv_reader, read_csv_str};
pub use dataset::{Dataset, WindowConfig, WindowedPart, prepare};
pub use error::DataError;
pub use generate::{NoiseKind, SineConfig};
pub use metrics::{baseline_mse, mse, window_means};
pub use scale::{ScaleKind, Scaler};
pub use series::Series;
pub use split::SplitAt;
pub use windows::{Layout, MAX_WINDOW_VALUES, Windows, conmat, pad_with_last};
