//! Reading columns of numbers from CSV without a value column: the future values of covariates
//! (`recur forecast --future-csv`), one row per time step after a series' end. The rows, caps,
//! dialect and cell rules are the series reader's ([`crate::read_csv_path`]).

use std::io::Read;
use std::path::Path;

use crate::csv_columns::{check_dialect, has_header, parse_value, resolve};
use crate::csv_rows::{Row, excerpt, open_capped, read_rows};
use crate::{Column, CsvLimits, CsvOptions, DataError, MissingPolicy};

/// How to read a [`CsvTable`]. [`Default`]: no columns (name at least one), comma-separated,
/// decimal point, header detected, the documented size caps.
#[derive(Debug, Clone, PartialEq)]
pub struct TableOptions {
    /// The number columns to read, in this order, by header name or 0-based index; none may
    /// be listed twice.
    pub columns: Vec<Column>,
    /// An optional column of time labels, kept as text (another column than `columns`).
    pub time_column: Option<Column>,
    /// An optional column of series ids, kept as text, trimmed (another column than
    /// `columns` and `time_column`): the long format's id column, for the future values of
    /// many series in one file.
    pub id_column: Option<Column>,
    /// Whether the first row is a header: `None` detects it (a header when a column is chosen
    /// by name, or when the first chosen column's first cell is not a number).
    pub header: Option<bool>,
    /// Field delimiter byte; it must differ from `decimal`.
    pub delimiter: u8,
    /// Decimal separator: `b'.'` or `b','`.
    pub decimal: u8,
    /// Size caps of the input.
    pub limits: CsvLimits,
}

impl Default for TableOptions {
    fn default() -> Self {
        let o = CsvOptions::default();
        TableOptions {
            columns: Vec::new(),
            time_column: None,
            id_column: None,
            header: None,
            delimiter: o.delimiter,
            decimal: o.decimal,
            limits: o.limits,
        }
    }
}

/// Columns of numbers read from CSV, row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvTable {
    /// The columns' names: their header names, or their indices as text without a header.
    pub names: Vec<String>,
    /// Each column's values, one per data row, in the order asked.
    pub columns: Vec<Vec<f64>>,
    /// The time column's cells (trimmed), when one was asked for.
    pub times: Option<Vec<String>>,
    /// The id column's cells (trimmed), when one was asked for.
    pub ids: Option<Vec<String>>,
    /// The 1-based line of each data row, for messages.
    pub lines: Vec<u64>,
}

impl CsvTable {
    /// Number of data rows.
    pub fn rows(&self) -> usize {
        self.lines.len()
    }
}

/// Reads the columns `options` names from the CSV file at `path`. Every cell of those columns
/// must be a finite number: an empty, missing, non-numeric, NaN or infinite cell is an error
/// naming the line and quoting the row (future values are data to be given, not gaps to fill).
/// A file with no data row gives a table of no rows. Errors also for no column asked, a column
/// not found (listing those there are), one listed twice or equal to the time column, ragged
/// rows, and inputs over the size caps.
pub fn read_csv_table_path(
    path: impl AsRef<Path>,
    options: &TableOptions,
) -> Result<CsvTable, DataError> {
    let (file, source) = open_capped(path.as_ref(), &options.limits)?;
    read_table(file, &source, options)
}

/// Reads a table from CSV text (see [`read_csv_table_path`] for the rules).
pub fn read_csv_table_str(text: &str, options: &TableOptions) -> Result<CsvTable, DataError> {
    read_table(text.as_bytes(), "CSV input", options)
}

fn read_table<R: Read>(
    reader: R,
    source: &str,
    options: &TableOptions,
) -> Result<CsvTable, DataError> {
    check_dialect(options.delimiter, options.decimal)?;
    if options.columns.is_empty() {
        return Err(DataError::arg(
            "columns",
            "[]",
            "at least one column to read",
        ));
    }
    let decimal = options.decimal;
    let rows = read_rows(reader, source, options.delimiter, &options.limits)?;
    let Some(first) = rows.first() else {
        return Ok(CsvTable {
            names: options.columns.iter().map(ToString::to_string).collect(),
            columns: vec![Vec::new(); options.columns.len()],
            times: options.time_column.as_ref().map(|_| Vec::new()),
            ids: options.id_column.as_ref().map(|_| Vec::new()),
            lines: Vec::new(),
        });
    };
    let mut cols: Vec<usize> = Vec::with_capacity(options.columns.len());
    for c in &options.columns {
        let col = resolve(c, &rows, decimal)?;
        if cols.contains(&col) {
            return Err(DataError::arg(
                "columns",
                c,
                "each column once (it is listed twice)",
            ));
        }
        cols.push(col);
    }
    let time_col = match &options.time_column {
        Some(c) => Some(resolve(c, &rows, decimal)?),
        None => None,
    };
    if let Some(t) = time_col.filter(|t| cols.contains(t)) {
        return Err(DataError::arg(
            "time_column",
            format!("index {t}"),
            "a different column than the number columns",
        ));
    }
    let id_col = match &options.id_column {
        Some(c) => Some(resolve(c, &rows, decimal)?),
        None => None,
    };
    if let Some(i) = id_col.filter(|i| cols.contains(i) || time_col == Some(*i)) {
        return Err(DataError::arg(
            "id_column",
            format!("index {i}"),
            "a different column than the number and time columns",
        ));
    }
    let named = options
        .columns
        .iter()
        .chain(&options.time_column)
        .chain(&options.id_column)
        .any(|c| matches!(c, Column::Name(_)));
    let header = has_header(options.header, named, &first.cells[cols[0]], decimal)?;
    let label = |col: usize| {
        if header {
            format!("'{}'", excerpt(first.cells[col].trim()))
        } else {
            format!("index {col}")
        }
    };
    let data: &[Row] = if header { &rows[1..] } else { &rows[..] };
    let mut columns = vec![Vec::with_capacity(data.len()); cols.len()];
    for (&c, out) in cols.iter().zip(&mut columns) {
        let l = label(c);
        for row in data {
            // Under policy error every missing cell is refused, so this is always a value.
            if let Some(v) = parse_value(row, c, &l, MissingPolicy::Error, decimal)? {
                out.push(v);
            }
        }
    }
    Ok(CsvTable {
        names: cols
            .iter()
            .map(|&c| {
                if header {
                    first.cells[c].trim().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
        columns,
        times: time_col.map(|t| data.iter().map(|r| r.cells[t].trim().to_string()).collect()),
        ids: id_col.map(|i| data.iter().map(|r| r.cells[i].trim().to_string()).collect()),
        lines: data.iter().map(|r| r.line).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(columns: &[&str], time: Option<&str>) -> TableOptions {
        TableOptions {
            columns: columns.iter().map(|c| c.parse().unwrap()).collect(),
            time_column: time.map(|t| t.parse().unwrap()),
            ..TableOptions::default()
        }
    }

    #[test]
    fn columns_by_name_with_their_times_and_lines() {
        let t = read_csv_table_str(
            "ds,x,z\n2020-01-05,1,10\n2020-01-06,2.5,20\n",
            &opts(&["z", "x"], Some("ds")),
        )
        .unwrap();
        assert_eq!(t.names, vec!["z", "x"]);
        assert_eq!(t.columns, vec![vec![10.0, 20.0], vec![1.0, 2.5]]);
        assert_eq!(t.times.as_deref().unwrap(), ["2020-01-05", "2020-01-06"]);
        assert_eq!((t.rows(), t.lines), (2, vec![2, 3]));
        // By index, without a header.
        let t = read_csv_table_str("5,1\n6,2\n", &opts(&["1"], None)).unwrap();
        assert_eq!(
            (t.names, t.columns),
            (vec!["1".to_string()], vec![vec![1.0, 2.0]])
        );
        // A header alone: no rows.
        let t = read_csv_table_str("ds,x\n", &opts(&["x"], Some("ds"))).unwrap();
        assert_eq!(t.rows(), 0);
    }

    #[test]
    fn an_id_column_is_kept_as_text() {
        let t = read_csv_table_str(
            "id,ds,x\n a ,1,2\nb,1,3\n",
            &TableOptions {
                id_column: Some("id".parse().unwrap()),
                ..opts(&["x"], Some("ds"))
            },
        )
        .unwrap();
        assert_eq!(t.ids.as_deref().unwrap(), ["a", "b"]);
        assert_eq!(t.columns, vec![vec![2.0, 3.0]]);
        let e = read_csv_table_str(
            "id,x\na,2\n",
            &TableOptions {
                id_column: Some("x".parse().unwrap()),
                ..opts(&["x"], None)
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("id_column"), "{e}");
    }

    #[test]
    fn refusals_name_the_column_or_line() {
        let e = read_csv_table_str("ds,x\n1,2\n", &opts(&["q"], None))
            .unwrap_err()
            .to_string();
        assert!(e.contains("'q' not found") && e.contains("1 'x'"), "{e}");
        let e = read_csv_table_str("ds,x\n1,\n", &opts(&["x"], None))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("empty"), "{e}");
        let e = read_csv_table_str("ds,x\n1,NA\n", &opts(&["x"], None))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a number"), "{e}");
        assert!(read_csv_table_str("ds,x\n1,2\n", &opts(&["x", "1"], None)).is_err());
        assert!(read_csv_table_str("ds,x\n1,2\n", &opts(&["x"], Some("x"))).is_err());
        assert!(read_csv_table_str("ds,x\n1,2\n", &opts(&[], None)).is_err());
    }
}
