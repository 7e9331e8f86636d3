//! Criterion benchmarks and report binaries for recur (the benches live in `benches/`).
