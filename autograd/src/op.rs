//! The op recorded in each tape node: its inputs (node indices) and what backward needs.
//!
//! [`OpKind`] is the fieldless list of op kinds; [`OpKind::ALL`] is generated with the enum, so
//! the gradient-check coverage test can compare it with the kinds it checks.

use crate::activation::Activation;
use crate::loss::Loss;
use crate::ops::gated::GatedOp;

macro_rules! op_kinds {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        /// The kind of a tape node's op (see [`crate::Tape::op_kind`]).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum OpKind {
            $($(#[$doc])* $name,)*
        }
        impl OpKind {
            /// Every op kind, in declaration order.
            pub const ALL: &'static [OpKind] = &[$(OpKind::$name,)*];
        }
    };
}

op_kinds! {
    /// A leaf: parameter (needs a gradient) or constant.
    Leaf,
    /// 2-D matrix product (leading dimensions of the left operand act as rows).
    MatMul,
    /// Broadcasting addition.
    Add,
    /// Broadcasting subtraction.
    Sub,
    /// Broadcasting multiplication.
    Mul,
    /// Broadcasting division.
    Div,
    /// `-x`.
    Neg,
    /// `c * x`.
    Scale,
    /// `x^2`.
    Square,
    /// `sqrt(x)`.
    Sqrt,
    /// `|x|`.
    Abs,
    /// `exp(x)`.
    Exp,
    /// `ln(x)`.
    Log,
    /// Sum of all elements.
    SumAll,
    /// Mean of all elements.
    MeanAll,
    /// Sum over one axis.
    SumAxis,
    /// Mean over one axis.
    MeanAxis,
    /// Same data, new shape.
    Reshape,
    /// 2-D transpose.
    Transpose,
    /// A contiguous range along one axis (the axis is kept).
    Slice,
    /// One index along one axis (the axis is dropped).
    Select,
    /// Equal-shaped inputs stacked along a new axis.
    Stack,
    /// Inputs joined along an existing axis.
    Concat,
    /// A Keras activation.
    Activation,
    /// A Keras loss (scalar result).
    Loss,
    /// The fused SimpleRNN sequence op.
    SimpleRnn,
    /// The fused LSTM sequence op.
    Lstm,
    /// The fused GRU sequence op.
    Gru,
}

/// Elementwise binary ops with broadcasting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryKind {
    Add,
    Sub,
    Mul,
    Div,
}

/// Elementwise unary ops.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum UnaryKind {
    Neg,
    Scale(f32),
    Square,
    Sqrt,
    Abs,
    Exp,
    Log,
}

/// Node index meaning "absent" in optional op inputs.
pub(crate) const NONE: u32 = u32::MAX;

/// A node's op.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    Leaf,
    MatMul {
        a: u32,
        b: u32,
    },
    Binary {
        kind: BinaryKind,
        a: u32,
        b: u32,
    },
    Unary {
        kind: UnaryKind,
        x: u32,
    },
    SumAll {
        x: u32,
    },
    MeanAll {
        x: u32,
    },
    SumAxis {
        x: u32,
        axis: u8,
    },
    MeanAxis {
        x: u32,
        axis: u8,
    },
    Reshape {
        x: u32,
    },
    Transpose {
        x: u32,
    },
    Slice {
        x: u32,
        axis: u8,
        start: usize,
    },
    Select {
        x: u32,
        axis: u8,
        index: usize,
    },
    /// Inputs are `links[first..first + count]`.
    Stack {
        axis: u8,
        first: u32,
        count: u32,
    },
    /// Inputs are `links[first..first + count]`.
    Concat {
        axis: u8,
        first: u32,
        count: u32,
    },
    Activation {
        x: u32,
        act: Activation,
    },
    Loss {
        pred: u32,
        target: u32,
        loss: Loss,
    },
    SimpleRnn(GatedOp),
    Lstm(GatedOp),
    Gru(GatedOp),
}

impl Op {
    pub(crate) fn kind(&self) -> OpKind {
        match self {
            Op::Leaf => OpKind::Leaf,
            Op::MatMul { .. } => OpKind::MatMul,
            Op::Binary { kind, .. } => match kind {
                BinaryKind::Add => OpKind::Add,
                BinaryKind::Sub => OpKind::Sub,
                BinaryKind::Mul => OpKind::Mul,
                BinaryKind::Div => OpKind::Div,
            },
            Op::Unary { kind, .. } => match kind {
                UnaryKind::Neg => OpKind::Neg,
                UnaryKind::Scale(_) => OpKind::Scale,
                UnaryKind::Square => OpKind::Square,
                UnaryKind::Sqrt => OpKind::Sqrt,
                UnaryKind::Abs => OpKind::Abs,
                UnaryKind::Exp => OpKind::Exp,
                UnaryKind::Log => OpKind::Log,
            },
            Op::SumAll { .. } => OpKind::SumAll,
            Op::MeanAll { .. } => OpKind::MeanAll,
            Op::SumAxis { .. } => OpKind::SumAxis,
            Op::MeanAxis { .. } => OpKind::MeanAxis,
            Op::Reshape { .. } => OpKind::Reshape,
            Op::Transpose { .. } => OpKind::Transpose,
            Op::Slice { .. } => OpKind::Slice,
            Op::Select { .. } => OpKind::Select,
            Op::Stack { .. } => OpKind::Stack,
            Op::Concat { .. } => OpKind::Concat,
            Op::Activation { .. } => OpKind::Activation,
            Op::Loss { .. } => OpKind::Loss,
            Op::SimpleRnn(_) => OpKind::SimpleRnn,
            Op::Lstm(_) => OpKind::Lstm,
            Op::Gru(_) => OpKind::Gru,
        }
    }
}
