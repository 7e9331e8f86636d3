//! `recur train --id-column ...`: many series from a long-format CSV, one model per series
//! (local, in parallel) or one global model, then `metrics.csv`, the long `predictions.csv`,
//! one model file for the run and a plot of the best, median and worst series.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use data::LongCsvOptions;
use forecast::many::{
    ColumnNames, LongInputs, ManyRun, Mode, SeriesDone, SeriesInput, SeriesOutcome, Skipped,
    train_global, train_local,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::error::CliError;
use crate::many_config::ManyTrainConfig;
use crate::many_csv::{SeriesLookup, metrics_csv, predictions_csv};
use crate::output::OutDir;
use crate::progress::Console;
use crate::report::{Rows, file_name};
use crate::train::{PREDICTIONS_FILE, TRAIN_SET};
use forecast::series::model_file::MODEL_FILE;

pub use forecast::many::NoAxis;

/// File name of the per-series metrics.
pub const METRICS_FILE: &str = "metrics.csv";

/// Skipped series (and series without a time axis) listed in the text report; the rest are in
/// `metrics.csv` and the JSON.
const LISTED: usize = 10;

/// The files a many-series run wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManyOutputs {
    /// `metrics.csv`.
    pub metrics: PathBuf,
    /// `predictions.csv`.
    pub predictions: PathBuf,
    /// The model file (every local model, or the global one).
    pub model: PathBuf,
    /// The plot.
    pub plot: PathBuf,
}

/// Everything a many-series `recur train` reports (the `--json` object).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManyReport {
    /// Every setting used.
    pub config: ManyTrainConfig,
    /// `local` or `global`.
    pub mode: Mode,
    /// Worker threads used.
    pub threads: usize,
    /// Series trained.
    pub series: usize,
    /// Series left out, with the reason, sorted by id.
    pub skipped: Vec<Skipped>,
    /// Series trained without a regular time step (their forecasts have no times).
    pub no_time_axis: Vec<NoAxis>,
    /// Mean over the trained series of the training MSE (series units, on the windows; with
    /// differencing, on the windows of the differences, whose one-step errors are the same
    /// numbers in series units).
    pub train_mse: f64,
    /// Mean over the trained series of the test MSE (series units, on the test windows).
    pub test_mse: f64,
    /// Mean over the trained series of the mean-of-window baseline's test MSE.
    pub baseline_test_mse: f64,
    /// Mean over the trained series of the model's MSE on the observed test targets (every
    /// test value, series units).
    pub test_mse_observed: f64,
    /// Mean over the trained series of persistence's MSE (`y[t-1]`) on the observed test
    /// targets.
    pub persistence_test_mse: f64,
    /// Mean over the trained series of the seasonal naive forecast's MSE (`y[t-m]`) on the
    /// observed test targets; `null` without `--season`.
    pub seasonal_naive_test_mse: Option<f64>,
    /// Trained series whose observed test MSE is below the best baseline's (persistence, and
    /// the seasonal naive forecast with `--season`): skill above 0.
    pub series_beating_baselines: usize,
    /// With `--interval P`: the mean over the trained series of the share of their observed
    /// test targets inside the one-step prediction plus or minus their step-1 half-width
    /// (`interval_coverage` in `metrics.csv`); absent without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_coverage: Option<f64>,
    /// Wall-clock seconds training every series took (local: the parallel loop; global: the fit).
    pub fit_seconds: f64,
    /// Files written.
    pub outputs: ManyOutputs,
}

/// Reads the long file (with its covariates) into the runners' inputs, with the column names,
/// the covariates' names and the series without a regular time step.
fn load(cfg: &ManyTrainConfig) -> Result<LongInputs, CliError> {
    let dialect = cfg.run.dialect.unwrap_or_default();
    let options = LongCsvOptions {
        id: cfg.id_column.clone(),
        time: cfg.time_column.clone(),
        value: cfg.column.clone(),
        delimiter: dialect.delimiter,
        decimal: dialect.decimal,
        missing: dialect.missing,
        time_format: cfg.time_format.clone(),
        time_step: cfg.time_step,
        features: cfg.features.clone(),
        ..LongCsvOptions::default()
    };
    let long = data::read_long_csv_path(&cfg.csv, &options).map_err(|e| match e {
        e @ data::DataError::Covariate { .. } => {
            CliError::Usage(format!("--features (--csv '{}'): {e}", cfg.csv.display()))
        }
        e => CliError::Usage(format!("--csv '{}': {e}", cfg.csv.display())),
    })?;
    Ok(LongInputs::new(long, cfg.time_column.is_some()))
}

/// The local runner's progress: an indicatif bar over the series on a terminal at verbose 1,
/// a line per series otherwise (verbose 2, or 1 off a terminal), nothing at verbose 0.
struct SeriesProgress<'a> {
    verbose: u8,
    bar: Option<ProgressBar>,
    sink: Mutex<&'a mut (dyn Write + Send)>,
}

impl<'a> SeriesProgress<'a> {
    fn new(verbose: u8, total: usize, sink: &'a mut (dyn Write + Send)) -> Self {
        let bar = (verbose == 1 && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{pos}/{len} series [{bar:30}] {elapsed} (eta {eta})")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        SeriesProgress {
            verbose,
            bar,
            sink: Mutex::new(sink),
        }
    }

    fn handle(&self, d: &SeriesDone<'_>) {
        if self.verbose == 0 {
            return;
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
            return;
        }
        let what = match d.outcome {
            SeriesOutcome::Trained { metrics: m, .. } => format!(
                "test mse {:.6} (baseline {:.6}); on observed targets {:.6} (persistence {:.6}{}), {} epochs",
                m.test_mse,
                m.baseline_test_mse,
                m.test_mse_observed,
                m.persistence_test_mse,
                m.seasonal_naive_test_mse
                    .map(|s| format!(", seasonal naive {s:.6}"))
                    .unwrap_or_default(),
                m.epochs
            ),
            SeriesOutcome::Skipped(s) => format!("skipped: {}", s.reason),
        };
        // A poisoned lock only means another worker panicked mid-line: keep printing.
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(
            sink,
            "series {}/{} {}: {what}",
            d.done,
            d.total,
            d.outcome.id()
        );
    }

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `recur train --id-column ...`: reads and checks everything before training, writes nothing
/// before every series is done, then replaces the train set of the output folder at once.
pub fn train_many(
    cfg: &ManyTrainConfig,
    json: bool,
    stdout: &mut (dyn Write + Send),
    stderr: &mut (dyn Write + Send),
) -> Result<(), CliError> {
    let LongInputs {
        inputs,
        columns,
        no_time_axis,
        features,
    } = load(cfg)?;
    let mut run_cfg = cfg.run.clone();
    run_cfg.columns = columns.clone();
    // The file's names of the columns --features chose (indices become header names).
    run_cfg.features = features;
    let spec_summary = run_cfg
        .model
        .build()
        .map_err(|e| CliError::Usage(format!("cannot build the model: {e}")))
        .and_then(|m| Ok(forecast::fitting::summary(&m)?))?;
    if !json {
        let _ = write!(
            stdout,
            "{} series from {} ({} mode{}{})\n{spec_summary}\n",
            inputs.len(),
            cfg.csv.display(),
            run_cfg.mode.name(),
            match run_cfg.mode {
                Mode::Local => ", one model per series",
                Mode::Global => ", one model for all",
            },
            if run_cfg.features.is_empty() {
                String::new()
            } else {
                format!(", covariates {}", run_cfg.features.join(", "))
            }
        );
    }
    let sink: &mut (dyn Write + Send) = if json { stderr } else { &mut *stdout };
    let run = match run_cfg.mode {
        Mode::Local => {
            let progress = SeriesProgress::new(cfg.run.fit.verbose, inputs.len(), sink);
            let run = train_local(&inputs, &run_cfg, &|d| progress.handle(d));
            progress.finish();
            run?
        }
        Mode::Global => {
            let mut console = Console::new(cfg.run.fit.verbose, sink);
            train_global(&inputs, &run_cfg, &mut |e| console.handle(e))?
        }
    };
    let outputs = write_outputs(cfg, &run, &inputs, &columns)?;
    let report = ManyReport {
        config: cfg.clone(),
        mode: run.mode,
        threads: rayon::current_num_threads(),
        series: run.metrics.len(),
        skipped: run.skipped.clone(),
        no_time_axis,
        train_mse: run.mean_of(|m| m.train_mse),
        test_mse: run.mean_of(|m| m.test_mse),
        baseline_test_mse: run.mean_of(|m| m.baseline_test_mse),
        test_mse_observed: run.mean_of(|m| m.test_mse_observed),
        persistence_test_mse: run.mean_of(|m| m.persistence_test_mse),
        seasonal_naive_test_mse: cfg
            .run
            .season
            .map(|_| run.mean_of(|m| m.seasonal_naive_test_mse.unwrap_or(f64::NAN))),
        series_beating_baselines: run
            .metrics
            .iter()
            .filter(|m| m.skill.is_some_and(|s| s > 0.0))
            .count(),
        interval_coverage: cfg
            .run
            .interval
            .map(|_| run.mean_of(|m| m.interval_coverage.unwrap_or(f64::NAN))),
        fit_seconds: run.fit_seconds,
        outputs,
    };
    if json {
        crate::print_json(stdout, &report)
    } else {
        let _ = write!(stdout, "{}", human_report(&report));
        Ok(())
    }
}

/// Writes the run's files as one set.
fn write_outputs(
    cfg: &ManyTrainConfig,
    run: &ManyRun,
    inputs: &[SeriesInput],
    columns: &ColumnNames,
) -> Result<ManyOutputs, CliError> {
    let lookup = SeriesLookup {
        inputs,
        split: cfg.run.windows.split,
    };
    let model_bytes = run.model.to_bytes()?;
    let mut out = OutDir::create(&cfg.output.out)?.stage(TRAIN_SET)?;
    let model = out.write_bytes(MODEL_FILE, &model_bytes)?;
    let metrics = out.write_bytes(
        METRICS_FILE,
        &metrics_csv(&columns.id, &run.metrics, &run.skipped)?,
    )?;
    let predictions = out.write_bytes(
        PREDICTIONS_FILE,
        &predictions_csv(columns, &run.predictions, lookup)?,
    )?;
    let plot = crate::many_plot_outputs::write_plot(&mut out, cfg, run, columns, lookup)?;
    out.commit()?;
    Ok(ManyOutputs {
        metrics,
        predictions,
        model,
        plot,
    })
}

/// The human text printed after training: the means, the skipped series, the outputs.
pub fn human_report(r: &ManyReport) -> String {
    let mut rows = Rows::default();
    rows.push(
        "series trained",
        format!(
            "{} ({} skipped, {} mode)",
            r.series,
            r.skipped.len(),
            r.mode.name()
        ),
    );
    let run = &r.config.run;
    let windows = match (run.windows.pad, run.differencing.is_none()) {
        (true, true) => "tutorial's padded windows, series units".to_string(),
        (false, true) => "windows, series units".to_string(),
        (pad, false) => format!(
            "{}windows of the differences ({}), one-step errors in series units",
            if pad { "padded " } else { "" },
            run.differencing.describe()
        ),
    };
    rows.push(
        format!("mean train mse ({windows})"),
        format!("{:.6}", r.train_mse),
    );
    rows.push(
        format!("mean test mse ({windows})"),
        format!("{:.6}", r.test_mse),
    );
    rows.push(
        "mean baseline test mse (mean of each window)",
        format!("{:.6}", r.baseline_test_mse),
    );
    rows.push(
        "mean test mse on observed targets (every test value, series units)",
        format!("{:.6}", r.test_mse_observed),
    );
    rows.push(
        "mean persistence test mse (y[t-1], observed targets)",
        format!("{:.6}", r.persistence_test_mse),
    );
    if let (Some(m), Some(v)) = (run.season, r.seasonal_naive_test_mse) {
        rows.push(
            format!("mean seasonal naive test mse (y[t-{m}], observed targets)"),
            format!("{v:.6}"),
        );
    }
    rows.push(
        if run.season.is_some() {
            "series beating the best baseline (persistence or seasonal naive)"
        } else {
            "series beating the best baseline (persistence)"
        },
        format!("{} of {}", r.series_beating_baselines, r.series),
    );
    if let (Some(i), Some(c)) = (run.interval, r.interval_coverage) {
        rows.push(
            format!(
                "mean coverage of the {:.0}% intervals (one-step, observed test targets)",
                i.p * 100.0
            ),
            format!("{c:.4}"),
        );
    }
    rows.push(
        "fit time",
        format!("{:.2} s on {} thread(s)", r.fit_seconds, r.threads),
    );
    let mut text = rows.render();
    if run.model.horizon > 1 {
        text.push_str(&format!(
            "direct model of {h} outputs: train and test mse over all {h} outputs of its windows; the baseline, observed and interval figures score its horizon-1 output\n",
            h = run.model.horizon
        ));
    }
    let list = |title: &str, items: Vec<(&str, &str)>| {
        let mut s = format!("{title}:\n");
        for (id, why) in items.iter().take(LISTED) {
            s.push_str(&format!("  {id}: {why}\n"));
        }
        if items.len() > LISTED {
            s.push_str(&format!(
                "  ... and {} more (metrics.csv, --json)\n",
                items.len() - LISTED
            ));
        }
        s
    };
    if !r.skipped.is_empty() {
        text.push_str(&list(
            &format!("skipped ({})", r.skipped.len()),
            r.skipped
                .iter()
                .map(|s| (s.id.as_str(), s.reason.as_str()))
                .collect(),
        ));
    }
    if !r.no_time_axis.is_empty() {
        text.push_str(&list(
            &format!(
                "no regular time step, forecasts without times ({})",
                r.no_time_axis.len()
            ),
            r.no_time_axis
                .iter()
                .map(|s| (s.id.as_str(), s.reason.as_str()))
                .collect(),
        ));
    }
    let o = &r.outputs;
    text.push_str(&format!(
        "outputs in {}: {}, {}, {}, {}\n",
        r.config.output.out.display(),
        file_name(&o.model),
        file_name(&o.metrics),
        file_name(&o.predictions),
        file_name(&o.plot)
    ));
    text
}
