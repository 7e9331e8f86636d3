//! The long-dependency report: SimpleRNN, LSTM and GRU at lags 5, 20 and 50 with the same
//! stack, optimizer, epoch budget and seed, on the data crate's adding problem by default
//! (`--task recall` for marked recall; see `benches::long_dependency` for why adding and these
//! settings).
//!
//! ```text
//! cargo run --release -p benches --bin long-dependency [-- --json] [--task adding|recall]
//!     [--extra N] [--lags 5,20,50] [--cells simple,lstm,gru] [--epochs N] [--units N]
//!     [--count N] [--batch N] [--lr F] [--clipnorm F] [--seed N]
//! ```
//!
//! Prints one row per (cell, lag): test MSE, the predict-the-mean baseline MSE, their ratio, the
//! last epoch's training loss and seconds per epoch; then, per lag, the best gated cell's test MSE
//! as a fraction of SimpleRNN's (the goal is at most 0.5 at lag 50). `--json` prints the
//! settings and rows as one JSON document instead.

use std::io::Write;

use benches::long_dependency::{Cell, ExperimentConfig, RunResult, run};

fn parse<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T, String> {
    let v = v.ok_or_else(|| format!("{flag} needs a value"))?;
    v.parse().map_err(|_| format!("{flag}: cannot parse '{v}'"))
}

fn main() {
    if let Err(e) = real_main() {
        eprintln!("long-dependency: {e}");
        std::process::exit(2);
    }
}

fn real_main() -> Result<(), String> {
    let mut cfg = ExperimentConfig::default();
    let mut lags = vec![5, 20, 50];
    let mut cells = Cell::ALL.to_vec();
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--epochs" => cfg.epochs = parse(&a, args.next())?,
            "--units" => cfg.units = parse(&a, args.next())?,
            "--count" => cfg.count = parse(&a, args.next())?,
            "--batch" => cfg.batch_size = parse(&a, args.next())?,
            "--lr" => cfg.learning_rate = parse(&a, args.next())?,
            "--clipnorm" => cfg.global_clipnorm = parse(&a, args.next())?,
            "--seed" => cfg.seed = parse(&a, args.next())?,
            "--extra" => cfg.extra = parse(&a, args.next())?,
            "--task" => {
                let v: String = parse(&a, args.next())?;
                cfg.task = v.parse().map_err(|e: data::DataError| e.to_string())?;
            }
            "--lags" => {
                let v: String = parse(&a, args.next())?;
                lags = v
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .parse()
                            .map_err(|_| format!("--lags: bad lag '{s}'"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--cells" => {
                let v: String = parse(&a, args.next())?;
                cells = v
                    .split(',')
                    .map(|s| {
                        Cell::parse(s)
                            .ok_or_else(|| format!("--cells: '{s}' is not simple, lstm or gru"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "-h" | "--help" => {
                println!(
                    "long-dependency [--json] [--task recall|adding] [--extra N] [--lags 5,20,50] [--cells simple,lstm,gru] \
                     [--epochs N] [--units N] [--count N] [--batch N] [--lr F] [--clipnorm F] \
                     [--seed N]"
                );
                return Ok(());
            }
            other => return Err(format!("unknown argument '{other}' (try --help)")),
        }
    }
    let mut rows: Vec<RunResult> = Vec::new();
    if !json {
        println!(
            "{} (extra {}), {} sequences (80% train), recurrent({}, tanh) -> Dense(1), Adam lr {} \
             global_clipnorm {}, batch {}, {} epochs, seed {}",
            cfg.task,
            cfg.extra,
            cfg.count,
            cfg.units,
            cfg.learning_rate,
            cfg.global_clipnorm,
            cfg.batch_size,
            cfg.epochs,
            cfg.seed
        );
        println!(
            "{:<10} {:>4} {:>10} {:>10} {:>8} {:>11} {:>9}",
            "cell", "lag", "test MSE", "baseline", "ratio", "train loss", "s/epoch"
        );
    }
    for &lag in &lags {
        for &cell in &cells {
            let r = run(cell, lag, &cfg)?;
            if !json {
                println!(
                    "{:<10} {:>4} {:>10.5} {:>10.5} {:>8.3} {:>11.5} {:>9.3}",
                    r.cell.name(),
                    r.lag,
                    r.test_mse,
                    r.baseline_mse,
                    r.test_mse / r.baseline_mse,
                    r.final_train_loss,
                    r.seconds_per_epoch
                );
            }
            rows.push(r);
        }
    }
    let mut verdicts = Vec::new();
    for &lag in &lags {
        let at = |c: Cell| rows.iter().find(|r| r.lag == lag && r.cell == c);
        let gated = [at(Cell::Lstm), at(Cell::Gru)]
            .into_iter()
            .flatten()
            .map(|r| r.test_mse)
            .fold(f64::INFINITY, f64::min);
        if let Some(s) = at(Cell::Simple)
            && gated.is_finite()
        {
            verdicts.push(serde_json::json!({
                "lag": lag,
                "best_gated_over_simple": gated / s.test_mse,
            }));
            if !json {
                println!(
                    "lag {lag}: best gated test MSE / SimpleRNN's = {:.3}",
                    gated / s.test_mse
                );
            }
        }
    }
    if json {
        let doc = serde_json::json!({
            "settings": cfg,
            "rows": rows,
            "verdicts": verdicts,
        });
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        // A closed pipe (e.g. `| head`) is not an error worth a panic.
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }
    Ok(())
}
