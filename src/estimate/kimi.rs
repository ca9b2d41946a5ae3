//! Kimi K3's own tensors (llama.cpp `kimi-k3`, `llama_model_kimi_k3::load_arch_tensors`, b11312):
//! the Kimi Delta Attention mixer and the attention-residual scores. Its MLA layers, latent MoE
//! and shared experts are the generic ones in `tensors.rs`.

use super::model::Arch;
use super::tensors::{push, Role, TensorInfo};

/// One KDA layer after its `attn_norm`: separate Q, K and V projections each with a short conv,
/// the low-rank decay gate (`ssm_f_a`, `ssm_f_b`), β, the full-rank output gate (`ssm_g`), the
/// head norm and the output projection.
pub(super) fn kda_layer(
    out: &mut Vec<TensorInfo>,
    arch: &Arch,
    il: u32,
    conv_kernel: u32,
    heads: u32,
    head_dim: u32,
) {
    let l = Some(il);
    let h = u64::from(arch.hidden);
    let (nh, hd) = (u64::from(heads), u64::from(head_dim));
    let inner = nh * hd;
    push(out, l, Role::SsmSmall, u64::from(conv_kernel), 3 * inner); // ssm_conv1d_{q,k,v}
    push(out, l, Role::AttnQ, h, inner);
    push(out, l, Role::AttnK, h, inner);
    push(out, l, Role::AttnV, h, inner);
    push(out, l, Role::SsmMatrix, h, hd); // ssm_f_a
    push(out, l, Role::SsmMatrix, hd, inner); // ssm_f_b
    push(out, l, Role::SsmMatrix, h, nh); // ssm_beta
    push(out, l, Role::SsmMatrix, h, inner); // ssm_g
    push(out, l, Role::Vector, nh + inner + hd, 1); // ssm_a, ssm_dt bias, ssm_norm
    push(out, l, Role::AttnOutput, inner, h);
}

/// The attention-residual score vectors: `attn_res_score` and `ffn_res_score` on each layer
/// (`layer` Some), `output_res_score` once (`layer` None). None without attention residuals.
pub(super) fn residual_scores(out: &mut Vec<TensorInfo>, arch: &Arch, layer: Option<u32>) {
    if arch.attn_residual_block > 0 {
        let n = if layer.is_some() { 2 } else { 1 };
        push(out, layer, Role::Vector, u64::from(arch.hidden), n);
    }
}
