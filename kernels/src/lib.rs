//! `kernels`: the hot loops of recur, and the only crate with `unsafe` and SIMD.
//!
//! The main entry is [`gemm`]: `C <- alpha * A * B + beta * C` on f32 matrices given as strided
//! views ([`MatRef`], [`MatMut`]), so transposed and non-contiguous operands need no copy.
//! Bad shapes, strides or slices are [`KernelError`]s, never undefined behaviour.
//!
//! The micro-kernel family ([`KernelPath`]: AVX-512F, AVX2+FMA or portable) is chosen once per
//! process from the CPU, or forced with the `RECUR_KERNEL` environment variable
//! ([`KERNEL_ENV`]).

mod error;
mod gemm;
mod matrix;
mod peak;

pub use error::KernelError;
#[doc(hidden)]
pub use gemm::{Algorithm, GemmTuning, gemm_tuned, uses_small_path};
pub use gemm::{Blocking, GemmOptions, KERNEL_ENV, KernelPath, LoopOrder, gemm, gemm_with};
pub use matrix::{MatMut, MatRef};
#[doc(hidden)]
pub use peak::fma_peak_loop;
