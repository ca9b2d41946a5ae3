//! What one token costs: the bytes decode streams (per pool, at a depth), the attention FLOPs,
//! and the work of a prompt. The timing models in [`super::speed`] turn these into seconds.

use super::fit::{Placement, Tally};
use super::hardware::{Backend, Hardware};
use super::kv::{kv_read_bytes, CacheShape};
use super::model::{Arch, Attention, Mixer, ModelSpec};
use super::quant::QuantFamily;
use super::settings::Settings;
use super::speed::{self, BackendConstants, PrefillWork, TokenTraffic};
use super::{weights, ModelTerms};

/// Bytes streamed per token at `depth`, split by pool. With backend constants, weight bytes are
/// divided by their format efficiency (what time scales with); without, raw bytes (the roofline).
pub(super) fn traffic(
    model: &ModelSpec,
    terms: &ModelTerms,
    hw: &Hardware,
    p: Placement,
    depth: u64,
    cost: Option<&BackendConstants>,
) -> TokenTraffic {
    let w = &terms.weights;
    let kv_total = kv_read_bytes(&model.arch, &terms.shape, depth) as f64;
    let attn_flops = decode_attention_flops(model, &terms.shape, depth);
    let read = |l: &weights::LayerWeights| {
        cost.map_or(l.read_bytes as f64, |c| {
            speed::format_cost(&l.read_by_format, c)
        })
    };
    let output = cost.map_or(w.output as f64, |c| {
        speed::format_cost(&w.output_by_format, c)
    });
    let all: f64 = output + w.layers.iter().map(read).sum::<f64>();
    let all_params =
        w.output_params as f64 + w.layers.iter().map(|l| l.active_params as f64).sum::<f64>();
    let layers = f64::from(model.arch.layers);
    let moe_layers = w.layers.iter().filter(|l| l.expert_bytes > 0).count() as f64;
    if !hw.has_gpu() {
        return TokenTraffic {
            host_weights: all,
            host_kv: kv_total,
            attn_flops,
            layers,
            moe_layers,
            ..Default::default()
        };
    }
    if hw.unified {
        return TokenTraffic {
            device_weights: all,
            device_kv: kv_total,
            device_params: all_params,
            attn_flops,
            layers,
            moe_layers,
            ..Default::default()
        };
    }
    let n = w.layers.len() as u32;
    let ngl = p.gpu_layers.min(n + 1);
    let first_gpu = n + 1 - ngl.max(1);
    let mut t = TokenTraffic {
        attn_flops,
        layers,
        moe_layers,
        ..Default::default()
    };
    let (mut gpu_mixers, mut mixers) = (0u32, 0u32);
    for (il, l) in w.layers.iter().enumerate() {
        let il = il as u32;
        let has_mixer = model.arch.mixer(il) != Mixer::None;
        mixers += u32::from(has_mixer);
        let r = read(l);
        if ngl > 0 && il >= first_gpu {
            gpu_mixers += u32::from(has_mixer);
            if il < p.cpu_moe && l.expert_bytes > 0 {
                t.host_moe_layers += 1.0;
                // Routed-expert share of this layer's reads streams from host RAM.
                let dense = (l.bytes - l.expert_bytes) as f64;
                let share =
                    ((l.read_bytes as f64 - dense) / l.read_bytes.max(1) as f64).clamp(0.0, 1.0);
                t.device_weights += r * (1.0 - share);
                t.host_weights += r * share;
                t.device_params += l.active_params as f64 * (1.0 - share);
            } else {
                t.device_weights += r;
                t.device_params += l.active_params as f64;
            }
        } else {
            t.host_weights += r;
            // A whole block in RAM computes its experts on the CPU too.
            if l.expert_bytes > 0 {
                t.host_moe_layers += 1.0;
            }
        }
    }
    // The head is the first layer offloaded (llama.cpp#18148).
    if ngl > 0 {
        t.device_weights += output;
        t.device_params += w.output_params as f64;
    } else {
        t.host_weights += output;
    }
    let frac = if mixers == 0 {
        1.0
    } else {
        f64::from(gpu_mixers) / f64::from(mixers)
    };
    t.device_kv = kv_total * frac;
    t.host_kv = kv_total * (1.0 - frac);
    t
}

/// Attention FLOPs to decode one token at `depth`: 2 × heads × (d_k + d_v) per attended cell
/// (absorbed MLA attends the 512 + 64 latent with every head, so it is far costlier).
pub(super) fn decode_attention_flops(model: &ModelSpec, shape: &CacheShape, depth: u64) -> f64 {
    let arch = &model.arch;
    let (_, full_cells) = shape.full_cells();
    let used_full = depth.min(full_cells) as f64;
    let window = match arch.attention {
        Attention::Sliding { window, .. } => Some(u64::from(window)),
        Attention::Chunked { chunk, .. } => Some(u64::from(chunk)),
        _ => None,
    };
    let mut flops = 0.0;
    for il in 0..arch.layers {
        if arch.mixer(il) != Mixer::Attention {
            continue;
        }
        let used = match (window, &arch.attention) {
            (Some(w), _) if arch.is_windowed(il) => used_full.min(w as f64),
            // DeepSeek V4: the window plus the rows compressed so far.
            (_, Attention::Compressed { window, .. }) => {
                let ratio = arch.compress_ratio(il);
                let compressed = if ratio == 0 {
                    0.0
                } else {
                    (used_full / f64::from(ratio)).floor()
                };
                used_full.min(f64::from(*window)) + compressed
            }
            _ => used_full,
        };
        flops += 2.0 * f64::from(arch.heads) * head_width(model, il) * used;
    }
    flops
}

/// K + V width one head attends with in layer `il`: absorbed MLA attends the latent (K: rank +
/// rope, V: rank) with every head, in the prompt as in decode, several times the per-head shapes.
fn head_width(model: &ModelSpec, il: u32) -> f64 {
    match model.arch.attention {
        Attention::Mla {
            kv_lora_rank,
            rope_dim,
            ..
        } => 2.0 * f64::from(kv_lora_rank) + f64::from(rope_dim),
        _ => {
            let (_, dk, dv) = model.arch.kv_shape(il);
            f64::from(dk) + f64::from(dv)
        }
    }
}

pub(super) fn prefill_work(
    model: &ModelSpec,
    terms: &ModelTerms,
    prompt: u64,
    depth: u64,
    (settings, hw): (&Settings, &Hardware),
    tally: &Tally,
) -> PrefillWork {
    let arch = &model.arch;
    // llama.cpp pipelines ubatches through a layer split only when every layer is on a GPU.
    let all_on_gpus = tally.host_weights <= terms.weights.token_embd;
    let pipeline_stages = if hw.has_gpu() && !hw.unified && hw.gpus > 1 && all_on_gpus {
        hw.gpus
    } else {
        1
    };
    let window = match arch.attention {
        Attention::Sliding { window, .. } | Attention::Compressed { window, .. } => {
            u64::from(window)
        }
        Attention::Chunked { chunk, .. } => u64::from(chunk),
        _ => 0,
    };
    let moe_layers = moe_layer_count(arch);
    let (mut attn_width, mut attn_width_windowed) = (0f64, 0f64);
    let (mut attn_width_gqa, mut attn_width_windowed_gqa) = ([0f64; 2], [0f64; 2]);
    for il in 0..arch.layers {
        if arch.mixer(il) == Mixer::Attention {
            let width = f64::from(arch.heads) * head_width(model, il);
            let gqa = gqa_head_class(model, il)
                .map(|up_to| up_to.map(|on| f64::from(u8::from(on)) * width));
            if let Attention::Compressed { .. } = arch.attention {
                // DeepSeek V4 attends its window and, over the whole depth, one row per ratio.
                attn_width_windowed += width;
                let ratio = arch.compress_ratio(il);
                if ratio > 0 {
                    attn_width += width / f64::from(ratio);
                }
            } else if window > 0 && arch.is_windowed(il) {
                attn_width_windowed += width;
                if let Some(g) = gqa {
                    attn_width_windowed_gqa = [
                        attn_width_windowed_gqa[0] + g[0],
                        attn_width_windowed_gqa[1] + g[1],
                    ];
                }
            } else {
                attn_width += width;
                if let Some(g) = gqa {
                    attn_width_gqa = [attn_width_gqa[0] + g[0], attn_width_gqa[1] + g[1]];
                }
            }
        }
    }
    // Prompt logits: servers compute one row per sequence, so the head is not in per-token FLOPs.
    let active = terms
        .weights
        .active_params()
        .saturating_sub(terms.weights.output_params);
    let n_ubatch = u64::from(settings.n_ubatch.max(1));
    // A ubatch of n tokens routes n × used picks over the experts: an expert is touched unless
    // every pick missed it, so at 512 tokens nearly every expert's weights are read.
    let touched = arch.moe.as_ref().map_or(1.0, |m| {
        let miss = 1.0 - f64::from(m.used) / f64::from(m.experts.max(1));
        1.0 - miss.max(0.0).powf(prompt.min(n_ubatch) as f64)
    });
    let layer_bytes = block_bytes(terms, touched);
    let host = tally.host_weights.saturating_sub(terms.weights.token_embd) as f64;
    let device_weight_bytes = (layer_bytes + terms.weights.output as f64 - host).max(0.0);
    let format = (settings.quant.family() == QuantFamily::Gguf)
        .then(|| speed::format_class(settings.quant.base_type()));
    let gemm_params = gemm_params(arch, terms, settings, prompt.min(n_ubatch), format);
    PrefillWork {
        flops_per_token: 2.0 * active as f64,
        attn_width,
        attn_width_windowed,
        window,
        prompt,
        depth,
        n_ubatch,
        layers: f64::from(arch.layers),
        pipeline_stages,
        host_weight_bytes: host,
        device_weight_bytes,
        device_bw_gbps: if hw.has_gpu() { hw.bandwidth_gbps } else { 0.0 },
        gemm_params,
        format,
        flash_attn: settings.flash_attn,
        moe: arch.moe.is_some(),
        card_power_w: hw.card_power_w(),
        vector_tflops: hw.vector_tflops(),
        matmul_on_vector: hw.prefill_on_vector_units(),
        attn_width_gqa,
        attn_width_windowed_gqa,
        routed_flops_per_token: routed_flops(arch, moe_layers),
        expert_matrices: arch
            .moe
            .as_ref()
            .map_or(0.0, |m| moe_layers * 3.0 * f64::from(m.experts) * touched),
        moe_gemm: match hw.compute_capability {
            Some(cc) if hw.backend == Backend::Cuda && arch.moe.is_some() => {
                speed::cuda_moe_gemm(cc, prompt.min(n_ubatch))
            }
            _ => speed::MoeGemm::Grouped,
        },
    }
}

/// Matmul FLOPs per token of the routed experts: on each MoE layer, `used` experts' gate, up and
/// down matrices (hidden × expert width each, or the latent width where the experts work in one).
fn routed_flops(arch: &Arch, moe_layers: f64) -> f64 {
    let Some(m) = &arch.moe else {
        return 0.0;
    };
    let width = f64::from(m.latent.unwrap_or(arch.hidden));
    let per_layer = 2.0 * f64::from(m.used) * 3.0 * width * f64::from(m.expert_ffn);
    moe_layers * per_layer
}

/// Blocks with routed experts (dense leading blocks excluded).
fn moe_layer_count(arch: &Arch) -> f64 {
    (0..arch.layers).filter(|&il| arch.is_moe_layer(il)).count() as f64
}

/// Whether layer `il`'s attention has the shape ROCm's WMMA flash-attention kernel takes
/// (`ggml_cuda_get_best_fattn_kernel`: query heads grouped, GQA ≥ 2; K and V heads of one size,
/// not 40 or 72) with a head size of at most [128, 256]; `None` for other shapes (MLA too).
fn gqa_head_class(model: &ModelSpec, il: u32) -> Option<[bool; 2]> {
    if matches!(
        model.arch.attention,
        Attention::Mla { .. } | Attention::Compressed { .. }
    ) {
        return None;
    }
    let (kv_heads, dk, dv) = model.arch.kv_shape(il);
    let grouped = kv_heads > 0 && model.arch.heads / kv_heads >= 2;
    if !grouped || dk != dv || dk == 40 || dk == 72 {
        return None;
    }
    Some([dk <= 128, dk <= 256])
}

/// Parameters of the quantized matrices a ubatch of `batch` tokens multiplies at a batch of
/// [`speed::MMQ_MIN_GEMM_BATCH`] or more (what a dequantize-then-GEMM path copies to FP16):
/// every dense and shared matrix, and each routed expert that many tokens reach (the share of
/// experts whose Poisson count of `batch × used / experts` tokens is that large). Float weights
/// (none to dequantize) and formats the file does not name give 0.
fn gemm_params(
    arch: &Arch,
    terms: &ModelTerms,
    settings: &Settings,
    batch: u64,
    format: Option<usize>,
) -> f64 {
    if format.is_none_or(|f| f == 0) || (batch as f64) < speed::MMQ_MIN_GEMM_BATCH {
        return 0.0;
    }
    let on_gemm = arch.moe.as_ref().map_or(1.0, |m| {
        let mean = batch as f64 * f64::from(m.used) / f64::from(m.experts.max(1));
        poisson_at_least(mean, speed::MMQ_MIN_GEMM_BATCH)
    });
    block_bytes(terms, on_gemm) * 8.0 / settings.quant.base_type().bits_per_weight().max(1.0)
}

/// Bytes of the blocks' weights with `expert_share` of each block's routed experts counted.
fn block_bytes(terms: &ModelTerms, expert_share: f64) -> f64 {
    terms
        .weights
        .layers
        .iter()
        .map(|l| (l.bytes - l.expert_bytes) as f64 + l.expert_bytes as f64 * expert_share)
        .sum()
}

/// P(N ≥ k) for N Poisson-distributed with mean `mean` (k a whole number).
fn poisson_at_least(mean: f64, k: f64) -> f64 {
    if mean <= 0.0 {
        return 0.0;
    }
    // P(N < k) = Σ_{n<k} e^-mean meanⁿ / n!, summed in logs so a large mean cannot overflow.
    let below: f64 = (0..k as u32)
        .scan(-mean, |log_p, n| {
            let here = *log_p;
            *log_p += mean.ln() - f64::from(n + 1).ln();
            Some(here.exp())
        })
        .sum();
    (1.0 - below).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::{gqa_head_class, moe_layer_count, poisson_at_least, routed_flops};
    use crate::catalog::Catalog;

    #[test]
    fn routed_flops_are_the_chosen_experts_three_matrices_on_each_moe_layer() {
        let cat = Catalog::builtin().expect("catalog");
        let arch = &cat.find_model("gpt-oss-20b").expect("gpt-oss").arch;
        // 24 layers × 4 experts × 3 matrices of 2880 × 2880, 2 FLOPs per weight.
        assert_eq!(
            routed_flops(arch, moe_layer_count(arch)),
            24.0 * 4.0 * 3.0 * 2880.0 * 2880.0 * 2.0
        );
        assert_eq!(
            routed_flops(&cat.find_model("llama-2-7b").expect("llama").arch, 0.0),
            0.0
        );
    }

    #[test]
    fn the_wmma_flash_attention_takes_grouped_heads_of_its_sizes_only() {
        let cat = Catalog::builtin().expect("catalog");
        let class = |id: &str, il: u32| gqa_head_class(cat.find_model(id).expect(id), il);
        // Llama 2 7B: one K/V head per query head.
        assert_eq!(class("llama-2-7b", 0), None);
        // gpt-oss 20B: 64 query heads over 8 K/V heads of 64.
        assert_eq!(class("gpt-oss-20b", 0), Some([true, true]));
        // Gemma 4 31B: 256-wide sliding layers, 512-wide global ones.
        let gemma = cat.find_model("gemma-4-31b").expect("gemma");
        let (windowed, global) =
            (0..gemma.arch.layers).partition::<Vec<u32>, _>(|&il| gemma.arch.is_windowed(il));
        assert_eq!(class("gemma-4-31b", windowed[0]), Some([false, true]));
        assert_eq!(class("gemma-4-31b", global[0]), Some([false, false]));
    }

    #[test]
    fn experts_reach_the_gemm_batch_by_their_poisson_count() {
        // 512 tokens × 8 of 128 experts: 32 each on average, almost never 64.
        assert!(poisson_at_least(32.0, 64.0) < 1e-4);
        // 512 × 4 of 32: 64 on average, about half of them get 64 or more.
        let half = poisson_at_least(64.0, 64.0);
        assert!((0.45..0.6).contains(&half), "{half}");
        assert!(poisson_at_least(512.0, 64.0) > 0.999_999);
        assert_eq!(poisson_at_least(0.0, 64.0), 0.0);
    }
}
