//! The tensor table of a model: derived from its architecture, or read from a GGUF header.
//! Weight bytes, device placement and bytes read per token are all sums over this table.

use super::ggml::GgmlType;
use super::model::{Arch, Attention, Mixer, PerLayerInput, Recurrent};

/// What a tensor does; decides its quantization type and whether it is read per token.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    TokenEmbd,
    /// Gemma 3n's per-layer embedding table: looked up on the host like `token_embd`.
    PerLayerEmbd,
    /// Matrices llama-quantize leaves in their converted 16-bit type (Gemma 3n AltUp, LAuReL,
    /// `per_layer_model_proj`).
    Kept16,
    Output,
    /// 1-D tensors (norms, biases, SSM scalars): never quantized.
    Vector,
    AttnQ,
    AttnK,
    AttnV,
    /// Fused QKV (and the Gated DeltaNet input projection llama.cpp names `attn_qkv`).
    AttnQkv,
    AttnOutput,
    /// Other attention matrices (MLA projections, output gate).
    AttnOther,
    FfnGate,
    FfnUp,
    FfnDown,
    FfnGateExps,
    FfnUpExps,
    FfnDownExps,
    FfnGateUpShexp,
    FfnDownShexp,
    /// MoE router (`ffn_gate_inp`): kept F32.
    Router,
    /// Recurrent-mixer matrices (`ssm_in`, `ssm_out`, short-conv projections).
    SsmMatrix,
    /// Small recurrent tensors kept F32 (`ssm_conv1d`, A, dt).
    SsmSmall,
}

impl Role {
    /// Routed-expert tensor (3-D, one slice per expert).
    pub fn is_expert(self) -> bool {
        matches!(
            self,
            Role::FfnGateExps | Role::FfnUpExps | Role::FfnDownExps
        )
    }

    /// Never quantized by llama-quantize.
    pub fn stays_f32(self) -> bool {
        matches!(self, Role::Vector | Role::Router | Role::SsmSmall)
    }
}

/// One tensor: shape as (row length, rows), rows including the expert dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TensorInfo {
    /// Block index, `None` for embeddings/output.
    pub layer: Option<u32>,
    /// Function.
    pub role: Role,
    /// `ne[0]`: quantization blocks run along it.
    pub row_len: u64,
    /// Product of the other dims.
    pub rows: u64,
    /// Experts stacked in this tensor (1 unless routed experts).
    pub experts: u32,
    /// Storage type (set by a recipe, or read from a GGUF).
    pub ty: GgmlType,
}

impl TensorInfo {
    /// Element count.
    pub fn elements(&self) -> u64 {
        self.row_len.saturating_mul(self.rows)
    }

    /// Exact bytes: every row rounds up to whole blocks.
    pub fn bytes(&self) -> u64 {
        self.ty.bytes_for(self.row_len).saturating_mul(self.rows)
    }
}

/// Appends an F32 tensor of `rows` rows of `row_len` (a recipe sets its type later).
pub(super) fn push(
    out: &mut Vec<TensorInfo>,
    layer: Option<u32>,
    role: Role,
    row_len: u64,
    rows: u64,
) {
    out.push(TensorInfo {
        layer,
        role,
        row_len,
        rows,
        experts: 1,
        ty: GgmlType::F32,
    });
}

/// The tensors a llama.cpp conversion of `arch` contains, types all F32 (a recipe assigns them).
pub fn inventory(arch: &Arch) -> Vec<TensorInfo> {
    let h = u64::from(arch.hidden);
    let mut out = Vec::with_capacity(arch.layers as usize * 12 + 3);
    push(&mut out, None, Role::TokenEmbd, h, u64::from(arch.vocab));
    push(&mut out, None, Role::Vector, h, 1);
    if !arch.tied_embeddings {
        push(&mut out, None, Role::Output, h, u64::from(arch.vocab));
    }
    super::dsv4::head_tensors(&mut out, arch);
    super::kimi::residual_scores(&mut out, arch, None);
    if let Some(p) = &arch.per_layer_input {
        let width = u64::from(arch.layers) * u64::from(p.dim);
        push(
            &mut out,
            None,
            Role::PerLayerEmbd,
            width,
            u64::from(p.vocab),
        );
        push(&mut out, None, Role::Kept16, h, width); // per_layer_model_proj
        push(&mut out, None, Role::Vector, u64::from(p.dim), 1);
        // altup_proj and altup_unembd_proj: one h×h matrix per extra stream each.
        let streams = u64::from(p.altup_inputs.saturating_sub(1));
        push(&mut out, None, Role::Kept16, h, h * streams);
        push(&mut out, None, Role::Kept16, h, h * streams);
    }
    for il in 0..arch.layers {
        let l = Some(il);
        match arch.mixer(il) {
            Mixer::Attention => attention_tensors(&mut out, arch, il),
            Mixer::Recurrent => {
                if let Some(hy) = &arch.hybrid {
                    recurrent_tensors(&mut out, arch, il, &hy.state);
                }
            }
            Mixer::None => {}
        }
        if arch.has_ffn(il) {
            push(&mut out, l, Role::Vector, h, 1);
            ffn_tensors(&mut out, arch, il);
        }
        super::kimi::residual_scores(&mut out, arch, l);
        if let Some(p) = &arch.per_layer_input {
            per_layer_input_tensors(&mut out, il, h, p);
        }
    }
    out
}

/// Gemma 3n's per-layer extras: LAuReL, AltUp and the per-layer input gate/projection.
fn per_layer_input_tensors(out: &mut Vec<TensorInfo>, il: u32, h: u64, p: &PerLayerInput) {
    let l = Some(il);
    let (rank, dim, n) = (
        u64::from(p.laurel_rank),
        u64::from(p.dim),
        u64::from(p.altup_inputs),
    );
    push(out, l, Role::Kept16, h, rank); // laurel_l
    push(out, l, Role::Kept16, rank, h); // laurel_r
    push(out, l, Role::Vector, h, 3); // laurel, per-layer and attention post-norms
    push(out, l, Role::AttnOther, h, dim); // per_layer_inp_gate
    push(out, l, Role::AttnOther, dim, h); // per_layer_proj
    if n > 0 {
        push(out, l, Role::Kept16, n, n); // altup_correct_coef
        push(out, l, Role::Kept16, n, n * n); // altup_predict_coef
        push(out, l, Role::Kept16, h, n); // altup_router
        push(out, l, Role::Vector, h, 2); // altup_router_norm, altup_correct_scale
    }
}

fn attention_tensors(out: &mut Vec<TensorInfo>, arch: &Arch, il: u32) {
    if let Attention::Compressed { .. } = arch.attention {
        return super::dsv4::layer_tensors(out, arch, il);
    }
    let l = Some(il);
    let h = u64::from(arch.hidden);
    let heads = u64::from(arch.heads);
    push(out, l, Role::Vector, h, 1);
    if let Attention::Mla {
        kv_lora_rank,
        rope_dim,
        q_lora_rank,
        nope_dim,
    } = arch.attention
    {
        let (r, rope, nope) = (
            u64::from(kv_lora_rank),
            u64::from(rope_dim),
            u64::from(nope_dim),
        );
        let q_head = nope + rope;
        match q_lora_rank {
            Some(q) => {
                let q = u64::from(q);
                push(out, l, Role::AttnOther, h, q);
                push(out, l, Role::Vector, q, 1);
                push(out, l, Role::AttnQ, q, heads * q_head);
            }
            None => push(out, l, Role::AttnQ, h, heads * q_head),
        }
        push(out, l, Role::AttnOther, h, r + rope);
        push(out, l, Role::Vector, r, 1);
        // kv_b decompresses the latent into per-head K (nope) and V.
        let v = u64::from(arch.v_head_dim());
        push(out, l, Role::AttnOther, r, heads * (nope + v));
        if arch.attn_output_gate {
            push(out, l, Role::AttnOther, h, heads * v); // Kimi K3's sigmoid gate, attn_gate
        }
        push(out, l, Role::AttnOutput, heads * v, h);
        if let (Some(ix), Some(q)) = (&arch.indexer, q_lora_rank) {
            let (ih, kd) = (u64::from(ix.heads), u64::from(ix.key_dim));
            push(out, l, Role::Vector, kd, 2); // indexer k_norm weight and bias
            push(out, l, Role::AttnOther, h, ih); // indexer.proj
            push(out, l, Role::AttnOther, h, kd); // indexer.attn_k
            push(out, l, Role::AttnOther, u64::from(q), ih * kd); // indexer.attn_q_b
        }
        return;
    }
    let (kv_heads, dk, dv) = arch.kv_shape(il);
    let (kv_heads, dk, dv) = (u64::from(kv_heads), u64::from(dk), u64::from(dv));
    let q_width = heads * dk * if arch.attn_output_gate { 2 } else { 1 };
    push(out, l, Role::AttnQ, h, q_width);
    push(out, l, Role::AttnK, h, kv_heads * dk);
    push(out, l, Role::AttnV, h, kv_heads * dv);
    push(out, l, Role::AttnOutput, heads * dv, h);
    if let Some(ix) = arch.indexer.as_ref().filter(|_| arch.has_indexer(il)) {
        // MiniMax M3's block-sparse indexer on GQA: its own query and key projections.
        let (ih, kd) = (u64::from(ix.heads), u64::from(ix.key_dim));
        push(out, l, Role::AttnOther, h, ih * kd); // indexer.q_proj
        push(out, l, Role::AttnOther, h, kd); // indexer.k_proj
        push(out, l, Role::Vector, kd, 2); // indexer q_norm and k_norm
    }
}

fn recurrent_tensors(out: &mut Vec<TensorInfo>, arch: &Arch, il: u32, state: &Recurrent) {
    let l = Some(il);
    let h = u64::from(arch.hidden);
    push(out, l, Role::Vector, h, 1);
    match *state {
        Recurrent::GatedDeltaNet {
            conv_kernel,
            key_heads,
            value_heads,
            key_dim,
            value_dim,
        } => {
            let key = u64::from(key_heads) * u64::from(key_dim);
            let value = u64::from(value_heads) * u64::from(value_dim);
            let vh = u64::from(value_heads);
            push(out, l, Role::AttnQkv, h, 2 * key + value);
            push(out, l, Role::AttnOther, h, value); // z gate
            push(out, l, Role::SsmMatrix, h, 2 * vh); // beta, alpha
            push(
                out,
                l,
                Role::SsmSmall,
                u64::from(conv_kernel),
                2 * key + value,
            );
            push(out, l, Role::SsmSmall, vh, 2); // dt bias, A
            push(out, l, Role::Vector, u64::from(value_dim), 1);
            push(out, l, Role::SsmMatrix, value, h);
        }
        Recurrent::Mamba2 {
            conv_kernel,
            inner,
            state,
            groups,
            heads,
        } => {
            let (inner, gs, nh) = (
                u64::from(inner),
                u64::from(groups) * u64::from(state),
                u64::from(heads),
            );
            push(out, l, Role::SsmMatrix, h, 2 * inner + 2 * gs + nh);
            push(
                out,
                l,
                Role::SsmSmall,
                u64::from(conv_kernel),
                inner + 2 * gs,
            );
            push(out, l, Role::Vector, inner + 2 * gs, 1); // conv bias
            push(out, l, Role::SsmSmall, nh, 3); // dt bias, A, D
            push(out, l, Role::Vector, inner, 1);
            push(out, l, Role::SsmMatrix, inner, h);
        }
        Recurrent::Kda {
            conv_kernel,
            heads,
            head_dim,
        } => super::kimi::kda_layer(out, arch, il, conv_kernel, heads, head_dim),
        Recurrent::ShortConv { l_cache } => {
            push(out, l, Role::SsmMatrix, h, 3 * h);
            push(out, l, Role::SsmSmall, u64::from(l_cache), h);
            push(out, l, Role::SsmMatrix, h, h);
        }
    }
}

fn ffn_tensors(out: &mut Vec<TensorInfo>, arch: &Arch, il: u32) {
    let l = Some(il);
    let h = u64::from(arch.hidden);
    let gated = !arch.ffn_ungated;
    let moe = arch.moe.as_ref().filter(|_| arch.is_moe_layer(il));
    let Some(moe) = moe else {
        let ff = u64::from(arch.ffn_width(il));
        if ff > 0 {
            if gated {
                push(out, l, Role::FfnGate, h, ff);
            }
            push(out, l, Role::FfnUp, h, ff);
            push(out, l, Role::FfnDown, ff, h);
        }
        return;
    };
    let (e, eff) = (u64::from(moe.experts), u64::from(moe.expert_ffn));
    push(out, l, Role::Router, h, e);
    // LatentMoE: the experts see a narrower width, projected down before and up after them.
    let width = moe.latent.map_or(h, u64::from);
    if let Some(latent) = moe.latent {
        push(out, l, Role::AttnOther, h, u64::from(latent)); // ffn_latent_down
        push(out, l, Role::AttnOther, u64::from(latent), h); // ffn_latent_up
    }
    let mut experts = vec![
        (Role::FfnUpExps, width, eff),
        (Role::FfnDownExps, eff, width),
    ];
    if gated {
        experts.insert(0, (Role::FfnGateExps, width, eff));
    }
    for (role, row_len, rows) in experts {
        out.push(TensorInfo {
            layer: l,
            role,
            row_len,
            rows: rows * e,
            experts: moe.experts,
            ty: GgmlType::F32,
        });
    }
    let sff = u64::from(moe.shared_width());
    if sff > 0 {
        let up_rows = if gated { 2 * sff } else { sff };
        push(out, l, Role::FfnGateUpShexp, h, up_rows);
        push(out, l, Role::FfnDownShexp, sff, h);
    }
}

/// Total parameters of a tensor table.
pub fn parameter_count(tensors: &[TensorInfo]) -> u64 {
    tensors.iter().map(TensorInfo::elements).sum()
}
