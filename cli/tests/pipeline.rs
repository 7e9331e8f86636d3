//! The CLI's pipeline end to end, in-process, on nn's real Sequential: outputs, JSON keys,
//! reuse of the output folder, and the subcommands that load a model file.

mod common;

use std::fs;
use std::path::Path;

use common::run;
use serde_json::Value;

fn train_json(out: &Path, extra: &[&str]) -> Value {
    let out_s = out.to_str().unwrap();
    let mut args = vec![
        "train",
        "--epochs",
        "2",
        "--json",
        "--verbose",
        "0",
        "--out",
        out_s,
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "stderr: {stderr}");
    serde_json::from_str(&stdout).expect("one JSON object on stdout")
}

#[test]
fn train_writes_every_output_and_reports_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let j = train_json(&out, &[]);
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
        assert!(j.get(key).is_some(), "missing key {key} in {j}");
    }
    assert_eq!(j["history"]["loss"].as_array().unwrap().len(), 2);
    assert!(j["history"].get("val_loss").is_none());
    assert_eq!(j["shapes"]["train"], serde_json::json!([900, 1, 4]));
    assert_eq!(j["shapes"]["test"], serde_json::json!([1100, 1, 4]));
    assert_eq!(j["config"]["model"]["learning_rate"], 0.001);
    assert_eq!(j["config"]["model"]["optimizer"], "rmsprop");
    // Two epochs of the tutorial's model: near the mean-of-window baseline already.
    let test = j["test_mse"].as_f64().unwrap();
    let base = j["baseline_test_mse"].as_f64().unwrap();
    assert!((0.09..0.2).contains(&test), "test mse {test}");
    assert!((0.105..0.125).contains(&base), "baseline {base}");
    assert!(
        j["outputs"].get("settings").is_none(),
        "settings live in the model file"
    );
    assert!(!out.join("model.recur.json").exists());
    for f in ["model", "plot", "predictions"] {
        let p = j["outputs"][f].as_str().unwrap();
        assert!(Path::new(p).is_file(), "{f}: {p}");
    }
    let png = fs::read(out.join("plot.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let csv = fs::read_to_string(out.join("predictions.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2001);
    assert!(csv.starts_with("index,actual,train_prediction,test_prediction\n"));
    let names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".tmp")), "{names:?}");
}

#[test]
fn an_existing_output_folder_is_reused_and_files_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("predictions.csv"), "old").unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let j = train_json(&out, &["--plot-format", "svg", "--validation-split", "0.2"]);
    assert!(
        fs::read_to_string(out.join("predictions.csv"))
            .unwrap()
            .starts_with("index,")
    );
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    assert!(
        fs::read_to_string(out.join("plot.svg"))
            .unwrap()
            .contains("<svg")
    );
    assert_eq!(j["history"]["val_loss"].as_array().unwrap().len(), 2);
}

#[test]
fn human_output_labels_train_score_and_epoch_loss_apart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let (code, stdout, stderr) = run(&["train", "--epochs", "3", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("train windows (900, 1, 4), test windows (1100, 1, 4)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Epoch 1/3") && stdout.contains("Epoch 3/3"),
        "{stdout}"
    );
    assert!(stdout.contains("57/57 - "), "{stdout}");
    assert!(
        stdout.contains("fit's running mean of batch losses"),
        "{stdout}"
    );
    assert!(
        stdout.contains("train score (model.evaluate on train windows"),
        "{stdout}"
    );
    assert!(stdout.contains("tutorial's figure (testX[-1]"), "{stdout}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn csv_series_with_time_column_and_scaling() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    let mut text = String::from("date,value\n");
    for i in 0..300 {
        let day = jiff::civil::date(2020, 1, 1) + jiff::Span::new().days(i);
        text.push_str(&format!("{day},{}\n", (i as f64 * 0.1).sin() * 10.0 + 50.0));
    }
    fs::write(&csv, text).unwrap();
    let out = dir.path().join("run");
    let j = train_json(
        &out,
        &[
            "--csv",
            csv.to_str().unwrap(),
            "--time-column",
            "date",
            "--split",
            "0.7",
            "--scale",
            "minmax",
            "--layout",
            "sequence",
        ],
    );
    assert_eq!(j["shapes"]["train"], serde_json::json!([210, 4, 1]));
    let next = j["next_value"].as_f64().unwrap();
    assert!(
        (35.0..65.0).contains(&next),
        "next value in series units: {next}"
    );
    let pred = fs::read_to_string(out.join("predictions.csv")).unwrap();
    assert!(pred.starts_with("index,date,actual,train_prediction,test_prediction\n"));
    assert!(pred.lines().nth(1).unwrap().starts_with("0,2020-01-01,50,"));
}

#[test]
fn a_short_csv_without_split_says_what_to_pass() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    fs::write(&csv, (0..100).map(|i| format!("{i}\n")).collect::<String>()).unwrap();
    let out = dir.path().join("run");
    let (code, _, stderr) = run(&[
        "train",
        "--csv",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--split"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
    assert!(!out.exists());
}

#[test]
fn saved_model_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let j = train_json(&out, &["--split", "1000"]);
    let model = out.join("model.recur");
    let m = model.to_str().unwrap();

    let (code, stdout, stderr) = run(&["evaluate", "--model", m, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let e: Value = serde_json::from_str(&stdout).unwrap();
    // Same windows as at training time (the saved settings give T = 1000).
    assert_eq!(e["test_mse"], j["test_mse"]);
    assert_eq!(e["config"]["windows"]["split"], 1000);

    let (code, stdout, _) = run(&["predict", "--model", m, "--json"]);
    assert_eq!(code, 0);
    let p: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(p["next_value"], j["next_value"]);
    assert_eq!(p["next_value_tutorial"], j["next_value_tutorial"]);

    let (code, stdout, _) = run(&[
        "predict",
        "--model",
        m,
        "--window",
        "0.1,0.5,0.9,1.2",
        "--json",
    ]);
    assert_eq!(code, 0);
    let w: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(w["window"], serde_json::json!([0.1, 0.5, 0.9, 1.2]));

    let fdir = dir.path().join("fc");
    let (code, stdout, stderr) = run(&[
        "forecast",
        "--model",
        m,
        "--horizon",
        "30",
        "--json",
        "--out",
        fdir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let f: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(f["forecast"].as_array().unwrap().len(), 30);
    assert_eq!(f["forecast"][0], p["next_value"]);
    let csv = fs::read_to_string(fdir.join("forecast.csv")).unwrap();
    assert_eq!(csv.lines().count(), 31);
    assert!(fdir.join("forecast.png").is_file());

    let (code, stdout, _) = run(&["summary", "--model", m]);
    assert_eq!(code, 0);
    assert!(stdout.contains("Trainable params: 1,457"), "{stdout}");
}

#[test]
fn bad_model_files_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    train_json(&out, &[]);
    let model = out.join("model.recur");
    let m = model.to_str().unwrap();
    let one_line_2 = |args: &[&str], needle: &str| {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(stdout.is_empty());
    };
    // The data flags ask for windows the model does not take: the message names both values.
    one_line_2(
        &["evaluate", "--model", m, "--step", "5"],
        "--step 5 contradicts the model's window length 4",
    );
    one_line_2(
        &["predict", "--model", m, "--layout", "sequence"],
        "--layout sequence contradicts the model's layout 'tutorial'",
    );
    one_line_2(
        &["predict", "--model", m, "--window", "1,2,3"],
        "exactly step = 4",
    );
    one_line_2(
        &["predict", "--model", m, "--window", "1,x,3,4"],
        "value 2 is 'x'",
    );
    let fdir = dir.path().join("fc");
    one_line_2(
        &[
            "forecast",
            "--model",
            m,
            "--horizon",
            "0",
            "--out",
            fdir.to_str().unwrap(),
        ],
        "--horizon",
    );
    assert!(!fdir.exists());

    let truncated = dir.path().join("trunc.recur");
    let bytes = fs::read(&model).unwrap();
    fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    one_line_2(
        &["summary", "--model", truncated.to_str().unwrap()],
        "not a model file",
    );
    let junk = dir.path().join("junk.recur");
    fs::write(&junk, b"\x00\x01\x02 binary junk").unwrap();
    one_line_2(
        &["evaluate", "--model", junk.to_str().unwrap()],
        "not a model file",
    );
}

/// Renders the sample plots into cargo's target tmp dir (kept after the test, to look at).
#[test]
fn render_sample_plots() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("recur-sample");
    let j = train_json(&out, &[]);
    let m = j["outputs"]["model"].as_str().unwrap().to_string();
    let (code, _, stderr) = run(&[
        "forecast",
        "--model",
        &m,
        "--horizon",
        "100",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.join("plot.png").is_file() && out.join("forecast.png").is_file());
    println!("sample plots in {}", out.display());
}

#[test]
fn json_keeps_stdout_to_one_object_and_epoch_lines_go_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let (code, stdout, stderr) = run(&[
        "train",
        "--epochs",
        "2",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1);
    let _: Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        stderr.contains("Epoch 2/2") && stderr.contains("57/57 - "),
        "{stderr}"
    );
    // verbose 1 off a terminal: one line per epoch, no bar.
    let (code, stdout, _) = run(&[
        "train",
        "--epochs",
        "2",
        "--verbose",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(stdout.matches("57/57 - ").count(), 2, "{stdout}");
    // verbose 0: no epoch lines at all.
    let (_, stdout, _) = run(&[
        "train",
        "--epochs",
        "2",
        "--verbose",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!stdout.contains("Epoch"), "{stdout}");
}

#[test]
fn explicit_settings_reach_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let j = train_json(
        &out,
        &[
            "--optimizer",
            "sgd",
            "--dense",
            "none",
            "--units",
            "16",
            "--activation",
            "tanh",
            "--loss",
            "mean_squared_error",
            "--seed",
            "7",
            "--batch-size",
            "32",
            "--no-pad",
            "--early-stopping",
            "3",
            "--n",
            "1500",
            "--noise",
            "gaussian",
            "--noise-amplitude",
            "0.3",
        ],
    );
    let m = &j["config"]["model"];
    assert_eq!(m["learning_rate"], 0.01, "sgd's Keras default");
    assert_eq!(m["dense"], serde_json::json!([]));
    assert_eq!(m["units"], 16);
    assert_eq!(m["activation"], "tanh");
    assert_eq!(m["loss"], "mse");
    assert_eq!(m["seed"], 7);
    assert_eq!(j["config"]["fit"]["batch_size"], 32);
    assert_eq!(j["config"]["fit"]["early_stopping"], 3);
    assert_eq!(j["config"]["data"]["windows"]["pad"], false);
    assert_eq!(j["config"]["data"]["source"]["n"], 1500);
    assert_eq!(j["config"]["data"]["source"]["noise"], "gaussian");
    // Without padding: 900 - 4 and 600 - 4 windows.
    assert_eq!(j["shapes"]["train"][0], 896);
    assert_eq!(j["shapes"]["test"][0], 596);
}
