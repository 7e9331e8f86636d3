//! The native part of the `recur` Python package (`recur._recur`): recur's `nn` model and
//! `data` functions, with NumPy arrays in and out. The Keras-shaped API (`recur.keras`) is
//! the Python code beside it; it holds names and defaults only, every computation and check
//! happens here or below, in the crates the CLI uses too. `recur.many` and `recur.spark` train
//! many series through forecast's runners (the `many` module), with DataFrames turned into long-format CSV
//! text for data's reader, so a DataFrame and a CSV file are read alike.
//!
//! While a model computes, the GIL is released; `fit` takes it back between batches only to
//! look for a pending Ctrl-C (and to print progress), so other Python threads run meanwhile.

mod arrays;
mod errors;
mod interrupt;
mod keras_bridge;
mod many;
mod many_backtest;
mod many_columns;
mod many_settings;
mod model;
mod series;
mod series_settings;
mod settings;
mod stdout;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _recur(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<model::Model>()?;
    m.add_class::<many::PyManyModel>()?;
    m.add_function(wrap_pyfunction!(many::many_fit, m)?)?;
    m.add_function(wrap_pyfunction!(many::many_train_group, m)?)?;
    m.add_function(wrap_pyfunction!(many::many_check_settings, m)?)?;
    m.add_function(wrap_pyfunction!(many_backtest::many_backtest, m)?)?;
    m.add_function(wrap_pyfunction!(many_backtest::many_model_columns, m)?)?;
    m.add_class::<series::PySeriesModel>()?;
    m.add_function(wrap_pyfunction!(series::series_fit, m)?)?;
    Ok(())
}
