//! One seed fixes initialization, shuffling and dropout: the same seed gives bit-identical
//! weights and loss history, whatever the thread count; no seed means the documented default.

use autograd::{Activation, Loss};
use nn::model::FitOptions;
use nn::seed::DEFAULT_SEED;
use nn::{DenseConfig, OptimizerConfig, Sequential, SimpleRnnConfig, Tensor};

fn run(seed: Option<u64>) -> (Vec<Vec<f32>>, Vec<f32>, Vec<Vec<f32>>) {
    // Large enough products (96 x 128 x 128 per step) that a threaded GEMM splits them.
    let n = 192;
    let x: Vec<f32> = (0..n * 4 * 2).map(|i| (i as f32 * 0.13).sin()).collect();
    let y: Vec<f32> = (0..n).map(|i| (i as f32 * 0.5).cos()).collect();
    let x = Tensor::from_vec(x, &[n, 4, 2]).unwrap();
    let y = Tensor::from_vec(y, &[n, 1]).unwrap();
    let mut m = match seed {
        Some(s) => Sequential::with_seed(s),
        None => Sequential::new(),
    };
    let mut rnn = SimpleRnnConfig::new(128).activation(Activation::Tanh);
    rnn.dropout = 0.25;
    rnn.recurrent_dropout = 0.25;
    m.add(rnn).unwrap();
    m.add(DenseConfig::new(16).activation(Activation::RELU))
        .unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.compile(Loss::MeanSquaredError, OptimizerConfig::rmsprop())
        .unwrap();
    m.set_input_shape(&[4, 2]).unwrap();
    let init = m.get_weights();
    let h = m
        .fit(
            &x,
            &y,
            &FitOptions {
                epochs: 2,
                batch_size: 96,
                ..FitOptions::default()
            },
        )
        .unwrap();
    (init, h.loss, m.get_weights())
}

fn in_pool(threads: usize, seed: Option<u64>) -> (Vec<Vec<f32>>, Vec<f32>, Vec<Vec<f32>>) {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| run(seed))
}

#[test]
fn same_seed_same_bits_with_one_or_two_threads() {
    let one = in_pool(1, Some(42));
    let two = in_pool(2, Some(42));
    assert_eq!(one, two);
    let other = in_pool(1, Some(43));
    assert_ne!(one.0, other.0, "another seed gives other initial weights");
    assert_ne!(one.1, other.1);
}

#[test]
fn no_seed_means_the_default_seed() {
    assert_eq!(run(None), run(Some(DEFAULT_SEED)));
    assert_eq!(Sequential::new().seed(), DEFAULT_SEED);
}
