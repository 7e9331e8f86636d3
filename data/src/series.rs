//! A univariate series with optional time labels.

use crate::time::TimeAxis;
use crate::{Covariate, DataError, MissingCounts};

/// A series of finite values, with an optional name, optional time labels (one per value,
/// kept as the text found in the input, for plot axes and prediction files) and optional
/// covariates (other columns, one value per series value).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    values: Vec<f64>,
    times: Option<Vec<String>>,
    time_name: Option<String>,
    name: Option<String>,
    missing: MissingCounts,
    axis: Option<TimeAxis>,
    covariates: Vec<Covariate>,
}

impl Series {
    /// A series of `values` without name or time labels.
    pub fn new(values: Vec<f64>) -> Self {
        Series {
            values,
            times: None,
            time_name: None,
            name: None,
            missing: MissingCounts::default(),
            axis: None,
            covariates: Vec::new(),
        }
    }

    /// Attaches covariates, each with one value per series value; errors if a count differs.
    pub fn with_covariates(mut self, covariates: Vec<Covariate>) -> Result<Self, DataError> {
        if let Some(c) = covariates
            .iter()
            .find(|c| c.values.len() != self.values.len())
        {
            return Err(DataError::LengthMismatch {
                what: "covariate values and series values",
                left: c.values.len(),
                right: self.values.len(),
            });
        }
        self.covariates = covariates;
        Ok(self)
    }

    /// The covariates read beside the values (empty without any).
    pub fn covariates(&self) -> &[Covariate] {
        &self.covariates
    }

    /// Sets the series' name (for example the CSV column header).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Records how many missing values the reader filled in or dropped to make this series.
    pub fn with_missing(mut self, counts: MissingCounts) -> Self {
        self.missing = counts;
        self
    }

    /// How many missing values were filled in or dropped when the series was read (zeros for
    /// a series read without gaps, or built in memory).
    pub fn missing(&self) -> MissingCounts {
        self.missing
    }

    /// Attaches one time label per value; errors if the counts differ.
    pub fn with_times(mut self, times: Vec<String>) -> Result<Self, DataError> {
        if times.len() != self.values.len() {
            return Err(DataError::LengthMismatch {
                what: "time labels and values",
                left: times.len(),
                right: self.values.len(),
            });
        }
        self.times = Some(times);
        Ok(self)
    }

    /// Sets the regular time axis of the values (position `i` is the time of value `i`).
    pub fn with_axis(mut self, axis: TimeAxis) -> Self {
        self.axis = Some(axis);
        self
    }

    /// The regular time axis, when the time column was read as times on a step
    /// ([`CsvOptions::time_grid`](crate::CsvOptions::time_grid)).
    pub fn axis(&self) -> Option<&TimeAxis> {
        self.axis.as_ref()
    }

    /// Sets the name of the time labels (the CSV time column's header).
    pub fn with_time_name(mut self, name: impl Into<String>) -> Self {
        self.time_name = Some(name.into());
        self
    }

    /// The name of the time labels (the CSV time column's header), if any.
    pub fn time_name(&self) -> Option<&str> {
        self.time_name.as_deref()
    }

    /// The values, in order.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The time labels, one per value, if the input had a time column.
    pub fn times(&self) -> Option<&[String]> {
        self.times.as_deref()
    }

    /// The name (the CSV column header, or the generator's name), if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the series has no values.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values, consuming the series.
    pub fn into_values(self) -> Vec<f64> {
        self.values
    }
}
