//! KV cache and recurrent state exactly as llama.cpp allocates them
//! (`llama-kv-cache.cpp`, `llama-kv-cache-iswa.cpp`, `llama-memory-recurrent.cpp`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::ggml::GgmlType;
use super::model::{Arch, Attention, Mixer};
use super::units::round_up;

/// KV cache element type (`--cache-type-k/-v`).
#[allow(non_camel_case_types, missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KvType {
    F32,
    F16,
    BF16,
    Q8_0,
    Q5_1,
    Q5_0,
    Q4_1,
    Q4_0,
    IQ4_NL,
}

/// The cache types llama.cpp accepts, in menu order.
pub const KV_TYPES: [KvType; 9] = [
    KvType::F16,
    KvType::Q8_0,
    KvType::Q4_0,
    KvType::BF16,
    KvType::F32,
    KvType::Q5_1,
    KvType::Q5_0,
    KvType::Q4_1,
    KvType::IQ4_NL,
];

impl KvType {
    /// The GGML storage type.
    pub fn ggml(self) -> GgmlType {
        match self {
            KvType::F32 => GgmlType::F32,
            KvType::F16 => GgmlType::F16,
            KvType::BF16 => GgmlType::BF16,
            KvType::Q8_0 => GgmlType::Q8_0,
            KvType::Q5_1 => GgmlType::Q5_1,
            KvType::Q5_0 => GgmlType::Q5_0,
            KvType::Q4_1 => GgmlType::Q4_1,
            KvType::Q4_0 => GgmlType::Q4_0,
            KvType::IQ4_NL => GgmlType::IQ4_NL,
        }
    }

    /// Lower-case name as llama.cpp spells it.
    pub fn name(self) -> &'static str {
        match self {
            KvType::F32 => "f32",
            KvType::F16 => "f16",
            KvType::BF16 => "bf16",
            KvType::Q8_0 => "q8_0",
            KvType::Q5_1 => "q5_1",
            KvType::Q5_0 => "q5_0",
            KvType::Q4_1 => "q4_1",
            KvType::Q4_0 => "q4_0",
            KvType::IQ4_NL => "iq4_nl",
        }
    }

    /// Quantized types (V needs flash attention).
    pub fn is_quantized(self) -> bool {
        !matches!(self, KvType::F32 | KvType::F16 | KvType::BF16)
    }
}

impl fmt::Display for KvType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for KvType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let k = s.trim().to_ascii_lowercase();
        KV_TYPES
            .iter()
            .copied()
            .find(|t| t.name() == k)
            .ok_or_else(|| {
                let names: Vec<&str> = KV_TYPES.iter().map(|t| t.name()).collect();
                format!("unknown KV cache type '{s}' (known: {})", names.join(", "))
            })
    }
}

/// How sequences share the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheLayout {
    /// One stream of `context` cells for all sequences (`--kv-unified`; llama-server's automatic
    /// `-np -1`, 4 slots).
    Unified,
    /// One stream per sequence, the context split among them (`llama-server -np N`, the default
    /// when the slot count is given).
    Split,
    /// One stream per sequence of `context` cells each (Ollama's `num_ctx`).
    PerSequence,
}

/// How the runtime lays out the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheShape {
    /// Requested context (total, or per sequence for [`CacheLayout::PerSequence`]).
    pub context: u32,
    /// Sequences served at once.
    pub parallel: u32,
    /// How the sequences share it.
    pub layout: CacheLayout,
    /// K type.
    pub k_type: KvType,
    /// V type.
    pub v_type: KvType,
    /// Physical batch (`-ub`, Ollama's `num_batch`): sliding-window caches hold one more ubatch
    /// than the window, and the compute graph is reserved for this many tokens.
    pub n_ubatch: u32,
    /// Logits rows the worst-case graph reserves: one per sequence in llama-server (since
    /// llama.cpp#23861), the whole ubatch for library users and older builds (llama.cpp#23527).
    pub n_outputs: u32,
    /// Flash attention on (V stored untransposed, no V padding).
    pub flash_attn: bool,
    /// Ollama's own engine: each windowed layer is one pool of `sequences × memory + batch`
    /// cells, `memory` being the window or this floor if larger (`kvcache.NewSWAMemCache`:
    /// 4096 for gpt-oss and Gemma 4, none for Gemma 3). `None`: llama.cpp's window + ubatch.
    pub ollama_swa_memory: Option<u32>,
}

impl CacheShape {
    /// (streams, cells per stream) of the full-attention cache.
    pub fn full_cells(&self) -> (u64, u64) {
        let np = u64::from(self.parallel.max(1));
        let ctx = u64::from(self.context.max(1));
        match self.layout {
            CacheLayout::Unified => (1, round_up(ctx, 256)),
            CacheLayout::Split => (np, round_up(ctx.div_ceil(np), 256)),
            CacheLayout::PerSequence => (np, round_up(ctx, 256)),
        }
    }

    /// Cells of a sliding-window or chunked layer, all streams together.
    pub fn window_cells_total(&self, window: u32) -> u64 {
        let (streams, full) = self.full_cells();
        let Some(floor) = self.ollama_swa_memory else {
            return self.window_cells(window).saturating_mul(streams);
        };
        let np = u64::from(self.parallel.max(1));
        let mut memory = u64::from(window.max(floor));
        if np > 1 {
            // A spare cell for the stop token when sequences share the pool (kvcache/causal.go).
            memory = memory.max(u64::from(window) + 1);
        }
        if memory >= u64::from(self.context.max(1)) {
            return full.saturating_mul(streams);
        }
        round_up(
            np.saturating_mul(memory)
                .saturating_add(u64::from(self.n_ubatch)),
            256,
        )
    }

    /// Cells per stream of a sliding-window or chunked cache.
    pub fn window_cells(&self, window: u32) -> u64 {
        let (_, full) = self.full_cells();
        let np = u64::from(self.parallel.max(1));
        let streams_share = self.layout == CacheLayout::Unified;
        let per = u64::from(window) * if streams_share { np } else { 1 } + u64::from(self.n_ubatch);
        round_up(full.min(per), 256)
    }
}

/// Cache bytes per layer and in total.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CacheBytes {
    /// Attention KV bytes (full + windowed + MLA).
    pub kv: u64,
    /// Of which in windowed (SWA/chunked) layers.
    pub kv_windowed: u64,
    /// Recurrent state bytes (always F32).
    pub state: u64,
    /// KV + state of each layer, for placement on devices.
    pub per_layer: Vec<u64>,
}

fn window_of(arch: &Arch) -> Option<u32> {
    match arch.attention {
        Attention::Sliding { window, .. } => Some(window),
        Attention::Chunked { chunk, .. } => Some(chunk),
        _ => None,
    }
}

/// Exact cache allocation for `arch` under `shape`.
pub fn cache_bytes(arch: &Arch, shape: &CacheShape) -> CacheBytes {
    if let Some(dsv4) = super::dsv4::cache_bytes(arch, shape) {
        return dsv4;
    }
    let (streams, full_cells) = shape.full_cells();
    let k = shape.k_type.ggml();
    let v = shape.v_type.ggml();
    let max_dv = (0..arch.layers)
        .filter(|&il| arch.mixer(il) == Mixer::Attention)
        .map(|il| arch.kv_shape(il).2)
        .max()
        .unwrap_or(0);
    let seqs = u64::from(shape.parallel.max(1));
    let mut out = CacheBytes {
        per_layer: Vec::with_capacity(arch.layers as usize),
        ..Default::default()
    };
    for il in 0..arch.layers {
        let bytes = match arch.mixer(il) {
            Mixer::None => 0,
            Mixer::Recurrent => {
                let (r, s) = arch
                    .hybrid
                    .as_ref()
                    .map_or((0, 0), |h| h.state.state_floats(arch.hidden));
                let b = seqs.saturating_mul(r.saturating_add(s)).saturating_mul(4);
                out.state = out.state.saturating_add(b);
                b
            }
            Mixer::Attention if !arch.has_kv(il) => 0,
            Mixer::Attention => {
                let windowed = arch.is_windowed(il);
                let cells = match window_of(arch) {
                    Some(w) if windowed => shape.window_cells_total(w),
                    _ => full_cells.saturating_mul(streams),
                };
                let row = cell_bytes(arch, il, k, v, (!shape.flash_attn).then_some(max_dv))
                    .saturating_add(indexer_cell_bytes(arch, il, k, v));
                let b = cells.saturating_mul(row);
                out.kv = out.kv.saturating_add(b);
                if windowed {
                    out.kv_windowed = out.kv_windowed.saturating_add(b);
                }
                b
            }
        };
        out.per_layer.push(bytes);
    }
    out
}

/// The F16 copies of one layer's K and V that ggml-cuda's flash attention makes when the cache
/// is not F16 (quantized, BF16 or F32): its MMA and tile kernels read F16 only, and since
/// llama.cpp#23907 the copies are part of the op's allocation in the compute buffer
/// (`ggml_cuda_flash_attn_ext_get_alloc_size`), sized by the whole allocated cache
/// (llama.cpp#24166), each padded to 128 B. One attention op runs at a time: the largest layer's.
/// MLA's V is a view of K and is not copied again. Zero without flash attention or with F16.
pub fn fa_f16_copy_bytes(arch: &Arch, shape: &CacheShape) -> u64 {
    let k_copy = shape.k_type != KvType::F16;
    let v_copy = shape.v_type != KvType::F16;
    // DeepSeek V4 attends a concatenation of its raw and compressed rows that the graph builds
    // (`ggml_concat` in src/models/deepseek4.cpp), not a view of the cache.
    let dsv4 = matches!(arch.attention, Attention::Compressed { .. });
    if !shape.flash_attn || !(k_copy || v_copy) || dsv4 {
        return 0;
    }
    let (streams, full_cells) = shape.full_cells();
    let f16 = |elements: u64| round_up(elements.saturating_mul(2), 128);
    (0..arch.layers)
        .filter(|&il| arch.mixer(il) == Mixer::Attention && arch.has_kv(il))
        .map(|il| {
            let cells = match window_of(arch) {
                Some(w) if arch.is_windowed(il) => shape.window_cells_total(w),
                _ => full_cells.saturating_mul(streams),
            };
            let (k_width, v_width) = match arch.attention {
                Attention::Mla {
                    kv_lora_rank,
                    rope_dim,
                    ..
                } => (u64::from(kv_lora_rank) + u64::from(rope_dim), 0),
                _ => {
                    let (heads, dk, dv) = arch.kv_shape(il);
                    let heads = u64::from(heads);
                    (heads * u64::from(dk), heads * u64::from(dv))
                }
            };
            let k = if k_copy {
                f16(cells.saturating_mul(k_width))
            } else {
                0
            };
            let v = if v_copy {
                f16(cells.saturating_mul(v_width))
            } else {
                0
            };
            k.saturating_add(v)
        })
        .max()
        .unwrap_or(0)
}

/// Bytes one cache cell (token) takes in layer `il`. Without flash attention llama.cpp sizes V
/// rows by the widest V head (`padded_dv`). Saturating: widths come from untrusted files.
fn cell_bytes(arch: &Arch, il: u32, k: GgmlType, v: GgmlType, padded_dv: Option<u32>) -> u64 {
    if let Attention::Mla {
        kv_lora_rank,
        rope_dim,
        ..
    } = arch.attention
    {
        // V-less cache: V is a view into the latent part of K.
        return k.bytes_for(u64::from(kv_lora_rank) + u64::from(rope_dim));
    }
    let (heads, dk, dv) = arch.kv_shape(il);
    let dv = padded_dv.unwrap_or(dv);
    k.bytes_for(u64::from(heads) * u64::from(dk))
        .saturating_add(v.bytes_for(u64::from(heads) * u64::from(dv)))
}

/// Bytes one cell of layer `il`'s indexer-key cache takes: DeepSeek sparse attention keeps one
/// K-only head of `key_dim` per token in the K cache type, in a second cache beside the latent
/// one (`llama_kv_cache_dsa`: `n_head_kv` 1, `n_embd_head_k` = `indexer_head_size`, no V);
/// MiniMax's (`llama_kv_cache_msa`) is a plain cache of one head, so it holds a V row too.
fn indexer_cell_bytes(arch: &Arch, il: u32, k: GgmlType, v: GgmlType) -> u64 {
    match &arch.indexer {
        Some(ix) if arch.has_indexer(il) => {
            let d = u64::from(ix.key_dim);
            let v_row = if ix.msa { v.bytes_for(d) } else { 0 };
            k.bytes_for(d).saturating_add(v_row)
        }
        _ => 0,
    }
}

/// Bytes of KV read to decode one token at `depth` (llama.cpp pads the attended range to 256).
pub fn kv_read_bytes(arch: &Arch, shape: &CacheShape, depth: u64) -> u64 {
    if let Some(dsv4) = super::dsv4::read_bytes(arch, shape, depth) {
        return dsv4;
    }
    let k = shape.k_type.ggml();
    let v = shape.v_type.ggml();
    let (_, full_cells) = shape.full_cells();
    let used_full = round_up(depth.max(1), 256).min(full_cells);
    let mut total = 0u64;
    for il in 0..arch.layers {
        match arch.mixer(il) {
            Mixer::None => {}
            Mixer::Recurrent => {
                let (r, s) = arch
                    .hybrid
                    .as_ref()
                    .map_or((0, 0), |h| h.state.state_floats(arch.hidden));
                total = total.saturating_add(r.saturating_add(s).saturating_mul(8));
                // read and written every token
            }
            Mixer::Attention => {
                let used = match window_of(arch) {
                    Some(w) if arch.is_windowed(il) => used_full.min(u64::from(w)),
                    _ => used_full,
                };
                // The lightning indexer scores every cached key, like attention reads them.
                let row = cell_bytes(arch, il, k, v, None)
                    .saturating_add(indexer_cell_bytes(arch, il, k, v));
                total = total.saturating_add(used.saturating_mul(row));
            }
        }
    }
    total
}
