//! What a model is, as far as memory and speed are concerned: the fields of its own config.

use serde::{Deserialize, Serialize};

use super::ggml::GgmlType;

/// A catalog model: identity, provenance and architecture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Stable id, e.g. `llama-3.1-8b`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Family, e.g. `Llama 3.1`.
    pub family: String,
    /// Hugging Face repo id of the original weights.
    #[serde(default)]
    pub hf_repo: Option<String>,
    /// Ollama tags that pull this model.
    #[serde(default)]
    pub ollama: Vec<String>,
    /// Other names it goes by (base-model names, benchmark labels).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Total parameters of the language model (what the GGUF holds; no vision tower).
    pub params: u64,
    /// Parameters active per token (MoE); equals `params` for dense models.
    #[serde(default)]
    pub active_params: Option<u64>,
    /// Architecture facts.
    pub arch: Arch,
    /// Use-case tags (`coding`, `reasoning`, `chat`, …).
    #[serde(default)]
    pub use_cases: Vec<String>,
    /// Licence name.
    #[serde(default)]
    pub license: Option<String>,
    /// Release date, `YYYY-MM`.
    #[serde(default)]
    pub released: Option<String>,
    /// Where the facts come from (config.json, model card).
    #[serde(default)]
    pub source: Option<String>,
    /// Vision tower in a separate mmproj file, loaded beside the model by llama.cpp (`--mmproj`,
    /// `-hf`), Ollama and LM Studio; `None` for text-only models or when vision is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vision: Option<super::vision::Vision>,
}

impl ModelSpec {
    /// Active parameters per token.
    pub fn active(&self) -> u64 {
        self.active_params.unwrap_or(self.params)
    }

    /// Longest context the model supports (extended if it has one).
    pub fn max_context(&self) -> u32 {
        self.arch
            .context_extended
            .unwrap_or(self.arch.context)
            .max(self.arch.context)
    }

    /// The context a run gets when `requested` is asked for: capped at the model's maximum
    /// (the app, `fit` and `compare` all clamp through here).
    pub fn clamp_context(&self, requested: u32) -> u32 {
        requested.min(self.max_context()).max(1)
    }
}

/// Architecture as llama.cpp sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arch {
    /// llama.cpp `general.architecture` (`llama`, `qwen3moe`, `gemma3`, …).
    pub kind: String,
    /// Transformer blocks.
    pub layers: u32,
    /// Embedding width.
    pub hidden: u32,
    /// Query heads.
    pub heads: u32,
    /// KV heads of attention layers.
    pub kv_heads: u32,
    /// Key head dim (explicit `head_dim` when the config has one).
    pub head_dim: u32,
    /// Value head dim when it differs from the key head dim.
    #[serde(default)]
    pub value_head_dim: Option<u32>,
    /// Dense FFN width (dense layers, or leading dense layers of an MoE).
    #[serde(default)]
    pub ffn: u32,
    /// Vocabulary size.
    pub vocab: u32,
    /// Output projection shares the embedding table.
    #[serde(default)]
    pub tied_embeddings: bool,
    /// Trained context length.
    pub context: u32,
    /// Context reachable with RoPE scaling (YaRN etc.).
    #[serde(default)]
    pub context_extended: Option<u32>,
    /// Attention layout.
    #[serde(default)]
    pub attention: Attention,
    /// Mixture of experts, if any.
    #[serde(default)]
    pub moe: Option<Moe>,
    /// Recurrent / linear-attention layers, if any.
    #[serde(default)]
    pub hybrid: Option<Hybrid>,
    /// An output gate on attention: the query projection doubled (Qwen3.5/3.6, Qwen3-Next), or
    /// on MLA its own `attn_gate` projection (Kimi K3).
    #[serde(default)]
    pub attn_output_gate: bool,
    /// Expert tensors ship in a fixed format whatever the quant label (gpt-oss: MXFP4).
    #[serde(default)]
    pub expert_format: Option<GgmlType>,
    /// KV heads per layer when they vary (GGUF `head_count_kv` arrays; 0 = no attention).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kv_heads_per_layer: Vec<u32>,
    /// Last layers that reuse an earlier layer's cache instead of keeping their own (Gemma 3n:
    /// `num_kv_shared_layers`; llama.cpp's `n_layer_kv_from_start`).
    #[serde(default)]
    pub kv_shared_layers: u32,
    /// Gemma 3n's per-layer inputs (PLE table, AltUp, LAuReL), if any.
    #[serde(default)]
    pub per_layer_input: Option<PerLayerInput>,
    /// FFN blocks (dense, routed and shared experts) have an up and a down projection but no
    /// gate (llama.cpp `LLM_FFN_PAR` without `ffn_gate`: Nemotron-H's relu², phi-2's GELU).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ffn_ungated: bool,
    /// FFN width per layer when it varies (GGUF `feed_forward_length` arrays; Gemma 4 E2B's
    /// double-wide KV-shared layers); `ffn` is then the widest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ffn_per_layer: Vec<u32>,
    /// A sparse-attention indexer, if any (DeepSeek V3.2, GLM-5, MiniMax M3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indexer: Option<Indexer>,
    /// Kimi K3's attention residuals: each layer mixes the residual stream banked every this
    /// many layers (config.json `attn_res_block_size`), scored by one vector per mixer and one
    /// for the output; 0 for a plain residual stream.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attn_residual_block: u32,
}

/// The lightning indexer of DeepSeek sparse attention (config.json `index_n_heads`,
/// `index_head_dim`). llama.cpp keeps its keys in a second, K-only cache of one head
/// (`llama_kv_cache_dsa`), as many cells as the main cache, in the K cache type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indexer {
    /// Indexer query heads (weights only: the key is a single head).
    pub heads: u32,
    /// Indexer key head dim, cached per token per indexer layer.
    pub key_dim: u32,
    /// MiniMax sparse attention (M3) rather than DeepSeek's: only the MoE layers carry an
    /// indexer (the leading dense ones attend fully), and llama.cpp's `llama_kv_cache_msa` keeps
    /// its keys in a plain one-head cache, V included, where DSA's is K-only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub msa: bool,
}

/// Gemma 3n's extra per-layer machinery (config.json `hidden_size_per_layer_input`,
/// `vocab_size_per_layer_input`, `laurel_rank`, `altup_num_inputs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerLayerInput {
    /// Width of each layer's slice of the per-layer embedding.
    pub dim: u32,
    /// Rows of the per-layer embedding table.
    pub vocab: u32,
    /// LAuReL low-rank residual width.
    pub laurel_rank: u32,
    /// AltUp parallel streams.
    pub altup_inputs: u32,
}

impl Arch {
    /// Whether layer `il` keeps its own KV cache (the shared tail reuses earlier layers').
    pub fn has_kv(&self, il: u32) -> bool {
        il < self.layers.saturating_sub(self.kv_shared_layers)
    }

    /// Dense FFN width of layer `il`.
    pub fn ffn_width(&self, il: u32) -> u32 {
        self.ffn_per_layer
            .get(il as usize)
            .copied()
            .unwrap_or(self.ffn)
    }

    /// Value head dim.
    pub fn v_head_dim(&self) -> u32 {
        self.value_head_dim.unwrap_or(self.head_dim)
    }
}

/// How attention layers see the context.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Attention {
    /// Every attention layer attends the whole context.
    #[default]
    Full,
    /// Sliding-window layers; in each group of `period` layers the last is global.
    Sliding {
        /// Window in tokens.
        window: u32,
        /// Group size (`period` 2: even layers slide; 6: five slide, one global).
        period: u32,
        /// KV heads of the global layers when they differ (Gemma 4).
        #[serde(default)]
        global_kv_heads: Option<u32>,
        /// Head dim of the global layers when it differs (Gemma 4).
        #[serde(default)]
        global_head_dim: Option<u32>,
        /// Explicit per-layer flags (GGUF `sliding_window_pattern` arrays); overrides `period`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        layers: Vec<bool>,
    },
    /// Llama 4 chunked attention: 3 chunked layers then 1 global in each group of `period`.
    Chunked {
        /// Chunk length in tokens.
        chunk: u32,
        /// Group size.
        period: u32,
    },
    /// Multi-head latent attention (DeepSeek V2/V3, Kimi K2, Kimi K3's full-attention layers):
    /// K-only latent cache.
    Mla {
        /// Latent rank cached per token.
        kv_lora_rank: u32,
        /// Decoupled RoPE key dim, also cached.
        rope_dim: u32,
        /// Query low-rank (absent: full query projection).
        #[serde(default)]
        q_lora_rank: Option<u32>,
        /// Non-RoPE part of each key head.
        nope_dim: u32,
    },
    /// DeepSeek V4's hybrid attention (llama.cpp `deepseek4`, `llama_kv_cache_dsv4`): every
    /// layer caches one K-only head of `head_dim` over a sliding window, and layers with a
    /// compression ratio also cache one pooled K row per `ratio` tokens (ratio 4 also keeps the
    /// lightning indexer's keys, `indexer`), fed by F32 compressor states per sequence.
    Compressed {
        /// Window of the raw cache (config.json `sliding_window`).
        window: u32,
        /// Compression ratio of each trunk layer (config.json `compress_ratios`, without the MTP
        /// entry): 0 window only, 4 compressed sparse attention, 128 heavily compressed.
        ratios: Vec<u32>,
        /// Query low rank (`q_lora_rank`).
        q_lora_rank: u32,
        /// Grouped low-rank output projection: groups (`o_groups`) and rank (`o_lora_rank`).
        output_groups: u32,
        /// Rank of each output group.
        output_lora_rank: u32,
        /// Hyper-connection streams (`hc_mult`).
        hyper_connections: u32,
        /// Leading layers routed by a token-id table instead of the router bias
        /// (`num_hash_layers`).
        hash_layers: u32,
        /// MTP blocks a GGUF carries behind the trunk: not loaded by default, but llama.cpp
        /// allocates their window cache (the catalog describes the trunk: 0).
        #[serde(default, skip_serializing_if = "is_zero")]
        mtp_layers: u32,
    },
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Mixture-of-experts FFN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moe {
    /// Routed experts per layer.
    pub experts: u32,
    /// Experts chosen per token.
    pub used: u32,
    /// Width of one routed expert.
    pub expert_ffn: u32,
    /// Always-on shared experts.
    #[serde(default)]
    pub shared: u32,
    /// Width of the shared expert block (default `shared × expert_ffn`).
    #[serde(default)]
    pub shared_ffn: Option<u32>,
    /// Leading layers with a dense FFN instead (DeepSeek: 3).
    #[serde(default)]
    pub leading_dense: u32,
    /// MoE only on every n-th layer, dense FFN elsewhere (Llama 4 Maverick: 2).
    #[serde(default)]
    pub every: Option<u32>,
    /// Routed experts work in a narrower latent width, projected down and up around them
    /// (Nemotron 3 Super's LatentMoE: config.json `moe_latent_size`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latent: Option<u32>,
}

impl Moe {
    /// Shared-expert FFN width.
    pub fn shared_width(&self) -> u32 {
        self.shared_ffn.unwrap_or(self.shared * self.expert_ffn)
    }

    /// Whether layer `il` has routed experts.
    pub fn is_moe_layer(&self, il: u32) -> bool {
        il >= self.leading_dense
            && self
                .every
                .is_none_or(|n| n <= 1 || (il + 1).is_multiple_of(n))
    }
}

/// A hybrid model: some layers carry a fixed-size recurrent state instead of a KV cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hybrid {
    /// Which layer does what.
    pub layout: LayerLayout,
    /// Recurrent mixer and its state dims.
    pub state: Recurrent,
}

/// Per-layer roles of a hybrid model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LayerLayout {
    /// Layer `i` is attention iff `(i + 1) % n == 0`, recurrent otherwise; every layer has an FFN.
    Interval(u32),
    /// Listed layers are attention, the rest recurrent; every layer has an FFN (LFM2).
    AttentionAt(Vec<u32>),
    /// One char per layer: `*` attention, `M` recurrent, `-` dense FFN only, `E` MoE FFN only;
    /// no layer has both a mixer and an FFN (Nemotron-H, Nemotron 3: `hybrid_override_pattern`).
    Pattern(String),
}

/// What a layer mixes tokens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mixer {
    /// Softmax attention with a KV cache.
    Attention,
    /// Recurrent state (Mamba, Gated DeltaNet, short conv).
    Recurrent,
    /// No token mixing (FFN-only block).
    None,
}

impl Arch {
    /// The mixer of layer `il`.
    pub fn mixer(&self, il: u32) -> Mixer {
        match &self.hybrid {
            None if self.kv_heads_per_layer.get(il as usize) == Some(&0) => Mixer::None,
            None => Mixer::Attention,
            Some(h) => match &h.layout {
                LayerLayout::Interval(n) => {
                    if *n != 0 && (il + 1).is_multiple_of(*n) {
                        Mixer::Attention
                    } else {
                        Mixer::Recurrent
                    }
                }
                LayerLayout::AttentionAt(list) => {
                    if list.contains(&il) {
                        Mixer::Attention
                    } else {
                        Mixer::Recurrent
                    }
                }
                LayerLayout::Pattern(p) => match p.as_bytes().get(il as usize) {
                    Some(b'*') => Mixer::Attention,
                    Some(b'M') => Mixer::Recurrent,
                    _ => Mixer::None,
                },
            },
        }
    }

    /// Whether layer `il` has an FFN block.
    pub fn has_ffn(&self, il: u32) -> bool {
        match &self.hybrid {
            Some(Hybrid {
                layout: LayerLayout::Pattern(p),
                ..
            }) => matches!(p.as_bytes().get(il as usize), Some(b'-' | b'E')),
            _ => true,
        }
    }

    /// Whether layer `il`'s FFN is routed experts (a pattern's `E`, else the MoE's own rule).
    pub fn is_moe_layer(&self, il: u32) -> bool {
        let Some(moe) = &self.moe else {
            return false;
        };
        match &self.hybrid {
            Some(Hybrid {
                layout: LayerLayout::Pattern(p),
                ..
            }) => p.as_bytes().get(il as usize) == Some(&b'E'),
            _ => moe.is_moe_layer(il),
        }
    }

    /// Whether attention layer `il` keeps indexer keys (every attention layer of a DSA model,
    /// the MoE layers of MiniMax M3).
    pub fn has_indexer(&self, il: u32) -> bool {
        if let Attention::Compressed { .. } = self.attention {
            return self.indexer.is_some() && self.compress_ratio(il) == 4;
        }
        self.indexer
            .as_ref()
            .is_some_and(|ix| !ix.msa || self.is_moe_layer(il))
            && self.mixer(il) == Mixer::Attention
            && self.has_kv(il)
    }

    /// DeepSeek V4's compression ratio of layer `il` (0 for every other attention).
    pub fn compress_ratio(&self, il: u32) -> u32 {
        match &self.attention {
            Attention::Compressed { ratios, .. } => ratios.get(il as usize).copied().unwrap_or(0),
            _ => 0,
        }
    }

    /// Whether attention layer `il` is sliding-window or chunked (bounded cache).
    pub fn is_windowed(&self, il: u32) -> bool {
        if let Attention::Sliding { layers, .. } = &self.attention {
            if !layers.is_empty() {
                return layers.get(il as usize).copied().unwrap_or(false);
            }
        }
        match self.attention {
            Attention::Sliding { period, .. } | Attention::Chunked { period, .. } => {
                period == 0 || il % period < period - 1
            }
            _ => false,
        }
    }

    /// (KV heads, key dim, value dim) of attention layer `il`.
    pub fn kv_shape(&self, il: u32) -> (u32, u32, u32) {
        let per_layer = self.kv_heads_per_layer.get(il as usize).copied();
        if let Attention::Sliding {
            global_kv_heads,
            global_head_dim,
            ..
        } = self.attention
        {
            if !self.is_windowed(il) {
                let d = global_head_dim.unwrap_or(self.head_dim);
                let dv = global_head_dim.unwrap_or(self.v_head_dim());
                return (
                    per_layer.or(global_kv_heads).unwrap_or(self.kv_heads),
                    d,
                    dv,
                );
            }
        }
        (
            per_layer.unwrap_or(self.kv_heads),
            self.head_dim,
            self.v_head_dim(),
        )
    }
}

/// Recurrent state families (llama.cpp `n_embd_r` / `n_embd_s`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Recurrent {
    /// Gated DeltaNet (Qwen3-Next, Qwen3.5, Qwen3.6).
    GatedDeltaNet {
        /// Causal conv kernel.
        conv_kernel: u32,
        /// Key heads.
        key_heads: u32,
        /// Value heads.
        value_heads: u32,
        /// Key head dim.
        key_dim: u32,
        /// Value head dim.
        value_dim: u32,
    },
    /// Mamba-2 (Nemotron-H, Granite 4, Falcon-H1).
    Mamba2 {
        /// Causal conv kernel.
        conv_kernel: u32,
        /// Inner (expanded) width.
        inner: u32,
        /// SSM state size.
        state: u32,
        /// Groups.
        groups: u32,
        /// SSM heads.
        heads: u32,
    },
    /// Kimi Delta Attention (Kimi K3, Kimi Linear): a short conv over each of Q, K and V and a
    /// `head_dim`² state per head (llama.cpp `n_embd_head_kda`).
    Kda {
        /// Causal conv kernel (`short_conv_kernel_size`).
        conv_kernel: u32,
        /// KDA heads (`linear_attn_config.num_heads`).
        heads: u32,
        /// KDA head dim.
        head_dim: u32,
    },
    /// LFM2 short convolution.
    ShortConv {
        /// Conv cache length.
        l_cache: u32,
    },
}

impl Recurrent {
    /// (conv state floats, SSM state floats) per layer per sequence.
    pub fn state_floats(&self, hidden: u32) -> (u64, u64) {
        // Saturating: hostile GGUF headers can carry absurd widths.
        let m = |a: u32, b: u64| u64::from(a).saturating_mul(b);
        match *self {
            Recurrent::GatedDeltaNet {
                conv_kernel,
                key_heads,
                value_heads,
                key_dim,
                value_dim,
            } => {
                let inner = m(value_heads, u64::from(value_dim));
                let conv = m(
                    conv_kernel.saturating_sub(1),
                    inner.saturating_add(m(key_heads, m(key_dim, 2))),
                );
                (conv, m(key_dim, inner))
            }
            Recurrent::Mamba2 {
                conv_kernel,
                inner,
                state,
                groups,
                ..
            } => {
                let conv = m(
                    conv_kernel.saturating_sub(1),
                    u64::from(inner).saturating_add(m(groups, m(state, 2))),
                );
                (conv, m(state, u64::from(inner)))
            }
            Recurrent::Kda {
                conv_kernel,
                heads,
                head_dim,
            } => {
                // llama.cpp's n_embd_r: Q, K and V each keep kernel − 1 columns of heads × dim.
                let inner = m(heads, u64::from(head_dim));
                let conv = m(conv_kernel.saturating_sub(1), inner.saturating_mul(3));
                (conv, m(head_dim, inner))
            }
            Recurrent::ShortConv { l_cache } => {
                (m(hidden, u64::from(l_cache.saturating_sub(1))), 0)
            }
        }
    }
}
