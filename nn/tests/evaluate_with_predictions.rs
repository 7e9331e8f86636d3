//! `Sequential::evaluate_with_predictions`: its score is `evaluate`'s and its outputs are
//! `predict`'s, bit for bit, in one forward pass.

mod common;

use autograd::{Activation, Loss};
use common::sine_sequences as data;
use nn::regularizers::Regularizer;
use nn::{DenseConfig, NnError, OptimizerConfig, Sequential, SimpleRnnConfig, Tensor};

/// A model with a kernel and an activity penalty, so the score includes penalties, trained
/// for a few steps so its weights are not the initial ones.
fn trained_model(loss: Loss) -> Sequential {
    let mut m = Sequential::with_seed(3);
    m.add(SimpleRnnConfig::new(8).activation(Activation::Tanh))
        .unwrap();
    let mut dense = DenseConfig::new(2).activation(Activation::RELU);
    dense.kernel_regularizer = Some(Regularizer::L2 { l2: 0.01 });
    dense.activity_regularizer = Some(Regularizer::L1 { l1: 0.001 });
    m.add(dense).unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.compile(loss, OptimizerConfig::rmsprop()).unwrap();
    let (x, y) = data(16, 5);
    for _ in 0..3 {
        m.train_on_batch(&x, &y).unwrap();
    }
    m
}

#[test]
fn score_and_predictions_equal_evaluate_and_predict_bit_for_bit() {
    // 70 samples: two full batches of 32 and a partial one by default; other batch sizes too.
    let (x, y) = data(70, 5);
    for loss in [Loss::MeanSquaredError, Loss::MeanAbsoluteError] {
        for bs in [None, Some(1), Some(16), Some(100)] {
            let mut m = trained_model(loss);
            let score = m.evaluate(&x, &y, bs).unwrap();
            let pred = m.predict(&x, bs).unwrap();
            let (both_score, both_pred) = m.evaluate_with_predictions(&x, &y, bs).unwrap();
            assert_eq!(
                both_score.to_bits(),
                score.to_bits(),
                "{loss:?}, batch {bs:?}"
            );
            assert_eq!(both_pred.dims(), pred.dims(), "{loss:?}, batch {bs:?}");
            assert_eq!(both_pred.dims(), &[70, 1]);
            let bits = |t: &Tensor| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&both_pred), bits(&pred), "{loss:?}, batch {bs:?}");
        }
    }
}

#[test]
fn the_penalty_is_part_of_the_score() {
    // The score is the loss plus penalties, so it differs from the mse of the predictions.
    let (x, y) = data(40, 5);
    let mut m = trained_model(Loss::MeanSquaredError);
    let (score, pred) = m.evaluate_with_predictions(&x, &y, None).unwrap();
    let mse: f32 = pred
        .data()
        .iter()
        .zip(y.data())
        .map(|(p, t)| (p - t) * (p - t))
        .sum::<f32>()
        / 40.0;
    assert!(score > mse + 1e-4, "score {score}, mse {mse}");
}

#[test]
fn bad_input_is_an_error_naming_the_method() {
    let (x, y) = data(10, 5);
    let mut uncompiled = Sequential::with_seed(0);
    uncompiled.add(DenseConfig::new(1)).unwrap();
    let e = uncompiled
        .evaluate_with_predictions(&x, &y, None)
        .unwrap_err();
    assert!(matches!(e, NnError::State { .. }), "{e}");
    assert!(e.to_string().contains("evaluate_with_predictions"), "{e}");

    let mut m = trained_model(Loss::MeanSquaredError);
    let (_, y_short) = data(9, 5);
    let e = m.evaluate_with_predictions(&x, &y_short, None).unwrap_err();
    assert!(e.to_string().contains("evaluate_with_predictions"), "{e}");
    let e = m.evaluate_with_predictions(&x, &y, Some(0)).unwrap_err();
    assert!(e.to_string().contains("batch_size"), "{e}");
}
