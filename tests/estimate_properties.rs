#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Invariants of the estimator over random models, machines and settings.

use fitcheck::catalog::Catalog;
use fitcheck::estimate::hardware::{Backend, Hardware, HardwareKind};
use fitcheck::estimate::model::{Arch, Attention, ModelSpec, Moe};
use fitcheck::estimate::units::GIB;
use fitcheck::estimate::weights::weight_table;
use fitcheck::estimate::{estimate, max_context, KvType, Quant, Runtime, Settings};
use proptest::prelude::*;

/// Parsed once per test binary, not per case.
fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::LazyLock<Catalog> =
        std::sync::LazyLock::new(|| Catalog::builtin().unwrap());
    &CATALOG
}

fn settings_strategy() -> impl Strategy<Value = Settings> {
    (
        prop::sample::select(vec![
            Quant::Q4_K_M,
            Quant::Q8_0,
            Quant::F16,
            Quant::Q2_K,
            Quant::IQ4_XS,
            Quant::Mlx4,
            Quant::MXFP4_MOE,
        ]),
        256u32..2_000_000,
        prop::sample::select(vec![KvType::F16, KvType::Q8_0, KvType::Q4_0]),
        1u32..16,
        prop::sample::select(vec![Runtime::LlamaCpp, Runtime::Ollama, Runtime::Mlx]),
    )
        .prop_map(|(quant, context, kv_type, parallel, runtime)| Settings {
            quant,
            context,
            kv_type,
            parallel,
            runtime,
            ..Settings::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn more_context_never_means_less_memory(mi in 0usize..1000, hi in 0usize..1000, s in settings_strategy(), extra in 1u32..500_000) {
        let cat = catalog();
        let m = &cat.models[mi % cat.models.len()];
        let hw = &cat.hardware[hi % cat.hardware.len()];
        // At a fixed placement (auto-offload may move layers, dropping the GPU compute buffer).
        let s = Settings { gpu_layers: Some(u32::MAX), ..s };
        let a = estimate(m, hw, &s);
        let b = estimate(m, hw, &Settings { context: s.context + extra, ..s });
        prop_assert!(b.kv_bytes >= a.kv_bytes);
        prop_assert!(b.state_bytes == a.state_bytes);
        prop_assert!(b.kv_bytes + b.state_bytes + b.overhead_bytes >= a.kv_bytes + a.state_bytes + a.overhead_bytes);
        prop_assert!(b.weights_bytes == a.weights_bytes, "weights do not depend on context");
    }

    #[test]
    fn more_sequences_never_mean_less_cache(mi in 0usize..1000, s in settings_strategy()) {
        let cat = catalog();
        let m = &cat.models[mi % cat.models.len()];
        let hw = cat.find_hardware("tier-128").unwrap();
        // Per-sequence contexts (Ollama) only grow; llama.cpp's split streams round each share of
        // the context up to 256 cells, so their total may shrink by a rounding (tested in kv.rs).
        let s = Settings { runtime: Runtime::Ollama, ..s };
        let a = estimate(m, hw, &s);
        let b = estimate(m, hw, &Settings { parallel: s.parallel + 1, ..s });
        prop_assert!(b.kv_bytes + b.state_bytes >= a.kv_bytes + a.state_bytes);
    }

    #[test]
    fn more_bandwidth_never_means_fewer_tokens(mi in 0usize..1000, hi in 0usize..1000, s in settings_strategy(), factor in 1.0f64..4.0) {
        let cat = catalog();
        let m = &cat.models[mi % cat.models.len()];
        let hw = &cat.hardware[hi % cat.hardware.len()];
        let faster = Hardware { bandwidth_gbps: hw.bandwidth_gbps * factor, ram_bandwidth_gbps: hw.ram_bandwidth_gbps * factor, ..hw.clone() };
        let a = estimate(m, hw, &s);
        let b = estimate(m, &faster, &s);
        prop_assert!(b.decode_tps >= a.decode_tps * (1.0 - 1e-9), "{} < {}", b.decode_tps, a.decode_tps);
    }

    #[test]
    fn decode_never_beats_the_roofline_and_headroom_adds_up(mi in 0usize..1000, hi in 0usize..1000, s in settings_strategy()) {
        let cat = catalog();
        let m = &cat.models[mi % cat.models.len()];
        let hw = &cat.hardware[hi % cat.hardware.len()];
        let e = estimate(m, hw, &s);
        prop_assert!(e.decode_tps <= e.roofline_tps + 1e-9);
        prop_assert_eq!(e.headroom_bytes, e.usable_bytes as i64 - e.used_bytes as i64);
        prop_assert_eq!(e.total_bytes, e.weights_bytes + e.kv_bytes + e.state_bytes + e.overhead_bytes
            + e.projector_bytes + e.projector_compute_bytes);
    }

    #[test]
    fn no_nan_or_overflow_up_to_a_trillion_parameters_and_ten_million_tokens(
        layers in 1u32..200,
        hidden_k in 1u32..256,
        heads in 1u32..128,
        kv_div in 1u32..16,
        vocab in 1000u32..300_000,
        experts in prop::option::of((2u32..512, 1u32..16, 64u32..4096)),
        context in 1u32..10_000_000,
        parallel in 1u32..64,
        windowed in any::<bool>(),
        quant in prop::sample::select(vec![Quant::Q4_K_M, Quant::F32, Quant::IQ1_S, Quant::Mlx4]),
    ) {
        let hidden = hidden_k * 64;
        let kv_heads = (heads / kv_div).max(1);
        let moe = experts.map(|(e, used, eff)| Moe { experts: e, used: used.min(e), expert_ffn: eff, shared: 0, shared_ffn: None, leading_dense: 0, every: None, latent: None });
        let arch = Arch {
            kind: "llama".into(), layers, hidden, heads, kv_heads, head_dim: 128, value_head_dim: None,
            ffn: hidden * 4, vocab, tied_embeddings: false, context: 10_000_000, context_extended: None,
            attention: if windowed { Attention::Sliding { window: 4096, period: 4, global_kv_heads: None, global_head_dim: None, layers: vec![] } } else { Attention::Full },
            moe, hybrid: None, attn_output_gate: false, expert_format: None, kv_heads_per_layer: vec![], kv_shared_layers: 0, per_layer_input: None, ffn_ungated: false, ffn_per_layer: vec![], indexer: None, attn_residual_block: 0,
        };
        let m = ModelSpec { id: "x".into(), name: "x".into(), family: "x".into(), hf_repo: None, ollama: vec![], aliases: vec![],
            params: 1, active_params: None, arch, use_cases: vec![], license: None, released: None, source: None, vision: None };
        let hw = Hardware { id: "h".into(), name: "h".into(), kind: HardwareKind::Custom, backend: Backend::Cuda, unified: false,
            memory: 80 * GIB, gpus: 8, bandwidth_gbps: 3350.0, ram: 2048 * GIB, ram_bandwidth_gbps: 400.0, fp16_tflops: 989.0,
            fp32_tflops: None, compute_capability: None, cpu_class: None, working_set: None, price_usd: None, power_w: None, source: None, cards: vec![], cluster: None, measured: None };
        let s = Settings { quant, context, parallel, ..Settings::default() };
        let e = estimate(&m, &hw, &s);
        for x in [e.decode_tps, e.decode_tps_full_context, e.roofline_tps, e.prefill_tps] {
            prop_assert!(x.is_finite() && x >= 0.0);
        }
        prop_assert!(!e.ttft_s.is_nan());
        prop_assert!(e.total_bytes >= e.weights_bytes);
    }
}

#[test]
fn max_context_is_the_edge_of_fitting() {
    let cat = catalog();
    let m = cat.find_model("llama-3.1-8b").unwrap();
    let hw = cat.find_hardware("rtx-3070").unwrap(); // 8 GiB
    let s = Settings::default();
    let w = weight_table(m, s.quant);
    let max = max_context(m, hw, &s, &w);
    assert!(
        max > 4096 && max < 131072,
        "8 GiB card holds a partial context: {max}"
    );
    assert_eq!(max % 256, 0);
    let at = estimate(m, hw, &Settings { context: max, ..s });
    let over = estimate(
        m,
        hw,
        &Settings {
            context: max + 256,
            ..s
        },
    );
    assert!(
        at.fits_on_gpu && !over.fits_on_gpu,
        "{max}: {:?} / {:?}",
        at.verdict,
        over.verdict
    );
}
