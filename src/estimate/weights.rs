//! Weight bytes per layer, where they live, and what one decoded token reads.

use super::ggml::GgmlType;
use super::model::ModelSpec;
use super::quant::{apply_recipe, row_fallback, tensor_bytes, Quant};
use super::speed::{format_class, FORMAT_CLASSES};
use super::tensors::{inventory, Role, TensorInfo};

/// Weights of one block.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LayerWeights {
    /// All bytes of the block.
    pub bytes: u64,
    /// Of which routed-expert tensors.
    pub expert_bytes: u64,
    /// Bytes read to decode one token (selected experts only).
    pub read_bytes: u64,
    /// Parameters touched per token (for FLOPs).
    pub active_params: u64,
    /// `read_bytes` split by weight format class (decode time depends on the format).
    pub read_by_format: [f64; FORMAT_CLASSES],
}

/// The weight table of a model under one quant.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WeightTable {
    /// Input embedding (host memory in llama.cpp).
    pub token_embd: u64,
    /// Output head (+ final norm); for tied models the duplicated embedding.
    pub output: u64,
    /// Output is the tied embedding table (exists twice when offloaded).
    pub output_tied: bool,
    /// Bytes of `output` that duplicate `token_embd` (tied head): loaded once from the file.
    pub tied_head: u64,
    /// Parameters of the output head.
    pub output_params: u64,
    /// Output bytes split by format class.
    pub output_by_format: [f64; FORMAT_CLASSES],
    /// Per block.
    pub layers: Vec<LayerWeights>,
}

impl WeightTable {
    /// Bytes the runtime loads (embedding once, tied output not counted twice).
    pub fn loaded_bytes(&self) -> u64 {
        let tied_dup = self.tied_head.min(self.output);
        self.token_embd
            .saturating_add(self.output - tied_dup)
            .saturating_add(
                self.layers
                    .iter()
                    .fold(0u64, |a, l| a.saturating_add(l.bytes)),
            )
    }

    /// Bytes read per token with everything in one pool.
    pub fn read_bytes(&self) -> u64 {
        self.output.saturating_add(
            self.layers
                .iter()
                .fold(0u64, |a, l| a.saturating_add(l.read_bytes)),
        )
    }

    /// Bytes read per token split by format class (output head and every block).
    pub fn read_by_format(&self) -> [f64; FORMAT_CLASSES] {
        let mut sum = self.output_by_format;
        for l in &self.layers {
            sum.iter_mut()
                .zip(l.read_by_format)
                .for_each(|(s, b)| *s += b);
        }
        sum
    }

    /// The format class most of a decoded token's bytes are read in (gpt-oss's MXFP4 experts
    /// outweigh its Q8_0 attention and head; a Q4_K_M file is K-quants throughout).
    pub fn main_read_class(&self) -> usize {
        let bytes = self.read_by_format();
        (0..FORMAT_CLASSES)
            .max_by(|a, b| bytes[*a].total_cmp(&bytes[*b]))
            .unwrap_or(0)
    }

    /// Bytes of routed-expert tensors (all experts, every block).
    pub fn expert_bytes(&self) -> u64 {
        self.layers
            .iter()
            .fold(0u64, |a, l| a.saturating_add(l.expert_bytes))
    }

    /// Matmul parameters per token (embedding lookup excluded).
    pub fn active_params(&self) -> u64 {
        self.output_params.saturating_add(
            self.layers
                .iter()
                .fold(0u64, |a, l| a.saturating_add(l.active_params)),
        )
    }
}

/// Builds the table from a tensor list whose types are already set (GGUF) or a recipe applied.
pub fn table_from_tensors(
    tensors: &[TensorInfo],
    layers: u32,
    used_experts: u32,
    quant: Quant,
    tied: bool,
) -> WeightTable {
    table_with_expert_scale(tensors, layers, used_experts, quant, tied, 1.0)
}

/// As [`table_from_tensors`], with every routed-expert tensor's bytes multiplied by
/// `expert_scale` (a file whose experts are larger or smaller than their nominal type says).
fn table_with_expert_scale(
    tensors: &[TensorInfo],
    layers: u32,
    used_experts: u32,
    quant: Quant,
    tied: bool,
    expert_scale: f64,
) -> WeightTable {
    let mut t = WeightTable {
        layers: vec![LayerWeights::default(); layers as usize],
        output_tied: tied,
        ..Default::default()
    };
    for ti in tensors {
        let bytes = tensor_bytes(quant, ti);
        // Non-GGUF formats (MLX, AWQ, FP8) have their own kernels: counted as Q8_0-class.
        let class = if quant.is_gguf() {
            format_class(ti.ty)
        } else {
            1
        };
        match (ti.layer, ti.role) {
            (None, Role::TokenEmbd) => {
                t.token_embd = t.token_embd.saturating_add(bytes);
                if tied {
                    t.output = t.output.saturating_add(bytes);
                    t.tied_head = t.tied_head.saturating_add(bytes);
                    t.output_params = t.output_params.saturating_add(ti.elements());
                    t.output_by_format[class] += bytes as f64;
                }
            }
            // A lookup table like token_embd: host-resident, one row read per token.
            (None, Role::PerLayerEmbd) => t.token_embd = t.token_embd.saturating_add(bytes),
            (None, _) => {
                t.output = t.output.saturating_add(bytes);
                t.output_by_format[class] += bytes as f64;
                if ti.role == Role::Output {
                    t.output_params = t.output_params.saturating_add(ti.elements());
                }
            }
            (Some(il), role) => {
                let Some(l) = t.layers.get_mut(il as usize) else {
                    continue;
                };
                let routed = role.is_expert() && ti.experts > 0;
                let bytes = if routed {
                    (bytes as f64 * expert_scale).round() as u64
                } else {
                    bytes
                };
                l.bytes = l.bytes.saturating_add(bytes);
                if routed {
                    let frac = f64::from(used_experts.min(ti.experts)) / f64::from(ti.experts);
                    l.expert_bytes = l.expert_bytes.saturating_add(bytes);
                    l.read_bytes += (bytes as f64 * frac).round() as u64;
                    l.read_by_format[class] += bytes as f64 * frac;
                    l.active_params += (ti.elements() as f64 * frac).round() as u64;
                } else {
                    l.read_bytes = l.read_bytes.saturating_add(bytes);
                    l.read_by_format[class] += bytes as f64;
                    l.active_params = l.active_params.saturating_add(ti.elements());
                }
            }
        }
    }
    t
}

/// The weight table of a catalog model under `quant`, from its architecture and the recipe.
pub fn weight_table(model: &ModelSpec, quant: Quant) -> WeightTable {
    let arch = &model.arch;
    let mut tensors = inventory(arch);
    apply_recipe(arch, quant, &mut tensors);
    let used = arch.moe.as_ref().map_or(0, |m| m.used);
    table_from_tensors(&tensors, arch.layers, used, quant, arch.tied_embeddings)
}

/// Unsloth Dynamic ("UD-") 4- to 6-bit GGUFs of MoE models quantize only the routed experts to
/// the named type; every other quantized matrix (token embedding, output head, attention and
/// shared-expert projections) is Q8_0 in all of them, read from the files' GGUF headers
/// (github.com/Niko1221/Strata docs/QUANTS.md and docs/UNSLOTH_Q4.md: unsloth's UD-IQ4_XS,
/// UD-Q4_K_XL, UD-Q5_K_XL and UD-Q6_K_XL of one MoE differ only in the routed experts).
pub const UD_NON_EXPERT_TYPE: GgmlType = GgmlType::Q8_0;

/// The weight table of an Unsloth Dynamic file of a MoE model under `quant`: quantized tensors
/// outside the routed experts at least [`UD_NON_EXPERT_TYPE`] (the per-layer embedding table
/// keeps the recipe's type: IQ4_NL in the source's UD-Q4_K_XL), the routed experts at the recipe's
/// types times `expert_scale`.
pub fn unsloth_dynamic_table(model: &ModelSpec, quant: Quant, expert_scale: f64) -> WeightTable {
    let arch = &model.arch;
    let mut tensors = inventory(arch);
    apply_recipe(arch, quant, &mut tensors);
    let floor = UD_NON_EXPERT_TYPE.bits_per_weight();
    for t in &mut tensors {
        if !t.role.is_expert() && t.role != Role::PerLayerEmbd && t.ty.bits_per_weight() < floor {
            t.ty = row_fallback(UD_NON_EXPERT_TYPE, t.row_len);
        }
    }
    let used = arch.moe.as_ref().map_or(0, |m| m.used);
    table_with_expert_scale(
        &tensors,
        arch.layers,
        used,
        quant,
        arch.tied_embeddings,
        expert_scale,
    )
}

impl WeightTable {
    /// Scales every byte count so the table sums to `target` bytes (a file's real size); used when
    /// only the total is known, not each tensor's type.
    pub fn scale_to(&mut self, target: u64) {
        let est = self.loaded_bytes().max(1) as f64;
        if target == 0 {
            return;
        }
        let k = target as f64 / est;
        let s = |b: &mut u64| *b = (*b as f64 * k).round() as u64;
        s(&mut self.token_embd);
        s(&mut self.output);
        s(&mut self.tied_head);
        self.output_by_format.iter_mut().for_each(|b| *b *= k);
        for l in &mut self.layers {
            s(&mut l.bytes);
            s(&mut l.expert_bytes);
            s(&mut l.read_bytes);
            l.read_by_format.iter_mut().for_each(|b| *b *= k);
        }
    }
}
