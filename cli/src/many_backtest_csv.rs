//! The CSV files of a many-series backtest, in the long format, each series in its units
//! (values as the shortest text that reads back as the same f64).

use forecast::many::{ColumnNames, ManyBacktest};

use crate::error::CliError;

fn csv_err(e: impl std::fmt::Display) -> CliError {
    CliError::Runtime(format!("cannot write CSV: {e}"))
}

/// `backtest.csv`: the one-series file's columns (`fold, origin, step, position, [<time>],
/// actual, model, persistence, [seasonal_naive,] window_mean`) after the id column, one row per
/// series (in id order), fold and step ([`ManyBacktest::rows`]). The time column is there when
/// the model's data had one (as in its `forecast.csv`), empty for a series without times.
pub fn many_backtest_csv(columns: &ColumnNames, run: &ManyBacktest) -> Result<Vec<u8>, CliError> {
    let r = run.rows();
    let mut w = csv::Writer::from_writer(Vec::new());
    let time_name = columns.time.as_deref();
    let mut header = vec![columns.id.as_str(), "fold", "origin", "step", "position"];
    header.extend(time_name);
    header.extend(["actual", "model", "persistence"]);
    if r.seasonal_naive.is_some() {
        header.push("seasonal_naive");
    }
    header.push("window_mean");
    w.write_record(&header).map_err(csv_err)?;
    for i in 0..r.id.len() {
        let mut row = vec![
            r.id[i].clone(),
            r.fold[i].to_string(),
            r.origin[i].to_string(),
            r.step[i].to_string(),
            r.position[i].to_string(),
        ];
        if time_name.is_some() {
            row.push(r.time.as_ref().map(|t| t[i].clone()).unwrap_or_default());
        }
        row.extend([
            r.actual[i].to_string(),
            r.model[i].to_string(),
            r.persistence[i].to_string(),
        ]);
        row.extend(r.seasonal_naive.as_ref().map(|sn| sn[i].to_string()));
        row.push(r.window_mean[i].to_string());
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

/// `backtest_series.csv`: `<id>, status, folds, mse, persistence_mse, seasonal_naive_mse,
/// window_mean_mse, skill, reason`, one row per series (`backtested`: the means over its
/// folds; `skipped`: only the reason), sorted by id. `seasonal_naive_mse` is empty without
/// `--season`.
pub fn series_backtest_csv(id_name: &str, run: &ManyBacktest) -> Result<Vec<u8>, CliError> {
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        id_name,
        "status",
        "folds",
        "mse",
        "persistence_mse",
        "seasonal_naive_mse",
        "window_mean_mse",
        "skill",
        "reason",
    ];
    w.write_record(header).map_err(csv_err)?;
    let mut rows: Vec<Vec<String>> = run
        .series
        .iter()
        .map(|s| {
            let o = &s.overall;
            vec![
                s.id.clone(),
                "backtested".into(),
                s.folds.len().to_string(),
                o.mse.to_string(),
                o.persistence_mse.to_string(),
                opt(o.seasonal_naive_mse),
                o.window_mean_mse.to_string(),
                opt(o.skill),
                String::new(),
            ]
        })
        .chain(run.skipped.iter().map(|s| {
            let mut row = vec![s.id.clone(), "skipped".into()];
            row.extend(std::iter::repeat_n(String::new(), header.len() - 3));
            row.push(s.reason.clone());
            row
        }))
        .collect();
    rows.sort_by(|a, b| a[0].cmp(&b[0]));
    for row in rows {
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}
