//! Scaling: fitted on the training part only, round trip, constant series, serialization.

use data::{DataError, ScaleKind, Scaler, SplitAt, WindowConfig, prepare};
use proptest::prelude::*;

fn non_constant() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-1e4f64..1e4, 2..80).prop_filter("needs spread", |v| {
        v.iter().any(|&x| (x - v[0]).abs() > 1e-3)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn round_trip_and_fitted_ranges(v in non_constant(), other in -1e5f64..1e5) {
        for kind in ScaleKind::ALL {
            let s = Scaler::fit(kind, &v).unwrap();
            prop_assert_eq!(s.kind(), kind);
            for &x in v.iter().chain([other].iter()) {
                let back = s.inverse(s.transform(x));
                prop_assert!((back - x).abs() <= 1e-9 * (1.0 + x.abs()), "{:?}: {} -> {}", kind, x, back);
            }
            let t = s.transform_all(&v);
            match kind {
                ScaleKind::None => prop_assert_eq!(&t, &v),
                ScaleKind::MinMax => {
                    let lo = t.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    prop_assert!(lo.abs() < 1e-12 && (hi - 1.0).abs() < 1e-12, "{} {}", lo, hi);
                }
                ScaleKind::Standard => {
                    let n = t.len() as f64;
                    let mean = t.iter().sum::<f64>() / n;
                    let var = t.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / n;
                    prop_assert!(mean.abs() < 1e-9 && (var - 1.0).abs() < 1e-9, "{} {}", mean, var);
                }
            }
            // MSE in scaled units maps back exactly for an affine scaling.
            let (a, b) = (v[0], v[1]);
            let scaled_se = (s.transform(a) - s.transform(b)).powi(2);
            let se = (a - b).powi(2);
            prop_assert!((s.inverse_mse(scaled_se) - se).abs() <= 1e-9 * (1.0 + se));
        }
    }
}

#[test]
fn fitted_on_training_part_only() {
    // Training values 0..10, test values up to 100: min-max uses 0 and 9 only.
    let x: Vec<f64> = (0..10)
        .map(f64::from)
        .chain((0..10).map(|i| 100.0 - f64::from(i)))
        .collect();
    let cfg = WindowConfig {
        split: SplitAt::Index(10),
        step: 2,
        scale: ScaleKind::MinMax,
        ..WindowConfig::default()
    };
    let ds = prepare(&x, &cfg).unwrap();
    assert_eq!(ds.scaler, Scaler::MinMax { min: 0.0, max: 9.0 });
    assert_eq!(ds.train.x.row(0).unwrap(), &[0.0, 1.0 / 9.0]);
    assert_eq!(ds.test.x.row(0).unwrap(), &[100.0 / 9.0, 99.0 / 9.0]);
    assert_eq!(ds.scaled[19], 91.0 / 9.0);
    let out = ds.scaler.inverse_all(&[1.0, 0.5]);
    assert_eq!(out, vec![9.0, 4.5]);
    let std = prepare(
        &x,
        &WindowConfig {
            scale: ScaleKind::Standard,
            ..cfg
        },
    )
    .unwrap();
    let Scaler::Standard { mean, std } = std.scaler else {
        panic!("{:?}", std.scaler)
    };
    assert_eq!(mean, 4.5);
    assert!((std - 8.25f64.sqrt()).abs() < 1e-12);
}

#[test]
fn constant_training_part_is_a_clear_error() {
    for kind in [ScaleKind::MinMax, ScaleKind::Standard] {
        let err = Scaler::fit(kind, &[2.5; 10]).unwrap_err();
        assert!(matches!(err, DataError::ConstantSeries { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains(kind.name()) && msg.contains("2.5") && msg.contains("scale none"),
            "{msg}"
        );
    }
    // 0.1 repeated: a rounding-level spread is still constant.
    assert!(Scaler::fit(ScaleKind::Standard, &[0.1; 7]).is_err());
    assert_eq!(
        Scaler::fit(ScaleKind::None, &[2.5; 3]).unwrap(),
        Scaler::Identity
    );
    let x = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 5.0, 6.0, 7.0, 8.0];
    let cfg = WindowConfig {
        split: SplitAt::Index(6),
        step: 2,
        scale: ScaleKind::MinMax,
        ..WindowConfig::default()
    };
    assert!(matches!(
        prepare(&x, &cfg),
        Err(DataError::ConstantSeries { .. })
    ));
    assert!(Scaler::fit(ScaleKind::MinMax, &[]).is_err());
    assert!(Scaler::fit(ScaleKind::MinMax, &[1.0, f64::NAN]).is_err());
    assert!(Scaler::fit(ScaleKind::MinMax, &[-f64::MAX, f64::MAX]).is_err());
}

#[test]
fn scalers_serialize() {
    for s in [
        Scaler::Identity,
        Scaler::MinMax {
            min: -1.5,
            max: 2.25,
        },
        Scaler::Standard {
            mean: 0.5,
            std: 0.1,
        },
    ] {
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Scaler>(&json).unwrap(), s);
    }
    let json = serde_json::to_string(&Scaler::MinMax { min: 0.0, max: 2.0 }).unwrap();
    assert_eq!(json, r#"{"kind":"minmax","min":0.0,"max":2.0}"#);
    assert_eq!(
        serde_json::to_string(&Scaler::Identity).unwrap(),
        r#"{"kind":"none"}"#
    );
    for k in ScaleKind::ALL {
        assert_eq!(k.name().parse::<ScaleKind>().unwrap(), k);
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            format!("\"{}\"", k.name())
        );
    }
    let msg = "robust".parse::<ScaleKind>().unwrap_err().to_string();
    assert!(msg.contains("scale = 'robust'") && msg.contains("none, minmax or standard"));
}
