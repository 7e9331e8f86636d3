//! `recur train --task`: the long-dependency task through the real binary. The direction
//! check reuses the benches crate's `long_dependency_direction` settings (adding at lag 50, 2000
//! sequences, 16 units, 10 epochs, Adam 0.005 with global_clipnorm 1, batch 32, tanh,
//! model seed 1, data seed 0): the better of LSTM and GRU reaches at most half of SimpleRNN's
//! test mse.

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

fn train_json(dir: &Path, args: &[&str]) -> Value {
    let mut a = vec!["train"];
    a.extend_from_slice(args);
    a.push("--json");
    let o = recur(dir, &a);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{a:?}: {stderr}");
    serde_json::from_slice(&o.stdout).unwrap()
}

fn usage_error(dir: &Path, args: &[&str], needles: &[&str]) {
    let o = recur(dir, args);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "{args:?}: expected '{n}' in {stderr}");
    }
    assert!(o.stdout.is_empty());
    assert!(!dir.join("recur-out").exists(), "nothing written");
}

#[test]
fn a_gated_cell_beats_simple_rnn_at_lag_50_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let mse = |cell: &str| -> (f64, f64) {
        let out = format!("out-{cell}");
        let r = train_json(
            dir.path(),
            &[
                "--task",
                "adding",
                "--lag",
                "50",
                "--count",
                "2000",
                "--cell",
                cell,
                "--units",
                "16",
                "--dense",
                "none",
                "--activation",
                "tanh",
                "--optimizer",
                "adam",
                "--lr",
                "0.005",
                "--global-clipnorm",
                "1",
                "--batch-size",
                "32",
                "--epochs",
                "10",
                "--seed",
                "1",
                "--data-seed",
                "0",
                "--verbose",
                "0",
                "--out",
                &out,
            ],
        );
        assert_eq!(r["shapes"]["train"], serde_json::json!([1600, 51, 2]));
        assert!(r["outputs"]["plot"].is_null(), "{r}");
        (
            r["test_mse"].as_f64().unwrap(),
            r["baseline_test_mse"].as_f64().unwrap(),
        )
    };
    let (simple, baseline) = mse("simple");
    let (lstm, _) = mse("lstm");
    let (gru, _) = mse("gru");
    let gated = lstm.min(gru);
    eprintln!(
        "lag 50: SimpleRNN {simple:.4}, LSTM {lstm:.4}, GRU {gru:.4}, baseline {baseline:.4}"
    );
    assert!(
        gated <= 0.5 * simple,
        "best gated {gated} vs SimpleRNN {simple}"
    );
    assert!(gated < 0.2 * baseline, "{gated} vs baseline {baseline}");
}

#[test]
fn task_run_writes_the_model_and_predictions_and_says_there_is_no_plot() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "train", "--task", "recall", "--lag", "5", "--count", "100", "--cell", "lstm", "--epochs",
        "1",
    ];
    let o = recur(dir.path(), &args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8(o.stdout).unwrap();
    for needle in [
        "task recall at lag 5 (100 sequences), train sequences (80, 6, 2), test sequences (20, 6, 2)",
        "(LSTM)",
        "baseline test mse (predict the training mean)",
        "test mse / baseline",
        "s per epoch",
        "outputs in recur-out: model.recur, predictions.csv (no plot: a task has no series to draw)",
    ] {
        assert!(stdout.contains(needle), "no '{needle}' in:\n{stdout}");
    }
    let out = dir.path().join("recur-out");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["model.recur", "predictions.csv"]);
    let csv = std::fs::read_to_string(out.join("predictions.csv")).unwrap();
    assert_eq!(csv.lines().next(), Some("index,target,prediction"));
    assert_eq!(csv.lines().count(), 21);
    // summary works on a task model; evaluate explains why it cannot.
    let model = "recur-out/model.recur";
    let s = recur(dir.path(), &["summary", "--model", model]);
    assert_eq!(s.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&s.stdout).contains("(LSTM)"));
    let e = recur(dir.path(), &["evaluate", "--model", model]);
    assert_eq!(e.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&e.stderr).contains("--task recall"));
    // Same seed, same figures.
    let a = train_json(dir.path(), &args[1..]);
    let b = train_json(dir.path(), &args[1..]);
    assert_eq!(a["test_mse"], b["test_mse"]);
    assert_eq!(a["config"]["task"]["kind"], "recall");
}

#[test]
fn task_flags_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    usage_error(
        d,
        &["train", "--task", "adding", "--csv", "a.csv"],
        &["--csv", "--task"],
    );
    usage_error(
        d,
        &["train", "--task", "adding", "--n", "100"],
        &["--n", "--task"],
    );
    usage_error(
        d,
        &["train", "--task", "recall", "--step", "3"],
        &["--step", "--task"],
    );
    usage_error(
        d,
        &["train", "--task", "adding", "--plot-format", "svg"],
        &["--plot-format", "--task"],
    );
    usage_error(d, &["train", "--lag", "5"], &["--task"]);
    usage_error(d, &["train", "--count", "5"], &["--task"]);
    usage_error(d, &["train", "--task", "copy"], &["--task", "'copy'"]);
    usage_error(
        d,
        &["train", "--task", "adding", "--lag", "0"],
        &["--lag", "'0'"],
    );
    usage_error(
        d,
        &["train", "--task", "adding", "--count", "1"],
        &["--count", "'1'"],
    );
    usage_error(
        d,
        &["train", "--task", "adding", "--split", "5000"],
        &["--task adding"],
    );
}
