#![no_main]
//! Any bytes given as a catalog (`--catalog`, an overlay catalog.ron) parse or fail with an error
//! naming line and column; whatever parses is within the limits and estimates without a panic.

use fitcheck::catalog::Catalog;
use fitcheck::estimate::{estimate, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = fitcheck::files::text_of(data.to_vec(), "fuzz.ron") else { return };
    let Ok(cat) = Catalog::parse(&text, "fuzz.ron") else { return };
    let s = Settings::default();
    for m in cat.models.iter().take(4) {
        for h in cat.hardware.iter().take(4) {
            let _ = estimate(m, h, &s);
        }
    }
});
