//! The 3-epoch tutorial training run of fixtures/keras/model_training.json, in both layouts,
//! through `Sequential`: summary before and after fit, per-batch running losses, per-batch losses
//! (train_on_batch), history, final weights, evaluate and predict (rtol 1e-4 for multi-step
//! results, as fixtures/keras/README.md says; the achieved ulp distances are printed).

mod common;

use autograd::{Activation, Loss};
use common::{assert_close, flat, load, max_ulps, shape};
use nn::batching::Shuffle;
use nn::model::{FitEvent, FitOptions};
use nn::{DenseConfig, OptimizerConfig, Sequential, SimpleRnnConfig, Tensor};
use serde_json::Value;
use std::ops::ControlFlow;

const RTOL: f32 = 1e-4;
const ATOL: f32 = 1e-6;

fn tutorial(input: &[usize]) -> Sequential {
    let mut m = Sequential::new();
    m.set_input_shape(input).unwrap();
    m.add(SimpleRnnConfig::new(32).activation(Activation::RELU))
        .unwrap();
    m.add(DenseConfig::new(8).activation(Activation::RELU))
        .unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.compile(
        Loss::MeanSquaredError,
        OptimizerConfig::from_name("rmsprop").unwrap(),
    )
    .unwrap();
    m
}

fn weights(v: &Value) -> Vec<Vec<f32>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|w| flat(&w["value"]))
        .collect()
}

fn run(case_name: &str) {
    let case = &load("model_training")["cases"][case_name];
    let xs = shape(&case["x_shape"]);
    let x = Tensor::from_vec(flat(&case["x"]), &xs).unwrap();
    let y = Tensor::from_vec(flat(&case["y"]), &shape(&case["y_shape"])).unwrap();
    let mut m = tutorial(&xs[1..]);
    assert_eq!(
        m.count_params() as u64,
        case["count_params"].as_u64().unwrap()
    );
    assert_eq!(
        m.summary().unwrap(),
        case["summary_before_fit"].as_str().unwrap()
    );
    let init = weights(&case["initial_weights"]);
    m.set_weights(&init).unwrap();
    let names: Vec<String> = m.param_infos().iter().map(|p| p.name.clone()).collect();
    let want: Vec<String> = case["initial_weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let p = w["path"].as_str().unwrap();
            p.trim_start_matches("sequential/")
                .replace("/simple_rnn_cell", "")
        })
        .collect();
    assert_eq!(names, want);

    let mut running = Vec::new();
    let opts = FitOptions {
        epochs: 3,
        batch_size: 16,
        shuffle: Shuffle::Off,
        ..FitOptions::default()
    };
    let hist = m
        .fit_with(&x, &y, &opts, &mut |e| {
            if let FitEvent::BatchEnd { loss, .. } = e {
                running.push(*loss)
            }
            ControlFlow::Continue(())
        })
        .unwrap();
    let want_running = flat(&case["running_loss_after_each_batch"]);
    assert_close(&running, &want_running, RTOL, ATOL, "running loss");
    assert_close(
        &hist.loss,
        &flat(&case["history_loss"]),
        RTOL,
        ATOL,
        "history",
    );
    let fw = weights(&case["final_weights"]);
    let got = m.get_weights();
    let mut w_ulps = 0;
    for (i, (g, w)) in got.iter().zip(&fw).enumerate() {
        assert_close(g, w, RTOL, ATOL, &format!("final weight {i}"));
        w_ulps = w_ulps.max(max_ulps(g, w));
    }
    let ev = m.evaluate(&x, &y, None).unwrap();
    let want_ev = case["evaluate"].as_f64().unwrap() as f32;
    assert_close(&[ev], &[want_ev], RTOL, ATOL, "evaluate");
    let pred = m.predict(&x, None).unwrap();
    assert_eq!(pred.dims(), &[xs[0], 1]);
    assert_close(
        pred.data(),
        &flat(&case["predict_all"]),
        RTOL,
        ATOL,
        "predict",
    );
    assert_eq!(
        m.summary().unwrap(),
        case["summary_after_fit"].as_str().unwrap()
    );

    // Per-batch losses before each update, through train_on_batch on the same batches.
    let mut b = tutorial(&xs[1..]);
    b.set_weights(&init).unwrap();
    let mut losses = Vec::new();
    let row: usize = xs[1..].iter().product();
    for _ in 0..3 {
        for start in (0..xs[0]).step_by(16) {
            let end = (start + 16).min(xs[0]);
            let mut d = xs.clone();
            d[0] = end - start;
            let xb = Tensor::from_vec(x.data()[start * row..end * row].to_vec(), &d).unwrap();
            let yb = Tensor::from_vec(y.data()[start..end].to_vec(), &[end - start, 1]).unwrap();
            losses.push(b.train_on_batch(&xb, &yb).unwrap());
        }
    }
    let want_b = flat(&case["batch_loss_before_update"]);
    assert_close(&losses, &want_b, RTOL, ATOL, "batch losses");
    assert_eq!(
        b.get_weights(),
        got,
        "fit and train_on_batch agree bit for bit"
    );
    eprintln!(
        "{case_name}: max ulp running loss {}, history {}, batch losses {}, final weights {}, \
         evaluate {}, predict {}",
        max_ulps(&running, &want_running),
        max_ulps(&hist.loss, &flat(&case["history_loss"])),
        max_ulps(&losses, &want_b),
        w_ulps,
        max_ulps(&[ev], &[want_ev]),
        max_ulps(pred.data(), &flat(&case["predict_all"])),
    );
}

#[test]
fn tutorial_time_major_layout_matches_keras() {
    run("tutorial_time_major_1x4");
}

#[test]
fn tutorial_sequence_layout_matches_keras() {
    run("tutorial_sequence_4x1");
}
