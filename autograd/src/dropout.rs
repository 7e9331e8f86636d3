//! Inverted dropout masks: each entry is 0 with probability `rate`, else `1 / (1 - rate)`, so
//! `x * mask` keeps the expected value of `x`. The caller keeps the mask and may reuse it (Keras
//! 3's SimpleRNN applies one input mask and one recurrent mask at every timestep of a call).

use rand::{Rng, RngExt};

use crate::error::{AutogradError, Result};
use crate::op::Op;
use crate::shape::Shape;
use crate::tape::{Tape, Var};
use crate::tensor::Tensor;

/// Fills `mask` with an inverted dropout mask drawn from `rng` (one `f32` draw per entry;
/// an entry is dropped when its draw is below `rate`).
///
/// `rate` must lie in `[0, 1]`: Keras silently clamps out-of-range rates, recur rejects them.
/// `rate = 1` gives all zeros, `rate = 0` all ones (and still draws, so the stream advances
/// the same way for any rate).
pub fn fill_dropout_mask<R: Rng + ?Sized>(mask: &mut [f32], rate: f32, rng: &mut R) -> Result<()> {
    if !(0.0..=1.0).contains(&rate) {
        return Err(AutogradError::InvalidArgument {
            op: "dropout_mask",
            arg: "rate",
            value: rate as f64,
            expected: "a rate in [0, 1] (Keras clamps; recur rejects)",
        });
    }
    let keep = if rate < 1.0 { 1.0 / (1.0 - rate) } else { 0.0 };
    for m in mask.iter_mut() {
        let u: f32 = rng.random();
        *m = if u < rate { 0.0 } else { keep };
    }
    Ok(())
}

/// A new tensor of shape `dims` holding an inverted dropout mask (see [`fill_dropout_mask`]).
pub fn dropout_mask<R: Rng + ?Sized>(dims: &[usize], rate: f32, rng: &mut R) -> Result<Tensor> {
    let mut t = Tensor::zeros(dims)?;
    fill_dropout_mask(t.data_mut(), rate, rng)?;
    Ok(t)
}

impl Tape {
    /// A constant node of shape `dims` holding a fresh inverted dropout mask, drawn in place
    /// (no allocation once warm). Apply it with [`Tape::mul`]; pass it to
    /// [`Tape::simple_rnn`] to reuse it at every timestep.
    pub fn dropout_mask<R: Rng + ?Sized>(
        &mut self,
        dims: &[usize],
        rate: f32,
        rng: &mut R,
    ) -> Result<Var> {
        let shape = Shape::checked("dropout_mask", dims)?;
        let off = self.push_unfilled(shape, Op::Leaf, false);
        if let Err(e) = fill_dropout_mask(&mut self.values[off..off + shape.numel()], rate, rng) {
            self.pop_last();
            return Err(e);
        }
        Ok(self.last_var())
    }
}
