//! A long-format file, as `data::read_long_csv_*` reads it, made into a run's inputs: what
//! every front end (the command line, the Python package) does between reading and training.

use serde::{Deserialize, Serialize};

use super::{ColumnNames, SeriesInput};

/// A series whose time column gave no regular step: trained, but its forecasts have no times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoAxis {
    /// The series id.
    pub id: String,
    /// Why it has no regular step (the reader's note).
    pub reason: String,
}

/// The series of a long-format file as a run's inputs, with the file's column names and the
/// series that have no regular time step.
#[derive(Debug, Clone, PartialEq)]
pub struct LongInputs {
    /// Every series, in id order.
    pub inputs: Vec<SeriesInput>,
    /// The header's names of the id, time and value columns (`id`, `time` and `value` for a
    /// file without a header); `time` is `None` when the file was read without a time column.
    pub columns: ColumnNames,
    /// The series read with a time column whose times fall on no regular step, in id order.
    pub no_time_axis: Vec<NoAxis>,
    /// The covariates' names (header names, or indices as text without a header), in the
    /// order they were asked for: a run on these inputs takes them as
    /// [`ManyConfig::features`](super::ManyConfig::features). Empty without covariates.
    pub features: Vec<String>,
}

impl LongInputs {
    /// The inputs of `long`, read with a time column when `timed`.
    pub fn new(long: data::LongData, timed: bool) -> Self {
        let first = long.series.first().map(|s| &s.series);
        let columns = ColumnNames {
            id: long.id_name.clone().unwrap_or_else(|| "id".into()),
            time: timed.then(|| {
                first
                    .and_then(|s| s.time_name())
                    .unwrap_or("time")
                    .to_string()
            }),
            value: first.and_then(|s| s.name()).unwrap_or("value").to_string(),
        };
        let features = first
            .map(|s| s.covariates().iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        let no_time_axis = long
            .series
            .iter()
            .filter_map(|s| {
                s.axis_note.as_ref().map(|reason| NoAxis {
                    id: s.id.clone(),
                    reason: reason.clone(),
                })
            })
            .collect();
        let inputs = long
            .series
            .into_iter()
            .map(SeriesInput::from_long)
            .collect();
        LongInputs {
            inputs,
            columns,
            no_time_axis,
            features,
        }
    }
}

impl SeriesInput {
    /// One series of a long-format file: its id, values, time labels, regular axis (none
    /// when its times are irregular; the reader's note says why) and covariates.
    pub fn from_long(long: data::LongSeries) -> Self {
        let times = long.series.times().map(<[String]>::to_vec);
        let axis = long.series.axis().cloned();
        let covariates = long.series.covariates().to_vec();
        SeriesInput {
            covariates,
            id: long.id,
            values: long.series.into_values(),
            times,
            axis,
        }
    }
}
