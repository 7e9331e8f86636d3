//! Every optimizer case of `optimizers.json` (Keras 3.15 `apply_gradients`, 5 steps) replayed
//! and compared bit for bit: weights after each step, final slots, iteration count.

mod common;

use common::{flat, load, max_ulps};
use nn::{Optimizer, OptimizerConfig, ParamTensor};
use serde_json::Value;

/// Cases skipped on purpose (none: every Keras optimizer in the file is implemented).
const SKIPPED: &[&str] = &[];

/// Builds our config from the Keras class name and constructor arguments.
fn config_for(optimizer: &str, args: &serde_json::Map<String, Value>) -> OptimizerConfig {
    let mut cfg = OptimizerConfig::from_name(optimizer).unwrap();
    let mut algo = serde_json::to_value(&cfg.algorithm).unwrap();
    for (k, v) in args {
        let f = v.as_f64();
        match k.as_str() {
            "learning_rate" => cfg.learning_rate = f.unwrap(),
            "weight_decay" => cfg.weight_decay = f,
            "clipnorm" => cfg.clipnorm = f,
            "clipvalue" => cfg.clipvalue = f,
            "global_clipnorm" => cfg.global_clipnorm = f,
            other => {
                assert!(algo.get(other).is_some(), "unknown argument {other}");
                algo[other] = v.clone();
            }
        }
    }
    cfg.algorithm = serde_json::from_value(algo).unwrap();
    cfg
}

fn run_case(name: &str, case: &Value) -> u64 {
    let args = case["args"].as_object().unwrap();
    let cfg = config_for(case["optimizer"].as_str().unwrap(), args);
    let mut opt = Optimizer::new(cfg).unwrap();
    // The learning rate Keras reports is the f32 variable.
    assert_eq!(
        opt.learning_rate(),
        case["get_config"]["learning_rate"].as_f64().unwrap() as f32,
        "{name}: learning rate"
    );
    let mut params: Vec<ParamTensor> = case["initial"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let d = flat(v);
            ParamTensor::new(&[d.len()], d).unwrap()
        })
        .collect();
    let mut worst = 0;
    for (step, (grads, after)) in case["grads"]
        .as_array()
        .unwrap()
        .iter()
        .zip(case["after_step"].as_array().unwrap())
        .enumerate()
    {
        let g: Vec<Vec<f32>> = grads.as_array().unwrap().iter().map(flat).collect();
        let gr: Vec<&[f32]> = g.iter().map(Vec::as_slice).collect();
        opt.apply_gradients(&mut params, &gr, &[]).unwrap();
        for (p, want) in params.iter().zip(after.as_array().unwrap()) {
            let u = max_ulps(&p.data, &flat(want));
            assert!(
                u == 0,
                "{name}: step {step}: {u} ulps\n got {:?}\nwant {want}",
                p.data
            );
            worst = worst.max(u);
        }
    }
    assert_eq!(
        opt.iterations(),
        case["iterations"].as_u64().unwrap(),
        "{name}"
    );
    // Final slots, in Keras's order (parameter by parameter, slots in order).
    let state = opt.export_state();
    let keras_slots: Vec<&Value> = case["final_optimizer_variables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| {
            !matches!(
                v["name"].as_str(),
                Some("iteration" | "learning_rate" | "variable")
            )
        })
        .collect();
    // Nadam's u_product is an unnamed scalar `variable` in Keras.
    let keras_globals: Vec<f32> = case["final_optimizer_variables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["name"] == "variable")
        .map(|v| v["value"].as_f64().unwrap() as f32)
        .collect();
    let ours: Vec<f32> = state.globals.iter().map(|g| g.data[0]).collect();
    assert_eq!(
        max_ulps(&ours, &keras_globals),
        0,
        "{name}: optimizer-wide variables"
    );
    assert_eq!(state.slots.len(), keras_slots.len(), "{name}: slot count");
    for (ours, theirs) in state.slots.iter().zip(keras_slots) {
        // Keras names slots `<variable>_<slot>`; ours are `Variable_<i>/<slot>`.
        let keras_name = theirs["name"].as_str().unwrap();
        let slot = ours.name.rsplit('/').next().unwrap();
        assert!(
            keras_name.ends_with(&format!("_{slot}")),
            "{name}: {keras_name} vs {slot}"
        );
        let u = max_ulps(&ours.data, &flat(&theirs["value"]));
        assert!(u == 0, "{name}: slot {} off by {u} ulps", ours.name);
        worst = worst.max(u);
    }
    assert_eq!(
        opt.variable_count(),
        2 + state.slots.iter().map(|s| s.data.len()).sum::<usize>()
    );
    worst
}

#[test]
fn every_optimizer_case_matches_keras_bit_for_bit() {
    let fx = load("optimizers");
    let mut report = Vec::new();
    for (name, case) in fx["cases"].as_object().unwrap() {
        if SKIPPED.contains(&name.as_str()) {
            continue;
        }
        let worst = run_case(name, case);
        report.push(format!("{name}: {worst} ulp"));
    }
    eprintln!("{}", report.join("\n"));
    assert_eq!(
        report.len(),
        fx["cases"].as_object().unwrap().len() - SKIPPED.len()
    );
}
