#![no_main]
//! Any bytes given as an Ollama manifest name a blob inside the store (letters, digits and
//! dashes only) or fail with an error.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(blob)) = fitcheck::local::manifest_model_blob(data) {
        assert!(!blob.is_empty());
        assert!(blob.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
});
