//! The seam between the CLI and the neural-network crate: everything the CLI needs from a
//! model. [`crate::backend::NnBackend`] implements it with `nn`'s Sequential; the in-process
//! tests use a small least-squares model, so the CLI's logic is tested without training.

use std::path::Path;

use data::Windows;
use nn::model::FitEvent;

use crate::config::{FitSettings, ModelSpec};
use crate::error::CliError;

/// Per-epoch losses from fit, as Keras's `History.history`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct History {
    /// fit's epoch loss: the running mean of the batch losses over the epoch.
    pub loss: Vec<f64>,
    /// Validation loss per epoch (only with a validation split).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub val_loss: Option<Vec<f64>>,
}

/// A trained or trainable one-step predictor on windows.
pub trait Model {
    /// Trains on windows `x` with targets `y` (one per window) as Keras's `fit` does, with
    /// [`FitSettings`] (epochs, batch size, validation split on the last windows, early stopping
    /// patience). Sends nn's [`FitEvent`]s to `observer` (the CLI renders them). A NaN/inf
    /// loss is a [`CliError::Runtime`] naming the epoch and step.
    fn fit(
        &mut self,
        x: &Windows,
        y: &[f32],
        settings: &FitSettings,
        observer: &mut dyn FnMut(&FitEvent<'_>),
    ) -> Result<History, CliError>;

    /// The compiled loss on `x`, `y` (Keras's `evaluate`, batch size 32).
    fn evaluate(&mut self, x: &Windows, y: &[f32]) -> Result<f64, CliError>;

    /// One output per window.
    fn predict(&mut self, x: &Windows) -> Result<Vec<f32>, CliError>;

    /// [`evaluate`](Model::evaluate) and [`predict`](Model::predict) together: the same score
    /// and the same outputs (one per window). The default calls both; a backend that can
    /// compute them in one forward pass overrides it.
    fn evaluate_and_predict(
        &mut self,
        x: &Windows,
        y: &[f32],
    ) -> Result<(f64, Vec<f32>), CliError> {
        Ok((self.evaluate(x, y)?, self.predict(x)?))
    }

    /// Keras's summary table (`Model: "sequential"` ... ` Non-trainable params: 0 (0.00 B)`).
    fn summary(&self) -> String;

    /// Trainable parameter count.
    fn param_count(&self) -> usize;

    /// The input this model takes: window length and layout. The CLI refuses windows that do
    /// not match (a model file of another architecture).
    fn input(&self) -> (usize, data::Layout);

    /// Writes the model and the CLI's `settings` document (data settings, scaler, the series'
    /// tail) to `path`, as one file (the CLI passes a temporary name and renames it).
    fn save(&self, path: &Path, settings: &serde_json::Value) -> Result<(), CliError>;
}

/// Builds new models and loads saved ones. `Sync`: commands run on rayon's pool (see `run`).
pub trait Backend: Sync {
    /// A compiled, untrained model for `spec` (input `(1, step)` or `(step, 1)`).
    fn build(&self, spec: &ModelSpec) -> Result<Box<dyn Model>, CliError>;

    /// Loads a model file and the settings document saved in it (`None` for a model file
    /// saved without one). A truncated file, one that is not a model, or a model of another
    /// architecture is a [`CliError::Usage`] naming the path and the problem. The CLI has
    /// already checked that the file exists and is readable.
    #[allow(clippy::type_complexity)]
    fn load(&self, path: &Path) -> Result<(Box<dyn Model>, Option<serde_json::Value>), CliError>;
}
