//! Weight regularizers L1, L2 and L1L2 (docs/keras-semantics.md, A.6), computed in f32 as Keras
//! does.
//!
//! A regularizer turns a weight tensor into a scalar penalty that the training loop adds to the
//! loss once per step (not per timestep, not scaled by the batch), and adds its gradient into
//! the weight's gradient buffer.

use serde::{Deserialize, Serialize};

use crate::error::{NnError, Result, check_non_negative};

/// A weight penalty. Serializes as `{"name": "l1", "l1": 0.01}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum Regularizer {
    /// `l1 · Σ|x|` (Keras default l1 = 0.01).
    L1 {
        /// Factor, >= 0.
        l1: f64,
    },
    /// `l2 · Σx²` (Keras default l2 = 0.01).
    L2 {
        /// Factor, >= 0.
        l2: f64,
    },
    /// `l1 · Σ|x| + l2 · Σx²` (Keras constructor defaults 0, 0).
    L1l2 {
        /// L1 factor, >= 0.
        l1: f64,
        /// L2 factor, >= 0.
        l2: f64,
    },
}

/// Names accepted by [`Regularizer::from_name`].
pub const REGULARIZER_NAMES: &str = "l1, l2, l1l2 (L1, L2, L1L2), l1_l2";

impl Regularizer {
    /// Parses a Keras identifier. `"l1"`/`"L1"` give `L1(0.01)`, `"l2"`/`"L2"` give
    /// `L2(0.01)`, `"l1l2"`/`"L1L2"` give `L1L2(0, 0)` (a no-op, as in Keras).
    ///
    /// Deliberate difference: `"l1_l2"` gives `L1L2(0.01, 0.01)`, as the Keras docstring
    /// advertises; Keras 3.15 itself raises `ValueError` on that string.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "l1" | "L1" => Ok(Regularizer::L1 { l1: 0.01 }),
            "l2" | "L2" => Ok(Regularizer::L2 { l2: 0.01 }),
            "l1l2" | "L1L2" => Ok(Regularizer::L1l2 { l1: 0.0, l2: 0.0 }),
            "l1_l2" => Ok(Regularizer::L1l2 { l1: 0.01, l2: 0.01 }),
            _ => Err(NnError::UnknownName {
                kind: "regularizer",
                name: name.to_string(),
                known: REGULARIZER_NAMES.to_string(),
            }),
        }
    }

    /// Checks the factors: finite and non-negative (Keras's `validate_float_arg`).
    pub fn validate(&self) -> Result<()> {
        match *self {
            Regularizer::L1 { l1 } => check_non_negative("l1", l1),
            Regularizer::L2 { l2 } => check_non_negative("l2", l2),
            Regularizer::L1l2 { l1, l2 } => {
                check_non_negative("l1", l1)?;
                check_non_negative("l2", l2)
            }
        }
    }

    /// The `(l1, l2)` factors as f32 (0 where absent).
    fn factors(&self) -> (f32, f32) {
        match *self {
            Regularizer::L1 { l1 } => (l1 as f32, 0.0),
            Regularizer::L2 { l2 } => (0.0, l2 as f32),
            Regularizer::L1l2 { l1, l2 } => (l1 as f32, l2 as f32),
        }
    }

    /// The penalty on `w`, in f32: `l1 * Σ|w| + l2 * Σw²`, each sum accumulated in order and
    /// each term present only when its factor is non-zero (as Keras's `if self.l1:`).
    pub fn penalty(&self, w: &[f32]) -> f32 {
        let (l1, l2) = self.factors();
        let mut total = 0.0f32;
        if l1 != 0.0 {
            total += l1 * w.iter().fold(0.0f32, |s, x| s + x.abs());
        }
        if l2 != 0.0 {
            total += l2 * w.iter().fold(0.0f32, |s, x| s + x * x);
        }
        total
    }

    /// Adds `d penalty / d w` into `grad`: `l1 · sign(w)` (0 at an exact 0) plus `l2 · 2w`.
    pub fn add_gradient(&self, w: &[f32], grad: &mut [f32]) -> Result<()> {
        if w.len() != grad.len() {
            return Err(NnError::shape(
                "regularizer gradient buffer",
                w.len(),
                grad.len(),
            ));
        }
        let (l1, l2) = self.factors();
        for (g, &x) in grad.iter_mut().zip(w) {
            let mut d = 0.0f32;
            if l1 != 0.0 {
                d += l1 * sign(x);
            }
            if l2 != 0.0 {
                d += l2 * (x * 2.0);
            }
            *g += d;
        }
        Ok(())
    }
}

impl Regularizer {
    /// The activity penalty Keras adds for a layer output of `batch_size` rows: the penalty
    /// divided by the batch size (`shape(output)[0]`), in f32.
    pub fn activity_penalty(&self, output: &[f32], batch_size: usize) -> Result<f32> {
        check_batch(batch_size, output.len())?;
        Ok(self.penalty(output) / batch_size as f32)
    }

    /// Adds `d activity_penalty / d output` into `grad`: the weight-penalty gradient scaled by
    /// `1 / batch_size`, in TF's order (`(1/B)·l1·sign(x) + ((1/B)·l2)·2x`).
    pub fn add_activity_gradient(
        &self,
        output: &[f32],
        batch_size: usize,
        grad: &mut [f32],
    ) -> Result<()> {
        check_batch(batch_size, output.len())?;
        if output.len() != grad.len() {
            return Err(NnError::shape(
                "activity gradient buffer",
                output.len(),
                grad.len(),
            ));
        }
        let inv = 1.0 / batch_size as f32;
        let (l1, l2) = self.factors();
        let (l1, l2) = (inv * l1, inv * l2);
        for (g, &x) in grad.iter_mut().zip(output) {
            let mut d = 0.0f32;
            if l1 != 0.0 {
                d += l1 * sign(x);
            }
            if l2 != 0.0 {
                d += l2 * (x * 2.0);
            }
            *g += d;
        }
        Ok(())
    }
}

/// The batch size must be positive and divide the output's length.
fn check_batch(batch_size: usize, len: usize) -> Result<()> {
    if batch_size == 0 || !len.is_multiple_of(batch_size) {
        return Err(NnError::invalid(
            "batch_size",
            batch_size,
            &format!("a positive divisor of the output's {len} values"),
        ));
    }
    Ok(())
}

/// `sign(x)` with `sign(0) = 0` (TF's, unlike `f32::signum`); NaN stays NaN.
fn sign(x: f32) -> f32 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else if x.is_nan() {
        x
    } else {
        0.0
    }
}
