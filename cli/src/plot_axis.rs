//! Axis labels of the plots: times formatted for the span shown, y tick labels with as many
//! decimals as the range needs, and the room those labels take (so the axis title never
//! overlaps them).

use data::time::{TimeStep, TimeValue};
use jiff::fmt::strtime;
use plotters::coord::Shift;
use plotters::prelude::*;

use forecast::series::SeriesTime;

/// Labels of an x axis in series indices: the index, or the time at that index.
pub struct XLabels<'a> {
    /// The time column, position 0 at series index `offset`.
    time: Option<(&'a SeriesTime, usize)>,
    /// strftime-style format for dates and date-times, chosen for the span shown.
    format: &'static str,
}

impl<'a> XLabels<'a> {
    /// Labels for x from `x0` to `x1` (series indices); `time`'s position 0 is at `offset`.
    pub fn new(time: Option<&'a SeriesTime>, offset: usize, x0: f64, x1: f64) -> Self {
        let format = time.map_or("", |t| {
            let at = |x: f64| {
                let i = (x.max(offset as f64) as usize).saturating_sub(offset);
                t.axis.at(i).ok()
            };
            span_format(t.axis.step, at(x0), at(x1))
        });
        XLabels {
            time: time.map(|t| (t, offset)),
            format,
        }
    }

    /// The axis title: the time column's name, or the index.
    pub fn title(&self) -> String {
        match self.time {
            Some((t, _)) => t.name.clone(),
            None => "index (time step)".to_string(),
        }
    }

    /// The label at `x`: the time of the nearest index (empty before the first), or the index.
    pub fn label(&self, x: f64) -> String {
        let Some((t, offset)) = self.time else {
            return format!("{x:.0}");
        };
        let i = x.round();
        if i < offset as f64 {
            return String::new();
        }
        match t.axis.at(i as usize - offset) {
            Ok(TimeValue::Number(v)) => format!("{v}"),
            Ok(TimeValue::Date(d)) => strtime::format(self.format, d).unwrap_or_default(),
            Ok(TimeValue::DateTime(dt)) => strtime::format(self.format, dt).unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// How many x labels fit across `width` pixels.
    pub fn count(&self, width: u32) -> usize {
        let chars = if self.time.is_some() {
            self.format.len().max(4) + 4
        } else {
            6
        };
        // About 10 pixels per character at size 18, and a gap of 4 characters between labels.
        (width as usize / (chars * 10 + 40)).clamp(3, 12)
    }
}

/// The date format for a span from `a` to `b`: years over long spans or yearly steps, months
/// over a few years, days, and hours and minutes for date-times within a few days.
fn span_format(step: TimeStep, a: Option<TimeValue>, b: Option<TimeValue>) -> &'static str {
    let (Some(a), Some(b)) = (a, b) else {
        return "%Y-%m-%d";
    };
    let days = match (a.date(), b.date()) {
        (Some(x), Some(y)) => (y - x).get_days().max(0) as i64,
        _ => return "",
    };
    let clock = matches!(a, TimeValue::DateTime(_));
    match step {
        TimeStep::Months(m) if m >= 12 => "%Y",
        _ if days > 15 * 366 => "%Y",
        _ if days > 2 * 366 => "%Y-%m",
        TimeStep::Seconds(_) if days <= 3 => "%m-%d %H:%M",
        TimeStep::Seconds(_) if clock && days <= 60 => "%Y-%m-%d %H:%M",
        _ => "%Y-%m-%d",
    }
}

/// Decimals of y tick labels for a range `y0..y1`: enough to tell about ten ticks apart.
pub fn y_decimals(y0: f64, y1: f64) -> usize {
    let tick = (y1 - y0).abs() / 10.0;
    if !(tick.is_finite() && tick > 0.0) {
        return 2;
    }
    (-tick.log10().floor()).clamp(0.0, 6.0) as usize
}

/// A y tick label with `decimals` decimals.
pub fn y_label(y: f64, decimals: usize) -> String {
    format!("{y:.decimals$}")
}

/// Magnitude from which y tick labels take a power of ten: plain, they would run to more
/// digits than the label area holds.
const SCIENTIFIC_FROM: f64 = 1e12;

/// The y tick label at `y` on an axis from `y0` to `y1`: [`y_label`] with [`y_decimals`], or
/// past a magnitude of 1e12 a mantissa with as many digits as the ticks need to differ and a
/// power of ten (`4.00e307`); a tick that rounding put a millionth of a tick off 0 reads 0.
pub fn y_tick_label(y: f64, y0: f64, y1: f64) -> String {
    let size = y0.abs().max(y1.abs());
    if size < SCIENTIFIC_FROM {
        return y_label(y, y_decimals(y0, y1));
    }
    let tick = (y1 - y0).abs() / 10.0;
    let digits = if tick.is_finite() && tick > 0.0 {
        (size.log10().floor() - tick.log10().floor()).clamp(2.0, 16.0) as usize
    } else {
        2
    };
    let y = if y.abs() < 1e-6 * tick { 0.0 } else { y };
    format!("{y:.digits$e}")
}

/// Pixels to reserve left of the plot for y tick labels (the widest of the range's ends at
/// `size`) and the axis title beside them, with a margin between the two.
pub fn y_label_area<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    family: &str,
    size: u32,
    y0: f64,
    y1: f64,
) -> u32 {
    let font = TextStyle::from((family, size).into_font());
    let widest = [y0, y1, (y0 + y1) / 2.0]
        .iter()
        .map(|&y| {
            let label = y_tick_label(y, y0, y1);
            root.estimate_text_size(&label, &font)
                .map_or(10 * label.len() as u32, |(w, _)| w)
        })
        .max()
        .unwrap_or(60);
    // Tick marks (5), a gap, the rotated title (about one line of 20-pixel text) and margins.
    widest + 5 + 12 + 28 + 12
}
