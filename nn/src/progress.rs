//! Keras's per-epoch console output (docs/keras-semantics.md, A.8, `keras/src/utils/progbar.py`),
//! as pure string formatting so the CLI decides where and how to print.
//!
//! Times are passed in (seconds as f64) rather than read from a clock, which keeps this module
//! deterministic and testable; [`StepTimer`] reproduces Keras's per-step time estimate.

/// The `Epoch e/E` header Keras prints before each epoch, only when `epochs > 1`.
/// `epoch` is 0-based.
pub fn epoch_header(epoch: usize, epochs: usize) -> Option<String> {
    (epochs > 1).then(|| format!("Epoch {}/{}", epoch + 1, epochs))
}

/// Python's `f"{v:.4e}"`: the exponent has a sign and at least two digits (`1.2340e-04`).
fn python_exp(v: f64) -> String {
    let s = format!("{v:.4e}");
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let e: i32 = exp.parse().unwrap_or(0);
            let sign = if e < 0 { '-' } else { '+' };
            format!("{mantissa}e{sign}{:02}", e.unsigned_abs())
        }
        None => s, // inf / NaN
    }
}

/// A metric value as Keras shows it: `.4f` above 1e-3, `.4e` otherwise. The verbose-1 bar
/// compares `|v|`, the verbose-2 line compares `v` itself (so negatives use `.4e` there), as
/// Keras 3.15 does. NaN prints as `nan`, infinities as `inf` / `-inf`.
pub fn format_value(v: f64, compare_abs: bool) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let key = if compare_abs { v.abs() } else { v };
    if key > 1e-3 {
        format!("{v:.4}")
    } else {
        python_exp(v)
    }
}

/// Keras `_format_time`: ` 14ms/step`, ` 2s/step`, ` 350us/step` (leading space included).
pub fn format_time_per_unit(seconds: f64, unit: &str) -> String {
    if seconds >= 1.0 || seconds == 0.0 {
        format!(" {seconds:.0}s/{unit}")
    } else if seconds >= 1e-3 {
        format!(" {:.0}ms/{unit}", seconds * 1e3)
    } else {
        format!(" {:.0}us/{unit}", seconds * 1e6)
    }
}

/// `current/target` with `current` right-aligned to the width of `target`.
fn counter(current: usize, target: usize) -> String {
    let digits = target.max(1).to_string().len();
    format!("{current:>digits$}/{target}")
}

/// Keras's ETA text: `h:mm:ss` above an hour, `m:ss` above a minute, else `Ns` (truncated).
pub fn format_eta(seconds: f64) -> String {
    let s = seconds.max(0.0);
    if s > 3600.0 {
        let h = (s / 3600.0).floor();
        let m = ((s % 3600.0) / 60.0).floor();
        format!("{}:{:02}:{:02}", h as u64, m as u64, (s % 60.0) as u64)
    } else if s > 60.0 {
        format!("{}:{:02}", (s / 60.0).floor() as u64, (s % 60.0) as u64)
    } else {
        format!("{}s", s as u64)
    }
}

fn metrics_text(metrics: &[(&str, f64)], compare_abs: bool) -> String {
    metrics
        .iter()
        .map(|(k, v)| format!(" - {k}: {}", format_value(*v, compare_abs)))
        .collect()
}

/// The verbose-2 line printed at the end of an epoch, with its newline:
/// `57/57 - 1s - 14ms/step - loss: 0.4084 - val_loss: 0.3998`.
pub fn verbose2_line(
    current: usize,
    target: usize,
    elapsed_seconds: f64,
    seconds_per_step: f64,
    metrics: &[(&str, f64)],
) -> String {
    format!(
        "{} - {elapsed_seconds:.0}s -{}{}\n",
        counter(current, target),
        format_time_per_unit(seconds_per_step, "step"),
        metrics_text(metrics, false)
    )
}

/// The verbose-1 progress bar text, without ANSI styling or carriage returns (the renderer
/// adds those): `12/57 ━━━━╺... 3s 14ms/step - loss: 0.1017` during the epoch (ETA shown) and
/// `57/57 ━━━━━━━━━━━━━━━━━━━━ 1s 14ms/step - loss: 0.1017` at the end (elapsed shown).
/// The bar is 20 cells: `int(20·current/target)` done cells then the remaining ones; `done`
/// and `todo` are returned separately so a renderer can colour them as Keras does.
pub fn verbose1_parts(
    current: usize,
    target: usize,
    finalize: bool,
    elapsed_seconds: f64,
    seconds_per_step: f64,
    metrics: &[(&str, f64)],
) -> Verbose1Parts {
    const WIDTH: usize = 20;
    let done = if target > 0 {
        ((WIDTH as f64 * current as f64 / target as f64) as usize).min(WIDTH)
    } else {
        0
    };
    let time = if finalize {
        format!("{elapsed_seconds:.0}s")
    } else {
        format_eta(seconds_per_step * target.saturating_sub(current) as f64)
    };
    Verbose1Parts {
        counter: counter(current, target),
        done: "━".repeat(done),
        todo: "━".repeat(WIDTH - done),
        time,
        info: format!(
            "{}{}",
            format_time_per_unit(seconds_per_step, "step"),
            metrics_text(metrics, true)
        ),
    }
}

/// The pieces of one verbose-1 bar; [`Verbose1Parts::plain`] joins them without styling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verbose1Parts {
    /// `current/target`, right-aligned.
    pub counter: String,
    /// The completed cells of the bar.
    pub done: String,
    /// The remaining cells.
    pub todo: String,
    /// ETA during the epoch, elapsed seconds at the end.
    pub time: String,
    /// Time per step and the metrics, with their leading spaces.
    pub info: String,
}

impl Verbose1Parts {
    /// The bar as plain text: `counter done+todo time info`.
    pub fn plain(&self) -> String {
        format!(
            "{} {}{} {}{}",
            self.counter, self.done, self.todo, self.time, self.info
        )
    }
}

/// Keras's step-duration estimate: after step 1 it ignores the (slow) first step, averaging
/// the time since step 1 ended over the later steps.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StepTimer {
    start: f64,
    after_first_step: Option<f64>,
}

impl StepTimer {
    /// A timer for an epoch that started at `start` seconds.
    pub fn new(start: f64) -> Self {
        StepTimer {
            start,
            after_first_step: None,
        }
    }

    /// Seconds per step after `current` completed steps at time `now` (0 before any step).
    pub fn seconds_per_step(&mut self, current: usize, now: f64) -> f64 {
        if current == 0 {
            return 0.0;
        }
        let per = match self.after_first_step {
            Some(t1) if current > 1 => (now - t1) / (current - 1) as f64,
            _ => (now - self.start) / current as f64,
        };
        if current == 1 {
            self.after_first_step = Some(now);
        }
        per
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_format_like_python() {
        assert_eq!(format_value(0.40841, false), "0.4084");
        assert_eq!(format_value(0.000_123_4, true), "1.2340e-04");
        assert_eq!(format_value(-0.5, true), "-0.5000");
        assert_eq!(format_value(-0.5, false), "-5.0000e-01");
        assert_eq!(format_value(0.0, true), "0.0000e+00");
        assert_eq!(format_value(12345.678, true), "12345.6780");
        assert_eq!(format_value(1e-30, true), "1.0000e-30");
        assert_eq!(format_value(1.5e-300, true), "1.5000e-300");
        assert_eq!(format_value(f64::NAN, true), "nan");
    }

    #[test]
    fn lines_match_keras() {
        assert_eq!(epoch_header(0, 1), None);
        assert_eq!(epoch_header(1, 3).unwrap(), "Epoch 2/3");
        // The real tutorial line quoted in docs/keras-semantics.md, A.8.
        let line = verbose2_line(57, 57, 1.2, 0.014, &[("loss", 0.408_4)]);
        assert_eq!(line, "57/57 - 1s - 14ms/step - loss: 0.4084\n");
        assert_eq!(format_time_per_unit(0.0, "step"), " 0s/step");
        assert_eq!(format_time_per_unit(2.4, "step"), " 2s/step");
        assert_eq!(format_time_per_unit(0.00035, "step"), " 350us/step");
        let mid = verbose1_parts(5, 57, false, 0.5, 0.014, &[("loss", 0.1017)]);
        assert_eq!(mid.counter, " 5/57");
        assert_eq!(mid.done.chars().count(), 1);
        assert_eq!(mid.todo.chars().count(), 19);
        assert_eq!(
            mid.plain(),
            " 5/57 ━━━━━━━━━━━━━━━━━━━━ 0s 14ms/step - loss: 0.1017"
        );
        let end = verbose1_parts(57, 57, true, 1.4, 0.014, &[("loss", 0.1017)]);
        assert_eq!(
            end.plain(),
            "57/57 ━━━━━━━━━━━━━━━━━━━━ 1s 14ms/step - loss: 0.1017"
        );
        assert_eq!(format_eta(3725.0), "1:02:05");
        assert_eq!(format_eta(61.9), "1:01");
        assert_eq!(format_eta(59.9), "59s");
    }

    #[test]
    fn step_timer_ignores_the_first_step() {
        let mut t = StepTimer::new(0.0);
        assert_eq!(t.seconds_per_step(0, 0.1), 0.0);
        assert_eq!(t.seconds_per_step(1, 1.0), 1.0);
        assert_eq!(t.seconds_per_step(3, 1.5), 0.25);
    }
}
