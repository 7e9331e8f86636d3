//! Where the series is split into its training and test parts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DataError;
use crate::error::num;

/// The split point T: the training part is `x[0..T]`, the test part `x[T..n]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SplitAt {
    /// T itself, `1 <= T < n`.
    Index(usize),
    /// A fraction `f` in `(0, 1)` of the length: `T = floor(f * n)`, where a relative tolerance of
    /// 1e-9 absorbs binary rounding so that, say, 0.29 of 100 gives 29 and not 28.
    Fraction(f64),
}

impl Default for SplitAt {
    /// The tutorial's T = 900.
    fn default() -> Self {
        SplitAt::Index(900)
    }
}

impl SplitAt {
    /// The split index T for a series of `n` values; errors unless `1 <= T < n`.
    ///
    /// This checks only that both parts are non-empty; [`crate::prepare`] also requires each
    /// part to hold more than `step` values.
    pub fn resolve(self, n: usize) -> Result<usize, DataError> {
        let t = self.index_unchecked(n)?;
        if t == 0 || t >= n {
            return Err(DataError::arg(
                "split",
                format!("{self} (T = {t})"),
                &format!(
                    "T between 1 and {} for a series of n = {n} values",
                    n.saturating_sub(1)
                ),
            ));
        }
        Ok(t)
    }

    /// T for `n` values without the range check (a fraction must still be in `(0, 1)`).
    pub(crate) fn index_unchecked(self, n: usize) -> Result<usize, DataError> {
        Ok(match self {
            SplitAt::Index(t) => t,
            SplitAt::Fraction(f) => {
                if !(f.is_finite() && f > 0.0 && f < 1.0) {
                    return Err(DataError::arg(
                        "split",
                        num(f),
                        "an index, or a fraction strictly between 0 and 1",
                    ));
                }
                (f * n as f64 * (1.0 + 1e-9)).floor() as usize
            }
        })
    }
}

impl fmt::Display for SplitAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SplitAt::Index(t) => write!(f, "{t}"),
            SplitAt::Fraction(x) => f.write_str(&num(*x)),
        }
    }
}

impl FromStr for SplitAt {
    type Err = DataError;

    /// A whole number (`900`) is an index; a decimal strictly between 0 and 1 (`0.45`) is a
    /// fraction. Anything else (negative, `1.5`, `abc`) is an error naming the text.
    fn from_str(s: &str) -> Result<Self, DataError> {
        let s = s.trim();
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return s
                .parse()
                .map(SplitAt::Index)
                .map_err(|_| DataError::arg("split", s, "an index that fits in usize"));
        }
        match s.parse::<f64>() {
            Ok(f) if f.is_finite() && f > 0.0 && f < 1.0 => Ok(SplitAt::Fraction(f)),
            _ => Err(DataError::arg(
                "split",
                format!("'{s}'"),
                "an index (a whole number such as 900) or a fraction strictly between 0 and 1 (such as 0.45)",
            )),
        }
    }
}
