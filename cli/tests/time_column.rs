//! `--time-column` with real dates: parsed and checked for a regular step, carried into
//! predictions.csv, predict and forecast (future times, from the model file alone too); gaps
//! and bad time flags are one-line usage errors.

mod common;

use std::fs;
use std::path::Path;

use common::run;
use serde_json::Value;

/// A CSV `name,value` of `n` rows with times from `time(i)`.
fn write_csv(
    dir: &Path,
    file: &str,
    header: &str,
    n: usize,
    time: impl Fn(usize) -> String,
) -> String {
    let mut text = format!("{header},value\n");
    for i in 0..n {
        text.push_str(&format!(
            "{},{}\n",
            time(i),
            100_000.0 + 5000.0 * (i as f64 * 0.3).sin()
        ));
    }
    let p = dir.join(file);
    fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn quarter(i: usize) -> String {
    format!("{}Q{}", 1959 + i / 4, i % 4 + 1)
}

fn ok_json(args: &[&str]) -> Value {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn usage_error(args: &[&str], needles: &[&str]) {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(stdout.is_empty(), "{args:?}: {stdout}");
    for n in needles {
        assert!(stderr.contains(n), "{args:?} should say {n}: {stderr}");
    }
}

#[test]
fn quarterly_dates_flow_into_predictions_predict_and_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path(), "gdp.csv", "quarter", 80, quarter);
    let out = dir.path().join("run");
    let out_s = out.to_str().unwrap();
    let base = [
        "--csv",
        &csv,
        "--time-column",
        "quarter",
        "--split",
        "0.75",
        "--scale",
        "minmax",
    ];
    let mut train = vec![
        "train",
        "--epochs",
        "2",
        "--verbose",
        "0",
        "--json",
        "--out",
        out_s,
    ];
    train.extend_from_slice(&base);
    ok_json(&train);
    let pred = fs::read_to_string(out.join("predictions.csv")).unwrap();
    assert!(pred.starts_with("index,quarter,actual,"), "{pred}");
    assert!(
        pred.lines().nth(2).unwrap().starts_with("1,1959-04-01,"),
        "{pred}"
    );
    assert!(
        pred.lines().last().unwrap().starts_with("79,1978-10-01,"),
        "{pred}"
    );

    let model = out.join("model.recur");
    let model_s = model.to_str().unwrap();
    let p = ok_json(&["predict", "--model", model_s, "--json"]);
    assert_eq!(p["next_time"], "1979-01-01");
    let (_, human, _) = run(&["predict", "--model", model_s]);
    assert!(
        human.starts_with("next value (1979-01-01) after"),
        "{human}"
    );

    // From the model file alone, and from the CSV again: the same future times.
    let f = ok_json(&[
        "forecast",
        "--model",
        model_s,
        "--horizon",
        "5",
        "--json",
        "--out",
        out_s,
    ]);
    let want = [
        "1979-01-01",
        "1979-04-01",
        "1979-07-01",
        "1979-10-01",
        "1980-01-01",
    ];
    assert_eq!(f["times"], serde_json::json!(want));
    let text = fs::read_to_string(out.join("forecast.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("quarter,step,index,forecast"));
    assert!(
        lines.next().unwrap().starts_with("1979-01-01,1,80,"),
        "{text}"
    );
    let mut again = vec![
        "forecast",
        "--model",
        model_s,
        "--horizon",
        "5",
        "--json",
        "--out",
        out_s,
    ];
    again.extend_from_slice(&base[..4]);
    assert_eq!(ok_json(&again)["times"], serde_json::json!(want));
    let p = ok_json(&[
        "predict",
        "--model",
        model_s,
        "--json",
        "--csv",
        &csv,
        "--time-column",
        "quarter",
    ]);
    assert_eq!(p["next_time"], "1979-01-01");
}

/// A CSV file name, extra train flags, the time of row i and the first two future times.
type Case = (
    &'static str,
    &'static [&'static str],
    Box<dyn Fn(usize) -> String>,
    [&'static str; 2],
);

#[test]
fn month_ends_custom_formats_and_date_times_give_the_right_future_times() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: [Case; 3] = [
        (
            "ends.csv",
            &[],
            Box::new(|i| {
                let first = jiff::civil::date(2000 + (i / 12) as i16, (i % 12 + 1) as i8, 1);
                first.last_of_month().to_string()
            }),
            ["2003-01-31", "2003-02-28"],
        ),
        (
            "dots.csv",
            &["--time-format", "%d.%m.%Y"],
            Box::new(|i| {
                let day = jiff::civil::date(2021, 1, 1) + jiff::Span::new().days(7 * i as i64);
                jiff::fmt::strtime::format("%d.%m.%Y", day).unwrap()
            }),
            ["2021-09-10", "2021-09-17"],
        ),
        (
            "hours.csv",
            &["--time-step", "1h"],
            Box::new(|i| format!("2024-03-{:02}T{:02}:00:00Z", 1 + i / 24, i % 24)),
            ["2024-03-02T12:00:00Z", "2024-03-02T13:00:00Z"],
        ),
    ];
    for (file, flags, time, want) in cases {
        let csv = write_csv(d, file, "t", 36, time);
        let out = d.join(file).with_extension("run");
        let out_s = out.to_str().unwrap();
        let mut args = vec![
            "train",
            "--csv",
            &csv,
            "--time-column",
            "t",
            "--split",
            "0.7",
        ];
        args.extend_from_slice(flags);
        args.extend(["--epochs", "1", "--verbose", "0", "--json", "--out", out_s]);
        ok_json(&args);
        let model = out.join("model.recur");
        let f = ok_json(&[
            "forecast",
            "--model",
            model.to_str().unwrap(),
            "--horizon",
            "2",
            "--json",
            "--out",
            out_s,
        ]);
        assert_eq!(f["times"], serde_json::json!(want), "{file}");
    }
}

#[test]
fn missing_rows_and_irregular_times_are_one_line_errors_naming_the_first_gap() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("out");
    let out_s = out.to_str().unwrap();
    let skip = |i: usize| {
        // Rows 10 and 11 (2022-01-11 and 2022-01-12) are missing, and row 30.
        let k = if i < 10 {
            i
        } else if i < 27 {
            i + 2
        } else {
            i + 3
        };
        (jiff::civil::date(2022, 1, 1) + jiff::Span::new().days(k as i64)).to_string()
    };
    let csv = write_csv(d, "gaps.csv", "date", 60, skip);
    let args = [
        "train",
        "--csv",
        &csv,
        "--time-column",
        "date",
        "--split",
        "0.7",
        "--out",
        out_s,
    ];
    usage_error(
        &args,
        &[
            "--time-column 'date'",
            "3 row(s) missing on the regular step 1d in 2 gap(s)",
            "2 row(s) between 2022-01-10 (data row 10) and 2022-01-13 (data row 11)",
        ],
    );
    // A coarser step that the times are on hides nothing: 1d is the only step here.
    let mut off = args.to_vec();
    off.extend(["--time-step", "2d"]);
    usage_error(
        &off,
        &["not a whole number of steps of 2d", "give --time-step"],
    );
    let back = write_csv(d, "back.csv", "date", 30, |i| {
        (jiff::civil::date(2022, 1, 1) + jiff::Span::new().days(if i == 5 { 2 } else { i as i64 }))
            .to_string()
    });
    usage_error(
        &[
            "train",
            "--csv",
            &back,
            "--time-column",
            "date",
            "--split",
            "0.7",
            "--out",
            out_s,
        ],
        &["data row 6 (2022-01-03) is not after data row 5 (2022-01-05)"],
    );
    let labels = write_csv(d, "labels.csv", "t", 30, |i| format!("t{i}"));
    usage_error(
        &[
            "train",
            "--csv",
            &labels,
            "--time-column",
            "t",
            "--split",
            "0.7",
            "--out",
            out_s,
        ],
        &["data row 1: 't0' is not a time recur reads", "YYYY-MM-DD"],
    );
    assert!(!out.exists());
}

#[test]
fn bad_time_flags_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path(), "q.csv", "quarter", 40, quarter);
    let out = dir.path().join("out");
    let out_s = out.to_str().unwrap();
    let base = [
        "train",
        "--csv",
        &csv,
        "--time-column",
        "quarter",
        "--out",
        out_s,
    ];
    for bad in ["0d", "-1d", "1x", "", "1.5mo", "nan", "d"] {
        let mut args = base.to_vec();
        args.extend(["--time-step", bad]);
        usage_error(&args, &["--time-step", "1mo"]);
    }
    for bad in ["%Y", "nothing", "%H:%M", "%d.%m.%Y %z", ""] {
        let mut args = base.to_vec();
        args.extend(["--time-format", bad]);
        usage_error(&args, &["--time-format"]);
    }
    // A step that does not fit dates, and flags without --time-column.
    let mut args = base.to_vec();
    args.extend(["--time-step", "1h", "--split", "0.7"]);
    usage_error(&args, &["step 1h does not fit times of kind date"]);
    usage_error(
        &["train", "--csv", &csv, "--time-step", "1d", "--out", out_s],
        &["--time-column"],
    );
    usage_error(
        &[
            "train",
            "--csv",
            &csv,
            "--time-format",
            "%Y-%m-%d",
            "--out",
            out_s,
        ],
        &["--time-column"],
    );
    assert!(!out.exists());
}

#[test]
fn model_files_without_the_time_fields_still_load_and_forecast_without_times() {
    use forecast::series::model_file::{ModelFile, Settings};
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path(), "q.csv", "quarter", 60, quarter);
    let out = dir.path().join("run");
    let out_s = out.to_str().unwrap();
    ok_json(&[
        "train",
        "--csv",
        &csv,
        "--time-column",
        "quarter",
        "--split",
        "0.7",
        "--epochs",
        "1",
        "--verbose",
        "0",
        "--json",
        "--out",
        out_s,
    ]);
    let path = out.join("model.recur");
    let mut file = ModelFile::load(&path).unwrap();
    let Some(Settings::Series(mut s)) = file.settings.take() else {
        panic!("a series model")
    };
    assert_eq!(s.time.as_ref().unwrap().axis.step.to_string(), "3mo");
    // Without the new optional fields the settings are what an older recur wrote.
    s.time = None;
    s.series_name = None;
    let doc = serde_json::to_value(&s).unwrap();
    assert!(doc.get("time").is_none() && doc.get("series_name").is_none());
    assert!(doc["data"]["source"].get("time_step").is_none());
    ModelFile::save(&file.model, &Settings::Series(s), &path).unwrap();
    let f = ok_json(&[
        "forecast",
        "--model",
        path.to_str().unwrap(),
        "--horizon",
        "3",
        "--json",
        "--out",
        out_s,
    ]);
    assert!(f.get("times").is_none(), "{f}");
    let text = fs::read_to_string(out.join("forecast.csv")).unwrap();
    assert!(text.starts_with("step,index,forecast\n"), "{text}");
}

/// A CSV of daily dates from 2022-01-01 to day 61, with days 10 and 11 absent if `gap` (two
/// rows missing after data row 10), and the value `10 * day`, its cell empty on the days in
/// `empty`.
fn gappy_csv(dir: &Path, file: &str, gap: bool, empty: &[i64]) -> String {
    let mut text = String::from("date,value\n");
    for k in (0..62).filter(|k| !gap || !(10..12).contains(k)) {
        let date = jiff::civil::date(2022, 1, 1) + jiff::Span::new().days(k);
        if empty.contains(&k) {
            text.push_str(&format!("{date},\n"));
        } else {
            text.push_str(&format!("{date},{}\n", 10 * k));
        }
    }
    let p = dir.join(file);
    fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn missing_rows_go_through_the_missing_policy_and_interpolate_by_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("out");
    let out_s = out.to_str().unwrap();
    // Day 9 is empty too: by time it lies between day 8 (80) and day 12 (120), so 90; by row
    // (the gap closed up) it would be 100.
    let csv = gappy_csv(d, "gaps.csv", true, &[9]);
    let train = |policy: &'static str| {
        vec![
            "train",
            "--csv",
            csv.as_str(),
            "--time-column",
            "date",
            "--split",
            "0.7",
            "--epochs",
            "1",
            "--verbose",
            "0",
            "--missing",
            policy,
            "--out",
            out_s,
        ]
    };
    // error: the first gap, and the policies that fill it (the empty cell of day 9 is refused
    // first, so this file has it filled).
    let full = gappy_csv(d, "rows.csv", true, &[]);
    let mut args = train("error");
    args[2] = full.as_str();
    usage_error(
        &args,
        &[
            "--time-column 'date'",
            "2 row(s) missing on the regular step 1d in 1 gap(s)",
            "--missing ffill or --missing interpolate",
        ],
    );
    // drop: refused, naming both flags, whether the rows inside are absent or empty.
    usage_error(
        &train("drop"),
        &[
            "--time-column 'date'",
            "--missing drop would take 3 row(s) out of the regular step 1d",
            "(the first at 2022-01-10)",
            "--missing ffill or --missing interpolate",
        ],
    );
    // Without missing rows, empty cells inside would have closed up into time gaps.
    let cells = gappy_csv(d, "cells.csv", false, &[30, 31]);
    let mut args = train("drop");
    args[2] = cells.as_str();
    usage_error(
        &args,
        &[
            "--missing drop would take 2 row(s)",
            "(the first at 2022-01-31)",
        ],
    );
    assert!(!out.exists());

    // interpolate: the two rows inserted with their dates, filled by time, counted.
    let mut args = train("interpolate");
    args.push("--json");
    let r = ok_json(&args);
    assert_eq!(r["missing"]["filled"], 3, "{r}");
    assert_eq!(r["missing"]["missing_rows"], 2, "{r}");
    assert_eq!(r["missing"]["dropped"], 0, "{r}");
    let pred = fs::read_to_string(out.join("predictions.csv")).unwrap();
    let actual = |day: usize| -> f64 {
        let line = pred.lines().nth(day + 1).unwrap();
        let cells: Vec<&str> = line.split(',').collect();
        let date = jiff::civil::date(2022, 1, 1) + jiff::Span::new().days(day as i64);
        assert_eq!(cells[..2], [day.to_string(), date.to_string()], "{line}");
        cells[2].parse().unwrap()
    };
    for day in [8, 9, 10, 11, 12] {
        assert!((actual(day) - 10.0 * day as f64).abs() < 1e-9, "{pred}");
    }
    assert_eq!(pred.lines().count(), 63, "{pred}");
    let (code, text, err) = run(&train("ffill"));
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains(
            "3 filled, 0 dropped, 2 of them missing rows of the time column (--missing ffill)"
        ),
        "{text}"
    );
    // evaluate reads the file again under the saved policy: the same counts.
    let model = out.join("model.recur");
    let e = ok_json(&["evaluate", "--model", model.to_str().unwrap(), "--json"]);
    assert_eq!(e["missing"]["missing_rows"], 2, "{e}");
    assert_eq!(e["missing"]["filled"], 3, "{e}");

    // drop at the edges keeps a regular axis: the first rows go, the dates start later.
    let edges = d.join("edges.csv");
    let mut text = String::from("date,value\n");
    for k in 0..50 {
        let date = jiff::civil::date(2022, 1, 1) + jiff::Span::new().days(k);
        let v = if k < 2 || k == 49 {
            String::new()
        } else {
            k.to_string()
        };
        text.push_str(&format!("{date},{v}\n"));
    }
    fs::write(&edges, text).unwrap();
    let mut args = train("drop");
    args[2] = edges.to_str().unwrap();
    args.push("--json");
    let r = ok_json(&args);
    assert_eq!(r["missing"]["dropped"], 3, "{r}");
    assert_eq!(r["missing"]["missing_rows"], 0, "{r}");
    let pred = fs::read_to_string(out.join("predictions.csv")).unwrap();
    assert!(
        pred.lines().nth(1).unwrap().starts_with("0,2022-01-03,2,"),
        "{pred}"
    );
}
