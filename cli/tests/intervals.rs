//! Split-conformal prediction intervals: `train --interval` calibrates and reports coverage,
//! `predict` and `forecast --interval` write `lo` and `hi`, and the flags' bad values.

mod common;

use common::{json, run};

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn fails(args: &[&str], needle: &str) {
    let (code, out, err) = run(args);
    assert_eq!(code, 2, "{args:?}: {out} {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err}");
}

/// The tutorial's noisy sine (uniform noise of amplitude 1), a small model, fixed seeds: the 90%
/// interval covers 87% to 93% of the observed test targets, and predict and forecast use the
/// stored residuals.
#[test]
fn the_90_percent_interval_covers_about_90_percent_of_the_test_targets() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let out = out.to_str().unwrap();
    let r = json(&[
        "train",
        "--interval",
        "0.9",
        "--units",
        "8",
        "--dense",
        "none",
        "--epochs",
        "5",
        "--verbose",
        "0",
        "--out",
        out,
        "--json",
    ]);
    let i = &r["interval"];
    let coverage = i["test_coverage"].as_f64().unwrap();
    assert!((0.87..=0.93).contains(&coverage), "coverage {coverage}");
    // 20% of the 900 training windows are held out; the fit uses the windows before them.
    assert_eq!(i["held_out"], 180);
    assert_eq!(i["horizons"], 24);
    assert_eq!(i["residuals_at_last_step"], 180 - 23);
    let half = floats(&i["half_widths"]);
    assert_eq!(half.len(), 24);
    assert_eq!(r["history"]["loss"].as_array().unwrap().len(), 5);

    // The same coverage counted independently from predictions.csv's test rows.
    let text = std::fs::read_to_string(format!("{out}/predictions.csv")).unwrap();
    let (mut inside, mut total) = (0usize, 0usize);
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if let (Ok(a), Ok(p)) = (cells[1].parse::<f64>(), cells[3].parse::<f64>()) {
            total += 1;
            inside += usize::from((a - p).abs() <= half[0]);
        }
    }
    assert_eq!(total, 1100);
    assert!((inside as f64 / total as f64 - coverage).abs() < 1e-12);

    let model = format!("{out}/model.recur");
    let p = json(&["predict", "--model", &model, "--interval", "0.9", "--json"]);
    let (lo, hi, v) = (
        p["lo"].as_f64().unwrap(),
        p["hi"].as_f64().unwrap(),
        p["next_value"].as_f64().unwrap(),
    );
    assert!((hi - v - half[0]).abs() < 1e-12 && (v - lo - half[0]).abs() < 1e-12);

    let f_out = dir.path().join("f");
    let f = json(&[
        "forecast",
        "--model",
        &model,
        "--horizon",
        "24",
        "--interval",
        "0.9",
        "--out",
        f_out.to_str().unwrap(),
        "--json",
    ]);
    let (values, lo, hi) = (floats(&f["forecast"]), floats(&f["lo"]), floats(&f["hi"]));
    for k in 0..24 {
        assert!((hi[k] - values[k] - half[k]).abs() < 1e-9, "step {k}");
        assert!((values[k] - lo[k] - half[k]).abs() < 1e-9, "step {k}");
    }
    let csv = std::fs::read_to_string(f_out.join("forecast.csv")).unwrap();
    assert!(csv.starts_with("step,index,forecast,lo,hi\n"), "{csv}");
    // A lower coverage is narrower, from the same residuals.
    let p50 = json(&["predict", "--model", &model, "--interval", "0.5", "--json"]);
    assert!(p50["hi"].as_f64().unwrap() - p50["lo"].as_f64().unwrap() < hi[0] - lo[0]);

    // Beyond the calibrated steps, above what the residuals allow, or on an uncalibrated model.
    let o = f_out.to_str().unwrap();
    fails(
        &[
            "forecast",
            "--model",
            &model,
            "--horizon",
            "25",
            "--interval",
            "0.9",
            "--out",
            o,
        ],
        "--interval-horizon",
    );
    fails(
        &[
            "forecast",
            "--model",
            &model,
            "--horizon",
            "3",
            "--interval",
            "0.999",
            "--out",
            o,
        ],
        "--interval 0.999",
    );
    fails(
        &["predict", "--model", &model, "--interval", "1"],
        "--interval",
    );
}

#[test]
fn a_direct_model_with_differencing_calibrates_its_own_steps() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("t,y\n");
    for t in 0..400 {
        let v = 0.5 * t as f64 + 4.0 * (2.0 * std::f64::consts::PI * t as f64 / 12.0).sin();
        s.push_str(&format!("{t},{v:.4}\n"));
    }
    let csv = dir.path().join("trend.csv");
    std::fs::write(&csv, s).unwrap();
    let out = dir.path().join("run");
    let r = json(&[
        "train",
        "--csv",
        csv.to_str().unwrap(),
        "--column",
        "y",
        "--split",
        "300",
        "--step",
        "12",
        "--no-pad",
        "--diff",
        "1",
        "--horizon",
        "3",
        "--interval",
        "0.8",
        "--interval-horizon",
        "6",
        "--epochs",
        "2",
        "--verbose",
        "0",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    let half = floats(&r["interval"]["half_widths"]);
    assert_eq!(half.len(), 6);
    assert!(half.iter().all(|h| h.is_finite() && *h >= 0.0), "{half:?}");
}

#[test]
fn bad_interval_flags_are_one_line_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let out = out.to_str().unwrap();
    let base = [
        "train", "--n", "300", "--split", "200", "--epochs", "1", "--out", out,
    ];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        a
    };
    fails(&with(&["--interval", "0"]), "--interval");
    fails(&with(&["--interval", "1.2"]), "--interval");
    fails(&with(&["--interval-horizon", "3"]), "--interval");
    fails(
        &with(&["--interval", "0.9", "--interval-horizon", "0"]),
        "--interval-horizon",
    );
    // 40 held-out targets leave too few residuals at step 30.
    fails(
        &with(&["--interval", "0.9", "--interval-horizon", "30"]),
        "--interval-horizon 30",
    );
    fails(
        &with(&["--interval", "0.9", "--task", "recall"]),
        "--interval",
    );
    // A model trained without --interval has no residuals.
    json(&[
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
    fails(
        &[
            "predict",
            "--model",
            &format!("{out}/model.recur"),
            "--interval",
            "0.9",
        ],
        "train it with --interval",
    );
}
