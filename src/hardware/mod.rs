//! This machine: detection of memory, CPU and GPUs. Fails soft: a machine where nothing can be
//! detected still gets a CPU-only description, with notes saying what was guessed.

pub mod compute;
pub mod detect;
pub mod parse;

pub use detect::{detect, Detection};

/// The catalog preset a device name means; the one preset matcher, in [`crate::resolve`].
pub use crate::resolve::match_preset as best_preset;
