#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Finding models on disk: Ollama's manifest/blob store, plain GGUF folders, safetensors folders;
//! projectors and later shards skipped; corrupt files reported, never fatal.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::gguf_writer::{gguf, tiny_llama, Meta};
use fitcheck::estimate::ggml::GgmlType;
use fitcheck::local::scan;

fn tiny(name: &'static str) -> Vec<u8> {
    tiny_llama(name)
}

/// A model tree in a fresh directory, removed when the returned handle drops.
fn tree(tag: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix(&format!("fitcheck-local-{tag}-"))
        .tempdir()
        .unwrap();
    let root = tmp.path().to_path_buf();
    let w = |p: &Path, data: &[u8]| {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    };
    // Ollama: manifest names the model blob by digest.
    let ollama = root.join("ollama");
    w(
        &ollama.join("blobs/sha256-abc123"),
        &tiny("Llama 3.1 8B Instruct"),
    );
    w(
        &ollama.join("manifests/registry.ollama.ai/library/llama3.1/8b"),
        br#"{"schemaVersion":2,"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:abc123","size":1}]}"#,
    );
    // A plain folder (LM Studio style), with a projector and a split model.
    let dir = root.join("models/org/repo");
    w(&dir.join("mystery-model-Q8_0.gguf"), &tiny("Mystery Model"));
    w(&dir.join("mmproj-model-f16.gguf"), &tiny("projector"));
    w(&dir.join("big-00001-of-00002.gguf"), &tiny("Big Split"));
    w(&dir.join("big-00002-of-00002.gguf"), &tiny("Big Split"));
    w(&dir.join("broken.gguf"), &tiny("Broken")[..100]);
    // A safetensors folder (MLX 4-bit).
    let st = root.join("models/mlx-community/Qwen3-4B-4bit");
    w(
        &st.join("config.json"),
        br#"{"model_type":"qwen3","num_hidden_layers":36,"hidden_size":2560,"num_attention_heads":32,"num_key_value_heads":8,"head_dim":128,"intermediate_size":9728,"vocab_size":151936,"tie_word_embeddings":true,"max_position_embeddings":40960,"quantization":{"group_size":64,"bits":4}}"#,
    );
    w(&st.join("model.safetensors"), &vec![0u8; 4096]);
    (tmp, root)
}

#[test]
fn scan_finds_ollama_blobs_plain_ggufs_and_safetensors_folders() {
    let (_tmp, root) = tree("scan");
    let dirs = vec![
        ("ollama", root.join("ollama")),
        ("dir", root.join("models")),
    ];
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    scan(&dirs, &mut |m| found.push(m), &mut |p| problems.push(p));
    let labels: Vec<&str> = found.iter().map(|m| m.label.as_str()).collect();
    assert!(labels.contains(&"llama3.1:8b"), "{labels:?}");
    assert!(labels.contains(&"mystery-model-Q8_0.gguf"));
    assert!(labels.contains(&"big-00001-of-00002.gguf"));
    assert!(
        !labels
            .iter()
            .any(|l| l.contains("mmproj") || l.contains("00002-of")),
        "{labels:?}"
    );
    let st = found
        .iter()
        .find(|m| m.label.ends_with("Qwen3-4B-4bit"))
        .expect("safetensors folder");
    assert_eq!(st.quant_label, "MLX-4bit");
    let w = st.weights.loaded_bytes() as f64;
    assert!(
        (w / 4096.0 - 1.0).abs() < 0.01,
        "weights are the bytes on disk: {w}"
    );
    let llama = found.iter().find(|m| m.label == "llama3.1:8b").unwrap();
    assert_eq!(llama.quant_label, "Q8_0");
    // A split model counts every shard: size and weights are twice one shard's.
    let big = found
        .iter()
        .find(|m| m.label == "big-00001-of-00002.gguf")
        .unwrap();
    let one = tiny("Big Split").len() as u64;
    assert_eq!(big.size, 2 * one);
    let mystery = found
        .iter()
        .find(|m| m.label == "mystery-model-Q8_0.gguf")
        .unwrap();
    assert_eq!(
        big.weights.loaded_bytes(),
        2 * mystery.weights.loaded_bytes()
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("broken.gguf: offset"),
        "{}",
        problems[0]
    );
}

#[test]
fn list_local_and_the_app_link_files_to_catalog_models() {
    let (_tmp, root) = tree("cli");
    let o = Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args([
            "list",
            "local",
            "--json",
            "--no-default-model-dirs",
            "--models-dir",
        ])
        .arg(root.join("ollama"))
        .arg("--models-dir")
        .arg(root.join("models"))
        .env("FITCHECK_CONFIG_DIR", root.join("no-config"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert!(items.len() >= 4);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("broken.gguf"),
        "corrupt files are reported"
    );

    // In the app, a found file becomes a row and marks its catalog model installed.
    let mut app = common::app_on("rtx-4090");
    let (mut found, mut _problems) = (Vec::new(), Vec::new());
    scan(
        &[("dir", root.join("models"))],
        &mut |m| found.push(m),
        &mut |p| _problems.push(p),
    );
    let before = app.rows.len();
    for m in found {
        app.add_local(m);
    }
    assert!(app.rows.len() > before);
    let local_id = (app.catalog.models.len()) as u32;
    assert!(app.is_installed(local_id));
    assert!(app.model(local_id).name.contains("[Q8_0]") || app.model(local_id).name.contains("["));
    let e = app.estimate_of(local_id);
    assert!(e.weights_bytes > 0);
}

#[test]
fn safetensors_folders_keep_their_sliding_window() {
    use fitcheck::estimate::kv::cache_bytes;
    use fitcheck::estimate::{cache_shape, Settings};
    let root = std::env::temp_dir().join(format!("fitcheck-local-{}-swa", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let folder = |name: &str, config: &str| {
        let d = root.join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("config.json"), config).unwrap();
        std::fs::write(d.join("model.safetensors"), vec![0u8; 4096]).unwrap();
    };
    // mlx-community/gemma-3-1b-it-4bit (older config: a pattern, no layer_types).
    folder(
        "gemma-3-1b-it-4bit",
        r#"{"model_type":"gemma3_text","num_hidden_layers":26,"hidden_size":1152,"num_attention_heads":4,"num_key_value_heads":1,"head_dim":256,"intermediate_size":6912,"vocab_size":262144,"max_position_embeddings":32768,"sliding_window":512,"sliding_window_pattern":6,"quantization":{"group_size":64,"bits":4}}"#,
    );
    // openai/gpt-oss-20b: per-layer types, even layers sliding.
    let types: Vec<&str> = (0..24)
        .map(|i| {
            if i % 2 == 0 {
                "\"sliding_attention\""
            } else {
                "\"full_attention\""
            }
        })
        .collect();
    folder(
        "gpt-oss-20b",
        &format!(
            r#"{{"model_type":"gpt_oss","num_hidden_layers":24,"hidden_size":2880,"num_attention_heads":64,"num_key_value_heads":8,"head_dim":64,"intermediate_size":2880,"vocab_size":201088,"max_position_embeddings":131072,"sliding_window":128,"layer_types":[{}],"num_local_experts":32,"num_experts_per_tok":4}}"#,
            types.join(",")
        ),
    );
    // Qwen2.5 configs carry a window llama.cpp never uses.
    folder(
        "Qwen2.5-7B-Instruct",
        r#"{"model_type":"qwen2","num_hidden_layers":28,"hidden_size":3584,"num_attention_heads":28,"num_key_value_heads":4,"intermediate_size":18944,"vocab_size":152064,"max_position_embeddings":32768,"sliding_window":131072,"use_sliding_window":false}"#,
    );
    let mut found = Vec::new();
    scan(&[("dir", root.clone())], &mut |m| found.push(m), &mut |p| {
        panic!("{p}")
    });
    let cat = fitcheck::catalog::Catalog::builtin().unwrap();
    let kv = |arch: &fitcheck::estimate::model::Arch, ctx: u32| {
        let s = Settings {
            context: ctx,
            ..Settings::default()
        };
        cache_bytes(arch, &cache_shape(&s)).kv
    };
    let local = |name: &str| {
        &found
            .iter()
            .find(|m| m.label.ends_with(name))
            .unwrap_or_else(|| panic!("{name} found"))
            .spec
            .arch
    };
    // Same cache as the catalog's entries (each from the model's own config.json).
    for (name, id) in [
        ("gemma-3-1b-it-4bit", "gemma-3-1b"),
        ("gpt-oss-20b", "gpt-oss-20b"),
    ] {
        let want = kv(&cat.find_model(id).unwrap().arch, 32768);
        assert_eq!(kv(local(name), 32768), want, "{name}");
        assert!(want < kv(local("Qwen2.5-7B-Instruct"), 32768));
    }
    // Gemma 3 1B at 32K: 4 global layers × 32768 cells + 22 sliding × (512 + 512) cells, 1 KiB each.
    assert_eq!(
        kv(local("gemma-3-1b-it-4bit"), 32768),
        (4 * 32768 + 22 * 1024) * 1024
    );
    // The Qwen window is ignored: 28 layers × 4 heads × 128 × K and V × f16 per cell.
    assert_eq!(
        kv(local("Qwen2.5-7B-Instruct"), 32768),
        32768 * 28 * 4 * 128 * 2 * 2
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// fitcheck `args` over the tree's two model folders only.
fn on_tree(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args(args)
        .args(["-H", "rtx-4090", "--json", "--no-default-model-dirs"])
        .args(["--models-dir"])
        .arg(root.join("ollama"))
        .arg("--models-dir")
        .arg(root.join("models"))
        .env("FITCHECK_CONFIG_DIR", root.join("no-config"))
        .output()
        .unwrap()
}

fn fit_local(root: &Path, model: &str) -> std::process::Output {
    on_tree(root, &["fit", "-m", model])
}

#[test]
fn fit_finds_models_on_disk_by_label_or_file_name() {
    let (_tmp, root) = tree("fit-by-name");
    for name in [
        "mystery-model-Q8_0.gguf",
        "MYSTERY-MODEL-Q8_0",
        "big-00001-of-00002.gguf",
    ] {
        let o = fit_local(&root, name);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["quant"], "Q8_0", "{name}");
    }
    let big: serde_json::Value =
        serde_json::from_slice(&fit_local(&root, "big-00001-of-00002.gguf").stdout).unwrap();
    let one: serde_json::Value =
        serde_json::from_slice(&fit_local(&root, "mystery-model-Q8_0.gguf").stdout).unwrap();
    assert_eq!(
        big["weights_bytes"].as_u64().unwrap(),
        2 * one["weights_bytes"].as_u64().unwrap(),
        "both shards count"
    );
    let o = fit_local(&root, "no-such-model-anywhere");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--gguf") && err.contains("list local"),
        "{err}"
    );
}

/// `compare` names models on disk as `fit` does and counts the same file bytes (both shards of
/// a split), where it once estimated the architecture at the run's quant.
#[test]
fn compare_counts_the_same_bytes_as_fit_for_a_model_on_disk() {
    let (_tmp, root) = tree("compare-by-name");
    for name in ["mystery-model-Q8_0.gguf", "big-00001-of-00002.gguf"] {
        let f: serde_json::Value = serde_json::from_slice(&fit_local(&root, name).stdout).unwrap();
        let o = on_tree(&root, &["compare", "--models", name]);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let c: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let row = &c["rows"][0];
        assert_eq!(row["quant"], "Q8_0", "{name}");
        for key in ["weights_bytes", "kv_bytes", "used_bytes"] {
            assert_eq!(row["cells"][0][key], f[key], "{name} {key}");
        }
    }
}

/// `fit` with several models and `fit --engine` count a model on disk by its file (both shards
/// of a split), as `fit` with one model does; they once took its architecture at the run's quant.
#[test]
fn several_models_and_engines_count_the_file_on_disk() {
    let (_tmp, root) = tree("several-by-name");
    let json = |args: &[&str]| -> serde_json::Value {
        let o = on_tree(&root, args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let (one, big) = ("mystery-model-Q8_0.gguf", "big-00001-of-00002.gguf");
    let both = json(&["fit", "-m", one, "-m", big]);
    for (i, name) in [one, big].into_iter().enumerate() {
        let alone = json(&["fit", "-m", name]);
        let row = &both["models"][i];
        assert_eq!(row["quant"], "Q8_0", "{name}");
        assert_eq!(row["weights_bytes"], alone["weights_bytes"], "{name}");
    }
    let weights = |name: &str, engine: &str| {
        json(&["fit", "-m", name, "--engine", engine])["weights_bytes"]
            .as_u64()
            .unwrap()
    };
    for engine in ["vllm", "sglang"] {
        assert_eq!(weights(big, engine), 2 * weights(one, engine), "{engine}");
    }
}

/// A small Gemma 3 style projector file (SigLIP layout, narrow widths): what
/// `convert_hf_to_gguf.py --mmproj` writes, with matrices in F16 and norms in F32.
fn projector() -> Vec<u8> {
    let mut t: Vec<(String, Vec<u64>, GgmlType)> = vec![
        (
            "v.patch_embd.weight".into(),
            vec![14, 14, 3, 64],
            GgmlType::F16,
        ),
        (
            "v.position_embd.weight".into(),
            vec![64, 4096],
            GgmlType::F16,
        ),
        (
            "mm.input_projection.weight".into(),
            vec![64, 256],
            GgmlType::F16,
        ),
    ];
    for il in 0..2 {
        let n = |s: &str| format!("v.blk.{il}.{s}.weight");
        for m in ["attn_q", "attn_k", "attn_v", "attn_out"] {
            t.push((n(m), vec![64, 64], GgmlType::F16));
        }
        t.push((n("ffn_up"), vec![64, 128], GgmlType::F16));
        t.push((n("ffn_down"), vec![128, 64], GgmlType::F16));
        t.push((n("ln1"), vec![64], GgmlType::F32));
        t.push((n("ln2"), vec![64], GgmlType::F32));
    }
    let t: Vec<(&str, Vec<u64>, GgmlType)> = t
        .iter()
        .map(|(n, d, ty)| (&*Box::leak(n.clone().into_boxed_str()), d.clone(), *ty))
        .collect();
    gguf(
        &[
            ("general.architecture", Meta::Str("clip")),
            ("clip.projector_type", Meta::Str("gemma3")),
            ("clip.vision.block_count", Meta::U32(2)),
            ("clip.vision.embedding_length", Meta::U32(64)),
            ("clip.vision.feed_forward_length", Meta::U32(128)),
            ("clip.vision.attention.head_count", Meta::U32(4)),
            ("clip.vision.image_size", Meta::U32(896)),
            ("clip.vision.patch_size", Meta::U32(14)),
        ],
        &t,
    )
}

/// The tensor bytes of [`projector`], counted by hand.
const PROJECTOR_BYTES: u64 = 14 * 14 * 3 * 64 * 2
    + 64 * 4096 * 2
    + 64 * 256 * 2
    + 2 * (4 * 64 * 64 * 2 + 2 * 64 * 128 * 2 + 2 * 64 * 4);

#[test]
fn a_projector_beside_the_model_is_counted_exactly() {
    let (_tmp, root) = tree("mmproj");
    let dir = root.join("models/vision");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("seer-Q8_0.gguf"), tiny("Seer")).unwrap();
    std::fs::write(dir.join("mmproj-seer-F16.gguf"), projector()).unwrap();
    // Ollama keeps the projector as its own layer of the manifest.
    let ollama = root.join("ollama");
    std::fs::write(ollama.join("blobs/sha256-def456"), projector()).unwrap();
    std::fs::create_dir_all(ollama.join("manifests/registry.ollama.ai/library/seer")).unwrap();
    std::fs::write(
        ollama.join("manifests/registry.ollama.ai/library/seer/4b"),
        br#"{"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:abc123"},{"mediaType":"application/vnd.ollama.image.projector","digest":"sha256:def456"}]}"#,
    )
    .unwrap();
    let dirs = vec![("ollama", ollama), ("dir", root.join("models"))];
    let mut found = Vec::new();
    scan(&dirs, &mut |m| found.push(m), &mut |_| {});
    for label in ["seer-Q8_0.gguf", "seer:4b"] {
        let m = found.iter().find(|m| m.label == label).expect(label);
        let v = m.spec.vision.as_ref().expect("projector read");
        assert_eq!(v.weight_bytes(), PROJECTOR_BYTES, "{label}");
        // Gemma 3's encoder warms up on its native 896-px image: 64 × 64 patches.
        assert_eq!((v.layers, v.hidden, v.warmup_patches), (2, 64, 4096));
    }
    // A text model's folder has no projector.
    let plain = found.iter().find(|m| m.label == "llama3.1:8b").unwrap();
    assert!(plain.spec.vision.is_none());
    // `fit --gguf` picks up the file beside the model, and the device holds it.
    let fit = |path: &Path| {
        let o = Command::new(env!("CARGO_BIN_EXE_fitcheck"))
            .args(["fit", "-H", "rtx-4090", "--json", "--gguf"])
            .arg(path)
            .env("FITCHECK_CONFIG_DIR", root.join("no-config"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let with = fit(&dir.join("seer-Q8_0.gguf"));
    let without = fit(&root.join("models/org/repo/big-00001-of-00002.gguf"));
    assert_eq!(with["projector_bytes"].as_u64(), Some(PROJECTOR_BYTES));
    // 4096 patches × 4 B × (128 + 3 × 64) with flash attention, the llama.cpp default.
    assert_eq!(
        with["projector_compute_bytes"].as_u64(),
        Some(4096 * 4 * (128 + 3 * 64))
    );
    assert_eq!(without["projector_bytes"].as_u64(), Some(0));
}
