//! recur's errors as Python exceptions. The message is the library's own text, the same line
//! the CLI prints after `error: `, so a user sees one wording everywhere.
//!
//! Which exception: an argument, shape or file content that is wrong is `ValueError` (Keras
//! raises `ValueError` for the same mistakes); a file that cannot be read or written is
//! `OSError`; a non-finite loss is `RuntimeError`, as Keras's `TerminateOnNaN(raise_error=True)`
//! raises it; a failure of recur's own state is `RuntimeError`.

use nn::NnError;
use pyo3::PyErr;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};

/// Converts an `nn` error into the matching Python exception.
pub fn nn_error(e: NnError) -> PyErr {
    let message = e.to_string();
    match root(&e) {
        NnError::Io { .. } => PyOSError::new_err(message),
        NnError::NonFiniteLoss { .. } | NnError::State { .. } => PyRuntimeError::new_err(message),
        _ => PyValueError::new_err(message),
    }
}

/// The innermost `nn` error of a [`NnError::File`] chain: what decides the exception's kind.
fn root(e: &NnError) -> &NnError {
    match e {
        NnError::File { source, .. } => root(source),
        other => other,
    }
}

/// Converts a pipeline error: bad input (a setting, a series, a model file) is `ValueError`,
/// a failure while running (a diverging fit) is `RuntimeError`, as the CLI's exit statuses 2
/// and 1.
pub fn forecast_error(e: forecast::ForecastError) -> PyErr {
    match e {
        forecast::ForecastError::Usage(m) => PyValueError::new_err(m),
        forecast::ForecastError::Runtime(m) => PyRuntimeError::new_err(m),
    }
}
