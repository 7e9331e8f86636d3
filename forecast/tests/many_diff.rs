//! Many-series runs with differencing and the seasonal naive baseline: predictions and
//! forecasts back in series units (local and global), the observed scores beside the
//! baselines, the model file's tail, and the series and settings refused.

mod common;

use data::Differencing;
use forecast::many::{ManyConfig, ManyModel, Mode, SeriesInput, train_global, train_local};

/// A steep line with a small season of 6: `50 + 2 t + sin(2 pi t / 6)`.
fn trending(id: &str, n: usize, slope: f64) -> SeriesInput {
    SeriesInput {
        id: id.to_string(),
        values: (0..n)
            .map(|t| {
                let t = t as f64;
                50.0 + slope * t + (t * std::f64::consts::TAU / 6.0).sin()
            })
            .collect(),
        times: None,
        axis: None,
        covariates: Vec::new(),
    }
}

fn config(mode: Mode, differencing: Differencing, season: Option<usize>) -> ManyConfig {
    ManyConfig {
        differencing,
        season,
        interval: None,
        ..common::many_config(mode, 1)
    }
}

const DIFF: Differencing = Differencing {
    order: 1,
    seasonal: None,
};

fn inputs() -> Vec<SeriesInput> {
    vec![
        trending("up", 100, 2.0),
        trending("down", 90, -3.0),
        trending("short", 7, 2.0),
    ]
}

/// Checks that every prediction and forecast of a differenced run follows its series' trend:
/// a model of the differences predicts `x[t-1]` plus about one slope, never a value far from the
/// line, whatever little it learnt in three epochs.
fn check_in_series_units(run: &forecast::many::ManyRun, all: &[SeriesInput]) {
    for p in &run.predictions {
        let input = all.iter().find(|s| s.id == p.id).unwrap();
        for &(t, v, _) in &p.placed {
            let err = (v - input.values[t]).abs();
            assert!(err < 15.0, "{} at {t}: {v} for {}", p.id, input.values[t]);
        }
    }
    let forecasts = run.model.forecast(5).unwrap();
    for f in &forecasts {
        let input = all.iter().find(|s| s.id == f.id).unwrap();
        let n = input.values.len();
        let slope = input.values[n - 1] - input.values[n - 7];
        for (k, v) in f.values.iter().enumerate() {
            // The line continued k + 1 steps, within a few slopes of the season and the model.
            let line = input.values[n - 1] + slope / 6.0 * (k + 1) as f64;
            assert!(
                (v - line).abs() < 20.0,
                "{} step {}: {v} far from {line}",
                f.id,
                k + 1
            );
        }
    }
}

#[test]
fn local_and_global_runs_learn_differences_and_answer_in_series_units() {
    let all = inputs();
    for mode in [Mode::Local, Mode::Global] {
        let cfg = config(mode, DIFF, Some(6));
        let run = match mode {
            Mode::Local => train_local(&all, &cfg, &|_| {}).unwrap(),
            Mode::Global => train_global(&all, &cfg, &mut |_| {}).unwrap(),
        };
        assert_eq!(run.model.ids(), ["down", "up"], "{mode:?}");
        assert_eq!(run.skipped[0].id, "short");
        check_in_series_units(&run, &all);
        for m in &run.metrics {
            let s = m.seasonal_naive_test_mse.unwrap();
            // A line of slope 2 or 3 plus a season of 6: the seasonal naive error is the trend
            // over a season, exactly.
            let slope = if m.id == "up" { 2.0 } else { 3.0 };
            assert!((s - (6.0 * slope) * (6.0 * slope)).abs() < 1e-6, "{m:?}");
            assert!(m.persistence_test_mse > 0.0 && m.test_mse_observed.is_finite());
            let best = s.min(m.persistence_test_mse);
            assert_eq!(m.skill, Some(1.0 - m.test_mse_observed / best));
        }
        // The model file keeps the tail differencing needs, and reads back to the same
        // forecasts.
        let bytes = run.model.to_bytes().unwrap();
        let back = ManyModel::from_bytes(&bytes).unwrap();
        assert_eq!(back.forecast(4).unwrap(), run.model.forecast(4).unwrap());
        for member in &back.members {
            assert_eq!(member.settings.differencing, DIFF);
            assert!(member.settings.series.iter().all(|s| s.tail.len() == 4 + 1));
        }
    }
}

#[test]
fn a_seasonal_difference_is_undone_in_forecasts() {
    let all = vec![trending("up", 120, 2.0)];
    let seasonal = Differencing {
        order: 0,
        seasonal: Some(6),
    };
    let run = train_local(&all, &config(Mode::Local, seasonal, None), &|_| {}).unwrap();
    assert_eq!(run.metrics[0].seasonal_naive_test_mse, None);
    check_in_series_units(&run, &all);
    let member = &run.model.members[0];
    assert_eq!(member.settings.series[0].tail.len(), 4 + 6);
    assert_eq!(member.settings.series[0].tail[..], all[0].values[110..]);
}

#[test]
fn without_differencing_the_member_settings_are_those_of_older_files() {
    let run = train_local(
        &inputs(),
        &config(Mode::Local, Differencing::default(), None),
        &|_| {},
    )
    .unwrap();
    let doc = serde_json::to_value(&run.model.members[0].settings).unwrap();
    assert!(doc.get("differencing").is_none(), "{doc}");
    assert_eq!(run.model.members[0].settings.series[0].tail.len(), 4);
}

#[test]
fn short_series_bad_seasons_and_bad_differences() {
    // T = 32 of 40 values: a season of 32 has no value a season before the first test value.
    let all = vec![trending("a", 40, 1.0), trending("b", 100, 1.0)];
    let run = train_local(
        &all,
        &config(Mode::Local, Differencing::default(), Some(32)),
        &|_| {},
    )
    .unwrap();
    assert_eq!(run.skipped.len(), 1);
    let reason = &run.skipped[0].reason;
    assert!(
        reason.contains("season 32") && reason.contains("T = 32"),
        "{reason}"
    );
    // Every series skipped for its season: the run is an error saying why.
    let e = train_global(
        &all,
        &config(Mode::Global, Differencing::default(), Some(500)),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(e.to_string().contains("season 500"), "{e}");

    // Ten values: T = 8 is not longer than the 13 values `--diff 1 --seasonal-diff 12`
    // consumes: skipped with the reason.
    let seasonal = Differencing {
        order: 1,
        seasonal: Some(12),
    };
    let ten = [trending("ten", 10, 1.0)];
    let e = train_local(&ten, &config(Mode::Local, seasonal, None), &|_| {}).unwrap_err();
    assert!(e.to_string().contains("differencing"), "{e}");

    for (d, season, word) in [
        (
            Differencing {
                order: 3,
                seasonal: None,
            },
            None,
            "diff",
        ),
        (
            Differencing {
                order: 0,
                seasonal: Some(0),
            },
            None,
            "seasonal_diff",
        ),
        (Differencing::default(), Some(0), "season 0"),
    ] {
        let e = train_local(&all, &config(Mode::Local, d, season), &|_| {}).unwrap_err();
        assert!(e.to_string().contains(word), "{word}: {e}");
    }
}
