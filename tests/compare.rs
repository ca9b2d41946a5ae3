#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! `compare` in every format, and cell-by-cell agreement with `fit`.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args(args)
        .env(
            "FITCHECK_CONFIG_DIR",
            std::env::temp_dir().join("fitcheck-compare-no-config"),
        )
        .output()
        .unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn matrix_agrees_with_fit_cell_by_cell() {
    let models = ["llama-3.1-8b", "qwen3.6-35b-a3b", "llama-3.3-70b"];
    let hardware = ["rtx-4090", "tier-48", "dgx-spark"];
    let m = json(&run(&[
        "compare",
        "--models",
        &models.join(","),
        "--hardware",
        &hardware.join(","),
        "--context",
        "16384",
        "--json",
    ]));
    for (r, model) in models.iter().enumerate() {
        for (c, hw) in hardware.iter().enumerate() {
            let cell = &m["rows"][r]["cells"][c];
            let f = json(&run(&[
                "fit",
                "--model",
                model,
                "--hardware",
                hw,
                "--context",
                "16384",
                "--json",
            ]));
            for key in [
                "verdict",
                "weights_bytes",
                "kv_bytes",
                "total_bytes",
                "usable_bytes",
                "headroom_bytes",
                "max_context",
                "decode_tps",
            ] {
                assert_eq!(cell[key], f[key], "{model} on {hw}: {key}");
            }
        }
    }
}

#[test]
fn default_matrix_is_the_guides_models_on_its_tiers() {
    let m = json(&run(&["compare", "--json"]));
    let hw: Vec<&str> = m["hardware"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        hw,
        ["tier-16", "tier-24", "tier-32", "tier-48", "tier-64", "tier-96", "tier-128"]
    );
    let row = |id: &str| {
        m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["model"] == id)
            .unwrap()
            .clone()
    };
    // Where the guide is right: Llama 3.3 70B's first comfortable fit is the 64 GB tier.
    let cheapest = |r: &serde_json::Value| {
        r["cells"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c["cheapest_fit"] == true)
    };
    assert_eq!(cheapest(&row("llama-3.3-70b")), Some(4));
    // Where it is wrong: Scout needs more than the 64 GB tier; Kimi K2.6 fits nowhere.
    assert_ne!(row("llama-4-scout")["cells"][4]["verdict"], "fits_on_gpu");
    assert!(row("kimi-k2.6")["cells"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["verdict"] == "does_not_fit"));
    assert!(m["hardware"][3]["break_even_months"].as_f64().unwrap() > 6.0);
}

#[test]
fn csv_markdown_and_text_formats() {
    let args = [
        "compare",
        "--models",
        "phi-4,gemma-3-27b",
        "--hardware",
        "tier-16,rtx-4090",
    ];
    let csv = run(&[&args[..], &["--csv"]].concat());
    let text = String::from_utf8(csv.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("model,hardware,verdict,"));
    assert_eq!(lines.len(), 1 + 4, "one row per cell");
    let md = String::from_utf8(run(&[&args[..], &["--markdown"]].concat()).stdout).unwrap();
    assert!(
        md.starts_with("| model | 16 GB unified")
            && md.contains("|---|---|---|")
            && md.contains("| phi-4 |"),
        "{md}"
    );
    let plain = String::from_utf8(run(&args).stdout).unwrap();
    assert!(plain.contains("break-even") && plain.contains("cheapest comfortable fit"));
    let bad = run(&["compare", "--models", "nope-model"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn guide_claims_are_checked_and_the_wrong_ones_called_out() {
    let v = json(&run(&["guide", "--json"]));
    let claim = |id: &str| {
        v["claims"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["model"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(claim("llama-3.3-70b")["holds"], true);
    assert_eq!(claim("qwen3.6-35b-a3b")["holds"], true);
    let scout = claim("llama-4-scout");
    assert_eq!(scout["holds"], false);
    assert!(scout["computed_gb"].as_f64().unwrap() > 60.0);
    assert!(scout["note"].as_str().unwrap().contains("guide is wrong"));
    assert_eq!(claim("kimi-k2.6")["verdict_on_tier"], "does_not_fit");
    let tier = |gb: u64| {
        v["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tier_gb"] == gb)
            .unwrap()
            .clone()
    };
    // 64 GB: neither Llama 3.3 70B (25K) nor Scout (does not fit) reaches the claimed 128K.
    assert_eq!(
        (tier(64)["holds"].clone(), tier(64)["holds_for"].clone()),
        (false.into(), 0.into())
    );
    // 48 GB: Qwen3.6-35B-A3B reaches 128K, the dense 32B does not.
    assert_eq!(tier(48)["holds_for"], 1);
    let md = String::from_utf8(run(&["guide", "--markdown"]).stdout).unwrap();
    assert!(md.contains("| Llama 4 Scout") && md.contains("| tier | guide's practical context"));
    let text = String::from_utf8(run(&["guide"]).stdout).unwrap();
    assert!(text.contains("✗") && text.contains("✓"));
}

#[test]
fn api_spend_comes_from_the_flag_else_config_ron_else_150() {
    let months = |extra: &[&str], config: Option<&str>| -> f64 {
        let dir = std::env::temp_dir().join(format!("fitcheck-costs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("config.ron");
        match config {
            Some(text) => std::fs::write(&file, text).unwrap(),
            None => {
                let _ = std::fs::remove_file(&file);
            }
        }
        let mut args = vec![
            "compare",
            "--models",
            "llama-3.1-8b",
            "-H",
            "tier-48",
            "--json",
        ];
        args.extend_from_slice(extra);
        let o = Command::new(env!("CARGO_BIN_EXE_fitcheck"))
            .args(&args)
            .env("FITCHECK_CONFIG_DIR", &dir)
            .output()
            .unwrap();
        json(&o)["hardware"][0]["break_even_months"]
            .as_f64()
            .unwrap()
    };
    let default = months(&[], None);
    let from_config = months(&[], Some("(api_usd_per_month: Some(300.0))"));
    let from_flag = months(
        &["--api-usd-per-month", "600"],
        Some("(api_usd_per_month: Some(300.0))"),
    );
    assert!(from_config < default / 1.9, "{default} {from_config}");
    assert!(from_flag < from_config / 1.9, "{from_config} {from_flag}");
}

#[test]
fn guide_recommends_a_fitting_model_per_use_case_and_tier() {
    let v = json(&run(&["guide", "--json"]));
    let rows = v["use_cases"].as_array().unwrap();
    let coding = rows.iter().find(|r| r["use_case"] == "coding").unwrap();
    let picks = coding["picks"].as_array().unwrap();
    assert_eq!(picks.len(), 7, "one per tier 16..128 GB");
    let used: Vec<f64> = picks
        .iter()
        .map(|p| p["used_bytes"].as_f64().unwrap())
        .collect();
    // Each pick leaves 10 % of the tier's memory free.
    for (gb, u) in [16.0, 24.0, 32.0, 48.0, 64.0, 96.0, 128.0]
        .iter()
        .zip(&used)
    {
        assert!(*u < gb * 1073741824.0 * 0.9, "{gb} GB: {u}");
    }
    let text = String::from_utf8(run(&["guide"]).stdout).unwrap();
    assert!(text.contains("Best models for common use cases"));
}

/// A quant in the model name (`name:Q8_0`, an Ollama tag's `-q8_0`) selects it in `compare` as
/// in `fit` (one resolver); `--quant` still wins over it.
#[test]
fn a_quant_in_the_name_selects_it_as_fit_does() {
    for (name, quant_flag, want) in [
        ("qwen3-30b-a3b:Q8_0", None, "Q8_0"),
        ("qwen3:30b-a3b-q8_0", None, "Q8_0"),
        ("qwen3-30b-a3b:Q8_0", Some("Q4_K_M"), "Q4_K_M"),
    ] {
        let mut args = vec!["compare", "--models", name, "-H", "rtx-4090", "--json"];
        let mut fit = vec!["fit", "--model", name, "-H", "rtx-4090", "--json"];
        if let Some(q) = quant_flag {
            args.extend(["--quant", q]);
            fit.extend(["--quant", q]);
        }
        let m = json(&run(&args));
        let f = json(&run(&fit));
        assert_eq!(m["rows"][0]["quant"], want, "{name}");
        assert_eq!(f["quant"], want, "{name}");
        let cell = &m["rows"][0]["cells"][0];
        for key in [
            "weights_bytes",
            "total_bytes",
            "device_bytes",
            "host_bytes",
            "decode_tps",
            "max_context",
        ] {
            assert_eq!(cell[key], f[key], "{name}: {key}");
        }
    }
    // Offloaded: the device and host RAM figures are fit's, and the held part adds up.
    let m = json(&run(&[
        "compare",
        "-m",
        "gpt-oss-120b",
        "-H",
        "rtx-3090",
        "--json",
    ]));
    let f = json(&run(&[
        "fit",
        "-m",
        "gpt-oss-120b",
        "-H",
        "rtx-3090",
        "--json",
    ]));
    let cell = &m["rows"][0]["cells"][0];
    assert_eq!(f["verdict"], "partial_offload");
    for key in [
        "device_bytes",
        "device_usable_bytes",
        "host_bytes",
        "verdict",
    ] {
        assert_eq!(cell[key], f[key], "gpt-oss-120b: {key}");
    }
    assert_eq!(
        f["device_held_bytes"].as_u64().unwrap() + f["host_bytes"].as_u64().unwrap(),
        f["total_bytes"].as_u64().unwrap()
    );
    let text = run(&[
        "compare",
        "--models",
        "qwen3-30b-a3b:Q8_0",
        "-H",
        "rtx-4090",
    ]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("qwen3-30b-a3b Q8_0"), "{text}");
}

/// The text cell's "used/usable" is the same string `recommend` prints for the same model,
/// quant, machine and context: GPU + RAM apart when offloaded, not the GPU's usable alone.
#[test]
fn an_offloaded_cell_shows_the_memory_recommend_shows() {
    let rec = json(&run(&[
        "recommend",
        "-H",
        "rtx-3090",
        "--use-case",
        "coding",
        "--context",
        "8192",
        "--json",
    ]));
    let pick = rec["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["verdict"] == "partial_offload")
        .expect("an offloaded pick on a 24 GB card");
    let memory = pick["memory"].as_str().unwrap();
    assert!(memory.contains('+'), "{memory}");
    let name = format!(
        "{}:{}",
        pick["model"].as_str().unwrap(),
        pick["quant"].as_str().unwrap()
    );
    let o = run(&[
        "compare",
        "-m",
        &name,
        "-H",
        "rtx-3090",
        "--context",
        "8192",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(&format!("{memory}G")),
        "{memory} not in:\n{text}"
    );
}
