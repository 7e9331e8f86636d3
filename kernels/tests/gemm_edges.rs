//! Edge cases, large products and thread-count bit-identity, on every supported kernel path.

mod common;

use common::{Layout, Strided, check, filler, reference};
use kernels::{
    Algorithm, Blocking, GemmOptions, GemmTuning, KernelError, KernelPath, LoopOrder, MatMut,
    MatRef, gemm_tuned,
};

fn supported_paths() -> Vec<KernelPath> {
    KernelPath::ALL
        .into_iter()
        .filter(|p| p.supported())
        .collect()
}

/// Runs one product through `gemm_tuned` and returns C.
#[allow(clippy::too_many_arguments)]
fn product(
    path: KernelPath,
    algorithm: Option<Algorithm>,
    threads: usize,
    alpha: f32,
    a: &Strided,
    b: &Strided,
    beta: f32,
    c0: &Strided,
) -> Result<Strided, KernelError> {
    let mut c = c0.clone();
    gemm_tuned(
        &GemmTuning {
            path: Some(path),
            caches: None,
            algorithm,
            blocking: None,
        },
        &GemmOptions {
            threads: Some(threads),
        },
        alpha,
        a.view()?,
        b.view()?,
        beta,
        c.view_mut()?,
    )?;
    Ok(c)
}

#[test]
fn empty_dimensions() -> Result<(), KernelError> {
    for path in supported_paths() {
        let mut fill = filler(1);
        // n = 0 and m = 0: nothing to do, nothing read.
        for (m, k, n) in [(0, 5, 3), (3, 5, 0), (0, 0, 0)] {
            let a = Strided::new(m, k, Layout::RowMajor, &mut fill);
            let b = Strided::new(k, n, Layout::RowMajor, &mut fill);
            let c = Strided::new(m, n, Layout::RowMajor, &mut fill);
            product(path, None, 1, 1.0, &a, &b, 0.0, &c)?;
        }
        // k = 0: C <- beta * C (zeros when beta = 0, even over NaN).
        let a = Strided::new(3, 0, Layout::RowMajor, &mut fill);
        let b = Strided::new(0, 4, Layout::RowMajor, &mut fill);
        let mut c = Strided::new(3, 4, Layout::RowMajor, &mut || 2.0);
        let out = product(path, None, 1, 1.0, &a, &b, 0.5, &c)?;
        assert!(out.data.iter().all(|&x| x == 1.0), "{path}: {:?}", out.data);
        c.data.fill(f32::NAN);
        let out = product(path, None, 1, 1.0, &a, &b, 0.0, &c)?;
        assert!(out.data.iter().all(|&x| x == 0.0), "{path}: {:?}", out.data);
    }
    Ok(())
}

#[test]
fn vectors_and_outer_products() -> Result<(), String> {
    for path in supported_paths() {
        for algorithm in [Some(Algorithm::Small), Some(Algorithm::Blocked)] {
            for (m, k, n) in [
                (1, 37, 70),
                (70, 37, 1),
                (1, 1, 1),
                (1, 300, 1),
                (45, 1, 33),
            ] {
                for (la, lb) in [
                    (Layout::RowMajor, Layout::RowMajor),
                    (Layout::ColMajor, Layout::ColMajor),
                    (Layout::RowPadded(3), Layout::ColPadded(2)),
                ] {
                    let mut fill = filler((m * 1000 + k * 10 + n) as u64);
                    let a = Strided::new(m, k, la, &mut fill);
                    let b = Strided::new(k, n, lb, &mut fill);
                    let c0 = Strided::new(m, n, Layout::RowMajor, &mut fill);
                    let (value, scale) = reference(2.3, &a, &b, 1.0, &c0);
                    let out = product(path, algorithm, 2, 2.3, &a, &b, 1.0, &c0)
                        .map_err(|e| e.to_string())?;
                    check(
                        &out,
                        &value,
                        &scale,
                        k,
                        &format!("{path} {algorithm:?} {m}x{k}x{n}"),
                    )?;
                }
            }
        }
    }
    Ok(())
}

#[test]
fn nan_in_c_does_not_leak_when_beta_is_zero() -> Result<(), String> {
    for path in supported_paths() {
        for algorithm in [Some(Algorithm::Small), Some(Algorithm::Blocked)] {
            for lc in [Layout::RowMajor, Layout::ColMajor] {
                let mut fill = filler(7);
                let a = Strided::new(19, 23, Layout::RowMajor, &mut fill);
                let b = Strided::new(23, 37, Layout::RowMajor, &mut fill);
                let mut c0 = Strided::new(19, 37, lc, &mut fill);
                c0.data.fill(f32::NAN);
                let out = product(path, algorithm, 1, 1.0, &a, &b, 0.0, &c0)
                    .map_err(|e| e.to_string())?;
                let (value, scale) = reference(1.0, &a, &b, 0.0, &c0);
                check(
                    &out,
                    &value,
                    &scale,
                    23,
                    &format!("{path} {algorithm:?} {lc:?}"),
                )?;
            }
        }
    }
    Ok(())
}

#[test]
fn alpha_zero_reads_neither_a_nor_b() -> Result<(), KernelError> {
    let a = [f32::NAN; 6];
    let b = [f32::INFINITY; 6];
    let mut c = [1.0, 2.0, 3.0, 4.0];
    kernels::gemm(
        0.0,
        MatRef::row_major(&a, 2, 3)?,
        MatRef::row_major(&b, 3, 2)?,
        2.0,
        MatMut::row_major(&mut c, 2, 2)?,
    )?;
    assert_eq!(c, [2.0, 4.0, 6.0, 8.0]);
    Ok(())
}

#[test]
fn large_products_match_reference() -> Result<(), String> {
    // Larger than the default blocks in k (several pc blocks) and not multiples of any tile.
    let shapes = [(300, 700, 260), (517, 300, 129), (40, 1100, 48)];
    for (m, k, n) in shapes {
        let mut fill = filler((m + k + n) as u64);
        let a = Strided::new(m, k, Layout::RowMajor, &mut fill);
        let b = Strided::new(k, n, Layout::ColMajor, &mut fill);
        let c0 = Strided::new(m, n, Layout::RowPadded(5), &mut fill);
        let (value, scale) = reference(-0.7, &a, &b, 2.3, &c0);
        for path in supported_paths() {
            let out = product(path, None, 2, -0.7, &a, &b, 2.3, &c0).map_err(|e| e.to_string())?;
            check(&out, &value, &scale, k, &format!("{path} {m}x{k}x{n}"))?;
        }
    }
    Ok(())
}

#[test]
fn results_are_bit_identical_for_1_2_and_3_threads() -> Result<(), KernelError> {
    let shapes = [
        (333, 600, 517),
        (700, 300, 40),
        (24, 520, 900),
        (100, 200, 90),
    ];
    for (m, k, n) in shapes {
        for (la, lb) in [
            (Layout::RowMajor, Layout::RowMajor),
            (Layout::ColMajor, Layout::ColPadded(3)),
        ] {
            let mut fill = filler((m * k + n) as u64);
            let a = Strided::new(m, k, la, &mut fill);
            let b = Strided::new(k, n, lb, &mut fill);
            let c0 = Strided::new(m, n, Layout::RowMajor, &mut fill);
            for path in supported_paths() {
                let one = product(path, None, 1, 1.3, &a, &b, 0.5, &c0)?;
                for threads in [2, 3] {
                    let many = product(path, None, threads, 1.3, &a, &b, 0.5, &c0)?;
                    assert!(
                        one.data
                            .iter()
                            .zip(&many.data)
                            .all(|(x, y)| x.to_bits() == y.to_bits()),
                        "{path} {m}x{k}x{n} {la:?} {lb:?}: {threads} threads differ from 1"
                    );
                }
            }
        }
    }
    Ok(())
}

#[test]
fn small_blocks_bit_identical_across_threads() -> Result<(), KernelError> {
    // Tiny blocks make many (jc, pc, ic) steps and many work items on a modest product.
    let (m, k, n) = (150, 130, 140);
    let mut fill = filler(3);
    let a = Strided::new(m, k, Layout::RowMajor, &mut fill);
    let b = Strided::new(k, n, Layout::RowMajor, &mut fill);
    let c0 = Strided::new(m, n, Layout::RowMajor, &mut fill);
    for path in supported_paths() {
        let mut results = Vec::new();
        // B packed by the first strip's tiles or in a pass of its own: the same bits too.
        for (threads, pack_b_first) in [1, 2, 3].into_iter().flat_map(|t| [(t, false), (t, true)]) {
            let mut c = c0.clone();
            gemm_tuned(
                &GemmTuning {
                    path: Some(path),
                    caches: None,
                    algorithm: Some(Algorithm::Blocked),
                    blocking: Some(Blocking {
                        kc: 17,
                        mc: 20,
                        nc: 40,
                        order: LoopOrder::APanelInL1,
                        pack_a: true,
                        short_tiles: false,
                        pack_b_first,
                    }),
                },
                &GemmOptions {
                    threads: Some(threads),
                },
                1.0,
                a.view()?,
                b.view()?,
                1.0,
                c.view_mut()?,
            )?;
            results.push(c.data);
        }
        assert!(results.windows(2).all(|w| w[0] == w[1]), "{path}");
    }
    Ok(())
}

#[test]
fn unsupported_forced_path_is_an_error_not_ub() {
    for path in KernelPath::ALL {
        let r = path.check();
        assert_eq!(r.is_ok(), path.supported());
        if let Err(e) = r {
            assert!(e.to_string().contains(path.name()), "{e}");
        }
    }
}

#[test]
fn small_and_packed_paths_agree_bit_for_bit_up_to_k_256() -> Result<(), KernelError> {
    // Both paths sum k in one pass with the same operations when k <= KC (256), so they agree;
    // this keeps results independent of where the small-path cut-over lies. Shapes of whole
    // 8 x 32 tiles with alpha 1 and beta 0 or 1 take the small path's direct tile loop.
    let shapes = [
        (100, 200, 90),
        (17, 256, 45),
        (64, 1, 64),
        (33, 77, 129),
        (16, 4, 32),
        (24, 33, 64),
        (8, 1, 32),
    ];
    for ((m, k, n), (alpha, beta)) in shapes
        .into_iter()
        .flat_map(|s| [(0.7, 1.1), (1.0, 0.0), (1.0, 1.0)].map(|ab| (s, ab)))
    {
        for (la, lb, lc) in [
            (Layout::RowMajor, Layout::RowMajor, Layout::RowMajor),
            (Layout::ColMajor, Layout::ColMajor, Layout::ColMajor),
            (Layout::RowPadded(2), Layout::ColMajor, Layout::RowMajor),
        ] {
            let mut fill = filler((m + 3 * k + 7 * n) as u64);
            let a = Strided::new(m, k, la, &mut fill);
            let b = Strided::new(k, n, lb, &mut fill);
            let c0 = Strided::new(m, n, lc, &mut fill);
            for path in supported_paths() {
                let small = product(path, Some(Algorithm::Small), 1, alpha, &a, &b, beta, &c0)?;
                let packed = product(path, Some(Algorithm::Blocked), 2, alpha, &a, &b, beta, &c0)?;
                assert!(
                    small
                        .data
                        .iter()
                        .zip(&packed.data)
                        .all(|(x, y)| x.to_bits() == y.to_bits()),
                    "{path} {m}x{k}x{n} {la:?} {lb:?} {lc:?} alpha {alpha} beta {beta}: small and \
                     packed paths differ"
                );
            }
        }
    }
    Ok(())
}
