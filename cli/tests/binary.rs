//! The real `recur` binary with nn's Sequential: the tutorial's defaults, `--json`, the saved
//! model's round trip through every subcommand, damaged or foreign model files, diverging
//! training, and reproducibility across runs and thread counts.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn recur(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recur"))
        .current_dir(dir)
        .env_remove("RAYON_NUM_THREADS")
        .args(args)
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let o = recur(dir, args);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {stderr}");
    String::from_utf8(o.stdout).unwrap()
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let text = ok(dir, &a);
    assert_eq!(text.lines().count(), 1, "one JSON object: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Exit status 2, one line on stderr containing `needle`, nothing on stdout.
fn usage_error(dir: &Path, args: &[&str], needle: &str) {
    let o = recur(dir, args);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(needle),
        "{args:?}: expected '{needle}' in {stderr}"
    );
    assert!(!stderr.contains("panicked"));
    assert!(o.stdout.is_empty());
}

#[test]
fn default_train_prints_the_tutorial_report_and_writes_the_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = ok(dir.path(), &["train", "--epochs", "2"]);
    for needle in [
        "train windows (900, 1, 4), test windows (1100, 1, 4)",
        "Model: \"sequential\"",
        "simple_rnn (SimpleRNN)",
        "Total params: 1,457 (5.69 KB)",
        "Epoch 1/2\n57/57 - ",
        "Epoch 2/2\n57/57 - ",
        "last epoch loss (fit's running mean of batch losses)",
        "train score (model.evaluate on train windows, mse)",
        "test score (model.evaluate on test windows, mse)",
        "baseline test mse (mean of each window, tutorial's padded windows)",
        "test mse on observed targets (every test value, series units)",
        "persistence test mse (y[t-1], observed targets)",
        "next value (from the last 4 real values)",
        "next value, tutorial's figure (testX[-1]: last value padded)",
        "outputs in recur-out: model.recur, plot.png, predictions.csv",
    ] {
        assert!(stdout.contains(needle), "missing '{needle}' in:\n{stdout}");
    }
    assert!(
        stdout.trim_end().ends_with("predictions.csv"),
        "folder last"
    );
    let out = dir.path().join("recur-out");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["model.recur", "plot.png", "predictions.csv"]);
}

#[test]
fn json_train_and_the_saved_model_through_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let j = json(d, &["train", "--epochs", "2", "--out", "run"]);
    for key in [
        "config",
        "params",
        "history",
        "train_mse",
        "test_mse",
        "baseline_test_mse",
        "next_value",
        "next_value_tutorial",
        "fit_seconds",
        "outputs",
    ] {
        assert!(j.get(key).is_some(), "missing {key}: {j}");
    }
    assert_eq!(j["params"], 1457);
    assert_eq!(j["config"]["model"]["seed"], 0);
    assert_eq!(j["history"]["loss"].as_array().unwrap().len(), 2);
    assert!(j["fit_seconds"].as_f64().unwrap() > 0.0);
    let model = j["outputs"]["model"].as_str().unwrap().to_string();
    for f in ["model", "plot", "predictions"] {
        assert!(d.join(j["outputs"][f].as_str().unwrap()).is_file(), "{f}");
    }
    // The model file alone gives the same figures (settings are inside it).
    let e = json(d, &["evaluate", "--model", &model]);
    assert_eq!(e["test_mse"], j["test_mse"]);
    assert_eq!(e["train_mse"], j["train_mse"]);
    assert_eq!(e["baseline_test_mse"], j["baseline_test_mse"]);
    let p = json(d, &["predict", "--model", &model]);
    assert_eq!(p["next_value"], j["next_value"]);
    assert_eq!(p["next_value_tutorial"], j["next_value_tutorial"]);
    // Regenerating the series with the same settings gives the same window.
    let p2 = json(d, &["predict", "--model", &model, "--split", "900"]);
    assert_eq!(p2["next_value"], j["next_value"]);
    let w = p["window"].as_array().unwrap();
    let text: Vec<String> = w.iter().map(|v| v.to_string()).collect();
    let pw = json(
        d,
        &["predict", "--model", &model, "--window", &text.join(",")],
    );
    assert_eq!(pw["next_value"], j["next_value"]);
    let f = json(
        d,
        &[
            "forecast",
            "--model",
            &model,
            "--horizon",
            "12",
            "--out",
            "fc",
        ],
    );
    assert_eq!(f["forecast"].as_array().unwrap().len(), 12);
    assert_eq!(f["forecast"][0], j["next_value"]);
    let csv = std::fs::read_to_string(d.join("fc/forecast.csv")).unwrap();
    assert!(csv.lines().nth(1).unwrap().starts_with("1,2000,"), "{csv}");
    assert!(d.join("fc/forecast.png").is_file());
    let s = json(d, &["summary", "--model", &model]);
    assert_eq!(s["params"], 1457);
    let human = ok(d, &["summary", "--model", &model]);
    assert!(human.contains("Total params:") && human.contains("dense_1 (Dense)"));
}

#[test]
fn damaged_and_foreign_model_files_are_one_line_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &[
            "train",
            "--epochs",
            "1",
            "--n",
            "300",
            "--split",
            "200",
            "--verbose",
            "0",
        ],
    );
    let good = std::fs::read(d.join("recur-out/model.recur")).unwrap();
    std::fs::write(d.join("trunc.recur"), &good[..good.len() - 40]).unwrap();
    let mut flipped = good.clone();
    let k = flipped.len() - 9;
    flipped[k] ^= 0x10;
    std::fs::write(d.join("flip.recur"), &flipped).unwrap();
    std::fs::write(d.join("junk.recur"), b"\x00\x01binary junk").unwrap();
    std::fs::write(d.join("empty.recur"), b"").unwrap();
    for (file, needle) in [
        ("trunc.recur", "not a model file"),
        ("flip.recur", "not a model file"),
        ("junk.recur", "not a model file"),
        ("empty.recur", "not a model file"),
        ("missing.recur", "cannot read the model file"),
    ] {
        for cmd in ["evaluate", "predict", "summary"] {
            usage_error(d, &[cmd, "--model", file], needle);
        }
        usage_error(
            d,
            &["forecast", "--model", file, "--horizon", "3", "--out", "fc"],
            needle,
        );
        assert!(!d.join("fc").exists());
    }
    // A valid nn model of another architecture (Dense only, 3 outputs).
    let mut m = nn::Sequential::with_seed(1);
    m.set_input_shape(&[1, 4]).unwrap();
    m.add(nn::DenseConfig::new(3)).unwrap();
    m.compile(nn::Loss::MeanSquaredError, nn::OptimizerConfig::sgd())
        .unwrap();
    m.save(d.join("dense.recur")).unwrap();
    usage_error(
        d,
        &["predict", "--model", "dense.recur"],
        "another architecture",
    );
    // A window length the model does not take: the message names both values.
    usage_error(
        d,
        &[
            "evaluate",
            "--model",
            "recur-out/model.recur",
            "--step",
            "5",
        ],
        "--step 5 contradicts the model's window length 4",
    );
}

#[test]
fn a_diverging_fit_is_one_line_naming_epoch_and_step_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let o = recur(
        dir.path(),
        &[
            "train",
            "--optimizer",
            "sgd",
            "--lr",
            "1000",
            "--epochs",
            "2",
            "--verbose",
            "0",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for needle in ["epoch 1, step", "--learning-rate", "--clipnorm"] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    assert!(!dir.path().join("recur-out").exists(), "nothing written");
}

fn numbers(j: &Value) -> Vec<Value> {
    [
        "history",
        "train_mse",
        "test_mse",
        "train_score",
        "next_value",
        "next_value_tutorial",
    ]
    .iter()
    .map(|k| j[*k].clone())
    .collect()
}

#[test]
fn same_seed_same_numbers_and_thread_count_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "train",
        "--epochs",
        "3",
        "--verbose",
        "0",
        "--validation-split",
        "0.2",
    ];
    let run = |extra: &[&str], out: &str| {
        let mut a = args.to_vec();
        a.extend_from_slice(extra);
        a.extend_from_slice(&["--out", out]);
        json(d, &a)
    };
    let a = run(&["--seed", "5"], "a");
    let b = run(&["--seed", "5"], "b");
    assert_eq!(numbers(&a), numbers(&b));
    assert_eq!(a["history"]["val_loss"].as_array().unwrap().len(), 3);
    let t1 = run(&["--seed", "5", "--threads", "1"], "t1");
    let t2 = run(&["--seed", "5", "--threads", "2"], "t2");
    assert_eq!(t1["threads"], 1);
    assert_eq!(t2["threads"], 2);
    assert_eq!(numbers(&t1), numbers(&a));
    assert_eq!(numbers(&t2), numbers(&a));
    let other = run(&["--seed", "6"], "c");
    assert_ne!(numbers(&other), numbers(&a), "the seed matters");
}

/// The tutorial with every default: every default, 50 epochs. Checks the model learns
/// (test MSE near the mean-of-window baseline) rather than a Keras figure.
#[test]
fn full_default_run_learns_the_series() {
    let dir = tempfile::tempdir().unwrap();
    let j = json(dir.path(), &["train"]);
    assert_eq!(j["history"]["loss"].as_array().unwrap().len(), 50);
    assert_eq!(j["config"]["fit"]["epochs"], 50);
    assert_eq!(j["config"]["fit"]["batch_size"], 16);
    let test = j["test_mse"].as_f64().unwrap();
    let base = j["baseline_test_mse"].as_f64().unwrap();
    assert!(test < 1.15 * base, "test mse {test} vs baseline {base}");
    let loss = j["history"]["loss"].as_array().unwrap();
    assert!(loss[49].as_f64().unwrap() < loss[0].as_f64().unwrap());
}

#[test]
fn predict_and_forecast_need_only_the_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut text = String::from("date,open,close\n");
    for i in 0..400 {
        let v = 100.0 + 10.0 * (f64::from(i) * 0.07).sin();
        let day = jiff::civil::date(2021, 1, 1) + jiff::Span::new().days(i);
        text.push_str(&format!("{day},1,{v:.4}\n"));
    }
    std::fs::write(d.join("prices.csv"), text).unwrap();
    let j = json(
        d,
        &[
            "train",
            "--csv",
            "prices.csv",
            "--column",
            "close",
            "--time-column",
            "date",
            "--split",
            "0.75",
            "--scale",
            "standard",
            "--epochs",
            "2",
            "--verbose",
            "0",
        ],
    );
    assert_eq!(j["score_units"], "scaled");
    assert_eq!(j["shapes"]["train"], serde_json::json!([300, 1, 4]));
    // Another series is scaled with the scaler the model was trained with (saved in its
    // file), not one refitted on it: --csv and --window agree.
    let short: String = std::fs::read_to_string(d.join("prices.csv"))
        .unwrap()
        .lines()
        .take(301)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(d.join("short.csv"), &short).unwrap();
    let tail: Vec<&str> = short
        .lines()
        .skip(297)
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    let m = "recur-out/model.recur";
    let pc = json(d, &["predict", "--model", m, "--csv", "short.csv"]);
    let pw = json(d, &["predict", "--model", m, "--window", &tail.join(",")]);
    assert_eq!(pc["window"], pw["window"]);
    assert_eq!(pc["next_value"], pw["next_value"]);
    std::fs::remove_file(d.join("prices.csv")).unwrap();
    let p = json(d, &["predict", "--model", "recur-out/model.recur"]);
    assert_eq!(p["next_value"], j["next_value"]);
    assert_eq!(p["next_value_tutorial"], j["next_value_tutorial"]);
    let f = json(
        d,
        &[
            "forecast",
            "--model",
            "recur-out/model.recur",
            "--horizon",
            "3",
        ],
    );
    assert_eq!(f["forecast"][0], j["next_value"]);
    // evaluate needs the whole series: the CSV is gone, and the message says so.
    usage_error(
        d,
        &["evaluate", "--model", "recur-out/model.recur"],
        "prices.csv",
    );
}

/// `--cell lstm` and `--cell gru` in the tutorial's stack: the Keras parameter counts, and the
/// model files work with summary, predict and evaluate.
#[test]
fn lstm_and_gru_tutorial_runs_and_their_model_files() {
    let dir = tempfile::tempdir().unwrap();
    for (cell, class, params) in [("lstm", "LSTM", "5,009"), ("gru", "GRU", "3,921")] {
        let out = format!("out-{cell}");
        let stdout = ok(
            dir.path(),
            &["train", "--cell", cell, "--epochs", "2", "--out", &out],
        );
        for needle in [
            format!("({class})"),
            format!("Total params: {params} "),
            "Epoch 2/2".to_string(),
        ] {
            assert!(
                stdout.contains(&needle),
                "{cell}: no '{needle}' in:\n{stdout}"
            );
        }
        let model = format!("{out}/model.recur");
        let summary = ok(dir.path(), &["summary", "--model", &model]);
        // A saved model also counts its optimizer state in the total, as Keras does.
        assert!(
            summary.contains(&format!("Trainable params: {params} ")),
            "{summary}"
        );
        let p = json(dir.path(), &["predict", "--model", &model]);
        assert!(p["next_value"].as_f64().unwrap().is_finite(), "{p}");
        let e = json(dir.path(), &["evaluate", "--model", &model]);
        assert!(e["test_mse"].as_f64().unwrap().is_finite(), "{e}");
    }
    // The gates' activation is recorded and used.
    let r = json(
        dir.path(),
        &[
            "train",
            "--cell",
            "gru",
            "--recurrent-activation",
            "hard_sigmoid",
            "--activation",
            "tanh",
            "--units",
            "4",
            "--dense",
            "none",
            "--epochs",
            "1",
            "--out",
            "out-hard",
        ],
    );
    assert_eq!(r["config"]["model"]["recurrent_activation"], "hard_sigmoid");
    assert_eq!(r["config"]["model"]["activation"], "tanh");
    // GRU(4) on the (1, 4) windows: 3 * (4 * (4 + 4) + 2 * 4) = 120, plus Dense(1): 5.
    assert_eq!(r["params"], 125);
}

/// `--dropout` and `--recurrent-dropout` reach the recurrent layer (an LSTM over 4-step
/// sequences, whose recurrent dropout draws one mask per gate): the rates are in the run's
/// config and the saved model, training differs from a run without them, and the same seed
/// repeats it exactly on any thread count.
#[test]
fn dropout_flags_reach_the_layer_and_are_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let run = |out: &str, threads: &str, rates: bool| {
        let mut args = vec![
            "train",
            "--cell",
            "lstm",
            "--activation",
            "tanh",
            "--units",
            "8",
            "--layout",
            "sequence",
            "--epochs",
            "2",
            "--verbose",
            "0",
            "--threads",
            threads,
            "--out",
            out,
        ];
        if rates {
            args.extend(["--dropout", "0.2", "--recurrent-dropout", "0.3"]);
        }
        json(dir.path(), &args)
    };
    let a = run("a", "1", true);
    let b = run("b", "2", true);
    let plain = run("c", "1", false);
    let m = &a["config"]["model"];
    assert!((m["dropout"].as_f64().unwrap() - 0.2).abs() < 1e-6, "{m}");
    assert!(
        (m["recurrent_dropout"].as_f64().unwrap() - 0.3).abs() < 1e-6,
        "{m}"
    );
    assert!(plain["config"]["model"].get("dropout").is_none(), "{plain}");
    assert_eq!(a["history"], b["history"], "same seed, any thread count");
    assert_ne!(a["history"], plain["history"], "dropout changes training");
    let saved = std::fs::read(dir.path().join("a/model.recur")).unwrap();
    let saved = String::from_utf8_lossy(&saved);
    assert!(
        saved.contains(r#"recurrent_dropout\":0.3"#),
        "the saved layer keeps its rate"
    );
}
