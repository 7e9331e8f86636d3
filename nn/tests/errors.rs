//! Structured errors: autograd's error stays reachable through `source()`, and a diverging fit
//! returns `NnError::NonFiniteLoss` with the epoch and step of the offending batch.

use std::error::Error;
use std::ops::ControlFlow;

use autograd::{Activation, AutogradError, Loss, Tape};
use nn::batching::Shuffle;
use nn::layers::Layer;
use nn::model::{FitEvent, FitOptions, InvalidLoss};
use nn::{DenseConfig, NnError, OptimizerConfig, Sequential, SimpleRnnConfig, Tensor};

/// `n` windows of 4 steps of a sine, shape `(n, 4, 1)`, and the next value, shape `(n, 1)`.
fn data(n: usize) -> (Tensor, Tensor) {
    let x: Vec<f32> = (0..n * 4).map(|i| (i as f32 * 0.3).sin()).collect();
    let y: Vec<f32> = (0..n).map(|i| ((i * 4 + 4) as f32 * 0.3).sin()).collect();
    (
        Tensor::from_vec(x, &[n, 4, 1]).unwrap(),
        Tensor::from_vec(y, &[n, 1]).unwrap(),
    )
}

fn relu_model(learning_rate: f64) -> Sequential {
    let mut m = Sequential::with_seed(7);
    m.add(SimpleRnnConfig::new(8).activation(Activation::RELU))
        .unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.compile(
        Loss::MeanSquaredError,
        OptimizerConfig::sgd().with_learning_rate(learning_rate),
    )
    .unwrap();
    m
}

#[test]
fn an_autograd_shape_error_reached_through_a_layer_is_its_source() {
    // An initial state of the wrong width: the layer hands it to autograd's SimpleRNN op,
    // which rejects the shapes.
    let mut layer = Layer::new(SimpleRnnConfig::new(4)).unwrap();
    layer.build(&[3, 2], 1).unwrap();
    let mut tape = Tape::new();
    let x = tape.constant(&[0.5; 2 * 3 * 2], &[2, 3, 2]).unwrap();
    let h0 = tape.constant(&[0.0; 2 * 7], &[2, 7]).unwrap();
    let err = layer
        .forward_with_states(&mut tape, x, false, &[h0])
        .unwrap_err();
    let NnError::Autograd { context, source } = &err else {
        panic!("expected NnError::Autograd, got {err:?}");
    };
    assert!(context.contains("simple_rnn"), "{context}");
    let cause = err
        .source()
        .and_then(|s| s.downcast_ref::<AutogradError>())
        .expect("source() is the AutogradError");
    assert_eq!(cause, source.as_ref());
    assert!(
        matches!(
            cause,
            AutogradError::ShapeMismatch { .. } | AutogradError::BadShape { .. }
        ),
        "{cause:?}"
    );
    // The message still says where, and autograd's shapes.
    let text = err.to_string();
    assert!(text.contains("SimpleRNN layer 'simple_rnn'"), "{text}");
    assert!(text.contains(&cause.to_string()), "{text}");
}

#[test]
fn targets_of_the_wrong_shape_keep_the_loss_error_as_source() {
    let (x, _) = data(8);
    let y = Tensor::from_vec(vec![0.0; 8 * 3], &[8, 3]).unwrap();
    let mut m = relu_model(0.01);
    let err = m.fit(&x, &y, &FitOptions::default()).unwrap_err();
    assert!(matches!(err, NnError::Autograd { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("[8, 3]") && text.contains("[8, 1]"),
        "names both shapes: {text}"
    );
    assert!(
        err.source()
            .is_some_and(|s| s.downcast_ref::<AutogradError>().is_some())
    );
}

#[test]
fn an_absurd_learning_rate_stops_fit_with_non_finite_loss_at_the_offending_step() {
    let (x, y) = data(40);
    let opts = FitOptions {
        epochs: 3,
        batch_size: 8,
        shuffle: Shuffle::Off,
        ..FitOptions::default()
    };

    // Where the loss first becomes non-finite, seen independently through the events of a run
    // that trains on (the running mean turns non-finite at the first bad batch).
    let mut first_bad = None;
    let mut cont = relu_model(1e25);
    cont.fit_with(
        &x,
        &y,
        &FitOptions {
            on_invalid_loss: InvalidLoss::Continue,
            ..opts.clone()
        },
        &mut |e| {
            if let FitEvent::BatchEnd {
                epoch, step, loss, ..
            } = *e
                && !loss.is_finite()
                && first_bad.is_none()
            {
                first_bad = Some((epoch + 1, step + 1));
            }
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    // The first step trains on the initial weights (finite loss); it moves them by ~1e25, so
    // the second overflows.
    assert_eq!(first_bad, Some((1, 2)));

    let mut m = relu_model(1e25);
    let err = m.fit(&x, &y, &opts).unwrap_err();
    let NnError::NonFiniteLoss {
        epoch,
        step,
        steps,
        value,
    } = err
    else {
        panic!("expected NonFiniteLoss, got {err:?}");
    };
    assert_eq!((epoch, step, steps), (1, 2, 5));
    assert!(!value.is_finite());
    let text = err.to_string();
    assert!(
        text.contains("epoch 1, step 2/5") && text.contains(&value.to_string()),
        "{text}"
    );
    for hint in ["learning rate", "clipnorm", "tanh", "relu"] {
        assert!(text.contains(hint), "hint '{hint}' in: {text}");
    }

    // The offending step was not applied: the weights are those after the first batch alone.
    let mut one_step = relu_model(1e25);
    let first = |t: &Tensor, row: usize| {
        let mut dims = t.dims().to_vec();
        dims[0] = 8;
        Tensor::from_vec(t.data()[..8 * row].to_vec(), &dims).unwrap()
    };
    one_step
        .train_on_batch(&first(&x, 4), &first(&y, 1))
        .unwrap();
    assert_eq!(m.get_weights(), one_step.get_weights());
}
