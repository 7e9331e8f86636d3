//! The predictions and forecast CSV files.
//!
//! `predictions.csv` has one row per series value: `index`, `time` (only when the CSV had a
//! time column), `actual`, `train_prediction`, `test_prediction`: the rows of the `forecast`
//! crate's [`PredictionTable`] (which says where each prediction sits), the prediction in the
//! column of its part. The cells of rows without a prediction are empty.

use data::Series;
use forecast::series::{Placed, PredictionTable, SeriesTime};

use crate::error::CliError;

fn csv_err(e: impl std::fmt::Display) -> CliError {
    CliError::Runtime(format!("cannot write CSV: {e}"))
}

/// The text of `predictions.csv` (see the module doc for the layout).
pub fn predictions_csv(
    series: &Series,
    time: Option<&SeriesTime>,
    placed: &Placed,
) -> Result<Vec<u8>, CliError> {
    table_csv(&PredictionTable::new(series, time, placed)?)
}

/// The text of `predictions.csv` from its rows.
pub fn table_csv(table: &PredictionTable) -> Result<Vec<u8>, CliError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["index"];
    if let Some(name) = &table.time_column {
        header.push(name);
    }
    header.extend(["actual", "train_prediction", "test_prediction"]);
    w.write_record(&header).map_err(csv_err)?;
    let cell = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for i in 0..table.len() {
        let mut row = vec![table.index[i].to_string()];
        if let Some(t) = &table.time {
            row.push(t[i].clone());
        }
        let p = table.prediction[i];
        let (train, test) = match table.part[i] {
            "train" => (p, None),
            "test" => (None, p),
            _ => (None, None),
        };
        row.extend([cell(table.actual[i]), cell(train), cell(test)]);
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
