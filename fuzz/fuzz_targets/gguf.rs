#![no_main]
//! Any byte string must parse or fail with an error, and whatever parses must estimate without a
//! panic, an overflow or a huge allocation.

use fitcheck::estimate::hardware::{Backend, Hardware, HardwareKind};
use fitcheck::estimate::{estimate_with_weights, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(g) = fitcheck::gguf::parse_bytes(data, "fuzz.gguf") else { return };
    let Ok(m) = fitcheck::gguf::to_model(&g, "fuzz") else { return };
    let hw = Hardware {
        id: "gpu".into(),
        name: "gpu".into(),
        kind: HardwareKind::Custom,
        backend: Backend::Cuda,
        unified: false,
        memory: 24 << 30,
        gpus: 2,
        bandwidth_gbps: 1000.0,
        ram: 64 << 30,
        ram_bandwidth_gbps: 80.0,
        fp16_tflops: 100.0,
        fp32_tflops: None,
        compute_capability: None,
        cpu_class: None,
        working_set: None,
        price_usd: None,
        power_w: None,
        source: None,
        cards: Vec::new(),
        measured: None,
        cluster: None,
    };
    let s = Settings { context: 8192, parallel: 2, ..Settings::default() };
    let _ = estimate_with_weights(&m.spec, &hw, &s, &m.weights);
});
