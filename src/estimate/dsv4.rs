//! DeepSeek V4 (llama.cpp `deepseek4`): its caches as `llama_kv_cache_dsv4` allocates them and
//! its tensors as `llama_model_deepseek4::load_arch_tensors` creates them (b11312).
//!
//! Caches, each K-only (V is a view of K) in the K cache type, one stream per sequence even when
//! the server asks for a unified cache (`unified_raw`/`unified_compressed` are forced false), each
//! stream `kv_size` = `n_ctx_seq` cells:
//! * raw: every layer (MTP blocks included) keeps `head_dim` per cell over window + ubatch cells,
//!   padded to 256 (the SWA half of an ISWA cache; its full half has no layers);
//! * compressed: ⌈kv_size / ratio⌉ cells padded to 256 on the layers of that ratio (4: CSA,
//!   128: HCA), and the lightning indexer's `key_dim` keys over the ratio-4 cells;
//! * compressor states, F32, a K and a score plane per layer per sequence: 2 × `head_dim` × 8 on
//!   ratio-4 layers, `head_dim` × 128 on ratio-128 layers, 2 × `key_dim` × 8 for the indexer.

use super::ggml::GgmlType;
use super::kv::{CacheBytes, CacheShape};
use super::model::{Arch, Attention};
use super::tensors::{Role, TensorInfo};
use super::units::round_up;

/// Compressed sparse attention (with the lightning indexer) and heavily compressed attention.
const CSA: u32 = 4;
const HCA: u32 = 128;

/// (streams, cells per stream) every DSV4 cache is sized from: one stream per sequence, each of
/// the context a sequence gets (`n_ctx_seq`: all of it when the server asks for a unified cache).
fn streams_and_kv_size(shape: &CacheShape) -> (u64, u64) {
    (u64::from(shape.parallel.max(1)), shape.full_cells().1)
}

/// Cells per stream of a cache compressed by `ratio` (`dsv4_comp_size`, padded to 256).
fn compressed_cells(kv_size: u64, ratio: u32) -> u64 {
    round_up(kv_size.div_ceil(u64::from(ratio)).max(1), 256)
}

/// Each cache and state of a DeepSeek V4 model in bytes, all sequences together, as llama.cpp
/// logs them (one `llama_kv_cache: size` or `llama_dsv4_comp_state` line each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Caches {
    /// Window cache of every layer (MTP blocks included).
    pub raw: u64,
    /// Compressed K of the ratio-4 layers.
    pub csa: u64,
    /// Compressed K of the ratio-128 layers.
    pub hca: u64,
    /// Lightning-indexer keys of the ratio-4 layers.
    pub indexer: u64,
    /// F32 compressor states of the ratio-4 layers.
    pub csa_state: u64,
    /// F32 compressor states of the ratio-128 layers.
    pub hca_state: u64,
    /// F32 compressor states of the indexer.
    pub indexer_state: u64,
}

impl Caches {
    /// K caches together.
    pub fn kv(&self) -> u64 {
        [self.raw, self.csa, self.hca, self.indexer]
            .into_iter()
            .fold(0, u64::saturating_add)
    }

    /// Compressor states together.
    pub fn state(&self) -> u64 {
        [self.csa_state, self.hca_state, self.indexer_state]
            .into_iter()
            .fold(0, u64::saturating_add)
    }
}

/// Layer `il`'s share of the caches (the MTP blocks' window caches not included).
fn layer_caches(arch: &Arch, shape: &CacheShape, il: u32) -> Caches {
    let k = shape.k_type.ggml();
    let (streams, kv_size) = streams_and_kv_size(shape);
    let window = match arch.attention {
        Attention::Compressed { window, .. } => u64::from(window),
        _ => 0,
    };
    let raw_cells = round_up(kv_size.min(window + u64::from(shape.n_ubatch)), 256);
    let row = k.bytes_for(u64::from(arch.head_dim));
    let key_dim = arch.indexer.as_ref().map_or(0, |ix| u64::from(ix.key_dim));
    let hd = u64::from(arch.head_dim);
    let per_seq = |bytes: u64| bytes.saturating_mul(streams);
    let mut c = Caches {
        raw: per_seq(raw_cells.saturating_mul(row)),
        ..Caches::default()
    };
    let ratio = arch.compress_ratio(il);
    let cells = compressed_cells(kv_size, ratio.max(1));
    // Compressor states: a K and a score plane of F32 (`llama_dsv4_comp_state`).
    let planes = |width: u64, rows: u64| per_seq(width.saturating_mul(rows).saturating_mul(2 * 4));
    match ratio {
        CSA => {
            c.csa = per_seq(cells.saturating_mul(row));
            c.csa_state = planes(2 * hd, 2 * u64::from(CSA));
            if arch.has_indexer(il) {
                c.indexer = per_seq(cells.saturating_mul(k.bytes_for(key_dim)));
                c.indexer_state = planes(2 * key_dim, 2 * u64::from(CSA));
            }
        }
        HCA => {
            c.hca = per_seq(cells.saturating_mul(row));
            c.hca_state = planes(hd, u64::from(HCA));
        }
        _ => {}
    }
    c
}

/// Each cache of a DeepSeek V4 model under `shape`; `None` for any other attention.
pub fn caches(arch: &Arch, shape: &CacheShape) -> Option<Caches> {
    let Attention::Compressed { mtp_layers, .. } = arch.attention else {
        return None;
    };
    let mut total = (0..arch.layers).fold(Caches::default(), |a, il| {
        let c = layer_caches(arch, shape, il);
        Caches {
            raw: a.raw.saturating_add(c.raw),
            csa: a.csa.saturating_add(c.csa),
            hca: a.hca.saturating_add(c.hca),
            indexer: a.indexer.saturating_add(c.indexer),
            csa_state: a.csa_state.saturating_add(c.csa_state),
            hca_state: a.hca_state.saturating_add(c.hca_state),
            indexer_state: a.indexer_state.saturating_add(c.indexer_state),
        }
    });
    let mtp_raw = layer_caches(arch, shape, 0)
        .raw
        .saturating_mul(u64::from(mtp_layers));
    total.raw = total.raw.saturating_add(mtp_raw);
    Some(total)
}

/// Cache and state bytes of a DeepSeek V4 model per layer and in total; `None` for any other
/// attention. The MTP blocks' window caches sit with the last layer.
pub fn cache_bytes(arch: &Arch, shape: &CacheShape) -> Option<CacheBytes> {
    let all = caches(arch, shape)?;
    let mut per_layer: Vec<u64> = (0..arch.layers)
        .map(|il| {
            let c = layer_caches(arch, shape, il);
            c.kv().saturating_add(c.state())
        })
        .collect();
    let trunk_raw = layer_caches(arch, shape, 0)
        .raw
        .saturating_mul(u64::from(arch.layers));
    if let Some(last) = per_layer.last_mut() {
        *last = last.saturating_add(all.raw.saturating_sub(trunk_raw));
    }
    Some(CacheBytes {
        kv: all.kv(),
        kv_windowed: all.raw,
        state: all.state(),
        per_layer,
    })
}

/// Cache bytes read to decode one token at `depth`: the window, every compressed row written so
/// far, and on ratio-4 layers every indexer key (the indexer scores them all).
pub fn read_bytes(arch: &Arch, shape: &CacheShape, depth: u64) -> Option<u64> {
    let Attention::Compressed { window, .. } = arch.attention else {
        return None;
    };
    let k = shape.k_type.ggml();
    let row = k.bytes_for(u64::from(arch.head_dim));
    let index_row = arch
        .indexer
        .as_ref()
        .map_or(0, |ix| k.bytes_for(u64::from(ix.key_dim)));
    let depth = depth.max(1);
    let total = (0..arch.layers)
        .map(|il| {
            let ratio = arch.compress_ratio(il);
            let windowed = depth.min(u64::from(window)).saturating_mul(row);
            if ratio == 0 {
                return windowed;
            }
            let rows = depth / u64::from(ratio);
            let index = if arch.has_indexer(il) { index_row } else { 0 };
            windowed.saturating_add(rows.saturating_mul(row.saturating_add(index)))
        })
        .fold(0u64, u64::saturating_add);
    Some(total)
}

fn push(out: &mut Vec<TensorInfo>, il: Option<u32>, role: Role, row_len: u64, rows: u64) {
    out.push(TensorInfo {
        layer: il,
        role,
        row_len,
        rows,
        experts: 1,
        ty: GgmlType::F32,
    });
}

/// The output hyper-connection mixer (`output_hc_fn`, `_base`, `_scale`).
pub fn head_tensors(out: &mut Vec<TensorInfo>, arch: &Arch) {
    if let Attention::Compressed {
        hyper_connections, ..
    } = arch.attention
    {
        let hc = u64::from(hyper_connections);
        push(out, None, Role::AttnOther, hc * u64::from(arch.hidden), hc);
        push(out, None, Role::Vector, hc + 1, 1);
    }
}

/// Layer `il`'s attention, compressor, indexer and hyper-connection tensors, and its routing
/// table (a token-id → expert table on the hash layers, the router bias after).
pub fn layer_tensors(out: &mut Vec<TensorInfo>, arch: &Arch, il: u32) {
    let Attention::Compressed {
        q_lora_rank,
        output_groups,
        output_lora_rank,
        hyper_connections,
        hash_layers,
        ..
    } = arch.attention
    else {
        return;
    };
    let l = Some(il);
    let h = u64::from(arch.hidden);
    let heads = u64::from(arch.heads);
    let hd = u64::from(arch.head_dim);
    let q = u64::from(q_lora_rank);
    let (groups, rank) = (u64::from(output_groups), u64::from(output_lora_rank));
    let hc = u64::from(hyper_connections);
    let mix = (2 + hc) * hc;
    // attn_norm, attn_sinks, attn_q_a_norm, attn_kv_a_norm
    push(out, l, Role::Vector, h + heads + q + hd, 1);
    push(out, l, Role::AttnOther, h, q); // attn_q_a
    push(out, l, Role::AttnQ, q, heads * hd); // attn_q_b
    push(out, l, Role::AttnOther, h, hd); // attn_kv
    push(
        out,
        l,
        Role::AttnOther,
        heads * hd / groups.max(1),
        rank * groups,
    ); // attn_output_a
    push(out, l, Role::AttnOutput, groups * rank, h); // attn_output_b
    for _ in 0..2 {
        push(out, l, Role::AttnOther, hc * h, mix); // hc_{attn,ffn}_fn
        push(out, l, Role::Vector, mix + 3, 1); // hc_{attn,ffn}_base and _scale
    }
    let ratio = arch.compress_ratio(il);
    if ratio != 0 {
        let coff = if ratio == CSA { 2 } else { 1 };
        push(out, l, Role::AttnOther, h, 2 * coff * hd); // attn_compressor_kv, _gate
        push(out, l, Role::AttnOther, coff * hd, u64::from(ratio)); // attn_compressor_ape
        push(out, l, Role::Vector, hd, 1); // attn_compressor_norm
    }
    if let Some(ix) = arch.indexer.as_ref().filter(|_| arch.has_indexer(il)) {
        let (ih, kd) = (u64::from(ix.heads), u64::from(ix.key_dim));
        push(out, l, Role::AttnOther, h, ih); // indexer.proj
        push(out, l, Role::AttnOther, q, ih * kd); // indexer.attn_q_b
        push(out, l, Role::AttnOther, h, 4 * kd); // indexer_compressor_kv, _gate
        push(out, l, Role::AttnOther, 2 * kd, u64::from(ratio)); // indexer_compressor_ape
        push(out, l, Role::Vector, kd, 1); // indexer_compressor_norm
    }
    let Some(moe) = &arch.moe else { return };
    if il < hash_layers {
        // ffn_gate_tid2eid: I32, never quantized, like the router.
        push(
            out,
            l,
            Role::Router,
            u64::from(moe.used),
            u64::from(arch.vocab),
        );
    } else {
        push(out, l, Role::Vector, u64::from(moe.experts), 1); // exp_probs_b
    }
}
