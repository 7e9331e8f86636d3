//! Plots with plotters: the series with train/test predictions, the split and the next value;
//! and the forecast. Text is drawn with the DejaVu Sans font shipped in `assets/` through
//! plotters' `ab_glyph` feature, so no system font library is needed.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::error::CliError;
use crate::plot_axis::XLabels;
use crate::plot_frame::{FULL, chart, draw_legend, draw_legend_at, index_frame, legend_line};
use crate::run_config::PlotFormat;
use forecast::series::SeriesTime;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();
pub(crate) const FAMILY: &str = "sans-serif";
pub(crate) const SIZE: (u32, u32) = (1400, 700);

pub(crate) const SERIES_COLOR: RGBColor = RGBColor(160, 160, 160);
pub(crate) const TRAIN_COLOR: RGBColor = RGBColor(31, 119, 180);
pub(crate) const TEST_COLOR: RGBColor = RGBColor(255, 127, 14);
pub(crate) const NEXT_COLOR: RGBColor = RGBColor(214, 39, 40);

fn register() {
    REGISTER.call_once(|| {
        // The font is compiled in and known to parse (a test renders with it).
        let _ = register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

pub(crate) fn plot_err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// What the series plot shows (values in the series' units).
#[derive(Debug, Clone)]
pub struct SeriesPlot<'a> {
    /// Title at the top.
    pub title: String,
    /// The whole series.
    pub values: &'a [f64],
    /// `(index, prediction)` on training windows.
    pub train: &'a [(usize, f64)],
    /// `(index, prediction)` on test windows.
    pub test: &'a [(usize, f64)],
    /// The split index T.
    pub split: usize,
    /// The predicted next value, drawn at index n.
    pub next: f64,
    /// The time column (position 0 is the series' index 0), for a time axis.
    pub time: Option<&'a SeriesTime>,
    /// Title of the y axis (the series' name).
    pub value_name: &'a str,
}

/// What the forecast plot shows.
#[derive(Debug, Clone)]
pub struct ForecastPlot<'a> {
    /// Title at the top.
    pub title: String,
    /// The series, or its last values (the plot shows its tail).
    pub values: &'a [f64],
    /// Series index of `values[0]` (0 for the whole series).
    pub offset: usize,
    /// The forecast, for indices `n, n+1, ...`.
    pub forecast: &'a [f64],
    /// The time column (position 0 is `values[0]`), for a time axis.
    pub time: Option<&'a SeriesTime>,
    /// Title of the y axis (the series' name).
    pub value_name: &'a str,
    /// The model's outputs per forward pass: 1 for a one-step model (each prediction fed
    /// back), `H` for a direct model (`--horizon H`).
    pub model_horizon: usize,
    /// A prediction interval around the forecast, `(lo, hi, coverage P)`, drawn as a band.
    pub band: Option<(&'a [f64], &'a [f64], f64)>,
}

/// Largest magnitude a plot draws: values past it (a diverged model's) are drawn at it, so the
/// y range, with its room for the legend, stays finite and plotters' tick search terminates.
pub(crate) const DRAWN_LIMIT: f64 = f64::MAX / 4.0;

/// `v` moved into `-DRAWN_LIMIT..=DRAWN_LIMIT` (NaN stays NaN and is skipped by [`y_range`]).
pub(crate) fn drawn(v: f64) -> f64 {
    v.clamp(-DRAWN_LIMIT, DRAWN_LIMIT)
}

/// The y range showing `values` (NaN ignored), with room at the top for the legend and labels.
pub(crate) fn y_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    y_range_with(values, 0.35)
}

/// The y range showing `values` (NaN ignored), with `top` of their span free above them and a
/// twentieth below.
pub(crate) fn y_range_with(values: impl Iterator<Item = f64>, top: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| !v.is_nan())
        .map(drawn)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    // At least a trillionth of the values' size: narrower, the padding vanishes in rounding
    // at large values and the range collapses to one point.
    let least = 1e-12 * lo.abs().max(hi.abs());
    let span = if hi > lo {
        (hi - lo).max(least)
    } else {
        1f64.max(1e3 * least)
    };
    (lo - 0.05 * span, hi + top * span)
}

fn draw_series<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    p: &SeriesPlot,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(plot_err)?;
    let n = p.values.len();
    let (y0, y1) = y_range(
        p.values
            .iter()
            .copied()
            .chain(p.train.iter().chain(p.test).map(|&(_, v)| v))
            .chain(std::iter::once(p.next)),
    );
    let x1 = n as f64 * 1.01 + 1.0;
    let xl = XLabels::new(p.time, 0, 0.0, n as f64);
    let mut chart = chart(
        &root,
        &index_frame(&p.title, 0.0..x1, y0..y1, &xl, p.value_name, FULL, SIZE.0),
    )?;
    let points = |xs: &[(usize, f64)]| xs.iter().map(|&(i, v)| (i as f64, v)).collect::<Vec<_>>();
    chart
        .draw_series(LineSeries::new(
            p.values.iter().enumerate().map(|(i, &v)| (i as f64, v)),
            SERIES_COLOR.stroke_width(1),
        ))
        .map_err(plot_err)?
        .label("series")
        .legend(legend_line(SERIES_COLOR));
    chart
        .draw_series(LineSeries::new(
            points(p.train),
            TRAIN_COLOR.stroke_width(2),
        ))
        .map_err(plot_err)?
        .label("train predictions")
        .legend(legend_line(TRAIN_COLOR));
    chart
        .draw_series(LineSeries::new(points(p.test), TEST_COLOR.stroke_width(2)))
        .map_err(plot_err)?
        .label("test predictions")
        .legend(legend_line(TEST_COLOR));
    let t = p.split as f64;
    let top = y1 - 0.04 * (y1 - y0);
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(t, y0), (t, y1)],
            BLACK.stroke_width(2),
        )))
        .map_err(plot_err)?;
    let split_text = match p.time {
        Some(time) => format!("split T = {} ({})", p.split, xl_time(time, p.split)),
        None => format!("split T = {}", p.split),
    };
    chart
        .draw_series(std::iter::once(
            EmptyElement::at((t, top))
                + Text::new(
                    split_text,
                    (beside_line(&root, "", false), 0),
                    (FAMILY, 20).into_font().color(&BLACK),
                ),
        ))
        .map_err(plot_err)?;
    chart
        .draw_series(std::iter::once(Circle::new(
            (n as f64, p.next),
            6,
            NEXT_COLOR.filled(),
        )))
        .map_err(plot_err)?
        .label(match p.time {
            Some(time) => format!("next value ({}): {:.4}", xl_time(time, n), p.next),
            None => format!("next value (index {n}): {:.4}", p.next),
        })
        .legend(|(x, y)| Circle::new((x + 12, y), 6, NEXT_COLOR.filled()));
    draw_legend(&mut chart, FULL.label)?;
    root.present().map_err(plot_err)
}

/// Draws the forecast plot `p` on `root` (a whole image, or one panel of a many-series
/// forecast's).
pub(crate) fn draw_forecast<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    p: &ForecastPlot,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(plot_err)?;
    let len = p.values.len();
    let shown = len.min((3 * p.forecast.len()).max(300));
    let band_values = p
        .band
        .iter()
        .flat_map(|(lo, hi, _)| lo.iter().chain(hi.iter()));
    let (y0, y1) = y_range(
        p.values[len - shown..]
            .iter()
            .chain(p.forecast)
            .chain(band_values)
            .copied(),
    );
    // Positions in series indices: `values[i]` sits at `offset + i`.
    let n = p.offset + len;
    let start = n - shown;
    let x0 = start as f64;
    let x1 = (n + p.forecast.len()) as f64 + 1.0;
    let xl = XLabels::new(p.time, p.offset, x0, x1);
    let mut chart = chart(
        &root,
        &index_frame(&p.title, x0..x1, y0..y1, &xl, p.value_name, FULL, SIZE.0),
    )?;
    chart
        .draw_series(LineSeries::new(
            (start..n).map(|i| (i as f64, p.values[i - p.offset])),
            TRAIN_COLOR.stroke_width(1),
        ))
        .map_err(plot_err)?
        .label(format!("series (last {shown} values)"))
        .legend(legend_line(TRAIN_COLOR));
    if let Some((lo, hi, coverage)) = p.band {
        let mut outline: Vec<(f64, f64)> = lo
            .iter()
            .enumerate()
            .map(|(k, &v)| ((n + k) as f64, v))
            .collect();
        outline.extend(
            hi.iter()
                .enumerate()
                .rev()
                .map(|(k, &v)| ((n + k) as f64, v)),
        );
        chart
            .draw_series(std::iter::once(Polygon::new(
                outline,
                NEXT_COLOR.mix(0.2).filled(),
            )))
            .map_err(plot_err)?
            .label(format!(
                "{:.0}% interval (split conformal)",
                coverage * 100.0
            ))
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 6), (x + 24, y + 6)], NEXT_COLOR.mix(0.2).filled())
            });
    }
    let last = (n as f64 - 1.0, p.values[len - 1]);
    let line: Vec<(f64, f64)> = std::iter::once(last)
        .chain(
            p.forecast
                .iter()
                .enumerate()
                .map(|(k, &v)| ((n + k) as f64, v)),
        )
        .collect();
    chart
        .draw_series(LineSeries::new(line, NEXT_COLOR.stroke_width(2)))
        .map_err(plot_err)?
        .label(if p.model_horizon > 1 {
            format!(
                "forecast ({} steps, direct: {} per forward pass)",
                p.forecast.len(),
                p.model_horizon
            )
        } else {
            format!(
                "forecast ({} steps, each fed back as input)",
                p.forecast.len()
            )
        })
        .legend(legend_line(NEXT_COLOR));
    let t = n as f64 - 0.5;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(t, y0), (t, y1)],
            BLACK.stroke_width(2),
        )))
        .map_err(plot_err)?;
    let end_text = match p.time {
        Some(time) => format!("end of series ({})", xl_time(time, len - 1)),
        None => format!("end of series (n = {n})"),
    };
    // Left of the line when a short forecast leaves no room on its right.
    let left = (x1 - t) < 0.25 * (x1 - x0);
    chart
        .draw_series(std::iter::once(
            EmptyElement::at((t, y1 - 0.04 * (y1 - y0)))
                + Text::new(
                    end_text.clone(),
                    (beside_line(&root, &end_text, left), 0),
                    (FAMILY, 20).into_font().color(&BLACK),
                ),
        ))
        .map_err(plot_err)?;
    // The legend leaves the upper left to the "end of series" label when the line stands in
    // the left half (a short history, as a many-series model keeps).
    let corner = if t - x0 < 0.5 * (x1 - x0) {
        SeriesLabelPosition::UpperRight
    } else {
        SeriesLabelPosition::UpperLeft
    };
    draw_legend_at(&mut chart, FULL.label, corner)?;
    root.present().map_err(plot_err)
}

/// The time at `position` of `time` as written in files (empty past the calendar's range).
fn xl_time(time: &SeriesTime, position: usize) -> String {
    time.label(position).unwrap_or_default()
}

/// Pixels between a vertical line and the text beside it.
const TEXT_GAP: i32 = 8;

/// The pixel offset of `text` drawn at a vertical line: `TEXT_GAP` right of it, or ending that
/// far left of it, so the text never touches the line.
fn beside_line<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, text: &str, left: bool) -> i32 {
    if !left {
        return TEXT_GAP;
    }
    let style = TextStyle::from((FAMILY, 20).into_font());
    let width = root
        .estimate_text_size(text, &style)
        .map_or(10 * text.len() as u32, |(w, _)| w);
    -(width as i32) - TEXT_GAP
}

/// Draws a plot of `size` pixels (width, height) to `path` in `format`: `draw_png` on a bitmap
/// written there, or `draw_svg` on a string written there when it succeeds.
pub(crate) fn render(
    path: &Path,
    format: PlotFormat,
    size: (u32, u32),
    draw_png: impl FnOnce(DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
    draw_svg: impl FnOnce(DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> Result<(), CliError> {
    register();
    let fail =
        |e: String| CliError::Runtime(format!("cannot draw the plot '{}': {e}", path.display()));
    match format {
        PlotFormat::Png => {
            draw_png(BitMapBackend::new(path, size).into_drawing_area()).map_err(fail)
        }
        PlotFormat::Svg => {
            let mut text = String::new();
            draw_svg(SVGBackend::with_string(&mut text, size).into_drawing_area()).map_err(fail)?;
            std::fs::write(path, text).map_err(|e| crate::error::io_error("write", path, e))
        }
    }
}

/// Draws the series plot to `path` (which must end in `.png` for PNG).
pub fn series_plot(path: &Path, format: PlotFormat, p: &SeriesPlot) -> Result<(), CliError> {
    if p.values.is_empty() {
        return Err(CliError::Runtime("cannot plot an empty series".into()));
    }
    render(
        path,
        format,
        SIZE,
        |root| draw_series(root, p),
        |root| draw_series(root, p),
    )
}

/// Draws the forecast plot to `path` (which must end in `.png` for PNG).
pub fn forecast_plot(path: &Path, format: PlotFormat, p: &ForecastPlot) -> Result<(), CliError> {
    if p.values.is_empty() || p.forecast.is_empty() {
        return Err(CliError::Runtime(
            "cannot plot an empty series or forecast".into(),
        ));
    }
    render(
        path,
        format,
        SIZE,
        |root| draw_forecast(root, p),
        |root| draw_forecast(root, p),
    )
}
