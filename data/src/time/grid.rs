//! A regular time axis: missing rows (gaps) in a column of times, and the axis itself, which
//! gives the time of any position, past the end too (future times of a forecast).

use serde::{Deserialize, Serialize};

use super::step::all_month_ends;
use super::{TimeFormat, TimeStep, TimeValue};
use crate::DataError;

/// Rows missing from a time column: after data row `after` (0-based position in the column),
/// `missing` times of the regular step are absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// 0-based position of the row before the gap.
    pub after: usize,
    /// How many rows of the regular step are missing there (at least 1).
    pub missing: usize,
}

/// The gaps of `values` on the regular `step`: every place where neighbours are several steps
/// apart. Errors (naming the rows and times) when the step does not fit the times' kind, when
/// times do not increase, or when a time is off the grid of the first time and the step.
pub fn missing_rows(values: &[TimeValue], step: TimeStep) -> Result<Vec<Gap>, DataError> {
    let month_end = all_month_ends(values);
    if let Some(first) = values.first()
        && !step.fits(first)
    {
        return Err(DataError::Time {
            message: format!(
                "step {step} does not fit times of kind {} ({first})",
                first.kind_name()
            ),
        });
    }
    let mut gaps = Vec::new();
    for (i, w) in values.windows(2).enumerate() {
        let (a, b) = (&w[0], &w[1]);
        match step.steps_between(a, b, month_end) {
            Some(1) => {}
            Some(k) if k > 1 => gaps.push(Gap {
                after: i,
                missing: usize::try_from(k - 1).unwrap_or(usize::MAX),
            }),
            Some(_) => {
                return Err(DataError::Time {
                    message: format!(
                        "data row {} ({b}) is not after data row {} ({a}): times must increase",
                        i + 2,
                        i + 1
                    ),
                });
            }
            None => {
                return Err(DataError::Time {
                    message: format!(
                        "data rows {} ({a}) and {} ({b}) are not a whole number of steps of {step} \
                         apart: the times are not on a regular step (give the step)",
                        i + 1,
                        i + 2
                    ),
                });
            }
        }
    }
    Ok(gaps)
}

/// The error for the first of `gaps` in `values`: the times before and after it and how many
/// rows are missing (with the total over all gaps).
pub fn gap_error(values: &[TimeValue], step: TimeStep, gaps: &[Gap]) -> Option<DataError> {
    let first = gaps.first()?;
    let total: usize = gaps.iter().map(|g| g.missing).sum();
    let (a, b) = (values.get(first.after)?, values.get(first.after + 1)?);
    Some(DataError::Time {
        message: format!(
            "{total} row(s) missing on the regular step {step} in {} gap(s); the first: {} \
             row(s) between {a} (data row {}) and {b} (data row {})",
            gaps.len(),
            first.missing,
            first.after + 1,
            first.after + 2
        ),
    })
}

/// A regular time axis: position `i` is at `start` plus `i` steps. The times of a column with
/// no gaps, and the future times after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeAxis {
    /// How the column was written (and how future times of date-times carry its offset).
    pub format: TimeFormat,
    /// The time at position 0.
    pub start: TimeValue,
    /// The regular step.
    pub step: TimeStep,
    /// Whether month steps land on month ends.
    pub month_end: bool,
}

impl TimeAxis {
    /// Reads a time column: parses `labels` (in `format`, or the detected one), takes `step` or
    /// infers it, and finds the gaps. Returns the axis from the first time and the gaps (empty
    /// when every row of the step is there); the caller decides whether gaps are an error
    /// ([`gap_error`]) or rows to fill. The axis is the full grid: once each gap's `missing`
    /// rows are inserted after its row `after`, the time of row `i` is [`TimeAxis::at`]`(i)`.
    pub fn read(
        labels: &[String],
        format: Option<&TimeFormat>,
        step: Option<TimeStep>,
    ) -> Result<(TimeAxis, Vec<TimeValue>, Vec<Gap>), DataError> {
        let (format, values) = super::parse_times(labels, format)?;
        let step = match step {
            Some(s) => s,
            None => super::infer_step(&values)?,
        };
        let gaps = missing_rows(&values, step)?;
        let axis = TimeAxis {
            format,
            start: values[0],
            step,
            month_end: all_month_ends(&values),
        };
        Ok((axis, values, gaps))
    }

    /// The time at position `i` (may be past the series' end), or an error when it is out of
    /// the calendar's range (years -9999 to 9999).
    pub fn at(&self, i: usize) -> Result<TimeValue, DataError> {
        i64::try_from(i)
            .ok()
            .and_then(|k| self.step.advance(&self.start, k, self.month_end))
            .ok_or_else(|| {
                DataError::arg(
                    "time position",
                    i,
                    &format!(
                        "a time within years -9999 to 9999 (from {} in steps of {})",
                        self.start, self.step
                    ),
                )
            })
    }

    /// The text written for position `i` (see [`TimeFormat::write`]).
    pub fn label(&self, i: usize) -> Result<String, DataError> {
        Ok(self.format.write(&self.at(i)?))
    }

    /// The axis moved to start at position `i` (for keeping the axis of a series' tail).
    pub fn from_position(&self, i: usize) -> Result<TimeAxis, DataError> {
        Ok(TimeAxis {
            start: self.at(i)?,
            ..self.clone()
        })
    }

    /// The `horizon` times after a series of `len` values: positions `len .. len + horizon`.
    pub fn future(&self, len: usize, horizon: usize) -> Result<Vec<TimeValue>, DataError> {
        (len..len.saturating_add(horizon))
            .map(|i| self.at(i))
            .collect()
    }
}
