//! Bounds on every number fitcheck accepts, in one place: the command-line parsers and the file
//! readers (GGUF headers, safetensors config.json, catalog.ron, config.ron) use the same ranges,
//! so a value refused as a flag is refused in a file too. The limits are far beyond any real
//! model or machine; they exist so a hostile number cannot allocate gigabytes or overflow.

use std::fmt;

use crate::estimate::hardware::Hardware;
use crate::estimate::model::{Arch, Attention, LayerLayout, ModelSpec, Recurrent};

/// An inclusive range for a named quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound<T> {
    /// What the number is, for messages ("GPUs", "context").
    pub what: &'static str,
    /// Smallest accepted value.
    pub min: T,
    /// Largest accepted value.
    pub max: T,
}

/// A number outside its bound, or not a number at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfRange {
    /// What was checked.
    pub what: &'static str,
    /// The offending text or value.
    pub got: String,
    /// The accepted range, written out.
    pub range: String,
}

impl fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} must be a number in {}, got {}",
            self.what, self.range, self.got
        )
    }
}

impl std::error::Error for OutOfRange {}

impl Bound<u64> {
    /// `v` if it lies in the range.
    pub fn check(&self, v: u64) -> Result<u64, OutOfRange> {
        if (self.min..=self.max).contains(&v) {
            Ok(v)
        } else {
            Err(self.refuse(v.to_string()))
        }
    }

    /// A `u32` field checked against the range (the bound itself fits in `u32`).
    pub fn check_u32(&self, v: u32) -> Result<u32, OutOfRange> {
        self.check(u64::from(v)).map(|_| v)
    }

    /// Parses a flag value.
    pub fn parse(&self, s: &str) -> Result<u64, OutOfRange> {
        s.trim()
            .replace('_', "")
            .parse::<u64>()
            .map_err(|_| self.refuse(format!("'{s}'")))
            .and_then(|v| self.check(v))
    }

    /// A clap value parser for a `u32` flag.
    pub fn u32_flag(self) -> impl Fn(&str) -> Result<u32, OutOfRange> + Clone + Send + Sync {
        move |s| {
            self.parse(s)
                .and_then(|v| u32::try_from(v).map_err(|_| self.refuse(v.to_string())))
        }
    }

    fn refuse(&self, got: String) -> OutOfRange {
        OutOfRange {
            what: self.what,
            got,
            range: format!("{}..={}", self.min, self.max),
        }
    }
}

impl Bound<f64> {
    /// `v` if it is finite and in the range (NaN, inf and negatives are refused).
    pub fn check(&self, v: f64) -> Result<f64, OutOfRange> {
        if v.is_finite() && v >= self.min && v <= self.max {
            Ok(v)
        } else {
            // 1e308 echoed in full is 309 digits: far-off values are written as typed.
            let far = v.is_finite() && v != 0.0 && !(1e-4..1e9).contains(&v.abs());
            Err(self.refuse(if far { format!("{v:e}") } else { v.to_string() }))
        }
    }

    /// Parses a flag value.
    pub fn parse(&self, s: &str) -> Result<f64, OutOfRange> {
        s.trim()
            .parse::<f64>()
            .map_err(|_| self.refuse(format!("'{s}'")))
            .and_then(|v| self.check(v))
    }

    /// A clap value parser for an `f64` flag.
    pub fn flag(self) -> impl Fn(&str) -> Result<f64, OutOfRange> + Clone + Send + Sync {
        move |s| self.parse(s)
    }

    fn refuse(&self, got: String) -> OutOfRange {
        OutOfRange {
            what: self.what,
            got,
            range: format!("{}..={}", self.min, self.max),
        }
    }
}

const fn int(what: &'static str, min: u64, max: u64) -> Bound<u64> {
    Bound { what, min, max }
}

const fn real(what: &'static str, min: f64, max: f64) -> Bound<f64> {
    Bound { what, min, max }
}

// Settings.
/// Context in tokens (the longest trained contexts are 10M).
pub const CONTEXT: Bound<u64> = int("context", 1, 100_000_000);
/// A model file's size in bytes as a server states it (the largest published GGUFs are under
/// 2 TB; 1 PiB is far beyond any).
pub const FILE_BYTES: Bound<u64> = int("file size (bytes)", 1, 1 << 50);
/// Sequences served at once.
pub const PARALLEL: Bound<u64> = int("parallel sequences", 1, 4096);
/// Layers offloaded to the GPU (`-ngl`).
pub const GPU_LAYERS: Bound<u64> = int("GPU layers", 0, LAYERS.max + 1);
/// Blocks whose routed experts stay in host RAM (`--n-cpu-moe`; more than the model has means
/// all of them, as in llama.cpp).
pub const CPU_MOE_BLOCKS: Bound<u64> = int("MoE blocks with experts in RAM", 0, LAYERS.max + 1);

/// Physical batch (llama.cpp `-ub`; llama.cpp itself caps `n_ubatch` at `n_batch`, 65,536 is
/// far past any setting that helps).
pub const UBATCH: Bound<u64> = int("ubatch size", 1, 65_536);
/// Decode speed floor, tokens/s (0: any speed).
pub const MIN_TPS: Bound<f64> = real("minimum tokens/s", 0.0, 1e6);
/// Recommendations listed.
pub const TOP: Bound<u64> = int("number of recommendations", 1, 1000);

// Fine-tuning.
/// LoRA rank (real runs use 4..=256; full rank of the widest layers is ~25k).
pub const LORA_RANK: Bound<u64> = int("LoRA rank", 1, 65_536);
/// Blocks that get adapters.
pub const TRAIN_LAYERS: Bound<u64> = int("adapted layers", 1, LAYERS.max);
/// Tokens per training sequence.
pub const SEQ_LEN: Bound<u64> = int("sequence length", 1, CONTEXT.max);
/// Sequences per step.
pub const TRAIN_BATCH: Bound<u64> = int("batch size", 1, 65_536);

/// vLLM's gpu_memory_utilization / SGLang's mem_fraction_static.
pub const GPU_MEMORY_UTILIZATION: Bound<f64> = real("GPU memory utilization", 0.01, 1.0);

// Machines. The largest real ones: 8 GPUs of 288 GB, 8 TB/s, 2.5k dense FP16 TFLOPS.
/// Identical GPUs in one machine.
pub const GPUS: Bound<u64> = int("GPUs", 1, 64);
/// NVIDIA compute capability, major version (1.0 Tesla to 12.x Blackwell, with room).
pub const CC_MAJOR: Bound<u64> = int("compute capability major", 1, 20);
/// Machines in a cluster (exo and llama.cpp RPC setups published so far: 2 to 10).
pub const NODES: Bound<u64> = int("nodes", 1, 64);
/// Memory of one device, GB (10^9 bytes).
pub const MEMORY_GB: Bound<f64> = real("memory (GB)", 0.001, 65_536.0);
/// Memory of one device, GiB (2^30 bytes).
pub const MEMORY_GIB: Bound<f64> = real("memory (GiB)", 0.001, 65_536.0);
/// Host RAM, GB or GiB (0: unknown).
pub const RAM_GB: Bound<f64> = real("host RAM", 0.0, 65_536.0);
/// Peak memory bandwidth, GB/s.
pub const BANDWIDTH_GBPS: Bound<f64> = real("bandwidth (GB/s)", 0.001, 100_000.0);
/// Host RAM bandwidth, GB/s (0: unknown).
pub const RAM_BANDWIDTH_GBPS: Bound<f64> = real("host RAM bandwidth (GB/s)", 0.0, 100_000.0);
/// Dense FP16 TFLOPS (0: unknown).
pub const TFLOPS: Bound<f64> = real("FP16 TFLOPS", 0.0, 100_000.0);
/// Street price, USD.
pub const PRICE_USD: Bound<f64> = real("price (USD)", 0.0, 1e9);
/// Power draw, W.
pub const POWER_W: Bound<f64> = real("power (W)", 0.0, 1e6);

// Costs.
/// API spend a machine replaces, USD a month.
pub const API_USD_PER_MONTH: Bound<f64> = real("API spend (USD/month)", 0.0, 1e9);
/// Electricity price, USD per kWh.
pub const USD_PER_KWH: Bound<f64> = real("electricity price (USD/kWh)", 0.0, 100.0);
/// Hours of use a day.
pub const HOURS_PER_DAY: Bound<f64> = real("hours per day", 0.0, 24.0);

// Models. Real models have a few hundred layers, hidden sizes up to ~25k, vocabularies up to
// ~260k and 384 experts; these bounds leave room without letting a file size tables by 2^32.
/// Transformer blocks.
pub const LAYERS: Bound<u64> = int("layers", 1, 4096);
/// Embedding width.
pub const HIDDEN: Bound<u64> = int("hidden size", 1, 1 << 20);
/// Attention heads (query or KV).
pub const HEADS: Bound<u64> = int("attention heads", 1, 1 << 16);
/// Head dimension.
pub const HEAD_DIM: Bound<u64> = int("head dimension", 1, 1 << 16);
/// Feed-forward width (0: none).
pub const FFN: Bound<u64> = int("feed-forward width", 0, 1 << 22);
/// Vocabulary size.
pub const VOCAB: Bound<u64> = int("vocabulary size", 1, 1 << 24);
/// Trained context of a model.
pub const MODEL_CONTEXT: Bound<u64> = int("model context", 1, CONTEXT.max);
/// Experts of an MoE layer.
pub const EXPERTS: Bound<u64> = int("experts", 1, 1 << 16);
/// Parameters (1 quadrillion is far past any model).
pub const PARAMS: Bound<u64> = int("parameters", 1, 1_000_000_000_000_000);
/// Causal conv kernel of a recurrent mixer (real ones: 2 to 4).
pub const CONV_KERNEL: Bound<u64> = int("conv kernel", 1, 64);
/// Layers per attention-residual block (0: none).
pub const RESIDUAL_BLOCK: Bound<u64> = int("attention residual block", 0, LAYERS.max);
/// Tensors in one GGUF file (the largest real ones hold a few thousand).
pub const TENSORS: Bound<u64> = int("tensors", 0, 1 << 18);

/// A field of a file entry that is out of bounds: the field's name and why.
pub type FieldProblem = (&'static str, String);

fn field<T>(name: &'static str, r: Result<T, OutOfRange>) -> Result<T, FieldProblem> {
    r.map_err(|e| (name, e.to_string()))
}

/// Checks every number of a model description, whoever wrote it (catalog, GGUF, config.json).
pub fn check_model(m: &ModelSpec) -> Result<(), FieldProblem> {
    let a = &m.arch;
    field("params", PARAMS.check(m.params))?;
    field("layers", LAYERS.check_u32(a.layers))?;
    field("hidden", HIDDEN.check_u32(a.hidden))?;
    field("heads", HEADS.check_u32(a.heads))?;
    field("head_dim", HEAD_DIM.check_u32(a.head_dim))?;
    if let Some(v) = a.value_head_dim {
        field("value_head_dim", HEAD_DIM.check_u32(v))?;
    }
    field("ffn", FFN.check_u32(a.ffn))?;
    field("vocab", VOCAB.check_u32(a.vocab))?;
    field("context", MODEL_CONTEXT.check_u32(a.context))?;
    if let Some(ext) = a.context_extended {
        field("context_extended", MODEL_CONTEXT.check_u32(ext))?;
        if ext < a.context {
            return Err((
                "context_extended",
                format!("{ext} is below the native context {}", a.context),
            ));
        }
    }
    if !matches!(a.attention, Attention::Mla { .. }) && (a.kv_heads == 0 || a.kv_heads > a.heads) {
        return Err((
            "kv_heads",
            format!("must be in 1..={} (heads), got {}", a.heads, a.kv_heads),
        ));
    }
    if let Attention::Compressed {
        ratios,
        output_groups,
        ..
    } = &a.attention
    {
        if ratios.len() != a.layers as usize {
            return Err((
                "ratios",
                format!("{} entries for {} layers", ratios.len(), a.layers),
            ));
        }
        if let Some(r) = ratios.iter().find(|r| ![0, 4, 128].contains(*r)) {
            return Err(("ratios", format!("{r} is not 0, 4 or 128")));
        }
        if *output_groups == 0 || !a.heads.is_multiple_of(*output_groups) {
            return Err((
                "output_groups",
                format!("{output_groups} does not divide the {} heads", a.heads),
            ));
        }
    }
    if a.kv_heads_per_layer.len() > a.layers as usize {
        return Err((
            "kv_heads_per_layer",
            format!(
                "{} entries for {} layers",
                a.kv_heads_per_layer.len(),
                a.layers
            ),
        ));
    }
    if a.kv_heads_per_layer.iter().any(|&k| k > a.heads) {
        return Err((
            "kv_heads_per_layer",
            format!("entries must be ≤ {} (heads)", a.heads),
        ));
    }
    if let Some(active) = m.active_params {
        if active > m.params {
            return Err((
                "active_params",
                format!("{active} exceeds total params {}", m.params),
            ));
        }
    }
    if let Some(moe) = &a.moe {
        field("moe", EXPERTS.check_u32(moe.experts))?;
        if moe.used == 0 || moe.used > moe.experts {
            return Err((
                "moe",
                format!(
                    "experts used per token ({}) must be in 1..={}",
                    moe.used, moe.experts
                ),
            ));
        }
        if moe.expert_ffn == 0 {
            return Err(("moe", "expert_ffn must be > 0".into()));
        }
        field("moe", FFN.check_u32(moe.expert_ffn))?;
        field("moe", EXPERTS.check_u32(moe.shared.max(1)))?;
        if let Some(f) = moe.shared_ffn {
            field("moe", FFN.check_u32(f))?;
        }
    }
    if !a.ffn_per_layer.is_empty() && a.ffn_per_layer.len() != a.layers as usize {
        return Err((
            "ffn_per_layer",
            format!("{} entries for {} layers", a.ffn_per_layer.len(), a.layers),
        ));
    }
    for &f in &a.ffn_per_layer {
        field("ffn_per_layer", FFN.check_u32(f))?;
    }
    if let Some(h) = &a.hybrid {
        if let LayerLayout::Pattern(p) = &h.layout {
            if p.len() != a.layers as usize {
                return Err((
                    "hybrid",
                    format!("pattern has {} entries for {} layers", p.len(), a.layers),
                ));
            }
        }
    }
    if let Some(p) = &a.per_layer_input {
        field("per_layer_input", HIDDEN.check_u32(p.dim.max(1)))?;
        field("per_layer_input", VOCAB.check_u32(p.vocab.max(1)))?;
    }
    check_latent_and_kda(a)
}

/// MLA widths, the latent expert width, KDA state widths and attention-residual blocks.
fn check_latent_and_kda(a: &Arch) -> Result<(), FieldProblem> {
    if let Attention::Mla {
        kv_lora_rank,
        rope_dim,
        q_lora_rank,
        nope_dim,
    } = a.attention
    {
        field("kv_lora_rank", HEAD_DIM.check_u32(kv_lora_rank))?;
        field("rope_dim", HEAD_DIM.check_u32(rope_dim.max(1)))?;
        field("nope_dim", HEAD_DIM.check_u32(nope_dim.max(1)))?;
        if let Some(q) = q_lora_rank {
            field("q_lora_rank", HIDDEN.check_u32(q))?;
        }
    }
    if let Some(latent) = a.moe.as_ref().and_then(|m| m.latent) {
        field("moe", HIDDEN.check_u32(latent))?;
    }
    if let Some(h) = &a.hybrid {
        if let LayerLayout::AttentionAt(list) = &h.layout {
            if let Some(bad) = list.iter().find(|&&il| il >= a.layers) {
                return Err((
                    "hybrid",
                    format!("attention layer {bad} is past the {} layers", a.layers),
                ));
            }
        }
        if let Recurrent::Kda {
            conv_kernel,
            heads,
            head_dim,
        } = h.state
        {
            field("hybrid", CONV_KERNEL.check_u32(conv_kernel))?;
            field("hybrid", HEADS.check_u32(heads))?;
            field("hybrid", HEAD_DIM.check_u32(head_dim))?;
        }
    }
    field(
        "attn_residual_block",
        RESIDUAL_BLOCK.check_u32(a.attn_residual_block),
    )
    .map(|_| ())
}

/// Checks every number of a machine, whoever described it (catalog, overlay, config.ron).
pub fn check_hardware(h: &Hardware) -> Result<(), FieldProblem> {
    let gib = |b: u64| b as f64 / crate::estimate::units::GIB as f64;
    field("memory_gib", MEMORY_GIB.check(gib(h.memory)))?;
    field("gpus", GPUS.check_u32(h.gpus))?;
    field("bandwidth_gbps", BANDWIDTH_GBPS.check(h.bandwidth_gbps))?;
    field("ram_gib", RAM_GB.check(gib(h.ram)))?;
    field(
        "ram_bandwidth_gbps",
        RAM_BANDWIDTH_GBPS.check(h.ram_bandwidth_gbps),
    )?;
    field("fp16_tflops", TFLOPS.check(h.fp16_tflops))?;
    if let Some(t) = h.fp32_tflops {
        field("fp32_tflops", TFLOPS.check(t))?;
    }
    if let Some((major, _)) = h.compute_capability {
        field("compute_capability", CC_MAJOR.check_u32(major))?;
    }
    if let Some(w) = h.working_set {
        field("working_set_gib", MEMORY_GIB.check(gib(w)))?;
    }
    if let Some(p) = h.price_usd {
        field("price_usd", PRICE_USD.check(p))?;
    }
    if let Some(p) = h.power_w {
        field("power_w", POWER_W.check(p))?;
    }
    if let Some(c) = &h.cluster {
        field("cluster", NODES.check_u32(c.nodes))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_refuse_nan_inf_negative_and_absurd() {
        for bad in ["NaN", "inf", "-inf", "-1", "1e30", "", "x"] {
            assert!(TFLOPS.parse(bad).is_err(), "{bad}");
            assert!(MEMORY_GB.parse(bad).is_err(), "{bad}");
        }
        assert_eq!(TFLOPS.parse("82.6"), Ok(82.6));
        assert!(GPUS.parse("4294967295").is_err());
        assert!(GPUS.parse("0").is_err());
        assert_eq!(GPUS.parse("8"), Ok(8));
        let e = GPUS.parse("65").expect_err("too many");
        assert_eq!(e.to_string(), "GPUs must be a number in 1..=64, got 65");
        let e = TFLOPS.parse("1e308").expect_err("too fast");
        assert!(e.to_string().ends_with("got 1e308"), "{e}");
        assert!(TFLOPS.parse("-1e-300").expect_err("negative").got == "-1e-300");
    }
}
