#![no_main]
//! Any bytes given as a safetensors folder's config.json give a model within the limits, which
//! estimates without a panic, or an error naming the file.

use fitcheck::estimate::{estimate, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = fitcheck::files::text_of(data.to_vec(), "config.json") else { return };
    let Ok((spec, _weights, _quant)) =
        fitcheck::local::model_from_config(&text, "config.json", "local:org/m", "m", 1 << 30)
    else {
        return;
    };
    let Ok(cat) = fitcheck::catalog::Catalog::builtin() else { return };
    if let Some(hw) = cat.hardware.first() {
        let _ = estimate(&spec, hw, &Settings::default());
    }
});
