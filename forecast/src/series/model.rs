//! A trained single-series model with the data settings to use it on: the saved ones, or
//! others a front end gives (another CSV, another split), checked against the model's input.

use std::path::{Path, PathBuf};

use super::covariates::column_list;
use super::data_config::DataConfig;
use super::model_file::{ModelFile, SeriesSettings, read_bytes};
use crate::ForecastError;

/// A model file of a single-series run and the data settings to use it on.
#[derive(Debug)]
pub struct SeriesModel {
    /// The model and its settings.
    pub file: ModelFile,
    /// The settings saved with the model (`None`: a model saved by the library without them).
    pub saved: Option<SeriesSettings>,
    /// The data settings in use: the saved ones unless a front end gave others.
    pub data: DataConfig,
    /// The model file's path (or the name it is known by), for messages.
    pub path: PathBuf,
    /// The CSV's text, read instead of the file at the data's CSV path when set.
    pub csv_text: Option<String>,
}

impl SeriesModel {
    /// Loads the model file at `path`; see [`SeriesModel::from_bytes`].
    pub fn load(path: &Path) -> Result<Self, ForecastError> {
        Self::from_bytes(&read_bytes(path)?, path)
    }

    /// The model file `bytes` with its saved data settings (the tutorial's defaults for a
    /// model saved without settings); `path` names it in messages. A file that is not a
    /// single-series model (a many-series or `--task` model) is a usage error naming `path`.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self, ForecastError> {
        let file = ModelFile::from_bytes(bytes, path)?;
        let data = file
            .series_settings(path)?
            .map(|s| s.data.clone())
            .unwrap_or_default();
        Self::new(file, path, data)
    }

    /// `file` (loaded from `path`) used on the series of `data`. The window length, layout
    /// and covariates of `data` must be the model's input: errors (usage) say which flags
    /// make them so. A `--task` model is refused.
    pub fn new(file: ModelFile, path: &Path, data: DataConfig) -> Result<Self, ForecastError> {
        let saved = file.series_settings(path)?.cloned();
        let w = &data.windows;
        // A model saved without settings takes the tutorial's defaults, which may not fit it.
        if file.step != w.step || (file.layout != w.layout && file.step != 1) {
            return Err(ForecastError::Usage(format!(
                "--model '{}' takes windows of step {} in the {} layout, but the data settings give step {} in the {} layout: pass --step {} --layout {}",
                path.display(),
                file.step,
                file.layout.name(),
                w.step,
                w.layout.name(),
                file.step,
                file.layout.name()
            )));
        }
        // Covariates come from a CSV's columns: the generated sine has none to give.
        if data.features().len() + 1 != file.features {
            let trained = saved
                .as_ref()
                .map(|s| s.data.features().to_vec())
                .unwrap_or_default();
            return Err(ForecastError::Usage(format!(
                "--model '{}' takes {} covariate(s) beside the series ({}), which only a CSV \
                 with those columns gives: leave out the generator's flags (or pass --csv)",
                path.display(),
                file.features - 1,
                column_list(&trained)
            )));
        }
        Ok(SeriesModel {
            file,
            saved,
            data,
            path: path.to_path_buf(),
            csv_text: None,
        })
    }

    /// The covariates' scalers saved with the model (`None` without covariates).
    fn saved_covariate_scalers(&self) -> Option<&[data::Scaler]> {
        self.saved
            .as_ref()
            .and_then(|s| s.covariates.as_ref())
            .map(|c| c.scalers.as_slice())
    }

    /// Whether the model takes covariates (`train --features`).
    pub fn has_covariates(&self) -> bool {
        self.file.features > 1
    }

    /// The split-conformal residuals stored by `train --interval`, if any.
    pub fn calibration(&self) -> Option<&data::Calibration> {
        self.saved.as_ref().and_then(|s| s.calibration.as_ref())
    }

    /// The model's outputs per window (`--horizon H` at training; 1 for a one-step model or a
    /// file without saved settings).
    pub fn model_horizon(&self) -> usize {
        self.saved.as_ref().map_or(1, |s| s.model.horizon)
    }

    /// The saved settings when the data settings are still the ones the model was trained
    /// with: then the saved tail is the end of this very series.
    pub fn same_series(&self) -> Option<&SeriesSettings> {
        self.saved.as_ref().filter(|s| s.data == self.data)
    }

    /// The scaler the model was trained with.
    fn saved_scaler(&self) -> Option<data::Scaler> {
        self.saved.as_ref().map(|s| s.scaler)
    }

    /// The series and windows, scaled as the model was trained (read from `csv_text` when
    /// set).
    pub fn series(&self) -> Result<(data::Series, data::Dataset), ForecastError> {
        self.data.load_with(
            self.csv_text.as_deref(),
            self.saved_scaler(),
            self.saved_covariate_scalers(),
        )
    }

    /// The scaler for raw values: the model's own when it is of the asked kind, identity
    /// without scaling, else one fitted on the series' training part.
    pub fn scaler(&self) -> Result<data::Scaler, ForecastError> {
        match self.saved_scaler() {
            Some(s) if s.kind() == self.data.windows.scale => Ok(s),
            _ if self.data.windows.scale == data::ScaleKind::None => Ok(data::Scaler::Identity),
            _ => Ok(self.series()?.1.scaler),
        }
    }
}
