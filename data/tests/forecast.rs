//! Recursive forecasting and window parsing.

use data::{DataError, Layout, Windows, parse_window, recursive_forecast};

#[test]
fn predictions_are_fed_back_in_order() {
    // A "model" that predicts the sum of the window: the windows it sees show the feedback.
    let mut seen: Vec<Vec<f32>> = Vec::new();
    let out = recursive_forecast(&[9.0, 1.0, 2.0], 2, 3, Layout::Sequence, |w: &Windows| {
        assert_eq!(w.shape(), [1, 2, 1]);
        seen.push(w.data().to_vec());
        Ok::<f32, DataError>(w.data().iter().sum())
    })
    .unwrap();
    assert_eq!(seen, vec![vec![1.0, 2.0], vec![2.0, 3.0], vec![3.0, 5.0]]);
    assert_eq!(out, vec![3.0, 5.0, 8.0]);
}

#[test]
fn forecast_errors() {
    let ok = |_: &Windows| Ok::<f32, DataError>(0.0);
    let msg = |e: DataError| e.to_string();
    assert!(
        msg(recursive_forecast(&[1.0], 2, 1, Layout::Tutorial, ok).unwrap_err())
            .contains("history")
    );
    assert!(
        msg(recursive_forecast(&[1.0], 1, 0, Layout::Tutorial, ok).unwrap_err())
            .contains("horizon = 0")
    );
    assert!(
        msg(recursive_forecast(&[1.0], 0, 1, Layout::Tutorial, ok).unwrap_err())
            .contains("step = 0")
    );
    let nan = |_: &Windows| Ok::<f32, DataError>(f32::NAN);
    let e = msg(recursive_forecast(&[1.0, 2.0], 2, 3, Layout::Tutorial, nan).unwrap_err());
    assert!(e.contains("NaN at forecast step 1"), "{e}");
    // The predictor's own errors pass through untouched.
    let failing = |_: &Windows| Err::<f32, CallerError>(CallerError::Model);
    let e = recursive_forecast(&[1.0, 2.0], 2, 3, Layout::Tutorial, failing).unwrap_err();
    assert_eq!(e, CallerError::Model);
    let e = recursive_forecast(&[1.0], 2, 3, Layout::Tutorial, failing).unwrap_err();
    assert!(matches!(e, CallerError::Data(_)));
}

/// A caller's error type (as the CLI's would be), wrapping ours.
#[derive(Debug, PartialEq)]
enum CallerError {
    Data(DataError),
    Model,
}

impl From<DataError> for CallerError {
    fn from(e: DataError) -> Self {
        CallerError::Data(e)
    }
}

#[test]
fn window_text() {
    assert_eq!(
        parse_window("0.1, 0.5,0.9 ,-1e2").unwrap(),
        vec![0.1, 0.5, 0.9, -100.0]
    );
    for (bad, piece) in [
        ("", "''"),
        ("1,,2", "value 2 is ''"),
        ("1,x", "value 2 is 'x'"),
        ("nan", "value 1"),
    ] {
        let e = parse_window(bad).unwrap_err().to_string();
        assert!(e.contains("window") && e.contains(piece), "{e}");
    }
}
