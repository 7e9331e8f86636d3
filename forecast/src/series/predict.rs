//! `recur predict` on a single-series model: the next value after the series (from the model
//! file alone when the data settings are the saved ones), or after a window of values given.

use serde::Serialize;

use super::covariates::CovariateHistory;
use super::intervals::half_widths;
use super::model::SeriesModel;
use super::scores::next_after;
use super::time_axis::series_time;
use crate::ForecastError;

/// What to predict after.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PredictRequest {
    /// The last raw values of the series, exactly the model's window length (plus the values
    /// differencing consumes); `None`: after the series itself. A model with covariates takes
    /// no window (its rows need the covariates too).
    pub window: Option<Vec<f64>>,
    /// The coverage of the split-conformal interval around the prediction (`--interval`).
    pub interval: Option<f64>,
}

/// A one-step prediction, in the series' units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// The raw values predicted after (the window given, or the series' last ones).
    pub window: Vec<f64>,
    /// The prediction.
    pub next_value: f64,
    /// The time of the predicted value, with a time column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_time: Option<String>,
    /// The tutorial's figure (from `testX[-1]`), after the series only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_value_tutorial: Option<f64>,
    /// The coverage of `lo` and `hi` (`--interval`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<f64>,
    /// Lower bound of the split-conformal interval around `next_value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lo: Option<f64>,
    /// Upper bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hi: Option<f64>,
}

/// The next value after `req.window`, or after the series of `model`. Errors (usage): a window
/// of the wrong length or for a model with covariates, an interval the calibration cannot give.
pub fn predict(model: &mut SeriesModel, req: &PredictRequest) -> Result<Prediction, ForecastError> {
    let half = match req.interval {
        Some(p) => Some(half_widths(model.calibration(), p, 1)?[0]),
        None => None,
    };
    let w = &model.data.windows;
    let (step, layout, pad) = (w.step, w.layout, w.pad);
    let d = model.data.differencing;
    let needed = step + d.lost();
    let mut r = if let Some(values) = &req.window {
        if model.has_covariates() {
            return Err(ForecastError::Usage(format!(
                "--window gives the series' values only, but --model '{}' also takes its {} \
                 covariate(s) at each time step: predict after a series instead (leave out \
                 --window: the model file's own, or --csv with the covariates' columns)",
                model.path.display(),
                model.file.features - 1
            )));
        }
        if values.len() != needed {
            let what = if d.is_none() {
                format!("exactly step = {step} values (the model's window length)")
            } else {
                format!(
                    "exactly step + {} = {needed} values (the model's window length, plus the {} value(s) {} consumes)",
                    d.lost(),
                    d.lost(),
                    d.describe()
                )
            };
            return Err(ForecastError::flag(
                "--window",
                format!("{values:?}"),
                &what,
            ));
        }
        let scaler = model.scaler()?;
        let z = scaler.transform_all(&d.apply(values)?);
        let x = data::Windows::single(&z, layout)?;
        Prediction {
            next_value: next_after(&mut model.file.model, &x, values, &scaler, d)?,
            window: values.clone(),
            next_time: None,
            next_value_tutorial: None,
            interval: None,
            lo: None,
            hi: None,
        }
    } else {
        // From the model file alone when its tail is the end of this series.
        let (history, scaler, next_time, covariates) = match model.same_series().cloned() {
            Some(s) => {
                let next_time = s.time.as_ref().map(|t| t.label(s.tail.len())).transpose()?;
                let covariates = CovariateHistory::from_settings(s.covariates.as_ref());
                (s.tail, s.scaler, next_time, covariates)
            }
            None => {
                let (series, ds) = model.series()?;
                let n = series.len();
                let next_time = series_time(&series).map(|t| t.label(n)).transpose()?;
                let covariates = CovariateHistory::from_series(&series, &ds);
                (series.into_values(), ds.scaler, next_time, covariates)
            }
        };
        let n = history.len();
        let rows = covariates.rows(&history, &scaler, d)?;
        let frame = data::Frame::new(&rows, 1 + covariates.len())?;
        let m = frame.rows();
        let x = data::last_window(frame, step, layout)?;
        // The tutorial's testX[-1]: with padding, `step` copies of the last row (every
        // channel's last value); without, the `step` rows before the last.
        let xt = if pad {
            let copies = data::pad_rows_with_last(frame.slice(m - 1..m)?, step - 1);
            data::last_window(data::Frame::new(&copies, frame.width())?, step, layout)?
        } else {
            data::last_window(frame.slice(0..m - 1)?, step, layout)?
        };
        let nn_model = &mut model.file.model;
        Prediction {
            window: history[n - needed..].to_vec(),
            next_time,
            next_value: next_after(nn_model, &x, &history, &scaler, d)?,
            next_value_tutorial: Some(next_after(nn_model, &xt, &history, &scaler, d)?),
            interval: None,
            lo: None,
            hi: None,
        }
    };
    if let (Some(h), Some(p)) = (half, req.interval) {
        r.interval = Some(p);
        r.lo = Some(r.next_value - h);
        r.hi = Some(r.next_value + h);
    }
    Ok(r)
}
