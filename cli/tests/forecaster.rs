//! What a forecaster reads first: scores on observed targets beside persistence and the
//! seasonal naive forecast, missing values, CSV dialects and differencing, end to end.

mod common;

use common::{json, run};

/// A trending, seasonal series: 3 + 0.5 t + 4 sin(2 pi t / 12) (period 12).
fn trend_csv(dir: &std::path::Path, n: usize, sep: char, decimal: char) -> String {
    let mut s = format!("t{sep}y\n");
    for t in 0..n {
        let v = 3.0 + 0.5 * t as f64 + 4.0 * (2.0 * std::f64::consts::PI * t as f64 / 12.0).sin();
        s.push_str(&format!(
            "{t}{sep}{}\n",
            format!("{v:.4}").replace('.', &decimal.to_string())
        ));
    }
    let p = dir.join(format!("trend{}.csv", sep as u32));
    std::fs::write(&p, s).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn observed_scores_and_baselines_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trend_csv(dir.path(), 120, ',', '.');
    let out = dir.path().join("run");
    let args = [
        "train",
        "--csv",
        &csv,
        "--column",
        "y",
        "--split",
        "96",
        "--epochs",
        "2",
        "--verbose",
        "0",
        "--json",
        "--season",
        "12",
        "--out",
        out.to_str().unwrap(),
    ];
    let r = json(&args);
    for key in [
        "test_mse",
        "test_mse_observed",
        "train_mse_observed",
        "persistence_test_mse",
        "seasonal_naive_test_mse",
        "skill",
        "best_baseline",
        "mase",
    ] {
        assert!(r.get(key).is_some(), "{key} missing in {r}");
    }
    // Persistence on x[96..120] by hand.
    let x: Vec<f64> = (0..120)
        .map(|t| {
            let v =
                3.0 + 0.5 * t as f64 + 4.0 * (2.0 * std::f64::consts::PI * t as f64 / 12.0).sin();
            format!("{v:.4}").parse().unwrap()
        })
        .collect();
    let p: f64 = (96..120).map(|t| (x[t] - x[t - 1]).powi(2)).sum::<f64>() / 24.0;
    let got = r["persistence_test_mse"].as_f64().unwrap();
    assert!((got - p).abs() < 1e-9 * p, "{got} vs {p}");
    // A trend plus a season of 12: the seasonal naive error is the trend over a season, 6^2.
    let s = r["seasonal_naive_test_mse"].as_f64().unwrap();
    assert!((s - 36.0).abs() < 1e-3, "{s}");
    assert_eq!(r["best_baseline"], "persistence");
    // MASE with --season 12: in-sample seasonal naive error 6 (the trend over a season).
    let mase = r["mase"].as_f64().unwrap();
    assert!(mase > 0.0, "{mase}");
    let skill = r["skill"].as_f64().unwrap();
    let m = r["test_mse_observed"].as_f64().unwrap();
    assert!((skill - (1.0 - m / p)).abs() < 1e-12);
    // Every test value is predicted: the first `step` test rows have a test prediction.
    let pred = std::fs::read_to_string(out.join("predictions.csv")).unwrap();
    let row96 = pred.lines().nth(97).unwrap();
    assert!(row96.starts_with("96,") && !row96.ends_with(','), "{row96}");
    // evaluate gives the same observed scores from the model file.
    let e = json(&[
        "evaluate",
        "--model",
        out.join("model.recur").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(e["test_mse_observed"], r["test_mse_observed"]);
    assert_eq!(e["seasonal_naive_test_mse"], r["seasonal_naive_test_mse"]);
    // Without --season the seasonal naive figure is null.
    let without: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--season" && *a != "12")
        .collect();
    let r = json(&without);
    assert!(r["seasonal_naive_test_mse"].is_null());
}

#[test]
fn the_text_says_when_the_model_loses() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trend_csv(dir.path(), 120, ',', '.');
    let out = dir.path().join("run");
    // One epoch on a trend the model cannot extrapolate: persistence wins.
    let (code, text, err) = run(&[
        "train",
        "--csv",
        &csv,
        "--split",
        "96",
        "--epochs",
        "1",
        "--verbose",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("test mse on observed targets"), "{text}");
    assert!(text.contains("tutorial's padded windows"), "{text}");
    assert!(text.contains("LOSES to persistence"), "{text}");
}

#[test]
fn differencing_round_trips_through_the_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trend_csv(dir.path(), 120, ',', '.');
    let out = dir.path().join("diff");
    let o = out.to_str().unwrap();
    let r = json(&[
        "train",
        "--csv",
        &csv,
        "--split",
        "96",
        "--diff",
        "1",
        "--seasonal-diff",
        "12",
        "--scale",
        "standard",
        "--epochs",
        "3",
        "--verbose",
        "0",
        "--json",
        "--out",
        o,
    ]);
    assert_eq!(r["config"]["data"]["differencing"]["order"], 1);
    // The series is exactly linear plus periodic: its differences are (nearly) 0 and the
    // observed error is tiny whatever the model learned of noise it does not have.
    let model = out.join("model.recur");
    let m = model.to_str().unwrap();
    // A recur that predates differencing must refuse the file, not misread it: a new tag.
    let bytes = std::fs::read(&model).unwrap();
    let has = |s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(has("recur-cli-settings/2") && !has("recur-cli-settings/1"));
    let e = json(&["evaluate", "--model", m, "--json"]);
    assert_eq!(e["test_mse_observed"], r["test_mse_observed"]);
    let p = json(&["predict", "--model", m, "--json"]);
    assert_eq!(p["next_value"], r["next_value"]);
    assert_eq!(p["window"].as_array().unwrap().len(), 4 + 13);
    let f = json(&[
        "forecast",
        "--model",
        m,
        "--horizon",
        "3",
        "--json",
        "--out",
        o,
    ]);
    let first = f["forecast"][0].as_f64().unwrap();
    assert!((first - r["next_value"].as_f64().unwrap()).abs() < 1e-9);
    // The trend continues: the forecast sits near the next values of the line, not the last one.
    let want = 3.0 + 0.5 * 120.0 + 4.0 * (2.0 * std::f64::consts::PI * 120.0 / 12.0).sin();
    assert!((first - want).abs() < 1.0, "{first} vs {want}");
    // --season scores a baseline: predict and forecast have none to score.
    let (code, _, err) = run(&["predict", "--model", m, "--season", "12"]);
    assert_eq!(code, 2);
    assert!(err.contains("--season 12"), "{err}");
    let (code, _, err) = run(&[
        "forecast",
        "--model",
        m,
        "--horizon",
        "2",
        "--season",
        "4",
        "--out",
        o,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--season 4"), "{err}");
    // Another differencing on a saved model is refused.
    let (code, _, err) = run(&["predict", "--model", m, "--diff", "2"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--diff 2") && err.contains("saved differencing"),
        "{err}"
    );
}

#[test]
fn semicolons_decimal_commas_and_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trend_csv(dir.path(), 60, ';', ',');
    // Two gaps: one interior, one trailing.
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[10] = "9;".into();
    lines[60] = "59;NA".into();
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("run");
    let o = out.to_str().unwrap();
    let base = [
        "train",
        "--csv",
        &csv,
        "--delimiter",
        "semicolon",
        "--decimal",
        ",",
        "--split",
        "0.8",
        "--epochs",
        "1",
        "--verbose",
        "0",
        "--out",
        o,
    ];
    let (code, _, err) = run(&base);
    assert_eq!(code, 2);
    assert!(err.contains("line 11") && err.contains("empty"), "{err}");
    let mut args = base.to_vec();
    args.extend(["--missing", "interpolate", "--json"]);
    let r = json(&args);
    assert_eq!(r["missing"]["policy"], "interpolate");
    assert_eq!(r["config"]["data"]["source"]["dialect"]["delimiter"], ";");
    assert_eq!(r["config"]["data"]["source"]["dialect"]["decimal"], ",");
    assert_eq!(r["missing"]["filled"], 1);
    assert_eq!(r["missing"]["dropped"], 1);
    let mut args = base.to_vec();
    args.extend(["--missing", "ffill"]);
    let (code, text, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("2 filled, 0 dropped (--missing ffill)"),
        "{text}"
    );
    // evaluate re-reads the file with the saved dialect and policy.
    let e = json(&[
        "evaluate",
        "--model",
        out.join("model.recur").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(e["missing"]["filled"], 2);
}

#[test]
fn model_files_of_recur_before_these_settings_still_load() {
    use forecast::series::model_file::{ModelFile, Settings};
    use forecast::series::{CsvDialect, Source};
    // Written before the CSV dialect, --missing, --season and differencing existed.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus/model_loader/gru-nile-minmax.recur");
    let file = ModelFile::load(&path).unwrap();
    let Some(Settings::Series(s)) = &file.settings else {
        panic!("a series model expected");
    };
    assert!(s.data.differencing.is_none());
    assert_eq!(s.data.season, None);
    if let Source::Csv { dialect, .. } = &s.data.source {
        assert_eq!(*dialect, CsvDialect::default());
    }
    assert_eq!(s.format, forecast::series::model_file::SERIES_FORMAT);
}
