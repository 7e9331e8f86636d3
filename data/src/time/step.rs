//! The regular step between times: a number, whole days, calendar months or whole seconds;
//! stepping a time forward, counting the steps between two times, and inferring the step.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, DateTime};
use jiff::{SignedDuration, Span};

use super::TimeValue;
use crate::DataError;

/// The regular step of a time column. Months (and years, 12 months) are calendar steps:
/// 2020-01-31 plus one month is 2020-02-29, never a fixed number of seconds. Days are calendar
/// days of civil dates (no time zone, so always 24 hours).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeStep {
    /// A step between plain numbers (positive, finite).
    Number(f64),
    /// Whole days (`1d`, `7d`, `1w`).
    Days(i64),
    /// Calendar months (`1mo`, `3mo`, `1q`, `1y` = 12 months).
    Months(i64),
    /// Whole seconds, for date-times (`1h`, `15min`, `30s`).
    Seconds(i64),
}

/// The step texts [`TimeStep::from_str`] reads, for messages.
pub const STEP_FORMS: &str = "a positive number with a unit: d (days), w (weeks), mo (months), \
     q (quarters), y (years), h, min, s (for date-times), or a plain number for numeric times; \
     for example 1d, 7d, 1mo, 3mo, 1y, 1h, 0.5";

impl FromStr for TimeStep {
    type Err = DataError;

    /// Reads `1d`, `7d`, `2w`, `1mo`, `3mo`, `1q`, `1y`, `1h`, `15min`, `30s` or a plain
    /// positive number.
    fn from_str(text: &str) -> Result<Self, DataError> {
        let t = text.trim();
        let bad = || DataError::arg("time_step", format!("'{text}'"), STEP_FORMS);
        if let Ok(v) = t.parse::<f64>() {
            return if v.is_finite() && v > 0.0 {
                Ok(TimeStep::Number(v))
            } else {
                Err(bad())
            };
        }
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (count, unit) = t.split_at(split);
        let n: i64 = count.parse().map_err(|_| bad())?;
        // Bounds keep every multiple used in arithmetic far from i64 overflow (jiff's own
        // ranges are smaller still and are checked where times are stepped).
        if n <= 0 || n > 1_000_000 {
            return Err(bad());
        }
        Ok(match unit {
            "d" => TimeStep::Days(n),
            "w" => TimeStep::Days(7 * n),
            "mo" => TimeStep::Months(n),
            "q" => TimeStep::Months(3 * n),
            "y" => TimeStep::Months(12 * n),
            "h" => TimeStep::Seconds(3600 * n),
            "min" => TimeStep::Seconds(60 * n),
            "s" => TimeStep::Seconds(n),
            _ => return Err(bad()),
        })
    }
}

/// The shortest text that [`TimeStep::from_str`] reads back: `1y`, `3mo`, `7d`, `1h`, `90s`, or
/// the number.
impl fmt::Display for TimeStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TimeStep::Number(v) => write!(f, "{v}"),
            TimeStep::Days(d) => write!(f, "{d}d"),
            TimeStep::Months(m) if m % 12 == 0 => write!(f, "{}y", m / 12),
            TimeStep::Months(m) => write!(f, "{m}mo"),
            TimeStep::Seconds(s) if s % 3600 == 0 => write!(f, "{}h", s / 3600),
            TimeStep::Seconds(s) if s % 60 == 0 => write!(f, "{}min", s / 60),
            TimeStep::Seconds(s) => write!(f, "{s}s"),
        }
    }
}

impl serde::Serialize for TimeStep {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for TimeStep {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl TimeStep {
    /// Whether this step applies to `value`'s kind (numbers take a number step, dates take
    /// days or months, date-times any calendar or clock step).
    pub fn fits(&self, value: &TimeValue) -> bool {
        matches!(
            (self, value),
            (TimeStep::Number(_), TimeValue::Number(_))
                | (TimeStep::Days(_) | TimeStep::Months(_), TimeValue::Date(_))
                | (
                    TimeStep::Days(_) | TimeStep::Months(_) | TimeStep::Seconds(_),
                    TimeValue::DateTime(_)
                )
        )
    }

    /// `value` moved `k` steps (k may be negative). With `month_end`, month steps land on the
    /// last day of the month (a series of month ends stays one). `None` when the step does not
    /// fit the value's kind or the result is out of jiff's range (years -9999 to 9999).
    pub fn advance(&self, value: &TimeValue, k: i64, month_end: bool) -> Option<TimeValue> {
        let months = |d: Date, m: i64| -> Option<Date> {
            let span = Span::new().try_months(m).ok()?;
            if month_end {
                // From the first of the month, so that a short month does not clamp the day.
                let first = d.first_of_month().checked_add(span).ok()?;
                Some(first.last_of_month())
            } else {
                d.checked_add(span).ok()
            }
        };
        match (*self, *value) {
            (TimeStep::Number(s), TimeValue::Number(v)) => {
                let t = v + k as f64 * s;
                t.is_finite().then_some(TimeValue::Number(t))
            }
            (TimeStep::Days(d), TimeValue::Date(v)) => v
                .checked_add(Span::new().try_days(d.checked_mul(k)?).ok()?)
                .ok()
                .map(TimeValue::Date),
            (TimeStep::Months(m), TimeValue::Date(v)) => {
                months(v, m.checked_mul(k)?).map(TimeValue::Date)
            }
            (TimeStep::Days(d), TimeValue::DateTime(v)) => v
                .checked_add(SignedDuration::from_hours(
                    d.checked_mul(k)?.checked_mul(24)?,
                ))
                .ok()
                .map(TimeValue::DateTime),
            (TimeStep::Seconds(s), TimeValue::DateTime(v)) => v
                .checked_add(SignedDuration::from_secs(s.checked_mul(k)?))
                .ok()
                .map(TimeValue::DateTime),
            (TimeStep::Months(m), TimeValue::DateTime(v)) => months(v.date(), m.checked_mul(k)?)
                .map(|d| TimeValue::DateTime(DateTime::from_parts(d, v.time()))),
            _ => None,
        }
    }

    /// How many steps lead from `a` to `b`, when `b` is exactly on `a`'s grid (`None`
    /// otherwise, or when the step does not fit their kind). Negative when `b` is before `a`.
    pub fn steps_between(&self, a: &TimeValue, b: &TimeValue, month_end: bool) -> Option<i64> {
        let k = match (*self, *a, *b) {
            (TimeStep::Number(s), TimeValue::Number(x), TimeValue::Number(y)) => {
                let q = (y - x) / s;
                let k = q.round();
                // Decimal steps such as 0.1 are not exact in binary: allow rounding error.
                if (q - k).abs() > 1e-6 || !k.is_finite() || k.abs() > 9e15 {
                    return None;
                }
                return Some(k as i64);
            }
            (TimeStep::Months(m), _, _) => {
                let (da, db) = (a.date()?, b.date()?);
                let index = |d: Date| i64::from(d.year()) * 12 + i64::from(d.month());
                let diff = index(db) - index(da);
                if diff % m != 0 {
                    return None;
                }
                diff / m
            }
            (TimeStep::Days(d), _, _) => {
                let diff = seconds_between(a, b)?;
                let step = d * 86_400;
                if diff % i128::from(step) != 0 {
                    return None;
                }
                i64::try_from(diff / i128::from(step)).ok()?
            }
            (TimeStep::Seconds(s), TimeValue::DateTime(_), TimeValue::DateTime(_)) => {
                let diff = seconds_between(a, b)?;
                if diff % i128::from(s) != 0 {
                    return None;
                }
                i64::try_from(diff / i128::from(s)).ok()?
            }
            _ => return None,
        };
        // Calendar steps: the grid point must be `b` itself (same day of month, same time).
        (self.advance(a, k, month_end)? == *b).then_some(k)
    }
}

/// Whole seconds from `a` to `b` for two dates or two date-times (`None` for anything else or
/// a difference with a fraction of a second).
fn seconds_between(a: &TimeValue, b: &TimeValue) -> Option<i128> {
    let d = match (a, b) {
        (TimeValue::Date(x), TimeValue::Date(y)) => {
            y.at(0, 0, 0, 0).duration_since(x.at(0, 0, 0, 0))
        }
        (TimeValue::DateTime(x), TimeValue::DateTime(y)) => y.duration_since(*x),
        _ => return None,
    };
    let nanos = d.as_nanos();
    (nanos % 1_000_000_000 == 0).then_some(nanos / 1_000_000_000)
}

/// Whether every value is the last day of its month (and so month steps keep to month ends).
/// False when no value is a date or when all are on days 1 to 28 (stepping needs no help then).
pub fn all_month_ends(values: &[TimeValue]) -> bool {
    let dates: Option<Vec<Date>> = values.iter().map(TimeValue::date).collect();
    dates.is_some_and(|d| {
        !d.is_empty() && d.iter().all(|x| *x == x.last_of_month()) && d.iter().any(|x| x.day() > 28)
    })
}

/// Infers the regular step of `values` (at least two, in time order): the most common
/// difference between neighbours (the smallest of equally common ones; when some differences
/// are not multiples of it, their greatest common divisor, or for numbers the smallest
/// difference), as calendar months
/// when every value has the same day of month (or every one is a month end) and time of day,
/// else as days (dates, or date-times a whole number of days apart), seconds or a number.
/// Gaps (a difference of several steps) do not change the step. Errors when there are fewer
/// than two values, or when neighbours are equal or out of order (naming the row).
pub fn infer_step(values: &[TimeValue]) -> Result<TimeStep, DataError> {
    if values.len() < 2 {
        return Err(DataError::Time {
            message: format!(
                "{} time(s): at least two are needed to infer the step (give the step)",
                values.len()
            ),
        });
    }
    for (i, w) in values.windows(2).enumerate() {
        if w[1] <= w[0] {
            return Err(DataError::Time {
                message: format!(
                    "data row {} ({}) is not after data row {} ({}): times must increase",
                    i + 2,
                    w[1],
                    i + 1,
                    w[0]
                ),
            });
        }
    }
    let month_end = all_month_ends(values);
    if let Some(dates) = values
        .iter()
        .map(TimeValue::date)
        .collect::<Option<Vec<_>>>()
    {
        let time_of_day = |v: &TimeValue| match v {
            TimeValue::DateTime(dt) => Some(dt.time()),
            _ => None,
        };
        let same_day = dates.iter().all(|d| d.day() == dates[0].day()) || month_end;
        let same_time = values
            .iter()
            .all(|v| time_of_day(v) == time_of_day(&values[0]));
        if same_day && same_time {
            let index = |d: &Date| i64::from(d.year()) * 12 + i64::from(d.month());
            let m = common_step(dates.windows(2).map(|w| index(&w[1]) - index(&w[0])));
            return Ok(TimeStep::Months(m));
        }
        let secs = common_step(
            values
                .windows(2)
                .filter_map(|w| seconds_between(&w[0], &w[1]).and_then(|s| i64::try_from(s).ok())),
        );
        return Ok(if secs % 86_400 == 0 && secs > 0 {
            TimeStep::Days(secs / 86_400)
        } else if secs > 0 {
            TimeStep::Seconds(secs)
        } else {
            return Err(DataError::Time {
                message: "date-times less than a second apart: give the step".into(),
            });
        });
    }
    // Plain numbers: differences keyed by their value to 9 significant digits, so that
    // rounding error in decimal steps (0.1, 0.2...) does not split one step into several.
    let mut counts: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for w in values.windows(2) {
        if let (TimeValue::Number(a), TimeValue::Number(b)) = (w[0], w[1]) {
            let d = b - a;
            let e = counts.entry(format!("{d:.8e}")).or_insert((0, d));
            e.0 += 1;
        }
    }
    let best = counts
        .values()
        .max_by(|x, y| x.0.cmp(&y.0).then(y.1.total_cmp(&x.1)))
        .map(|&(_, d)| d);
    // Gaps may outnumber single steps: then the smallest difference is the step.
    let smallest = counts
        .values()
        .map(|&(_, d)| d)
        .fold(f64::INFINITY, f64::min);
    let best = best.map(|d| {
        let on_grid = |x: f64| ((x / d) - (x / d).round()).abs() <= 1e-6;
        if counts.values().all(|&(_, x)| on_grid(x)) {
            d
        } else {
            smallest
        }
    });
    match best {
        Some(d) if d.is_finite() && d > 0.0 => Ok(TimeStep::Number(d)),
        _ => Err(DataError::Time {
            message: "the times are not all of one kind: give the step".into(),
        }),
    }
}

/// The most common difference, or, when some differences are not multiples of it (more gaps
/// than single steps), the greatest common divisor of all of them; 0 for none.
fn common_step(diffs: impl Iterator<Item = i64>) -> i64 {
    let diffs: Vec<i64> = diffs.collect();
    let m = mode(diffs.iter().copied());
    if m > 0 && diffs.iter().all(|d| d % m == 0) {
        return m;
    }
    diffs.iter().fold(0, |g, &d| gcd(g, d.abs()))
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The most common value (the smallest of equally common ones); 0 for none.
fn mode(values: impl Iterator<Item = i64>) -> i64 {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    // BTreeMap iterates in ascending order and max_by_key keeps the last maximum: reverse it.
    counts
        .iter()
        .rev()
        .max_by_key(|(_, c)| **c)
        .map_or(0, |(v, _)| *v)
}
