//! `forecast`: recur's forecasting pipeline over `nn` and `data`, shared by every front end
//! (the `recur` command line, the Python package, a Spark or Ray executor).
//!
//! - [`spec`]: the model a run builds ([`spec::ModelSpec`]: recurrent layer, hidden Dense
//!   sizes, loss, optimizer, input), in nn's own types, with its text form for model files.
//! - [`fitting`]: fit on windows, score a part, predict windows; [`FitSettings`] is how fit
//!   runs.
//! - [`series`]: one series at a time, the whole pipeline of the CLI's single-series
//!   commands (train, evaluate, predict, forecast, backtest) and its model file.
//! - [`many`]: many series at once, one model per series (local) or one for all (global),
//!   and the one model file of such a run.
//!
//! Why a crate of its own: the CLI held this pipeline, and the Python package and the
//! many-series runners need the same one; front ends keep only their input and output.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod error;
mod fit_settings;
pub mod fitting;
pub mod many;
pub mod series;
pub mod spec;

pub use error::ForecastError;
pub use fit_settings::FitSettings;
