//! Direct multi-step models (`train --horizon H`): per-horizon scores, forecasts in one forward
//! pass (by blocks beyond H), differencing undone per output vector, and the flag's bad values.

mod common;

use common::{json, run};

/// A trending, seasonal series: 3 + 0.5 t + 4 sin(2 pi t / 12).
fn trend_csv(dir: &std::path::Path, n: usize) -> String {
    let mut s = String::from("t,y\n");
    for t in 0..n {
        let v = 3.0 + 0.5 * t as f64 + 4.0 * (2.0 * std::f64::consts::PI * t as f64 / 12.0).sin();
        s.push_str(&format!("{t},{v:.4}\n"));
    }
    let p = dir.join("trend.csv");
    std::fs::write(&p, s).unwrap();
    p.to_str().unwrap().to_string()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn direct_model_scores_each_horizon_and_forecasts_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trend_csv(dir.path(), 150);
    let out = dir.path().join("run");
    let out = out.to_str().unwrap();
    let r = json(&[
        "train",
        "--csv",
        &csv,
        "--column",
        "y",
        "--split",
        "110",
        "--step",
        "6",
        "--no-pad",
        "--diff",
        "1",
        "--horizon",
        "3",
        "--epochs",
        "3",
        "--verbose",
        "0",
        "--out",
        out,
        "--json",
    ]);
    let by = floats(&r["test_mse_by_horizon"]);
    assert_eq!(by.len(), 3);
    assert!(by.iter().all(|v| v.is_finite() && *v >= 0.0), "{by:?}");
    // Horizon 1 of the direct model is the one-step figure.
    let one = r["test_mse_observed"].as_f64().unwrap();
    assert!(
        (by[0] - one).abs() <= 1e-9 * one.max(1.0),
        "{by:?} vs {one}"
    );
    // The direct windows drop those whose 3 targets do not all exist: 110 - 1 - 6 - 3 + 1.
    assert_eq!(r["shapes"]["train"][0], 101);
    assert_eq!(r["config"]["model"]["horizon"], 3);

    let model = format!("{out}/model.recur");
    let ev = json(&["evaluate", "--model", &model, "--json"]);
    assert_eq!(floats(&ev["test_mse_by_horizon"]), by);

    let f = |h: &str, name: &str| {
        let o = dir.path().join(name);
        json(&[
            "forecast",
            "--model",
            &model,
            "--horizon",
            h,
            "--out",
            o.to_str().unwrap(),
            "--json",
        ])
    };
    let three = f("3", "f3");
    assert_eq!(three["model_horizon"], 3);
    let three = floats(&three["forecast"]);
    // h <= H: one forward pass, so a shorter forecast is the start of the longer one.
    assert_eq!(floats(&f("2", "f2")["forecast"]), three[..2].to_vec());
    // h > H: continued by blocks of H, the first block unchanged.
    let seven = floats(&f("7", "f7")["forecast"]);
    assert_eq!(seven.len(), 7);
    assert_eq!(seven[..3].to_vec(), three);
    // predict's next value is the first output.
    let p = json(&["predict", "--model", &model, "--json"]);
    assert_eq!(p["next_value"].as_f64().unwrap(), three[0]);
}

#[test]
fn a_one_step_model_keeps_its_figures_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let out = out.to_str().unwrap();
    let r = json(&[
        "train",
        "--n",
        "300",
        "--split",
        "200",
        "--epochs",
        "1",
        "--verbose",
        "0",
        "--out",
        out,
        "--json",
    ]);
    let by = floats(&r["test_mse_by_horizon"]);
    assert_eq!(by, vec![r["test_mse_observed"].as_f64().unwrap()]);
    // The spec written for H = 1 has no horizon field: it reads as older files did.
    let (_, sum, _) = run(&["summary", "--model", &format!("{out}/model.recur")]);
    assert!(sum.contains("(None, 1)"), "{sum}");
}

#[test]
fn bad_horizons_are_one_line_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let out = out.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--horizon", "0", "--no-pad"], "--horizon"),
        (&["--horizon", "x", "--no-pad"], "--horizon"),
        (&["--horizon", "2"], "--no-pad"),
        (&["--horizon", "2", "--task", "recall"], "--horizon"),
        (&["--horizon", "150", "--no-pad"], "--horizon 150"),
    ];
    for (extra, needle) in cases {
        let mut a = vec![
            "train", "--n", "300", "--split", "200", "--epochs", "1", "--out", out,
        ];
        a.extend_from_slice(extra);
        let (code, stdout, err) = run(&a);
        assert_eq!(code, 2, "{a:?}: {stdout} {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{a:?}: {err}");
        assert!(err.contains(needle), "{a:?}: {err}");
    }
}

#[test]
fn a_spec_without_horizon_reads_as_one_and_one_is_not_written() {
    let text = r#"{"cell":"simple","units":4,"activation":"relu","dense":[],"loss":"mse",
        "optimizer":"rmsprop","learning_rate":0.001,"seed":0,"step":3,"layout":"tutorial"}"#;
    let spec: forecast::spec::ModelSpec = serde_json::from_str(text).unwrap();
    assert_eq!(spec.horizon, 1);
    let back = serde_json::to_value(&spec).unwrap();
    assert!(back.get("horizon").is_none(), "{back}");
    let mut three = spec.clone();
    three.horizon = 3;
    let v = serde_json::to_value(&three).unwrap();
    assert_eq!(v["horizon"], 3);
    let again: forecast::spec::ModelSpec = serde_json::from_value(v).unwrap();
    assert_eq!(again, three);
    assert_eq!(three.build().unwrap().output_shape(), Some(&[3][..]));
}
