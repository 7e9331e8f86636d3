//! Keras losses: the [`Loss`] enum and its elementwise formulas (see [`crate::Tape::loss`] for
//! the shape rules and the `sum_over_batch_size` reduction).

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{AutogradError, Result};

/// Keras' `backend.epsilon()`, used by msle's clip.
const EPSILON: f32 = 1e-7;

/// A Keras loss (Keras 3.15 formulas; `e = y_pred - y_true`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum Loss {
    /// `e²`.
    MeanSquaredError,
    /// `|e|` (gradient `sign(e)`, 0 at `e = 0`).
    MeanAbsoluteError,
    /// `0.5 e²` if `|e| <= delta`, else `delta (|e| - 0.5 delta)`.
    Huber {
        /// Default 1.0.
        delta: f32,
    },
    /// `(ln(max(y_pred, ε) + 1) - ln(max(y_true, ε) + 1))²` with `ε = 1e-7` (no gradient where
    /// `y_pred < ε`).
    MeanSquaredLogarithmicError,
    /// `ln cosh e`, computed as `e + softplus(-2e) - ln 2`.
    LogCosh,
}

impl Loss {
    /// Every Keras name [`Loss::from_keras_name`] accepts.
    pub const KERAS_NAMES: &'static [&'static str] = &[
        "mse",
        "mean_squared_error",
        "mae",
        "mean_absolute_error",
        "huber",
        "huber_loss",
        "msle",
        "mean_squared_logarithmic_error",
        "log_cosh",
        "logcosh",
    ];

    /// The loss Keras means by `name` (Huber with `delta = 1`).
    pub fn from_keras_name(name: &str) -> Result<Loss> {
        Ok(match name {
            "mse" | "mean_squared_error" => Loss::MeanSquaredError,
            "mae" | "mean_absolute_error" => Loss::MeanAbsoluteError,
            "huber" | "huber_loss" => Loss::Huber { delta: 1.0 },
            "msle" | "mean_squared_logarithmic_error" => Loss::MeanSquaredLogarithmicError,
            "log_cosh" | "logcosh" => Loss::LogCosh,
            _ => {
                return Err(AutogradError::UnknownLoss {
                    name: name.to_string(),
                });
            }
        })
    }

    /// The short alias Keras also accepts for this loss (`"mse"`, `"mae"`, `"huber"`, `"msle"`,
    /// `"log_cosh"`); [`Loss::from_keras_name`] reads it back (Huber with `delta = 1`).
    pub fn short_name(&self) -> &'static str {
        match self {
            Loss::MeanSquaredError => "mse",
            Loss::MeanAbsoluteError => "mae",
            Loss::Huber { .. } => "huber",
            Loss::MeanSquaredLogarithmicError => "msle",
            Loss::LogCosh => "log_cosh",
        }
    }

    /// The Keras function name (`get_config()["name"]`).
    pub fn keras_name(&self) -> &'static str {
        match self {
            Loss::MeanSquaredError => "mean_squared_error",
            Loss::MeanAbsoluteError => "mean_absolute_error",
            Loss::Huber { .. } => "huber_loss",
            Loss::MeanSquaredLogarithmicError => "mean_squared_logarithmic_error",
            Loss::LogCosh => "log_cosh",
        }
    }

    /// The elementwise loss of one prediction against one target.
    pub fn elementwise(&self, pred: f32, target: f32) -> f32 {
        let e = pred - target;
        match *self {
            Loss::MeanSquaredError => e * e,
            Loss::MeanAbsoluteError => e.abs(),
            Loss::Huber { delta } => {
                let a = e.abs();
                if a <= delta {
                    0.5 * e * e
                } else {
                    delta * a - 0.5 * delta * delta
                }
            }
            Loss::MeanSquaredLogarithmicError => {
                let d = (pred.max(EPSILON) + 1.0).ln() - (target.max(EPSILON) + 1.0).ln();
                d * d
            }
            Loss::LogCosh => {
                let m = -2.0 * e;
                let sp = if m > 0.0 {
                    m + (-m).exp().ln_1p()
                } else {
                    m.exp().ln_1p()
                };
                e + sp - std::f32::consts::LN_2
            }
        }
    }

    /// d elementwise / d pred.
    pub fn derivative(&self, pred: f32, target: f32) -> f32 {
        let e = pred - target;
        match *self {
            Loss::MeanSquaredError => 2.0 * e,
            Loss::MeanAbsoluteError => {
                if e > 0.0 {
                    1.0
                } else if e < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            Loss::Huber { delta } => {
                if e.abs() <= delta {
                    e
                } else if e > 0.0 {
                    delta
                } else {
                    -delta
                }
            }
            Loss::MeanSquaredLogarithmicError => {
                if pred < EPSILON {
                    return 0.0;
                }
                let p1 = pred + 1.0;
                2.0 * (p1.ln() - (target.max(EPSILON) + 1.0).ln()) / p1
            }
            Loss::LogCosh => e.tanh(),
        }
    }
}

impl FromStr for Loss {
    type Err = AutogradError;
    fn from_str(s: &str) -> Result<Loss> {
        Loss::from_keras_name(s)
    }
}
