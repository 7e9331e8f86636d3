//! Weight constraints MaxNorm, MinMaxNorm, NonNeg and UnitNorm (docs/keras-semantics.md, A.6).
//!
//! A constraint is applied by the optimizer right after each update of its variable, at every
//! step; never by weight loading or the forward pass. The norm constraints compute the L2 norm
//! along `axis` (reduced with keepdims, so `axis = 0` on an `(in, units)` kernel gives one norm
//! per unit) and always multiply by `clip(n) / (1e-7 + n)`, so even a weight that satisfies
//! them changes in its last bits, exactly as in Keras.

use serde::{Deserialize, Serialize};

use crate::error::{NnError, Result, check_non_negative, check_range};

/// Keras's `backend.epsilon()`, added to the norms.
pub const NORM_EPSILON: f32 = 1e-7;

/// Largest tensor rank the norm constraints handle.
pub const MAX_CONSTRAINT_RANK: usize = 8;

/// The axis (or axes) a norm is computed along; negative values count from the end.
/// Serializes as a plain integer or a list, as Keras's `axis` argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Axis {
    /// One axis.
    One(i64),
    /// Several axes.
    Many(Vec<i64>),
}

/// A weight constraint. Serializes as `{"name": "max_norm", "max_value": 2.0, "axis": 0}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum Constraint {
    /// Rescales slices whose norm exceeds `max_value` (Keras defaults 2, axis 0).
    MaxNorm {
        /// Largest allowed norm, >= 0.
        max_value: f64,
        /// Axis along which norms are computed.
        axis: Axis,
    },
    /// Sets negative entries to 0.
    NonNeg,
    /// Divides each slice by its norm (Keras default axis 0).
    UnitNorm {
        /// Axis along which norms are computed.
        axis: Axis,
    },
    /// Moves norms into `[min_value, max_value]` at `rate` (Keras defaults 0, 1, 1, axis 0).
    MinMaxNorm {
        /// Smallest allowed norm, >= 0.
        min_value: f64,
        /// Largest allowed norm, >= min_value.
        max_value: f64,
        /// 1 enforces the bounds strictly; below 1 moves part of the way each step. In [0, 1].
        rate: f64,
        /// Axis along which norms are computed.
        axis: Axis,
    },
}

/// Names accepted by [`Constraint::from_name`].
pub const CONSTRAINT_NAMES: &str = "max_norm, min_max_norm, non_neg, unit_norm (or the Keras \
class names MaxNorm, MinMaxNorm, NonNeg, UnitNorm)";

impl Constraint {
    /// Parses a Keras identifier into the constraint with Keras's default arguments.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "max_norm" | "MaxNorm" => Ok(Constraint::MaxNorm {
                max_value: 2.0,
                axis: Axis::One(0),
            }),
            "non_neg" | "NonNeg" => Ok(Constraint::NonNeg),
            "unit_norm" | "UnitNorm" => Ok(Constraint::UnitNorm { axis: Axis::One(0) }),
            "min_max_norm" | "MinMaxNorm" => Ok(Constraint::MinMaxNorm {
                min_value: 0.0,
                max_value: 1.0,
                rate: 1.0,
                axis: Axis::One(0),
            }),
            _ => Err(NnError::UnknownName {
                kind: "constraint",
                name: name.to_string(),
                known: CONSTRAINT_NAMES.to_string(),
            }),
        }
    }

    /// Checks the arguments.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Constraint::MaxNorm { max_value, .. } => check_non_negative("max_value", max_value),
            Constraint::MinMaxNorm {
                min_value,
                max_value,
                rate,
                ..
            } => {
                check_non_negative("min_value", min_value)?;
                check_non_negative("max_value", max_value)?;
                if max_value < min_value {
                    return Err(NnError::invalid(
                        "max_value",
                        max_value,
                        &format!("a value >= min_value={min_value}"),
                    ));
                }
                check_range("rate", rate, 0.0, 1.0, true)
            }
            _ => Ok(()),
        }
    }

    /// Applies the constraint in place to `w` of the given row-major `shape`.
    pub fn apply(&self, shape: &[usize], w: &mut [f32]) -> Result<()> {
        let len: usize = shape.iter().product();
        if w.len() != len {
            return Err(NnError::shape("constrained weight", len, w.len()));
        }
        match self {
            Constraint::NonNeg => {
                // Keras: maximum(w, 0). NaN and -0.0 are kept.
                for x in w.iter_mut() {
                    if *x < 0.0 {
                        *x = 0.0;
                    }
                }
                Ok(())
            }
            Constraint::MaxNorm { max_value, axis } => {
                let max = *max_value as f32;
                for_each_slice(
                    shape,
                    axis,
                    w,
                    |n| n.clamp(0.0, max) / (NORM_EPSILON + n),
                    true,
                )
            }
            Constraint::UnitNorm { axis } => {
                // Keras divides by (eps + n) rather than multiplying by a factor.
                for_each_slice(shape, axis, w, |n| NORM_EPSILON + n, false)
            }
            Constraint::MinMaxNorm {
                min_value,
                max_value,
                rate,
                axis,
            } => {
                let (lo, hi) = (*min_value as f32, *max_value as f32);
                let r = *rate as f32;
                // (1 - rate) is Python arithmetic in Keras, rounded to f32 afterwards.
                let one_minus_r = (1.0 - *rate) as f32;
                for_each_slice(
                    shape,
                    axis,
                    w,
                    |n| (r * n.clamp(lo, hi) + one_minus_r * n) / (NORM_EPSILON + n),
                    true,
                )
            }
        }
    }
}

/// Resolves `axis` against `rank` into a membership mask.
fn reduced_mask(axis: &Axis, rank: usize) -> Result<[bool; MAX_CONSTRAINT_RANK]> {
    if rank > MAX_CONSTRAINT_RANK {
        return Err(NnError::invalid(
            "shape",
            format!("rank {rank}"),
            &format!("a rank <= {MAX_CONSTRAINT_RANK} for norm constraints"),
        ));
    }
    let axes: &[i64] = match axis {
        Axis::One(a) => std::slice::from_ref(a),
        Axis::Many(v) => v,
    };
    let mut mask = [false; MAX_CONSTRAINT_RANK];
    for &a in axes {
        let r = rank as i64;
        let idx = if a < 0 { a + r } else { a };
        if idx < 0 || idx >= r {
            return Err(NnError::invalid(
                "axis",
                a,
                &format!("an axis in [-{r}, {r}) for a weight of rank {rank}"),
            ));
        }
        mask[idx as usize] = true;
    }
    Ok(mask)
}

/// For every slice of `w` along the reduced axes: computes its L2 norm `n` (sum of squares in
/// row-major order, then sqrt) and multiplies each element by `f(n)` (`multiply = true`) or
/// divides it by `f(n)`. Allocation-free: multi-indices live in fixed arrays.
fn for_each_slice(
    shape: &[usize],
    axis: &Axis,
    w: &mut [f32],
    f: impl Fn(f32) -> f32,
    multiply: bool,
) -> Result<()> {
    let rank = shape.len();
    let mask = reduced_mask(axis, rank)?;
    if w.is_empty() {
        return Ok(());
    }
    let mut strides = [0usize; MAX_CONSTRAINT_RANK];
    let mut s = 1;
    for d in (0..rank).rev() {
        strides[d] = s;
        s *= shape[d];
    }
    // Split axes into kept (outer) and reduced (inner) lists.
    let (mut kept, mut red) = ([0usize; MAX_CONSTRAINT_RANK], [0usize; MAX_CONSTRAINT_RANK]);
    let (mut nk, mut nr) = (0, 0);
    for (d, &reduced) in mask.iter().enumerate().take(rank) {
        if reduced {
            red[nr] = d;
            nr += 1;
        } else {
            kept[nk] = d;
            nk += 1;
        }
    }
    let outer_count: usize = kept[..nk].iter().map(|&d| shape[d]).product();
    let inner_count: usize = red[..nr].iter().map(|&d| shape[d]).product();
    let offset_of = |dims: &[usize], mut linear: usize| -> usize {
        // Row-major decomposition of `linear` over `dims`, mapped to strides of `w`.
        let mut off = 0;
        for &d in dims.iter().rev() {
            off += (linear % shape[d]) * strides[d];
            linear /= shape[d];
        }
        off
    };
    for o in 0..outer_count {
        let base = offset_of(&kept[..nk], o);
        let mut sum = 0.0f32;
        for i in 0..inner_count {
            let x = w[base + offset_of(&red[..nr], i)];
            sum += x * x;
        }
        let factor = f(sum.sqrt());
        for i in 0..inner_count {
            let x = &mut w[base + offset_of(&red[..nr], i)];
            *x = if multiply { *x * factor } else { *x / factor };
        }
    }
    Ok(())
}
