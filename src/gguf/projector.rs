//! Vision projector files (`mmproj-*.gguf`, Ollama's projector layer): the `clip.vision.*` keys
//! and the tensor table give the estimator's [`Vision`] with exact weight bytes.

use std::path::{Path, PathBuf};

use super::Gguf;
use crate::estimate::vision::{warmup_patches, Vision};

/// The vision tower of a parsed mmproj header; an error names the missing key.
pub fn to_vision(g: &Gguf) -> Result<Vision, String> {
    let get = |k: &str| {
        g.u64(&format!("clip.vision.{k}"))
            .map(|v| v.min(u64::from(u32::MAX)) as u32)
    };
    let need = |k: &str| get(k).ok_or(format!("missing clip.vision.{k}"));
    if g.metadata.get("clip.has_vision_encoder") == Some(&super::Value::Bool(false)) {
        return Err("no vision encoder (clip.has_vision_encoder is false)".into());
    }
    let projector = g
        .str("clip.vision.projector_type")
        .or_else(|| g.str("clip.projector_type"))
        .unwrap_or("mlp")
        .to_string();
    let image_size = get("image_size").unwrap_or(0);
    let patch = get("patch_size").unwrap_or(14);
    let merge = get("spatial_merge_size")
        .or_else(|| get("projector.scale_factor"))
        .unwrap_or(match projector.as_str() {
            "gemma4v" => 3,
            p if p.starts_with("qwen") => 2,
            _ => 1,
        });
    let has = |name: &str| g.tensors.iter().any(|t| t.name == name);
    let vision_tensors = g.tensors.iter().filter(|t| !t.name.starts_with("a."));
    Ok(Vision {
        params: vision_tensors
            .clone()
            .fold(0u64, |a, t| a.saturating_add(t.elements())),
        bytes: Some(vision_tensors.fold(0u64, |a, t| a.saturating_add(t.bytes()))),
        layers: need("block_count")?,
        hidden: need("embedding_length")?,
        ffn: need("feed_forward_length")?,
        heads: need("attention.head_count")?.max(1),
        gated_ffn: has("v.blk.0.ffn_gate.weight"),
        rope: projector.starts_with("qwen")
            || matches!(
                projector.as_str(),
                "pixtral" | "llama4" | "gemma4v" | "kimivl"
            ),
        windowed: projector == "qwen2.5vl_merger",
        warmup_patches: warmup_patches(&projector, image_size, patch, merge),
    })
}

/// The projector beside a model file: a `*mmproj*.gguf` in the same folder (the first by name
/// when there are several: BF16, then F16, then F32).
pub fn beside(model: &Path) -> Option<PathBuf> {
    let dir = model.parent()?;
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_projector(p))
        .min()
}

/// A file named like a projector: `*mmproj*.gguf`.
pub fn is_projector(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .is_some_and(|n| n.contains("mmproj") && n.ends_with(".gguf"))
}

/// Reads the projector at `path`; errors name the file.
pub fn read(path: &Path) -> Result<Vision, String> {
    let g = super::read_file(path).map_err(|e| e.to_string())?;
    to_vision(&g).map_err(|e| format!("{}: {e}", path.display()))
}
