//! The tutorial's pipeline, pinned: shapes, window order, padded tails, the two "next" windows.

use data::generate::sine;
use data::{Layout, SineConfig, SplitAt, WindowConfig, baseline_mse, prepare};

/// The reference Python, transcribed literally:
/// `train, test = values[0:Tp], values[Tp:N]`, pad each with `np.repeat(part[-1], step)`,
/// then `convertToMatrix`.
fn reference(values: &[f64], tp: usize, step: usize) -> [(Vec<Vec<f32>>, Vec<f32>); 2] {
    let convert = |part: &[f64]| {
        let mut data = part.to_vec();
        let last = *data.last().unwrap();
        data.extend(std::iter::repeat_n(last, step));
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for i in 0..data.len() - step {
            let d = i + step;
            xs.push(data[i..d].iter().map(|&v| v as f32).collect::<Vec<_>>());
            ys.push(data[d] as f32);
        }
        (xs, ys)
    };
    [convert(&values[..tp]), convert(&values[tp..])]
}

fn f32s(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

#[test]
fn tutorial_shapes_order_and_padding() {
    let series = sine(&SineConfig::default()).unwrap();
    let x = series.values();
    assert_eq!(x.len(), 2000);
    let ds = prepare(x, &WindowConfig::default()).unwrap();

    assert_eq!(ds.split, 900);
    assert_eq!(ds.train.x.shape(), [900, 1, 4]);
    assert_eq!(ds.test.x.shape(), [1100, 1, 4]);
    assert_eq!(ds.train.x.matrix_shape(), [900, 4]);
    assert_eq!((ds.train.y.len(), ds.test.y.len()), (900, 1100));

    // First window x[0..4] -> x[4]; first test window x[900..904] -> x[904].
    assert_eq!(ds.train.x.row(0).unwrap(), f32s(&x[0..4]).as_slice());
    assert_eq!(ds.train.y[0], x[4] as f32);
    assert_eq!(ds.test.x.row(0).unwrap(), f32s(&x[900..904]).as_slice());
    assert_eq!(ds.test.y[0], x[904] as f32);

    // Padded tails end with repeats of each part's last value.
    let (tl, sl) = (x[899] as f32, x[1999] as f32);
    assert_eq!(ds.train.x.row(899).unwrap(), &[tl; 4]);
    assert_eq!(ds.train.x.row(898).unwrap(), &[x[898] as f32, tl, tl, tl]);
    assert_eq!(&ds.train.y[895..], &[tl; 5]);
    assert_eq!(ds.test.x.row(1099).unwrap(), &[sl; 4]);
    assert_eq!(&ds.test.y[1095..], &[sl; 5]);

    // Where the targets are in the series, and which are artificial.
    assert_eq!(ds.train.target_index(0), Some(4));
    assert_eq!(ds.train.target_index(895), Some(899));
    assert_eq!(ds.train.target_index(896), None);
    assert_eq!(ds.test.target_index(0), Some(904));
    assert_eq!(ds.test.target_index(1095), Some(1999));
    assert_eq!(ds.test.target_index(1096), None);
    assert_eq!(ds.test.target_index(5000), None);

    // Everything equals the literal transcription of the Python.
    let [(rx, ry), (sx, sy)] = reference(x, 900, 4);
    assert_eq!(ds.train.x.data(), rx.concat().as_slice());
    assert_eq!(ds.train.y, ry);
    assert_eq!(ds.test.x.data(), sx.concat().as_slice());
    assert_eq!(ds.test.y, sy);

    // testX[-1] is four copies of the last value; the real next-value window is x[1996..2000].
    assert_eq!(ds.tutorial_next_window.shape(), [1, 1, 4]);
    assert_eq!(ds.tutorial_next_window.data(), &[sl; 4]);
    assert_eq!(ds.next_window.shape(), [1, 1, 4]);
    assert_eq!(ds.next_window.data(), f32s(&x[1996..]).as_slice());
    assert_eq!(ds.scaled, x);
}

#[test]
fn sequence_layout_has_same_data_transposed_shape() {
    let series = sine(&SineConfig::default()).unwrap();
    let tut = prepare(series.values(), &WindowConfig::default()).unwrap();
    let seq_cfg = WindowConfig {
        layout: Layout::Sequence,
        ..WindowConfig::default()
    };
    let seq = prepare(series.values(), &seq_cfg).unwrap();
    assert_eq!(seq.train.x.shape(), [900, 4, 1]);
    assert_eq!(seq.test.x.shape(), [1100, 4, 1]);
    assert_eq!(seq.next_window.shape(), [1, 4, 1]);
    assert_eq!(seq.train.x.data(), tut.train.x.data());
    assert_eq!(seq.test.y, tut.test.y);
    let relaid = tut.train.x.clone().with_layout(Layout::Sequence);
    assert_eq!(relaid, seq.train.x);
}

#[test]
fn padding_off_gives_only_real_targets() {
    let series = sine(&SineConfig::default()).unwrap();
    let x = series.values();
    let cfg = WindowConfig {
        pad: false,
        ..WindowConfig::default()
    };
    let ds = prepare(x, &cfg).unwrap();
    assert_eq!(ds.train.x.shape(), [896, 1, 4]);
    assert_eq!(ds.test.x.shape(), [1096, 1, 4]);
    assert_eq!((ds.train.padded, ds.test.padded), (0, 0));
    assert_eq!(ds.train.y[895], x[899] as f32);
    assert_eq!(ds.test.y[1095], x[1999] as f32);
    assert!((0..896).all(|i| ds.train.target_index(i) == Some(i + 4)));
    // Without padding testX[-1] is x[1995..1999], not the window after the series.
    assert_eq!(
        ds.tutorial_next_window.data(),
        f32s(&x[1995..1999]).as_slice()
    );
    assert_eq!(ds.next_window.data(), f32s(&x[1996..]).as_slice());
}

#[test]
fn fraction_split_floors() {
    let series = sine(&SineConfig::default()).unwrap();
    let cfg = WindowConfig {
        split: SplitAt::Fraction(0.45),
        ..WindowConfig::default()
    };
    assert_eq!(prepare(series.values(), &cfg).unwrap().split, 900);
    assert_eq!(SplitAt::Fraction(0.29).resolve(100).unwrap(), 29);
    assert_eq!(SplitAt::Fraction(0.999).resolve(10).unwrap(), 9);
    assert_eq!(SplitAt::Fraction(0.5).resolve(5).unwrap(), 2);
}

#[test]
fn baseline_is_near_the_tutorials_figure() {
    // The mean-of-window predictor scores 0.1133 on the test windows of the tutorial's own
    // NumPy-drawn series; our noise stream differs from NumPy's, so only the neighbourhood is
    // checked.
    for seed in 0..3 {
        let series = sine(&SineConfig {
            seed,
            ..SineConfig::default()
        })
        .unwrap();
        let ds = prepare(series.values(), &WindowConfig::default()).unwrap();
        let b = baseline_mse(&ds.test.x, &ds.test.y).unwrap();
        assert!((0.095..0.135).contains(&b), "seed {seed}: baseline {b}");
    }
}
