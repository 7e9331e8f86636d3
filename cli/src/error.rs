//! The CLI's error: a usage error (bad input, exit status 2) or a failure while running (exit 1).

use std::fmt;

/// What went wrong, as one line of text for stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    /// Bad input: a flag value, a CSV file, a model file. Exit status 2, nothing written.
    Usage(String),
    /// A failure after validation: writing outputs, a diverging fit. Exit status 1.
    Runtime(String),
}

impl CliError {
    /// A usage error naming `flag`, the offending `value` and what was expected.
    pub fn flag(flag: &str, value: impl fmt::Display, expected: &str) -> Self {
        CliError::Usage(format!(
            "invalid value '{value}' for {flag}: expected {expected}"
        ))
    }

    /// The process exit status for this error: 2 for usage errors, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Runtime(_) => 1,
        }
    }

    /// The message as one line: newlines in wrapped library messages become spaces, and other
    /// control characters (from binary junk quoted in a message) are shown escaped, so they
    /// cannot break the line or the terminal.
    pub fn one_line(&self) -> String {
        let text = match self {
            CliError::Usage(m) | CliError::Runtime(m) => m,
        };
        let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
        joined
            .chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.one_line())
    }
}

impl std::error::Error for CliError {}

impl From<data::DataError> for CliError {
    /// Errors of the data crate come from the user's series or flags: usage errors.
    fn from(e: data::DataError) -> Self {
        CliError::Usage(e.to_string())
    }
}

impl From<forecast::ForecastError> for CliError {
    /// The pipeline's two kinds are the CLI's two kinds.
    fn from(e: forecast::ForecastError) -> Self {
        match e {
            forecast::ForecastError::Usage(m) => CliError::Usage(m),
            forecast::ForecastError::Runtime(m) => CliError::Runtime(m),
        }
    }
}

/// Wraps an I/O failure on `path` as a runtime error.
pub fn io_error(action: &str, path: &std::path::Path, e: std::io::Error) -> CliError {
    CliError::Runtime(format!("cannot {action} '{}': {e}", path.display()))
}
