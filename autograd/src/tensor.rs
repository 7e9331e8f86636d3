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

/// A borrowed f32 array: a [`Shape`] and row-major elements owned by someone else (a
/// [`Tensor`], or a caller's buffer such as a NumPy array), so data can be trained on or
/// predicted from without a copy. `Copy`, like a slice.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TensorView<'a> {
    shape: Shape,
    data: &'a [f32],
}

impl<'a> TensorView<'a> {
    /// A view of row-major `data` with dimensions `dims`; the length must equal their product.
    pub fn from_slice(data: &'a [f32], dims: &[usize]) -> Result<TensorView<'a>> {
        let shape = Shape::checked("TensorView::from_slice", dims)?;
        if data.len() != shape.numel() {
            return Err(AutogradError::DataLength {
                op: "TensorView::from_slice",
                dims: dims.to_vec(),
                expected: shape.numel(),
                got: data.len(),
            });
        }
        Ok(TensorView { shape, data })
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
    pub fn data(&self) -> &'a [f32] {
        self.data
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True if the view has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

impl Tensor {
    /// A borrowed view of the whole tensor.
    pub fn view(&self) -> TensorView<'_> {
        TensorView {
            shape: self.shape,
            data: &self.data,
        }
    }
}

impl<'a> From<&'a Tensor> for TensorView<'a> {
    fn from(t: &'a Tensor) -> Self {
        t.view()
    }
}
