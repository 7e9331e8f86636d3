//! Keras's console output of `fit` (docs/keras-semantics.md, A.8), rendered from [`FitEvent`]s:
//! verbose 1 is a progress bar rewritten in place (at most every 50 ms, as Keras's `Progbar`),
//! verbose 2 one line per epoch. Formatting comes from [`crate::progress`]. The verbose-2 line
//! lists the epoch's logs in Keras's (sorted) order; the verbose-1 bar lists the keys in the
//! order Keras's `Progbar` first saw them: the training logs, then the `val_` ones.

use std::io::Write;
use std::time::Instant;

use super::fit::FitEvent;
use crate::progress::{StepTimer, epoch_header, verbose1_parts, verbose2_line};

/// Seconds between two redraws of the verbose-1 bar (Keras's `Progbar` interval).
const REDRAW_INTERVAL: f64 = 0.05;

/// Prints `fit`'s progress like Keras at `verbose` 1 or 2 (0 prints nothing).
#[derive(Debug)]
pub struct ConsoleProgress<W: Write> {
    verbose: u8,
    out: W,
    start: Instant,
    timer: StepTimer,
    last_draw: f64,
    /// Keys in the order the verbose-1 bar first saw them (Keras's `Progbar._values_order`):
    /// the batch logs' keys, then the epoch's new keys.
    seen: Vec<String>,
    /// `(key, value)` pairs of the line being written, reused.
    line: Vec<(String, f64)>,
}

impl ConsoleProgress<std::io::Stdout> {
    /// Progress on standard output.
    pub fn stdout(verbose: u8) -> Self {
        Self::new(verbose, std::io::stdout())
    }
}

impl<W: Write> ConsoleProgress<W> {
    /// Progress written to `out`.
    pub fn new(verbose: u8, out: W) -> Self {
        ConsoleProgress {
            verbose,
            out,
            start: Instant::now(),
            timer: StepTimer::new(0.0),
            last_draw: f64::NEG_INFINITY,
            seen: Vec::new(),
            line: Vec::new(),
        }
    }

    /// The writer (e.g. to inspect captured output).
    pub fn into_inner(self) -> W {
        self.out
    }

    fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Renders one event. Write errors are ignored (progress output is best effort).
    pub fn handle(&mut self, e: &FitEvent<'_>) {
        if self.verbose == 0 {
            return;
        }
        match *e {
            FitEvent::TrainBegin { .. } => {}
            FitEvent::EpochBegin { epoch, epochs } => {
                if let Some(h) = epoch_header(epoch, epochs) {
                    let _ = writeln!(self.out, "{h}");
                }
                self.start = Instant::now();
                self.timer = StepTimer::new(0.0);
                self.last_draw = f64::NEG_INFINITY;
            }
            FitEvent::BatchEnd {
                step, steps, logs, ..
            } => {
                if self.verbose == 1 && self.seen.as_slice() != logs.names() {
                    self.seen = logs.names().to_vec();
                }
                let now = self.now();
                let per = self.timer.seconds_per_step(step + 1, now);
                if self.verbose == 1 && step + 1 < steps && now - self.last_draw >= REDRAW_INTERVAL
                {
                    self.last_draw = now;
                    let pairs: Vec<(&str, f64)> =
                        logs.iter().map(|(k, v)| (k, f64::from(v))).collect();
                    let p = verbose1_parts(step + 1, steps, false, now, per, &pairs);
                    let _ = write!(self.out, "\r{}", p.plain());
                    let _ = self.out.flush();
                }
            }
            FitEvent::EpochEnd { steps, logs, .. } => {
                let now = self.now();
                let per = if steps > 0 { now / steps as f64 } else { 0.0 };
                self.line.clear();
                if self.verbose == 1 {
                    // Progbar lists the keys it saw during the epoch first, then the new ones.
                    for k in &self.seen {
                        if let Some(v) = logs.get(k) {
                            self.line.push((k.clone(), f64::from(v)));
                        }
                    }
                }
                for (k, v) in logs.iter() {
                    if self.verbose != 1 || !self.seen.iter().any(|s| s == k) {
                        self.line.push((k.to_string(), f64::from(v)));
                    }
                }
                let metrics: Vec<(&str, f64)> =
                    self.line.iter().map(|(k, v)| (k.as_str(), *v)).collect();
                if self.verbose == 1 {
                    let p = verbose1_parts(steps, steps, true, now, per, &metrics);
                    let _ = writeln!(self.out, "\r{}", p.plain());
                } else {
                    let _ = write!(
                        self.out,
                        "{}",
                        verbose2_line(steps, steps, now, per, &metrics)
                    );
                }
                let _ = self.out.flush();
            }
            FitEvent::Message(m) => {
                let _ = writeln!(self.out, "{m}");
            }
        }
    }
}
