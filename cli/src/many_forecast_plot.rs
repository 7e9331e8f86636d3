//! The plot of a many-series forecast: a few series, one panel each, stacked, every panel the
//! one-series forecast plot (the values the model file keeps, the forecast, its interval band).

use std::path::Path;

use forecast::many::{ManyModel, SeriesForecast, SeriesState};
use forecast::series::SeriesTime;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use crate::error::CliError;
use crate::plot::{ForecastPlot, SIZE, draw_forecast, render};
use crate::run_config::PlotFormat;

/// Most panels: the first, the middle and the last series in id order, which span the run
/// without ranking series the forecast alone cannot rank.
const PANELS: usize = 3;

/// Positions in `0..n` of the panels' series: first, middle, last (fewer when `n < 3`).
pub(crate) fn panel_positions(n: usize) -> Vec<usize> {
    let mut picks: Vec<usize> = [0, n / 2, n.saturating_sub(1)]
        .into_iter()
        .filter(|&i| i < n)
        .collect();
    picks.dedup();
    picks.truncate(PANELS);
    picks
}

/// Draws `forecasts` (in id order, as [`ManyModel::forecast_with`] gives them) of `model` to
/// `path`: [`panel_positions`]' series, each with the last values the model keeps of it, its
/// forecast and, when `interval` is given, the band of each value's `lo, hi`.
pub(crate) fn many_forecast_plot(
    path: &Path,
    format: PlotFormat,
    model: &ManyModel,
    forecasts: &[SeriesForecast],
    interval: Option<f64>,
) -> Result<(), CliError> {
    let columns = model.columns();
    let states: Vec<&SeriesState> = model
        .members
        .iter()
        .flat_map(|m| m.settings.series.iter())
        .collect();
    let horizon_of = |id: &str| {
        model
            .members
            .iter()
            .find(|m| m.settings.series.iter().any(|s| s.id == id))
            .map_or(1, |m| m.settings.model.horizon)
    };
    let mut panels = Vec::new();
    let mut times = Vec::new();
    for i in panel_positions(forecasts.len()) {
        let f = &forecasts[i];
        let Some(s) = states.iter().find(|s| s.id == f.id) else {
            return Err(CliError::Runtime(format!(
                "cannot plot the forecast of series '{}': the model keeps no values of it",
                f.id
            )));
        };
        times.push(
            s.time
                .clone()
                .zip(columns.time.clone())
                .map(|(axis, name)| SeriesTime { name, axis }),
        );
        panels.push((f, *s));
    }
    let plots: Vec<ForecastPlot> = panels
        .iter()
        .zip(&times)
        .map(|((f, s), time)| {
            let after = match (&f.times, time) {
                (Some(_), Some(t)) => t.label(s.tail.len() - 1).unwrap_or_default(),
                _ => format!("n = {}", s.series_len),
            };
            ForecastPlot {
                title: format!(
                    "recur forecast: {} '{}', {} steps after {after}",
                    columns.id,
                    f.id,
                    f.values.len()
                ),
                values: &s.tail,
                offset: s.series_len - s.tail.len(),
                forecast: &f.values,
                time: time.as_ref(),
                value_name: &columns.value,
                model_horizon: horizon_of(&f.id),
                band: match (&f.lo, &f.hi, interval) {
                    (Some(lo), Some(hi), Some(p)) => Some((lo.as_slice(), hi.as_slice(), p)),
                    _ => None,
                },
            }
        })
        .collect();
    if plots.is_empty() {
        return Err(CliError::Runtime(
            "cannot plot a forecast of no series".into(),
        ));
    }
    let size = (SIZE.0, SIZE.1 * plots.len() as u32);
    render(
        path,
        format,
        size,
        |root| draw_panels(root, &plots),
        |root| draw_panels(root, &plots),
    )
}

/// Each plot in its own panel of `root`, top to bottom.
fn draw_panels<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    plots: &[ForecastPlot],
) -> Result<(), String> {
    for (area, p) in root.split_evenly((plots.len(), 1)).into_iter().zip(plots) {
        draw_forecast(area, p)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_are_the_first_the_middle_and_the_last_series() {
        assert_eq!(panel_positions(0), Vec::<usize>::new());
        assert_eq!(panel_positions(1), vec![0]);
        assert_eq!(panel_positions(2), vec![0, 1]);
        assert_eq!(panel_positions(3), vec![0, 1, 2]);
        assert_eq!(panel_positions(10), vec![0, 5, 9]);
    }
}
