//! `recur backtest` on a many-series model: every series of the long file backtested (local
//! and global), `backtest.csv` in the long format with one fold at the end of the training data
//! equal to `forecast`, `backtest_series.csv`, `--json`, the series skipped with the reason, and
//! the bad values refused with one line.

mod common;

use common::{json, run};

/// Rows `unique_id,ds,y` of noisy seasonal series (id, length, period) on daily dates.
fn long_csv(series: &[(&str, usize, f64)]) -> String {
    let mut rows = vec!["unique_id,ds,y".to_string()];
    for &(id, n, period) in series {
        for t in 0..n {
            let tf = t as f64;
            let v = (tf * std::f64::consts::TAU / period).sin() + 0.01 * tf;
            let date = jiff::civil::date(2024, 1, 1)
                .checked_add(jiff::Span::new().days(t as i64))
                .unwrap();
            rows.push(format!("{id},{date},{v:.6}"));
        }
    }
    rows.join("\n") + "\n"
}

const SERIES: &[(&str, usize, f64)] = &[("a", 60, 12.0), ("b", 50, 7.0), ("c", 40, 5.0)];

/// The series trained (the first `n - 4` values of each) and the whole of them (with an
/// unknown series and one too short for the folds).
fn write_csvs(dir: &std::path::Path) -> (String, String) {
    let trained: Vec<(&str, usize, f64)> =
        SERIES.iter().map(|&(id, n, p)| (id, n - 4, p)).collect();
    let train = dir.join("train.csv");
    std::fs::write(&train, long_csv(&trained)).unwrap();
    let mut all = SERIES.to_vec();
    all.push(("new", 30, 6.0));
    let whole = dir.join("whole.csv");
    std::fs::write(&whole, long_csv(&all)).unwrap();
    (
        train.to_str().unwrap().to_string(),
        whole.to_str().unwrap().to_string(),
    )
}

fn rows(path: &std::path::Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn every_series_is_backtested_and_a_last_fold_is_the_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let (train, whole) = write_csvs(dir.path());
    for mode in ["local", "global"] {
        let out = dir.path().join(mode);
        let out_s = out.to_str().unwrap();
        // The global model keeps its run's season, which its backtest takes; the local one is
        // trained without and given the season at the backtest.
        let extra: &[&str] = if mode == "global" {
            &["--global", "--season", "7"]
        } else {
            &[]
        };
        let (code, _, err) = run(&common::many_train_args(&train, out_s, "2", extra));
        assert_eq!(code, 0, "{err}");
        let model = out.join("model.recur");
        let model = model.to_str().unwrap();
        let fc = dir.path().join(format!("{mode}-f"));
        let (code, _, err) = run(&[
            "forecast",
            "--model",
            model,
            "--horizon",
            "4",
            "--out",
            fc.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        let forecasts = rows(&fc.join("forecast.csv"));

        let bt = dir.path().join(format!("{mode}-bt"));
        let bt_s = bt.to_str().unwrap();
        let mut args = vec![
            "backtest",
            "--model",
            model,
            "--csv",
            &whole,
            "--folds",
            "2",
            "--horizon",
            "4",
            "--out",
            bt_s,
        ];
        if mode == "local" {
            args.extend(["--season", "7"]);
        }
        let (code, text, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        assert!(text.contains("backtest of 3 series"), "{text}");
        assert!(text.contains("series beating persistence"), "{text}");
        assert!(text.contains("new: not in the model"), "{text}");
        let csv = rows(&bt.join("backtest.csv"));
        assert_eq!(
            csv[0],
            [
                "unique_id",
                "fold",
                "origin",
                "step",
                "position",
                "ds",
                "actual",
                "model",
                "persistence",
                "seasonal_naive",
                "window_mean"
            ]
        );
        assert_eq!(csv.len(), 1 + 3 * 2 * 4);
        // Fold 2 of each series starts where its training data ended: the model's forecast.
        for id in ["a", "b", "c"] {
            let last: Vec<&Vec<String>> =
                csv.iter().filter(|r| r[0] == id && r[1] == "2").collect();
            let fc: Vec<&Vec<String>> = forecasts.iter().filter(|r| r[0] == id).collect();
            assert_eq!(last.len(), 4);
            for (b, f) in last.iter().zip(&fc) {
                assert_eq!(b[5], f[1], "{mode} {id}: the time");
                let (x, y): (f64, f64) = (b[7].parse().unwrap(), f[3].parse().unwrap());
                assert!(
                    (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                    "{mode} {id}: {x} {y}"
                );
            }
        }
        let series = rows(&bt.join("backtest_series.csv"));
        assert_eq!(series[0][..3], ["unique_id", "status", "folds"]);
        let status: Vec<(&str, &str)> = series[1..]
            .iter()
            .map(|r| (r[0].as_str(), r[1].as_str()))
            .collect();
        assert_eq!(
            status,
            [
                ("a", "backtested"),
                ("b", "backtested"),
                ("c", "backtested"),
                ("new", "skipped")
            ]
        );

        let mut j = args.to_vec();
        j.push("--json");
        let report = json(&j);
        assert_eq!(report["mode"], mode);
        assert_eq!(report["overall"]["series"], 3);
        assert_eq!(report["season"], 7);
        assert_eq!(report["series"].as_array().unwrap().len(), 3);
        assert_eq!(report["series"][0]["folds"].as_array().unwrap().len(), 2);
        assert_eq!(report["skipped"][0]["id"], "new");
        let pooled = report["overall"]["mse"].as_f64().unwrap();
        let each: Vec<f64> = report["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["overall"]["mse"].as_f64().unwrap())
            .collect();
        assert!((pooled - each.iter().sum::<f64>() / 3.0).abs() < 1e-12);
    }
}

#[test]
fn bad_values_are_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (train, whole) = write_csvs(dir.path());
    let out = dir.path().join("m");
    let (code, _, err) = run(&common::many_train_args(
        &train,
        out.to_str().unwrap(),
        "1",
        &[],
    ));
    assert_eq!(code, 0, "{err}");
    let model = out.join("model.recur");
    let model = model.to_str().unwrap();
    let bt = dir.path().join("bt");
    let bt = bt.to_str().unwrap();
    let base = ["backtest", "--model", model, "--out", bt];
    let cases: &[(&[&str], &str)] = &[
        (
            &["--csv", &whole, "--folds", "0", "--horizon", "2"],
            "--folds",
        ),
        (
            &["--csv", &whole, "--folds", "2", "--horizon", "40"],
            "--folds 2 --horizon 40",
        ),
        (&["--folds", "2", "--horizon", "2"], "--csv"),
        (
            &[
                "--csv",
                &whole,
                "--folds",
                "2",
                "--horizon",
                "2",
                "--step",
                "3",
            ],
            "--step",
        ),
        (
            &[
                "--csv",
                &whole,
                "--folds",
                "2",
                "--horizon",
                "2",
                "--id-column",
                "nope",
            ],
            "nope",
        ),
    ];
    for (extra, needle) in cases {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        let (code, _, err) = run(&a);
        assert_eq!(code, 2, "{a:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{a:?}: {err}");
        assert!(err.contains(needle), "{a:?}: {err}");
    }
    // A local model refits each series per fold; a global one is refused.
    let refit = [
        "--csv",
        &whole,
        "--folds",
        "2",
        "--horizon",
        "2",
        "--refit",
        "--epochs",
        "1",
        "--json",
    ];
    let mut a = base.to_vec();
    a.extend_from_slice(&refit);
    let report = json(&a);
    assert_eq!(report["refit"], true);
    assert_eq!(report["overall"]["series"], 3);
    let global = dir.path().join("g");
    let (code, _, err) = run(&common::many_train_args(
        &train,
        global.to_str().unwrap(),
        "1",
        &["--global"],
    ));
    assert_eq!(code, 0, "{err}");
    let g = global.join("model.recur");
    let mut a = vec!["backtest", "--model", g.to_str().unwrap(), "--out", bt];
    a.extend_from_slice(&refit);
    let (code, _, err) = run(&a);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--refit") && err.contains("global"), "{err}");
    // --id-column is refused for a one-series model.
    let one = dir.path().join("one");
    let (code, _, err) = run(&[
        "train",
        "--epochs",
        "1",
        "--n",
        "120",
        "--split",
        "100",
        "--verbose",
        "0",
        "--out",
        one.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&[
        "backtest",
        "--model",
        one.join("model.recur").to_str().unwrap(),
        "--folds",
        "2",
        "--horizon",
        "2",
        "--csv",
        &whole,
        "--id-column",
        "unique_id",
        "--out",
        bt,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--id-column"), "{err}");
}
