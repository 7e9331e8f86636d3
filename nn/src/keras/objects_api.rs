//! Single Keras objects, for callers that build a model piece by piece (recur's Python
//! package): one layer, one loss, one optimizer, each in Keras's serialized form (the JSON a
//! `config.json` holds, or a Keras string identifier), read by the same code as a whole file.

use serde_json::Value;

use super::compile::{loss_from_keras, optimizer_from_keras};
use super::layers::{KerasLayer, layer_from_keras};
use crate::error::{NnError, Result};
use crate::layers::LayerConfig;
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
