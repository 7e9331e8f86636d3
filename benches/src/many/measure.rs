//! Timed local runs of the many-series figures: the run's settings, one run on a rayon pool of
//! its own, its peak memory, and a fingerprint of everything it produced so runs on different
//! thread counts can be told bit-identical or not.

use std::time::Instant;

use data::{ScaleKind, SplitAt, WindowConfig};
use forecast::FitSettings;
use forecast::many::{
    ColumnNames, ManyConfig, ManyRun, Mode, SeriesInput, SeriesMetrics, train_local,
};
use forecast::spec::ModelSpec;

/// The settings of the figures' runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSettings {
    /// Epochs of every fit.
    pub epochs: usize,
    /// Batch size of every fit.
    pub batch_size: usize,
    /// Fraction of each series that is its training part, in `(0, 1)`.
    pub split: f64,
    /// The run's seed (each local model is seeded by it and its series id).
    pub seed: u64,
    /// Window length (the model's `step`).
    pub step: usize,
}

impl Default for RunSettings {
    /// The tutorial's settings: 50 epochs, batch 16, split 0.8, seed 0, step 4.
    fn default() -> Self {
        RunSettings {
            epochs: 50,
            batch_size: 16,
            split: 0.8,
            seed: 0,
            step: 4,
        }
    }
}

impl RunSettings {
    /// The config of a run in `mode`: the tutorial's model (`ModelSpec::tutorial(step)`,
    /// RMSprop), padded windows in the tutorial layout, no scaling for local runs and standard
    /// scaling for the global one (each series on its own training part).
    pub fn config(&self, mode: Mode) -> ManyConfig {
        ManyConfig {
            mode,
            windows: WindowConfig {
                split: SplitAt::Fraction(self.split),
                step: self.step,
                pad: true,
                scale: match mode {
                    Mode::Local => ScaleKind::None,
                    Mode::Global => ScaleKind::Standard,
                },
                ..WindowConfig::default()
            },
            model: ModelSpec {
                seed: self.seed,
                ..ModelSpec::tutorial(self.step)
            },
            fit: FitSettings {
                epochs: self.epochs,
                batch_size: self.batch_size,
                validation_split: None,
                early_stopping: None,
                verbose: 0,
            },
            columns: ColumnNames::default(),
            differencing: Default::default(),
            season: None,
            interval: None,
            features: Vec::new(),
            dialect: None,
        }
    }
}

/// One local run on a pool of `threads` workers.
#[derive(Debug, Clone)]
pub struct TimedRun {
    /// Workers of the run's pool.
    pub threads: usize,
    /// Seconds from building the pool to the end of `train_local`.
    pub wall_seconds: f64,
    /// `train_local`'s own `fit_seconds` (the parallel loop, scoring included).
    pub fit_seconds: f64,
    /// Series trained.
    pub trained: usize,
    /// Series skipped (too short, or diverged).
    pub skipped: usize,
    /// Peak resident memory in KiB (`VmHWM`): of this run alone when `hwm_reset`, else of the
    /// process so far; `None` without `/proc`.
    pub vm_hwm_kib: Option<u64>,
    /// Whether the peak was reset before the run (`/proc/self/clear_refs`).
    pub hwm_reset: bool,
    /// Resident memory in KiB just before the run (the series, and heap earlier runs left to
    /// the allocator); `None` without `/proc`.
    pub rss_before_kib: Option<u64>,
    /// Every trained series' metrics, in id order.
    pub metrics: Vec<SeriesMetrics>,
    /// FNV-1a of everything the run produced: metrics, skip reasons, predictions, model bytes.
    pub fingerprint: u64,
    /// Bytes of the first member's model file (one series' model).
    pub member_bytes: usize,
    /// Bytes of the run's whole model file.
    pub file_bytes: usize,
    /// Bytes of results the run holds until it returns: predictions (`(usize, f64, Part)` per
    /// placed value) and members' model files. These grow with the series; training does not.
    pub held_bytes: usize,
}

impl TimedRun {
    /// Series (trained or skipped) per wall second.
    pub fn series_per_second(&self) -> f64 {
        (self.trained + self.skipped) as f64 / self.wall_seconds
    }
}

/// `VmHWM` (peak resident memory) of this process in KiB, or `None` where
/// `/proc/self/status` does not tell.
pub fn vm_hwm_kib() -> Option<u64> {
    status_kib("VmHWM:")
}

/// `VmRSS` (resident memory now) of this process in KiB, or `None` where `/proc/self/status`
/// does not tell.
pub fn vm_rss_kib() -> Option<u64> {
    status_kib("VmRSS:")
}

/// The field of `/proc/self/status` starting with `key`, in KiB.
fn status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Resets `VmHWM` to the current resident size (writing 5 to `/proc/self/clear_refs`, Linux
/// 4.0 on); whether it worked.
pub fn reset_hwm() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// FNV-1a state over bytes.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xCBF2_9CE4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    fn f64(&mut self, v: f64) {
        self.bytes(&v.to_bits().to_le_bytes());
    }
    fn usize(&mut self, v: usize) {
        self.bytes(&(v as u64).to_le_bytes());
    }
}

/// A fingerprint of everything `run` produced, bit for bit.
pub fn fingerprint(run: &ManyRun) -> u64 {
    let mut h = Fnv::new();
    for m in &run.metrics {
        h.bytes(m.id.as_bytes());
        for v in [
            m.train_mse,
            m.test_mse,
            m.baseline_test_mse,
            m.test_mse_observed,
            m.persistence_test_mse,
            m.seasonal_naive_test_mse.unwrap_or(f64::NAN),
            m.skill.unwrap_or(f64::NAN),
        ] {
            h.f64(v);
        }
        for v in [m.train_windows, m.test_windows, m.epochs] {
            h.usize(v);
        }
    }
    for s in &run.skipped {
        h.bytes(s.id.as_bytes());
        h.bytes(s.reason.as_bytes());
    }
    for p in &run.predictions {
        h.bytes(p.id.as_bytes());
        for &(i, v, part) in &p.placed {
            h.usize(i);
            h.f64(v);
            h.bytes(part.name().as_bytes());
        }
    }
    for m in &run.model.members {
        h.bytes(&m.bytes);
    }
    h.0
}

/// Whether two runs' metrics are the same bit for bit (`==` on `f64` would call `-0.0` and
/// `0.0` equal).
pub fn metrics_identical(a: &[SeriesMetrics], b: &[SeriesMetrics]) -> bool {
    let bits = |m: &SeriesMetrics| {
        (
            m.id.clone(),
            [
                m.train_mse,
                m.test_mse,
                m.baseline_test_mse,
                m.test_mse_observed,
                m.persistence_test_mse,
            ]
            .map(f64::to_bits),
            m.seasonal_naive_test_mse.map(f64::to_bits),
            m.skill.map(f64::to_bits),
            [m.train_windows, m.test_windows, m.epochs],
        )
    };
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| bits(x) == bits(y))
}

/// Trains every series' own model with `settings` on a new rayon pool of `threads` workers
/// (not the global pool) and measures the run. Errors name the thread count.
pub fn run_local(
    inputs: &[SeriesInput],
    settings: &RunSettings,
    threads: usize,
) -> Result<TimedRun, String> {
    let cfg = settings.config(Mode::Local);
    let hwm_reset = reset_hwm();
    let rss_before_kib = vm_rss_kib();
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("a pool of {threads} threads: {e}"))?;
    let run = pool
        .install(|| train_local(inputs, &cfg, &|_| {}))
        .map_err(|e| format!("{threads} thread(s): {e}"))?;
    let wall_seconds = started.elapsed().as_secs_f64();
    // Read before anything below allocates: the peak of the run itself.
    let vm_hwm_kib = vm_hwm_kib();
    let placed: usize = run.predictions.iter().map(|p| p.placed.len()).sum();
    let members: usize = run.model.members.iter().map(|m| m.bytes.len()).sum();
    let held_bytes = placed * std::mem::size_of::<(usize, f64, forecast::many::Part)>() + members;
    let file_bytes = run
        .model
        .to_bytes()
        .map_err(|e| format!("{threads} thread(s): the model file: {e}"))?
        .len();
    Ok(TimedRun {
        threads,
        wall_seconds,
        fit_seconds: run.fit_seconds,
        trained: run.metrics.len(),
        skipped: run.skipped.len(),
        vm_hwm_kib,
        hwm_reset,
        rss_before_kib,
        fingerprint: fingerprint(&run),
        member_bytes: run.model.members.first().map_or(0, |m| m.bytes.len()),
        file_bytes,
        held_bytes,
        metrics: run.metrics,
    })
}
