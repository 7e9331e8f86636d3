//! Differencing and its inverse: rebuilding a series from its differences, one-step errors
//! equal in both units, and the CSV dialects and missing-value policies that feed a series in.

use data::{CsvOptions, Differencing, MissingPolicy, read_csv_str};
use proptest::prelude::*;

fn cases() -> impl Strategy<Value = (Vec<f64>, Differencing)> {
    (
        prop::collection::vec(-1e3f64..1e3, 12..40),
        0usize..=2,
        prop::option::of(1usize..5),
    )
        .prop_map(|(v, order, seasonal)| (v, Differencing { order, seasonal }))
}

proptest! {
    /// Integrating the true differences after a prefix gives back the rest of the series.
    #[test]
    fn integrate_inverts_apply((x, d) in cases(), cut in 0usize..6) {
        let lost = d.lost();
        let start = (lost + cut).min(x.len() - 1);
        let diffs = d.apply(&x).unwrap();
        prop_assert_eq!(diffs.len(), x.len() - lost);
        let rebuilt = d.integrate(&x[..start], &diffs[start - lost..]).unwrap();
        for (a, b) in rebuilt.iter().zip(&x[start..]) {
            prop_assert!((a - b).abs() <= 1e-9 * (1.0 + b.abs()), "{} vs {}", a, b);
        }
    }

    /// base_t + d_t = x_t: a one-step prediction's error is the same in both units.
    #[test]
    fn base_plus_difference_is_the_value((x, d) in cases()) {
        let diffs = d.apply(&x).unwrap();
        for t in d.lost()..x.len() {
            let v = d.base(&x[..t], t).unwrap() + diffs[t - d.lost()];
            prop_assert!((v - x[t]).abs() <= 1e-9 * (1.0 + x[t].abs()));
        }
    }
}

#[test]
fn first_differences_of_a_line_are_constant() {
    let x: Vec<f64> = (0..10).map(|t| 3.0 + 2.0 * f64::from(t)).collect();
    let d = Differencing {
        order: 1,
        seasonal: None,
    };
    assert_eq!(d.apply(&x).unwrap(), vec![2.0; 9]);
    assert_eq!(d.integrate(&x, &[2.0, 2.0]).unwrap(), vec![23.0, 25.0]);
    assert_eq!(d.describe(), "--diff 1");
}

#[test]
fn bad_differencing_is_refused() {
    let x = [1.0, 2.0, 3.0];
    let seasonal = Differencing {
        order: 0,
        seasonal: Some(3),
    };
    assert!(seasonal.apply(&x).is_err());
    let zero = Differencing {
        order: 0,
        seasonal: Some(0),
    };
    assert!(zero.validate().is_err());
    let three = Differencing {
        order: 3,
        seasonal: None,
    };
    assert!(three.validate().is_err());
    assert!(seasonal.integrate(&x[..2], &[1.0]).is_err());
}

#[test]
fn semicolons_and_decimal_commas() {
    let opts = CsvOptions {
        delimiter: b';',
        decimal: b',',
        ..CsvOptions::default()
    };
    let s = read_csv_str("date;value\n2020;1,5\n2021;-2,25\n2022;3e1\n", &opts).unwrap();
    assert_eq!(s.values(), &[1.5, -2.25, 30.0]);
    assert_eq!(s.name(), Some("value"));
    // A thousands separator is not guessed at.
    let err = read_csv_str(
        "v\n1.000,5\n2\n",
        &CsvOptions {
            delimiter: b';',
            ..opts.clone()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("1.000,5"), "{err}");
    let clash = CsvOptions {
        decimal: b',',
        ..CsvOptions::default()
    };
    let err = read_csv_str("1,5\n2,5\n", &clash).unwrap_err().to_string();
    assert!(err.contains("delimiter"), "{err}");
}

#[test]
fn missing_policies_in_a_csv() {
    let text = "t,v\n1,\n2,1\n3,NA\n4,3\n5,nan\n";
    let read = |missing| {
        read_csv_str(
            text,
            &CsvOptions {
                missing,
                time_column: Some(data::Column::Name("t".into())),
                ..CsvOptions::default()
            },
        )
    };
    let err = read(MissingPolicy::Error).unwrap_err().to_string();
    assert!(err.contains("line 2") && err.contains("empty"), "{err}");
    let s = read(MissingPolicy::Drop).unwrap();
    assert_eq!(s.values(), &[1.0, 3.0]);
    assert_eq!(s.times().unwrap(), &["2", "4"]);
    assert_eq!((s.missing().filled, s.missing().dropped), (0, 3));
    let s = read(MissingPolicy::Ffill).unwrap();
    assert_eq!(s.values(), &[1.0, 1.0, 3.0, 3.0]);
    assert_eq!((s.missing().filled, s.missing().dropped), (2, 1));
    let s = read(MissingPolicy::Interpolate).unwrap();
    assert_eq!(s.values(), &[1.0, 2.0, 3.0]);
    assert_eq!(s.times().unwrap(), &["2", "3", "4"]);
    assert_eq!((s.missing().filled, s.missing().dropped), (1, 2));
    // Infinity is never a missing value.
    let err = read_csv_str(
        "v\n1\ninf\n2\n",
        &CsvOptions {
            missing: MissingPolicy::Ffill,
            ..CsvOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("inf"), "{err}");
}

/// The observed windows are the tutorial's unpadded windows, plus the `step` test windows that
/// reach back across the split: model and baselines are scored on the same real targets.
#[test]
fn observed_windows_extend_the_unpadded_ones() {
    use data::{Layout, ScaleKind, SplitAt, WindowConfig, observed_windows, prepare};
    let x: Vec<f64> = (0..50).map(|t| (f64::from(t) * 0.3).sin() * 10.0).collect();
    for layout in [Layout::Tutorial, Layout::Sequence] {
        let cfg = WindowConfig {
            split: SplitAt::Index(30),
            step: 5,
            pad: false,
            layout,
            scale: ScaleKind::MinMax,
        };
        let ds = prepare(&x, &cfg).unwrap();
        let train = observed_windows(&ds.scaled, 0, 5..30, 5, layout).unwrap();
        assert_eq!(train, ds.train.x);
        let test = observed_windows(&ds.scaled, 0, 30..50, 5, layout).unwrap();
        assert_eq!(test.count(), 20);
        assert_eq!(&test.data()[5 * 5..], ds.test.x.data());
        // The first test window is the last 5 training values.
        let first: Vec<f32> = ds.scaled[25..30].iter().map(|&v| v as f32).collect();
        assert_eq!(test.row(0).unwrap(), &first[..]);
    }
}
