//! Split-conformal prediction intervals: absolute residuals on held-out data, per horizon
//! step, and the conformal quantile that makes an interval of a chosen coverage.
//!
//! With `n` held-out absolute residuals `r_1 <= ... <= r_n` of one horizon step, the interval
//! of coverage `P` around a new prediction `y` is `[y - q, y + q]` with `q = r_k`,
//! `k = ceil((n + 1) P)` (the standard split-conformal quantile, the `ceil((n+1)P)/n` empirical
//! quantile). When residuals and new errors are exchangeable it covers the truth with
//! probability at least `P`. It exists only when `k <= n`, that is `n >= P / (1 - P)`.

use serde::{Deserialize, Serialize};

use crate::DataError;

/// The smallest number of residuals [`conformal_quantile`] needs for coverage `p`: `n` with
/// `ceil((n + 1) p) <= n` (`usize::MAX` unless `0 < p < 1`).
pub fn residuals_needed(p: f64) -> usize {
    if !(p > 0.0 && p < 1.0) {
        return usize::MAX;
    }
    // About p / (1 - p); start just below it and step up past rounding.
    let mut n = ((p / (1.0 - p)).floor() as usize).saturating_sub(2).max(1);
    while ((n + 1) as f64 * p).ceil() > n as f64 {
        n += 1;
    }
    n
}

fn check_p(p: f64) -> Result<(), DataError> {
    if !(p > 0.0 && p < 1.0) {
        return Err(DataError::arg(
            "p",
            p,
            "a coverage strictly between 0 and 1",
        ));
    }
    Ok(())
}

/// The split-conformal quantile of `sorted` absolute residuals (ascending) for coverage `p`:
/// `sorted[k - 1]` with `k = ceil((n + 1) p)`. Errors if `p` is not in `(0, 1)`, or there are
/// too few residuals (`k > n`; the message gives how many `p` needs).
pub fn conformal_quantile(sorted: &[f64], p: f64) -> Result<f64, DataError> {
    check_p(p)?;
    let n = sorted.len();
    let k = ((n + 1) as f64 * p).ceil() as usize;
    if k == 0 || k > n {
        return Err(DataError::arg(
            "p",
            p,
            &format!(
                "a coverage that {n} held-out residual(s) allow: ceil((n + 1) p) <= n needs at least {} residuals for p = {p}",
                residuals_needed(p)
            ),
        ));
    }
    Ok(sorted[k - 1])
}

/// Held-out absolute residuals per horizon step, sorted: `residuals[k - 1]` are those of step
/// `k` (in series units).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Sorted absolute residuals of each horizon step `1..=horizons()`.
    pub residuals: Vec<Vec<f64>>,
}

impl Calibration {
    /// A calibration from the absolute residuals of each horizon step (any order; they are
    /// sorted). Errors if there is no step, a step has no residual, or a residual is not a
    /// finite number `>= 0`.
    pub fn new(mut residuals: Vec<Vec<f64>>) -> Result<Self, DataError> {
        if residuals.is_empty() {
            return Err(DataError::arg(
                "residuals",
                "[]",
                "at least one horizon step",
            ));
        }
        for (k, r) in residuals.iter_mut().enumerate() {
            if r.is_empty() {
                return Err(DataError::arg(
                    "residuals",
                    format!("none at horizon step {}", k + 1),
                    "at least one residual per step",
                ));
            }
            if let Some(v) = r.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                return Err(DataError::arg(
                    "residuals",
                    format!("{v} at horizon step {}", k + 1),
                    "finite absolute residuals",
                ));
            }
            r.sort_by(f64::total_cmp);
        }
        Ok(Calibration { residuals })
    }

    /// The horizon steps calibrated (`1..=horizons()`).
    pub fn horizons(&self) -> usize {
        self.residuals.len()
    }

    /// The fewest residuals of any step.
    pub fn min_count(&self) -> usize {
        self.residuals.iter().map(Vec::len).min().unwrap_or(0)
    }

    /// The half-widths of the coverage-`p` intervals of steps `1..=steps`. Errors if `steps`
    /// exceeds [`Calibration::horizons`] or a step has too few residuals for `p`.
    pub fn half_widths(&self, p: f64, steps: usize) -> Result<Vec<f64>, DataError> {
        if steps > self.horizons() {
            return Err(DataError::arg(
                "steps",
                steps,
                &format!("at most the {} calibrated horizon step(s)", self.horizons()),
            ));
        }
        self.residuals[..steps]
            .iter()
            .map(|r| conformal_quantile(r, p))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quantile_is_the_ceil_n_plus_1_p_th_residual() {
        let r: Vec<f64> = (1..=19).map(f64::from).collect();
        // ceil(20 * 0.9) = 18.
        assert_eq!(conformal_quantile(&r, 0.9).unwrap(), 18.0);
        assert_eq!(conformal_quantile(&r, 0.5).unwrap(), 10.0);
        // ceil(20 * 0.96) = 20 > 19.
        assert!(conformal_quantile(&r, 0.96).is_err());
        assert!(conformal_quantile(&r, 1.0).is_err());
        assert!(conformal_quantile(&r, 0.0).is_err());
        assert_eq!(residuals_needed(0.9), 9);
        assert_eq!(residuals_needed(0.95), 19);
    }

    #[test]
    fn calibration_sorts_and_checks_steps() {
        let c = Calibration::new(vec![vec![3.0, 1.0, 2.0], vec![5.0, 4.0, 6.0]]).unwrap();
        assert_eq!(c.residuals[0], vec![1.0, 2.0, 3.0]);
        assert_eq!(c.half_widths(0.5, 2).unwrap(), vec![2.0, 5.0]);
        assert!(c.half_widths(0.5, 3).is_err());
        assert!(Calibration::new(vec![vec![]]).is_err());
        assert!(Calibration::new(vec![vec![f64::NAN]]).is_err());
    }
}
