//! Input the model or the data contradicts: a flag against a model's saved settings, a column
//! name that matches several columns, and a series too large in magnitude to train unscaled.

use std::path::Path;
use std::process::{Command, Output};

fn recur(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recur"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// The one-line usage error (exit status 2) with every needle in it.
fn usage_error(o: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(o.stdout.is_empty());
    for n in needles {
        assert!(stderr.contains(n), "expected '{n}' in: {stderr}");
    }
}

fn series(n: usize) -> String {
    (0..n)
        .map(|i| format!("{}\n", (i as f64 * 0.3).sin() * 10.0 + 20.0))
        .collect()
}

#[test]
fn flags_contradicting_the_saved_settings_are_errors_naming_both_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.csv"), series(80)).unwrap();
    let o = recur(
        d,
        &[
            "train",
            "--csv",
            "s.csv",
            "--split",
            "40",
            "--scale",
            "minmax",
            "--epochs",
            "1",
            "--verbose",
            "0",
            "--out",
            "run",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let m = "run/model.recur";
    usage_error(
        &recur(d, &["predict", "--model", m, "--scale", "none"]),
        &["--scale none contradicts the model's saved scaling 'minmax'"],
    );
    usage_error(
        &recur(d, &["evaluate", "--model", m, "--scale", "standard"]),
        &["--scale standard", "'minmax'"],
    );
    usage_error(
        &recur(d, &["evaluate", "--model", m, "--step", "3"]),
        &["--step 3", "window length 4"],
    );
    usage_error(
        &recur(d, &["predict", "--model", m, "--layout", "sequence"]),
        &["--layout sequence", "'tutorial'"],
    );
    // The saved setting itself, and flags that only choose which data is scored, are allowed.
    for args in [
        &["predict", "--model", m, "--scale", "minmax"][..],
        &["predict", "--model", m, "--no-pad"],
        &["evaluate", "--model", m, "--split", "50"],
        &["evaluate", "--model", m, "--csv", "s.csv", "--split", "30"],
    ] {
        let o = recur(d, args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn a_column_name_matching_several_columns_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text: String = std::iter::once("v,v\n".to_string())
        .chain((0..50).map(|i| format!("{i},{}\n", i * 2)))
        .collect();
    std::fs::write(d.join("dup.csv"), text).unwrap();
    usage_error(
        &recur(
            d,
            &[
                "train", "--csv", "dup.csv", "--column", "v", "--split", "25", "--out", "o",
            ],
        ),
        &["--csv", "'v'", "0, 1"],
    );
    assert!(!d.join("o").exists());
}

#[test]
fn a_huge_unscaled_series_blames_its_magnitude_and_suggests_scaling() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut text = series(80);
    text.push_str("1e38\n");
    text.push_str(&series(20));
    std::fs::write(d.join("huge.csv"), text).unwrap();
    let o = recur(
        d,
        &[
            "train",
            "--csv",
            "huge.csv",
            "--split",
            "90",
            "--epochs",
            "2",
            "--verbose",
            "0",
            "--out",
            "o",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for n in ["magnitude", "1e38", "--scale standard"] {
        assert!(stderr.contains(n), "expected '{n}' in: {stderr}");
    }
    assert!(!stderr.contains("--learning-rate"), "{stderr}");
}
