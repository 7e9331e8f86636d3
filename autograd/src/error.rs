//! The error type of every fallible autograd call.

use std::fmt;

use crate::shape::Shape;

/// Why an autograd call was rejected. Every variant names the op (the public method that failed)
/// and the offending shapes or values, so it can be printed as is.
#[derive(Debug, Clone, PartialEq)]
pub enum AutogradError {
    /// Two operands whose shapes do not fit together.
    ShapeMismatch {
        /// The op that was called.
        op: &'static str,
        /// Shape of the first operand.
        lhs: Shape,
        /// Shape of the second operand.
        rhs: Shape,
        /// What the op needs.
        expected: &'static str,
    },
    /// One operand whose shape the op cannot take.
    BadShape {
        /// The op that was called.
        op: &'static str,
        /// Which argument.
        arg: &'static str,
        /// Its shape.
        shape: Shape,
        /// What the op needs.
        expected: &'static str,
    },
    /// A data slice whose length does not match its shape.
    DataLength {
        /// The op that was called.
        op: &'static str,
        /// Requested dimensions.
        dims: Vec<usize>,
        /// Elements the dimensions need.
        expected: usize,
        /// Elements given.
        got: usize,
    },
    /// More dimensions than [`crate::MAX_RANK`], or a product of dimensions that overflows.
    BadDims {
        /// The op that was called.
        op: &'static str,
        /// Requested dimensions.
        dims: Vec<usize>,
        /// Why they are rejected.
        reason: &'static str,
    },
    /// An axis, index or range outside the operand.
    OutOfRange {
        /// The op that was called.
        op: &'static str,
        /// Which argument.
        arg: &'static str,
        /// The given value.
        value: usize,
        /// The exclusive bound it must stay below (or reach, for range ends).
        bound: usize,
        /// Shape of the operand.
        shape: Shape,
    },
    /// A [`crate::Var`] made by a different [`crate::Tape`].
    ForeignVar {
        /// The op that was called.
        op: &'static str,
        /// Id of the tape that made the var.
        var_tape: u32,
        /// Id of the tape it was used on.
        tape: u32,
    },
    /// A [`crate::Var`] made before the last [`crate::Tape::clear`].
    StaleVar {
        /// The op that was called.
        op: &'static str,
        /// Generation the var was made in.
        var_generation: u32,
        /// The tape's current generation.
        generation: u32,
    },
    /// A numeric argument outside its allowed range.
    InvalidArgument {
        /// The op that was called.
        op: &'static str,
        /// Which argument.
        arg: &'static str,
        /// The given value.
        value: f64,
        /// The allowed range or rule.
        expected: &'static str,
    },
    /// A gradient was asked for that does not exist.
    NoGradient {
        /// The op that was called.
        op: &'static str,
        /// Why there is none.
        reason: &'static str,
    },
    /// An activation name that is not a Keras activation recur supports.
    UnknownActivation {
        /// The name given.
        name: String,
    },
    /// A loss name that is not a Keras loss recur supports.
    UnknownLoss {
        /// The name given.
        name: String,
    },
    /// An argument that must not be empty was.
    Empty {
        /// The op that was called.
        op: &'static str,
        /// Which argument.
        arg: &'static str,
    },
    /// A combination of arguments recur does not support.
    Unsupported {
        /// The op that was called.
        op: &'static str,
        /// What is not supported, and why.
        what: &'static str,
    },
    /// The GEMM kernel rejected its operands (an internal inconsistency).
    Kernel(kernels::KernelError),
}

impl fmt::Display for AutogradError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use AutogradError::*;
        match self {
            ShapeMismatch {
                op,
                lhs,
                rhs,
                expected,
            } => write!(
                f,
                "{op}: shapes {lhs} and {rhs} do not fit\n  expected: {expected}"
            ),
            BadShape {
                op,
                arg,
                shape,
                expected,
            } => write!(f, "{op}: {arg} has shape {shape}\n  expected: {expected}"),
            DataLength {
                op,
                dims,
                expected,
                got,
            } => write!(
                f,
                "{op}: shape {dims:?} needs {expected} elements, but {got} were given"
            ),
            BadDims { op, dims, reason } => write!(f, "{op}: dimensions {dims:?}: {reason}"),
            OutOfRange {
                op,
                arg,
                value,
                bound,
                shape,
            } => write!(
                f,
                "{op}: {arg} = {value} is out of range for shape {shape} (bound {bound})"
            ),
            ForeignVar { op, var_tape, tape } => write!(
                f,
                "{op}: the variable belongs to tape #{var_tape}, not to tape #{tape}"
            ),
            StaleVar {
                op,
                var_generation,
                generation,
            } => write!(
                f,
                "{op}: the variable was made before the tape was cleared (its generation \
                 {var_generation}, the tape's {generation})"
            ),
            InvalidArgument {
                op,
                arg,
                value,
                expected,
            } => write!(f, "{op}: {arg} = {value}\n  expected: {expected}"),
            NoGradient { op, reason } => write!(f, "{op}: no gradient: {reason}"),
            UnknownActivation { name } => write!(
                f,
                "unknown activation {name:?}; known: {}",
                crate::Activation::KERAS_NAMES.join(", ")
            ),
            UnknownLoss { name } => write!(
                f,
                "unknown loss {name:?}; known: {}",
                crate::Loss::KERAS_NAMES.join(", ")
            ),
            Empty { op, arg } => write!(f, "{op}: {arg} is empty"),
            Unsupported { op, what } => write!(f, "{op}: not supported: {what}"),
            Kernel(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for AutogradError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AutogradError::Kernel(e) => Some(e),
            _ => None,
        }
    }
}

impl From<kernels::KernelError> for AutogradError {
    fn from(e: kernels::KernelError) -> Self {
        AutogradError::Kernel(e)
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, AutogradError>;
