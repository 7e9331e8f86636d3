//! Every case of Keras's simple_rnn.json, lstm.json, gru.json and dense.json, run through nn's
//! layers: outputs, states and gradients for fixed weights (rtol 1e-5, atol 1e-6, the README's
//! single-op tolerance), plus dropout properties.

mod common;

use autograd::{Activation, Tape, Var};
use common::{assert_close, flat, load, max_ulps, shape};
use nn::{DenseConfig, GruConfig, Layer, LayerConfig, LstmConfig, SimpleRnnConfig};
use serde_json::Value;

const RTOL: f32 = 1e-5;
const ATOL: f32 = 1e-6;

fn config_of(layer: &str, cfg: &Value) -> LayerConfig {
    let units = cfg["units"].as_u64().unwrap() as usize;
    let act = |v: &Value| match v {
        Value::Null => Activation::Linear,
        Value::String(s) => Activation::from_keras_name(s).unwrap(),
        other => panic!("activation {other}"),
    };
    let flag = |k: &str| cfg.get(k).and_then(Value::as_bool).unwrap_or(false);
    match layer {
        "Dense" => {
            let mut c = DenseConfig::new(units);
            if let Some(a) = cfg.get("activation") {
                c.activation = act(a);
            }
            if let Some(b) = cfg.get("use_bias") {
                c.use_bias = b.as_bool().unwrap();
            }
            c.into()
        }
        "SimpleRNN" => {
            let mut c = SimpleRnnConfig::new(units);
            if let Some(a) = cfg.get("activation") {
                c.activation = act(a);
            }
            if let Some(b) = cfg.get("use_bias") {
                c.use_bias = b.as_bool().unwrap();
            }
            c.return_sequences = flag("return_sequences");
            c.return_state = flag("return_state");
            c.go_backwards = flag("go_backwards");
            c.stateful = flag("stateful");
            c.into()
        }
        "LSTM" => {
            let mut c = LstmConfig::new(units);
            if let Some(a) = cfg.get("activation") {
                c.activation = act(a);
            }
            if let Some(b) = cfg.get("use_bias") {
                c.use_bias = b.as_bool().unwrap();
            }
            c.return_sequences = flag("return_sequences");
            c.return_state = flag("return_state");
            c.go_backwards = flag("go_backwards");
            c.stateful = flag("stateful");
            c.into()
        }
        "GRU" => {
            let mut c = GruConfig::new(units);
            if let Some(a) = cfg.get("activation") {
                c.activation = act(a);
            }
            if let Some(b) = cfg.get("use_bias") {
                c.use_bias = b.as_bool().unwrap();
            }
            if let Some(b) = cfg.get("reset_after") {
                c.reset_after = b.as_bool().unwrap();
            }
            c.return_sequences = flag("return_sequences");
            c.return_state = flag("return_state");
            c.go_backwards = flag("go_backwards");
            c.stateful = flag("stateful");
            c.into()
        }
        other => panic!("layer {other}"),
    }
}

fn built_layer(case: &Value) -> Layer {
    let mut layer =
        Layer::new(config_of(case["layer"].as_str().unwrap(), &case["config"])).unwrap();
    let input_shape = shape(&case["input_shape"]);
    layer.build(&input_shape[1..], 7).unwrap();
    let weights: Vec<Vec<f32>> = case["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| flat(&w["value"]))
        .collect();
    let names: Vec<&str> = case["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    let ours: Vec<&str> = layer.params().iter().map(|p| p.name).collect();
    assert_eq!(ours, names, "weight order and names");
    let refs: Vec<&[f32]> = weights.iter().map(Vec::as_slice).collect();
    layer.set_weights(&refs).unwrap();
    layer
}

/// Largest ulp distance over the values whose reference is above 1e-3 in magnitude (ulps of
/// values near 0 say nothing about accuracy); the tolerance check covers all values.
fn big_ulps(a: &[f32], b: &[f32]) -> u64 {
    a.iter()
        .zip(b)
        .filter(|(_, y)| y.abs() > 1e-3)
        .map(|(&x, &y)| max_ulps(&[x], &[y]))
        .max()
        .unwrap_or(0)
}

/// `sum(v * g)` on the tape.
fn dot(tape: &mut Tape, v: Var, g: &[f32]) -> Var {
    let dims = tape.shape(v).unwrap().dims().to_vec();
    let gc = tape.constant(g, &dims).unwrap();
    let m = tape.mul(v, gc).unwrap();
    tape.sum(m).unwrap()
}

fn check_grads(tape: &Tape, layer: &Layer, want: &Value, what: &str) {
    for (i, (v, w)) in layer
        .param_vars()
        .iter()
        .zip(want.as_array().unwrap())
        .enumerate()
    {
        let w = if w.get("value").is_some() {
            &w["value"]
        } else {
            w
        };
        assert_close(
            tape.grad(*v).unwrap(),
            &flat(w),
            RTOL,
            ATOL,
            &format!("{what} grad_weights[{i}]"),
        );
    }
}

fn run_case(name: &str, case: &Value) -> u64 {
    let mut layer = built_layer(case);
    let mut tape = Tape::new();
    let x = tape
        .param(&flat(&case["input"]), &shape(&case["input_shape"]))
        .unwrap();
    // Keras's initial_state list: [h] or [h, c], each (batch, units).
    let n_states = layer.config().state_count().max(1);
    let h0: Vec<Var> = case.get("initial_state").map_or(Vec::new(), |s| {
        let v = flat(s);
        let b = shape(&case["input_shape"])[0];
        let per = v.len() / n_states;
        v.chunks(per)
            .map(|c| tape.param(c, &[b, per / b]).unwrap())
            .collect()
    });
    let out = layer.forward_with_states(&mut tape, x, false, &h0).unwrap();
    let y = tape.value(out.output).unwrap().to_vec();
    assert_eq!(
        tape.shape(out.output).unwrap().dims(),
        shape(&case["output_shape"]).as_slice(),
        "{name} shape"
    );
    assert_close(
        &y,
        &flat(&case["output"]),
        RTOL,
        ATOL,
        &format!("{name} output"),
    );
    let mut worst = big_ulps(&y, &flat(&case["output"]));
    let returned: Vec<Var> = out.state.into_iter().chain(out.carry_state).collect();
    if let Some(states) = case.get("states") {
        assert_eq!(returned.len(), n_states, "{name}: [h] or [h, c]");
        let got: Vec<f32> = returned
            .iter()
            .flat_map(|&s| tape.value(s).unwrap().to_vec())
            .collect();
        assert_close(&got, &flat(states), RTOL, ATOL, &format!("{name} states"));
    } else {
        assert!(returned.is_empty());
    }
    let Some(g) = case.get("G") else {
        return worst; // forward-only case
    };
    let g = g.as_array().unwrap();
    let mut loss = dot(&mut tape, out.output, &flat(&g[0]));
    for (k, &s) in returned.iter().enumerate() {
        let l2 = dot(&mut tape, s, &flat(&g[1 + k]));
        loss = tape.add(loss, l2).unwrap();
    }
    let lv = tape.item(loss).unwrap();
    assert_close(
        &[lv],
        &[case["loss"].as_f64().unwrap() as f32],
        RTOL,
        ATOL,
        &format!("{name} loss"),
    );
    tape.backward(loss).unwrap();
    assert_close(
        tape.grad(x).unwrap(),
        &flat(&case["grad_input"]),
        RTOL,
        ATOL,
        &format!("{name} grad_input"),
    );
    if !h0.is_empty() {
        let got: Vec<f32> = h0
            .iter()
            .flat_map(|&v| tape.grad(v).unwrap().to_vec())
            .collect();
        assert_close(
            &got,
            &flat(&case["grad_initial_state"]),
            RTOL,
            ATOL,
            &format!("{name} grad_initial_state"),
        );
    }
    check_grads(&tape, &layer, &case["grad_weights"], name);
    worst = worst.max(big_ulps(tape.grad(x).unwrap(), &flat(&case["grad_input"])));
    for (v, w) in layer
        .param_vars()
        .iter()
        .zip(case["grad_weights"].as_array().unwrap())
    {
        let w = if w.get("value").is_some() {
            &w["value"]
        } else {
            w
        };
        worst = worst.max(big_ulps(tape.grad(*v).unwrap(), &flat(w)));
    }
    worst
}

fn run_file(file: &str, skip: &[&str]) -> usize {
    let data = load(file);
    let mut n = 0;
    let mut worst = 0;
    for (name, case) in data["cases"].as_object().unwrap() {
        if skip.contains(&name.as_str()) {
            continue;
        }
        worst = worst.max(run_case(name, case));
        n += 1;
    }
    eprintln!("{file}: {n} cases, max ulp of outputs and gradients (|ref| > 1e-3) {worst}");
    n
}

#[test]
fn every_dense_case_matches_keras() {
    assert_eq!(run_file("dense", &[]), 8);
}

#[test]
fn every_simple_rnn_case_matches_keras() {
    assert_eq!(run_file("simple_rnn", &["stateful_seq"]), 17);
}

#[test]
fn every_lstm_case_matches_keras() {
    assert_eq!(run_file("lstm", &[]), 8);
}

#[test]
fn every_gru_case_matches_keras() {
    assert_eq!(run_file("gru", &[]), 10);
}

#[test]
fn tutorial_layer_counts_1184_params() {
    let case = &load("simple_rnn")["cases"]["tutorial_relu_32"];
    let layer = built_layer(case);
    assert_eq!(
        layer.count_params() as u64,
        case["count_params"].as_u64().unwrap()
    );
}

#[test]
fn stateful_case_carries_and_resets_the_state() {
    let case = &load("simple_rnn")["cases"]["stateful_seq"];
    let mut layer = built_layer(case);
    let dims = shape(&case["input_shape"]);
    let (x1, x2) = (flat(&case["x1"]), flat(&case["x2"]));
    let mut tape = Tape::new();
    layer.reset_states();
    let xv = tape.constant(&x1, &dims).unwrap();
    let o1 = layer.forward(&mut tape, xv, false, None).unwrap();
    assert_close(
        tape.value(o1.output).unwrap(),
        &flat(&case["out1"]),
        RTOL,
        ATOL,
        "out1",
    );
    assert_close(
        layer.states(),
        &flat(&case["state_after_1"]),
        RTOL,
        ATOL,
        "state_after_1",
    );
    tape.clear();
    let xv = tape.param(&x2, &dims).unwrap();
    let o2 = layer.forward(&mut tape, xv, false, None).unwrap();
    assert_close(
        tape.value(o2.output).unwrap(),
        &flat(&case["out2"]),
        RTOL,
        ATOL,
        "out2",
    );
    let loss = dot(&mut tape, o2.output, &flat(&case["G2"]));
    assert_close(
        &[tape.item(loss).unwrap()],
        &[case["loss2"].as_f64().unwrap() as f32],
        RTOL,
        ATOL,
        "loss2",
    );
    tape.backward(loss).unwrap();
    assert_close(
        tape.grad(xv).unwrap(),
        &flat(&case["grad2_input"]),
        RTOL,
        ATOL,
        "grad2_input",
    );
    check_grads(&tape, &layer, &case["grad2_weights"], "stateful");
    assert_close(
        layer.states(),
        &flat(&case["state_after_2"]),
        RTOL,
        ATOL,
        "state_after_2",
    );
    layer.reset_states();
    assert_eq!(layer.states(), flat(&case["state_after_reset"]).as_slice());
    let again = |layer: &mut Layer, x: &[f32]| {
        let mut t = Tape::new();
        let xv = t.constant(x, &dims).unwrap();
        let o = layer.forward(&mut t, xv, false, None).unwrap();
        t.value(o.output).unwrap().to_vec()
    };
    let a1 = again(&mut layer, &x1);
    let a2 = again(&mut layer, &x2);
    assert_close(
        &a1,
        &flat(&case["out_x1_after_reset"]),
        RTOL,
        ATOL,
        "out_x1_after_reset",
    );
    assert_close(&a2, &flat(&case["out2"]), RTOL, ATOL, "out2 again");
    layer.reset_states();
    let z2 = again(&mut layer, &x2);
    assert_close(
        &z2,
        &flat(&case["out_x2_from_zero_state"]),
        RTOL,
        ATOL,
        "out_x2_from_zero_state",
    );
    // A batch of another size is refused with a message saying how to fix it.
    let mut t = Tape::new();
    let xv = t
        .constant(&x1[..x1.len() / 2], &[1, dims[1], dims[2]])
        .unwrap();
    let err = layer
        .forward(&mut t, xv, false, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("batches of exactly 2") && err.contains("divides"),
        "{err}"
    );
}

#[test]
fn wrong_rank_errors_name_the_layer_and_layout() {
    let mut layer = Layer::new(SimpleRnnConfig::new(3)).unwrap();
    let err = layer.build(&[4], 1).unwrap_err().to_string();
    assert!(
        err.contains("simple_rnn") && err.contains("(batch, timesteps, features)"),
        "{err}"
    );
    assert!(
        err.contains("return_sequences") && err.contains("reshape"),
        "{err}"
    );
    layer.build(&[4, 2], 1).unwrap();
    let mut tape = Tape::new();
    let x = tape.constant(&[0.0; 8], &[2, 4]).unwrap();
    let err = layer
        .forward(&mut tape, x, false, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("rank 3") && err.contains("rank 2"), "{err}");
}

#[test]
fn out_of_range_dropout_is_rejected() {
    for (d, r) in [(-0.1f32, 0.0f32), (1.5, 0.0), (0.0, 2.0)] {
        let mut c = SimpleRnnConfig::new(2);
        c.dropout = d;
        c.recurrent_dropout = r;
        let err = Layer::new(c).unwrap_err().to_string();
        assert!(err.contains("dropout") && err.contains("clamps"), "{err}");
    }
    assert!(Layer::new(DenseConfig::new(0)).is_err());
}

/// Runs one training-mode call with input dropout `rate` on all-ones input, identity-like
/// weights and a linear activation, returning the output sequence `(b, t, u)`.
fn dropout_call(rate: f32, rec: f32, training: bool) -> (Vec<f32>, usize, usize, usize) {
    let (b, t, f) = (64, 5, 3);
    let mut c = SimpleRnnConfig::new(f);
    c.activation = Activation::Linear;
    c.return_sequences = true;
    c.use_bias = false;
    c.dropout = rate;
    c.recurrent_dropout = rec;
    c.seed = Some(9);
    let mut layer = Layer::new(c).unwrap();
    layer.build(&[t, f], 3).unwrap();
    let mut eye = vec![0.0f32; f * f];
    (0..f).for_each(|i| eye[i * f + i] = 1.0);
    let zero = vec![0.0f32; f * f];
    layer.set_weights(&[&eye, &zero]).unwrap();
    let mut tape = Tape::new();
    let x = tape.constant(&vec![1.0; b * t * f], &[b, t, f]).unwrap();
    let o = layer.forward(&mut tape, x, training, None).unwrap();
    (tape.value(o.output).unwrap().to_vec(), b, t, f)
}

#[test]
fn input_dropout_mask_is_reused_at_every_timestep_and_scaled() {
    let rate = 0.5;
    let (y, b, t, f) = dropout_call(rate, 0.0, true);
    let mut zeros = 0;
    for bi in 0..b {
        let first = &y[bi * t * f..bi * t * f + f];
        for ti in 1..t {
            assert_eq!(
                &y[(bi * t + ti) * f..(bi * t + ti + 1) * f],
                first,
                "mask differs over time"
            );
        }
        for &v in first {
            assert!(v == 0.0 || v == 1.0 / (1.0 - rate), "{v}");
            zeros += (v == 0.0) as usize;
        }
    }
    let frac = zeros as f32 / (b * f) as f32;
    assert!((0.3..0.7).contains(&frac), "dropped fraction {frac}");
    // Inference is unaffected.
    let (y, ..) = dropout_call(rate, 0.3, false);
    assert!(y.iter().all(|&v| v == 1.0));
    // rate 1 drops everything.
    let (y, ..) = dropout_call(1.0, 0.0, true);
    assert!(y.iter().all(|&v| v == 0.0));
}

#[test]
fn recurrent_dropout_scales_the_carried_state() {
    // With U = identity and W = identity, h_t = x + m_h ⊙ h_{t-1}: a kept unit grows by
    // 1/(1-r) per step, a dropped one stays at 1, the same at every step.
    let (b, t, f, r) = (32, 4, 2, 0.5f32);
    let mut c = SimpleRnnConfig::new(f);
    c.activation = Activation::Linear;
    c.return_sequences = true;
    c.use_bias = false;
    c.recurrent_dropout = r;
    let mut layer = Layer::new(c).unwrap();
    layer.build(&[t, f], 3).unwrap();
    let eye = [1.0, 0.0, 0.0, 1.0];
    layer.set_weights(&[&eye, &eye]).unwrap();
    let mut tape = Tape::new();
    let x = tape.constant(&vec![1.0; b * t * f], &[b, t, f]).unwrap();
    let o = layer.forward(&mut tape, x, true, None).unwrap();
    let y = tape.value(o.output).unwrap();
    for bi in 0..b {
        for u in 0..f {
            let h1 = y[(bi * t + 1) * f + u];
            let kept = h1 != 1.0;
            let mut h = 1.0f32;
            for ti in 0..t {
                if ti > 0 && kept {
                    h = 1.0 + 2.0 * h;
                }
                assert_eq!(y[(bi * t + ti) * f + u], h);
            }
        }
    }
}
