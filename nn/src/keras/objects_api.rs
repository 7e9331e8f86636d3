//! Single Keras objects, for callers that build a model piece by piece (recur's Python
//! package): one layer, one loss, one optimizer, each in Keras's serialized form (the JSON a
//! `config.json` holds, or a Keras string identifier), read by the same code as a whole file.

use serde_json::Value;

use super::compile::{loss_from_keras, optimizer_from_keras};
use super::layers::{KerasLayer, layer_from_keras};
use crate::error::{NnError, Result};
use crate::layers::LayerConfig;
use crate::metrics::{Metric, MetricSpec};
use crate::{Loss, OptimizerConfig};

/// One layer from its Keras serialized form `{"class_name": "SimpleRNN", "config": {...}}`.
/// Missing arguments take Keras's defaults; anything recur lacks is an error naming the layer,
/// the argument and the value. An `InputLayer` is refused here (it is not a layer of recur's
/// model: give the shape to [`crate::Sequential::set_input_shape`]).
pub fn keras_layer(v: &Value) -> Result<LayerConfig> {
    match layer_from_keras(v, 0)? {
        KerasLayer::Layer(config, _) => Ok(*config),
        KerasLayer::Input(_) => Err(NnError::invalid(
            "layer",
            "InputLayer",
            "a layer recur has (Dense, SimpleRNN, LSTM, GRU); an input shape is set on the model",
        )),
    }
}

/// A loss from Keras's `compile(loss=...)` value: a name (`"mse"`, `"mean_squared_error"`), a
/// serialized loss function or a serialized `Loss` object of a class recur has.
pub fn keras_loss(v: &Value) -> Result<Loss> {
    loss_from_keras(v)
}

/// An optimizer from Keras's `compile(optimizer=...)` value: a name (`"rmsprop"`, Keras's
/// defaults) or a serialized optimizer with its full config.
pub fn keras_optimizer(v: &Value) -> Result<OptimizerConfig> {
    match v {
        Value::String(name) => OptimizerConfig::from_name(name),
        _ => optimizer_from_keras(v),
    }
}

/// Metrics from Keras's `compile(metrics=...)` value (or a `compile_config`'s): null or a list
/// whose items are names (`"mae"`, logged under that string) or serialized metric objects
/// (`{"class_name": "RootMeanSquaredError", "config": {"name": ...}}`, logged under their
/// `name`).
pub fn keras_metrics(v: &Value) -> Result<Vec<MetricSpec>> {
    let items = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            return Err(NnError::invalid(
                "metrics",
                super::json::quote(other),
                "a list of metric names or Keras metric objects",
            ));
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(name) => MetricSpec::from_keras_name(name),
            Value::Object(map) => {
                let class = map.get("class_name").and_then(Value::as_str).unwrap_or("");
                let metric = Metric::from_keras_name(class)?;
                let config = map.get("config").and_then(Value::as_object);
                for key in config.into_iter().flat_map(|c| c.keys()) {
                    if key != "name" && key != "dtype" {
                        return Err(NnError::invalid(
                            &format!("metrics[{i}] ({class}): {key}"),
                            "given",
                            "only `name` and a float32 `dtype` (recur's metrics have no other \
                             argument)",
                        ));
                    }
                }
                if let Some(d) = config.and_then(|c| c.get("dtype")) {
                    super::objects::check_float32(d, &format!("metrics[{i}] ({class})"))?;
                }
                match config.and_then(|c| c.get("name")).and_then(Value::as_str) {
                    Some(name) => MetricSpec::named(metric, name),
                    None => Ok(MetricSpec::object(metric)),
                }
            }
            other => Err(NnError::invalid(
                &format!("metrics[{i}]"),
                super::json::quote(other),
                "a metric name or a Keras metric object",
            )),
        })
        .collect()
}

/// The `compile_config.metrics` value for `specs`: a metric given by a name is written as that
/// name, any other as Keras's serialized metric object; null without metrics.
pub fn metrics_to_keras(specs: &[MetricSpec]) -> Value {
    if specs.is_empty() {
        return Value::Null;
    }
    let items = specs
        .iter()
        .map(|s| {
            let by_name = MetricSpec::from_keras_name(&s.name).is_ok_and(|n| n == *s);
            if by_name {
                Value::from(s.name.clone())
            } else {
                serde_json::json!({
                    "module": "keras.metrics",
                    "class_name": s.metric.class_name(),
                    "config": {"name": s.name, "dtype": "float32"},
                    "registered_name": null,
                })
            }
        })
        .collect();
    Value::Array(items)
}
