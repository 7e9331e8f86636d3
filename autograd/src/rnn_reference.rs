//! The SimpleRNN built from basic ops, step by step: the reference the fused
//! [`Tape::simple_rnn`] is tested (and benchmarked) against.

use crate::activation::Activation;
use crate::error::Result;
use crate::ops::rnn::{SimpleRnnInputs, SimpleRnnOutput};
use crate::tape::{Tape, Var};

impl Tape {
    /// The same computation as [`Tape::simple_rnn`] (same arguments, same outputs) recorded as
    /// select, mul, matmul, add, activation and stack nodes, one set per timestep. Slower; kept
    /// as the reference for tests and benchmarks.
    pub fn simple_rnn_unfused(
        &mut self,
        inputs: &SimpleRnnInputs,
        activation: Activation,
        go_backwards: bool,
    ) -> Result<SimpleRnnOutput> {
        let xs = self.shape(inputs.x)?;
        let steps = xs.dims().get(1).copied().unwrap_or(0);
        let mut prev: Option<Var> = inputs.initial_state;
        let mut states = Vec::with_capacity(steps);
        for s in 0..steps {
            let t = if go_backwards { steps - 1 - s } else { s };
            let mut xt = self.select(inputs.x, 1, t)?;
            if let Some(m) = inputs.input_mask {
                xt = self.mul(xt, m)?;
            }
            let mut z = self.matmul(xt, inputs.kernel)?;
            if let Some(b) = inputs.bias {
                z = self.add(z, b)?;
            }
            if let Some(mut h) = prev {
                if let Some(m) = inputs.recurrent_mask {
                    h = self.mul(h, m)?;
                }
                let r = self.matmul(h, inputs.recurrent_kernel)?;
                z = self.add(z, r)?;
            }
            let h = self.activation(z, activation)?;
            states.push(h);
            prev = Some(h);
        }
        let sequence = self.stack(&states, 1)?;
        let last = *states.last().ok_or(crate::AutogradError::Empty {
            op: "simple_rnn_unfused",
            arg: "x's time axis",
        })?;
        Ok(SimpleRnnOutput { sequence, last })
    }
}
