//! Differencing a series to remove a trend (`--diff`) or a season (`--seasonal-diff m`), and
//! undoing it for one-step predictions and for recursive forecasts.
//!
//! The differenced series is `d_t = sum_k c_k x_{t-k}` with the coefficients `c` of the
//! polynomial `(1 - B)^order (1 - B^m)` in the backshift operator `B` (`c_0 = 1`). It starts at
//! `t = lost()`, the number of leading values differencing consumes. Since `c_0 = 1`,
//! `x_t = d_t + base_t` where `base_t = -sum_{k>=1} c_k x_{t-k}` depends only on values before
//! `t`: a prediction of `d_t` made from the real past becomes a prediction of `x_t` by adding
//! `base_t`, and its error is the same number in both units.

use serde::{Deserialize, Serialize};

use crate::DataError;
use crate::error::num;

/// Most ordinary differences (`--diff`): one removes a linear trend, two a quadratic one.
pub const MAX_DIFF_ORDER: usize = 2;

/// Which differences to take, ordinary and seasonal. [`Default`] takes none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Differencing {
    /// Ordinary differences `x_t - x_{t-1}`, applied `order` times (0 to [`MAX_DIFF_ORDER`]).
    pub order: usize,
    /// Seasonal difference `x_t - x_{t-m}` with period `m >= 1`, applied once, or none.
    pub seasonal: Option<usize>,
}

impl Differencing {
    /// Whether no difference is taken (the series is used as it is).
    pub fn is_none(&self) -> bool {
        self.order == 0 && self.seasonal.is_none()
    }

    /// Errors if `order` is above [`MAX_DIFF_ORDER`] or the seasonal period is 0.
    pub fn validate(&self) -> Result<(), DataError> {
        if self.order > MAX_DIFF_ORDER {
            return Err(DataError::arg(
                "diff",
                self.order,
                &format!("an order from 0 to {MAX_DIFF_ORDER}"),
            ));
        }
        if self.seasonal == Some(0) {
            return Err(DataError::arg(
                "seasonal_diff",
                0,
                "a season length of at least 1",
            ));
        }
        Ok(())
    }

    /// How many leading values differencing consumes: `order + m`.
    pub fn lost(&self) -> usize {
        self.order + self.seasonal.unwrap_or(0)
    }

    /// The coefficients `c_0..=c_lost` of `(1 - B)^order (1 - B^m)` (small integers, exact in
    /// f64).
    fn coefficients(&self) -> Vec<f64> {
        let mut c = vec![1.0];
        let mut times = |lag: usize| {
            let mut next = vec![0.0; c.len() + lag];
            for (k, &v) in c.iter().enumerate() {
                next[k] += v;
                next[k + lag] -= v;
            }
            c = next;
        };
        for _ in 0..self.order {
            times(1);
        }
        if let Some(m) = self.seasonal {
            times(m);
        }
        c
    }

    /// The values a model learns from `values` (the differences, with differencing) and the
    /// window settings for them. With differencing, `T` is resolved on the whole series and
    /// moved back by the values differencing consumes, so the split falls on the same series
    /// value as without it. Errors name `split` when `T` is not above those values.
    pub fn model_values(
        &self,
        values: &[f64],
        windows: &crate::WindowConfig,
    ) -> Result<(Vec<f64>, crate::WindowConfig), DataError> {
        if self.is_none() {
            return Ok((values.to_vec(), *windows));
        }
        let split = windows.split.resolve(values.len())?;
        let lost = self.lost();
        if split <= lost {
            return Err(DataError::InvalidArgument {
                name: "split",
                value: format!("{} (T = {split})", windows.split),
                expected: format!("T above the {lost} value(s) differencing consumes"),
            });
        }
        let model_windows = crate::WindowConfig {
            split: crate::SplitAt::Index(split - lost),
            ..*windows
        };
        Ok((self.apply(values)?, model_windows))
    }

    /// The differenced series: `values.len() - lost()` values, the first being `d_lost`. Errors
    /// if the series has no more than `lost()` values (nothing would be left).
    pub fn apply(&self, values: &[f64]) -> Result<Vec<f64>, DataError> {
        self.validate()?;
        let lost = self.lost();
        if values.len() <= lost {
            return Err(DataError::arg(
                "series",
                format!("{} value(s)", values.len()),
                &format!("more than the {lost} value(s) differencing consumes"),
            ));
        }
        let c = self.coefficients();
        Ok((lost..values.len())
            .map(|t| {
                c.iter()
                    .enumerate()
                    .map(|(k, &ck)| ck * values[t - k])
                    .sum()
            })
            .collect())
    }

    /// `base_t = x_t - d_t`, from the values before `t` only (`values[..t]`; `values` may end
    /// at `t`): add it to a prediction of `d_t` to get one of `x_t`. Errors unless
    /// `lost() <= t <= values.len()`.
    pub fn base(&self, values: &[f64], t: usize) -> Result<f64, DataError> {
        if t < self.lost() || t > values.len() {
            return Err(DataError::arg(
                "t",
                t,
                &format!(
                    "a position from {} to {} (differencing needs the {} value(s) before it)",
                    self.lost(),
                    values.len(),
                    self.lost()
                ),
            ));
        }
        let c = self.coefficients();
        Ok(-c
            .iter()
            .enumerate()
            .skip(1)
            .map(|(k, &ck)| ck * values[t - k])
            .sum::<f64>())
    }

    /// Undoes differencing for a forecast: `diffs[i]` is a prediction of `d` at position
    /// `history.len() + i`; each becomes a value of the series by adding the base of the
    /// history extended with the values already rebuilt. Errors if `history` has fewer than
    /// `lost()` values or a rebuilt value is not finite.
    pub fn integrate(&self, history: &[f64], diffs: &[f64]) -> Result<Vec<f64>, DataError> {
        let n = history.len();
        if n < self.lost() {
            return Err(DataError::arg(
                "history",
                format!("{n} value(s)"),
                &format!("at least the {} value(s) differencing needs", self.lost()),
            ));
        }
        let mut all = history.to_vec();
        for (i, &d) in diffs.iter().enumerate() {
            let v = d + self.base(&all, n + i)?;
            if !v.is_finite() {
                return Err(DataError::arg(
                    "forecast",
                    format!("{} at step {}", num(v), i + 1),
                    "finite values after undoing the differences",
                ));
            }
            all.push(v);
        }
        Ok(all.split_off(n))
    }

    /// The flags that ask for these differences, for messages (`--diff 1 --seasonal-diff 12`),
    /// or `none`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.order > 0 {
            parts.push(format!("--diff {}", self.order));
        }
        if let Some(m) = self.seasonal {
            parts.push(format!("--seasonal-diff {m}"));
        }
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(" ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficients_multiply_the_polynomials() {
        let d = Differencing {
            order: 1,
            seasonal: Some(3),
        };
        assert_eq!(d.coefficients(), vec![1.0, -1.0, 0.0, -1.0, 1.0]);
        let two = Differencing {
            order: 2,
            seasonal: None,
        };
        assert_eq!(two.coefficients(), vec![1.0, -2.0, 1.0]);
    }
}
