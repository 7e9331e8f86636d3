//! `Tensor`: a shape and contiguous row-major f32 data, owned.

use crate::error::{AutogradError, Result};
use crate::shape::Shape;

/// An owned f32 array: a [`Shape`] and its elements in row-major order (last index fastest).
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    shape: Shape,
    data: Vec<f32>,
}

impl Tensor {
    /// A tensor of zeros with dimensions `dims`.
    pub fn zeros(dims: &[usize]) -> Result<Tensor> {
        let shape = Shape::checked("Tensor::zeros", dims)?;
        Ok(Tensor {
            shape,
            data: vec![0.0; shape.numel()],
        })
    }

    /// A tensor from row-major `data` and dimensions `dims`; the length must equal their product.
    pub fn from_vec(data: Vec<f32>, dims: &[usize]) -> Result<Tensor> {
        let shape = Shape::checked("Tensor::from_vec", dims)?;
        if data.len() != shape.numel() {
            return Err(AutogradError::DataLength {
                op: "Tensor::from_vec",
                dims: dims.to_vec(),
                expected: shape.numel(),
                got: data.len(),
            });
        }
        Ok(Tensor { shape, data })
    }

    /// A rank-0 tensor holding `value`.
    pub fn scalar(value: f32) -> Tensor {
        Tensor {
            shape: Shape::scalar(),
            data: vec![value],
        }
    }

    /// The shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The dimensions.
    pub fn dims(&self) -> &[usize] {
        self.shape.dims()
    }

    /// The elements, row-major.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// The elements, row-major, writable (the shape stays fixed).
    pub fn data_mut(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True if the tensor has no elements (some dimension is 0).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The elements, consuming the tensor.
    pub fn into_vec(self) -> Vec<f32> {
        self.data
    }
}
