//! The fused LSTM and GRU ops reject bad arguments with errors that name the argument and its
//! shape (no panics): wrong ranks and sizes, the GRU bias shape of each `reset_after` variant,
//! and dropout masks that need a gradient.

use autograd::{AutogradError, GruInputs, GruOptions, LstmInputs, LstmOptions, Tape, Var};

fn lstm_inputs(t: &mut Tape, x: &[usize], k: &[usize], rk: &[usize]) -> LstmInputs {
    let mut p = |d: &[usize]| {
        let n = d.iter().product();
        t.param(&vec![0.1; n], d).unwrap()
    };
    LstmInputs {
        x: p(x),
        kernel: p(k),
        recurrent_kernel: p(rk),
        bias: None,
        initial_h: None,
        initial_c: None,
        input_mask: None,
        recurrent_mask: None,
    }
}

fn gru_inputs(t: &mut Tape, bias: &[usize]) -> GruInputs {
    let mut p = |d: &[usize]| {
        let n = d.iter().product();
        t.param(&vec![0.1; n], d).unwrap()
    };
    GruInputs {
        x: p(&[2, 3, 4]),
        kernel: p(&[4, 9]),
        recurrent_kernel: p(&[3, 9]),
        bias: Some(p(bias)),
        initial_state: None,
        input_mask: None,
        recurrent_mask: None,
    }
}

fn constant(t: &mut Tape, d: &[usize]) -> Var {
    let n = d.iter().product();
    t.constant(&vec![1.0; n], d).unwrap()
}

#[test]
fn lstm_shape_errors_name_the_argument() {
    let mut t = Tape::new();
    let o = LstmOptions::default();
    let bad_x = lstm_inputs(&mut t, &[2, 4], &[4, 12], &[3, 12]);
    let e = t.lstm(&bad_x, &o).unwrap_err();
    assert!(matches!(e, AutogradError::BadShape { arg: "x", .. }), "{e}");
    let bad_k = lstm_inputs(&mut t, &[2, 3, 4], &[4, 10], &[3, 12]);
    let e = t.lstm(&bad_k, &o).unwrap_err();
    assert!(e.to_string().contains("4·units"), "{e}");
    let bad_rk = lstm_inputs(&mut t, &[2, 3, 4], &[4, 12], &[3, 9]);
    let e = t.lstm(&bad_rk, &o).unwrap_err();
    assert!(
        matches!(
            e,
            AutogradError::BadShape {
                arg: "recurrent_kernel",
                ..
            }
        ),
        "{e}"
    );
    let mut ok = lstm_inputs(&mut t, &[2, 3, 4], &[4, 12], &[3, 12]);
    ok.bias = Some(constant(&mut t, &[9]));
    let e = t.lstm(&ok, &o).unwrap_err();
    assert!(
        matches!(e, AutogradError::BadShape { arg: "bias", .. }),
        "{e}"
    );
    ok.bias = None;
    ok.initial_c = Some(constant(&mut t, &[3, 3]));
    let e = t.lstm(&ok, &o).unwrap_err();
    assert!(
        matches!(
            e,
            AutogradError::BadShape {
                arg: "initial_c",
                ..
            }
        ),
        "{e}"
    );
    ok.initial_c = None;
    ok.input_mask = Some(constant(&mut t, &[2, 3]));
    let e = t.lstm(&ok, &o).unwrap_err();
    assert!(
        matches!(
            e,
            AutogradError::BadShape {
                arg: "input_mask",
                ..
            }
        ),
        "{e}"
    );
    ok.input_mask = None;
    let trainable = t.param(&[1.0; 6], &[2, 3]).unwrap();
    ok.recurrent_mask = Some(trainable);
    let e = t.lstm(&ok, &o).unwrap_err();
    assert!(matches!(e, AutogradError::Unsupported { .. }), "{e}");
    ok.recurrent_mask = None;
    assert!(t.lstm(&ok, &o).is_ok());
}

#[test]
fn gru_bias_shape_follows_reset_after() {
    let mut t = Tape::new();
    let after = GruOptions::default();
    let before = GruOptions {
        reset_after: false,
        ..after
    };
    let two_rows = gru_inputs(&mut t, &[2, 9]);
    let one_row = gru_inputs(&mut t, &[9]);
    assert!(t.gru(&two_rows, &after).is_ok());
    assert!(t.gru(&one_row, &before).is_ok());
    let e = t.gru(&one_row, &after).unwrap_err();
    assert!(
        matches!(e, AutogradError::BadShape { arg: "bias", .. }),
        "{e}"
    );
    assert!(e.to_string().contains("[2, 3·units]"), "{e}");
    let e = t.gru(&two_rows, &before).unwrap_err();
    assert!(
        matches!(e, AutogradError::BadShape { arg: "bias", .. }),
        "{e}"
    );
    let mut bad = gru_inputs(&mut t, &[2, 9]);
    bad.initial_state = Some(constant(&mut t, &[3, 3]));
    let e = t.gru(&bad, &after).unwrap_err();
    assert!(
        matches!(
            e,
            AutogradError::BadShape {
                arg: "initial_state",
                ..
            }
        ),
        "{e}"
    );
}
