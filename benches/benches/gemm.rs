//! Criterion benchmarks of f32 GEMM: recur's kernels (1 and 2 threads) against matrixmultiply
//! (default features, single-threaded) and a naive loop, on square sizes and the RNN step's
//! shapes. Throughput is in FLOPs (criterion's "elements" are floating-point operations).

use std::time::Duration;

use benches::{Operands, RNN_SHAPES, SQUARE, flops};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn bench_shape(c: &mut Criterion, group: &str, m: usize, k: usize, n: usize) {
    let mut g = c.benchmark_group(group);
    let work = flops(m, k, n);
    g.throughput(Throughput::Elements(work as u64));
    if work > 1e9 {
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(4));
    } else {
        g.measurement_time(Duration::from_secs(2));
    }
    g.warm_up_time(Duration::from_millis(500));
    let id = format!("{m}x{k}x{n}");
    let mut ops = Operands::new(m, k, n);
    for threads in [1, 2] {
        g.bench_function(BenchmarkId::new(format!("ours_{threads}t"), &id), |bench| {
            bench.iter(|| ops.ours(threads).expect("valid operands"))
        });
    }
    g.bench_function(BenchmarkId::new("matrixmultiply", &id), |bench| {
        bench.iter(|| ops.matrixmultiply())
    });
    if work <= 2.0 * 512f64.powi(3) {
        g.bench_function(BenchmarkId::new("naive", &id), |bench| {
            bench.iter(|| ops.naive())
        });
    }
    g.finish();
}

fn square(c: &mut Criterion) {
    for n in SQUARE {
        bench_shape(c, "gemm_square", n, n, n);
    }
}

fn rnn(c: &mut Criterion) {
    for (m, k, n) in RNN_SHAPES {
        bench_shape(c, "gemm_rnn", m, k, n);
    }
}

criterion_group!(benches, rnn, square);
criterion_main!(benches);
