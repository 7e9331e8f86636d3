//! Keras's serialized objects (the JSON the Python layer and `.keras` files hold) into nn's
//! configs, through `nn::keras`; this module only adapts the values and errors to Python.

use nn::keras::{
    KerasValue, keras_layer, keras_loss, keras_metrics, keras_optimizer, metrics_to_keras,
};
use nn::{LayerConfig, Sequential};
use numpy::{PyArrayDyn, PyReadonlyArrayDyn};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde_json::Value;

use crate::arrays::{array_from, slice_of};
use crate::errors::nn_error;

/// One layer's config from Keras's serialized form.
pub fn layer(config: &Value) -> PyResult<LayerConfig> {
    keras_layer(config).map_err(nn_error)
}

/// Loss, optimizer and metrics from Keras's serialized forms or names.
pub fn compile(
    model: &mut Sequential,
    loss: &Value,
    optimizer: &Value,
    metrics: &Value,
) -> PyResult<()> {
    let loss = keras_loss(loss).map_err(nn_error)?;
    let optimizer = keras_optimizer(optimizer).map_err(nn_error)?;
    let metrics = keras_metrics(metrics).map_err(nn_error)?;
    model
        .compile_with_metrics(loss, optimizer, metrics)
        .map_err(nn_error)
}

/// Adds the metrics of a Keras `compile_config` to a model compiled from it (the loss and the
/// optimizer stay; a model that is not compiled has no metrics to take).
pub fn compile_metrics(model: &mut Sequential, metrics: &Value) -> PyResult<()> {
    let specs = keras_metrics(metrics).map_err(nn_error)?;
    if specs.is_empty() {
        return Ok(());
    }
    let (Some(loss), Some(optimizer)) =
        (model.loss(), model.optimizer().map(|o| o.config().clone()))
    else {
        return Err(PyValueError::new_err(
            "config.json: metrics without a loss and an optimizer in compile_config",
        ));
    };
    model
        .compile_with_metrics(loss, optimizer, specs)
        .map_err(nn_error)
}

/// Keras's `config.json` text for `model`, named `name`, with its compile metrics.
pub fn config_text(model: &Sequential, name: &str) -> PyResult<String> {
    let metrics = metrics_to_keras(model.metrics());
    let mut config = model.to_keras_config(&metrics).map_err(nn_error)?;
    if let Some(c) = config.get_mut("config").and_then(Value::as_object_mut) {
        c.insert("name".to_string(), Value::from(name));
    }
    serde_json::to_string(&config).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The optimizer's variables as NumPy arrays (int64 for `iterations`, float32 otherwise), each
/// with its HDF5 path, in Keras's order.
pub fn optimizer_variables<'py>(
    py: Python<'py>,
    model: &Sequential,
) -> PyResult<Vec<(String, Py<PyAny>)>> {
    let datasets = model.keras_optimizer_datasets();
    let values = model.keras_optimizer_values();
    datasets
        .into_iter()
        .zip(values)
        .map(|(d, v)| {
            let array: Py<PyAny> = match v {
                KerasValue::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
                KerasValue::Float(f) => {
                    let a: Bound<'py, PyArrayDyn<f32>> = array_from(py, f, &d.shape)?;
                    a.into_any().unbind()
                }
            };
            Ok((d.path, array))
        })
        .collect()
}

/// Restores the optimizer from Keras's `optimizer/vars/<n>` values: `iterations` first, then
/// float32 arrays.
pub fn set_optimizer_variables(
    model: &mut Sequential,
    iterations: i64,
    rest: &[PyReadonlyArrayDyn<'_, f32>],
) -> PyResult<()> {
    let mut values = vec![KerasValue::Int(iterations)];
    for (i, a) in rest.iter().enumerate() {
        let (data, _) = slice_of(&format!("optimizer/vars/{}", i + 1), a)?;
        values.push(KerasValue::Float(data.to_vec()));
    }
    model.set_keras_optimizer_values(&values).map_err(nn_error)
}
