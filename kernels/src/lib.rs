//! `kernels`: the hot loops of recur, and the only crate with `unsafe` and SIMD.
//!
//! The main entry is [`gemm`]: `C <- alpha * A * B + beta * C` on f32 matrices given as strided
//! views ([`MatRef`], [`MatMut`]), so transposed and non-contiguous operands need no copy.
//! Bad shapes, strides or slices are [`KernelError`]s, never undefined behaviour.

mod error;
mod gemm;
mod matrix;

pub use error::KernelError;
pub use gemm::{GemmOptions, gemm, gemm_with};
pub use matrix::{MatMut, MatRef};
