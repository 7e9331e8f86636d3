//! Long-format CSV input: many series in one file, one row per (series id, time, value), the
//! rows in any order. Each series comes back on its own, sorted by time, with its own axis.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::csv_columns::{check_dialect, default_column, has_header, parse_value, resolve};
use crate::csv_input::{covariate_name, resolve_covariates};
use crate::csv_rows::{Row, excerpt, open_capped, read_rows};
use crate::long_series::{Observation, SeriesContext, assemble};
use crate::missing::MissingPolicy;
use crate::time::{DETECTED_FORMATS, TimeFormat, TimeStep};
use crate::{Column, CsvLimits, DataError, Series};

/// Most distinct series ids read from one long file (one million). Why: each series costs a
/// map entry, a [`Series`] and its axis beyond its rows, so a file of a few million one-row
/// series (an id column of unique keys chosen by mistake) is refused rather than ground
/// through. [`LongCsvOptions::max_series`] sets a smaller cap.
pub const MAX_LONG_SERIES: usize = 1_000_000;

/// How to read a long-format CSV file. [`Default`]: the id in column 0, no time column, the
/// default value column, comma-separated, decimal point, missing values refused, header
/// detected, the documented size caps.
#[derive(Debug, Clone, PartialEq)]
pub struct LongCsvOptions {
    /// The series id column. Ids are the cells' text, trimmed: numbers stay text, so `1` and
    /// `01` are two series.
    pub id: Column,
    /// The time column, if any: its cells are read as times (numbers, dates, date-times; one
    /// format for the whole column) to sort each series and give it an axis. Without one,
    /// each series keeps the file's row order and has no time labels.
    pub time: Option<Column>,
    /// The value column; `None` picks the only column other than the id and time columns, or
    /// the last numeric one of them, as [`CsvOptions::column`](crate::CsvOptions::column) does.
    pub value: Option<Column>,
    /// Field delimiter byte (default `b','`); it must differ from `decimal`.
    pub delimiter: u8,
    /// Decimal separator of the values: `b'.'` (default) or `b','` (see
    /// [`CsvOptions::decimal`](crate::CsvOptions::decimal)). Numeric times are always read
    /// with a decimal point.
    pub decimal: u8,
    /// Covariate columns read beside the value column, by header name or 0-based index: each
    /// series' [`Series::covariates`] hold them in this order, named by their header (or index
    /// without one), sorted with the series by time. Each must be another column than the id,
    /// time and value columns, and none may be listed twice. Their cells follow the value
    /// column's rules and [`LongCsvOptions::missing`], per series and per column, and a row is
    /// kept when every column has a value there, observed or filled (as
    /// [`CsvOptions::covariates`](crate::CsvOptions::covariates)). Default: none.
    pub features: Vec<Column>,
    /// What to do with missing values (see [`read_long_csv_path`] for how each policy applies
    /// per series).
    pub missing: MissingPolicy,
    /// Whether the first row is a header: `None` (default) detects it as
    /// [`CsvOptions::header`](crate::CsvOptions::header) does.
    pub header: Option<bool>,
    /// The time column's format; `None` detects it from the first data row's time cell.
    /// Ignored without a time column.
    pub time_format: Option<TimeFormat>,
    /// The regular step of every series; `None` infers each series' step from its own times.
    /// Ignored without a time column.
    pub time_step: Option<TimeStep>,
    /// Size caps of the input (default: the documented caps of the single-series reader).
    pub limits: CsvLimits,
    /// Most distinct series ids (default [`MAX_LONG_SERIES`]).
    pub max_series: usize,
}

impl Default for LongCsvOptions {
    fn default() -> Self {
        LongCsvOptions {
            id: Column::Index(0),
            time: None,
            value: None,
            features: Vec::new(),
            delimiter: b',',
            decimal: b'.',
            missing: MissingPolicy::Error,
            header: None,
            time_format: None,
            time_step: None,
            limits: CsvLimits::default(),
            max_series: MAX_LONG_SERIES,
        }
    }
}

/// One series of a long file.
#[derive(Debug, Clone, PartialEq)]
pub struct LongSeries {
    /// The series id: the id cell's text, trimmed.
    pub id: String,
    /// The values in time order (file order without a time column), with the value column's
    /// header as [`Series::name`], the time labels and the time column's header, the missing
    /// counts, and [`Series::axis`] when the times fall on a regular step. May hold fewer than
    /// two values (even none, when a policy dropped them all): the caller decides what is too
    /// short for its windows.
    pub series: Series,
    /// Why a series with a time column has no axis (its times are not on one regular step, a
    /// step cannot be inferred from a single time, there are rows missing from its step under
    /// [`MissingPolicy::Error`], ...), for the caller to list; `None` when it has an axis or
    /// the file has no time column. Row numbers in it count the series' own rows in time
    /// order, from 1.
    pub axis_note: Option<String>,
}

/// The series of a long file.
#[derive(Debug, Clone, PartialEq)]
pub struct LongData {
    /// Every series, sorted by id in byte order of the id text (so `10` comes before `9`, and
    /// upper case before lower case).
    pub series: Vec<LongSeries>,
    /// The id column's header, when the file has a header row.
    pub id_name: Option<String>,
}

impl LongData {
    /// The series with id `id` (the trimmed text), found by binary search.
    pub fn get(&self, id: &str) -> Option<&LongSeries> {
        self.series
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.series[i])
    }

    /// The ids, in the sorted order of [`LongData::series`].
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.series.iter().map(|s| s.id.as_str())
    }
}

/// Reads every series of the long-format CSV file at `path`.
///
/// The file has one row per observation: a series id, optionally a time, and a value; rows may
/// come in any order and series may interleave. The rules shared with
/// [`read_csv_path`](crate::read_csv_path): header detection, column choice by name or index,
/// equal field counts, the number dialect, the size caps (plus [`LongCsvOptions::max_series`]
/// distinct ids), and errors naming the 1-based line and quoting the row. Besides:
///
/// - An empty id cell is an error naming the line. The id column may not be the time or value
///   column, nor the time column the value column.
/// - A bad value cell (empty under [`MissingPolicy::Error`], not a number, NaN or infinite) is
///   an error naming the line, the column and the series.
/// - With a time column, every time cell must be a time in the column's format (an error names
///   the line and the series otherwise), and each series is sorted by time; one time twice in
///   a series is an error naming the series, the time and both lines. The series' time labels
///   are the cells' text (trimmed). When a series' times fall on a regular step (the given
///   [`LongCsvOptions::time_step`], else the one inferred from its own times) it gets a
///   [`Series::axis`], and its missing rows on that step go through the policy as in
///   [`fill_on_axis`](crate::fill_on_axis): [`MissingPolicy::Error`] accepts no missing row,
///   [`MissingPolicy::Drop`] drops only leading and trailing missing values, and
///   [`MissingPolicy::Ffill`] and [`MissingPolicy::Interpolate`] fill inserted rows (labelled
///   by the axis) like empty cells. When that is not possible the series is not an error for
///   the file: it comes back without an axis, its missing values put through the policy by
///   row (as without a time column), and [`LongSeries::axis_note`] says why.
/// - Without a time column each series keeps the file's order and the policy runs by row
///   ([`fill_missing`](crate::fill_missing)).
/// - A file without data rows is an error; series of any length, even empty, are returned.
/// - More than [`CsvLimits::max_rows`] values over all series once missing rows are inserted
///   is an error, as is a single series that needs more (that one only loses its axis).
pub fn read_long_csv_path(
    path: impl AsRef<Path>,
    options: &LongCsvOptions,
) -> Result<LongData, DataError> {
    let (file, source) = open_capped(path.as_ref(), &options.limits)?;
    read_long_csv_reader(file, &source, options)
}

/// Reads every series of long-format CSV text (see [`read_long_csv_path`] for the rules).
///
/// ```
/// use data::{Column, LongCsvOptions, read_long_csv_str};
///
/// let text = "store,date,sales\nb,2021-01-02,5\na,2021-01-01,1\nb,2021-01-01,4\n";
/// let options = LongCsvOptions {
///     id: Column::Name("store".into()),
///     time: Some(Column::Name("date".into())),
///     ..LongCsvOptions::default()
/// };
/// let data = read_long_csv_str(text, &options)?;
/// assert_eq!(data.ids().collect::<Vec<_>>(), ["a", "b"]);
/// let b = &data.get("b").unwrap().series;
/// assert_eq!(b.values(), [4.0, 5.0]);
/// assert_eq!(b.axis().unwrap().label(2)?, "2021-01-03"); // b's next day
/// // One time leaves no step to infer: a has no axis, and the note says why.
/// assert!(data.get("a").unwrap().axis_note.is_some());
/// # Ok::<(), data::DataError>(())
/// ```
pub fn read_long_csv_str(text: &str, options: &LongCsvOptions) -> Result<LongData, DataError> {
    read_long_csv_reader(text.as_bytes(), "CSV input", options)
}

/// Reads every series of long-format CSV from any reader (see [`read_long_csv_path`] for the
/// rules); `source` names the input in I/O, size and no-data errors.
pub fn read_long_csv_reader<R: Read>(
    reader: R,
    source: &str,
    options: &LongCsvOptions,
) -> Result<LongData, DataError> {
    check_dialect(options.delimiter, options.decimal)?;
    let rows = read_rows(reader, source, options.delimiter, &options.limits)?;
    let no_data = || DataError::NoDataRows {
        source: source.to_string(),
    };
    if rows.is_empty() {
        return Err(no_data());
    }
    let layout = Layout::resolve(&rows, options)?;
    let skip = usize::from(layout.header);
    let Some(first_data) = rows.get(skip) else {
        return Err(no_data());
    };
    let time = match layout.time {
        Some(col) => Some(time_format(first_data, col, options)?),
        None => None,
    };
    let value_label = layout.label(layout.value);
    let feature_labels: Vec<String> = layout.features.iter().map(|&c| layout.label(c)).collect();
    let mut groups: BTreeMap<String, Vec<Observation>> = BTreeMap::new();
    // Each row's cells are freed as it becomes an observation, so the file's text and the
    // observations are not both held in full.
    for row in rows.into_iter().skip(skip) {
        let id = row.cells[layout.id].trim();
        if id.is_empty() {
            return Err(DataError::EmptyCell {
                line: row.line,
                column: layout.label(layout.id),
                text: row.text(),
            });
        }
        let value = parse_value(
            &row,
            layout.value,
            &value_label,
            options.missing,
            options.decimal,
        )
        .map_err(|e| in_series(e, id))?;
        let features = layout
            .features
            .iter()
            .zip(&feature_labels)
            .map(|(&col, label)| {
                parse_value(&row, col, label, options.missing, options.decimal)
                    .map_err(|e| in_series(e, id))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (time_value, label) = match (&time, layout.time) {
            (Some(format), Some(col)) => {
                let cell = row.cells[col].trim();
                let t = format.parse_cell(cell).map_err(|why| DataError::Time {
                    message: format!(
                        "CSV line {}: series '{}': {why} (the format of the column)",
                        row.line,
                        excerpt(id)
                    ),
                })?;
                (Some(t), cell.to_string())
            }
            _ => (None, String::new()),
        };
        let observation = Observation {
            line: row.line,
            time: time_value,
            label,
            value,
            features,
        };
        match groups.get_mut(id) {
            Some(group) => group.push(observation),
            None => {
                if groups.len() >= options.max_series {
                    return Err(DataError::TooLarge {
                        source: source.to_string(),
                        what: "distinct series",
                        limit: options.max_series as u64,
                    });
                }
                groups.insert(id.to_string(), vec![observation]);
            }
        }
    }
    let header_cell = |col: usize| layout.header.then(|| layout.name(col).to_string());
    let context = SeriesContext {
        format: time,
        step: options.time_step,
        missing: options.missing,
        max_rows: options.limits.max_rows,
        value_name: header_cell(layout.value),
        time_name: layout.time.and_then(header_cell),
        features: layout
            .features
            .iter()
            .map(|&c| covariate_name(layout.header, &layout.names, c))
            .collect(),
    };
    let mut series = Vec::with_capacity(groups.len());
    let mut total = 0usize;
    for (id, observations) in groups {
        let one = assemble(id, observations, &context)?;
        total = total.saturating_add(one.series.len());
        if total > options.limits.max_rows {
            return Err(DataError::TooLarge {
                source: source.to_string(),
                what: "values once missing rows are inserted",
                limit: options.limits.max_rows as u64,
            });
        }
        series.push(one);
    }
    Ok(LongData {
        series,
        id_name: header_cell(layout.id),
    })
}

/// Where the id, time and value columns are and whether the first row is a header.
struct Layout {
    id: usize,
    time: Option<usize>,
    value: usize,
    /// The covariate columns, in the order asked for.
    features: Vec<usize>,
    header: bool,
    /// The first row's cells (the header names when `header`).
    names: Vec<String>,
}

impl Layout {
    /// Resolves the columns of `options` against the first row (`rows` is not empty).
    fn resolve(rows: &[Row], options: &LongCsvOptions) -> Result<Layout, DataError> {
        let decimal = options.decimal;
        let id = resolve(&options.id, rows, decimal)?;
        let time = match &options.time {
            Some(col) => Some(resolve(col, rows, decimal)?),
            None => None,
        };
        if time == Some(id) {
            return Err(same_column("id", &options.id, "time"));
        }
        let value = match &options.value {
            Some(col) => resolve(col, rows, decimal)?,
            None => {
                let taken: Vec<usize> = std::iter::once(id).chain(time).collect();
                default_column(rows, decimal, &taken)?
            }
        };
        if value == id {
            return Err(same_column("id", &options.id, "value"));
        }
        if let (Some(t), Some(col)) = (time, &options.time)
            && t == value
        {
            return Err(same_column("time", col, "value"));
        }
        let features = resolve_covariates(&options.features, rows, decimal, value, time)?;
        if let Some(k) = features.iter().position(|&c| c == id) {
            return Err(DataError::Covariate {
                column: options.features[k].to_string(),
                reason: format!(
                    "is the id column (index {id}): a covariate is another input column"
                ),
            });
        }
        let named = [
            Some(&options.id),
            options.time.as_ref(),
            options.value.as_ref(),
        ]
        .into_iter()
        .flatten()
        .chain(&options.features)
        .any(|c| matches!(c, Column::Name(_)));
        let first = &rows[0];
        let header = has_header(options.header, named, &first.cells[value], decimal)?;
        Ok(Layout {
            id,
            time,
            value,
            features,
            header,
            names: first.cells.clone(),
        })
    }

    /// The first row's cell of column `col`, trimmed: its header name when there is a header.
    fn name(&self, col: usize) -> &str {
        self.names.get(col).map_or("", |s| s.trim())
    }

    /// Column `col` as named in messages: `'name'` with a header, else `index N`.
    fn label(&self, col: usize) -> String {
        if self.header {
            format!("'{}'", excerpt(self.name(col)))
        } else {
            format!("index {col}")
        }
    }
}

fn same_column(name: &'static str, column: &Column, other: &str) -> DataError {
    DataError::arg(
        name,
        column,
        &format!("a different column than the {other} column"),
    )
}

/// The time column's format: the given one, or the one of the first data row's cell. With a
/// given step, checks that it fits the column's kind of times (all cells share the format, so
/// the first cell's kind is the column's).
fn time_format(first: &Row, col: usize, options: &LongCsvOptions) -> Result<TimeFormat, DataError> {
    let cell = first.cells[col].trim();
    let format = match &options.time_format {
        Some(f) => f.clone(),
        None => TimeFormat::detect(cell).ok_or_else(|| DataError::Time {
            message: format!(
                "CSV line {}: '{}' is not a time recur reads: expected {DETECTED_FORMATS}",
                first.line,
                excerpt(cell)
            ),
        })?,
    };
    if let Some(step) = options.time_step {
        let kind = format.parse_cell(cell).map_err(|why| DataError::Time {
            message: format!("CSV line {}: {why} (the format of the column)", first.line),
        })?;
        if !step.fits(&kind) {
            return Err(DataError::arg(
                "time_step",
                step,
                &format!("a step for times of kind {} ({kind})", kind.kind_name()),
            ));
        }
    }
    Ok(format)
}

/// A value-cell error with the series named after the column.
fn in_series(e: DataError, id: &str) -> DataError {
    let of = |column: String| format!("{column} of series '{}'", excerpt(id));
    match e {
        DataError::EmptyCell { line, column, text } => DataError::EmptyCell {
            line,
            column: of(column),
            text,
        },
        DataError::NonNumeric {
            line,
            column,
            cell,
            text,
        } => DataError::NonNumeric {
            line,
            column: of(column),
            cell,
            text,
        },
        DataError::NotFinite {
            line,
            column,
            cell,
            text,
        } => DataError::NotFinite {
            line,
            column: of(column),
            cell,
            text,
        },
        other => other,
    }
}
