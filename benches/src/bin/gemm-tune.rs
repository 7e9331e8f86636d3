//! `gemm-tune`: the measurements behind the kernels' constants, re-runnable on a new machine.
//!
//! - `gemm-tune peak`: the FMA peak on 1 and 2 threads.
//! - `gemm-tune blocking N|MxKxN [THREADS] [KCs] [MCs] [NCs] [ORDERS]`: GFLOP/s of an N-cube
//!   (or an M x K x N product) for a grid of (loop order, KC, MC, NC); the lists are
//!   comma-separated. ORDERS is `all` (default: both loop orders, A packed or in place, and A
//!   in place under the family's shorter tile) or `default` (only the order the families use:
//!   A strip in L1, A in place). The grid's
//!   rounds are repeated three times, interleaved, and the model's own choice for the shape
//!   (on the detected caches) is printed first.
//! - `gemm-tune shape M K N [THREADS]`: ours (default choices) and matrixmultiply on one shape.
//! - `gemm-tune cutover [THREADS]`: the small path (1 thread) against the packed path on THREADS
//!   threads; the packed path should win only where `kernels::uses_small_path` says false.
//!
//! - `gemm-tune prepacked M K N [A_ROW_STRIDE] [C_ROW_STRIDE]`: one thread, the small path, the
//!   packed path and the packed path with B packed beforehand (`gemm_prepacked`, as the
//!   recurrent ops' per-step products run): where a recurrence should pack its kernel once
//!   instead of taking the small path. The strides (elements, default contiguous) place A's and
//!   C's rows as a step's rows of a `[batch, time, units]` tensor lie (`time * units` apart).
//! - `gemm-tune tn M K N [KCs] [MCs]`: one thread, `C = Aᵀ B` with A stored `k x m` row-major (a
//!   recurrent op's `dU = H'ᵀ dZ`): what `gemm` chooses, the model's blocks with A read in place
//!   and with A packed, A packed at each KC (and MC) listed, our row-major `A B` of the same
//!   shape, and matrixmultiply on the transposed layout.
//!
//! Times are the fastest of 15 samples (the machine is shared; see `benches::min_ns`).

use std::process::ExitCode;

use benches::{Operands, flops, fma_peak_gflops, min_ns};
use kernels::{
    Algorithm, Blocking, GemmOptions, GemmTuning, KernelError, LoopOrder, MatMut, MatRef, PackedB,
    gemm_prepacked, gemm_tuned,
};

fn time(
    ops: &mut Operands,
    algorithm: Algorithm,
    blocking: Option<Blocking>,
    threads: usize,
) -> Result<f64, KernelError> {
    let tuning = GemmTuning {
        path: None,
        caches: None,
        algorithm: Some(algorithm),
        blocking,
    };
    let options = GemmOptions {
        threads: Some(threads),
    };
    let (m, k, n) = (ops.m, ops.k, ops.n);
    let mut err = None;
    let ns = min_ns(15, 2e6, || {
        let r = (|| {
            gemm_tuned(
                &tuning,
                &options,
                1.0,
                MatRef::row_major(&ops.a, m, k)?,
                MatRef::row_major(&ops.b, k, n)?,
                0.0,
                MatMut::row_major(&mut ops.c, m, n)?,
            )
        })();
        if let Err(e) = r {
            err = Some(e);
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(ns),
    }
}

/// `gemm-tune tn`: `C = Aᵀ B` on one thread, A stored `k x m` row-major (so our A view has row
/// stride 1 and column stride m), under several blockings; `kcs` adds A-packed runs at those
/// depths.
fn tn(m: usize, k: usize, n: usize, kcs: &[usize], mcs: &[usize]) -> Result<(), KernelError> {
    // `ops.a` is read as Aᵀ: k x m row-major.
    let mut ops = Operands::new(m, k, n);
    let opts = GemmOptions { threads: Some(1) };
    let path = kernels::KernelPath::selected()?;
    let caches = kernels::cache::detected()?.description;
    let model = kernels::blocking_for(path, &caches, m, k);
    println!(
        "model ({path}, {caches}): kc={} mc={} nc={} pack_a={}",
        model.kc, model.mc, model.nc, model.pack_a
    );
    let mut runs: Vec<(String, Option<Blocking>)> = vec![
        ("gemm's choice".to_string(), None),
        (
            format!("A in place, kc {}", model.kc),
            Some(Blocking {
                pack_a: false,
                ..model
            }),
        ),
        (
            format!("A packed,   kc {}", model.kc),
            Some(Blocking {
                pack_a: true,
                ..model
            }),
        ),
    ];
    let default_mc = [model.mc];
    let mcs = if mcs.is_empty() { &default_mc[..] } else { mcs };
    for &kc in kcs {
        for &mc in mcs {
            runs.push((
                format!("A packed,   kc {kc} mc {mc}"),
                Some(Blocking {
                    kc,
                    mc,
                    pack_a: true,
                    ..model
                }),
            ));
        }
    }
    for (what, blocking) in runs {
        let tuning = GemmTuning {
            path: None,
            caches: None,
            algorithm: Some(Algorithm::Blocked),
            blocking,
        };
        let mut err = None;
        let ns = min_ns(15, 2e6, || {
            let r = (|| {
                gemm_tuned(
                    &tuning,
                    &opts,
                    1.0,
                    MatRef::row_major(&ops.a, k, m)?.t(),
                    MatRef::row_major(&ops.b, k, n)?,
                    0.0,
                    MatMut::row_major(&mut ops.c, m, n)?,
                )
            })();
            if let Err(e) = r {
                err = Some(e);
            }
        });
        if let Some(e) = err {
            return Err(e);
        }
        println!(
            "Aᵀ B {m}x{k}x{n}, {what}: {ns:.0} ns ({:.1} GFLOP/s)",
            flops(m, k, n) / ns
        );
    }
    let plain = time(&mut ops, Algorithm::Blocked, None, 1)?;
    println!(
        "A B  {m}x{k}x{n} (A row-major), gemm's choice: {plain:.0} ns ({:.1} GFLOP/s)",
        flops(m, k, n) / plain
    );
    let mm = min_ns(15, 2e6, || ops.matrixmultiply_at());
    println!(
        "Aᵀ B {m}x{k}x{n}, matrixmultiply: {mm:.0} ns ({:.1} GFLOP/s)",
        flops(m, k, n) / mm
    );
    Ok(())
}

fn run(args: &[String]) -> Result<(), KernelError> {
    match args.first().map(String::as_str) {
        Some("peak") => {
            for t in [1, 2] {
                println!(
                    "FMA peak, {t} thread(s): {:.1} GFLOP/s",
                    fma_peak_gflops(t, 9)?
                );
            }
        }
        Some("blocking") => {
            // N (a cube) or MxKxN.
            let dims: Vec<usize> = args
                .get(1)
                .map(|s| s.split('x').filter_map(|x| x.parse().ok()).collect())
                .unwrap_or_default();
            let (m, k, n) = match dims[..] {
                [n] => (n, n, n),
                [m, k, n] => (m, k, n),
                _ => (1024, 1024, 1024),
            };
            let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
            let mut ops = Operands::new(m, k, n);
            let parse = |i: usize, default: &[usize]| -> Vec<usize> {
                args.get(i)
                    .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
                    .unwrap_or_else(|| default.to_vec())
            };
            let kcs = parse(3, &[192, 256, 384]);
            let mcs = parse(4, &[96, 192, 384, 768]);
            let ncs = parse(5, &[512, 1024, 4096]);
            // (order, pack_a, short_tiles)
            let orders: &[(LoopOrder, bool, bool)] = match args.get(6).map(String::as_str) {
                None | Some("all") => &[
                    (LoopOrder::BPanelInL1, true, false),
                    (LoopOrder::BPanelInL1, false, false),
                    (LoopOrder::APanelInL1, true, false),
                    (LoopOrder::APanelInL1, false, false),
                    (LoopOrder::APanelInL1, false, true),
                ],
                Some("default") => &[(LoopOrder::APanelInL1, false, false)],
                Some(other) => {
                    eprintln!("gemm-tune: ORDERS must be all or default, got {other:?}");
                    return Ok(());
                }
            };
            let path = kernels::KernelPath::selected()?;
            let caches = kernels::cache::detected()?;
            let model = kernels::blocking_for(path, &caches.description, m, k);
            // As gemm decides for this row-major B.
            let pack_b_first = kernels::packs_b_first(&caches.description, k, n);
            println!(
                "model ({path}, {}): kc={} mc={} nc={} pack_b_first={pack_b_first}",
                caches.description, model.kc, model.mc, model.nc
            );
            for round in 0..3 {
                println!("round {round}");
                for &(order, pack_a, short_tiles) in orders {
                    for &kc in &kcs {
                        for &mc in &mcs {
                            for &nc in &ncs {
                                let blocking = Blocking {
                                    kc,
                                    mc,
                                    nc,
                                    order,
                                    pack_a,
                                    short_tiles,
                                    pack_b_first,
                                };
                                let ns =
                                    time(&mut ops, Algorithm::Blocked, Some(blocking), threads)?;
                                println!(
                                    "{m}x{k}x{n} threads={threads} {order:?} pack_a={pack_a} short={short_tiles} kc={kc:4} mc={mc:4} nc={nc:5}: {:7.1} GFLOP/s",
                                    flops(m, k, n) / ns
                                );
                            }
                        }
                    }
                }
            }
        }
        Some("shape") => {
            let dim = |i: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(64);
            let (m, k, n) = (dim(1), dim(2), dim(3));
            let threads: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
            let mut ops = Operands::new(m, k, n);
            let small = kernels::uses_small_path(m, k, n);
            let algorithm = if small {
                Algorithm::Small
            } else {
                Algorithm::Blocked
            };
            let ns = time(&mut ops, algorithm, None, threads)?;
            let mm = min_ns(15, 2e6, || ops.matrixmultiply());
            println!(
                "{m}x{k}x{n} threads={threads} ({algorithm:?}): ours {ns:.0} ns ({:.1} GFLOP/s), matrixmultiply {mm:.0} ns, ratio {:.2}",
                flops(m, k, n) / ns,
                ns / mm
            );
        }
        Some("prepacked") => {
            let dim = |i: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(32);
            let (m, k, n) = (dim(1), dim(2), dim(3));
            // Row strides of A and C as a recurrent op's step products have them (rows of a
            // [batch, time, units] tensor are time * units apart); default: contiguous.
            let stride = |i: usize, min: usize| {
                args.get(i)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(min)
                    .max(min)
            };
            let (a_rs, c_rs) = (stride(4, k), stride(5, n));
            let mut ops = Operands::new(m, k, n);
            let small = time(&mut ops, Algorithm::Small, None, 1)?;
            let blocked = time(&mut ops, Algorithm::Blocked, None, 1)?;
            let mut packed = PackedB::new();
            packed.pack(MatRef::row_major(&ops.b, k, n)?, m)?;
            let opts = GemmOptions { threads: Some(1) };
            let mut a = vec![0.0f32; (m - 1) * a_rs + k];
            for i in 0..m {
                a[i * a_rs..i * a_rs + k].copy_from_slice(&ops.a[i * k..(i + 1) * k]);
            }
            let mut c = vec![0.0f32; (m - 1) * c_rs + n];
            let mut err = None;
            let pre = min_ns(15, 2e6, || {
                let r = MatRef::new(&a, m, k, a_rs, 1).and_then(|a| {
                    gemm_prepacked(
                        &opts,
                        1.0,
                        a,
                        &packed,
                        0.0,
                        MatMut::new(&mut c, m, n, c_rs, 1)?,
                    )
                });
                if let Err(e) = r {
                    err = Some(e);
                }
            });
            if let Some(e) = err {
                return Err(e);
            }
            let g = |ns: f64| flops(m, k, n) / ns;
            println!(
                "{m}x{k}x{n}: small {small:.0} ns ({:.1} GFLOP/s), packed {blocked:.0} ns ({:.1}), prepacked (A rows {a_rs} apart, C rows {c_rs}) {pre:.0} ns ({:.1}); prepacked/small {:.2}",
                g(small),
                g(blocked),
                g(pre),
                pre / small
            );
        }
        Some("tn") => {
            let dim = |i: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(256);
            let (m, k, n) = (dim(1), dim(2), dim(3));
            let kcs: Vec<usize> = args
                .get(4)
                .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
                .unwrap_or_default();
            let mcs: Vec<usize> = args
                .get(5)
                .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
                .unwrap_or_default();
            tn(m, k, n, &kcs, &mcs)?;
        }
        Some("cutover") => {
            let threads: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
            let (ms, ks, ns): (&[usize], &[usize], &[usize]) = if threads == 1 {
                (
                    &[16, 64, 128, 256, 512],
                    &[32, 128, 256, 512],
                    &[8, 32, 128, 256, 512],
                )
            } else {
                (&[16, 32, 64, 128], &[32, 64, 128, 256], &[16, 32, 64, 128])
            };
            for &m in ms {
                for &k in ks {
                    for &n in ns {
                        let mut ops = Operands::new(m, k, n);
                        let small = time(&mut ops, Algorithm::Small, None, 1)?;
                        let blocked = time(&mut ops, Algorithm::Blocked, None, threads)?;
                        println!(
                            "{m:4}x{k:4}x{n:4}: small {small:10.0} ns, packed ({threads} thr) {blocked:10.0} ns, packed/small {:.2}  (uses_small_path: {})",
                            blocked / small,
                            kernels::uses_small_path(m, k, n)
                        );
                    }
                }
            }
        }
        _ => {
            eprintln!(
                "usage: gemm-tune peak | shape M K N [THREADS] | prepacked M K N [A_RS] [C_RS] | tn M K N [KCs] [MCs] | blocking [N|MxKxN] [THREADS] [KCs] [MCs] [NCs] [all|default] | cutover [THREADS]"
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gemm-tune: {e}");
            ExitCode::FAILURE
        }
    }
}
