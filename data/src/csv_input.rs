//! Reading a series from CSV: one value column, optional covariate columns, an optional time
//! column, header detection, and an error with line number and text for every bad row.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::missing::{MissingPolicy, fill_missing, fill_missing_rows, is_missing_marker};
use crate::time_gaps::{TimeGridOptions, fill_on_axis_rows};
use crate::{Column, Covariate, DataError, Series};

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
    /// puts them through [`CsvOptions::missing`] like missing cells (see [`fill_on_axis`]),
    /// and sets [`Series::axis`]. Ignored without a time column.
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
/// rows go through the same policy (see [`fill_on_axis`]). A series with fewer than 2 values (after dropping) is an
/// error. Empty lines are skipped. A delimiter equal to the decimal separator, or a decimal
/// separator other than `.` and `,`, is an error.
pub fn read_csv_path(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Series, DataError> {
    let path = path.as_ref();
    let source = path.display().to_string();
    let io = |e: io::Error| DataError::Io {
        path: source.clone(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(io)?;
    // A regular file's length is known: a too-large one is refused before reading a byte.
    let meta = file.metadata().map_err(io)?;
    if meta.is_file() && meta.len() > options.limits.max_bytes {
        return Err(DataError::TooLarge {
            source: source.clone(),
            what: "bytes",
            limit: options.limits.max_bytes,
        });
    }
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
    check_dialect(options)?;
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
        None => default_column(&rows, decimal)?,
    };
    let first_cell = first.cells[value_col].trim();
    let header = match options.header {
        Some(false) if named => {
            return Err(DataError::arg(
                "header",
                "false",
                "a header row when a column is chosen by name (or choose it by index)",
            ));
        }
        Some(forced) => forced,
        None => named || (!first_cell.is_empty() && parse_number(first_cell, decimal).is_none()),
    };
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
        let column = |k: usize| rows_kept.iter().skip(k).step_by(width).copied().collect();
        let covariates = covariate_cols
            .iter()
            .enumerate()
            .map(|(k, &c)| Covariate {
                name: if header {
                    first.cells[c].trim().to_string()
                } else {
                    c.to_string()
                },
                values: column(k + 1),
            })
            .collect::<Vec<_>>();
        (column(0), covariates)
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

/// The 0-based positions of the covariate columns, each another column than the value and
/// time columns and none listed twice; errors name the column as it was asked for.
fn resolve_covariates(
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

/// Errors if the decimal separator is not `.` or `,`, or equals the delimiter.
pub(crate) fn check_dialect(options: &CsvOptions) -> Result<(), DataError> {
    let (delimiter, decimal) = (options.delimiter, options.decimal);
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

/// One CSV record: its 1-based starting line and its fields as text.
pub(crate) struct Row {
    pub(crate) line: u64,
    pub(crate) cells: Vec<String>,
    /// The file's delimiter, to show the row as it was written.
    delimiter: char,
}

impl Row {
    /// The row as one line of text for messages, shortened and with control characters replaced.
    fn text(&self) -> String {
        excerpt(&self.cells.join(&self.delimiter.to_string()))
    }
}

/// Longest row excerpt quoted in an error message, in characters.
const EXCERPT_CHARS: usize = 80;

pub(crate) fn excerpt(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if clean.chars().count() > EXCERPT_CHARS {
        let cut: String = clean.chars().take(EXCERPT_CHARS).collect();
        format!("{cut}...")
    } else {
        clean
    }
}

/// Reads every record, checking UTF-8 and that all rows have the first row's field count.
pub(crate) fn read_rows<R: Read>(
    reader: R,
    source: &str,
    delimiter: u8,
    limits: &CsvLimits,
) -> Result<Vec<Row>, DataError> {
    let bounded = Bounded {
        inner: reader.take(limits.max_bytes.saturating_add(1)),
        limits: *limits,
        read: 0,
        line_len: 0,
        exceeded: None,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        // Ragged rows are checked below, to report them with our own message.
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(SkipBoms {
            inner: bounded,
            head: Vec::new(),
            started: false,
        });
    let mut record = csv::ByteRecord::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut cells_read = 0usize;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(match reader.get_ref().inner.exceeded {
                    Some((what, limit)) => DataError::TooLarge {
                        source: source.to_string(),
                        what,
                        limit,
                    },
                    None => csv_error(e, source),
                });
            }
        }
        cells_read = cells_read.saturating_add(record.len());
        if rows.len() >= limits.max_rows {
            return Err(DataError::TooLarge {
                source: source.to_string(),
                what: "rows",
                limit: limits.max_rows as u64,
            });
        }
        if cells_read > limits.max_cells {
            return Err(DataError::TooLarge {
                source: source.to_string(),
                what: "cells",
                limit: limits.max_cells as u64,
            });
        }
        let line = record.position().map_or(0, |p| p.line());
        let mut cells = Vec::with_capacity(record.len());
        for field in record.iter() {
            match std::str::from_utf8(field) {
                Ok(s) => cells.push(s.to_string()),
                Err(_) => {
                    let lossy: Vec<String> = record
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect();
                    return Err(DataError::InvalidUtf8 {
                        line,
                        text: excerpt(&lossy.join(&char::from(delimiter).to_string())),
                    });
                }
            }
        }
        let row = Row {
            line,
            cells,
            delimiter: char::from(delimiter),
        };
        if let Some(first) = rows.first()
            && row.cells.len() != first.cells.len()
        {
            return Err(DataError::RaggedRow {
                line,
                expected: first.cells.len(),
                found: row.cells.len(),
                text: row.text(),
            });
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A reader that drops every UTF-8 byte order mark at the start of the input (a BOM is not part
/// of the first header name). Why not the csv crate's own skipping: it only sees a BOM that
/// arrives whole in its first read, so the same file read from a pipe that delivers it in
/// pieces gave another first cell (and other errors). This reads the first three bytes however
/// the source splits them; the csv parser then never sees a leading BOM.
struct SkipBoms<R> {
    inner: R,
    /// The first bytes after the BOMs, read ahead and not yet passed on.
    head: Vec<u8>,
    started: bool,
}

impl<R: Read> Read for SkipBoms<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.started {
            loop {
                let mut head = Vec::with_capacity(BOM.len());
                (&mut self.inner)
                    .take(BOM.len() as u64)
                    .read_to_end(&mut head)?;
                if head != BOM {
                    self.head = head;
                    break;
                }
            }
            self.started = true;
        }
        if !self.head.is_empty() {
            let n = buf.len().min(self.head.len());
            buf[..n].copy_from_slice(&self.head[..n]);
            self.head.drain(..n);
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// A reader that stops with an error once more than `max_bytes` were read or a line grows
/// longer than `max_line_bytes`, recording which cap was hit (the csv parser only passes the
/// I/O error on).
struct Bounded<R> {
    inner: io::Take<R>,
    limits: CsvLimits,
    read: u64,
    line_len: usize,
    exceeded: Option<(&'static str, u64)>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limits.max_bytes {
            self.exceeded = Some(("bytes", self.limits.max_bytes));
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line_len = 0;
            } else {
                self.line_len += 1;
                if self.line_len > self.limits.max_line_bytes {
                    self.exceeded = Some(("bytes in a line", self.limits.max_line_bytes as u64));
                    break;
                }
            }
        }
        match self.exceeded {
            Some(_) => Err(io::Error::other("CSV size cap exceeded")),
            None => Ok(n),
        }
    }
}

fn csv_error(e: csv::Error, source: &str) -> DataError {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => DataError::Io {
            path: source.to_string(),
            message: io.to_string(),
        },
        other => DataError::Csv {
            line,
            message: format!("{other:?}"),
        },
    }
}

/// The columns as listed in errors: `0 'name'` when the first row is a header, else indices.
fn available(rows: &[Row], decimal: u8) -> Vec<String> {
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

/// The only column, or else the last column at least half of whose cells below the first row
/// parse as numbers (NaN and infinity count as numbers here, so that such cells are reported as
/// bad values of the chosen column rather than silently moving the choice to another column).
fn default_column(rows: &[Row], decimal: u8) -> Result<usize, DataError> {
    let width = rows[0].cells.len();
    // With one column, or no row below the first, there is nothing to choose between; the
    // caller then reports the bad cells or the too-short series.
    if width == 1 || rows.len() < 2 {
        return Ok(width - 1);
    }
    let body = &rows[1..];
    (0..width)
        .rev()
        .find(|&j| {
            let numeric = body
                .iter()
                .filter(|r| parse_number(r.cells[j].trim(), decimal).is_some())
                .count();
            numeric > 0 && 2 * numeric >= body.len()
        })
        .ok_or_else(|| DataError::NoNumericColumn {
            available: available(rows, decimal),
        })
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
