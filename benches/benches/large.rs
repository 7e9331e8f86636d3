//! Training throughput of the large model, built as `recur train --layout sequence
//! --step 64 --units 256 --activation tanh --dense none` builds it: SimpleRNN(256, tanh) ->
//! Dense(1), mse, RMSprop (Keras defaults: learning rate 0.001, rho 0.9, epsilon 1e-7), seed 0,
//! on sequence-layout windows `(64, 1)` of a 100,000-point series x = sin(0.02 t) + U[0,1)
//! (data's generator, seed 0, split at 0.9 and padded as the CLI does).
//!
//! Measures one training step (`train_on_batch` on a fixed batch of the first 128 training
//! windows, after a warm-up) on 1 and 2 threads (a rayon pool per count, the timed loop inside
//! `pool.install`); criterion's throughput is in windows (128 per step), so it prints windows/s.
//! The targets on the 2-core machine described in the README's Speed section: at least 3,500
//! windows/s on 1 thread and 6,600 on 2 threads. A step is about 3.2 GFLOP (64 recurrent products
//! of 128x256x256 forward, twice that backward).
//!
//! Before the criterion groups run it prints, per thread count, the heap allocations of 20 warm
//! training steps on every thread of the process (the goal: no allocation per step once warm),
//! counted by `dhat`'s global allocator, which is on for that count only (a thread-local counter
//! would miss the rayon workers that run the recurrent ops' batch chunks).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use data::{Layout, SineConfig, SplitAt, WindowConfig};
use nn::{Activation, DenseConfig, Loss, OptimizerConfig, Sequential, SimpleRnnConfig, Tensor};

// dhat counts every thread's allocations while its profiler runs; otherwise it only forwards to
// the system allocator.
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Windows per training step.
const BATCH: usize = 128;
/// Values per window (`--step 64`).
const STEP: usize = 64;
/// Recurrent units (`--units 256`).
const UNITS: usize = 256;
/// Length of the generated series.
const SERIES_LEN: usize = 100_000;
/// Warm training steps counted for allocations.
const COUNTED_STEPS: usize = 20;

/// The model `recur train` builds for the flags above (cli's `ModelSpec::build`).
fn model() -> Sequential {
    let build = || -> nn::Result<Sequential> {
        let mut m = Sequential::with_seed(0);
        m.set_input_shape(&[STEP, 1])?;
        m.add(SimpleRnnConfig::new(UNITS).activation(Activation::Tanh))?;
        m.add(DenseConfig::new(1))?;
        m.compile(
            Loss::MeanSquaredError,
            OptimizerConfig::rmsprop().with_learning_rate(0.001),
        )?;
        Ok(m)
    };
    build().expect("the large model")
}

/// The first `BATCH` training windows `(BATCH, STEP, 1)` and their targets `(BATCH, 1)`.
fn batch() -> (Tensor, Tensor) {
    let series = data::generate::sine(&SineConfig {
        n: SERIES_LEN,
        ..SineConfig::default()
    })
    .expect("series");
    let ds = data::prepare(
        series.values(),
        &WindowConfig {
            split: SplitAt::Fraction(0.9),
            step: STEP,
            layout: Layout::Sequence,
            ..WindowConfig::default()
        },
    )
    .expect("windows");
    assert_eq!(ds.train.x.shape(), [90_000, STEP, 1]);
    let x = ds.train.x.data()[..BATCH * STEP].to_vec();
    let y = ds.train.y[..BATCH].to_vec();
    (
        Tensor::from_vec(x, &[BATCH, STEP, 1]).expect("x"),
        Tensor::from_vec(y, &[BATCH, 1]).expect("y"),
    )
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("rayon pool")
}

/// Prints the allocations of `COUNTED_STEPS` warm steps on each thread count, all threads.
fn report_allocations(x: &Tensor, y: &Tensor) {
    for threads in [1, 2] {
        let count = pool(threads).install(|| {
            let mut m = model();
            for _ in 0..3 {
                m.train_on_batch(x, y).expect("warm-up step");
            }
            // Testing mode: counts without writing a profile file.
            let _profiler = dhat::Profiler::builder().testing().build();
            let before = dhat::HeapStats::get().total_blocks;
            for _ in 0..COUNTED_STEPS {
                black_box(m.train_on_batch(x, y).expect("step"));
            }
            dhat::HeapStats::get().total_blocks - before
        });
        println!(
            "large model, {threads}T: {count} heap allocations in {COUNTED_STEPS} warm training \
             steps (all threads)"
        );
    }
}

fn bench(c: &mut Criterion) {
    let (x, y) = batch();
    report_allocations(&x, &y);
    let mut g = c.benchmark_group(format!("large_simple_rnn_u{UNITS}_t{STEP}_b{BATCH}"));
    // Tens to hundreds of ms per step: few flat samples keep the whole bench near a minute.
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(BATCH as u64));
    for threads in [1, 2] {
        let pool = pool(threads);
        let mut m = model();
        pool.install(|| {
            for _ in 0..3 {
                m.train_on_batch(&x, &y).expect("warm-up step");
            }
        });
        let id = BenchmarkId::new("train_step", format!("{threads}T"));
        // The timed loop runs inside the pool (criterion's state stays on this thread).
        g.bench_function(id, |b| {
            b.iter_custom(|iters| {
                pool.install(|| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        black_box(
                            m.train_on_batch(black_box(&x), black_box(&y))
                                .expect("step"),
                        );
                    }
                    start.elapsed()
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
