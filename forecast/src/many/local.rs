//! Local mode: one model per series, series in parallel on rayon's pool.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use nn::Sequential;
use nn::model::FitEvent;
use rayon::prelude::*;

use super::bundle::{ManyModel, Member, MemberSettings, SeriesState};
use super::job::{SeriesMetrics, SeriesPredictions, check_input, prepare, score_series};
use super::{ManyConfig, ManyRun, Mode, SeriesInput, Skipped, check_config, series_seed};
use crate::fitting::fit_until;
use crate::series::covariates::CovariateSettings;
use crate::{FitSettings, ForecastError};

/// What training one series gave.
// One per series, moved into the run's lists as soon as the loop ends: boxing buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum SeriesOutcome {
    /// Trained and scored.
    Trained {
        /// Its figures.
        metrics: SeriesMetrics,
        /// Its one-step predictions.
        predictions: SeriesPredictions,
        /// Its model, as a member of the run's model file.
        member: Member,
    },
    /// Left out, with the reason.
    Skipped(Skipped),
}

impl SeriesOutcome {
    /// The series id.
    pub fn id(&self) -> &str {
        match self {
            SeriesOutcome::Trained { metrics, .. } => &metrics.id,
            SeriesOutcome::Skipped(s) => &s.id,
        }
    }
}

/// A series finished (trained or skipped), as the local runner reports it.
#[derive(Debug)]
pub struct SeriesDone<'a> {
    /// Series finished so far, this one included.
    pub done: usize,
    /// Series in the run.
    pub total: usize,
    /// What happened to it.
    pub outcome: &'a SeriesOutcome,
}

/// Keras's `validation_split` leaves windows on both sides, or the reason it does not.
fn validation_fits(fit: &FitSettings, windows: usize) -> Result<(), String> {
    match fit.validation_split {
        Some(v) => {
            let kept = (windows as f64 * (1.0 - v)) as usize;
            if kept == 0 || kept >= windows {
                Err(format!(
                    "validation split {v} leaves no window on one side of its {windows} training windows"
                ))
            } else {
                Ok(())
            }
        }
        None => Ok(()),
    }
}

/// The tail and time axis a model file keeps of a series: its last `step` values, and before
/// them the values differencing consumes (a forecast differences the tail, then undoes the
/// differences from it), and with intervals the series' `calibration`; with covariates, their
/// scalers and their values beside the tail.
pub(crate) fn state_of(
    input: &SeriesInput,
    ds: &data::Dataset,
    cfg: &ManyConfig,
    calibration: Option<data::Calibration>,
) -> Result<SeriesState, ForecastError> {
    let n = input.values.len();
    let kept = cfg.windows.step + cfg.differencing.lost();
    let start = n - kept.min(n);
    Ok(SeriesState {
        covariates: CovariateSettings::of(&input.covariates, ds, start),
        id: input.id.clone(),
        scaler: ds.scaler,
        series_len: n,
        tail: input.values[start..].to_vec(),
        time: input
            .axis
            .as_ref()
            .map(|a| a.from_position(start))
            .transpose()?,
        calibration,
    })
}

/// Trains one series' own model (seeded by [`series_seed`]) and scores it (and with intervals
/// calibrates it). A series too short for the split and the window (after differencing, with
/// it; for a direct model's `H` targets), constant under a scaling, whose training part is not
/// longer than the season or cannot give the interval's residuals, or whose training diverges
/// is skipped with the reason; a model that cannot be built is an error (it is the run's).
pub fn train_series(input: &SeriesInput, cfg: &ManyConfig) -> Result<SeriesOutcome, ForecastError> {
    train_series_until(input, cfg, &AtomicBool::new(false))
}

/// [`train_series`] that ends after the current batch once `stop` is set, with the error
/// [`interrupted`] (what the series had learnt is dropped).
fn train_series_until(
    input: &SeriesInput,
    cfg: &ManyConfig,
    stop: &AtomicBool,
) -> Result<SeriesOutcome, ForecastError> {
    check_config(cfg)?;
    check_input(input, cfg)?;
    let skip = |reason: String| {
        Ok(SeriesOutcome::Skipped(Skipped {
            id: input.id.clone(),
            reason,
        }))
    };
    let data = match prepare(input, cfg) {
        Ok(data) => data,
        Err(reason) => return skip(reason),
    };
    let (x, y) = data.fit_part();
    if let Err(reason) = validation_fits(&cfg.fit, x.count()) {
        return skip(reason);
    }
    let mut spec = cfg.model.clone();
    spec.seed = series_seed(cfg.model.seed, &input.id);
    let mut model = spec
        .build()
        .map_err(|e| ForecastError::Usage(format!("cannot build the model: {e}")))?;
    let mut settings = cfg.fit.clone();
    // A batch never holds more windows than there are (as the single-series run).
    settings.batch_size = settings.batch_size.min(x.count()).max(1);
    let history = match fit_until(&mut model, x, y, &settings, None, &mut |e| {
        stop_at_batch_end(e, stop)
    }) {
        Ok(h) => h,
        Err(_) if stop.load(Ordering::Relaxed) => return Err(interrupted()),
        Err(ForecastError::Runtime(m)) if m.contains("training diverged") => {
            return skip(diverged(&m));
        }
        Err(e) => return Err(e),
    };
    let (metrics, predictions, calibration) =
        score_series(&mut model, input, &data, cfg, history.loss.len())?;
    let member = member_of(
        &model,
        spec,
        cfg,
        vec![state_of(input, &data.ds, cfg, calibration)?],
    )?;
    Ok(SeriesOutcome::Trained {
        metrics,
        predictions,
        member,
    })
}

/// The skip reason of a diverged fit: the fit's message up to its advice.
fn diverged(message: &str) -> String {
    message
        .split(". Try")
        .next()
        .unwrap_or(message)
        .replace(" (nothing written)", "")
}

/// `model` as a member of the run's model file.
pub(crate) fn member_of(
    model: &Sequential,
    spec: crate::spec::ModelSpec,
    cfg: &ManyConfig,
    series: Vec<SeriesState>,
) -> Result<Member, ForecastError> {
    Member::new(
        model,
        MemberSettings {
            format: if cfg.features.is_empty() {
                super::MEMBER_FORMAT
            } else {
                super::MEMBER_COVARIATES_FORMAT
            }
            .to_string(),
            mode: cfg.mode,
            model: spec,
            windows: cfg.windows,
            differencing: cfg.differencing,
            season: cfg.season,
            series,
            columns: cfg.columns.clone(),
            dialect: cfg.dialect.filter(|_| !cfg.features.is_empty()),
        },
    )
}

/// Trains every series' own model in parallel (one series per rayon worker at a time),
/// calling `on_done` as each finishes (from the worker's thread). Results are sorted by id and
/// bit-identical for any thread count. Errors if an id repeats, if a model cannot be built,
/// or if every series is skipped.
pub fn train_local(
    inputs: &[SeriesInput],
    cfg: &ManyConfig,
    on_done: &(dyn Fn(&SeriesDone<'_>) + Sync),
) -> Result<ManyRun, ForecastError> {
    train_local_until(inputs, cfg, on_done, &AtomicBool::new(false))
}

/// [`train_local`] that stops once `stop` is set (by another thread): the series in training
/// end after their current batch, no further series starts, and the run is the error
/// `interrupted` (a runtime error) unless every series had finished. Why: a front end that cannot end the
/// process on Ctrl-C (Python) stops a long run within a moment.
pub fn train_local_until(
    inputs: &[SeriesInput],
    cfg: &ManyConfig,
    on_done: &(dyn Fn(&SeriesDone<'_>) + Sync),
    stop: &AtomicBool,
) -> Result<ManyRun, ForecastError> {
    if cfg.mode != Mode::Local {
        return Err(ForecastError::Usage(
            "train_local needs a config of mode local".into(),
        ));
    }
    check_config(cfg)?;
    let order = sorted_unique(inputs)?;
    let done = AtomicUsize::new(0);
    let total = inputs.len();
    let started = Instant::now();
    // One series per task: rayon's workers each train one model at a time, and nn's own
    // parallel GEMMs (if any) share the same pool instead of starting threads of their own.
    let outcomes = order
        .par_iter()
        .with_max_len(1)
        .map(|&i| {
            if stop.load(Ordering::Relaxed) {
                return Err(interrupted());
            }
            let outcome = train_series_until(&inputs[i], cfg, stop)?;
            let done = done.fetch_add(1, Ordering::Relaxed) + 1;
            on_done(&SeriesDone {
                done,
                total,
                outcome: &outcome,
            });
            Ok(outcome)
        })
        .collect::<Result<Vec<_>, ForecastError>>()?;
    let fit_seconds = started.elapsed().as_secs_f64();
    let mut run = ManyRun {
        mode: Mode::Local,
        metrics: Vec::new(),
        predictions: Vec::new(),
        skipped: Vec::new(),
        model: ManyModel {
            mode: Mode::Local,
            members: Vec::new(),
        },
        fit_seconds,
    };
    for o in outcomes {
        match o {
            SeriesOutcome::Trained {
                metrics,
                predictions,
                member,
            } => {
                run.metrics.push(metrics);
                run.predictions.push(predictions);
                run.model.members.push(member);
            }
            SeriesOutcome::Skipped(s) => run.skipped.push(s),
        }
    }
    none_left(&run)?;
    Ok(run)
}

/// Trains each series' own model one after the other, in id order, on one of rayon's workers
/// (the calling thread when it is one): the per-group runner of an engine whose task owns one
/// core (a Spark executor's Python worker). Same models, figures and files as
/// [`train_local`], series for series; unlike it, no error when every series is skipped (a
/// group's series may all be short while the run's others are not).
///
/// Why on a worker: as under [`train_local`], nn's parallel products (a large model's) then
/// run on the pool the series runs on, instead of being handed to it from outside.
pub fn train_in_order_until(
    inputs: &[SeriesInput],
    cfg: &ManyConfig,
    stop: &AtomicBool,
) -> Result<Vec<SeriesOutcome>, ForecastError> {
    if cfg.mode != Mode::Local {
        return Err(ForecastError::Usage(
            "train_in_order_until needs a config of mode local".into(),
        ));
    }
    check_config(cfg)?;
    let order = sorted_unique(inputs)?;
    rayon::scope(|_| {
        order
            .iter()
            .map(|&i| {
                if stop.load(Ordering::Relaxed) {
                    return Err(interrupted());
                }
                train_series_until(&inputs[i], cfg, stop)
            })
            .collect()
    })
}

/// The error of a run stopped by its `stop` flag.
pub(crate) fn interrupted() -> ForecastError {
    ForecastError::Runtime(
        "interrupted: the run was stopped before every series was trained".into(),
    )
}

/// Fit's observer under a `stop` flag: breaks at the end of a batch once it is set.
pub(crate) fn stop_at_batch_end(e: &FitEvent<'_>, stop: &AtomicBool) -> ControlFlow<()> {
    if matches!(e, FitEvent::BatchEnd { .. }) && stop.load(Ordering::Relaxed) {
        ControlFlow::Break(())
    } else {
        ControlFlow::Continue(())
    }
}

/// The indices of `inputs` in id order; an error if an id repeats or there is no series.
pub(crate) fn sorted_unique(inputs: &[SeriesInput]) -> Result<Vec<usize>, ForecastError> {
    if inputs.is_empty() {
        return Err(ForecastError::Usage("no series to train".into()));
    }
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by(|&a, &b| inputs[a].id.cmp(&inputs[b].id));
    if let Some(w) = order
        .windows(2)
        .find(|w| inputs[w[0]].id == inputs[w[1]].id)
    {
        return Err(ForecastError::Usage(format!(
            "series '{}' is given twice",
            inputs[w[0]].id
        )));
    }
    Ok(order)
}

/// Errors when every series was skipped, listing the first reasons.
pub(crate) fn none_left(run: &ManyRun) -> Result<(), ForecastError> {
    if !run.metrics.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = run
        .skipped
        .iter()
        .take(3)
        .map(|s| format!("'{}': {}", s.id, s.reason))
        .collect();
    Err(ForecastError::Usage(format!(
        "every one of the {} series was skipped ({}{})",
        run.skipped.len(),
        shown.join("; "),
        if run.skipped.len() > 3 { "; ..." } else { "" }
    )))
}
