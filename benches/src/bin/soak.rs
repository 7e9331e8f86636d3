//! Soak report: trains many steps and prints the process's resident memory as it goes, to show
//! that a long run does not grow (the tape and the batch buffers are reused once warm).
//!
//! ```text
//! cargo run --release -p benches --bin soak                   # both models, 100,000 steps each
//! cargo run --release -p benches --bin soak -- tutorial 20000 # one model, fewer steps
//! ```
//!
//! Models: `tutorial` is SimpleRNN(32, relu) -> Dense(8, relu) -> Dense(1) on the tutorial's
//! `(N, 1, 4)` windows at batch 16; `large` is the large benchmark's shape, SimpleRNN(256, tanh)
//! -> Dense(1) on `(N, 64, 1)` windows, at batch 8 (smaller than the benchmark's 128, so that
//! 100,000 steps take minutes). Each step is `train_on_batch` on the next batch of the training
//! windows, cycling. Every 10,000 steps it prints the step, the resident set size (VmRSS, from
//! `/proc/self/status`) and the loss; at the end, the spread of RSS after the first report
//! (the warm-up), which should stay within 1 MiB.

use std::time::Instant;

use data::{Layout, SineConfig, SplitAt, WindowConfig};
use nn::{Activation, DenseConfig, Loss, OptimizerConfig, Sequential, SimpleRnnConfig, Tensor};

/// Steps between reports.
const EVERY: usize = 10_000;

/// One soak configuration.
struct Soak {
    name: &'static str,
    model: Sequential,
    /// Training windows, row-major, and their targets.
    x: Vec<f32>,
    y: Vec<f32>,
    /// Shape of one window.
    window: [usize; 2],
    batch: usize,
}

/// The resident set size in KiB, or 0 where `/proc` is not available.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn windows(
    n: usize,
    split: usize,
    step: usize,
    layout: Layout,
) -> nn::Result<(Vec<f32>, Vec<f32>)> {
    let series = data::generate::sine(&SineConfig {
        n,
        ..SineConfig::default()
    })
    .map_err(|e| nn::NnError::state(e.to_string()))?;
    let ds = data::prepare(
        series.values(),
        &WindowConfig {
            split: SplitAt::Index(split),
            step,
            layout,
            ..WindowConfig::default()
        },
    )
    .map_err(|e| nn::NnError::state(e.to_string()))?;
    Ok((ds.train.x.data().to_vec(), ds.train.y.clone()))
}

fn tutorial() -> nn::Result<Soak> {
    let mut m = Sequential::with_seed(0);
    m.set_input_shape(&[1, 4])?;
    m.add(SimpleRnnConfig::new(32).activation(Activation::RELU))?;
    m.add(DenseConfig::new(8).activation(Activation::RELU))?;
    m.add(DenseConfig::new(1))?;
    m.compile(Loss::MeanSquaredError, OptimizerConfig::rmsprop())?;
    let (x, y) = windows(2000, 900, 4, Layout::Tutorial)?;
    Ok(Soak {
        name: "tutorial",
        model: m,
        x,
        y,
        window: [1, 4],
        batch: 16,
    })
}

fn large() -> nn::Result<Soak> {
    let mut m = Sequential::with_seed(0);
    m.set_input_shape(&[64, 1])?;
    m.add(SimpleRnnConfig::new(256).activation(Activation::Tanh))?;
    m.add(DenseConfig::new(1))?;
    m.compile(Loss::MeanSquaredError, OptimizerConfig::rmsprop())?;
    let (x, y) = windows(20_000, 18_000, 64, Layout::Sequence)?;
    Ok(Soak {
        name: "large",
        model: m,
        x,
        y,
        window: [64, 1],
        batch: 8,
    })
}

/// Runs `steps` training steps, reporting every [`EVERY`]; returns the RSS spread after warm-up
/// in KiB.
fn run(s: &mut Soak, steps: usize) -> nn::Result<u64> {
    let row = s.window[0] * s.window[1];
    let count = s.y.len();
    let batches = count / s.batch;
    let started = Instant::now();
    let mut after_warmup: Vec<u64> = Vec::new();
    println!("{}: {steps} steps at batch {}", s.name, s.batch);
    for step in 1..=steps {
        let b = (step - 1) % batches;
        let rows = b * s.batch..(b + 1) * s.batch;
        let x = Tensor::from_vec(
            s.x[rows.start * row..rows.end * row].to_vec(),
            &[s.batch, s.window[0], s.window[1]],
        )
        .map_err(|e| nn::NnError::state(e.to_string()))?;
        let y = Tensor::from_vec(s.y[rows].to_vec(), &[s.batch, 1])
            .map_err(|e| nn::NnError::state(e.to_string()))?;
        let loss = s.model.train_on_batch(&x, &y)?;
        if step % EVERY == 0 || step == steps {
            let rss = rss_kib();
            println!(
                "  step {step:>7}  rss {:>8.2} MiB  loss {loss:.6}  {:.1} s",
                rss as f64 / 1024.0,
                started.elapsed().as_secs_f64()
            );
            if step > EVERY {
                after_warmup.push(rss);
            }
        }
    }
    let spread = match (after_warmup.iter().min(), after_warmup.iter().max()) {
        (Some(lo), Some(hi)) => hi - lo,
        _ => 0,
    };
    println!(
        "  rss spread after the first report: {:.2} MiB ({})",
        spread as f64 / 1024.0,
        if spread <= 1024 { "flat" } else { "GROWS" }
    );
    Ok(spread)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let which = args.first().map_or("both", String::as_str);
    let steps = match args.get(1).map(|s| s.parse::<usize>()) {
        None => 100_000,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => {
            eprintln!("error: steps must be a whole number >= 1");
            std::process::exit(2);
        }
    };
    let makers: Vec<fn() -> nn::Result<Soak>> = match which {
        "tutorial" => vec![tutorial],
        "large" => vec![large],
        "both" => vec![tutorial, large],
        other => {
            eprintln!("error: unknown model '{other}': tutorial, large or both");
            std::process::exit(2);
        }
    };
    let mut grew = false;
    for make in makers {
        match make().and_then(|mut s| run(&mut s, steps)) {
            Ok(spread) => grew |= spread > 1024,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
    }
    std::process::exit(i32::from(grew));
}
