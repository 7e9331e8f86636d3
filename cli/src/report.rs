//! Plain-text reports: labelled figures with their values aligned in one column.

use std::path::Path;

/// Rows of `label  value`, rendered with the values aligned after the longest label.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows(Vec<(String, String)>);

impl Rows {
    /// Adds a row.
    pub fn push(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.0.push((label.into(), value.into()));
    }

    /// One line per row, each ending in a newline.
    pub fn render(&self) -> String {
        let width = self
            .0
            .iter()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0);
        self.0
            .iter()
            .map(|(label, value)| format!("{label:<width$}  {value}\n"))
            .collect()
    }
}

/// The last component of `path`, for listing written files.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
