//! `Model`: one `nn::Sequential` behind the Python `recur.keras.models.Sequential`.

use autograd::Tensor;
use std::io::Write;
use std::ops::ControlFlow;
use std::time::Instant;

use nn::batching::Shuffle;
use nn::model::{ConsoleProgress, FitEvent, FitOptions, InvalidLoss, Validation};
use nn::progress::verbose1_parts;
use nn::{NnError, Sequential};
use numpy::{PyArrayDyn, PyReadonlyArrayDyn};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::{array_from, array_of, slice_of, tensor_of, view_of};
use crate::errors::nn_error;
use crate::keras_bridge;
use crate::stdout::PyStdout;

/// Keras's log dict as `(name, value)` pairs in its order.
type Logs = Vec<(String, f32)>;

/// A Keras `Sequential` model computed by recur: layers, compile, fit, evaluate, predict,
/// weights, summary and files. Arrays are C-contiguous float32 (the Python layer converts).
#[pyclass(module = "recur._recur")]
pub struct Model {
    inner: Sequential,
}

/// Parses a JSON argument that the Python layer built, naming it in the error.
fn json_arg<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> PyResult<T> {
    serde_json::from_str(text).map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

#[pymethods]
impl Model {
    /// An empty model; `seed` fixes initial weights, shuffling and dropout (recur's default
    /// seed when None).
    #[new]
    #[pyo3(signature = (seed=None))]
    fn new(seed: Option<u64>) -> Self {
        let inner = match seed {
            Some(s) => Sequential::with_seed(s),
            None => Sequential::new(),
        };
        Model { inner }
    }

    /// Appends a layer given as recur's layer config JSON.
    fn add(&mut self, config: &str) -> PyResult<()> {
        let config: serde_json::Value = json_arg("layer", config)?;
        let layer = keras_bridge::layer(&config)?;
        self.inner.add(layer).map_err(nn_error)
    }

    /// Sets the input shape (without the batch axis) and builds the layers.
    fn set_input_shape(&mut self, shape: Vec<usize>) -> PyResult<()> {
        self.inner.set_input_shape(&shape).map_err(nn_error)
    }

    /// Sets the loss, the optimizer and the metrics (Keras `compile`), each given as JSON of
    /// Keras's serialized form or its string identifier.
    fn compile(&mut self, loss: &str, optimizer: &str, metrics: &str) -> PyResult<()> {
        let loss: serde_json::Value = json_arg("loss", loss)?;
        let optimizer: serde_json::Value = json_arg("optimizer", optimizer)?;
        let metrics: serde_json::Value = json_arg("metrics", metrics)?;
        keras_bridge::compile(&mut self.inner, &loss, &optimizer, &metrics)
    }

    /// Trains the model (Keras `fit`). Returns a dict: `history` (JSON of Keras's
    /// `history.history`), `epochs` (the epoch indices run) and `steps` (batches per epoch).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (x, y, epochs, batch_size, verbose, shuffle, initial_epoch, validation_split, validation_x, validation_y, early_stopping, early_stopping_verbose, on_invalid_loss))]
    fn fit<'py>(
        &mut self,
        py: Python<'py>,
        x: PyReadonlyArrayDyn<'py, f32>,
        y: PyReadonlyArrayDyn<'py, f32>,
        epochs: usize,
        batch_size: usize,
        verbose: u8,
        shuffle: bool,
        initial_epoch: usize,
        validation_split: Option<f64>,
        validation_x: Option<PyReadonlyArrayDyn<'py, f32>>,
        validation_y: Option<PyReadonlyArrayDyn<'py, f32>>,
        early_stopping: Option<&str>,
        early_stopping_verbose: Option<u8>,
        on_invalid_loss: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (xt, yt) = (view_of("x", &x)?, view_of("y", &y)?);
        let validation = match (validation_split, validation_x, validation_y) {
            (Some(s), None, None) => Validation::Split(s),
            (None, Some(vx), Some(vy)) => Validation::Data(
                tensor_of("validation_data x", &vx)?,
                tensor_of("validation_data y", &vy)?,
            ),
            (None, None, None) => Validation::None,
            _ => {
                return Err(PyValueError::new_err(
                    "fit: give validation_split or validation_data (x, y), not both",
                ));
            }
        };
        let opts = FitOptions {
            initial_epoch,
            epochs,
            batch_size,
            verbose: 0,
            shuffle: if shuffle { Shuffle::Full } else { Shuffle::Off },
            validation,
            early_stopping: early_stopping
                .map(|t| json_arg("EarlyStopping", t))
                .transpose()?,
            on_invalid_loss: match on_invalid_loss {
                "error" => InvalidLoss::Error,
                "terminate" => InvalidLoss::Terminate,
                other => {
                    return Err(PyValueError::new_err(format!(
                        "fit: on_invalid_loss {other:?} is not 'error' or 'terminate'"
                    )));
                }
            },
        };
        if verbose > 2 {
            return Err(PyValueError::new_err(format!(
                "verbose: expected 'auto', 0, 1 or 2, got {verbose}"
            )));
        }
        let show_messages = verbose > 0 || early_stopping_verbose.unwrap_or(0) > 0;
        let model = &mut self.inner;
        let mut steps = 0;
        let mut pending: Option<PyErr> = None;
        let result = py.detach(|| {
            let mut console = ConsoleProgress::new(verbose, PyStdout);
            let mut messages = ConsoleProgress::new(1, PyStdout);
            model.fit_with(xt, yt, &opts, &mut |e| {
                match e {
                    FitEvent::TrainBegin { steps: s, .. } => steps = *s,
                    FitEvent::Message(_) if show_messages => messages.handle(e),
                    FitEvent::Message(_) => {}
                    _ => console.handle(e),
                }
                // Ctrl-C: Python's handler only records the signal while recur runs; take the
                // GIL between batches to let it raise, and stop there.
                if matches!(e, FitEvent::BatchEnd { .. })
                    && let Err(err) = Python::attach(|py| py.check_signals())
                {
                    pending = Some(err);
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            })
        });
        let history = match result {
            Ok(h) => h,
            Err(NnError::Interrupted { .. }) if pending.is_some() => {
                return Err(pending.take().expect("checked"));
            }
            Err(e) => return Err(nn_error(e)),
        };
        let out = PyDict::new(py);
        let text =
            serde_json::to_string(&history).map_err(|e| PyValueError::new_err(e.to_string()))?;
        out.set_item("history", text)?;
        out.set_item(
            "epochs",
            (initial_epoch..initial_epoch + history.epochs()).collect::<Vec<_>>(),
        )?;
        out.set_item("steps", steps)?;
        Ok(out)
    }

    /// The loss and metrics on `(x, y)` in inference mode: Keras's dict as `(name, value)`
    /// pairs in its order, and Keras's list form (`return_dict=False`); verbose 1 prints
    /// Keras's closing progress line.
    fn evaluate(
        &mut self,
        py: Python<'_>,
        x: PyReadonlyArrayDyn<'_, f32>,
        y: PyReadonlyArrayDyn<'_, f32>,
        batch_size: usize,
        verbose: u8,
    ) -> PyResult<(Logs, Vec<f32>)> {
        let (xt, yt) = (view_of("x", &x)?, view_of("y", &y)?);
        let model = &mut self.inner;
        let start = Instant::now();
        let eval = py
            .detach(|| model.evaluate_with_metrics(xt, yt, Some(batch_size)))
            .map_err(nn_error)?;
        let logs: Vec<(String, f32)> = eval
            .names
            .iter()
            .cloned()
            .zip(eval.values.iter().copied())
            .collect();
        let steps = xt.dims()[0].div_ceil(batch_size);
        closing_bar(verbose, steps, start, &logs)?;
        Ok((logs, eval.list))
    }

    /// The model's outputs for `x`, `(samples, *output_shape)`; verbose 1 prints Keras's
    /// closing progress line.
    fn predict<'py>(
        &mut self,
        py: Python<'py>,
        x: PyReadonlyArrayDyn<'py, f32>,
        batch_size: usize,
        verbose: u8,
    ) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
        let xt = view_of("x", &x)?;
        let model = &mut self.inner;
        let start = Instant::now();
        let out: Tensor = py
            .detach(|| model.predict(xt, Some(batch_size)))
            .map_err(nn_error)?;
        closing_bar(verbose, xt.dims()[0].div_ceil(batch_size), start, &[])?;
        array_of(py, out)
    }

    /// Keras's summary table, `line_length` characters wide.
    #[pyo3(signature = (line_length=None))]
    fn summary(&self, line_length: Option<usize>) -> PyResult<String> {
        match line_length {
            Some(w) => self.inner.summary_with_width(w),
            None => self.inner.summary(),
        }
        .map_err(nn_error)
    }

    /// Every weight in Keras's `get_weights()` order and shapes.
    fn get_weights<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyArrayDyn<f32>>>> {
        let infos = self.inner.param_infos();
        self.inner
            .get_weights()
            .into_iter()
            .zip(infos)
            .map(|(w, info)| array_from(py, w, &info.shape))
            .collect()
    }

    /// Replaces every weight (same order; shapes checked).
    fn set_weights(&mut self, weights: Vec<PyReadonlyArrayDyn<'_, f32>>) -> PyResult<()> {
        let infos = self.inner.param_infos();
        if weights.len() != infos.len() {
            return Err(PyValueError::new_err(format!(
                "set_weights: the model has {} weights, got a list of {}",
                infos.len(),
                weights.len()
            )));
        }
        let mut values = Vec::with_capacity(weights.len());
        for (w, info) in weights.iter().zip(&infos) {
            let (data, dims) = slice_of(&info.name, w)?;
            if dims != info.shape {
                return Err(PyValueError::new_err(format!(
                    "set_weights: weight '{}' has shape {:?}, got an array of shape {dims:?}",
                    info.name, info.shape
                )));
            }
            values.push(data.to_vec());
        }
        self.inner.set_weights(&values).map_err(nn_error)
    }

    /// Number of layers.
    fn layer_count(&self) -> usize {
        self.inner.layers().len()
    }

    /// One layer's name, class name, output shape (None before the build) and config JSON.
    fn layer_info(&self, index: usize) -> PyResult<(String, String, Option<Vec<usize>>, String)> {
        let l = self.layer(index)?;
        let config =
            serde_json::to_string(l.config()).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok((
            l.name().to_string(),
            l.class_name().to_string(),
            l.output_shape().map(<[usize]>::to_vec),
            config,
        ))
    }

    /// One layer's weights (Keras's order and shapes).
    fn layer_weights<'py>(
        &self,
        py: Python<'py>,
        index: usize,
    ) -> PyResult<Vec<Bound<'py, PyArrayDyn<f32>>>> {
        let l = self.layer(index)?;
        l.params()
            .iter()
            .map(|p| array_from(py, p.value.clone(), &p.shape))
            .collect()
    }

    /// Replaces one layer's weights.
    fn set_layer_weights(
        &mut self,
        index: usize,
        weights: Vec<PyReadonlyArrayDyn<'_, f32>>,
    ) -> PyResult<()> {
        self.layer(index)?;
        let layer = &mut self.inner.layers_mut()[index];
        let names: Vec<(String, Vec<usize>)> = layer
            .params()
            .iter()
            .map(|p| (p.name.to_string(), p.shape.clone()))
            .collect();
        if weights.len() != names.len() {
            return Err(PyValueError::new_err(format!(
                "set_weights: layer '{}' has {} weights, got a list of {}",
                layer.name(),
                names.len(),
                weights.len()
            )));
        }
        let mut slices = Vec::with_capacity(weights.len());
        for (w, (name, shape)) in weights.iter().zip(&names) {
            let (data, dims) = slice_of(name, w)?;
            if &dims != shape {
                return Err(PyValueError::new_err(format!(
                    "set_weights: weight '{}/{name}' has shape {shape:?}, got an array of shape {dims:?}",
                    layer.name()
                )));
            }
            slices.push(data);
        }
        layer.set_weights(&slices).map_err(nn_error)
    }

    /// Total number of parameters.
    fn count_params(&self) -> usize {
        self.inner.count_params()
    }

    /// Input shape without the batch axis, once known.
    fn input_shape(&self) -> Option<Vec<usize>> {
        self.inner.input_shape().map(<[usize]>::to_vec)
    }

    /// Output shape without the batch axis, once built.
    fn output_shape(&self) -> Option<Vec<usize>> {
        self.inner.output_shape().map(<[usize]>::to_vec)
    }

    /// Writes the model to `path` in recur's own format (written to a temporary name, then
    /// renamed).
    fn save(&self, path: &str) -> PyResult<()> {
        self.inner.save(path).map_err(nn_error)
    }

    /// Builds a model from Keras's `config.json` text (or `serialize_keras_object`'s JSON);
    /// compiled when it has a `compile_config` and `compile` is true.
    #[staticmethod]
    fn from_keras_config(config: &str, compile: bool) -> PyResult<Model> {
        let value: serde_json::Value = json_arg("config.json", config)?;
        let import = Sequential::from_keras_config(&value).map_err(nn_error)?;
        let mut inner = import.model;
        if compile {
            keras_bridge::compile_metrics(&mut inner, &import.metrics)?;
        } else {
            inner.clear_compile();
        }
        Ok(Model { inner })
    }

    /// Keras's `config.json` text for this model, named `name`.
    fn to_keras_config(&self, name: &str) -> PyResult<String> {
        keras_bridge::config_text(&self.inner, name)
    }

    /// Each weight's HDF5 dataset path in `model.weights.h5` and its shape, in
    /// `get_weights()` order.
    fn keras_weight_paths(&self) -> Vec<(String, Vec<usize>)> {
        self.inner
            .keras_weight_datasets()
            .into_iter()
            .map(|d| (d.path, d.shape))
            .collect()
    }

    /// The optimizer's variables with their HDF5 paths (empty when not compiled).
    fn keras_optimizer_variables(&self, py: Python<'_>) -> PyResult<Vec<(String, Py<PyAny>)>> {
        keras_bridge::optimizer_variables(py, &self.inner)
    }

    /// Restores the optimizer from Keras's variables: `iterations`, then float32 arrays.
    fn set_keras_optimizer_variables(
        &mut self,
        iterations: i64,
        rest: Vec<PyReadonlyArrayDyn<'_, f32>>,
    ) -> PyResult<()> {
        keras_bridge::set_optimizer_variables(&mut self.inner, iterations, &rest)
    }

    /// Reads a model written by `save`; `compile=False` drops the loss and optimizer.
    #[staticmethod]
    #[pyo3(signature = (path, compile=true))]
    fn load(path: &str, compile: bool) -> PyResult<Model> {
        let mut inner = Sequential::load(path).map_err(nn_error)?;
        if !compile {
            inner.clear_compile();
        }
        Ok(Model { inner })
    }
}

/// Keras's last progress-bar line of `evaluate`/`predict` at verbose 1 (the bar full, the
/// elapsed seconds, the time per step and the logs).
fn closing_bar(verbose: u8, steps: usize, start: Instant, logs: &[(String, f32)]) -> PyResult<()> {
    if verbose != 1 {
        return Ok(());
    }
    let elapsed = start.elapsed().as_secs_f64();
    let metrics: Vec<(&str, f64)> = logs
        .iter()
        .map(|(k, v)| (k.as_str(), f64::from(*v)))
        .collect();
    let per_step = elapsed / steps.max(1) as f64;
    let line = verbose1_parts(steps, steps, true, elapsed, per_step, &metrics).plain();
    let mut out = PyStdout;
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

impl Model {
    fn layer(&self, index: usize) -> PyResult<&nn::Layer> {
        self.inner.layers().get(index).ok_or_else(|| {
            PyValueError::new_err(format!(
                "layer index {index} is out of range: the model has {} layers",
                self.inner.layers().len()
            ))
        })
    }
}
