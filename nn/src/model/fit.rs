//! `Sequential::fit`: Keras's training loop (docs/keras-semantics.md, A.7).
//!
//! Per epoch: a new sample order from the seeded shuffler (validation_split takes the last
//! samples first, before any shuffling), batches of `batch_size` with the last partial batch
//! kept, and per batch: forward in training mode, loss = data loss + activity penalties (already
//! divided by the batch size) + weight penalties (once per step), backward, gradient of the
//! weight penalties added, then the optimizer step (clipping, update, constraints). The epoch's
//! loss is Keras's f32 running mean of the per-batch losses, each computed before its update;
//! each compiled metric is a running mean from the same forward pass (A.12), and validation
//! logs `val_loss` and `val_<metric>`. Logs are in Keras's (sorted) key order.
//!
//! The hot loop does not allocate once warm: one [`autograd::Tape`] is cleared and reused, the
//! batch and gradient buffers are kept in the model.

use std::ops::ControlFlow;

use autograd::{MAX_RANK, Tape, Tensor, TensorView, Var};

use super::{Sequential, console::ConsoleProgress};
use crate::batching::{Shuffle, steps_per_epoch, validation_split};
use crate::callbacks::{EarlyStopping, EarlyStoppingConfig};
use crate::error::{NnError, Result};
use crate::layers::{Layer, ag};
use crate::loss_tracker::{History, LossMean};
use crate::metrics::{Logs, MetricSpec, MetricState};

/// Where `fit` gets validation data (Keras's `validation_split` / `validation_data`).
#[derive(Debug, Clone, Default)]
pub enum Validation {
    /// No validation (default).
    #[default]
    None,
    /// The last fraction of the samples, taken before shuffling; in (0, 1).
    Split(f64),
    /// Separate `(x, y)`.
    Data(Tensor, Tensor),
}

/// What `fit` does when a batch's loss is NaN or infinite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InvalidLoss {
    /// Stop with [`NnError::NonFiniteLoss`] naming the epoch and step (default; recur's
    /// deliberate difference: Keras trains on). The offending step is not applied.
    #[default]
    Error,
    /// Keras's `TerminateOnNaN`: stop training and return the history normally (the offending
    /// step is not applied).
    Terminate,
    /// Keras's default without callbacks: keep training.
    Continue,
}

/// `fit` arguments with Keras's defaults (except `verbose`, see there).
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Keras's `initial_epoch`: the epoch to start at, so that training runs epochs
    /// `initial_epoch..epochs` (numbered from there in the events, the console and
    /// EarlyStopping), e.g. to resume a previous run (default 0).
    pub initial_epoch: usize,
    /// The epoch to stop before (Keras's `epochs`): training runs epochs
    /// `initial_epoch..epochs`, so with `initial_epoch` 0 this is the number of epochs (default 1).
    pub epochs: usize,
    /// Samples per batch (default 32); the last batch of an epoch may be smaller.
    pub batch_size: usize,
    /// 0 silent, 1 a progress bar, 2 one line per epoch, printed to stdout in Keras's format.
    /// Default 0 (a library call prints nothing unless asked; Keras's default is 1). To render
    /// progress yourself, use [`Sequential::fit_with`] and its events.
    pub verbose: u8,
    /// Shuffling of the training samples each epoch (default full, as Keras's `shuffle=True`).
    pub shuffle: Shuffle,
    /// Validation data, if any.
    pub validation: Validation,
    /// Keras's `EarlyStopping` callback, if wanted.
    pub early_stopping: Option<EarlyStoppingConfig>,
    /// Reaction to a NaN or infinite loss (default: error).
    pub on_invalid_loss: InvalidLoss,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            initial_epoch: 0,
            epochs: 1,
            batch_size: 32,
            verbose: 0,
            shuffle: Shuffle::Full,
            validation: Validation::None,
            early_stopping: None,
            on_invalid_loss: InvalidLoss::Error,
        }
    }
}

/// Progress events of `fit`, in order: `TrainBegin`, then per epoch `EpochBegin`, one
/// `BatchEnd` per batch and `EpochEnd`; `Message` whenever there is something to tell (warnings,
/// early stopping). Epochs and steps are 0-based here; displays add 1.
#[derive(Debug, Clone, PartialEq)]
pub enum FitEvent<'a> {
    /// Training starts.
    TrainBegin {
        /// Epochs in this call.
        epochs: usize,
        /// Batches per epoch.
        steps: usize,
        /// Training samples.
        samples: usize,
    },
    /// An epoch starts.
    EpochBegin {
        /// 0-based epoch of this call.
        epoch: usize,
        /// Epochs in this call.
        epochs: usize,
    },
    /// A batch was trained.
    BatchEnd {
        /// 0-based epoch.
        epoch: usize,
        /// 0-based step within the epoch.
        step: usize,
        /// Batches per epoch.
        steps: usize,
        /// The running mean of the epoch's loss so far (Keras's `logs["loss"]`).
        loss: f32,
        /// Every training log so far (`loss` and the running metrics), in Keras's order.
        logs: Logs<'a>,
    },
    /// An epoch ended.
    EpochEnd {
        /// 0-based epoch.
        epoch: usize,
        /// Epochs in this call.
        epochs: usize,
        /// Batches run.
        steps: usize,
        /// The epoch's training loss (running mean over its batches).
        loss: f32,
        /// Validation loss, if validating.
        val_loss: Option<f32>,
        /// The epoch's logs as `History` records them: `loss`, the metrics, `val_loss` and the
        /// `val_` metrics, in Keras's order (sorted).
        logs: Logs<'a>,
    },
    /// A warning or notice (e.g. `Epoch 5: early stopping`).
    Message(&'a str),
}

/// Dimensions `(b, dims[1..])` without allocating.
pub(super) fn batch_dims(full: &[usize], b: usize) -> ([usize; MAX_RANK], usize) {
    let mut d = [0usize; MAX_RANK];
    d[..full.len()].copy_from_slice(full);
    d[0] = b;
    (d, full.len())
}

/// Copies rows `idx` (each `row` values) of `src` into `dst`.
pub(super) fn gather(dst: &mut Vec<f32>, src: &[f32], row: usize, idx: &[usize]) {
    dst.clear();
    for &i in idx {
        dst.extend_from_slice(&src[i * row..(i + 1) * row]);
    }
}

/// Records every layer's forward pass; returns the prediction and the sum of the activity
/// penalties, if any.
pub(super) fn record_forward(
    tape: &mut Tape,
    layers: &mut [Layer],
    x: &[f32],
    xdims: &[usize],
    training: bool,
) -> Result<(Var, Option<Var>)> {
    let mut h = tape.constant(x, xdims).map_err(ag("model input"))?;
    let mut penalty: Option<Var> = None;
    for layer in layers.iter_mut() {
        let o = layer.forward(tape, h, training, None)?;
        h = o.output;
        if let Some(p) = o.activity_penalty {
            penalty = Some(match penalty {
                Some(q) => tape.add(q, p).map_err(ag("activity penalties"))?,
                None => p,
            });
        }
    }
    Ok((h, penalty))
}

/// Adds the loss of `pred` against `y` and the activity penalty; returns the total (on the
/// tape) and its value plus the weight penalties (Keras's reported loss).
pub(super) fn record_loss(
    tape: &mut Tape,
    layers: &[Layer],
    loss: autograd::Loss,
    pred: Var,
    penalty: Option<Var>,
    y: &[f32],
    ydims: &[usize],
) -> Result<(Var, f32)> {
    let yv = tape.constant(y, ydims).map_err(ag("targets"))?;
    let data = tape.loss(loss, yv, pred).map_err(|e| {
        let p = tape
            .shape(pred)
            .map(|s| s.dims().to_vec())
            .unwrap_or_default();
        NnError::autograd(
            format!(
                "targets y of shape {ydims:?} for the model's predictions of shape {p:?} (y \
                 needs the predictions' shape, or (batch,) for one output)"
            ),
            e,
        )
    })?;
    let total = match penalty {
        Some(p) => tape.add(data, p).map_err(ag("loss"))?,
        None => data,
    };
    let mut value = tape.item(total).map_err(ag("loss"))?;
    for l in layers {
        if l.has_weight_penalty() {
            value += l.weight_penalty();
        }
    }
    Ok((total, value))
}

/// Where each logged value comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Src {
    Loss,
    ValLoss,
    Metric(usize),
    ValMetric(usize),
}

/// Names in Keras's order (sorted, as `pythonify_logs` leaves them) and where each value comes
/// from.
#[derive(Debug, Default)]
pub(super) struct LogLayout {
    names: Vec<String>,
    src: Vec<Src>,
    values: Vec<f32>,
    val: bool,
}

impl LogLayout {
    /// This layout, or a new one if it was made for other keys (kept in the model between
    /// fits so that a warm `fit` does not rebuild it).
    fn reuse(self, keys: &[String], val: bool) -> Self {
        let metrics = self
            .src
            .iter()
            .filter(|s| matches!(s, Src::Metric(_)))
            .count();
        if self.val == val && !self.names.is_empty() && metrics == keys.len() {
            self
        } else {
            Self::new(keys, val)
        }
    }

    /// The training logs (`loss` and the metric keys), with the validation ones if `val`.
    fn new(keys: &[String], val: bool) -> Self {
        let mut entries: Vec<(String, Src)> = vec![("loss".to_string(), Src::Loss)];
        entries.extend(
            keys.iter()
                .enumerate()
                .map(|(i, k)| (k.clone(), Src::Metric(i))),
        );
        if val {
            entries.push(("val_loss".to_string(), Src::ValLoss));
            entries.extend(
                keys.iter()
                    .enumerate()
                    .map(|(i, k)| (format!("val_{k}"), Src::ValMetric(i))),
            );
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let (names, src): (Vec<String>, Vec<Src>) = entries.into_iter().unzip();
        let values = vec![0.0; names.len()];
        LogLayout {
            names,
            src,
            values,
            val,
        }
    }

    /// Fills the values (no allocation) and returns the logs.
    fn fill(
        &mut self,
        metrics: &[MetricSpec],
        loss: f32,
        train: &[MetricState],
        val_loss: Option<f32>,
        val: &[MetricState],
    ) -> Logs<'_> {
        for (v, s) in self.values.iter_mut().zip(&self.src) {
            *v = match *s {
                Src::Loss => loss,
                Src::ValLoss => val_loss.unwrap_or(f32::NAN),
                Src::Metric(i) => train[i].result(metrics[i].metric),
                Src::ValMetric(i) => val[i].result(metrics[i].metric),
            };
        }
        Logs::new(&self.names, &self.values)
    }
}

/// How the training loop ended.
enum Ended {
    /// Every epoch ran, or training stopped by itself (early stopping, invalid loss).
    Normally,
    /// The observer asked to stop after `step` batches of 0-based `epoch`.
    Interrupted { epoch: usize, step: usize },
}

impl Sequential {
    /// Trains the model (Keras `fit`) and returns the per-epoch logs. See
    /// [`Sequential::fit_with`] to receive progress events.
    pub fn fit<'v>(
        &mut self,
        x: impl Into<TensorView<'v>>,
        y: impl Into<TensorView<'v>>,
        opts: &FitOptions,
    ) -> Result<History> {
        self.fit_with(x, y, opts, &mut |_| ControlFlow::Continue(()))
    }

    /// [`Sequential::fit`] that also sends every [`FitEvent`] to `observer` (a CLI renders its
    /// progress bar from them). `x` is `(samples, *input_shape)`, `y` `(samples, *output_shape)`
    /// (or `(samples,)` for one output): [`Tensor`]s or borrowed [`TensorView`]s (a caller's
    /// buffer is trained on without a copy).
    ///
    /// The observer returns [`ControlFlow::Break`] to stop training at once (Ctrl-C in
    /// Python): `fit` then returns [`NnError::Interrupted`] without running another batch,
    /// validation pass or callback. The model stays usable: its weights and optimizer state are
    /// those after the last completed batch (a batch's update is applied before its `BatchEnd`
    /// is sent, so no update is ever half-applied), and `epochs_done` counts the epochs whose
    /// batches all ran (a break at an epoch's last `BatchEnd` counts that epoch, whose
    /// validation and end-of-epoch callbacks are skipped). Early stopping does not restore its
    /// best weights after an interruption.
    pub fn fit_with<'v>(
        &mut self,
        x: impl Into<TensorView<'v>>,
        y: impl Into<TensorView<'v>>,
        opts: &FitOptions,
        observer: &mut dyn FnMut(&FitEvent<'_>) -> ControlFlow<()>,
    ) -> Result<History> {
        let (x, y): (TensorView<'_>, TensorView<'_>) = (x.into(), y.into());
        let mut console = (opts.verbose > 0).then(|| ConsoleProgress::stdout(opts.verbose));
        let mut emit = |e: &FitEvent<'_>| -> ControlFlow<()> {
            let flow = observer(e);
            if let Some(c) = console.as_mut() {
                c.handle(e);
            }
            flow
        };
        if opts.verbose > 2 {
            return Err(NnError::invalid("verbose", opts.verbose, "0, 1 or 2"));
        }
        if opts.batch_size == 0 {
            return Err(NnError::invalid("batch_size", 0, "a positive integer"));
        }
        let (loss_kind, n) = self.check_data("fit", x, y)?;
        let shapes = (self.layers.iter()).filter_map(|l| Some((l.config(), l.input_shape()?)));
        crate::memory::check_batch(shapes, opts.batch_size.min(n))?;
        let (train_n, val_rows) = match &opts.validation {
            Validation::None => (n, None),
            Validation::Split(s) => {
                let (tr, va) = validation_split(n, *s)?;
                (tr.end, Some(va))
            }
            Validation::Data(vx, vy) => {
                self.check_data("validation_data", vx.view(), vy.view())?;
                (n, None)
            }
        };
        let has_val = !matches!(opts.validation, Validation::None);
        let bs = opts.batch_size;
        let steps = steps_per_epoch(train_n, bs)?;
        let interrupted_before = |history: History| NnError::Interrupted {
            epoch: 1,
            step: 0,
            steps,
            history: Box::new(history),
        };
        if self.layers.iter().any(Layer::is_stateful) {
            let val_n = match &opts.validation {
                Validation::Data(vx, _) => vx.dims()[0],
                _ => n - train_n,
            };
            for (what, count) in [("training", train_n), ("validation", val_n)] {
                if count % bs != 0 {
                    return Err(NnError::invalid(
                        "batch_size",
                        bs,
                        &format!(
                            "a divisor of the {count} {what} samples: a stateful layer needs \
                             every batch to have the same size (drop the remainder of the data \
                             or pick another batch_size)"
                        ),
                    ));
                }
            }
            if opts.shuffle != Shuffle::Off
                && emit(&FitEvent::Message(
                    "Warning: shuffling with a stateful layer breaks the state's continuity \
                     from batch to batch; pass shuffle off unless this is intended",
                ))
                .is_break()
            {
                return Err(interrupted_before(History::new()));
            }
        }
        let metrics = self.metrics.clone();
        let mut batch_logs = std::mem::take(&mut self.batch_logs).reuse(&self.metric_keys, false);
        let mut epoch_logs = std::mem::take(&mut self.epoch_logs).reuse(&self.metric_keys, has_val);
        let mut early = match &opts.early_stopping {
            Some(c) => {
                let es = EarlyStopping::with_metrics(c.clone(), &metrics)?;
                let logged: Vec<&str> = epoch_logs.names.iter().map(String::as_str).collect();
                es.check_monitor(&logged)?;
                Some(es)
            }
            None => None,
        };
        self.prepare_training()?;

        let mut history = History::new();
        let mut best: Option<Vec<Vec<f32>>> = None;
        let mut order = std::mem::take(&mut self.order);
        let mut train_states = vec![MetricState::new(); metrics.len()];
        let mut val_states = vec![MetricState::new(); metrics.len()];
        if emit(&FitEvent::TrainBegin {
            epochs: opts.epochs,
            steps,
            samples: train_n,
        })
        .is_break()
        {
            self.order = order;
            self.batch_logs = batch_logs;
            self.epoch_logs = epoch_logs;
            return Err(interrupted_before(history));
        }
        let (xrow, yrow) = (row_len(x), row_len(y));
        let result: Result<Ended> = (|| {
            for epoch in opts.initial_epoch..opts.epochs {
                if emit(&FitEvent::EpochBegin {
                    epoch,
                    epochs: opts.epochs,
                })
                .is_break()
                {
                    return Ok(Ended::Interrupted { epoch, step: 0 });
                }
                order.clear();
                order.extend_from_slice(self.shuffler.next_epoch(train_n, opts.shuffle, bs)?);
                let mut mean = LossMean::new();
                train_states.iter_mut().for_each(MetricState::reset);
                let mut stop = false;
                let mut done = 0;
                for (step, idx) in order.chunks(bs).enumerate() {
                    gather(&mut self.xbuf, x.data(), xrow, idx);
                    gather(&mut self.ybuf, y.data(), yrow, idx);
                    let (xd, xr) = batch_dims(x.dims(), idx.len());
                    let (yd, yr) = batch_dims(y.dims(), idx.len());
                    let (value, pred) = self.forward_backward(loss_kind, &xd[..xr], &yd[..yr])?;
                    let invalid = !value.is_finite();
                    if invalid && opts.on_invalid_loss == InvalidLoss::Error {
                        return Err(NnError::NonFiniteLoss {
                            epoch: epoch + 1,
                            step: step + 1,
                            steps,
                            value,
                        });
                    }
                    // From the batch's forward pass, before its update, as Keras's train_step.
                    self.update_metrics(&mut train_states, pred, &self.ybuf, &yd[..yr])?;
                    if invalid && opts.on_invalid_loss == InvalidLoss::Terminate {
                        let msg = format!("Batch {step}: Invalid loss, terminating training");
                        if emit(&FitEvent::Message(&msg)).is_break() {
                            return Ok(Ended::Interrupted { epoch, step });
                        }
                        stop = true;
                    } else {
                        self.apply_update()?;
                    }
                    mean.update(value, idx.len());
                    done = step + 1;
                    let logs = batch_logs.fill(&metrics, mean.value(), &train_states, None, &[]);
                    let flow = emit(&FitEvent::BatchEnd {
                        epoch,
                        step,
                        steps,
                        loss: mean.value(),
                        logs,
                    });
                    if flow.is_break() {
                        if done == steps {
                            self.epochs_done += 1;
                        }
                        return Ok(Ended::Interrupted { epoch, step: done });
                    }
                    if stop {
                        break;
                    }
                }
                self.epochs_done += 1;
                val_states.iter_mut().for_each(MetricState::reset);
                let val_loss = match (&opts.validation, &val_rows) {
                    (Validation::Data(vx, vy), _) => {
                        let rows = 0..vx.dims()[0];
                        Some(self.evaluate_rows(
                            loss_kind,
                            vx.view(),
                            vy.view(),
                            rows,
                            bs,
                            None,
                            &mut val_states,
                        )?)
                    }
                    (_, Some(r)) => Some(self.evaluate_rows(
                        loss_kind,
                        x,
                        y,
                        r.clone(),
                        bs,
                        None,
                        &mut val_states,
                    )?),
                    _ => None,
                };
                let loss = mean.value();
                let logs = epoch_logs.fill(&metrics, loss, &train_states, val_loss, &val_states);
                history.push_logs(logs);
                if let Some(es) = early.as_mut() {
                    let monitored = logs.get(&es.config().monitor);
                    let d = es.on_epoch_end(epoch, monitored.map(f64::from));
                    if d.snapshot_weights {
                        best = Some(self.get_weights());
                    }
                    stop |= d.stop;
                }
                if emit(&FitEvent::EpochEnd {
                    epoch,
                    epochs: opts.epochs,
                    steps: done,
                    loss,
                    val_loss,
                    logs,
                })
                .is_break()
                {
                    return Ok(Ended::Interrupted { epoch, step: done });
                }
                if stop {
                    break;
                }
            }
            Ok(Ended::Normally)
        })();
        self.order = order;
        self.batch_logs = batch_logs;
        self.epoch_logs = epoch_logs;
        if let Ended::Interrupted { epoch, step } = result? {
            return Err(NnError::Interrupted {
                epoch: epoch + 1,
                step,
                steps,
                history: Box::new(history),
            });
        }
        if let Some(es) = &early {
            if es.restore_epoch().is_some()
                && let Some(w) = &best
            {
                self.set_weights(w)?;
            }
            for m in es.end_messages() {
                if emit(&FitEvent::Message(&m)).is_break() {
                    // Training is over: nothing is left to interrupt.
                    break;
                }
            }
        }
        Ok(history)
    }

    /// Adds a batch's predictions `pred` (on the tape) against `y` to the metric states
    /// (one per compiled metric, in compile order).
    pub(super) fn update_metrics(
        &self,
        states: &mut [MetricState],
        pred: Var,
        y: &[f32],
        ydims: &[usize],
    ) -> Result<()> {
        if states.is_empty() {
            return Ok(());
        }
        let pv = self.tape.value(pred).map_err(ag("metrics"))?;
        let shape = self.tape.shape(pred).map_err(ag("metrics"))?;
        for (st, spec) in states.iter_mut().zip(&self.metrics) {
            st.update(spec.metric, y, ydims, pv, shape.dims())?;
        }
        Ok(())
    }

    /// Checks `x` and `y` against each other and the model (building it if needed); returns
    /// the compiled loss and the number of samples.
    fn check_data(
        &mut self,
        what: &str,
        x: TensorView<'_>,
        y: TensorView<'_>,
    ) -> Result<(autograd::Loss, usize)> {
        let Some(loss) = self.loss else {
            return Err(NnError::state(format!(
                "{what} needs a compiled model: call compile(loss, optimizer) first"
            )));
        };
        check_xy(what, x, y)?;
        self.ensure_built(what, x.dims())?;
        Ok((loss, x.dims()[0]))
    }

    /// Builds the optimizer for the model's parameters (first training) and the gradient
    /// buffers.
    fn prepare_training(&mut self) -> Result<()> {
        // Fast path (every step of train_on_batch): nothing can change the parameter list once
        // the optimizer is built, since `add` refuses new layers then.
        if self.optimizer.as_ref().is_some_and(|o| o.is_built())
            && self.grads.len() == self.optimizer.as_ref().map_or(0, |o| o.params().len())
        {
            return Ok(());
        }
        let infos = self.param_infos();
        let Some(opt) = self.optimizer.as_mut() else {
            return Err(NnError::state(
                "fit needs a compiled model: call compile(loss, optimizer) first",
            ));
        };
        if !opt.is_built() {
            opt.build(&infos)?;
        } else if opt.params() != infos.as_slice() {
            return Err(NnError::state(
                "the optimizer was built for other parameters; compile the model again",
            ));
        }
        if self.grads.len() != infos.len() {
            self.grads = infos.iter().map(|p| vec![0.0; p.len()]).collect();
        }
        Ok(())
    }

    /// One training step's forward and backward on the batch in `xbuf`/`ybuf`: fills the
    /// gradient buffers (weight-penalty gradients included) and returns Keras's reported loss.
    fn forward_backward(
        &mut self,
        loss: autograd::Loss,
        xdims: &[usize],
        ydims: &[usize],
    ) -> Result<(f32, Var)> {
        let tape = &mut self.tape;
        tape.clear();
        let (pred, penalty) = record_forward(tape, &mut self.layers, &self.xbuf, xdims, true)?;
        let (total, value) =
            record_loss(tape, &self.layers, loss, pred, penalty, &self.ybuf, ydims)?;
        tape.backward(total).map_err(ag("backward"))?;
        let mut k = 0;
        for layer in &self.layers {
            for (p, v) in layer.params().iter().zip(layer.param_vars()) {
                let g = &mut self.grads[k];
                g.copy_from_slice(tape.grad(*v).map_err(ag("gradient"))?);
                if let Some(r) = &p.regularizer {
                    r.add_gradient(&p.value, g)?;
                }
                k += 1;
            }
        }
        Ok((value, pred))
    }

    /// Applies the optimizer to every parameter with the gradients of the last
    /// [`Sequential::forward_backward`].
    fn apply_update(&mut self) -> Result<()> {
        let opt = self
            .optimizer
            .as_mut()
            .ok_or_else(|| NnError::state("no optimizer: compile the model first"))?;
        opt.begin_step(self.grads.iter().map(Vec::as_slice))?;
        let mut k = 0;
        for layer in &mut self.layers {
            for p in layer.params_mut() {
                opt.update(k, &mut p.value, &self.grads[k], p.constraint.as_ref())?;
                k += 1;
            }
        }
        opt.finish_step()
    }

    /// Trains on one batch (Keras `train_on_batch`) and returns its loss (before the update).
    pub fn train_on_batch<'v>(
        &mut self,
        x: impl Into<TensorView<'v>>,
        y: impl Into<TensorView<'v>>,
    ) -> Result<f32> {
        let (x, y): (TensorView<'_>, TensorView<'_>) = (x.into(), y.into());
        let (loss, _) = self.check_data("train_on_batch", x, y)?;
        self.prepare_training()?;
        self.xbuf.clear();
        self.xbuf.extend_from_slice(x.data());
        self.ybuf.clear();
        self.ybuf.extend_from_slice(y.data());
        let (value, _) = self.forward_backward(loss, x.dims(), y.dims())?;
        self.apply_update()?;
        Ok(value)
    }
}

/// Values per sample.
pub(super) fn row_len(t: TensorView<'_>) -> usize {
    t.dims()[1..].iter().product()
}

/// Same sample count, at least one sample, rank >= 2 for x.
pub(super) fn check_xy(what: &str, x: TensorView<'_>, y: TensorView<'_>) -> Result<()> {
    if x.dims().len() < 2 {
        return Err(NnError::invalid(
            "x",
            format!("shape {:?}", x.dims()),
            &format!("{what}: samples along the first axis, e.g. (samples, timesteps, features)"),
        ));
    }
    if y.dims().is_empty() || y.dims()[0] != x.dims()[0] {
        return Err(NnError::shape(
            format!("{what}: y must have as many samples as x"),
            format!("({}, ...)", x.dims()[0]),
            y.dims(),
        ));
    }
    if x.dims()[0] == 0 {
        return Err(NnError::invalid(
            "x",
            "0 samples",
            &format!("{what}: at least one sample"),
        ));
    }
    Ok(())
}
