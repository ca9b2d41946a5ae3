#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! The 2026 architectures' caches against llama.cpp's own report. Each row of
//! tests/data/arch_2026_buffers.csv is a llama-completion run (CPU build b11312) on a synthetic GGUF
//! from tools/gen_arch.py that keeps a catalog model's cache-shaping widths (KV heads and dims, MLA
//! latent, indexer key, Mamba-2 and short-conv state) and shrinks what only sizes weights (hidden
//! width, layers, experts). The same shrink applied to the catalog entry must reproduce the KV
//! (latent + indexer keys), recurrent-state and parameter figures llama.cpp printed.

mod common;

use common::completion_cache;
use fitcheck::catalog::Catalog;
use fitcheck::estimate::kv::{cache_bytes, CacheLayout};
use fitcheck::estimate::model::{Arch, Attention, Hybrid, LayerLayout};
use fitcheck::estimate::tensors::{inventory, parameter_count};
use fitcheck::estimate::units::MIB;

/// The catalog entry's architecture shrunk as tools/gen_arch.py shrinks it for `file`.
fn shrunk(arch: &Arch, file: &str) -> Arch {
    let mut a = arch.clone();
    if file.starts_with("gemma4") {
        return shrunk_gemma4(a, file);
    }
    a.hidden = 512;
    a.vocab = 128256; // the llama-bpe tokenizer the generator copies
    a.tied_embeddings = false;
    let moe = a.moe.as_mut().expect("a MoE model");
    moe.experts = 4;
    moe.used = 2;
    moe.expert_ffn = 256;
    match file {
        "nemotron3_nano_4l" | "nemotron3_super_4l" => {
            a.layers = 4;
            moe.shared_ffn = Some(512);
            moe.latent = moe.latent.map(|_| 128);
            let state = a.hybrid.as_ref().unwrap().state;
            a.hybrid = Some(Hybrid {
                layout: LayerLayout::Pattern("ME*E".into()),
                state,
            });
        }
        "deepseek32_2l" | "glm5_2l" => {
            a.layers = 2;
            a.ffn = 1024;
            moe.leading_dense = 1;
        }
        "minimax_m3_4l" => {
            a.layers = 4;
            a.ffn = 1024;
            moe.leading_dense = 2;
        }
        "lfm2moe_4l" => {
            a.layers = 4;
            a.ffn = 1024;
            (a.heads, a.kv_heads) = (8, 8);
            let state = a.hybrid.as_ref().unwrap().state;
            a.hybrid = Some(Hybrid {
                layout: LayerLayout::AttentionAt(vec![2]),
                state,
            });
        }
        other => panic!("no shrink rule for {other}"),
    }
    a
}

/// 1-D tensors the inventory leaves out because they are a rounding error of the weights:
/// per-layer Q and K norms of one head dim each (Gemma 4, MiniMax M3) and Gemma 4's one
/// `rope_freqs` vector (half the full layers' head dim); 0.0005 % of the real E2B. Counted here
/// so the comparison with llama.cpp's parameter total stays exact.
fn unmodelled_vectors(a: &Arch, file: &str) -> u64 {
    let qk: u64 = (0..a.layers)
        .map(|il| 2 * u64::from(a.kv_shape(il).1))
        .sum();
    if file.starts_with("minimax_m3") {
        return qk;
    }
    if !file.starts_with("gemma4") {
        return 0;
    }
    let full = (0..a.layers)
        .find(|&il| !a.is_windowed(il))
        .expect("a full layer");
    qk + u64::from(a.kv_shape(full).1) / 2
}

/// Gemma 4 E2B/E4B shrunk to 2 periods of layers, the second period KV-shared (the generator
/// keeps the KV widths, window and per-layer-input scheme; E2B's shared layers stay double-wide).
fn shrunk_gemma4(mut a: Arch, file: &str) -> Arch {
    let Attention::Sliding { period, .. } = a.attention else {
        panic!("{file}: a sliding-window model")
    };
    a.hidden = 512;
    a.vocab = 128256;
    a.layers = 2 * period;
    a.kv_shared_layers = period;
    a.ffn = 256;
    if !a.ffn_per_layer.is_empty() {
        a.ffn_per_layer = (0..a.layers)
            .map(|il| if il < period { 256 } else { 512 })
            .collect();
    }
    let p = a.per_layer_input.as_mut().expect("per-layer inputs");
    (p.dim, p.vocab) = (64, 128256);
    a
}

#[test]
fn kv_indexer_and_state_buffers_match_llama_cpp_on_the_2026_architectures() {
    let cat = Catalog::builtin().unwrap();
    let mut rows = 0;
    for r in common::data_rows("arch_2026_buffers.csv") {
        let file = &r["file"];
        let model = cat.find_model(&r["catalog_id"]).unwrap();
        let arch = shrunk(&model.arch, file);
        let shape = completion_cache(r["context"].parse().unwrap(), 1, CacheLayout::Unified);
        let c = cache_bytes(&arch, &shape);
        let mib = |b: u64| b as f64 / MIB as f64;
        let num = |k: &str| r[k].parse::<f64>().unwrap();
        // llama.cpp prints MiB with two decimals.
        assert!(
            (mib(c.kv) - num("kv_mib")).abs() < 0.006,
            "{file} KV {}",
            mib(c.kv)
        );
        assert!(
            (mib(c.state) - num("rs_mib")).abs() < 0.006,
            "{file} state {}",
            mib(c.state)
        );
        let params =
            (parameter_count(&inventory(&arch)) + unmodelled_vectors(&arch, file)) as f64 / 1e6;
        assert!(
            (params - num("model_params_m")).abs() < 0.006,
            "{file} params {params:.3} M"
        );
        rows += 1;
    }
    assert!(rows >= 8, "{rows} rows");
}
