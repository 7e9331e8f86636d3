//! Keras's running mean of the loss and the `History` that `fit` returns (docs/keras-semantics.md,
//! A.7).

use serde::{Deserialize, Serialize};

/// Keras's `Mean` metric as the trainer uses it for the loss, in f32: each batch adds
/// `loss · n` to `total` and `n` to `count`; the value is `total / count` (0 when empty, as
/// `divide_no_nan`). The value after each batch is Keras's per-batch `logs["loss"]`, and the
/// value at the end of the epoch its history entry. Reset at the start of every epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LossMean {
    total: f32,
    count: f32,
}

impl LossMean {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a batch of `batch_size` samples whose mean loss is `loss`.
    pub fn update(&mut self, loss: f32, batch_size: usize) {
        let n = batch_size as f32;
        self.total += loss * n;
        self.count += n;
    }

    /// `total / count`, or 0 before any update.
    pub fn value(&self) -> f32 {
        if self.count == 0.0 {
            0.0
        } else {
            self.total / self.count
        }
    }

    /// Empties the tracker (Keras resets it every epoch).
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Per-epoch results of `fit`; serializes as Keras's `history.history`,
/// `{"loss": [...], "val_loss": [...]}` (`val_loss` omitted when there is no validation).
/// Each f32 is written widened to f64, as Python's `float()` of Keras's float32 logs gives it
/// (`0.24543724954128265`, not `0.24543725`); reading it back gives the same f32.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Training loss per epoch: the running mean over the epoch's batches (each computed
    /// before that batch's update), including regularization penalties.
    #[serde(serialize_with = "widened")]
    pub loss: Vec<f32>,
    /// Validation loss per epoch where validation ran.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "widened"
    )]
    pub val_loss: Vec<f32>,
}

/// Serializes f32 values as the f64 values they equal.
fn widened<S: serde::Serializer>(values: &[f32], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(values.iter().map(|&v| f64::from(v)))
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of recorded epochs.
    pub fn epochs(&self) -> usize {
        self.loss.len()
    }
}
