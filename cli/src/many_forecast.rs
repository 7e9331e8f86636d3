//! `recur forecast` on the model file of a many-series run: every series continued `--horizon`
//! values from the last values kept in the file, written as a long-format `forecast.csv`, and a plot of the first, middle and last series.

use std::path::PathBuf;

use forecast::many::{ManyFuture, ManyModel, Mode, SeriesForecast};
use serde::Serialize;

use crate::args::{DataArgs, ForecastArgs};
use crate::commands::{Outcome, outcome};
use crate::error::CliError;
use crate::many_csv::many_forecast_csv;
use crate::many_forecast_plot::many_forecast_plot;
use crate::many_model_flags::{first_given, model_owned_flags};
use crate::output::OutDir;
use crate::report::Rows;
use crate::run_config::OutputConfig;

/// Most forecast values (series times horizon) one command writes.
pub const MAX_FORECAST_VALUES: usize = 100_000_000;

/// Series shown in the text output (all are in `forecast.csv`).
const SHOWN: usize = 10;

#[derive(Debug, Serialize)]
struct ManyForecastReport {
    model: PathBuf,
    mode: Mode,
    horizon: usize,
    /// The coverage of each forecast's `lo` and `hi` (`--interval`).
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<f64>,
    series: usize,
    forecasts: Vec<SeriesForecast>,
    outputs: ManyForecastOutputs,
}

#[derive(Debug, Serialize)]
struct ManyForecastOutputs {
    forecast: PathBuf,
    plot: PathBuf,
}

/// The first data flag given, by name: a many-series model keeps each series' last values and
/// windows, so flags choosing other data would be ignored.
fn data_flag_given(d: &DataArgs) -> Option<&'static str> {
    let csv = [("--csv", d.series.csv.is_some())];
    let season = [("--season", d.series.season.is_some())];
    first_given(csv.into_iter().chain(model_owned_flags(d)).chain(season))
}

/// `recur forecast --model <many-series model> --horizon H [--interval P] [--future-csv F]`
/// (the covariates' future values of a model trained with `--features`, long format): writes
/// `forecast.csv` (`<id>, [<time>], step, forecast`, then `lo, hi` with `--interval`) in the
/// output folder `output` (checked by the caller before the model file was read).
pub fn forecast_many(
    args: &ForecastArgs,
    bytes: &[u8],
    output: OutputConfig,
) -> Result<Outcome, CliError> {
    let path = &args.model.model;
    if let Some(flag) = data_flag_given(&args.data) {
        return Err(CliError::Usage(format!(
            "the argument '{flag}' cannot be used with a many-series model ('{}'): it keeps each \
             series' last values and windows, and forecasts from them",
            path.display()
        )));
    }
    let model = ManyModel::from_bytes(bytes)
        .map_err(|e| CliError::Usage(format!("--model '{}': {e}", path.display())))?;
    let ids = model.ids();
    let horizon = args.horizon;
    if ids.len().saturating_mul(horizon) > MAX_FORECAST_VALUES {
        return Err(CliError::flag(
            "--horizon",
            horizon,
            &format!(
                "at most {} values for each of the model's {} series (at most {MAX_FORECAST_VALUES} values in all)",
                MAX_FORECAST_VALUES / ids.len().max(1),
                ids.len()
            ),
        ));
    }
    let future = args.future_csv.clone().map(ManyFuture::Csv);
    let forecasts = model.forecast_with(horizon, args.interval, future.as_ref())?;
    let columns = model.columns();
    let mut out = OutDir::create(&output.out)?.stage("forecast")?;
    let csv = out.write_bytes("forecast.csv", &many_forecast_csv(&columns, &forecasts)?)?;
    let plot_name = format!("forecast.{}", output.plot_format.extension());
    let plot = out.write_with(&plot_name, |tmp| {
        many_forecast_plot(tmp, output.plot_format, &model, &forecasts, args.interval)
    })?;
    out.commit()?;
    let mut rows = Rows::default();
    for f in forecasts.iter().take(SHOWN) {
        let first = f.values.first().copied().unwrap_or(f64::NAN);
        let last = f.values.last().copied().unwrap_or(f64::NAN);
        let when = match f.times.as_deref() {
            Some([a, .., b]) => format!(" ({a} to {b})"),
            Some([a]) => format!(" ({a})"),
            _ => String::new(),
        };
        rows.push(
            format!("{}{when}", f.id),
            format!("{first:.6} ... {last:.6}"),
        );
    }
    let more = if forecasts.len() > SHOWN {
        format!("... and {} more series\n", forecasts.len() - SHOWN)
    } else {
        String::new()
    };
    let band = args
        .interval
        .map(|p| format!(", with {:.0}% intervals (split conformal)", p * 100.0))
        .unwrap_or_default();
    let human = format!(
        "forecast of {horizon} values for each of {} series ({} model{band}), first and last:\n{}{more}wrote {}, {}\n",
        forecasts.len(),
        model.mode.name(),
        rows.render(),
        csv.display(),
        plot.display()
    );
    let report = ManyForecastReport {
        model: path.clone(),
        mode: model.mode,
        horizon,
        interval: args.interval,
        series: forecasts.len(),
        forecasts,
        outputs: ManyForecastOutputs {
            forecast: csv,
            plot,
        },
    };
    outcome(&report, human)
}
