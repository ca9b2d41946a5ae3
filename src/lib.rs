//! fitcheck: which local LLMs fit on a machine, at what context, and how fast.

pub use error::Error;

pub mod app;
pub mod calibrate;
pub mod catalog;
pub mod cli;
pub mod compare;
pub mod config;
pub mod error;
pub mod estimate;
pub mod files;
pub mod gguf;
pub mod guide;
pub mod hardware;
pub mod hub;
pub mod limits;
pub mod local;
mod parallel;
pub mod quality;
pub mod recommend;
pub mod resolve;
pub mod search;
pub mod tui;
pub mod ui;
pub mod validate;
