//! The many-series figures (`many-report`): a deterministic set of synthetic series, local
//! runs timed on rayon pools of given sizes (bit-identical across them by design), and local
//! against global forecast quality.
//!
//! - [`generate`]: the series, from splitmix64 (portable: `benches/compare/many_keras.py`
//!   draws the same values in Python).
//! - [`measure`]: the runs' settings, a timed local run, peak memory, fingerprints.
//! - [`quality`]: local against global, beside the mean-of-window baseline and persistence.

pub mod generate;
pub mod measure;
pub mod quality;
