//! `Sequential::fit` behaviour beyond the Keras fixtures: validation, early stopping, the
//! invalid-loss policies, stateful checks, console output and error messages.

mod common;

use autograd::{Activation, Loss};
use common::sine_sequences as data;
use nn::batching::Shuffle;
use nn::callbacks::EarlyStoppingConfig;
use nn::model::{ConsoleProgress, FitEvent, FitOptions, InvalidLoss, Validation};
use nn::{DenseConfig, NnError, OptimizerConfig, Sequential, SimpleRnnConfig, Tensor};
use std::ops::ControlFlow;

fn model(seed: u64) -> Sequential {
    let mut m = Sequential::with_seed(seed);
    m.add(SimpleRnnConfig::new(8).activation(Activation::RELU))
        .unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.compile(Loss::MeanSquaredError, OptimizerConfig::rmsprop())
        .unwrap();
    m
}

fn rows(t: &Tensor, r: std::ops::Range<usize>) -> Tensor {
    let row: usize = t.dims()[1..].iter().product();
    let mut d = t.dims().to_vec();
    d[0] = r.len();
    Tensor::from_vec(t.data()[r.start * row..r.end * row].to_vec(), &d).unwrap()
}

#[test]
fn input_shape_is_inferred_on_first_fit_and_checked_afterwards() {
    let (x, y) = data(20, 4);
    let mut m = model(1);
    assert!(!m.is_built());
    assert!(m.summary().unwrap().contains("0 (unbuilt)"));
    m.fit(&x, &y, &FitOptions::default()).unwrap();
    assert_eq!(m.input_shape(), Some(&[4usize, 1][..]));
    let (x2, y2) = data(20, 3);
    let err = m
        .fit(&x2, &y2, &FitOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("[4, 1]"), "{err}");
}

#[test]
fn validation_split_uses_the_last_samples_before_shuffling() {
    let (x, y) = data(50, 4);
    let mut m = model(3);
    let opts = FitOptions {
        epochs: 2,
        batch_size: 8,
        validation: Validation::Split(0.2),
        ..FitOptions::default()
    };
    let h = m.fit(&x, &y, &opts).unwrap();
    assert_eq!((h.loss.len(), h.val_loss.len()), (2, 2));
    let v = m
        .evaluate(&rows(&x, 40..50), &rows(&y, 40..50), Some(8))
        .unwrap();
    assert_eq!(h.val_loss[1], v);
    // validation_data gives the same numbers when it holds the same samples, trained on the rest.
    let mut m2 = model(3);
    let opts2 = FitOptions {
        validation: Validation::Data(rows(&x, 40..50), rows(&y, 40..50)),
        ..opts.clone()
    };
    let h2 = m2.fit(&rows(&x, 0..40), &rows(&y, 0..40), &opts2).unwrap();
    assert_eq!(h, h2);
    let bad = FitOptions {
        validation: Validation::Split(1.0),
        ..FitOptions::default()
    };
    assert!(m.fit(&x, &y, &bad).is_err());
}

#[test]
fn early_stopping_stops_and_restores_the_best_weights() {
    let (x, y) = data(30, 4);
    let mut m = model(5);
    let mut msgs = Vec::new();
    let opts = FitOptions {
        epochs: 10,
        batch_size: 10,
        early_stopping: Some(EarlyStoppingConfig {
            monitor: "loss".into(),
            min_delta: 1e9, // nothing after the first epoch counts as an improvement
            patience: 1,
            restore_best_weights: true,
            ..EarlyStoppingConfig::default()
        }),
        ..FitOptions::default()
    };
    let h = m
        .fit_with(&x, &y, &opts, &mut |e| {
            if let FitEvent::Message(s) = e {
                msgs.push(s.to_string())
            }
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(h.loss.len(), 2);
    assert!(
        msgs.iter().any(|s| s == "Epoch 2: early stopping"),
        "{msgs:?}"
    );
    let mut one = model(5);
    one.fit(
        &x,
        &y,
        &FitOptions {
            epochs: 1,
            batch_size: 10,
            ..FitOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        m.get_weights(),
        one.get_weights(),
        "weights of the best (first) epoch"
    );
    // val_loss cannot be monitored without validation data.
    let bad = FitOptions {
        early_stopping: Some(EarlyStoppingConfig::default()),
        ..FitOptions::default()
    };
    assert!(
        m.fit(&x, &y, &bad)
            .unwrap_err()
            .to_string()
            .contains("val_loss")
    );
}

#[test]
fn a_nan_loss_stops_with_a_helpful_error_or_as_asked() {
    let (x, y) = data(24, 4);
    let mut m = model(2);
    m.set_input_shape(&[4, 1]).unwrap();
    let mut w = m.get_weights();
    w[4][0] = f32::NAN; // the output bias: relu would swallow a NaN earlier
    m.set_weights(&w).unwrap();
    let opts = FitOptions {
        epochs: 3,
        batch_size: 8,
        ..FitOptions::default()
    };
    let err = m.fit(&x, &y, &opts).unwrap_err();
    assert!(
        matches!(err, NnError::NonFiniteLoss { epoch: 1, step: 1, steps: 3, value } if value.is_nan()),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(
        err.contains("NaN at epoch 1, step 1/3") && err.contains("learning rate"),
        "{err}"
    );
    assert!(err.contains("clipnorm") && err.contains("relu"), "{err}");
    let term = FitOptions {
        on_invalid_loss: InvalidLoss::Terminate,
        ..opts.clone()
    };
    let h = m.fit(&x, &y, &term).unwrap();
    assert_eq!(h.loss.len(), 1);
    assert!(h.loss[0].is_nan());
    let cont = FitOptions {
        on_invalid_loss: InvalidLoss::Continue,
        ..opts
    };
    assert_eq!(m.fit(&x, &y, &cont).unwrap().loss.len(), 3);
}

#[test]
fn stateful_models_need_equal_batches_and_warn_about_shuffling() {
    let (x, y) = data(24, 4);
    let mut m = Sequential::with_seed(1);
    let mut c = SimpleRnnConfig::new(4);
    c.stateful = true;
    m.add(c).unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.compile(Loss::MeanSquaredError, OptimizerConfig::sgd())
        .unwrap();
    let err = m
        .fit(
            &x,
            &y,
            &FitOptions {
                batch_size: 10,
                ..FitOptions::default()
            },
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("divisor of the 24") && err.contains("stateful"),
        "{err}"
    );
    let mut warned = false;
    m.fit_with(
        &x,
        &y,
        &FitOptions {
            batch_size: 8,
            ..FitOptions::default()
        },
        &mut |e| {
            warned |= matches!(e, FitEvent::Message(s) if s.contains("stateful"));
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    assert!(warned);
    assert!(m.layers()[0].states().iter().any(|&s| s != 0.0));
    m.reset_states();
    assert!(m.layers()[0].states().iter().all(|&s| s == 0.0));
    let err = m.predict(&x, None).unwrap_err().to_string();
    assert!(err.contains("batch_size=8"), "{err}");
    assert_eq!(m.predict(&x, Some(8)).unwrap().dims(), &[24, 1]);
}

#[test]
fn layer_errors_are_clear() {
    let mut m = Sequential::new();
    let mut c = SimpleRnnConfig::new(4);
    c.return_state = true;
    assert!(m.add(c).unwrap_err().to_string().contains("single output"));
    m.add(SimpleRnnConfig::new(4)).unwrap();
    m.add(SimpleRnnConfig::new(4)).unwrap();
    let err = m.set_input_shape(&[5, 2]).unwrap_err().to_string();
    assert!(
        err.contains("simple_rnn_1") && err.contains("return_sequences"),
        "{err}"
    );
    let mut m = model(1);
    let (x, y) = data(4, 3);
    let flat2 = Tensor::from_vec(x.data().to_vec(), &[4, 3]).unwrap();
    let err = m
        .fit(&flat2, &y, &FitOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("(batch, timesteps, features)"), "{err}");
    let mut un = Sequential::new();
    un.add(DenseConfig::new(1)).unwrap();
    assert!(
        un.fit(&x, &y, &FitOptions::default())
            .unwrap_err()
            .to_string()
            .contains("compile")
    );
}

#[test]
fn verbose_two_prints_one_keras_line_per_epoch() {
    let (x, y) = data(20, 4);
    let mut m = model(4);
    let mut con = ConsoleProgress::new(2, Vec::new());
    let opts = FitOptions {
        epochs: 2,
        batch_size: 8,
        shuffle: Shuffle::Batch,
        ..FitOptions::default()
    };
    let h = m
        .fit_with(&x, &y, &opts, &mut |e| {
            con.handle(e);
            ControlFlow::Continue(())
        })
        .unwrap();
    let text = String::from_utf8(con.into_inner()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(lines[0], "Epoch 1/2");
    assert!(lines[1].starts_with("3/3 - 0s - "), "{text}");
    assert!(
        lines[3].ends_with(&format!("/step - loss: {:.4}", h.loss[1])),
        "{text}"
    );
    let mut con = ConsoleProgress::new(1, Vec::new());
    m.fit_with(
        &x,
        &y,
        &FitOptions {
            batch_size: 8,
            ..FitOptions::default()
        },
        &mut |e| {
            con.handle(e);
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    let text = String::from_utf8(con.into_inner()).unwrap();
    assert!(text.contains("3/3 ━━━━━━━━━━━━━━━━━━━━ 0s"), "{text}");
}
