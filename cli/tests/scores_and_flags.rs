//! Regression tests for what a string seam once got wrong: `evaluate` reports its scores in the
//! model's own loss and its MSEs as the MSE of the model's predictions, for every loss, with and
//! without data flags; and every relation between flags is one line naming both, exit status 2.

mod common;

use std::path::Path;

use common::{json, run};
use data::{SineConfig, SplitAt, WindowConfig};
use nn::{Sequential, Tensor};
use serde_json::Value;

/// The figures `evaluate` must report, computed here from the model file with nn and data
/// directly: (train score, test score, train mse, test mse).
fn expected(model: &Path, split: SplitAt) -> (f64, f64, f64, f64) {
    let mut m = Sequential::load(model).unwrap();
    let series = data::generate::sine(&SineConfig::default()).unwrap();
    let ds = data::prepare(
        series.values(),
        &WindowConfig {
            split,
            ..WindowConfig::default()
        },
    )
    .unwrap();
    let mut part = |p: &data::WindowedPart| {
        let x = Tensor::from_vec(p.x.data().to_vec(), &p.x.shape()).unwrap();
        let y = Tensor::from_vec(p.y.clone(), &[p.y.len(), 1]).unwrap();
        let score = f64::from(m.evaluate(&x, &y, None).unwrap());
        let pred = m.predict(&x, None).unwrap();
        (score, data::mse(pred.data(), &p.y).unwrap())
    };
    let (train_score, train_mse) = part(&ds.train);
    let (test_score, test_mse) = part(&ds.test);
    (train_score, test_score, train_mse, test_mse)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1e-3)
}

#[test]
fn evaluate_scores_in_the_models_loss_and_mse_of_its_predictions_for_every_loss() {
    let dir = tempfile::tempdir().unwrap();
    for loss in ["mse", "mae", "huber", "msle", "log_cosh"] {
        let out = dir.path().join(loss);
        let out_s = out.to_str().unwrap();
        let train = json(&[
            "train",
            "--loss",
            loss,
            "--epochs",
            "2",
            "--verbose",
            "0",
            "--json",
            "--out",
            out_s,
        ]);
        assert_eq!(train["config"]["model"]["loss"], loss);
        let model = out.join("model.recur");
        let m = model.to_str().unwrap();
        let cases: [(&[&str], SplitAt); 3] = [
            (&[], SplitAt::Index(900)),
            // A data flag that changes the windows...
            (&["--split", "0.7"], SplitAt::Fraction(0.7)),
            // ...and one that repeats the saved value: both once dropped the saved loss.
            (&["--split", "900"], SplitAt::Index(900)),
        ];
        for (flags, split) in cases {
            let mut args = vec!["evaluate", "--model", m, "--json"];
            args.extend_from_slice(flags);
            let e = json(&args);
            let (train_score, test_score, train_mse, test_mse) = expected(&model, split);
            let got = |k: &str| e[k].as_f64().unwrap();
            assert_eq!(got("train_score"), train_score, "{loss} {flags:?}");
            assert_eq!(got("test_score"), test_score, "{loss} {flags:?}");
            assert!(close(got("train_mse"), train_mse), "{loss} {flags:?}: {e}");
            assert!(close(got("test_mse"), test_mse), "{loss} {flags:?}: {e}");
            if loss != "mse" {
                assert_ne!(got("train_score"), got("train_mse"), "{loss} {flags:?}");
            }
        }
        // train's own report agrees with evaluate on the training series.
        let (train_score, test_score, train_mse, _) = expected(&model, SplitAt::Index(900));
        assert_eq!(
            train["train_score"].as_f64().unwrap(),
            train_score,
            "{loss}"
        );
        assert_eq!(train["test_score"].as_f64().unwrap(), test_score, "{loss}");
        assert!(
            close(train["train_mse"].as_f64().unwrap(), train_mse),
            "{loss}"
        );
    }
}

/// Runs `args` (with `--out` inside `dir`) and checks: exit status 2, one line on stderr
/// naming every flag in `flags`, nothing on stdout, no output folder.
fn rejected(dir: &Path, args: &[&str], flags: &[&str]) {
    let out = dir.join("out");
    let mut all = args.to_vec();
    all.extend(["--out", out.to_str().unwrap()]);
    let (code, stdout, stderr) = run(&all);
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    for f in flags {
        assert!(stderr.contains(f), "{args:?} should name {f}: {stderr}");
    }
    assert!(stdout.is_empty(), "{args:?}: {stdout}");
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
}

#[test]
fn every_flag_relation_is_one_line_naming_both_flags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // --task against each series flag.
    for series_flag in [
        &["--csv", "x.csv"][..],
        &["--column", "v"],
        &["--time-column", "t"],
        &["--n", "100"],
        &["--freq", "0.1"],
        &["--amplitude", "2"],
        &["--noise", "none"],
        &["--noise-amplitude", "0.5"],
        &["--step", "3"],
        &["--layout", "sequence"],
        &["--scale", "minmax"],
        &["--no-pad"],
        &["--plot-format", "svg"],
    ] {
        let mut args = vec!["train", "--task", "adding"];
        args.extend_from_slice(series_flag);
        rejected(d, &args, &["'--task", &format!("'{}", series_flag[0])]);
    }
    // --csv against each generator flag.
    for gen_flag in [
        &["--n", "100"][..],
        &["--freq", "0.1"],
        &["--amplitude", "2"],
        &["--noise", "none"],
        &["--noise-amplitude", "0.5"],
        &["--data-seed", "3"],
    ] {
        let mut args = vec!["train", "--csv", "x.csv"];
        args.extend_from_slice(gen_flag);
        rejected(d, &args, &["'--csv", &format!("'{}", gen_flag[0])]);
    }
    // Flags that need another.
    rejected(d, &["train", "--column", "v"], &["--csv"]);
    rejected(d, &["train", "--time-column", "t"], &["--csv"]);
    rejected(d, &["train", "--lag", "3"], &["--task"]);
    rejected(d, &["train", "--count", "30"], &["--task"]);
    // Keras allows one gradient clipping at a time.
    rejected(
        d,
        &["train", "--clipnorm", "1", "--global-clipnorm", "1"],
        &["--clipnorm", "--global-clipnorm"],
    );
    // SimpleRNN has no gates.
    rejected(
        d,
        &["train", "--recurrent-activation", "tanh"],
        &["--recurrent-activation", "--cell simple"],
    );
    rejected(
        d,
        &[
            "train",
            "--cell",
            "simple",
            "--recurrent-activation",
            "tanh",
        ],
        &["--recurrent-activation", "--cell simple"],
    );
    // Evaluate, predict and forecast take the same series flags.
    rejected(
        d,
        &[
            "forecast",
            "--model",
            "m",
            "--horizon",
            "3",
            "--csv",
            "a.csv",
            "--n",
            "9",
        ],
        &["'--csv", "'--n"],
    );
}

#[test]
fn typed_values_are_checked_by_flag() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (args, needles) in [
        (&["train", "--epochs", "0"][..], &["--epochs", "'0'"][..]),
        (&["train", "--units", "-3"], &["--units", "'-3'"]),
        (&["train", "--cell", "transformer"], &["--cell", "lstm"]),
        (
            &["train", "--activation", "relu7"],
            &["--activation", "mish"],
        ),
        (
            &["train", "--recurrent-activation", "nope", "--cell", "gru"],
            &["'nope'"],
        ),
        (&["train", "--loss", "mape"], &["--loss", "huber"]),
        (
            &["train", "--optimizer", "adafactor"],
            &["--optimizer", "rmsprop"],
        ),
        (&["train", "--lr", "0"], &["--learning-rate", "> 0"]),
        (&["train", "--clipnorm", "nan"], &["--clipnorm"]),
        (&["train", "--dropout", "1.5"], &["--dropout", "[0, 1]"]),
        (
            &["train", "--validation-split", "1"],
            &["--validation-split"],
        ),
        (&["train", "--verbose", "3"], &["--verbose"]),
        (&["train", "--dense", "8,0"], &["--dense"]),
        (&["train", "--seed", "-1"], &["--seed"]),
        (&["train", "--split", "abc"], &["--split"]),
        (&["train", "--layout", "wide"], &["--layout"]),
        (&["train", "--scale", "log"], &["--scale"]),
        (&["train", "--noise", "pink"], &["--noise"]),
        (&["train", "--plot-format", "gif"], &["--plot-format"]),
        (&["train", "--task", "copy"], &["--task"]),
        (&["train", "--threads", "0"], &["--threads"]),
    ] {
        rejected(d, args, needles);
    }
    // Names are case-insensitive, as the Keras names they stand for.
    let out = d.join("ok");
    let (code, stdout, stderr) = run(&[
        "train",
        "--cell",
        "GRU",
        "--activation",
        "TANH",
        "--optimizer",
        "Adam",
        "--loss",
        "Huber",
        "--epochs",
        "1",
        "--verbose",
        "0",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let j: Value = serde_json::from_str(&stdout).unwrap();
    let m = &j["config"]["model"];
    assert_eq!(m["cell"], "gru");
    assert_eq!(m["activation"], "tanh");
    assert_eq!(m["recurrent_activation"], "sigmoid");
    assert_eq!(m["optimizer"], "adam");
    assert_eq!(m["loss"], "huber");
}
