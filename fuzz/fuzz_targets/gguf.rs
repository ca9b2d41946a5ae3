#![no_main]
//! Any byte string must parse or fail with an error: no panic, no huge allocation.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(g) = fitcheck::gguf::parse_bytes(data, "fuzz.gguf") {
        let _ = fitcheck::gguf::to_model(&g, "fuzz");
    }
});
