//! fitcheck: which local LLMs fit on a machine, at what context, and how fast.

pub mod catalog;
pub mod estimate;
pub mod search;
