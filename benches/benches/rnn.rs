//! Forward + backward of one batch through each fused recurrent cell:
//! SimpleRNN, LSTM and GRU (reset_after, Keras' default) at (batch 32, timesteps 50, features 8,
//! units 64) and (batch 128, timesteps 64, features 32, units 256); activation tanh (Keras'
//! defaults), input drawn from N(0, 1), loss = mean of the last output, gradients for every weight
//! (not for the input, as in the peers' figures); 1 and 2 threads (a rayon pool per count).
//!
//! The problem (data, weights, the step) is `benches::cells`, shared with `cells-report`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use autograd::Tape;
use benches::cells::{CELL_SHAPES, Cell, CellProblem};
use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};

/// One training step's tape work; returns a checksum of the gradients.
fn step(tape: &mut Tape, p: &CellProblem) -> f32 {
    p.step(tape).expect("step")
}

fn bench(c: &mut Criterion) {
    for dims in CELL_SHAPES {
        let [b, t, f, u] = dims;
        let mut g = c.benchmark_group(format!("rnn_b{b}_t{t}_f{f}_u{u}"));
        if u > 64 {
            // Hundreds of ms per step: few flat samples keep the whole bench at a few minutes.
            g.sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(6));
        }
        for cell in Cell::ALL {
            let p = CellProblem::new(cell, dims);
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
