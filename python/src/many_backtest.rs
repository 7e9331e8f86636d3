//! `recur.many`'s backtest: a DataFrame's long-format CSV text read as training reads it,
//! every series backtested by forecast's [`forecast::many::backtest()`], the report (as
//! `recur backtest --json` writes it) and the long table of every forecast value out as JSON.

use forecast::many::ManyBacktestConfig;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::errors::forecast_error;
use crate::many::{PyManyModel, read_series};
use crate::series::refit_settings;

/// The names of the id, time (None without) and value columns the model was trained on.
#[pyfunction]
pub fn many_model_columns(model: &PyManyModel) -> (String, Option<String>, String) {
    let c = model.inner.columns();
    (c.id, c.time, c.value)
}

/// Backtests every series of long-format CSV text (`id_col`, `time_col` or None, `value_col`)
/// with `model`: `folds` origins per series `stride` values apart (None: `horizon`), each
/// forecasting `horizon` values beside persistence, the window mean and, with `season`, the
/// seasonal naive forecast; `refit` retrains each series' model (local models only) on each
/// fold's history for `epochs` (50) at `batch_size` (16). Returns JSON text: the report of `recur backtest --json` (`mode`,
/// `horizon`, `stride`, `model_horizon`, `season`, `overall`, `series`, `skipped`) with `rows`,
/// the long table of every forecast value. Bad settings or data raise `ValueError`.
#[pyfunction]
#[pyo3(signature = (model, csv, id_col, time_col, value_col, folds, horizon, stride=None, season=None, refit=false, epochs=None, batch_size=None))]
// One argument per keyword of the Python method, which is what a reader compares it with.
#[allow(clippy::too_many_arguments)]
pub fn many_backtest(
    py: Python<'_>,
    model: &PyManyModel,
    csv: String,
    id_col: String,
    time_col: Option<String>,
    value_col: String,
    folds: usize,
    horizon: usize,
    stride: Option<usize>,
    season: Option<usize>,
    refit: bool,
    epochs: Option<usize>,
    batch_size: Option<usize>,
) -> PyResult<String> {
    let refit = refit_settings(refit, epochs, batch_size)?;
    let cfg = ManyBacktestConfig {
        horizon,
        folds,
        stride,
        season,
        refit,
    };
    let run = py
        .detach(|| {
            let features = model.inner.features()?;
            let read = read_series(&csv, &id_col, time_col.as_deref(), &value_col, &features)?;
            forecast::many::backtest(&model.inner, &read.inputs, &cfg)
        })
        .map_err(forecast_error)?;
    let encode = |e: serde_json::Error| PyRuntimeError::new_err(format!("cannot encode: {e}"));
    let mut report = serde_json::to_value(&run).map_err(encode)?;
    report["rows"] = serde_json::to_value(run.rows()).map_err(encode)?;
    serde_json::to_string(&report).map_err(encode)
}
