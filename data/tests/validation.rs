//! Bad split, step and series arguments, metric helpers, and their messages.

use data::{
    DataError, Layout, SplitAt, WindowConfig, Windows, baseline_mse, conmat, mse, prepare,
    window_means,
};

fn msg_of(err: DataError, pieces: &[&str]) {
    let msg = err.to_string();
    for p in pieces {
        assert!(msg.contains(p), "{msg:?} lacks {p:?}");
    }
}

fn series(n: usize) -> Vec<f64> {
    (0..n).map(|i| (i as f64 * 0.3).sin()).collect()
}

fn cfg(split: SplitAt, step: usize) -> WindowConfig {
    WindowConfig {
        split,
        step,
        ..WindowConfig::default()
    }
}

#[test]
fn parts_must_hold_more_than_step_values() {
    let x = series(2000);
    let err = prepare(&x, &cfg(SplitAt::Index(4), 4)).unwrap_err();
    assert!(matches!(
        err,
        DataError::PartTooShort {
            part: "training",
            len: 4,
            ..
        }
    ));
    msg_of(
        err,
        &[
            "T = 4",
            "n = 2000",
            "4 training",
            "step = 4",
            "between 5 and 1995",
        ],
    );
    let err = prepare(&x, &cfg(SplitAt::Index(1996), 4)).unwrap_err();
    msg_of(err, &["4 test", "between 5 and 1995"]);
    // The boundaries themselves work.
    assert_eq!(
        prepare(&x, &cfg(SplitAt::Index(5), 4)).unwrap().train.len(),
        5
    );
    assert_eq!(
        prepare(&x, &cfg(SplitAt::Index(1995), 4))
            .unwrap()
            .test
            .len(),
        5
    );
    // A series too short for any split with this step says which step would do.
    let err = prepare(&series(9), &cfg(SplitAt::Index(4), 4)).unwrap_err();
    msg_of(err, &["n = 9", "step of at most 3"]);
    let err = prepare(&series(3), &cfg(SplitAt::Index(1), 1)).unwrap_err();
    msg_of(err, &["at least 4 values"]);
    // The tutorial's T = 900 on a short CSV series.
    let err = prepare(&series(500), &WindowConfig::default()).unwrap_err();
    msg_of(err, &["T = 900", "n = 500", "between 5 and 495"]);
}

#[test]
fn split_and_step_ranges() {
    let x = series(100);
    let err = prepare(&x, &cfg(SplitAt::Index(10), 0)).unwrap_err();
    msg_of(err, &["step = 0", "at least 1"]);
    for (split, pieces) in [
        (
            SplitAt::Index(0),
            &["T = 0", "0 training", "between 5 and 95"][..],
        ),
        (
            SplitAt::Index(100),
            &["T = 100", "n = 100", "between 5 and 95"],
        ),
        (SplitAt::Fraction(1.0), &["split = 1", "fraction"]),
        (SplitAt::Fraction(-0.5), &["split = -0.5"]),
        (SplitAt::Fraction(f64::NAN), &["split = NaN"]),
        (SplitAt::Fraction(0.001), &["T = 0"]),
    ] {
        msg_of(prepare(&x, &cfg(split, 4)).unwrap_err(), pieces);
    }
    msg_of(
        SplitAt::Index(100).resolve(100).unwrap_err(),
        &["split = 100", "between 1 and 99"],
    );
    msg_of(SplitAt::Index(0).resolve(100).unwrap_err(), &["split = 0"]);
    assert_eq!(SplitAt::Index(99).resolve(100).unwrap(), 99);
    assert!(prepare(&[1.0], &cfg(SplitAt::Index(1), 1)).is_err());
    let err = prepare(&[1.0, f64::NAN, 2.0], &cfg(SplitAt::Index(1), 1)).unwrap_err();
    msg_of(err, &["NaN at position 1"]);
    let mut big = series(20);
    big[15] = 1e300;
    let err = prepare(&big, &cfg(SplitAt::Index(10), 2)).unwrap_err();
    msg_of(err, &["1e300 at position 15", "f32"]);
}

#[test]
fn split_parsing() {
    assert_eq!("900".parse::<SplitAt>().unwrap(), SplitAt::Index(900));
    assert_eq!(
        " 0.45 ".parse::<SplitAt>().unwrap(),
        SplitAt::Fraction(0.45)
    );
    for bad in ["-5", "1.5", "1.0", "0", "0.0", "abc", "", "nan", "-0.3"] {
        let err = bad.parse::<SplitAt>();
        // "0" is a valid index text; its range is checked when resolved.
        if bad == "0" {
            assert!(err.unwrap().resolve(10).is_err());
            continue;
        }
        msg_of(err.unwrap_err(), &["split", &format!("'{}'", bad.trim())]);
    }
    assert_eq!(SplitAt::default(), SplitAt::Index(900));
    assert_eq!(SplitAt::Fraction(0.45).to_string(), "0.45");
}

#[test]
fn window_config_serializes() {
    let c = WindowConfig::default();
    let json = serde_json::to_string(&c).unwrap();
    assert_eq!(
        json,
        r#"{"split":900,"step":4,"pad":true,"layout":"tutorial","scale":"none"}"#
    );
    let f = WindowConfig {
        split: SplitAt::Fraction(0.45),
        ..c
    };
    let back: WindowConfig = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
    assert_eq!(back, f);
    assert_eq!(serde_json::from_str::<WindowConfig>(&json).unwrap(), c);
}

#[test]
fn conmat_needs_a_window() {
    msg_of(
        conmat(&[1.0, 2.0], 2, Layout::Tutorial).unwrap_err(),
        &["step = 2", "2 value"],
    );
    msg_of(
        conmat(&[1.0, 2.0], 0, Layout::Tutorial).unwrap_err(),
        &["step = 0"],
    );
    let (w, y) = conmat(&[1.0, 2.0, 3.0], 2, Layout::Tutorial).unwrap();
    assert_eq!(
        (w.data(), y.as_slice()),
        (&[1.0f32, 2.0][..], &[3.0f32][..])
    );
    msg_of(
        conmat(&vec![0.0; 70_000], 40_000, Layout::Tutorial).unwrap_err(),
        &["step = 40000", "at most"],
    );
}

#[test]
fn mse_and_baseline() {
    assert_eq!(mse(&[1.0, 2.0, 3.0], &[1.0, 0.0, 6.0]).unwrap(), 13.0 / 3.0);
    let err = mse(&[1.0], &[1.0, 2.0]).unwrap_err();
    msg_of(err, &["predictions and targets", "1 and 2"]);
    msg_of(mse(&[], &[]).unwrap_err(), &["predictions"]);
    let w = Windows::from_rows(vec![1.0, 2.0, 3.0, 4.0, 4.0, 6.0], 3, Layout::Tutorial).unwrap();
    assert_eq!(window_means(&w), vec![2.0, 14.0 / 3.0]);
    let b = baseline_mse(&w, &[3.0, 14.0 / 3.0]).unwrap();
    assert!((b - 0.5).abs() < 1e-6, "{b}");
    assert!(baseline_mse(&w, &[1.0]).is_err());
}
