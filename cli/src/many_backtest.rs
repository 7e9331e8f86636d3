//! `recur backtest` on the model file of a many-series run: every series of the long `--csv`
//! file backtested by its member ([`forecast::many::backtest()`]: the one-series folds, the
//! saved weights, the baselines from the same origins), pooled over the series, written as the
//! long `backtest.csv` and `backtest_series.csv`; with `--refit` (local models), each
//! series' model retrained on each fold's history. No plot.

use std::path::PathBuf;

use data::{Column, LongCsvOptions};
use forecast::many::{
    ColumnNames, LongInputs, ManyBacktest, ManyBacktestConfig, ManyModel, SeriesBacktest,
};
use forecast::series::CsvDialect;
use serde::Serialize;

use crate::args::BacktestArgs;
use crate::backtest::refit_settings;
use crate::commands::{Outcome, outcome};
use crate::data_config::dialect_from_args;
use crate::error::CliError;
use crate::many_backtest_csv::{many_backtest_csv, series_backtest_csv};
use crate::many_model_flags::{first_given, model_owned_flags};
use crate::output::OutDir;
use crate::report::Rows;
use crate::run_config::OutputConfig;

/// Best and worst series listed in the text (all are in `backtest_series.csv`).
const SHOWN: usize = 3;

/// Skipped series listed in the text (all are in `backtest_series.csv` and the JSON).
const LISTED: usize = 10;

/// The files written.
#[derive(Debug, Clone, Serialize)]
pub struct ManyBacktestOutputs {
    /// `backtest.csv`: one row per series, fold and step.
    pub backtest: PathBuf,
    /// `backtest_series.csv`: one row per series, backtested or skipped.
    pub series: PathBuf,
}

/// The `recur backtest --json` report of a many-series model.
#[derive(Debug, Clone, Serialize)]
pub struct ManyBacktestReport {
    /// The model file.
    pub model: PathBuf,
    /// The long-format file.
    pub csv: PathBuf,
    /// The scores.
    #[serde(flatten)]
    pub backtest: ManyBacktest,
    /// The files written.
    pub outputs: ManyBacktestOutputs,
}

/// The first flag given that a many-series backtest cannot use, by name: the model's windows,
/// scaling and differencing are its own, and its series come from `--csv`.
fn refused_flag(args: &BacktestArgs) -> Option<&'static str> {
    let features = [("--features", args.data.series.features.is_some())];
    first_given(features.into_iter().chain(model_owned_flags(&args.data)))
}

/// Reads the long file with the model's column names, each replaced by its flag when given,
/// and the model's covariates (`features`, by the training file's names) beside the values.
fn read_inputs(
    args: &BacktestArgs,
    csv: &PathBuf,
    saved: &ColumnNames,
    features: &[String],
) -> Result<LongInputs, CliError> {
    let s = &args.data.series;
    let dialect = dialect_from_args(s, CsvDialect::default())?;
    let time = s
        .time_column
        .clone()
        .or_else(|| saved.time.clone().map(Column::Name));
    let timed = time.is_some();
    let options = LongCsvOptions {
        id: args
            .id_column
            .clone()
            .unwrap_or_else(|| Column::Name(saved.id.clone())),
        time,
        value: Some(
            s.column
                .clone()
                .unwrap_or_else(|| Column::Name(saved.value.clone())),
        ),
        delimiter: dialect.delimiter,
        decimal: dialect.decimal,
        missing: dialect.missing,
        time_format: s.time_format.clone(),
        time_step: s.time_step,
        features: features
            .iter()
            .map(|f| {
                f.parse::<Column>()
                    .map_err(|e| CliError::Usage(format!("--model: covariate '{f}': {e}")))
            })
            .collect::<Result<_, _>>()?,
        ..LongCsvOptions::default()
    };
    let long = data::read_long_csv_path(csv, &options)
        .map_err(|e| CliError::Usage(format!("--csv '{}': {e}", csv.display())))?;
    Ok(LongInputs::new(long, timed))
}

/// `recur backtest --model <many-series model> --csv <long file> --folds K --horizon H`: see
/// the module docs. `output` was checked by the caller before the model file was read.
pub fn backtest_many(
    args: &BacktestArgs,
    bytes: &[u8],
    output: OutputConfig,
) -> Result<Outcome, CliError> {
    let path = &args.model.model;
    if let Some(flag) = refused_flag(args) {
        return Err(CliError::Usage(format!(
            "the argument '{flag}' cannot be used with a many-series model ('{}'): its backtest \
             forecasts every fold with the saved windows, scaling and differencing of each series",
            path.display()
        )));
    }
    let Some(csv) = args.data.series.csv.clone() else {
        return Err(CliError::Usage(format!(
            "a many-series model ('{}') needs '--csv <FILE>', the long-format file of its \
             series: the model keeps only each series' last values",
            path.display()
        )));
    };
    let model = ManyModel::from_bytes(bytes)
        .map_err(|e| CliError::Usage(format!("--model '{}': {e}", path.display())))?;
    let saved = model.columns();
    let features = model
        .features()
        .map_err(|e| CliError::Usage(format!("--model '{}': {e}", path.display())))?;
    let read = read_inputs(args, &csv, &saved, &features)?;
    let cfg = ManyBacktestConfig {
        horizon: args.horizon,
        folds: args.folds,
        stride: args.stride,
        season: args.data.series.season,
        refit: refit_settings(args),
    };
    let run = forecast::many::backtest(&model, &read.inputs, &cfg)?;
    // The headers are the file's own names, as training's outputs are.
    let columns = read.columns;
    let mut out = OutDir::create(&output.out)?.stage("backtest")?;
    let backtest = out.write_bytes("backtest.csv", &many_backtest_csv(&columns, &run)?)?;
    let series = out.write_bytes(
        "backtest_series.csv",
        &series_backtest_csv(&columns.id, &run)?,
    )?;
    out.commit()?;
    let report = ManyBacktestReport {
        model: path.clone(),
        csv,
        backtest: run,
        outputs: ManyBacktestOutputs { backtest, series },
    };
    let human = human(&report);
    outcome(&report, human)
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.6}"))
}

/// A series' skill against persistence, for ranking (a perfect persistence ranks last).
fn skill(s: &SeriesBacktest) -> f64 {
    s.overall.skill.unwrap_or(f64::NEG_INFINITY)
}

/// The text: the pooled scores beside the baselines, the best and worst series by skill, the
/// skipped series.
fn human(report: &ManyBacktestReport) -> String {
    let r = &report.backtest;
    let o = &r.overall;
    let folds = r.series.first().map_or(0, |s| s.folds.len());
    let mut s = format!(
        "backtest of {} series ({} model, {}): {folds} folds, horizon {}, stride {} (each \
         series in its units; means over the series)\n",
        o.series,
        r.mode.name(),
        if r.refit {
            "retrained on each fold's history"
        } else {
            "saved weights"
        },
        r.horizon,
        r.stride
    );
    let mut rows = Rows::default();
    rows.push("model mse", format!("{:.6}", o.mse));
    rows.push("persistence mse", format!("{:.6}", o.persistence_mse));
    if r.season.is_some() {
        rows.push("seasonal naive mse", opt(o.seasonal_naive_mse));
    }
    rows.push("window mean mse", format!("{:.6}", o.window_mean_mse));
    rows.push("skill against persistence", opt(o.skill));
    rows.push(
        "series beating persistence",
        format!("{} of {}", o.series_beating_persistence, o.series),
    );
    s.push_str(&rows.render());
    let mut ranked: Vec<&SeriesBacktest> = r.series.iter().collect();
    ranked.sort_by(|a, b| skill(b).total_cmp(&skill(a)).then(a.id.cmp(&b.id)));
    let line = |x: &SeriesBacktest| {
        format!(
            "  {}: mse {:.6}, persistence {:.6}, skill {}\n",
            x.id,
            x.overall.mse,
            x.overall.persistence_mse,
            opt(x.overall.skill)
        )
    };
    if ranked.len() > 2 * SHOWN {
        s.push_str("best series (skill against persistence):\n");
        ranked[..SHOWN].iter().for_each(|x| s.push_str(&line(x)));
        s.push_str("worst series:\n");
        ranked[ranked.len() - SHOWN..]
            .iter()
            .for_each(|x| s.push_str(&line(x)));
    } else {
        s.push_str("series, best first (skill against persistence):\n");
        ranked.iter().for_each(|x| s.push_str(&line(x)));
    }
    if !r.skipped.is_empty() {
        s.push_str(&format!("skipped {} series:\n", r.skipped.len()));
        for k in r.skipped.iter().take(LISTED) {
            s.push_str(&format!("  {}: {}\n", k.id, k.reason));
        }
        if r.skipped.len() > LISTED {
            s.push_str(&format!(
                "  ... and {} more (backtest_series.csv)\n",
                r.skipped.len() - LISTED
            ));
        }
    }
    s.push_str(&format!(
        "wrote {}, {}\n",
        report.outputs.backtest.display(),
        report.outputs.series.display()
    ));
    s
}
