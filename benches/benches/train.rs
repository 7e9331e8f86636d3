//! Training speed of the Keras tutorial model (SimpleRNN(32, relu) -> Dense(8, relu) ->
//! Dense(1), mse, RMSprop): one step on a batch of 16 windows, and one full epoch of 900
//! windows of shape (1, 4) at batch size 16 (57 steps, shuffled as fit does by default).

use criterion::{Criterion, criterion_group, criterion_main};
use nn::model::FitOptions;
use nn::{Sequential, Tensor};
use std::hint::black_box;

fn tutorial_model() -> Sequential {
    nn::model::tutorial_model(&[1, 4], 32, 1).expect("tutorial model")
}

/// Sliding windows of 4 over a noisy sine, as the tutorial's (N, 1, 4) layout.
fn windows(n: usize) -> (Tensor, Tensor) {
    let series: Vec<f32> = (0..n + 4)
        .map(|i| (i as f32 * 0.02).sin() + ((i * 7919 % 1000) as f32 / 1000.0 - 0.5) * 0.5)
        .collect();
    let x: Vec<f32> = (0..n).flat_map(|i| series[i..i + 4].to_vec()).collect();
    let y: Vec<f32> = (0..n).map(|i| series[i + 4]).collect();
    (
        Tensor::from_vec(x, &[n, 1, 4]).expect("x"),
        Tensor::from_vec(y, &[n, 1]).expect("y"),
    )
}

fn bench_train(c: &mut Criterion) {
    let (xb, yb) = windows(16);
    let mut m = tutorial_model();
    m.train_on_batch(&xb, &yb).expect("warm-up step");
    c.bench_function("tutorial train step (batch 16)", |b| {
        b.iter(|| {
            black_box(
                m.train_on_batch(black_box(&xb), black_box(&yb))
                    .expect("step"),
            )
        })
    });

    let (x, y) = windows(900);
    let mut m = tutorial_model();
    let opts = FitOptions {
        epochs: 1,
        batch_size: 16,
        ..FitOptions::default()
    };
    m.fit(&x, &y, &opts).expect("warm-up epoch");
    c.bench_function("tutorial epoch (900 windows, batch 16)", |b| {
        b.iter(|| black_box(m.fit(black_box(&x), black_box(&y), &opts).expect("epoch")))
    });
}

criterion_group!(benches, bench_train);
criterion_main!(benches);
