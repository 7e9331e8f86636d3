//! A many-series run's results as plain columns (dicts of lists and NumPy arrays), which
//! `recur.many` and `recur.spark` turn into DataFrames. Rows per series come in id order;
//! repeated cells (a series' id on each of its predictions) are given once per series with a
//! count, for the Python side to repeat.

use std::collections::HashMap;

use forecast::many::{
    NoAxis, Part, SeriesForecast, SeriesInput, SeriesMetrics, SeriesPredictions, Skipped,
};
use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// `metrics`: one row per trained series; `seasonal_naive_test_mse` is NaN without a season,
/// `skill` NaN where the best baseline is perfect, `interval_coverage` and
/// `interval_half_width` NaN without intervals.
pub fn metrics<'py>(py: Python<'py>, rows: &[SeriesMetrics]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let float = |f: fn(&SeriesMetrics) -> f64| -> Bound<'py, PyArray1<f64>> {
        rows.iter().map(f).collect::<Vec<_>>().into_pyarray(py)
    };
    let whole = |f: fn(&SeriesMetrics) -> usize| -> Bound<'py, PyArray1<u64>> {
        rows.iter()
            .map(|m| f(m) as u64)
            .collect::<Vec<_>>()
            .into_pyarray(py)
    };
    d.set_item("id", rows.iter().map(|m| m.id.as_str()).collect::<Vec<_>>())?;
    d.set_item("train_mse", float(|m| m.train_mse))?;
    d.set_item("test_mse", float(|m| m.test_mse))?;
    d.set_item("baseline_test_mse", float(|m| m.baseline_test_mse))?;
    d.set_item("persistence_test_mse", float(|m| m.persistence_test_mse))?;
    d.set_item(
        "seasonal_naive_test_mse",
        float(|m| m.seasonal_naive_test_mse.unwrap_or(f64::NAN)),
    )?;
    d.set_item("test_mse_observed", float(|m| m.test_mse_observed))?;
    d.set_item("skill", float(|m| m.skill.unwrap_or(f64::NAN)))?;
    d.set_item("train_windows", whole(|m| m.train_windows))?;
    d.set_item("test_windows", whole(|m| m.test_windows))?;
    d.set_item("epochs", whole(|m| m.epochs))?;
    d.set_item(
        "interval_coverage",
        float(|m| m.interval_coverage.unwrap_or(f64::NAN)),
    )?;
    d.set_item(
        "interval_half_width",
        float(|m| m.interval_half_width.unwrap_or(f64::NAN)),
    )?;
    Ok(d)
}

/// `predictions`: `ids` and `counts` per series, then per prediction its `index` in the
/// series, `time` label (None without a time column), `actual` value, `prediction` and
/// `test` (false: the training part).
pub fn predictions<'py>(
    py: Python<'py>,
    inputs: &[SeriesInput],
    rows: &[SeriesPredictions],
) -> PyResult<Bound<'py, PyDict>> {
    let by_id: HashMap<&str, &SeriesInput> = inputs.iter().map(|s| (s.id.as_str(), s)).collect();
    let total: usize = rows.iter().map(|p| p.placed.len()).sum();
    let timed = inputs.iter().all(|s| s.times.is_some());
    let mut index = Vec::with_capacity(total);
    let mut actual = Vec::with_capacity(total);
    let mut prediction = Vec::with_capacity(total);
    let mut test = Vec::with_capacity(total);
    let mut time: Vec<&str> = Vec::with_capacity(if timed { total } else { 0 });
    for p in rows {
        let input = by_id.get(p.id.as_str()).ok_or_else(|| {
            PyRuntimeError::new_err(format!("predictions of series '{}' it was not given", p.id))
        })?;
        for &(i, v, part) in &p.placed {
            let value = input.values.get(i).ok_or_else(|| {
                PyRuntimeError::new_err(format!(
                    "a prediction of series '{}' at index {i}, past its {} values",
                    p.id,
                    input.values.len()
                ))
            })?;
            index.push(i as u64);
            actual.push(*value);
            prediction.push(v);
            test.push(part == Part::Test);
            if let Some(labels) = &input.times {
                time.push(labels.get(i).map_or("", String::as_str));
            }
        }
    }
    let d = PyDict::new(py);
    d.set_item(
        "ids",
        rows.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "counts",
        rows.iter()
            .map(|p| p.placed.len() as u64)
            .collect::<Vec<_>>(),
    )?;
    d.set_item("index", index.into_pyarray(py))?;
    d.set_item("time", timed.then_some(time))?;
    d.set_item("actual", actual.into_pyarray(py))?;
    d.set_item("prediction", prediction.into_pyarray(py))?;
    d.set_item("test", test.into_pyarray(py))?;
    Ok(d)
}

/// `skipped`: `id` and `reason` per series left out.
pub fn skipped<'py>(py: Python<'py>, rows: &[Skipped]) -> PyResult<Bound<'py, PyDict>> {
    id_reason(py, rows.iter().map(|s| (s.id.as_str(), s.reason.as_str())))
}

/// `no_time_axis`: `id` and `reason` per series whose times fall on no regular step.
pub fn no_time_axis<'py>(py: Python<'py>, rows: &[NoAxis]) -> PyResult<Bound<'py, PyDict>> {
    id_reason(py, rows.iter().map(|s| (s.id.as_str(), s.reason.as_str())))
}

fn id_reason<'py, 'a>(
    py: Python<'py>,
    rows: impl Iterator<Item = (&'a str, &'a str)>,
) -> PyResult<Bound<'py, PyDict>> {
    let (ids, reasons): (Vec<&str>, Vec<&str>) = rows.unzip();
    let d = PyDict::new(py);
    d.set_item("id", ids)?;
    d.set_item("reason", reasons)?;
    Ok(d)
}

/// `forecasts`: `ids` per series, `values` (series x horizon, flat, row-major), `horizon`,
/// `times` per series (None for a series without a regular time axis), and `lo`, `hi` (flat as
/// `values`) when the forecasts have intervals, else None.
pub fn forecasts<'py>(
    py: Python<'py>,
    rows: &[SeriesForecast],
    horizon: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item(
        "ids",
        rows.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
    )?;
    d.set_item("horizon", horizon)?;
    let values: Vec<f64> = rows.iter().flat_map(|f| f.values.iter().copied()).collect();
    d.set_item("values", values.into_pyarray(py))?;
    // Bounds only when every series has them (a model's series are calibrated alike).
    let band = |b: fn(&SeriesForecast) -> Option<&Vec<f64>>| -> Option<Vec<f64>> {
        let all: Option<Vec<&Vec<f64>>> = rows.iter().map(b).collect();
        all.filter(|v| !v.is_empty())
            .map(|v| v.into_iter().flatten().copied().collect())
    };
    d.set_item("lo", band(|f| f.lo.as_ref()).map(|v| v.into_pyarray(py)))?;
    d.set_item("hi", band(|f| f.hi.as_ref()).map(|v| v.into_pyarray(py)))?;
    d.set_item(
        "times",
        rows.iter().map(|f| f.times.as_deref()).collect::<Vec<_>>(),
    )?;
    Ok(d)
}
