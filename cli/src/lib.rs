//! `cli`: the `recur` command line.
//!
//! - [`args`]: the clap flags; [`config`]: their validation into settings (all before any file
//!   is written); [`names`] and [`parse`]: the Keras names and number parsing.
//! - [`model`]: the seam to the network crate ([`model::Model`], [`model::Backend`]);
//!   [`backend`]: the backend the binary uses.
//! - [`train`] and [`commands`]: the subcommands; [`progress`]: renders fit's events with nn's
//!   Keras formatting (indicatif bar for verbose 1 on a terminal).
//! - [`output`] (atomic files in the output folder), [`predictions`] (CSV), [`plot`] (plotters).
//!
//! [`run`] is the whole program given its arguments, a backend and the two output streams;
//! errors are one line on stderr with exit status 2 for bad input, 1 for failures while running.

#![warn(missing_docs)]

pub mod args;
pub mod backend;
pub mod commands;
pub mod config;
pub mod error;
pub mod model;
pub mod names;
pub mod output;
pub mod parse;
pub mod plot;
pub mod predictions;
pub mod progress;
pub mod task;
pub mod train;

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;
use clap::error::ErrorKind;

use args::{Cli, Command};
use error::CliError;
use model::Backend;

/// Builds rayon's global pool with `threads` workers (`None`: RAYON_NUM_THREADS, else all
/// cores). If the pool already exists (a second run in one process) its size must match.
fn init_threads(threads: Option<usize>) -> Result<(), CliError> {
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build_global();
    match (built, threads) {
        (Ok(()), _) | (Err(_), None) => Ok(()),
        (Err(_), Some(n)) if rayon::current_num_threads() == n => Ok(()),
        (Err(e), Some(n)) => Err(CliError::Runtime(format!("cannot start {n} threads: {e}"))),
    }
}

/// A clap error as one line (exit status 2), or help/version text (exit status 0).
fn clap_error(e: clap::Error, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(stdout, "{}", e.render());
            0
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            let _ = writeln!(
                stderr,
                "error: a subcommand is required: train, evaluate, predict, forecast or summary (see recur --help)"
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
            let _ = writeln!(stderr, "{} (see --help)", first.join(" "));
            2
        }
    }
}

fn print_json(stdout: &mut dyn Write, value: &impl serde::Serialize) -> Result<(), CliError> {
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
    backend: &dyn Backend,
    stdout: &mut (dyn Write + Send),
    stderr: &mut (dyn Write + Send),
) -> Result<(), CliError> {
    match command {
        Command::Train(a) => {
            let cfg = config::TrainConfig::from_args(&a)?;
            init_threads(cfg.threads)?;
            on_pool(|| train_command(a.common.json, &cfg, backend, stdout, stderr))
        }
        Command::Evaluate(a) => {
            init_threads(config::threads(a.common.threads.as_deref())?)?;
            on_pool(|| emit(a.common.json, commands::evaluate(&a, backend)?, stdout))
        }
        Command::Predict(a) => {
            init_threads(config::threads(a.common.threads.as_deref())?)?;
            on_pool(|| emit(a.common.json, commands::predict(&a, backend)?, stdout))
        }
        Command::Forecast(a) => {
            init_threads(config::threads(a.common.threads.as_deref())?)?;
            on_pool(|| emit(a.common.json, commands::forecast(&a, backend)?, stdout))
        }
        Command::Summary(a) => {
            init_threads(config::threads(a.common.threads.as_deref())?)?;
            on_pool(|| emit(a.common.json, commands::summary(&a, backend)?, stdout))
        }
    }
}

/// `recur train`: a series run or a long-dependency `--task` run.
fn train_command(
    json: bool,
    cfg: &config::TrainConfig,
    backend: &dyn Backend,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), CliError> {
    if cfg.task.is_some() {
        let prepared = task::prepare(cfg, backend)?;
        if !json {
            let _ = write!(stdout, "{}", prepared.header(cfg));
        }
        let report = {
            let sink: &mut dyn Write = if json { stderr } else { &mut *stdout };
            let mut console = progress::Console::new(cfg.fit.verbose, sink);
            task::fit_and_write(cfg, prepared, &mut console)?
        };
        if json {
            print_json(stdout, &report)?;
        } else {
            let _ = write!(stdout, "{}", task::human_report(&report));
        }
        return Ok(());
    }
    let prepared = train::prepare(cfg, backend)?;
    if !json {
        let _ = write!(stdout, "{}", prepared.header());
    }
    let report = {
        let sink: &mut dyn Write = if json { stderr } else { &mut *stdout };
        let mut console = progress::Console::new(cfg.fit.verbose, sink);
        train::fit_and_write(cfg, prepared, &mut console)?
    };
    if json {
        print_json(stdout, &report)
    } else {
        let _ = write!(stdout, "{}", train::human_report(&report));
        Ok(())
    }
}

/// Runs recur with `argv` (program name first) and returns the exit status: 0 success, 1 a
/// failure while running, 2 bad input. Errors are one line on `stderr`.
pub fn run<I, T>(
    argv: I,
    backend: &dyn Backend,
    stdout: &mut (dyn Write + Send),
    stderr: &mut (dyn Write + Send),
) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e, stdout, stderr),
    };
    match run_command(cli.command, backend, stdout, stderr) {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(stderr, "{e}");
            e.exit_code()
        }
    }
}
