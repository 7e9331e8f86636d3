//! One time value of a time column: a plain number, a civil date or a civil date-time.

use std::cmp::Ordering;
use std::fmt;

use jiff::civil::{Date, DateTime};

/// One parsed time: a plain number (a year such as `1871`, a sample index), a civil date, or a
/// civil date-time (no time zone; a column's common UTC offset is kept by its
/// [`crate::time::TimeFormat`]). Values of one column are all of one kind.
///
/// Ordered by time within a kind (numbers by [`f64::total_cmp`]); across kinds numbers come
/// before dates and dates before date-times, so the order is total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeValue {
    /// A plain number (finite).
    Number(f64),
    /// A calendar date.
    Date(Date),
    /// A calendar date and time of day.
    DateTime(DateTime),
}

impl TimeValue {
    /// The kind's name, for messages: `number`, `date` or `date-time`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            TimeValue::Number(_) => "number",
            TimeValue::Date(_) => "date",
            TimeValue::DateTime(_) => "date-time",
        }
    }

    /// The calendar date, for dates and date-times.
    pub fn date(&self) -> Option<Date> {
        match self {
            TimeValue::Number(_) => None,
            TimeValue::Date(d) => Some(*d),
            TimeValue::DateTime(dt) => Some(dt.date()),
        }
    }

    /// Parses the text [`TimeValue`]'s `Display` writes: a number, `YYYY-MM-DD` or an ISO
    /// date-time `YYYY-MM-DDTHH:MM:SS[.f]`. Errors name the text.
    pub fn parse_canonical(text: &str) -> Result<TimeValue, String> {
        let t = text.trim();
        if let Ok(v) = t.parse::<f64>() {
            return if v.is_finite() {
                Ok(TimeValue::Number(v))
            } else {
                Err(format!("'{t}' is not a finite number"))
            };
        }
        if t.contains('T') {
            t.parse::<DateTime>()
                .map(TimeValue::DateTime)
                .map_err(|e| format!("'{t}' is not an ISO date-time: {e}"))
        } else {
            t.parse::<Date>()
                .map(TimeValue::Date)
                .map_err(|e| format!("'{t}' is not a YYYY-MM-DD date: {e}"))
        }
    }

    fn rank(&self) -> u8 {
        match self {
            TimeValue::Number(_) => 0,
            TimeValue::Date(_) => 1,
            TimeValue::DateTime(_) => 2,
        }
    }
}

impl Eq for TimeValue {}

impl PartialOrd for TimeValue {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TimeValue {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (TimeValue::Number(a), TimeValue::Number(b)) => a.total_cmp(b),
            (TimeValue::Date(a), TimeValue::Date(b)) => a.cmp(b),
            (TimeValue::DateTime(a), TimeValue::DateTime(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// Numbers as the shortest text that reads back the same (`1871`, not `1871.0`; below a million
/// rounded to nine decimals), dates as
/// `YYYY-MM-DD`, date-times as ISO 8601 `YYYY-MM-DDTHH:MM:SS` (with a fraction only when there
/// is one).
impl fmt::Display for TimeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Stepping by a decimal step such as 0.1 leaves binary rounding error
            // (0.30000000000000004): nine decimals are more than a time column has.
            TimeValue::Number(v) if v.abs() < 1e6 => write!(f, "{}", (v * 1e9).round() / 1e9),
            TimeValue::Number(v) => write!(f, "{v}"),
            TimeValue::Date(d) => write!(f, "{d}"),
            TimeValue::DateTime(dt) => write!(f, "{dt}"),
        }
    }
}

impl serde::Serialize for TimeValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for TimeValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        TimeValue::parse_canonical(&text).map_err(serde::de::Error::custom)
    }
}
