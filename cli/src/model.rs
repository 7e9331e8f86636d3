//! The seam between the CLI and the neural-network crate: everything the CLI needs from a
//! model. `nn`'s Sequential implements [`Model`] and a [`Backend`] builds or loads it; the
//! CLI's logic is written and tested against small implementations in the tests.

use std::path::Path;

use data::Windows;

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

/// What fit reports while it runs (the CLI draws Keras's console output from it).
pub trait Progress {
    /// Epoch `epoch` (1-based) of `epochs` starts; it has `steps` batches.
    fn epoch_begin(&mut self, epoch: usize, epochs: usize, steps: usize);
    /// Batch `step` (1-based) ended; `running_loss` is the mean of the batch losses so far.
    fn batch_end(&mut self, step: usize, running_loss: f64);
    /// The epoch ended with its `loss` (running mean) and `val_loss` (if validating).
    fn epoch_end(&mut self, epoch: usize, loss: f64, val_loss: Option<f64>);
}

/// A trained or trainable one-step predictor on windows.
pub trait Model {
    /// Trains on windows `x` with targets `y` (one per window) as Keras's `fit` does, with
    /// [`FitSettings`] (epochs, batch size, validation split on the last windows, early stopping
    /// patience). Reports progress to `progress`. A NaN/inf loss is a [`CliError::Runtime`]
    /// naming the epoch and step.
    fn fit(
        &mut self,
        x: &Windows,
        y: &[f32],
        settings: &FitSettings,
        progress: &mut dyn Progress,
    ) -> Result<History, CliError>;

    /// The compiled loss on `x`, `y` (Keras's `evaluate`, batch size 32).
    fn evaluate(&self, x: &Windows, y: &[f32]) -> Result<f64, CliError>;

    /// One output per window.
    fn predict(&self, x: &Windows) -> Result<Vec<f32>, CliError>;

    /// Keras's summary table (`Model: "sequential"` ... ` Non-trainable params: 0 (0.00 B)`).
    fn summary(&self) -> String;

    /// Trainable parameter count.
    fn param_count(&self) -> usize;

    /// The input this model takes: window length and layout. The CLI refuses windows that do
    /// not match (a model file of another architecture).
    fn input(&self) -> (usize, data::Layout);

    /// Writes the model to `path` (the CLI passes a temporary name and renames it).
    fn save(&self, path: &Path) -> Result<(), CliError>;
}

/// Builds new models and loads saved ones.
pub trait Backend {
    /// A compiled, untrained model for `spec` (input `(1, step)` or `(step, 1)`).
    fn build(&self, spec: &ModelSpec) -> Result<Box<dyn Model>, CliError>;

    /// Loads a model file. A truncated file, or one that is not a model, is a
    /// [`CliError::Usage`] naming the path and the problem. The CLI has already checked that
    /// the file exists and is readable.
    fn load(&self, path: &Path) -> Result<Box<dyn Model>, CliError>;
}
