#![no_main]
//! Any bytes given as an Ollama manifest name blobs inside the store (letters, digits and
//! dashes only) or fail with an error.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(blobs)) = fitcheck::local::manifest_blobs(data) {
        for blob in std::iter::once(&blobs.model).chain(&blobs.projector) {
        assert!(!blob.is_empty());
        assert!(blob.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        }
    }
});
