//! The cells of CSV rows: the number dialect, choosing columns by name or index (or the
//! default value column), the header decision and the value cells, shared by the readers of
//! one series, of long files and of future-values tables.

use crate::csv_rows::{Row, excerpt};
use crate::missing::{MissingPolicy, is_missing_marker};
use crate::{Column, DataError};

/// Errors if the decimal separator is not `.` or `,`, or equals the delimiter.
pub(crate) fn check_dialect(delimiter: u8, decimal: u8) -> Result<(), DataError> {
    if decimal != b'.' && decimal != b',' {
        return Err(DataError::arg(
            "decimal",
            format!("'{}'", char::from(decimal).escape_default()),
            "'.' or ','",
        ));
    }
    if delimiter == decimal {
        return Err(DataError::arg(
            "delimiter",
            format!("'{}'", char::from(delimiter)),
            "a delimiter other than the decimal separator (with decimal commas use ';' or a tab)",
        ));
    }
    Ok(())
}

/// A cell as a number with the given decimal separator (`None`: not a number). With `,` a
/// cell holding a `.` is not a number: it would be a thousands separator, which recur does not
/// guess at.
pub(crate) fn parse_number(cell: &str, decimal: u8) -> Option<f64> {
    if decimal == b',' {
        if cell.contains('.') {
            return None;
        }
        cell.replace(',', ".").parse().ok()
    } else {
        cell.parse().ok()
    }
}

/// The columns as listed in errors: `0 'name'` when the first row is a header, else indices.
pub(crate) fn available(rows: &[Row], decimal: u8) -> Vec<String> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    let has_header = first
        .cells
        .iter()
        .any(|c| !c.trim().is_empty() && parse_number(c.trim(), decimal).is_none());
    first
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if has_header {
                format!("{i} '{}'", excerpt(c.trim()))
            } else {
                i.to_string()
            }
        })
        .collect()
}

/// The 0-based position of `column`, or an error listing the available columns.
pub(crate) fn resolve(column: &Column, rows: &[Row], decimal: u8) -> Result<usize, DataError> {
    let first = &rows[0];
    let found = match column {
        Column::Index(i) => (*i < first.cells.len()).then_some(*i),
        Column::Name(name) => {
            let matches: Vec<usize> = (first.cells.iter().enumerate())
                .filter(|(_, c)| c.trim() == name.trim())
                .map(|(i, _)| i)
                .collect();
            // Picking one of several silently would read the wrong column without a word.
            if matches.len() > 1 {
                return Err(DataError::AmbiguousColumn {
                    name: name.trim().to_string(),
                    indices: matches,
                });
            }
            matches.first().copied()
        }
    };
    found.ok_or_else(|| DataError::ColumnNotFound {
        requested: column.to_string(),
        available: available(rows, decimal),
    })
}

/// The only column not in `exclude`, or else the last such column at least half of whose cells
/// below the first row parse as numbers (NaN and infinity count as numbers here, so that such
/// cells are reported as bad values of the chosen column rather than silently moving the
/// choice to another column). `exclude` holds the columns already taken by another role (a
/// long file's id and time columns).
pub(crate) fn default_column(
    rows: &[Row],
    decimal: u8,
    exclude: &[usize],
) -> Result<usize, DataError> {
    let width = rows[0].cells.len();
    let candidates: Vec<usize> = (0..width).filter(|j| !exclude.contains(j)).collect();
    let no_numeric = || DataError::NoNumericColumn {
        available: available(rows, decimal),
    };
    // With one candidate, or no row below the first, there is nothing to choose between; the
    // caller then reports the bad cells or the too-short series.
    if candidates.len() == 1 || rows.len() < 2 {
        return candidates.last().copied().ok_or_else(no_numeric);
    }
    let body = &rows[1..];
    candidates
        .into_iter()
        .rev()
        .find(|&j| {
            let numeric = body
                .iter()
                .filter(|r| parse_number(r.cells[j].trim(), decimal).is_some())
                .count();
            numeric > 0 && 2 * numeric >= body.len()
        })
        .ok_or_else(no_numeric)
}

/// Whether the first row is a header: `forced` when given, else when a column is chosen by
/// name (`named`) or the value column's first cell is text that is not a number. A header
/// refused (`Some(false)`) while a column is chosen by name is an error.
pub(crate) fn has_header(
    forced: Option<bool>,
    named: bool,
    first_value_cell: &str,
    decimal: u8,
) -> Result<bool, DataError> {
    let cell = first_value_cell.trim();
    match forced {
        Some(false) if named => Err(DataError::arg(
            "header",
            "false",
            "a header row when a column is chosen by name (or choose it by index)",
        )),
        Some(forced) => Ok(forced),
        None => Ok(named || (!cell.is_empty() && parse_number(cell, decimal).is_none())),
    }
}

/// The value of `row`'s cell in `col`; `None` for a missing marker when the policy fills or
/// drops missing values (with `error`, the cell is refused as before policies existed).
pub(crate) fn parse_value(
    row: &Row,
    col: usize,
    column_label: &str,
    missing: MissingPolicy,
    decimal: u8,
) -> Result<Option<f64>, DataError> {
    let cell = row.cells[col].trim();
    if missing != MissingPolicy::Error && is_missing_marker(cell) {
        return Ok(None);
    }
    if cell.is_empty() {
        return Err(DataError::EmptyCell {
            line: row.line,
            column: column_label.to_string(),
            text: row.text(),
        });
    }
    match parse_number(cell, decimal) {
        Some(v) if v.is_finite() => Ok(Some(v)),
        Some(_) => Err(DataError::NotFinite {
            line: row.line,
            column: column_label.to_string(),
            cell: excerpt(cell),
            text: row.text(),
        }),
        None => Err(DataError::NonNumeric {
            line: row.line,
            column: column_label.to_string(),
            cell: excerpt(cell),
            text: row.text(),
        }),
    }
}
