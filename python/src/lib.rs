//! The native part of the `recur` Python package (`recur._recur`): recur's `nn` model and
//! `data` functions, with NumPy arrays in and out. The Keras-shaped API (`recur.keras`) is
//! the Python code beside it; it holds names and defaults only, every computation and check
//! happens here or below, in the crates the CLI uses too.
//!
//! While a model computes, the GIL is released; `fit` takes it back between batches only to
//! look for a pending Ctrl-C (and to print progress), so other Python threads run meanwhile.

mod arrays;
mod errors;
mod keras_bridge;
mod model;
mod stdout;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _recur(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<model::Model>()?;
    Ok(())
}
