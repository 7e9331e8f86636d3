//! Covariates in many-series runs: windows of `1 + F` channels scaled per series, a covariate
//! that carries the signal beating the target alone (local and global), the model file's
//! covariate settings (files without them byte for byte what they were), forecasts from future
//! values given as columns or a long-format CSV, and the errors naming the series.

mod common;

use std::collections::BTreeMap;

use data::{Covariate, Differencing, Scaler};
use forecast::many::{
    ColumnNames, MEMBER_COVARIATES_FORMAT, MEMBER_FORMAT, ManyConfig, ManyFuture, ManyModel,
    ManyRun, Member, MemberSettings, Mode, SeriesInput, SeriesState, train_global, train_local,
};
use forecast::spec::ModelSpec;

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

/// `y[t] = 3 x[t-1] + level + small noise`: the target is the covariate one step late.
fn led(id: &str, seed: u64, n: usize, level: f64) -> SeriesInput {
    let x: Vec<f64> = (0..n).map(|t| driver(seed, t)).collect();
    let values = (0..n)
        .map(|t| level + 3.0 * if t > 0 { x[t - 1] } else { 0.0 } + 0.05 * driver(seed + 99, t))
        .collect();
    SeriesInput {
        id: id.to_string(),
        values,
        times: None,
        axis: None,
        covariates: vec![Covariate {
            name: "x".into(),
            values: x,
        }],
    }
}

fn inputs() -> Vec<SeriesInput> {
    vec![led("b", 2, 110, 5.0), led("a", 1, 120, -2.0)]
}

fn without_covariates(inputs: &[SeriesInput]) -> Vec<SeriesInput> {
    inputs
        .iter()
        .map(|s| SeriesInput {
            covariates: Vec::new(),
            ..s.clone()
        })
        .collect()
}

fn config(mode: Mode, features: &[&str]) -> ManyConfig {
    let base = common::many_config(mode, 5);
    ManyConfig {
        model: ModelSpec {
            features: 1 + features.len(),
            ..base.model
        },
        fit: forecast::FitSettings {
            epochs: 25,
            ..base.fit
        },
        columns: ColumnNames {
            time: None,
            ..ColumnNames::default()
        },
        features: features.iter().map(|f| f.to_string()).collect(),
        ..base
    }
}

fn run(mode: Mode, inputs: &[SeriesInput], cfg: &ManyConfig) -> ManyRun {
    match mode {
        Mode::Local => train_local(inputs, cfg, &|_| {}).unwrap(),
        Mode::Global => train_global(inputs, cfg, &mut |_| {}).unwrap(),
    }
}

#[test]
fn a_covariate_that_carries_the_signal_lowers_the_test_error() {
    for mode in [Mode::Local, Mode::Global] {
        let with = run(mode, &inputs(), &config(mode, &["x"]));
        let alone = run(mode, &without_covariates(&inputs()), &config(mode, &[]));
        let (w, a) = (
            with.mean_of(|m| m.test_mse_observed),
            alone.mean_of(|m| m.test_mse_observed),
        );
        assert!(w < 0.5 * a, "{mode:?}: with x {w}, without {a}");
        assert_eq!(with.metrics.len(), 2);
        for m in &with.model.members {
            assert_eq!(m.settings.format, MEMBER_COVARIATES_FORMAT);
            assert_eq!(m.settings.model.features, 2);
            for s in &m.settings.series {
                let c = s.covariates.as_ref().unwrap();
                assert_eq!(c.names, ["x"]);
                assert_eq!(c.tails[0].len(), s.tail.len());
                // Standardised on the series' own training part (the target is unscaled in
                // local mode, as in a one-series run).
                assert!(matches!(c.scalers[0], Scaler::Standard { .. }));
            }
        }
        for m in &alone.model.members {
            assert_eq!(m.settings.format, MEMBER_FORMAT);
            assert!(m.settings.series.iter().all(|s| s.covariates.is_none()));
        }
    }
}

fn columns(rows: &[(&str, Vec<f64>)]) -> ManyFuture {
    ManyFuture::Columns(
        rows.iter()
            .map(|(id, x)| (id.to_string(), vec![x.clone()]))
            .collect::<BTreeMap<_, _>>(),
    )
}

#[test]
fn forecasts_take_future_values_and_name_what_is_missing() {
    let cfg = config(Mode::Global, &["x"]);
    let trained = run(Mode::Global, &inputs(), &cfg);
    let bytes = trained.model.to_bytes().unwrap();
    let model = ManyModel::from_bytes(&bytes).unwrap();
    assert_eq!(model.features().unwrap(), ["x"]);
    assert_eq!(model.to_bytes().unwrap(), bytes);

    // One value from a one-step model feeds nothing back: no future values needed.
    assert_eq!(model.forecast(1).unwrap().len(), 2);
    let e = model.forecast(3).unwrap_err().to_string();
    assert!(
        e.contains("needs their future values") && e.contains("--future-csv"),
        "{e}"
    );
    assert!(e.contains("'unique_id', 'x'"), "{e}");

    // The second value follows the first future x (y[t] = 3 x[t-1] + level).
    let future = columns(&[("a", vec![0.9, -0.9, 0.0]), ("b", vec![-0.8, 0.5])]);
    let f = model.forecast_with(3, None, Some(&future)).unwrap();
    assert_eq!(f.len(), 2);
    let (a, b) = (&f[0].values, &f[1].values);
    assert!((a[1] - (-2.0 + 2.7)).abs() < 1.0, "{a:?}");
    assert!((b[1] - (5.0 - 2.4)).abs() < 1.0, "{b:?}");
    assert!(a[1] > a[2] && b[2] > b[1], "{a:?} {b:?}");

    let short = columns(&[("a", vec![0.9, 0.0]), ("b", vec![0.5])]);
    let e = model
        .forecast_with(3, None, Some(&short))
        .unwrap_err()
        .to_string();
    assert!(e.contains("series 'b'") && e.contains("1 row(s)"), "{e}");
    let missing = columns(&[("a", vec![0.9, 0.0])]);
    let e = model
        .forecast_with(3, None, Some(&missing))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("series 'b'") && e.contains("no future values"),
        "{e}"
    );

    // A model without covariates refuses future values.
    let plain = run(
        Mode::Global,
        &without_covariates(&inputs()),
        &config(Mode::Global, &[]),
    );
    let e = plain
        .model
        .forecast_with(2, None, Some(&future))
        .unwrap_err()
        .to_string();
    assert!(e.contains("without features"), "{e}");
}

#[test]
fn a_long_future_csv_gives_each_series_its_rows() {
    let trained = run(Mode::Local, &inputs(), &config(Mode::Local, &["x"]));
    let dir = std::env::temp_dir().join(format!("recur-many-cov-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("future.csv");
    // Rows of several series interleaved, and of one the model does not know.
    std::fs::write(
        &file,
        "unique_id,other,x\nb,1,-0.8\na,1,0.9\nzz,1,0.0\nb,1,0.5\na,1,-0.9\n",
    )
    .unwrap();
    let by_file = trained
        .model
        .forecast_with(3, None, Some(&ManyFuture::Csv(file.clone())))
        .unwrap();
    let given = columns(&[("a", vec![0.9, -0.9]), ("b", vec![-0.8, 0.5])]);
    let by_columns = trained.model.forecast_with(3, None, Some(&given)).unwrap();
    assert_eq!(by_file, by_columns);

    std::fs::write(&file, "unique_id,x\na,0.9\na,0.1\nb,0.5\n").unwrap();
    let e = trained
        .model
        .forecast_with(3, None, Some(&ManyFuture::Csv(file.clone())))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("future.csv") && e.contains("series 'b'") && e.contains("1 row(s)"),
        "{e}"
    );
    std::fs::write(&file, "unique_id,z\na,0.9\n").unwrap();
    let e = trained
        .model
        .forecast_with(3, None, Some(&ManyFuture::Csv(file.clone())))
        .unwrap_err()
        .to_string();
    assert!(e.contains("'x'") && e.contains("not found"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn covariates_compose_with_differences_direct_models_and_intervals() {
    let base = config(Mode::Local, &["x"]);
    let cfg = ManyConfig {
        windows: data::WindowConfig {
            pad: false,
            ..base.windows
        },
        model: ModelSpec {
            horizon: 2,
            ..base.model
        },
        fit: forecast::FitSettings {
            epochs: 2,
            ..base.fit
        },
        differencing: Differencing {
            order: 1,
            seasonal: None,
        },
        interval: Some(forecast::series::IntervalConfig { p: 0.5, horizon: 2 }),
        ..base
    };
    // Long enough for the 20 residuals the interval needs at each step.
    let long = vec![led("b", 2, 200, 5.0), led("a", 1, 210, -2.0)];
    let trained = run(Mode::Local, &long, &cfg);
    assert!(
        trained
            .metrics
            .iter()
            .all(|m| m.interval_coverage.is_some())
    );
    let model = ManyModel::from_bytes(&trained.model.to_bytes().unwrap()).unwrap();
    // Two values at once feed nothing back; four feed two back.
    let two = model.forecast_with(2, Some(0.5), None).unwrap();
    assert!(two.iter().all(|f| f.lo.is_some() && f.values.len() == 2));
    let e = model.forecast_with(4, None, None).unwrap_err().to_string();
    assert!(e.contains("at most --horizon 2"), "{e}");
    let future = columns(&[("a", vec![0.1, 0.2]), ("b", vec![0.3, 0.4])]);
    let four = model.forecast_with(4, None, Some(&future)).unwrap();
    assert!(four.iter().all(|f| f.values.iter().all(|v| v.is_finite())));
}

#[test]
fn series_without_the_runs_covariates_are_refused() {
    let mut all = inputs();
    all[1].covariates[0].name = "w".into();
    let e = train_local(&all, &config(Mode::Local, &["x"]), &|_| {})
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("series 'a'") && e.contains("w") && e.contains("x"),
        "{e}"
    );
    let e = train_global(&inputs(), &config(Mode::Global, &[]), &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("series 'a'") && e.contains("none"), "{e}");
    let mismatched = ManyConfig {
        model: ModelSpec {
            features: 1,
            ..config(Mode::Local, &["x"]).model
        },
        ..config(Mode::Local, &["x"])
    };
    let e = train_local(&inputs(), &mismatched, &|_| {})
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("with 1 feature(s)") && e.contains("with 2"),
        "{e}"
    );
}

/// A member without covariates is written exactly as recur wrote it before covariates came to
/// many-series runs (the FNV-1a digest of that file, taken with the earlier code).
#[test]
fn files_without_covariates_keep_their_bytes() {
    let cfg = common::many_config(Mode::Local, 7);
    let model = cfg.model.build().unwrap();
    let settings = MemberSettings {
        format: MEMBER_FORMAT.to_string(),
        mode: Mode::Local,
        model: cfg.model.clone(),
        windows: cfg.windows,
        differencing: cfg.differencing,
        season: None,
        series: vec![SeriesState {
            id: "a".into(),
            scaler: Scaler::Standard {
                mean: 1.5,
                std: 2.0,
            },
            series_len: 10,
            tail: vec![1.0, 2.0, 3.0, 4.5],
            time: None,
            calibration: None,
            covariates: None,
        }],
        columns: cfg.columns.clone(),
        dialect: None,
    };
    let file = ManyModel {
        mode: Mode::Local,
        members: vec![Member::new(&model, settings).unwrap()],
    };
    let bytes = file.to_bytes().unwrap();
    let digest = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    assert_eq!((bytes.len(), digest), (9884, 0x9292_9960_9555_dd8d));
    assert!(
        ManyModel::from_bytes(&bytes)
            .unwrap()
            .features()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn members_whose_covariates_disagree_are_refused() {
    let cfg = ManyConfig {
        fit: forecast::FitSettings {
            epochs: 1,
            ..config(Mode::Global, &["x"]).fit
        },
        ..config(Mode::Global, &["x"])
    };
    let trained = run(Mode::Global, &inputs(), &cfg);
    let settings = &trained.model.members[0].settings;
    let model = settings.model.build().unwrap();
    let refused = |s: MemberSettings| {
        let bytes = Member::new(&model, s).unwrap().bytes;
        Member::from_bytes(bytes, "member m0000000")
            .unwrap_err()
            .to_string()
    };
    let mut old_tag = settings.clone();
    old_tag.format = MEMBER_FORMAT.into();
    let e = refused(old_tag);
    assert!(e.contains("'recur-many-member/1' with 1 covariate"), "{e}");
    let mut short = settings.clone();
    short.series[1].covariates.as_mut().unwrap().tails[0].pop();
    let e = refused(short);
    assert!(e.contains("series 'b'") && e.contains("covariates"), "{e}");
    let mut narrow = settings.clone();
    narrow.model.features = 1;
    let e = refused(narrow);
    assert!(e.contains("1 value(s) per time step"), "{e}");
}
