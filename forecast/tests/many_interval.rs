//! Many-series runs with split-conformal intervals and direct multi-step models: each series
//! calibrated on its own held-out targets (local and global), the calibration kept with its
//! series in the model file (absent without intervals), intervals around forecasts, series
//! too short for the residuals skipped, and direct models scored and forecast by blocks.

mod common;

use data::WindowConfig;
use forecast::many::{
    ManyConfig, ManyModel, ManyRun, Mode, SeriesInput, SeriesOutcome, train_global,
    train_in_order_until, train_local,
};
use forecast::series::IntervalConfig;
use forecast::spec::ModelSpec;

fn series(id: &str, n: usize, period: f64) -> SeriesInput {
    let values = (0..n)
        .map(|t| {
            let t = t as f64;
            (t * std::f64::consts::TAU / period).sin() + 0.01 * t + 0.2 * (t * 7.3).sin()
        })
        .collect();
    SeriesInput {
        id: id.to_string(),
        values,
        times: None,
        axis: None,
        covariates: Vec::new(),
    }
}

fn inputs() -> Vec<SeriesInput> {
    vec![
        series("b", 180, 9.0),
        series("a", 200, 12.0),
        series("short", 60, 7.0),
    ]
}

fn config(mode: Mode, interval: Option<IntervalConfig>, horizon: usize) -> ManyConfig {
    let base = common::many_config(mode, 3);
    ManyConfig {
        windows: WindowConfig {
            pad: horizon == 1,
            ..base.windows
        },
        model: ModelSpec {
            horizon,
            ..base.model
        },
        interval,
        ..base
    }
}

const AT_90: IntervalConfig = IntervalConfig { p: 0.9, horizon: 4 };

fn run(mode: Mode, interval: Option<IntervalConfig>, horizon: usize) -> ManyRun {
    let cfg = config(mode, interval, horizon);
    match mode {
        Mode::Local => train_local(&inputs(), &cfg, &|_| {}).unwrap(),
        Mode::Global => train_global(&inputs(), &cfg, &mut |_| {}).unwrap(),
    }
}

#[test]
fn each_series_is_calibrated_and_its_forecasts_get_intervals() {
    for mode in [Mode::Local, Mode::Global] {
        let r = run(mode, Some(AT_90), 1);
        assert_eq!(r.skipped.len(), 1, "{mode:?}");
        assert_eq!(r.skipped[0].id, "short");
        assert!(
            r.skipped[0].reason.contains("--interval-horizon 4"),
            "{}",
            r.skipped[0].reason
        );
        for m in &r.metrics {
            let c = m.interval_coverage.unwrap();
            assert!((0.0..=1.0).contains(&c), "{mode:?} {}: {c}", m.id);
            assert!(m.interval_half_width.unwrap() > 0.0);
        }
        // Every series keeps its own residuals: 4 steps of them.
        let states: Vec<_> = r
            .model
            .members
            .iter()
            .flat_map(|m| &m.settings.series)
            .collect();
        assert_eq!(states.len(), 2);
        for s in &states {
            let cal = s.calibration.as_ref().unwrap();
            assert_eq!(cal.horizons(), 4);
            assert!(cal.min_count() >= 20, "{}", cal.min_count());
        }
        assert_ne!(states[0].calibration, states[1].calibration);

        let f80 = r.model.forecast_with_interval(4, Some(0.8)).unwrap();
        let f95 = r.model.forecast_with_interval(4, Some(0.95)).unwrap();
        let plain = r.model.forecast(4).unwrap();
        for ((a, b), p) in f80.iter().zip(&f95).zip(&plain) {
            assert_eq!(a.values, p.values);
            assert!(p.lo.is_none() && p.hi.is_none());
            let (lo, hi) = (a.lo.as_ref().unwrap(), a.hi.as_ref().unwrap());
            let (lo95, hi95) = (b.lo.as_ref().unwrap(), b.hi.as_ref().unwrap());
            for k in 0..4 {
                assert!(lo[k] < a.values[k] && a.values[k] < hi[k]);
                assert!(lo95[k] <= lo[k] && hi95[k] >= hi[k]);
            }
        }
        // The model file keeps the calibration.
        let back = ManyModel::from_bytes(&r.model.to_bytes().unwrap()).unwrap();
        assert_eq!(back.forecast_with_interval(4, Some(0.8)).unwrap(), f80);
        // Past the calibrated steps, or beyond what the residuals allow: usage errors naming
        // the flag.
        let e = r.model.forecast_with_interval(5, Some(0.8)).unwrap_err();
        assert!(e.to_string().contains("--interval-horizon"), "{e}");
        let e = r.model.forecast_with_interval(4, Some(0.999)).unwrap_err();
        assert!(e.to_string().contains("--interval 0.999"), "{e}");
    }
}

#[test]
fn without_intervals_files_keep_no_calibration_and_models_fit_every_window() {
    let plain = run(Mode::Local, None, 1);
    assert_eq!(plain.metrics.len(), 3);
    for m in &plain.model.members {
        let doc = serde_json::to_value(&m.settings).unwrap();
        assert!(doc["series"][0].get("calibration").is_none(), "{doc}");
    }
    assert!(plain.metrics.iter().all(|m| m.interval_coverage.is_none()));
    let e = plain
        .model
        .forecast_with_interval(3, Some(0.9))
        .unwrap_err();
    assert!(e.to_string().contains("no calibration"), "{e}");
    // With intervals, fit sees only the windows before the held-out targets: other models.
    let held = run(Mode::Local, Some(AT_90), 1);
    assert_ne!(held.metrics[0].test_mse, plain.metrics[0].test_mse);
    assert_eq!(
        held.metrics[0].train_windows,
        plain.metrics[0].train_windows
    );
}

#[test]
fn in_order_runner_calibrates_as_the_parallel_one() {
    let cfg = config(Mode::Local, Some(AT_90), 2);
    let parallel = train_local(&inputs(), &cfg, &|_| {}).unwrap();
    let never = std::sync::atomic::AtomicBool::new(false);
    let outcomes = train_in_order_until(&inputs(), &cfg, &never).unwrap();
    let members: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            SeriesOutcome::Trained { member, .. } => Some(member.bytes.clone()),
            SeriesOutcome::Skipped(_) => None,
        })
        .collect();
    let joined = ManyModel::from_members(members).unwrap();
    assert_eq!(
        joined.to_bytes().unwrap(),
        parallel.model.to_bytes().unwrap()
    );
}

#[test]
fn direct_models_score_their_first_output_and_forecast_by_blocks() {
    for mode in [Mode::Local, Mode::Global] {
        let r = run(mode, None, 3);
        assert_eq!(r.metrics.len(), 3, "{mode:?}: {:?}", r.skipped);
        let a = &r.metrics[0];
        assert_eq!(a.id, "a");
        // No padding, 3 targets per window: T - step - H + 1 windows.
        assert_eq!(a.train_windows, 160 - 4 - 3 + 1);
        assert_eq!(a.test_windows, 40 - 4 - 3 + 1);
        assert!(a.test_mse_observed.is_finite() && a.train_mse.is_finite());
        // One horizon-1 prediction per one-step window.
        assert_eq!(r.predictions[0].placed.len(), 200 - 2 * 4);
        // One forward pass gives the first 3 values; the block after them starts from those.
        let f3 = r.model.forecast(3).unwrap();
        let f7 = r.model.forecast(7).unwrap();
        let f1 = r.model.forecast(1).unwrap();
        for ((a, b), c) in f3.iter().zip(&f7).zip(&f1) {
            assert_eq!(a.values[..], b.values[..3]);
            assert_eq!(c.values[0], a.values[0]);
            assert_eq!(b.values.len(), 7);
        }
    }
    // The tutorial's padding would make up targets: refused before any training.
    let mut cfg = config(Mode::Local, None, 3);
    cfg.windows.pad = true;
    let e = train_local(&inputs(), &cfg, &|_| {}).unwrap_err();
    assert!(e.to_string().contains("--no-pad"), "{e}");
    let mut cfg = config(Mode::Local, Some(AT_90), 1);
    cfg.interval = Some(IntervalConfig { p: 1.0, horizon: 4 });
    let e = train_local(&inputs(), &cfg, &|_| {}).unwrap_err();
    assert!(e.to_string().contains("--interval"), "{e}");
}
