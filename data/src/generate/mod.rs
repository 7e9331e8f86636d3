//! Synthetic series generators.
//!
//! - [`sine`]: the tutorial's noisy sine, a [`Series`] to window.
//! - [`long_dependency`]: the marked-recall and adding tasks, ready-made sequences `[N, T, 2]`
//!   with targets, where gated cells (LSTM, GRU) beat a SimpleRNN.
//!
//! [`Series`]: crate::Series

mod long_dependency;
mod noise;
mod sine;

pub use long_dependency::{
    LONG_DEPENDENCY_FEATURES, LongDependencyConfig, LongDependencyData, LongDependencyKind,
    MAX_SEQUENCE_LEN, SequencePart, ValueDistribution, long_dependency,
};

pub use noise::NoiseKind;
pub use sine::{MAX_GENERATED_LEN, SineConfig, sine};
