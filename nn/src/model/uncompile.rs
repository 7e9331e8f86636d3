//! Forgetting `compile`: Keras's `load_model(..., compile=False)` gives a model without loss
//! and optimizer, ready for `predict` or a new `compile`.

use super::Sequential;

impl Sequential {
    /// Drops the loss, the optimizer (and its state) and the metrics, as a model loaded with
    /// Keras's `compile=False`. `fit` and `evaluate` then need a new `compile`.
    pub fn clear_compile(&mut self) {
        self.loss = None;
        self.optimizer = None;
        self.metrics.clear();
        self.metric_keys.clear();
    }
}
