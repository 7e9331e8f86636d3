//! Property tests: window/target alignment (target i is x[i+step]), split and padding counts.

use data::{Layout, ScaleKind, SplitAt, WindowConfig, Windows, conmat, pad_with_last, prepare};
use proptest::prelude::*;

/// A random series of 2..120 values and a window length that leaves at least one window.
fn series_and_step() -> impl Strategy<Value = (Vec<f64>, usize)> {
    prop::collection::vec(-1e3f64..1e3, 2..120).prop_flat_map(|v| {
        let n = v.len();
        (Just(v), 1..n)
    })
}

/// A random series, a step, and a split T leaving more than `step` values in each part.
fn series_step_split() -> impl Strategy<Value = (Vec<f64>, usize, usize)> {
    (1usize..8)
        .prop_flat_map(|step| {
            (
                prop::collection::vec(-50f64..50.0, 2 * step + 2..150),
                Just(step),
            )
        })
        .prop_flat_map(|(v, step)| {
            let n = v.len();
            (Just(v), Just(step), step + 1..n - step)
        })
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![Just(Layout::Tutorial), Just(Layout::Sequence)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn conmat_target_i_is_x_i_plus_step((x, step) in series_and_step(), layout in layout()) {
        let (w, y) = conmat(&x, step, layout).unwrap();
        let n = x.len() - step;
        prop_assert_eq!(w.count(), n);
        prop_assert_eq!(y.len(), n);
        prop_assert_eq!(w.shape(), layout.shape(n, step));
        prop_assert_eq!(w.rows().count(), n);
        for i in 0..n {
            prop_assert_eq!(y[i], x[i + step] as f32);
            let row: Vec<f32> = x[i..i + step].iter().map(|&v| v as f32).collect();
            prop_assert_eq!(w.row(i).unwrap(), row.as_slice());
        }
        prop_assert!(w.row(n).is_none());
    }

    #[test]
    fn prepare_targets_follow_their_windows(
        (x, step, t) in series_step_split(),
        pad in any::<bool>(),
        layout in layout(),
    ) {
        let cfg = WindowConfig { split: SplitAt::Index(t), step, pad, layout, scale: ScaleKind::None };
        let ds = prepare(&x, &cfg).unwrap();
        let n = x.len();
        let (train_n, test_n) = if pad { (t, n - t) } else { (t - step, n - t - step) };
        prop_assert_eq!(ds.train.x.shape(), layout.shape(train_n, step));
        prop_assert_eq!(ds.test.x.shape(), layout.shape(test_n, step));
        for (part, real) in [(&ds.train, &x[..t]), (&ds.test, &x[t..])] {
            let last = *real.last().unwrap() as f32;
            for i in 0..part.len() {
                // Inputs are the part's (padded) values i..i+step, target the next one.
                let row = part.x.row(i).unwrap();
                for (k, &v) in row.iter().enumerate() {
                    let want = real.get(i + k).map_or(last, |&r| r as f32);
                    prop_assert_eq!(v, want);
                }
                match part.target_index(i) {
                    Some(j) => prop_assert_eq!(part.y[i], x[j] as f32),
                    None => {
                        prop_assert!(pad);
                        prop_assert_eq!(part.y[i], last);
                    }
                }
            }
            let artificial = (0..part.len()).filter(|&i| part.target_index(i).is_none()).count();
            prop_assert_eq!(artificial, if pad { step } else { 0 });
        }
        let tail: Vec<f32> = x[n - step..].iter().map(|&v| v as f32).collect();
        prop_assert_eq!(ds.next_window.data(), tail.as_slice());
        prop_assert_eq!(ds.tutorial_next_window.data(), ds.test.x.row(test_n - 1).unwrap());
    }

    #[test]
    fn split_fraction_k_over_n_gives_k(n in 2usize..5000, k_frac in 0.0f64..1.0) {
        let k = 1 + ((n - 1) as f64 * k_frac) as usize % (n - 1);
        prop_assert_eq!(SplitAt::Fraction(k as f64 / n as f64).resolve(n).unwrap(), k);
    }

    #[test]
    fn padding_appends_copies_of_the_last_value(
        x in prop::collection::vec(-1e6f64..1e6, 1..50),
        copies in 0usize..10,
    ) {
        let p = pad_with_last(&x, copies);
        prop_assert_eq!(p.len(), x.len() + copies);
        prop_assert_eq!(&p[..x.len()], x.as_slice());
        prop_assert!(p[x.len()..].iter().all(|&v| v == *x.last().unwrap()));
    }
}

#[test]
fn windows_helpers() {
    let w = Windows::from_rows(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3, Layout::Tutorial).unwrap();
    assert_eq!(w.shape(), [2, 1, 3]);
    assert_eq!(w.matrix_shape(), [2, 3]);
    assert_eq!((w.count(), w.step(), w.is_empty()), (2, 3, false));
    assert_eq!(w.last().unwrap().data(), &[4.0, 5.0, 6.0]);
    assert_eq!(w.last().unwrap().shape(), [1, 1, 3]);
    assert_eq!(w.window(0).unwrap().data(), &[1.0, 2.0, 3.0]);
    assert!(w.window(2).is_none());
    let s = w.clone().with_layout(Layout::Sequence);
    assert_eq!((s.shape(), s.layout()), ([2, 3, 1], Layout::Sequence));
    assert_eq!(s.into_data(), w.data());
    let empty = Windows::from_rows(vec![], 4, Layout::Sequence).unwrap();
    assert!(empty.is_empty() && empty.last().is_none());
    assert!(Windows::from_rows(vec![1.0; 5], 2, Layout::Tutorial).is_err());
    assert!(Windows::from_rows(vec![1.0; 4], 0, Layout::Tutorial).is_err());
    let one = Windows::single(&[1.0, 2.0], Layout::Sequence).unwrap();
    assert_eq!((one.shape(), one.data()), ([1, 2, 1], &[1.0f32, 2.0][..]));
    assert!(Windows::single(&[], Layout::Sequence).is_err());
    assert!(Windows::single(&[1e300], Layout::Sequence).is_err());
    for l in Layout::ALL {
        assert_eq!(l.name().parse::<Layout>().unwrap(), l);
    }
    assert!("Sequence".parse::<Layout>().is_ok());
}
