//! Optional scaling of the series, fitted on the training part only.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DataError;
use crate::error::num;

/// Which scaling to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScaleKind {
    /// No scaling (the tutorial's choice).
    #[default]
    None,
    /// `(x - min) / (max - min)`: the training part maps onto `[0, 1]`; test values may fall
    /// outside it.
    MinMax,
    /// `(x - mean) / std`, with the population standard deviation (divisor n, as scikit-learn's
    /// `StandardScaler`).
    Standard,
}

impl ScaleKind {
    /// All kinds, in the order their names are listed in messages.
    pub const ALL: [ScaleKind; 3] = [ScaleKind::None, ScaleKind::MinMax, ScaleKind::Standard];

    /// The lower-case name accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            ScaleKind::None => "none",
            ScaleKind::MinMax => "minmax",
            ScaleKind::Standard => "standard",
        }
    }
}

impl fmt::Display for ScaleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ScaleKind {
    type Err = DataError;

    /// Parses `none`, `minmax` or `standard` (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, DataError> {
        ScaleKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| DataError::arg("scale", format!("'{s}'"), "none, minmax or standard"))
    }
}

/// A fitted affine scaling `y = (x - offset) / factor` and its inverse. Serializable, so a saved
/// model can keep the scaler its inputs were built with.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Scaler {
    /// No scaling: `y = x`.
    #[default]
    #[serde(rename = "none")]
    Identity,
    /// `y = (x - min) / (max - min)`.
    MinMax {
        /// Smallest training value.
        min: f64,
        /// Largest training value (`> min`).
        max: f64,
    },
    /// `y = (x - mean) / std`.
    Standard {
        /// Mean of the training values.
        mean: f64,
        /// Population standard deviation of the training values (`> 0`).
        std: f64,
    },
}

impl Scaler {
    /// Fits `kind` on `train` (the training part only, so no test information leaks in).
    ///
    /// Errors if `train` is empty or has a non-finite value, and, for min-max and standard, if
    /// every training value is the same ([`DataError::ConstantSeries`]): there is no spread to
    /// scale by.
    pub fn fit(kind: ScaleKind, train: &[f64]) -> Result<Scaler, DataError> {
        if train.is_empty() {
            return Err(DataError::arg(
                "train",
                "[]",
                "at least one value to fit scaling on",
            ));
        }
        if let Some((i, v)) = train.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(DataError::arg(
                "train",
                format!("{} at position {i}", num(*v)),
                "finite values",
            ));
        }
        let constant = || DataError::ConstantSeries {
            scale: kind.name(),
            value: train[0],
        };
        match kind {
            ScaleKind::None => Ok(Scaler::Identity),
            ScaleKind::MinMax => {
                let min = train.iter().copied().fold(f64::INFINITY, f64::min);
                let max = train.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let range = max - min;
                if range == 0.0 {
                    return Err(constant());
                }
                if !range.is_finite() {
                    return Err(DataError::arg(
                        "train",
                        format!("range {} to {}", num(min), num(max)),
                        "a range that is finite in f64",
                    ));
                }
                Ok(Scaler::MinMax { min, max })
            }
            ScaleKind::Standard => {
                let n = train.len() as f64;
                let mean = train.iter().sum::<f64>() / n;
                let var = train.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                let std = var.sqrt();
                if !(mean.is_finite() && std.is_finite()) {
                    return Err(DataError::arg(
                        "train",
                        format!("mean {}, std {}", num(mean), num(std)),
                        "values whose mean and spread are finite in f64",
                    ));
                }
                // Rounding can leave a tiny positive std for equal values; treat a spread below
                // 1e-12 of the magnitude as none, since dividing by it would blow values up.
                if std <= 1e-12 * mean.abs() || std == 0.0 {
                    return Err(constant());
                }
                Ok(Scaler::Standard { mean, std })
            }
        }
    }

    /// The kind this scaler was fitted as.
    pub fn kind(&self) -> ScaleKind {
        match self {
            Scaler::Identity => ScaleKind::None,
            Scaler::MinMax { .. } => ScaleKind::MinMax,
            Scaler::Standard { .. } => ScaleKind::Standard,
        }
    }

    /// `(offset, factor)` with `y = (x - offset) / factor`.
    pub fn affine(&self) -> (f64, f64) {
        match *self {
            Scaler::Identity => (0.0, 1.0),
            Scaler::MinMax { min, max } => (min, max - min),
            Scaler::Standard { mean, std } => (mean, std),
        }
    }

    /// Scales one value.
    pub fn transform(&self, x: f64) -> f64 {
        let (offset, factor) = self.affine();
        (x - offset) / factor
    }

    /// Undoes [`Scaler::transform`] (for model outputs, back in the series' units).
    pub fn inverse(&self, y: f64) -> f64 {
        let (offset, factor) = self.affine();
        y * factor + offset
    }

    /// Scales every value.
    pub fn transform_all(&self, xs: &[f64]) -> Vec<f64> {
        xs.iter().map(|&x| self.transform(x)).collect()
    }

    /// Unscales every value (typically f32 model outputs) back to f64 series units.
    pub fn inverse_all(&self, ys: &[f32]) -> Vec<f64> {
        ys.iter().map(|&y| self.inverse(f64::from(y))).collect()
    }

    /// A mean squared error measured on scaled values, in the series' squared units
    /// (`mse * factor^2`, exact for an affine scaling).
    pub fn inverse_mse(&self, mse: f64) -> f64 {
        let (_, factor) = self.affine();
        mse * factor * factor
    }
}
