//! The predictions and forecast CSV files.
//!
//! `predictions.csv` has one row per series value: `index`, `time` (only when the CSV had a
//! time column), `actual`, `train_prediction`, `test_prediction`. A prediction sits on the row
//! of the value it predicts. `recur train` writes the one-step predictions of the observed
//! targets ([`crate::scores`]): every test value (the first `step` from windows that reach back
//! across the split) and the training values from `step` on (`step + lost` with differencing);
//! the cells before are empty. Padding copies are never targets. All values are in the series'
//! units (scaling and differencing undone). [`place`] places the outputs of the tutorial's own
//! windows instead (the first `step` values of each part then have none).

use data::{Dataset, Series};

use crate::error::CliError;
use crate::time_column::SeriesTime;

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
pub fn place(ds: &Dataset, train: &[f32], test: &[f32]) -> Result<Placed, CliError> {
    let one = |part: &data::WindowedPart, preds: &[f32], name: &str| {
        if preds.len() != part.len() {
            return Err(CliError::Runtime(format!(
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

fn csv_err(e: impl std::fmt::Display) -> CliError {
    CliError::Runtime(format!("cannot write CSV: {e}"))
}

/// The text of `predictions.csv` (see the module doc for the layout).
pub fn predictions_csv(
    series: &Series,
    time: Option<&SeriesTime>,
    placed: &Placed,
) -> Result<Vec<u8>, CliError> {
    let n = series.len();
    let mut train = vec![None; n];
    let mut test = vec![None; n];
    for &(i, v) in &placed.train {
        train[i] = Some(v);
    }
    for &(i, v) in &placed.test {
        test[i] = Some(v);
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["index"];
    if let Some(t) = time {
        header.push(&t.name);
    }
    header.extend(["actual", "train_prediction", "test_prediction"]);
    w.write_record(&header).map_err(csv_err)?;
    let cell = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for (i, &actual) in series.values().iter().enumerate() {
        let mut row = vec![i.to_string()];
        if let Some(t) = time {
            row.push(t.label(i)?);
        }
        row.extend([actual.to_string(), cell(train[i]), cell(test[i])]);
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

/// The text of `forecast.csv`: the future time (only with a time column: named as that column,
/// written as numbers, `YYYY-MM-DD` or ISO date-times), `step` (1-based steps ahead), `index`
/// (series index the value would have) and `forecast` (in the series' units). `times` holds one
/// time per forecast value.
pub fn forecast_csv(
    n: usize,
    forecast: &[f64],
    times: Option<(&str, &[String])>,
) -> Result<Vec<u8>, CliError> {
    forecast_csv_with_interval(n, forecast, times, None)
}

/// [`forecast_csv`] with, given `band = (lo, hi)` (one value per forecast step), the interval's
/// bounds as the last two columns, `lo` and `hi`.
pub fn forecast_csv_with_interval(
    n: usize,
    forecast: &[f64],
    times: Option<(&str, &[String])>,
    band: Option<(&[f64], &[f64])>,
) -> Result<Vec<u8>, CliError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = Vec::new();
    if let Some((name, _)) = times {
        header.push(name);
    }
    header.extend(["step", "index", "forecast"]);
    if band.is_some() {
        header.extend(["lo", "hi"]);
    }
    w.write_record(&header).map_err(csv_err)?;
    for (k, v) in forecast.iter().enumerate() {
        let mut row = Vec::with_capacity(4);
        if let Some((_, t)) = times {
            row.push(t[k].clone());
        }
        row.extend([(k + 1).to_string(), (n + k).to_string(), v.to_string()]);
        if let Some((lo, hi)) = band {
            row.extend([lo[k].to_string(), hi[k].to_string()]);
        }
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

/// The text of a `--task` run's `predictions.csv`: `index,target,prediction` for the test
/// sequences.
pub fn task_predictions_csv(y: &[f32], pred: &[f32]) -> String {
    let mut s = String::from("index,target,prediction\n");
    for (i, (t, p)) in y.iter().zip(pred).enumerate() {
        s.push_str(&format!("{i},{t},{p}\n"));
    }
    s
}
