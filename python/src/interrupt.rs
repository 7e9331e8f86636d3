//! Long work that Ctrl-C can stop. Python's signal handler only records a signal while native
//! code runs, and only the main thread may act on it; many-series training runs on rayon's
//! workers, so the calling thread hands the work to a thread of its own and, with the GIL
//! released, wakes every few milliseconds to let a pending signal raise. The work polls a flag
//! and stops between series (or batches) once the signal has been taken.

use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// How often the waiting thread looks for a signal.
const POLL: Duration = Duration::from_millis(50);

/// Stack of the working thread: a fit runs on it (as on Python's main thread, 8 MiB).
const STACK_BYTES: usize = 8 << 20;

/// Runs `work` on a new thread while this one waits with the GIL released. When a signal
/// handler raises meanwhile (KeyboardInterrupt), the flag `work` gets is set, `work` is awaited
/// (it should return soon) and the handler's exception is returned instead of its result.
pub fn run_interruptibly<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> T + Send,
) -> PyResult<T> {
    let stop = AtomicBool::new(false);
    let stop = &stop;
    let (outcome, pending) = py.detach(|| {
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::channel();
            let spawned = std::thread::Builder::new()
                .name("recur-many".into())
                .stack_size(STACK_BYTES)
                .spawn_scoped(s, move || {
                    // The receiver outlives the thread: a failed send cannot happen.
                    let _ = tx.send(work(stop));
                });
            let handle = match spawned {
                Ok(h) => h,
                Err(e) => {
                    let err = PyRuntimeError::new_err(format!("cannot start a thread: {e}"));
                    return (Err(err), None);
                }
            };
            let mut pending = None;
            let outcome = loop {
                match rx.recv_timeout(POLL) {
                    Ok(value) => break Ok(value),
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if pending.is_none()
                            && let Err(e) = Python::attach(|py| py.check_signals())
                        {
                            pending = Some(e);
                            stop.store(true, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        break Err(PyRuntimeError::new_err(
                            "recur's many-series worker stopped without a result (a panic)",
                        ));
                    }
                }
            };
            // Joined here so a panic's payload does not unwind through the scope.
            let _ = handle.join();
            (outcome, pending)
        })
    });
    match pending {
        Some(e) => Err(e),
        None => outcome,
    }
}
