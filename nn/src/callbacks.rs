//! The decision logic of Keras's `EarlyStopping` and `TerminateOnNaN` callbacks
//! (`keras/src/callbacks/early_stopping.py`, `terminate_on_nan.py`), independent of any model:
//! the training loop feeds them the epoch's logs and acts on their answers (stop, snapshot the
//! weights, restore them at the end).

use serde::{Deserialize, Serialize};

use crate::error::{NnError, Result, check_non_negative};
use crate::metrics::MetricSpec;

/// Whether the monitored quantity should go down or up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitorMode {
    /// Infer from the name, as Keras does: `loss` / `val_loss` are minimised, and so is a
    /// compiled metric monitored by its name or `val_` + its name (every metric recur has is
    /// minimised); any other name is refused.
    #[default]
    Auto,
    /// Lower is better.
    Min,
    /// Higher is better.
    Max,
}

/// `EarlyStopping` arguments with Keras's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStoppingConfig {
    /// Logged quantity to watch (default `"val_loss"`).
    pub monitor: String,
    /// Smallest change that counts as an improvement (default 0; its sign is ignored).
    pub min_delta: f64,
    /// Epochs without improvement before stopping (default 0).
    pub patience: usize,
    /// Direction (default auto).
    pub mode: MonitorMode,
    /// A value the monitor must beat for the patience counter to reset (default none).
    pub baseline: Option<f64>,
    /// Restore the weights of the best epoch when training ends (default false).
    pub restore_best_weights: bool,
    /// Epochs to ignore at the start (warm-up, default 0).
    pub start_from_epoch: usize,
}

impl Default for EarlyStoppingConfig {
    fn default() -> Self {
        EarlyStoppingConfig {
            monitor: "val_loss".to_string(),
            min_delta: 0.0,
            patience: 0,
            mode: MonitorMode::Auto,
            baseline: None,
            restore_best_weights: false,
            start_from_epoch: 0,
        }
    }
}

/// What the training loop must do after an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EpochDecision {
    /// Stop training after this epoch.
    pub stop: bool,
    /// Copy the current weights as the best ones (only with `restore_best_weights`).
    pub snapshot_weights: bool,
}

/// Keras's `EarlyStopping` state machine.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlyStopping {
    config: EarlyStoppingConfig,
    /// `min_delta` with the sign Keras gives it (negative when minimising).
    signed_delta: f64,
    minimise: bool,
    best: f64,
    wait: usize,
    stopped_epoch: usize,
    best_epoch: usize,
    has_snapshot: bool,
}

impl EarlyStopping {
    /// Validates the config for a model without metrics: with `mode = auto` only `loss` and
    /// `val_loss` can be monitored. See [`EarlyStopping::with_metrics`].
    pub fn new(config: EarlyStoppingConfig) -> Result<Self> {
        Self::with_metrics(config, &[])
    }

    /// Validates the config for a model compiled with `metrics`. With `mode = auto` the
    /// direction comes from the monitored name without its `val_` prefix: `loss` is
    /// minimised, a metric whose Keras `name` it is takes that metric's direction, and any
    /// other name is an error (Keras raises the same ValueError; a repeated metric's `_1` key
    /// is not a metric name, so it needs an explicit mode there too).
    pub fn with_metrics(config: EarlyStoppingConfig, metrics: &[MetricSpec]) -> Result<Self> {
        if !config.min_delta.is_finite() {
            return Err(NnError::invalid(
                "min_delta",
                config.min_delta,
                "a finite number",
            ));
        }
        if let Some(b) = config.baseline
            && !b.is_finite()
        {
            return Err(NnError::invalid("baseline", b, "a finite number"));
        }
        let minimise = match config.mode {
            MonitorMode::Min => true,
            MonitorMode::Max => false,
            MonitorMode::Auto => {
                let name = config
                    .monitor
                    .strip_prefix("val_")
                    .unwrap_or(&config.monitor);
                let metric = metrics.iter().rev().find(|m| m.name == name);
                match (name, metric) {
                    (_, Some(m)) => m.metric.minimise(),
                    ("loss", None) => true,
                    _ => {
                        let mut known = vec!["loss".to_string(), "val_loss".to_string()];
                        for m in metrics {
                            known.push(m.name.clone());
                            known.push(format!("val_{}", m.name));
                        }
                        return Err(NnError::invalid(
                            "monitor",
                            &config.monitor,
                            &format!(
                                "one of [{}] with mode auto (the direction of other quantities \
                                 cannot be inferred: pass mode min or max)",
                                known.join(", ")
                            ),
                        ));
                    }
                }
            }
        };
        let delta = config.min_delta.abs();
        check_non_negative("min_delta", delta)?;
        let mut es = EarlyStopping {
            signed_delta: if minimise { -delta } else { delta },
            minimise,
            best: 0.0,
            wait: 0,
            stopped_epoch: 0,
            best_epoch: 0,
            has_snapshot: false,
            config,
        };
        es.on_train_begin();
        Ok(es)
    }

    /// The configuration.
    pub fn config(&self) -> &EarlyStoppingConfig {
        &self.config
    }

    /// Checks that the monitored quantity will be logged; recur refuses at `fit` time rather
    /// than warning every epoch as Keras does.
    pub fn check_monitor(&self, logged: &[&str]) -> Result<()> {
        if logged.contains(&self.config.monitor.as_str()) {
            Ok(())
        } else {
            Err(NnError::invalid(
                "monitor",
                &self.config.monitor,
                &format!(
                    "one of the logged quantities [{}] (val_ quantities need validation data \
                     or validation_split, metrics need compile_with_metrics)",
                    logged.join(", ")
                ),
            ))
        }
    }

    /// Resets the state so the callback can be reused (Keras's `on_train_begin`).
    pub fn on_train_begin(&mut self) {
        self.wait = 0;
        self.stopped_epoch = 0;
        self.best_epoch = 0;
        self.has_snapshot = false;
        self.best = if self.minimise {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
    }

    fn improves(&self, value: f64, reference: f64) -> bool {
        let v = value - self.signed_delta;
        if self.minimise {
            v < reference
        } else {
            v > reference
        }
    }

    /// Feeds the monitored value at the end of 0-based `epoch` (`None` when it was not logged,
    /// which Keras skips) and says what to do.
    pub fn on_epoch_end(&mut self, epoch: usize, value: Option<f64>) -> EpochDecision {
        let mut decision = EpochDecision::default();
        let Some(current) = value else {
            return decision;
        };
        if epoch < self.config.start_from_epoch {
            return decision;
        }
        if self.config.restore_best_weights && !self.has_snapshot {
            // Nothing better seen yet: the current weights are the best.
            self.has_snapshot = true;
            self.best_epoch = epoch;
            decision.snapshot_weights = true;
        }
        self.wait += 1;
        if self.improves(current, self.best) {
            self.best = current;
            self.best_epoch = epoch;
            decision.snapshot_weights = self.config.restore_best_weights;
            // Only restart the wait if both the baseline and the previous best are beaten.
            if self
                .config
                .baseline
                .is_none_or(|b| self.improves(current, b))
            {
                self.wait = 0;
            }
            return decision;
        }
        if self.wait >= self.config.patience && epoch > 0 {
            self.stopped_epoch = epoch;
            decision.stop = true;
        }
        decision
    }

    /// The best value seen (±inf before any).
    pub fn best(&self) -> f64 {
        self.best
    }

    /// 0-based epoch of the best value.
    pub fn best_epoch(&self) -> usize {
        self.best_epoch
    }

    /// 0-based epoch at which training was stopped (0 if it was not).
    pub fn stopped_epoch(&self) -> usize {
        self.stopped_epoch
    }

    /// At the end of training: `Some(best_epoch)` when the snapshot must be restored.
    pub fn restore_epoch(&self) -> Option<usize> {
        (self.config.restore_best_weights && self.has_snapshot).then_some(self.best_epoch)
    }

    /// Keras's closing messages (printed with verbose > 0): `Epoch N: early stopping` and
    /// `Restoring model weights from the end of the best epoch: N.`.
    pub fn end_messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.stopped_epoch > 0 {
            out.push(format!("Epoch {}: early stopping", self.stopped_epoch + 1));
        }
        if let Some(e) = self.restore_epoch() {
            out.push(format!(
                "Restoring model weights from the end of the best epoch: {}.",
                e + 1
            ));
        }
        out
    }
}

/// `TerminateOnNaN`: true when a batch's loss is NaN or infinite, which stops training;
/// Keras then prints `Batch {batch}: Invalid loss, terminating training`.
pub fn is_invalid_loss(loss: f64) -> bool {
    loss.is_nan() || loss.is_infinite()
}
