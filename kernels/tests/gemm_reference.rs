//! Every kernel path this CPU supports, on both algorithms, against an f64 reference: random
//! shapes (m, k, n in 0..=150 with tile-edge values favoured), layouts (row-major, column-major
//! i.e. transposed, padded, broadcast rows), alpha and beta (0, 1, 2.3, -0.7), cache blockings
//! and thread counts.

mod common;

use common::{Layout, Strided, check, filler, reference};
use kernels::{Algorithm, Blocking, GemmOptions, GemmTuning, KernelPath, LoopOrder, gemm_tuned};
use proptest::prelude::*;

fn input_layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        3 => Just(Layout::RowMajor),
        3 => Just(Layout::ColMajor),
        1 => (1..5usize).prop_map(Layout::RowPadded),
        1 => (1..5usize).prop_map(Layout::ColPadded),
        1 => Just(Layout::BroadcastRows),
    ]
}

fn output_layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        3 => Just(Layout::RowMajor),
        1 => Just(Layout::ColMajor),
        1 => (1..5usize).prop_map(Layout::RowPadded),
        1 => (1..5usize).prop_map(Layout::ColPadded),
    ]
}

/// A dimension: anywhere in 0..=150, often small, often next to a tile edge.
fn dim() -> impl Strategy<Value = usize> {
    prop_oneof![
        2 => 0..=150usize,
        2 => 0..=20usize,
        2 => prop::sample::select(vec![1usize, 4, 5, 7, 8, 9, 11, 12, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65]),
    ]
}

fn scalar() -> impl Strategy<Value = f32> {
    prop::sample::select(vec![0.0f32, 1.0, 2.3, -0.7])
}

#[derive(Debug, Clone)]
struct Case {
    m: usize,
    k: usize,
    n: usize,
    la: Layout,
    lb: Layout,
    lc: Layout,
    alpha: f32,
    beta: f32,
    seed: u64,
    blocking: Blocking,
    threads: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (dim(), dim(), dim()),
        (input_layout(), input_layout(), output_layout()),
        (scalar(), scalar(), any::<u64>()),
        (
            1..=40usize,
            1..=40usize,
            1..=80usize,
            1..=3usize,
            any::<(bool, bool, bool, bool)>(),
        ),
    )
        .prop_map(
            |(
                (m, k, n),
                (la, lb, lc),
                (alpha, beta, seed),
                (kc, mc, nc, threads, (a_in_l1, pack_a, short_tiles, pack_b_first)),
            )| Case {
                m,
                k,
                n,
                la,
                lb,
                lc,
                alpha,
                beta,
                seed,
                blocking: Blocking {
                    kc,
                    mc,
                    nc,
                    order: if a_in_l1 {
                        LoopOrder::APanelInL1
                    } else {
                        LoopOrder::BPanelInL1
                    },
                    pack_a,
                    short_tiles,
                    pack_b_first,
                },
                threads,
            },
        )
}

fn supported_paths() -> Vec<KernelPath> {
    KernelPath::ALL
        .into_iter()
        .filter(|p| p.supported())
        .collect()
}

fn run(c: &Case) -> Result<(), TestCaseError> {
    let mut fill = filler(c.seed);
    let a = Strided::new(c.m, c.k, c.la, &mut fill);
    let b = Strided::new(c.k, c.n, c.lb, &mut fill);
    let mut c0 = Strided::new(c.m, c.n, c.lc, &mut fill);
    if c.beta == 0.0 {
        // beta = 0 must not read C: NaN there must not reach the result.
        for i in 0..c.m {
            for j in 0..c.n {
                c0.data[i * c0.rs + j * c0.cs] = f32::NAN;
            }
        }
    }
    let (value, scale) = reference(c.alpha, &a, &b, c.beta, &c0);
    let tunings = [
        (None, None, 1),
        (Some(Algorithm::Small), None, 1),
        (Some(Algorithm::Blocked), None, c.threads),
        (Some(Algorithm::Blocked), Some(c.blocking), c.threads),
    ];
    for path in supported_paths() {
        for (algorithm, blocking, threads) in tunings {
            let tuning = GemmTuning {
                path: Some(path),
                caches: None,
                algorithm,
                blocking,
            };
            let options = GemmOptions {
                threads: Some(threads),
            };
            let mut out = c0.clone();
            let what = format!("{path} {algorithm:?} {blocking:?} threads={threads} {c:?}");
            gemm_tuned(
                &tuning,
                &options,
                c.alpha,
                a.view().map_err(|e| TestCaseError::fail(e.to_string()))?,
                b.view().map_err(|e| TestCaseError::fail(e.to_string()))?,
                c.beta,
                out.view_mut()
                    .map_err(|e| TestCaseError::fail(e.to_string()))?,
            )
            .map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
            check(&out, &value, &scale, c.k, &what).map_err(TestCaseError::fail)?;
            // Elements of C's buffer outside the m x n view (padding) must be untouched.
            let mut inside = vec![false; out.data.len()];
            for i in 0..c.m {
                for j in 0..c.n {
                    inside[i * c0.rs + j * c0.cs] = true;
                }
            }
            for (idx, (x, y)) in out.data.iter().zip(&c0.data).enumerate() {
                if !inside[idx] {
                    prop_assert_eq!(
                        x.to_bits(),
                        y.to_bits(),
                        "{} wrote padding at {}",
                        what,
                        idx
                    );
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn every_path_matches_reference(c in case()) {
        run(&c)?;
    }
}
