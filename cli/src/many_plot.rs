//! The one plot of a many-series run: a few series stacked on top (the best, the median and the
//! worst by skill over the best baseline), each with its train and test predictions and its split,
//! and under them the histogram of every trained series' skill.

mod histogram;

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::CliError;
use crate::plot::{
    FAMILY, SERIES_COLOR, TEST_COLOR, TRAIN_COLOR, drawn, plot_err, render, y_range_with,
};
use crate::plot_axis::XLabels;
use crate::plot_frame::{SMALL, chart, dashed_vline, index_frame};
use crate::run_config::PlotFormat;
use forecast::series::SeriesTime;

/// Pixels of the whole plot (width, height): taller than the one-series plots, for the panels
/// and the histogram.
pub const MANY_SIZE: (u32, u32) = (1400, 1000);

/// Most panels the plot shows: the best, the median and the worst series.
pub const MAX_PANELS: usize = 3;

/// Share of the height under the title and the key given to the panels; the histogram has
/// the rest.
const PANELS_SHARE: f64 = 0.64;

/// Height of the key's strip under the title, in pixels.
const KEY_HEIGHT: u32 = 28;

/// The panels' lines: colour, stroke width and what they show.
const LINES: [(RGBColor, u32, &str); 3] = [
    (SERIES_COLOR, 1, "series"),
    (TRAIN_COLOR, 1, "train predictions (one step)"),
    (TEST_COLOR, 2, "test predictions"),
];

/// The split line's style: dashed, dark grey.
fn split_style() -> ShapeStyle {
    BLACK.mix(0.6).stroke_width(1)
}

/// One series drawn in the grid (values in the series' units).
#[derive(Debug, Clone)]
pub struct ManyPanel<'a> {
    /// The series' id (its `--id-column` value).
    pub id: &'a str,
    /// Its rank among the series: "best", "median" or "worst" (as [`pick_panels`] names them).
    pub rank: &'a str,
    /// The whole series.
    pub values: &'a [f64],
    /// `(index, one-step prediction)` on training targets; index into `values`.
    pub train: &'a [(usize, f64)],
    /// `(index, prediction)` on test targets; index into `values`.
    pub test: &'a [(usize, f64)],
    /// The split index T within this series (at most `values.len()`).
    pub split: usize,
    /// Skill over the best baseline, `1 - test mse / best baseline's test mse` on the
    /// observed test targets; `None` when undefined.
    pub skill: Option<f64>,
    /// The model's mean squared error on this series' observed test targets, in squared
    /// series units.
    pub test_mse: f64,
    /// The series' time axis (position 0 is `values[0]`), for a time axis; `None` for indices.
    pub time: Option<&'a SeriesTime>,
}

/// What the many-series plot shows.
#[derive(Debug, Clone)]
pub struct ManyPlot<'a> {
    /// Title at the top.
    pub title: String,
    /// The panels, top to bottom: 1 to [`MAX_PANELS`] (fewer series than 3, fewer panels).
    pub panels: Vec<ManyPanel<'a>>,
    /// Skill of every trained series with a defined skill (may be empty: a note is drawn
    /// instead of the histogram; NaN is skipped).
    pub skills: &'a [f64],
    /// Title of the panels' y axes (the value column's name).
    pub value_name: &'a str,
}

/// Picks the best, median and worst series by skill: indices into `skills_by_series` with their
/// rank names, in that order. A `None` (or NaN) skill sorts after every defined one; ties go to
/// the earlier position, so callers that list series by id break ties by id. With fewer than 3
/// series each is picked once: one is "best", two are "best" and "worst"; none gives none.
pub fn pick_panels(skills_by_series: &[Option<f64>]) -> Vec<(usize, &'static str)> {
    let skill = |i: usize| skills_by_series[i].filter(|s| !s.is_nan());
    let mut order: Vec<usize> = (0..skills_by_series.len()).collect();
    order.sort_by(|&a, &b| {
        let by_skill = match (skill(a), skill(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_skill.then(a.cmp(&b))
    });
    let n = order.len();
    match n {
        0 => Vec::new(),
        1 => vec![(order[0], "best")],
        2 => vec![(order[0], "best"), (order[1], "worst")],
        _ => vec![
            (order[0], "best"),
            (order[(n - 1) / 2], "median"),
            (order[n - 1], "worst"),
        ],
    }
}

/// Draws the many-series plot to `path` (which must end in `.png` for PNG), [`MANY_SIZE`]
/// pixels. Errors name the panel and the value out of place: no panel or more than
/// [`MAX_PANELS`], an empty series, a split past its end, a prediction's index past its end.
pub fn many_plot(path: &Path, format: PlotFormat, p: &ManyPlot) -> Result<(), CliError> {
    check(p)?;
    render(
        path,
        format,
        MANY_SIZE,
        |root| draw(root, p),
        |root| draw(root, p),
    )
}

fn check(p: &ManyPlot) -> Result<(), CliError> {
    let fail = |m: String| {
        Err(CliError::Runtime(format!(
            "cannot draw the many-series plot: {m}"
        )))
    };
    if p.panels.is_empty() || p.panels.len() > MAX_PANELS {
        return fail(format!(
            "panels has {} series, expected 1 to {MAX_PANELS}",
            p.panels.len()
        ));
    }
    for panel in &p.panels {
        let n = panel.values.len();
        if n == 0 {
            return fail(format!("panel '{}' has an empty series", panel.id));
        }
        if panel.split > n {
            return fail(format!(
                "panel '{}' has split {} past its {n} values",
                panel.id, panel.split
            ));
        }
        let past = panel.train.iter().chain(panel.test).find(|(i, _)| *i >= n);
        if let Some((i, _)) = past {
            return fail(format!(
                "panel '{}' has a prediction at index {i} past its {n} values",
                panel.id
            ));
        }
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, p: &ManyPlot) -> Result<(), String> {
    root.fill(&WHITE).map_err(plot_err)?;
    let body = root.titled(&p.title, (FAMILY, 28)).map_err(plot_err)?;
    let (key, body) = body.split_vertically(KEY_HEIGHT);
    draw_key(&key)?;
    let height = body.dim_in_pixel().1;
    let (top, bottom) = body.split_vertically((height as f64 * PANELS_SHARE) as u32);
    let areas = top.split_evenly((p.panels.len(), 1));
    for (area, panel) in areas.iter().zip(&p.panels) {
        draw_panel(area, panel, p.value_name)?;
    }
    histogram::draw_histogram(&bottom, p.skills)?;
    root.present().map_err(plot_err)
}

/// The key of the panels' lines, one row centred under the title: a legend box inside each
/// panel would hide the start of its series.
fn draw_key<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> Result<(), String> {
    let style = TextStyle::from((FAMILY, SMALL.label).into_font())
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let (sample, gap) = (24, 8);
    let split_text = "split T (dashed)";
    let width_of = |text: &str| {
        area.estimate_text_size(text, &style)
            .map_or(8 * text.len() as i32, |(w, _)| w as i32)
    };
    let items: Vec<i32> = LINES
        .iter()
        .map(|(_, _, text)| width_of(text))
        .chain(std::iter::once(width_of(split_text)))
        .collect();
    let total: i32 = items.iter().map(|w| sample + gap + w + 3 * gap).sum();
    let (w, h) = area.dim_in_pixel();
    let y = h as i32 / 2;
    let mut x = (w as i32 - total).max(0) / 2;
    for ((color, stroke, text), text_width) in LINES.iter().zip(&items) {
        area.draw(&PathElement::new(
            vec![(x, y), (x + sample, y)],
            color.stroke_width(stroke + 1),
        ))
        .map_err(plot_err)?;
        area.draw_text(text, &style, (x + sample + gap, y))
            .map_err(plot_err)?;
        x += sample + gap + text_width + 3 * gap;
    }
    for dash in 0..3 {
        let a = x + dash * 9;
        area.draw(&PathElement::new(vec![(a, y), (a + 5, y)], split_style()))
            .map_err(plot_err)?;
    }
    area.draw_text(split_text, &style, (x + sample + gap, y))
        .map_err(plot_err)
}

/// Draws one series with its predictions and a dashed line at its split.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &ManyPanel,
    value_name: &str,
) -> Result<(), String> {
    let n = panel.values.len();
    let (y0, y1) = y_range_with(
        panel
            .values
            .iter()
            .copied()
            .chain(panel.train.iter().chain(panel.test).map(|&(_, v)| v)),
        0.05,
    );
    let x1 = n as f64 * 1.01 + 1.0;
    let xl = XLabels::new(panel.time, 0, 0.0, n as f64);
    let caption = panel_caption(panel);
    let width = area.dim_in_pixel().0;
    let mut chart = chart(
        area,
        &index_frame(&caption, 0.0..x1, y0..y1, &xl, value_name, SMALL, width),
    )?;
    let whole: Vec<(usize, f64)> = panel.values.iter().copied().enumerate().collect();
    for ((color, stroke, _), points) in LINES.iter().zip([&whole[..], panel.train, panel.test]) {
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|&(i, v)| (i as f64, drawn(v))),
                color.stroke_width(*stroke),
            ))
            .map_err(plot_err)?;
    }
    dashed_vline(&mut chart, panel.split as f64, y0..y1, split_style())
}

/// "<rank>: <id> (skill 0.123, test mse 0.0456)", with the split's time when there is one.
fn panel_caption(panel: &ManyPanel) -> String {
    let skill = panel.skill.map_or("undefined".to_string(), significant);
    let split = panel
        .time
        .and_then(|t| t.label(panel.split).ok())
        .map_or(String::new(), |t| format!(", split at {t}"));
    format!(
        "{}: {} (skill {skill}, test mse {}{split})",
        panel.rank,
        panel.id,
        significant(panel.test_mse)
    )
}

/// `v` with three significant digits: plain from 1e-4 to 1e5, else with a power of ten.
fn significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor();
    if !(-4.0..5.0).contains(&magnitude) {
        return format!("{v:.2e}");
    }
    let decimals = (2.0 - magnitude).max(0.0) as usize;
    format!("{v:.decimals$}")
}

#[cfg(test)]
mod tests;
