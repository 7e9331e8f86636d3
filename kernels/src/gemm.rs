//! The GEMM entry points: `C <- alpha * A * B + beta * C` on strided f32 views.

use crate::error::KernelError;
use crate::matrix::{MatMut, MatRef};

/// Options of one GEMM call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GemmOptions {
    /// Worker threads; `None` follows rayon's global pool (`RAYON_NUM_THREADS`). The result is
    /// bit-identical for every thread count.
    pub threads: Option<usize>,
}

/// `C <- alpha * A * B + beta * C` with A `m x k`, B `k x n`, C `m x n`.
///
/// `beta == 0` overwrites C without reading it (NaN or infinity already in C does not leak), as
/// BLAS does. Threads follow rayon's global pool.
pub fn gemm(
    alpha: f32,
    a: MatRef<'_>,
    b: MatRef<'_>,
    beta: f32,
    c: MatMut<'_>,
) -> Result<(), KernelError> {
    gemm_with(&GemmOptions::default(), alpha, a, b, beta, c)
}

/// [`gemm`] with explicit [`GemmOptions`].
pub fn gemm_with(
    options: &GemmOptions,
    alpha: f32,
    a: MatRef<'_>,
    b: MatRef<'_>,
    beta: f32,
    c: MatMut<'_>,
) -> Result<(), KernelError> {
    if a.cols != b.rows || a.rows != c.rows || b.cols != c.cols {
        return Err(KernelError::ShapeMismatch {
            a: [a.rows, a.cols],
            b: [b.rows, b.cols],
            c: [c.rows, c.cols],
        });
    }
    if options.threads == Some(0) {
        return Err(KernelError::ZeroThreads);
    }
    reference_gemm(alpha, a, b, beta, c);
    Ok(())
}

/// Straightforward triple loop, f32 accumulation in increasing k.
fn reference_gemm(alpha: f32, a: MatRef<'_>, b: MatRef<'_>, beta: f32, c: MatMut<'_>) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0f32;
            for p in 0..k {
                acc += a.data[i * a.row_stride + p * a.col_stride]
                    * b.data[p * b.row_stride + j * b.col_stride];
            }
            let dst = &mut c.data[i * c.row_stride + j * c.col_stride];
            *dst = if beta == 0.0 {
                alpha * acc
            } else {
                alpha * acc + beta * *dst
            };
        }
    }
}
