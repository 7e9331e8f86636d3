//! Covariates (`train --features`, `forecast --future-csv`): a target driven by a lagged
//! covariate is learned from it, the windows hold it, its scaling is saved and reused, and
//! forecasts read its future values (or say they need them).

mod common;

use std::path::Path;

use common::{json, run};

/// A reproducible uniform draw in [-1, 1) (xorshift64*), so the test needs no rand crate.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// `y[t] = 2 x[t-1] + small noise` with `x` uniform in [-1, 1): `y` alone is white noise, `x`
/// tells its next value exactly. Daily dates from 2020-01-01; returns the series file, the
/// future file (`future` rows of `ds,x` after the series) and those future x values.
fn lagged(dir: &Path, n: usize, future: usize) -> (String, String, Vec<f64>) {
    let mut d = Draws(0x9E37_79B9_7F4A_7C15);
    let x: Vec<f64> = (0..n + future).map(|_| d.next()).collect();
    let day =
        |t: usize| (jiff::civil::date(2020, 1, 1) + jiff::Span::new().days(t as i64)).to_string();
    let mut s = String::from("ds,y,x\n");
    for t in 0..n {
        let y = if t == 0 { 0.0 } else { 2.0 * x[t - 1] } + 0.05 * d.next();
        s.push_str(&format!("{},{y:.6},{:.6}\n", day(t), x[t]));
    }
    let series = dir.join("lagged.csv");
    std::fs::write(&series, s).unwrap();
    let mut f = String::from("ds,x\n");
    for (k, v) in x[n..].iter().enumerate() {
        f.push_str(&format!("{},{v:.6}\n", day(n + k)));
    }
    let fut = dir.join("future.csv");
    std::fs::write(&fut, f).unwrap();
    let shown = |p: &Path| p.to_str().unwrap().to_string();
    (shown(&series), shown(&fut), x[n..].to_vec())
}

/// `recur train --json` on `csv` (y with the time column ds, T = 0.75, step 3) for `epochs`.
fn train(csv: &str, out: &Path, epochs: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "train",
        "--csv",
        csv,
        "--column",
        "y",
        "--time-column",
        "ds",
        "--split",
        "0.75",
        "--step",
        "3",
        "--epochs",
        epochs,
        "--verbose",
        "0",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    json(&args)
}

#[test]
fn a_lagged_covariate_is_learned_on_both_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, _, _) = lagged(dir.path(), 400, 0);
    for layout in ["tutorial", "sequence"] {
        let out = dir.path().join(layout);
        let with = train(&csv, &out, "20", &["--layout", layout, "--features", "x"]);
        let without = train(&csv, &out, "20", &["--layout", layout]);
        let (a, b) = (
            with["test_mse_observed"].as_f64().unwrap(),
            without["test_mse_observed"].as_f64().unwrap(),
        );
        // Without x the target is noise of variance 4/3; with it, nearly the noise floor.
        assert!(a < 0.1 * b, "{layout}: {a} with x against {b} without");
        assert!(b > 0.8, "{layout}: {b}");
        assert_eq!(with["features"], serde_json::json!(["x"]));
        assert_eq!(with["feature_scale"], "standard");
        assert!(without.get("features").is_none());
        let shape = if layout == "tutorial" {
            [300, 1, 6]
        } else {
            [300, 3, 2]
        };
        assert_eq!(with["shapes"]["train"], serde_json::json!(shape));
        assert_eq!(with["config"]["model"]["features"], 2);
    }
}

#[test]
fn windows_hold_the_target_then_the_scaled_covariate_at_each_step() {
    use cli::args::{DataArgs, SeriesArgs};
    use cli::data_config::DataConfigArgs;
    use forecast::series::DataConfig;
    let dir = tempfile::tempdir().unwrap();
    let (csv, _, _) = lagged(dir.path(), 40, 0);
    let args = DataArgs {
        series: SeriesArgs {
            csv: Some(csv.clone().into()),
            column: Some("y".parse().unwrap()),
            features: Some(cli::parsers::feature_columns("x").unwrap()),
            step: Some(3),
            layout: Some("sequence".parse().unwrap()),
            no_pad: true,
            ..SeriesArgs::default()
        },
        split: Some("30".parse().unwrap()),
        ..DataArgs::default()
    };
    let (series, ds) = DataConfig::from_args(&args, None).unwrap().load().unwrap();
    assert_eq!(ds.train.x.shape(), [27, 3, 2]);
    let x = &series.covariates()[0].values;
    let s = data::Scaler::fit(data::ScaleKind::Standard, &x[..30]).unwrap();
    let y = series.values();
    let want: Vec<f32> = (0..3)
        .flat_map(|t| [y[t] as f32, s.transform(x[t]) as f32])
        .collect();
    assert_eq!(ds.train.x.row(0).unwrap(), &want[..]);
    assert_eq!(ds.train.y[0], y[3] as f32);
    assert_eq!(ds.covariate_scalers, vec![s]);
}

#[test]
fn the_saved_scaling_gives_evaluate_and_predict_the_training_figures() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, _, _) = lagged(dir.path(), 200, 0);
    let out = dir.path().join("run");
    let r = train(&csv, &out, "3", &["--features", "x", "--scale", "minmax"]);
    assert_eq!(r["feature_scale"], "minmax");
    let model = out.join("model.recur");
    let m = model.to_str().unwrap();
    // A recur that predates covariates must refuse the file, not misread it: a new tag.
    let bytes = std::fs::read(&model).unwrap();
    let has = |s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(has("recur-cli-settings/3") && !has("recur-cli-settings/1"));
    let e = json(&["evaluate", "--model", m, "--json"]);
    for key in [
        "test_mse",
        "train_mse",
        "test_mse_observed",
        "baseline_test_mse",
    ] {
        assert_eq!(e[key], r[key], "{key}");
    }
    assert_eq!(e["features"], serde_json::json!(["x"]));
    // From the model file alone, and from the CSV again: the training figure both ways.
    let p = json(&["predict", "--model", m, "--json"]);
    assert_eq!(p["next_value"], r["next_value"]);
    assert_eq!(p["next_value_tutorial"], r["next_value_tutorial"]);
    let p = json(&[
        "predict",
        "--model",
        m,
        "--csv",
        &csv,
        "--column",
        "y",
        "--time-column",
        "ds",
        "--split",
        "0.75",
        "--json",
    ]);
    assert_eq!(p["next_value"], r["next_value"]);
    // A model without covariates keeps its tag.
    let plain = dir.path().join("plain");
    train(&csv, &plain, "1", &[]);
    let bytes = std::fs::read(plain.join("model.recur")).unwrap();
    assert!(bytes.windows(20).any(|w| w == b"recur-cli-settings/1"));
}

#[test]
fn forecast_reads_the_future_covariates_and_continues_the_times() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, future, x) = lagged(dir.path(), 400, 8);
    let out = dir.path().join("run");
    let r = train(
        &csv,
        &out,
        "20",
        &["--features", "x", "--layout", "sequence"],
    );
    let m = out.join("model.recur");
    let m = m.to_str().unwrap();
    let o = dir.path().join("f");
    let f = json(&[
        "forecast",
        "--model",
        m,
        "--horizon",
        "6",
        "--future-csv",
        &future,
        "--json",
        "--out",
        o.to_str().unwrap(),
    ]);
    assert_eq!(f["future_rows"], 5);
    assert_eq!(f["features"], serde_json::json!(["x"]));
    let times: Vec<&str> = f["times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    // 400 days from 2020-01-01 end on 2021-02-03.
    assert_eq!(times.first(), Some(&"2021-02-04"));
    assert_eq!(times.len(), 6);
    let values: Vec<f64> = f["forecast"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // Step 1 is predict's value; each later step follows the future x before it.
    assert_eq!(values[0], r["next_value"].as_f64().unwrap());
    for k in 1..6 {
        let want = 2.0 * x[k - 1];
        assert!(
            (values[k] - want).abs() < 0.35,
            "step {}: {} against {want}",
            k + 1,
            values[k]
        );
    }
    let text = std::fs::read_to_string(o.join("forecast.csv")).unwrap();
    assert!(
        text.starts_with("ds,step,index,forecast\n2021-02-04,1,400,"),
        "{text}"
    );
    // One value needs no future rows; a direct model's first block neither.
    let (code, _, err) = run(&[
        "forecast",
        "--model",
        m,
        "--horizon",
        "1",
        "--out",
        o.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
}

/// Runs a command that must fail with exit status 2 and one line of stderr; returns it.
fn refused(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 2, "{args:?}: {out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn forecasts_without_enough_future_covariates_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, future, _) = lagged(dir.path(), 120, 3);
    let out = dir.path().join("run");
    train(&csv, &out, "1", &["--features", "x"]);
    let m = out.join("model.recur");
    let m = m.to_str().unwrap();
    let o = dir.path().join("f");
    let o = o.to_str().unwrap();
    let err = refused(&["forecast", "--model", m, "--horizon", "4", "--out", o]);
    assert!(
        err.contains("forecast with covariates needs their future values")
            && err.contains("--future-csv")
            && err.contains("'x'"),
        "{err}"
    );
    // Three rows for a forecast that feeds back four.
    let err = refused(&[
        "forecast",
        "--model",
        m,
        "--horizon",
        "5",
        "--future-csv",
        &future,
        "--out",
        o,
    ]);
    assert!(
        err.contains("has 3 row(s)") && err.contains("the 4 time(s)"),
        "{err}"
    );
    // A row off the series' time axis is named.
    let text = std::fs::read_to_string(&future).unwrap();
    let skipped = dir.path().join("skipped.csv");
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&skipped, [lines[0], lines[1], lines[3]].join("\n")).unwrap();
    let err = refused(&[
        "forecast",
        "--model",
        m,
        "--horizon",
        "3",
        "--future-csv",
        skipped.to_str().unwrap(),
        "--out",
        o,
    ]);
    assert!(
        err.contains("line 3") && err.contains("where the series continues at"),
        "{err}"
    );
    // No time column in the future file.
    let untimed = dir.path().join("untimed.csv");
    std::fs::write(&untimed, "x\n0.5\n0.25\n").unwrap();
    let err = refused(&[
        "forecast",
        "--model",
        m,
        "--horizon",
        "3",
        "--future-csv",
        untimed.to_str().unwrap(),
        "--out",
        o,
    ]);
    assert!(err.contains("'ds' not found"), "{err}");
    // Nothing was written by the refusals.
    assert!(!dir.path().join("f").join("forecast.csv").exists());
}

#[test]
fn bad_feature_columns_are_one_line_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, future, _) = lagged(dir.path(), 60, 2);
    let out = dir.path().join("run");
    let o = out.to_str().unwrap();
    let base = [
        "train",
        "--csv",
        &csv,
        "--column",
        "y",
        "--time-column",
        "ds",
        "--split",
        "40",
        "--epochs",
        "1",
        "--verbose",
        "0",
        "--out",
        o,
    ];
    let with = |f: &str| {
        let mut a = base.to_vec();
        a.extend(["--features", f]);
        refused(&a)
    };
    let err = with("price");
    assert!(
        err.contains("--features")
            && err.contains("'price' not found")
            && err.contains("0 'ds', 1 'y', 2 'x'"),
        "{err}"
    );
    assert!(with("y").contains("'y' is the value column"));
    assert!(with("ds").contains("'ds' is the time column"));
    assert!(with("x,x").contains("listed twice"));
    assert!(with("x,2").contains("listed before as 'x'"));
    assert!(with("x,").contains("--features"));
    assert!(!out.exists(), "nothing is written before the data is read");
    // --features needs --csv, and a saved model keeps its own.
    let err = refused(&["train", "--features", "x", "--out", o]);
    assert!(err.contains("--csv"), "{err}");
    json(&{
        let mut a = base.to_vec();
        a.extend(["--features", "x", "--json"]);
        a
    });
    let m = out.join("model.recur");
    let m = m.to_str().unwrap();
    let err = refused(&[
        "evaluate",
        "--model",
        m,
        "--csv",
        &csv,
        "--column",
        "y",
        "--features",
        "y",
    ]);
    assert!(
        err.contains("contradicts the model's saved covariates ('x')"),
        "{err}"
    );
    let err = refused(&["evaluate", "--model", m, "--n", "300"]);
    assert!(err.contains("covariate"), "{err}");
    let err = refused(&["predict", "--model", m, "--window", "1,2,3,4"]);
    assert!(
        err.contains("--window") && err.contains("covariate"),
        "{err}"
    );
    // --future-csv on a model without covariates.
    let plain = dir.path().join("plain");
    json(&{
        let mut a = base.to_vec();
        let last = a.len() - 1;
        a[last] = plain.to_str().unwrap();
        a.push("--json");
        a
    });
    let err = refused(&[
        "forecast",
        "--model",
        plain.join("model.recur").to_str().unwrap(),
        "--horizon",
        "2",
        "--future-csv",
        &future,
        "--out",
        o,
    ]);
    assert!(err.contains("trained without --features"), "{err}");
}

#[test]
fn backtests_and_intervals_take_the_covariates_along() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, future, x) = lagged(dir.path(), 300, 4);
    let out = dir.path().join("run");
    let r = train(
        &csv,
        &out,
        "20",
        &[
            "--features",
            "x",
            "--interval",
            "0.9",
            "--interval-horizon",
            "4",
        ],
    );
    let i = &r["interval"];
    assert!(i["test_coverage"].as_f64().unwrap() > 0.75, "{i}");
    // The covariate makes step 1 sharp: a narrow interval against the target's spread.
    assert!(i["half_widths"][0].as_f64().unwrap() < 0.4, "{i}");
    let m = out.join("model.recur");
    let m = m.to_str().unwrap();
    let o = dir.path().join("f");
    let f = json(&[
        "forecast",
        "--model",
        m,
        "--horizon",
        "4",
        "--interval",
        "0.9",
        "--future-csv",
        &future,
        "--json",
        "--out",
        o.to_str().unwrap(),
    ]);
    assert_eq!(f["lo"].as_array().unwrap().len(), 4);
    let second = f["forecast"][1].as_f64().unwrap();
    assert!((second - 2.0 * x[0]).abs() < 0.35, "{second}");
    // Backtest folds forecast with the covariates known in hindsight: far below persistence.
    let b = json(&[
        "backtest",
        "--model",
        m,
        "--folds",
        "3",
        "--horizon",
        "4",
        "--json",
        "--out",
        o.to_str().unwrap(),
    ]);
    let skill = b["overall"]["skill"].as_f64().unwrap();
    assert!(skill > 0.8, "{skill}");
}

#[test]
fn settings_whose_covariates_disagree_with_their_tag_are_refused() {
    use forecast::series::model_file::{
        ModelFile, SERIES_COVARIATES_FORMAT, SERIES_FORMAT, Settings,
    };
    let dir = tempfile::tempdir().unwrap();
    let (csv, _, _) = lagged(dir.path(), 80, 0);
    let out = dir.path().join("run");
    train(&csv, &out, "1", &["--features", "x"]);
    let file = ModelFile::load(&out.join("model.recur")).unwrap();
    assert_eq!((file.features, file.step), (2, 3));
    let Some(Settings::Series(s)) = &file.settings else {
        panic!("a series model expected");
    };
    assert_eq!(s.format, SERIES_COVARIATES_FORMAT);
    let c = s.covariates.as_ref().unwrap();
    assert_eq!((c.names.len(), c.tails[0].len()), (1, s.tail.len()));
    let refused = |edit: &dyn Fn(&mut forecast::series::model_file::SeriesSettings)| {
        let mut t = s.clone();
        edit(&mut t);
        let path = dir.path().join("edited.recur");
        ModelFile::save(&file.model, &Settings::Series(t), &path).unwrap();
        ModelFile::load(&path).unwrap_err().to_string()
    };
    // The old tag on a model with covariates: an older recur would misread it.
    let e = refused(&|t| t.format = SERIES_FORMAT.into());
    assert!(e.contains("covariates that do not match"), "{e}");
    let e = refused(&|t| t.covariates = None);
    assert!(e.contains("covariates that do not match"), "{e}");
    let e = refused(&|t| {
        t.covariates.as_mut().unwrap().tails[0].pop();
    });
    assert!(e.contains("covariates that do not match"), "{e}");
}
