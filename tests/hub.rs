#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Hugging Face repos fetched from a local stand-in for the Hub: a safetensors repo through its
//! config.json, GGUF repos through Range requests on the header (split files too), the token
//! sent, the cache used offline and when the server fails, hostile answers bounded.

mod common;

use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use common::gguf_writer::{dense_block, gguf, Meta};
use common::hub_server::{file_list, Reply, Server};
use fitcheck::estimate::ggml::GgmlType;
use fitcheck::hub::{Hub, HubError};

/// Tensors of a 2-block Llama-shaped model, blocks `from..to`, with the embedding when `from`
/// is 0.
fn tensors(from: u32, to: u32) -> Vec<(&'static str, Vec<u64>, GgmlType)> {
    let mut t = Vec::new();
    if from == 0 {
        t.push((
            "token_embd.weight".to_string(),
            vec![256u64, 300],
            GgmlType::Q8_0,
        ));
    }
    for il in from..to {
        t.extend(dense_block(il, 256, 4, 2, 64, 256, GgmlType::Q8_0));
    }
    t.into_iter()
        .map(|(n, d, ty)| (&*Box::leak(n.into_boxed_str()), d, ty))
        .collect()
}

fn meta(vocab: usize) -> Vec<(&'static str, Meta)> {
    vec![
        ("general.architecture", Meta::Str("llama")),
        ("general.name", Meta::Str("Tiny")),
        ("general.file_type", Meta::U32(7)),
        ("llama.block_count", Meta::U32(2)),
        ("llama.embedding_length", Meta::U32(256)),
        ("llama.attention.head_count", Meta::U32(4)),
        ("llama.attention.head_count_kv", Meta::U32(2)),
        // A vocabulary big enough that the header outgrows the first 1 MiB range.
        ("tokenizer.ggml.tokens", Meta::Strs(vec!["token"; vocab])),
    ]
}

const CONFIG: &str = r#"{"model_type":"llama","num_hidden_layers":32,"hidden_size":4096,
"num_attention_heads":32,"num_key_value_heads":8,"intermediate_size":14336,"vocab_size":128256,
"max_position_embeddings":131072,"tie_word_embeddings":false}"#;

/// The Hub with three repos: safetensors, one-file GGUF (two quants), split GGUF.
fn hub_server() -> (Server, Vec<u8>) {
    let whole = gguf(&meta(120_000), &tensors(0, 2));
    let mut first_meta = meta(120_000);
    first_meta.push(("split.count", Meta::U32(2)));
    let shard1 = gguf(&first_meta, &tensors(0, 1));
    let shard2 = gguf(&[("split.count", Meta::U32(2))], &tensors(1, 2));
    let mut routes = HashMap::new();
    let mut add = |path: &str, r: Reply| {
        routes.insert(path.to_string(), r);
    };
    add(
        "/api/models/org/st?blobs=true",
        Reply::File(file_list(&[
            ("config.json", CONFIG.len() as u64),
            ("model-00001-of-00002.safetensors", 10_000_000_000),
            ("model-00002-of-00002.safetensors", 6_060_000_000),
            ("original/consolidated.safetensors", 16_000_000_000),
        ])),
    );
    add(
        "/org/st/resolve/main/config.json",
        Reply::File(CONFIG.into()),
    );
    add(
        "/api/models/org/tiny-GGUF?blobs=true",
        Reply::File(file_list(&[
            ("tiny-Q8_0.gguf", whole.len() as u64),
            ("tiny-Q4_K_M.gguf", whole.len() as u64),
            ("mmproj-tiny-f16.gguf", 10),
        ])),
    );
    add(
        "/org/tiny-GGUF/resolve/main/tiny-Q4_K_M.gguf",
        Reply::File(whole.clone()),
    );
    add(
        "/org/tiny-GGUF/resolve/main/tiny-Q8_0.gguf",
        Reply::File(whole.clone()),
    );
    add(
        "/api/models/org/split-GGUF?blobs=true",
        Reply::File(file_list(&[
            ("Q8_0/tiny-Q8_0-00001-of-00002.gguf", shard1.len() as u64),
            ("Q8_0/tiny-Q8_0-00002-of-00002.gguf", shard2.len() as u64),
        ])),
    );
    add(
        "/org/split-GGUF/resolve/main/Q8_0/tiny-Q8_0-00001-of-00002.gguf",
        Reply::File(shard1.clone()),
    );
    add(
        "/org/split-GGUF/resolve/main/Q8_0/tiny-Q8_0-00002-of-00002.gguf",
        Reply::File(shard2.clone()),
    );
    (Server::start(routes), whole)
}

fn cache() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("fitcheck-hub-cache-")
        .tempdir()
        .unwrap()
}

#[test]
fn safetensors_repo_reads_config_json_and_sums_root_weights() {
    let (server, _) = hub_server();
    let dir = cache();
    let hub = Hub::new(&server.endpoint, None, false, Some(dir.path().into())).unwrap();
    let m = hub.fetch("org/st", None).unwrap();
    assert_eq!(m.spec.arch.layers, 32);
    assert_eq!(m.spec.arch.kv_heads, 8);
    assert_eq!(m.spec.arch.vocab, 128_256);
    // The two root shards; `original/` is another copy of the same weights.
    assert_eq!(m.size, 16_060_000_000);
    let loaded = m.weights.loaded_bytes() as f64;
    assert!((loaded / 16_060_000_000.0 - 1.0).abs() < 1e-6, "{loaded}");
    assert_eq!(m.quant_label, "BF16");
    assert_eq!(m.spec.hf_repo.as_deref(), Some("org/st"));
}

#[test]
fn gguf_repo_reads_only_the_header_of_the_chosen_quant() {
    let (server, whole) = hub_server();
    let dir = cache();
    let hub = Hub::new(&server.endpoint, None, false, Some(dir.path().into())).unwrap();
    let m = hub.fetch("org/tiny-GGUF", None).unwrap();
    assert_eq!(m.file, "tiny-Q4_K_M.gguf");
    let local =
        fitcheck::gguf::to_model(&fitcheck::gguf::parse_bytes(&whole, "w").unwrap(), "w").unwrap();
    assert_eq!(m.weights.loaded_bytes(), local.weights.loaded_bytes());
    assert_eq!(m.spec.arch.layers, 2);
    let requests = server.requests.lock().unwrap().clone();
    let ranges: Vec<&String> = requests
        .iter()
        .filter_map(|(_, h)| h.get("range"))
        .collect();
    // The header (over 1 MiB of vocabulary) took more than one range, none reaching the data.
    assert!(ranges.len() >= 2, "{ranges:?}");
    assert_eq!(ranges[0], "bytes=0-1048575");
    assert!(requests
        .iter()
        .all(|(p, _)| !p.contains("Q8_0") && !p.contains("mmproj")));
    // The quant asked for selects the file.
    let q8 = hub.fetch("org/tiny-GGUF", Some("q8_0")).unwrap();
    assert_eq!(q8.file, "tiny-Q8_0.gguf");
    let e = hub.fetch("org/tiny-GGUF", Some("Q2_K")).unwrap_err();
    assert!(
        e.to_string().contains("no GGUF file for quant 'Q2_K'"),
        "{e}"
    );
}

#[test]
fn split_gguf_follows_every_shard() {
    let (server, whole) = hub_server();
    let dir = cache();
    let hub = Hub::new(&server.endpoint, None, false, Some(dir.path().into())).unwrap();
    let split = hub.fetch("org/split-GGUF", None).unwrap();
    let one = hub.fetch("org/tiny-GGUF", None).unwrap();
    assert_eq!(split.file, "Q8_0/tiny-Q8_0-00001-of-00002.gguf");
    assert_eq!(split.weights.loaded_bytes(), one.weights.loaded_bytes());
    assert!(split.size > whole.len() as u64, "both shards counted");
    assert!(server.paths().iter().any(|p| p.contains("00002-of-00002")));
}

#[test]
fn token_is_sent_as_bearer() {
    let (server, _) = hub_server();
    let hub = Hub::new(&server.endpoint, Some("hf_secret".into()), false, None).unwrap();
    hub.fetch("org/st", None).unwrap();
    let requests = server.requests.lock().unwrap();
    assert!(!requests.is_empty());
    for (path, headers) in requests.iter() {
        assert_eq!(
            headers.get("authorization").map(String::as_str),
            Some("Bearer hf_secret"),
            "{path}"
        );
    }
}

#[test]
fn offline_and_failing_server_fall_back_to_the_cache() {
    let (server, _) = hub_server();
    let dir = cache();
    let online = Hub::new(&server.endpoint, None, false, Some(dir.path().into())).unwrap();
    let fresh = online.fetch("org/tiny-GGUF", None).unwrap();
    let asked = server.paths().len();
    // Fresh entries are used without asking the server.
    online.fetch("org/tiny-GGUF", None).unwrap();
    assert_eq!(server.paths().len(), asked);
    let offline = Hub::new(&server.endpoint, None, true, Some(dir.path().into())).unwrap();
    let m = offline.fetch("org/tiny-GGUF", None).unwrap();
    assert_eq!(m.weights.loaded_bytes(), fresh.weights.loaded_bytes());
    assert!(
        m.notes
            .iter()
            .any(|n| n.starts_with("offline: using the cached copy")),
        "{:?}",
        m.notes
    );
    assert_eq!(server.paths().len(), asked, "offline asks nothing");
    // Not cached and offline: a clear error.
    let e = offline.fetch("org/st", None).unwrap_err();
    assert!(matches!(e, HubError::NotCached(_)), "{e}");
    assert!(e.to_string().contains("--offline"), "{e}");
    // Stale entries are refreshed; when the server fails, the stale copy is used with a note.
    let month_ago = SystemTime::now() - Duration::from_secs(30 * 24 * 3600);
    for entry in walk(dir.path()) {
        let f = std::fs::File::options().write(true).open(&entry).unwrap();
        f.set_modified(month_ago).unwrap();
    }
    server.down.store(true, Ordering::SeqCst);
    let m = online.fetch("org/tiny-GGUF", None).unwrap();
    assert_eq!(m.weights.loaded_bytes(), fresh.weights.loaded_bytes());
    assert!(
        m.notes
            .iter()
            .any(|n| n.contains("HTTP 503") && n.contains("30 days ago")),
        "{:?}",
        m.notes
    );
    // Server down and nothing cached: one error that says both, its prefix once.
    let e = online.fetch("org/st", None).unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, HubError::Network(_)), "{text}");
    assert!(text.contains("no cached copy"), "{text}");
    assert_eq!(text.matches("network:").count(), 1, "{text}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn hostile_servers_are_bounded() {
    let mut routes = HashMap::new();
    routes.insert(
        "/api/models/h/endless?blobs=true".to_string(),
        Reply::Endless(Vec::new()),
    );
    routes.insert(
        "/api/models/h/long?blobs=true".to_string(),
        Reply::HugeLength(file_list(&[("config.json", 10)])),
    );
    // A GGUF claiming 2^32 metadata entries, served as an endless stream of bytes.
    let mut counts = b"GGUF".to_vec();
    counts.extend_from_slice(&3u32.to_le_bytes());
    counts.extend_from_slice(&0u64.to_le_bytes());
    counts.extend_from_slice(&(1u64 << 32).to_le_bytes());
    routes.insert(
        "/api/models/h/counts?blobs=true".to_string(),
        Reply::File(file_list(&[("m-Q4_K_M.gguf", 1 << 40)])),
    );
    routes.insert(
        "/h/counts/resolve/main/m-Q4_K_M.gguf".to_string(),
        Reply::Endless(counts.clone()),
    );
    let mut big = counts.clone();
    big.resize(65 << 20, 0);
    routes.insert(
        "/api/models/h/big?blobs=true".to_string(),
        Reply::File(file_list(&[("m-Q4_K_M.gguf", 1 << 40)])),
    );
    routes.insert(
        "/h/big/resolve/main/m-Q4_K_M.gguf".to_string(),
        Reply::File(big),
    );
    routes.insert(
        "/api/models/h/short?blobs=true".to_string(),
        Reply::File(file_list(&[("m-Q4_K_M.gguf", 1 << 40)])),
    );
    routes.insert(
        "/h/short/resolve/main/m-Q4_K_M.gguf".to_string(),
        Reply::File(counts.clone()),
    );
    routes.insert(
        "/api/models/h/total?blobs=true".to_string(),
        Reply::File(br#"{"siblings":[{"rfilename":"m.gguf"}]}"#.to_vec()),
    );
    routes.insert(
        "/h/total/resolve/main/m.gguf".to_string(),
        Reply::HugeTotal(counts),
    );
    let server = Server::start(routes);
    let hub = Hub::new(&server.endpoint, None, false, None).unwrap();
    let e = hub.fetch("h/endless", None).unwrap_err();
    assert!(e.to_string().contains("larger than"), "{e}");
    assert!(hub.fetch("h/long", None).is_err());
    let e = hub.fetch("h/counts", None).unwrap_err();
    assert!(e.to_string().contains("ignores Range"), "{e}");
    let e = hub.fetch("h/big", None).unwrap_err();
    assert!(e.to_string().contains("larger than 64 MiB"), "{e}");
    let e = hub.fetch("h/short", None).unwrap_err();
    assert!(e.to_string().contains("bytes asked for"), "{e}");
    let e = hub.fetch("h/total", None).unwrap_err();
    assert!(e.to_string().contains("file size"), "{e}");
}

fn fitcheck(server: &Server, cache: &std::path::Path, args: &[&str]) -> std::process::Output {
    let config = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args(args)
        .args(["--no-default-model-dirs"])
        .env("HF_ENDPOINT", &server.endpoint)
        .env("HF_TOKEN", "hf_cli")
        .env("FITCHECK_CACHE_DIR", cache)
        .env("FITCHECK_CONFIG_DIR", config.path())
        .env_remove("HF_HUB_OFFLINE")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .unwrap()
}

#[test]
fn fit_and_compare_take_any_repo_id() {
    let (server, _) = hub_server();
    let dir = cache();
    let o = fitcheck(
        &server,
        dir.path(),
        &[
            "fit",
            "-m",
            "hf.co/org/tiny-GGUF:Q8_0",
            "-H",
            "rtx-4090",
            "--json",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["quant"], "Q8_0");
    assert!(err.contains("fetching"), "progress on stderr: {err}");
    assert!(server
        .requests
        .lock()
        .unwrap()
        .iter()
        .all(|(_, h)| h.get("authorization").map(String::as_str) == Some("Bearer hf_cli")));
    let o = fitcheck(
        &server,
        dir.path(),
        &["compare", "--models", "org/st", "-H", "rtx-4090", "--json"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Offline, the cached repo still works and an uncached one says why it fails.
    let o = fitcheck(
        &server,
        dir.path(),
        &[
            "fit",
            "-m",
            "org/tiny-GGUF:Q8_0",
            "-H",
            "rtx-4090",
            "--offline",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = fitcheck(
        &server,
        dir.path(),
        &[
            "fit",
            "-m",
            "org/never-fetched",
            "-H",
            "rtx-4090",
            "--offline",
        ],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not in the cache"), "{err}");
}

/// `compare` counts a fetched file's own bytes, as `fit` does: the safetensors repo's 16.06 GB
/// of BF16 (the architecture at the default Q4_K_M would be under a third of it) and the GGUF's
/// Q8_0 tensors; KV, total and verdict follow.
#[test]
fn fit_and_compare_count_the_same_bytes_of_a_fetched_file() {
    let (server, _) = hub_server();
    let dir = cache();
    let json = |args: &[&str]| -> serde_json::Value {
        let o = fitcheck(&server, dir.path(), args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    for repo in ["org/st", "org/tiny-GGUF:Q8_0"] {
        let f = json(&["fit", "-m", repo, "-H", "rtx-4090", "-c", "4096", "--json"]);
        let c = json(&[
            "compare", "--models", repo, "-H", "rtx-4090", "-c", "4096", "--json",
        ]);
        let row = &c["rows"][0];
        assert_eq!(row["quant"], f["quant"], "{repo}");
        for key in [
            "weights_bytes",
            "kv_bytes",
            "total_bytes",
            "used_bytes",
            "verdict",
        ] {
            assert_eq!(row["cells"][0][key], f[key], "{repo} {key}");
        }
    }
    let f = json(&["fit", "-m", "org/st", "-H", "rtx-4090", "--json"]);
    let weights = f["weights_bytes"].as_u64().unwrap();
    assert!(weights.abs_diff(16_060_000_000) < 16_060_000, "{weights}");
}

#[test]
fn app_search_offers_a_fetch_and_lists_the_result() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use fitcheck::app::action::action_for;
    use fitcheck::app::update;
    let mut app = common::app_on("rtx-4090");
    let press = |app: &mut fitcheck::app::App, code: KeyCode| {
        if let Some(a) = action_for(app.mode, KeyEvent::new(code, KeyModifiers::NONE)) {
            update(app, a);
        }
    };
    press(&mut app, KeyCode::Char('/'));
    for ch in "org/tiny-GGUF".chars() {
        press(&mut app, KeyCode::Char(ch));
    }
    app.refresh_rows();
    assert!(app.rows.is_empty() && app.offers_fetch());
    // Typing alone fetches nothing; Enter asks once, and the loop takes it off the render path.
    assert_eq!(app.take_fetch(), None);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.take_fetch().as_deref(), Some("org/tiny-GGUF"));
    assert_eq!(app.take_fetch(), None);
    assert!(app
        .hub
        .status
        .as_deref()
        .unwrap()
        .starts_with("fetching org/tiny-GGUF"));
    // The worker's result, delivered back: listed, selected, not marked installed.
    let (server, _) = hub_server();
    let hub = Hub::new(&server.endpoint, None, false, None).unwrap();
    let m = hub.fetch("org/tiny-GGUF", None).unwrap();
    app.fetched("org/tiny-GGUF", Ok(m));
    app.refresh_rows();
    let (id, spec) = app.selected_model().unwrap();
    assert_eq!(spec.hf_repo.as_deref(), Some("org/tiny-GGUF"));
    assert!(!app.is_installed(id));
    // A failure is shown where the rows would be.
    press(&mut app, KeyCode::Char('/'));
    for ch in "x".chars() {
        press(&mut app, KeyCode::Char(ch));
    }
    app.fetched("org/missing", Err("HTTP 404: not found".into()));
    assert_eq!(
        app.hub.status.as_deref(),
        Some("org/missing: HTTP 404: not found")
    );
}
