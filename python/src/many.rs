//! Many-series training for `recur.many` and `recur.spark`: long-format CSV text in (the
//! Python side writes a DataFrame's id, time and value columns with `to_csv`), data's long
//! reader, forecast's runners, plain columns out. The model file is forecast's
//! [`ManyModel`](forecast::many::ManyModel) container, the one `recur train --id-column`
//! writes.

use std::sync::atomic::AtomicBool;

use data::{Column, LongCsvOptions};
use forecast::ForecastError;
use forecast::many::{
    LongInputs, ManyConfig, ManyFuture, ManyModel, ManyRun, Member, Mode, SeriesForecast,
    SeriesMetrics, SeriesOutcome, SeriesPredictions, Skipped, train_global_until,
    train_in_order_until, train_local_until,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::forecast_error;
use crate::interrupt::run_interruptibly;
use crate::many_columns as columns;
use crate::many_settings;
use crate::settings;

/// Reads the long-format CSV text of a DataFrame: columns by header name (the covariates
/// `features` too), the header row always present. Series come back in id order.
pub(crate) fn read_series(
    csv: &str,
    id: &str,
    time: Option<&str>,
    value: &str,
    features: &[String],
) -> Result<LongInputs, ForecastError> {
    let options = LongCsvOptions {
        id: Column::Name(id.to_string()),
        time: time.map(|t| Column::Name(t.to_string())),
        value: Some(Column::Name(value.to_string())),
        features: features.iter().map(|f| Column::Name(f.clone())).collect(),
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
    let read = read_series(csv, id, time, value, &cfg.features)?;
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

/// Checks the settings' JSON text (as `many_fit` would read it) and the forecast `horizon` of
/// a group run (0: none) without training: a Spark driver calls it before starting a job.
/// Raises `ValueError` naming the bad setting.
#[pyfunction]
#[pyo3(signature = (settings, horizon=0))]
pub fn many_check_settings(settings: &str, horizon: usize) -> PyResult<String> {
    let cfg = many_settings::config(settings)?;
    group_horizon(&cfg, horizon)?;
    Ok(cfg.mode.name().to_string())
}

/// The forecast horizon of a group run (`None` for 0), which with intervals gets the run's
/// `interval` around each value, so it may not pass `interval_horizon`.
fn group_horizon(cfg: &ManyConfig, horizon: usize) -> PyResult<Option<usize>> {
    if horizon == 0 {
        return Ok(None);
    }
    let h = settings::horizon(horizon)?;
    let outputs = cfg.model.horizon;
    if !cfg.features.is_empty() && data::fed_back_rows(h, outputs) > 0 {
        return Err(PyValueError::new_err(format!(
            "horizon: a model with features forecasts more than {outputs} value(s) (its outputs \
             per pass) only from the covariates' future values, which a group does not have; \
             got {h}: forecast with the result's model and future=DataFrame instead"
        )));
    }
    match cfg.interval {
        Some(i) if h > i.horizon => Err(PyValueError::new_err(format!(
            "horizon: expected at most interval_horizon = {} (the steps the intervals of \
             interval={} are calibrated for), got {h}",
            i.horizon, i.p
        ))),
        _ => Ok(Some(h)),
    }
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

/// Trains the series of `csv` (one or more ids; a group of Spark's `applyInPandas` or a
/// whole partition of `mapInPandas`) in local mode exactly as `many_fit` would (each seeded
/// from the run's seed and its id), one after the other on the calling thread: an executor
/// task owns one core, so the series of a group do not fan out over rayon's pool. Returns a
/// dict: `metrics`, `predictions`, `skipped`, `no_time_axis` (columns, series in id order),
/// `members` (each trained series' model file as bytes, in the order of `metrics`) and
/// `forecasts` (columns when `horizon > 0`, else None; with the run's `interval` around each
/// value when it has one, so `horizon` may not pass `interval_horizon`). Ctrl-C stops between
/// series.
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
    let horizon = group_horizon(&cfg, horizon)?;
    let (read, trained, skipped, forecasts) = run_interruptibly(py, |stop| {
        train_in_order(
            &csv,
            &id_col,
            time_col.as_deref(),
            &value_col,
            &cfg,
            horizon,
            stop,
        )
    })?
    .map_err(forecast_error)?;
    let d = PyDict::new(py);
    let metrics: Vec<SeriesMetrics> = trained.iter().map(|t| t.0.clone()).collect();
    let predictions: Vec<SeriesPredictions> = trained.iter().map(|t| t.1.clone()).collect();
    let members: Vec<Bound<'py, PyBytes>> = trained
        .iter()
        .map(|t| PyBytes::new(py, &t.2.bytes))
        .collect();
    d.set_item("metrics", columns::metrics(py, &metrics)?)?;
    d.set_item(
        "predictions",
        columns::predictions(py, &read.inputs, &predictions)?,
    )?;
    d.set_item("skipped", columns::skipped(py, &skipped)?)?;
    d.set_item(
        "no_time_axis",
        columns::no_time_axis(py, &read.no_time_axis)?,
    )?;
    d.set_item("members", members)?;
    let forecasts = match horizon {
        Some(h) => Some(columns::forecasts(py, &forecasts, h)?),
        None => None,
    };
    d.set_item("forecasts", forecasts)?;
    Ok(d)
}

/// A trained series of a group: its metrics, predictions and model file.
type TrainedSeries = (SeriesMetrics, SeriesPredictions, Member);

/// What [`train_in_order`] gives: the data read, the trained and skipped series, and the
/// forecasts of the trained ones (empty without a horizon).
type GroupRun = (
    LongInputs,
    Vec<TrainedSeries>,
    Vec<Skipped>,
    Vec<SeriesForecast>,
);

/// Reads `csv` and trains its series one after the other, in id order; `stop` ends the run
/// (the caller then raises the pending KeyboardInterrupt instead of returning).
fn train_in_order(
    csv: &str,
    id: &str,
    time: Option<&str>,
    value: &str,
    cfg: &ManyConfig,
    horizon: Option<usize>,
    stop: &AtomicBool,
) -> Result<GroupRun, ForecastError> {
    let read = read_series(csv, id, time, value, &cfg.features)?;
    let cfg = ManyConfig {
        columns: read.columns.clone(),
        ..cfg.clone()
    };
    let mut trained = Vec::new();
    let mut skipped = Vec::new();
    let mut forecasts = Vec::new();
    for outcome in train_in_order_until(&read.inputs, &cfg, stop)? {
        match outcome {
            SeriesOutcome::Trained {
                metrics,
                predictions,
                member,
            } => {
                if let Some(h) = horizon {
                    let model = ManyModel {
                        mode: Mode::Local,
                        members: vec![member.clone()],
                    };
                    let p = cfg.interval.map(|i| i.p);
                    forecasts.extend(model.forecast_with_interval(h, p)?);
                }
                trained.push((metrics, predictions, member));
            }
            SeriesOutcome::Skipped(s) => skipped.push(s),
        }
    }
    Ok((read, trained, skipped, forecasts))
}

/// The model file of a many-series run: every local model (one per series) or the global one,
/// each with what it needs to forecast its series.
#[pyclass(module = "recur._recur", name = "ManyModel", frozen)]
pub struct PyManyModel {
    pub(crate) inner: ManyModel,
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

    /// Forecasts `horizon` values after the end of every series (predictions fed back in, by
    /// blocks for a direct model), as columns: `ids`, `values` (flat, series x horizon),
    /// `horizon`, `times` per series, and with `interval` (a coverage in `(0, 1)`) `lo` and
    /// `hi` from each series' calibration (`ValueError` naming `interval` when the model has
    /// none, or `interval_horizon` when it is calibrated for fewer steps). `future`: the CSV
    /// text (with a header) of the covariates' future values of a model trained with
    /// `features`, in the long format (the id column, the time column when the series had
    /// one, and each covariate's column, by the training DataFrame's names); `ValueError`
    /// naming the series and what is missing when the forecast needs rows it lacks.
    #[pyo3(signature = (horizon, interval=None, future=None))]
    fn forecast<'py>(
        &self,
        py: Python<'py>,
        horizon: usize,
        interval: Option<f64>,
        future: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let h = settings::horizon(horizon)?;
        if let Some(p) = interval.filter(|p| !(*p > 0.0 && *p < 1.0)) {
            return Err(PyValueError::new_err(format!(
                "interval: expected a coverage strictly between 0 and 1, got {p}"
            )));
        }
        let rows = py
            .detach(|| {
                let future = future.map(ManyFuture::Text);
                self.inner.forecast_with(h, interval, future.as_ref())
            })
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

    /// The covariates' column names (`features` at training; empty without).
    #[getter]
    fn features(&self) -> PyResult<Vec<String>> {
        self.inner.features().map_err(forecast_error)
    }

    /// The names of the training data's id and time columns (the time column `None` when the
    /// data had none).
    #[getter]
    fn columns(&self) -> (String, Option<String>) {
        let c = self.inner.columns();
        (c.id, c.time)
    }
}
