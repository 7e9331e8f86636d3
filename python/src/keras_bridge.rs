//! Keras's serialized objects (the JSON the Python layer and `.keras` files hold) into nn's
//! configs. The translation itself lives in `nn::keras`; this module only adapts its errors.

use nn::{LayerConfig, Loss, OptimizerConfig, Sequential};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde_json::Value;

use crate::errors::nn_error;

/// One layer's config from Keras's serialized form.
pub fn layer(config: &Value) -> PyResult<LayerConfig> {
    Err(PyValueError::new_err(format!(
        "layer translation pending: {config}"
    )))
}

/// Loss, optimizer and metrics from Keras's serialized forms or names.
pub fn compile(
    model: &mut Sequential,
    loss: &Value,
    optimizer: &Value,
    metrics: &Value,
) -> PyResult<()> {
    let loss: Loss = match loss {
        Value::String(s) => s
            .parse()
            .map_err(|e: autograd::AutogradError| PyValueError::new_err(e.to_string()))?,
        other => return Err(PyValueError::new_err(format!("loss {other} pending"))),
    };
    let optimizer = match optimizer {
        Value::String(s) => OptimizerConfig::from_name(s).map_err(nn_error)?,
        other => return Err(PyValueError::new_err(format!("optimizer {other} pending"))),
    };
    if metrics.as_array().is_some_and(|m| !m.is_empty()) {
        return Err(PyValueError::new_err("metrics pending"));
    }
    model.compile(loss, optimizer).map_err(nn_error)
}
