//! Renders fit's progress events. The formatting is nn's (Keras's console lines, in
//! `nn::progress`): verbose 2 prints one line per epoch through `nn::model::ConsoleProgress`
//! (`57/57 - 1s - 14ms/step - loss: 0.4084`); verbose 1 draws an indicatif bar only when
//! stderr is a terminal, with the text of nn's verbose-1 bar, and otherwise falls back to the
//! per-epoch lines so logs stay readable.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use nn::model::{ConsoleProgress, FitEvent};
use nn::progress::{StepTimer, epoch_header, verbose1_parts};

enum Mode<'a> {
    Silent,
    Lines(ConsoleProgress<&'a mut dyn Write>),
    Bar {
        sink: &'a mut dyn Write,
        bar: Option<ProgressBar>,
        start: Instant,
        timer: StepTimer,
    },
}

/// The console reporter for `recur train`.
pub struct Console<'a> {
    mode: Mode<'a>,
}

impl<'a> Console<'a> {
    /// A reporter at Keras verbosity `verbose` writing to `sink` (stdout, or stderr under
    /// `--json`). Verbose 1 draws a bar only when stderr is a terminal, else prints lines.
    pub fn new(verbose: u8, sink: &'a mut dyn Write) -> Self {
        let mode = match verbose {
            0 => Mode::Silent,
            1 if std::io::stderr().is_terminal() => Mode::Bar {
                sink,
                bar: None,
                start: Instant::now(),
                timer: StepTimer::new(0.0),
            },
            _ => Mode::Lines(ConsoleProgress::new(2, sink)),
        };
        Console { mode }
    }

    /// Renders one event of fit.
    pub fn handle(&mut self, e: &FitEvent<'_>) {
        match &mut self.mode {
            Mode::Silent => {}
            Mode::Lines(c) => c.handle(e),
            Mode::Bar {
                sink,
                bar,
                start,
                timer,
            } => match *e {
                FitEvent::TrainBegin { .. } => {}
                FitEvent::EpochBegin { epoch, epochs } => {
                    if let Some(h) = epoch_header(epoch, epochs) {
                        let _ = writeln!(sink, "{h}");
                        let _ = sink.flush();
                    }
                    *start = Instant::now();
                    *timer = StepTimer::new(0.0);
                }
                FitEvent::BatchEnd {
                    step, steps, loss, ..
                } => {
                    let b = bar.get_or_insert_with(|| {
                        let b = ProgressBar::new(steps as u64);
                        if let Ok(style) = ProgressStyle::with_template("{msg}") {
                            b.set_style(style);
                        }
                        b
                    });
                    let now = start.elapsed().as_secs_f64();
                    let per = timer.seconds_per_step(step + 1, now);
                    let p = verbose1_parts(
                        step + 1,
                        steps,
                        false,
                        now,
                        per,
                        &[("loss", f64::from(loss))],
                    );
                    b.set_position(step as u64 + 1);
                    b.set_message(p.plain());
                }
                FitEvent::EpochEnd {
                    steps,
                    loss,
                    val_loss,
                    ..
                } => {
                    if let Some(b) = bar.take() {
                        b.finish_and_clear();
                    }
                    let now = start.elapsed().as_secs_f64();
                    let per = if steps > 0 { now / steps as f64 } else { 0.0 };
                    let mut metrics = vec![("loss", f64::from(loss))];
                    if let Some(v) = val_loss {
                        metrics.push(("val_loss", f64::from(v)));
                    }
                    let p = verbose1_parts(steps, steps, true, now, per, &metrics);
                    let _ = writeln!(sink, "{}", p.plain());
                    let _ = sink.flush();
                }
                FitEvent::Message(m) => {
                    let _ = writeln!(sink, "{m}");
                }
            },
        }
    }
}
