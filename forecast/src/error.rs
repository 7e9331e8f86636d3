//! The pipeline's error: bad input (a setting, a series) or a failure while running.

use std::fmt;

/// What went wrong, as one line of text. Front ends map the two kinds to their own (the CLI
/// to exit status 2 and 1, Python to `ValueError` and `RuntimeError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForecastError {
    /// Bad input: a setting, a series, a model file.
    Usage(String),
    /// A failure after validation: a diverging fit, an nn failure.
    Runtime(String),
}

impl ForecastError {
    /// A usage error naming `flag`, the offending `value` and what was expected.
    pub fn flag(flag: &str, value: impl fmt::Display, expected: &str) -> Self {
        ForecastError::Usage(format!(
            "invalid value '{value}' for {flag}: expected {expected}"
        ))
    }

    /// The message without its kind.
    pub fn message(&self) -> &str {
        match self {
            ForecastError::Usage(m) | ForecastError::Runtime(m) => m,
        }
    }
}

impl fmt::Display for ForecastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ForecastError {}

impl From<data::DataError> for ForecastError {
    /// Errors of the data crate come from the user's series or settings: usage errors.
    fn from(e: data::DataError) -> Self {
        ForecastError::Usage(e.to_string())
    }
}
