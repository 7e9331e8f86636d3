//! `autograd`: tensors and tape-based reverse-mode automatic differentiation for recur.
//!
//! - [`Tensor`]: a [`Shape`] plus contiguous row-major `f32` data.
//! - [`Tape`] records ops as nodes; [`Var`] is a small `Copy` handle to a node.
//!   [`Tape::backward`] walks the nodes once in reverse; [`Tape::grad`] reads gradients.
//! - Ops: matmul (through `kernels::gemm`), broadcasting arithmetic, unary math, reductions,
//!   layout ops, Keras [`Activation`]s and [`Loss`]es, dropout masks and the fused
//!   [`Tape::simple_rnn`], [`Tape::lstm`] and [`Tape::gru`] (and their `_last` forms, e.g.
//!   [`Tape::simple_rnn_last`], for when only the last state is used).
//!
//! A training step (what `nn` does):
//! ```
//! use autograd::{Activation, Loss, Tape};
//! # fn main() -> Result<(), autograd::AutogradError> {
//! let mut w = vec![0.5f32, -0.25]; // parameters live outside the tape
//! let mut tape = Tape::new();
//! for _step in 0..3 {
//!     let x = tape.constant(&[1.0, 2.0, 3.0, 4.0], &[2, 2])?;
//!     let y = tape.constant(&[1.0, 0.0], &[2, 1])?;
//!     let wv = tape.param(&w, &[2, 1])?; // copied in
//!     let h = tape.matmul(x, wv)?;
//!     let p = tape.activation(h, Activation::Tanh)?;
//!     let loss = tape.loss(Loss::MeanSquaredError, y, p)?;
//!     tape.backward(loss)?;
//!     let g = tape.grad(wv)?; // a slice into the tape
//!     w.iter_mut().zip(g).for_each(|(w, g)| *w -= 0.1 * g);
//!     tape.clear(); // keeps every allocation
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod activation;
mod dropout;
mod error;
mod gated_reference;
mod loss;
mod op;
mod ops;
mod rnn_reference;
mod shape;
mod tape;
mod tensor;

pub(crate) use tape::backward as tape_backward;

pub use activation::Activation;
pub use dropout::{dropout_mask, fill_dropout_mask};
pub use error::{AutogradError, Result};
pub use loss::Loss;
pub use op::OpKind;
pub use ops::gru::{GruInputs, GruOptions, GruOutput};
pub use ops::lstm::{LstmInputs, LstmLast, LstmOptions, LstmOutput};
pub use ops::rnn::{SimpleRnnInputs, SimpleRnnOutput};
pub use shape::{MAX_RANK, Shape};
pub use tape::{Tape, Var};
pub use tensor::{Tensor, TensorView};
