//! Keras's regression metrics against fixtures/keras/metrics.json (made by real Keras 3.15.1,
//! JAX backend): each metric's state over two batches, the key each spelling is logged under,
//! a 2-epoch fit with seven metrics and validation data (history keys and values, per-batch
//! logs, verbose-2 lines, evaluate's dict and list, final weights) and EarlyStopping on
//! `val_mae` in mode auto.

mod common;

use std::ops::ControlFlow;

use common::{assert_close, flat, load, shape};
use nn::batching::Shuffle;
use nn::callbacks::EarlyStoppingConfig;
use nn::metrics::MetricState;
use nn::model::{ConsoleProgress, FitEvent, FitOptions, Validation};
use nn::{DenseConfig, Loss, Metric, MetricSpec, OptimizerConfig, Sequential, Tensor};
use serde_json::Value;

/// One update is one op; the fit results are a few steps (fixtures/keras/README.md).
const RTOL_OP: f32 = 1e-5;
const RTOL_FIT: f32 = 1e-4;
const ATOL: f32 = 1e-6;

fn metric_of(class: &str) -> Metric {
    Metric::from_keras_name(class).unwrap()
}

#[test]
fn metric_states_match_keras() {
    let doc = load("metrics");
    let cases = doc["update_cases"].as_object().unwrap();
    assert_eq!(cases.len(), 24);
    for (name, case) in cases {
        let metric = metric_of(case["metric"].as_str().unwrap());
        let (td, pd) = (shape(&case["y_true_shape"]), shape(&case["y_pred_shape"]));
        let mut st = MetricState::new();
        for b in case["batches"].as_array().unwrap() {
            st.update(metric, &flat(&b["y_true"]), &td, &flat(&b["y_pred"]), &pd)
                .unwrap();
            let want = b["result"].as_f64().unwrap() as f32;
            assert_close(&[st.result(metric)], &[want], RTOL_OP, ATOL, name);
        }
        if let Some(c) = case["count"].as_f64() {
            assert_eq!(st.count, c as f32, "{name}");
            let t = case["total"].as_f64().unwrap() as f32;
            assert_close(&[st.total], &[t], RTOL_OP, ATOL, name);
        }
    }
}

#[test]
fn each_spelling_is_logged_as_keras_logs_it() {
    let doc = load("metrics");
    let names = &doc["names"];
    for (spelling, v) in names["strings"].as_object().unwrap() {
        let spec = MetricSpec::from_keras_name(spelling).unwrap();
        assert_eq!(spec.metric.class_name(), v["class"].as_str().unwrap());
        assert_eq!(spec.name, v["key"].as_str().unwrap());
    }
    for (class, key) in names["objects"].as_object().unwrap() {
        assert_eq!(
            MetricSpec::object(metric_of(class)).name,
            key.as_str().unwrap()
        );
    }
    for s in names["rejected"].as_array().unwrap() {
        let s = s.as_str().unwrap();
        let e = MetricSpec::from_keras_name(s).unwrap_err().to_string();
        assert!(
            e.contains(&format!("unknown metric '{s}'")) && e.contains("mae"),
            "{e}"
        );
    }
    let dup: Vec<MetricSpec> = names["duplicates"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| MetricSpec::from_keras_name(s.as_str().unwrap()).unwrap())
        .collect();
    let mut m = dense_model(&[0.0; 3], 0.0);
    m.compile_with_metrics(Loss::MeanSquaredError, OptimizerConfig::sgd(), dup)
        .unwrap();
    let x = Tensor::from_vec(vec![0.0; 6], &[2, 3]).unwrap();
    let y = Tensor::from_vec(vec![0.0; 2], &[2, 1]).unwrap();
    let ev = m.evaluate_with_metrics(&x, &y, None).unwrap();
    let want: Vec<&str> = names["duplicates"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(ev.names, want);
}

fn dense_model(kernel: &[f32], bias: f32) -> Sequential {
    let mut m = Sequential::with_seed(1);
    m.set_input_shape(&[3]).unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.set_weights(&[kernel.to_vec(), vec![bias]]).unwrap();
    m
}

fn fit_specs() -> Vec<MetricSpec> {
    vec![
        MetricSpec::from_keras_name("mae").unwrap(),
        MetricSpec::from_keras_name("mse").unwrap(),
        MetricSpec::object(Metric::RootMeanSquaredError),
        MetricSpec::from_keras_name("mape").unwrap(),
        MetricSpec::from_keras_name("msle").unwrap(),
        MetricSpec::object(Metric::LogCoshError),
        MetricSpec::named(Metric::MeanAbsoluteError, "zeta").unwrap(),
    ]
}

fn sgd(lr: f64) -> OptimizerConfig {
    let mut c = OptimizerConfig::sgd();
    c.learning_rate = lr;
    c
}

fn tensor(v: &Value, dims: &[usize]) -> Tensor {
    Tensor::from_vec(flat(v), dims).unwrap()
}

#[test]
fn fit_with_metrics_matches_keras() {
    let doc = load("metrics");
    let f = &doc["fit"];
    let x = tensor(&f["x"], &[10, 3]);
    let y = tensor(&f["y"], &[10]);
    let vx = tensor(&f["val_x"], &[6, 3]);
    let vy = tensor(&f["val_y"], &[6]);
    let mut m = dense_model(&flat(&f["kernel"]), flat(&f["bias"])[0]);
    m.compile_with_metrics(Loss::MeanSquaredError, sgd(0.1), fit_specs())
        .unwrap();
    let opts = FitOptions {
        epochs: 2,
        batch_size: 4,
        shuffle: Shuffle::Off,
        validation: Validation::Data(vx.clone(), vy.clone()),
        ..FitOptions::default()
    };
    let mut con = ConsoleProgress::new(2, Vec::new());
    let mut batch_logs: Vec<Vec<(String, f32)>> = Vec::new();
    let h = m
        .fit_with(&x, &y, &opts, &mut |e| {
            if let FitEvent::BatchEnd { logs, .. } = e {
                batch_logs.push(logs.iter().map(|(k, v)| (k.to_string(), v)).collect());
            }
            con.handle(e);
            ControlFlow::Continue(())
        })
        .unwrap();

    // History: Keras's keys in Keras's order, and its values.
    let want_keys: Vec<&str> = f["history_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let got_keys: Vec<&str> = h.entries().iter().map(|(k, _)| *k).collect();
    assert_eq!(got_keys, want_keys);
    for (k, v) in h.entries() {
        assert_close(v, &flat(&f["history"][k]), RTOL_FIT, ATOL, k);
    }
    let json: Value = serde_json::from_str(&serde_json::to_string(&h).unwrap()).unwrap();
    let json_keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = want_keys.clone();
    sorted.sort();
    assert_eq!(json_keys, sorted); // serde_json's map is sorted; the text order is checked below
    let text = serde_json::to_string(&h).unwrap();
    let positions: Vec<usize> = want_keys
        .iter()
        .map(|k| text.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");

    // Per-batch logs.
    let want_batches = f["batch_logs"].as_array().unwrap();
    assert_eq!(batch_logs.len(), want_batches.len());
    for (got, want) in batch_logs.iter().zip(want_batches) {
        let want = want.as_object().unwrap();
        let names: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        let want_names: Vec<&str> = want.keys().map(String::as_str).collect();
        let mut want_sorted = want_names.clone();
        want_sorted.sort();
        assert_eq!(names, want_sorted);
        for (k, v) in got {
            let w = want[k].as_f64().unwrap() as f32;
            assert_close(&[*v], &[w], RTOL_FIT, ATOL, k);
        }
    }

    // Verbose-2 lines, times aside.
    let out = String::from_utf8(con.into_inner()).unwrap();
    let got_lines: Vec<String> = out.lines().map(normalize_times).collect();
    let want_lines: Vec<String> = f["verbose2_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    assert_eq!(got_lines.len(), want_lines.len(), "{out}");
    for (g, w) in got_lines.iter().zip(&want_lines) {
        assert_eq!(g, w);
    }

    // evaluate(return_dict=True) and the list form.
    let ev = m.evaluate_with_metrics(&vx, &vy, Some(4)).unwrap();
    let want_dict = f["evaluate_dict"].as_object().unwrap();
    let want_keys: Vec<&str> = f["evaluate_dict_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(ev.names, want_keys);
    for (k, v) in ev.logs().iter() {
        let w = want_dict[k].as_f64().unwrap() as f32;
        assert_close(&[v], &[w], RTOL_FIT, ATOL, k);
    }
    assert_close(&ev.list, &flat(&f["evaluate_list"]), RTOL_FIT, ATOL, "list");
    assert_eq!(ev.loss(), m.evaluate(&vx, &vy, Some(4)).unwrap());
    let w = m.get_weights();
    assert_close(&w[0], &flat(&f["kernel_after"]), RTOL_FIT, ATOL, "kernel");
    assert_close(&w[1], &flat(&f["bias_after"]), RTOL_FIT, ATOL, "bias");
}

/// Keras's verbose-2 line with `<T>` for the elapsed time and the time per step.
fn normalize_times(line: &str) -> String {
    let Some((counter, rest)) = line.split_once(" - ") else {
        return line.to_string();
    };
    let mut parts = rest.splitn(3, " - ");
    let (Some(elapsed), Some(per), Some(tail)) = (parts.next(), parts.next(), parts.next()) else {
        return line.to_string();
    };
    assert!(elapsed.ends_with('s') && per.ends_with("/step"), "{line}");
    format!("{counter} - <T>s - <T>/step - {tail}")
}

#[test]
fn early_stopping_on_val_mae_matches_keras() {
    let doc = load("metrics");
    let f = &doc["fit"];
    let e = &doc["early_stopping"];
    let x = tensor(&f["x"], &[10, 3]);
    let y = tensor(&f["y"], &[10]);
    let vx = tensor(&f["val_x"], &[6, 3]);
    let vy = tensor(&e["val_y"], &[6]);
    let mut m = dense_model(&flat(&f["kernel"]), flat(&f["bias"])[0]);
    let mae = vec![MetricSpec::from_keras_name("mae").unwrap()];
    m.compile_with_metrics(Loss::MeanSquaredError, sgd(0.1), mae)
        .unwrap();
    let opts = FitOptions {
        epochs: 20,
        batch_size: 4,
        shuffle: Shuffle::Off,
        validation: Validation::Data(vx, vy),
        early_stopping: Some(EarlyStoppingConfig {
            monitor: "val_mae".to_string(),
            patience: 1,
            ..EarlyStoppingConfig::default()
        }),
        ..FitOptions::default()
    };
    let h = m.fit(&x, &y, &opts).unwrap();
    assert_eq!(h.epochs() as u64, e["epochs_run"].as_u64().unwrap());
    for (k, v) in h.entries() {
        assert_close(v, &flat(&e["history"][k]), RTOL_FIT, ATOL, k);
    }
    // Without the metric, val_mae is not logged; an unknown name needs an explicit mode.
    let mut plain = dense_model(&flat(&f["kernel"]), 0.0);
    plain.compile(Loss::MeanSquaredError, sgd(0.1)).unwrap();
    let err = plain.fit(&x, &y, &opts).unwrap_err().to_string();
    assert!(err.contains("monitor") && err.contains("val_mae"), "{err}");
    let mut mode_min = opts.clone();
    if let Some(c) = mode_min.early_stopping.as_mut() {
        c.mode = nn::callbacks::MonitorMode::Min;
    }
    let err = plain.fit(&x, &y, &mode_min).unwrap_err().to_string();
    assert!(err.contains("logged quantities [loss, val_loss]"), "{err}");
}
