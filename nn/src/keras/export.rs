//! [`Sequential::to_keras_config`]: the `config.json` Keras 3.15.1's `model.save("x.keras")`
//! writes for the same model.

use serde_json::{Map, Value, json};

use super::compile::{loss_to_keras, optimizer_to_keras};
use super::json::keras_object;
use super::layers::{batch_shape, layer_to_keras};
use super::objects::{SharedIds, empty, float32_policy};
use crate::error::{NnError, Result};
use crate::model::Sequential;

impl Sequential {
    /// The model's Keras 3 `config.json` (`serialize_keras_object(model)` plus the
    /// `compile_config` Keras's `.keras` archive carries), as Keras 3.15.1 writes it for the
    /// same Sequential model; Keras's `load_model` rebuilds the model from it.
    ///
    /// `metrics` is written as `compile_config.metrics` (recur keeps metrics elsewhere; pass
    /// what [`Sequential::from_keras_config`] returned, or `Value::Null`). It must be null for
    /// a model that is not compiled, since such a model has no `compile_config`.
    ///
    /// Where the text differs from Keras's: keys are in sorted order (the same object);
    /// `shared_object_id`s are numbered 1, 2, ... instead of Python's `id()`s; the model, the
    /// optimizer and the `InputLayer` carry their first automatic names (`sequential`, `adam`,
    /// `input_layer`) rather than session-numbered ones; an explicit SimpleRNN `seed` is written
    /// (Keras drops it). Errors name the layer and argument when the model holds something a
    /// Keras config cannot express: an activation with non-default arguments, a Huber loss with
    /// `delta` other than 1, or a stateful layer whose batch size is not fixed yet (Keras needs
    /// a static batch size for stateful layers: run the model once first).
    pub fn to_keras_config(&self, metrics: &Value) -> Result<Value> {
        let mut ids = SharedIds::default();
        let policy = if self.layers().is_empty() {
            float32_policy()
        } else {
            ids.share(float32_policy())
        };
        let batch = self.keras_batch_size()?;
        let mut layers = Vec::new();
        if let Some(shape) = self.input_shape() {
            layers.push(keras_object(
                "keras.layers",
                "InputLayer",
                json!({
                    "batch_shape": batch_shape(batch, shape),
                    "dtype": "float32",
                    "sparse": false,
                    "ragged": false,
                    "name": "input_layer",
                    "optional": false,
                }),
            ));
        }
        for l in self.layers() {
            layers.push(layer_to_keras(l, &policy, &mut ids, batch)?);
        }
        let mut config = Map::new();
        config.insert("name".into(), Value::from(self.name()));
        config.insert("trainable".into(), Value::Bool(true));
        config.insert("dtype".into(), policy);
        config.insert("layers".into(), Value::Array(layers));
        let build = self.input_shape().map(|s| batch_shape(batch, s));
        if let Some(b) = &build {
            config.insert("build_input_shape".into(), b.clone());
        }
        let mut out = keras_object("keras", "Sequential", Value::Object(config));
        let Value::Object(top) = &mut out else {
            unreachable!("keras_object returns an object")
        };
        if let Some(b) = build {
            top.insert("build_config".into(), json!({ "input_shape": b }));
        }
        let compile = match (self.loss(), self.optimizer()) {
            (Some(loss), Some(opt)) => json!({
                "optimizer": optimizer_to_keras(opt),
                "loss": loss_to_keras(loss)?,
                "loss_weights": null,
                "metrics": metrics,
                "weighted_metrics": null,
                "run_eagerly": false,
                "steps_per_execution": 1,
                "jit_compile": true,
            }),
            _ if !metrics.is_null() => {
                return Err(NnError::invalid(
                    "metrics",
                    super::json::quote(metrics),
                    "null for a model that is not compiled (compile it first)",
                ));
            }
            _ => empty(),
        };
        top.insert("compile_config".into(), compile);
        Ok(out)
    }

    /// The batch dimension Keras's shapes carry: the fixed batch size of the stateful layers
    /// (Keras requires one), None (null) for a model without stateful layers.
    fn keras_batch_size(&self) -> Result<Option<usize>> {
        let mut batch = None;
        for l in self.layers().iter().filter(|l| l.is_stateful()) {
            match (l.stateful_batch_size(), batch) {
                (None, _) if self.is_built() => {
                    return Err(NnError::state(format!(
                        "stateful layer '{}' has no batch size yet, and Keras needs a static \
                         batch size for stateful layers: call the model once (fit, predict or \
                         evaluate) before writing its Keras config",
                        l.name()
                    )));
                }
                (None, _) => {}
                (Some(b), None) => batch = Some(b),
                (Some(b), Some(prev)) if b != prev => {
                    return Err(NnError::state(format!(
                        "stateful layers with different batch sizes ({prev} and {b} for '{}'): \
                         a Keras model has one batch size",
                        l.name()
                    )));
                }
                (Some(_), Some(_)) => {}
            }
        }
        Ok(batch)
    }
}
