//! `gemm-report`: recur's f32 GEMM against matrixmultiply on square sizes and an RNN step's
//! shapes, 1 and 2 threads, with this CPU's measured FMA peak; under a minute.
//!
//! `--blocks` prints only the header and each shape's blocks, without measuring (to see what
//! a forced `RECUR_CACHES` description makes the model choose).
//!
//! The header names the CPU, the cache description the blocking model read (and whether
//! `RECUR_CACHES` overrode it), the micro-kernel family (and why), and each row says which path
//! and which blocks (`KC x NC`, MC) our GEMM used.
//!
//! `--json` prints one JSON object instead of the table:
//! `{"kernel", "caches": {"source", "overridden", "l1d", "l2", "l3"}, "peak_gflops": {"1": f,
//! "2": f}, "rows": [{"m", "k", "n", "threads", "blocks", "ours_ns", "matrixmultiply_ns",
//! "ours_gflops", "matrixmultiply_gflops"}]}` (sizes in bytes; `blocks` is `"small"` or
//! `{"kc", "nc", "mc"}`). All times are medians of interleaved samples. matrixmultiply runs with
//! default features (single-threaded) in every row.

use std::process::ExitCode;
use std::time::Instant;

use benches::{Operands, RNN_SHAPES, SQUARE, flops, fma_peak_gflops, median};
use kernels::cache::{self, CpuId, DetectedCaches};
use kernels::{KernelError, KernelPath};
use serde_json::json;

/// One measured (shape, threads) pair.
struct Row {
    m: usize,
    k: usize,
    n: usize,
    threads: usize,
    ours_ns: f64,
    mm_ns: f64,
}

impl Row {
    fn ours_gflops(&self) -> f64 {
        flops(self.m, self.k, self.n) / self.ours_ns
    }
    fn mm_gflops(&self) -> f64 {
        flops(self.m, self.k, self.n) / self.mm_ns
    }
}

/// Median ns per call of ours and of matrixmultiply, sampled alternately so a burst of load from
/// elsewhere hits both.
fn measure(m: usize, k: usize, n: usize, threads: usize) -> Result<Row, KernelError> {
    let mut ops = Operands::new(m, k, n);
    let work = flops(m, k, n);
    // Samples: more for cheap shapes (noise), fewer for the 2048 cube (each call ~0.1 s).
    let samples = if work > 4e9 {
        7
    } else if work > 5e8 {
        11
    } else {
        31
    };
    // Calls per sample: enough for about 2 ms.
    ops.ours(threads)?;
    ops.matrixmultiply();
    let t = Instant::now();
    ops.ours(threads)?;
    let reps = ((2e6 / t.elapsed().as_nanos().max(1) as f64).ceil() as usize).clamp(1, 100_000);
    let (mut ours, mut mm) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        let t = Instant::now();
        for _ in 0..reps {
            ops.ours(threads)?;
        }
        ours.push(t.elapsed().as_nanos() as f64 / reps as f64);
        let t = Instant::now();
        for _ in 0..reps {
            ops.matrixmultiply();
        }
        mm.push(t.elapsed().as_nanos() as f64 / reps as f64);
    }
    Ok(Row {
        m,
        k,
        n,
        threads,
        ours_ns: median(&mut ours),
        mm_ns: median(&mut mm),
    })
}

/// What our GEMM does with an `m x k` by `k x n` product: `"small path"` or the blocks.
fn blocks(path: KernelPath, caches: &DetectedCaches, m: usize, k: usize, n: usize) -> String {
    if kernels::uses_small_path(m, k, n) {
        "small path".to_string()
    } else {
        let b = kernels::blocking_for(path, &caches.description, m, k);
        format!("{}x{} mc {}", b.kc, b.nc, b.mc)
    }
}

/// The header lines on the CPU, its caches, the kernel family and the model's limits.
fn print_setup(path: KernelPath, caches: &DetectedCaches) {
    let cpu = CpuId::current();
    println!(
        "CPU: {:?} family {:#x} model {:#x}",
        cpu.vendor, cpu.family, cpu.model
    );
    println!(
        "caches ({}): {}",
        caches.source,
        if caches.overridden.is_some() {
            caches.hardware.to_string()
        } else {
            caches.description.to_string()
        }
    );
    if let Some(text) = &caches.overridden {
        println!(
            "  overridden by {}={text:?}: {}",
            cache::CACHES_ENV,
            caches.description
        );
    }
    let why = if std::env::var(kernels::KERNEL_ENV)
        .is_ok_and(|v| !v.trim().is_empty() && v.trim() != "auto")
    {
        format!("forced by {}", kernels::KERNEL_ENV)
    } else {
        "widest supported".to_string()
    };
    let l = kernels::blocking_limits(path, &caches.description);
    let share = caches.description.l3.share() / 1024;
    let l3 = if l.l3_block > 0 {
        format!(
            "or {} KiB in L3 (L3 share per logical CPU {share} KiB)",
            l.l3_block * 4 / 1024
        )
    } else {
        format!("(no L3 budget on this vendor; L3 share per logical CPU {share} KiB)")
    };
    println!(
        "micro-kernel: {path} ({why}); model limits: KC <= {}, NC <= {}, MC {}, B block <= {} KiB \
         in L2 {l3}",
        l.kc,
        l.nc_max,
        l.mc,
        l.b_block * 4 / 1024,
    );
}

fn find(rows: &[Row], m: usize, k: usize, n: usize, threads: usize) -> Option<&Row> {
    rows.iter()
        .find(|r| (r.m, r.k, r.n, r.threads) == (m, k, n, threads))
}

fn print_table(path: KernelPath, caches: &DetectedCaches, peak: &[f64; 2], rows: &[Row]) {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "recur gemm-report: f32 C = A*B (row-major), medians; load avg {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    print_setup(path, caches);
    println!(
        "FMA peak (measured, best run): {:.1} GFLOP/s on 1 thread, {:.1} on 2",
        peak[0], peak[1]
    );
    println!("matrixmultiply 0.3 runs single-threaded (default features) in every row.\n");
    println!(
        "{:>16} {:>3} {:>10} {:>10} {:>7} {:>12} {:>12} {:>7}  blocks (KCxNC, MC)",
        "m x k x n", "thr", "ours GF/s", "mm GF/s", "ours/mm", "ours ns", "mm ns", "% peak"
    );
    for r in rows {
        println!(
            "{:>16} {:>3} {:>10.1} {:>10.1} {:>6.2}x {:>12.0} {:>12.0} {:>6.1}%  {}",
            format!("{}x{}x{}", r.m, r.k, r.n),
            r.threads,
            r.ours_gflops(),
            r.mm_gflops(),
            r.mm_ns / r.ours_ns,
            r.ours_ns,
            r.mm_ns,
            100.0 * r.ours_gflops() / peak[r.threads - 1],
            blocks(path, caches, r.m, r.k, r.n),
        );
    }
    println!("\nTargets:");
    let mark = |ok: bool| if ok { "met   " } else { "MISSED" };
    for n in [256, 512, 1024, 2048] {
        if let Some(r) = find(rows, n, n, n, 1) {
            let pct = 100.0 * r.ours_gflops() / peak[0];
            let want = if n == 2048 { 88.0 } else { 90.0 };
            let ratio = r.mm_ns / r.ours_ns;
            println!(
                "  {} n={n:<5} 1 thread: {pct:.1}% of peak (want >= {want}%), {ratio:.2}x matrixmultiply (want >= 1.05x)",
                mark(pct >= want && ratio >= 1.05)
            );
        }
    }
    for (n, want) in [(512, 1.8), (1024, 1.9), (2048, 1.9)] {
        if let (Some(one), Some(two)) = (find(rows, n, n, n, 1), find(rows, n, n, n, 2)) {
            let s = one.ours_ns / two.ours_ns;
            println!(
                "  {} n={n:<5} 2 threads: {s:.2}x our 1 thread (want >= {want}x)",
                mark(s >= want)
            );
        }
    }
    let limits = [0.5, 0.6, 0.35, 0.4, 0.6, 0.8];
    for ((m, k, n), limit) in RNN_SHAPES.into_iter().zip(limits) {
        if let Some(r) = find(rows, m, k, n, 1) {
            let f = r.ours_ns / r.mm_ns;
            println!(
                "  {} ({m},{k},{n}) 1 thread: time {f:.2} of matrixmultiply's (want <= {limit}), {:.0} ns vs {:.0} ns",
                mark(f <= limit),
                r.ours_ns,
                r.mm_ns
            );
        }
    }
}

/// The benchmarked shapes: the squares, then an RNN step's.
fn shapes() -> Vec<(usize, usize, usize)> {
    SQUARE
        .into_iter()
        .map(|n| (n, n, n))
        .chain(RNN_SHAPES)
        .collect()
}

fn run(json_out: bool) -> Result<(), KernelError> {
    let path = KernelPath::selected()?;
    let caches = cache::detected()?;
    // The peak is measured before and after the GEMM rows and the best run kept, so a burst of
    // load from other jobs at one moment does not understate it.
    let before = [fma_peak_gflops(1, 7)?, fma_peak_gflops(2, 7)?];
    let mut rows = Vec::new();
    for (m, k, n) in shapes() {
        for threads in [1, 2] {
            rows.push(measure(m, k, n, threads)?);
        }
    }
    let peak = [
        before[0].max(fma_peak_gflops(1, 7)?),
        before[1].max(fma_peak_gflops(2, 7)?),
    ];
    if json_out {
        let rows_json: Vec<_> = rows
            .iter()
            .map(|r| {
                let blocks = if kernels::uses_small_path(r.m, r.k, r.n) {
                    json!("small")
                } else {
                    let b = kernels::blocking_for(path, &caches.description, r.m, r.k);
                    json!({"kc": b.kc, "nc": b.nc, "mc": b.mc})
                };
                json!({
                    "m": r.m, "k": r.k, "n": r.n, "threads": r.threads, "blocks": blocks,
                    "ours_ns": r.ours_ns, "matrixmultiply_ns": r.mm_ns,
                    "ours_gflops": r.ours_gflops(), "matrixmultiply_gflops": r.mm_gflops(),
                })
            })
            .collect();
        let level = |l: &cache::CacheLevel| json!({"size": l.size, "ways": l.ways, "line": l.line, "shared_by": l.shared_by});
        let d = &caches.description;
        let out = json!({
            "kernel": path.name(),
            "caches": {
                "source": caches.source.to_string(),
                "overridden": caches.overridden,
                "l1d": level(&d.l1d), "l2": level(&d.l2), "l3": level(&d.l3),
            },
            "peak_gflops": {"1": peak[0], "2": peak[1]},
            "rows": rows_json,
        });
        println!("{out}");
    } else {
        print_table(path, caches, &peak, &rows);
    }
    Ok(())
}

/// `--blocks`: the setup and the blocks of every benchmarked shape, without measuring.
fn print_blocks() -> Result<(), KernelError> {
    let path = KernelPath::selected()?;
    let caches = cache::detected()?;
    print_setup(path, caches);
    for (m, k, n) in shapes() {
        println!(
            "{:>16}  {}",
            format!("{m}x{k}x{n}"),
            blocks(path, caches, m, k, n)
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    const USAGE: &str = "usage: gemm-report [--json | --blocks]";
    let (mut json_out, mut blocks_only) = (false, false);
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--json" => json_out = true,
            "--blocks" => blocks_only = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("gemm-report: unknown argument {other:?} ({USAGE})");
                return ExitCode::from(2);
            }
        }
    }
    if json_out && blocks_only {
        eprintln!("gemm-report: --json and --blocks exclude each other ({USAGE})");
        return ExitCode::from(2);
    }
    let result = if blocks_only {
        print_blocks()
    } else {
        run(json_out)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gemm-report: {e}");
            ExitCode::FAILURE
        }
    }
}
