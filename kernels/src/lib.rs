//! `kernels`: the hot loops of recur, and the only crate with `unsafe` and SIMD.
//!
//! The main entry is [`gemm`]: `C <- alpha * A * B + beta * C` on f32 matrices given as strided
//! views ([`MatRef`], [`MatMut`]), so transposed and non-contiguous operands need no copy.
//! Bad shapes, strides or slices are [`KernelError`]s, never undefined behaviour.
//!
//! The micro-kernel family ([`KernelPath`]: AVX-512F, AVX2+FMA or portable) is chosen once per
//! process from the CPU (the widest it supports, AMD Zen 4 included, where AVX-512 measured
//! faster although its 512-bit FMAs run as two 256-bit halves: [`KernelPath::best_supported`]),
//! or forced with the `RECUR_KERNEL` environment variable ([`KERNEL_ENV`]).
//!
//! How a product runs:
//! - Small products (below about 128 x 128 x 256, or n <= 16) take the small path: register
//!   tiles (AVX-512: 8 or 12 rows x 32 columns, or 16 x 16 for narrow n) read A and B where they
//!   are, with lane masks at the right edge; no packing, no threads, no allocation.
//! - Larger ones take the packed path: B is packed in `KC x NC` blocks of NR-column panels that
//!   stay in L2, A is broadcast in place from MR-row strips that stay in L1, and rayon workers
//!   split the columns (or rows) of C. The blocks come from an analytical model of the running
//!   CPU's caches ([`cache`], detected once; `RECUR_CACHES` overrides): an A strip at most all
//!   of L1d, and a B block of at least 8 panels in half of L2, bound KC; NC fills half of L2 or,
//!   on AMD, a quarter of the L3 share per CPU, whichever is wider (on Intel a block past L2
//!   measured slower); k is cut into equal passes of at
//!   most `4 m` (at least 256). On a Zen 3 (32 KiB L1d, 512 KiB L2, 2 MiB of L3 per core) with
//!   the AVX2 family's 6 x 16 tile that is KC <= 512 with NC = 256; on the Sapphire Rapids
//!   reference machine with the AVX-512 family's 12 x 32 tile, KC <= 1024 with NC = 256, the
//!   blocks measured there. K is never split across threads, so every thread
//!   count gives the same bits; `gemm/model.rs` has the derivation and the measurements.
//! - Scratch buffers live in thread-locals and are reused, so a warm loop does not allocate.
//!
//! [`vecmath`] holds the other hot loops: `tanh`, the logistic sigmoid and `exp` over slices,
//! vectorized on the same run-time path.
//!
//! The cut-overs were measured on the reference machine (see `uses_small_path`); the blocking
//! model's rules and the measurements behind them are in `gemm/model.rs`. The `gemm-report`
//! binary of the benches crate prints the detected caches and the blocks chosen per shape, and
//! `gemm-tune` redoes the measurements.

pub mod cache;
mod error;
mod gemm;
mod matrix;
pub mod memory;
mod peak;
pub mod vecmath;

pub use error::KernelError;
#[doc(hidden)]
pub use gemm::{Algorithm, GemmTuning, gemm_tuned, packs_b_first, uses_small_path};
pub use gemm::{
    Blocking, GemmOptions, KERNEL_ENV, KernelPath, Limits, LoopOrder, PackedB, blocking_for,
    blocking_limits, gemm, gemm_prepacked, gemm_with,
};
pub use matrix::{MatMut, MatRef};
#[doc(hidden)]
pub use peak::fma_peak_loop;
