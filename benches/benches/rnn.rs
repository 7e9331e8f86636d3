//! Forward + backward of one batch through each fused recurrent cell:
//! SimpleRNN, LSTM and GRU (reset_after, Keras' default) at (batch 32, timesteps 50, features 8,
//! units 64) and (batch 128, timesteps 64, features 32, units 256); activation tanh (Keras'
//! defaults), input drawn from N(0, 1), loss = mean of the last output, gradients for every weight
//! (not for the input, as in the peers' figures); 1 and 2 threads (a rayon pool per count).
//!
//! Each iteration feeds the parameters by slice (copied into the tape), runs forward and
//! backward, reads every weight's gradient and clears the tape, as a training step does.

use std::hint::black_box;
use std::time::{Duration, Instant};

use autograd::{Activation, GruInputs, GruOptions, LstmInputs, LstmOptions, SimpleRnnInputs, Tape};
use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};

#[derive(Clone, Copy, Debug)]
enum Cell {
    SimpleRnn,
    Lstm,
    Gru,
}

impl Cell {
    fn gates(self) -> usize {
        match self {
            Cell::SimpleRnn => 1,
            Cell::Lstm => 4,
            Cell::Gru => 3,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Cell::SimpleRnn => "simple_rnn",
            Cell::Lstm => "lstm",
            Cell::Gru => "gru",
        }
    }
}

/// One problem: shapes, data and weights (uniform in ±sqrt(6 / fan), Glorot-like).
struct Problem {
    cell: Cell,
    dims: [usize; 4],
    x: Vec<f32>,
    weights: Vec<(Vec<f32>, Vec<usize>)>,
}

fn problem(cell: Cell, [b, t, f, u]: [usize; 4]) -> Problem {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let mut normal = || {
        // Box-Muller: one N(0, 1) draw from two uniforms.
        let u1: f32 = rng.random::<f32>().max(f32::MIN_POSITIVE);
        let u2: f32 = rng.random();
        (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
    };
    let x: Vec<f32> = (0..b * t * f).map(|_| normal()).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut uniform = |n: usize, limit: f32| -> Vec<f32> {
        (0..n)
            .map(|_| (rng.random::<f32>() * 2.0 - 1.0) * limit)
            .collect()
    };
    let g = cell.gates() * u;
    let mut weights = vec![
        (uniform(f * g, (6.0 / (f + g) as f32).sqrt()), vec![f, g]),
        (uniform(u * g, (1.0 / u as f32).sqrt()), vec![u, g]),
    ];
    match cell {
        Cell::Gru => weights.push((uniform(2 * g, 0.1), vec![2, g])),
        _ => weights.push((uniform(g, 0.1), vec![g])),
    }
    Problem {
        cell,
        dims: [b, t, f, u],
        x,
        weights,
    }
}

/// One training step's tape work; returns a checksum of the gradients.
fn step(tape: &mut Tape, p: &Problem) -> f32 {
    let run = |tape: &mut Tape| -> autograd::Result<f32> {
        let [b, t, f, _] = p.dims;
        let x = tape.constant(&p.x, &[b, t, f])?;
        let kernel = tape.param(&p.weights[0].0, &p.weights[0].1)?;
        let recurrent_kernel = tape.param(&p.weights[1].0, &p.weights[1].1)?;
        let bias = tape.param(&p.weights[2].0, &p.weights[2].1)?;
        let last = match p.cell {
            Cell::SimpleRnn => {
                let inputs = SimpleRnnInputs {
                    x,
                    kernel,
                    recurrent_kernel,
                    bias: Some(bias),
                    initial_state: None,
                    input_mask: None,
                    recurrent_mask: None,
                };
                tape.simple_rnn(&inputs, Activation::Tanh, false)?.last
            }
            Cell::Lstm => {
                let inputs = LstmInputs {
                    x,
                    kernel,
                    recurrent_kernel,
                    bias: Some(bias),
                    initial_h: None,
                    initial_c: None,
                    input_mask: None,
                    recurrent_mask: None,
                };
                tape.lstm(&inputs, &LstmOptions::default())?.last
            }
            Cell::Gru => {
                let inputs = GruInputs {
                    x,
                    kernel,
                    recurrent_kernel,
                    bias: Some(bias),
                    initial_state: None,
                    input_mask: None,
                    recurrent_mask: None,
                };
                tape.gru(&inputs, &GruOptions::default())?.last
            }
        };
        let loss = tape.mean(last)?;
        tape.backward(loss)?;
        let mut sum = 0.0;
        for v in [kernel, recurrent_kernel, bias] {
            sum += tape.grad(v)?[0];
        }
        tape.clear();
        Ok(sum)
    };
    run(tape).expect("step")
}

fn bench(c: &mut Criterion) {
    for dims in [[32, 50, 8, 64], [128, 64, 32, 256]] {
        let [b, t, f, u] = dims;
        let mut g = c.benchmark_group(format!("rnn_b{b}_t{t}_f{f}_u{u}"));
        if u > 64 {
            // Hundreds of ms per step: few flat samples keep the whole bench at a few minutes.
            g.sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(6));
        }
        for cell in [Cell::SimpleRnn, Cell::Lstm, Cell::Gru] {
            let p = problem(cell, dims);
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("rayon pool");
                let mut tape = Tape::new();
                let id = BenchmarkId::new(cell.name(), format!("{threads}T"));
                // The timed loop runs inside the pool (criterion's state stays on this thread).
                g.bench_function(id, |bch| {
                    bch.iter_custom(|iters| {
                        pool.install(|| {
                            let start = Instant::now();
                            for _ in 0..iters {
                                black_box(step(&mut tape, &p));
                            }
                            start.elapsed()
                        })
                    })
                });
            }
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
