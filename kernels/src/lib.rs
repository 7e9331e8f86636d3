//! `kernels`: the hot loops of recur, and the only crate with `unsafe` and SIMD.
//!
//! The main entry is [`gemm`]: `C <- alpha * A * B + beta * C` on f32 matrices given as strided
//! views ([`MatRef`], [`MatMut`]), so transposed and non-contiguous operands need no copy.
//! Bad shapes, strides or slices are [`KernelError`]s, never undefined behaviour.
//!
//! The micro-kernel family ([`KernelPath`]: AVX-512F, AVX2+FMA or portable) is chosen once per
//! process from the CPU, or forced with the `RECUR_KERNEL` environment variable
//! ([`KERNEL_ENV`]).
//!
//! How a product runs:
//! - Small products (below about 128 x 128 x 256, or n <= 16) take the small path: register
//!   tiles (AVX-512: 8 or 12 rows x 32 columns, or 16 x 16 for narrow n) read A and B where they
//!   are, with lane masks at the right edge; no packing, no threads, no allocation.
//! - Larger ones take the packed path: B is packed in `KC x NC` blocks of 32-column panels that
//!   stay in L2, A is broadcast in place from 12-row (or 8-row) strips that stay in L1, and rayon
//!   workers split the rows (and, for short m, the columns) of C. The block sizes depend on m and
//!   k only (AVX-512 figures): k is cut into equal passes of at most `4 m`, clamped to
//!   256..=1024, and NC (at most 512) keeps a B block within 1 MiB, so a 512-cube runs as
//!   512 x 512, larger cubes as 1024 x 256, a 32-row batch chunk as 256 x 512. K is never split
//!   across threads, so every thread count gives the same bits.
//! - Scratch buffers live in thread-locals and are reused, so a warm loop does not allocate.
//!
//! [`vecmath`] holds the other hot loops: `tanh`, the logistic sigmoid and `exp` over slices,
//! vectorized on the same run-time path.
//!
//! Block sizes and cut-overs were measured on the reference machine; see `gemm/isa.rs` and
//! `uses_small_path` for the figures, and the `gemm-tune` binary of the benches crate to redo
//! them.

mod error;
mod gemm;
mod matrix;
mod peak;
pub mod vecmath;

pub use error::KernelError;
#[doc(hidden)]
pub use gemm::{Algorithm, GemmTuning, gemm_tuned, uses_small_path};
pub use gemm::{
    Blocking, GemmOptions, KERNEL_ENV, KernelPath, LoopOrder, PackedB, gemm, gemm_prepacked,
    gemm_with,
};
pub use matrix::{MatMut, MatRef};
#[doc(hidden)]
pub use peak::fma_peak_loop;
