//! What the user chose: quant, context, cache type, sequences, runtime, offload.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::hardware::{Backend, Hardware};
use super::kv::{CacheLayout, KvType};
use super::model::ModelSpec;
use super::quant::{Quant, QuantFamily};

/// The program that runs the model; decides cache layout and defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    /// llama-server / llama-cli: `-np N` gives N streams sharing the context.
    #[serde(rename = "llama.cpp")]
    LlamaCpp,
    /// Ollama: `num_ctx` per sequence, one stream each.
    Ollama,
    /// LM Studio (llama.cpp engine, one sequence by default).
    #[serde(rename = "lmstudio")]
    LmStudio,
    /// mlx-lm on Apple Silicon: cache grows on demand, no reserved compute buffer.
    Mlx,
}

/// Runtimes in menu order.
pub const RUNTIMES: [Runtime; 4] = [
    Runtime::LlamaCpp,
    Runtime::Ollama,
    Runtime::LmStudio,
    Runtime::Mlx,
];

impl Runtime {
    /// Name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::LlamaCpp => "llama.cpp",
            Runtime::Ollama => "ollama",
            Runtime::LmStudio => "lmstudio",
            Runtime::Mlx => "mlx",
        }
    }

    /// Logits rows the runtime's worst-case graph reserves for `parallel` sequences and a
    /// `n_ubatch`-token batch. llama-server sizes them by its slots (llama.cpp#23861); Ollama's
    /// runner and LM Studio's engine drive llama.cpp as a library, whose default reserves a row
    /// for every token of the batch (`n_outputs = n_tokens` in `graph_reserve`,
    /// llama.cpp#23527): vocab × batch × 4 bytes.
    pub fn logit_rows(self, parallel: u32, n_ubatch: u32) -> u32 {
        match self {
            Runtime::LlamaCpp | Runtime::Mlx => parallel.max(1),
            Runtime::Ollama | Runtime::LmStudio => n_ubatch.max(parallel).max(1),
        }
    }

    /// How this runtime lays out the cache of several sequences.
    pub fn cache_layout(self) -> CacheLayout {
        match self {
            Runtime::LlamaCpp | Runtime::LmStudio => CacheLayout::Split,
            Runtime::Ollama => CacheLayout::PerSequence,
            Runtime::Mlx => CacheLayout::Unified,
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Runtime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_', ' '], "")
            .as_str()
        {
            "llama.cpp" | "llamacpp" | "llamaserver" | "llama" => Ok(Runtime::LlamaCpp),
            "ollama" => Ok(Runtime::Ollama),
            "lmstudio" => Ok(Runtime::LmStudio),
            "mlx" | "mlxlm" => Ok(Runtime::Mlx),
            _ => Err(format!(
                "unknown runtime '{s}' (known: llama.cpp, ollama, lmstudio, mlx)"
            )),
        }
    }
}

/// Everything a slider can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Settings {
    /// Weight format.
    pub quant: Quant,
    /// Context in tokens (total cells for llama.cpp, per sequence for Ollama).
    pub context: u32,
    /// KV cache type (K and V).
    pub kv_type: KvType,
    /// Sequences served at once.
    pub parallel: u32,
    /// Runtime.
    pub runtime: Runtime,
    /// Layers on the GPU (`-ngl`); `None` lets the estimator fit as many as possible.
    pub gpu_layers: Option<u32>,
    /// `--n-cpu-moe`: the first N blocks keep their routed experts in host RAM (discrete GPUs);
    /// `None` leaves them where the runtime puts them.
    pub cpu_moe: Option<u32>,
    /// Flash attention (llama.cpp's default `auto` turns it on where supported).
    pub flash_attn: bool,
    /// Physical batch size (`-ub`/`--ubatch-size`; Ollama's `num_batch`).
    pub n_ubatch: u32,
}

impl Settings {
    /// These settings as applied to `model`: the context clamped to what the model supports
    /// ([`ModelSpec::clamp_context`], the one place that rule lives).
    pub fn for_model(&self, model: &ModelSpec) -> Settings {
        Settings {
            context: model.clamp_context(self.context),
            ..*self
        }
    }

    /// Combinations that cannot run as chosen, each as a short sentence (empty when it can).
    pub fn conflicts(&self, hw: &Hardware) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mlx_runtime = self.runtime == Runtime::Mlx;
        if mlx_runtime && hw.backend != Backend::Metal {
            out.push("MLX runs on Apple silicon only");
        }
        match (mlx_runtime, self.quant.family()) {
            (true, QuantFamily::Gguf) => out.push("MLX cannot load a GGUF quant"),
            (false, QuantFamily::Mlx) => out.push("llama.cpp cannot load an MLX quant"),
            (_, QuantFamily::Other) => out.push("this format runs in vLLM-style servers, not here"),
            _ => {}
        }
        // llama.cpp refuses a quantized V cache without flash attention (llama-context.cpp).
        if !mlx_runtime
            && !self.flash_attn
            && !matches!(self.kv_type, KvType::F32 | KvType::F16 | KvType::BF16)
        {
            out.push("a quantized V cache needs flash attention in llama.cpp");
        }
        out
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            quant: Quant::Q4_K_M,
            context: 8192,
            kv_type: KvType::F16,
            parallel: 1,
            runtime: Runtime::LlamaCpp,
            gpu_layers: None,
            cpu_moe: None,
            flash_attn: true,
            n_ubatch: 512,
        }
    }
}
