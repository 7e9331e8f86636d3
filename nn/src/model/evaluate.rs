//! `Sequential::evaluate`, `Sequential::predict` and both in one forward pass
//! (docs/keras-semantics.md, A.7): inference mode (no dropout), batches of 32 by default, the last
//! partial batch kept.

use std::ops::Range;

use autograd::{Loss, Tensor, TensorView};

use super::Sequential;
use super::fit::{batch_dims, check_xy, record_forward, record_loss, row_len};
use crate::error::{NnError, Result};
use crate::layers::ag;
use crate::loss_tracker::LossMean;
use crate::metrics::{Evaluation, MetricState, evaluation};

/// Keras's default batch size for `evaluate` and `predict`.
pub const DEFAULT_BATCH_SIZE: usize = 32;

impl Sequential {
    /// The loss on `(x, y)` (Keras `evaluate`): the batch-size-weighted f32 mean of the
    /// per-batch losses, penalties included, with dropout off. `batch_size` defaults to 32.
    pub fn evaluate<'v>(
        &mut self,
        x: impl Into<TensorView<'v>>,
        y: impl Into<TensorView<'v>>,
        batch_size: Option<usize>,
    ) -> Result<f32> {
        let (x, y): (TensorView<'_>, TensorView<'_>) = (x.into(), y.into());
        let (loss, bs) = self.check_evaluate("evaluate", x, y, batch_size)?;
        self.evaluate_rows(loss, x, y, 0..x.dims()[0], bs, None, &mut [])
    }

    /// The loss and every compiled metric on `(x, y)` (Keras's `evaluate(return_dict=True)`,
    /// and its list form): the same batches and f32 averaging as
    /// [`evaluate`](Self::evaluate), whose loss it returns bit for bit, with each metric's
    /// running mean over all the samples. Dropout is off; `batch_size` defaults to 32.
    pub fn evaluate_with_metrics<'v>(
        &mut self,
        x: impl Into<TensorView<'v>>,
        y: impl Into<TensorView<'v>>,
        batch_size: Option<usize>,
    ) -> Result<Evaluation> {
        let (x, y): (TensorView<'_>, TensorView<'_>) = (x.into(), y.into());
        let (loss, bs) = self.check_evaluate("evaluate_with_metrics", x, y, batch_size)?;
        let mut states = vec![MetricState::new(); self.metrics.len()];
        let value = self.evaluate_rows(loss, x, y, 0..x.dims()[0], bs, None, &mut states)?;
        let values: Vec<f32> = states
            .iter()
            .zip(&self.metrics)
            .map(|(s, m)| s.result(m.metric))
            .collect();
        Ok(evaluation(value, &self.metrics, &self.metric_keys, &values))
    }

    /// [`evaluate`](Self::evaluate) and [`predict`](Self::predict) in one forward pass over
    /// `x`: the loss on `(x, y)`, bit-identical to `evaluate`'s (same batches, same averaging,
    /// penalties included), and the model's outputs `(samples, *output_shape)`, bit-identical
    /// to `predict`'s with the same `batch_size` (default 32). Dropout is off. Stateful layers
    /// advance their state once, as for one `evaluate` call.
    pub fn evaluate_with_predictions<'v>(
        &mut self,
        x: impl Into<TensorView<'v>>,
        y: impl Into<TensorView<'v>>,
        batch_size: Option<usize>,
    ) -> Result<(f32, Tensor)> {
        let (x, y): (TensorView<'_>, TensorView<'_>) = (x.into(), y.into());
        let (loss, bs) = self.check_evaluate("evaluate_with_predictions", x, y, batch_size)?;
        let n = x.dims()[0];
        let mut dims = vec![n];
        dims.extend_from_slice(self.output_shape().unwrap_or_default());
        let mut out = Vec::with_capacity(dims.iter().product());
        let score = self.evaluate_rows(loss, x, y, 0..n, bs, Some(&mut out), &mut [])?;
        let predictions =
            Tensor::from_vec(out, &dims).map_err(ag("evaluate_with_predictions output"))?;
        Ok((score, predictions))
    }

    /// The checks `evaluate` makes (compiled, `x` and `y` agree, built for `x`); returns the
    /// loss and the batch size.
    fn check_evaluate(
        &mut self,
        what: &str,
        x: TensorView<'_>,
        y: TensorView<'_>,
        batch_size: Option<usize>,
    ) -> Result<(Loss, usize)> {
        let Some(loss) = self.loss else {
            return Err(NnError::state(format!(
                "{what} needs a compiled model: call compile(loss, optimizer) first"
            )));
        };
        check_xy(what, x, y)?;
        self.ensure_built(what, x.dims())?;
        Ok((loss, check_batch(batch_size)?))
    }

    /// `evaluate` on the samples `rows` of `x` and `y` (validation_split's part), appending
    /// each batch's outputs to `predictions` when given and adding each batch to `metrics`
    /// (empty, or one state per compiled metric).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn evaluate_rows(
        &mut self,
        loss: Loss,
        x: TensorView<'_>,
        y: TensorView<'_>,
        rows: Range<usize>,
        bs: usize,
        mut predictions: Option<&mut Vec<f32>>,
        metrics: &mut [MetricState],
    ) -> Result<f32> {
        let (xrow, yrow) = (row_len(x), row_len(y));
        let mut mean = LossMean::new();
        let mut start = rows.start;
        while start < rows.end {
            let b = bs.min(rows.end - start);
            let (xd, xr) = batch_dims(x.dims(), b);
            let (yd, yr) = batch_dims(y.dims(), b);
            let xs = &x.data()[start * xrow..(start + b) * xrow];
            let ys = &y.data()[start * yrow..(start + b) * yrow];
            self.tape.clear();
            let (pred, pen) =
                record_forward(&mut self.tape, &mut self.layers, xs, &xd[..xr], false)?;
            if let Some(out) = predictions.as_deref_mut() {
                out.extend_from_slice(self.tape.value(pred).map_err(ag("evaluate"))?);
            }
            let (_, value) =
                record_loss(&mut self.tape, &self.layers, loss, pred, pen, ys, &yd[..yr])?;
            mean.update(value, b);
            self.update_metrics(metrics, pred, ys, &yd[..yr])?;
            start += b;
        }
        Ok(mean.value())
    }

    /// The model's outputs for `x` (Keras `predict`), `(samples, *output_shape)`, computed in
    /// batches of `batch_size` (default 32) with dropout off. Does not need `compile`.
    pub fn predict<'v>(
        &mut self,
        x: impl Into<TensorView<'v>>,
        batch_size: Option<usize>,
    ) -> Result<Tensor> {
        let x: TensorView<'_> = x.into();
        if x.dims().len() < 2 || x.dims()[0] == 0 {
            return Err(NnError::invalid(
                "x",
                format!("shape {:?}", x.dims()),
                "at least one sample along the first axis, e.g. (samples, timesteps, features)",
            ));
        }
        self.ensure_built("predict", x.dims())?;
        let bs = check_batch(batch_size)?;
        let n = x.dims()[0];
        let xrow = row_len(x);
        let out_shape = self
            .output_shape()
            .map(<[usize]>::to_vec)
            .unwrap_or_default();
        let orow: usize = out_shape.iter().product();
        let mut out = Vec::with_capacity(n * orow);
        let mut start = 0;
        while start < n {
            let b = bs.min(n - start);
            let (xd, xr) = batch_dims(x.dims(), b);
            self.tape.clear();
            let xs = &x.data()[start * xrow..(start + b) * xrow];
            let (pred, _) = record_forward(&mut self.tape, &mut self.layers, xs, &xd[..xr], false)?;
            out.extend_from_slice(self.tape.value(pred).map_err(ag("predict"))?);
            start += b;
        }
        let mut dims = vec![n];
        dims.extend_from_slice(&out_shape);
        Tensor::from_vec(out, &dims).map_err(ag("predict output"))
    }
}

fn check_batch(batch_size: Option<usize>) -> Result<usize> {
    match batch_size {
        Some(0) => Err(NnError::invalid("batch_size", 0, "a positive integer")),
        Some(b) => Ok(b),
        None => Ok(DEFAULT_BATCH_SIZE),
    }
}
