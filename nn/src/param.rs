//! Plain parameter storage: a named, shaped, flat `f32` buffer.

use serde::{Deserialize, Serialize};

/// The name and shape of one trainable parameter, e.g. `"simple_rnn/kernel"` with shape `[4, 32]`.
/// Optimizers are built from a list of these and name their slots after them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamInfo {
    /// Keras-style path, `layer_name/variable_name`.
    pub name: String,
    /// Shape, row-major (the last axis is contiguous).
    pub shape: Vec<usize>,
}

impl ParamInfo {
    /// Builds a `ParamInfo`.
    pub fn new(name: impl Into<String>, shape: &[usize]) -> Self {
        ParamInfo {
            name: name.into(),
            shape: shape.to_vec(),
        }
    }

    /// Number of elements (`product of shape`, 1 for a scalar).
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the parameter has no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A shaped, row-major `f32` tensor used for parameters, gradients and optimizer slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamTensor {
    /// Shape, row-major.
    pub shape: Vec<usize>,
    /// `product(shape)` values.
    pub data: Vec<f32>,
}

impl ParamTensor {
    /// A tensor of zeros.
    pub fn zeros(shape: &[usize]) -> Self {
        ParamTensor {
            shape: shape.to_vec(),
            data: vec![0.0; shape.iter().product()],
        }
    }

    /// Wraps `data`; fails if its length is not `product(shape)`.
    pub fn new(shape: &[usize], data: Vec<f32>) -> crate::Result<Self> {
        let expected: usize = shape.iter().product();
        if data.len() != expected {
            return Err(crate::NnError::shape(
                "ParamTensor data",
                format!("{expected} values for shape {shape:?}"),
                format!("{} values", data.len()),
            ));
        }
        Ok(ParamTensor {
            shape: shape.to_vec(),
            data,
        })
    }
}
