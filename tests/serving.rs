#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Several models at once, and many sequences on one model (docs/beyond.md).

use fitcheck::catalog::Catalog;
use fitcheck::estimate::hardware::Hardware;
use fitcheck::estimate::model::ModelSpec;
use fitcheck::estimate::serving::{
    batched_decode, combine, engine_plan, max_sequences, settings_for, Engine, Sharing,
};
use fitcheck::estimate::weights::weight_table;
use fitcheck::estimate::{estimate, Quant, Runtime, Settings, Verdict};

/// Parsed once per test binary, not per case.
fn cat() -> &'static Catalog {
    static CATALOG: std::sync::LazyLock<Catalog> =
        std::sync::LazyLock::new(|| Catalog::builtin().unwrap());
    &CATALOG
}

fn model(id: &str) -> ModelSpec {
    cat().find_model(id).unwrap().clone()
}

fn hw(id: &str) -> Hardware {
    cat().find_hardware(id).unwrap().clone()
}

#[test]
fn the_guides_48_gb_setup_alternates_two_models() {
    // "Run: Qwen 3.6-35B-A3B + DeepSeek-R1-Distill-32B (alternate as needed)" on 48 GB.
    let mac = hw("m4-pro-48");
    let s = Settings {
        context: 32768,
        ..Settings::default()
    };
    let es = [
        estimate(&model("qwen3.6-35b-a3b"), &mac, &s),
        estimate(&model("deepseek-r1-distill-qwen-32b"), &mac, &s),
    ];
    let turns = combine(&es, &mac, Sharing::Alternating);
    assert_eq!(turns.verdict, Verdict::FitsOnGpu);
    assert_eq!(turns.total_bytes, es[0].total_bytes.max(es[1].total_bytes));
    // Together they exceed Metal's working set: "alternate" is the right word.
    let together = combine(&es, &mac, Sharing::Concurrent);
    assert_eq!(together.total_bytes, es[0].total_bytes + es[1].total_bytes);
    assert_eq!(together.verdict, Verdict::DoesNotFit);
    assert!(together.headroom_bytes < 0);
    // A 128 GB machine holds both at once, each process with its own overhead.
    let big = hw("m4-max-128");
    let both = [
        estimate(&model("qwen3.6-35b-a3b"), &big, &s),
        estimate(&model("deepseek-r1-distill-qwen-32b"), &big, &s),
    ];
    assert_eq!(
        combine(&both, &big, Sharing::Concurrent).verdict,
        Verdict::FitsOnGpu
    );
}

#[test]
fn concurrent_models_spill_to_ram_on_a_discrete_gpu() {
    let card = hw("rtx-4090");
    let s = Settings::default();
    let e = estimate(&model("qwen2.5-32b"), &card, &s);
    let small = estimate(&model("llama-3.1-8b"), &card, &s);
    let c = combine(&[e.clone(), small], &card, Sharing::Concurrent);
    assert_eq!(c.verdict, Verdict::PartialOffload, "{c:?}");
    assert!(c.headroom_bytes >= 0);
}

#[test]
fn the_guides_parallel_tool_calls_on_a_32b_model_at_48_gb() {
    // "For developers running 3–5 parallel tool calls on a single 32B model, 48GB is typically
    // sufficient": at 8K tokens each, llama.cpp holds at least 5 sequences on a 48 GB Mac.
    let mac = hw("m4-pro-48");
    let m = model("qwen2.5-32b");
    let n = max_sequences(&m, &mac, &Settings::default(), 8192, 256);
    assert!(n >= 5, "{n}");
    // The answer is the edge: one more sequence no longer fits on the GPU.
    let over = estimate(&m, &mac, &settings_for(&Settings::default(), n + 1, 8192));
    assert_ne!(over.verdict, Verdict::FitsOnGpu);
    let at = estimate(&m, &mac, &settings_for(&Settings::default(), n, 8192));
    assert_eq!(at.verdict, Verdict::FitsOnGpu);
}

#[test]
fn ollama_keeps_the_context_per_sequence() {
    let s = Settings {
        runtime: Runtime::Ollama,
        ..Settings::default()
    };
    assert_eq!(settings_for(&s, 4, 8192).context, 8192);
    assert_eq!(settings_for(&Settings::default(), 4, 8192).context, 32768);
}

#[test]
fn aggregate_throughput_grows_until_the_matmuls_bind() {
    let card = hw("rtx-4090");
    let m = model("llama-3.1-8b");
    let s = settings_for(&Settings::default(), 64, 2048);
    let at = |n| batched_decode(&m, &card, &s, n, 1024);
    let (one, four, many) = (at(1), at(4), at(64));
    // One sequence: the single-stream estimate at the same depth.
    assert!(one.per_stream_tps > 50.0 && !one.compute_bound);
    // Four streams share one weight read: well over twice the total (2.6× measured on an H200),
    // each slower.
    assert!(four.aggregate_tps > 2.0 * one.aggregate_tps);
    assert!(four.per_stream_tps < one.per_stream_tps);
    // Sixty-four: each stream is much slower and the total no longer scales linearly.
    assert!(many.aggregate_tps > four.aggregate_tps);
    assert!(many.aggregate_tps < 16.0 * four.aggregate_tps);
    assert!(many.per_stream_tps < 0.6 * one.per_stream_tps);
    // A slow-compute device turns compute-bound sooner.
    let weak = Hardware {
        fp16_tflops: 5.0,
        ..card.clone()
    };
    assert!(batched_decode(&m, &weak, &s, 64, 1024).compute_bound);
}

#[test]
fn moe_batches_read_more_experts() {
    // Each extra sequence selects other experts: a batch of MoE tokens reads more weight bytes
    // than one token, so it scales worse than the same model whose tokens all chose the same
    // experts (8 of 8 instead of 8 of 128: the same blocks and kernels, about the same bytes
    // per token). Against a dense model (Llama 3.1 8B, as before session 8) it no longer tells:
    // since the decode refit the per-block costs a batch shares weigh as much in the MoE's step
    // (48 blocks, routing included) as the extra experts (8 sequences: 2.69× against 2.64×).
    let card = hw("rtx-4090");
    let moe = model("qwen3-30b-a3b");
    let mut same = moe.clone();
    if let Some(m) = same.arch.moe.as_mut() {
        m.experts = m.used;
    }
    let s = settings_for(&Settings::default(), 8, 2048);
    let one = batched_decode(&moe, &card, &s, 1, 0);
    let eight = batched_decode(&moe, &card, &s, 8, 0);
    let s1 = batched_decode(&same, &card, &s, 1, 0);
    let s8 = batched_decode(&same, &card, &s, 8, 0);
    // One token alike (within 1 %: the router's width differs).
    assert!((one.aggregate_tps / s1.aggregate_tps - 1.0).abs() < 0.02);
    let moe_gain = eight.aggregate_tps / one.aggregate_tps;
    let same_gain = s8.aggregate_tps / s1.aggregate_tps;
    assert!(moe_gain < 0.9 * same_gain, "{moe_gain} {same_gain}");
    assert!(moe_gain > 1.5);
}

/// An H100 80GB as CUDA reports it to vLLM: `total_gpu_memory 79.22GiB` (vllm#10511).
fn h100_as_reported() -> Hardware {
    Hardware {
        memory: (79.22 * (1u64 << 30) as f64) as u64,
        ..hw("h100-sxm-80")
    }
}

#[test]
fn vllm_plan_matches_its_own_memory_profile_log() {
    // vllm-project/vllm#10511: `vllm serve meta-llama/Meta-Llama-3-8B` on an H100, utilization
    // 0.90: "model weights take 14.96GiB", "PyTorch activation peak memory 1.26GiB",
    // "available_kv_cache_memory 53.29GiB".
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    let p = engine_plan(
        &model("llama-3-8b"),
        &h100_as_reported(),
        &weight_table(&model("llama-3-8b"), Quant::BF16),
        2,
        8192,
        Engine::Vllm,
        0.90,
    );
    assert!(
        (gib(p.budget_bytes) - 71.29).abs() < 0.02,
        "{}",
        gib(p.budget_bytes)
    );
    assert!(
        (gib(p.weights_bytes) / 14.96 - 1.0).abs() < 0.01,
        "{}",
        gib(p.weights_bytes)
    );
    assert!(
        (gib(p.activation_bytes) / 1.26 - 1.0).abs() < 0.10,
        "{}",
        gib(p.activation_bytes)
    );
    assert!(
        (gib(p.kv_pool_bytes) / 53.29 - 1.0).abs() < 0.04,
        "{}",
        gib(p.kv_pool_bytes)
    );
    // 128 KiB of cache per token (32 layers × 8 KV heads × 128 × 2 × 2 bytes).
    assert_eq!(p.kv_bytes_per_token, 131_072);
    assert_eq!(p.kv_tokens % 16, 0);
}

#[test]
fn vllm_concurrency_of_a_w8a8_70b() {
    // vllm-project/vllm#12569: Llama 3.1 70B W8A8, --max-model-len 2048, utilization 0.98 on an
    // H100: "Loading model weights took 67.7229 GB" (GiB), "# GPU blocks: 1381", "Maximum
    // concurrency for 2048 tokens per request: 10.79x".
    let p = engine_plan(
        &model("llama-3.1-70b"),
        &h100_as_reported(),
        &weight_table(&model("llama-3.1-70b"), Quant::Fp8),
        2,
        2048,
        Engine::Vllm,
        0.98,
    );
    let gib = p.weights_bytes as f64 / (1u64 << 30) as f64;
    assert!((gib / 67.72 - 1.0).abs() < 0.01, "{gib}");
    assert!(
        (p.max_concurrency / 10.79 - 1.0).abs() < 0.10,
        "{}",
        p.max_concurrency
    );
    // An fp8 cache holds twice the tokens of the same pool.
    let fp8 = engine_plan(
        &model("llama-3.1-70b"),
        &h100_as_reported(),
        &weight_table(&model("llama-3.1-70b"), Quant::Fp8),
        1,
        2048,
        Engine::Vllm,
        0.98,
    );
    assert!(fp8.kv_tokens >= 2 * p.kv_tokens - 16);
    // SGLang keeps activations outside its static fraction.
    let sg = engine_plan(
        &model("llama-3.1-70b"),
        &h100_as_reported(),
        &weight_table(&model("llama-3.1-70b"), Quant::Fp8),
        2,
        2048,
        Engine::Sglang,
        0.98,
    );
    assert!(sg.kv_tokens > p.kv_tokens);
}

#[test]
fn batched_decode_against_llama_batched_bench_on_an_h200() {
    // tests/data/measured_llamacpp_batched.csv: llama-batched-bench -npp 512 -ntg 128, total
    // decode tok/s at 1..32 sequences on an H200 (4.8 TB/s, 989 dense FP16 TFLOPS, 141 GB).
    let h200 = Hardware {
        memory: 141 << 30,
        bandwidth_gbps: 4800.0,
        ..hw("h100-sxm-80")
    };
    let rows: [(&str, [f64; 6]); 2] = [
        (
            "llama-3.1-8b",
            [266.23, 467.77, 685.76, 937.54, 2006.81, 3132.39],
        ),
        (
            "qwen3-30b-a3b",
            [289.97, 472.13, 683.74, 905.08, 1557.82, 2616.09],
        ),
    ];
    for (id, measured) in rows {
        let m = model(id);
        for (n, want) in [1u32, 2, 4, 8, 16, 32].into_iter().zip(measured) {
            let s = settings_for(&Settings::default(), n, 640);
            let got = batched_decode(&m, &h200, &s, n, 576).aggregate_tps;
            let ratio = got / want;
            assert!(
                (0.8..1.35).contains(&ratio),
                "{id} ×{n}: {got:.0} vs {want:.0}"
            );
        }
    }
}

#[test]
fn one_batched_sequence_is_the_plain_estimate() {
    // The serving view and the gauges answer the same question for one sequence: a CPU-only box
    // (its threads cap the decode), a runtime with its own per-token cost, and a plain card.
    let cases = [
        ("cpu-ddr5-64", "llama-3.2-3b", Runtime::LlamaCpp),
        ("rtx-4090", "llama-3.1-8b", Runtime::Ollama),
        ("rtx-4090", "llama-3.1-8b", Runtime::LlamaCpp),
        ("m4-pro-48", "qwen3-30b-a3b", Runtime::LmStudio),
    ];
    for (hw_id, model_id, runtime) in cases {
        let (m, h) = (model(model_id), hw(hw_id));
        let s = Settings {
            context: 4096,
            runtime,
            ..Settings::default()
        };
        let plain = estimate(&m, &h, &s).decode_tps;
        let one = batched_decode(&m, &h, &s, 1, 0).per_stream_tps;
        assert!(
            (one / plain - 1.0).abs() < 0.005,
            "{hw_id} {model_id} {runtime:?}: batched {one:.2} vs estimate {plain:.2} tok/s"
        );
    }
    // Two threads cannot stream a desktop's DRAM: their rate binds in both views.
    let two_threads = Hardware {
        fp16_tflops: 2.0 * fitcheck::estimate::speed::CPU_TFLOPS_PER_THREAD,
        ..hw("cpu-ddr5-64")
    };
    let m = model("llama-3.1-8b");
    let s = Settings::default();
    let plain = estimate(&m, &two_threads, &s).decode_tps;
    let one = batched_decode(&m, &two_threads, &s, 1, 0).per_stream_tps;
    assert!(
        (one / plain - 1.0).abs() < 0.005,
        "two threads: batched {one:.2} vs estimate {plain:.2} tok/s"
    );
    // A machine `fitcheck calibrate` measured runs at its measured rates in both views.
    let mut calibrated = hw("rtx-4090");
    calibrated.measured = Some(fitcheck::estimate::machine::MachineSpeed {
        bandwidth_gbps: 500.0,
        fixed_s: 3e-3,
        prefill_tflops: None,
        decode_runs: 4,
        prefill_runs: 0,
    });
    let plain = estimate(&m, &calibrated, &s).decode_tps;
    let one = batched_decode(&m, &calibrated, &s, 1, 0).per_stream_tps;
    assert!(
        (one / plain - 1.0).abs() < 0.005,
        "calibrated: batched {one:.2} vs estimate {plain:.2} tok/s"
    );
}
