//! Many-series backtests: each fold's forecast is the model file's forecast of the series cut
//! at the origin (local and global, with differencing), the baselines and pooled scores, the
//! series skipped and the settings refused.

mod common;

use data::Differencing;
use forecast::many::{
    ManyBacktestConfig, ManyConfig, ManyRun, Mode, SeriesInput, backtest, train_global, train_local,
};

fn series(id: &str, n: usize, period: f64, trend: f64) -> SeriesInput {
    let values = (0..n)
        .map(|t| {
            let t = t as f64;
            10.0 + (t * std::f64::consts::TAU / period).sin() + trend * t + 0.1 * (t * 7.3).sin()
        })
        .collect();
    SeriesInput {
        id: id.to_string(),
        values,
        times: Some((0..n).map(|t| format!("t{t}")).collect()),
        axis: None,
        covariates: Vec::new(),
    }
}

fn inputs(n: usize) -> Vec<SeriesInput> {
    vec![
        series("a", n, 12.0, 0.02),
        series("b", n + 10, 7.0, -0.01),
        series("c", n - 5, 20.0, 0.0),
    ]
}

fn train(mode: Mode, differencing: Differencing, data: &[SeriesInput]) -> ManyRun {
    let cfg = ManyConfig {
        differencing,
        ..common::many_config(mode, 5)
    };
    match mode {
        Mode::Local => train_local(data, &cfg, &|_| {}).unwrap(),
        Mode::Global => train_global(data, &cfg, &mut |_| {}).unwrap(),
    }
}

fn cfg(folds: usize, horizon: usize) -> ManyBacktestConfig {
    ManyBacktestConfig {
        horizon,
        folds,
        stride: None,
        season: None,
        refit: None,
    }
}

/// Trained on the first values of each series and backtested on the whole of them with one
/// fold at the end of the training data: the fold's forecast is the model's own forecast.
#[test]
fn a_fold_at_the_end_of_the_training_data_is_the_models_forecast() {
    let diff = Differencing {
        order: 1,
        seasonal: None,
    };
    for (mode, d) in [(Mode::Local, Differencing::default()), (Mode::Global, diff)] {
        let h = 6;
        let trained = inputs(60);
        let run = train(mode, d, &trained);
        let longer: Vec<SeriesInput> = trained
            .iter()
            .map(|s| {
                let n = s.values.len();
                let all = series(&s.id, n + h, 1.0, 0.0);
                let mut values = s.values.clone();
                values.extend(&all.values[n..]);
                SeriesInput { values, ..all }
            })
            .collect();
        let bt = backtest(&run.model, &longer, &cfg(1, h)).unwrap();
        assert_eq!(bt.mode, mode);
        assert!(bt.skipped.is_empty(), "{:?}", bt.skipped);
        let forecasts = run.model.forecast(h).unwrap();
        for (s, f) in bt.series.iter().zip(&forecasts) {
            assert_eq!(s.id, f.id);
            assert_eq!(s.columns.model, f.values, "{mode:?} {}", s.id);
            let fold = &s.folds[0];
            let n = s.geometry[0].origin;
            assert_eq!(
                n + h,
                longer.iter().find(|x| x.id == s.id).unwrap().values.len()
            );
            assert!(!fold.in_training_part);
            assert_eq!(fold.origin_time.as_deref(), Some(format!("t{n}").as_str()));
            let times = s.times.as_ref().unwrap();
            assert_eq!(times[0], format!("t{n}"));
            assert_eq!(times.len(), h);
        }
    }
}

#[test]
fn baselines_pooled_scores_and_skips() {
    let data = inputs(60);
    let run = train(Mode::Local, Differencing::default(), &data);
    let mut with_extra = data.clone();
    with_extra.push(series("new", 60, 5.0, 0.0));
    // "c" is in the model but not in the data.
    with_extra.retain(|s| s.id != "c");
    let c = ManyBacktestConfig {
        stride: Some(2),
        season: Some(12),
        ..cfg(3, 4)
    };
    let bt = backtest(&run.model, &with_extra, &c).unwrap();
    let ids: Vec<&str> = bt.series.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    let skipped: Vec<(&str, &str)> = bt
        .skipped
        .iter()
        .map(|s| (s.id.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [("c", "not in the data"), ("new", "not in the model")]
    );
    assert_eq!((bt.horizon, bt.stride, bt.season), (4, 2, Some(12)));
    for s in &bt.series {
        let values = &with_extra.iter().find(|x| x.id == s.id).unwrap().values;
        let n = values.len();
        let origins: Vec<usize> = s.geometry.iter().map(|f| f.origin).collect();
        assert_eq!(origins, [n - 8, n - 6, n - 4]);
        // Persistence repeats the value before the origin; the actual values follow it.
        assert_eq!(s.columns.persistence[0], values[n - 9]);
        assert_eq!(s.columns.actual[..4], values[n - 8..n - 4]);
        assert_eq!(s.columns.seasonal.as_ref().unwrap().len(), 12);
        assert_eq!(s.by_step.mse.len(), 4);
        assert!(s.folds.iter().all(|f| f.seasonal_naive_mse.is_some()));
        // Origins after 80% of the series as trained are out of sample.
        let trained_n = data.iter().find(|x| x.id == s.id).unwrap().values.len();
        for f in &s.folds {
            assert_eq!(f.in_training_part, f.origin < trained_n * 4 / 5);
        }
    }
    // The long table: every series, fold and step, in id order.
    let r = bt.rows();
    assert_eq!(r.id.len(), 2 * 3 * 4);
    assert_eq!((r.id[0].as_str(), r.id[12].as_str()), ("a", "b"));
    assert_eq!(r.step[..5], [1, 2, 3, 4, 1]);
    assert_eq!(r.model[12..], bt.series[1].columns.model);
    assert_eq!(
        r.time.as_ref().unwrap()[12],
        bt.series[1].times.as_ref().unwrap()[0]
    );
    assert_eq!(r.seasonal_naive.as_ref().unwrap().len(), 24);
    let mean = |f: fn(&forecast::many::SeriesBacktest) -> f64| {
        bt.series.iter().map(f).sum::<f64>() / bt.series.len() as f64
    };
    let o = &bt.overall;
    assert_eq!(o.series, 2);
    assert!((o.mse - mean(|s| s.overall.mse)).abs() < 1e-12);
    assert!((o.persistence_mse - mean(|s| s.overall.persistence_mse)).abs() < 1e-12);
    assert!(o.seasonal_naive_mse.is_some());
    let beating = bt
        .series
        .iter()
        .filter(|s| s.overall.mse < s.overall.persistence_mse)
        .count();
    assert_eq!(o.series_beating_persistence, beating);

    // A series too short for the folds is skipped with the reason.
    let mut short = data.clone();
    short.push(series("d", 8, 5.0, 0.0));
    let run = train(
        Mode::Local,
        Differencing::default(),
        &[data[0].clone(), series("d", 30, 5.0, 0.0)],
    );
    let bt = backtest(&run.model, &short, &cfg(3, 4)).unwrap();
    assert_eq!(bt.series.len(), 1);
    let d = bt.skipped.iter().find(|s| s.id == "d").unwrap();
    assert!(d.reason.contains("--folds 3 --horizon 4"), "{}", d.reason);
}

#[test]
fn bad_settings_and_no_series_left_are_errors() {
    let data = inputs(60);
    let run = train(Mode::Global, Differencing::default(), &data);
    for (c, flag) in [
        (cfg(0, 3), "--folds"),
        (cfg(2, 0), "--horizon"),
        (
            ManyBacktestConfig {
                stride: Some(0),
                ..cfg(2, 3)
            },
            "--stride",
        ),
        (
            ManyBacktestConfig {
                season: Some(0),
                ..cfg(2, 3)
            },
            "--season",
        ),
    ] {
        let e = backtest(&run.model, &data, &c).unwrap_err().to_string();
        assert!(e.contains(flag), "{e}");
    }
    let e = backtest(&run.model, &data, &cfg(5, 20))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("--folds 5 --horizon 20") && e.contains("no series"),
        "{e}"
    );
    let e = backtest(&run.model, &[series("zz", 60, 5.0, 0.0)], &cfg(1, 2))
        .unwrap_err()
        .to_string();
    assert!(e.contains("'a'") && e.contains("not in the data"), "{e}");
}

/// A refit retrains each local series' model on each fold's history: seeded by its series and
/// the fold, so the same on any thread count; a global model is refused.
#[test]
fn a_refit_retrains_each_series_per_fold() {
    let data = inputs(60);
    let run = train(Mode::Local, Differencing::default(), &data);
    let c = ManyBacktestConfig {
        refit: Some(forecast::FitSettings {
            epochs: 2,
            ..common::many_config(Mode::Local, 5).fit
        }),
        ..cfg(2, 3)
    };
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| backtest(&run.model, &data, &c).unwrap())
    };
    let (one, two) = (on(1), on(2));
    assert!(one.refit);
    assert_eq!(one.series.len(), 3);
    for (a, b) in one.series.iter().zip(&two.series) {
        assert_eq!(a.columns, b.columns);
        assert!(a.folds.iter().all(|f| !f.in_training_part));
    }
    let saved = backtest(&run.model, &data, &cfg(2, 3)).unwrap();
    assert!(!saved.refit);
    assert_ne!(saved.series[0].columns.model, one.series[0].columns.model);
    assert_eq!(saved.series[0].columns.actual, one.series[0].columns.actual);

    let global = train(Mode::Global, Differencing::default(), &data);
    let e = backtest(&global.model, &data, &c).unwrap_err().to_string();
    assert!(e.contains("--refit") && e.contains("global"), "{e}");
}
