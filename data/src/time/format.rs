//! How a time column is written: detected from its first cell (a documented set of formats) or
//! given as a strftime-style format, then applied to every cell.

use jiff::civil::{Date, DateTime};
use jiff::fmt::strtime;
use serde::{Deserialize, Serialize};

use super::TimeValue;
use crate::DataError;

/// The format of a time column. Detected formats, tried in this order on the first cell:
///
/// | format | example | value |
/// | --- | --- | --- |
/// | [`TimeFormat::Number`] | `1871`, `0.5` | the number |
/// | [`TimeFormat::Quarter`] | `1959Q1`, `1959-Q1` | first day of the quarter |
/// | [`TimeFormat::Month`] | `2020-03` | first day of the month |
/// | [`TimeFormat::Date`] | `2020-03-31` | the date |
/// | [`TimeFormat::SlashDate`] | `2020/03/31` | the date |
/// | [`TimeFormat::DateTime`] | `2020-03-31T12:00`, `2020-03-31 12:00:05.5`, `...Z`, `...+01:00` | the date-time |
///
/// Anything else needs [`TimeFormat::Custom`]. Every cell of a column must be in the format of
/// its first cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeFormat {
    /// Plain numbers.
    Number,
    /// `YYYYQn` or `YYYY-Qn` (read as the quarter's first day).
    Quarter,
    /// `YYYY-MM` (read as the month's first day).
    Month,
    /// ISO `YYYY-MM-DD`.
    Date,
    /// `YYYY/MM/DD`.
    SlashDate,
    /// ISO 8601 date-time with `T` or a space between date and time, seconds and fraction
    /// optional, and an optional UTC offset (`Z` or `+HH:MM`) that every cell must share.
    DateTime {
        /// The common offset as written (`Z`, `+01:00`), if any.
        offset: Option<String>,
    },
    /// A strftime-style format (jiff's `strtime`, for example `%d.%m.%Y` or `%m/%d/%Y %H:%M`):
    /// a date-time when it has an hour, else a date.
    Custom(String),
}

/// What the detected formats are, for messages.
pub const DETECTED_FORMATS: &str = "a number, YYYY-MM-DD, YYYY/MM/DD, YYYY-MM, YYYYQn or an ISO \
     date-time such as 2020-03-31T12:00 (or give a strftime-style format such as %d.%m.%Y)";

impl TimeFormat {
    /// Checks a strftime-style format: it must write and read back a date (so it has a year and
    /// a day, and no time-zone directive). Errors say why.
    pub fn custom(format: &str) -> Result<TimeFormat, DataError> {
        let bad = |why: String| DataError::arg("time_format", format!("'{format}'"), &why);
        if !format.contains('%') {
            return Err(bad(
                "a strftime-style format with % directives, such as %d.%m.%Y".into(),
            ));
        }
        let sample = jiff::civil::date(2001, 2, 3).at(4, 5, 6, 0);
        let text = strtime::format(format, sample)
            .map_err(|e| bad(format!("a format recur can write dates with ({e})")))?;
        let f = TimeFormat::Custom(format.to_string());
        let back = f
            .parse_cell(&text)
            .map_err(|e| bad(format!("a format that reads back a whole date ({e})")))?;
        if back.date() != Some(sample.date()) {
            return Err(bad(
                "a format with the year, month and day (such as %d.%m.%Y)".into(),
            ));
        }
        Ok(f)
    }

    /// The format of `cell`, if it is one of the detected formats.
    pub fn detect(cell: &str) -> Option<TimeFormat> {
        let cell = cell.trim();
        if cell.parse::<f64>().is_ok_and(f64::is_finite) {
            return Some(TimeFormat::Number);
        }
        let candidates = [
            TimeFormat::Quarter,
            TimeFormat::Month,
            TimeFormat::Date,
            TimeFormat::SlashDate,
            TimeFormat::DateTime {
                offset: split_offset(cell).1.map(str::to_string),
            },
        ];
        candidates.into_iter().find(|f| f.parse_cell(cell).is_ok())
    }

    /// Parses one cell; the error says what was expected.
    pub fn parse_cell(&self, cell: &str) -> Result<TimeValue, String> {
        let cell = cell.trim();
        let fail = |what: &str| format!("'{cell}' is not {what}");
        match self {
            TimeFormat::Number => match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(TimeValue::Number(v)),
                _ => Err(fail("a finite number")),
            },
            TimeFormat::Quarter => {
                parse_quarter(cell).ok_or_else(|| fail("a quarter such as 1959Q1"))
            }
            TimeFormat::Month => parse_month(cell).ok_or_else(|| fail("a month such as 2020-03")),
            TimeFormat::Date => parse_ymd(cell, '-').ok_or_else(|| fail("a date YYYY-MM-DD")),
            TimeFormat::SlashDate => parse_ymd(cell, '/').ok_or_else(|| fail("a date YYYY/MM/DD")),
            TimeFormat::DateTime { offset } => {
                let (body, found) = split_offset(cell);
                if found != offset.as_deref() {
                    return Err(fail(&format!(
                        "an ISO date-time with the column's UTC offset ({})",
                        offset.as_deref().unwrap_or("none")
                    )));
                }
                // A bare date is a date, not a date-time at midnight.
                if !body.contains(['T', ' ']) {
                    return Err(fail("an ISO date-time such as 2020-03-31T12:00"));
                }
                body.replacen(' ', "T", 1)
                    .parse::<DateTime>()
                    .map(TimeValue::DateTime)
                    .map_err(|_| fail("an ISO date-time such as 2020-03-31T12:00"))
            }
            TimeFormat::Custom(format) => {
                let what = || fail(&format!("a time in the format '{format}'"));
                let tm = strtime::parse(format, cell).map_err(|_| what())?;
                if tm.hour().is_some() {
                    tm.to_datetime()
                        .map(TimeValue::DateTime)
                        .map_err(|_| what())
                } else {
                    tm.to_date().map(TimeValue::Date).map_err(|_| what())
                }
            }
        }
    }

    /// The text written for `value` in output files: the number, `YYYY-MM-DD`, or the ISO
    /// date-time followed by the column's offset.
    pub fn write(&self, value: &TimeValue) -> String {
        match (self, value) {
            (TimeFormat::DateTime { offset: Some(o) }, TimeValue::DateTime(_)) => {
                format!("{value}{o}")
            }
            _ => value.to_string(),
        }
    }
}

/// Parses a whole time column: in `format`, or else in the format detected from its first cell.
/// Errors name the 1-based data row and the cell.
pub fn parse_times(
    labels: &[String],
    format: Option<&TimeFormat>,
) -> Result<(TimeFormat, Vec<TimeValue>), DataError> {
    let Some(first) = labels.first() else {
        return Err(DataError::Time {
            message: "no times to read".into(),
        });
    };
    let format = match format {
        Some(f) => f.clone(),
        None => TimeFormat::detect(first).ok_or_else(|| DataError::Time {
            message: format!(
                "data row 1: '{}' is not a time recur reads: expected {DETECTED_FORMATS}",
                first.trim()
            ),
        })?,
    };
    let values = labels
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            format.parse_cell(cell).map_err(|why| DataError::Time {
                message: format!("data row {}: {why} (the format of the column)", i + 1),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((format, values))
}

/// Splits a trailing `Z` or `+HH:MM`/`-HH:MM` offset off a date-time's text.
fn split_offset(cell: &str) -> (&str, Option<&str>) {
    if let Some(body) = cell.strip_suffix('Z') {
        return (body, Some("Z"));
    }
    if cell.len() > 6 && cell.is_char_boundary(cell.len() - 6) {
        let (body, tail) = cell.split_at(cell.len() - 6);
        let b = tail.as_bytes();
        let digits = |i: usize| b[i].is_ascii_digit();
        // The date's own `-DD` never sits here: an offset follows a time, so `body` has a `:`.
        if matches!(b[0], b'+' | b'-')
            && digits(1)
            && digits(2)
            && b[3] == b':'
            && digits(4)
            && digits(5)
            && body.contains(':')
        {
            return (body, Some(tail));
        }
    }
    (cell, None)
}

fn number<T: std::str::FromStr>(text: &str, len: std::ops::RangeInclusive<usize>) -> Option<T> {
    (len.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn parse_ymd(cell: &str, sep: char) -> Option<TimeValue> {
    let mut parts = cell.split(sep);
    let y = number::<i16>(parts.next()?, 4..=4)?;
    let m = number::<i8>(parts.next()?, 1..=2)?;
    let d = number::<i8>(parts.next()?, 1..=2)?;
    if parts.next().is_some() {
        return None;
    }
    Date::new(y, m, d).ok().map(TimeValue::Date)
}

fn parse_month(cell: &str) -> Option<TimeValue> {
    let (y, m) = cell.split_once('-')?;
    let (y, m) = (number::<i16>(y, 4..=4)?, number::<i8>(m, 2..=2)?);
    Date::new(y, m, 1).ok().map(TimeValue::Date)
}

fn parse_quarter(cell: &str) -> Option<TimeValue> {
    let (y, q) = cell.split_once(['Q', 'q'])?;
    let y = number::<i16>(y.strip_suffix('-').unwrap_or(y), 4..=4)?;
    let q = number::<i8>(q, 1..=1).filter(|q| (1..=4).contains(q))?;
    Date::new(y, 3 * q - 2, 1).ok().map(TimeValue::Date)
}
