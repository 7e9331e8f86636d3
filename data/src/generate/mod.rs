//! Synthetic series generators.
//!
//! Today this holds the tutorial's noisy sine ([`sine`]); further built-in tasks (for example a
//! long-dependency benchmark) belong here as sibling modules, each returning a [`Series`].
//!
//! [`Series`]: crate::Series

mod noise;
mod sine;

pub use noise::NoiseKind;
pub use sine::{MAX_GENERATED_LEN, SineConfig, sine};
