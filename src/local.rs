//! Models already on disk: Ollama's store (manifests → blobs), LM Studio, the Hugging Face cache,
//! llama.cpp's cache and any user directory. GGUF headers give exact weights; safetensors/MLX
//! folders give their config.json and file sizes. Walks are bounded in depth and entries.

mod kimi;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::estimate::model::{Arch, Attention, Indexer, ModelSpec, Moe};
use crate::estimate::weights::{weight_table, WeightTable};
use crate::estimate::Quant;
use crate::files::{ReadError, Visited};
use crate::gguf;

/// A model found on disk.
#[derive(Debug, Clone)]
pub struct LocalModel {
    /// The file (or folder for safetensors).
    pub path: PathBuf,
    /// Where it was found: `ollama`, `lmstudio`, `huggingface`, `llama.cpp`, `dir`.
    pub source: &'static str,
    /// Ollama tag or file name.
    pub label: String,
    /// Architecture (from the header or config.json).
    pub spec: ModelSpec,
    /// Weights (exact for GGUF).
    pub weights: WeightTable,
    /// Quantization as the file names it.
    pub quant_label: String,
    /// Bytes on disk.
    pub size: u64,
}

/// Where local tools keep models on this machine, with the tool's name.
pub fn default_dirs() -> Vec<(&'static str, PathBuf)> {
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy().ok();
    let home = base.as_ref().map(|b| b.home_dir().to_path_buf());
    // `$XDG_CACHE_HOME` (default `~/.cache`), which the Hugging Face hub and llama.cpp honour.
    let cache = base.as_ref().map(|b| b.cache_dir());
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let mut dirs = Vec::new();
    if let Some(d) =
        env("OLLAMA_MODELS").or_else(|| home.as_ref().map(|h| h.join(".ollama/models")))
    {
        dirs.push(("ollama", d));
    }
    if let Some(h) = &home {
        dirs.push(("lmstudio", h.join(".lmstudio/models")));
        dirs.push(("lmstudio", h.join(".cache/lm-studio/models")));
    }
    let hf = env("HF_HUB_CACHE")
        .or_else(|| env("HF_HOME").map(|h| h.join("hub")))
        .or_else(|| cache.as_ref().map(|c| c.join("huggingface/hub")));
    if let Some(d) = hf {
        dirs.push(("huggingface", d));
    }
    if let Some(d) = env("LLAMA_CACHE").or_else(|| cache.as_ref().map(|c| c.join("llama.cpp"))) {
        dirs.push(("llama.cpp", d));
    }
    dirs
}

/// Deepest folder nesting a walk enters below each root.
const MAX_DEPTH: u32 = 8;
/// Most directory entries one walk looks at (a 12,000-model Ollama store has ~24,000).
const MAX_ENTRIES: usize = 100_000;

/// One walk's bookkeeping: folders already entered (by device and inode, so symlink loops and
/// second links are entered once) and the entries left to look at.
struct Walk<'a> {
    visited: Visited,
    budget: usize,
    told_budget: bool,
    found: &'a mut dyn FnMut(LocalModel),
    problem: &'a mut dyn FnMut(String),
}

impl Walk<'_> {
    /// The sorted entries of a folder not seen before; `None` when seen, unreadable or out of
    /// budget (unreadable and exhausted are reported).
    fn entries(&mut self, dir: &Path) -> Option<Vec<PathBuf>> {
        let md = std::fs::metadata(dir).ok()?;
        if !self.visited.first_time(dir, &md) {
            return None;
        }
        let list = match std::fs::read_dir(dir) {
            Ok(list) => list,
            Err(e) => {
                (self.problem)(format!("{}: folder skipped: {e}", dir.display()));
                return None;
            }
        };
        let mut entries = Vec::new();
        for e in list.flatten() {
            if self.budget == 0 {
                if !std::mem::replace(&mut self.told_budget, true) {
                    (self.problem)(format!(
                        "{}: scan stopped after {MAX_ENTRIES} entries; later models are not listed",
                        dir.display()
                    ));
                }
                break;
            }
            self.budget -= 1;
            entries.push(e.path());
        }
        entries.sort();
        Some(entries)
    }
}

/// Scans `dirs`, calling `found` for each model and `problem` for each unreadable one.
pub fn scan(
    dirs: &[(&'static str, PathBuf)],
    found: &mut dyn FnMut(LocalModel),
    problem: &mut dyn FnMut(String),
) {
    let mut w = Walk {
        visited: Visited::default(),
        budget: MAX_ENTRIES,
        told_budget: false,
        found,
        problem,
    };
    for (source, dir) in dirs {
        if !dir.is_dir() {
            continue;
        }
        // An Ollama store is recognised by its layout, wherever it lives.
        if dir.join("manifests").is_dir() && dir.join("blobs").is_dir() {
            scan_ollama(dir, &mut w);
        } else {
            walk(dir, source, 0, &mut w);
        }
    }
}

fn walk(dir: &Path, source: &'static str, depth: u32, w: &mut Walk) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(entries) = w.entries(dir) else {
        return;
    };
    if entries
        .iter()
        .any(|p| p.file_name().is_some_and(|n| n == "config.json"))
        && entries
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "safetensors"))
    {
        match read_safetensors_dir(dir, source) {
            Ok(m) => (w.found)(m),
            Err(e) => (w.problem)(e.to_string()),
        }
    }
    let projector = entries
        .iter()
        .filter(|p| gguf::projector::is_projector(p))
        .min()
        .cloned();
    for path in entries {
        if path.is_dir() {
            walk(&path, source, depth + 1, w);
        } else if is_model_gguf(&path) {
            // The same file reached through a second link is listed once.
            let Ok(md) = std::fs::metadata(&path) else {
                continue;
            };
            if !w.visited.first_time(&path, &md) {
                continue;
            }
            let label = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match read_gguf(&path, projector.as_deref(), source, label) {
                Ok(m) => (w.found)(m),
                Err(e) => (w.problem)(e.to_string()),
            }
        }
    }
}

/// A GGUF holding a model: not a vision projector, not a later shard of a split.
pub fn is_model_gguf(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    // Vision projectors are separate files; of a split model only the first shard is opened.
    name.ends_with(".gguf")
        && !name.contains("mmproj")
        && (!name.contains("-of-") || name.contains("-00001-of-"))
}

/// Reads a model GGUF and, when given, its vision projector file (a projector that cannot be
/// read is left out, as llama.cpp would fail to load it rather than load it partly).
fn read_gguf(
    path: &Path,
    projector: Option<&Path>,
    source: &'static str,
    label: String,
) -> Result<LocalModel, ReadError> {
    let g = gguf::read_model(path).map_err(|e| ReadError {
        path: e.path,
        line: 0,
        col: 0,
        message: format!("offset {}: {}", e.offset, e.message),
    })?;
    let id = format!("local:{label}");
    let mut m = gguf::to_model(&g, &id).map_err(|e| ReadError {
        path: path.display().to_string(),
        line: 0,
        col: 0,
        message: e.to_string(),
    })?;
    m.spec.name = format!("{} [{}]", m.spec.name, m.quant_label);
    m.spec.vision = projector.and_then(|p| gguf::projector::read(p).ok());
    Ok(LocalModel {
        path: path.to_path_buf(),
        source,
        label,
        spec: m.spec,
        weights: m.weights,
        quant_label: m.quant_label,
        size: g.file_size,
    })
}

#[derive(Deserialize)]
struct Manifest {
    layers: Vec<ManifestLayer>,
}

#[derive(Deserialize)]
struct ManifestLayer {
    #[serde(rename = "mediaType")]
    media_type: String,
    digest: String,
}

/// Why an Ollama manifest names no usable model blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestError {
    /// Not JSON with a `layers` list.
    NotAManifest(String),
    /// The model layer's digest is not `sha256:<hex>` (it could name a path outside the store).
    BadDigest(String),
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestError::NotAManifest(e) => write!(f, "not an Ollama manifest: {e}"),
            ManifestError::BadDigest(d) => write!(f, "bad blob digest '{d}'"),
        }
    }
}

impl std::error::Error for ManifestError {}

/// The blob files (`sha256-<hex>`) an Ollama manifest names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestBlobs {
    /// The model GGUF.
    pub model: String,
    /// The vision projector GGUF, if any (left out when its digest is malformed).
    pub projector: Option<String>,
}

/// The blobs of a manifest's model and projector layers; `None` when it has no model layer.
pub fn manifest_blobs(manifest: &[u8]) -> Result<Option<ManifestBlobs>, ManifestError> {
    let manifest: Manifest =
        serde_json::from_slice(manifest).map_err(|e| ManifestError::NotAManifest(e.to_string()))?;
    let layer = |kind: &str| {
        manifest
            .layers
            .iter()
            .find(|l| l.media_type == format!("application/vnd.ollama.image.{kind}"))
    };
    // A digest is `sha256:<hex>`; anything else could name a path outside the store.
    let file_of = |l: &ManifestLayer| {
        let file = l.digest.replace(':', "-");
        (!file.is_empty() && file.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .then_some(file)
    };
    let Some(model_layer) = layer("model") else {
        return Ok(None);
    };
    let Some(model) = file_of(model_layer) else {
        let shown: String = model_layer.digest.chars().take(80).collect();
        return Err(ManifestError::BadDigest(shown));
    };
    Ok(Some(ManifestBlobs {
        model,
        projector: layer("projector").and_then(file_of),
    }))
}

/// Ollama: manifests/<registry>/<namespace>/<model>/<tag> list blobs; the model layer is a GGUF.
fn scan_ollama(root: &Path, w: &mut Walk) {
    let manifests = root.join("manifests");
    let mut stack = vec![(manifests.clone(), 0u32)];
    while let Some((dir, depth)) = stack.pop() {
        let Some(entries) = w.entries(&dir) else {
            continue;
        };
        for path in entries {
            if path.is_dir() {
                if depth < 5 {
                    stack.push((path, depth + 1));
                }
                continue;
            }
            let blob_name = crate::files::read_bytes(&path, crate::files::MANIFEST_LIMIT)
                .map_err(|e| e.to_string())
                .and_then(|bytes| {
                    manifest_blobs(&bytes).map_err(|e| format!("{}: {e}", path.display()))
                });
            let blobs = match blob_name {
                Ok(Some(blobs)) => blobs,
                // No model layer (an embedding-less adapter, a projector): nothing to list.
                Ok(None) => continue,
                Err(e) => {
                    (w.problem)(e);
                    continue;
                }
            };
            let blob = root.join("blobs").join(&blobs.model);
            let projector = blobs.projector.map(|p| root.join("blobs").join(p));
            let rel: Vec<String> = path
                .strip_prefix(&manifests)
                .map(|r| r.iter().map(|c| c.to_string_lossy().into_owned()).collect())
                .unwrap_or_default();
            let label = match rel.as_slice() {
                [.., ns, model, tag] if ns == "library" => format!("{model}:{tag}"),
                [.., ns, model, tag] => format!("{ns}/{model}:{tag}"),
                _ => path.display().to_string(),
            };
            match read_gguf(&blob, projector.as_deref(), "ollama", label) {
                Ok(m) => (w.found)(m),
                Err(e) => (w.problem)(e.to_string()),
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HfConfig {
    model_type: Option<String>,
    num_hidden_layers: Option<u32>,
    hidden_size: Option<u32>,
    num_attention_heads: Option<u32>,
    num_key_value_heads: Option<u32>,
    head_dim: Option<u32>,
    intermediate_size: Option<u32>,
    vocab_size: Option<u32>,
    max_position_embeddings: Option<u32>,
    tie_word_embeddings: Option<bool>,
    sliding_window: Option<u32>,
    /// Per-layer `sliding_attention` / `full_attention` (Gemma 3/3n/4, gpt-oss, Qwen).
    layer_types: Vec<String>,
    /// Every n-th layer is global (older Gemma 3 and Cohere2 configs).
    sliding_window_pattern: Option<u32>,
    /// Qwen2/3 configs carry a window they do not use unless this is true.
    use_sliding_window: Option<bool>,
    /// Gemma 3n: trailing layers that reuse earlier layers' KV.
    num_kv_shared_layers: Option<u32>,
    num_experts: Option<u32>,
    num_local_experts: Option<u32>,
    n_routed_experts: Option<u32>,
    num_experts_per_tok: Option<u32>,
    moe_intermediate_size: Option<u32>,
    n_shared_experts: Option<u32>,
    quantization: Option<serde_json::Value>,
    quantization_config: Option<serde_json::Value>,
    text_config: Option<Box<serde_json::Value>>,
    /// DeepSeek V4 (`deepseek_v4`): per-layer compression ratios (the trunk's, then the MTP
    /// block's), query rank, grouped output LoRA, hyper-connections, hash-routed layers and the
    /// lightning indexer.
    compress_ratios: Vec<u32>,
    q_lora_rank: Option<u32>,
    o_groups: Option<u32>,
    o_lora_rank: Option<u32>,
    hc_mult: Option<u32>,
    num_hash_layers: Option<u32>,
    index_n_heads: Option<u32>,
    index_head_dim: Option<u32>,
    /// Kimi K3 / Kimi Linear: KDA and MLA layers, latent MoE.
    #[serde(flatten)]
    kimi: kimi::KimiFields,
}

/// DeepSeek V4's compressed attention and lightning indexer, as llama.cpp's `deepseek4` runs a
/// conversion of this config (the trunk's ratios only: the MTP block is not loaded).
fn compressed_attention(cfg: &HfConfig, layers: u32) -> Option<(Attention, Indexer)> {
    if cfg.model_type.as_deref() != Some("deepseek_v4") {
        return None;
    }
    let attention = Attention::Compressed {
        window: cfg.sliding_window.unwrap_or(0),
        ratios: cfg
            .compress_ratios
            .iter()
            .copied()
            .take(layers as usize)
            .collect(),
        q_lora_rank: cfg.q_lora_rank.unwrap_or(0),
        output_groups: cfg.o_groups.unwrap_or(0),
        output_lora_rank: cfg.o_lora_rank.unwrap_or(0),
        hyper_connections: cfg.hc_mult.unwrap_or(0),
        hash_layers: cfg.num_hash_layers.unwrap_or(0),
        mtp_layers: 0,
    };
    let indexer = Indexer {
        heads: cfg.index_n_heads.unwrap_or(0),
        key_dim: cfg.index_head_dim.unwrap_or(0),
        msa: false,
    };
    Some((attention, indexer))
}

/// The attention layout config.json describes, as llama.cpp would run it: sliding layers from
/// `layer_types` or `sliding_window_pattern` (else the architecture's own period), and full
/// attention where llama.cpp ignores the window (Llama, Mistral, Qwen, Phi-3) or none is set.
fn sliding_attention(cfg: &HfConfig, layers: u32) -> Attention {
    let kind = cfg.model_type.as_deref().unwrap_or("");
    let window = cfg.sliding_window.unwrap_or(0);
    let ignored = matches!(
        kind,
        "llama" | "mistral" | "mixtral" | "qwen2" | "qwen2_moe" | "qwen3" | "qwen3_moe" | "phi3"
    );
    if window == 0 || ignored || cfg.use_sliding_window == Some(false) {
        return Attention::Full;
    }
    let flags: Vec<bool> = cfg
        .layer_types
        .iter()
        .map(|t| t == "sliding_attention")
        .collect();
    let (period, flags) = if flags.len() == layers as usize {
        (0, flags)
    } else {
        let period = cfg.sliding_window_pattern.unwrap_or(match kind {
            "gemma2" | "gpt_oss" => 2,
            "cohere2" => 4,
            "gemma3n" | "gemma3n_text" => 5,
            "gemma3" | "gemma3_text" => 6,
            _ => return Attention::Full,
        });
        (period, Vec::new())
    };
    if !flags.is_empty() && !flags.contains(&true) {
        return Attention::Full;
    }
    Attention::Sliding {
        window,
        period,
        global_kv_heads: None,
        global_head_dim: None,
        layers: flags,
    }
}

/// A safetensors/MLX folder: architecture from config.json, bytes from the safetensors files.
fn read_safetensors_dir(dir: &Path, source: &'static str) -> Result<LocalModel, ReadError> {
    let cfg_path = dir.join("config.json");
    let text = crate::files::read_text(&cfg_path, crate::files::HF_CONFIG_LIMIT)?;
    let size: u64 = std::fs::read_dir(dir)
        .map_err(|e| ReadError {
            path: dir.display().to_string(),
            line: 0,
            col: 0,
            message: e.to_string(),
        })?
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "safetensors"))
        // Hugging Face snapshots are symlinks into blobs/: follow them for the real size.
        .filter_map(|e| std::fs::metadata(e.path()).ok().map(|m| m.len()))
        .sum();
    let label = dir
        .iter()
        .rev()
        .take(3)
        .map(|c| c.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("/");
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let origin = cfg_path.display().to_string();
    let (spec, weights, quant) =
        model_from_config(&text, &origin, &format!("local:{label}"), &name, size)?;
    Ok(LocalModel {
        path: dir.to_path_buf(),
        source,
        label,
        spec,
        weights,
        quant_label: quant.label().to_string(),
        size,
    })
}

/// Kimi's MLA and KDA layers, latent experts and attention residuals over the generic reading.
fn apply_kimi(a: &mut Arch, k: kimi::Kimi) {
    a.kind = k.kind.to_string();
    a.attention = k.attention;
    a.hybrid = Some(k.hybrid);
    (a.head_dim, a.value_head_dim) = (k.head_dim, Some(k.value_head_dim));
    a.attn_output_gate = k.output_gate;
    a.attn_residual_block = k.residual_block;
    if let Some(moe) = &mut a.moe {
        moe.leading_dense = k.leading_dense;
        moe.used = k.used.unwrap_or(moe.used).clamp(1, moe.experts);
        moe.shared = k.shared.unwrap_or(moe.shared);
        moe.latent = k.latent;
    }
}

/// A model from the text of a Hugging Face config.json (`origin` names it in errors) whose
/// safetensors weigh `size` bytes: the architecture from the config, the weights scaled to the
/// real size, the quantization from its `quantization` block (MLX bits) or BF16. Every number
/// is checked against the same bounds as a catalog entry; errors name `origin` (with line and
/// column for JSON errors).
pub fn model_from_config(
    text: &str,
    origin: &str,
    id: &str,
    name: &str,
    size: u64,
) -> Result<(ModelSpec, WeightTable, Quant), ReadError> {
    let error = |line: usize, col: usize, message: String| ReadError {
        path: origin.to_string(),
        line,
        col,
        message,
    };
    let mut cfg: HfConfig =
        serde_json::from_str(text).map_err(|e| error(e.line(), e.column(), e.to_string()))?;
    if let Some(inner) = cfg.text_config.take() {
        let outer_tie = cfg.tie_word_embeddings;
        cfg =
            serde_json::from_value(*inner).map_err(|e| error(0, 0, format!("text_config: {e}")))?;
        cfg.tie_word_embeddings = cfg.tie_word_embeddings.or(outer_tie);
    }
    let need = |v: Option<u32>, field: &str| {
        v.filter(|x| *x > 0)
            .ok_or_else(|| error(0, 0, format!("missing '{field}'")))
    };
    let layers = need(cfg.num_hidden_layers, "num_hidden_layers")?;
    let hidden = need(cfg.hidden_size, "hidden_size")?;
    let heads = need(cfg.num_attention_heads, "num_attention_heads")?;
    let experts = cfg
        .num_experts
        .or(cfg.num_local_experts)
        .or(cfg.n_routed_experts)
        .filter(|e| *e > 1);
    let bits = cfg
        .quantization
        .as_ref()
        .or(cfg.quantization_config.as_ref())
        .and_then(|q| q.get("bits"))
        .and_then(serde_json::Value::as_u64);
    let quant = match bits {
        Some(3) => Quant::Mlx3,
        Some(4) => Quant::Mlx4,
        Some(6) => Quant::Mlx6,
        Some(8) => Quant::Mlx8,
        _ => Quant::BF16,
    };
    let (attention, indexer) = match compressed_attention(&cfg, layers) {
        Some((a, ix)) => (a, Some(ix)),
        None => (sliding_attention(&cfg, layers), None),
    };
    let kimi = cfg
        .kimi
        .read(cfg.model_type.as_deref(), cfg.q_lora_rank, layers)
        .map_err(|m| error(0, 0, m))?;
    let mut spec = ModelSpec {
        id: id.to_string(),
        name: format!("{name} [{}]", quant.label()),
        family: cfg.model_type.clone().unwrap_or_default(),
        hf_repo: None,
        ollama: Vec::new(),
        aliases: Vec::new(),
        params: 1,
        active_params: None,
        arch: Arch {
            kind: cfg.model_type.unwrap_or_default(),
            layers,
            hidden,
            heads,
            kv_heads: cfg.num_key_value_heads.unwrap_or(heads).max(1),
            head_dim: cfg.head_dim.unwrap_or(hidden / heads).max(1),
            value_head_dim: None,
            ffn: cfg.intermediate_size.unwrap_or(0),
            vocab: cfg.vocab_size.unwrap_or(32000),
            tied_embeddings: cfg.tie_word_embeddings.unwrap_or(false),
            context: cfg.max_position_embeddings.unwrap_or(4096),
            context_extended: None,
            attention,
            moe: experts.map(|e| Moe {
                experts: e,
                used: cfg.num_experts_per_tok.unwrap_or(2).clamp(1, e),
                expert_ffn: cfg
                    .moe_intermediate_size
                    .or(cfg.intermediate_size)
                    .unwrap_or(1),
                shared: cfg.n_shared_experts.unwrap_or(0),
                shared_ffn: None,
                leading_dense: 0,
                every: None,
                latent: None,
            }),
            hybrid: None,
            attn_output_gate: false,
            expert_format: None,
            kv_heads_per_layer: Vec::new(),
            kv_shared_layers: cfg.num_kv_shared_layers.unwrap_or(0).min(layers),
            per_layer_input: None,
            ffn_ungated: false,
            ffn_per_layer: Vec::new(),
            indexer,
            attn_residual_block: 0,
        },
        use_cases: Vec::new(),
        license: None,
        released: None,
        source: Some(format!("{origin} + safetensors sizes")),
        vision: None,
    };
    if let Some(k) = kimi {
        apply_kimi(&mut spec.arch, k);
    }
    // The same bounds as a catalog entry: a config.json claiming 2^32 layers must not size
    // tables by it.
    crate::limits::check_model(&spec)
        .map_err(|(field, msg)| error(0, 0, format!("{field}: {msg}")))?;
    let mut weights = weight_table(&spec, quant);
    weights.scale_to(size);
    Ok((spec, weights, quant))
}
