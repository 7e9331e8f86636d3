//! Choosing a CSV column by header name or by position.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DataError;

/// A CSV column, by header name or by 0-based position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Column {
    /// 0-based position among the fields of a row.
    Index(usize),
    /// Header name, compared after trimming surrounding spaces.
    Name(String),
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Column::Index(i) => write!(f, "index {i}"),
            Column::Name(name) => write!(f, "'{name}'"),
        }
    }
}

impl FromStr for Column {
    type Err = DataError;

    /// Text made only of ASCII digits is a 0-based index; anything else non-empty is a name.
    fn from_str(s: &str) -> Result<Self, DataError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DataError::arg(
                "column",
                "''",
                "a header name or a 0-based column index",
            ));
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return s.parse().map(Column::Index).map_err(|_| {
                DataError::arg("column", s, "a 0-based column index that fits in usize")
            });
        }
        Ok(Column::Name(s.to_string()))
    }
}
