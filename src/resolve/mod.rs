//! One resolver for the names people type or paste: models (catalog ids, Hugging Face repos and
//! their re-uploads, Ollama tags, GGUF file names, fine-tunes of known bases) and hardware
//! (vendor-less names, bare numbers, chip names). Every command and the app resolve through
//! here. Pure: no I/O.

pub mod hardware;
pub mod model;
pub mod names;

pub use hardware::{is_this_machine, match_preset, resolve_hardware};
pub use model::{resolve_model, ModelMatch};

use std::fmt;

/// Why a name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    /// What was looked for (`model`, `hardware`).
    pub what: &'static str,
    /// The query.
    pub query: String,
    /// Closest known names.
    pub suggestions: Vec<String>,
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} '{}'", self.what, self.query)?;
        if !self.suggestions.is_empty() {
            write!(f, "; did you mean: {}?", self.suggestions.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for NotFound {}
