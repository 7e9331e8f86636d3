//! `recur train --id-column` with `--diff`, `--seasonal-diff` and `--season`: trending series
//! learnt as differences, every output back in series units (predictions, forecasts of local
//! and global models), the seasonal naive baseline in metrics.csv and the report, and the bad
//! values refused with one line.

mod common;

use common::{json, run};

/// Rows `unique_id,ds,y` of trending series: `base + slope t + 3 sin(2 pi t / 7)` on daily dates.
fn trending_csv(series: &[(&str, usize, f64)]) -> String {
    let mut rows = vec!["unique_id,ds,y".to_string()];
    for &(id, n, slope) in series {
        for t in 0..n {
            let tf = t as f64;
            let v = 100.0 + slope * tf + 3.0 * (tf * std::f64::consts::TAU / 7.0).sin();
            let date = jiff::civil::date(2024, 1, 1)
                .checked_add(jiff::Span::new().days(t as i64))
                .unwrap();
            rows.push(format!("{id},{date},{v:.6}"));
        }
    }
    rows.join("\n") + "\n"
}

const SERIES: &[(&str, usize, f64)] = &[("up", 120, 5.0), ("down", 100, -4.0), ("tiny", 6, 1.0)];

fn args<'a>(csv: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    common::many_train_args(csv, out, "3", extra)
}

/// `(id, index, actual, prediction)` of every predicted row of predictions.csv.
fn predictions(dir: &std::path::Path) -> Vec<(String, usize, f64, f64)> {
    let text = std::fs::read_to_string(dir.join("predictions.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let p = f[4].parse().ok()?;
            Some((
                f[0].to_string(),
                f[1].parse().unwrap(),
                f[3].parse().unwrap(),
                p,
            ))
        })
        .collect()
}

/// The forecasts of `model` for `h` steps: `(id, step, value)`.
fn forecasts(model: &str, out: &std::path::Path, h: &str) -> Vec<(String, usize, f64)> {
    let r = json(&[
        "forecast",
        "--model",
        model,
        "--horizon",
        h,
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r["series"], 2);
    let text = std::fs::read_to_string(out.join("forecast.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_string(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn differenced_local_and_global_runs_answer_in_series_units() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("long.csv");
    std::fs::write(&csv, trending_csv(SERIES)).unwrap();
    let csv = csv.to_str().unwrap();
    for (name, extra) in [
        ("local", &["--diff", "1", "--season", "7"][..]),
        ("global", &["--diff", "1", "--season", "7", "--global"][..]),
    ] {
        let out = dir.path().join(name);
        let mut a = args(csv, out.to_str().unwrap(), extra);
        a.push("--json");
        let r = json(&a);
        assert_eq!(r["series"], 2, "{name}");
        assert_eq!(r["skipped"][0]["id"], "tiny");
        assert_eq!(r["config"]["differencing"]["order"], 1);
        assert_eq!(r["config"]["season"], 7);
        // The series' slopes over a season: the seasonal naive error of each, exactly (to the
        // six decimals of the file).
        let s = r["seasonal_naive_test_mse"].as_f64().unwrap();
        let expected = ((35.0f64).powi(2) + (28.0f64).powi(2)) / 2.0;
        assert!((s - expected).abs() < 1e-3, "{name}: {s} vs {expected}");
        for k in ["test_mse_observed", "persistence_test_mse", "test_mse"] {
            assert!(r[k].as_f64().unwrap().is_finite(), "{name} {k}: {r}");
        }
        let beating = r["series_beating_baselines"].as_u64().unwrap();
        assert!(beating <= 2);

        // Predictions in series units: near the actual values (a slope of 4 or 5 a day), where
        // differences would be within a few units of 0 and far from values around 100..700.
        let preds = predictions(&out);
        assert!(preds.len() > 150, "{name}: {}", preds.len());
        for (id, i, actual, p) in &preds {
            assert!(
                (p - actual).abs() < 25.0,
                "{name} {id} {i}: {p} vs {actual}"
            );
        }

        // metrics.csv: the seasonal naive column filled, the rows in id order.
        let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
        let header: Vec<&str> = metrics.lines().next().unwrap().split(',').collect();
        let col = |c: &str| header.iter().position(|h| *h == c).unwrap();
        let (sn, obs) = (col("seasonal_naive_test_mse"), col("test_mse_observed"));
        let rows: Vec<Vec<&str>> = metrics
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect())
            .collect();
        assert_eq!(rows[0][0], "down");
        assert_eq!(rows[1][0], "tiny");
        assert_eq!(rows[2][0], "up");
        let up: f64 = rows[2][sn].parse().unwrap();
        assert!((up - 35.0f64.powi(2)).abs() < 1e-3, "{up}");
        assert!(rows[0][obs].parse::<f64>().unwrap() >= 0.0);
        assert_eq!(rows[1][sn], "");

        // Forecasts continue each line: the next values are past the last one by about a
        // slope per step, not differences near 0.
        let f = forecasts(
            r["outputs"]["model"].as_str().unwrap(),
            &dir.path().join(format!("{name}-f")),
            "3",
        );
        let last = |id: &str| preds.iter().rfind(|p| p.0 == id).map(|p| p.2).unwrap();
        for (id, step, v) in &f {
            let slope = if id == "up" { 5.0 } else { -4.0 };
            let line = last(id) + slope * *step as f64;
            assert!(
                (v - line).abs() < 30.0,
                "{name} {id} step {step}: {v} vs {line}"
            );
        }
    }
}

#[test]
fn the_text_says_how_many_series_beat_the_best_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("long.csv");
    std::fs::write(&csv, trending_csv(SERIES)).unwrap();
    let out = dir.path().join("o");
    let (code, text, err) = run(&args(
        csv.to_str().unwrap(),
        out.to_str().unwrap(),
        &["--seasonal-diff", "7", "--season", "7"],
    ));
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("mean seasonal naive test mse (y[t-7]"),
        "{text}"
    );
    assert!(
        text.contains("series beating the best baseline (persistence or seasonal naive)"),
        "{text}"
    );
    assert!(text.contains("--seasonal-diff 7"), "{text}");
    // Without --season the column stays, empty, and the JSON's mean is null.
    let out = dir.path().join("p");
    let mut a = args(csv.to_str().unwrap(), out.to_str().unwrap(), &[]);
    a.push("--json");
    let r = json(&a);
    assert!(r["seasonal_naive_test_mse"].is_null());
    assert!(r["config"].get("differencing").is_none());
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    assert!(
        metrics
            .lines()
            .next()
            .unwrap()
            .contains(",seasonal_naive_test_mse,")
    );
    assert!(metrics.lines().nth(1).unwrap().contains(",,"));
}

#[test]
fn differenced_metrics_are_the_same_bytes_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("long.csv");
    std::fs::write(&csv, trending_csv(SERIES)).unwrap();
    let mut files = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(threads);
        let out = out.to_str().unwrap();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_recur"))
            .args(args(
                csv.to_str().unwrap(),
                out,
                &["--diff", "1", "--season", "7", "--threads", threads],
            ))
            .output()
            .unwrap();
        assert!(status.status.success());
        let p = std::path::Path::new(out);
        files.push((
            std::fs::read(p.join("metrics.csv")).unwrap(),
            std::fs::read(p.join("model.recur")).unwrap(),
        ));
    }
    assert_eq!(files[0], files[1]);
}

#[test]
fn bad_values_are_one_line_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("long.csv");
    std::fs::write(&csv, trending_csv(SERIES)).unwrap();
    let csv = csv.to_str().unwrap();
    let out = dir.path().join("o");
    let out = out.to_str().unwrap();
    for (extra, words) in [
        (&["--diff", "3"][..], &["--diff", "'3'"][..]),
        (&["--diff", "0"][..], &["--diff"][..]),
        (
            &["--seasonal-diff", "0"][..],
            &["--seasonal-diff", "'0'"][..],
        ),
        (&["--season", "0"][..], &["--season", "'0'"][..]),
        // Longer than every series' training part: each is skipped, none is left.
        (&["--season", "500"][..], &["season 500", "T = 96"][..]),
        // Differencing consumes more than the training part of every series.
        (
            &["--seasonal-diff", "99"][..],
            &["differencing", "T = 80"][..],
        ),
    ] {
        let (code, stdout, err) = run(&args(csv, out, extra));
        assert_eq!(code, 2, "{extra:?}: {stdout}");
        assert_eq!(err.lines().count(), 1, "{extra:?}: {err}");
        for w in words {
            assert!(err.contains(w), "{extra:?}: {err}");
        }
        assert!(!std::path::Path::new(out).exists());
    }
    // A many-series model keeps its own differences: forecast refuses others.
    let trained = dir.path().join("t");
    let r = json(&{
        let mut a = args(csv, trained.to_str().unwrap(), &["--diff", "1"]);
        a.push("--json");
        a
    });
    let (code, _, err) = run(&[
        "forecast",
        "--model",
        r["outputs"]["model"].as_str().unwrap(),
        "--horizon",
        "2",
        "--diff",
        "1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("'--diff'"), "{err}");
}
