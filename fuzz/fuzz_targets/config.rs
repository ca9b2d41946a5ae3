#![no_main]
//! Any bytes given as config.ron parse or fail with an error naming line, column and field.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = fitcheck::files::text_of(data.to_vec(), "config.ron") else { return };
    let _ = fitcheck::config::Config::parse(&text, "config.ron");
});
