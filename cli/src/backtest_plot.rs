//! The backtest plot: the end of the series, each fold's forecast drawn from its origin, and a
//! dashed line at each origin.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::CliError;
use crate::plot::{FAMILY, NEXT_COLOR, SERIES_COLOR, SIZE, plot_err, render, y_range};
use crate::plot_axis::{XLabels, y_decimals, y_label, y_label_area};
use crate::run_config::PlotFormat;
use crate::time_column::SeriesTime;

/// What the backtest plot shows (values in series units).
#[derive(Debug, Clone)]
pub struct BacktestPlot<'a> {
    /// Title at the top.
    pub title: String,
    /// The whole series.
    pub values: &'a [f64],
    /// The folds' origins, increasing.
    pub origins: &'a [usize],
    /// The model's forecasts, `horizon` per fold, folds in the order of `origins`.
    pub forecasts: &'a [f64],
    /// Values forecast per fold.
    pub horizon: usize,
    /// The time column (position 0 is the series' index 0), for a time axis.
    pub time: Option<&'a SeriesTime>,
    /// Title of the y axis (the series' name).
    pub value_name: &'a str,
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, p: &BacktestPlot) -> Result<(), String> {
    root.fill(&WHITE).map_err(plot_err)?;
    let n = p.values.len();
    let first = p.origins.first().copied().unwrap_or(0);
    // The tested stretch and as much history again before it (at least 50 values).
    let start = first.saturating_sub((n - first).max(50));
    let (y0, y1) = y_range(p.values[start..].iter().chain(p.forecasts).copied());
    let (x0, x1) = (start as f64, n as f64 + 1.0);
    let xl = XLabels::new(p.time, 0, x0, x1);
    let decimals = y_decimals(y0, y1);
    let mut chart = ChartBuilder::on(&root)
        .caption(&p.title, (FAMILY, 28))
        .margin(20)
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
            (start..n).map(|i| (i as f64, p.values[i])),
            SERIES_COLOR.stroke_width(2),
        ))
        .map_err(plot_err)?
        .label("series")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], SERIES_COLOR.stroke_width(3)));
    for (k, &o) in p.origins.iter().enumerate() {
        chart
            .draw_series(DashedLineSeries::new(
                [(o as f64 - 0.5, y0), (o as f64 - 0.5, y1)],
                6,
                4,
                BLACK.mix(0.35).stroke_width(1),
            ))
            .map_err(plot_err)?;
        // Each fold's line starts at the last value it saw, so it reads as a continuation.
        let start_point = o.checked_sub(1).map(|i| (i as f64, p.values[i]));
        let line: Vec<(f64, f64)> = start_point
            .into_iter()
            .chain(
                p.forecasts[k * p.horizon..(k + 1) * p.horizon]
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| ((o + j) as f64, v)),
            )
            .collect();
        let s = chart
            .draw_series(LineSeries::new(line, NEXT_COLOR.stroke_width(2)))
            .map_err(plot_err)?;
        if k == 0 {
            s.label(format!(
                "model forecasts ({} folds of {} steps; dashed: origins)",
                p.origins.len(),
                p.horizon
            ))
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], NEXT_COLOR.stroke_width(3))
            });
        }
    }
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

/// Draws the backtest plot to `path` (which must end in `.png` for PNG).
pub fn backtest_plot(path: &Path, format: PlotFormat, p: &BacktestPlot) -> Result<(), CliError> {
    let folds_fit = p.forecasts.len() == p.origins.len() * p.horizon;
    let inside = p.origins.iter().all(|&o| o + p.horizon <= p.values.len());
    if p.values.is_empty() || p.origins.is_empty() || !folds_fit || !inside {
        return Err(CliError::Runtime(format!(
            "cannot plot {} forecasts for {} folds of {} steps in a series of {}",
            p.forecasts.len(),
            p.origins.len(),
            p.horizon,
            p.values.len()
        )));
    }
    render(path, format, |root| draw(root, p), |root| draw(root, p))
}
