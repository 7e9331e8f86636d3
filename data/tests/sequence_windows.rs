//! `Windows::from_sequences`: multi-feature sequences `[N, T, F]`, their layouts and errors.

use data::{DataError, Layout, Windows};

#[test]
fn sequences_have_steps_of_several_features() {
    let data: Vec<f32> = (0..24).map(|v| v as f32).collect();
    let w = Windows::from_sequences(data.clone(), 4, 3).unwrap();
    assert_eq!(w.shape(), [2, 4, 3]);
    assert_eq!(
        (w.count(), w.step(), w.timesteps(), w.features()),
        (2, 12, 4, 3)
    );
    assert_eq!(w.layout(), Layout::Sequence);
    assert_eq!(w.matrix_shape(), [2, 12]);
    assert_eq!(w.row(1).unwrap(), &data[12..24]);
    assert_eq!(w.rows().count(), 2);
    // A single window keeps the per-step features.
    let one = w.window(1).unwrap();
    assert_eq!(one.shape(), [1, 4, 3]);
    assert_eq!(one.data(), &data[12..24]);
    assert_eq!(w.last().unwrap(), one);
    // The tutorial layout flattens a window into one step; going back restores [N, T, F].
    let flat = w.clone().with_layout(Layout::Tutorial);
    assert_eq!(flat.shape(), [2, 1, 12]);
    assert_eq!(flat.window(0).unwrap().shape(), [1, 1, 12]);
    assert_eq!(flat.with_layout(Layout::Sequence), w);
    assert_eq!(w.into_data(), data);
}

#[test]
fn series_windows_have_one_feature() {
    let w = Windows::from_rows(vec![1.0; 8], 4, Layout::Sequence).unwrap();
    assert_eq!((w.features(), w.timesteps()), (1, 4));
    assert_eq!(Windows::from_sequences(vec![1.0; 8], 4, 1).unwrap(), w);
    let t = Windows::from_rows(vec![1.0; 8], 4, Layout::Tutorial).unwrap();
    assert_eq!((t.features(), t.timesteps(), t.shape()), (1, 4, [2, 1, 4]));
}

#[test]
fn empty_sequences_are_allowed() {
    let w = Windows::from_sequences(Vec::new(), 5, 2).unwrap();
    assert_eq!(w.shape(), [0, 5, 2]);
    assert!(w.is_empty());
    assert!(w.last().is_none());
}

#[test]
fn bad_sequence_shapes_are_rejected() {
    let name = |e: DataError| match e {
        DataError::InvalidArgument { name, .. } => name,
        other => panic!("unexpected {other}"),
    };
    assert_eq!(
        name(Windows::from_sequences(vec![0.0; 4], 0, 2).unwrap_err()),
        "timesteps"
    );
    assert_eq!(
        name(Windows::from_sequences(vec![0.0; 4], 2, 0).unwrap_err()),
        "features"
    );
    let e = Windows::from_sequences(vec![0.0; 7], 2, 2).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid sequences = 7 values: expected a multiple of timesteps * features = 2 * 2"
    );
    assert_eq!(
        name(Windows::from_sequences(Vec::new(), usize::MAX, 2).unwrap_err()),
        "timesteps"
    );
}
