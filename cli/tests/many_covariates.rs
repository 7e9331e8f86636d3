//! `recur train --id-column --features` and `recur forecast --future-csv` on its model: a
//! covariate that carries the signal lowers the test error (local and global), forecasts read
//! each series' future rows from a long-format file, and bad values are one line with status 2.

mod common;

use common::run;

/// A deterministic driver in `[-1, 1)` without a pattern a window of the target could learn.
fn driver(seed: u64, t: usize) -> f64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(t as u64)
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^= z >> 31;
    z = z.wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 29;
    (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

fn day(t: usize) -> jiff::civil::Date {
    jiff::civil::date(2024, 1, 1)
        .checked_add(jiff::Span::new().days(t as i64))
        .unwrap()
}

/// Rows `unique_id,ds,y,x` of series `a` (120 days) and `b` (100 days), interleaved:
/// `y[t] = 3 x[t-1] + level + small noise`.
fn long_csv() -> String {
    let mut rows = Vec::new();
    for t in 0..120 {
        for (id, seed, n, level) in [("a", 1, 120, -2.0), ("b", 2, 100, 5.0)] {
            if t < n {
                let x = driver(seed, t);
                let lead = if t > 0 { driver(seed, t - 1) } else { 0.0 };
                let y = level + 3.0 * lead + 0.05 * driver(seed + 99, t);
                rows.push(format!("{id},{},{y:.6},{x:.6}", day(t)));
            }
        }
    }
    format!("unique_id,ds,y,x\n{}\n", rows.join("\n"))
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Trains quietly into `out` and returns the JSON report.
fn train(csv: &str, out: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = common::many_train_args(csv, out, "25", &["--json"]);
    args.extend_from_slice(extra);
    common::json(&args)
}

fn forecast(model: &str, out: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["forecast", "--model", model, "--out", out];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn a_covariate_that_carries_the_signal_lowers_the_test_error_and_forecasts_read_future_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "long.csv", &long_csv());
    // Future rows of both series, b's first and out of time order, and a series not in the
    // model: each series starts the day after its own end.
    let future = write(
        dir.path(),
        "future.csv",
        &format!(
            "unique_id,ds,x\nb,{},0.5\nb,{},-0.8\na,{},0.9\nzz,{},0\na,{},-0.9\n",
            day(101),
            day(100),
            day(120),
            day(3),
            day(121)
        ),
    );
    for global in [false, true] {
        let mode: &[&str] = if global { &["--global"] } else { &[] };
        let tag = if global { "g" } else { "l" };
        let with_dir = dir.path().join(format!("with-{tag}"));
        let alone_dir = dir.path().join(format!("alone-{tag}"));
        let with = train(
            &csv,
            with_dir.to_str().unwrap(),
            &[mode, &["--features", "x"]].concat(),
        );
        let alone = train(&csv, alone_dir.to_str().unwrap(), mode);
        let (w, a) = (
            with["test_mse_observed"].as_f64().unwrap(),
            alone["test_mse_observed"].as_f64().unwrap(),
        );
        assert!(w < 0.5 * a, "global {global}: with x {w}, without {a}");
        assert_eq!(with["series"], 2);
        assert_eq!(with["config"]["features"][0], "x", "{}", with["config"]);

        let model = with["outputs"]["model"].as_str().unwrap();
        let f = dir.path().join(format!("f-{tag}"));
        let (code, _, err) = forecast(
            model,
            f.to_str().unwrap(),
            &["--horizon", "3", "--future-csv", &future],
        );
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(f.join("forecast.csv")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 2 * 3);
        assert!(
            lines[1].starts_with(&format!("a,{},1,", day(120))),
            "{text}"
        );
        assert!(
            lines[4].starts_with(&format!("b,{},1,", day(100))),
            "{text}"
        );
        // Each value follows the future x a day before it: a's are 0.9 then -0.9, b's (sorted
        // by time) -0.8 then 0.5, three times that around each level.
        let value = |line: &str| line.rsplit(',').next().unwrap().parse::<f64>().unwrap();
        assert!(value(lines[2]) > value(lines[3]) + 0.5, "{text}");
        assert!(value(lines[5]) + 0.5 < value(lines[6]), "{text}");

        // Without --future-csv: one line naming the flag.
        let f2 = dir.path().join(format!("f2-{tag}"));
        let (code, _, err) = forecast(model, f2.to_str().unwrap(), &["--horizon", "3"]);
        assert_eq!(code, 2);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("future values") && err.contains("--future-csv"),
            "{err}"
        );
        assert!(!f2.exists());
        // One value from a one-step model feeds nothing back: none needed.
        let (code, _, err) = forecast(model, f2.to_str().unwrap(), &["--horizon", "1"]);
        assert_eq!(code, 0, "{err}");
    }
}

/// Asserts a run exited 2 with one line holding every `wanted`.
fn one_line((code, stdout, err): (i32, String, String), wanted: &[&str]) {
    assert_eq!(code, 2, "{stdout}");
    assert_eq!(err.lines().count(), 1, "{err}");
    for w in wanted {
        assert!(err.contains(w), "{w} not in {err}");
    }
}

#[test]
fn bad_covariates_and_future_rows_are_one_line_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "long.csv", &long_csv());
    let out = dir.path().join("o");
    let out = out.to_str().unwrap();
    let features = |f| run(&common::many_train_args(&csv, out, "1", &["--features", f]));
    one_line(features("nope"), &["--features", "'nope'"]);
    one_line(features("unique_id"), &["--features", "unique_id"]);
    assert!(!std::path::Path::new(out).exists());

    let r = common::json(&common::many_train_args(
        &csv,
        out,
        "1",
        &["--features", "x", "--json"],
    ));
    let model = r["outputs"]["model"].as_str().unwrap();
    let f = dir.path().join("f");
    let f = f.to_str().unwrap();
    let with = |future: &str| forecast(model, f, &["--horizon", "3", "--future-csv", future]);
    let a_rows = format!("a,{},1\na,{},2\n", day(120), day(121));
    // A series missing from the file.
    let missing = write(
        dir.path(),
        "missing.csv",
        &format!("unique_id,ds,x\n{a_rows}"),
    );
    one_line(with(&missing), &["series 'b'", "0 row(s)", "missing.csv"]);
    // Too few rows for b.
    let short = write(
        dir.path(),
        "short.csv",
        &format!("unique_id,ds,x\n{a_rows}b,{},1\n", day(100)),
    );
    one_line(with(&short), &["series 'b'", "1 row(s)"]);
    // b's rows start a day late.
    let late = write(
        dir.path(),
        "late.csv",
        &format!(
            "unique_id,ds,x\n{a_rows}b,{},1\nb,{},1\n",
            day(101),
            day(102)
        ),
    );
    one_line(
        with(&late),
        &["series 'b'", &day(101).to_string(), &day(100).to_string()],
    );
    // Without the covariate's column.
    let no_x = write(dir.path(), "nox.csv", "unique_id,ds,z\na,2024-04-30,1\n");
    one_line(with(&no_x), &["'x'", "not found"]);
    assert!(!std::path::Path::new(f).exists());
}

#[test]
fn the_future_file_is_written_as_the_training_file_was() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "long.csv", &long_csv().replace(',', ";"));
    let out = dir.path().join("o");
    let r = common::json(&common::many_train_args(
        &csv,
        out.to_str().unwrap(),
        "1",
        &["--delimiter", ";", "--features", "x", "--json"],
    ));
    let model = r["outputs"]["model"].as_str().unwrap();
    let rows = format!(
        "unique_id;ds;x\na;{};1\na;{};2\nb;{};3\nb;{};4\n",
        day(120),
        day(121),
        day(100),
        day(101)
    );
    let future = write(dir.path(), "future.csv", &rows);
    let f = dir.path().join("f");
    let (code, _, err) = forecast(
        model,
        f.to_str().unwrap(),
        &["--horizon", "3", "--future-csv", &future],
    );
    assert_eq!(code, 0, "{err}");
    // The same rows with commas are one column to a reader of semicolons.
    let commas = write(dir.path(), "commas.csv", &rows.replace(';', ","));
    one_line(
        forecast(
            model,
            f.to_str().unwrap(),
            &["--horizon", "3", "--future-csv", &commas],
        ),
        &["commas.csv", "not found"],
    );
}

#[test]
fn a_backtest_reads_the_covariates_of_the_folds_from_the_long_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "long.csv", &long_csv());
    let out = dir.path().join("o");
    let r = train(&csv, out.to_str().unwrap(), &["--features", "x"]);
    let model = r["outputs"]["model"].as_str().unwrap();
    let bt = dir.path().join("bt");
    let args = [
        "backtest",
        "--model",
        model,
        "--csv",
        &csv,
        "--folds",
        "3",
        "--horizon",
        "2",
        "--json",
        "--out",
        bt.to_str().unwrap(),
    ];
    let report = common::json(&args);
    assert_eq!(report["series"].as_array().unwrap().len(), 2, "{report}");
    // y follows x a step later, which persistence cannot know and the model reads from the
    // folds' own covariate values.
    let (model_mse, persistence) = (
        report["overall"]["mse"].as_f64().unwrap(),
        report["overall"]["persistence_mse"].as_f64().unwrap(),
    );
    assert!(
        model_mse < 0.5 * persistence,
        "{model_mse} vs {persistence}"
    );

    // A long file without the covariate's column: one line naming it.
    let plain: String = long_csv()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    let plain = write(dir.path(), "plain.csv", &plain);
    let bt2 = dir.path().join("bt2");
    let mut args2 = args.to_vec();
    args2[4] = &plain;
    args2[11] = bt2.to_str().unwrap();
    one_line(run(&args2), &["'x'"]);
    assert!(!bt2.exists());
}
