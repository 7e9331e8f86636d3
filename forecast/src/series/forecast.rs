//! `recur forecast` on a single-series model: `horizon` values after the series. A one-step
//! model feeds each prediction back as input; a direct model (trained with `--horizon H`)
//! gives `H` values per forward pass, and beyond `H` continues by blocks of `H`. With
//! covariates, their future values fill the rows fed back; with a calibration, each value gets
//! its split-conformal interval.

use super::covariates::{CovariateHistory, FutureColumns, FutureCovariates, forecast_rows};
use super::intervals::half_widths;
use super::limits::MAX_HORIZON;
use super::model::SeriesModel;
use super::time_axis::{SeriesTime, series_time};
use crate::ForecastError;
use crate::fitting::predict_rows;

/// What to forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRequest {
    /// Values to forecast, `1..=`[`MAX_HORIZON`].
    pub horizon: usize,
    /// The coverage of the split-conformal interval around each value (`--interval`), from
    /// the calibration saved by `train --interval`.
    pub interval: Option<f64>,
    /// The covariates' future values (a model trained with `--features` needs them when it
    /// feeds forecasts back).
    pub future: Option<FutureCovariates>,
}

/// A forecast, in the series' units.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// The forecast values.
    pub values: Vec<f64>,
    /// Lower bounds of the interval, one per value (with `interval`).
    pub lo: Option<Vec<f64>>,
    /// Upper bounds.
    pub hi: Option<Vec<f64>>,
    /// The time of each value, with a time column.
    pub times: Option<Vec<String>>,
    /// The time column's name, with a time column.
    pub time_column: Option<String>,
    /// Series index of the first forecast value (the values continue the series' `0..index`).
    pub index: usize,
    /// The model's outputs per forward pass (`--horizon` at training).
    pub model_horizon: usize,
    /// The covariates' names, when the model has any.
    pub features: Vec<String>,
    /// Rows of future covariates used (with covariates).
    pub future_rows: Option<usize>,
    /// The values continued (the model file's tail, or the whole series read), series units.
    pub history: Vec<f64>,
    /// Series index of `history[0]`.
    pub offset: usize,
    /// The time axis, position 0 at `history[0]`.
    pub time: Option<SeriesTime>,
    /// The series' name (its header; `None` for a CSV without one or the generated series).
    pub series_name: Option<String>,
}

/// The interval bounds `values -/+ half` (one half-width per value).
pub fn bounds(values: &[f64], half: &[f64]) -> (Vec<f64>, Vec<f64>) {
    values.iter().zip(half).map(|(v, h)| (v - h, v + h)).unzip()
}

/// Forecasts `req.horizon` values after the series of `model` (from the model file alone when
/// the data settings are the saved ones). Errors (usage) name the setting: an interval the
/// calibration cannot give, times past the calendar, missing or malformed future covariates.
pub fn forecast(model: &mut SeriesModel, req: &ForecastRequest) -> Result<Forecast, ForecastError> {
    let horizon = req.horizon;
    if horizon == 0 || horizon > MAX_HORIZON {
        return Err(ForecastError::flag(
            "--horizon",
            horizon,
            &format!("a whole number of values from 1 to {MAX_HORIZON}"),
        ));
    }
    // Checked before any work: the stored residuals must allow P for every step.
    let half = match req.interval {
        Some(p) => Some(half_widths(model.calibration(), p, horizon)?),
        None => None,
    };
    // The values to continue (series units), the index of the first, the scaler, the time
    // axis (position 0 at the first value to continue), the series' name (its header, so
    // `Some` exactly when the CSV had one) and the covariates beside the values.
    let (history, offset, scaler, time, name, covariates) = match model.same_series() {
        Some(s) => (
            s.tail.clone(),
            s.series_len - s.tail.len(),
            s.scaler,
            s.time.clone(),
            s.series_name.clone(),
            CovariateHistory::from_settings(s.covariates.as_ref()),
        ),
        None => {
            let (series, ds) = model.series()?;
            let time = series_time(&series);
            let name = series.name().map(str::to_string);
            let covariates = CovariateHistory::from_series(&series, &ds);
            (series.into_values(), 0, ds.scaler, time, name, covariates)
        }
    };
    let times = match &time {
        Some(t) => Some(
            (history.len()..history.len() + horizon)
                .map(|i| t.label(i))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ForecastError::Usage(format!("--horizon {horizon}: {e}")))?,
        ),
        None => None,
    };
    let (step, layout) = (model.data.windows.step, model.data.windows.layout);
    let d = model.data.differencing;
    let model_horizon = model.model_horizon();
    let wanted = FutureColumns::of(
        &model.data,
        &covariates.names,
        name.is_some(),
        time.as_ref().map(|t| t.name.as_str()),
    );
    let (future, future_rows) = forecast_rows(
        req.future.as_ref(),
        &covariates,
        &wanted,
        time.as_ref(),
        history.len(),
        horizon,
        model_horizon,
    )?;
    let rows = covariates.rows(&history, &scaler, d)?;
    let m = &mut model.file.model;
    // The model continues its own series (the differences, with differencing); the rebuilt
    // values then continue the history in series units.
    let raw = data::direct_forecast_frame(
        data::Frame::new(&rows, 1 + covariates.len())?,
        &future,
        step,
        horizon,
        layout,
        |x| predict_rows(m, x).map(|(out, _)| out),
    )?;
    let values = d.integrate(&history, &scaler.inverse_all(&raw))?;
    let (lo, hi) = match half.as_ref().map(|h| bounds(&values, h)) {
        Some((lo, hi)) => (Some(lo), Some(hi)),
        None => (None, None),
    };
    Ok(Forecast {
        index: offset + history.len(),
        lo,
        hi,
        times,
        time_column: time.as_ref().map(|t| t.name.clone()),
        model_horizon,
        future_rows: (!covariates.is_empty()).then_some(future_rows),
        features: covariates.names,
        values,
        history,
        offset,
        time,
        series_name: name,
    })
}
