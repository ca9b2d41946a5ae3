#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! The command line contract, exercised on the real binary.

mod common;

use std::process::{Command, Output};

fn fitcheck(args: &[&str]) -> Output {
    fitcheck_env(args, &[])
}

fn fitcheck_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let empty = tempdir("empty-config");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fitcheck"));
    cmd.args(args)
        .env("FITCHECK_CONFIG_DIR", empty.path())
        .env_remove("XDG_CONFIG_HOME");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("binary runs")
}

/// A fresh directory, removed when dropped.
fn tempdir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("fitcheck-test-{name}-"))
        .tempdir()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn fit_json_has_the_contract_fields() {
    let o = fitcheck(&[
        "fit",
        "--model",
        "meta-llama/Llama-3.1-8B-Instruct",
        "--hardware",
        "rtx-4090",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for key in [
        "weights_bytes",
        "kv_bytes",
        "state_bytes",
        "overhead_bytes",
        "total_bytes",
        "usable_bytes",
        "max_context",
    ] {
        assert!(v[key].is_u64(), "{key} must be an integer: {}", v[key]);
    }
    assert!(v["headroom_bytes"].is_i64());
    for key in ["decode_tps", "prefill_tps", "ttft_s"] {
        assert!(v[key].is_f64(), "{key}: {}", v[key]);
    }
    assert_eq!(v["model"], "llama-3.1-8b");
    assert_eq!(v["hardware"], "rtx-4090");
    assert_eq!(v["quant"], "Q4_K_M");
    assert_eq!(v["context"], 8192);
    assert_eq!(v["verdict"], "fits_on_gpu");
    assert_eq!(v["fits_on_gpu"], true);
    assert_eq!(v["kv_bytes"], 1u64 << 30);
}

#[test]
fn names_resolve_by_ollama_tag_bare_repo_and_case() {
    for name in ["llama3.1:8b", "Llama-3.1-8B-Instruct", "LLAMA-3.1-8B"] {
        let o = fitcheck(&["fit", "-m", name, "-H", "tier-16", "--json"]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert!(stdout(&o).contains("\"llama-3.1-8b\""), "{name}");
    }
}

#[test]
fn unknown_names_exit_2_with_suggestions() {
    let o = fitcheck(&["fit", "--model", "lama-3.1-8b", "-H", "rtx-4090"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean") && stderr(&o).contains("llama-3.1-8b"),
        "{}",
        stderr(&o)
    );
    let o = fitcheck(&["fit", "--model", "llama-3.1-8b", "-H", "rtx-9999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown hardware 'rtx-9999'"),
        "{}",
        stderr(&o)
    );
    let o = fitcheck(&[
        "fit",
        "--model",
        "llama-3.1-8b",
        "-H",
        "rtx-4090",
        "--quant",
        "Q9_Z",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown quantization"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn custom_hardware_from_flags() {
    let o = fitcheck(&[
        "fit",
        "-m",
        "qwen3-32b",
        "--memory-gib",
        "24",
        "--bandwidth-gbps",
        "936",
        "--backend",
        "cuda",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["usable_bytes"], 24u64 << 30);
    let o = fitcheck(&[
        "fit",
        "-m",
        "qwen3-32b",
        "--memory-gb",
        "-3",
        "--bandwidth-gbps",
        "936",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Without a GPU, the weights line has no "GPU 0.00 GiB" split.
    let o = fitcheck(&["fit", "-m", "llama-3.2-1b", "-H", "cpu-ddr4-3200-32"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let weights = text.lines().find(|l| l.contains("weights")).unwrap();
    assert!(!weights.contains("GPU"), "{weights}");
    let o = fitcheck(&["fit", "-m", "llama-3.2-1b", "-H", "rtx-4090"]);
    assert!(
        stdout(&o).contains(" · host "),
        "GPU machines keep the split"
    );
}

#[test]
fn text_output_labels_both_units_and_the_verdict() {
    let o = fitcheck(&[
        "fit",
        "-m",
        "llama-4-scout",
        "-H",
        "tier-64",
        "--context",
        "32768",
    ]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains(" GB") && out.contains(" GiB") && out.contains("verdict:"),
        "{out}"
    );
    assert!(
        out.contains("does not fit") || out.contains("CPU only"),
        "Scout at Q4_K_M is ~65 GB: {out}"
    );
}

#[test]
fn fit_on_the_device_and_host_ram_add_up_to_the_total_in_gib() {
    // Seed-OSS 36B fits a 4090, but the token embedding stays in RAM: both lines show, in GiB,
    // and they sum to the total (as the app's gauges do).
    let o = fitcheck(&["fit", "-m", "seed-oss-36b", "-H", "rtx-4090"]);
    assert!(o.status.success());
    let out = stdout(&o);
    let gib_after = |label: &str| -> f64 {
        let line = out
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("{label}: {out}"));
        let at = line.find(label).unwrap() + label.len();
        line[at..]
            .trim_start()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let weights = out.lines().find(|l| l.contains("weights")).unwrap();
    assert!(
        weights.contains("GiB · host") && !weights.contains("GB ·"),
        "{weights}"
    );
    let total: f64 = {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with("total"))
            .unwrap();
        line.split('(')
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let sum = gib_after("on the device") + gib_after("host RAM");
    assert!((sum - total).abs() <= 0.011, "{sum} vs {total}: {out}");
    assert!(out.contains("fits on GPU"), "{out}");
}

#[test]
fn list_commands() {
    for what in ["models", "hardware", "quants"] {
        let o = fitcheck(&["list", what]);
        assert!(o.status.success());
        assert!(stdout(&o).lines().count() > 10, "{what}");
        let o = fitcheck(&["list", what, "--json"]);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert!(v.as_array().is_some_and(|a| a.len() > 10), "{what}");
    }
    // The detected machine leads the hardware list, like the picker.
    let o = fitcheck(&["list", "hardware", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["id"], "this-machine");
    assert_eq!(v[0]["kind"], "detected");
    assert!(v[0]["memory_gib"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_broken_catalog_names_file_line_and_column() {
    let dir = tempdir("broken");
    let path = dir.path().join("bad.ron");
    std::fs::write(
        &path,
        "(\n  models: [\n    (id: \"x\", name: 3),\n  ],\n)\n",
    )
    .unwrap();
    let o = fitcheck(&["--catalog", path.to_str().unwrap(), "list", "models"]);
    assert_eq!(o.status.code(), Some(2), "bad input: status 2");
    let err = stderr(&o);
    assert!(err.contains("bad.ron:3:"), "{err}");
}

#[test]
fn impossible_values_are_reported_with_the_field() {
    let dir = tempdir("invalid");
    let cases = [
        ("layers: 32", "layers: 0", "field 'layers'"),
        (
            "params: 8030261248",
            "params: 8030261248, active_params: 9000000000",
            "field 'active_params'",
        ),
    ];
    let base = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/one_model.ron"
    ))
    .unwrap();
    for (from, to, want) in cases {
        let path = dir.path().join("c.ron");
        std::fs::write(&path, base.replacen(from, to, 1)).unwrap();
        let o = fitcheck(&["--catalog", path.to_str().unwrap(), "list", "models"]);
        assert_eq!(o.status.code(), Some(2), "bad input: status 2");
        let err = stderr(&o);
        assert!(err.contains(want) && err.contains("c.ron:"), "{err}");
    }
    let entry = base
        .split("models: [")
        .nth(1)
        .unwrap()
        .split("\n    ],")
        .next()
        .unwrap();
    let path = dir.path().join("dup.ron");
    std::fs::write(&path, base.replacen(entry, &format!("{entry}\n{entry}"), 1)).unwrap();
    let o = fitcheck(&["--catalog", path.to_str().unwrap(), "list", "models"]);
    assert_eq!(o.status.code(), Some(2), "bad input: status 2");
    assert!(stderr(&o).contains("duplicate model id"), "{}", stderr(&o));
}

#[test]
fn the_user_overlay_adds_and_overrides_entries() {
    let dir = tempdir("overlay");
    let fixture = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/one_model.ron"
    ))
    .unwrap();
    std::fs::write(
        dir.path().join("catalog.ron"),
        fixture.replace("\"test-8b\"", "\"my-finetune\""),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fitcheck"));
    let o = cmd
        .args(["fit", "-m", "my-finetune", "-H", "rtx-4090", "--json"])
        .env("FITCHECK_CONFIG_DIR", dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("my-finetune"));
}

#[test]
fn config_corrects_what_detection_found_and_says_so() {
    let dir = tempdir("machine-config");
    std::fs::write(
        dir.path().join("config.ron"),
        "(machine: (memory_gib: Some(61.5), bandwidth_gbps: Some(345.0)))",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args(["system", "--json"])
        .env("FITCHECK_CONFIG_DIR", dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["hardware"]["bandwidth_gbps"], 345.0);
    assert_eq!(v["hardware"]["memory_gib"], 61.5);
    let notes = v["notes"].to_string();
    assert!(notes.contains("by config.ron"), "{notes}");

    std::fs::write(
        dir.path().join("config.ron"),
        "(machine: (bandwith_gbps: Some(1.0)))",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args(["system"])
        .env("FITCHECK_CONFIG_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!o.status.success(), "a typo in config.ron is an error");
    assert!(stderr(&o).contains("config.ron:1:"), "{}", stderr(&o));
}

#[test]
fn validate_reports_error_per_subset() {
    let o = fitcheck(&[
        "validate",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/ground_truth_speed.csv"
        ),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let decode_all = v["subsets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metric"] == "decode" && s["subset"] == "all")
        .unwrap();
    assert!(decode_all["n"].as_u64().unwrap() > 700);
    let o = fitcheck(&["validate", "/nonexistent.csv"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn fit_reads_a_real_gguf_file_and_rejects_a_truncated_one() {
    use common::gguf_writer::{dense_block, gguf, Meta};
    use fitcheck::estimate::ggml::GgmlType;
    let mut tensors = vec![(
        "token_embd.weight".to_string(),
        vec![256u64, 1000],
        GgmlType::Q4_K,
    )];
    for il in 0..4 {
        tensors.extend(dense_block(il, 256, 4, 2, 64, 512, GgmlType::Q4_K));
    }
    let tensors: Vec<(&str, Vec<u64>, GgmlType)> = tensors
        .iter()
        .map(|(n, d, t)| (n.as_str(), d.clone(), *t))
        .collect();
    let data = gguf(
        &[
            ("general.architecture", Meta::Str("llama")),
            ("general.name", Meta::Str("Disk Model")),
            ("general.file_type", Meta::U32(15)),
            ("llama.block_count", Meta::U32(4)),
            ("llama.embedding_length", Meta::U32(256)),
            ("llama.attention.head_count", Meta::U32(4)),
            ("llama.attention.head_count_kv", Meta::U32(2)),
            ("llama.context_length", Meta::U32(4096)),
        ],
        &tensors,
    );
    let dir = tempdir("gguf");
    let path = dir.path().join("disk-model-Q4_K_M.gguf");
    std::fs::write(&path, &data).unwrap();
    let o = fitcheck(&[
        "fit",
        "--gguf",
        path.to_str().unwrap(),
        "-H",
        "rtx-4090",
        "--context",
        "4096",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let tensor_bytes: u64 = tensors
        .iter()
        .map(|(_, d, t)| t.bytes_for(d[0]) * d[1..].iter().product::<u64>())
        .sum();
    // No output.weight: the embedding is tied, and llama.cpp keeps it twice on a discrete GPU
    // (host copy for the input lookup, device copy for the output projection).
    let embd = GgmlType::Q4_K.bytes_for(256) * 1000;
    assert_eq!(
        v["weights_bytes"],
        tensor_bytes + embd,
        "exact bytes from the tensor table"
    );
    assert_eq!(v["quant"], "Q4_K_M");
    assert_eq!(v["model_name"], "Disk Model");
    assert_eq!(v["kv_bytes"], 4 * 4096 * 2 * 64 * 2 * 2);
    let cut = dir.path().join("cut.gguf");
    std::fs::write(&cut, &data[..data.len() / 2]).unwrap();
    let o = fitcheck(&["fit", "--gguf", cut.to_str().unwrap(), "-H", "rtx-4090"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("cut.gguf: offset") && err.contains("truncated"),
        "{err}"
    );
}

#[test]
fn two_cards_split_the_layers_instead_of_pooling_bandwidth() {
    let json = |args: &[&str]| -> serde_json::Value {
        let o = fitcheck(args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let one = json(&["fit", "-m", "llama-3.3-70b", "-H", "rtx-3090", "--json"]);
    let two = json(&["fit", "-m", "llama-3.3-70b", "-H", "2x-rtx-3090", "--json"]);
    let custom = json(&[
        "fit",
        "-m",
        "llama-3.3-70b",
        "--memory-gib",
        "24",
        "--bandwidth-gbps",
        "936",
        "--tflops",
        "142",
        "--gpus",
        "2",
        "--json",
    ]);
    assert_eq!(one["verdict"], "partial_offload");
    assert_eq!(two["verdict"], "fits_on_gpu");
    assert_eq!(
        (one["gpus"].as_u64(), two["gpus"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(custom["verdict"], "fits_on_gpu");
    // Each card streams its half in turn: decode is bound by one card's bandwidth.
    let tps = two["decode_tps"].as_f64().unwrap();
    let roofline_one_card = 936e9 / two["weights_gpu_bytes"].as_f64().unwrap();
    assert!(tps < roofline_one_card, "{tps} vs {roofline_one_card}");
    let text = stdout(&fitcheck(&[
        "fit",
        "-m",
        "llama-3.3-70b",
        "-H",
        "2x-rtx-3090",
    ]));
    assert!(
        text.contains("per GPU") && text.contains("2 cards"),
        "{text}"
    );
}

#[test]
fn gpus_takes_a_count_or_a_list_of_presets() {
    let json = |args: &[&str]| -> serde_json::Value {
        let o = fitcheck(args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let base = ["fit", "-m", "qwen3-14b", "--json"];
    let with = |extra: &[&str]| json(&[&base[..], extra].concat());
    let mixed = with(&["--gpus", "rtx-5090,rtx-5080"]);
    assert_eq!(mixed["gpus"], 2);
    assert_eq!(mixed["usable_bytes"].as_u64(), Some(48 << 30));
    let cards = mixed["cards"].as_array().unwrap();
    let ids: Vec<&str> = cards.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["rtx-5090", "rtx-5080"]);
    // Memory-proportional split: the 32 GiB card holds about twice the 16 GiB card's layers.
    let w = |i: usize| cards[i]["weights_bytes"].as_f64().unwrap();
    assert!((1.6..2.4).contains(&(w(0) / w(1))), "{}", w(0) / w(1));
    // -H names the host (its RAM) when a list is given; a count multiplies the -H preset.
    let hosted = with(&["-H", "rtx-5090", "--gpus", "rtx-5090,rtx-5080"]);
    assert_eq!(hosted["decode_tps"], mixed["decode_tps"]);
    let counted = with(&["-H", "rtx-5090", "--gpus", "2"]);
    let preset = with(&["-H", "2x-rtx-5090"]);
    assert_eq!(
        (&counted["gpus"], &counted["decode_tps"]),
        (&preset["gpus"], &preset["decode_tps"])
    );
    for (gpus, says) in [
        ("rtx-5090,dgx-spark", "not a discrete GPU"),
        ("rtx-5090,rx-7900-xtx", "backend"),
        ("rtx-5090,rtx-9999", "rtx-9999"),
        ("rtx-5090,,rtx-5080", "empty name"),
        ("0", "1..=64"),
    ] {
        let o = fitcheck(&["fit", "-m", "qwen3-14b", "--gpus", gpus]);
        assert_eq!(o.status.code(), Some(2), "{gpus}");
        assert!(stderr(&o).contains(says), "{gpus}: {}", stderr(&o));
    }
}

#[test]
fn train_json_has_the_contract_fields_and_bad_values_exit_2() {
    let o = fitcheck(&[
        "train",
        "--model",
        "llama-3.1-8b",
        "--method",
        "qlora",
        "--rank",
        "32",
        "-H",
        "rtx-4090",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in [
        "weights_bytes",
        "trainable_params",
        "gradients_bytes",
        "optimizer_bytes",
        "activations_bytes",
        "total_bytes",
        "verdict",
        "max_seq_len",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["trainable_params"], 83_886_080);
    assert_eq!(v["verdict"], "fits_on_gpu");
    let sum: u64 = [
        "weights_bytes",
        "gradients_bytes",
        "optimizer_bytes",
        "activations_bytes",
        "overhead_bytes",
    ]
    .iter()
    .map(|k| v[k].as_u64().unwrap())
    .sum();
    assert_eq!(v["total_bytes"].as_u64().unwrap(), sum);
    let full = fitcheck(&[
        "train",
        "-m",
        "llama-3.1-70b",
        "--method",
        "full",
        "-H",
        "rtx-4090",
    ]);
    assert!(stdout(&full).contains("does not fit"), "{}", stdout(&full));
    let bad = fitcheck(&["train", "-m", "llama-3.1-8b", "--method", "dpo"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown method 'dpo'"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn fit_with_several_models_sums_or_takes_the_largest() {
    let args = |extra: &[&str]| {
        let mut a = vec![
            "fit",
            "-m",
            "qwen3.6-35b-a3b",
            "-m",
            "deepseek-r1-distill-qwen-32b",
            "-H",
            "m4-pro-48",
            "-c",
            "32768",
            "--json",
        ];
        a.extend_from_slice(extra);
        let o = fitcheck(&a);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let together = args(&[]);
    let turns = args(&["--alternate"]);
    let totals: Vec<u64> = together["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["total_bytes"].as_u64().unwrap())
        .collect();
    assert_eq!(
        together["total_bytes"].as_u64().unwrap(),
        totals.iter().sum::<u64>()
    );
    assert_eq!(
        turns["total_bytes"].as_u64().unwrap(),
        *totals.iter().max().unwrap()
    );
    assert_eq!(together["verdict"], "does_not_fit");
    assert_eq!(turns["verdict"], "fits_on_gpu");
    let bad = fitcheck(&["fit", "-m", "llama-3.1-8b", "-m", "no-such-model-xyz"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn fit_parallel_reports_sequences_and_throughput() {
    let o = fitcheck(&[
        "fit",
        "-m",
        "llama-3.1-8b",
        "-H",
        "rtx-4090",
        "-c",
        "32768",
        "--parallel",
        "4",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("sequences: ") && text.contains("fit at 8192 tokens each"),
        "{text}"
    );
    assert!(text.contains("4 at once"), "{text}");
    let j = fitcheck(&[
        "fit",
        "-m",
        "llama-3.1-8b",
        "-H",
        "rtx-4090",
        "-c",
        "32768",
        "--parallel",
        "4",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    let decode = v["serving"]["decode"].as_array().unwrap();
    assert_eq!(decode.len(), 3); // 1, 2, 4
    let agg = |i: usize| decode[i]["aggregate_tps"].as_f64().unwrap();
    assert!(agg(2) > agg(1) && agg(1) > agg(0));
    assert!(v["serving"]["max_sequences"].as_u64().unwrap() >= 4);
}

#[test]
fn fit_engine_vllm_reports_the_kv_pool() {
    let o = fitcheck(&[
        "fit",
        "-m",
        "llama-3.1-8b",
        "-H",
        "rtx-4090",
        "--engine",
        "vllm",
        "-q",
        "BF16",
        "-c",
        "32768",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let pool = v["kv_pool_bytes"].as_u64().unwrap();
    let parts: u64 = ["weights_bytes", "activation_bytes", "runtime_bytes"]
        .iter()
        .map(|k| v[k].as_u64().unwrap())
        .sum();
    assert_eq!(pool + parts, v["budget_bytes"].as_u64().unwrap());
    assert!(v["max_concurrency"].as_f64().unwrap() > 1.0);
    assert_eq!(v["fits"], true);
    let bad = fitcheck(&[
        "fit",
        "-m",
        "llama-3.1-8b",
        "--engine",
        "vllm",
        "--kv-type",
        "q4_0",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let util = fitcheck(&[
        "fit",
        "-m",
        "llama-3.1-8b",
        "--engine",
        "vllm",
        "--gpu-memory-utilization",
        "1.5",
    ]);
    assert_eq!(util.status.code(), Some(2));
}

#[test]
fn fit_takes_the_ubatch_and_lists_the_overheads() {
    let json = |extra: &[&str]| {
        let mut args = vec![
            "fit",
            "-m",
            "gemma-3-27b",
            "-H",
            "rtx-4090",
            "-c",
            "32768",
            "--json",
        ];
        args.extend_from_slice(extra);
        let o = fitcheck(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()
    };
    let (small, big) = (json(&[]), json(&["--ubatch-size", "2048"]));
    assert_eq!(small["ubatch"], 512);
    assert_eq!(big["ubatch"], 2048);
    // 52 sliding layers hold window + ubatch cells: 1536 → 3072 (16 KV heads × 128, f16).
    let grew = big["kv_bytes"].as_u64().unwrap() - small["kv_bytes"].as_u64().unwrap();
    assert_eq!(grew, 52 * 1536 * 16 * 128 * 2 * 2);
    assert!(big["compute_gpu_bytes"].as_u64() > small["compute_gpu_bytes"].as_u64());
    let parts: u64 = [
        "compute_gpu_bytes",
        "compute_host_bytes",
        "runtime_gpu_bytes",
        "runtime_host_bytes",
    ]
    .iter()
    .map(|k| small[k].as_u64().unwrap())
    .sum();
    assert_eq!(parts, small["overhead_bytes"].as_u64().unwrap());
    let o = fitcheck(&[
        "fit",
        "-m",
        "gemma-3-27b",
        "-H",
        "rtx-4090",
        "--ubatch",
        "1024",
    ]);
    let text = stdout(&o);
    assert!(text.contains("ubatch 1024"), "{text}");
    assert!(
        text.contains("compute (GPU)") && text.contains("driver context"),
        "{text}"
    );
}

#[test]
fn require_exits_3_when_the_verdict_is_worse() {
    let fit = |hw: &str, level: &str| {
        fitcheck(&["fit", "-m", "llama-3.3-70b", "-H", hw, "--require", level])
            .status
            .code()
    };
    // 70B at Q4_K_M: ~42 GB. On a 24 GiB card it offloads; on 128 GB unified it fits.
    assert_eq!(fit("m4-max-128", "fits_on_gpu"), Some(0));
    assert_eq!(fit("rtx-4090", "fits_on_gpu"), Some(3));
    assert_eq!(fit("rtx-4090", "offload"), Some(0));
    assert_eq!(fit("rtx-4090", "fits"), Some(0));
    let o = fitcheck(&[
        "fit",
        "-m",
        "llama-3.3-70b",
        "-H",
        "rtx-4090",
        "--require",
        "fits_on_gpu",
    ]);
    assert!(stderr(&o).contains("requirement not met"), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("verdict"),
        "the estimate is still printed"
    );
    let help = stdout(&fitcheck(&["fit", "--help"]));
    assert!(
        help.contains("--require") && help.contains("fits_on_gpu"),
        "{help}"
    );
}

#[test]
fn the_quant_in_a_model_name_is_used_unless_quant_is_given() {
    let quant = |args: &[&str]| {
        let o = fitcheck(&[&["fit", "-H", "rtx-4090", "--json"], args].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["quant"].as_str().unwrap().to_string()
    };
    assert_eq!(
        quant(&["-m", "hf.co/unsloth/Qwen3-30B-A3B-GGUF:Q8_0"]),
        "Q8_0"
    );
    assert_eq!(
        quant(&["-m", "hf.co/unsloth/Qwen3-30B-A3B-GGUF:Q8_0", "-q", "Q6_K"]),
        "Q6_K"
    );
    assert_eq!(quant(&["-m", "qwen3-30b-a3b"]), "Q4_K_M");
}

/// `fit` with several models and with `--engine` take each name's quant as `fit` with one model
/// does (they once estimated every model at the run's quant), and `--require` holds for them.
#[test]
fn several_models_and_engines_use_the_quant_each_name_selects() {
    let json = |args: &[&str]| -> serde_json::Value {
        let o = fitcheck(&[&["fit", "-H", "rtx-4090", "--json"], args].concat());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let q8 = "llama3.1:8b-instruct-q8_0";
    let alone = json(&["-m", q8]);
    let both = json(&["-m", q8, "-m", "qwen3-8b"]);
    assert_eq!(both["models"][0]["quant"], "Q8_0", "{both}");
    assert_eq!(both["models"][0]["weights_bytes"], alone["weights_bytes"]);
    assert_eq!(both["models"][1]["quant"], "Q4_K_M", "{both}");
    let given = json(&["-m", q8, "-m", "qwen3-8b", "-q", "Q6_K"]);
    assert_eq!(given["models"][0]["quant"], "Q6_K", "--quant wins");
    let weights = |v: &serde_json::Value| v["weights_bytes"].as_u64().unwrap();
    let vllm_q8 = json(&["-m", q8, "--engine", "vllm"]);
    let vllm_q4 = json(&["-m", "llama-3.1-8b", "--engine", "vllm"]);
    assert_eq!(vllm_q8["quant"], "Q8_0");
    // Q8_0 is 8.5 bits a weight, Q4_K_M about 4.9.
    assert!(
        weights(&vllm_q8) > weights(&vllm_q4) * 3 / 2,
        "{vllm_q8}\n{vllm_q4}"
    );
    let code = |args: &[&str]| {
        fitcheck(&[&["fit", "-H", "rtx-4090", "--require", "fits_on_gpu"], args].concat())
            .status
            .code()
    };
    assert_eq!(code(&["-m", "llama-3.1-8b", "-m", "qwen3-8b"]), Some(0));
    assert_eq!(code(&["-m", "llama-3.3-70b", "-m", "qwen3-8b"]), Some(3));
    assert_eq!(code(&["-m", "llama-3.1-8b", "--engine", "vllm"]), Some(0));
    assert_eq!(code(&["-m", "llama-3.3-70b", "--engine", "vllm"]), Some(3));
    let two_on_one_engine = ["-m", "llama-3.1-8b", "-m", "qwen3-8b", "--engine", "vllm"];
    assert_eq!(code(&two_on_one_engine), Some(2));
}

/// `fit` on a preset needs nothing from config.ron, but a broken one is said, with its line and
/// column, rather than skipped in silence.
#[test]
fn fit_on_a_preset_warns_of_a_broken_config() {
    let dir = tempdir("broken-config");
    std::fs::write(dir.path().join("config.ron"), "(\n  contxt: Some(8192),\n)").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args(["fit", "-m", "llama-3.1-8b", "-H", "rtx-4090"])
        .env("FITCHECK_CONFIG_DIR", dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning:") && err.contains("config.ron:2:3"),
        "{err}"
    );
}

#[test]
fn this_machine_works_in_compare_too() {
    let o = fitcheck(&[
        "compare",
        "--models",
        "llama-3.1-8b",
        "-H",
        "this,rtx-4090",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["hardware"][0]["id"], "this-machine");
    assert_eq!(v["hardware"][1]["id"], "rtx-4090");
    assert!(fitcheck(&["fit", "-m", "llama-3.1-8b", "-H", "4090"])
        .status
        .success());
}
