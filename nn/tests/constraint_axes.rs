//! The norm constraints on arbitrary shapes and axis sets, against a naive reference that
//! groups elements by their index with the reduced axes removed.

use nn::{Axis, Constraint};
use proptest::prelude::*;

/// Reference: L2 norm of each slice, keyed by the multi-index with reduced axes zeroed.
fn reference_unit_norm(shape: &[usize], axes: &[usize], w: &[f32]) -> Vec<f32> {
    let rank = shape.len();
    let key = |mut lin: usize| {
        let mut idx = vec![0; rank];
        for d in (0..rank).rev() {
            idx[d] = lin % shape[d];
            lin /= shape[d];
        }
        for &a in axes {
            idx[a] = 0;
        }
        idx
    };
    let mut sums: std::collections::HashMap<Vec<usize>, f64> = Default::default();
    for (i, &x) in w.iter().enumerate() {
        *sums.entry(key(i)).or_default() += (x as f64) * (x as f64);
    }
    w.iter()
        .enumerate()
        .map(|(i, &x)| (x as f64 / (1e-7 + sums[&key(i)].sqrt())) as f32)
        .collect()
}

fn case() -> impl Strategy<Value = (Vec<usize>, Vec<usize>, Vec<f32>)> {
    prop::collection::vec(1usize..4, 1..5).prop_flat_map(|shape| {
        let rank = shape.len();
        let n: usize = shape.iter().product();
        (
            Just(shape),
            prop::collection::btree_set(0..rank, 1..=rank).prop_map(|s| s.into_iter().collect()),
            prop::collection::vec(-3.0f32..3.0, n),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn unit_norm_matches_reference((shape, axes, w) in case()) {
        let axis = Axis::Many(axes.iter().map(|&a| a as i64).collect());
        let mut got = w.clone();
        Constraint::UnitNorm { axis }.apply(&shape, &mut got).unwrap();
        let want = reference_unit_norm(&shape, &axes, &w);
        for (g, r) in got.iter().zip(&want) {
            prop_assert!((g - r).abs() <= 1e-5 * (1.0 + r.abs()), "{shape:?} {axes:?}: {g} vs {r}");
        }
    }

    #[test]
    fn max_norm_bounds_every_slice((shape, axes, w) in case(), max in 0.1f64..2.0) {
        // Negative axes count from the end.
        let rank = shape.len() as i64;
        let axis = Axis::Many(axes.iter().map(|&a| a as i64 - rank).collect());
        let mut got = w.clone();
        Constraint::MaxNorm { max_value: max, axis }.apply(&shape, &mut got).unwrap();
        let unit = reference_unit_norm(&shape, &axes, &got);
        // got = unit * norm; every norm must be <= max (within rounding).
        for (g, u) in got.iter().zip(&unit) {
            if u.abs() > 1e-3 {
                prop_assert!((g / u).abs() as f64 <= max * (1.0 + 1e-5));
            }
        }
    }
}
