//! The covariates' future values for the forecast of a many-series model trained with
//! covariates: a long-format CSV file (`forecast --future-csv`: the id column, the time column
//! when the model's series had one, and the covariates' columns, by the training file's header
//! names), or columns by series id from a front end (Python's DataFrame).
//!
//! Each series needs as many rows as a one-series forecast of the same model would
//! ([`FutureNeed`]): its rows are sorted by time (file order without a time column) and must
//! continue its time axis one step at a time from the time after its last value.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use data::{Column, TableOptions};

use super::ColumnNames;
use super::bundle::SeriesState;
use crate::ForecastError;
use crate::series::CsvDialect;
use crate::series::covariates::{FutureCovariates, FutureNeed, check_times};
use crate::series::time_axis::SeriesTime;

/// The covariates' values at the times after each series' end.
#[derive(Debug, Clone, PartialEq)]
pub enum ManyFuture {
    /// A long-format CSV file (`forecast --future-csv`) with the model's id column, its time
    /// column (when its series had one) and a column per covariate, found by the names of the
    /// training file's header; delimited and with the decimal separator of the training file.
    /// Rows of series the model does not forecast are left alone.
    Csv(PathBuf),
    /// The CSV text of such a file (a front end's DataFrame written as CSV, with a header);
    /// messages call it `the future values`.
    Text(String),
    /// Raw values by series id: one column per covariate in the model's channel order, each
    /// from the first time after the series' end on. Ids the model does not forecast are left
    /// alone.
    Columns(BTreeMap<String, Vec<Vec<f64>>>),
}

/// Each series' future covariates, by id.
pub(crate) type FutureBySeries = HashMap<String, FutureCovariates>;

/// The future covariates of every series of a model (its `series`, with the covariates
/// `names`, data columns `columns`, a file read as the training CSV's `dialect`) for a
/// forecast of `need`: `None` when the model has no
/// covariates or nothing is fed back. Errors (usage, naming the series and what is missing):
/// future values for a model without covariates, none when rows are needed, a file that cannot
/// be read, a series without its rows, too few of them or off its time axis.
pub(crate) fn future_by_series(
    future: Option<&ManyFuture>,
    series: &[&SeriesState],
    names: &[String],
    columns: &ColumnNames,
    dialect: CsvDialect,
    need: &FutureNeed,
) -> Result<Option<FutureBySeries>, ForecastError> {
    if names.is_empty() {
        return match future {
            Some(ManyFuture::Csv(f)) => Err(ForecastError::Usage(format!(
                "--future-csv '{}' gives future values of covariates, but the model was \
                 trained without --features: leave out --future-csv",
                f.display()
            ))),
            Some(ManyFuture::Columns(_) | ManyFuture::Text(_)) => Err(ForecastError::Usage(
                "future values of covariates were given, but the model was trained without \
                 features: leave them out"
                    .into(),
            )),
            None => Ok(None),
        };
    }
    let Some(future) = future else {
        if need.rows == 0 {
            return Ok(None);
        }
        return Err(need.missing(&format!(
            "--future-csv FILE, a long-format file with the columns {}",
            wanted_columns(columns, names)
        )));
    };
    match future {
        ManyFuture::Csv(path) => {
            read_long_future(Source::Path(path, dialect), series, names, columns, need).map(Some)
        }
        ManyFuture::Text(text) => {
            read_long_future(Source::Text(text), series, names, columns, need).map(Some)
        }
        ManyFuture::Columns(by_id) => series
            .iter()
            .map(|s| match by_id.get(&s.id) {
                Some(c) => Ok((s.id.clone(), FutureCovariates::Columns(c.clone()))),
                None if need.rows == 0 => {
                    Ok((s.id.clone(), FutureCovariates::Columns(empty(names))))
                }
                None => Err(ForecastError::Usage(format!(
                    "series '{}': no future values of its covariates were given: {} needs them \
                     at the {} time(s) after the series' end",
                    s.id, need.why, need.rows
                ))),
            })
            .collect::<Result<_, _>>()
            .map(Some),
    }
}

/// One empty column per covariate (a series needing no future rows).
fn empty(names: &[String]) -> Vec<Vec<f64>> {
    vec![Vec::new(); names.len()]
}

/// The columns a future CSV must have, for messages: `'id', 'ds', 'x', 'z'`.
fn wanted_columns(columns: &ColumnNames, names: &[String]) -> String {
    std::iter::once(&columns.id)
        .chain(&columns.time)
        .chain(names)
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A name of the training file's header as a column of the future file (digits are an index,
/// as a headerless training file names its columns).
fn column(name: &str) -> Result<Column, ForecastError> {
    name.parse()
        .map_err(|e| ForecastError::Usage(format!("column '{name}': {e}")))
}

/// Where long-format future values are read from.
enum Source<'a> {
    /// A file, written as the training CSV was.
    Path(&'a Path, CsvDialect),
    /// CSV text with a header, comma-separated with a decimal point.
    Text(&'a str),
}

/// Reads long-format future values and cuts them into each series' rows.
fn read_long_future(
    source: Source<'_>,
    series: &[&SeriesState],
    names: &[String],
    columns: &ColumnNames,
    need: &FutureNeed,
) -> Result<FutureBySeries, ForecastError> {
    let shown = match source {
        Source::Path(p, _) => format!("--future-csv '{}'", p.display()),
        Source::Text(_) => "the future values".to_string(),
    };
    let timed = series.iter().any(|s| s.time.is_some());
    let options = TableOptions {
        columns: names.iter().map(|n| column(n)).collect::<Result<_, _>>()?,
        time_column: match (&columns.time, timed) {
            (Some(t), true) => Some(column(t)?),
            _ => None,
        },
        id_column: Some(column(&columns.id)?),
        ..TableOptions::default()
    };
    let table = match source {
        Source::Path(p, dialect) => data::read_csv_table_path(
            p,
            &TableOptions {
                delimiter: dialect.delimiter,
                decimal: dialect.decimal,
                ..options
            },
        ),
        Source::Text(t) => data::read_csv_table_str(
            t,
            &TableOptions {
                header: Some(true),
                ..options
            },
        ),
    }
    .map_err(|e| ForecastError::Usage(format!("{shown}: {e}")))?;
    let mut rows_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, id) in table.ids.iter().flatten().enumerate() {
        rows_of.entry(id.as_str()).or_default().push(i);
    }
    let mut out = FutureBySeries::with_capacity(series.len());
    for s in series {
        let mut rows = rows_of.remove(s.id.as_str()).unwrap_or_default();
        if rows.len() < need.rows {
            return Err(ForecastError::Usage(format!(
                "{shown}: series '{}' has {} row(s) of covariates: {} needs them at the {} \
                 time(s) after the series' end",
                s.id,
                rows.len(),
                need.why,
                need.rows
            )));
        }
        if let (Some(axis), Some(cells), Some(name)) = (&s.time, &table.times, &columns.time) {
            // Stable: rows whose time does not parse keep their place after those that do,
            // and the axis check below names the first of them.
            rows.sort_by_key(|&i| {
                axis.format
                    .parse_cell(&cells[i])
                    .ok()
                    .map_or((1, None), |t| (0, Some(t)))
            });
            rows.truncate(need.rows);
            let time = SeriesTime {
                name: name.clone(),
                axis: axis.clone(),
            };
            let picked: Vec<String> = rows.iter().map(|&i| cells[i].clone()).collect();
            let lines: Vec<u64> = rows.iter().map(|&i| table.lines[i]).collect();
            check_times(&time, &picked, &lines, s.tail.len(), &shown)
                .map_err(|e| ForecastError::Usage(format!("series '{}': {}", s.id, e.message())))?;
        }
        rows.truncate(need.rows);
        let values = table
            .columns
            .iter()
            .map(|c| rows.iter().map(|&i| c[i]).collect())
            .collect();
        out.insert(s.id.clone(), FutureCovariates::Columns(values));
    }
    Ok(out)
}
