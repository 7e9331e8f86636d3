//! Many-series training for `recur.many` and `recur.spark`: long-format CSV text in (the
//! Python side writes a DataFrame's id, time and value columns with `to_csv`), data's long
//! reader, forecast's runners, plain columns out. The model file is forecast's
//! [`ManyModel`](forecast::many::ManyModel) container, the one `recur train --id-column`
//! writes.

use std::sync::atomic::AtomicBool;

use data::{Column, LongCsvOptions};
use forecast::ForecastError;
use forecast::many::{
    LongInputs, ManyConfig, ManyModel, ManyRun, Mode, SeriesOutcome, train_global_until,
    train_local_until, train_series,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::forecast_error;
use crate::interrupt::run_interruptibly;
use crate::many_columns as columns;
use crate::many_settings;

/// Reads the long-format CSV text of a DataFrame: columns by header name, the header row
/// always present. Series come back in id order.
fn read_series(
    csv: &str,
    id: &str,
    time: Option<&str>,
    value: &str,
) -> Result<LongInputs, ForecastError> {
    let options = LongCsvOptions {
        id: Column::Name(id.to_string()),
        time: time.map(|t| Column::Name(t.to_string())),
        value: Some(Column::Name(value.to_string())),
        header: Some(true),
        ..LongCsvOptions::default()
    };
    // Messages name lines of this text: line 1 is the header, line k the DataFrame's row k - 2.
    let long = data::read_long_csv_reader(csv.as_bytes(), "the DataFrame", &options)?;
    Ok(LongInputs::new(long, time.is_some()))
}

/// Trains every series of `csv` as `cfg` says (with the data's column names); `stop` ends the
/// run early.
fn train(
    csv: &str,
    id: &str,
    time: Option<&str>,
    value: &str,
    cfg: &ManyConfig,
    stop: &AtomicBool,
) -> Result<(LongInputs, ManyRun), ForecastError> {
    let read = read_series(csv, id, time, value)?;
    let cfg = ManyConfig {
        columns: read.columns.clone(),
        ..cfg.clone()
    };
    let run = match cfg.mode {
        Mode::Local => train_local_until(&read.inputs, &cfg, &|_| {}, stop)?,
        Mode::Global => train_global_until(&read.inputs, &cfg, &mut |_| {}, stop)?,
    };
    Ok((read, run))
}

/// Checks the settings' JSON text (as `many_fit` would read it) without training: a Spark
/// driver calls it before starting a job. Raises `ValueError` naming the bad setting.
#[pyfunction]
pub fn many_check_settings(settings: &str) -> PyResult<String> {
    Ok(many_settings::config(settings)?.mode.name().to_string())
}

/// Trains every series of long-format CSV text (`id_col`, `time_col` or None for file order,
/// `value_col`) with the settings' JSON, in local or global mode, with the GIL released
/// (Ctrl-C stops the run between series, or after a batch in global mode). Returns a dict:
/// `mode`, `metrics`, `predictions`, `skipped` (columns), `fit_seconds` and `model` (a
/// [`PyManyModel`]), `no_time_axis` (columns `id`, `reason`). Bad settings or data raise `ValueError`; a failing run `RuntimeError`.
#[pyfunction]
#[pyo3(signature = (csv, id_col, time_col, value_col, settings))]
pub fn many_fit<'py>(
    py: Python<'py>,
    csv: String,
    id_col: String,
    time_col: Option<String>,
    value_col: String,
    settings: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let cfg = many_settings::config(settings)?;
    let (read, run) = run_interruptibly(py, |stop| {
        train(&csv, &id_col, time_col.as_deref(), &value_col, &cfg, stop)
    })?
    .map_err(forecast_error)?;
    let d = PyDict::new(py);
    d.set_item("mode", run.mode.name())?;
    d.set_item("metrics", columns::metrics(py, &run.metrics)?)?;
    d.set_item(
        "predictions",
        columns::predictions(py, &read.inputs, &run.predictions)?,
    )?;
    d.set_item("skipped", columns::skipped(py, &run.skipped)?)?;
    d.set_item(
        "no_time_axis",
        columns::no_time_axis(py, &read.no_time_axis)?,
    )?;
    d.set_item("fit_seconds", run.fit_seconds)?;
    d.set_item("model", PyManyModel { inner: run.model })?;
    Ok(d)
}

/// Trains ONE series in local mode exactly as `many_fit` would (same seed from the run's seed
/// and the id): the per-group function of Spark, Ray or Dask. `csv` must hold a single id.
/// Returns a dict: `metrics`, `predictions`, `skipped` (columns, 0 or 1 series), `member`
/// (the series' model file as bytes, None when skipped) and `forecasts` (columns when
/// `horizon > 0` and the series was trained, else None).
#[pyfunction]
#[pyo3(signature = (csv, id_col, time_col, value_col, settings, horizon=0))]
pub fn many_train_group<'py>(
    py: Python<'py>,
    csv: String,
    id_col: String,
    time_col: Option<String>,
    value_col: String,
    settings: &str,
    horizon: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let cfg = many_settings::config(settings)?;
    if cfg.mode != Mode::Local {
        return Err(PyValueError::new_err(
            "mode: a group trains its own series in local mode; the global mode fits one \
             model on the windows of every series, so it needs them all in one process \
             (recur.many.fit)",
        ));
    }
    let horizon = match horizon {
        0 => None,
        h => Some(many_settings::horizon(h)?),
    };
    let (input, no_time_axis, outcome, forecast) = py
        .detach(|| -> Result<_, ForecastError> {
            let read = read_series(&csv, &id_col, time_col.as_deref(), &value_col)?;
            let mut inputs = read.inputs;
            if inputs.len() != 1 {
                let shown: Vec<String> =
                    inputs.iter().take(3).map(|s| format!("'{}'", s.id)).collect();
                return Err(ForecastError::Usage(format!(
                    "a group holds one series, this one holds {} ({}{}): group the rows by the id column",
                    inputs.len(),
                    shown.join(", "),
                    if inputs.len() > 3 { ", ..." } else { "" }
                )));
            }
            let input = inputs.remove(0);
            let cfg = ManyConfig {
                columns: read.columns,
                ..cfg
            };
            let outcome = train_series(&input, &cfg)?;
            let forecast = match (&outcome, horizon) {
                (SeriesOutcome::Trained { member, .. }, Some(h)) => Some(
                    ManyModel {
                        mode: Mode::Local,
                        members: vec![member.clone()],
                    }
                    .forecast(h)?,
                ),
                _ => None,
            };
            Ok((input, read.no_time_axis, outcome, forecast))
        })
        .map_err(forecast_error)?;
    let d = PyDict::new(py);
    let (metrics, predictions, skipped, member) = match &outcome {
        SeriesOutcome::Trained {
            metrics,
            predictions,
            member,
        } => (
            vec![metrics.clone()],
            vec![predictions.clone()],
            Vec::new(),
            Some(PyBytes::new(py, &member.bytes)),
        ),
        SeriesOutcome::Skipped(s) => (Vec::new(), Vec::new(), vec![s.clone()], None),
    };
    d.set_item("metrics", columns::metrics(py, &metrics)?)?;
    d.set_item(
        "predictions",
        columns::predictions(py, std::slice::from_ref(&input), &predictions)?,
    )?;
    d.set_item("skipped", columns::skipped(py, &skipped)?)?;
    d.set_item("no_time_axis", columns::no_time_axis(py, &no_time_axis)?)?;
    d.set_item("member", member)?;
    let forecasts = match (forecast, horizon) {
        (Some(f), Some(h)) => Some(columns::forecasts(py, &f, h)?),
        _ => None,
    };
    d.set_item("forecasts", forecasts)?;
    Ok(d)
}

/// The model file of a many-series run: every local model (one per series) or the global one,
/// each with what it needs to forecast its series.
#[pyclass(module = "recur._recur", name = "ManyModel", frozen)]
pub struct PyManyModel {
    inner: ManyModel,
}

#[pymethods]
impl PyManyModel {
    /// Reads a model file's bytes (`ValueError` when they are not a readable many-series
    /// model).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: Vec<u8>) -> PyResult<Self> {
        let inner = py
            .detach(|| ManyModel::from_bytes(&data))
            .map_err(forecast_error)?;
        Ok(PyManyModel { inner })
    }

    /// Joins local members trained apart (each one series' model file, as `many_train_group`
    /// returns it) into one model, in id order. `ValueError` if one is not a local member or
    /// two share an id.
    #[staticmethod]
    fn from_members(py: Python<'_>, members: Vec<Vec<u8>>) -> PyResult<Self> {
        let inner = py
            .detach(|| ManyModel::from_members(members))
            .map_err(forecast_error)?;
        Ok(PyManyModel { inner })
    }

    /// The file's bytes (the format `recur train --id-column` writes).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py
            .detach(|| self.inner.to_bytes())
            .map_err(forecast_error)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Forecasts `horizon` values after the end of every series (predictions fed back in), as
    /// columns: `ids`, `values` (flat, series x horizon), `horizon` and `times` per series.
    fn forecast<'py>(&self, py: Python<'py>, horizon: usize) -> PyResult<Bound<'py, PyDict>> {
        let h = many_settings::horizon(horizon)?;
        let rows = py
            .detach(|| self.inner.forecast(h))
            .map_err(forecast_error)?;
        columns::forecasts(py, &rows, h)
    }

    /// Every series id the model forecasts, in order.
    #[getter]
    fn ids(&self) -> Vec<String> {
        self.inner.ids().into_iter().map(str::to_string).collect()
    }

    /// `local` or `global`.
    #[getter]
    fn mode(&self) -> &'static str {
        self.inner.mode.name()
    }
}
