//! Shared test fixtures: an app on a fixed catalog and a fixed machine (never the detected one).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use fitcheck::app::App;
use fitcheck::catalog::Catalog;
use fitcheck::estimate::hardware::{Backend, Hardware, HardwareKind};
use fitcheck::estimate::kv::{CacheLayout, CacheShape, KvType};
use fitcheck::estimate::units::GIB;

/// The rows of a CSV file under tests/data, each as column → value.
pub fn data_rows(name: &str) -> Vec<std::collections::HashMap<String, String>> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    rdr.deserialize()
        .map(|row| row.unwrap_or_else(|e| panic!("{path}: {e}")))
        .collect()
}

/// The cache llama-completion allocates by default for `context` tokens over `parallel`
/// sequences: F16 K and V, ubatch 512, flash attention on, one logits row.
pub fn completion_cache(context: u32, parallel: u32, layout: CacheLayout) -> CacheShape {
    CacheShape {
        context,
        parallel,
        layout,
        k_type: KvType::F16,
        v_type: KvType::F16,
        n_ubatch: 512,
        n_outputs: 1,
        flash_attn: true,
        ollama_swa_memory: None,
    }
}

pub fn ui_catalog() -> Arc<Catalog> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ui_catalog.ron");
    Arc::new(Catalog::from_path(std::path::Path::new(path)).expect("fixture parses"))
}

pub fn fixed_machine() -> Hardware {
    Hardware {
        kind: HardwareKind::Detected,
        fp16_tflops: 1.0,
        ..Hardware::new(
            "this-machine",
            "This machine (test, 32 GiB CPU)",
            Backend::Cpu,
            32 * GIB,
            60.0,
        )
    }
}

pub fn app_on(hardware: &str) -> App {
    App::new(ui_catalog(), fixed_machine(), Some(hardware))
}
pub mod gguf_writer;
pub mod hub_server;

#[path = "../../benches/common.rs"]
mod synthetic;

/// An app on `n` models: the real catalog's architectures under new names (the benchmarks'
/// synthetic catalog), with the real hardware.
pub fn synthetic_app_on(n: usize, hardware: &str) -> App {
    App::new(synthetic::synthetic(n), fixed_machine(), Some(hardware))
}

/// An app on the real, built-in catalog (prices, every guide model).
pub fn real_app_on(hardware: &str) -> App {
    let catalog = Arc::new(Catalog::builtin().expect("built-in catalog"));
    App::new(catalog, fixed_machine(), Some(hardware))
}

/// The text of a rendered screen, one line per row.
pub fn screen(t: &ratatui::Terminal<ratatui::backend::TestBackend>) -> String {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
