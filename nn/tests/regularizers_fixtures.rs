//! Regularizer penalties and gradients against `regularizers.json`, and the string identifiers.
//! Of the three `*_fit1` cases, the penalty terms are checked here (weight penalties on the
//! initial weights, the activity penalty on the recorded layer output); the losses, gradients
//! and steps need layers and a model and are checked where those live.

mod common;

use common::{assert_close, flat, load};
use nn::Regularizer;

fn from_case(kind: &str, args: &serde_json::Value) -> Regularizer {
    let a = |k: &str| args[k].as_f64().unwrap();
    match kind {
        "L1" => Regularizer::L1 { l1: a("l1") },
        "L2" => Regularizer::L2 { l2: a("l2") },
        "L1L2" => Regularizer::L1l2 {
            l1: a("l1"),
            l2: a("l2"),
        },
        other => panic!("unexpected regularizer {other}"),
    }
}

#[test]
fn penalties_and_gradients_match_keras() {
    let fx = load("regularizers");
    for name in ["L1_0.01", "L2_0.01", "L1L2_0.01_0.02"] {
        let case = &fx["cases"][name];
        let r = from_case(case["regularizer"].as_str().unwrap(), &case["args"]);
        r.validate().unwrap();
        let w = flat(&case["w"]);
        let value = r.penalty(&w);
        let want = case["value"].as_f64().unwrap() as f32;
        assert_close(&[value], &[want], 1e-5, 1e-6, name);
        // TF sums with SIMD lanes, recur in order: the penalty may differ in the last bit.
        assert!(common::ulps(value, want) <= 1, "{name}: {value} vs {want}");
        let mut grad = vec![0.5f32; w.len()];
        r.add_gradient(&w, &mut grad).unwrap();
        let want_grad: Vec<f32> = flat(&case["grad_w"]).iter().map(|g| g + 0.5).collect();
        assert_close(&grad, &want_grad, 1e-5, 1e-6, name);
        // The exact 0 at w[1][2] gets a zero L1 gradient.
        let mut g0 = vec![0.0f32; w.len()];
        r.add_gradient(&w, &mut g0).unwrap();
        assert_eq!(w[5], 0.0);
        assert_eq!(g0[5], 0.0, "{name}");
        assert_close(&g0, &flat(&case["grad_w"]), 1e-5, 1e-6, name);
        assert_eq!(
            common::max_ulps(&g0, &flat(&case["grad_w"])),
            0,
            "{name}: gradient bits"
        );
    }
}

#[test]
fn string_identifiers_match_keras_except_documented_l1_l2() {
    let fx = load("regularizers");
    let ids = &fx["cases"]["string_identifiers"]["identifiers"];
    let w = flat(&fx["cases"]["L1_0.01"]["w"]);
    for key in ["l1", "l2", "l1l2", "L1", "L2", "L1L2"] {
        let r = Regularizer::from_name(key).unwrap();
        let id = &ids[key];
        let want = from_case(id["class"].as_str().unwrap(), &id["get_config"]);
        // L1's config reports the f32 value of 0.01; compare at f32.
        assert_close(&[r.penalty(&w)], &[want.penalty(&w)], 0.0, 0.0, key);
        let v = id["value_on_w"].as_f64().unwrap() as f32;
        assert_close(&[r.penalty(&w)], &[v], 1e-5, 1e-6, key);
    }
    // Keras 3.15 raises on "l1_l2"; recur honours the docstring: L1L2(0.01, 0.01).
    assert!(
        ids["l1_l2"]["error"]
            .as_str()
            .unwrap()
            .contains("ValueError")
    );
    assert_eq!(
        Regularizer::from_name("l1_l2").unwrap(),
        Regularizer::L1l2 { l1: 0.01, l2: 0.01 }
    );
    let err = Regularizer::from_name("l3").unwrap_err().to_string();
    assert!(err.contains("unknown regularizer 'l3'"), "{err}");
}

#[test]
fn validation_and_serde() {
    let err = Regularizer::L2 { l2: -0.1 }
        .validate()
        .unwrap_err()
        .to_string();
    assert!(err.contains("l2=-0.1"), "{err}");
    assert!(Regularizer::L1 { l1: f64::NAN }.validate().is_err());
    let r = Regularizer::L1l2 { l1: 0.01, l2: 0.02 };
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(json, r#"{"name":"l1l2","l1":0.01,"l2":0.02}"#);
    assert_eq!(serde_json::from_str::<Regularizer>(&json).unwrap(), r);
    // Length mismatch is an error, not a panic.
    assert!(r.add_gradient(&[1.0, 2.0], &mut [0.0]).is_err());
}

/// The penalty terms of the `*_fit1` cases, from the recorded weights and outputs.
#[test]
fn fit_case_penalty_terms_match_keras() {
    let fx = load("regularizers");
    let kernel_l2 = Regularizer::L2 { l2: 0.1 };
    let bias_l1 = Regularizer::L1 { l1: 0.05 };
    let recurrent_l1 = Regularizer::L1 { l1: 0.05 };
    for name in [
        "dense_kernel_l2_bias_l1_fit1",
        "dense_activity_l2_fit1",
        "simple_rnn_kernel_l2_recurrent_l1_fit1",
    ] {
        let case = &fx["cases"][name];
        let weights = case["initial_weights"].as_array().unwrap();
        let pen = &case["weight_penalties_before"];
        for w in weights {
            let wname = w["name"].as_str().unwrap();
            let Some(want) = pen[wname].as_f64() else {
                continue;
            };
            let r = match wname {
                "kernel" => &kernel_l2,
                "bias" => &bias_l1,
                "recurrent_kernel" => &recurrent_l1,
                other => panic!("{other}"),
            };
            let got = r.penalty(&flat(&w["value"]));
            assert!(
                common::ulps(got, want as f32) <= 1,
                "{name}/{wname}: {got} vs {want}"
            );
        }
        if let Some(act) = case.get("activity_penalty_before") {
            let out = flat(&case["y_pred_before"]);
            let b = act["batch_size"].as_u64().unwrap() as usize;
            let act_l2 = Regularizer::L2 { l2: 0.1 };
            let raw = act_l2.penalty(&out);
            let want_raw = act["regularizer_on_output"].as_f64().unwrap() as f32;
            assert!(
                common::ulps(raw, want_raw) <= 1,
                "{name}: {raw} vs {want_raw}"
            );
            let got = act_l2.activity_penalty(&out, b).unwrap();
            let want = act["added_to_loss"].as_f64().unwrap() as f32;
            assert!(common::ulps(got, want) <= 1, "{name}: {got} vs {want}");
            let mut g = vec![0.0; out.len()];
            act_l2.add_activity_gradient(&out, b, &mut g).unwrap();
            assert!((g[0] - 0.1 * 2.0 * out[0] / 5.0).abs() < 1e-7);
            assert!(act_l2.activity_penalty(&out, 4).is_err());
        }
    }
}
