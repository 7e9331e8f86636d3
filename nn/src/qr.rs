//! A small Householder QR, used only by the orthogonal initializer.
//!
//! Why hand-written: the initializer needs the reduced Q of one Gaussian matrix at build time
//! (at most a few hundred rows), and pulling in nalgebra or faer for that would dwarf the rest
//! of the crate. Householder reflections in f64 are numerically stable (Q is orthonormal to
//! ~1e-15) and deterministic, which is all we need; the result is rounded to f32 by the caller.

/// Reduced QR of the column-major-free, row-major `m x n` matrix `a` (`m >= n`).
///
/// Returns `(q, r_diag)`: `q` is `m x n` row-major with orthonormal columns, and `r_diag` the
/// diagonal of `R` (so the caller can apply Keras's sign correction `Q * sign(diag(R))`).
pub(crate) fn householder_qr(a: &[f64], m: usize, n: usize) -> (Vec<f64>, Vec<f64>) {
    debug_assert!(m >= n && a.len() == m * n);
    let mut r = a.to_vec();
    // Householder vectors, one per column, each of length m (zeros above its pivot).
    let mut vs: Vec<Vec<f64>> = Vec::with_capacity(n);
    for k in 0..n {
        let norm: f64 = (k..m)
            .map(|i| r[i * n + k] * r[i * n + k])
            .sum::<f64>()
            .sqrt();
        let mut v = vec![0.0; m];
        if norm == 0.0 {
            vs.push(v);
            continue;
        }
        // Reflect x onto -sign(x_k) * |x| e_k to avoid cancellation.
        let alpha = if r[k * n + k] >= 0.0 { -norm } else { norm };
        for i in k..m {
            v[i] = r[i * n + k];
        }
        v[k] -= alpha;
        let vnorm2: f64 = v[k..].iter().map(|x| x * x).sum();
        if vnorm2 > 0.0 {
            for j in k..n {
                let dot: f64 = (k..m).map(|i| v[i] * r[i * n + j]).sum();
                let f = 2.0 * dot / vnorm2;
                for i in k..m {
                    r[i * n + j] -= f * v[i];
                }
            }
        }
        vs.push(v);
    }
    let r_diag: Vec<f64> = (0..n).map(|k| r[k * n + k]).collect();
    // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
    let mut q = vec![0.0; m * n];
    for j in 0..n {
        q[j * n + j] = 1.0;
    }
    for k in (0..n).rev() {
        let v = &vs[k];
        let vnorm2: f64 = v[k..].iter().map(|x| x * x).sum();
        if vnorm2 == 0.0 {
            continue;
        }
        for j in 0..n {
            let dot: f64 = (k..m).map(|i| v[i] * q[i * n + j]).sum();
            let f = 2.0 * dot / vnorm2;
            for i in k..m {
                q[i * n + j] -= f * v[i];
            }
        }
    }
    (q, r_diag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_reconstructs_and_is_orthonormal() {
        let (m, n) = (5, 3);
        let a: Vec<f64> = (0..m * n)
            .map(|i| ((i * 7 + 3) % 11) as f64 - 5.0)
            .collect();
        let (q, rd) = householder_qr(&a, m, n);
        for c1 in 0..n {
            for c2 in 0..n {
                let dot: f64 = (0..m).map(|i| q[i * n + c1] * q[i * n + c2]).sum();
                let want = if c1 == c2 { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-12);
            }
        }
        // R = Q^T A must be upper triangular with the returned diagonal.
        for i in 0..n {
            for j in 0..n {
                let rij: f64 = (0..m).map(|k| q[k * n + i] * a[k * n + j]).sum();
                if i > j {
                    assert!(rij.abs() < 1e-10);
                }
                if i == j {
                    assert!((rij - rd[i]).abs() < 1e-10);
                }
            }
        }
    }
}
