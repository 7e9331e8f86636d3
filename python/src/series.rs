//! One series for `recur.series`: forecast's single-series pipeline (the one `recur train`,
//! `forecast` and `backtest` run) on a DataFrame's CSV text, a CSV file or the generated sine,
//! with plain columns and JSON out. The model file is forecast's
//! [`ModelFile`](forecast::series::ModelFile), the CLI's `model.recur`.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use forecast::series::{
    BacktestConfig, ForecastRequest, FutureCovariates, SeriesModel, SeriesRun, prepare,
};
use forecast::{FitSettings, ForecastError};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use serde::Serialize;

use crate::errors::forecast_error;
use crate::interrupt::run_interruptibly;
use crate::series_settings::{self, FRAME_NAME, Input};
use crate::settings;

/// The name a model read from bytes goes by in messages.
const MODEL_NAME: &str = "the model";

/// The input a `source` dict describes: `{"kind": "generated"}`, `{"kind": "csv_text",
/// "csv": text}` or `{"kind": "path", "path": path}`.
fn input(source: &Bound<'_, PyDict>) -> PyResult<Input> {
    let item = |key: &str| -> PyResult<String> {
        source
            .get_item(key)?
            .ok_or_else(|| PyValueError::new_err(format!("source: no '{key}'")))?
            .extract()
    };
    match item("kind")?.as_str() {
        "generated" => Ok(Input::Generated),
        "csv_text" => Ok(Input::Text(item("csv")?)),
        "path" => Ok(Input::Path(PathBuf::from(item("path")?))),
        other => Err(PyValueError::new_err(format!(
            "source: expected the kind 'generated', 'csv_text' or 'path', got '{other}'"
        ))),
    }
}

/// Trains one series as the settings' JSON says, with the GIL released (Ctrl-C stops fit
/// after the current batch: `KeyboardInterrupt`). Returns a dict: `figures` (the JSON of
/// `recur train --json`'s figures), `train_score`, `test_score`, `params`, `shapes` (a dict
/// of the train and test input shapes), `history` (JSON), `fit_seconds`, `predictions`
/// (columns) and `model` (a [`PySeriesModel`] holding the data it was trained on).
#[pyfunction]
pub fn series_fit<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyDict>,
    settings: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let cfg = series_settings::config(settings, input(source)?)?;
    let run = run_interruptibly(py, |stop| {
        let prepared = prepare(&cfg)?;
        prepared.fit(&mut |_| {
            if stop.load(Ordering::Relaxed) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
    })?
    .map_err(forecast_error)?;
    let d = PyDict::new(py);
    d.set_item("figures", json(&run.figures)?)?;
    d.set_item("train_score", run.train_score)?;
    d.set_item("test_score", run.test_score)?;
    d.set_item("params", run.params)?;
    let shapes = PyDict::new(py);
    shapes.set_item("train", run.shapes.train.to_vec())?;
    shapes.set_item("test", run.shapes.test.to_vec())?;
    d.set_item("shapes", shapes)?;
    d.set_item("history", json(&run.history)?)?;
    d.set_item("fit_seconds", run.fit_seconds)?;
    d.set_item("predictions", predictions(py, &run)?)?;
    d.set_item("model", PySeriesModel::of_run(run, cfg.csv_text.clone())?)?;
    Ok(d)
}

/// `value` as JSON text.
fn json(value: &impl Serialize) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The rows of `predictions.csv` as columns.
fn predictions<'py>(py: Python<'py>, run: &SeriesRun) -> PyResult<Bound<'py, PyDict>> {
    let table = run.predictions().map_err(forecast_error)?;
    let d = PyDict::new(py);
    d.set_item("time_column", table.time_column)?;
    d.set_item("index", table.index)?;
    d.set_item("time", table.time)?;
    d.set_item("actual", table.actual)?;
    d.set_item("prediction", table.prediction)?;
    d.set_item("part", table.part)?;
    Ok(d)
}

/// A single-series model file with the data settings saved in it, and the CSV text of the
/// data it was trained on when it came from a fit in this process (for backtests).
#[pyclass(module = "recur._recur", name = "SeriesModel", frozen)]
pub struct PySeriesModel {
    bytes: Vec<u8>,
    csv_text: Option<String>,
    /// What messages call the model: its file's path when read from one.
    name: PathBuf,
}

impl PySeriesModel {
    fn of_run(run: SeriesRun, csv_text: Option<String>) -> PyResult<Self> {
        let bytes = run.model_file.to_bytes().map_err(forecast_error)?;
        Ok(PySeriesModel {
            bytes,
            csv_text,
            name: PathBuf::from(MODEL_NAME),
        })
    }

    /// The model, read afresh (a forecast or backtest may change its state).
    fn model(&self) -> Result<SeriesModel, ForecastError> {
        SeriesModel::from_bytes(&self.bytes, &self.name)
    }
}

/// The source of a backtest: the data given, else the fit's own text.
fn backtest_source(
    model: &mut SeriesModel,
    own: Option<&String>,
    source: Option<&Bound<'_, PyDict>>,
) -> PyResult<()> {
    let data_path = |model: &mut SeriesModel, path: PathBuf| {
        if let forecast::series::Source::Csv { path: p, .. } = &mut model.data.source {
            *p = path;
        }
    };
    match source.map(input).transpose()? {
        Some(Input::Text(text)) => {
            data_path(model, FRAME_NAME.into());
            model.csv_text = Some(text);
        }
        Some(Input::Path(path)) => data_path(model, path),
        Some(Input::Generated) | None => model.csv_text = own.cloned(),
    }
    let from_frame = matches!(&model.data.source,
        forecast::series::Source::Csv { path, .. } if path == Path::new(FRAME_NAME));
    if from_frame && model.csv_text.is_none() {
        return Err(PyValueError::new_err(
            "data: the model was trained on a DataFrame, which its file does not keep: pass \
             data= (the series to backtest on)",
        ));
    }
    Ok(())
}

/// The settings of each fold's refit (`refit`, `epochs` [50], `batch_size` [16], the CLI's
/// defaults); `ValueError` naming `epochs` or `batch_size` when given without `refit`.
pub(crate) fn refit_settings(
    refit: bool,
    epochs: Option<usize>,
    batch_size: Option<usize>,
) -> PyResult<Option<FitSettings>> {
    match (refit, epochs, batch_size) {
        (false, None, None) => Ok(None),
        (false, e, _) => {
            let key = if e.is_some() { "epochs" } else { "batch_size" };
            Err(PyValueError::new_err(format!(
                "{key}: applies to refit=True only (a backtest without refit trains nothing)"
            )))
        }
        (true, epochs, batch_size) => Ok(Some(FitSettings {
            epochs: epochs.unwrap_or(50),
            batch_size: batch_size.unwrap_or(16),
            validation_split: None,
            early_stopping: None,
            verbose: 0,
        })),
    }
}

#[pymethods]
impl PySeriesModel {
    /// Reads a model file's bytes (`name`: its path, for messages); `ValueError` if they are
    /// not a single-series model.
    #[staticmethod]
    #[pyo3(signature = (data, name=None))]
    fn from_bytes(py: Python<'_>, data: Vec<u8>, name: Option<PathBuf>) -> PyResult<Self> {
        let name = name.unwrap_or_else(|| PathBuf::from(MODEL_NAME));
        py.detach(|| SeriesModel::from_bytes(&data, &name))
            .map_err(forecast_error)?;
        Ok(PySeriesModel {
            bytes: data,
            csv_text: None,
            name,
        })
    }

    /// The model file's bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.bytes)
    }

    /// The covariates' names, in the model's channel order.
    #[getter]
    fn features(&self) -> PyResult<Vec<String>> {
        let model = self.model().map_err(forecast_error)?;
        Ok(model
            .saved
            .and_then(|s| s.covariates)
            .map(|c| c.names)
            .unwrap_or_default())
    }

    /// The settings saved with the model, as JSON.
    fn settings_json(&self) -> PyResult<String> {
        let model = self.model().map_err(forecast_error)?;
        json(&model.saved)
    }

    /// One line: the model's window, layout and horizon.
    fn describe(&self) -> PyResult<String> {
        let m = self.model().map_err(forecast_error)?;
        Ok(format!(
            "step {}, {} layout, {} input channel(s), horizon {}",
            m.file.step,
            m.file.layout.name(),
            m.file.features,
            m.model_horizon()
        ))
    }

    /// Forecasts `horizon` values after the series' end (as `recur forecast`): a dict of
    /// `values`, `lo`, `hi` (with `interval`), `times` and `time_column`. `future`: the
    /// covariates' future values, one list per covariate in the model's order.
    #[pyo3(signature = (horizon, interval=None, future=None))]
    fn forecast<'py>(
        &self,
        py: Python<'py>,
        horizon: usize,
        interval: Option<f64>,
        future: Option<Vec<Vec<f64>>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let horizon = settings::horizon(horizon)?;
        let req = ForecastRequest {
            horizon,
            interval,
            future: future.map(FutureCovariates::Columns),
        };
        let f = py
            .detach(|| {
                let mut model = self.model()?;
                forecast::series::forecast(&mut model, &req)
            })
            .map_err(forecast_error)?;
        let d = PyDict::new(py);
        d.set_item("values", f.values)?;
        d.set_item("lo", f.lo)?;
        d.set_item("hi", f.hi)?;
        d.set_item("times", f.times)?;
        d.set_item("time_column", f.time_column)?;
        Ok(d)
    }

    /// Backtests the model (as `recur backtest --model`) on `source` (a source dict, or None:
    /// the data of the fit that made it): JSON with `folds`, `overall` and `by_step`.
    /// `refit` retrains every fold from the model's architecture and seed, for `epochs` (50)
    /// at `batch_size` (16), as `recur backtest --refit`.
    #[pyo3(signature = (source, folds, horizon, stride=None, refit=false, epochs=None, batch_size=None))]
    // One argument per keyword of the Python method, which is what a reader compares it with.
    #[allow(clippy::too_many_arguments)]
    fn backtest(
        &self,
        py: Python<'_>,
        source: Option<&Bound<'_, PyDict>>,
        folds: usize,
        horizon: usize,
        stride: Option<usize>,
        refit: bool,
        epochs: Option<usize>,
        batch_size: Option<usize>,
    ) -> PyResult<String> {
        let mut model = self.model().map_err(forecast_error)?;
        backtest_source(&mut model, self.csv_text.as_ref(), source)?;
        let refit = refit_settings(refit, epochs, batch_size)?;
        let cfg = BacktestConfig {
            horizon: settings::horizon(horizon)?,
            folds,
            stride,
            refit,
        };
        let run = py
            .detach(|| forecast::series::backtest(&mut model, &cfg))
            .map_err(forecast_error)?;
        json(&run.summary)
    }
}
