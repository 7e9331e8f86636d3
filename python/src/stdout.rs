//! Progress text written to Python's `sys.stdout`, not to the process's file descriptor 1, so
//! it shows in Jupyter and in anything that redirects `sys.stdout` (pytest's capture included).

use std::io::{self, Write};

use pyo3::prelude::*;

/// A writer that forwards every write to `sys.stdout.write` (taking the GIL for it) and
/// `flush` to `sys.stdout.flush`. Used while recur computes with the GIL released.
#[derive(Debug, Default)]
pub struct PyStdout;

impl Write for PyStdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        Python::attach(|py| -> PyResult<()> {
            py.import("sys")?
                .getattr("stdout")?
                .call_method1("write", (text.as_ref(),))?;
            Ok(())
        })
        .map_err(|e| io::Error::other(e.to_string()))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Python::attach(|py| -> PyResult<()> {
            py.import("sys")?.getattr("stdout")?.call_method0("flush")?;
            Ok(())
        })
        .map_err(|e| io::Error::other(e.to_string()))
    }
}
