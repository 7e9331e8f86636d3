//! How fit runs: the Keras `fit` arguments a series run exposes.

use serde::{Deserialize, Serialize};

/// How fit runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitSettings {
    /// Epochs (>= 1).
    pub epochs: usize,
    /// Batch size (>= 1).
    pub batch_size: usize,
    /// Fraction of training windows held out for validation, in `(0, 1)`: as Keras, the last
    /// `N - floor(N * (1 - v))` windows, taken before any shuffling.
    pub validation_split: Option<f64>,
    /// Patience of early stopping, as Keras's `EarlyStopping(monitor, patience)` with its
    /// defaults (`min_delta = 0`, `restore_best_weights = False`): it monitors `val_loss` with a
    /// validation split, else `loss`, and stops after `patience` epochs without improvement.
    pub early_stopping: Option<usize>,
    /// Keras verbosity 0, 1 or 2.
    pub verbose: u8,
}
