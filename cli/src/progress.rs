//! Keras-like console output of fit: `Epoch e/E` headers and one line per epoch
//! (`57/57 - 1s - 14ms/step - loss: 0.4084`), or with verbose 1 a progress bar on a terminal.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::model::Progress;

/// Formats a metric as Keras does: `.4f` when `|v| > 1e-3`, else `.4e` with Python's exponent
/// (`1.2346e-04`).
pub fn keras_value(v: f64) -> String {
    if v.abs() > 1e-3 {
        return format!("{v:.4}");
    }
    let s = format!("{v:.4e}");
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// Time per step as Keras prints it: `2s/step`, `14ms/step` or `350us/step`.
pub fn per_step(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.0}s/step")
    } else if seconds >= 1e-3 {
        format!("{:.0}ms/step", seconds * 1e3)
    } else {
        format!("{:.0}us/step", seconds * 1e6)
    }
}

/// The console reporter for `recur train`.
pub struct Console<'a> {
    verbose: u8,
    sink: &'a mut dyn Write,
    bar: Option<ProgressBar>,
    use_bar: bool,
    started: Instant,
    steps: usize,
}

impl<'a> Console<'a> {
    /// A reporter at Keras verbosity `verbose` writing to `sink` (stdout, or stderr under
    /// `--json`). Verbose 1 draws a bar only when stderr is a terminal, else prints lines.
    pub fn new(verbose: u8, sink: &'a mut dyn Write) -> Self {
        Console {
            verbose,
            sink,
            bar: None,
            use_bar: verbose == 1 && std::io::stderr().is_terminal(),
            started: Instant::now(),
            steps: 0,
        }
    }
}

impl Progress for Console<'_> {
    fn epoch_begin(&mut self, epoch: usize, epochs: usize, steps: usize) {
        self.started = Instant::now();
        self.steps = steps;
        if self.verbose == 0 {
            return;
        }
        if epochs > 1 {
            let _ = writeln!(self.sink, "Epoch {epoch}/{epochs}");
            let _ = self.sink.flush();
        }
        if self.use_bar {
            let bar = ProgressBar::new(steps as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{pos}/{len} {bar:20} {elapsed} - {msg}")
            {
                bar.set_style(style.progress_chars("━━ "));
            }
            self.bar = Some(bar);
        }
    }

    fn batch_end(&mut self, step: usize, running_loss: f64) {
        if let Some(bar) = &self.bar {
            bar.set_position(step as u64);
            bar.set_message(format!("loss: {}", keras_value(running_loss)));
        }
    }

    fn epoch_end(&mut self, _epoch: usize, loss: f64, val_loss: Option<f64>) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if self.verbose == 0 {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64();
        let mut line = format!(
            "{0}/{0} - {1:.0}s - {2} - loss: {3}",
            self.steps,
            secs,
            per_step(secs / self.steps.max(1) as f64),
            keras_value(loss)
        );
        if let Some(v) = val_loss {
            line.push_str(&format!(" - val_loss: {}", keras_value(v)));
        }
        let _ = writeln!(self.sink, "{line}");
        let _ = self.sink.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keras_number_formats() {
        assert_eq!(keras_value(0.40841), "0.4084");
        assert_eq!(keras_value(0.00012345), "1.2345e-04");
        assert_eq!(per_step(0.014), "14ms/step");
        assert_eq!(per_step(2.0), "2s/step");
        assert_eq!(per_step(0.00035), "350us/step");
    }
}
