//! Keras's running mean of the loss and the `History` that `fit` returns (docs/keras-semantics.md,
//! A.7).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::metrics::Logs;

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

/// Per-epoch results of `fit`; serializes as Keras's `history.history`: one list per logged
/// key, keys in Keras's order (sorted as strings, as Keras's `pythonify_logs` leaves them:
/// `{"loss": [...], "mae": [...], "val_loss": [...], "val_mae": [...]}`). Without metrics that is
/// `{"loss": [...], "val_loss": [...]}` (`val_loss` omitted when there is no validation).
/// Each f32 is written widened to f64, as Python's `float()` of Keras's float32 logs gives it
/// (`0.24543724954128265`, not `0.24543725`); reading it back gives the same f32.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Training loss per epoch: the running mean over the epoch's batches (each computed
    /// before that batch's update), including regularization penalties.
    pub loss: Vec<f32>,
    /// Validation loss per epoch where validation ran.
    pub val_loss: Vec<f32>,
    /// Every other logged key (compiled metrics and their `val_` forms), with one value per
    /// epoch.
    pub metrics: BTreeMap<String, Vec<f32>>,
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

    /// The values logged as `key` (`"loss"`, `"val_mae"`), one per epoch.
    pub fn get(&self, key: &str) -> Option<&[f32]> {
        match key {
            "loss" => Some(&self.loss),
            "val_loss" if !self.val_loss.is_empty() => Some(&self.val_loss),
            _ => self.metrics.get(key).map(Vec::as_slice),
        }
    }

    /// Every key with its values, in Keras's order (sorted).
    pub fn entries(&self) -> Vec<(&str, &[f32])> {
        let mut out: Vec<(&str, &[f32])> = vec![("loss", &self.loss)];
        if !self.val_loss.is_empty() {
            out.push(("val_loss", &self.val_loss));
        }
        out.extend(self.metrics.iter().map(|(k, v)| (k.as_str(), v.as_slice())));
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// Appends one epoch's logs (`loss` and `val_loss` included).
    pub fn push_logs(&mut self, logs: Logs<'_>) {
        for (k, v) in logs.iter() {
            match k {
                "loss" => self.loss.push(v),
                "val_loss" => self.val_loss.push(v),
                _ => self.metrics.entry(k.to_string()).or_default().push(v),
            }
        }
    }
}

/// f32 values serialized as the f64 values they equal.
struct Widened<'a>(&'a [f32]);

impl Serialize for Widened<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|&v| f64::from(v)))
    }
}

impl Serialize for History {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let entries = self.entries();
        let mut map = s.serialize_map(Some(entries.len()))?;
        for (k, v) in entries {
            map.serialize_entry(k, &Widened(v))?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for History {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let mut all = BTreeMap::<String, Vec<f32>>::deserialize(d)?;
        let loss = all
            .remove("loss")
            .ok_or_else(|| serde::de::Error::missing_field("loss"))?;
        let val_loss = all.remove("val_loss").unwrap_or_default();
        Ok(History {
            loss,
            val_loss,
            metrics: all,
        })
    }
}
