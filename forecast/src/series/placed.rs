//! Predictions placed on the series: the rows of `predictions.csv`.
//!
//! A prediction sits on the row of the value it predicts. A training run places the one-step
//! predictions of the observed targets ([`super::scores`]): every test value (the first `step`
//! from windows that reach back across the split) and the training values from `step` on
//! (`step + lost` with differencing); the rows before have none. Padding copies are never
//! targets. All values are in the series' units (scaling and differencing undone). [`place`]
//! places the outputs of the tutorial's own windows instead (the first `step` values of each
//! part then have none).

use data::{Dataset, Series};
use serde::Serialize;

use super::time_axis::SeriesTime;
use crate::ForecastError;

/// Predictions of the training and test windows in the series' units, placed on the index of
/// the value each one predicts.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// `(series index, prediction)` for training windows with real targets.
    pub train: Vec<(usize, f64)>,
    /// `(series index, prediction)` for test windows with real targets.
    pub test: Vec<(usize, f64)>,
}

/// Places raw (scaled) model outputs for `ds.train` and `ds.test` on the series' indices and
/// inverts the scaling. Errors if a list does not hold one output per window.
pub fn place(ds: &Dataset, train: &[f32], test: &[f32]) -> Result<Placed, ForecastError> {
    let one = |part: &data::WindowedPart, preds: &[f32], name: &str| {
        if preds.len() != part.len() {
            return Err(ForecastError::Runtime(format!(
                "the model gave {} {name} predictions for {} windows",
                preds.len(),
                part.len()
            )));
        }
        let values = ds.scaler.inverse_all(preds);
        Ok((0..part.len())
            .filter_map(|i| part.target_index(i).map(|t| (t, values[i])))
            .collect())
    };
    Ok(Placed {
        train: one(&ds.train, train, "training")?,
        test: one(&ds.test, test, "test")?,
    })
}

/// One row per series value: its index, its time (with a time column), the value and the
/// prediction placed on it, with the part it belongs to (`train`, `test`, or empty where
/// nothing predicts it). The columns of `predictions.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictionTable {
    /// The time column's name, when the series has one.
    pub time_column: Option<String>,
    /// Series index of each row (`0..n`).
    pub index: Vec<usize>,
    /// Each row's time, with a time column.
    pub time: Option<Vec<String>>,
    /// The series' value (always present: the series has no gaps once read).
    pub actual: Vec<Option<f64>>,
    /// The prediction of the value, where one was made.
    pub prediction: Vec<Option<f64>>,
    /// `train` or `test` where a prediction was made, else empty.
    pub part: Vec<&'static str>,
}

impl PredictionTable {
    /// The rows of `series` (with its time axis `time`) and the predictions `placed` on it.
    pub fn new(
        series: &Series,
        time: Option<&SeriesTime>,
        placed: &Placed,
    ) -> Result<Self, ForecastError> {
        let n = series.len();
        let mut prediction = vec![None; n];
        let mut part = vec![""; n];
        for (list, name) in [(&placed.train, "train"), (&placed.test, "test")] {
            for &(i, v) in list {
                prediction[i] = Some(v);
                part[i] = name;
            }
        }
        let time_labels = match time {
            Some(t) => Some((0..n).map(|i| t.label(i)).collect::<Result<Vec<_>, _>>()?),
            None => None,
        };
        Ok(PredictionTable {
            time_column: time.map(|t| t.name.clone()),
            index: (0..n).collect(),
            time: time_labels,
            actual: series.values().iter().map(|&v| Some(v)).collect(),
            prediction,
            part,
        })
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}
