//! The per-cell benchmark problem shared by the criterion `rnn` bench and the `cells-report`
//! binary: forward + backward of one batch through a fused SimpleRNN, LSTM or GRU
//! (`reset_after`, Keras' default), activation tanh, input drawn from N(0, 1), loss = mean of
//! the last output, gradients for every weight (not for the input, as in the peers' figures).
//! The ops are the last-only forms (`Tape::simple_rnn_last`, ...), as a Keras layer without
//! `return_sequences` runs them.
//!
//! Each step feeds the parameters by slice (copied into the tape), runs forward and backward,
//! reads every weight's gradient and clears the tape, as a training step does.

use autograd::{Activation, GruInputs, GruOptions, LstmInputs, LstmOptions, SimpleRnnInputs, Tape};
use rand::{RngExt, SeedableRng};

/// The shapes benchmarked, `(batch, timesteps, features, units)`.
pub const CELL_SHAPES: [[usize; 4]; 2] = [[32, 50, 8, 64], [128, 64, 32, 256]];

/// A fused recurrent cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Keras `SimpleRNN`.
    SimpleRnn,
    /// Keras `LSTM`.
    Lstm,
    /// Keras `GRU` (`reset_after=True`).
    Gru,
}

impl Cell {
    /// All three cells, in table order.
    pub const ALL: [Cell; 3] = [Cell::SimpleRnn, Cell::Lstm, Cell::Gru];

    /// Gate blocks of the cell's kernels (1, 4, 3).
    pub fn gates(self) -> usize {
        match self {
            Cell::SimpleRnn => 1,
            Cell::Lstm => 4,
            Cell::Gru => 3,
        }
    }

    /// The benchmark name: `simple_rnn`, `lstm` or `gru`.
    pub fn name(self) -> &'static str {
        match self {
            Cell::SimpleRnn => "simple_rnn",
            Cell::Lstm => "lstm",
            Cell::Gru => "gru",
        }
    }
}

/// One problem: the cell, its shape, the input and the weights (uniform in ±sqrt(6 / fan) for
/// the kernel, ±sqrt(1 / units) for the recurrent kernel, ±0.1 for the bias).
pub struct CellProblem {
    /// The cell.
    pub cell: Cell,
    /// `(batch, timesteps, features, units)`.
    pub dims: [usize; 4],
    /// The input `[batch, timesteps, features]`, row-major.
    pub x: Vec<f32>,
    /// kernel, recurrent kernel and bias, each with its shape.
    pub weights: Vec<(Vec<f32>, Vec<usize>)>,
}

impl CellProblem {
    /// The problem for `cell` at `dims = [batch, timesteps, features, units]` (fixed seeds).
    pub fn new(cell: Cell, dims: [usize; 4]) -> CellProblem {
        let [b, t, f, u] = dims;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
        let mut normal = || {
            // Box-Muller: one N(0, 1) draw from two uniforms.
            let u1: f32 = rng.random::<f32>().max(f32::MIN_POSITIVE);
            let u2: f32 = rng.random();
            (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
        };
        let x: Vec<f32> = (0..b * t * f).map(|_| normal()).collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut uniform = |n: usize, limit: f32| -> Vec<f32> {
            (0..n)
                .map(|_| (rng.random::<f32>() * 2.0 - 1.0) * limit)
                .collect()
        };
        let g = cell.gates() * u;
        let mut weights = vec![
            (uniform(f * g, (6.0 / (f + g) as f32).sqrt()), vec![f, g]),
            (uniform(u * g, (1.0 / u as f32).sqrt()), vec![u, g]),
        ];
        match cell {
            Cell::Gru => weights.push((uniform(2 * g, 0.1), vec![2, g])),
            _ => weights.push((uniform(g, 0.1), vec![g])),
        }
        CellProblem {
            cell,
            dims,
            x,
            weights,
        }
    }

    /// One training step's tape work on `tape` (forward, backward, reading the gradients,
    /// clearing the tape); returns a checksum of the gradients.
    pub fn step(&self, tape: &mut Tape) -> autograd::Result<f32> {
        let [b, t, f, _] = self.dims;
        let x = tape.constant(&self.x, &[b, t, f])?;
        let kernel = tape.param(&self.weights[0].0, &self.weights[0].1)?;
        let recurrent_kernel = tape.param(&self.weights[1].0, &self.weights[1].1)?;
        let bias = tape.param(&self.weights[2].0, &self.weights[2].1)?;
        let last = match self.cell {
            Cell::SimpleRnn => {
                let inputs = SimpleRnnInputs {
                    x,
                    kernel,
                    recurrent_kernel,
                    bias: Some(bias),
                    initial_state: None,
                    input_mask: None,
                    recurrent_mask: None,
                };
                tape.simple_rnn_last(&inputs, Activation::Tanh, false)?
            }
            Cell::Lstm => {
                let inputs = LstmInputs {
                    x,
                    kernel,
                    recurrent_kernel,
                    bias: Some(bias),
                    initial_h: None,
                    initial_c: None,
                    input_mask: None,
                    recurrent_mask: None,
                };
                tape.lstm_last(&inputs, &LstmOptions::default())?.last
            }
            Cell::Gru => {
                let inputs = GruInputs {
                    x,
                    kernel,
                    recurrent_kernel,
                    bias: Some(bias),
                    initial_state: None,
                    input_mask: None,
                    recurrent_mask: None,
                };
                tape.gru_last(&inputs, &GruOptions::default())?
            }
        };
        let loss = tape.mean(last)?;
        tape.backward(loss)?;
        let mut sum = 0.0;
        for v in [kernel, recurrent_kernel, bias] {
            sum += tape.grad(v)?[0];
        }
        tape.clear();
        Ok(sum)
    }
}
