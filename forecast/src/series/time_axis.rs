//! The time column of a CSV series as a regular time axis (data's `time` module): parsed in the
//! detected format or `--time-format`, on the inferred step or `--time-step` (by data's CSV
//! reader, which puts missing rows on the step through `--missing`).

use data::time::TimeAxis;
use data::{Column, Series};
use serde::{Deserialize, Serialize};

use crate::ForecastError;

/// A series' time axis and the time column's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesTime {
    /// The time column's header (`time` when the CSV has no header row).
    pub name: String,
    /// Position `i` of the axis is the time of the series' value `i` (of the saved tail's,
    /// in a model file).
    pub axis: TimeAxis,
}

impl SeriesTime {
    /// The time at position `i` as written in output files (numbers, `YYYY-MM-DD`, ISO
    /// date-times); an error past the calendar's range.
    pub fn label(&self, i: usize) -> Result<String, ForecastError> {
        self.axis
            .label(i)
            .map_err(|e| ForecastError::Usage(format!("--time-column '{}': {e}", self.name)))
    }

    /// The same time column with position 0 moved to position `i`.
    pub fn from_position(&self, i: usize) -> Result<SeriesTime, ForecastError> {
        Ok(SeriesTime {
            name: self.name.clone(),
            axis: self
                .axis
                .from_position(i)
                .map_err(|e| ForecastError::Runtime(e.to_string()))?,
        })
    }
}

/// The time axis of `series` (read on its regular step with the time flags when it came from
/// a CSV with `--time-column`); `None` without a time column.
pub fn series_time(series: &Series) -> Option<SeriesTime> {
    series.axis().map(|axis| SeriesTime {
        name: series.time_name().unwrap_or("time").to_string(),
        axis: axis.clone(),
    })
}

/// The usage error for a time column that cannot be read as times on a regular step, has
/// missing rows under `--missing error`, or would lose rows inside under `--missing drop`:
/// one line naming `--time-column` and the flags that fix it.
pub fn time_error(column: Option<&Column>, message: &str) -> ForecastError {
    let column = match column {
        Some(Column::Name(name)) => name.trim().to_string(),
        Some(Column::Index(i)) => i.to_string(),
        None => String::from("time"),
    };
    let why = message
        .replace("give the step", "give --time-step")
        .replace("policy drop", "--missing drop")
        .replace(
            "policy ffill or interpolate",
            "--missing ffill or --missing interpolate",
        );
    let hint = if message.contains("row(s) missing on the regular step") {
        " (fill them with --missing ffill or --missing interpolate)"
    } else {
        ""
    };
    ForecastError::Usage(format!("--time-column '{column}': {why}{hint}"))
}
