//! The CSV files of a many-series run, in the long format: `metrics.csv` (one row per series,
//! trained or skipped, sorted by id, no timings, so a run writes the same bytes on any thread
//! count), `predictions.csv` (one row per value of every trained series) and the `forecast.csv`
//! of a many-series model. Values are in each series' units, written as the shortest text that
//! reads back as the same f64.

use forecast::many::SeriesMetrics;
use forecast::many::{ColumnNames, Part, SeriesForecast, SeriesInput, SeriesPredictions, Skipped};

use crate::error::CliError;

/// The inputs of a run by id, with each series' split index T.
#[derive(Debug, Clone, Copy)]
pub struct SeriesLookup<'a> {
    /// The run's inputs, sorted by id.
    pub inputs: &'a [SeriesInput],
    /// The run's split, resolved per series.
    pub split: data::SplitAt,
}

impl<'a> SeriesLookup<'a> {
    /// The input of series `id` and its split index (its length if the split does not
    /// resolve, which only a skipped series can have).
    pub fn get(&self, id: &str) -> Option<(&'a SeriesInput, usize)> {
        let i = self
            .inputs
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()?;
        let input = &self.inputs[i];
        let n = input.values.len();
        Some((input, self.split.resolve(n).unwrap_or(n)))
    }
}

fn csv_err(e: impl std::fmt::Display) -> CliError {
    CliError::Runtime(format!("cannot write CSV: {e}"))
}

fn opt(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// `metrics.csv`: `<id>, status, train_mse, test_mse, baseline_test_mse, persistence_test_mse,
/// seasonal_naive_test_mse, test_mse_observed, skill, train_windows, test_windows, epochs,
/// [interval_coverage, interval_half_width,] reason`; status `trained` or `skipped` (then only
/// the reason is filled). `seasonal_naive_test_mse` is empty without `--season` (the column
/// stays, so files of runs with and without it have one header); the interval columns are
/// there when the run calibrated intervals (`--interval`), so files of runs without stay what
/// they were. Rows sorted by id.
pub fn metrics_csv(
    id_name: &str,
    metrics: &[SeriesMetrics],
    skipped: &[Skipped],
) -> Result<Vec<u8>, CliError> {
    let band = metrics.iter().any(|m| m.interval_coverage.is_some());
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        id_name,
        "status",
        "train_mse",
        "test_mse",
        "baseline_test_mse",
        "persistence_test_mse",
        "seasonal_naive_test_mse",
        "test_mse_observed",
        "skill",
        "train_windows",
        "test_windows",
        "epochs",
    ];
    if band {
        header.extend(["interval_coverage", "interval_half_width"]);
    }
    header.push("reason");
    w.write_record(&header).map_err(csv_err)?;
    let blank = header.len() - 3;
    let mut rows: Vec<(&str, Vec<String>)> = metrics
        .iter()
        .map(|m| {
            let mut row = vec![
                m.id.clone(),
                "trained".into(),
                m.train_mse.to_string(),
                m.test_mse.to_string(),
                m.baseline_test_mse.to_string(),
                m.persistence_test_mse.to_string(),
                opt(m.seasonal_naive_test_mse),
                m.test_mse_observed.to_string(),
                opt(m.skill),
                m.train_windows.to_string(),
                m.test_windows.to_string(),
                m.epochs.to_string(),
            ];
            if band {
                row.extend([opt(m.interval_coverage), opt(m.interval_half_width)]);
            }
            row.push(String::new());
            (m.id.as_str(), row)
        })
        .chain(skipped.iter().map(|s| {
            let mut row = vec![s.id.clone(), "skipped".into()];
            row.extend(std::iter::repeat_n(String::new(), blank));
            row.push(s.reason.clone());
            (s.id.as_str(), row)
        }))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    for (_, row) in rows {
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

/// `predictions.csv`: `<id>, index, [<time>], actual, prediction, part` for every value of
/// every trained series (in id order); `prediction` is empty where no window predicts the
/// value (the first `step` values, padding targets), `part` is `train` before the series'
/// split `T` and `test` from it on.
pub fn predictions_csv(
    columns: &ColumnNames,
    predictions: &[SeriesPredictions],
    lookup: SeriesLookup<'_>,
) -> Result<Vec<u8>, CliError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let time_name = columns.time.as_deref();
    let mut header = vec![columns.id.as_str(), "index"];
    header.extend(time_name);
    header.extend(["actual", "prediction", "part"]);
    w.write_record(&header).map_err(csv_err)?;
    for p in predictions {
        let (input, split) = lookup.get(&p.id).ok_or_else(|| {
            CliError::Runtime(format!("predictions of an unknown series '{}'", p.id))
        })?;
        let mut predicted = vec![None; input.values.len()];
        for &(i, v, _) in &p.placed {
            if let Some(slot) = predicted.get_mut(i) {
                *slot = Some(v);
            }
        }
        for (i, (&actual, pred)) in input.values.iter().zip(&predicted).enumerate() {
            let mut row = vec![p.id.clone(), i.to_string()];
            if time_name.is_some() {
                row.push(
                    input
                        .times
                        .as_ref()
                        .and_then(|t| t.get(i).cloned())
                        .unwrap_or_default(),
                );
            }
            let part = if i < split { Part::Train } else { Part::Test };
            row.extend([actual.to_string(), opt(*pred), part.name().to_string()]);
            w.write_record(&row).map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(csv_err)
}

/// `forecast.csv` of a many-series model: `<id>, [<time>], step, forecast` (1-based steps
/// after each series' last value; the time column when the model's data had one, empty for a
/// series without a regular step), then `lo, hi` when the forecasts have intervals.
pub fn many_forecast_csv(
    columns: &ColumnNames,
    forecasts: &[SeriesForecast],
) -> Result<Vec<u8>, CliError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let time_name = columns.time.as_deref();
    let mut header = vec![columns.id.as_str()];
    header.extend(time_name);
    header.extend(["step", "forecast"]);
    let band = forecasts.iter().any(|f| f.lo.is_some());
    if band {
        header.extend(["lo", "hi"]);
    }
    w.write_record(&header).map_err(csv_err)?;
    for f in forecasts {
        for (k, v) in f.values.iter().enumerate() {
            let mut row = vec![f.id.clone()];
            if time_name.is_some() {
                row.push(
                    f.times
                        .as_ref()
                        .and_then(|t| t.get(k).cloned())
                        .unwrap_or_default(),
                );
            }
            row.extend([(k + 1).to_string(), v.to_string()]);
            if band {
                let at = |b: &Option<Vec<f64>>| opt(b.as_ref().and_then(|b| b.get(k).copied()));
                row.extend([at(&f.lo), at(&f.hi)]);
            }
            w.write_record(&row).map_err(csv_err)?;
        }
    }
    w.into_inner().map_err(csv_err)
}
