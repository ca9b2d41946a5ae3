//! Times a search keystroke on 100k models (maintainer aid for docs/performance.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::time::Instant;

use fitcheck::app::extras;
use fitcheck::catalog::Catalog;
use fitcheck::search::ModelSearch;

fn main() {
    let real = Catalog::builtin().unwrap();
    let items: Vec<(String, String)> = (0..100_000)
        .map(|i| {
            let m = &real.models[i % real.models.len()];
            (format!("{} variant {i}", m.name), extras(m))
        })
        .collect();
    let t = Instant::now();
    let mut s = ModelSearch::new(items);
    println!("index 100k: {:?}", t.elapsed());
    for q in [
        "l", "ll", "lla", "llam", "llama", "q", "qwen", "qwen3", "coding", "zzzz", "",
    ] {
        let t = Instant::now();
        s.set_query(q);
        println!("{q:8} {:6} matches in {:?}", s.matched(), t.elapsed());
    }
}
