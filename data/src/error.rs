//! The one error type of the `data` crate.

use std::fmt;

/// Why a series could not be generated, read, split, windowed or scaled.
///
/// Every message names the argument (or the CSV line and column) and the offending value, and,
/// where there is one, says what to pass instead, so a CLI can print it on one line as is.
#[derive(Debug, Clone, PartialEq)]
pub enum DataError {
    /// An argument is out of its range or could not be parsed.
    InvalidArgument {
        /// The argument's name, e.g. `"n"`, `"step"`, `"split"`.
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// What the argument must be.
        expected: String,
    },
    /// A file could not be opened or read.
    Io {
        /// The path as given.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The CSV parser rejected the input (for example an I/O error while reading).
    Csv {
        /// 1-based line of the problem when known.
        line: Option<u64>,
        /// The parser's message.
        message: String,
    },
    /// A CSV row is not valid UTF-8 (typically binary data instead of text).
    InvalidUtf8 {
        /// 1-based line number.
        line: u64,
        /// The row's text with invalid bytes replaced, shortened.
        text: String,
    },
    /// A time column could not be read as times, or its times are not on a regular step (the
    /// message names the row, the cell and what was expected).
    Time {
        /// What is wrong, with the row and cell.
        message: String,
    },
    /// A CSV row has a different number of fields than the first row.
    RaggedRow {
        /// 1-based line number of the offending row.
        line: u64,
        /// Field count of the first row.
        expected: usize,
        /// Field count of this row.
        found: usize,
        /// The row's text, shortened.
        text: String,
    },
    /// A cell of the value column is empty.
    EmptyCell {
        /// 1-based line number.
        line: u64,
        /// The column, described as `'name'` or `index N`.
        column: String,
        /// The row's text, shortened.
        text: String,
    },
    /// A cell of the value column is not a number.
    NonNumeric {
        /// 1-based line number.
        line: u64,
        /// The column, described as `'name'` or `index N`.
        column: String,
        /// The cell's text.
        cell: String,
        /// The row's text, shortened.
        text: String,
    },
    /// A cell of the value column is NaN or infinite.
    NotFinite {
        /// 1-based line number.
        line: u64,
        /// The column, described as `'name'` or `index N`.
        column: String,
        /// The cell's text.
        cell: String,
        /// The row's text, shortened.
        text: String,
    },
    /// The requested column is not in the file.
    ColumnNotFound {
        /// The column asked for (a name or a 0-based index).
        requested: String,
        /// The columns the file has: header names, or indices when there is no header.
        available: Vec<String>,
    },
    /// A column name matches several columns of the header.
    AmbiguousColumn {
        /// The name asked for.
        name: String,
        /// The 0-based indices of the columns with that name.
        indices: Vec<usize>,
    },
    /// An input is larger than a documented cap (see [`crate::MAX_CSV_BYTES`] and its
    /// siblings).
    TooLarge {
        /// Where the input came from (a path, `"CSV input"`, ...).
        source: String,
        /// What was counted: `"bytes"`, `"bytes in a line"`, `"rows"` or `"cells"`.
        what: &'static str,
        /// The cap.
        limit: u64,
    },
    /// No column of the file holds numbers, so there is no default value column.
    NoNumericColumn {
        /// The columns the file has.
        available: Vec<String>,
    },
    /// A CSV input has no data rows (nothing, or only a header).
    NoDataRows {
        /// Where the input came from (a path, `"CSV input"`, ...).
        source: String,
    },
    /// The series has fewer than two values.
    SeriesTooShort {
        /// Where the series came from (a path, `"CSV input"`, ...).
        source: String,
        /// Number of values found.
        len: usize,
    },
    /// A part of the split holds too few real values for the window length.
    PartTooShort {
        /// `"training"` or `"test"`.
        part: &'static str,
        /// Real values in that part.
        len: usize,
        /// Window length.
        step: usize,
        /// Split index T.
        split: usize,
        /// Length of the whole series.
        n: usize,
    },
    /// Scaling cannot be fitted because the training part has no spread.
    ConstantSeries {
        /// `"minmax"` or `"standard"`.
        scale: &'static str,
        /// The single value of the training part.
        value: f64,
    },
    /// A covariate column (`CsvOptions::covariates`, or a covariate handed to
    /// [`crate::prepare_with_covariates`]) cannot be used.
    Covariate {
        /// The column, described as `'name'` or `index N`.
        column: String,
        /// Why, as the end of a sentence starting with the column (`not found; ...`, `is the
        /// value column ...`).
        reason: String,
    },
    /// Two sequences that must have equal lengths do not.
    LengthMismatch {
        /// What is being compared, e.g. `"predictions and targets"`.
        what: &'static str,
        /// Length of the first.
        left: usize,
        /// Length of the second.
        right: usize,
    },
}

impl DataError {
    /// Shorthand for [`DataError::InvalidArgument`].
    pub(crate) fn arg(name: &'static str, value: impl fmt::Display, expected: &str) -> Self {
        DataError::InvalidArgument {
            name,
            value: value.to_string(),
            expected: expected.to_string(),
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::InvalidArgument {
                name,
                value,
                expected,
            } => write!(f, "invalid {name} = {value}: expected {expected}"),
            DataError::Io { path, message } => write!(f, "cannot read '{path}': {message}"),
            DataError::Time { message } => write!(f, "time column: {message}"),
            DataError::Csv {
                line: Some(line),
                message,
            } => write!(f, "CSV line {line}: {message}"),
            DataError::Csv {
                line: None,
                message,
            } => write!(f, "CSV: {message}"),
            DataError::InvalidUtf8 { line, text } => write!(
                f,
                "CSV line {line}: not valid UTF-8 text (binary data?): \"{text}\""
            ),
            DataError::RaggedRow {
                line,
                expected,
                found,
                text,
            } => write!(
                f,
                "CSV line {line}: {found} field(s) where the first row has {expected}: \"{text}\""
            ),
            DataError::EmptyCell { line, column, text } => {
                write!(
                    f,
                    "CSV line {line}: empty cell in column {column}: \"{text}\""
                )
            }
            DataError::NonNumeric {
                line,
                column,
                cell,
                text,
            } => write!(
                f,
                "CSV line {line}: \"{cell}\" in column {column} is not a number: \"{text}\""
            ),
            DataError::NotFinite {
                line,
                column,
                cell,
                text,
            } => write!(
                f,
                "CSV line {line}: \"{cell}\" in column {column} is not finite (NaN or infinity): \"{text}\""
            ),
            DataError::ColumnNotFound {
                requested,
                available,
            } => write!(
                f,
                "column {requested} not found; available columns: {}",
                list(available)
            ),
            DataError::AmbiguousColumn { name, indices } => write!(
                f,
                "column name '{name}' matches {} columns (0-based indices {}); rename them or choose one by index",
                indices.len(),
                indices
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            DataError::TooLarge {
                source,
                what,
                limit,
            } => write!(
                f,
                "{source}: more than {limit} {what}, the most recur reads (a larger input would \
                 exhaust memory); shorten the input"
            ),
            DataError::NoNumericColumn { available } => write!(
                f,
                "no numeric column found; available columns: {}; choose one with a column name or index",
                list(available)
            ),
            DataError::NoDataRows { source } => {
                write!(
                    f,
                    "{source}: no data rows (the input is empty or only a header)"
                )
            }
            DataError::SeriesTooShort { source, len } => write!(
                f,
                "{source}: the series has {len} value(s); at least 2 are needed"
            ),
            DataError::PartTooShort {
                part,
                len,
                step,
                split,
                n,
            } => {
                if split >= n {
                    write!(
                        f,
                        "split T = {split} is not inside the series of n = {n} values: "
                    )?;
                } else {
                    write!(
                        f,
                        "split T = {split} of n = {n} leaves {len} {part} value(s), but step = {step} needs more than {step}: "
                    )?;
                }
                // Both parts need at least step + 1 values: T in [step + 1, n - step - 1].
                let (lo, hi) = (step + 1, n.saturating_sub(step + 1));
                if lo <= hi {
                    write!(f, "pass a split T between {lo} and {hi}, or a smaller step")
                } else if *n >= 4 {
                    write!(
                        f,
                        "the series is too short for this step; pass a step of at most {}",
                        (n - 2) / 2
                    )
                } else {
                    write!(
                        f,
                        "the series is too short: even step = 1 needs at least 4 values"
                    )
                }
            }
            DataError::ConstantSeries { scale, value } => write!(
                f,
                "cannot fit {scale} scaling: every training value equals {}; use scale none",
                num(*value)
            ),
            DataError::Covariate { column, reason } => {
                write!(f, "covariate column {column} {reason}")
            }
            DataError::LengthMismatch { what, left, right } => {
                write!(f, "{what} have different lengths: {left} and {right}")
            }
        }
    }
}

impl std::error::Error for DataError {}

/// A float for messages: plain for everyday magnitudes (`-1`, `0.02`, `NaN`, `inf`), scientific
/// for huge or tiny ones (`1e300` rather than 301 digits).
pub(crate) fn num(v: f64) -> String {
    let a = v.abs();
    if a.is_finite() && (a >= 1e15 || (a != 0.0 && a < 1e-4)) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items.join(", ")
    }
}
