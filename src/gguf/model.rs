//! GGUF metadata → the estimator's model description, and tensor table → exact weight bytes.

use super::{Gguf, GgufTensor, Value};
use crate::estimate::model::{
    Arch, Attention, Hybrid, Indexer, LayerLayout, ModelSpec, Moe, PerLayerInput, Recurrent,
};
use crate::estimate::tensors::{Role, TensorInfo};
use crate::estimate::weights::{table_from_tensors, WeightTable};
use crate::estimate::Quant;

/// More blocks than any real model has (the largest have a few hundred): [`crate::limits::LAYERS`].
pub const MAX_LAYERS: u32 = crate::limits::LAYERS.max as u32;

/// Layers of a Gemma 3n model that keep their own KV cache (`n_layer_kv_from_start` in llama.cpp).
const GEMMA3N_KV_LAYERS: u32 = 20;

/// A model read from a GGUF file.
#[derive(Debug, Clone)]
pub struct GgufModel {
    /// Architecture and identity, as the estimator wants them.
    pub spec: ModelSpec,
    /// Exact weight bytes per layer, from the tensor table.
    pub weights: WeightTable,
    /// `general.file_type` as llama.cpp names it.
    pub quant_label: String,
}

/// llama.cpp's name of a `general.file_type` id.
pub fn file_type_label(id: u64) -> String {
    let name = match id {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4_MOE",
        _ => return format!("file type {id}"),
    };
    name.to_string()
}

fn role_of(name: &str, dims: &[u64]) -> (Option<u32>, Role) {
    let base = name
        .strip_suffix(".weight")
        .or_else(|| name.strip_suffix(".bias"))
        .unwrap_or(name);
    if dims.len() == 1 || name.ends_with(".bias") {
        let layer = base
            .strip_prefix("blk.")
            .and_then(|r| r.split('.').next())
            .and_then(|n| n.parse().ok());
        return (layer, Role::Vector);
    }
    match base {
        "token_embd" => return (None, Role::TokenEmbd),
        "per_layer_token_embd" => return (None, Role::PerLayerEmbd),
        "output" => return (None, Role::Output),
        _ => {}
    }
    let Some(rest) = base.strip_prefix("blk.") else {
        return (None, Role::AttnOther);
    };
    let mut parts = rest.splitn(2, '.');
    let layer = parts.next().and_then(|n| n.parse().ok());
    let kind = parts.next().unwrap_or("");
    let role = match kind {
        "attn_q" => Role::AttnQ,
        "attn_k" => Role::AttnK,
        "attn_v" => Role::AttnV,
        "attn_qkv" => Role::AttnQkv,
        "attn_output" => Role::AttnOutput,
        "ffn_gate" => Role::FfnGate,
        "ffn_up" => Role::FfnUp,
        "ffn_down" => Role::FfnDown,
        "ffn_gate_exps" => Role::FfnGateExps,
        "ffn_up_exps" => Role::FfnUpExps,
        "ffn_down_exps" => Role::FfnDownExps,
        "ffn_gate_up_exps" => Role::FfnUpExps,
        "ffn_gate_shexp" | "ffn_up_shexp" => Role::FfnGateUpShexp,
        "ffn_down_shexp" => Role::FfnDownShexp,
        "ffn_gate_inp" | "ffn_gate_tid2eid" => Role::Router,
        k if k.starts_with("ssm_conv")
            || k.starts_with("shortconv.conv")
            || k == "ssm_a"
            || k == "ssm_d"
            || k == "ssm_dt" =>
        {
            Role::SsmSmall
        }
        k if k.starts_with("ssm_") || k.starts_with("shortconv") => Role::SsmMatrix,
        _ => Role::AttnOther,
    };
    (layer, role)
}

fn tensor_info(t: &GgufTensor) -> TensorInfo {
    let (layer, role) = role_of(&t.name, &t.dims);
    let row_len = t.dims.first().copied().unwrap_or(1);
    let rows = t
        .dims
        .iter()
        .skip(1)
        .fold(1u64, |a, d| a.saturating_mul(*d));
    let experts = if role.is_expert() {
        t.dims
            .last()
            .copied()
            .unwrap_or(1)
            .clamp(1, u64::from(u32::MAX)) as u32
    } else {
        1
    };
    TensorInfo {
        layer,
        role,
        row_len,
        rows,
        experts,
        ty: t.ty,
    }
}

/// Per-layer values: a scalar repeated, or an array as given.
fn per_layer(v: Option<&Value>, layers: u32) -> Option<Vec<u32>> {
    match v? {
        Value::Numbers(xs) => Some(xs.iter().map(|x| x.max(0.0) as u32).collect()),
        other => other
            .as_u64()
            .map(|x| vec![x.min(u64::from(u32::MAX)) as u32; layers as usize]),
    }
}

/// A header that parsed but does not describe a model: the metadata key (or model field) and
/// what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataError {
    /// The metadata key (`llama.block_count`) or model field (`heads`).
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for MetadataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl std::error::Error for MetadataError {}

fn missing(key: String) -> MetadataError {
    MetadataError {
        key,
        message: "missing (or zero)".into(),
    }
}

/// Builds the estimator's model from a parsed header. `id` names it (the file name).
pub fn to_model(g: &Gguf, id: &str) -> Result<GgufModel, MetadataError> {
    let arch = g
        .str("general.architecture")
        .ok_or_else(|| missing("general.architecture".into()))?
        .to_string();
    let key = |k: &str| format!("{arch}.{k}");
    let get = |k: &str| g.u64(&key(k)).map(|v| v.min(u64::from(u32::MAX)) as u32);
    let block_count = get("block_count")
        .filter(|&n| n > 0)
        .ok_or_else(|| missing(key("block_count")))?;
    // Per-layer tables are sized by this number: an absurd header must not allocate gigabytes.
    if block_count > MAX_LAYERS {
        return Err(MetadataError {
            key: key("block_count"),
            message: format!("{block_count} is implausible (at most {MAX_LAYERS})"),
        });
    }
    let mut nextn = get("nextn_predict_layers")
        .unwrap_or(0)
        .min(block_count - 1);
    // llama.cpp's deepseek4 loader counts MTP blocks only when the file ships them (it probes
    // the first one's `nextn.eh_proj`): some GGUFs declare one and hold none.
    let mtp_probe = format!("blk.{}.nextn.eh_proj.weight", block_count - nextn);
    if arch == "deepseek4" && !g.tensors.iter().any(|t| t.name == mtp_probe) {
        nextn = 0;
    }
    let layers = block_count - nextn; // MTP layers are in the file but not loaded by default
    let hidden = get("embedding_length")
        .filter(|&h| h > 0)
        .ok_or_else(|| missing(key("embedding_length")))?;
    let heads_v =
        per_layer(g.metadata.get(&key("attention.head_count")), layers).unwrap_or_default();
    let heads = heads_v.iter().copied().max().unwrap_or(0).max(1);
    let kv_v = per_layer(g.metadata.get(&key("attention.head_count_kv")), layers)
        .unwrap_or_else(|| vec![heads; layers as usize]);
    let kv_heads = kv_v.iter().copied().max().unwrap_or(heads).max(1);
    let uniform_kv = kv_v.iter().all(|&k| k == kv_heads);
    // Gemma 4 style: separate head dims for sliding (`*_swa`) and global layers.
    let global_dim = get("attention.key_length").unwrap_or(hidden / heads);
    let head_dim = get("attention.key_length_swa").unwrap_or(global_dim);
    let value_head_dim = get("attention.value_length_swa")
        .or(get("attention.value_length"))
        .filter(|&v| v != head_dim);
    let ffn_v = per_layer(g.metadata.get(&key("feed_forward_length")), layers).unwrap_or_default();
    let ffn = ffn_v.iter().copied().max().unwrap_or(0);
    let has_output = g.tensors.iter().any(|t| t.name == "output.weight");
    let embd = g.tensors.iter().find(|t| t.name == "token_embd.weight");
    let vocab = get("vocab_size")
        .or_else(|| match g.metadata.get("tokenizer.ggml.tokens") {
            Some(Value::Array(n)) => Some(*n as u32),
            _ => None,
        })
        .or_else(|| embd.and_then(|t| t.dims.get(1)).map(|&v| v as u32))
        .unwrap_or(0);
    let context = get("context_length").unwrap_or(4096).max(1);
    let mut attention = if arch == "deepseek4" {
        compressed_of(g, layers, nextn)?
    } else {
        attention_of(g, &arch, layers)
    };
    if let Attention::Sliding {
        global_head_dim, ..
    } = &mut attention
    {
        if global_dim != head_dim {
            *global_head_dim = Some(global_dim);
        }
    }
    let moe = get("expert_count").filter(|&e| e > 1).map(|experts| Moe {
        experts,
        used: get("expert_used_count").unwrap_or(1).clamp(1, experts),
        expert_ffn: get("expert_feed_forward_length").unwrap_or(ffn.max(1)),
        shared: get("expert_shared_count").unwrap_or(0),
        shared_ffn: get("expert_shared_feed_forward_length"),
        leading_dense: get("leading_dense_block_count").unwrap_or(0),
        every: None,
        latent: get("moe_latent_size")
            .or(get("expert_latent_length"))
            .filter(|&n| n > 0),
    });
    let hybrid = hybrid_of(g, &arch, &kv_v, &ffn_v, moe.is_some());
    let has_tensor = |suffix: &str| g.tensors.iter().any(|t| t.name.ends_with(suffix));
    // Kimi K3's MLA output gate is a tensor of its own (Qwen's doubles attn_q instead).
    let attn_output_gate =
        matches!(attention, Attention::Mla { .. }) && has_tensor("attn_gate.weight");
    let ffn_ungated = (has_tensor("ffn_up.weight") || has_tensor("ffn_up_exps.weight"))
        && !(has_tensor("ffn_gate.weight") || has_tensor("ffn_gate_exps.weight"));
    let indexer = get("attention.indexer.key_length")
        .filter(|&d| d > 0)
        .map(|key_dim| Indexer {
            heads: get("attention.indexer.head_count").unwrap_or(1),
            key_dim,
            msa: arch == "minimax-m3",
        });
    let spec = ModelSpec {
        id: id.to_string(),
        name: g.str("general.name").unwrap_or(id).to_string(),
        family: g.str("general.basename").unwrap_or(&arch).to_string(),
        hf_repo: None,
        ollama: Vec::new(),
        aliases: Vec::new(),
        params: g
            .tensors
            .iter()
            .fold(0u64, |a, t| a.saturating_add(t.elements()))
            .max(1),
        active_params: None,
        arch: Arch {
            kind: arch.clone(),
            layers,
            hidden,
            heads,
            kv_heads,
            head_dim: head_dim.max(1),
            value_head_dim,
            ffn,
            vocab: vocab.max(1),
            tied_embeddings: !has_output,
            context,
            context_extended: None,
            attention,
            moe,
            hybrid,
            attn_output_gate,
            expert_format: None,
            kv_heads_per_layer: if uniform_kv { Vec::new() } else { kv_v },
            // llama.cpp fixes Gemma 3n's cache-owning layers at the first 20; Gemma 4 names its
            // shared tail (`attention.shared_kv_layers`).
            kv_shared_layers: if arch == "gemma3n" {
                layers.saturating_sub(GEMMA3N_KV_LAYERS)
            } else {
                get("attention.shared_kv_layers").unwrap_or(0).min(layers)
            },
            per_layer_input: get("embedding_length_per_layer_input").map(|dim| PerLayerInput {
                dim,
                vocab: g
                    .tensors
                    .iter()
                    .find(|t| t.name == "per_layer_token_embd.weight")
                    .and_then(|t| t.dims.get(1))
                    .map_or(vocab, |&v| v.min(u64::from(u32::MAX)) as u32),
                laurel_rank: get("laurel_rank").unwrap_or(0),
                altup_inputs: get("altup.num_inputs").unwrap_or(0),
            }),
            ffn_ungated,
            // MTP blocks may extend the array past the loaded layers.
            ffn_per_layer: match ffn_v.get(..layers as usize) {
                Some(v) if v.iter().any(|&f| f != ffn) => v.to_vec(),
                _ => Vec::new(),
            },
            indexer,
            attn_residual_block: get("attn_res.block_size").unwrap_or(0),
        },
        use_cases: Vec::new(),
        license: g.str("general.license").map(str::to_string),
        released: None,
        source: Some("GGUF header".into()),
        vision: None,
    };
    // The same bounds as a catalog entry or a command-line flag.
    crate::limits::check_model(&spec).map_err(|(field, message)| MetadataError {
        key: field.to_string(),
        message,
    })?;
    let tensors: Vec<TensorInfo> = g
        .tensors
        .iter()
        .map(tensor_info)
        .filter(|t| t.layer.is_none_or(|l| l < layers))
        .collect();
    let used = spec.arch.moe.as_ref().map_or(0, |m| m.used);
    let weights = table_from_tensors(
        &tensors,
        layers,
        used,
        Quant::F16,
        spec.arch.tied_embeddings,
    );
    let quant_label = g
        .u64("general.file_type")
        .map_or_else(|| "unknown".to_string(), file_type_label);
    Ok(GgufModel {
        spec,
        weights,
        quant_label,
    })
}

/// DeepSeek V4's attention from its `deepseek4.*` keys (llama.cpp `load_arch_hparams`).
fn compressed_of(g: &Gguf, layers: u32, mtp_layers: u32) -> Result<Attention, MetadataError> {
    let key = |k: &str| format!("deepseek4.{k}");
    let get = |k: &str| {
        g.u64(&key(k))
            .map(|v| v.min(u64::from(u32::MAX)) as u32)
            .ok_or_else(|| missing(key(k)))
    };
    let ratios_key = key("attention.compress_ratios");
    let ratios = match g.metadata.get(&ratios_key) {
        Some(Value::Numbers(xs)) if xs.len() >= layers as usize => xs[..layers as usize]
            .iter()
            .map(|x| x.max(0.0) as u32)
            .collect(),
        Some(Value::Numbers(xs)) => {
            return Err(MetadataError {
                key: ratios_key,
                message: format!("{} entries for {layers} layers", xs.len()),
            })
        }
        _ => return Err(missing(ratios_key)),
    };
    Ok(Attention::Compressed {
        window: get("attention.sliding_window")?,
        ratios,
        q_lora_rank: get("attention.q_lora_rank")?,
        output_groups: get("attention.output_group_count")?,
        output_lora_rank: get("attention.output_lora_rank")?,
        hyper_connections: get("hyper_connection.count")?,
        hash_layers: get("hash_layer_count").unwrap_or(0),
        mtp_layers,
    })
}

fn attention_of(g: &Gguf, arch: &str, layers: u32) -> Attention {
    let get = |k: &str| {
        g.u64(&format!("{arch}.{k}"))
            .map(|v| v.min(u64::from(u32::MAX)) as u32)
    };
    // llama.cpp caches the latent only when the file names the decompressed head dims
    // (`is_mla()`, llama.cpp#19067). Files converted before its MLA support (#12801, 2025-04)
    // lack them and run as ordinary attention over the full per-head K and V their
    // `head_count_kv`/`key_length`/`value_length` describe (DeepSeek-V2 16B: 27 layers ×
    // 16 heads × (192 + 128), 71× the latent).
    let mla_dims = get("attention.key_length_mla").zip(get("attention.value_length_mla"));
    if let (Some(rank), Some((key_mla, _))) = (get("attention.kv_lora_rank"), mla_dims) {
        let rope_dim = get("rope.dimension_count").unwrap_or(64);
        return Attention::Mla {
            kv_lora_rank: rank,
            rope_dim,
            q_lora_rank: get("attention.q_lora_rank"),
            nope_dim: key_mla.saturating_sub(rope_dim),
        };
    }
    if arch == "llama4" {
        return Attention::Chunked {
            chunk: get("attention.chunk_size").unwrap_or(8192),
            period: 4,
        };
    }
    let window = get("attention.sliding_window").unwrap_or(0);
    // llama.cpp ignores the window of these architectures (runs full attention).
    if window == 0 || matches!(arch, "phi3" | "llama" | "mistral" | "qwen2" | "qwen3") {
        return Attention::Full;
    }
    let pattern = g
        .metadata
        .get(&format!("{arch}.attention.sliding_window_pattern"));
    let (period, layers_flags) = match pattern {
        Some(Value::Numbers(flags)) if flags.len() == layers as usize => {
            (0, flags.iter().map(|f| *f != 0.0).collect())
        }
        Some(v) if v.as_u64().is_some() => (v.as_u64().unwrap_or(0) as u32, Vec::new()),
        _ => (
            match arch {
                "gemma2" | "gpt-oss" => 2,
                "gemma3" => 6,
                "gemma3n" => 5,
                "cohere2" => 4,
                _ => 0,
            },
            Vec::new(),
        ),
    };
    Attention::Sliding {
        window,
        period,
        global_kv_heads: None,
        global_head_dim: None,
        layers: layers_flags,
    }
}

fn hybrid_of(
    g: &Gguf,
    arch: &str,
    kv_per_layer: &[u32],
    ffn_per_layer: &[u32],
    moe: bool,
) -> Option<Hybrid> {
    let get = |k: &str| {
        g.u64(&format!("{arch}.{k}"))
            .map(|v| v.min(u64::from(u32::MAX)) as u32)
    };
    let attention_at = || -> Vec<u32> {
        kv_per_layer
            .iter()
            .enumerate()
            .filter(|(_, &k)| k > 0)
            .map(|(i, _)| i as u32)
            .collect()
    };
    if let Some(l_cache) = get("shortconv.l_cache") {
        return Some(Hybrid {
            layout: LayerLayout::AttentionAt(attention_at()),
            state: Recurrent::ShortConv { l_cache },
        });
    }
    let conv_kernel = get("ssm.conv_kernel")?;
    // Kimi K3 and Kimi Linear: KDA on the layers without KV heads (llama.cpp `is_recr`).
    if let Some(head_dim) = get("kda.head_dim") {
        let heads = per_layer(g.metadata.get(&format!("{arch}.attention.head_count")), 1)
            .and_then(|h| h.into_iter().max())
            .unwrap_or(1);
        return Some(Hybrid {
            layout: LayerLayout::AttentionAt(attention_at()),
            state: Recurrent::Kda {
                conv_kernel,
                heads,
                head_dim,
            },
        });
    }
    let state = get("ssm.state_size").unwrap_or(128);
    let groups = get("ssm.group_count").unwrap_or(1);
    let inner = get("ssm.inner_size").unwrap_or(0);
    let rank = get("ssm.time_step_rank").unwrap_or(1).max(1);
    if matches!(arch, "qwen3next" | "qwen35" | "qwen35moe") {
        return Some(Hybrid {
            layout: LayerLayout::Interval(get("full_attention_interval").unwrap_or(4)),
            state: Recurrent::GatedDeltaNet {
                conv_kernel,
                key_heads: groups,
                value_heads: rank,
                key_dim: state,
                value_dim: inner / rank,
            },
        });
    }
    // Nemotron-H: a layer is attention (KV heads), recurrent (no KV heads, no FFN) or an FFN
    // alone (`is_recr_impl` in llama.cpp's nemotron_h loader); the others pair both in a layer.
    let layout = if matches!(arch, "nemotron_h" | "nemotron_h_moe") {
        let ffn_only = if moe { 'E' } else { '-' };
        LayerLayout::Pattern(
            kv_per_layer
                .iter()
                .enumerate()
                .map(
                    |(i, &kv)| match (kv, ffn_per_layer.get(i).copied().unwrap_or(0)) {
                        (k, _) if k > 0 => '*',
                        (_, 0) => 'M',
                        _ => ffn_only,
                    },
                )
                .collect(),
        )
    } else {
        LayerLayout::AttentionAt(attention_at())
    };
    Some(Hybrid {
        layout,
        state: Recurrent::Mamba2 {
            conv_kernel,
            inner,
            state,
            groups,
            heads: rank,
        },
    })
}
