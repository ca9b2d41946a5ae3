//! Kimi K3 and Kimi Linear (`kimi_linear` config.json, nested as K3's `text_config`): KDA layers
//! beside MLA ones and a latent MoE, read as llama.cpp's `kimi-k3` / `kimi-linear` run them.

use serde::Deserialize;

use crate::estimate::model::{Attention, Hybrid, LayerLayout, Recurrent};

/// The `kimi_linear` fields other configs lack (`q_lora_rank` is read with DeepSeek V4's).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct KimiFields {
    kv_lora_rank: Option<u32>,
    qk_nope_head_dim: Option<u32>,
    qk_rope_head_dim: Option<u32>,
    v_head_dim: Option<u32>,
    mla_use_output_gate: Option<bool>,
    linear_attn_config: Option<LinearAttn>,
    first_k_dense_replace: Option<u32>,
    num_experts_per_token: Option<u32>,
    num_shared_experts: Option<u32>,
    routed_expert_hidden_size: Option<u32>,
    attn_res_block_size: Option<u32>,
}

/// `linear_attn_config`: 1-based layer lists and the KDA widths.
#[derive(Deserialize, Default)]
#[serde(default)]
struct LinearAttn {
    full_attn_layers: Vec<u32>,
    num_heads: Option<u32>,
    head_dim: Option<u32>,
    short_conv_kernel_size: Option<u32>,
    use_full_rank_gate: Option<bool>,
}

/// What a `kimi_linear` config changes in the architecture llama.cpp builds from it.
pub(super) struct Kimi {
    /// `kimi-k3` (full-rank KDA gate) or `kimi-linear`.
    pub kind: &'static str,
    pub attention: Attention,
    pub hybrid: Hybrid,
    /// Query head dim (nope + rope) and value head dim of the MLA layers.
    pub head_dim: u32,
    pub value_head_dim: u32,
    pub output_gate: bool,
    pub leading_dense: u32,
    pub used: Option<u32>,
    pub shared: Option<u32>,
    pub latent: Option<u32>,
    pub residual_block: u32,
}

impl KimiFields {
    /// The Kimi architecture, if this is a `kimi_linear` config with its KDA block; an error
    /// names a field that is missing or out of range.
    pub(super) fn read(
        &self,
        model_type: Option<&str>,
        q_lora_rank: Option<u32>,
        layers: u32,
    ) -> Result<Option<Kimi>, String> {
        let (Some("kimi_linear"), Some(lin)) = (model_type, &self.linear_attn_config) else {
            return Ok(None);
        };
        let need = |v: Option<u32>, field: &str| {
            v.filter(|&x| x > 0)
                .ok_or_else(|| format!("missing '{field}'"))
        };
        // config.json numbers MLA layers from 1; llama.cpp (and the catalog) from 0.
        let mut mla = Vec::with_capacity(lin.full_attn_layers.len());
        for &n in &lin.full_attn_layers {
            if n == 0 || n > layers {
                return Err(format!(
                    "linear_attn_config.full_attn_layers: {n} is not a layer in 1..={layers}"
                ));
            }
            mla.push(n - 1);
        }
        let rope = need(self.qk_rope_head_dim, "qk_rope_head_dim")?;
        let nope = need(self.qk_nope_head_dim, "qk_nope_head_dim")?;
        let full_rank = lin.use_full_rank_gate == Some(true);
        Ok(Some(Kimi {
            kind: if full_rank { "kimi-k3" } else { "kimi-linear" },
            attention: Attention::Mla {
                kv_lora_rank: need(self.kv_lora_rank, "kv_lora_rank")?,
                rope_dim: rope,
                q_lora_rank: q_lora_rank.filter(|&q| q > 0),
                nope_dim: nope,
            },
            hybrid: Hybrid {
                layout: LayerLayout::AttentionAt(mla),
                state: Recurrent::Kda {
                    conv_kernel: need(lin.short_conv_kernel_size, "short_conv_kernel_size")?,
                    heads: need(lin.num_heads, "linear_attn_config.num_heads")?,
                    head_dim: need(lin.head_dim, "linear_attn_config.head_dim")?,
                },
            },
            head_dim: nope.saturating_add(rope),
            value_head_dim: need(self.v_head_dim, "v_head_dim")?,
            output_gate: self.mla_use_output_gate == Some(true),
            leading_dense: self.first_k_dense_replace.unwrap_or(0),
            used: self.num_experts_per_token,
            shared: self.num_shared_experts,
            latent: self.routed_expert_hidden_size.filter(|&n| n > 0),
            residual_block: self.attn_res_block_size.unwrap_or(0),
        }))
    }
}
