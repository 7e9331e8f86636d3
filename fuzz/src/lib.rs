//! recur's fuzz targets, one plain function per target, each asserting the invariants of the
//! code it drives. A violated invariant is a panic, which the fuzzer (fuzz/afl/, AFL++) records
//! as a crash and the tests (tests/replay.rs) report as a failure.
//!
//! - [`csv_reader`]: data's CSV reader under several option sets.
//! - [`keras_config`]: nn's reader of Keras 3 `config.json` files (from `.keras` archives).
//! - [`model_loader`]: nn's checkpoint parser, model loader and upgrade path for old files, and
//!   the reading of the model file with its settings (the `forecast` crate's, as the CLI and
//!   Python read it).
//!
//! Why a library of plain functions: the AFL binaries, the replay tests and any other fuzzer
//! (cargo-fuzz on a nightly machine) call the same code, so a finding replays in
//! `cargo test --workspace` on stable without AFL installed.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod csv_target;
mod keras_target;
mod model_target;

pub use csv_target::csv_reader;
pub use keras_target::keras_config;
pub use model_target::model_loader;
