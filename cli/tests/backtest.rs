//! `recur backtest`: the fold geometry on the command line, each fold's forecast equal to
//! `recur forecast` on the series cut at its origin, the baselines from the same origin, the
//! files, and the bad values of its flags.

mod common;

use common::{json, run};

fn values(n: usize) -> Vec<f64> {
    (0..n)
        .map(|t| {
            let t = t as f64;
            3.0 + 0.5 * t + 4.0 * (2.0 * std::f64::consts::PI * t / 12.0).sin()
        })
        .map(|v| (v * 1e4).round() / 1e4)
        .collect()
}

fn write_csv(dir: &std::path::Path, name: &str, v: &[f64]) -> String {
    let mut s = String::from("t,y\n");
    for (t, v) in v.iter().enumerate() {
        s.push_str(&format!("{t},{v}\n"));
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p.to_str().unwrap().to_string()
}

/// Trains a small model on `csv` into `dir/model` and returns the model file's path.
fn train(dir: &std::path::Path, csv: &str, extra: &[&str]) -> String {
    let out = dir.join("model");
    let out = out.to_str().unwrap();
    let mut args = vec![
        "train",
        "--csv",
        csv,
        "--column",
        "y",
        "--split",
        "100",
        "--step",
        "6",
        "--no-pad",
        "--scale",
        "minmax",
        "--epochs",
        "2",
        "--verbose",
        "0",
        "--out",
        out,
        "--json",
    ];
    args.extend_from_slice(extra);
    let r = json(&args);
    r["outputs"]["model"].as_str().unwrap().to_string()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn check_folds_match_forecast(extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let x = values(150);
    let csv = write_csv(dir.path(), "y.csv", &x);
    let model = train(dir.path(), &csv, extra);
    let out = dir.path().join("bt");
    let out = out.to_str().unwrap();
    let r = json(&[
        "backtest",
        "--model",
        &model,
        "--csv",
        &csv,
        "--column",
        "y",
        "--folds",
        "3",
        "--horizon",
        "4",
        "--season",
        "12",
        "--out",
        out,
        "--json",
    ]);
    let folds = r["folds"].as_array().unwrap();
    let origins: Vec<u64> = folds
        .iter()
        .map(|f| f["origin"].as_u64().unwrap())
        .collect();
    // The last 3 * 4 values in 3 consecutive blocks.
    assert_eq!(origins, vec![138, 142, 146]);
    assert!(folds.iter().all(|f| f["in_training_part"] == false));
    let text = std::fs::read_to_string(r["outputs"]["backtest"].as_str().unwrap()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "fold,origin,step,position,actual,model,persistence,seasonal_naive,window_mean"
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 12);
    for (k, &o) in origins.iter().enumerate() {
        let o = o as usize;
        // The model's forecast from this origin is `recur forecast` on the series cut there.
        let cut = write_csv(dir.path(), &format!("cut{k}.csv"), &x[..o]);
        let fo = dir.path().join(format!("f{k}"));
        let f = json(&[
            "forecast",
            "--model",
            &model,
            "--csv",
            &cut,
            "--column",
            "y",
            "--horizon",
            "4",
            "--out",
            fo.to_str().unwrap(),
            "--json",
        ]);
        let expected = floats(&f["forecast"]);
        let mut sq = [0.0; 3];
        for j in 0..4 {
            let row = &rows[k * 4 + j];
            assert_eq!(row[0] as usize, k + 1);
            assert_eq!(row[3] as usize, o + j);
            assert_eq!(row[4], x[o + j]);
            assert_eq!(row[5], expected[j], "fold {k} step {j}");
            assert_eq!(row[6], x[o - 1]);
            assert_eq!(row[7], x[o - 12 + j]);
            let mean = x[o - 6..o].iter().sum::<f64>() / 6.0;
            assert!((row[8] - mean).abs() < 1e-9);
            sq[0] += (row[5] - x[o + j]).powi(2) / 4.0;
            sq[1] += (row[6] - x[o + j]).powi(2) / 4.0;
            sq[2] += (row[7] - x[o + j]).powi(2) / 4.0;
        }
        let f = &folds[k];
        assert!((f["mse"].as_f64().unwrap() - sq[0]).abs() < 1e-9 * sq[0].max(1.0));
        assert!((f["persistence_mse"].as_f64().unwrap() - sq[1]).abs() < 1e-9 * sq[1].max(1.0));
        assert!((f["seasonal_naive_mse"].as_f64().unwrap() - sq[2]).abs() < 1e-9 * sq[2].max(1.0));
    }
    let mean_mse = folds
        .iter()
        .map(|f| f["mse"].as_f64().unwrap())
        .sum::<f64>()
        / 3.0;
    assert!((r["overall"]["mse"].as_f64().unwrap() - mean_mse).abs() < 1e-9 * mean_mse.max(1.0));
    assert_eq!(floats(&r["by_step"]["mse"]).len(), 4);
    assert!(std::path::Path::new(r["outputs"]["plot"].as_str().unwrap()).exists());
}

#[test]
fn one_step_model_folds_are_recursive_forecasts_from_each_origin() {
    check_folds_match_forecast(&[]);
}

#[test]
fn direct_model_with_differencing_folds_match_forecast() {
    check_folds_match_forecast(&["--diff", "1", "--horizon", "3"]);
}

#[test]
fn stride_in_training_part_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path(), "y.csv", &values(150));
    let model = train(dir.path(), &csv, &[]);
    let out = dir.path().join("bt");
    let out = out.to_str().unwrap();
    let (code, text, err) = run(&[
        "backtest",
        "--model",
        &model,
        "--folds",
        "5",
        "--horizon",
        "10",
        "--stride",
        "20",
        "--out",
        out,
    ]);
    assert_eq!(code, 0, "{err}");
    // Origins 150 - 10 - (5 - k) * 20: 60, 80, 100, 120, 140; the first two before T = 100.
    assert!(
        text.contains("backtest: 5 folds, horizon 10, stride 20"),
        "{text}"
    );
    assert!(text.contains("training split T = 100"), "{text}");
    assert_eq!(text.matches('*').count(), 3, "{text}");
}

#[test]
fn bad_folds_and_short_series_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path(), "y.csv", &values(150));
    let model = train(dir.path(), &csv, &[]);
    let out = dir.path().join("bt");
    let out = out.to_str().unwrap();
    for (flags, needle) in [
        (vec!["--folds", "0", "--horizon", "4"], "--folds"),
        (vec!["--folds", "2", "--horizon", "0"], "--horizon"),
        (
            vec!["--folds", "2", "--horizon", "4", "--stride", "0"],
            "--stride",
        ),
        // 7 + 4 + 35 * 4 = 151 values needed, 150 given.
        (
            vec!["--folds", "36", "--horizon", "4"],
            "the series has 150",
        ),
    ] {
        let mut args = vec!["backtest", "--model", &model, "--out", out];
        args.extend(flags.iter().copied());
        let (code, stdout, err) = run(&args);
        assert_eq!(code, 2, "{flags:?}: {err}");
        assert!(stdout.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{flags:?}: {err}");
    }
    assert_eq!(
        run(&[
            "backtest",
            "--model",
            &model,
            "--folds",
            "35",
            "--horizon",
            "4",
            "--out",
            out
        ])
        .0,
        0
    );
}

#[test]
fn refit_trains_each_fold_as_train_would_on_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let x = values(150);
    let csv = write_csv(dir.path(), "y.csv", &x);
    let model = train(dir.path(), &csv, &["--seed", "5"]);
    let bt = |name: &str| {
        let out = dir.path().join(name);
        let r = json(&[
            "backtest",
            "--model",
            &model,
            "--folds",
            "2",
            "--horizon",
            "10",
            "--refit",
            "--epochs",
            "2",
            "--batch-size",
            "8",
            "--out",
            out.to_str().unwrap(),
            "--json",
        ]);
        let text = std::fs::read_to_string(r["outputs"]["backtest"].as_str().unwrap()).unwrap();
        (r, text)
    };
    let (r, text) = bt("a");
    assert_eq!(r["refit"], true);
    assert!(
        r["folds"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["in_training_part"] == false)
    );
    // Same seed, same files.
    assert_eq!(bt("b").1, text);
    let model_column: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(5).unwrap().parse().unwrap())
        .collect();
    // Fold k is `train --split o_k --seed fold_seed(5, k)` forecasting from the cut series.
    for (k, o) in [(1usize, 130usize), (2, 140)] {
        let seed = data::fold_seed(5, k).to_string();
        let fold_dir = dir.path().join(format!("fold{k}"));
        let split = o.to_string();
        let r = json(&[
            "train",
            "--csv",
            &csv,
            "--column",
            "y",
            "--split",
            &split,
            "--step",
            "6",
            "--no-pad",
            "--scale",
            "minmax",
            "--epochs",
            "2",
            "--batch-size",
            "8",
            "--seed",
            &seed,
            "--verbose",
            "0",
            "--out",
            fold_dir.to_str().unwrap(),
            "--json",
        ]);
        let fold_model = r["outputs"]["model"].as_str().unwrap().to_string();
        let cut = write_csv(dir.path(), &format!("cut{k}.csv"), &x[..o]);
        let fo = dir.path().join(format!("f{k}"));
        let f = json(&[
            "forecast",
            "--model",
            &fold_model,
            "--csv",
            &cut,
            "--column",
            "y",
            "--split",
            "100",
            "--horizon",
            "10",
            "--out",
            fo.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(
            floats(&f["forecast"]),
            model_column[(k - 1) * 10..k * 10],
            "fold {k}"
        );
    }
    let (code, _, err) = run(&[
        "backtest",
        "--model",
        &model,
        "--folds",
        "2",
        "--horizon",
        "3",
        "--epochs",
        "2",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--refit"), "{err}");
}
