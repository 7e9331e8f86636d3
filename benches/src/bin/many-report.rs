//! `many-report`: recur's many-series training figures. Generates `--series` synthetic series
//! of `--points` values (`benches::many::generate`: each its own period, phase, amplitude,
//! trend, level and noise; ids `s0000`, ...), then:
//!
//! - for each `--threads` count, trains one tutorial model per series (`train_local`:
//!   SimpleRNN(32, relu) -> Dense(8, relu) -> Dense(1), RMSprop, mse, `--epochs`, batch
//!   `--batch`, split `--split`, padded windows of 4, no scaling) on a rayon pool of that many
//!   workers built for the run, and prints series per second, wall and fit seconds, the
//!   speed-up over 1 thread and the run's peak resident memory (`VmHWM`, reset before each run,
//!   beside the resident memory just before it: a later run starts with the heap earlier runs
//!   left to the allocator, so a run's own peak needs one `--threads` count per process);
//! - checks that every run's metrics, predictions and model bytes are bit-identical to the
//!   first run's (`identical: yes`; exit status 1 if not);
//! - on the first `--quality-series` series (0 skips it), trains one global model (standard
//!   scaling per series) and prints the mean and median test MSE of local, global, the
//!   mean-of-window baseline and persistence (on every test value), and on how many series
//!   each mode beats persistence (its MSE on every test value against persistence's) and the
//!   baseline. The local
//!   figures are the first run's (a series' local model does not depend on the other series).
//!
//! ```text
//! cargo run --release -p benches --bin many-report -- [--series 1000] [--points 1000]
//!     [--epochs 50] [--batch 16] [--split 0.8] [--seed 0] [--threads 1,2]
//!     [--quality-series 100] [--json]
//! ```
//!
//! `--json` prints one object instead of the tables: `{"framework", "version", "cpu",
//! "settings": {...}, "series_checksum", "runs": [{"threads", "wall_seconds", "fit_seconds",
//! "series_per_second", "speedup", "vm_hwm_mib", "hwm_reset", "rss_before_mib", "trained",
//! "skipped"}],
//! "identical", "model_file": {"member_bytes", "file_bytes", "held_bytes"}, "quality": {...} |
//! null}`. Bad arguments exit with status 2, a failed run with 1.

use std::process::ExitCode;

use benches::many::generate::{checksum, generate};
use benches::many::measure::{RunSettings, TimedRun, metrics_identical, run_local};
use benches::many::quality::{ModeScores, Quality, compare};
use clap::Parser;
use kernels::cache::CpuId;
use serde_json::{Value, json};

/// recur's many-series training figures: series/second on rayon pools of given sizes,
/// bit-identity across them, peak memory, and local against global forecast quality.
#[derive(Parser, Debug)]
#[command(name = "many-report")]
struct Args {
    /// Series to generate and train (one model each).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    series: u64,
    /// Values per series.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(2..=100_000_000))]
    points: u64,
    /// Epochs of every fit.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    epochs: u64,
    /// Batch size of every fit.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    batch: u64,
    /// Fraction of each series used for training, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.8, value_parser = parse_split)]
    split: f64,
    /// Seed of the series and of the models.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Thread counts to run, comma-separated; each run gets a rayon pool of its own.
    #[arg(long, value_delimiter = ',', default_value = "1,2",
          value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Vec<u64>,
    /// Series (the first ones) on which local and global are compared; 0 skips the comparison.
    #[arg(long, default_value_t = 100)]
    quality_series: u64,
    /// Print one JSON object instead of the tables.
    #[arg(long)]
    json: bool,
}

fn parse_split(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if f > 0.0 && f < 1.0 => Ok(f),
        _ => Err(format!(
            "expected a fraction strictly between 0 and 1, got {s:?}"
        )),
    }
}

/// The CPU as `/proc/cpuinfo` names it (with CPUID's family and model) and how many CPUs the
/// process may use.
fn cpu_line() -> String {
    let name = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let id = CpuId::current();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "{name} ({:?} family {:#x} model {:#x}), {cpus} CPUs available",
        id.vendor, id.family, id.model
    )
}

fn load_avg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn mib(bytes: f64) -> f64 {
    bytes / (1024.0 * 1024.0)
}

/// Everything the report prints.
struct Report {
    settings: RunSettings,
    series: usize,
    points: usize,
    checksum: u64,
    runs: Vec<TimedRun>,
    identical: bool,
    quality: Option<Quality>,
}

impl Report {
    /// Speed-up of `run` over the 1-thread run, when there is one.
    fn speedup(&self, run: &TimedRun) -> Option<f64> {
        let one = self.runs.iter().find(|r| r.threads == 1)?;
        Some(one.wall_seconds / run.wall_seconds)
    }

    fn json(&self) -> Value {
        let s = &self.settings;
        let runs: Vec<Value> = self
            .runs
            .iter()
            .map(|r| {
                json!({
                    "threads": r.threads,
                    "wall_seconds": r.wall_seconds,
                    "fit_seconds": r.fit_seconds,
                    "series_per_second": r.series_per_second(),
                    "speedup": self.speedup(r),
                    "vm_hwm_mib": r.vm_hwm_kib.map(|k| k as f64 / 1024.0),
                    "hwm_reset": r.hwm_reset,
                    "rss_before_mib": r.rss_before_kib.map(|k| k as f64 / 1024.0),
                    "trained": r.trained,
                    "skipped": r.skipped,
                })
            })
            .collect();
        let first = &self.runs[0];
        let scores = |m: &ModeScores| {
            json!({
                "trained": m.trained,
                "mean_test_mse": m.mean_test_mse,
                "median_test_mse": m.median_test_mse,
                "beats_persistence": m.beats_persistence,
                "beats_baseline": m.beats_baseline,
            })
        };
        let quality = self.quality.as_ref().map(|q| {
            json!({
                "series": q.series,
                "compared": q.compared,
                "local": scores(&q.local),
                "global": scores(&q.global),
                "baseline_mse": q.baseline_mse,
                "persistence_mse": q.persistence_mse,
                "baseline_median": q.baseline_median,
                "persistence_median": q.persistence_median,
                "global_fit_seconds": q.global_fit_seconds,
            })
        });
        json!({
            "framework": "recur",
            "version": format!("recur {}", env!("CARGO_PKG_VERSION")),
            "cpu": cpu_line(),
            "settings": {
                "series": self.series,
                "points": self.points,
                "epochs": s.epochs,
                "batch_size": s.batch_size,
                "split": s.split,
                "seed": s.seed,
                "step": s.step,
                "model": "SimpleRNN(32, relu) -> Dense(8, relu) -> Dense(1), RMSprop, mse",
            },
            "series_checksum": format!("{:016x}", self.checksum),
            "runs": runs,
            "identical": self.identical,
            "model_file": {
                "member_bytes": first.member_bytes,
                "file_bytes": first.file_bytes,
                "held_bytes": first.held_bytes,
            },
            "quality": quality,
        })
    }

    fn print_text(&self) {
        let s = &self.settings;
        println!(
            "recur many-report: one model per series, {} series x {} points; load avg {}",
            self.series,
            self.points,
            load_avg()
        );
        println!("CPU: {}", cpu_line());
        println!(
            "model: SimpleRNN(32, relu) -> Dense(8, relu) -> Dense(1), RMSprop, mse; {} epochs, \
             batch {}, split {}, windows of {} (padded, unscaled), seed {}",
            s.epochs, s.batch_size, s.split, s.step, s.seed
        );
        println!(
            "series checksum: {:016x} (FNV-1a of every value's bits; many_keras.py prints it too)\n",
            self.checksum
        );
        println!(
            "{:>7} {:>10} {:>9} {:>9} {:>8} {:>10} {:>11} {:>8} {:>8}",
            "threads",
            "series/s",
            "wall s",
            "fit s",
            "speedup",
            "VmHWM MiB",
            "RSS before",
            "trained",
            "skipped"
        );
        let kib =
            |k: Option<u64>| k.map_or("-".to_string(), |k| format!("{:.1}", k as f64 / 1024.0));
        for r in &self.runs {
            println!(
                "{:>7} {:>10.1} {:>9.3} {:>9.3} {:>8} {:>10} {:>11} {:>8} {:>8}",
                r.threads,
                r.series_per_second(),
                r.wall_seconds,
                r.fit_seconds,
                self.speedup(r)
                    .map_or("-".to_string(), |x| format!("{x:.2}x")),
                kib(r.vm_hwm_kib),
                kib(r.rss_before_kib),
                r.trained,
                r.skipped
            );
        }
        let threads: Vec<String> = self.runs.iter().map(|r| r.threads.to_string()).collect();
        println!(
            "identical: {} (metrics, predictions and model bytes on {} thread(s))",
            if self.identical { "yes" } else { "no" },
            threads.join(", ")
        );
        if self.runs.len() > 1 {
            println!(
                "(a later run's VmHWM includes heap that earlier runs left with the allocator, \
                 'RSS before'; pass one --threads count for a run's own peak)"
            );
        }
        if self.runs.iter().any(|r| !r.hwm_reset) {
            println!("(VmHWM could not be reset between runs: each is the process's peak so far)");
        }
        let first = &self.runs[0];
        println!(
            "model file: one series' model {:.1} KiB, the run's file {:.2} MiB; results the run \
             holds until it returns (predictions and models): {:.2} MiB",
            first.member_bytes as f64 / 1024.0,
            mib(first.file_bytes as f64),
            mib(first.held_bytes as f64)
        );
        if let Some(q) = &self.quality {
            println!(
                "\nquality on the first {} series: test MSE in the series' units, over the {} \
                 series both modes trained",
                q.series, q.compared
            );
            println!(
                "{:<34} {:>14} {:>16} {:>18} {:>15} {:>8}",
                "",
                "mean test MSE",
                "median test MSE",
                "beats persistence",
                "beats baseline",
                "trained"
            );
            for (name, m) in [
                ("local (one model each, unscaled)", &q.local),
                ("global (one model, standard)", &q.global),
            ] {
                println!(
                    "{:<34} {:>14.5} {:>16.5} {:>18} {:>15} {:>8}",
                    name,
                    m.mean_test_mse,
                    m.median_test_mse,
                    format!("{}/{}", m.beats_persistence, q.compared),
                    format!("{}/{}", m.beats_baseline, q.compared),
                    m.trained
                );
            }
            println!(
                "{:<34} {:>14.5} {:>16.5}",
                "mean-of-window baseline", q.baseline_mse, q.baseline_median
            );
            println!(
                "{:<34} {:>14.5} {:>16.5}",
                "persistence (every test value)", q.persistence_mse, q.persistence_median
            );
            println!(
                "global fit: {:.3} s (local figures: the {}-thread run above)",
                q.global_fit_seconds, first.threads
            );
        }
    }
}

fn run(a: &Args) -> Result<Report, String> {
    let settings = RunSettings {
        epochs: a.epochs as usize,
        batch_size: a.batch as usize,
        split: a.split,
        seed: a.seed,
        ..RunSettings::default()
    };
    let (series, points) = (a.series as usize, a.points as usize);
    let inputs = generate(a.seed, series, points);
    let mut runs: Vec<TimedRun> = Vec::with_capacity(a.threads.len());
    for &t in &a.threads {
        if !a.json {
            eprintln!("many-report: training {series} series on {t} thread(s)...");
        }
        runs.push(run_local(&inputs, &settings, t as usize)?);
    }
    let identical = runs.iter().all(|r| {
        r.fingerprint == runs[0].fingerprint && metrics_identical(&r.metrics, &runs[0].metrics)
    });
    let q = (a.quality_series as usize).min(series);
    let quality = if q == 0 {
        None
    } else {
        if !a.json {
            eprintln!("many-report: training one global model on {q} series...");
        }
        let threads = runs.iter().map(|r| r.threads).max().unwrap_or(1);
        Some(compare(&inputs[..q], &runs[0].metrics, &settings, threads)?)
    };
    Ok(Report {
        settings,
        series,
        points,
        checksum: checksum(&inputs),
        runs,
        identical,
        quality,
    })
}

fn main() -> ExitCode {
    let a = Args::parse();
    let report = match run(&a) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("many-report: {e}");
            return ExitCode::FAILURE;
        }
    };
    if a.json {
        println!("{}", report.json());
    } else {
        report.print_text();
    }
    if report.identical {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
