#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! DeepSeek V4's caches against llama.cpp's own report. Each row of tests/data/dsv4_buffers.csv
//! is a llama-completion run (CPU build b11312) on a synthetic GGUF from tools/gen_arch.py that
//! keeps V4 Flash's cache-shaping widths (one 512-wide K head, window 128, compression ratios 4
//! and 128, indexer key 128) over 4 of its layers and shrinks what only sizes weights. The same
//! shrink applied to the catalog entry must reproduce every cache and compressor state llama.cpp
//! logged, and its parameter count.

mod common;

use common::completion_cache;
use fitcheck::catalog::Catalog;
use fitcheck::estimate::dsv4::caches;
use fitcheck::estimate::kv::{cache_bytes, CacheLayout, CacheShape, KvType};
use fitcheck::estimate::model::{Arch, Attention};
use fitcheck::estimate::overhead::compute_buffers;
use fitcheck::estimate::tensors::{inventory, parameter_count};
use fitcheck::estimate::units::MIB;

/// V4 Flash shrunk as tools/gen_arch.py shrinks it: its layers 1-4, narrower hidden width,
/// query and output projections, fewer experts; the cache widths stay.
fn shrunk(flash: &Arch, file: &str) -> Arch {
    let mut a = flash.clone();
    let Attention::Compressed {
        ratios,
        q_lora_rank,
        output_groups,
        output_lora_rank,
        mtp_layers,
        ..
    } = &mut a.attention
    else {
        panic!("V4 Flash has compressed attention")
    };
    *ratios = ratios[1..5].to_vec();
    (*q_lora_rank, *output_groups, *output_lora_rank) = (256, 8, 128);
    *mtp_layers = u32::from(file.ends_with("_mtp"));
    (a.layers, a.hidden, a.heads) = (4, 512, 16);
    a.vocab = 128256; // the llama-bpe tokenizer the generator copies
    let moe = a.moe.as_mut().unwrap();
    (moe.experts, moe.used, moe.expert_ffn) = (4, 2, 256);
    a
}

#[test]
fn every_dsv4_cache_and_state_matches_llama_cpp() {
    let cat = Catalog::builtin().unwrap();
    let flash = &cat.find_model("deepseek-v4-flash").unwrap().arch;
    let mut rows = 0;
    for r in common::data_rows("dsv4_buffers.csv") {
        let file = &r["file"];
        let arch = shrunk(flash, file);
        let num = |k: &str| r[k].parse::<u32>().unwrap();
        let ty: KvType = r["cache_type"].parse().unwrap();
        // llama-completion -np N splits the context; the DSV4 cache keeps a stream per sequence
        // whatever the layout.
        let shape = CacheShape {
            k_type: ty,
            v_type: ty,
            n_ubatch: num("ubatch"),
            ..completion_cache(num("context"), num("parallel"), CacheLayout::Split)
        };
        let c = caches(&arch, &shape).unwrap();
        let mib = |b: u64| b as f64 / MIB as f64;
        let num_f = |k: &str| r[k].parse::<f64>().unwrap();
        // llama.cpp prints MiB with two decimals.
        for (col, got) in [
            ("raw_mib", c.raw),
            ("csa_mib", c.csa),
            ("hca_mib", c.hca),
            ("indexer_mib", c.indexer),
            ("csa_state_mib", c.csa_state),
            ("hca_state_mib", c.hca_state),
            ("indexer_state_mib", c.indexer_state),
        ] {
            let want = r[col].parse::<f64>().unwrap();
            assert!(
                (mib(got) - want).abs() < 0.006,
                "{file} -c {} -np {} -ub {}: {col} {} vs {want}",
                r["context"],
                r["parallel"],
                r["ubatch"],
                mib(got)
            );
        }
        // The estimator's totals are the same caches.
        let total = cache_bytes(&arch, &shape);
        assert_eq!(total.kv, c.kv(), "{file}");
        assert_eq!(total.state, c.state(), "{file}");
        assert_eq!(total.per_layer.iter().sum::<u64>(), c.kv() + c.state());
        // The CPU compute buffer: llama-completion reserves logits for the whole ubatch, which
        // dominate at these widths; the generic graph terms stay within 2 % (252.50 and 126.25
        // exact, 4 MiB under at 16K and with q8_0, where the DSV4 graph's own scratch shows).
        let graph = compute_buffers(
            &arch,
            &CacheShape {
                n_outputs: shape.n_ubatch,
                ..shape
            },
            None,
        );
        let want = num_f("compute_mib");
        assert!(
            (mib(graph.single) / want - 1.0).abs() < 0.02,
            "{file} compute {} vs {want}",
            mib(graph.single)
        );
        if let Ok(want) = r["model_params_m"].parse::<f64>() {
            let params = parameter_count(&inventory(&arch)) as f64 / 1e6;
            assert!((params - want).abs() < 0.006, "{file} params {params:.3} M");
        }
        rows += 1;
    }
    assert!(rows >= 6, "{rows} rows");
}

/// Long contexts are where the compression shows: at V4 Flash's full 1M context one sequence
/// holds 256K compressed rows on each ratio-4 layer and 8K on each ratio-128 layer, beside a
/// window cache of 640 → 768 cells per layer.
#[test]
fn v4_flash_at_a_million_tokens() {
    let cat = Catalog::builtin().unwrap();
    let flash = &cat.find_model("deepseek-v4-flash").unwrap().arch;
    let shape = completion_cache(1 << 20, 1, CacheLayout::Unified);
    let c = caches(flash, &shape).unwrap();
    // 43 layers × 768 cells × 512 × 2 B; 21 CSA layers × 262144 cells × 1024 B (+ 256 B of
    // indexer key each); 20 HCA layers × 8192 cells × 1024 B.
    assert_eq!(c.raw, 43 * 768 * 1024);
    assert_eq!(c.csa, 21 * 262_144 * 1024);
    assert_eq!(c.indexer, 21 * 262_144 * 256);
    assert_eq!(c.hca, 20 * 8192 * 1024);
    assert_eq!(c.state(), 21 * (65_536 + 16_384) + 20 * 524_288);
    // Two sequences of a unified 1M cache: llama.cpp keeps a full-size stream for each.
    let two = caches(
        flash,
        &CacheShape {
            parallel: 2,
            ..shape
        },
    )
    .unwrap();
    assert_eq!(two.kv(), 2 * c.kv());
}

/// A DeepSeek V4 repo the catalog lacks is read from its config.json: V4 Flash's own config
/// (deepseek-ai/DeepSeek-V4-Flash, 44 compress_ratios: the trunk's 43, then the MTP block's)
/// gives the catalog entry's attention, indexer and experts, hence its caches.
#[test]
fn a_deepseek_v4_config_json_reads_as_the_catalog_entry() {
    let ratios: Vec<u32> = [0, 0]
        .into_iter()
        .chain((0..20).flat_map(|_| [4, 128]))
        .chain([4, 0])
        .collect();
    let config = serde_json::json!({
        "architectures": ["DeepseekV4ForCausalLM"], "model_type": "deepseek_v4",
        "hidden_size": 4096, "num_hidden_layers": 43, "num_attention_heads": 64,
        "num_key_value_heads": 1, "head_dim": 512, "q_lora_rank": 1024, "o_groups": 8,
        "o_lora_rank": 1024, "sliding_window": 128, "compress_ratios": ratios,
        "index_n_heads": 64, "index_head_dim": 128, "index_topk": 512, "hc_mult": 4,
        "num_hash_layers": 3, "n_routed_experts": 256, "n_shared_experts": 1,
        "num_experts_per_tok": 6, "moe_intermediate_size": 2048, "vocab_size": 129280,
        "max_position_embeddings": 1048576, "num_nextn_predict_layers": 1,
        "tie_word_embeddings": false
    });
    let (spec, _, _) = fitcheck::local::model_from_config(
        &config.to_string(),
        "config.json",
        "hf:deepseek-ai/DeepSeek-V4-Flash",
        "DeepSeek-V4-Flash",
        160_000_000_000,
    )
    .unwrap();
    let cat = Catalog::builtin().unwrap();
    let flash = &cat.find_model("deepseek-v4-flash").unwrap().arch;
    assert_eq!(spec.arch.attention, flash.attention);
    assert_eq!(spec.arch.indexer, flash.indexer);
    assert_eq!(spec.arch.moe, flash.moe);
    let shape = completion_cache(65_536, 2, CacheLayout::Unified);
    assert_eq!(caches(&spec.arch, &shape), caches(flash, &shape));
}
