//! `gemm_prepacked` on a `PackedB`: against the f64 reference over random shapes, layouts,
//! scalars, row counts packed for and thread counts, on every supported kernel path; to the bit
//! against the packed path when A has the row count B was packed for; and its errors.

mod common;

use common::{Layout, Strided, check, filler, reference};
use kernels::{
    Algorithm, GemmOptions, GemmTuning, KernelError, KernelPath, MatMut, MatRef, PackedB,
    gemm_prepacked, gemm_tuned,
};
use proptest::prelude::*;

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        Just(Layout::RowMajor),
        Just(Layout::ColMajor),
        (1usize..4).prop_map(Layout::RowPadded),
        (1usize..4).prop_map(Layout::ColPadded),
        Just(Layout::BroadcastRows),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    m: usize,
    k: usize,
    n: usize,
    m_packed: usize,
    lb: Layout,
    alpha: f32,
    beta: f32,
    threads: usize,
    seed: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (0usize..80, 0usize..700, 0usize..90, 1usize..300),
        layout(),
        prop_oneof![Just(1.0f32), Just(0.0), -2.0f32..2.0],
        prop_oneof![Just(0.0f32), Just(1.0), -2.0f32..2.0],
        1usize..4,
        any::<u64>(),
    )
        .prop_map(
            |((m, k, n, m_packed), lb, alpha, beta, threads, seed)| Case {
                m,
                k,
                n,
                m_packed,
                lb,
                alpha,
                beta,
                threads,
                seed,
            },
        )
}

/// Wide and deep enough for several column blocks and uneven passes over k (the last one
/// shorter), where a panel offset mistake would show.
fn wide_case() -> impl Strategy<Value = Case> {
    (
        (1usize..40, 300usize..800, 520usize..1100, 1usize..40),
        1usize..3,
        any::<u64>(),
    )
        .prop_map(|((m, k, n, m_packed), threads, seed)| Case {
            m,
            k,
            n,
            m_packed,
            lb: Layout::RowMajor,
            alpha: 1.0,
            beta: 0.5,
            threads,
            seed,
        })
}

fn paths() -> Vec<KernelPath> {
    KernelPath::ALL
        .into_iter()
        .filter(|p| p.supported())
        .collect()
}

fn fail(e: KernelError) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn prepacked_matches_reference(c in case()) {
        run(&c)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn wide_prepacked_matches_reference(c in wide_case()) {
        run(&c)?;
    }
}

/// One case on every supported path.
fn run(c: &Case) -> Result<(), TestCaseError> {
    let mut fill = filler(c.seed);
    let a = Strided::new(c.m, c.k, Layout::RowMajor, &mut fill);
    let b = Strided::new(c.k, c.n, c.lb, &mut fill);
    let mut c0 = Strided::new(c.m, c.n, Layout::RowMajor, &mut fill);
    if c.beta == 0.0 {
        c0.data.iter_mut().for_each(|x| *x = f32::NAN);
    }
    let (value, scale) = reference(c.alpha, &a, &b, c.beta, &c0);
    let options = GemmOptions {
        threads: Some(c.threads),
    };
    let caches = kernels::cache::detected().map_err(fail)?.description;
    for path in paths() {
        let mut packed = PackedB::new();
        // Packed twice, for another shape first: a repack must not keep stale panels.
        let other = Strided::new(c.k + 3, c.n + 5, Layout::RowMajor, &mut fill);
        packed
            .pack_on(path, &caches, other.view().map_err(fail)?, c.m_packed)
            .map_err(fail)?;
        packed
            .pack_on(path, &caches, b.view().map_err(fail)?, c.m_packed)
            .map_err(fail)?;
        prop_assert_eq!((packed.rows(), packed.cols()), (c.k, c.n));
        let product = |packed: &PackedB| -> Result<Strided, TestCaseError> {
            let mut out = c0.clone();
            let (av, cv) = (a.view().map_err(fail)?, out.view_mut().map_err(fail)?);
            gemm_prepacked(&options, c.alpha, av, packed, c.beta, cv).map_err(fail)?;
            Ok(out)
        };
        let out = product(&packed)?;
        let what = format!("{path} {c:?}");
        check(&out, &value, &scale, c.k, &what).map_err(TestCaseError::fail)?;

        // Packed for A's own row count: the packed path's bits, on any thread count.
        packed
            .pack_on(path, &caches, b.view().map_err(fail)?, c.m)
            .map_err(fail)?;
        let mine = product(&packed)?;
        let mut theirs = c0.clone();
        let tuning = GemmTuning {
            path: Some(path),
            caches: None,
            algorithm: Some(Algorithm::Blocked),
            blocking: None,
        };
        gemm_tuned(
            &tuning,
            &GemmOptions { threads: Some(1) },
            c.alpha,
            a.view().map_err(fail)?,
            b.view().map_err(fail)?,
            c.beta,
            theirs.view_mut().map_err(fail)?,
        )
        .map_err(fail)?;
        let bits = |s: &Strided| s.data.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&mine), bits(&theirs), "{}", what);
    }
    Ok(())
}

#[test]
fn shape_errors_and_empty_packings() {
    let b = vec![1.0f32; 12];
    let mut packed = PackedB::new();
    packed
        .pack(MatRef::row_major(&b, 3, 4).unwrap(), 8)
        .unwrap();
    let a = vec![1.0f32; 10];
    let mut c = vec![0.0f32; 8];
    // A has 5 columns, B 3 rows.
    let err = gemm_prepacked(
        &GemmOptions::default(),
        1.0,
        MatRef::row_major(&a, 2, 5).unwrap(),
        &packed,
        0.0,
        MatMut::row_major(&mut c, 2, 4).unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, KernelError::ShapeMismatch { .. }), "{err}");
    // Zero threads.
    let err = gemm_prepacked(
        &GemmOptions { threads: Some(0) },
        1.0,
        MatRef::row_major(&a[..6], 2, 3).unwrap(),
        &packed,
        0.0,
        MatMut::row_major(&mut c, 2, 4).unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, KernelError::ZeroThreads), "{err}");
    // A never-packed B is 0 x 0: only an empty product fits, and it scales nothing.
    let empty = PackedB::new();
    gemm_prepacked(
        &GemmOptions::default(),
        1.0,
        MatRef::row_major(&[], 0, 0).unwrap(),
        &empty,
        0.0,
        MatMut::row_major(&mut [], 0, 0).unwrap(),
    )
    .unwrap();
}
