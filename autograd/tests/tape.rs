//! Tape mechanics: handles, errors, accumulation, clearing and memory reuse.

use autograd::{Activation, AutogradError, Loss, SimpleRnnInputs, Tape, Tensor};

#[test]
fn var_from_another_tape_is_an_error() {
    let mut a = Tape::new();
    let mut b = Tape::new();
    let x = a.param(&[1.0], &[1]).unwrap();
    assert!(matches!(
        b.neg(x),
        Err(AutogradError::ForeignVar { op: "neg", .. })
    ));
}

#[test]
fn var_from_before_clear_is_an_error() {
    let mut t = Tape::new();
    let x = t.param(&[1.0, 2.0], &[2]).unwrap();
    t.clear();
    let _y = t.param(&[3.0, 4.0], &[2]).unwrap();
    assert!(matches!(t.value(x), Err(AutogradError::StaleVar { .. })));
    assert!(matches!(t.exp(x), Err(AutogradError::StaleVar { .. })));
}

#[test]
fn a_node_used_twice_gets_both_contributions() {
    // y = x * x + x  =>  dy/dx = 2x + 1
    let mut t = Tape::new();
    let x = t.param(&[3.0, -2.0], &[2]).unwrap();
    let sq = t.mul(x, x).unwrap();
    let y = t.add(sq, x).unwrap();
    let s = t.sum(y).unwrap();
    t.backward(s).unwrap();
    assert_eq!(t.grad(x).unwrap(), &[7.0, -3.0]);
}

#[test]
fn constants_have_no_gradient_and_grad_needs_backward() {
    let mut t = Tape::new();
    let x = t.param(&[1.0], &[1]).unwrap();
    let c = t.constant(&[2.0], &[1]).unwrap();
    let y = t.mul(x, c).unwrap();
    assert!(matches!(t.grad(x), Err(AutogradError::NoGradient { .. })));
    let s = t.sum(y).unwrap();
    t.backward(s).unwrap();
    assert_eq!(t.grad(x).unwrap(), &[2.0]);
    assert!(matches!(t.grad(c), Err(AutogradError::NoGradient { .. })));
    assert!(!t.requires_grad(c).unwrap());
}

#[test]
fn backward_needs_a_one_element_output() {
    let mut t = Tape::new();
    let x = t.param(&[1.0, 2.0], &[2]).unwrap();
    let e = t.backward(x).unwrap_err();
    assert!(e.to_string().contains("backward"), "{e}");
}

#[test]
fn shape_errors_name_the_op_and_both_shapes() {
    let mut t = Tape::new();
    let a = t.param(&[0.0; 6], &[2, 3]).unwrap();
    let b = t.param(&[0.0; 8], &[4, 2]).unwrap();
    let msg = t.matmul(a, b).unwrap_err().to_string();
    assert!(
        msg.contains("matmul") && msg.contains("[2, 3]") && msg.contains("[4, 2]"),
        "{msg}"
    );
    let msg = t.add(a, b).unwrap_err().to_string();
    assert!(
        msg.contains("add") && msg.contains("[2, 3]") && msg.contains("[4, 2]"),
        "{msg}"
    );
    assert!(matches!(
        Tensor::from_vec(vec![1.0; 5], &[2, 3]),
        Err(AutogradError::DataLength {
            expected: 6,
            got: 5,
            ..
        })
    ));
    assert!(t.param(&[0.0; 5], &[1, 1, 1, 1, 5]).is_err());
}

#[test]
fn tensor_constructors() {
    let z = Tensor::zeros(&[2, 3]).unwrap();
    assert_eq!(z.dims(), &[2, 3]);
    assert_eq!(z.data(), &[0.0; 6]);
    let s = Tensor::scalar(2.5);
    assert_eq!(s.dims(), &[] as &[usize]);
    assert_eq!(s.data(), &[2.5]);
    let mut t = Tape::new();
    let v = t.constant_tensor(&s).unwrap();
    assert_eq!(t.item(v).unwrap(), 2.5);
    assert_eq!(t.tensor(v).unwrap(), s);
}

#[test]
fn names_parse_and_unknown_names_are_clear_errors() {
    assert_eq!("relu".parse::<Activation>().unwrap(), Activation::RELU);
    assert_eq!("swish".parse::<Activation>().unwrap(), Activation::Silu);
    let e = "relu7".parse::<Activation>().unwrap_err().to_string();
    assert!(e.contains("relu7") && e.contains("tanh"), "{e}");
    assert_eq!("mse".parse::<Loss>().unwrap(), Loss::MeanSquaredError);
    assert_eq!("huber".parse::<Loss>().unwrap(), Loss::Huber { delta: 1.0 });
    let e = "hinge".parse::<Loss>().unwrap_err().to_string();
    assert!(e.contains("hinge") && e.contains("mse"), "{e}");
    for name in Activation::KERAS_NAMES {
        let a: Activation = name.parse().unwrap();
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            serde_json::from_str::<Activation>(&json).unwrap(),
            a,
            "{json}"
        );
    }
    let json = serde_json::to_string(&Loss::Huber { delta: 0.5 }).unwrap();
    assert_eq!(
        serde_json::from_str::<Loss>(&json).unwrap(),
        Loss::Huber { delta: 0.5 }
    );
}

/// One step of a small model: SimpleRNN(8, relu) -> Dense(1), mse, plain SGD.
fn step(tape: &mut Tape, params: &mut [Vec<f32>; 5], x: &[f32], y: &[f32]) -> f32 {
    let xv = tape.constant(x, &[4, 3, 2]).unwrap();
    let yv = tape.constant(y, &[4]).unwrap();
    let w = tape.param(&params[0], &[2, 8]).unwrap();
    let u = tape.param(&params[1], &[8, 8]).unwrap();
    let b = tape.param(&params[2], &[8]).unwrap();
    let dw = tape.param(&params[3], &[8, 1]).unwrap();
    let db = tape.param(&params[4], &[1]).unwrap();
    let inputs = SimpleRnnInputs {
        x: xv,
        kernel: w,
        recurrent_kernel: u,
        bias: Some(b),
        initial_state: None,
        input_mask: None,
        recurrent_mask: None,
    };
    let h = tape
        .simple_rnn(&inputs, Activation::RELU, false)
        .unwrap()
        .last;
    let p = tape.matmul(h, dw).unwrap();
    let p = tape.add(p, db).unwrap();
    let loss = tape.loss(Loss::MeanSquaredError, yv, p).unwrap();
    tape.backward(loss).unwrap();
    for (p, v) in params.iter_mut().zip([w, u, b, dw, db]) {
        p.iter_mut()
            .zip(tape.grad(v).unwrap())
            .for_each(|(p, g)| *p -= 0.01 * g);
    }
    let l = tape.item(loss).unwrap();
    tape.clear();
    l
}

#[test]
fn memory_stops_growing_over_10000_steps() {
    let mut params = [
        (0..16)
            .map(|i| (i as f32 * 0.37).sin() * 0.5)
            .collect::<Vec<_>>(),
        (0..64).map(|i| (i as f32 * 0.11).cos() * 0.2).collect(),
        vec![0.0; 8],
        (0..8).map(|i| (i as f32 * 0.7).sin() * 0.5).collect(),
        vec![0.0],
    ];
    let x: Vec<f32> = (0..24).map(|i| (i as f32 * 0.3).sin()).collect();
    let y = [0.5, -0.2, 0.1, 0.3];
    let mut tape = Tape::new();
    let first = step(&mut tape, &mut params, &x, &y);
    let warm = tape.held_bytes();
    assert!(warm > 0);
    let mut last = first;
    for _ in 0..10_000 {
        last = step(&mut tape, &mut params, &x, &y);
        assert_eq!(tape.held_bytes(), warm, "the tape grew after warm-up");
    }
    assert!(
        last < first,
        "training should reduce the loss: {first} -> {last}"
    );
}

#[test]
fn dropout_masks_are_inverted_seeded_and_checked() {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let m = autograd::dropout_mask(&[100, 100], 0.25, &mut rng).unwrap();
    let kept = m.data().iter().filter(|&&v| v != 0.0).count();
    assert!(m.data().iter().all(|&v| v == 0.0 || v == 1.0 / 0.75));
    assert!((kept as f32 / 10_000.0 - 0.75).abs() < 0.02, "kept {kept}");
    let mut rng2 = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    assert_eq!(
        autograd::dropout_mask(&[100, 100], 0.25, &mut rng2).unwrap(),
        m
    );
    assert!(autograd::dropout_mask(&[3], 1.0, &mut rng).unwrap().data() == [0.0; 3]);
    assert!(autograd::dropout_mask(&[3], 0.0, &mut rng).unwrap().data() == [1.0; 3]);
    assert!(matches!(
        autograd::dropout_mask(&[3], 1.5, &mut rng),
        Err(AutogradError::InvalidArgument { arg: "rate", .. })
    ));
    let mut t = Tape::new();
    let mv = t.dropout_mask(&[2, 3], 0.5, &mut rng).unwrap();
    assert!(!t.requires_grad(mv).unwrap());
    assert!(t.dropout_mask(&[2, 3], -0.1, &mut rng).is_err());
    assert_eq!(t.len(), 1);
}

#[test]
fn a_cleared_tape_records_over_old_values_without_reading_them() {
    use rand::{RngExt, SeedableRng};
    // The value arena keeps its length across clears: new nodes land on old data.
    let mut t = Tape::new();
    let old = t.constant(&[7.0; 64], &[8, 8]).unwrap();
    t.exp(old).unwrap();
    t.clear();
    let (mut r1, mut r2) = (
        rand_chacha::ChaCha8Rng::seed_from_u64(3),
        rand_chacha::ChaCha8Rng::seed_from_u64(3),
    );
    let m = t.dropout_mask(&[2, 3], 0.5, &mut r1).unwrap();
    // A rejected mask is rolled back: the next node takes its place.
    assert!(t.dropout_mask(&[4], 2.0, &mut r1).is_err());
    let s = t.sum(m).unwrap();
    let expected = autograd::dropout_mask(&[2, 3], 0.5, &mut r2).unwrap();
    assert_eq!(t.value(m).unwrap(), expected.data());
    // The mask drew exactly its own elements.
    assert_eq!(r1.random::<u32>(), r2.random::<u32>());
    assert_eq!(t.item(s).unwrap(), expected.data().iter().sum::<f32>());
    assert_eq!(t.len(), 2);
}

#[test]
fn simple_rnn_rejects_bad_shapes_and_trainable_masks() {
    let mut t = Tape::new();
    let x = t.constant(&[0.0; 12], &[2, 3, 2]).unwrap();
    let w = t.param(&[0.0; 8], &[2, 4]).unwrap();
    let u = t.param(&[0.0; 16], &[4, 4]).unwrap();
    let bad_u = t.param(&[0.0; 12], &[4, 3]).unwrap();
    let mask = t.param(&[1.0; 4], &[2, 2]).unwrap();
    let inputs = SimpleRnnInputs {
        x,
        kernel: w,
        recurrent_kernel: bad_u,
        bias: None,
        initial_state: None,
        input_mask: None,
        recurrent_mask: None,
    };
    let e = t
        .simple_rnn(&inputs, Activation::Tanh, false)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("recurrent_kernel") && e.contains("[4, 3]"),
        "{e}"
    );
    let inputs = SimpleRnnInputs {
        recurrent_kernel: u,
        input_mask: Some(mask),
        ..inputs
    };
    let e = t
        .simple_rnn(&inputs, Activation::Tanh, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("mask"), "{e}");
    let x2 = t.constant(&[0.0; 6], &[3, 2]).unwrap();
    let inputs = SimpleRnnInputs {
        x: x2,
        input_mask: None,
        ..inputs
    };
    let e = t
        .simple_rnn(&inputs, Activation::Tanh, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("[batch, timesteps, features]"), "{e}");
}
