//! The error type of the `nn` crate.

use std::fmt;

use autograd::AutogradError;

/// Everything that can go wrong in `nn`. Messages name the argument and the offending value,
/// as Keras's `ValueError`s do, so a user can fix the call without reading the source.
///
/// Errors of lower layers are kept whole, not flattened to text: [`NnError::Autograd`] holds
/// the [`AutogradError`] and [`NnError::File`] the error met while reading a file, both
/// returned by [`std::error::Error::source`]. The `Display` text of such a wrapper already ends
/// with its source's text (so printing the error alone says everything); a caller that walks
/// the `source()` chain should use it to classify the cause, not to print it a second time.
///
/// A program reacts to a kind of failure by matching a variant, never the text, e.g.
/// ```
/// # use nn::NnError;
/// fn advice(e: &NnError) -> Option<String> {
///     match e {
///         NnError::NonFiniteLoss { epoch, step, steps, value } => Some(format!(
///             "loss {value} at epoch {epoch}, batch {step} of {steps}: lower the learning rate"
///         )),
///         _ => None,
///     }
/// }
/// let e = NnError::NonFiniteLoss { epoch: 3, step: 7, steps: 57, value: f32::NAN };
/// assert!(advice(&e).unwrap().contains("epoch 3, batch 7 of 57"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum NnError {
    /// An argument has a value outside its allowed range.
    InvalidArgument {
        /// Argument name as Keras spells it (e.g. `learning_rate`).
        name: String,
        /// The value received, formatted.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// A string identifier (initializer, optimizer, regularizer, constraint) is unknown.
    UnknownName {
        /// What kind of object was looked up (e.g. `initializer`).
        kind: &'static str,
        /// The name received.
        name: String,
        /// The names that are accepted.
        known: String,
    },
    /// Two or more options were set that cannot be combined.
    Conflict {
        /// What conflicts, with the values.
        message: String,
    },
    /// A buffer or shape does not match what was expected.
    ShapeMismatch {
        /// What was being checked (e.g. `gradient of 'dense/kernel'`).
        what: String,
        /// The expected shape or length.
        expected: String,
        /// The shape or length received.
        got: String,
    },
    /// An autograd call failed; `context` says what `nn` was doing (e.g. `SimpleRNN layer
    /// 'simple_rnn'`), `source` is autograd's error with the op and the shapes.
    Autograd {
        /// What was being done, naming the layer or step.
        context: String,
        /// The autograd error (returned by `source()`); boxed to keep `Result`s small.
        source: Box<AutogradError>,
    },
    /// The loss of a training batch was NaN or infinite; fit stopped before applying that step.
    NonFiniteLoss {
        /// The epoch of the batch, 1-based and counted within this `fit` call.
        epoch: usize,
        /// The batch within the epoch, 1-based.
        step: usize,
        /// Batches per epoch.
        steps: usize,
        /// The loss (NaN or ±infinity), including regularization penalties.
        value: f32,
    },
    /// `fit` was stopped by its observer (e.g. Ctrl-C): it returned at once, leaving the model
    /// as after the last completed batch (weights and optimizer state of that step, no
    /// half-applied update) with `epochs_done` counting the epochs whose batches all ran.
    Interrupted {
        /// The epoch during which training stopped, 1-based within this `fit` call.
        epoch: usize,
        /// Batches completed in that epoch (1-based number of the last one; 0 when training
        /// stopped before the epoch's first batch).
        step: usize,
        /// Batches per epoch.
        steps: usize,
        /// The epochs completed before the interruption (what Keras's `model.history` holds
        /// after a `KeyboardInterrupt`).
        history: Box<crate::loss_tracker::History>,
    },
    /// A file could not be read or written.
    Io {
        /// The file.
        path: String,
        /// The kind of the operating system's error (e.g. `NotFound`).
        kind: std::io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// Bytes that are not a valid recur file: truncated, corrupted, not written by recur, of a
    /// format version this build does not read, or describing a model its tensors do not fit.
    InvalidFile {
        /// What is wrong, naming the tensor or entry.
        reason: String,
    },
    /// The file is in an older model format, whose checksum did not cover every byte (the
    /// first format left the model description out). It is refused on load, so that no
    /// unverified setting is used silently; [`crate::Sequential::upgrade_bytes`] reads it once
    /// and the model can then be saved in the current format.
    OldFormat {
        /// The format version found.
        version: u32,
        /// What that format's checksum does not cover.
        unverified: String,
    },
    /// Loading or saving the file `path` failed; `source` says why (an [`NnError::Io`],
    /// [`NnError::InvalidFile`], or the error of rebuilding the saved model).
    File {
        /// The file.
        path: String,
        /// Why it failed (returned by `source()`).
        source: Box<NnError>,
    },
    /// An object was used in the wrong state (e.g. an optimizer stepped before being built).
    State {
        /// What went wrong and how to fix it.
        message: String,
    },
}

impl NnError {
    /// Builds an [`NnError::InvalidArgument`].
    pub fn invalid(name: &str, value: impl fmt::Display, expected: &str) -> Self {
        NnError::InvalidArgument {
            name: name.to_string(),
            value: value.to_string(),
            expected: expected.to_string(),
        }
    }

    /// Builds an [`NnError::ShapeMismatch`].
    pub fn shape(what: impl Into<String>, expected: impl fmt::Debug, got: impl fmt::Debug) -> Self {
        NnError::ShapeMismatch {
            what: what.into(),
            expected: format!("{expected:?}"),
            got: format!("{got:?}"),
        }
    }

    /// Builds an [`NnError::State`].
    pub fn state(message: impl Into<String>) -> Self {
        NnError::State {
            message: message.into(),
        }
    }

    /// Builds an [`NnError::Autograd`]: `source` met while doing `context`.
    pub fn autograd(context: impl Into<String>, source: AutogradError) -> Self {
        NnError::Autograd {
            context: context.into(),
            source: Box::new(source),
        }
    }

    /// Builds an [`NnError::InvalidFile`]. Control characters in `reason` (a reason often quotes
    /// the file: a JSON key, a tensor name) are shown escaped (`\n`), so the message is one
    /// line and cannot drive a terminal, whatever the file holds.
    pub fn invalid_file(reason: impl Into<String>) -> Self {
        let reason: String = reason.into();
        let reason = if reason.chars().any(char::is_control) {
            reason
                .chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        } else {
            reason
        };
        NnError::InvalidFile { reason }
    }

    /// Builds an [`NnError::Io`] for `path`.
    pub fn io(path: &std::path::Path, e: &std::io::Error) -> Self {
        NnError::Io {
            path: path.display().to_string(),
            kind: e.kind(),
            message: e.to_string(),
        }
    }

    /// Wraps `self` in an [`NnError::File`] naming `path`.
    pub fn in_file(self, path: &std::path::Path) -> Self {
        NnError::File {
            path: path.display().to_string(),
            source: Box::new(self),
        }
    }
}

impl fmt::Display for NnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NnError::InvalidArgument {
                name,
                value,
                expected,
            } => write!(
                f,
                "invalid value for argument `{name}`: expected {expected}, received {name}={value}"
            ),
            NnError::UnknownName { kind, name, known } => {
                write!(f, "unknown {kind} '{name}'; known {kind}s: {known}")
            }
            NnError::Conflict { message } | NnError::State { message } => write!(f, "{message}"),
            NnError::ShapeMismatch {
                what,
                expected,
                got,
            } => write!(
                f,
                "shape mismatch for {what}: expected {expected}, got {got}"
            ),
            NnError::Autograd { context, source } => write!(f, "{context}: {source}"),
            NnError::NonFiniteLoss {
                epoch,
                step,
                steps,
                value,
            } => write!(
                f,
                "the loss became {value} at epoch {epoch}, step {step}/{steps}; training stopped \
                 before applying that step. Try a lower learning rate, gradient clipping \
                 (clipnorm, clipvalue or global_clipnorm), or tanh instead of relu in recurrent \
                 layers (relu recurrent layers explode easily); InvalidLoss::Continue trains on \
                 as Keras does"
            ),
            NnError::Interrupted {
                epoch,
                step,
                steps,
                history,
            } => write!(
                f,
                "training interrupted at epoch {epoch}, step {step}/{steps}; the model keeps the \
                 weights and optimizer state after that step ({} complete epoch(s) in the history)",
                history.epochs()
            ),
            NnError::Io { path, message, .. } => write!(f, "cannot access '{path}': {message}"),
            NnError::InvalidFile { reason } => write!(f, "not a valid recur file: {reason}"),
            NnError::OldFormat {
                version,
                unverified,
            } => write!(
                f,
                "a model file of format version {version}, whose checksum does not cover \
                 {unverified}: read it once with Sequential::upgrade_bytes and save it again"
            ),
            NnError::File { path, source } => write!(f, "'{path}': {source}"),
        }
    }
}

impl std::error::Error for NnError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The inner errors themselves, not their boxes, so `downcast_ref` finds them.
            NnError::Autograd { source, .. } => Some(source.as_ref()),
            NnError::File { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

/// Shorthand for `Result<T, NnError>`.
pub type Result<T> = std::result::Result<T, NnError>;

/// Checks that `value` is finite and strictly positive.
pub(crate) fn check_positive(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(NnError::invalid(name, value, "a finite number > 0"))
    }
}

/// Checks that `value` is finite and non-negative.
pub(crate) fn check_non_negative(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(NnError::invalid(name, value, "a finite number >= 0"))
    }
}

/// Checks that `value` lies in `[lo, hi)` (or `[lo, hi]` when `hi_inclusive`).
pub(crate) fn check_range(
    name: &str,
    value: f64,
    lo: f64,
    hi: f64,
    hi_inclusive: bool,
) -> Result<()> {
    let ok = value >= lo
        && if hi_inclusive {
            value <= hi
        } else {
            value < hi
        };
    if ok {
        Ok(())
    } else {
        let close = if hi_inclusive { ']' } else { ')' };
        Err(NnError::invalid(
            name,
            value,
            &format!("a number in [{lo}, {hi}{close}"),
        ))
    }
}
