//! The one-step `fit` cases of regularizers.json (weight and activity penalties in the reported
//! loss, the gradient and evaluate) and the constrained training case of constraints.json,
//! through `Sequential` (single-op tolerance, rtol 1e-5).

mod common;

use autograd::Loss;
use common::{assert_close, flat, load, shape};
use nn::batching::Shuffle;
use nn::model::FitOptions;
use nn::{
    Axis, Constraint, DenseConfig, LayerConfig, OptimizerConfig, Regularizer, Sequential,
    SimpleRnnConfig, Tensor,
};
use serde_json::Value;

const RTOL: f32 = 1e-5;
const ATOL: f32 = 1e-6;

fn reg(v: &Value) -> Option<Regularizer> {
    if v.is_null() {
        return None;
    }
    let c = &v["config"];
    Some(match v["class_name"].as_str().unwrap() {
        "L1" => Regularizer::L1 {
            l1: c["l1"].as_f64().unwrap(),
        },
        "L2" => Regularizer::L2 {
            l2: c["l2"].as_f64().unwrap(),
        },
        other => panic!("{other}"),
    })
}

fn weights(v: &Value) -> Vec<Vec<f32>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|w| flat(&w["value"]))
        .collect()
}

fn tensors(case: &Value) -> (Tensor, Tensor, Vec<usize>) {
    let xs = shape(&case["x_shape"]);
    let x = Tensor::from_vec(flat(&case["x"]), &xs).unwrap();
    let y = Tensor::from_vec(flat(&case["y"]), &shape(&case["y_shape"])).unwrap();
    (x, y, xs)
}

fn one_step(name: &str, layer: LayerConfig) {
    let case = &load("regularizers")["cases"][name];
    let (x, y, xs) = tensors(case);
    let mut m = Sequential::new();
    m.set_input_shape(&xs[1..]).unwrap();
    m.add(layer).unwrap();
    m.compile(
        Loss::MeanSquaredError,
        OptimizerConfig::sgd().with_learning_rate(0.1),
    )
    .unwrap();
    m.set_weights(&weights(&case["initial_weights"])).unwrap();
    let before = m.evaluate(&x, &y, None).unwrap();
    let reported = case["reported_loss"].as_f64().unwrap() as f32;
    assert_close(
        &[before],
        &[reported],
        RTOL,
        ATOL,
        &format!("{name} evaluate before"),
    );
    let opts = FitOptions {
        epochs: 1,
        batch_size: xs[0],
        shuffle: Shuffle::Off,
        ..FitOptions::default()
    };
    let h = m.fit(&x, &y, &opts).unwrap();
    assert_close(
        &h.loss,
        &[reported],
        RTOL,
        ATOL,
        &format!("{name} reported loss"),
    );
    for (i, (g, w)) in m
        .get_weights()
        .iter()
        .zip(weights(&case["weights_after_step"]))
        .enumerate()
    {
        assert_close(g, &w, RTOL, ATOL, &format!("{name} weight {i} after step"));
    }
    let after = m.evaluate(&x, &y, None).unwrap();
    let want = case["evaluate_after_step"].as_f64().unwrap() as f32;
    assert_close(
        &[after],
        &[want],
        RTOL,
        ATOL,
        &format!("{name} evaluate after"),
    );
}

fn dense_cfg(case: &str) -> DenseConfig {
    let lc = &load("regularizers")["cases"][case]["layer_config"];
    let mut c = DenseConfig::new(3);
    c.kernel_regularizer = reg(&lc["kernel_regularizer"]);
    c.bias_regularizer = reg(&lc["bias_regularizer"]);
    c.activity_regularizer = reg(&lc["activity_regularizer"]);
    c
}

#[test]
fn dense_weight_penalties_enter_the_loss_once_per_step() {
    let c = dense_cfg("dense_kernel_l2_bias_l1_fit1");
    assert!(c.kernel_regularizer.is_some() && c.bias_regularizer.is_some());
    one_step("dense_kernel_l2_bias_l1_fit1", c.into());
}

#[test]
fn dense_activity_penalty_is_divided_by_the_batch_size() {
    let c = dense_cfg("dense_activity_l2_fit1");
    assert!(c.activity_regularizer.is_some());
    one_step("dense_activity_l2_fit1", c.into());
}

#[test]
fn simple_rnn_penalties_are_not_per_timestep() {
    let name = "simple_rnn_kernel_l2_recurrent_l1_fit1";
    let lc = &load("regularizers")["cases"][name]["layer_config"];
    let mut c = SimpleRnnConfig::new(3);
    c.kernel_regularizer = reg(&lc["kernel_regularizer"]);
    c.recurrent_regularizer = reg(&lc["recurrent_regularizer"]);
    one_step(name, c.into());
}

#[test]
fn max_norm_is_applied_after_every_update() {
    let case = &load("constraints")["cases"]["dense_maxnorm0.3_sgd0.5"];
    let (x, y, xs) = tensors(case);
    let mut c = DenseConfig::new(3);
    c.kernel_constraint = Some(Constraint::MaxNorm {
        max_value: 0.3,
        axis: Axis::One(0),
    });
    let mut m = Sequential::new();
    m.set_input_shape(&xs[1..]).unwrap();
    m.add(c).unwrap();
    m.compile(
        Loss::MeanSquaredError,
        OptimizerConfig::sgd().with_learning_rate(0.5),
    )
    .unwrap();
    m.set_weights(&weights(&case["initial_weights"])).unwrap();
    let opts = FitOptions {
        epochs: 1,
        batch_size: xs[0],
        shuffle: Shuffle::Off,
        ..FitOptions::default()
    };
    for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
        let h = m.fit(&x, &y, &opts).unwrap();
        let want = step["reported_loss"].as_f64().unwrap() as f32;
        assert_close(&h.loss, &[want], RTOL, ATOL, &format!("step {i} loss"));
        let got = m.get_weights();
        let want_w: Vec<Vec<f32>> = step["weights_after_step"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                flat(if w.get("value").is_some() {
                    &w["value"]
                } else {
                    w
                })
            })
            .collect();
        for (j, (g, w)) in got.iter().zip(&want_w).enumerate() {
            assert_close(g, w, RTOL, ATOL, &format!("step {i} weight {j}"));
        }
    }
}
