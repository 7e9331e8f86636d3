//! Shared helpers for the GEMM tests: operand layouts, a seeded filler, the f64 reference and
//! the k-derived tolerance.

#![allow(dead_code)]

use kernels::{KernelError, MatMut, MatRef};

/// How an operand is laid out in its buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Row-major, contiguous.
    RowMajor,
    /// Column-major (what a transposed row-major matrix looks like).
    ColMajor,
    /// Row-major with `pad` extra elements per row.
    RowPadded(usize),
    /// Column-major with `pad` extra elements per column.
    ColPadded(usize),
    /// Every row the same memory (row stride 0); inputs only.
    BroadcastRows,
}

impl Layout {
    /// `(row_stride, col_stride, buffer length)` for a `rows x cols` operand.
    pub fn strides(self, rows: usize, cols: usize) -> (usize, usize, usize) {
        let (rs, cs) = match self {
            Layout::RowMajor => (cols, 1),
            Layout::ColMajor => (1, rows),
            Layout::RowPadded(p) => (cols + p, 1),
            Layout::ColPadded(p) => (1, rows + p),
            Layout::BroadcastRows => (0, 1),
        };
        let len = if rows == 0 || cols == 0 {
            0
        } else {
            (rows - 1) * rs + (cols - 1) * cs + 1
        };
        (rs, cs, len)
    }
}

/// An owned strided matrix.
#[derive(Debug, Clone)]
pub struct Strided {
    pub data: Vec<f32>,
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl Strided {
    /// A `rows x cols` matrix in `layout`, elements from `fill` (padding gets NaN, so a kernel
    /// that reads padding poisons its result).
    pub fn new(rows: usize, cols: usize, layout: Layout, fill: &mut impl FnMut() -> f32) -> Self {
        let (rs, cs, len) = layout.strides(rows, cols);
        let mut data = vec![f32::NAN; len];
        for i in 0..rows {
            for j in 0..cols {
                data[i * rs + j * cs] = fill();
            }
        }
        Strided {
            data,
            rows,
            cols,
            rs,
            cs,
        }
    }

    /// Element `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.rs + j * self.cs]
    }

    /// A read-only view.
    pub fn view(&self) -> Result<MatRef<'_>, KernelError> {
        MatRef::new(&self.data, self.rows, self.cols, self.rs, self.cs)
    }

    /// A writable view.
    pub fn view_mut(&mut self) -> Result<MatMut<'_>, KernelError> {
        MatMut::new(&mut self.data, self.rows, self.cols, self.rs, self.cs)
    }
}

/// Seeded uniform values in [-1, 1) (xorshift64*, enough for test data).
pub fn filler(seed: u64) -> impl FnMut() -> f32 {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    move || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        let x = s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40;
        (x as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

/// The f64 reference `alpha * A * B + beta * C0` and, per element, the error bound's scale
/// `|alpha| * sum |a||b| + |beta| * |c0|`.
pub fn reference(
    alpha: f32,
    a: &Strided,
    b: &Strided,
    beta: f32,
    c0: &Strided,
) -> (Vec<f64>, Vec<f64>) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let mut value = vec![0.0; m * n];
    let mut scale = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let (mut acc, mut mag) = (0.0f64, 0.0f64);
            for p in 0..k {
                let prod = a.get(i, p) as f64 * b.get(p, j) as f64;
                acc += prod;
                mag += prod.abs();
            }
            let c = if beta == 0.0 {
                0.0
            } else {
                c0.get(i, j) as f64
            };
            value[i * n + j] = alpha as f64 * acc + beta as f64 * c;
            scale[i * n + j] = (alpha as f64).abs() * mag + (beta as f64 * c).abs();
        }
    }
    (value, scale)
}

/// Checks `c` against the reference for a product of depth `k`.
///
/// Tolerance: a length-k f32 dot product has rounding error at most about `k * u * sum |a||b|`
/// (u = 2^-24, the unit roundoff), plus one rounding each for alpha, beta and the final sum and
/// one per k block written back to C (fewer than k). `2 * (k + 4) * u * scale` covers all of them
/// with a factor 2 to spare; `1e-30` absolute lets exact zeros pass.
pub fn check(
    c: &Strided,
    value: &[f64],
    scale: &[f64],
    k: usize,
    what: &str,
) -> Result<(), String> {
    let u = f64::powi(2.0, -24);
    let n = c.cols;
    for i in 0..c.rows {
        for j in 0..n {
            let got = c.get(i, j) as f64;
            let want = value[i * n + j];
            let tol = 2.0 * (k as f64 + 4.0) * u * scale[i * n + j] + 1e-30;
            // `le` is false for NaN, so a NaN result fails.
            if !(got - want).abs().le(&tol) {
                return Err(format!(
                    "{what}: C[{i},{j}] = {got}, reference {want}, tolerance {tol:e}"
                ));
            }
        }
    }
    Ok(())
}
