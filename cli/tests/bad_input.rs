//! The `recur` binary on bad input: exit status 2, exactly one line on stderr naming the
//! problem and the value, nothing on stdout, and no output folder created.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Self {
        Case {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    }

    /// Runs `recur` in the temp dir with `args` (plus `--out` for subcommands that write) and
    /// checks the usage-error contract; `needles` must all appear in the message.
    fn rejects(&self, args: &[&str], needles: &[&str]) {
        let out = self.out();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_recur"));
        cmd.current_dir(self.dir.path()).args(args);
        if matches!(args.first(), Some(&"train") | Some(&"forecast")) && !args.contains(&"--out") {
            cmd.arg("--out").arg(&out);
        }
        let o = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            stderr.lines().count(),
            1,
            "{args:?}: not one line: {stderr}"
        );
        assert!(stderr.starts_with("error"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        for n in needles {
            assert!(stderr.contains(n), "{args:?}: expected '{n}' in: {stderr}");
        }
        assert!(o.stdout.is_empty(), "{args:?}: stdout not empty");
        assert!(!out.exists(), "{args:?}: output folder created");
        assert!(
            !self.dir.path().join("recur-out").exists(),
            "{args:?}: recur-out created"
        );
    }
}

fn values(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| format!("{}\n", i as f64 * 0.5))
        .collect::<String>()
        .into_bytes()
}

#[test]
fn unreadable_and_empty_csv() {
    let c = Case::new();
    c.rejects(&["train", "--csv", "missing.csv"], &["missing.csv"]);
    let empty = c.file("empty.csv", b"");
    c.rejects(&["train", "--csv", &empty], &["empty.csv"]);
    let one = c.file("one.csv", b"value\n3.5\n");
    c.rejects(&["train", "--csv", &one], &["one.csv"]);
    let dir = c.dir.path().join("adir");
    std::fs::create_dir(&dir).unwrap();
    c.rejects(&["train", "--csv", dir.to_str().unwrap()], &["adir"]);
}

#[test]
fn malformed_csv_cells() {
    let c = Case::new();
    let mut text = values(1000);
    text.extend_from_slice(b"abc\n");
    let f = c.file("text.csv", &text);
    c.rejects(&["train", "--csv", &f], &["abc", "1001"]);
    let mut text = values(1000);
    text.extend_from_slice(b"NaN\n");
    let f = c.file("nan.csv", &text);
    c.rejects(&["train", "--csv", &f], &["NaN"]);
    let mut text = values(1000);
    text.extend_from_slice(b"inf\n");
    let f = c.file("inf.csv", &text);
    c.rejects(&["train", "--csv", &f], &["inf"]);
    let f = c.file("empty_cell.csv", b"a,b\n1,2\n3,\n4,5\n");
    c.rejects(&["train", "--csv", &f, "--column", "b"], &["line 3"]);
}

#[test]
fn ragged_rows_and_binary_junk() {
    let c = Case::new();
    let f = c.file("ragged.csv", b"a,b\n1,2\n3,4,5\n6,7\n");
    c.rejects(&["train", "--csv", &f], &["ragged.csv"]);
    let junk: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let f = c.file("junk.bin", &junk);
    c.rejects(&["train", "--csv", &f], &["junk.bin"]);
}

#[test]
fn missing_column() {
    let c = Case::new();
    let f = c.file("two.csv", b"a,b\n1,2\n3,4\n5,6\n");
    c.rejects(&["train", "--csv", &f, "--column", "price"], &["price"]);
    c.rejects(&["train", "--csv", &f, "--column", "7"], &["7"]);
    c.rejects(&["train", "--column", "price"], &["--column", "--csv"]);
}

#[test]
fn series_too_short_for_split_and_window() {
    let c = Case::new();
    let f = c.file("short.csv", &values(20));
    c.rejects(&["train", "--csv", &f], &["--split"]);
    c.rejects(
        &["train", "--csv", &f, "--split", "16", "--step", "4"],
        &["16"],
    );
    c.rejects(&["train", "--n", "10"], &["900"]);
}

#[test]
fn split_and_step_out_of_range() {
    let c = Case::new();
    c.rejects(&["train", "--split", "0"], &["0"]);
    c.rejects(&["train", "--split", "2000"], &["2000"]);
    c.rejects(&["train", "--split", "1.5"], &["1.5"]);
    c.rejects(&["train", "--split", "-3"], &["-3"]);
    c.rejects(&["train", "--split", "abc"], &["abc"]);
    c.rejects(&["train", "--step", "0"], &["--step", "'0'"]);
    c.rejects(&["train", "--step", "-1"], &["--step", "'-1'"]);
    c.rejects(&["train", "--step", "5000"], &["5000"]);
}

#[test]
fn zero_or_negative_counts() {
    let c = Case::new();
    for flag in [
        "--epochs",
        "--batch-size",
        "--units",
        "--n",
        "--early-stopping",
        "--threads",
    ] {
        c.rejects(&["train", flag, "0"], &[flag, "'0'"]);
        c.rejects(&["train", flag, "-5"], &[flag, "'-5'"]);
    }
    c.rejects(&["train", "--epochs", "1.5"], &["--epochs", "'1.5'"]);
    c.rejects(&["train", "--dense", "8,0"], &["--dense", "8,0"]);
    c.rejects(&["train", "--seed", "-1"], &["--seed", "'-1'"]);
}

#[test]
fn dropout_rates_outside_zero_to_one() {
    let c = Case::new();
    for flag in ["--dropout", "--recurrent-dropout"] {
        for bad in ["1.5", "-0.1", "half", "NaN"] {
            c.rejects(
                &["train", flag, bad],
                &[flag, &format!("'{bad}'"), "[0, 1]"],
            );
        }
        // Exactly 1 on a gated cell, which Keras's LSTM and GRU cells silently ignore.
        for cell in ["lstm", "gru"] {
            c.rejects(
                &["train", "--cell", cell, flag, "1"],
                &["dropout", "below 1"],
            );
        }
    }
}

#[test]
fn unknown_names() {
    let c = Case::new();
    c.rejects(
        &["train", "--activation", "relu7"],
        &["--activation", "'relu7'"],
    );
    c.rejects(&["train", "--loss", "mape"], &["--loss", "'mape'"]);
    c.rejects(
        &["train", "--optimizer", "adafactor"],
        &["--optimizer", "'adafactor'"],
    );
    c.rejects(
        &["train", "--recurrent-activation", "sigmoid"],
        &["--recurrent-activation", "sigmoid", "--cell simple"],
    );
    c.rejects(
        &[
            "train",
            "--cell",
            "gru",
            "--recurrent-activation",
            "sigmoid7",
        ],
        &["--recurrent-activation", "'sigmoid7'"],
    );
    c.rejects(
        &["train", "--cell", "transformer"],
        &["--cell", "'transformer'"],
    );
    c.rejects(&["train", "--layout", "wide"], &["wide"]);
    c.rejects(&["train", "--scale", "log"], &["log"]);
    c.rejects(&["train", "--noise", "pink"], &["pink"]);
    c.rejects(
        &["train", "--plot-format", "jpg"],
        &["--plot-format", "'jpg'"],
    );
    c.rejects(&["train", "--verbose", "3"], &["--verbose", "'3'"]);
}

#[test]
fn bad_learning_rates_and_fractions() {
    let c = Case::new();
    for v in ["-0.1", "0", "nan", "NaN", "inf", "x"] {
        c.rejects(&["train", "--learning-rate", v], &["--learning-rate", v]);
    }
    c.rejects(&["train", "--lr", "-1e-3"], &["--learning-rate", "-1e-3"]);
    c.rejects(
        &["train", "--validation-split", "1.5"],
        &["--validation-split"],
    );
    c.rejects(
        &["train", "--validation-split", "-0.2"],
        &["--validation-split", "-0.2"],
    );
    c.rejects(&["train", "--freq", "nan"], &["--freq"]);
    c.rejects(&["train", "--noise-amplitude", "-1"], &["noise_amplitude"]);
}

#[test]
fn clap_usage_errors_are_one_line_with_status_2() {
    let c = Case::new();
    c.rejects(&["train", "--frobnicate"], &["--frobnicate"]);
    let out = c.out();
    c.rejects(
        &["train", "--out", out.to_str().unwrap(), "--epochs"],
        &["--epochs"],
    );
    c.rejects(&["fly"], &["fly"]);
    c.rejects(&[], &["subcommand"]);
    c.rejects(&["evaluate"], &["--model"]);
    c.rejects(&["forecast", "--model", "m"], &["--horizon"]);
}

#[test]
fn output_path_that_is_a_file() {
    let c = Case::new();
    let f = c.file("taken", b"x");
    let o = Command::new(env!("CARGO_BIN_EXE_recur"))
        .current_dir(c.dir.path())
        .args(["train", "--out", &f])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("existing file"));
    assert_eq!(std::fs::read(Path::new(&f)).unwrap(), b"x");
    let below = format!("{f}/sub");
    c.rejects(&["train", "--out", &below], &["--out", "existing file"]);
}

#[test]
fn missing_model_files() {
    let c = Case::new();
    c.rejects(&["evaluate", "--model", "nope.recur"], &["nope.recur"]);
    c.rejects(&["predict", "--model", "nope.recur"], &["nope.recur"]);
    c.rejects(
        &["forecast", "--model", "nope.recur", "--horizon", "5"],
        &["nope.recur"],
    );
    c.rejects(&["summary", "--model", "nope.recur"], &["nope.recur"]);
    c.rejects(
        &["predict", "--model", "nope.recur", "--window", "1,b"],
        &["--window"],
    );
    c.rejects(
        &["forecast", "--model", "nope.recur", "--horizon", "-2"],
        &["--horizon", "'-2'"],
    );
}

#[test]
fn malformed_rayon_num_threads() {
    let c = Case::new();
    let o = Command::new(env!("CARGO_BIN_EXE_recur"))
        .current_dir(c.dir.path())
        .env("RAYON_NUM_THREADS", "lots")
        .args(["train", "--out", c.out().to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
    assert!(
        stderr.contains("RAYON_NUM_THREADS") && stderr.contains("'lots'"),
        "{stderr}"
    );
    assert!(!c.out().exists());
}

#[test]
fn help_and_version_succeed() {
    let o = Command::new(env!("CARGO_BIN_EXE_recur"))
        .args(["train", "--help"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8_lossy(&o.stdout);
    for flag in [
        "--csv",
        "--learning-rate",
        "--lr",
        "--early-stopping",
        "--threads",
        "--json",
    ] {
        assert!(help.contains(flag), "{flag}");
    }
    assert!(help.contains("Deliberate differences from Keras"));
}

#[test]
fn forecaster_flags_with_bad_values() {
    let c = Case::new();
    let f = c.file("s.csv", &values(60));
    c.rejects(
        &["train", "--csv", &f, "--split", "0.8", "--missing", "zero"],
        &["--missing", "zero"],
    );
    c.rejects(&["train", "--missing", "drop"], &["--missing", "--csv"]);
    c.rejects(
        &["train", "--csv", &f, "--delimiter", "ab"],
        &["--delimiter", "ab"],
    );
    c.rejects(
        &["train", "--csv", &f, "--delimiter", "x"],
        &["--delimiter", "'x'"],
    );
    c.rejects(
        &["train", "--csv", &f, "--delimiter", "."],
        &["--delimiter"],
    );
    c.rejects(
        &["train", "--csv", &f, "--decimal", ";"],
        &["--decimal", "';'"],
    );
    // A decimal comma with the default comma delimiter, and the same character given twice.
    c.rejects(
        &["train", "--csv", &f, "--decimal", ","],
        &["--decimal", "--delimiter"],
    );
    c.rejects(
        &["train", "--csv", &f, "--decimal", ",", "--delimiter", ","],
        &["--decimal", "--delimiter"],
    );
    c.rejects(&["train", "--diff", "0"], &["--diff", "'0'"]);
    c.rejects(&["train", "--diff", "3"], &["--diff", "'3'"]);
    c.rejects(&["train", "--diff", "x"], &["--diff"]);
    c.rejects(
        &["train", "--seasonal-diff", "0"],
        &["--seasonal-diff", "'0'"],
    );
    c.rejects(&["train", "--season", "-2"], &["--season", "'-2'"]);
    c.rejects(&["train", "--season", "200000"], &["--season"]);
    // A season longer than the training part: no value a season before the first test value.
    c.rejects(
        &["train", "--csv", &f, "--split", "20", "--season", "30"],
        &["--season", "30"],
    );
    // Differencing that leaves nothing to train on.
    c.rejects(
        &[
            "train",
            "--csv",
            &f,
            "--split",
            "10",
            "--seasonal-diff",
            "12",
        ],
        &["--seasonal-diff 12"],
    );
}
