//! The error type of the `nn` crate.

use std::fmt;

/// Everything that can go wrong in `nn`. Messages name the argument and the offending value,
/// as Keras's `ValueError`s do, so a user can fix the call without reading the source.
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
            NnError::Conflict { message } => write!(f, "{message}"),
            NnError::ShapeMismatch {
                what,
                expected,
                got,
            } => write!(
                f,
                "shape mismatch for {what}: expected {expected}, got {got}"
            ),
            NnError::State { message } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for NnError {}

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
