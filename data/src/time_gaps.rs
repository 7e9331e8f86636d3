//! Missing rows of a regular time column through the missing-value policy: the rows the step
//! says are absent are inserted as missing values, so one policy treats empty cells and absent
//! rows alike, and interpolation runs by time (on the full grid, a row is one step).

use crate::DataError;
use crate::missing::{MissingCounts, MissingPolicy, fill_missing, fill_missing_rows};
use crate::time::{TimeAxis, TimeFormat, TimeStep, gap_error};

/// How to read a time column as times on a regular step (see [`crate::time`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimeGridOptions {
    /// The times' format; `None` detects it from the first cell.
    pub format: Option<TimeFormat>,
    /// The regular step; `None` infers it from all rows (those with missing values too).
    pub step: Option<TimeStep>,
}

/// A series on its regular time axis after a missing-value policy.
#[derive(Debug, Clone, PartialEq)]
pub struct OnAxis {
    /// The values kept or filled in, one per step of the axis (one row of cells per step,
    /// row-major, from the crate's reader of covariates).
    pub values: Vec<f64>,
    /// Their time labels: the input's text for rows of the file, the axis's text
    /// ([`TimeAxis::label`]) for inserted rows.
    pub times: Vec<String>,
    /// The axis; position 0 is `values[0]` (leading rows dropped by the policy move it).
    pub axis: TimeAxis,
    /// Filled, dropped and inserted rows.
    pub counts: MissingCounts,
}

/// Applies `policy` to the value cells `cells` (`None` where missing) of a series whose time
/// column `labels` is read as times on a regular step (`grid`). The missing rows of the step
/// (see [`crate::time::missing_rows`]) are inserted as missing values, then:
///
/// - [`MissingPolicy::Error`]: missing rows are an error naming the first gap
///   ([`gap_error`]); the cells must all be present.
/// - [`MissingPolicy::Ffill`], [`MissingPolicy::Interpolate`]: missing rows are filled like
///   missing cells (interpolation by position on the full grid, that is by time) and counted
///   in [`MissingCounts::filled`] and [`MissingCounts::missing_rows`].
/// - [`MissingPolicy::Drop`]: only leading and trailing missing values may be dropped (the
///   axis then stays regular, starting later or ending sooner). A missing value or missing row
///   inside the series is an error: dropping it would close up the series, so windows would
///   span unequal times while the axis claims a regular step.
///
/// More than `max_rows` rows once the missing rows are inserted is an error (a gap of years
/// on a step of seconds), as is any time that cannot be read or is off the step.
pub fn fill_on_axis(
    cells: &[Option<f64>],
    labels: &[String],
    grid: &TimeGridOptions,
    policy: MissingPolicy,
    max_rows: usize,
) -> Result<OnAxis, DataError> {
    fill_on_axis_rows(cells, 1, labels, grid, policy, max_rows)
}

/// [`fill_on_axis`] for rows of `width` cells (row-major `cells`, one row per label: the
/// target and its covariates). A missing row of the step is missing in every column; a row is
/// kept when every column has a value there (see `fill_missing_rows`), and under `drop` a row
/// with any missing cell inside the series is refused. The kept rows are always consecutive
/// on the grid (every policy drops only leading and trailing rows), so the axis stays regular.
pub(crate) fn fill_on_axis_rows(
    cells: &[Option<f64>],
    width: usize,
    labels: &[String],
    grid: &TimeGridOptions,
    policy: MissingPolicy,
    max_rows: usize,
) -> Result<OnAxis, DataError> {
    if cells.len() != labels.len().saturating_mul(width) {
        return Err(DataError::LengthMismatch {
            what: "time labels and value cells",
            left: labels.len(),
            right: cells.len().checked_div(width).unwrap_or(0),
        });
    }
    let (axis, times, gaps) = TimeAxis::read(labels, grid.format.as_ref(), grid.step)?;
    if policy == MissingPolicy::Error
        && let Some(e) = gap_error(&times, axis.step, &gaps)
    {
        return Err(e);
    }
    let inserted = gaps
        .iter()
        .try_fold(0usize, |sum, g| sum.checked_add(g.missing));
    let total = inserted.and_then(|i| i.checked_add(labels.len()));
    let (inserted, total) = match (inserted, total) {
        (Some(i), Some(t)) if t <= max_rows => (i, t),
        _ => {
            return Err(DataError::Time {
                message: format!(
                    "the missing rows on the regular step {} would make more than {max_rows} \
                     rows (the row cap)",
                    axis.step
                ),
            });
        }
    };
    let mut full = Vec::with_capacity(total * width);
    let mut full_labels = Vec::with_capacity(total);
    let mut next_gap = gaps.iter().peekable();
    for (i, label) in labels.iter().enumerate() {
        full.extend_from_slice(&cells[i * width..(i + 1) * width]);
        full_labels.push(label.clone());
        if let Some(g) = next_gap.next_if(|g| g.after == i) {
            for _ in 0..g.missing {
                full_labels.push(axis.label(full_labels.len())?);
                full.extend(std::iter::repeat_n(None, width));
            }
        }
    }
    if policy == MissingPolicy::Drop {
        refuse_interior_drop(&full, width, &full_labels, &axis)?;
    }
    let (values, times, counts, first_kept) = if width == 1 {
        let first_kept = full.iter().position(Option::is_some);
        let f = fill_missing(&full, Some(&full_labels), policy)?;
        (f.values, f.times, f.counts, first_kept)
    } else {
        let f = fill_missing_rows(&full, width, Some(&full_labels), policy)?;
        (f.values, f.times, f.counts, f.first_kept)
    };
    Ok(OnAxis {
        values,
        times: times.unwrap_or_default(),
        axis: axis.from_position(first_kept.unwrap_or(0))?,
        counts: MissingCounts {
            missing_rows: inserted,
            ..counts
        },
    })
}

/// The error for policy drop when a row with a missing cell lies between two complete rows on
/// the grid (rows of `width` cells).
fn refuse_interior_drop(
    full: &[Option<f64>],
    width: usize,
    labels: &[String],
    axis: &TimeAxis,
) -> Result<(), DataError> {
    let complete: Vec<bool> = full
        .chunks_exact(width)
        .map(|row| row.iter().all(Option::is_some))
        .collect();
    let (Some(first), Some(last)) = (
        complete.iter().position(|&c| c),
        complete.iter().rposition(|&c| c),
    ) else {
        return Ok(());
    };
    let inside = &complete[first..=last];
    let count = inside.iter().filter(|&&c| !c).count();
    match inside.iter().position(|&c| !c) {
        None => Ok(()),
        Some(k) => Err(DataError::Time {
            message: format!(
                "policy drop would take {count} row(s) out of the regular step {} inside the \
                 series (the first at {}), leaving windows that span unequal times: fill them \
                 with policy ffill or interpolate",
                axis.step,
                labels[first + k]
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(days: &[i64]) -> Vec<String> {
        days.iter()
            .map(|&d| (jiff::civil::date(2022, 1, 1) + jiff::Span::new().days(d)).to_string())
            .collect()
    }

    #[test]
    fn interpolation_of_a_missing_row_is_by_time() {
        // Days 0, 1, (2 missing), 3 with an empty cell on day 1: by row the fill at day 1
        // would be halfway between 0 and 30; by time it is a third of the way.
        let cells = [Some(0.0), None, Some(30.0)];
        let t = labels(&[0, 1, 3]);
        let g = TimeGridOptions::default();
        let f = fill_on_axis(&cells, &t, &g, MissingPolicy::Interpolate, 100).unwrap();
        assert_eq!(f.values, vec![0.0, 10.0, 20.0, 30.0]);
        assert_eq!(f.times, labels(&[0, 1, 2, 3]));
        let c = f.counts;
        assert_eq!((c.filled, c.dropped, c.missing_rows), (2, 0, 1));
        let f = fill_on_axis(&cells, &t, &g, MissingPolicy::Ffill, 100).unwrap();
        assert_eq!(f.values, vec![0.0, 0.0, 0.0, 30.0]);
    }

    #[test]
    fn leading_drops_move_the_axis_start() {
        let cells = [None, Some(1.0), Some(2.0), None];
        let t = labels(&[0, 1, 3, 4]);
        let g = TimeGridOptions::default();
        let f = fill_on_axis(&cells, &t, &g, MissingPolicy::Interpolate, 100).unwrap();
        assert_eq!(f.values, vec![1.0, 1.5, 2.0]);
        assert_eq!(f.axis.label(0).unwrap(), "2022-01-02");
        assert_eq!((f.counts.filled, f.counts.dropped), (1, 2));
        // Drop trims the edges: the axis stays regular.
        let cells = [None, Some(1.0), Some(2.0), None];
        let t = labels(&[0, 1, 2, 3]);
        let f = fill_on_axis(&cells, &t, &g, MissingPolicy::Drop, 100).unwrap();
        assert_eq!(f.values, vec![1.0, 2.0]);
        assert_eq!(f.times, labels(&[1, 2]));
        assert_eq!(f.axis.label(1).unwrap(), "2022-01-03");
    }

    #[test]
    fn refusals() {
        let g = TimeGridOptions::default();
        let t = labels(&[0, 1, 3]);
        let present = [Some(1.0), Some(2.0), Some(3.0)];
        let e = fill_on_axis(&present, &t, &g, MissingPolicy::Error, 100).unwrap_err();
        assert!(e.to_string().contains("1 row(s) missing"), "{e}");
        let e = fill_on_axis(&present, &t, &g, MissingPolicy::Drop, 100).unwrap_err();
        assert!(
            e.to_string().contains("policy drop would take 1 row(s)")
                && e.to_string().contains("2022-01-03"),
            "{e}"
        );
        let inner = [Some(1.0), None, Some(3.0)];
        let t = labels(&[0, 1, 2]);
        let e = fill_on_axis(&inner, &t, &g, MissingPolicy::Drop, 100).unwrap_err();
        assert!(e.to_string().contains("2022-01-02"), "{e}");
        let t = labels(&[0, 1, 1000]);
        let e = fill_on_axis(&present, &t, &g, MissingPolicy::Ffill, 100).unwrap_err();
        assert!(e.to_string().contains("row cap"), "{e}");
        assert!(fill_on_axis(&present, &t[..2], &g, MissingPolicy::Ffill, 100).is_err());
    }

    #[test]
    fn without_gaps_the_times_are_kept_as_written() {
        let t: Vec<String> = ["1959Q1", "1959Q2", "1959Q4"].map(String::from).into();
        let cells = [Some(1.0), Some(2.0), Some(4.0)];
        let g = TimeGridOptions::default();
        let f = fill_on_axis(&cells, &t, &g, MissingPolicy::Interpolate, 100).unwrap();
        assert_eq!(f.values, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(f.times[..2], t[..2]);
        assert_eq!(f.times[2], f.axis.label(2).unwrap());
    }
}
