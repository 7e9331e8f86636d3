//! Plots with plotters: the series with train/test predictions, the split and the next value;
//! and the forecast. Text is drawn with the DejaVu Sans font shipped in `assets/` through
//! plotters' `ab_glyph` feature, so no system font library is needed.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::error::CliError;
use crate::plot_axis::{XLabels, y_decimals, y_label, y_label_area};
use crate::run_config::PlotFormat;
use crate::time_column::SeriesTime;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();
pub(crate) const FAMILY: &str = "sans-serif";
pub(crate) const SIZE: (u32, u32) = (1400, 700);

pub(crate) const SERIES_COLOR: RGBColor = RGBColor(160, 160, 160);
const TRAIN_COLOR: RGBColor = RGBColor(31, 119, 180);
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

pub(crate) fn y_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let span = if hi > lo { hi - lo } else { 1.0 };
    // Room at the top for the legend and the split label.
    (lo - 0.05 * span, hi + 0.35 * span)
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
    let decimals = y_decimals(y0, y1);
    let mut chart = ChartBuilder::on(&root)
        .caption(&p.title, (FAMILY, 28))
        .margin(20)
        // Room for the half of the last x label that extends past the plot's right edge.
        .margin_right(64)
        .x_label_area_size(56)
        .y_label_area_size(y_label_area(&root, FAMILY, 18, y0, y1))
        .build_cartesian_2d(0f64..x1, y0..y1)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc(xl.title())
        .x_labels(xl.count(SIZE.0))
        .x_label_formatter(&|x| xl.label(*x))
        .y_label_formatter(&|y| y_label(*y, decimals))
        .y_desc(p.value_name)
        .label_style((FAMILY, 18))
        .axis_desc_style((FAMILY, 20))
        .light_line_style(WHITE)
        .bold_line_style(BLACK.mix(0.08))
        .draw()
        .map_err(plot_err)?;
    let points = |xs: &[(usize, f64)]| xs.iter().map(|&(i, v)| (i as f64, v)).collect::<Vec<_>>();
    chart
        .draw_series(LineSeries::new(
            p.values.iter().enumerate().map(|(i, &v)| (i as f64, v)),
            SERIES_COLOR.stroke_width(1),
        ))
        .map_err(plot_err)?
        .label("series")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], SERIES_COLOR.stroke_width(3)));
    chart
        .draw_series(LineSeries::new(
            points(p.train),
            TRAIN_COLOR.stroke_width(2),
        ))
        .map_err(plot_err)?
        .label("train predictions")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], TRAIN_COLOR.stroke_width(3)));
    chart
        .draw_series(LineSeries::new(points(p.test), TEST_COLOR.stroke_width(2)))
        .map_err(plot_err)?
        .label("test predictions")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], TEST_COLOR.stroke_width(3)));
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
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FAMILY, 18))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .draw()
        .map_err(plot_err)?;
    root.present().map_err(plot_err)
}

fn draw_forecast<DB: DrawingBackend>(
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
    let decimals = y_decimals(y0, y1);
    let mut chart = ChartBuilder::on(&root)
        .caption(&p.title, (FAMILY, 28))
        .margin(20)
        // Room for the half of the last x label that extends past the plot's right edge.
        .margin_right(64)
        .x_label_area_size(56)
        .y_label_area_size(y_label_area(&root, FAMILY, 18, y0, y1))
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc(xl.title())
        .x_labels(xl.count(SIZE.0))
        .x_label_formatter(&|x| xl.label(*x))
        .y_label_formatter(&|y| y_label(*y, decimals))
        .y_desc(p.value_name)
        .label_style((FAMILY, 18))
        .axis_desc_style((FAMILY, 20))
        .light_line_style(WHITE)
        .bold_line_style(BLACK.mix(0.08))
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(LineSeries::new(
            (start..n).map(|i| (i as f64, p.values[i - p.offset])),
            TRAIN_COLOR.stroke_width(1),
        ))
        .map_err(plot_err)?
        .label(format!("series (last {shown} values)"))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], TRAIN_COLOR.stroke_width(3)));
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
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], NEXT_COLOR.stroke_width(3)));
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
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FAMILY, 18))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .draw()
        .map_err(plot_err)?;
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

pub(crate) fn render(
    path: &Path,
    format: PlotFormat,
    draw_png: impl FnOnce(DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
    draw_svg: impl FnOnce(DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> Result<(), CliError> {
    register();
    let fail =
        |e: String| CliError::Runtime(format!("cannot draw the plot '{}': {e}", path.display()));
    match format {
        PlotFormat::Png => {
            draw_png(BitMapBackend::new(path, SIZE).into_drawing_area()).map_err(fail)
        }
        PlotFormat::Svg => {
            let mut text = String::new();
            draw_svg(SVGBackend::with_string(&mut text, SIZE).into_drawing_area()).map_err(fail)?;
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
        |root| draw_forecast(root, p),
        |root| draw_forecast(root, p),
    )
}
