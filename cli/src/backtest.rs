//! `recur backtest`: the `forecast` crate's backtest of a saved model
//! ([`forecast::series::backtest()`]: forecasts from `K` rolling origins at the end of the
//! series, with the model's weights or, with `--refit`, its architecture retrained per fold,
//! scored with the baselines from the same origins), written as `backtest.csv` and a plot.
//! docs/forecasting.md describes the folds.

use std::path::PathBuf;

use forecast::series::{BacktestConfig, BacktestRun, BacktestSummary};
use serde::Serialize;

use crate::args::BacktestArgs;
use crate::backtest_plot::{BacktestPlot, backtest_plot};
use crate::commands::{Outcome, model_with_flags, outcome};
use crate::error::CliError;
use crate::output::OutDir;
use crate::run_config::{FitSettings, OutputConfig};

/// The files written.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestOutputs {
    /// `backtest.csv`: one row per fold and step.
    pub backtest: PathBuf,
    /// The plot of the folds.
    pub plot: PathBuf,
}

/// The `recur backtest` report.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestReport {
    /// The model file.
    pub model: PathBuf,
    /// The scores.
    #[serde(flatten)]
    pub summary: BacktestSummary,
    /// The files written.
    pub outputs: BacktestOutputs,
}

/// `recur backtest`: see the module docs.
pub fn backtest(args: &BacktestArgs) -> Result<Outcome, CliError> {
    let output = OutputConfig::from_args(&args.output)?;
    let bytes = forecast::series::model_file::read_bytes(&args.model.model)?;
    if forecast::many::ManyModel::is_many(&bytes) {
        return crate::many_backtest::backtest_many(args, &bytes, output);
    }
    if args.id_column.is_some() {
        return Err(CliError::Usage(format!(
            "the argument '--id-column' is for a many-series model: --model '{}' forecasts one series",
            args.model.model.display()
        )));
    }
    let mut model = model_with_flags(&bytes, &args.model.model, &args.data)?;
    let config = BacktestConfig {
        horizon: args.horizon,
        folds: args.folds,
        stride: args.stride,
        refit: refit_settings(args),
    };
    let run = forecast::series::backtest(&mut model, &config)?;
    let h = run.summary.horizon;
    let csv = backtest_csv(&run)?;
    let mut out = OutDir::create(&output.out)?.stage("backtest")?;
    let csv_path = out.write_bytes("backtest.csv", &csv)?;
    let plot_name = format!("backtest.{}", output.plot_format.extension());
    let origins: Vec<usize> = run.geometry.iter().map(|f| f.origin).collect();
    let name = run.series_name.as_deref().unwrap_or("series");
    let plot = out.write_with(&plot_name, |tmp| {
        backtest_plot(
            tmp,
            output.plot_format,
            &BacktestPlot {
                title: format!(
                    "recur backtest: {name}, {} folds of {h} steps",
                    run.geometry.len()
                ),
                values: &run.values,
                origins: &origins,
                forecasts: &run.columns.model,
                horizon: h,
                time: run.time.as_ref(),
                value_name: run.series_name.as_deref().unwrap_or("value"),
            },
        )
    })?;
    out.commit()?;
    let r = BacktestReport {
        model: args.model.model.clone(),
        summary: run.summary,
        outputs: BacktestOutputs {
            backtest: csv_path,
            plot,
        },
    };
    let human = human(&r);
    outcome(&r, human)
}

/// The settings of each fold's refit (`--refit`, `--epochs` [50], `--batch-size` [16]).
pub(crate) fn refit_settings(args: &BacktestArgs) -> Option<FitSettings> {
    args.refit.then(|| FitSettings {
        epochs: args.epochs.unwrap_or(50),
        batch_size: args.batch_size.unwrap_or(16),
        validation_split: None,
        early_stopping: None,
        verbose: 0,
    })
}

/// `backtest.csv`: fold, origin, step, position (and time), actual, then each forecast.
fn backtest_csv(run: &BacktestRun) -> Result<Vec<u8>, CliError> {
    let (folds, c, h) = (&run.geometry, &run.columns, run.summary.horizon);
    let time_name = run.time.as_ref().map(|t| t.name.as_str());
    let err = |e: csv::Error| CliError::Runtime(format!("cannot write CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["fold", "origin", "step", "position"];
    header.extend(time_name);
    header.extend(["actual", "model", "persistence"]);
    if c.seasonal.is_some() {
        header.push("seasonal_naive");
    }
    header.push("window_mean");
    w.write_record(&header).map_err(err)?;
    for (k, f) in folds.iter().enumerate() {
        for j in 0..h {
            let i = k * h + j;
            let pos = f.origin + j;
            let mut row = vec![
                f.index.to_string(),
                f.origin.to_string(),
                (j + 1).to_string(),
                pos.to_string(),
            ];
            row.extend(run.label(pos)?);
            row.extend([
                c.actual[i].to_string(),
                c.model[i].to_string(),
                c.persistence[i].to_string(),
            ]);
            row.extend(c.seasonal.as_ref().map(|sn| sn[i].to_string()));
            row.push(c.window_mean[i].to_string());
            w.write_record(&row).map_err(err)?;
        }
    }
    w.into_inner()
        .map_err(|e| CliError::Runtime(format!("cannot write CSV: {e}")))
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.6}"))
}

/// The text table: one row per fold, the overall means and the per-step MSEs.
fn human(report: &BacktestReport) -> String {
    let r = &report.summary;
    let mut s = format!(
        "backtest: {} folds, horizon {}, stride {} (series units; {})\n",
        r.folds.len(),
        r.horizon,
        r.stride,
        if r.refit {
            "the model retrained on each fold's history"
        } else {
            "the model's weights serve every fold, no refit"
        }
    );
    s.push_str(&format!(
        "{:>4}  {:>8}  {:>14}  {:>14}  {:>14}  {:>14}\n",
        "fold", "origin", "model mse", "persistence", "seasonal", "window mean"
    ));
    for f in &r.folds {
        let origin = f
            .origin_time
            .clone()
            .unwrap_or_else(|| f.origin.to_string());
        let mark = if f.in_training_part { "*" } else { "" };
        s.push_str(&format!(
            "{:>4}  {:>8}  {:>14.6}  {:>14.6}  {:>14}  {:>14.6}{mark}\n",
            f.fold,
            origin,
            f.mse,
            f.persistence_mse,
            opt(f.seasonal_naive_mse),
            f.window_mean_mse
        ));
    }
    let o = &r.overall;
    s.push_str(&format!(
        "{:>4}  {:>8}  {:>14.6}  {:>14.6}  {:>14}  {:>14.6}\n",
        "mean",
        "",
        o.mse,
        o.persistence_mse,
        opt(o.seasonal_naive_mse),
        o.window_mean_mse
    ));
    if r.folds.iter().any(|f| f.in_training_part) {
        s.push_str(&format!(
            "* origin before the model's training split T = {}: in-sample values\n",
            r.split
        ));
    }
    let steps: Vec<String> = r.by_step.mse.iter().map(|v| format!("{v:.6}")).collect();
    s.push_str(&format!(
        "model mse by step 1..{}: {}\n",
        r.horizon,
        steps.join(", ")
    ));
    if let Some(k) = o.skill {
        s.push_str(&format!("skill against persistence: {k:.4}\n"));
    }
    s.push_str(&format!(
        "wrote {}, {}\n",
        report.outputs.backtest.display(),
        report.outputs.plot.display()
    ));
    s
}
