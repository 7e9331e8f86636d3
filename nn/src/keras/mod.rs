//! Keras 3 `.keras` files: the translation between recur's [`Sequential`] and the
//! `config.json` and `model.weights.h5` of Keras 3.15.1's archive. The archive itself (a zip)
//! and the HDF5 datasets are read and written by the caller (recur's Python package, with
//! h5py); everything that decides what goes where is here, so it is tested in Rust.
//!
//! - [`Sequential::to_keras_config`] writes the `config.json` Keras writes for the same model;
//!   [`Sequential::from_keras_config`] rebuilds a model from one (see their docs for what
//!   differs and what is refused).
//! - [`Sequential::keras_weight_datasets`] gives the HDF5 path and shape of each weight in
//!   [`Sequential::get_weights`] order; [`Sequential::keras_optimizer_datasets`],
//!   [`Sequential::keras_optimizer_values`] and [`Sequential::set_keras_optimizer_values`] do
//!   the same for the optimizer's state, so training resumes identically after a round trip.
//!
//! `metadata.json` (`{"keras_version": "3.15.1", "date_saved": ...}`) is left to the caller;
//! [`KERAS_VERSION`] is the version to write. `docs/keras-semantics.md` ("Keras files") lists
//! the mapping and its limits.
//!
//! ```
//! use nn::{DenseConfig, Loss, OptimizerConfig, Sequential, SimpleRnnConfig};
//! # fn main() -> Result<(), nn::NnError> {
//! let mut model = Sequential::new();
//! model.set_input_shape(&[5, 3])?;
//! model.add(SimpleRnnConfig::new(4))?;
//! model.add(DenseConfig::new(1))?;
//! model.compile(Loss::MeanSquaredError, OptimizerConfig::adam())?;
//! let config = model.to_keras_config(&serde_json::Value::Null)?;
//! assert_eq!(config["class_name"], "Sequential");
//! let back = Sequential::from_keras_config(&config)?;
//! assert_eq!(back.model.to_keras_config(&back.metrics)?, config);
//! let paths: Vec<String> = model.keras_weight_datasets().into_iter().map(|d| d.path).collect();
//! assert_eq!(paths[0], "layers/simple_rnn/cell/vars/0");
//! assert_eq!(paths[3], "layers/dense/vars/0");
//! # Ok(()) }
//! ```

mod compile;
mod export;
mod import;
mod json;
mod layers;
mod objects;
mod objects_api;
mod weights;

pub use layers::MAX_KERAS_UNITS;
pub use objects_api::{keras_layer, keras_loss, keras_metrics, keras_optimizer, metrics_to_keras};
pub use weights::{H5Dataset, H5Dtype, KerasValue, slot_groups};

use crate::model::Sequential;

/// The Keras version whose files this module reads and writes (for `metadata.json`).
pub const KERAS_VERSION: &str = "3.15.1";

/// Most values (parameters plus a stateful batch's carried states) a model read from a Keras
/// config may hold: 2^26 (256 MiB of f32). Checked before anything is allocated, so a hostile
/// file cannot exhaust memory.
pub const MAX_KERAS_PARAMS: usize = 1 << 26;

/// What [`Sequential::from_keras_config`] returns.
#[derive(Debug)]
pub struct KerasImport {
    /// The model, compiled if the config had a `compile_config`.
    pub model: Sequential,
    /// `compile_config.metrics` as it was (null when absent): metrics are interpreted by the
    /// caller, and handed back to [`Sequential::to_keras_config`].
    pub metrics: serde_json::Value,
}
