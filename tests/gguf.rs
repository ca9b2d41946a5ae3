#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! The GGUF reader on files generated here: exact bytes for dense, MoE, SWA, MLA and hybrid
//! layouts; every truncation, random corruption and hostile header fails cleanly.

mod common;

use common::gguf_writer::{dense_block, gguf, Meta};
use fitcheck::estimate::ggml::GgmlType;
use fitcheck::estimate::kv::{cache_bytes, CacheLayout, CacheShape, KvType};
use fitcheck::estimate::model::{Attention, Mixer};
use fitcheck::gguf::{parse_bytes, to_model};
use proptest::prelude::*;

fn shape(context: u32, parallel: u32) -> CacheShape {
    CacheShape {
        context,
        parallel,
        layout: CacheLayout::Unified,
        k_type: KvType::F16,
        v_type: KvType::F16,
        n_ubatch: 512,
        n_outputs: 1,
        flash_attn: true,
        ollama_swa_memory: None,
    }
}

fn tensors(list: Vec<(String, Vec<u64>, GgmlType)>) -> Vec<(&'static str, Vec<u64>, GgmlType)> {
    list.into_iter()
        .map(|(n, d, t)| (&*Box::leak(n.into_boxed_str()), d, t))
        .collect()
}

/// A 2-layer llama-style model: hidden 256, 4 heads × 64, 2 KV heads, FFN 512, vocab 1000.
fn llama_file(ty: GgmlType) -> Vec<u8> {
    let mut t = vec![
        ("token_embd.weight".to_string(), vec![256, 1000], ty),
        ("output_norm.weight".into(), vec![256], GgmlType::F32),
        ("output.weight".into(), vec![256, 1000], GgmlType::Q6_K),
    ];
    for il in 0..2 {
        t.extend(dense_block(il, 256, 4, 2, 64, 512, ty));
    }
    gguf(
        &[
            ("general.architecture", Meta::Str("llama")),
            ("general.name", Meta::Str("Tiny Llama Test")),
            ("general.file_type", Meta::U32(15)),
            ("llama.block_count", Meta::U32(2)),
            ("llama.embedding_length", Meta::U32(256)),
            ("llama.attention.head_count", Meta::U32(4)),
            ("llama.attention.head_count_kv", Meta::U32(2)),
            ("llama.feed_forward_length", Meta::U32(512)),
            ("llama.context_length", Meta::U32(8192)),
            ("tokenizer.ggml.tokens", Meta::Strs(vec!["a"; 1000])),
        ],
        &tensors(t),
    )
}

#[test]
fn dense_file_gives_exact_bytes_and_architecture() {
    let data = llama_file(GgmlType::Q4_K);
    let g = parse_bytes(&data, "tiny.gguf").unwrap();
    assert_eq!(g.tensors.len(), 3 + 18);
    let m = to_model(&g, "tiny").unwrap();
    let a = &m.spec.arch;
    assert_eq!(
        (a.layers, a.hidden, a.heads, a.kv_heads, a.head_dim, a.ffn, a.vocab),
        (2, 256, 4, 2, 64, 512, 1000)
    );
    assert!(!a.tied_embeddings);
    assert_eq!(m.quant_label, "Q4_K_M");
    // Hand-computed: Q4_K is 144 bytes per 256 weights.
    let q4k = |n: u64| n / 256 * 144;
    let per_layer = q4k(256 * 256) * 2
        + q4k(256 * 128) * 2
        + q4k(256 * 512) * 2
        + 512 / 256 * 144 * 256
        + 2 * 256 * 4;
    assert_eq!(m.weights.layers[0].bytes, per_layer);
    assert_eq!(m.weights.token_embd, q4k(256 * 1000));
    assert_eq!(
        m.weights.output,
        1000 * 210 + 256 * 4,
        "Q6_K output + F32 norm"
    );
    assert_eq!(m.weights.loaded_bytes(), g.tensor_bytes());
}

#[test]
fn moe_file_reads_only_selected_experts_per_token() {
    let mut t = vec![(
        "token_embd.weight".to_string(),
        vec![256, 500],
        GgmlType::Q8_0,
    )];
    for il in 0..2u32 {
        let n = |s: &str| format!("blk.{il}.{s}.weight");
        t.extend([
            (n("attn_q"), vec![256, 256], GgmlType::Q8_0),
            (n("attn_k"), vec![256, 64], GgmlType::Q8_0),
            (n("attn_v"), vec![256, 64], GgmlType::Q8_0),
            (n("attn_output"), vec![256, 256], GgmlType::Q8_0),
            (n("ffn_gate_inp"), vec![256, 8], GgmlType::F32),
            (n("ffn_gate_exps"), vec![256, 128, 8], GgmlType::Q8_0),
            (n("ffn_up_exps"), vec![256, 128, 8], GgmlType::Q8_0),
            (n("ffn_down_exps"), vec![128, 256, 8], GgmlType::Q8_0),
        ]);
    }
    let data = gguf(
        &[
            ("general.architecture", Meta::Str("qwen3moe")),
            ("qwen3moe.block_count", Meta::U32(2)),
            ("qwen3moe.embedding_length", Meta::U32(256)),
            ("qwen3moe.attention.head_count", Meta::U32(4)),
            ("qwen3moe.attention.head_count_kv", Meta::U32(1)),
            ("qwen3moe.attention.key_length", Meta::U32(64)),
            ("qwen3moe.expert_count", Meta::U32(8)),
            ("qwen3moe.expert_used_count", Meta::U32(2)),
            ("qwen3moe.expert_feed_forward_length", Meta::U32(128)),
        ],
        &tensors(t),
    );
    let m = to_model(&parse_bytes(&data, "moe.gguf").unwrap(), "moe").unwrap();
    assert!(m.spec.arch.tied_embeddings, "no output.weight: tied");
    let l = m.weights.layers[0];
    let experts = 3 * 256 * 128 * 8 / 32 * 34;
    assert_eq!(l.expert_bytes, experts);
    assert_eq!(
        l.read_bytes,
        l.bytes - experts + experts * 2 / 8,
        "2 of 8 experts read per token"
    );
}

#[test]
fn sliding_window_mla_and_hybrid_caches_from_headers() {
    // Gemma 3 style: window 512, 5 sliding layers then one global.
    let mut t = vec![(
        "token_embd.weight".to_string(),
        vec![256, 300],
        GgmlType::F16,
    )];
    for il in 0..6 {
        t.extend(dense_block(il, 256, 4, 2, 64, 256, GgmlType::F16));
    }
    let swa = gguf(
        &[
            ("general.architecture", Meta::Str("gemma3")),
            ("gemma3.block_count", Meta::U32(6)),
            ("gemma3.embedding_length", Meta::U32(256)),
            ("gemma3.attention.head_count", Meta::U32(4)),
            ("gemma3.attention.head_count_kv", Meta::U32(2)),
            ("gemma3.attention.key_length", Meta::U32(64)),
            ("gemma3.attention.sliding_window", Meta::U32(512)),
        ],
        &tensors(t),
    );
    let m = to_model(&parse_bytes(&swa, "swa.gguf").unwrap(), "swa").unwrap();
    assert!(matches!(
        m.spec.arch.attention,
        Attention::Sliding {
            window: 512,
            period: 6,
            ..
        }
    ));
    let c = cache_bytes(&m.spec.arch, &shape(32768, 1));
    let row = 2 * 64 * 2 * 2; // K and V, 2 heads × 64, f16
    assert_eq!(
        c.kv,
        32768 * row + 5 * 1024 * row,
        "global at full context, sliding at 512 + 512 cells"
    );

    // DeepSeek style MLA: only the 512 + 64 latent is cached.
    let mut t = vec![(
        "token_embd.weight".to_string(),
        vec![256, 300],
        GgmlType::F16,
    )];
    for il in 0..2u32 {
        t.push((
            format!("blk.{il}.attn_kv_a_mqa.weight"),
            vec![256, 576],
            GgmlType::F16,
        ));
        t.push((
            format!("blk.{il}.attn_q.weight"),
            vec![256, 4 * 192],
            GgmlType::F16,
        ));
    }
    let mla = gguf(
        &[
            ("general.architecture", Meta::Str("deepseek2")),
            ("deepseek2.block_count", Meta::U32(2)),
            ("deepseek2.embedding_length", Meta::U32(256)),
            ("deepseek2.attention.head_count", Meta::U32(4)),
            ("deepseek2.attention.head_count_kv", Meta::U32(1)),
            ("deepseek2.attention.key_length", Meta::U32(576)),
            ("deepseek2.attention.value_length", Meta::U32(512)),
            ("deepseek2.attention.key_length_mla", Meta::U32(192)),
            ("deepseek2.attention.value_length_mla", Meta::U32(128)),
            ("deepseek2.attention.kv_lora_rank", Meta::U32(512)),
            ("deepseek2.rope.dimension_count", Meta::U32(64)),
        ],
        &tensors(t.clone()),
    );
    let m = to_model(&parse_bytes(&mla, "mla.gguf").unwrap(), "mla").unwrap();
    assert_eq!(
        cache_bytes(&m.spec.arch, &shape(4096, 1)).kv,
        2 * 4096 * 576 * 2
    );
    // The same model converted before llama.cpp's MLA support: no `*_mla` dims, every head's
    // K (192) and V (128) cached.
    let legacy = gguf(
        &[
            ("general.architecture", Meta::Str("deepseek2")),
            ("deepseek2.block_count", Meta::U32(2)),
            ("deepseek2.embedding_length", Meta::U32(256)),
            ("deepseek2.attention.head_count", Meta::U32(4)),
            ("deepseek2.attention.head_count_kv", Meta::U32(4)),
            ("deepseek2.attention.key_length", Meta::U32(192)),
            ("deepseek2.attention.value_length", Meta::U32(128)),
            ("deepseek2.attention.kv_lora_rank", Meta::U32(512)),
            ("deepseek2.rope.dimension_count", Meta::U32(64)),
        ],
        &tensors(t),
    );
    let m = to_model(&parse_bytes(&legacy, "old.gguf").unwrap(), "old").unwrap();
    assert_eq!(
        cache_bytes(&m.spec.arch, &shape(4096, 1)).kv,
        2 * 4096 * 4 * (192 + 128) * 2
    );

    // Qwen3.5 style hybrid: attention every 4th layer, Gated DeltaNet state elsewhere.
    let mut t = vec![(
        "token_embd.weight".to_string(),
        vec![256, 300],
        GgmlType::F16,
    )];
    for il in 0..4u32 {
        t.push((
            format!("blk.{il}.attn_norm.weight"),
            vec![256],
            GgmlType::F32,
        ));
    }
    let hybrid = gguf(
        &[
            ("general.architecture", Meta::Str("qwen35")),
            ("qwen35.block_count", Meta::U32(4)),
            ("qwen35.embedding_length", Meta::U32(256)),
            ("qwen35.attention.head_count", Meta::U32(4)),
            ("qwen35.attention.head_count_kv", Meta::U32(2)),
            ("qwen35.attention.key_length", Meta::U32(64)),
            ("qwen35.full_attention_interval", Meta::U32(4)),
            ("qwen35.ssm.conv_kernel", Meta::U32(4)),
            ("qwen35.ssm.state_size", Meta::U32(32)),
            ("qwen35.ssm.group_count", Meta::U32(2)),
            ("qwen35.ssm.time_step_rank", Meta::U32(4)),
            ("qwen35.ssm.inner_size", Meta::U32(128)),
        ],
        &tensors(t),
    );
    let m = to_model(&parse_bytes(&hybrid, "hybrid.gguf").unwrap(), "hybrid").unwrap();
    assert_eq!(m.spec.arch.mixer(3), Mixer::Attention);
    assert_eq!(m.spec.arch.mixer(0), Mixer::Recurrent);
    let c = cache_bytes(&m.spec.arch, &shape(8192, 2));
    assert_eq!(c.kv, 8192 * 2 * 64 * 2 * 2, "one attention layer");
    // conv (k−1)×(inner + 2·groups·state) and state (state × inner) floats, per sequence, 3 layers.
    assert_eq!(c.state, 3 * 2 * ((3 * (128 + 2 * 2 * 32)) + 32 * 128) * 4);
}

#[test]
fn gemma3n_keeps_its_per_layer_table_on_the_host_and_shares_the_last_layers_kv() {
    // 25 layers: llama.cpp gives the first 20 a cache, the last 5 reuse it.
    let (hidden, layers, ple_dim, ple_vocab) = (256u64, 25u32, 32u64, 400u64);
    let ple_width = u64::from(layers) * ple_dim;
    let mut t = vec![
        (
            "token_embd.weight".to_string(),
            vec![hidden, 300],
            GgmlType::Q8_0,
        ),
        (
            "per_layer_token_embd.weight".to_string(),
            vec![ple_width, ple_vocab],
            GgmlType::Q8_0,
        ),
        (
            "per_layer_model_proj.weight".to_string(),
            vec![hidden, ple_width],
            GgmlType::F16,
        ),
    ];
    for il in 0..layers {
        t.extend(dense_block(il, hidden, 4, 2, 64, 256, GgmlType::F16));
    }
    let data = gguf(
        &[
            ("general.architecture", Meta::Str("gemma3n")),
            ("gemma3n.block_count", Meta::U32(layers)),
            ("gemma3n.embedding_length", Meta::U32(hidden as u32)),
            (
                "gemma3n.embedding_length_per_layer_input",
                Meta::U32(ple_dim as u32),
            ),
            ("gemma3n.attention.head_count", Meta::U32(4)),
            ("gemma3n.attention.head_count_kv", Meta::U32(2)),
            ("gemma3n.attention.key_length", Meta::U32(64)),
            ("gemma3n.attention.sliding_window", Meta::U32(512)),
        ],
        &tensors(t),
    );
    let m = to_model(&parse_bytes(&data, "g3n.gguf").unwrap(), "g3n").unwrap();
    let a = &m.spec.arch;
    assert_eq!(a.kv_shared_layers, 5);
    assert_eq!(
        a.per_layer_input.as_ref().map(|p| (p.dim, p.vocab)),
        Some((32, 400))
    );
    // Hand-computed: Q8_0 is 34 bytes per 32 weights; the PLE table joins token_embd on the host.
    let q8 = |n: u64| n / 32 * 34;
    assert_eq!(
        m.weights.token_embd,
        q8(hidden * 300) + q8(ple_width * ple_vocab)
    );
    assert_eq!(
        m.weights.output,
        q8(hidden * 300) + hidden * ple_width * 2,
        "tied head + per_layer_model_proj, both on the device"
    );
    // Of the 20 cache-owning layers, every 5th is global: 4 global, 16 sliding (512 + 512 cells).
    let c = cache_bytes(a, &shape(32768, 1));
    let row = 2 * 64 * 2 * 2;
    assert_eq!(c.kv, 4 * 32768 * row + 16 * 1024 * row);
}

#[test]
fn every_truncation_is_a_clean_error_with_an_offset() {
    let data = llama_file(GgmlType::Q4_0);
    let header_end = parse_bytes(&data, "full.gguf").unwrap().data_offset as usize;
    // Every cut inside the header; sampled cuts inside the (never read) tensor data.
    let cuts = (0..=header_end).chain((header_end..data.len()).step_by(4099));
    for cut in cuts {
        let err =
            parse_bytes(&data[..cut], "cut.gguf").expect_err("truncated files must not parse");
        assert!(
            err.offset <= data.len() as u64,
            "offset {} beyond file",
            err.offset
        );
        assert!(err.to_string().starts_with("cut.gguf: offset "), "{err}");
    }
}

#[test]
fn hostile_headers_fail_fast_without_allocating() {
    let mut base = b"GGUF".to_vec();
    base.extend_from_slice(&3u32.to_le_bytes());
    let with = |tensors: u64, kv: u64, tail: &[u8]| {
        let mut d = base.clone();
        d.extend_from_slice(&tensors.to_le_bytes());
        d.extend_from_slice(&kv.to_le_bytes());
        d.extend_from_slice(tail);
        d
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (with(u64::MAX, 0, &[]), "tensor entries"),
        (with(0, u64::MAX, &[]), "metadata entries"),
        (
            with(0, 1, &[u64::MAX.to_le_bytes(), [0; 8]].concat()),
            "metadata key of",
        ),
        (
            with(
                0,
                1,
                &[
                    3, 0, 0, 0, 0, 0, 0, 0, b'a', b'b', b'c', 9, 0, 0, 0, 8, 0, 0, 0, 255, 255,
                    255, 255, 255, 255, 255, 255,
                ],
            ),
            "array 'abc'",
        ),
        (
            with(
                1,
                0,
                &[
                    &[1u8, 0, 0, 0, 0, 0, 0, 0, b't', 99, 0, 0, 0][..],
                    &[0u8; 24],
                ]
                .concat(),
            ),
            "dimensions",
        ),
        (b"GGML\x03\x00\x00\x00".to_vec(), "not a GGUF file"),
        (
            {
                let mut d = b"GGUF".to_vec();
                d.extend_from_slice(&1u32.to_le_bytes());
                d
            },
            "unsupported GGUF version 1",
        ),
    ];
    for (data, want) in cases {
        let err = parse_bytes(&data, "evil.gguf").expect_err(want);
        assert!(err.message.contains(want), "{want}: {err}");
    }
    // An unknown tensor type is an error, never 0 bytes.
    let mut t = llama_file(GgmlType::Q4_0);
    let g = parse_bytes(&t, "ok.gguf").unwrap();
    let first_type_at = {
        // name len (8) + "token_embd.weight" + n_dims (4) + 2 dims (16) after the metadata.
        let name = b"token_embd.weight";
        let at = t.windows(name.len()).position(|w| w == name).unwrap();
        at + name.len() + 4 + 16
    };
    t[first_type_at..first_type_at + 4].copy_from_slice(&77u32.to_le_bytes());
    let err = parse_bytes(&t, "type.gguf").unwrap_err();
    assert!(err.message.contains("unknown type id 77"), "{err}");
    assert!(g.tensors.len() > 3);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn corrupted_files_never_panic(flips in prop::collection::vec((0usize..4000, any::<u8>()), 1..12)) {
        let mut data = llama_file(GgmlType::Q8_0);
        let header_len = 2000.min(data.len());
        for (pos, byte) in flips {
            let p = pos % header_len;
            data[p] = byte;
        }
        if let Ok(g) = parse_bytes(&data, "fuzz.gguf") {
            let _ = to_model(&g, "fuzz");
        }
    }
}

/// A tensor with no elements holds no bytes, however long its first dimension (a 394-byte fuzz
/// file claimed 16 EiB of weights through an `output.weight` of shape [2^62, 0]); a dimension
/// past llama.cpp's int64 limit is refused, naming the tensor and offset.
#[test]
fn empty_and_out_of_range_tensors_count_what_the_file_holds() {
    let with_output = |dims: Vec<u64>| {
        let mut t = vec![
            (
                "token_embd.weight".to_string(),
                vec![256, 1000],
                GgmlType::Q8_0,
            ),
            ("output.weight".into(), dims, GgmlType::F32),
        ];
        t.extend(dense_block(0, 256, 4, 2, 64, 512, GgmlType::Q8_0));
        gguf(
            &[
                ("general.architecture", Meta::Str("llama")),
                ("llama.block_count", Meta::U32(1)),
                ("llama.embedding_length", Meta::U32(256)),
                ("llama.attention.head_count", Meta::U32(4)),
                ("llama.attention.head_count_kv", Meta::U32(2)),
                ("llama.feed_forward_length", Meta::U32(512)),
            ],
            &tensors(t),
        )
    };
    let data = with_output(vec![1 << 40, 0]);
    let g = parse_bytes(&data, "empty.gguf").unwrap();
    let m = to_model(&g, "empty").unwrap();
    let file_bytes: u64 = g.tensors.iter().map(|t| t.bytes()).sum();
    assert_eq!(m.weights.loaded_bytes(), file_bytes);
    assert!(file_bytes < data.len() as u64);
    let fixture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/gguf_regressions/crash-eb3296ae43d2d5716357e629d1fa6bfe92f297a6"
    ))
    .unwrap();
    let e = parse_bytes(&fixture, "crash.gguf").unwrap_err().to_string();
    assert!(
        e.contains("crash.gguf: offset") && e.contains("'output.weight'") && e.contains("int64"),
        "{e}"
    );
}
