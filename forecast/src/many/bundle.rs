//! The model file of a many-series run: every member model (one per series, or the one
//! global model) with the settings it needs to forecast, in one file.
//!
//! The file is a safetensors container whose tensors are the members' own model files (nn's
//! format, bytes as `U8` tensors named `m0000000`, `m0000001`, ... in id order) and whose
//! metadata holds one key, `recur`, with the container's format, mode and member count. Why
//! nest whole model files: each member then carries its settings inside nn's checksum, so a
//! flipped byte anywhere in a member is caught, and a member trained on a Spark executor is
//! just its model file's bytes ([`ManyModel::from_members`] joins them).

use std::collections::HashMap;

use data::time::TimeAxis;
use data::{Differencing, Scaler, WindowConfig};
use nn::Sequential;
use rayon::prelude::*;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use super::future::{ManyFuture, future_by_series};
use super::member_covariates::{check_covariates, list_or_none};
use super::{ColumnNames, Mode};
use crate::ForecastError;
use crate::fitting::predict_rows;
use crate::series::covariates::{
    CovariateHistory, CovariateSettings, FutureColumns, FutureCovariates, FutureNeed, forecast_rows,
};
use crate::series::forecast::bounds;
use crate::series::intervals::half_widths;
use crate::spec::ModelSpec;

/// Format tag of the container.
pub const MANY_FORMAT: &str = "recur-many/1";

/// Format tag of a member's settings document.
pub const MEMBER_FORMAT: &str = "recur-many-member/1";

/// Format tag of the settings document of a member with covariates (`--features`). Why a
/// second tag: a recur that predates covariates in many-series runs would refuse the unknown
/// `covariates` field with a message about foreign settings; an unknown tag is refused
/// plainly. Members without covariates keep [`MEMBER_FORMAT`].
pub const MEMBER_COVARIATES_FORMAT: &str = "recur-many-member/2";

/// Most members a container may hold (one per series).
pub const MAX_MEMBERS: usize = 1_000_000;

/// What forecasting one series needs beyond the model: its scaler, where it ends and its
/// last values (the last `step`, and before them the values differencing consumes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesState {
    /// The series id.
    pub id: String,
    /// The scaling fitted on its training part (identity without one).
    pub scaler: Scaler,
    /// Number of values it had.
    pub series_len: usize,
    /// Its last `step + lost` values, in its units (`lost`: the values the member's
    /// differencing consumes, 0 without it).
    pub tail: Vec<f64>,
    /// The time axis from `tail[0]` on, when the series had a regular time column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeAxis>,
    /// The split-conformal residuals of the series' held-out targets per horizon step
    /// (`--interval`), series units; absent without intervals (and from the files of recur
    /// before them, which stay byte for byte what they were).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<data::Calibration>,
    /// The covariates (`--features`): their names, the scalers fitted on the series' training
    /// part and their values beside `tail`; absent without covariates (and from the files of
    /// recur before them, which stay byte for byte what they were).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covariates: Option<CovariateSettings>,
}

/// The settings document inside a member's model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberSettings {
    /// [`MEMBER_FORMAT`], or [`MEMBER_COVARIATES_FORMAT`] when its series have covariates.
    pub format: String,
    /// Local (one series) or global (every series of the run).
    pub mode: Mode,
    /// The model's specification (a local member's seed is its series seed).
    pub model: ModelSpec,
    /// How the series were windowed.
    pub windows: WindowConfig,
    /// The differences the model learnt (none in the files of recur before differencing in
    /// many-series runs, and then absent from the file, which stays byte for byte what it was).
    #[serde(default, skip_serializing_if = "Differencing::is_none")]
    pub differencing: Differencing,
    /// The run's season (`--season`), which a backtest's seasonal naive baseline takes unless
    /// given another; absent without one (and from the files of recur before it, which stay
    /// byte for byte what they were).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<usize>,
    /// The series this model forecasts: one for a local member, all for the global one.
    pub series: Vec<SeriesState>,
    /// The names of the data's columns.
    pub columns: ColumnNames,
    /// With covariates, how the training CSV was written, which their future values' CSV
    /// follows; absent without covariates (and from the files of recur before them) or when
    /// the run named none (the default: comma, decimal point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<crate::series::CsvDialect>,
}

/// One member: its model file's bytes and its settings (read from them).
#[derive(Debug, Clone)]
pub struct Member {
    /// nn's model file, settings inside.
    pub bytes: Vec<u8>,
    /// The settings read from (or written into) `bytes`.
    pub settings: MemberSettings,
}

impl Member {
    /// Saves `model` with `settings` as a member.
    pub fn new(model: &Sequential, settings: MemberSettings) -> Result<Self, ForecastError> {
        let doc = serde_json::to_value(&settings)
            .map_err(|e| ForecastError::Runtime(format!("cannot encode the settings: {e}")))?;
        let bytes = model
            .to_bytes_with_metadata(Some(&doc))
            .map_err(|e| ForecastError::Runtime(format!("cannot save the model: {e}")))?;
        Ok(Member { bytes, settings })
    }

    /// Reads a member from its model file's bytes; `what` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, what: &str) -> Result<Self, ForecastError> {
        let (_, settings) = Self::load(&bytes, what)?;
        Ok(Member { bytes, settings })
    }

    /// The member's model and settings, checked.
    pub(crate) fn load(
        bytes: &[u8],
        what: &str,
    ) -> Result<(Sequential, MemberSettings), ForecastError> {
        let bad = |why: String| ForecastError::Usage(format!("{what}: {why}"));
        let (model, doc) = Sequential::from_bytes_with_metadata(bytes)
            .map_err(|e| bad(format!("not a readable model ({e})")))?;
        let doc = doc.ok_or_else(|| bad("a model without recur's many-series settings".into()))?;
        let settings: MemberSettings = serde_json::from_value(doc).map_err(|e| {
            bad(format!(
                "settings that are not recur's many-series settings ({e})"
            ))
        })?;
        if settings.format != MEMBER_FORMAT && settings.format != MEMBER_COVARIATES_FORMAT {
            return Err(bad(format!(
                "settings of format '{}', this recur reads '{MEMBER_FORMAT}' and \
                 '{MEMBER_COVARIATES_FORMAT}'",
                settings.format
            )));
        }
        check_covariates(&settings).map_err(bad)?;
        let series = settings.series.len();
        match (settings.mode, series) {
            (Mode::Local, 1) | (Mode::Global, 1..) => {}
            (mode, n) => return Err(bad(format!("a {} member with {n} series", mode.name()))),
        }
        settings
            .differencing
            .validate()
            .map_err(|e| bad(format!("its differencing: {e}")))?;
        let kept = settings.windows.step + settings.differencing.lost();
        if let Some(s) = settings.series.iter().find(|s| s.tail.len() != kept) {
            return Err(bad(format!(
                "series '{}' keeps {} last values for windows of step {} after {} value(s) differencing consumes",
                s.id,
                s.tail.len(),
                settings.windows.step,
                settings.differencing.lost()
            )));
        }
        // The residuals are read as they were written: sorted, finite, none missing.
        if let Some(s) = settings.series.iter().find(|s| {
            s.calibration
                .as_ref()
                .is_some_and(|c| data::Calibration::new(c.residuals.clone()).as_ref() != Ok(c))
        }) {
            return Err(bad(format!(
                "series '{}' keeps a calibration that is not sorted finite residuals for every step",
                s.id
            )));
        }
        Ok((model, settings))
    }

    /// The ids of the member's series.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.settings.series.iter().map(|s| s.id.as_str())
    }
}

/// `e` with the series it concerns named first.
fn in_series(id: &str, e: ForecastError) -> ForecastError {
    match e {
        ForecastError::Usage(m) => ForecastError::Usage(format!("series '{id}': {m}")),
        ForecastError::Runtime(m) => ForecastError::Runtime(format!("series '{id}': {m}")),
    }
}

/// The forecast of one series: `values[k]` is `k + 1` steps after its last value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesForecast {
    /// The series id.
    pub id: String,
    /// The forecasts, in the series' units.
    pub values: Vec<f64>,
    /// Their times, when the series had a regular time column.
    pub times: Option<Vec<String>>,
    /// Lower bounds of the split-conformal interval of each value, with an interval asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lo: Option<Vec<f64>>,
    /// Upper bounds, with an interval asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hi: Option<Vec<f64>>,
}

/// The model file of a many-series run.
#[derive(Debug, Clone)]
pub struct ManyModel {
    /// Local or global.
    pub mode: Mode,
    /// The members in id order (local: one per series; global: one).
    pub members: Vec<Member>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: String,
    mode: Mode,
    members: usize,
}

impl ManyModel {
    /// Joins local members trained apart (on Spark executors, say) into one model file,
    /// sorted by id. Errors if one is not a local member or two share an id.
    pub fn from_members(members: Vec<Vec<u8>>) -> Result<Self, ForecastError> {
        let mut read = members
            .into_iter()
            .enumerate()
            .map(|(i, b)| Member::from_bytes(b, &format!("member {i}")))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(m) = read.iter().find(|m| m.settings.mode != Mode::Local) {
            return Err(ForecastError::Usage(format!(
                "a global model (series {}) cannot be joined with others: members must be local models",
                m.settings.series.len()
            )));
        }
        read.sort_by(|a, b| a.settings.series[0].id.cmp(&b.settings.series[0].id));
        if let Some(w) = read
            .windows(2)
            .find(|w| w[0].settings.series[0].id == w[1].settings.series[0].id)
        {
            return Err(ForecastError::Usage(format!(
                "two members for series '{}'",
                w[0].settings.series[0].id
            )));
        }
        if read.is_empty() {
            return Err(ForecastError::Usage("no members to join".into()));
        }
        Ok(ManyModel {
            mode: Mode::Local,
            members: read,
        })
    }

    /// The names of the data's columns the model was trained on (the first member's).
    pub fn columns(&self) -> ColumnNames {
        self.members
            .first()
            .map_or_else(ColumnNames::default, |m| m.settings.columns.clone())
    }

    /// Every series id the model forecasts, in order.
    pub fn ids(&self) -> Vec<&str> {
        self.members.iter().flat_map(Member::ids).collect()
    }

    /// Whether `bytes` look like a many-series model file (its container's metadata names
    /// [`MANY_FORMAT`]'s family), so a front end can tell it from a one-series model file.
    pub fn is_many(bytes: &[u8]) -> bool {
        SafeTensors::read_metadata(bytes)
            .ok()
            .and_then(|(_, m)| m.metadata().as_ref()?.get("recur").cloned())
            .is_some_and(|text| text.contains("\"recur-many/"))
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ForecastError> {
        let header = serde_json::to_string(&Header {
            format: MANY_FORMAT.to_string(),
            mode: self.mode,
            members: self.members.len(),
        })
        .map_err(|e| ForecastError::Runtime(format!("cannot encode the header: {e}")))?;
        let views = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                TensorView::new(Dtype::U8, vec![m.bytes.len()], &m.bytes)
                    .map(|v| (format!("m{i:07}"), v))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ForecastError::Runtime(format!("cannot pack the members: {e}")))?;
        safetensors::serialize(views, Some(HashMap::from([("recur".to_string(), header)])))
            .map_err(|e| ForecastError::Runtime(format!("cannot write the model file: {e}")))
    }

    /// Reads a file's bytes: a container of [`MANY_FORMAT`] whose members are all readable,
    /// of its mode, in id order without repeats.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ForecastError> {
        let bad =
            |why: String| ForecastError::Usage(format!("not a readable many-series model: {why}"));
        let st = SafeTensors::deserialize(bytes).map_err(|e| bad(format!("{e:?}")))?;
        let (_, meta) = SafeTensors::read_metadata(bytes).map_err(|e| bad(format!("{e:?}")))?;
        let text = meta
            .metadata()
            .as_ref()
            .and_then(|m| m.get("recur"))
            .ok_or_else(|| bad("no recur header".into()))?;
        let header: Header =
            serde_json::from_str(text).map_err(|e| bad(format!("its header ({e})")))?;
        if header.format != MANY_FORMAT {
            return Err(bad(format!(
                "format '{}', this recur reads '{MANY_FORMAT}'",
                header.format
            )));
        }
        let count = st.len();
        if count != header.members || count == 0 || count > MAX_MEMBERS {
            return Err(bad(format!(
                "{count} members where its header says {}",
                header.members
            )));
        }
        let members = (0..count)
            .into_par_iter()
            .map(|i| {
                let name = format!("m{i:07}");
                let view = st
                    .tensor(&name)
                    .map_err(|e| bad(format!("member {name}: {e:?}")))?;
                if view.dtype() != Dtype::U8 {
                    return Err(bad(format!("member {name} is not bytes")));
                }
                Member::from_bytes(view.data().to_vec(), &format!("member {name}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(m) = members.iter().find(|m| m.settings.mode != header.mode) {
            return Err(bad(format!(
                "a {} member in a {} model",
                m.settings.mode.name(),
                header.mode.name()
            )));
        }
        if header.mode == Mode::Global && count != 1 {
            return Err(bad(format!("a global model of {count} members")));
        }
        let ids: Vec<&str> = members.iter().flat_map(Member::ids).collect();
        if let Some(w) = ids.windows(2).find(|w| w[0] >= w[1]) {
            return Err(bad(format!(
                "series '{}' and '{}' out of order",
                w[0], w[1]
            )));
        }
        Ok(ManyModel {
            mode: header.mode,
            members,
        })
    }

    /// Forecasts `horizon` values after the end of every series (predictions fed back in),
    /// in id order, in parallel over the members.
    pub fn forecast(&self, horizon: usize) -> Result<Vec<SeriesForecast>, ForecastError> {
        self.forecast_with_interval(horizon, None)
    }

    /// [`ManyModel::forecast`] with, for `interval = Some(P)`, the split-conformal interval of
    /// coverage `P` around each value from its series' calibration (`lo`, `hi`). A one-step
    /// model feeds each prediction back; a direct model (`--horizon H` at training) gives `H`
    /// values per forward pass and continues by blocks of `H`. Errors (before any forecast,
    /// naming the series and `--interval` or `--interval-horizon`) when a series has no
    /// calibration, was calibrated for fewer steps than `horizon`, or has too few residuals
    /// for `P`.
    pub fn forecast_with_interval(
        &self,
        horizon: usize,
        interval: Option<f64>,
    ) -> Result<Vec<SeriesForecast>, ForecastError> {
        self.forecast_with(horizon, interval, None)
    }

    /// The covariates' names of the model (`--features` at training; empty without). Errors
    /// if its members (joined from several runs) do not share them.
    pub fn features(&self) -> Result<Vec<String>, ForecastError> {
        let of = |m: &Member| {
            m.settings
                .series
                .first()
                .and_then(|s| s.covariates.as_ref())
                .map(|c| c.names.clone())
                .unwrap_or_default()
        };
        let names = self.members.first().map(of).unwrap_or_default();
        if let Some(m) = self.members.iter().find(|m| of(m) != names) {
            return Err(ForecastError::Usage(format!(
                "the model's members do not share their covariates: series '{}' has {} where \
                 series '{}' has {}",
                m.settings.series[0].id,
                list_or_none(&of(m)),
                self.members[0].settings.series[0].id,
                list_or_none(&names)
            )));
        }
        Ok(names)
    }

    /// [`ManyModel::forecast_with_interval`] of a model trained with covariates: their values
    /// after each series' end come from `future` (see [`ManyFuture`]), as many rows per series
    /// as a one-series forecast of its model needs (none for `horizon 1` from a one-step
    /// model). Errors (usage, naming the series and what is missing, before any forecast) as
    /// [`ManyModel::forecast_with_interval`] does, and for future values given to a model
    /// without covariates, none when they are needed, or a series whose rows are missing, too
    /// few, off its time axis or of the wrong number of columns.
    pub fn forecast_with(
        &self,
        horizon: usize,
        interval: Option<f64>,
        future: Option<&ManyFuture>,
    ) -> Result<Vec<SeriesForecast>, ForecastError> {
        if horizon == 0 {
            return Err(ForecastError::Usage(
                "horizon 0: expected at least 1 value to forecast".into(),
            ));
        }
        // Every series' half-widths first: a bad interval costs no forecast.
        let half: Vec<Vec<Option<Vec<f64>>>> = self
            .members
            .iter()
            .map(|m| {
                m.settings
                    .series
                    .iter()
                    .map(|s| {
                        interval
                            .map(|p| {
                                half_widths(s.calibration.as_ref(), p, horizon).map_err(|e| {
                                    ForecastError::Usage(format!("series '{}': {e}", s.id))
                                })
                            })
                            .transpose()
                    })
                    .collect()
            })
            .collect::<Result<_, ForecastError>>()?;
        let names = self.features()?;
        let need = self
            .members
            .iter()
            .map(|m| FutureNeed::of(horizon, m.settings.model.horizon))
            .max_by_key(|n| n.rows)
            .unwrap_or_else(|| FutureNeed::of(horizon, 1));
        let series: Vec<&SeriesState> = self
            .members
            .iter()
            .flat_map(|m| &m.settings.series)
            .collect();
        let dialect = self
            .members
            .first()
            .and_then(|m| m.settings.dialect)
            .unwrap_or_default();
        let future = future_by_series(future, &series, &names, &self.columns(), dialect, &need)?;
        let per_member = self
            .members
            .par_iter()
            .zip(&half)
            .enumerate()
            .map(|(i, (m, half))| {
                let (mut model, settings) = Member::load(&m.bytes, &format!("member {i}"))?;
                settings
                    .series
                    .iter()
                    .zip(half)
                    .map(|(s, half)| {
                        let future = future.as_ref().and_then(|f| f.get(&s.id));
                        let mut f = forecast_one(&mut model, s, &settings, horizon, future)
                            .map_err(|e| in_series(&s.id, e))?;
                        if let Some(h) = half {
                            let (lo, hi) = bounds(&f.values, h);
                            (f.lo, f.hi) = (Some(lo), Some(hi));
                        }
                        Ok(f)
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, ForecastError>>()?;
        Ok(per_member.into_iter().flatten().collect())
    }
}

/// The forecast of one series by `model` (of a member with `settings`): the model continues
/// the differences of the tail (the tail itself without differencing), by one value per
/// forward pass for a one-step model or `H` for a direct one, and the values are then added
/// up from the tail's real values.
pub(crate) fn forecast_one(
    model: &mut Sequential,
    s: &SeriesState,
    settings: &MemberSettings,
    horizon: usize,
    future: Option<&FutureCovariates>,
) -> Result<SeriesForecast, ForecastError> {
    let d = settings.differencing;
    let covariates = CovariateHistory::from_settings(s.covariates.as_ref());
    // Only read when future values are missing although needed, which the caller refused.
    let wanted = FutureColumns {
        columns: Vec::new(),
        time: None,
        dialect: Default::default(),
    };
    let model_horizon = settings.model.horizon;
    let n = s.tail.len();
    let (future, _) = forecast_rows(
        future,
        &covariates,
        &wanted,
        None,
        n,
        horizon,
        model_horizon,
    )?;
    let rows = covariates.rows(&s.tail, &s.scaler, d)?;
    let raw = data::direct_forecast_frame(
        data::Frame::new(&rows, 1 + covariates.len())?,
        &future,
        settings.windows.step,
        horizon,
        settings.windows.layout,
        |w| predict_rows(model, w).map(|(out, _)| out),
    )?;
    let values = d.integrate(&s.tail, &s.scaler.inverse_all(&raw))?;
    let times = match &s.time {
        Some(axis) => Some(
            (s.tail.len()..s.tail.len() + horizon)
                .map(|i| axis.label(i))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    Ok(SeriesForecast {
        id: s.id.clone(),
        values,
        times,
        lo: None,
        hi: None,
    })
}
