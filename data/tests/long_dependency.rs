//! The built-in long-dependency tasks: shapes, marker positions, targets, baseline,
//! reproducibility, serde and validation.

use data::generate::{LONG_DEPENDENCY_FEATURES, MAX_SEQUENCE_LEN};
use data::{
    DataError, Layout, LongDependencyConfig, LongDependencyData, LongDependencyKind, SplitAt,
    ValueDistribution, long_dependency,
};
use proptest::prelude::*;

fn cfg(kind: LongDependencyKind, lag: usize, extra: usize, count: usize) -> LongDependencyConfig {
    LongDependencyConfig {
        kind,
        lag,
        extra,
        count,
        ..LongDependencyConfig::default()
    }
}

/// The marked steps of a sequence (channel 1 == 1), checking the marker is exactly 0 or 1.
fn markers(seq: &[f32]) -> Vec<usize> {
    seq.chunks_exact(2)
        .enumerate()
        .filter_map(|(t, s)| {
            assert!(s[1] == 0.0 || s[1] == 1.0, "marker {}", s[1]);
            (s[1] == 1.0).then_some(t)
        })
        .collect()
}

/// Checks every sequence of both parts against the task's definition.
fn check_task(c: &LongDependencyConfig, d: &LongDependencyData) {
    let t = c.lag + 1 + c.extra;
    let n_train = c.split.resolve(c.count).unwrap();
    assert_eq!(d.train.x.shape(), [n_train, t, 2]);
    assert_eq!(d.test.x.shape(), [c.count - n_train, t, 2]);
    assert_eq!((d.train.len(), d.test.len()), (n_train, c.count - n_train));
    for part in [&d.train, &d.test] {
        assert_eq!(part.x.layout(), Layout::Sequence);
        assert_eq!(part.x.features(), LONG_DEPENDENCY_FEATURES);
        for (seq, &y) in part.x.rows().zip(&part.y) {
            let m = markers(seq);
            let value = |step: usize| seq[2 * step];
            match c.kind {
                LongDependencyKind::Recall => {
                    assert_eq!(m, vec![t - 1 - c.lag]);
                    assert_eq!(y, value(m[0]));
                }
                LongDependencyKind::Adding => {
                    assert_eq!(m.len(), 2);
                    assert!(m[0] <= t - 1 - c.lag, "first marker {} of {t}", m[0]);
                    assert!(m[0] < m[1] && m[1] < t);
                    assert_eq!(y, (f64::from(value(m[0])) + f64::from(value(m[1]))) as f32);
                }
            }
            for s in seq.chunks_exact(2) {
                match c.values {
                    ValueDistribution::Uniform => assert!((-1.0..1.0).contains(&s[0])),
                    ValueDistribution::Gaussian => assert!(s[0].is_finite()),
                }
            }
        }
    }
    let mean = d.train.y.iter().map(|&v| f64::from(v)).sum::<f64>() / n_train as f64;
    assert!((d.train_mean - mean).abs() < 1e-12);
    let base = d
        .test
        .y
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / d.test.len() as f64;
    assert!((d.baseline_test_mse - base).abs() <= 1e-12 * base.max(1.0));
}

fn kind() -> impl Strategy<Value = LongDependencyKind> {
    prop::sample::select(LongDependencyKind::ALL.to_vec())
}

fn values() -> impl Strategy<Value = ValueDistribution> {
    prop::sample::select(ValueDistribution::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_sequence_follows_the_definition(
        kind in kind(),
        values in values(),
        lag in 1usize..80,
        extra in 0usize..10,
        count in 2usize..40,
        seed in any::<u64>(),
        fraction in 0.05f64..0.95,
    ) {
        let c = LongDependencyConfig {
            kind,
            lag,
            extra,
            count,
            values,
            seed,
            // A fraction that leaves one part empty is an error, checked elsewhere.
            split: SplitAt::Index(((fraction * count as f64) as usize).clamp(1, count - 1)),
        };
        check_task(&c, &long_dependency(&c).unwrap());
    }
}

#[test]
fn defaults_are_recall_at_lag_50() {
    let c = LongDependencyConfig::default();
    assert_eq!(
        (c.kind, c.lag, c.extra, c.count),
        (LongDependencyKind::Recall, 50, 0, 4000)
    );
    assert_eq!(
        (c.split, c.values, c.seed),
        (SplitAt::Fraction(0.8), ValueDistribution::Uniform, 0)
    );
    assert_eq!(c.timesteps(), 51);
    let d = long_dependency(&c).unwrap();
    assert_eq!(d.train.x.shape(), [3200, 51, 2]);
    assert_eq!(d.test.x.shape(), [800, 51, 2]);
    check_task(&c, &d);
    // Uniform values in [-1, 1): the targets have mean about 0 and variance about 1/3.
    assert!(d.train_mean.abs() < 0.05, "{}", d.train_mean);
    assert!(
        (d.baseline_test_mse - 1.0 / 3.0).abs() < 0.05,
        "{}",
        d.baseline_test_mse
    );
}

#[test]
fn adding_baseline_is_about_two_thirds() {
    let c = cfg(LongDependencyKind::Adding, 50, 0, 2000);
    let d = long_dependency(&c).unwrap();
    check_task(&c, &d);
    assert!(
        (d.baseline_test_mse - 2.0 / 3.0).abs() < 0.1,
        "{}",
        d.baseline_test_mse
    );
}

#[test]
fn adding_first_marker_spreads_over_the_extra_steps() {
    let c = cfg(LongDependencyKind::Adding, 5, 10, 500);
    let d = long_dependency(&c).unwrap();
    check_task(&c, &d);
    let firsts: std::collections::BTreeSet<usize> =
        d.train.x.rows().map(|s| markers(s)[0]).collect();
    assert_eq!(firsts, (0..=10).collect());
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    for kind in LongDependencyKind::ALL {
        for values in ValueDistribution::ALL {
            let c = LongDependencyConfig {
                values,
                ..cfg(kind, 20, 3, 50)
            };
            let a = long_dependency(&c).unwrap();
            let b = long_dependency(&c).unwrap();
            assert_eq!(a, b);
            let bits = |d: &LongDependencyData| -> Vec<u32> {
                d.train
                    .x
                    .data()
                    .iter()
                    .chain(&d.test.y)
                    .map(|v| v.to_bits())
                    .collect()
            };
            assert_eq!(bits(&a), bits(&b));
            let other = long_dependency(&LongDependencyConfig { seed: 1, ..c }).unwrap();
            assert_ne!(a.train.x, other.train.x);
        }
    }
}

#[test]
fn the_split_keeps_the_sequence_order() {
    // Training is the first sequences, test the rest: a split moves the boundary, not the data.
    let whole = long_dependency(&LongDependencyConfig {
        split: SplitAt::Index(9),
        ..cfg(LongDependencyKind::Adding, 7, 2, 10)
    })
    .unwrap();
    let other = long_dependency(&LongDependencyConfig {
        split: SplitAt::Index(4),
        ..cfg(LongDependencyKind::Adding, 7, 2, 10)
    })
    .unwrap();
    let all = |d: &LongDependencyData| -> (Vec<f32>, Vec<f32>) {
        let mut x = d.train.x.data().to_vec();
        x.extend_from_slice(d.test.x.data());
        let mut y = d.train.y.clone();
        y.extend_from_slice(&d.test.y);
        (x, y)
    };
    assert_eq!(all(&whole), all(&other));
    assert_eq!(other.train.len(), 4);
}

#[test]
fn config_round_trips_through_json() {
    let c = LongDependencyConfig {
        kind: LongDependencyKind::Adding,
        lag: 20,
        extra: 5,
        count: 300,
        split: SplitAt::Index(200),
        values: ValueDistribution::Gaussian,
        seed: 7,
    };
    let text = serde_json::to_string(&c).unwrap();
    assert_eq!(
        text,
        r#"{"kind":"adding","lag":20,"extra":5,"count":300,"split":200,"values":"gaussian","seed":7}"#
    );
    assert_eq!(
        serde_json::from_str::<LongDependencyConfig>(&text).unwrap(),
        c
    );
    // Missing fields take their defaults; unknown ones are refused, not ignored.
    let partial: LongDependencyConfig = serde_json::from_str(r#"{"lag":5,"split":0.5}"#).unwrap();
    assert_eq!(
        partial,
        LongDependencyConfig {
            lag: 5,
            split: SplitAt::Fraction(0.5),
            ..LongDependencyConfig::default()
        }
    );
    assert!(serde_json::from_str::<LongDependencyConfig>(r#"{"lags":5}"#).is_err());
}

#[test]
fn names_parse() {
    for k in LongDependencyKind::ALL {
        assert_eq!(
            k.name()
                .to_uppercase()
                .parse::<LongDependencyKind>()
                .unwrap(),
            k
        );
        assert_eq!(k.to_string(), k.name());
    }
    for v in ValueDistribution::ALL {
        assert_eq!(format!(" {v} ").parse::<ValueDistribution>().unwrap(), v);
    }
    assert_eq!(
        "copy"
            .parse::<LongDependencyKind>()
            .unwrap_err()
            .to_string(),
        "invalid task = 'copy': expected recall or adding"
    );
    assert_eq!(
        "none".parse::<ValueDistribution>().unwrap_err().to_string(),
        "invalid values = 'none': expected uniform or gaussian"
    );
}

fn err(c: LongDependencyConfig) -> (String, String) {
    match long_dependency(&c).unwrap_err() {
        e @ DataError::InvalidArgument { name, .. } => (name.to_string(), e.to_string()),
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn bad_configs_are_rejected_with_the_argument_and_value() {
    let base = cfg(LongDependencyKind::Recall, 10, 0, 100);
    assert_eq!(
        err(LongDependencyConfig { lag: 0, ..base }),
        (
            "lag".to_string(),
            format!(
                "invalid lag = 0: expected a lag between 1 and {}",
                MAX_SEQUENCE_LEN - 1
            )
        )
    );
    assert_eq!(
        err(LongDependencyConfig {
            lag: MAX_SEQUENCE_LEN,
            ..base
        })
        .0,
        "lag"
    );
    let (name, msg) = err(LongDependencyConfig {
        lag: 10,
        extra: usize::MAX,
        ..base
    });
    assert_eq!(name, "extra");
    assert!(msg.contains(&usize::MAX.to_string()), "{msg}");
    assert!(
        msg.contains(&format!("at most {}", MAX_SEQUENCE_LEN - 11)),
        "{msg}"
    );
    // The longest sequence allowed is accepted by validation.
    assert!(
        LongDependencyConfig {
            extra: MAX_SEQUENCE_LEN - 11,
            count: 2,
            split: SplitAt::Index(1),
            ..base
        }
        .validate()
        .is_ok()
    );
    for count in [0, 1] {
        let (name, msg) = err(LongDependencyConfig { count, ..base });
        assert_eq!(name, "count");
        assert!(
            msg.starts_with(&format!("invalid count = {count}: expected")),
            "{msg}"
        );
    }
    assert_eq!(
        err(LongDependencyConfig {
            count: usize::MAX,
            ..base
        })
        .0,
        "count"
    );
    for split in [
        SplitAt::Index(0),
        SplitAt::Index(100),
        SplitAt::Fraction(1.0),
        SplitAt::Fraction(0.001),
    ] {
        assert_eq!(
            err(LongDependencyConfig { split, ..base }).0,
            "split",
            "{split:?}"
        );
    }
    assert_eq!(base.validate().unwrap(), 80);
}
