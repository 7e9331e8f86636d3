//! The time column of a CSV series as a regular time axis (data's `time` module): parsed in the
//! detected format or `--time-format`, on the inferred step or `--time-step`; missing rows on
//! the step are a usage error naming the first gap.

use data::Series;
use data::time::{TimeAxis, gap_error};
use serde::{Deserialize, Serialize};

use crate::data_config::Source;
use crate::error::CliError;

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
    pub fn label(&self, i: usize) -> Result<String, CliError> {
        self.axis
            .label(i)
            .map_err(|e| CliError::Usage(format!("--time-column '{}': {e}", self.name)))
    }

    /// The same time column with position 0 moved to position `i`.
    pub fn from_position(&self, i: usize) -> Result<SeriesTime, CliError> {
        Ok(SeriesTime {
            name: self.name.clone(),
            axis: self
                .axis
                .from_position(i)
                .map_err(|e| CliError::Runtime(e.to_string()))?,
        })
    }
}

/// The time axis of `series`, read from `source`'s CSV with its time flags; `None` without a
/// time column. Bad times, times off a regular step and missing rows are usage errors.
pub fn series_time(source: &Source, series: &Series) -> Result<Option<SeriesTime>, CliError> {
    let (
        Source::Csv {
            time_column: Some(column),
            time_format,
            time_step,
            ..
        },
        Some(labels),
    ) = (source, series.times())
    else {
        return Ok(None);
    };
    let shown = series
        .time_name()
        .map_or(column.to_string(), str::to_string);
    let usage = |e: data::DataError| {
        let why = match e {
            data::DataError::Time { message } => message,
            other => other.to_string(),
        };
        CliError::Usage(format!(
            "--time-column '{shown}': {}",
            why.replace("give the step", "give --time-step")
        ))
    };
    let (axis, values, gaps) =
        TimeAxis::read(labels, time_format.as_ref(), *time_step).map_err(usage)?;
    // After the missing-value policy lands, gap rows become rows to fill; until then, an error.
    if let Some(e) = gap_error(&values, axis.step, &gaps) {
        return Err(usage(e));
    }
    Ok(Some(SeriesTime {
        name: series.time_name().unwrap_or("time").to_string(),
        axis,
    }))
}
