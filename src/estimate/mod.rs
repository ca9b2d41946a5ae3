//! The estimator: pure functions from (model, hardware, settings) to memory and speed.
//! No I/O, no UI, no clocks — every client (CLI, TUI, benches) calls [`estimate`].

pub mod breakdown;
pub mod cluster;
mod constants;
pub mod cpu;
pub mod dsv4;
pub mod fit;
pub mod ggml;
pub mod hardware;
mod kimi;
pub mod kv;
pub mod machine;
pub mod memo;
pub mod model;
pub mod overhead;
mod per_token;
pub mod quant;
pub mod serving;
pub mod settings;
pub mod speed;
pub mod tensors;
pub mod train;
pub mod units;
pub mod vision;
pub mod weights;

use serde::Serialize;

pub use breakdown::{overhead_parts, vision_parts, Part};
pub use cpu::CpuClass;
pub use fit::{Placement, Verdict};
pub use hardware::{mixed_box, Backend, GpuCard, Hardware};
pub use kv::KvType;
pub use model::ModelSpec;
pub use quant::Quant;
pub use settings::{Runtime, Settings};

use fit::{FitInputs, Tally};
use kv::{cache_bytes, CacheBytes, CacheShape};
use model::Attention;
use overhead::{compute_buffers, runtime_overhead, ComputeBuffers};
use per_token::{prefill_work, traffic};
use speed::{decode_seconds, prefill_seconds};
pub use speed::{BackendConstants, BuildEra};
use weights::{weight_table, WeightTable};

/// Everything the app shows about one (model, hardware, settings).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Weights loaded, bytes.
    pub weights_bytes: u64,
    /// Of which on GPUs.
    pub weights_gpu_bytes: u64,
    /// Of which in host RAM (token embedding, offloaded layers).
    pub weights_host_bytes: u64,
    /// Attention KV cache, bytes.
    pub kv_bytes: u64,
    /// Recurrent state, bytes.
    pub state_bytes: u64,
    /// Compute buffers + runtime overhead, bytes (the four lines below).
    pub overhead_bytes: u64,
    /// Compute buffers on the GPUs (the unified pool on unified machines).
    pub compute_gpu_bytes: u64,
    /// Compute buffers, graph inputs and the logits output buffer in host RAM.
    pub compute_host_bytes: u64,
    /// Driver context per GPU × GPUs (CUDA context, cuBLAS workspace, memory pool).
    pub runtime_gpu_bytes: u64,
    /// Runtime allowance in host RAM (tokenizer, thread pools).
    pub runtime_host_bytes: u64,
    /// Vision projector weights (mmproj), 0 for text-only models.
    pub projector_bytes: u64,
    /// Its clip compute buffer for one image.
    pub projector_compute_bytes: u64,
    /// Sum of the above.
    pub total_bytes: u64,
    /// Memory of the binding pool (GPU, unified pool, or GPU + RAM when offloading).
    pub usable_bytes: u64,
    /// Used in that pool.
    pub used_bytes: u64,
    /// What the device must hold: the GPUs (all cards), or the unified pool (Metal's share,
    /// RAM when it runs on the CPU), or RAM on a machine without a GPU. The one "memory" figure.
    pub device_bytes: u64,
    /// What the GPUs hold, summed over the cards: `device_bytes` less the room a multi-GPU split
    /// leaves idle on the cards roomier than the tightest one (equal to it with one GPU).
    pub device_held_bytes: u64,
    /// What the device offers (all cards).
    pub device_usable_bytes: u64,
    /// Held in host RAM besides (offloaded layers or experts, the token embedding); 0 without
    /// a discrete GPU, where RAM is the device.
    pub host_bytes: u64,
    /// Host RAM available for it.
    pub host_usable_bytes: u64,
    /// `usable − used`; negative when it does not fit.
    pub headroom_bytes: i64,
    /// The answer.
    pub verdict: Verdict,
    /// Everything on the GPU.
    pub fits_on_gpu: bool,
    /// Blocks on the GPU (+1 for the output layer) out of `total_layers`.
    pub gpu_layers: u32,
    /// Blocks + output layer.
    pub total_layers: u32,
    /// First blocks whose experts stay in host RAM.
    pub cpu_moe_layers: u32,
    /// Bytes streamed per decoded token on an empty cache.
    pub bytes_per_token: u64,
    /// Decode tokens/s on an empty cache.
    pub decode_tps: f64,
    /// Decode tokens/s with the whole context in the cache.
    pub decode_tps_full_context: f64,
    /// Bandwidth-only upper bound on decode tokens/s (the roofline).
    pub roofline_tps: f64,
    /// Prefill tokens/s for a prompt filling the context.
    pub prefill_tps: f64,
    /// Seconds to first token for that prompt.
    pub ttft_s: f64,
}

/// Model-dependent pieces that do not depend on hardware (memoised by the TUI).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelTerms {
    /// Weight table under the chosen quant.
    pub weights: WeightTable,
    /// Cache bytes under the chosen context/cache settings.
    pub cache: CacheBytes,
    /// Compute buffers.
    pub compute: ComputeBuffers,
    /// Cache layout.
    pub shape: CacheShape,
}

/// The cache layout the runtime would use.
pub fn cache_shape(settings: &Settings) -> CacheShape {
    CacheShape {
        context: settings.context.max(1),
        parallel: settings.parallel.max(1),
        layout: settings.runtime.cache_layout(),
        k_type: settings.kv_type,
        v_type: settings.kv_type,
        n_ubatch: settings.n_ubatch.max(1),
        n_outputs: settings
            .runtime
            .logit_rows(settings.parallel, settings.n_ubatch),
        flash_attn: settings.flash_attn,
        ollama_swa_memory: None,
    }
}

/// Ollama runs these architectures in its own engine, whose sliding-window caches are one pool
/// per layer with a memory floor (model/models/*: `NewSWAMemCache(window, 4096)` for gpt-oss and
/// Gemma 4, `NewSWACache(window)` for Gemma 3 and 3n).
fn ollama_swa_memory(kind: &str) -> Option<u32> {
    match kind {
        "gpt-oss" | "gemma4" => Some(4096),
        "gemma3" | "gemma3n" => Some(0),
        _ => None,
    }
}

fn window_cells(model: &ModelSpec, shape: &CacheShape) -> Option<u64> {
    match model.arch.attention {
        Attention::Sliding { window, .. } => Some(shape.window_cells(window)),
        Attention::Chunked { chunk, .. } => Some(shape.window_cells(chunk)),
        _ => None,
    }
}

/// mlx-lm reserves no graph; its peak is the last prefill step (up to 2048 tokens), whose logits
/// it computes for every position before keeping the last (16-bit), plus, for MoE, each selected
/// expert's activations. Matches mlx-lm's measured peaks within ~2 % (docs/accuracy.md).
fn mlx_prefill_peak(arch: &model::Arch, context: u32) -> u64 {
    const PREFILL_STEP: u64 = 2048;
    let step = u64::from(context).clamp(1, PREFILL_STEP);
    let logits = step.saturating_mul(u64::from(arch.vocab)).saturating_mul(2);
    let experts = arch.moe.as_ref().map_or(0, |m| {
        let per_token = 3 * u64::from(m.expert_ffn) + u64::from(arch.hidden);
        step.saturating_mul(u64::from(m.used))
            .saturating_mul(per_token)
            .saturating_mul(2)
    });
    logits.saturating_add(experts)
}

/// llama.cpp gained MLA caching in 2025-04 (llama.cpp#12801); GGUFs converted before then carry
/// no latent dims and cache every head's K and V. Ollama still serves the files it made at
/// release, so its DeepSeek-V2/V3/R1 tags from before then run expanded.
const MLA_GGUF_SINCE: &str = "2025-04";

/// The attention layout the runtime's file of `model` really has: a catalog MLA model served by
/// Ollama from a pre-MLA conversion is plain attention over its per-head K and V.
pub fn runtime_arch<'a>(
    model: &'a ModelSpec,
    runtime: Runtime,
) -> std::borrow::Cow<'a, model::Arch> {
    let legacy = runtime == Runtime::Ollama
        && matches!(model.arch.attention, Attention::Mla { .. })
        && model
            .released
            .as_deref()
            .is_some_and(|r| r < MLA_GGUF_SINCE);
    if !legacy {
        return std::borrow::Cow::Borrowed(&model.arch);
    }
    let mut arch = model.arch.clone();
    if let Attention::Mla {
        nope_dim, rope_dim, ..
    } = arch.attention
    {
        arch.kv_heads = arch.heads;
        arch.value_head_dim = Some(arch.v_head_dim());
        arch.head_dim = nope_dim.saturating_add(rope_dim);
        arch.attention = Attention::Full;
    }
    std::borrow::Cow::Owned(arch)
}

/// Cache + compute terms for a context (weights passed in so they are not recomputed).
pub fn context_terms(
    model: &ModelSpec,
    settings: &Settings,
) -> (CacheBytes, ComputeBuffers, CacheShape) {
    let mut shape = cache_shape(settings);
    if settings.runtime == Runtime::Ollama {
        shape.ollama_swa_memory = ollama_swa_memory(&model.arch.kind);
    }
    let arch = runtime_arch(model, settings.runtime);
    let cache = cache_bytes(&arch, &shape);
    let mut compute = compute_buffers(&arch, &shape, window_cells(model, &shape));
    if settings.runtime == Runtime::Mlx {
        compute = ComputeBuffers {
            device: mlx_prefill_peak(&model.arch, settings.context),
            ..ComputeBuffers::default()
        };
    } else if let Some(v) = &model.vision {
        // mlx-lm is text-only; the llama.cpp engines load the mmproj beside the model.
        compute.projector_weights = v.weight_bytes();
        compute.projector_compute = v.compute_bytes(settings.flash_attn);
    }
    (cache, compute, shape)
}

/// The terms at `settings` for a weight table already at hand (read from a GGUF, or memoised).
pub fn terms_with_weights(
    model: &ModelSpec,
    settings: &Settings,
    weights: &WeightTable,
) -> ModelTerms {
    let (cache, compute, shape) = context_terms(model, settings);
    ModelTerms {
        weights: weights.clone(),
        cache,
        compute,
        shape,
    }
}

/// All hardware-independent terms.
pub fn model_terms(model: &ModelSpec, settings: &Settings) -> ModelTerms {
    let weights = weight_table(model, settings.quant);
    let (cache, compute, shape) = context_terms(model, settings);
    ModelTerms {
        weights,
        cache,
        compute,
        shape,
    }
}

/// The full estimate.
pub fn estimate(model: &ModelSpec, hw: &Hardware, settings: &Settings) -> Estimate {
    let terms = model_terms(model, settings);
    estimate_with_terms(model, hw, settings, &terms)
}

/// Where the layers go: the user's `--gpu-layers` and `--n-cpu-moe` on a discrete GPU, else
/// the runtime's automatic placement (llama.cpp: experts to the host first, then whole layers;
/// Ollama and LM Studio: whole layers).
pub(crate) fn place(
    hw: &Hardware,
    terms: &ModelTerms,
    settings: &Settings,
) -> (Placement, Verdict, Tally) {
    let inputs = fit_inputs(hw, terms);
    let discrete = hw.has_gpu() && !hw.unified;
    let blocks = terms.weights.layers.len() as u32;
    // As llama.cpp: `--n-cpu-moe` matches no tensor of a dense model, and more blocks than the
    // model has means all of them.
    let is_moe = terms.weights.layers.iter().any(|l| l.expert_bytes > 0);
    let cpu_moe = settings.cpu_moe.filter(|_| is_moe).map(|n| n.min(blocks));
    match (settings.gpu_layers, cpu_moe) {
        (ngl, cpu_moe) if discrete && (ngl.is_some() || cpu_moe.is_some()) => {
            let p = Placement {
                gpu_layers: ngl.unwrap_or(blocks + 1),
                cpu_moe: cpu_moe.unwrap_or(0),
            };
            let (v, t) = inputs.verdict_of(p);
            (p, v, t)
        }
        _ => inputs.auto_place(settings.runtime == Runtime::LlamaCpp),
    }
}

/// (weights, KV) bytes on each GPU of the placement the estimate chooses (llama.cpp's layer
/// split); one entry for a single GPU, none in use for CPU-only or unified machines.
pub fn layer_split(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    weights: &WeightTable,
) -> Vec<(u64, u64)> {
    let terms = terms_with_weights(model, settings, weights);
    let (placement, _, _) = place(hw, &terms, settings);
    fit_inputs(hw, &terms).layer_split(placement)
}

/// The estimate from precomputed model terms (what the incremental layer calls).
pub fn estimate_with_terms(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    terms: &ModelTerms,
) -> Estimate {
    if let Some(c) = &hw.cluster {
        return cluster::estimate(model, hw, c, settings, terms).estimate;
    }
    let (placement, verdict, tally) = place(hw, terms, settings);
    assemble(model, hw, settings, terms, placement, verdict, &tally)
}

/// The verdict at `settings` (a cluster's: every node holds its share, or it does not fit).
fn verdict_with_terms(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    terms: &ModelTerms,
) -> Verdict {
    match &hw.cluster {
        Some(c) => {
            cluster::estimate(model, hw, c, settings, terms)
                .estimate
                .verdict
        }
        None => place(hw, terms, settings).1,
    }
}

fn fit_inputs<'a>(hw: &'a Hardware, terms: &'a ModelTerms) -> FitInputs<'a> {
    FitInputs {
        weights: &terms.weights,
        cache: &terms.cache,
        compute: terms.compute.on_backend(hw.backend),
        runtime: runtime_overhead(hw.backend),
        hw,
    }
}

#[allow(clippy::too_many_arguments)]
fn assemble(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    terms: &ModelTerms,
    placement: Placement,
    verdict: Verdict,
    tally: &Tally,
) -> Estimate {
    let n = model.arch.layers;
    let weights_bytes = tally.gpu_weights.saturating_add(tally.host_weights);
    let overhead_bytes = tally.compute().saturating_add(tally.runtime());
    let total_bytes = weights_bytes
        .saturating_add(terms.cache.kv)
        .saturating_add(terms.cache.state)
        .saturating_add(overhead_bytes)
        .saturating_add(tally.gpu_projector)
        .saturating_add(tally.host_projector);
    let (usable, used) = binding_pool(hw, verdict, tally);
    let c = BackendConstants::of(hw.backend).for_setup(hw, settings);
    let (peak_bw, peak_tflops, fp32) = device_rates(hw, terms, placement);
    let peak_tflops = matmul_tflops(hw, peak_tflops, &c);
    let (c, dev_bw, host_bw, tflops) = running_rates(hw, c, peak_bw, peak_tflops);
    let traffic_empty = traffic(model, terms, hw, placement, 0, Some(&c));
    let traffic_full = traffic(
        model,
        terms,
        hw,
        placement,
        u64::from(settings.context),
        Some(&c),
    );
    let raw_empty = traffic(model, terms, hw, placement, 0, None);
    let moe = model.arch.moe.is_some();
    let (t0, _) = decode_seconds(&traffic_empty, &c, dev_bw, host_bw, tflops, fp32, moe);
    let (t1, _) = decode_seconds(&traffic_full, &c, dev_bw, host_bw, tflops, fp32, moe);
    // The roofline stays the hardware's peak, unless a measurement shows the peak assumed low.
    let (roof_dev, roof_host) = match &hw.measured {
        Some(m) => machine::roofline_rates(m, hw, (peak_bw, hw.host_bandwidth())),
        None => (peak_bw, hw.host_bandwidth()),
    };
    let (_, roof) = decode_seconds(&raw_empty, &c, roof_dev, roof_host, peak_tflops, fp32, moe);
    let fixed = c.link_seconds(hw) + c.runtime_seconds(settings.runtime);
    let (t0, t1) = (t0 + fixed, t1 + fixed);
    let prompt = u64::from(settings.context.max(1));
    let work = prefill_work(model, terms, prompt, 0, (settings, hw), tally);
    let gpu_offload = hw.has_gpu() && !hw.unified && tally.host_weights > terms.weights.token_embd;
    let pp_s = if verdict == Verdict::DoesNotFit {
        f64::INFINITY
    } else {
        prefill_seconds(&work, &c, tflops, gpu_offload)
    };
    let runs = verdict != Verdict::DoesNotFit;
    let tps = |t: f64| if runs && t > 0.0 { 1.0 / t } else { 0.0 };
    Estimate {
        weights_bytes,
        weights_gpu_bytes: tally.gpu_weights,
        weights_host_bytes: tally.host_weights,
        kv_bytes: terms.cache.kv,
        state_bytes: terms.cache.state,
        overhead_bytes,
        compute_gpu_bytes: tally.gpu_compute,
        compute_host_bytes: tally.host_compute,
        runtime_gpu_bytes: tally.gpu_runtime,
        runtime_host_bytes: tally.host_runtime,
        projector_bytes: terms.compute.projector_weights,
        projector_compute_bytes: terms.compute.projector_compute,
        total_bytes,
        usable_bytes: usable,
        used_bytes: used,
        // A unified pool is one memory: its binding figure is the whole story.
        // Discrete cards: the GPU pool as the headroom reads it (mixed cards included).
        device_bytes: if hw.has_gpu() && !hw.unified {
            gpu_pool(hw, tally).1
        } else {
            used
        },
        device_held_bytes: if hw.has_gpu() && !hw.unified {
            [
                tally.gpu_weights,
                tally.gpu_cache,
                tally.gpu_compute,
                tally.gpu_runtime,
                tally.gpu_projector,
            ]
            .into_iter()
            .fold(0u64, u64::saturating_add)
        } else {
            used
        },
        device_usable_bytes: if hw.has_gpu() && !hw.unified {
            gpu_pool(hw, tally).0
        } else {
            usable
        },
        host_bytes: if hw.has_gpu() && !hw.unified {
            tally.host
        } else {
            0
        },
        host_usable_bytes: hw.host_usable(),
        headroom_bytes: (usable.min(i64::MAX as u64) as i64)
            .saturating_sub(used.min(i64::MAX as u64) as i64),
        verdict,
        fits_on_gpu: verdict == Verdict::FitsOnGpu,
        gpu_layers: placement.gpu_layers.min(n + 1),
        total_layers: n + 1,
        cpu_moe_layers: placement.cpu_moe,
        bytes_per_token: (raw_empty.device_weights
            + raw_empty.host_weights
            + raw_empty.device_kv
            + raw_empty.host_kv) as u64,
        decode_tps: tps(t0),
        decode_tps_full_context: tps(t1),
        roofline_tps: if roof > 0.0 { 1.0 / roof } else { 0.0 },
        prefill_tps: if runs && pp_s.is_finite() && pp_s > 0.0 {
            prompt as f64 / pp_s
        } else {
            0.0
        },
        ttft_s: if runs { pp_s } else { f64::INFINITY },
    }
    .sanitized()
}

impl Estimate {
    fn sanitized(mut self) -> Self {
        for x in [
            &mut self.decode_tps,
            &mut self.decode_tps_full_context,
            &mut self.roofline_tps,
            &mut self.prefill_tps,
        ] {
            if !x.is_finite() {
                *x = 0.0;
            }
        }
        if self.ttft_s.is_nan() {
            self.ttft_s = f64::INFINITY;
        }
        self
    }
}

/// The RAM bandwidth a CPU-only machine decodes at (all its weights are host weights, read at
/// `eta`): its threads dequantize slower than its DRAM delivers, at their class's rate
/// (docs/accuracy.md). A machine with a GPU keeps `bw_gbps`: its host threads are not known.
/// (constants, device GB/s, host GB/s, TFLOPS) a token runs at: a machine calibrated by
/// `fitcheck calibrate` at its own measured rates, else the peaks, a CPU's host rate capped by
/// its threads. One function so the gauges and the serving view cannot disagree.
fn running_rates(
    hw: &Hardware,
    c: BackendConstants,
    peak_bw: f64,
    peak_tflops: f64,
) -> (BackendConstants, f64, f64, f64) {
    let host_bw = hw.host_bandwidth();
    match &hw.measured {
        Some(m) => machine::measured_rates(m, &c, hw, (peak_bw, host_bw, peak_tflops)),
        None => (
            c,
            peak_bw,
            cpu_decode_rate(hw, host_bw, &c, c.eta_host),
            peak_tflops,
        ),
    }
}

fn cpu_decode_rate(hw: &Hardware, bw_gbps: f64, c: &BackendConstants, eta: f64) -> f64 {
    if hw.backend != Backend::Cpu {
        return bw_gbps;
    }
    c.cpu_bandwidth(
        bw_gbps,
        hw.fp16_tflops,
        hw.cpu_class.unwrap_or_default(),
        eta,
    )
}

/// The matmul TFLOPS the device terms run at: a CPU's from its threads and their class.
fn matmul_tflops(hw: &Hardware, tflops: f64, c: &BackendConstants) -> f64 {
    if hw.backend != Backend::Cpu {
        return tflops;
    }
    c.cpu_tflops(hw.fp16_tflops, hw.cpu_class.unwrap_or_default())
}

/// (bandwidth GB/s, FP16 TFLOPS, FP32 TFLOPS or 0 when unknown) the device terms run at: for
/// mixed cards, those of one card as slow as the layer split (identical cards: their own figures).
fn device_rates(hw: &Hardware, terms: &ModelTerms, placement: Placement) -> (f64, f64, f64) {
    if hw.cards.is_empty() {
        return (
            hw.bandwidth_gbps,
            hw.fp16_tflops,
            hw.fp32_tflops.unwrap_or(0.0),
        );
    }
    let loads: Vec<u64> = fit_inputs(hw, terms)
        .layer_split(placement)
        .iter()
        .map(|(w, kv)| w.saturating_add(*kv))
        .collect();
    hw.split_rates(&loads)
}

impl Estimate {
    /// Part of it runs from host RAM (offloaded layers or experts, or the CPU alone).
    pub fn offloaded(&self) -> bool {
        matches!(
            self.verdict,
            Verdict::PartialOffload | Verdict::CpuOnly | Verdict::DoesNotFit
        ) && self.host_bytes > 0
    }

    /// Where the layers went when not all on the GPU: " (12/49 layers on GPU)", " (experts of
    /// the first 20 layers in RAM)"; empty otherwise.
    pub fn placement_note(&self) -> String {
        match self.verdict {
            // llama.cpp's fallback when even the dense tensors do not fit: those of the last
            // blocks on the GPU, every routed expert in RAM.
            Verdict::PartialOffload
                if self.cpu_moe_layers > 0 && self.gpu_layers < self.total_layers =>
            {
                format!(
                    " (experts in RAM, {}/{} layers on GPU)",
                    self.gpu_layers, self.total_layers
                )
            }
            Verdict::PartialOffload if self.cpu_moe_layers > 0 => {
                format!(
                    " (experts of the first {} layers in RAM)",
                    self.cpu_moe_layers
                )
            }
            Verdict::PartialOffload => {
                format!(" ({}/{} layers on GPU)", self.gpu_layers, self.total_layers)
            }
            _ => String::new(),
        }
    }

    /// (used, usable) of the memory it runs from, as the verdict draws on it: the GPU (or
    /// unified pool, or RAM without a GPU) alone, or GPU + host RAM together when offloaded.
    pub fn pool(&self) -> (u64, u64) {
        if self.offloaded() {
            (
                self.device_bytes.saturating_add(self.host_bytes),
                self.device_usable_bytes
                    .saturating_add(self.host_usable_bytes),
            )
        } else {
            (self.used_bytes, self.usable_bytes)
        }
    }

    /// Room on the cards a multi-GPU layer split leaves idle: `device_bytes` counts every card as
    /// full as the tightest one (so that its headroom is that card's), the GPUs hold
    /// `device_held_bytes`. 0 with one GPU, a unified pool or no GPU.
    pub fn split_idle_bytes(&self) -> u64 {
        self.device_bytes.saturating_sub(self.device_held_bytes)
    }

    /// `usable − used` of [`Estimate::pool`]; negative when it does not fit.
    pub fn pool_headroom(&self) -> i64 {
        let (used, usable) = self.pool();
        (usable.min(i64::MAX as u64) as i64).saturating_sub(used.min(i64::MAX as u64) as i64)
    }

    /// "used/usable" in GiB without the unit, device and host apart when offloaded:
    /// "21.4/24.0", "23.2+36.7/24.0+55.3".
    pub fn memory_of_usable_gib(&self) -> String {
        format!("{}/{}", self.memory_gib(), self.usable_gib())
    }

    /// The usable side of [`Estimate::memory_of_usable_gib`]: "24.0", or "24.0+55.3" (GPU +
    /// host RAM) when offloaded.
    pub fn usable_gib(&self) -> String {
        let gib = |b: u64| b as f64 / units::GIB as f64;
        if self.offloaded() {
            format!(
                "{:.1}+{:.1}",
                gib(self.device_usable_bytes),
                gib(self.host_usable_bytes)
            )
        } else {
            format!("{:.1}", gib(self.usable_bytes))
        }
    }

    /// The memory figure every table shows, in GiB without the unit: "22.6" (device), or
    /// "22.6+8.1" (device + host RAM) when part of it is offloaded.
    pub fn memory_gib(&self) -> String {
        let gib = |b: u64| b as f64 / units::GIB as f64;
        if self.offloaded() {
            format!("{:.1}+{:.1}", gib(self.device_bytes), gib(self.host_bytes))
        } else {
            format!("{:.1}", gib(self.device_bytes))
        }
    }
}

/// (usable, used) of the discrete GPUs together: all their usable bytes, and used such that
/// the headroom is `gpus ×` that of the tightest card. Identical cards: `gpus ×` the fullest.
/// (What would have to shrink, per card, for the split to still fit.)
fn gpu_pool(hw: &Hardware, t: &Tally) -> (u64, u64) {
    let gpus = i128::from(hw.gpus.max(1));
    let usable = hw.usable_total();
    let tight = (i128::from(t.gpu_usable) - i128::from(t.gpu_per_device)) * gpus;
    let used = (i128::from(usable) - tight).clamp(0, i128::from(u64::MAX)) as u64;
    (usable, used)
}

/// (usable, used) of the pool that decides the verdict (the GPUs reported together).
fn binding_pool(hw: &Hardware, verdict: Verdict, t: &Tally) -> (u64, u64) {
    if !hw.has_gpu() {
        return (hw.host_usable(), t.host);
    }
    if hw.unified {
        return match verdict {
            Verdict::CpuOnly => (hw.host_usable(), t.host),
            _ => (hw.usable_per_device(), t.gpu_per_device),
        };
    }
    match verdict {
        Verdict::FitsOnGpu => gpu_pool(hw, t),
        Verdict::CpuOnly => (hw.host_usable(), t.host),
        _ => {
            // Offloading: report the tighter of the two pools.
            let gpu_head = (t.gpu_usable as i128) - (t.gpu_per_device as i128);
            let host_head = (hw.host_usable() as i128) - (t.host as i128);
            if gpu_head <= host_head {
                gpu_pool(hw, t)
            } else {
                (hw.host_usable(), t.host)
            }
        }
    }
}

/// Largest context (multiple of 256, up to the model's maximum) whose verdict is no worse than
/// at `settings.context`; if it does not fit at all, the largest context that fits in any way.
pub fn max_context(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    weights: &WeightTable,
) -> u32 {
    let verdict_at = |ctx: u32| {
        let s = Settings {
            context: ctx,
            ..*settings
        };
        let terms = terms_with_weights(model, &s, weights);
        verdict_with_terms(model, hw, &s, &terms)
    };
    let current = verdict_at(settings.context.max(256));
    let target = if current == Verdict::DoesNotFit {
        Verdict::CpuOnly
    } else {
        current
    };
    largest_context(model, target, verdict_at)
}

/// Largest context (multiple of 256, up to the model's maximum) whose verdict is `worst` or
/// better: `FitsOnGpu` asks "on the GPU alone", `PartialOffload` "with layers in RAM". 0 when
/// not even 256 tokens do.
pub fn max_context_within(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    weights: &WeightTable,
    worst: Verdict,
) -> u32 {
    largest_context(model, worst, |ctx| {
        let s = Settings {
            context: ctx,
            ..*settings
        };
        let terms = terms_with_weights(model, &s, weights);
        verdict_with_terms(model, hw, &s, &terms)
    })
}

fn largest_context(model: &ModelSpec, target: Verdict, verdict_at: impl Fn(u32) -> Verdict) -> u32 {
    let ok = |ctx: u32| verdict_at(ctx) <= target;
    let cap = model.max_context().max(256);
    if ok(cap) {
        return cap;
    }
    if !ok(256) {
        return 0;
    }
    // Binary search over multiples of 256.
    let (mut lo, mut hi) = (1u32, cap / 256);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if ok(mid * 256) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo * 256
}

/// Decode and prefill speed at a given cache depth and prompt length, for a fixed placement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speeds {
    /// Decode tokens/s with `depth` tokens in the cache.
    pub decode_tps: f64,
    /// Prefill tokens/s for `prompt` tokens starting at `depth`.
    pub prefill_tps: f64,
    /// Where the weights ended up.
    pub verdict: Verdict,
}

/// Speeds for benchmark-style questions (llama-bench `tgN@dD`, `ppN@dD`), from given terms.
pub fn speeds_with_terms(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    terms: &ModelTerms,
    depth: u64,
    prompt: u64,
) -> Speeds {
    speeds_with_constants(
        model,
        hw,
        settings,
        terms,
        depth,
        prompt,
        &BackendConstants::of(hw.backend),
    )
}

/// [`speeds_with_terms`] with explicit backend constants (what calibration searches over).
pub fn speeds_with_constants(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    terms: &ModelTerms,
    depth: u64,
    prompt: u64,
    c: &BackendConstants,
) -> Speeds {
    let (placement, verdict, tally) = place(hw, terms, settings);
    let moe = model.arch.moe.is_some();
    let c = &c.for_setup(hw, settings);
    let tr = traffic(model, terms, hw, placement, depth, Some(c));
    let (dev_bw, tflops, fp32) = device_rates(hw, terms, placement);
    let tflops = matmul_tflops(hw, tflops, c);
    let host_bw = cpu_decode_rate(hw, hw.host_bandwidth(), c, c.eta_host);
    let (t, _) = decode_seconds(&tr, c, dev_bw, host_bw, tflops, fp32, moe);
    let t = t + c.link_seconds(hw) + c.runtime_seconds(settings.runtime);
    let work = prefill_work(model, terms, prompt.max(1), depth, (settings, hw), &tally);
    let gpu_offload = hw.has_gpu() && !hw.unified && tally.host_weights > terms.weights.token_embd;
    let pp = prefill_seconds(&work, c, tflops, gpu_offload);
    Speeds {
        decode_tps: if t > 0.0 { 1.0 / t } else { 0.0 },
        prefill_tps: if pp > 0.0 {
            prompt.max(1) as f64 / pp
        } else {
            0.0
        },
        verdict,
    }
}

/// Each node's share and the link's cost when `hw` is a cluster; `None` for one machine.
pub fn cluster_detail(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    weights: &WeightTable,
) -> Option<cluster::ClusterEstimate> {
    let c = hw.cluster.as_ref()?;
    let terms = terms_with_weights(model, settings, weights);
    Some(cluster::estimate(model, hw, c, settings, &terms))
}

/// The estimate for a model whose weights are known exactly (read from a GGUF tensor table).
pub fn estimate_with_weights(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    weights: &WeightTable,
) -> Estimate {
    let terms = terms_with_weights(model, settings, weights);
    estimate_with_terms(model, hw, settings, &terms)
}
