//! fixtures/keras/simple_rnn.json (Keras 3.15.1): the fused op's outputs and gradients against
//! Keras (rtol 1e-5, atol 1e-6), the constant-weight goldens of docs/keras-semantics.md, A.1, and
//! the fused op against the same network built from basic ops.

mod common;

use autograd::{Activation, SimpleRnnInputs, SimpleRnnOutput, Tape, Var};
use common::{assert_close, dims, fixture, flat};
use proptest::collection::vec;
use proptest::prelude::*;
use rand::SeedableRng;

const RTOL: f32 = 1e-5;
const ATOL: f32 = 1e-6;

struct Built {
    tape: Tape,
    x: Var,
    weights: Vec<Var>,
    h0: Option<Var>,
    out: SimpleRnnOutput,
}

/// Builds the layer of a fixture case on a tape: x and every weight (and h0) as parameters.
fn build(spec: &serde_json::Value, x_key: &str, h0: Option<Vec<f32>>) -> Built {
    let cfg = &spec["config"];
    let act = match cfg.get("activation") {
        None => Activation::Tanh,
        Some(serde_json::Value::Null) => Activation::Linear,
        Some(v) => Activation::from_keras_name(v.as_str().unwrap()).unwrap(),
    };
    let go_backwards = cfg
        .get("go_backwards")
        .is_some_and(|v| v.as_bool().unwrap());
    let mut tape = Tape::new();
    let x = tape
        .param(&flat(&spec[x_key]), &dims(&spec[x_key]))
        .unwrap();
    let weights: Vec<Var> = spec["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| tape.param(&flat(&w["value"]), &dims(&w["value"])).unwrap())
        .collect();
    let xd = dims(&spec[x_key]);
    let units = dims(&spec["weights"][0]["value"])[1];
    let h0 = h0.map(|v| tape.param(&v, &[xd[0], units]).unwrap());
    let inputs = SimpleRnnInputs {
        x,
        kernel: weights[0],
        recurrent_kernel: weights[1],
        bias: weights.get(2).copied(),
        initial_state: h0,
        input_mask: None,
        recurrent_mask: None,
    };
    let out = tape.simple_rnn(&inputs, act, go_backwards).unwrap();
    Built {
        tape,
        x,
        weights,
        h0,
        out,
    }
}

/// `Σ_i sum(output_i · G_i)` as tape ops; returns the loss var.
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

#[test]
fn every_simple_rnn_fixture_case() {
    let f = fixture("simple_rnn.json");
    let cases = f["cases"].as_object().unwrap();
    let mut checked = 0;
    for (name, spec) in cases {
        if name == "stateful_seq" {
            continue; // its own test below
        }
        let h0 = spec
            .get("initial_state")
            .map(|v| flat(&v.as_array().unwrap()[0]));
        let mut b = build(spec, "input", h0);
        let cfg = &spec["config"];
        let seqs = cfg
            .get("return_sequences")
            .is_some_and(|v| v.as_bool().unwrap());
        let output = if seqs { b.out.sequence } else { b.out.last };
        let t = &mut b.tape;
        assert_close(
            &format!("{name} output"),
            t.value(output).unwrap(),
            &flat(&spec["output"]),
            RTOL,
            ATOL,
        );
        let Some(g) = spec.get("G") else {
            checked += 1;
            continue; // forward-only case (tutorial shape)
        };
        let gs: Vec<Vec<f32>> = g.as_array().unwrap().iter().map(flat).collect();
        let mut outs = vec![output];
        if let Some(states) = spec.get("states") {
            assert_close(
                &format!("{name} states"),
                t.value(b.out.last).unwrap(),
                &flat(&states[0]),
                RTOL,
                ATOL,
            );
            outs.push(b.out.last);
        }
        let loss = weighted_sum(t, &outs, &gs);
        assert_close(
            &format!("{name} loss"),
            &[t.item(loss).unwrap()],
            &[spec["loss"].as_f64().unwrap() as f32],
            RTOL,
            ATOL,
        );
        t.backward(loss).unwrap();
        assert_close(
            &format!("{name} grad_input"),
            t.grad(b.x).unwrap(),
            &flat(&spec["grad_input"]),
            RTOL,
            ATOL,
        );
        for (i, (&w, gw)) in b
            .weights
            .iter()
            .zip(spec["grad_weights"].as_array().unwrap())
            .enumerate()
        {
            assert_close(
                &format!("{name} grad_weights[{i}]"),
                t.grad(w).unwrap(),
                &flat(&gw["value"]),
                RTOL,
                ATOL,
            );
        }
        if let Some(gh) = spec.get("grad_initial_state") {
            assert_close(
                &format!("{name} grad_initial_state"),
                t.grad(b.h0.unwrap()).unwrap(),
                &flat(&gh[0]),
                RTOL,
                ATOL,
            );
        }
        checked += 1;
    }
    assert_eq!(checked, cases.len() - 1);
}

/// Stateful: call 2 starts from call 1's final state (a constant: no gradient flows into call 1).
#[test]
fn stateful_case_reduces_to_initial_state() {
    let f = fixture("simple_rnn.json");
    let spec = &f["cases"]["stateful_seq"];
    let b1 = build(spec, "x1", Some(flat(&spec["state_before_1"])));
    assert_close(
        "out1",
        b1.tape.value(b1.out.sequence).unwrap(),
        &flat(&spec["out1"]),
        RTOL,
        ATOL,
    );
    let state1 = b1.tape.value(b1.out.last).unwrap().to_vec();
    assert_close(
        "state_after_1",
        &state1,
        &flat(&spec["state_after_1"]),
        RTOL,
        ATOL,
    );

    let mut b2 = build(spec, "x2", Some(state1));
    let t = &mut b2.tape;
    assert_close(
        "out2",
        t.value(b2.out.sequence).unwrap(),
        &flat(&spec["out2"]),
        RTOL,
        ATOL,
    );
    assert_close(
        "state_after_2",
        t.value(b2.out.last).unwrap(),
        &flat(&spec["state_after_2"]),
        RTOL,
        ATOL,
    );
    let loss = weighted_sum(t, &[b2.out.sequence], &[flat(&spec["G2"])]);
    t.backward(loss).unwrap();
    assert_close(
        "grad2_input",
        t.grad(b2.x).unwrap(),
        &flat(&spec["grad2_input"]),
        RTOL,
        ATOL,
    );
    for (i, (&w, gw)) in b2
        .weights
        .iter()
        .zip(spec["grad2_weights"].as_array().unwrap())
        .enumerate()
    {
        assert_close(
            &format!("grad2_weights[{i}]"),
            t.grad(w).unwrap(),
            &flat(&gw["value"]),
            RTOL,
            ATOL,
        );
    }
    let b3 = build(spec, "x2", None);
    assert_close(
        "out_x2_from_zero_state",
        b3.tape.value(b3.out.sequence).unwrap(),
        &flat(&spec["out_x2_from_zero_state"]),
        RTOL,
        ATOL,
    );
}

/// The constant-weight goldens of docs/keras-semantics.md, A.1 (Keras's simple_rnn_test.py):
/// units 4, kernel 0.01, recurrent 0.02, bias 0.03.
#[test]
fn keras_constant_weight_goldens() {
    let run = |dims: [usize; 3], h0: Option<Vec<f32>>, back: bool| -> Vec<f32> {
        let mut t = Tape::new();
        let n = dims.iter().product::<usize>();
        let x: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let xv = t.constant(&x, &dims).unwrap();
        let w = t.constant(&vec![0.01; dims[2] * 4], &[dims[2], 4]).unwrap();
        let u = t.constant(&[0.02; 16], &[4, 4]).unwrap();
        let b = t.constant(&[0.03; 4], &[4]).unwrap();
        let h0 = h0.map(|h| t.constant(&h, &[2, 4]).unwrap());
        let inputs = SimpleRnnInputs {
            x: xv,
            kernel: w,
            recurrent_kernel: u,
            bias: Some(b),
            initial_state: h0,
            input_mask: None,
            recurrent_mask: None,
        };
        let out = t.simple_rnn(&inputs, Activation::Tanh, back).unwrap();
        let v = t.value(out.last).unwrap();
        vec![v[0], v[4]]
    };
    let close = |got: Vec<f32>, want: [f32; 2]| assert_close("golden", &got, &want, 1e-5, 1e-6);
    close(run([2, 3, 4], None, false), [0.405432, 0.73605347]);
    close(run([2, 3, 4], None, true), [0.11144729, 0.5528889]);
    let h0: Vec<f32> = (0..8).map(|i| i as f32).collect();
    close(
        run([2, 4, 3], Some(h0.clone()), false),
        [0.33621645, 0.6262637],
    );
    close(run([2, 4, 3], Some(h0), true), [0.07344437, 0.43043602]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The fused op equals the basic-op composition: values and every gradient.
    #[test]
    fn fused_matches_basic_ops(b in 1usize..4, tt in 1usize..5, f in 1usize..4, u in 1usize..5,
                               which in 0usize..5, go_backwards in any::<bool>(),
                               use_bias in any::<bool>(), use_h0 in any::<bool>(),
                               masks in any::<bool>(), seed in any::<u64>(),
                               x in vec(-1.0f32..1.0, 48), w in vec(-0.8f32..0.8, 40)) {
        let act = [Activation::Tanh, Activation::RELU, Activation::Sigmoid,
                   Activation::Gelu { approximate: true }, Activation::Softmax][which];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mx = autograd::dropout_mask(&[b, f], 0.4, &mut rng).unwrap();
        let mh = autograd::dropout_mask(&[b, u], 0.4, &mut rng).unwrap();
        let gseq: Vec<f32> = (0..b * tt * u).map(|i| (i as f32 * 0.7).sin()).collect();
        let glast: Vec<f32> = (0..b * u).map(|i| (i as f32 * 1.1).cos()).collect();
        let mut results = Vec::new();
        for fused in [true, false] {
            let mut t = Tape::new();
            let xv = t.param(&x[..b * tt * f], &[b, tt, f]).unwrap();
            let wv = t.param(&w[..f * u], &[f, u]).unwrap();
            let uv = t.param(&w[12..12 + u * u], &[u, u]).unwrap();
            let bv = t.param(&w[30..30 + u], &[u]).unwrap();
            let hv = t.param(&x[20..20 + b * u], &[b, u]).unwrap();
            let mxv = t.constant(mx.data(), &[b, f]).unwrap();
            let mhv = t.constant(mh.data(), &[b, u]).unwrap();
            let inputs = SimpleRnnInputs {
                x: xv, kernel: wv, recurrent_kernel: uv,
                bias: use_bias.then_some(bv), initial_state: use_h0.then_some(hv),
                input_mask: masks.then_some(mxv), recurrent_mask: masks.then_some(mhv),
            };
            let out = if fused {
                t.simple_rnn(&inputs, act, go_backwards).unwrap()
            } else {
                t.simple_rnn_unfused(&inputs, act, go_backwards).unwrap()
            };
            let loss = weighted_sum(&mut t, &[out.sequence, out.last], &[gseq.clone(), glast.clone()]);
            t.backward(loss).unwrap();
            let mut r = vec![t.value(out.sequence).unwrap().to_vec(), t.value(out.last).unwrap().to_vec()];
            for v in [xv, wv, uv, bv, hv] {
                r.push(t.grad(v).unwrap().to_vec());
            }
            results.push(r);
        }
        let names = ["sequence", "last", "dx", "dW", "dU", "db", "dh0"];
        for (i, name) in names.iter().enumerate() {
            // Same formula; the fused op sums dW and db over all steps at once and the
            // composition step by step, so the order of f32 additions differs by a few ulps.
            assert_close(name, &results[0][i], &results[1][i], 1e-4, 1e-5);
        }
    }
}
