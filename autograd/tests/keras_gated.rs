//! fixtures/keras/lstm.json and gru.json (Keras 3.15.1): every case's outputs, states and gradients
//! (input, weights, initial states) of the fused ops against Keras, rtol 1e-5, atol 1e-6.

mod common;

use autograd::{Activation, GruInputs, GruOptions, LstmInputs, LstmOptions, Tape, Var};
use common::{assert_close, dims, fixture, flat};
use serde_json::Value;

const RTOL: f32 = 1e-5;
const ATOL: f32 = 1e-6;

fn activation(cfg: &Value) -> Activation {
    match cfg.get("activation") {
        None => Activation::Tanh,
        Some(Value::Null) => Activation::Linear,
        Some(v) => Activation::from_keras_name(v.as_str().unwrap()).unwrap(),
    }
}

fn flag(cfg: &Value, key: &str, default: bool) -> bool {
    cfg.get(key).map_or(default, |v| v.as_bool().unwrap())
}

/// Compares and returns the largest absolute difference.
fn check(what: &str, got: &[f32], want: &[f32]) -> f32 {
    assert_close(what, got, want, RTOL, ATOL);
    got.iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max)
}

/// `Σ_i sum(output_i · G_i)` as tape ops.
fn weighted_sum(t: &mut Tape, outs: &[Var], gs: &[Vec<f32>]) -> Var {
    let mut total: Option<Var> = None;
    for (&o, g) in outs.iter().zip(gs) {
        let shape = t.shape(o).unwrap();
        let gv = t.constant(g, shape.dims()).unwrap();
        let p = t.mul(o, gv).unwrap();
        let s = t.sum(p).unwrap();
        total = Some(match total {
            None => s,
            Some(acc) => t.add(acc, s).unwrap(),
        });
    }
    total.unwrap()
}

/// Builds a layer: (tape, x, weights, initial states, config) -> returned tensors.
type Cell = dyn Fn(&mut Tape, Var, &[Var], &[Var], &Value) -> Vec<Var>;

/// Runs one case: `cell` builds the layer and returns (returned tensors in Keras order given
/// return_sequences / return_state, initial-state vars).
fn run_case(name: &str, spec: &Value, cell: &Cell) -> f32 {
    let mut t = Tape::new();
    let x = t
        .param(&flat(&spec["input"]), &dims(&spec["input"]))
        .unwrap();
    let weights: Vec<Var> = spec["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| t.param(&flat(&w["value"]), &dims(&w["value"])).unwrap())
        .collect();
    let init: Vec<Var> = spec
        .get("initial_state")
        .map(|v| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|s| t.param(&flat(s), &dims(s)).unwrap())
                .collect()
        })
        .unwrap_or_default();
    let outs = cell(&mut t, x, &weights, &init, &spec["config"]);
    let mut err = check(
        &format!("{name} output"),
        t.value(outs[0]).unwrap(),
        &flat(&spec["output"]),
    );
    if let Some(states) = spec.get("states") {
        for (i, st) in states.as_array().unwrap().iter().enumerate() {
            let e = check(
                &format!("{name} states[{i}]"),
                t.value(outs[1 + i]).unwrap(),
                &flat(st),
            );
            err = err.max(e);
        }
    }
    let gs: Vec<Vec<f32>> = spec["G"].as_array().unwrap().iter().map(flat).collect();
    assert_eq!(gs.len(), outs.len(), "{name}: one G per returned tensor");
    let loss = weighted_sum(&mut t, &outs, &gs);
    let want_loss = spec["loss"].as_f64().unwrap() as f32;
    assert_close(
        &format!("{name} loss"),
        &[t.item(loss).unwrap()],
        &[want_loss],
        RTOL,
        ATOL,
    );
    t.backward(loss).unwrap();
    err = err.max(check(
        &format!("{name} grad_input"),
        t.grad(x).unwrap(),
        &flat(&spec["grad_input"]),
    ));
    for (i, (&w, gw)) in weights
        .iter()
        .zip(spec["grad_weights"].as_array().unwrap())
        .enumerate()
    {
        let e = check(
            &format!("{name} grad_weights[{i}]"),
            t.grad(w).unwrap(),
            &flat(&gw["value"]),
        );
        err = err.max(e);
    }
    if let Some(gi) = spec.get("grad_initial_state") {
        for (i, (&v, g)) in init.iter().zip(gi.as_array().unwrap()).enumerate() {
            let e = check(
                &format!("{name} grad_initial_state[{i}]"),
                t.grad(v).unwrap(),
                &flat(g),
            );
            err = err.max(e);
        }
    }
    err
}

fn lstm_cell(t: &mut Tape, x: Var, w: &[Var], init: &[Var], cfg: &Value) -> Vec<Var> {
    let inputs = LstmInputs {
        x,
        kernel: w[0],
        recurrent_kernel: w[1],
        bias: w.get(2).copied(),
        initial_h: init.first().copied(),
        initial_c: init.get(1).copied(),
        input_mask: None,
        recurrent_mask: None,
    };
    let options = LstmOptions {
        activation: activation(cfg),
        go_backwards: flag(cfg, "go_backwards", false),
        ..LstmOptions::default()
    };
    let out = t.lstm(&inputs, &options).unwrap();
    let first = if flag(cfg, "return_sequences", false) {
        out.sequence
    } else {
        out.last
    };
    if flag(cfg, "return_state", false) {
        vec![first, out.last, out.last_c]
    } else {
        vec![first]
    }
}

fn gru_cell(t: &mut Tape, x: Var, w: &[Var], init: &[Var], cfg: &Value) -> Vec<Var> {
    let inputs = GruInputs {
        x,
        kernel: w[0],
        recurrent_kernel: w[1],
        bias: w.get(2).copied(),
        initial_state: init.first().copied(),
        input_mask: None,
        recurrent_mask: None,
    };
    let options = GruOptions {
        activation: activation(cfg),
        go_backwards: flag(cfg, "go_backwards", false),
        reset_after: flag(cfg, "reset_after", true),
        ..GruOptions::default()
    };
    let out = t.gru(&inputs, &options).unwrap();
    let first = if flag(cfg, "return_sequences", false) {
        out.sequence
    } else {
        out.last
    };
    if flag(cfg, "return_state", false) {
        vec![first, out.last]
    } else {
        vec![first]
    }
}

#[test]
fn every_lstm_fixture_case() {
    let f = fixture("lstm.json");
    assert_eq!(f["gate_order"], serde_json::json!(["i", "f", "c", "o"]));
    let cases = f["cases"].as_object().unwrap();
    assert_eq!(cases.len(), 8);
    for (name, spec) in cases {
        let err = run_case(name, spec, &lstm_cell);
        eprintln!("lstm {name}: max abs error {err:e}");
    }
}

#[test]
fn every_gru_fixture_case() {
    let f = fixture("gru.json");
    assert_eq!(f["gate_order"], serde_json::json!(["z", "r", "h"]));
    let cases = f["cases"].as_object().unwrap();
    assert_eq!(cases.len(), 10);
    for (name, spec) in cases {
        let err = run_case(name, spec, &gru_cell);
        eprintln!("gru {name}: max abs error {err:e}");
    }
}
