#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! A DeepSeek V4 GGUF header read back: the header tools/gen_arch.py writes for deepseek4_4l_mtp
//! (the measured file of tests/data/dsv4_buffers.csv), rebuilt here tensor by tensor, gives the
//! parameter count llama.cpp printed for it and the caches it logged.

mod common;

use common::completion_cache;
use common::gguf_writer::{gguf_header, Meta};
use fitcheck::estimate::dsv4::caches;
use fitcheck::estimate::ggml::GgmlType;
use fitcheck::estimate::kv::CacheLayout;
use fitcheck::estimate::model::Attention;
use fitcheck::estimate::units::MIB;
use fitcheck::gguf::{parse_prefix, to_model, GgufModel};

const E: u64 = 512;
const VOCAB: u64 = 128_256;
const RATIOS: [u32; 4] = [0, 4, 128, 4];

/// The generator's tensors: 4 trunk layers at V4 Flash's cache widths, then `mtp` MTP blocks
/// (with their `nextn.*` tensors when `mtp_tensors`).
fn tensor_list(mtp: u32, mtp_tensors: bool) -> Vec<(String, Vec<u64>, GgmlType)> {
    let (h, hd, q, g, or, hc, idx, ih) = (16u64, 512u64, 256u64, 8u64, 128u64, 4u64, 128u64, 64u64);
    let (x, f, used) = (4u64, 256u64, 2u64);
    let mix = (2 + hc) * hc;
    let mut t: Vec<(String, Vec<u64>, GgmlType)> = Vec::new();
    let mut add = |n: String, d: Vec<u64>| {
        let ty = if d.len() == 1 {
            GgmlType::F32
        } else {
            GgmlType::F16
        };
        t.push((n, d, ty));
    };
    add("token_embd.weight".into(), vec![E, VOCAB]);
    add("output.weight".into(), vec![E, VOCAB]);
    add("output_norm.weight".into(), vec![E]);
    add("output_hc_fn.weight".into(), vec![hc * E, hc]);
    add("output_hc_base.weight".into(), vec![hc]);
    add("output_hc_scale.weight".into(), vec![1]);
    let ratios: Vec<u32> = RATIOS.iter().copied().chain((0..mtp).map(|_| 0)).collect();
    for (i, &ratio) in ratios.iter().enumerate() {
        let b = |s: &str| format!("blk.{i}.{s}");
        if i >= RATIOS.len() && !mtp_tensors {
            break;
        }
        add(b("attn_norm.weight"), vec![E]);
        add(b("attn_sinks.weight"), vec![h]);
        add(b("attn_q_a.weight"), vec![E, q]);
        add(b("attn_q_a_norm.weight"), vec![q]);
        add(b("attn_q_b.weight"), vec![q, h * hd]);
        add(b("attn_kv.weight"), vec![E, hd]);
        add(b("attn_kv_a_norm.weight"), vec![hd]);
        add(b("attn_output_a.weight"), vec![h * hd / g, or * g]);
        add(b("attn_output_b.weight"), vec![g * or, E]);
        for part in ["attn", "ffn"] {
            add(b(&format!("hc_{part}_fn.weight")), vec![hc * E, mix]);
            add(b(&format!("hc_{part}_base.weight")), vec![mix]);
            add(b(&format!("hc_{part}_scale.weight")), vec![3]);
        }
        if ratio != 0 {
            let coff = if ratio == 4 { 2 } else { 1 };
            add(b("attn_compressor_kv.weight"), vec![E, coff * hd]);
            add(b("attn_compressor_gate.weight"), vec![E, coff * hd]);
            add(
                b("attn_compressor_ape.weight"),
                vec![coff * hd, u64::from(ratio)],
            );
            add(b("attn_compressor_norm.weight"), vec![hd]);
        }
        if ratio == 4 {
            add(b("indexer.proj.weight"), vec![E, ih]);
            add(b("indexer.attn_q_b.weight"), vec![q, ih * idx]);
            add(b("indexer_compressor_kv.weight"), vec![E, 2 * idx]);
            add(b("indexer_compressor_gate.weight"), vec![E, 2 * idx]);
            add(b("indexer_compressor_ape.weight"), vec![2 * idx, 4]);
            add(b("indexer_compressor_norm.weight"), vec![idx]);
        }
        add(b("ffn_gate_inp.weight"), vec![E, x]);
        if i < 3 {
            add(b("ffn_gate_tid2eid.weight"), vec![used, VOCAB]);
        } else {
            add(b("exp_probs_b.bias"), vec![x]);
        }
        add(b("ffn_norm.weight"), vec![E]);
        add(b("ffn_gate_exps.weight"), vec![E, f, x]);
        add(b("ffn_down_exps.weight"), vec![f, E, x]);
        add(b("ffn_up_exps.weight"), vec![E, f, x]);
        add(b("ffn_gate_shexp.weight"), vec![E, f]);
        add(b("ffn_down_shexp.weight"), vec![f, E]);
        add(b("ffn_up_shexp.weight"), vec![E, f]);
        if i >= RATIOS.len() {
            add(b("nextn.eh_proj.weight"), vec![2 * E, E]);
            add(b("nextn.enorm.weight"), vec![E]);
            add(b("nextn.hnorm.weight"), vec![E]);
        }
    }
    // The hash-routing table is I32.
    for (_, dims, ty) in &mut t {
        if dims == &[used, VOCAB] {
            *ty = GgmlType::I32;
        }
    }
    t
}

fn read(mtp: u32, mtp_tensors: bool) -> GgufModel {
    let a = "deepseek4";
    let k = |s: &str| -> &'static str { Box::leak(format!("{a}.{s}").into_boxed_str()) };
    let mut meta = vec![
        ("general.architecture", Meta::Str(a)),
        (k("block_count"), Meta::U32(4 + mtp)),
        (k("embedding_length"), Meta::U32(512)),
        (k("context_length"), Meta::U32(262_144)),
        (k("attention.head_count"), Meta::U32(16)),
        (k("attention.head_count_kv"), Meta::U32(1)),
        (k("attention.key_length"), Meta::U32(512)),
        (k("attention.value_length"), Meta::U32(512)),
        (k("rope.dimension_count"), Meta::U32(64)),
        (k("attention.q_lora_rank"), Meta::U32(256)),
        (k("attention.sliding_window"), Meta::U32(128)),
        (k("expert_count"), Meta::U32(4)),
        (k("expert_used_count"), Meta::U32(2)),
        (k("expert_feed_forward_length"), Meta::U32(256)),
        (k("expert_shared_count"), Meta::U32(1)),
        (k("attention.indexer.head_count"), Meta::U32(64)),
        (k("attention.indexer.key_length"), Meta::U32(128)),
        (k("attention.output_group_count"), Meta::U32(8)),
        (k("attention.output_lora_rank"), Meta::U32(128)),
        (
            k("attention.compress_ratios"),
            Meta::U32s(RATIOS.iter().copied().chain((0..mtp).map(|_| 0)).collect()),
        ),
        (k("hyper_connection.count"), Meta::U32(4)),
        (k("hash_layer_count"), Meta::U32(3)),
    ];
    if mtp > 0 {
        meta.push((k("nextn_predict_layers"), Meta::U32(mtp)));
    }
    let list = tensor_list(mtp, mtp_tensors);
    let list: Vec<(&str, Vec<u64>, GgmlType)> = list
        .iter()
        .map(|(n, d, t)| (n.as_str(), d.clone(), *t))
        .collect();
    let (header, len) = gguf_header(&meta, &list);
    let g = parse_prefix(&header, len, "deepseek4_4l_mtp.gguf")
        .map_err(|_| "header")
        .unwrap();
    to_model(&g, "deepseek4_4l_mtp").unwrap()
}

#[test]
fn a_deepseek4_header_gives_llama_cpp_params_and_caches() {
    let m = read(1, true);
    // llama.cpp: "model params = 170.78 M" (tests/data/raw/cpu_2026-11-26_dsv4/).
    assert!((m.spec.params as f64 / 1e6 - 170.78).abs() < 0.006);
    let a = &m.spec.arch;
    assert_eq!((a.layers, a.kv_heads, a.head_dim), (4, 1, 512));
    let Attention::Compressed {
        ratios, mtp_layers, ..
    } = &a.attention
    else {
        panic!("{:?}", a.attention)
    };
    assert_eq!((ratios.as_slice(), *mtp_layers), (&RATIOS[..], 1));
    let c = caches(a, &completion_cache(4096, 1, CacheLayout::Unified)).unwrap();
    let mib = |b: u64| b as f64 / MIB as f64;
    // Logged: 3.75 (5 window layers), 2.00, 0.25, 0.50 MiB; states 0.12, 0.50, 0.03.
    assert_eq!(
        [c.raw, c.csa, c.hca, c.indexer].map(mib),
        [3.75, 2.0, 0.25, 0.5]
    );
    assert_eq!(c.state(), 2 * 65_536 + 524_288 + 2 * 16_384);
    // The MTP block's weights stay on disk: only the trunk's tensors are loaded.
    let trunk = read(0, false);
    assert_eq!(m.weights.loaded_bytes(), trunk.weights.loaded_bytes());
}

#[test]
fn an_mtp_block_declared_but_not_shipped_is_not_counted() {
    // llama.cpp probes blk.N.nextn.eh_proj and runs every block as trunk when it is missing.
    let m = read(1, false);
    let Attention::Compressed { mtp_layers, .. } = m.spec.arch.attention else {
        panic!()
    };
    assert_eq!((m.spec.arch.layers, mtp_layers), (5, 0));
}
