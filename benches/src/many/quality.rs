//! Forecast quality of the two modes on one set of series: local (one unscaled model per
//! series) against global (one model over every series' standard-scaled windows), each beside
//! the mean-of-window baseline (on the test windows) and persistence (on every test value), all
//! as test MSEs in the series' units.

use std::collections::HashMap;
use std::time::Instant;

use forecast::many::{Mode, SeriesInput, SeriesMetrics, train_global};

use super::measure::RunSettings;

/// One mode's figures over the series both modes trained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModeScores {
    /// Series this mode trained (of the quality set; the rest were skipped).
    pub trained: usize,
    /// Mean test MSE over the series both modes trained.
    pub mean_test_mse: f64,
    /// Median test MSE over them (a few series whose model did not learn move the mean a lot).
    pub median_test_mse: f64,
    /// Of those, how many series its test MSE on every test value is below persistence's.
    pub beats_persistence: usize,
    /// Of those, how many series its test MSE is below the mean-of-window baseline's.
    pub beats_baseline: usize,
}

/// Local against global on the same series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    /// Series in the quality set.
    pub series: usize,
    /// Series both modes trained: the means and counts are over these.
    pub compared: usize,
    /// One model per series, no scaling.
    pub local: ModeScores,
    /// One model for all, standard scaling per series.
    pub global: ModeScores,
    /// Mean test MSE of the mean-of-window baseline (from the local run: unscaled windows).
    pub baseline_mse: f64,
    /// Mean test MSE of persistence, `y[t-1]` for every test value `y[t]` (from the local run).
    pub persistence_mse: f64,
    /// Median test MSE of the mean-of-window baseline.
    pub baseline_median: f64,
    /// Median test MSE of persistence.
    pub persistence_median: f64,
    /// Seconds of the global model's one fit.
    pub global_fit_seconds: f64,
}

/// Scores of `mode` (its metrics by id) over `common`, against the local run's baselines.
fn scores(
    trained: usize,
    mine: &HashMap<&str, &SeriesMetrics>,
    local: &HashMap<&str, &SeriesMetrics>,
    common: &[&str],
) -> ModeScores {
    let (mut beats_persistence, mut beats_baseline) = (0, 0);
    let mut mses = Vec::with_capacity(common.len());
    for id in common {
        let (m, reference) = (mine[id], local[id]);
        mses.push(m.test_mse);
        // On the same targets: every test value.
        beats_persistence += usize::from(m.test_mse_observed < reference.persistence_test_mse);
        beats_baseline += usize::from(m.test_mse < reference.baseline_test_mse);
    }
    ModeScores {
        trained,
        mean_test_mse: mses.iter().sum::<f64>() / mses.len() as f64,
        median_test_mse: crate::median(&mut mses),
        beats_persistence,
        beats_baseline,
    }
}

/// Trains the global model on `inputs` (on a rayon pool of `threads` workers) and sets it
/// beside `local`, the local run's metrics of (at least) the same series. Errors if the global
/// run fails or no series was trained by both modes.
pub fn compare(
    inputs: &[SeriesInput],
    local: &[SeriesMetrics],
    settings: &RunSettings,
    threads: usize,
) -> Result<Quality, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("a pool of {threads} threads: {e}"))?;
    let started = Instant::now();
    let global = pool
        .install(|| train_global(inputs, &settings.config(Mode::Global), &mut |_| {}))
        .map_err(|e| format!("the global run: {e}"))?;
    let global_fit_seconds = global.fit_seconds.min(started.elapsed().as_secs_f64());
    let wanted: HashMap<&str, ()> = inputs.iter().map(|s| (s.id.as_str(), ())).collect();
    let local: HashMap<&str, &SeriesMetrics> = local
        .iter()
        .filter(|m| wanted.contains_key(m.id.as_str()))
        .map(|m| (m.id.as_str(), m))
        .collect();
    let by_id: HashMap<&str, &SeriesMetrics> =
        global.metrics.iter().map(|m| (m.id.as_str(), m)).collect();
    let mut common: Vec<&str> = local
        .keys()
        .copied()
        .filter(|id| by_id.contains_key(id))
        .collect();
    common.sort_unstable();
    if common.is_empty() {
        return Err(format!(
            "no series of the {} was trained by both modes (local {}, global {})",
            inputs.len(),
            local.len(),
            by_id.len()
        ));
    }
    let of = |f: fn(&SeriesMetrics) -> f64| common.iter().map(|id| f(local[id])).collect();
    let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
    let mut baseline: Vec<f64> = of(|m| m.baseline_test_mse);
    let mut persistence: Vec<f64> = of(|m| m.persistence_test_mse);
    Ok(Quality {
        series: inputs.len(),
        compared: common.len(),
        local: scores(local.len(), &local, &local, &common),
        global: scores(by_id.len(), &by_id, &local, &common),
        baseline_mse: mean(&baseline),
        persistence_mse: mean(&persistence),
        baseline_median: crate::median(&mut baseline),
        persistence_median: crate::median(&mut persistence),
        global_fit_seconds,
    })
}
