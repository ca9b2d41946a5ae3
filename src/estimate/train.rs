//! Fine-tuning memory: weights, trainable parameters, gradients, optimizer states and
//! activations for full, LoRA and QLoRA training in PEFT + bitsandbytes, Unsloth and MLX-LM
//! (docs/beyond.md has the derivation and the published figures it is checked against).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::fit::Verdict;
use super::hardware::Hardware;
use super::model::{Arch, ModelSpec};
use super::overhead::runtime_overhead;
use super::quant::Quant;
use super::tensors::{inventory, Role, TensorInfo};
use super::weights::weight_table;

/// What is trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Every weight, in 16-bit.
    Full,
    /// Low-rank adapters on a frozen 16-bit base.
    Lora,
    /// Low-rank adapters on a frozen 4-bit base.
    Qlora,
}

/// Which linear layers get adapters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Targets {
    /// Query and value projections (PEFT's and MLX-LM's default for Llama-style models).
    Qv,
    /// Every attention projection.
    Attn,
    /// Every linear layer of the blocks (attention, MLP, experts): Unsloth's notebooks.
    All,
}

/// The optimizer; its state per trainable parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Optimizer {
    /// Two moments in the parameters' dtype (PyTorch `AdamW`, MLX `Adam`).
    Adamw,
    /// bitsandbytes' 8-bit AdamW: two 8-bit moments.
    Adamw8bit,
    /// SGD with momentum: one moment.
    Sgd,
}

/// The training stack, which decides dtypes, what is kept for backward and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// Transformers + PEFT + bitsandbytes (`prepare_model_for_kbit_training` for QLoRA).
    Peft,
    /// Unsloth: checkpoints offloaded to host RAM, no materialised logits (cut cross-entropy).
    Unsloth,
    /// MLX-LM (`mlx_lm.lora`) on Apple Silicon: MLX 4-bit bases, adapters on the last N blocks.
    Mlx,
}

macro_rules! parse_enum {
    ($ty:ty, $what:literal, $($name:literal => $v:expr),+ $(,)?) => {
        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim().to_ascii_lowercase().replace(['-', '_'], "").as_str() {
                    $($name => Ok($v),)+
                    other => Err(format!(
                        concat!("unknown ", $what, " '{}' (known: {})"),
                        other,
                        [$($name),+].join(", ")
                    )),
                }
            }
        }
    };
}

parse_enum!(Method, "method", "full" => Method::Full, "lora" => Method::Lora, "qlora" => Method::Qlora);
parse_enum!(Targets, "targets", "qv" => Targets::Qv, "attn" => Targets::Attn, "all" => Targets::All);
parse_enum!(Optimizer, "optimizer", "adamw" => Optimizer::Adamw, "adamw8bit" => Optimizer::Adamw8bit, "sgd" => Optimizer::Sgd);
parse_enum!(Framework, "framework", "peft" => Framework::Peft, "unsloth" => Framework::Unsloth, "mlx" => Framework::Mlx);

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Full => "full",
            Method::Lora => "LoRA",
            Method::Qlora => "QLoRA",
        })
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Framework::Peft => "PEFT + bitsandbytes",
            Framework::Unsloth => "Unsloth",
            Framework::Mlx => "MLX-LM",
        })
    }
}

impl fmt::Display for Targets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Targets::Qv => "query/value",
            Targets::Attn => "attention",
            Targets::All => "all",
        })
    }
}

impl fmt::Display for Optimizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Optimizer::Adamw => "AdamW",
            Optimizer::Adamw8bit => "8-bit AdamW",
            Optimizer::Sgd => "SGD with momentum",
        })
    }
}

/// One training run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrainSettings {
    /// Full, LoRA or QLoRA.
    pub method: Method,
    /// Stack.
    pub framework: Framework,
    /// LoRA rank.
    pub rank: u32,
    /// Adapted layers.
    pub targets: Targets,
    /// Adapters on the last N blocks only (MLX-LM's `--num-layers`); `None`: all blocks.
    pub layers: Option<u32>,
    /// Tokens per sequence.
    pub seq_len: u32,
    /// Sequences per step (micro-batch).
    pub batch: u32,
    /// Gradient checkpointing (always on, and offloaded, in Unsloth).
    pub checkpointing: bool,
    /// Optimizer.
    pub optimizer: Optimizer,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            method: Method::Qlora,
            framework: Framework::Peft,
            rank: 16,
            targets: Targets::All,
            layers: None,
            seq_len: 2048,
            batch: 1,
            checkpointing: true,
            optimizer: Optimizer::Adamw,
        }
    }
}

/// Where the memory of one training step goes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrainEstimate {
    /// Frozen or trained weights plus the adapters' own weights.
    pub weights_bytes: u64,
    /// Parameters that receive gradients.
    pub trainable_params: u64,
    /// Gradients of the trainable parameters.
    pub gradients_bytes: u64,
    /// Optimizer states.
    pub optimizer_bytes: u64,
    /// Activations kept for (or recomputed in) the backward pass, all sequences of the batch.
    pub activations_bytes: u64,
    /// Driver/runtime context.
    pub overhead_bytes: u64,
    /// Sum of the above, on the accelerator.
    pub total_bytes: u64,
    /// Activations Unsloth offloads to host RAM (checkpoints), bytes.
    pub host_bytes: u64,
    /// Memory one device can allocate.
    pub usable_bytes: u64,
    /// `usable − total`; negative when it does not fit.
    pub headroom_bytes: i64,
    /// Fits on the accelerator, or not at all.
    pub verdict: Verdict,
    /// Longest sequence that fits at this batch (0: not even one token); may exceed the model's
    /// trained context.
    pub max_seq_len: u32,
}

/// Bytes per element of each dtype the frameworks use.
const BF16: u64 = 2;
const FP32: u64 = 4;

/// bitsandbytes NF4 with double quantization: 4 bits, an 8-bit absmax per 64 weights, and an
/// fp32 scale per 256 absmax blocks (QLoRA paper, §2: 0.127 bits of constants per weight).
fn nf4_bytes(elements: u64) -> u64 {
    elements / 2 + elements / 64 + (elements / (64 * 256)) * FP32
}

/// Whether a tensor is a linear layer of a block (what LoRA adapts and bitsandbytes quantizes).
fn is_block_linear(t: &TensorInfo) -> bool {
    t.layer.is_some()
        && (is_attention(t.role)
            || matches!(
                t.role,
                Role::FfnGate
                    | Role::FfnUp
                    | Role::FfnDown
                    | Role::FfnGateExps
                    | Role::FfnUpExps
                    | Role::FfnDownExps
                    | Role::FfnGateUpShexp
                    | Role::FfnDownShexp
                    | Role::SsmMatrix
                    | Role::Kept16
            ))
}

fn is_attention(role: Role) -> bool {
    matches!(
        role,
        Role::AttnQ
            | Role::AttnK
            | Role::AttnV
            | Role::AttnQkv
            | Role::AttnOutput
            | Role::AttnOther
    )
}

fn targeted(role: Role, targets: Targets) -> bool {
    match targets {
        Targets::Qv => matches!(role, Role::AttnQ | Role::AttnV | Role::AttnQkv),
        Targets::Attn => is_attention(role),
        Targets::All => role != Role::Kept16,
    }
}

/// LoRA parameters: `rank × (in + out)` per adapted matrix, per expert for routed experts.
pub fn lora_params(arch: &Arch, rank: u32, targets: Targets, layers: Option<u32>) -> u64 {
    let first = arch.layers.saturating_sub(layers.unwrap_or(arch.layers));
    inventory(arch)
        .iter()
        .filter(|t| is_block_linear(t) && targeted(t.role, targets))
        .filter(|t| t.layer.is_some_and(|il| il >= first))
        .map(|t| {
            let experts = u64::from(t.experts.max(1));
            let out = t.rows / experts;
            u64::from(rank)
                .saturating_mul(t.row_len.saturating_add(out))
                .saturating_mul(experts)
        })
        .fold(0u64, u64::saturating_add)
}

/// Frozen base weights: 16-bit, or 4-bit linears with the rest kept 16-bit (bitsandbytes) or
/// fp32 (PEFT's `prepare_model_for_kbit_training` upcasts every non-quantized parameter).
fn base_weight_bytes(model: &ModelSpec, s: &TrainSettings) -> u64 {
    if s.method != Method::Qlora {
        return model.params.saturating_mul(BF16);
    }
    if s.framework == Framework::Mlx {
        return weight_table(model, Quant::Mlx4).loaded_bytes();
    }
    let other = if s.framework == Framework::Peft {
        FP32
    } else {
        BF16
    };
    inventory(&model.arch)
        .iter()
        .map(|t| {
            if is_block_linear(t) && t.role != Role::Kept16 {
                nf4_bytes(t.elements())
            } else {
                t.elements().saturating_mul(other)
            }
        })
        .fold(0u64, u64::saturating_add)
}

/// Widths that set activation memory: (hidden, query, kv, MLP intermediate per token).
pub(crate) fn widths(arch: &Arch) -> (u64, u64, u64, u64) {
    let h = u64::from(arch.hidden);
    let q = u64::from(arch.heads) * u64::from(arch.head_dim);
    let kv = u64::from(arch.kv_heads) * u64::from(arch.head_dim);
    let f = match &arch.moe {
        Some(m) => u64::from(m.used) * u64::from(m.expert_ffn) + u64::from(m.shared_width()),
        None => u64::from(arch.ffn),
    };
    (h, q, kv, f.max(u64::from(arch.ffn)))
}

/// Bytes per token one block keeps for backward in 16-bit with flash attention: the two norm
/// inputs (2h), the QKV input (h), Q, K, V (q + 2kv), the attention output (h), the MLP input
/// (h), gate, up and their product (3f); plus, while that block runs backward, the gradients of
/// gate, up and product (3f). Korthikanti et al.
/// 2022 (arXiv:2205.05198 §4) count the same tensors for GPT; this is the SwiGLU/GQA form.
fn block_bytes_per_token(arch: &Arch) -> (u64, u64) {
    let (h, q, kv, f) = widths(arch);
    let saved = BF16 * (5 * h + q + 2 * kv + 3 * f);
    let backward = BF16 * 3 * f;
    (saved, backward)
}

/// Activation bytes per token on the device, and those offloaded to host RAM.
fn activation_bytes_per_token(model: &ModelSpec, s: &TrainSettings) -> (u64, u64) {
    let arch = &model.arch;
    // Backward stops at the first adapted block: frozen blocks below it keep nothing.
    let layers = match (s.method, s.layers) {
        (Method::Full, _) | (_, None) => u64::from(arch.layers),
        (_, Some(n)) => u64::from(n.min(arch.layers)),
    };
    let (saved, backward) = block_bytes_per_token(arch);
    let checkpoint = BF16 * u64::from(arch.hidden) * layers;
    let working_set = saved + backward;
    // Loss over the vocabulary in fp32: logits, log-probabilities, and their two gradients.
    let logits = 4 * FP32 * u64::from(arch.vocab);
    match s.framework {
        // Offloaded checkpoints; cut cross-entropy never materialises the logits.
        Framework::Unsloth => (working_set, checkpoint),
        Framework::Peft | Framework::Mlx if s.checkpointing => {
            (checkpoint + working_set + logits, 0)
        }
        Framework::Peft | Framework::Mlx => (layers * saved + backward + logits, 0),
    }
}

/// (weights incl. adapters, trainable, gradients, optimizer) bytes: everything but activations.
fn parameter_bytes(model: &ModelSpec, s: &TrainSettings) -> (u64, u64, u64, u64) {
    let base = base_weight_bytes(model, s);
    let moments = |dtype: u64| match s.optimizer {
        Optimizer::Adamw => 2 * dtype,
        Optimizer::Adamw8bit => 2,
        Optimizer::Sgd => dtype,
    };
    if s.method == Method::Full {
        // Pure 16-bit training: gradients and optimizer states in the parameters' dtype.
        let p = model.params;
        return (
            base,
            p,
            p.saturating_mul(BF16),
            p.saturating_mul(moments(BF16)),
        );
    }
    let adapters = lora_params(&model.arch, s.rank.max(1), s.targets, s.layers);
    // Adapters are fp32 in PEFT (autocast_adapter_dtype), Unsloth and MLX (float32 init).
    (
        base.saturating_add(adapters.saturating_mul(FP32)),
        adapters,
        adapters.saturating_mul(FP32),
        adapters.saturating_mul(moments(FP32)),
    )
}

/// The memory of one training step of `model` on one device of `hw`.
pub fn estimate_training(model: &ModelSpec, hw: &Hardware, s: &TrainSettings) -> TrainEstimate {
    let (weights, trainable, grads, optim) = parameter_bytes(model, s);
    let (per_token, host_per_token) = activation_bytes_per_token(model, s);
    let tokens = u64::from(s.seq_len.max(1)).saturating_mul(u64::from(s.batch.max(1)));
    let activations = per_token.saturating_mul(tokens);
    let overhead = runtime_overhead(hw.backend);
    let fixed = weights
        .saturating_add(grads)
        .saturating_add(optim)
        .saturating_add(overhead);
    let total = fixed.saturating_add(activations);
    let usable = if hw.has_gpu() {
        hw.usable_per_device()
    } else {
        hw.host_usable()
    };
    let verdict = match (total <= usable, hw.has_gpu()) {
        (true, true) => Verdict::FitsOnGpu,
        (true, false) => Verdict::CpuOnly,
        (false, _) => Verdict::DoesNotFit,
    };
    let per_seq_token = per_token.saturating_mul(u64::from(s.batch.max(1))).max(1);
    // Not capped at the model's context: training may extend it (Unsloth pads to 342K tokens).
    let max_seq = (usable.saturating_sub(fixed) / per_seq_token).min(u64::from(u32::MAX));
    TrainEstimate {
        weights_bytes: weights,
        trainable_params: trainable,
        gradients_bytes: grads,
        optimizer_bytes: optim,
        activations_bytes: activations,
        overhead_bytes: overhead,
        total_bytes: total,
        host_bytes: host_per_token.saturating_mul(tokens),
        usable_bytes: usable,
        headroom_bytes: (usable.min(i64::MAX as u64) as i64)
            .saturating_sub(total.min(i64::MAX as u64) as i64),
        verdict,
        max_seq_len: max_seq as u32,
    }
}
