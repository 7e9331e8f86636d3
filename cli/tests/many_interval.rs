//! `recur train --id-column` with `--interval P` and `--horizon H`: each series calibrated on
//! its own held-out targets (local and global), series too short for the residuals skipped
//! with the reason, `forecast --interval` adding `lo`, `hi` around each value (wider with P, an
//! error past `--interval-horizon`), direct models forecasting by blocks, the same bytes on
//! 1 and 2 threads, and the bad values refused with one line.

mod common;

use std::process::Command;

use common::{json, run};

/// Rows `unique_id,ds,y` of noisy seasonal series (id, length, period) on daily dates.
fn long_csv(series: &[(&str, usize, f64)]) -> String {
    let mut rows = vec!["unique_id,ds,y".to_string()];
    for &(id, n, period) in series {
        for t in 0..n {
            let tf = t as f64;
            let v = (tf * std::f64::consts::TAU / period).sin()
                + 0.01 * tf
                + 0.2 * (tf * 7.3 + period).sin();
            let date = jiff::civil::date(2024, 1, 1)
                .checked_add(jiff::Span::new().days(t as i64))
                .unwrap();
            rows.push(format!("{id},{date},{v:.6}"));
        }
    }
    rows.join("\n") + "\n"
}

/// Two series long enough for 4 calibrated steps (at least 20 residuals at step 4), one not.
const SERIES: &[(&str, usize, f64)] = &[("a", 200, 12.0), ("b", 180, 9.0), ("short", 60, 7.0)];

fn write_csv(dir: &std::path::Path) -> String {
    let p = dir.join("long.csv");
    std::fs::write(&p, long_csv(SERIES)).unwrap();
    p.to_str().unwrap().to_string()
}

fn train_args<'a>(csv: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    common::many_train_args(csv, out, "3", extra)
}

/// The rows of `forecast.csv` after `forecast --model model --horizon h [--interval p]`, split
/// on commas, with the header; or the exit status and stderr.
fn forecast(
    model: &str,
    out: &std::path::Path,
    h: &str,
    p: Option<&str>,
) -> Result<Vec<Vec<String>>, (i32, String)> {
    let mut a = vec![
        "forecast",
        "--model",
        model,
        "--horizon",
        h,
        "--out",
        out.to_str().unwrap(),
    ];
    if let Some(p) = p {
        a.extend(["--interval", p]);
    }
    let (code, _, err) = run(&a);
    if code != 0 {
        return Err((code, err));
    }
    let text = std::fs::read_to_string(out.join("forecast.csv")).unwrap();
    // The plot: a 1400 x 700 panel for each of the first, middle and last series.
    let mut ids: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    ids.dedup();
    let png = std::fs::read(out.join("forecast.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let dim = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((dim(16), dim(20)), (1400, 700 * ids.len().min(3) as u32));
    Ok(text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect())
}

fn num(s: &str) -> f64 {
    s.parse().unwrap()
}

#[test]
fn local_and_global_runs_calibrate_each_series_and_forecast_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path());
    for (name, extra) in [("local", &[][..]), ("global", &["--global"][..])] {
        let out = dir.path().join(name);
        let mut a = train_args(
            &csv,
            out.to_str().unwrap(),
            &["--interval", "0.9", "--interval-horizon", "4", "--json"],
        );
        a.extend_from_slice(extra);
        let r = json(&a);
        assert_eq!(r["series"], 2, "{name}: {r}");
        assert_eq!(r["config"]["interval"]["p"], 0.9);
        assert_eq!(r["config"]["interval"]["horizon"], 4);
        // Too few held-out targets for 20 residuals at step 4: skipped, the flag named.
        assert_eq!(r["skipped"][0]["id"], "short");
        let reason = r["skipped"][0]["reason"].as_str().unwrap();
        assert!(reason.contains("--interval-horizon 4"), "{reason}");
        let coverage = r["interval_coverage"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&coverage), "{name}: {coverage}");

        // metrics.csv: coverage and half-width per trained series, empty for the skipped one.
        let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
        let header: Vec<&str> = metrics.lines().next().unwrap().split(',').collect();
        assert_eq!(
            &header[header.len() - 3..],
            ["interval_coverage", "interval_half_width", "reason"]
        );
        let (c, w) = (header.len() - 3, header.len() - 2);
        for line in metrics.lines().skip(1).take(2) {
            let f: Vec<&str> = line.split(',').collect();
            assert!((0.0..=1.0).contains(&num(f[c])), "{line}");
            assert!(num(f[w]) > 0.0, "{line}");
        }

        // forecast --interval: lo <= forecast <= hi, wider with P; steps past the calibrated
        // ones are an error naming --interval-horizon.
        let model = out.join("model.recur");
        let model = model.to_str().unwrap();
        let at80 = forecast(model, &dir.path().join("f80"), "4", Some("0.8")).unwrap();
        let at95 = forecast(model, &dir.path().join("f95"), "4", Some("0.95")).unwrap();
        assert_eq!(at80[0], ["unique_id", "ds", "step", "forecast", "lo", "hi"]);
        assert_eq!(at80.len(), 1 + 2 * 4);
        for (r80, r95) in at80.iter().zip(&at95).skip(1) {
            let (y, lo, hi) = (num(&r80[3]), num(&r80[4]), num(&r80[5]));
            assert!(lo < y && y < hi, "{name}: {r80:?}");
            assert_eq!(r80[3], r95[3], "{name}: the same forecast");
            assert!(num(&r95[4]) <= lo && num(&r95[5]) >= hi, "{r80:?} {r95:?}");
        }
        assert!(at95.iter().skip(1).any(|r| num(&r[5]) - num(&r[4]) > 0.0));
        let plain = forecast(model, &dir.path().join("fp"), "4", None).unwrap();
        assert_eq!(plain[0], ["unique_id", "ds", "step", "forecast"]);
        for (p, i) in plain.iter().zip(&at80).skip(1) {
            assert_eq!(p[..], i[..4]);
        }
        let (code, err) = forecast(model, &dir.path().join("f5"), "5", Some("0.9")).unwrap_err();
        assert_eq!(code, 2);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("--interval-horizon"), "{err}");
        assert!(!dir.path().join("f5").exists());
        // P beyond what 20-odd residuals allow is refused, naming --interval.
        let (code, err) = forecast(model, &dir.path().join("f99"), "4", Some("0.99")).unwrap_err();
        assert_eq!(code, 2);
        assert!(err.contains("--interval 0.99"), "{err}");
    }
}

#[test]
fn a_model_trained_without_interval_refuses_forecast_interval() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path());
    let out = dir.path().join("o");
    let (code, _, err) = run(&train_args(&csv, out.to_str().unwrap(), &[]));
    assert_eq!(code, 0, "{err}");
    let model = out.join("model.recur");
    let (code, err) = forecast(
        model.to_str().unwrap(),
        &dir.path().join("f"),
        "3",
        Some("0.9"),
    )
    .unwrap_err();
    assert_eq!(code, 2);
    assert!(
        err.contains("--interval") && err.contains("no calibration"),
        "{err}"
    );
    // Its metrics.csv has no interval columns: the files of runs without --interval are what
    // they were.
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    assert!(!metrics.contains("interval"), "{metrics}");
}

#[test]
fn interval_runs_are_the_same_bytes_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path());
    let mut files = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let status = Command::new(env!("CARGO_BIN_EXE_recur"))
            .args(train_args(
                &csv,
                out.to_str().unwrap(),
                &[
                    "--threads",
                    threads,
                    "--interval",
                    "0.9",
                    "--interval-horizon",
                    "3",
                    "--horizon",
                    "2",
                    "--no-pad",
                ],
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
            std::fs::read(out.join("predictions.csv")).unwrap(),
        ));
    }
    assert!(
        files[0] == files[1],
        "the files differ between 1 and 2 threads"
    );
}

#[test]
fn direct_models_train_per_series_and_forecast_by_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path());
    for (name, extra) in [("local", &[][..]), ("global", &["--global"][..])] {
        let out = dir.path().join(name);
        let mut a = train_args(
            &csv,
            out.to_str().unwrap(),
            &["--horizon", "3", "--no-pad", "--json"],
        );
        a.extend_from_slice(extra);
        let r = json(&a);
        assert_eq!(r["series"], 3, "{name}: {r}");
        assert_eq!(r["config"]["model"]["horizon"], 3);
        for k in ["train_mse", "test_mse", "test_mse_observed"] {
            assert!(r[k].as_f64().unwrap().is_finite(), "{name} {k}: {r}");
        }
        // Windows whose 3 targets all lie in the part: series a (T = 160, step 4, no padding)
        // has 160 - 4 - 3 + 1 training windows.
        let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
        let header: Vec<&str> = metrics.lines().next().unwrap().split(',').collect();
        let tw = header.iter().position(|h| *h == "train_windows").unwrap();
        let a_row: Vec<&str> = metrics.lines().nth(1).unwrap().split(',').collect();
        assert_eq!(a_row[0], "a");
        assert_eq!(a_row[tw], "154");
        // The horizon-1 predictions sit on every value after the first window.
        let preds = std::fs::read_to_string(out.join("predictions.csv")).unwrap();
        let a_pred = preds
            .lines()
            .filter(|l| l.starts_with("a,") && !l.contains(",,"))
            .count();
        assert_eq!(a_pred, 200 - 2 * 4, "{name}");

        let model = out.join("model.recur");
        let f = forecast(model.to_str().unwrap(), &dir.path().join("f"), "7", None).unwrap();
        assert_eq!(f.len(), 1 + 3 * 7);
        assert!(f.iter().skip(1).all(|r| num(&r[3]).is_finite()));
    }
    // Direct models and intervals together: calibrated by blocks as a one-series run.
    let out = dir.path().join("both");
    let r = json(&train_args(
        &csv,
        out.to_str().unwrap(),
        &[
            "--horizon",
            "2",
            "--no-pad",
            "--interval",
            "0.9",
            "--interval-horizon",
            "4",
            "--json",
        ],
    ));
    assert_eq!(r["series"], 2);
    let model = out.join("model.recur");
    let f = forecast(
        model.to_str().unwrap(),
        &dir.path().join("fb"),
        "4",
        Some("0.9"),
    )
    .unwrap();
    assert_eq!(f.len(), 1 + 2 * 4);
}

#[test]
fn bad_values_are_one_line_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path());
    let out = dir.path().join("o");
    let out = out.to_str().unwrap();
    for (extra, named) in [
        (&["--interval", "1.5"][..], "--interval"),
        (&["--interval", "0"][..], "--interval"),
        (
            &["--interval", "0.9", "--interval-horizon", "0"][..],
            "--interval-horizon",
        ),
        (&["--interval-horizon", "4"][..], "--interval"),
        (&["--horizon", "0", "--no-pad"][..], "--horizon"),
        // The tutorial's padding would make up a direct model's targets.
        (&["--horizon", "3"][..], "--no-pad"),
    ] {
        let (code, _, err) = run(&train_args(&csv, out, extra));
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{extra:?}: {err}");
        assert!(err.contains(named), "{extra:?}: {err}");
        assert!(!std::path::Path::new(out).exists());
    }
    // A coverage no series' residuals allow: every series skipped, the flag named.
    let (code, _, err) = run(&train_args(
        &csv,
        out,
        &["--interval", "0.99", "--interval-horizon", "4"],
    ));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("every one of the 3 series was skipped") && err.contains("--interval"),
        "{err}"
    );
}
