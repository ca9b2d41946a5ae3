#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! What an attacker (or a messy disk) hands fitcheck: absurd numbers in files, FIFOs and devices
//! where files should be, endless files, symlink loops, huge table cells, a full stdout. Each
//! case must end quickly with a clear error or a warning, never a hang, an abort or a panic.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::gguf_writer::tiny_llama;
use fitcheck::local::scan;

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fitcheck-hostile-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(p: &Path, data: &[u8]) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

fn fifo(p: &Path) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    let ok = Command::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo {}", p.display());
}

/// Runs the binary; a run still going after 30 s is a hang (killed, and the test fails).
fn run_with(args: &[&str], config: &Path, stdout: Stdio, stderr: Stdio) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args(args)
        .env("FITCHECK_CONFIG_DIR", config)
        .env_remove("XDG_CONFIG_HOME")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("fitcheck {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn run(args: &[&str], config: &Path) -> Output {
    run_with(args, config, Stdio::piped(), Stdio::piped())
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tiny_gguf() -> Vec<u8> {
    tiny_llama("Tiny")
}

fn scan_dir(d: &Path) -> (Vec<fitcheck::local::LocalModel>, Vec<String>) {
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    scan(
        &[("dir", d.to_path_buf())],
        &mut |m| found.push(m),
        &mut |p| problems.push(p),
    );
    (found, problems)
}

const HW: &str = "(id: \"big\", name: \"Big\", backend: cuda, memory_gib: 24.0, bandwidth_gbps: 1000.0, gpus: GPUS)";

#[test]
fn absurd_counts_in_files_get_the_flags_bounds() {
    // 2^32 − 1 layers in a Hugging Face config.json: refused with the file and field named.
    let d = dir("layers");
    let st = d.join("org/huge");
    write(
        &st.join("config.json"),
        br#"{"model_type":"llama","num_hidden_layers":4294967295,"hidden_size":4096,"num_attention_heads":32}"#,
    );
    write(&st.join("model.safetensors"), &[0u8; 64]);
    let (found, problems) = scan_dir(&d);
    assert!(found.is_empty());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("config.json") && problems[0].contains("layers"),
        "{problems:?}"
    );

    // A catalog (or overlay) GPU count beyond --gpus' 64 is refused, naming the field.
    let cfg = dir("gpus-cfg");
    for gpus in ["4294967295", "65", "0"] {
        let cat = cfg.join(format!("cat-{gpus}.ron"));
        write(
            &cat,
            format!("(hardware: [{}])", HW.replace("GPUS", gpus)).as_bytes(),
        );
        let o = run(
            &["--catalog", cat.to_str().unwrap(), "list", "hardware"],
            &cfg,
        );
        assert_eq!(o.status.code(), Some(2), "gpus {gpus}: {}", err(&o));
        assert!(
            err(&o).contains("'big' field 'gpus'") && err(&o).contains(":1:"),
            "{}",
            err(&o)
        );
    }
    let overlay = dir("overlay");
    write(
        &overlay.join("catalog.ron"),
        format!("(hardware: [{}])", HW.replace("GPUS", "4294967295")).as_bytes(),
    );
    let o = run(&["compare", "-H", "big"], &overlay);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("catalog.ron:1:"), "{}", err(&o));
}

#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let d = dir("fifo");
    fifo(&d.join("models/model.gguf"));
    write(&d.join("models/good.gguf"), &tiny_gguf());
    let store = d.join("ollama");
    std::fs::create_dir_all(store.join("blobs")).unwrap();
    fifo(&store.join("manifests/registry.ollama.ai/library/x/latest"));
    write(
        &store.join("manifests/registry.ollama.ai/library/y/latest"),
        br#"{"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:f1f0"}]}"#,
    );
    fifo(&store.join("blobs/sha256-f1f0"));
    let (found, problems) = scan_dir(&d.join("models"));
    assert_eq!(found.len(), 1, "models after the FIFO still appear");
    assert!(
        problems.iter().any(|p| p.contains("a FIFO")),
        "{problems:?}"
    );
    let (found, problems) = scan_dir(&store);
    assert!(found.is_empty());
    assert_eq!(problems.len(), 2, "{problems:?}");

    let pipe = d.join("models/model.gguf");
    let p = pipe.to_str().unwrap();
    for args in [
        vec!["fit", "--gguf", p, "-H", "rtx-4090"],
        vec!["--catalog", p, "list", "models"],
        vec!["validate", p],
        vec!["validate", "/dev/zero"],
        vec!["--catalog", "/dev/zero", "list", "models"],
    ] {
        let o = run(&args, &d);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(
            err(&o).contains("only regular files are read"),
            "{args:?}: {}",
            err(&o)
        );
    }
    // config.ron as a FIFO.
    let cfg = dir("fifo-config");
    fifo(&cfg.join("config.ron"));
    let o = run(&["fit", "-m", "qwen3-8b", "-H", "rtx-4090"], &cfg);
    assert!(o.status.success(), "no machine lookup, no config read");
    let o = run(&["list", "local", "--no-default-model-dirs"], &cfg);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("a FIFO"), "{}", err(&o));
}

#[cfg(unix)]
#[test]
fn endless_and_oversized_files_are_capped() {
    let d = dir("zero");
    let st = d.join("org/zero");
    std::fs::create_dir_all(&st).unwrap();
    std::os::unix::fs::symlink("/dev/zero", st.join("config.json")).unwrap();
    write(&st.join("model.safetensors"), &[0u8; 64]);
    let (_, problems) = scan_dir(&d);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("config.json") && p.contains("a device")),
        "{problems:?}"
    );
    // A regular but huge (sparse) file: read up to the limit, then an error.
    let big = d.join("huge-catalog.ron");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(fitcheck::files::CATALOG_LIMIT + 1)
        .unwrap();
    let o = run(&["--catalog", big.to_str().unwrap(), "list", "models"], &d);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("larger than"), "{}", err(&o));
    let e = fitcheck::files::read_bytes(&big, 1 << 10).expect_err("capped");
    assert!(e.message.contains("larger than"));
}

#[test]
fn huge_cells_and_full_outputs_are_errors_not_panics() {
    let d = dir("cells");
    let cat = d.join("cat.ron");
    let name = "N".repeat(70_000);
    let text = fitcheck::catalog::BUILTIN.replacen(
        "name: \"Llama 3.1 8B Instruct\"",
        &format!("name: \"{name}\""),
        1,
    );
    assert_ne!(text, fitcheck::catalog::BUILTIN, "fixture edit applied");
    write(&cat, text.as_bytes());
    let o = run(&["--catalog", cat.to_str().unwrap(), "list", "models"], &d);
    assert!(o.status.success(), "{}", err(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("NNNN…"));

    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full");
    if let Ok(f) = full() {
        let o = run_with(&["list", "models"], &d, Stdio::from(f), Stdio::piped());
        assert_eq!(o.status.code(), Some(1), "{}", err(&o));
        assert!(err(&o).contains("writing the output"), "{}", err(&o));
        // Nowhere to say it: still no panic (101), just the failure status.
        let o = run_with(
            &["fit", "-m", "nope", "-H", "rtx-4090"],
            &d,
            Stdio::piped(),
            Stdio::from(full().unwrap()),
        );
        assert_eq!(o.status.code(), Some(2));
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_second_links_are_walked_once() {
    let d = dir("loops");
    write(&d.join("a/model.gguf"), &tiny_gguf());
    std::os::unix::fs::symlink(&d, d.join("a/loop")).unwrap();
    std::os::unix::fs::symlink(d.join("a"), d.join("b")).unwrap();
    std::os::unix::fs::symlink(d.join("a/model.gguf"), d.join("a/again.gguf")).unwrap();
    let (found, problems) = scan_dir(&d);
    assert_eq!(
        found.len(),
        1,
        "one file, one row: {:?}",
        found.iter().map(|m| &m.path).collect::<Vec<_>>()
    );
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn an_ollama_store_with_12000_manifests_lists_every_model() {
    let d = dir("ollama-12k");
    write(&d.join("blobs/sha256-00aa"), &tiny_gguf());
    let manifest = br#"{"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:00aa"}]}"#;
    for i in 0..12_000 {
        write(
            &d.join(format!(
                "manifests/registry.ollama.ai/library/m{}/t{}",
                i / 100,
                i % 100
            )),
            manifest,
        );
    }
    let (mut n, mut problems) = (0, Vec::new());
    scan(&[("ollama", d.clone())], &mut |_| n += 1, &mut |p| {
        problems.push(p)
    });
    assert_eq!(n, 12_000, "{problems:?}");
    let _ = std::fs::remove_dir_all(&d);
}

#[cfg(unix)]
#[test]
fn unreadable_folders_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let d = dir("unreadable");
    let locked = d.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // root reads anything: nothing to report then.
    let root = std::fs::read_dir(&locked).is_ok();
    let (_, problems) = scan_dir(&d);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    if !root {
        assert!(
            problems
                .iter()
                .any(|p| p.contains("locked") && p.contains("skipped")),
            "{problems:?}"
        );
    }
}

#[test]
fn bad_numbers_in_flags_name_the_flag() {
    let d = dir("flags");
    let custom = [
        "fit",
        "-m",
        "qwen3-8b",
        "--memory-gb",
        "24",
        "--bandwidth-gbps",
        "1000",
    ];
    for (flag, value) in [
        ("--tflops", "NaN"),
        ("--tflops", "-1"),
        ("--ram-gb", "inf"),
        ("--ram-bandwidth-gbps", "-5"),
        ("--memory-gb", "1e30"),
        ("--gpus", "4294967295"),
    ] {
        let mut args: Vec<String> = custom.iter().map(|a| a.to_string()).collect();
        if flag == "--memory-gb" {
            args[4] = value.into();
        } else {
            args.push(format!("{flag}={value}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args, &d);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}");
        assert!(err(&o).contains(flag), "{flag}: {}", err(&o));
    }
    for flag in ["--api-usd-per-month", "--usd-per-kwh", "--hours-per-day"] {
        let o = run(&["compare", flag, "NaN"], &d);
        assert_eq!(o.status.code(), Some(2), "{flag}");
        assert!(err(&o).contains(flag), "{flag}: {}", err(&o));
    }
}

#[test]
fn overlapping_or_misplaced_tensors_are_refused() {
    let mut data = tiny_gguf();
    let g = fitcheck::gguf::parse_bytes(&data, "t.gguf").expect("valid");
    // Point the second tensor's data back at the first one's.
    let second = &g.tensors[1];
    let needle = second.offset.to_le_bytes();
    let name_at = data
        .windows(second.name.len())
        .position(|w| w == second.name.as_bytes())
        .unwrap();
    let at = name_at
        + data[name_at..]
            .windows(8)
            .position(|w| w == needle)
            .unwrap();
    data[at..at + 8].copy_from_slice(&0u64.to_le_bytes());
    let e = fitcheck::gguf::parse_bytes(&data, "t.gguf").expect_err("overlap");
    assert!(e.message.contains("overlapping"), "{e}");
}

#[test]
fn global_hardware_flag_applies_to_fit_and_compare() {
    let d = dir("global-h");
    let json = |o: &Output| -> serde_json::Value {
        assert!(o.status.success(), "{}", err(o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let v = json(&run(
        &["-H", "rtx-4090", "fit", "-m", "qwen3-8b", "--json"],
        &d,
    ));
    assert_eq!(v["hardware"], "rtx-4090");
    let v = json(&run(
        &[
            "-H", "rtx-4090", "compare", "--models", "qwen3-8b", "--json",
        ],
        &d,
    ));
    assert_eq!(v["rows"][0]["cells"][0]["hardware"], "rtx-4090", "{v}");
    let o = run(
        &["-H", "rtx-4090", "fit", "-m", "qwen3-8b", "-H", "rtx-3090"],
        &d,
    );
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["-H", "rtx-4090", "guide"], &d);
    assert_eq!(o.status.code(), Some(2), "-H is not silently ignored");
}

#[test]
fn ram_with_a_preset_applies_and_fit_caps_the_context() {
    let d = dir("ram");
    let fit = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["fit", "-m", "llama-3.3-70b", "-H", "rtx-4090", "--json"];
        args.extend(extra);
        let o = run(&args, &d);
        assert!(o.status.success(), "{}", err(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let roomy = fit(&["--ram-gb", "256"]);
    let tiny = fit(&["--ram-gb", "8"]);
    assert_eq!(roomy["verdict"], "partial_offload", "{roomy}");
    assert_ne!(
        tiny["verdict"], roomy["verdict"],
        "--ram-gb changed nothing"
    );
    let capped = fit(&["--context", "100000000"]);
    let max = fitcheck::catalog::Catalog::builtin()
        .unwrap()
        .find_model("llama-3.3-70b")
        .unwrap()
        .max_context();
    assert_eq!(capped["context"], max, "{capped}");
}

#[test]
fn batch_speed_floor_and_training_flags_have_bounds() {
    let d = dir("more-flags");
    for (args, flag) in [
        (
            &["fit", "-m", "qwen3-8b", "--ubatch-size", "0"][..],
            "--ubatch-size",
        ),
        (
            &["fit", "-m", "qwen3-8b", "--ubatch-size", "70000"],
            "--ubatch-size",
        ),
        (&["recommend", "--min-tps", "NaN"], "--min-tps"),
        (&["recommend", "--min-tps=-1"], "--min-tps"),
        (&["recommend", "--top", "0"], "--top"),
        (&["buy", "-m", "qwen3-8b", "--min-tps", "inf"], "--min-tps"),
        (&["buy", "-m", "qwen3-8b", "--budget", "NaN"], "--budget"),
        (
            &["buy", "-m", "qwen3-8b", "--api-usd-per-month=-5"],
            "--api-usd-per-month",
        ),
        (&["train", "-m", "qwen3-8b", "--rank", "0"], "--rank"),
        (&["train", "-m", "qwen3-8b", "--rank", "100000"], "--rank"),
        (&["train", "-m", "qwen3-8b", "--seq-len", "0"], "--seq-len"),
        (
            &["train", "-m", "qwen3-8b", "--seq-len", "200000000"],
            "--seq-len",
        ),
        (&["train", "-m", "qwen3-8b", "--batch", "0"], "--batch"),
        (&["train", "-m", "qwen3-8b", "--layers", "5000"], "--layers"),
    ] {
        let o = run(args, &d);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(err(&o).contains(flag), "{args:?}: {}", err(&o));
    }
    // config.ron's ubatch has the flag's bound, and the error names the file and field.
    let cfg = dir("ubatch-config");
    write(&cfg.join("config.ron"), b"(ubatch: Some(0))");
    let o = run(&["fit", "-m", "qwen3-8b"], &cfg);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("config.ron") && err(&o).contains("ubatch"),
        "{}",
        err(&o)
    );
}

/// A negative number after a space is the flag's value, refused by the flag's own bound (what
/// range it takes), not clap's "unexpected argument '-5'", on every subcommand.
#[test]
fn negative_flag_values_get_the_flags_range_error() {
    let d = dir("negatives");
    for (args, flag) in [
        (&["buy", "-m", "qwen3-8b", "--budget", "-5"][..], "--budget"),
        (&["recommend", "--min-tps", "-1"], "--min-tps"),
        (
            &["fit", "-m", "qwen3-8b", "--context", "-4096"],
            "--context",
        ),
        (
            &["compare", "-m", "qwen3-8b", "--context", "-1"],
            "--context",
        ),
    ] {
        let o = run(args, &d);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(
            err(&o).contains(flag) && err(&o).contains("must be"),
            "{args:?}: {}",
            err(&o)
        );
        assert!(!err(&o).contains("unexpected argument"), "{}", err(&o));
    }
}

#[test]
fn several_models_and_engines_cap_the_context_like_fit() {
    let d = dir("caps");
    let cat = fitcheck::catalog::Catalog::builtin().unwrap();
    let max = |id: &str| cat.find_model(id).unwrap().max_context();
    let json = |args: &[&str]| -> serde_json::Value {
        let o = run(args, &d);
        assert!(o.status.success(), "{args:?}: {}", err(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let v = json(&[
        "fit",
        "-m",
        "llama-3.1-8b",
        "-m",
        "qwen3-8b",
        "-H",
        "rtx-4090",
        "--context",
        "100000000",
        "--json",
    ]);
    assert_eq!(v["models"][0]["context"], max("llama-3.1-8b"), "{v}");
    assert_eq!(v["models"][1]["context"], max("qwen3-8b"), "{v}");
    // The same answer as `fit` with each model alone.
    let alone = json(&[
        "fit",
        "-m",
        "qwen3-8b",
        "-H",
        "rtx-4090",
        "--context",
        "100000000",
        "--json",
    ]);
    assert_eq!(
        v["models"][1]["total_bytes"], alone["total_bytes"],
        "{v}\n{alone}"
    );
    for engine in ["vllm", "sglang"] {
        let v = json(&[
            "fit",
            "-m",
            "qwen3-8b",
            "-H",
            "rtx-4090",
            "--engine",
            engine,
            "--context",
            "100000000",
            "--json",
        ]);
        assert_eq!(v["max_model_len"], max("qwen3-8b"), "{engine}: {v}");
    }
    let o = run(
        &[
            "fit",
            "-m",
            "qwen3-8b",
            "-H",
            "rtx-4090",
            "--engine",
            "vllm",
            "--context",
            "100000000",
        ],
        &d,
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("capped at the model's maximum"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn config_and_catalog_errors_name_the_file_and_exit_2_in_the_app_too() {
    // A byte-order mark and an empty file are fine.
    for (tag, text) in [
        ("bom", &b"\xef\xbb\xbf(context: Some(8192))"[..]),
        ("empty", b""),
    ] {
        let d = dir(tag);
        write(&d.join("config.ron"), text);
        let o = run(&["list", "local", "--no-default-model-dirs"], &d);
        assert!(o.status.success(), "{tag}: {}", err(&o));
    }
    // Invalid UTF-8 gives its line and column.
    let d = dir("not-utf8");
    write(&d.join("config.ron"), b"(\n  models_dirs: [\"\xff\"])");
    let o = run(&["list", "local", "--no-default-model-dirs"], &d);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("config.ron:2:"), "{}", err(&o));
    // The app (no command) checks config.ron's hardware and names the file; it exits 2 for a bad
    // catalog too, as the commands do. Both are refused before it looks for a terminal.
    let d = dir("app-hardware");
    write(&d.join("config.ron"), b"(hardware: Some(\"no-such-gpu\"))");
    let o = run(&[], &d);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("config.ron") && err(&o).contains("hardware"),
        "{}",
        err(&o)
    );
    let d = dir("app-catalog");
    let bad = d.join("bad.ron");
    write(&bad, b"(models: [");
    let o = run(&["--catalog", bad.to_str().unwrap()], &d);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("bad.ron:1:"), "{}", err(&o));
}
