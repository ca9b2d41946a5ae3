#![no_main]
//! Any byte string must parse or fail with an error, and whatever parses must estimate without a
//! panic, an overflow or a huge allocation.

use fitcheck::estimate::hardware::{Backend, Hardware};
use fitcheck::estimate::{estimate_with_weights, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(g) = fitcheck::gguf::parse_bytes(data, "fuzz.gguf") else { return };
    let Ok(m) = fitcheck::gguf::to_model(&g, "fuzz") else { return };
    let hw = Hardware {
        gpus: 2,
        ram: 64 << 30,
        ram_bandwidth_gbps: 80.0,
        fp16_tflops: 100.0,
        ..Hardware::new("gpu", "gpu", Backend::Cuda, 24 << 30, 1000.0)
    };
    let s = Settings { context: 8192, parallel: 2, ..Settings::default() };
    let _ = estimate_with_weights(&m.spec, &hw, &s, &m.weights);
});
