//! Several models on one machine, and one model serving many sequences: how many fit, and how
//! decode speed divides between them (docs/beyond.md).

use serde::Serialize;

use super::fit::Verdict;
use super::hardware::Hardware;
use super::kv::CacheLayout;
use super::per_token::traffic;
use super::speed::{decode_seconds, BackendConstants};
use super::weights::{weight_table, WeightTable};
use super::{estimate_with_weights, place, terms_with_weights, Estimate, ModelSpec, Settings};

/// How several models share the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sharing {
    /// All loaded at once: one llama-server per model, or Ollama with
    /// `OLLAMA_MAX_LOADED_MODELS` ≥ the number of models. Each process pays its own runtime
    /// context and compute buffers.
    Concurrent,
    /// One at a time (Ollama with `OLLAMA_MAX_LOADED_MODELS=1`, llama-swap): the largest decides.
    Alternating,
}

/// The memory of several models together.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Combined {
    /// Bytes of all models (concurrent) or of the largest (alternating).
    pub total_bytes: u64,
    /// Memory of the pool that decides.
    pub usable_bytes: u64,
    /// `usable − total`; negative when they do not fit.
    pub headroom_bytes: i64,
    /// Where they run.
    pub verdict: Verdict,
}

/// Several models' estimates (each made alone, so each carries its own per-process overhead)
/// combined. Concurrent models share the GPUs first, then (discrete GPUs) host RAM.
pub fn combine(estimates: &[Estimate], hw: &Hardware, sharing: Sharing) -> Combined {
    if sharing == Sharing::Alternating {
        let largest = estimates
            .iter()
            .max_by_key(|e| e.total_bytes)
            .map_or((0, 0, Verdict::FitsOnGpu), |e| {
                (e.total_bytes, e.usable_bytes, e.verdict)
            });
        return Combined {
            total_bytes: largest.0,
            usable_bytes: largest.1,
            headroom_bytes: signed(largest.1) - signed(largest.0),
            verdict: largest.2,
        };
    }
    let total = estimates
        .iter()
        .fold(0u64, |a, e| a.saturating_add(e.total_bytes));
    let device = if hw.unified {
        hw.usable_per_device()
    } else {
        hw.usable_total()
    };
    let host = hw.host_usable();
    let (verdict, usable) = if !hw.has_gpu() {
        (Verdict::CpuOnly, host)
    } else if total <= device {
        (Verdict::FitsOnGpu, device)
    } else if hw.unified {
        (Verdict::CpuOnly, host)
    } else {
        (Verdict::PartialOffload, device.saturating_add(host))
    };
    // Past every pool, report against the GPUs (what a buyer would add to).
    let (verdict, usable) = if total <= usable {
        (verdict, usable)
    } else if hw.has_gpu() {
        (Verdict::DoesNotFit, device)
    } else {
        (Verdict::DoesNotFit, usable)
    };
    Combined {
        total_bytes: total,
        usable_bytes: usable,
        headroom_bytes: signed(usable) - signed(total),
        verdict,
    }
}

fn signed(x: u64) -> i64 {
    x.min(i64::MAX as u64) as i64
}

/// Settings that serve `n` sequences of `context_each` tokens: llama.cpp (and MLX) hold one
/// cache of `n × context` cells, Ollama `n` caches of `context` each.
pub fn settings_for(settings: &Settings, n: u32, context_each: u32) -> Settings {
    let n = n.max(1);
    let context = match settings.runtime.cache_layout() {
        CacheLayout::PerSequence => context_each,
        CacheLayout::Split | CacheLayout::Unified => context_each.saturating_mul(n),
    };
    Settings {
        parallel: n,
        context,
        ..*settings
    }
}

/// The most sequences of `context_each` tokens that fit without falling back further than one
/// sequence does (on the GPU if one fits there), up to `limit`.
pub fn max_sequences(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    context_each: u32,
    limit: u32,
) -> u32 {
    let weights = weight_table(model, settings.quant);
    max_sequences_with_weights(model, hw, settings, &weights, context_each, limit)
}

/// [`max_sequences`] for given weights (a file's own, rather than the catalog's at the quant).
pub fn max_sequences_with_weights(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    weights: &WeightTable,
    context_each: u32,
    limit: u32,
) -> u32 {
    let verdict = |n: u32| {
        estimate_with_weights(model, hw, &settings_for(settings, n, context_each), weights).verdict
    };
    let target = verdict(1);
    if target == Verdict::DoesNotFit {
        return 0;
    }
    let ok = |n: u32| verdict(n) <= target;
    let (mut lo, mut hi) = (1u32, limit.max(1));
    if ok(hi) {
        return hi;
    }
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Decode speed with `n` sequences generating together, each with `depth` tokens cached.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Batched {
    /// Sequences decoding together.
    pub sequences: u32,
    /// Tokens/s each sequence sees.
    pub per_stream_tps: f64,
    /// Tokens/s of all sequences together.
    pub aggregate_tps: f64,
    /// The matmuls, not memory, set the step time.
    pub compute_bound: bool,
}

/// Batched decode: one step reads the weights once for all `n` tokens (for MoE, the union of
/// the experts they select, uniform routing assumed) and each sequence's own cache, and adds
/// the matmul work of the extra sequences at the rate small-batch kernels reach.
pub fn batched_decode(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    n: u32,
    depth: u64,
) -> Batched {
    let weights = weight_table(model, settings.quant);
    batched_decode_with_weights(model, hw, settings, &weights, n, depth)
}

/// [`batched_decode`] for given weights (a file's own, rather than the catalog's at the quant).
pub fn batched_decode_with_weights(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    weights: &WeightTable,
    n: u32,
    depth: u64,
) -> Batched {
    let n = n.max(1);
    let terms = terms_with_weights(model, settings, weights);
    if let Some(c) = &hw.cluster {
        return cluster_batched(model, hw, c, settings, &terms, n, depth);
    }
    let (placement, verdict, _) = place(hw, &terms, settings);
    if verdict == Verdict::DoesNotFit {
        return Batched {
            sequences: n,
            per_stream_tps: 0.0,
            aggregate_tps: 0.0,
            compute_bound: false,
        };
    }
    let c = BackendConstants::of(hw.backend).for_setup(hw, settings);
    // Mixed cards: the layer split's load-weighted rates, as for one sequence; a calibrated
    // machine or a thread-capped CPU at the same rates as the single-stream estimate.
    let (dev_bw, tflops, fp32) = super::device_rates(hw, &terms, placement);
    let tflops = super::matmul_tflops(hw, tflops, &c);
    let (c, dev_bw, host_bw, tflops) = super::running_rates(hw, c, dev_bw, tflops);
    let one = traffic(model, &terms, hw, placement, depth, Some(&c));
    let nf = f64::from(n);
    let share = expert_share(model, &terms.weights, n);
    let mut t = one;
    t.device_weights *= share;
    t.device_params *= share;
    t.host_weights *= share;
    t.device_kv *= nf;
    t.host_kv *= nf;
    t.attn_flops *= nf;
    let moe = model.arch.moe.is_some();
    let (step_mem, _) = decode_seconds(&t, &c, dev_bw, host_bw, tflops, fp32, moe);
    // Weight streaming alone, to compare with the matmuls that overlap it.
    let weights_only = super::speed::TokenTraffic {
        device_weights: t.device_weights,
        host_weights: t.host_weights,
        ..Default::default()
    };
    let no_fixed = BackendConstants {
        t_fixed: 0.0,
        t_layer: 0.0,
        ..c
    };
    let (stream, _) = decode_seconds(&weights_only, &no_fixed, dev_bw, host_bw, 0.0, 0.0, moe);
    let matmul = small_batch_matmul_seconds(terms.weights.active_params() as f64, n, tflops);
    // The runtime's own per-token cost is paid once per step, as for one sequence.
    let step = step_mem + matmul + c.link_seconds(hw) + c.runtime_seconds(settings.runtime);
    Batched {
        sequences: n,
        per_stream_tps: if step > 0.0 { 1.0 / step } else { 0.0 },
        aggregate_tps: if step > 0.0 { nf / step } else { 0.0 },
        compute_bound: matmul > stream,
    }
}

/// [`batched_decode`] on a cluster: the cluster's step for `n` sequences plus the extra matmuls.
fn cluster_batched(
    model: &ModelSpec,
    hw: &Hardware,
    c: &super::cluster::Cluster,
    settings: &Settings,
    terms: &super::ModelTerms,
    n: u32,
    depth: u64,
) -> Batched {
    let fits =
        estimate_with_weights(model, hw, settings, &terms.weights).verdict != Verdict::DoesNotFit;
    let (mem, tflops) = super::cluster::batched_step(model, hw, c, settings, terms, n, depth);
    let matmul = small_batch_matmul_seconds(terms.weights.active_params() as f64, n, tflops);
    let step = mem + matmul;
    let nf = f64::from(n);
    let rate = |x: f64| if fits && step > 0.0 { x / step } else { 0.0 };
    Batched {
        sequences: n,
        per_stream_tps: rate(1.0),
        aggregate_tps: rate(nf),
        compute_bound: matmul > mem,
    }
}

/// llama.cpp's CUDA decode runs batches of up to 8 sequences through its mat-vec kernels
/// (`MMVQ_MAX_BATCH_SIZE`) and larger ones through tiled matmuls (MMQ).
pub const VECTOR_KERNEL_MAX_BATCH: u32 = 8;
/// Fraction of dense FP16 TFLOPS the mat-vec kernels reach per extra sequence, and the tiled
/// kernels per sequence: fitted on llama-batched-bench at 1–32 sequences on an H200 (Llama 3.2
/// 1B, 3.1 8B, Qwen3-30B-A3B; tests/data/measured_llamacpp_batched.csv). CUDA only measured.
pub const VECTOR_KERNEL_EFF: f64 = 0.022;
/// See [`VECTOR_KERNEL_EFF`].
pub const TILED_KERNEL_EFF: f64 = 0.07;

/// Seconds of matmul work a step of `n` sequences adds to one sequence's (already calibrated)
/// decode time: measured steps grow by a near-constant amount per sequence up to 8, then the
/// tiled kernels take over at a higher rate.
fn small_batch_matmul_seconds(active_params: f64, n: u32, tflops: f64) -> f64 {
    if tflops <= 0.0 || n <= 1 {
        return 0.0;
    }
    let per_sequence = 2.0 * active_params / (tflops * 1e12);
    if n <= VECTOR_KERNEL_MAX_BATCH {
        f64::from(n - 1) * per_sequence / VECTOR_KERNEL_EFF
    } else {
        f64::from(n) * per_sequence / TILED_KERNEL_EFF
    }
}

/// Multiplier on one token's weight bytes when `n` tokens decode together: dense weights are
/// read once; each routed expert is read if any of the `n` tokens selects it,
/// `1 − (1 − used/experts)^n` of them on average under uniform routing.
pub(super) fn expert_share(model: &ModelSpec, w: &super::weights::WeightTable, n: u32) -> f64 {
    let Some(m) = &model.arch.moe else {
        return 1.0;
    };
    let used = f64::from(m.used.max(1));
    let experts = f64::from(m.experts.max(m.used).max(1));
    let touched = experts * (1.0 - (1.0 - used / experts).powi(n as i32));
    let read = w.read_bytes() as f64;
    let expert_read: f64 = w
        .layers
        .iter()
        .map(|l| l.expert_bytes as f64 * used / experts)
        .sum();
    if read <= 0.0 {
        return 1.0;
    }
    (read - expert_read + expert_read * touched / used) / read
}

/// A server that pre-allocates its KV pool (PagedAttention / RadixAttention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// vLLM: `gpu_memory_utilization` × the card is its budget; weights, the profiled
    /// activation peak and non-torch memory come out of it, the rest is KV blocks.
    Vllm,
    /// SGLang: `mem_fraction_static` × the card holds weights and KV; activations and CUDA
    /// graphs live in the remainder.
    Sglang,
}

/// What a pre-allocating server does with one GPU.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EnginePlan {
    /// The engine.
    pub engine: Engine,
    /// Fraction of the card it takes.
    pub utilization: f64,
    /// The budget: fraction × card memory.
    pub budget_bytes: u64,
    /// Weights.
    pub weights_bytes: u64,
    /// Activation peak of the profiling forward pass (vLLM) or 0 (SGLang, outside the budget).
    pub activation_bytes: u64,
    /// CUDA context, cuBLAS and allocator memory outside PyTorch (vLLM's non-torch memory).
    pub runtime_bytes: u64,
    /// The KV block pool.
    pub kv_pool_bytes: u64,
    /// Cache bytes per token (every attention layer, K and V).
    pub kv_bytes_per_token: u64,
    /// Tokens the pool holds (vLLM: "GPU KV cache size").
    pub kv_tokens: u64,
    /// Requests of `max_model_len` tokens the pool holds at once ("Maximum concurrency").
    pub max_concurrency: f64,
}

/// vLLM's defaults: `max_num_seqs` 256, `max_num_batched_tokens` 8192 (V1 API server on large
/// GPUs), block size 16.
pub const VLLM_MAX_NUM_SEQS: u64 = 256;
/// Tokens of vLLM's profiling forward pass.
pub const VLLM_PROFILE_TOKENS: u64 = 8192;
const VLLM_BLOCK: u64 = 16;

/// Peak activation bytes of a forward pass over `tokens` tokens in 16-bit: the residual, its
/// norm, the QKV output, the attention output and the MLP's gate/up output and activation for
/// one layer at a time, plus fp32 logits and probabilities for `seqs` sampled rows.
fn forward_activation_bytes(model: &ModelSpec, tokens: u64, seqs: u64) -> u64 {
    let a = &model.arch;
    let (h, q, kv, f) = super::train::widths(a);
    let per_token = 2 * (3 * h + q + 2 * kv + 3 * f);
    let logits = seqs
        .saturating_mul(u64::from(a.vocab))
        .saturating_mul(2 * 4);
    tokens.saturating_mul(per_token).saturating_add(logits)
}

/// Cache bytes per token as a paged engine stores them: K and V of every attention layer
/// (MLA: the latent and rope key), sliding layers at full size.
pub fn paged_kv_bytes_per_token(model: &ModelSpec, bytes_per_elem: u64) -> u64 {
    use super::model::{Attention, Mixer};
    let a = &model.arch;
    (0..a.layers)
        .filter(|&il| a.mixer(il) == Mixer::Attention && a.has_kv(il))
        .map(|il| match a.attention {
            Attention::Mla {
                kv_lora_rank,
                rope_dim,
                ..
            } => u64::from(kv_lora_rank) + u64::from(rope_dim),
            _ => {
                let (kvh, dk, dv) = a.kv_shape(il);
                u64::from(kvh) * (u64::from(dk) + u64::from(dv))
            }
        })
        .fold(0u64, u64::saturating_add)
        .saturating_mul(bytes_per_elem)
}

/// The memory plan of `engine` serving `model` with `weights` on one GPU of `hw`.
pub fn engine_plan(
    model: &ModelSpec,
    hw: &Hardware,
    weights: &WeightTable,
    kv_bytes_per_elem: u64,
    max_model_len: u32,
    engine: Engine,
    utilization: f64,
) -> EnginePlan {
    let utilization = if utilization.is_finite() {
        utilization.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let budget = (hw.memory as f64 * utilization) as u64;
    let weights = weights.loaded_bytes();
    let (activation, runtime) = match engine {
        Engine::Vllm => (
            forward_activation_bytes(model, VLLM_PROFILE_TOKENS, VLLM_MAX_NUM_SEQS),
            super::overhead::runtime_overhead(hw.backend),
        ),
        Engine::Sglang => (0, 0),
    };
    let pool = budget
        .saturating_sub(weights)
        .saturating_sub(activation)
        .saturating_sub(runtime);
    let per_token = paged_kv_bytes_per_token(model, kv_bytes_per_elem).max(1);
    let block = match engine {
        Engine::Vllm => VLLM_BLOCK,
        Engine::Sglang => 1,
    };
    let tokens = pool / per_token / block * block;
    EnginePlan {
        engine,
        utilization,
        budget_bytes: budget,
        weights_bytes: weights,
        activation_bytes: activation,
        runtime_bytes: runtime,
        kv_pool_bytes: pool,
        kv_bytes_per_token: per_token,
        kv_tokens: tokens,
        max_concurrency: tokens as f64 / f64::from(max_model_len.max(1)),
    }
}
