//! The backtest plot: the end of the series, each fold's forecast drawn from its origin, and a
//! dashed line at each origin.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::CliError;
use crate::plot::{NEXT_COLOR, SERIES_COLOR, SIZE, plot_err, render, y_range};
use crate::plot_axis::XLabels;
use crate::plot_frame::{FULL, chart, dashed_vline, draw_legend, index_frame, legend_line};
use crate::run_config::PlotFormat;
use forecast::series::SeriesTime;

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
    let mut chart = chart(
        &root,
        &index_frame(&p.title, x0..x1, y0..y1, &xl, p.value_name, FULL, SIZE.0),
    )?;
    chart
        .draw_series(LineSeries::new(
            (start..n).map(|i| (i as f64, p.values[i])),
            SERIES_COLOR.stroke_width(2),
        ))
        .map_err(plot_err)?
        .label("series")
        .legend(legend_line(SERIES_COLOR));
    for (k, &o) in p.origins.iter().enumerate() {
        dashed_vline(
            &mut chart,
            o as f64 - 0.5,
            y0..y1,
            BLACK.mix(0.35).stroke_width(1),
        )?;
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
            .legend(legend_line(NEXT_COLOR));
        }
    }
    draw_legend(&mut chart, FULL.label)?;
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
    render(
        path,
        format,
        SIZE,
        |root| draw(root, p),
        |root| draw(root, p),
    )
}
