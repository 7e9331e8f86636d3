//! A transposed (column-major) A, as in a recurrent op's weight gradient `dU = H'ᵀ dZ`: the
//! packed path packs it one strip at a time when n spans enough tiles, and reads it in place
//! otherwise. Packing must not change a bit: the default choice, A forced in place and A
//! forced packed (both loop orders) give identical results on 1, 2 and 3 threads, and match the
//! f64 reference. Deep k, so several passes over k.

mod common;

use common::{Layout, Strided, check, filler, reference};
use kernels::{
    Algorithm, Blocking, GemmOptions, GemmTuning, KernelError, KernelPath, LoopOrder, gemm_tuned,
};

fn supported_paths() -> Vec<KernelPath> {
    KernelPath::ALL
        .into_iter()
        .filter(|p| p.supported())
        .collect()
}

fn bits(s: &Strided) -> Vec<u32> {
    s.data.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn packing_a_changes_no_bit() -> Result<(), String> {
    // (m, k, n, A's layout): n = 100 and 200 pack A by default, n = 40 reads it in place.
    let shapes = [
        (96, 1300, 100, Layout::ColMajor),
        (40, 700, 200, Layout::ColPadded(3)),
        (50, 900, 40, Layout::ColMajor),
    ];
    let caches = kernels::cache::detected()
        .map_err(|e| e.to_string())?
        .description;
    for (m, k, n, la) in shapes {
        let mut fill = filler((m * k + n) as u64);
        let a = Strided::new(m, k, la, &mut fill);
        let b = Strided::new(k, n, Layout::RowMajor, &mut fill);
        let c0 = Strided::new(m, n, Layout::RowMajor, &mut fill);
        let (value, scale) = reference(1.1, &a, &b, 0.5, &c0);
        for path in supported_paths() {
            let model = kernels::blocking_for(path, &caches, m, k);
            assert!(
                model.kc < k,
                "{path} {m}x{k}x{n}: want several passes, {model:?}"
            );
            let mut blockings = vec![None];
            for order in [LoopOrder::APanelInL1, LoopOrder::BPanelInL1] {
                for (pack_a, short_tiles) in [(false, false), (true, false), (false, true)] {
                    blockings.push(Some(Blocking {
                        order,
                        pack_a,
                        short_tiles,
                        ..model
                    }));
                }
            }
            let mut first: Option<Vec<u32>> = None;
            for blocking in blockings {
                for threads in [1, 2, 3] {
                    let mut c = c0.clone();
                    let what = format!("{path} {m}x{k}x{n} {la:?} {blocking:?} threads={threads}");
                    gemm_tuned(
                        &GemmTuning {
                            path: Some(path),
                            caches: None,
                            algorithm: Some(Algorithm::Blocked),
                            blocking,
                        },
                        &GemmOptions {
                            threads: Some(threads),
                        },
                        1.1,
                        a.view().map_err(|e| e.to_string())?,
                        b.view().map_err(|e| e.to_string())?,
                        0.5,
                        c.view_mut().map_err(|e| e.to_string())?,
                    )
                    .map_err(|e: KernelError| format!("{what}: {e}"))?;
                    check(&c, &value, &scale, k, &what)?;
                    match &first {
                        None => first = Some(bits(&c)),
                        Some(f) => assert!(*f == bits(&c), "{what}: bits differ"),
                    }
                }
            }
        }
    }
    Ok(())
}
