//! The differentiable ops, one file per family; each file holds the `Tape` method(s) that record
//! the forward pass and, beside them, the backward.

pub(crate) mod activation_op;
pub(crate) mod batch_chunks;
pub(crate) mod binary;
pub(crate) mod cell_record;
pub(crate) mod gated;
pub(crate) mod gru;
pub(crate) mod layout;
pub(crate) mod loss_op;
pub(crate) mod lstm;
pub(crate) mod matmul;
pub(crate) mod reduce;
pub(crate) mod rnn;
pub(crate) mod unary;
