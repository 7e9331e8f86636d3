//! Reading a series from CSV: one value column, optional covariate columns, an optional time
//! column, header detection, and an error with line number and text for every bad row.

use std::io::Read;
use std::path::Path;

use crate::covariates::split_rows;
use crate::csv_columns::{check_dialect, default_column, has_header, parse_value, resolve};
use crate::csv_rows::{Row, excerpt, open_capped, read_rows};
use crate::missing::{MissingPolicy, fill_missing, fill_missing_rows};
use crate::time_gaps::{TimeGridOptions, fill_on_axis_rows};
use crate::{Column, DataError, Series};

/// Largest CSV input read, in bytes (1 GiB). Why: a larger file, or an endless one such as
/// `/dev/zero`, would otherwise be read until memory runs out. Input is read through
/// `Read::take`, so non-regular files stop at this size too.
pub const MAX_CSV_BYTES: u64 = 1 << 30;

/// Longest CSV line, in bytes (1 MiB): a series' row is a few fields, and a file without line
/// breaks (binary junk, `/dev/zero`) is refused after this much instead of as one huge record.
pub const MAX_CSV_LINE_BYTES: usize = 1 << 20;

/// Most CSV rows read (10 million, header included): each row is held as text until the
/// columns are chosen, at roughly a hundred bytes of memory per row.
pub const MAX_CSV_ROWS: usize = 10_000_000;

/// Most CSV cells read (rows times fields, 20 million): each cell is held as its own string
/// until the columns are chosen, so wide files are bounded by their cells, not their rows.
pub const MAX_CSV_CELLS: usize = 20_000_000;

/// The size caps of a CSV read. [`Default`] is the documented caps ([`MAX_CSV_BYTES`],
/// [`MAX_CSV_LINE_BYTES`], [`MAX_CSV_ROWS`], [`MAX_CSV_CELLS`]); smaller ones are for callers
/// (and tests) that want to refuse sooner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvLimits {
    /// Most bytes read.
    pub max_bytes: u64,
    /// Longest line, in bytes.
    pub max_line_bytes: usize,
    /// Most rows (header included).
    pub max_rows: usize,
    /// Most cells (rows times fields).
    pub max_cells: usize,
}

impl Default for CsvLimits {
    fn default() -> Self {
        CsvLimits {
            max_bytes: MAX_CSV_BYTES,
            max_line_bytes: MAX_CSV_LINE_BYTES,
            max_rows: MAX_CSV_ROWS,
            max_cells: MAX_CSV_CELLS,
        }
    }
}

/// How to read a CSV series. [`Default`]: comma-separated, decimal point, default value column,
/// no time column, missing values refused.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvOptions {
    /// The value column; `None` picks the only numeric column, or the last one if there are
    /// several. A column is numeric when most of its cells below the first row parse as numbers.
    pub column: Option<Column>,
    /// An optional column of time labels (dates, times, anything), kept as text.
    pub time_column: Option<Column>,
    /// Covariate columns read beside the value column ([`Series::covariates`], in this
    /// order), by header name or index. Each must be another column than the value and time
    /// columns, and none may be listed twice (by name or index). Their cells follow the value
    /// column's rules and [`CsvOptions::missing`]: a row is kept when every column has a value
    /// there, observed or filled. Default: none.
    pub covariates: Vec<Column>,
    /// Whether (and how) to read the time column as times on a regular step: `None` (default)
    /// keeps its labels as text; `Some` parses them, finds the missing rows of the step and
    /// puts them through [`CsvOptions::missing`] like missing cells (see
    /// [`fill_on_axis`](crate::fill_on_axis)), and sets [`Series::axis`]. Ignored without a
    /// time column.
    pub time_grid: Option<TimeGridOptions>,
    /// Field delimiter byte (default `b','`); it must differ from `decimal`.
    pub delimiter: u8,
    /// Decimal separator of the numbers: `b'.'` (default) or `b','`. With `b','` a number
    /// holding a `.` (a thousands separator) is not a number.
    pub decimal: u8,
    /// What to do with missing values in the value column (see [`MissingPolicy`]).
    pub missing: MissingPolicy,
    /// Whether the first row is a header: `None` (default) detects it, `Some(true)` forces one
    /// (say, for a numeric header like `2020`), `Some(false)` reads the first row as data.
    pub header: Option<bool>,
    /// Size caps of the input (default: the documented caps).
    pub limits: CsvLimits,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            column: None,
            time_column: None,
            covariates: Vec::new(),
            time_grid: None,
            delimiter: b',',
            decimal: b'.',
            missing: MissingPolicy::Error,
            header: None,
            limits: CsvLimits::default(),
        }
    }
}

/// Reads a series from the CSV file at `path`.
///
/// Unless [`CsvOptions::header`] says otherwise, the first row is a header when the value
/// column's first cell is text that is not a number, or when a column is chosen by name. Every
/// row must have as many fields as the first. Each value cell must be a finite number: empty,
/// non-numeric, NaN and infinite cells are errors naming the 1-based line and quoting the row,
/// except that with a [`CsvOptions::missing`] policy other than `error` the missing markers
/// (empty, `NA`, `NaN`, ... see [`MissingPolicy`]) are filled or dropped as it says, and
/// [`Series::missing`] counts them. With [`CsvOptions::time_grid`] the time column's missing
/// rows go through the same policy (see [`fill_on_axis`](crate::fill_on_axis)). A series with
/// fewer than 2 values (after dropping) is an error. Empty lines are skipped. A delimiter equal
/// to the decimal separator, or a decimal separator other than `.` and `,`, is an error.
pub fn read_csv_path(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Series, DataError> {
    let (file, source) = open_capped(path.as_ref(), &options.limits)?;
    read_csv_reader(file, &source, options)
}

/// Reads a series from CSV text (see [`read_csv_path`] for the rules).
pub fn read_csv_str(text: &str, options: &CsvOptions) -> Result<Series, DataError> {
    read_csv_reader(text.as_bytes(), "CSV input", options)
}

/// Reads a series from any reader of CSV bytes (see [`read_csv_path`] for the rules); `source`
/// names the input in I/O and too-short errors.
pub fn read_csv_reader<R: Read>(
    reader: R,
    source: &str,
    options: &CsvOptions,
) -> Result<Series, DataError> {
    check_dialect(options.delimiter, options.decimal)?;
    let decimal = options.decimal;
    let rows = read_rows(reader, source, options.delimiter, &options.limits)?;
    let Some(first) = rows.first() else {
        return Err(DataError::SeriesTooShort {
            source: source.to_string(),
            len: 0,
        });
    };
    let named = matches!(options.column, Some(Column::Name(_)))
        || matches!(options.time_column, Some(Column::Name(_)))
        || options
            .covariates
            .iter()
            .any(|c| matches!(c, Column::Name(_)));
    let value_col = match &options.column {
        Some(col) => resolve(col, &rows, decimal)?,
        None => default_column(&rows, decimal, &[])?,
    };
    let header = has_header(options.header, named, &first.cells[value_col], decimal)?;
    let time_col = match &options.time_column {
        Some(col) => Some(resolve(col, &rows, decimal)?),
        None => None,
    };
    if time_col == Some(value_col) {
        return Err(DataError::arg(
            "time_column",
            options
                .time_column
                .as_ref()
                .map_or(String::new(), |c| c.to_string()),
            "a different column than the value column",
        ));
    }
    let covariate_cols =
        resolve_covariates(&options.covariates, &rows, decimal, value_col, time_col)?;
    let label = |col: usize| {
        if header {
            format!("'{}'", excerpt(first.cells[col].trim()))
        } else {
            format!("index {col}")
        }
    };
    let column_label = label(value_col);
    let data = if header { &rows[1..] } else { &rows[..] };
    // One row of cells per data row: the value, then each covariate (row-major).
    let width = 1 + covariate_cols.len();
    let mut cells = Vec::with_capacity(data.len() * width);
    if width == 1 {
        for row in data {
            cells.push(parse_value(
                row,
                value_col,
                &column_label,
                options.missing,
                decimal,
            )?);
        }
    } else {
        let labels: Vec<String> = covariate_cols.iter().map(|&c| label(c)).collect();
        for row in data {
            cells.push(parse_value(
                row,
                value_col,
                &column_label,
                options.missing,
                decimal,
            )?);
            for (&c, l) in covariate_cols.iter().zip(&labels) {
                cells.push(parse_value(row, c, l, options.missing, decimal)?);
            }
        }
    }
    let times: Option<Vec<String>> = time_col.map(|tc| {
        data.iter()
            .map(|r| r.cells[tc].trim().to_string())
            .collect()
    });
    let (rows_kept, times, counts, axis) = match (times, &options.time_grid) {
        // Fewer than two rows are too short whatever their times say.
        (Some(labels), Some(grid)) if labels.len() >= 2 => {
            let f = fill_on_axis_rows(
                &cells,
                width,
                &labels,
                grid,
                options.missing,
                options.limits.max_rows,
            )?;
            (f.values, Some(f.times), f.counts, Some(f.axis))
        }
        // parse_value refused every missing cell already.
        (times, _) if options.missing == MissingPolicy::Error => (
            cells.into_iter().flatten().collect(),
            times,
            Default::default(),
            None,
        ),
        (times, _) if width == 1 => {
            let f = fill_missing(&cells, times.as_deref(), options.missing)?;
            (f.values, f.times, f.counts, None)
        }
        (times, _) => {
            let f = fill_missing_rows(&cells, width, times.as_deref(), options.missing)?;
            (f.values, f.times, f.counts, None)
        }
    };
    let (values, covariates) = if width == 1 {
        (rows_kept, Vec::new())
    } else {
        let names = covariate_cols
            .iter()
            .map(|&c| covariate_name(header, &first.cells, c))
            .collect();
        split_rows(&rows_kept, names)
    };
    if values.len() < 2 {
        return Err(DataError::SeriesTooShort {
            source: source.to_string(),
            len: values.len(),
        });
    }
    let mut series = Series::new(values)
        .with_missing(counts)
        .with_covariates(covariates)?;
    if let Some(axis) = axis {
        series = series.with_axis(axis);
    }
    if header {
        series = series.with_name(first.cells[value_col].trim());
    }
    if let Some(times) = times {
        series = series.with_times(times)?;
        if let (true, Some(tc)) = (header, time_col) {
            series = series.with_time_name(first.cells[tc].trim());
        }
    }
    Ok(series)
}

/// A covariate's name: its header cell (trimmed) with a header, else its 0-based index.
pub(crate) fn covariate_name(header: bool, first: &[String], col: usize) -> String {
    if header {
        first[col].trim().to_string()
    } else {
        col.to_string()
    }
}

/// The 0-based positions of the covariate columns, each another column than the value and
/// time columns and none listed twice; errors name the column as it was asked for.
pub(crate) fn resolve_covariates(
    covariates: &[Column],
    rows: &[Row],
    decimal: u8,
    value_col: usize,
    time_col: Option<usize>,
) -> Result<Vec<usize>, DataError> {
    let mut cols: Vec<usize> = Vec::with_capacity(covariates.len());
    for c in covariates {
        let bad = |reason: String| DataError::Covariate {
            column: c.to_string(),
            reason,
        };
        let col = match resolve(c, rows, decimal) {
            Ok(col) => col,
            Err(DataError::ColumnNotFound { available, .. }) => {
                return Err(bad(format!(
                    "not found; available columns: {}",
                    available.join(", ")
                )));
            }
            Err(e) => return Err(bad(format!("cannot be chosen: {e}"))),
        };
        if col == value_col {
            return Err(bad(format!(
                "is the value column (index {col}): a covariate is another input column"
            )));
        }
        if time_col == Some(col) {
            return Err(bad(format!(
                "is the time column (index {col}): a covariate holds numbers"
            )));
        }
        if let Some(j) = cols.iter().position(|&o| o == col) {
            return Err(bad(if covariates[j] == *c {
                "is listed twice".to_string()
            } else {
                format!(
                    "is the column listed before as {} (index {col}): each covariate once",
                    covariates[j]
                )
            }));
        }
        cols.push(col);
    }
    Ok(cols)
}
