//! `cells-report`: milliseconds per forward + backward of one batch through each fused
//! recurrent cell (SimpleRNN, LSTM, GRU) at the `rnn` bench's shapes (`benches::cells`), on a
//! rayon pool of each requested thread count. The per-cell table of `benches/compare/cells.py`
//! runs it beside PyTorch and Keras.
//!
//! Usage: `cells-report [--json] [--threads 1,2] [--shapes 32x50x8x64,128x64x32x256]
//! [--cells simple_rnn,lstm,gru] [--samples N] [--sample-ms MS]`.
//!
//! Each (shape, cell, threads) warms up for one sample, then takes `--samples` samples (default
//! 15) of at least `--sample-ms` (default 200) and one step each; it reports the median and the
//! fastest time per step, and the median CPU time per step of all the process's threads
//! (`cpu_ms`, from `/proc/self/task/*/schedstat`, Linux only: on a machine shared with other
//! jobs it moves less than the wall time, so A/B comparisons of one thread use it). `--json`
//! prints one object: `{"framework": "recur", "version", "rows": [{"cell", "shape": [b, t, f,
//! u], "threads", "ms_median", "ms_min", "cpu_ms", "samples", "steps_per_sample"}]}` (`cpu_ms`
//! null where unreadable). Bad arguments print one line and exit with status 2.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use autograd::Tape;
use benches::cells::{CELL_SHAPES, Cell, CellProblem};
use benches::median;
use serde_json::json;

/// What the command line asks for.
struct Args {
    json: bool,
    threads: Vec<usize>,
    shapes: Vec<[usize; 4]>,
    cells: Vec<Cell>,
    samples: usize,
    sample_ms: f64,
}

fn parse_list<T>(v: &str, one: impl Fn(&str) -> Option<T>) -> Option<Vec<T>> {
    let out: Option<Vec<T>> = v.split(',').map(|s| one(s.trim())).collect();
    out.filter(|l| !l.is_empty())
}

fn parse_shape(s: &str) -> Option<[usize; 4]> {
    let v: Vec<usize> = s
        .split('x')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let d: [usize; 4] = v.try_into().ok()?;
    d.iter().all(|&n| n > 0).then_some(d)
}

fn parse_cell(s: &str) -> Option<Cell> {
    Cell::ALL.into_iter().find(|c| c.name() == s)
}

fn parse(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        json: false,
        threads: vec![1, 2],
        shapes: CELL_SHAPES.to_vec(),
        cells: Cell::ALL.to_vec(),
        samples: 15,
        sample_ms: 200.0,
    };
    let mut it = args;
    while let Some(flag) = it.next() {
        if flag == "--json" {
            a.json = true;
            continue;
        }
        let known = [
            "--threads",
            "--shapes",
            "--cells",
            "--samples",
            "--sample-ms",
        ];
        if !known.contains(&flag.as_str()) {
            return Err(format!(
                "unknown argument {flag:?} (expected --json, {})",
                known.join(", ")
            ));
        }
        let v = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = || format!("{flag}: invalid value {v:?}");
        match flag.as_str() {
            "--threads" => {
                a.threads =
                    parse_list(&v, |s| s.parse().ok().filter(|&n: &usize| n > 0)).ok_or_else(bad)?
            }
            "--shapes" => a.shapes = parse_list(&v, parse_shape).ok_or_else(bad)?,
            "--cells" => a.cells = parse_list(&v, parse_cell).ok_or_else(bad)?,
            "--samples" => a.samples = v.parse().ok().filter(|&n: &usize| n > 0).ok_or_else(bad)?,
            _ => {
                a.sample_ms = v
                    .parse()
                    .ok()
                    .filter(|&x: &f64| x.is_finite() && x >= 0.0)
                    .ok_or_else(bad)?
            }
        }
    }
    Ok(a)
}

/// CPU time so far of all the process's threads, in ms (None where `/proc` does not tell).
fn process_cpu_ms() -> Option<f64> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path().join("schedstat");
        let text = std::fs::read_to_string(path).ok()?;
        ns += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 / 1e6)
}

/// One measured (shape, cell, threads).
struct Row {
    cell: Cell,
    shape: [usize; 4],
    threads: usize,
    ms_median: f64,
    ms_min: f64,
    cpu_ms: Option<f64>,
    steps_per_sample: usize,
}

fn measure(a: &Args, cell: Cell, shape: [usize; 4], threads: usize) -> Result<Row, String> {
    let p = CellProblem::new(cell, shape);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("a pool of {threads} threads: {e}"))?;
    pool.install(|| {
        let mut tape = Tape::new();
        // (wall ms, CPU ms) per step.
        let mut run = |n: usize| -> Result<(f64, Option<f64>), String> {
            let cpu = process_cpu_ms();
            let t = Instant::now();
            for _ in 0..n {
                black_box(p.step(&mut tape).map_err(|e| e.to_string())?);
            }
            let wall = t.elapsed().as_secs_f64() * 1e3 / n as f64;
            let cpu = cpu.zip(process_cpu_ms()).map(|(a, b)| (b - a) / n as f64);
            Ok((wall, cpu))
        };
        let once = run(1)?.0;
        let steps = ((a.sample_ms / once.max(1e-6)).ceil() as usize).clamp(1, 100_000);
        run(steps)?;
        let mut times = Vec::with_capacity(a.samples);
        let mut cpus = Vec::with_capacity(a.samples);
        for _ in 0..a.samples {
            let (wall, cpu) = run(steps)?;
            times.push(wall);
            cpus.extend(cpu);
        }
        let cpu_ms = (cpus.len() == a.samples).then(|| median(&mut cpus));
        let ms_min = times.iter().copied().fold(f64::INFINITY, f64::min);
        Ok(Row {
            cell,
            shape,
            threads,
            ms_median: median(&mut times),
            ms_min,
            cpu_ms,
            steps_per_sample: steps,
        })
    })
}

fn main() -> ExitCode {
    let a = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cells-report: {e}");
            return ExitCode::from(2);
        }
    };
    let mut rows = Vec::new();
    for &shape in &a.shapes {
        for &cell in &a.cells {
            for &threads in &a.threads {
                match measure(&a, cell, shape, threads) {
                    Ok(r) => rows.push(r),
                    Err(e) => {
                        eprintln!("cells-report: {} {shape:?} {threads}T: {e}", cell.name());
                        return ExitCode::FAILURE;
                    }
                }
            }
        }
    }
    if a.json {
        let rows: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "cell": r.cell.name(),
                    "shape": r.shape,
                    "threads": r.threads,
                    "ms_median": r.ms_median,
                    "ms_min": r.ms_min,
                    "cpu_ms": r.cpu_ms,
                    "samples": a.samples,
                    "steps_per_sample": r.steps_per_sample,
                })
            })
            .collect();
        let out = json!({
            "framework": "recur",
            "version": format!("recur {}", env!("CARGO_PKG_VERSION")),
            "rows": rows,
        });
        println!("{out}");
    } else {
        println!("| shape (b,t,f,u) | cell | threads | ms median | ms min | CPU ms |");
        println!("|---|---|---|---|---|---|");
        for r in &rows {
            let [b, t, f, u] = r.shape;
            println!(
                "| ({b},{t},{f},{u}) | {} | {} | {:.3} | {:.3} | {} |",
                r.cell.name(),
                r.threads,
                r.ms_median,
                r.ms_min,
                r.cpu_ms.map_or("-".into(), |c| format!("{c:.3}"))
            );
        }
    }
    ExitCode::SUCCESS
}
