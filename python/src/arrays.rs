//! NumPy arrays in and out. The Python layer hands over C-contiguous `float32` arrays (it
//! converts other dtypes and layouts first, as Keras does); outputs are returned as NumPy arrays
//! that take over recur's buffers without a copy.

use autograd::{Tensor, TensorView};
use numpy::{IntoPyArray, PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Borrows a contiguous float32 array as a slice and its shape; `what` names the argument in
/// the error (`x`, `y`, ...).
pub fn slice_of<'a>(
    what: &str,
    a: &'a PyReadonlyArrayDyn<'_, f32>,
) -> PyResult<(&'a [f32], Vec<usize>)> {
    let dims = a.shape().to_vec();
    let data = a.as_slice().map_err(|_| {
        PyValueError::new_err(format!(
            "{what}: expected a C-contiguous float32 array, got one of shape {dims:?} with other strides"
        ))
    })?;
    Ok((data, dims))
}

/// A contiguous float32 array as a borrowed [`TensorView`] (no copy: recur reads NumPy's
/// buffer, which the read-only borrow keeps alive and unchanged while it is used).
pub fn view_of<'a>(what: &str, a: &'a PyReadonlyArrayDyn<'_, f32>) -> PyResult<TensorView<'a>> {
    let (data, dims) = slice_of(what, a)?;
    TensorView::from_slice(data, &dims).map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

/// Copies a contiguous float32 array into a [`Tensor`] (for validation data, which `fit`
/// keeps for the whole call in its options).
pub fn tensor_of(what: &str, a: &PyReadonlyArrayDyn<'_, f32>) -> PyResult<Tensor> {
    let (data, dims) = slice_of(what, a)?;
    Tensor::from_vec(data.to_vec(), &dims)
        .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

/// Hands a tensor's buffer to NumPy (no copy) with the tensor's shape.
pub fn array_of<'py>(py: Python<'py>, t: Tensor) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let dims = t.dims().to_vec();
    t.into_vec().into_pyarray(py).reshape(dims)
}

/// A flat buffer with the given shape as a NumPy array (no copy).
pub fn array_from<'py>(
    py: Python<'py>,
    data: Vec<f32>,
    dims: &[usize],
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    data.into_pyarray(py).reshape(dims.to_vec())
}
