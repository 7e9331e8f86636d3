//! Missing values in a series: what counts as missing and the policies that fill or drop them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DataError;

/// What to do with a missing value (an empty cell, or `NA`, `N/A`, `NaN`, `null`, `None`, any
/// case) in the value column. [`Default`] is [`MissingPolicy::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MissingPolicy {
    /// Refuse the input, naming the line and quoting the row (recur's behaviour before
    /// policies existed).
    #[default]
    Error,
    /// Leave the row out (its time label too): the series closes up. With a regular time
    /// column only leading and trailing rows may be left out (see
    /// [`fill_on_axis`](crate::fill_on_axis)): a row dropped inside would leave windows
    /// spanning unequal times.
    Drop,
    /// Carry the last observed value forward (into missing rows of a regular time column too).
    /// A leading gap has no value to carry: those rows
    /// are dropped (and counted as dropped).
    Ffill,
    /// Straight line between the observed values on either side, by row position; with a
    /// regular time column its missing rows are inserted first, so a row is one step and the
    /// line runs by time. Leading and trailing gaps have a side missing and are dropped
    /// (counted as dropped) rather than extrapolated.
    Interpolate,
}

impl MissingPolicy {
    /// All policies, in the order their names are listed in messages.
    pub const ALL: [MissingPolicy; 4] = [
        MissingPolicy::Error,
        MissingPolicy::Drop,
        MissingPolicy::Ffill,
        MissingPolicy::Interpolate,
    ];

    /// The lower-case name accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            MissingPolicy::Error => "error",
            MissingPolicy::Drop => "drop",
            MissingPolicy::Ffill => "ffill",
            MissingPolicy::Interpolate => "interpolate",
        }
    }
}

impl fmt::Display for MissingPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for MissingPolicy {
    type Err = DataError;

    /// Parses `error`, `drop`, `ffill` or `interpolate` (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, DataError> {
        MissingPolicy::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                DataError::arg(
                    "missing",
                    format!("'{s}'"),
                    "error, drop, ffill or interpolate",
                )
            })
    }
}

/// How many missing values a policy filled in and how many rows it dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MissingCounts {
    /// Missing values replaced by a filled-in value.
    pub filled: usize,
    /// Rows left out (missing values that could not, or were not to, be filled).
    pub dropped: usize,
    /// Rows absent from a regular time column, inserted on its step as missing values (each
    /// also counted in `filled`, or in `dropped` at the series' edges); 0 without a time column.
    #[serde(default)]
    pub missing_rows: usize,
}

/// Whether a trimmed cell is a missing-value marker: empty, or `NA`, `N/A`, `NaN`, `null`,
/// `None` (any case), as pandas, R and spreadsheets write them.
pub fn is_missing_marker(cell: &str) -> bool {
    cell.is_empty()
        || ["na", "n/a", "nan", "null", "none"]
            .iter()
            .any(|m| cell.eq_ignore_ascii_case(m))
}

/// A series after a missing-value policy: the kept values, the labels of the kept rows and the
/// counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Filled {
    /// The values kept or filled in, in order.
    pub values: Vec<f64>,
    /// The time labels of those rows, when labels were given.
    pub times: Option<Vec<String>>,
    /// How many were filled and dropped.
    pub counts: MissingCounts,
}

/// Applies `policy` to `values` (`None` where missing) and their optional time labels, in
/// linear time. [`MissingPolicy::Error`] does nothing here (the reader refuses the first
/// missing cell itself), so with it every value must be present; a `None` is then an error.
pub fn fill_missing(
    values: &[Option<f64>],
    times: Option<&[String]>,
    policy: MissingPolicy,
) -> Result<Filled, DataError> {
    let filled = fill_gaps(values, policy)?;
    let mut counts = MissingCounts::default();
    let mut kept = Vec::with_capacity(values.len());
    let mut kept_times = times.map(|_| Vec::with_capacity(values.len()));
    for (i, (given, fill)) in values.iter().zip(filled).enumerate() {
        let Some(v) = fill else {
            counts.dropped += 1;
            continue;
        };
        if given.is_none() {
            counts.filled += 1;
        }
        kept.push(v);
        if let (Some(out), Some(t)) = (kept_times.as_mut(), times) {
            out.push(t[i].clone());
        }
    }
    Ok(Filled {
        values: kept,
        times: kept_times,
        counts,
    })
}

/// Several columns after a missing-value policy (see [`fill_missing_rows`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FilledRows {
    /// The kept rows, row-major, every cell observed or filled in.
    pub values: Vec<f64>,
    /// The time labels of the kept rows, when labels were given.
    pub times: Option<Vec<String>>,
    /// Cells filled in (in kept rows) and rows dropped.
    pub counts: MissingCounts,
    /// The input row of the first kept row (`None` when no row is kept).
    pub first_kept: Option<usize>,
}

/// [`fill_missing`] for rows of `width` cells (row-major `cells`; the target and its
/// covariates): each column is filled on its own as `policy` says, and a row is kept when every
/// one of its cells is observed or filled, so one policy treats every column alike. `drop`
/// drops a row with any missing cell; `ffill` and `interpolate` drop the rows where some
/// column has no value to carry or no side to interpolate from. With one column this gives
/// what [`fill_missing`] gives (a property test checks it).
pub(crate) fn fill_missing_rows(
    cells: &[Option<f64>],
    width: usize,
    times: Option<&[String]>,
    policy: MissingPolicy,
) -> Result<FilledRows, DataError> {
    let rows = cells.len().checked_div(width).unwrap_or(0);
    let mut filled: Vec<Option<f64>> = cells.to_vec();
    for c in 0..width {
        let column: Vec<Option<f64>> = (0..rows).map(|r| cells[r * width + c]).collect();
        for (r, v) in fill_gaps(&column, policy)?.into_iter().enumerate() {
            filled[r * width + c] = v;
        }
    }
    let mut counts = MissingCounts::default();
    let mut values = Vec::with_capacity(filled.len());
    let mut kept_times = times.map(|_| Vec::with_capacity(rows));
    let mut first_kept = None;
    for r in 0..rows {
        let row = &filled[r * width..(r + 1) * width];
        if row.iter().any(Option::is_none) {
            counts.dropped += 1;
            continue;
        }
        first_kept.get_or_insert(r);
        counts.filled += cells[r * width..(r + 1) * width]
            .iter()
            .filter(|v| v.is_none())
            .count();
        values.extend(row.iter().flatten());
        if let (Some(out), Some(t)) = (kept_times.as_mut(), times) {
            out.push(t[r].clone());
        }
    }
    Ok(FilledRows {
        values,
        times: kept_times,
        counts,
        first_kept,
    })
}

/// Each value of one column after `policy`: observed, filled in, or `None` where the policy
/// leaves no value (the row is then dropped). The rules are [`fill_missing`]'s.
fn fill_gaps(values: &[Option<f64>], policy: MissingPolicy) -> Result<Vec<Option<f64>>, DataError> {
    // The nearest observed row on each side of every row, in two linear passes (a gap scan
    // per missing value would be quadratic in a long gap).
    let mut next_obs = vec![None; values.len()];
    let mut next = None;
    for i in (0..values.len()).rev() {
        next_obs[i] = next;
        if values[i].is_some() {
            next = Some(i);
        }
    }
    let mut prev: Option<usize> = None;
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        if v.is_some() {
            out.push(*v);
            prev = Some(i);
            continue;
        }
        out.push(match policy {
            MissingPolicy::Error => {
                return Err(DataError::arg(
                    "missing",
                    format!("policy error with a missing value at row {i}"),
                    "a policy of drop, ffill or interpolate",
                ));
            }
            MissingPolicy::Drop => None,
            MissingPolicy::Ffill => prev.and_then(|l| values[l]),
            MissingPolicy::Interpolate => match (prev, next_obs[i]) {
                (Some(l), Some(r)) => match (values[l], values[r]) {
                    (Some(a), Some(b)) => {
                        let w = (i - l) as f64 / (r - l) as f64;
                        Some(a + (b - a) * w)
                    }
                    _ => None,
                },
                _ => None,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: &[Option<f64>], p: MissingPolicy) -> (Vec<f64>, MissingCounts) {
        let f = fill_missing(v, None, p).unwrap();
        (f.values, f.counts)
    }

    #[test]
    fn markers() {
        for m in ["", "NA", "n/a", "NaN", "null", "None"] {
            assert!(is_missing_marker(m), "{m}");
        }
        assert!(!is_missing_marker("0"));
        assert!(!is_missing_marker("inf"));
    }

    #[test]
    fn policies_on_leading_interior_and_trailing_gaps() {
        let v = [None, Some(1.0), None, None, Some(4.0), None];
        let (x, c) = run(&v, MissingPolicy::Drop);
        assert_eq!((x, c.filled, c.dropped), (vec![1.0, 4.0], 0, 4));
        let (x, c) = run(&v, MissingPolicy::Ffill);
        assert_eq!(
            (x, c.filled, c.dropped),
            (vec![1.0, 1.0, 1.0, 4.0, 4.0], 3, 1)
        );
        let (x, c) = run(&v, MissingPolicy::Interpolate);
        assert_eq!((x, c.filled, c.dropped), (vec![1.0, 2.0, 3.0, 4.0], 2, 2));
        assert!(fill_missing(&v, None, MissingPolicy::Error).is_err());
    }

    #[test]
    fn a_row_is_kept_when_every_column_has_a_value() {
        // Column b has a leading gap, column a a trailing one.
        let cells = [
            Some(1.0),
            None,
            Some(2.0),
            Some(20.0),
            None,
            Some(30.0),
            Some(4.0),
            Some(40.0),
        ];
        let f = fill_missing_rows(&cells, 2, None, MissingPolicy::Ffill).unwrap();
        assert_eq!(f.values, vec![2.0, 20.0, 2.0, 30.0, 4.0, 40.0]);
        assert_eq!(
            (f.counts.filled, f.counts.dropped, f.first_kept),
            (1, 1, Some(1))
        );
        let f = fill_missing_rows(&cells, 2, None, MissingPolicy::Interpolate).unwrap();
        assert_eq!(f.values, vec![2.0, 20.0, 3.0, 30.0, 4.0, 40.0]);
        let f = fill_missing_rows(&cells, 2, None, MissingPolicy::Drop).unwrap();
        assert_eq!(f.values, vec![2.0, 20.0, 4.0, 40.0]);
        assert_eq!((f.counts.filled, f.counts.dropped), (0, 2));
        assert!(fill_missing_rows(&cells, 2, None, MissingPolicy::Error).is_err());
    }

    proptest::proptest! {
        /// One column through the rows version is fill_missing.
        #[test]
        fn one_column_rows_are_fill_missing(
            cells in proptest::collection::vec(proptest::option::of(-1e3f64..1e3), 0..30),
            policy in proptest::sample::select(vec![
                MissingPolicy::Drop, MissingPolicy::Ffill, MissingPolicy::Interpolate,
            ]),
        ) {
            let times: Vec<String> = (0..cells.len()).map(|i| i.to_string()).collect();
            let one = fill_missing(&cells, Some(&times), policy).unwrap();
            let rows = fill_missing_rows(&cells, 1, Some(&times), policy).unwrap();
            proptest::prop_assert_eq!(&rows.values, &one.values);
            proptest::prop_assert_eq!(&rows.times, &one.times);
            proptest::prop_assert_eq!(rows.counts, one.counts);
            proptest::prop_assert_eq!(rows.first_kept, cells.iter().position(Option::is_some));
            // A copy of the column beside it changes nothing but doubles the fills.
            let doubled: Vec<Option<f64>> = cells.iter().flat_map(|&c| [c, c]).collect();
            let two = fill_missing_rows(&doubled, 2, None, policy).unwrap();
            let pairs: Vec<f64> = one.values.iter().flat_map(|&v| [v, v]).collect();
            proptest::prop_assert_eq!(two.values, pairs);
            proptest::prop_assert_eq!(two.counts.filled, 2 * one.counts.filled);
            proptest::prop_assert_eq!(two.counts.dropped, one.counts.dropped);
        }
    }

    #[test]
    fn time_labels_follow_the_kept_rows() {
        let v = [Some(1.0), None, Some(3.0)];
        let t: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let f = fill_missing(&v, Some(&t), MissingPolicy::Drop).unwrap();
        assert_eq!(f.times.unwrap(), vec!["a", "c"]);
        let f = fill_missing(&v, Some(&t), MissingPolicy::Ffill).unwrap();
        assert_eq!(f.times.unwrap(), vec!["a", "b", "c"]);
    }
}
