//! `cli`: the `recur` command line. The pipeline itself is the `forecast` crate's (one series:
//! `forecast::series`; many: `forecast::many`); this crate parses the flags into its settings,
//! prints text and JSON, writes the output files and draws the plots.
//!
//! - [`args`]: the clap flags, parsed by [`parsers`] straight into nn's and data's types;
//!   [`run_config`] and [`data_config`] turn them into the `forecast` crate's settings (the
//!   series run or a `--task`, the data, the model), checked before any output folder exists.
//! - [`train`], [`commands`] and [`backtest`] ([`backtest_plot`]): the subcommands, on
//!   `forecast::series` (a `--task` run is trained in [`train`] itself); [`progress`]: renders
//!   fit's events with nn's Keras formatting (indicatif bar for verbose 1 on a terminal).
//! - [`output`] (each command's files replaced as one set, under a journal), [`predictions`] (CSV), [`plot`]
//!   (plotters, with [`plot_axis`]'s time and value labels and one chart frame, caption, mesh
//!   and legend, shared by all plots), [`report`] (aligned text).
//! - [`many_config`], [`many_train`], [`many_csv`], [`many_plot_outputs`] and [`many_forecast`]:
//!   many series from a long-format CSV (`train --id-column`, local or `--global`) through the
//!   `forecast` crate's runners, and `forecast` on the model file of such a run; [`many_plot`]:
//!   its one plot, the best, median and worst series by skill over the baseline above a
//!   histogram of every series' skill; [`many_backtest`]: `backtest` on such a model file.
//!
//! [`run`] is the whole program given its arguments and the two output streams; errors are one
//! line on stderr with exit status 2 for bad input, 1 for failures while running.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod args;
pub mod backtest;
pub mod backtest_plot;
pub mod commands;
pub mod data_config;
pub mod error;
pub mod many_backtest;
mod many_backtest_csv;
pub mod many_config;
pub mod many_csv;
pub mod many_forecast;
mod many_forecast_plot;
mod many_model_flags;
pub mod many_plot;
pub mod many_plot_outputs;
pub mod many_train;
pub mod output;
pub mod parsers;
pub mod plot;
pub mod plot_axis;
mod plot_frame;
pub mod predictions;
pub mod progress;
pub mod report;
pub mod run_config;
pub mod train;

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;
use clap::error::ErrorKind;

use args::{Cli, Command};
use error::CliError;

/// Builds rayon's global pool with `threads` workers (`None`: RAYON_NUM_THREADS, else all
/// cores). If the pool already exists (a second run in one process) its size must match.
///
/// Never panics: when a worker cannot be started (an I/O error, the error's `source`), rayon's
/// global pool is left half-built and any later use of it panics, so this returns the error
/// without touching the pool again.
fn init_threads(threads: Option<usize>) -> Result<(), CliError> {
    use std::error::Error;
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build_global();
    let shown = threads.map_or("the default number of".to_string(), |n| n.to_string());
    match (built, threads) {
        (Ok(()), _) => Ok(()),
        (Err(e), _) if e.source().is_some() => Err(CliError::Runtime(format!(
            "cannot start {shown} threads: {e} (pass a smaller --threads)"
        ))),
        (Err(_), None) => Ok(()),
        (Err(_), Some(n)) if rayon::current_num_threads() == n => Ok(()),
        (Err(e), Some(n)) => Err(CliError::Runtime(format!("cannot start {n} threads: {e}"))),
    }
}

/// A conflict as one line naming the two flags given. clap names every member of a conflicting
/// group (`--task` against all the series flags); this keeps those that are on the command line.
fn conflict_line(e: &clap::Error, argv: &[OsString]) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    if e.kind() != ErrorKind::ArgumentConflict {
        return None;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let others = match e.get(ContextKind::PriorArg)? {
        ContextValue::String(one) => vec![one.clone()],
        ContextValue::Strings(many) => many.clone(),
        _ => return None,
    };
    let given = |rendered: &String| {
        let flag = rendered.split_whitespace().next().unwrap_or_default();
        argv.iter().any(|a| {
            let a = a.to_string_lossy();
            a == flag || a.starts_with(&format!("{flag}="))
        })
    };
    let named: Vec<String> = others
        .iter()
        .filter(|o| given(o))
        .map(|o| format!("'{o}'"))
        .collect();
    (!named.is_empty()).then(|| {
        format!(
            "error: the argument '{arg}' cannot be used with {}",
            named.join(", ")
        )
    })
}

/// A clap error as one line (exit status 2), or help/version text (exit status 0).
fn clap_error(
    e: clap::Error,
    argv: &[OsString],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(stdout, "{}", e.render());
            0
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            let _ = writeln!(
                stderr,
                "error: a subcommand is required: train, evaluate, predict, forecast, backtest, summary or upgrade (see recur --help)"
            );
            2
        }
        _ => {
            let text = e.render().to_string();
            // The first paragraph holds the message (and, for missing arguments, their names).
            let first: Vec<&str> = text
                .lines()
                .skip_while(|l| l.trim().is_empty())
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let line = match conflict_line(&e, argv) {
                Some(line) => line,
                None => CliError::Usage(first.join(" ")).one_line(),
            };
            // A flag that needs another: clap's usage line shows the flag given beside the
            // one it needs ("recur train --csv <FILE> --column <NAME|INDEX>").
            let usage = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("Usage: "))
                .filter(|_| e.kind() == ErrorKind::MissingRequiredArgument);
            match usage {
                Some(u) => {
                    let _ = writeln!(stderr, "{line} (usage: {u}; see --help)");
                }
                None => {
                    let _ = writeln!(stderr, "{line} (see --help)");
                }
            }
            2
        }
    }
}

/// Prints `value` as one line of JSON.
pub(crate) fn print_json(
    stdout: &mut dyn Write,
    value: &impl serde::Serialize,
) -> Result<(), CliError> {
    let text = serde_json::to_string(value)
        .map_err(|e| CliError::Runtime(format!("cannot encode the report: {e}")))?;
    writeln!(stdout, "{text}").map_err(|e| CliError::Runtime(format!("cannot write stdout: {e}")))
}

/// Runs `work` on rayon's global pool, the calling thread blocked until it is done.
///
/// Why: the calling thread is not one of the pool's workers. Left to run the tape, it would
/// compete for the cores with workers spinning between parallel sections (`--threads 2` on 2
/// cores is 3 busy threads); the large model's 2-thread fit ran 30% slower per step than the
/// same step inside the pool. `rayon::scope` from outside a pool injects `work` into the
/// global pool and blocks, like `ThreadPool::install`.
fn on_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| work())
}

/// Prints a command's outcome: its JSON object or its human text.
fn emit(json: bool, outcome: commands::Outcome, stdout: &mut dyn Write) -> Result<(), CliError> {
    if json {
        print_json(stdout, &outcome.json)
    } else {
        write!(stdout, "{}", outcome.human)
            .map_err(|e| CliError::Runtime(format!("cannot write stdout: {e}")))
    }
}

fn run_command(
    command: Command,
    stdout: &mut (dyn Write + Send),
    stderr: &mut (dyn Write + Send),
) -> Result<(), CliError> {
    let (common, work): (
        _,
        Box<dyn FnOnce() -> Result<commands::Outcome, CliError> + Send>,
    ) = match command {
        Command::Train(a) if a.id_column.is_some() => {
            let cfg = many_config::ManyTrainConfig::from_args(&a)?;
            init_threads(cfg.threads)?;
            return on_pool(|| many_train::train_many(&cfg, a.common.json, stdout, stderr));
        }
        Command::Train(a) => {
            let cfg = run_config::TrainConfig::from_args(&a)?;
            init_threads(cfg.threads)?;
            return on_pool(|| train::train(&cfg, a.common.json, stdout, stderr));
        }
        Command::Evaluate(a) => (a.common.clone(), Box::new(move || commands::evaluate(&a))),
        Command::Predict(a) => (a.common.clone(), Box::new(move || commands::predict(&a))),
        Command::Forecast(a) => (a.common.clone(), Box::new(move || commands::forecast(&a))),
        Command::Backtest(a) => (a.common.clone(), Box::new(move || backtest::backtest(&a))),
        Command::Summary(a) => (a.common.clone(), Box::new(move || commands::summary(&a))),
        Command::Upgrade(a) => (a.common.clone(), Box::new(move || commands::upgrade(&a))),
    };
    init_threads(run_config::threads(common.threads)?)?;
    on_pool(|| emit(common.json, work()?, stdout))
}

/// Runs recur with `argv` (program name first) and returns the exit status: 0 success, 1 a
/// failure while running, 2 bad input. Errors are one line on `stderr`.
pub fn run<I, T>(argv: I, stdout: &mut (dyn Write + Send), stderr: &mut (dyn Write + Send)) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv: Vec<OsString> = argv.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e, &argv, stdout, stderr),
    };
    match run_command(cli.command, stdout, stderr) {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(stderr, "{e}");
            e.exit_code()
        }
    }
}
