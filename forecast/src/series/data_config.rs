//! The series and its windows: where the series comes from (the generated sine, or a CSV file
//! or its text), how it is differenced, split, windowed and scaled; then read or generated and
//! windowed. Front ends build a [`DataConfig`] from their own input (the CLI from its flags,
//! over the settings a model was trained with for evaluate, predict and forecast).

use std::path::PathBuf;

use data::time::{TimeFormat, TimeStep};
use data::{
    Column, CsvOptions, Dataset, Differencing, MissingPolicy, ScaleKind, Scaler, Series,
    SineConfig, TimeGridOptions, WindowConfig,
};
use serde::{Deserialize, Serialize};

use crate::ForecastError;

/// Where the series comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// The tutorial's generated sine.
    Generated(SineConfig),
    /// A CSV file.
    Csv {
        /// Path as given.
        path: PathBuf,
        /// Value column (`None`: the only or last numeric column).
        column: Option<Column>,
        /// Optional time column.
        time_column: Option<Column>,
        /// `--time-format` (absent in model files of older recur: detected).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time_format: Option<TimeFormat>,
        /// `--time-step` (absent in model files of older recur: inferred).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time_step: Option<TimeStep>,
        /// Delimiter, decimal separator and missing-value policy (absent in files of recur
        /// before they existed: the defaults).
        #[serde(default)]
        dialect: CsvDialect,
        /// Covariate columns (`--features`), in the model's channel order; absent without
        /// them (and in files of older recur).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        features: Vec<Column>,
    },
}

/// How a CSV file is written and what to do with its gaps (`--delimiter`, `--decimal`,
/// `--missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsvDialect {
    /// Field delimiter byte (saved as a one-character string).
    #[serde(with = "ascii_char")]
    pub delimiter: u8,
    /// Decimal separator byte (`.` or `,`; saved as a one-character string).
    #[serde(with = "ascii_char")]
    pub decimal: u8,
    /// Missing-value policy.
    pub missing: MissingPolicy,
}

impl Default for CsvDialect {
    fn default() -> Self {
        let o = CsvOptions::default();
        CsvDialect {
            delimiter: o.delimiter,
            decimal: o.decimal,
            missing: o.missing,
        }
    }
}

/// An ASCII byte as a one-character string in the settings document (`";"`, not `59`).
mod ascii_char {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(b: &u8, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&char::from(*b).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_bytes() {
            [b] if b.is_ascii() => Ok(*b),
            _ => Err(D::Error::custom(format!(
                "'{text}' is not one ASCII character"
            ))),
        }
    }
}

/// The series and how it becomes windows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataConfig {
    /// Where the series comes from.
    pub source: Source,
    /// Split, step, padding, layout and scaling.
    pub windows: WindowConfig,
    /// Whether T was given (or saved) rather than the tutorial's default.
    pub split_given: bool,
    /// Differences taken before windowing (`--diff`, `--seasonal-diff`); none by default.
    #[serde(default, skip_serializing_if = "Differencing::is_none")]
    pub differencing: Differencing,
    /// Season length of the seasonal naive baseline (`--season`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<usize>,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            source: Source::Generated(SineConfig::default()),
            windows: WindowConfig::default(),
            split_given: false,
            differencing: Differencing::default(),
            season: None,
        }
    }
}

impl DataConfig {
    /// The covariate columns (`--features`): empty for the generated series or without them.
    pub fn features(&self) -> &[Column] {
        match &self.source {
            Source::Csv { features, .. } => features,
            Source::Generated(_) => &[],
        }
    }

    /// Reads or generates the series and builds the windows. Every problem (unreadable or
    /// malformed CSV, missing column, series too short for T and the step) is a usage error.
    pub fn load(&self) -> Result<(Series, Dataset), ForecastError> {
        self.load_with(None, None, None)
    }

    /// [`DataConfig::load`] with the CSV's text `csv_text` read instead of the file at the
    /// source's path (which then only names the data in messages), and with scalers fitted
    /// earlier (those a model was trained with) instead of ones fitted on this series'
    /// training part: the target's when it is of the kind the settings ask for, the
    /// covariates' when there is one per covariate. The arithmetic is prepare's own, so on the
    /// training series the windows are bit-identical. `csv_text` with the generated series is a
    /// usage error (it reads nothing).
    pub fn load_with(
        &self,
        csv_text: Option<&str>,
        fitted: Option<Scaler>,
        fitted_covariates: Option<&[Scaler]>,
    ) -> Result<(Series, Dataset), ForecastError> {
        let step = self.windows.step;
        let series = match &self.source {
            Source::Generated(_) if csv_text.is_some() => {
                return Err(ForecastError::Usage(
                    "CSV text was given, but the data settings generate the sine: give a CSV \
                     source (its path names the text in messages)"
                        .into(),
                ));
            }
            Source::Generated(g) => {
                super::limits::check_windows(g.n, step, 1)?;
                data::generate::sine(g)?
            }
            Source::Csv {
                path,
                column,
                time_column,
                time_format,
                time_step,
                dialect,
                features,
            } => {
                // The time column is read on its regular step, so that its missing rows go
                // through --missing like missing cells (before any window is built).
                let options = CsvOptions {
                    column: column.clone(),
                    time_column: time_column.clone(),
                    covariates: features.clone(),
                    time_grid: time_column.as_ref().map(|_| TimeGridOptions {
                        format: time_format.clone(),
                        step: *time_step,
                    }),
                    delimiter: dialect.delimiter,
                    decimal: dialect.decimal,
                    missing: dialect.missing,
                    ..CsvOptions::default()
                };
                let read = match csv_text {
                    Some(text) => data::read_csv_str(text, &options),
                    None => data::read_csv_path(path, &options),
                };
                let series = read.map_err(|e| match e {
                    data::DataError::Time { message } => {
                        super::time_axis::time_error(time_column.as_ref(), &message)
                    }
                    e @ data::DataError::Covariate { .. } => ForecastError::Usage(format!(
                        "--features (--csv '{}'): {e}",
                        path.display()
                    )),
                    e => ForecastError::Usage(format!("--csv '{}': {e}", path.display())),
                })?;
                super::limits::check_windows(series.len(), step, 1 + features.len())?;
                series
            }
        };
        let fitted = fitted.filter(|f| f.kind() == self.windows.scale);
        let hint = || {
            let mut hint = String::new();
            if !self.split_given {
                hint.push_str(" (T = 900 is the tutorial's default: pass --split with an index or a fraction such as 0.7)");
            }
            if !self.differencing.is_none() {
                hint.push_str(&format!(
                    " (with {}, which consumes the first {} value(s): the model's series and T are shorter by that much)",
                    self.differencing.describe(),
                    self.differencing.lost()
                ));
            }
            hint
        };
        let (model_values, windows) = self
            .model_series(series.values())
            .map_err(|e| ForecastError::Usage(format!("{e}{}", hint())))?;
        // Covariates on the model's positions (differencing consumes the target's first
        // values), scaled by the saved scalers when there is one per covariate.
        let lost = self.differencing.lost();
        let fitted_covariates = fitted_covariates.filter(|f| f.len() == series.covariates().len());
        let mut covariate_scale = data::covariate_scale(self.windows.scale);
        let mut covariates = super::covariates::model_covariates(series.covariates(), lost);
        if let Some(scalers) = fitted_covariates {
            for (c, s) in covariates.iter_mut().zip(scalers) {
                c.values = s.transform_all(&c.values);
            }
            covariate_scale = ScaleKind::None;
        }
        let prepared = match fitted {
            Some(f) => {
                let windows = WindowConfig {
                    scale: ScaleKind::None,
                    ..windows
                };
                data::prepare_with_covariates(
                    &f.transform_all(&model_values),
                    &covariates,
                    &windows,
                    covariate_scale,
                )
                .map(|mut ds| {
                    ds.scaler = f;
                    ds
                })
            }
            None => {
                data::prepare_with_covariates(&model_values, &covariates, &windows, covariate_scale)
            }
        };
        let mut dataset = prepared.map_err(|e| match e {
            e @ data::DataError::Covariate { .. } => {
                ForecastError::Usage(format!("--features: {e}"))
            }
            e => ForecastError::Usage(format!("{e}{}", hint())),
        })?;
        if let Some(scalers) = fitted_covariates {
            dataset.covariate_scalers = scalers.to_vec();
        }
        Ok((series, dataset))
    }

    /// The series the model sees before scaling and its window settings
    /// ([`data::Differencing::model_values`]).
    fn model_series(&self, values: &[f64]) -> Result<(Vec<f64>, WindowConfig), data::DataError> {
        self.differencing.model_values(values, &self.windows)
    }
}
