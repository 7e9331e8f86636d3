//! Covariates (`train --features`, `forecast --future-csv`): what a model file keeps of them,
//! the model's input rows for a raw history, and their future values for a forecast (from a
//! CSV file, or given as columns by a front end such as Python's).
//!
//! The model's input at position `j` is the row `[y, x1, .., xF]` (see [`data::Frame`]): the
//! target differenced and scaled as at training, each covariate scaled by its own scaler and
//! taken at the same series position. A one-step model forecasting `H` values feeds each
//! prediction back as the newest row, with the covariates at its time, so it reads `H - 1`
//! future rows; a model with `M` outputs per pass reads `(ceil(H / M) - 1) * M`
//! ([`data::fed_back_rows`]).

use std::path::{Path, PathBuf};

use data::{Column, Covariate, Dataset, Differencing, Scaler, Series, TableOptions};
use serde::{Deserialize, Serialize};

use super::data_config::{CsvDialect, DataConfig, Source};
use super::time_axis::SeriesTime;
use crate::ForecastError;

/// What a model file keeps of its covariates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CovariateSettings {
    /// Their names in the model's channel order (covariate `k` is channel `k + 1`): header
    /// names, or 0-based column indices as text for a CSV without a header.
    pub names: Vec<String>,
    /// Each covariate's scaling, fitted on the training part.
    pub scalers: Vec<Scaler>,
    /// Each covariate's last values in its own units, aligned with the settings' `tail`.
    pub tails: Vec<Vec<f64>>,
}

impl CovariateSettings {
    /// Those of a run on a series with the covariates `c` windowed as `ds`, keeping the values
    /// from position `start` on; `None` without covariates.
    pub fn of(c: &[Covariate], ds: &Dataset, start: usize) -> Option<Self> {
        (!c.is_empty()).then(|| CovariateSettings {
            names: c.iter().map(|c| c.name.clone()).collect(),
            scalers: ds.covariate_scalers.clone(),
            tails: c.iter().map(|c| c.values[start..].to_vec()).collect(),
        })
    }
}

/// The covariates on the model's positions: each from position `lost` on, where the target's
/// model series starts once differencing has consumed its first `lost` values.
pub fn model_covariates(covariates: &[Covariate], lost: usize) -> Vec<Covariate> {
    covariates
        .iter()
        .map(|c| Covariate {
            name: c.name.clone(),
            values: c.values.get(lost..).unwrap_or_default().to_vec(),
        })
        .collect()
}

/// The covariates beside a raw history of the target: their names, their raw values aligned
/// with the history, and the scalers the model takes them through. Empty for a model without
/// covariates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CovariateHistory {
    /// Names, in channel order.
    pub names: Vec<String>,
    /// Raw values, one column per covariate, each as long as the target's history.
    pub values: Vec<Vec<f64>>,
    /// Each covariate's scaling.
    pub scalers: Vec<Scaler>,
}

impl CovariateHistory {
    /// The covariates a model file keeps (aligned with its tail).
    pub fn from_settings(settings: Option<&CovariateSettings>) -> Self {
        settings.map_or_else(Self::default, |c| CovariateHistory {
            names: c.names.clone(),
            values: c.tails.clone(),
            scalers: c.scalers.clone(),
        })
    }

    /// The covariates of a series read with the model's settings, scaled as `ds` is.
    pub fn from_series(series: &Series, ds: &Dataset) -> Self {
        CovariateHistory {
            names: series.covariates().iter().map(|c| c.name.clone()).collect(),
            values: series
                .covariates()
                .iter()
                .map(|c| c.values.clone())
                .collect(),
            scalers: ds.covariate_scalers.clone(),
        }
    }

    /// Number of covariates.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are none (a model of the target alone).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The model's input rows (row-major, `1 + F` per row; see [`data::Frame`]) for the
    /// target's raw `history`: the target differenced by `d` and scaled by `scaler`, each
    /// covariate from position `lost` on (the rows start where the differences do) scaled by
    /// its own scaler.
    pub fn rows(
        &self,
        history: &[f64],
        scaler: &Scaler,
        d: Differencing,
    ) -> Result<Vec<f64>, ForecastError> {
        let target = scaler.transform_all(&d.apply(history)?);
        if self.is_empty() {
            return Ok(target);
        }
        let lost = d.lost();
        let scaled: Vec<Vec<f64>> = self
            .values
            .iter()
            .zip(&self.scalers)
            .map(|(v, s)| s.transform_all(v.get(lost..).unwrap_or_default()))
            .collect();
        let refs: Vec<&[f64]> = scaled.iter().map(Vec::as_slice).collect();
        Ok(data::interleave(&target, &refs)?)
    }

    /// The first `rows` of raw future values (one column per covariate) as scaled rows of
    /// `F` values each, the form [`data::direct_forecast_frame`] takes.
    pub fn future_rows(&self, columns: &[Vec<f64>], rows: usize) -> Vec<f64> {
        let mut out = Vec::with_capacity(rows * self.len());
        for k in 0..rows {
            for (c, s) in columns.iter().zip(&self.scalers) {
                out.push(s.transform(c[k]));
            }
        }
        out
    }
}

/// Where the covariates of a model are found in a CSV of their future values, and how it is
/// written: by header name when the training CSV had a header, else by the same indices.
#[derive(Debug, Clone, PartialEq)]
pub struct FutureColumns {
    /// The covariates' columns, in channel order.
    pub columns: Vec<Column>,
    /// The time column, when the model's series has one.
    pub time: Option<Column>,
    /// Delimiter and decimal separator (the series CSV's).
    pub dialect: CsvDialect,
}

/// Reads `--future-csv`: the covariates' raw values at the `rows` times after a history of
/// `n` values (one column per covariate, `rows` values each). With a time axis, each row's
/// time must be the axis's position `n + k`, else an error naming the first row that is not.
/// Fewer rows than `rows` is an error saying how many the forecast needs and why.
pub fn read_future(
    path: &Path,
    wanted: &FutureColumns,
    time: Option<&SeriesTime>,
    n: usize,
    rows: usize,
    why: &str,
) -> Result<Vec<Vec<f64>>, ForecastError> {
    let shown = path.display();
    let options = TableOptions {
        columns: wanted.columns.clone(),
        time_column: wanted.time.clone().filter(|_| time.is_some()),
        header: None,
        delimiter: wanted.dialect.delimiter,
        decimal: wanted.dialect.decimal,
        ..TableOptions::default()
    };
    let table = data::read_csv_table_path(path, &options)
        .map_err(|e| ForecastError::Usage(format!("--future-csv '{shown}': {e}")))?;
    if table.rows() < rows {
        return Err(ForecastError::Usage(format!(
            "--future-csv '{shown}' has {} row(s) of covariates: {why} needs them at the {rows} \
             time(s) after the series' end",
            table.rows()
        )));
    }
    if let (Some(t), Some(cells)) = (time, table.times.as_ref()) {
        check_times(
            t,
            &cells[..rows],
            &table.lines,
            n,
            &format!("--future-csv '{shown}'"),
        )?;
    }
    Ok(table
        .columns
        .into_iter()
        .map(|mut c| {
            c.truncate(rows);
            c
        })
        .collect())
}

/// Each future row's time must continue the series' axis: row `k` at position `n + k`. Errors
/// start with `source` (`--future-csv 'FILE'`).
pub(crate) fn check_times(
    t: &SeriesTime,
    cells: &[String],
    lines: &[u64],
    n: usize,
    source: &str,
) -> Result<(), ForecastError> {
    let axis = &t.axis;
    for (k, cell) in cells.iter().enumerate() {
        let expected = axis
            .at(n + k)
            .map_err(|e| ForecastError::Usage(format!("{source}: {e}")))?;
        let found = axis.format.parse_cell(cell);
        let on_time = found
            .as_ref()
            .is_ok_and(|v| axis.step.steps_between(&expected, v, axis.month_end) == Some(0));
        if !on_time {
            let want = axis.format.write(&expected);
            let what = match found {
                Ok(_) => format!("'{cell}'"),
                Err(e) => e,
            };
            return Err(ForecastError::Usage(format!(
                "{source}: line {} has time {what} in column '{}' where the \
                 series continues at {want} (row {} after its end; the rows must follow its \
                 time axis one step of {} at a time)",
                lines[k],
                t.name,
                k + 1,
                axis.step
            )));
        }
    }
    Ok(())
}

impl FutureColumns {
    /// Where the covariates `names` of a model trained with `data` are found in a CSV of their
    /// future values: by name when the training CSV had a header (`header`), else by the
    /// indices `--features` gave; the time column likewise (`time_name` is its header).
    pub fn of(data: &DataConfig, names: &[String], header: bool, time_name: Option<&str>) -> Self {
        let (time_column, dialect, features) = match &data.source {
            Source::Csv {
                time_column,
                dialect,
                features,
                ..
            } => (time_column.clone(), *dialect, features.clone()),
            Source::Generated(_) => (None, CsvDialect::default(), Vec::new()),
        };
        if header {
            FutureColumns {
                columns: names.iter().map(|n| Column::Name(n.clone())).collect(),
                time: time_name
                    .map(|t| Column::Name(t.to_string()))
                    .or(time_column),
                dialect,
            }
        } else {
            FutureColumns {
                columns: features,
                time: time_column,
                dialect,
            }
        }
    }

    /// The columns as a CSV needs them, for messages: `x, z` and `and the time column 'ds'`.
    fn describe(&self, timed: bool) -> String {
        let columns = column_list(&self.columns);
        match self.time.as_ref().filter(|_| timed) {
            Some(t) => format!("{columns} and the time column {t}"),
            None => columns,
        }
    }
}

/// The covariates' values at the times after the series' end, for a forecast of a model
/// trained with `--features`.
#[derive(Debug, Clone, PartialEq)]
pub enum FutureCovariates {
    /// A CSV file with the covariates' columns (and the time column, when the series has
    /// one): `forecast --future-csv`. Found as [`FutureColumns`] says.
    Csv(PathBuf),
    /// Raw values, one column per covariate in the model's channel order, each holding at
    /// least the rows the forecast needs (from the first time after the series' end).
    Columns(Vec<Vec<f64>>),
}

/// The future covariate rows a forecast needs (scaled, `F` per row) and how many, from
/// `future` (`--future-csv`, or columns). `horizon` values from a model of `model_horizon`
/// outputs per pass feed [`data::fed_back_rows`] of them back; without covariates or with
/// nothing fed back none are needed. Errors (usage): future values for a model without
/// covariates, none when rows are needed (naming the flag, the columns and the count), columns
/// of the wrong number or length, and whatever [`read_future`] refuses.
pub fn forecast_rows(
    future: Option<&FutureCovariates>,
    covariates: &CovariateHistory,
    wanted: &FutureColumns,
    time: Option<&SeriesTime>,
    n: usize,
    horizon: usize,
    model_horizon: usize,
) -> Result<(Vec<f64>, usize), ForecastError> {
    if covariates.is_empty() {
        return match future {
            Some(FutureCovariates::Csv(f)) => Err(ForecastError::Usage(format!(
                "--future-csv '{}' gives future values of covariates, but the model was \
                 trained without --features: leave out --future-csv",
                f.display()
            ))),
            Some(FutureCovariates::Columns(c)) => Err(ForecastError::Usage(format!(
                "{} column(s) of future covariates were given, but the model was trained \
                 without --features: leave them out",
                c.len()
            ))),
            None => Ok((Vec::new(), 0)),
        };
    }
    let need = FutureNeed::of(horizon, model_horizon);
    let (rows, why) = (need.rows, &need.why);
    let Some(future) = future else {
        if rows == 0 {
            return Ok((Vec::new(), 0));
        }
        return Err(need.missing(&format!(
            "--future-csv FILE with the columns {}",
            wanted.describe(time.is_some())
        )));
    };
    let columns = match future {
        FutureCovariates::Csv(file) => read_future(file, wanted, time, n, rows, why)?,
        FutureCovariates::Columns(columns) => {
            check_columns(columns, covariates, rows, why)?;
            columns.clone()
        }
    };
    Ok((covariates.future_rows(&columns, rows), rows))
}

/// How many rows of future covariates a forecast needs, and why (for messages).
#[derive(Debug, Clone, PartialEq)]
pub struct FutureNeed {
    /// Rows needed: [`data::fed_back_rows`] of the horizon and the model's outputs per pass.
    pub rows: usize,
    /// The reason, as the start of a sentence ending in `needs them at the N time(s) after
    /// the series' end`.
    pub why: String,
    model_horizon: usize,
}

impl FutureNeed {
    /// The need of a forecast of `horizon` values by a model of `model_horizon` outputs per
    /// forward pass.
    pub fn of(horizon: usize, model_horizon: usize) -> Self {
        let rows = data::fed_back_rows(horizon, model_horizon);
        let why = if model_horizon > 1 {
            format!(
                "--horizon {horizon} from a model of {model_horizon} values per pass feeds {rows} \
                 of them back into windows that hold the covariates at their times, so it"
            )
        } else {
            format!(
                "--horizon {horizon} feeds {rows} forecast value(s) back into windows that hold \
                 the covariates at their times, so it"
            )
        };
        FutureNeed {
            rows,
            why,
            model_horizon,
        }
    }

    /// The error of a forecast given no future values although it needs some: `pass` says
    /// what to pass (`--future-csv FILE with the columns ...`).
    pub fn missing(&self, pass: &str) -> ForecastError {
        let at_once = if self.model_horizon > 1 {
            format!(
                "at most --horizon {}, the values the model gives at once",
                self.model_horizon
            )
        } else {
            "--horizon 1".to_string()
        };
        ForecastError::Usage(format!(
            "forecast with covariates needs their future values: {} needs them at the {} \
             time(s) after the series' end; pass {pass} (or forecast {at_once})",
            self.why, self.rows
        ))
    }
}

/// Future values given as columns must be one per covariate, each holding the `rows` values
/// the forecast needs.
fn check_columns(
    columns: &[Vec<f64>],
    covariates: &CovariateHistory,
    rows: usize,
    why: &str,
) -> Result<(), ForecastError> {
    if columns.len() != covariates.len() {
        return Err(ForecastError::Usage(format!(
            "{} column(s) of future covariates were given for the model's {} covariate(s) ({})",
            columns.len(),
            covariates.len(),
            covariates.names.join(", ")
        )));
    }
    if let Some((name, c)) = covariates
        .names
        .iter()
        .zip(columns)
        .find(|(_, c)| c.len() < rows)
    {
        return Err(ForecastError::Usage(format!(
            "the future values of covariate '{name}' have {} row(s): {why} needs them at the \
             {rows} time(s) after the series' end",
            c.len()
        )));
    }
    Ok(())
}

/// Columns as a comma list for messages (`'price', index 3`).
pub fn column_list(columns: &[Column]) -> String {
    columns
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
