//! Finite-difference checks of the regularizer gradients (weight and activity forms).

use nn::Regularizer;
use proptest::prelude::*;

/// Central difference of `f` at `w[i]`, computed from f32 penalties in f64.
fn numeric(f: &dyn Fn(&[f32]) -> f32, w: &[f32], i: usize, h: f32) -> f64 {
    let (mut a, mut b) = (w.to_vec(), w.to_vec());
    a[i] += h;
    b[i] -= h;
    (f(&a) as f64 - f(&b) as f64) / ((a[i] - b[i]) as f64)
}

fn weights() -> impl Strategy<Value = Vec<f32>> {
    // Entries kept away from 0 so the L1 kink is never inside the difference interval.
    prop::collection::vec(prop_oneof![-2.0f32..-0.05, 0.05f32..2.0], 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn weight_gradients_match_finite_differences(
        w in weights(),
        l1 in 0.0f64..0.5,
        l2 in 0.0f64..0.5,
    ) {
        for r in [Regularizer::L1 { l1 }, Regularizer::L2 { l2 }, Regularizer::L1l2 { l1, l2 }] {
            let mut g = vec![0.0f32; w.len()];
            r.add_gradient(&w, &mut g).unwrap();
            let f = |x: &[f32]| r.penalty(x);
            for (i, &gi) in g.iter().enumerate() {
                let n = numeric(&f, &w, i, 1e-2);
                prop_assert!((gi as f64 - n).abs() <= 2e-3 * (1.0 + n.abs()), "{r:?} i={i}: {gi} vs {n}");
            }
        }
    }

    #[test]
    fn activity_gradients_match_finite_differences(
        w in weights(),
        l2 in 0.0f64..0.5,
        l1 in 0.0f64..0.5,
    ) {
        let batch = w.len();
        let r = Regularizer::L1l2 { l1, l2 };
        let mut g = vec![0.0f32; w.len()];
        r.add_activity_gradient(&w, batch, &mut g).unwrap();
        let f = |x: &[f32]| r.activity_penalty(x, batch).unwrap();
        for (i, &gi) in g.iter().enumerate() {
            let n = numeric(&f, &w, i, 1e-2);
            prop_assert!((gi as f64 - n).abs() <= 2e-3 * (1.0 + n.abs()), "i={i}: {gi} vs {n}");
        }
    }
}

#[test]
fn l1_gradient_at_exact_zero_is_zero() {
    let r = Regularizer::L1l2 { l1: 0.3, l2: 0.2 };
    let mut g = [0.0f32; 3];
    r.add_gradient(&[0.0, -0.0, 1.0], &mut g).unwrap();
    assert_eq!(&g[..2], &[0.0, 0.0]);
    assert_eq!(g[2], 0.3f32 + 0.2f32 * 2.0);
}
