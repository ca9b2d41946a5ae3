//! Vision projectors (the `mmproj` file beside a multimodal GGUF): their weights and the compute
//! buffer llama.cpp's clip encoder reserves for its warm-up image. llama.cpp's own fitting counts
//! both (`[mtmd] adding N MiB to fit_params_target`), on the main GPU unless
//! `--no-mmproj-offload`.

use serde::{Deserialize, Serialize};

/// A vision tower and its projector, from the model's `vision_config` (catalog) or the mmproj
/// file's `clip.vision.*` keys and tensor table (disk).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vision {
    /// Parameters of the encoder and projector (what the mmproj file holds).
    pub params: u64,
    /// Exact tensor bytes when read from an mmproj file, or given by the catalog where the
    /// published file keeps large tensors in F32 (Gemma 4's position tables); else `params` × 2
    /// (published mmproj files are F16: ggml-org's, bartowski's and unsloth's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Encoder blocks.
    pub layers: u32,
    /// Encoder width.
    pub hidden: u32,
    /// Encoder MLP width (per branch when gated).
    pub ffn: u32,
    /// Attention heads.
    pub heads: u32,
    /// Gated (SwiGLU) MLP: two branches of `ffn` live at once.
    #[serde(default)]
    pub gated_ffn: bool,
    /// Rotary position embedding on Q and K (two more activations per layer).
    #[serde(default)]
    pub rope: bool,
    /// Window attention with an explicit mask (Qwen2.5-VL): a patches² mask.
    #[serde(default)]
    pub windowed: bool,
    /// Patches of the image clip warms up with, the worst case it reserves for.
    pub warmup_patches: u32,
}

/// Bytes per parameter of an F16 mmproj file.
const F16_BYTES: u64 = 2;

impl Vision {
    /// Weight bytes of the projector file.
    pub fn weight_bytes(&self) -> u64 {
        self.bytes
            .unwrap_or_else(|| self.params.saturating_mul(F16_BYTES))
    }

    /// The clip graph's buffer for the warm-up image: per patch, f32 activations of the MLP
    /// and of Q, K, V (and the rotated Q, K); without flash attention the f32 scores of every
    /// head; window attention adds its mask (f16 with flash attention, f32 without).
    /// Against llama.cpp's own reports (gguf-parser-go#44, MI300X): Gemma 3 121.25 / 1145.25
    /// MiB vs 121 / 1132 logged, Qwen3-VL 324.9 / 4697.4 vs 323 / 4728 (flash attention on /
    /// off); Qwen2.5-VL 564.1 / 5073.3 vs 705 / 4872 (docs/accuracy.md).
    pub fn compute_bytes(&self, flash_attn: bool) -> u64 {
        let p = u64::from(self.warmup_patches);
        let h = u64::from(self.hidden);
        let branches = if self.gated_ffn { 2 } else { 1 };
        let rows = u64::from(self.ffn)
            .saturating_mul(branches)
            .saturating_add(h.saturating_mul(if self.rope { 5 } else { 3 }));
        let act = p.saturating_mul(4).saturating_mul(rows);
        let p2 = p.saturating_mul(p);
        let scores = if flash_attn {
            0
        } else {
            p2.saturating_mul(u64::from(self.heads)).saturating_mul(4)
        };
        let mask = if self.windowed {
            p2.saturating_mul(if flash_attn { 2 } else { 4 })
        } else {
            0
        };
        act.saturating_add(scores).saturating_add(mask)
    }
}

/// Warm-up patches llama.cpp's clip uses for a projector type (`clip.cpp` `load_hparams`):
/// dynamic-resolution encoders warm up with a capped token grid (`set_warmup_n_tokens`: 46×46
/// for Qwen-VL, 16×16 for Pixtral, Kimi-VL and Gemma 4) times the merge factor per side;
/// fixed-size encoders with their native image (plus a class token for Llama 4).
pub fn warmup_patches(projector: &str, image_size: u32, patch: u32, merge: u32) -> u32 {
    let merge = merge.max(1);
    let grid = |tokens_per_side: u32| tokens_per_side.saturating_mul(merge).saturating_pow(2);
    match projector {
        "qwen2vl_merger" | "qwen2.5vl_merger" | "qwen25vl" | "qwen3vl_merger" | "qwen2vl"
        | "qwen3vl" => grid(46),
        "pixtral" | "kimivl" | "lightonocr" | "gemma4v" => grid(16),
        _ => {
            let side = image_size / patch.max(1);
            let cls = u32::from(projector == "llama4");
            side.saturating_pow(2).saturating_add(cls)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::units::MIB;

    fn siglip() -> Vision {
        // Gemma 3's SigLIP so400m at 896 px (google/gemma-3-27b-it config.json, vision_config).
        Vision {
            params: 423_060_336,
            bytes: None,
            layers: 27,
            hidden: 1152,
            ffn: 4304,
            heads: 16,
            gated_ffn: false,
            rope: false,
            windowed: false,
            warmup_patches: warmup_patches("gemma3", 896, 14, 4),
        }
    }

    #[test]
    fn gemma3_warmup_buffer_matches_llama_cpp_report() {
        // gguf-parser-go#44: llama.cpp reserves 121 MiB (flash attention) / 1132 MiB (without).
        let v = siglip();
        assert_eq!(v.warmup_patches, 4096);
        let on = v.compute_bytes(true) as f64 / MIB as f64;
        let off = v.compute_bytes(false) as f64 / MIB as f64;
        assert!((on - 121.0).abs() / 121.0 < 0.01, "{on}");
        assert!((off - 1132.0).abs() / 1132.0 < 0.02, "{off}");
    }

    #[test]
    fn warmup_grids_follow_clip() {
        assert_eq!(warmup_patches("qwen3vl_merger", 768, 16, 2), 92 * 92);
        assert_eq!(warmup_patches("pixtral", 1540, 14, 2), 32 * 32);
        assert_eq!(warmup_patches("llama4", 336, 14, 2), 577);
    }

    #[test]
    fn file_bytes_win_over_the_f16_default() {
        let mut v = siglip();
        assert_eq!(v.weight_bytes(), 846_120_672);
        v.bytes = Some(1);
        assert_eq!(v.weight_bytes(), 1);
    }
}
