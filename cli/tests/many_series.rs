//! `recur train --id-column`: long-format input in any row order, local and global modes,
//! skipped series, the files (metrics.csv the same bytes on 1 or 2 threads), `forecast` on the
//! run's model file, and the errors.

mod common;

use std::process::Command;

use common::run;

/// Rows `id,ds,y` of `series` (id, length, period) on daily dates from 2024-01-01, in a
/// scrambled order (a fixed permutation) when `shuffle`.
fn long_csv(series: &[(&str, usize, f64)], shuffle: bool) -> String {
    let mut rows = Vec::new();
    for &(id, n, period) in series {
        for t in 0..n {
            let v = (t as f64 * std::f64::consts::TAU / period).sin() + 0.01 * t as f64;
            let date = jiff::civil::date(2024, 1, 1)
                .checked_add(jiff::Span::new().days(t as i64))
                .unwrap();
            rows.push(format!("{id},{date},{:.5}", v));
        }
    }
    if shuffle {
        // A fixed scramble: stride through the rows by a step coprime with their count.
        let n = rows.len();
        let stride = (1..n)
            .rev()
            .find(|s| gcd(*s, n) == 1 && *s > n / 3)
            .unwrap_or(1);
        rows = (0..n).map(|i| rows[(i * stride) % n].clone()).collect();
    }
    format!("unique_id,ds,y\n{}\n", rows.join("\n"))
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

const SERIES: &[(&str, usize, f64)] = &[
    ("b", 60, 12.0),
    ("a", 80, 9.0),
    ("tiny", 5, 3.0),
    ("c", 50, 7.0),
];

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn train_args<'a>(csv: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = common::many_train_args(csv, out, "2", &["--json"]);
    a.extend_from_slice(extra);
    a
}

#[test]
fn local_run_reports_skips_and_writes_long_files() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "long.csv", &long_csv(SERIES, true));
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let (code, stdout, stderr) = run(&train_args(&csv, out, &[]));
    assert_eq!(code, 0, "{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["mode"], "local");
    assert_eq!(r["series"], 3);
    assert_eq!(r["skipped"][0]["id"], "tiny");
    assert!(r["skipped"][0]["reason"].as_str().unwrap().len() > 5);
    for k in ["test_mse", "baseline_test_mse", "fit_seconds"] {
        assert!(r[k].as_f64().unwrap() >= 0.0, "{k}: {r}");
    }
    for k in ["metrics", "predictions", "model", "plot"] {
        let p = r["outputs"][k].as_str().unwrap();
        assert!(std::path::Path::new(p).is_file(), "{k}: {p}");
    }
    let metrics = std::fs::read_to_string(dir.path().join("out/metrics.csv")).unwrap();
    let ids: Vec<&str> = metrics
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b", "c", "tiny"]);
    assert!(metrics.starts_with(
        "unique_id,status,train_mse,test_mse,baseline_test_mse,persistence_test_mse,"
    ));
    assert!(metrics.lines().last().unwrap().starts_with("tiny,skipped,"));
    let preds = std::fs::read_to_string(dir.path().join("out/predictions.csv")).unwrap();
    assert!(preds.starts_with("unique_id,index,ds,actual,prediction,part\n"));
    // Every value of the three trained series, in id then time order.
    assert_eq!(preds.lines().count(), 1 + 80 + 60 + 50);
    assert!(preds.lines().nth(1).unwrap().starts_with("a,0,2024-01-01,"));
    assert!(preds.contains(",test\n"));

    // forecast on the run's model: the long format with future dates.
    let model = r["outputs"]["model"].as_str().unwrap();
    let fdir = dir.path().join("f");
    let (code, stdout, stderr) = run(&[
        "forecast",
        "--model",
        model,
        "--horizon",
        "3",
        "--out",
        fdir.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let f: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(f["series"], 3);
    let text = std::fs::read_to_string(fdir.join("forecast.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "unique_id,ds,step,forecast");
    assert!(lines[1].starts_with("a,2024-03-21,1,"), "{}", lines[1]);
    assert_eq!(lines.len(), 1 + 3 * 3);

    // The other commands refuse it with one line.
    let (code, _, err) = run(&["summary", "--model", model]);
    assert_eq!(code, 2);
    assert!(err.contains("many-series model"), "{err}");
    let (code, _, err) = run(&[
        "forecast",
        "--model",
        model,
        "--horizon",
        "3",
        "--split",
        "10",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("'--split'"), "{err}");
}

#[test]
fn row_order_does_not_change_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let sorted = write(dir.path(), "sorted.csv", &long_csv(SERIES, false));
    let shuffled = write(dir.path(), "shuffled.csv", &long_csv(SERIES, true));
    let mut texts = Vec::new();
    for (csv, out) in [(&sorted, "o1"), (&shuffled, "o2")] {
        let o = dir.path().join(out);
        let (code, _, err) = run(&train_args(csv, o.to_str().unwrap(), &[]));
        assert_eq!(code, 0, "{err}");
        texts.push(std::fs::read(o.join("metrics.csv")).unwrap());
    }
    assert_eq!(texts[0], texts[1]);
}

#[test]
fn metrics_are_the_same_bytes_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "long.csv", &long_csv(SERIES, true));
    let mut files = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let status = Command::new(env!("CARGO_BIN_EXE_recur"))
            .args(train_args(
                &csv,
                out.to_str().unwrap(),
                &["--threads", threads],
            ))
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        files.push((
            std::fs::read(out.join("metrics.csv")).unwrap(),
            std::fs::read(out.join("model.recur")).unwrap(),
        ));
    }
    assert_eq!(files[0], files[1]);
}

#[test]
fn global_mode_scales_each_series_and_trains_one_model() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "long.csv", &long_csv(SERIES, false));
    let out = dir.path().join("g");
    let (code, stdout, err) = run(&train_args(&csv, out.to_str().unwrap(), &["--global"]));
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["mode"], "global");
    assert_eq!(r["config"]["windows"]["scale"], "standard");
    assert_eq!(r["series"], 3);
    let f = dir.path().join("gf");
    let (code, _, err) = run(&[
        "forecast",
        "--model",
        r["outputs"]["model"].as_str().unwrap(),
        "--horizon",
        "2",
        "--out",
        f.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // The model has no covariates, so future values of some are refused before any output.
    let f2 = dir.path().join("gf2");
    let (code, _, err) = run(&[
        "forecast",
        "--model",
        r["outputs"]["model"].as_str().unwrap(),
        "--horizon",
        "2",
        "--future-csv",
        &csv,
        "--out",
        f2.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--future-csv") && err.contains("without --features"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!f2.exists());
}

#[test]
fn bad_long_input_is_one_line_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = long_csv(&[("a", 30, 5.0)], false);
    text.push_str("a,2024-01-03,9.5\n");
    let dup = write(dir.path(), "dup.csv", &text);
    let out = dir.path().join("o");
    let out = out.to_str().unwrap();
    let (code, stdout, err) = run(&train_args(&dup, out, &[]));
    assert_eq!(code, 2, "{stdout}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("'a'") && err.contains("2024-01-03"), "{err}");
    assert!(!std::path::Path::new(out).exists());

    let short = write(
        dir.path(),
        "short.csv",
        &long_csv(&[("x", 4, 3.0), ("y", 3, 3.0)], false),
    );
    let (code, _, err) = run(&train_args(&short, out, &[]));
    assert_eq!(code, 2);
    assert!(
        err.contains("every one of the 2 series was skipped"),
        "{err}"
    );

    let ok = write(dir.path(), "ok.csv", &long_csv(SERIES, false));
    // A covariate may not be the value column.
    let (code, _, err) = run(&train_args(&ok, out, &["--features", "y"]));
    assert_eq!(code, 2);
    assert!(err.contains("--features") && err.contains("'y'"), "{err}");
    let mut args = train_args(&ok, out, &[]);
    args[4] = "missing_col";
    let (code, _, err) = run(&args);
    assert_eq!(code, 2);
    assert!(err.contains("missing_col"), "{err}");
}
