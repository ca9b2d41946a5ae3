#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Where each runtime puts what does not fit on the GPU: llama.cpp's `--fit` moves routed
//! experts to RAM first (every block's dense tensors stay on the GPU, and when even they do not
//! fit, those of the last blocks); Ollama and LM Studio offload whole layers; `--n-cpu-moe` as
//! given.

use fitcheck::catalog::Catalog;
use fitcheck::estimate::hardware::Hardware;
use fitcheck::estimate::{
    estimate, model_terms, speeds_with_constants, Backend, BackendConstants, Quant, Runtime,
    Settings, Verdict,
};

fn cat() -> Catalog {
    Catalog::builtin().unwrap()
}

fn hw(id: &str) -> Hardware {
    cat().find_hardware(id).unwrap().clone()
}

fn settings(runtime: Runtime) -> Settings {
    Settings {
        quant: Quant::Q4_K_M,
        context: 8192,
        runtime,
        ..Settings::default()
    }
}

#[test]
fn llama_cpp_spills_experts_and_ollama_whole_layers() {
    // Qwen3-30B-A3B Q4_K_M (~17 GiB) on a 12 GiB card.
    let m = cat().find_model("qwen3-30b-a3b").unwrap().clone();
    let card = hw("rtx-3060-12");
    let llama = estimate(&m, &card, &settings(Runtime::LlamaCpp));
    assert_eq!(llama.verdict, Verdict::PartialOffload);
    assert_eq!(llama.gpu_layers, llama.total_layers, "{llama:?}");
    assert!(llama.cpu_moe_layers > 0 && llama.cpu_moe_layers < m.arch.layers);
    for runtime in [Runtime::Ollama, Runtime::LmStudio] {
        let e = estimate(&m, &card, &settings(runtime));
        assert_eq!(e.verdict, Verdict::PartialOffload);
        assert_eq!(e.cpu_moe_layers, 0, "{runtime:?}");
        assert!(e.gpu_layers < e.total_layers, "{runtime:?} {e:?}");
        assert!(e.placement_note().contains("layers on GPU"));
    }
}

#[test]
fn when_even_the_dense_tensors_do_not_fit_the_last_blocks_keep_theirs() {
    // Qwen3-235B-A22B Q4_K_M (~132 GiB) on a 4 GiB card: its dense tensors alone (4.2 GiB) and
    // the 8K cache (1.5 GiB) pass the card, so llama.cpp's fit fills the GPU with the dense
    // tensors of the last blocks and keeps every routed expert in RAM.
    let m = cat().find_model("qwen3-235b-a22b").unwrap().clone();
    let mut card = hw("rtx-3060-12");
    card.memory = 4 << 30;
    card.ram = 256 << 30;
    let e = estimate(&m, &card, &settings(Runtime::LlamaCpp));
    assert_eq!(e.verdict, Verdict::PartialOffload, "{e:?}");
    assert!(e.gpu_layers > 1 && e.gpu_layers < e.total_layers, "{e:?}");
    assert!(e.cpu_moe_layers >= m.arch.layers, "{e:?}");
    assert!(e.placement_note().contains("experts in RAM"));
    // Whole layers hold a block's experts too, so fewer of them fit.
    let whole = estimate(&m, &card, &settings(Runtime::Ollama));
    assert!(whole.gpu_layers < e.gpu_layers, "{whole:?}");
    assert!(e.decode_tps > whole.decode_tps);
}

#[test]
fn n_cpu_moe_as_given() {
    let m = cat().find_model("qwen3-30b-a3b").unwrap().clone();
    let card = hw("rtx-3060-12");
    let s = Settings {
        cpu_moe: Some(30),
        ..settings(Runtime::LlamaCpp)
    };
    let e = estimate(&m, &card, &s);
    assert_eq!(e.cpu_moe_layers, 30);
    assert_eq!(e.gpu_layers, e.total_layers);
    assert!(
        e.weights_host_bytes > estimate(&m, &card, &settings(Runtime::LlamaCpp)).weights_host_bytes
    );
}

#[test]
fn the_fit_command_takes_n_cpu_moe() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args([
            "fit",
            "-m",
            "qwen3-30b-a3b",
            "-H",
            "rtx-3060-12",
            "--n-cpu-moe",
            "30",
        ])
        .args(["--no-default-model-dirs", "--no-calibration", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["cpu_moe_layers"], 30, "{json}");
}

#[test]
fn n_cpu_moe_out_of_range_names_the_flag_and_its_bound() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args(["fit", "-m", "qwen3-30b-a3b", "-H", "rtx-3060-12"])
        .args(["--n-cpu-moe", "4294967296", "--no-default-model-dirs"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--n-cpu-moe") && err.contains("MoE blocks with experts in RAM"),
        "{err}"
    );
}

#[test]
fn n_cpu_moe_past_the_block_count_means_every_block_and_dense_models_ignore_it() {
    let moe = cat().find_model("qwen3-30b-a3b").unwrap().clone();
    let card = hw("rtx-3060-12");
    let all = Settings {
        cpu_moe: Some(1000),
        ..settings(Runtime::LlamaCpp)
    };
    let e = estimate(&moe, &card, &all);
    assert_eq!(e.cpu_moe_layers, moe.arch.layers, "{e:?}");
    assert!(e
        .placement_note()
        .contains(&format!("first {} layers", moe.arch.layers)));

    // A dense model has no routed experts: the flag leaves it on the GPU.
    let dense = cat().find_model("llama-3.1-8b").unwrap().clone();
    let flagged = estimate(
        &dense,
        &card,
        &Settings {
            cpu_moe: Some(10),
            ..settings(Runtime::LlamaCpp)
        },
    );
    assert_eq!(flagged.cpu_moe_layers, 0);
    assert_eq!(flagged.verdict, Verdict::FitsOnGpu, "{flagged:?}");
}

#[test]
fn each_moe_block_computed_on_the_host_costs_its_hand_off() {
    // Qwen3-30B-A3B on a 12 GiB card: every block whose experts run on the CPU pays
    // `t_host_moe_layer` once per token beyond its bytes, as given by --n-cpu-moe, as whole
    // layers (Ollama) or not at all (a dense model).
    let c = BackendConstants::of(Backend::Cuda);
    assert!(c.t_host_moe_layer > 0.0, "{c:?}");
    let none = BackendConstants {
        t_host_moe_layer: 0.0,
        ..c
    };
    let card = hw("rtx-3060-12");
    let extra = |model: &str, s: &Settings| {
        let m = cat().find_model(model).unwrap().clone();
        let terms = model_terms(&m, s);
        let t = |k: &BackendConstants| {
            1.0 / speeds_with_constants(&m, &card, s, &terms, 0, 512, k).decode_tps
        };
        (t(&c) - t(&none)) / c.t_host_moe_layer
    };
    for n in [10, 20] {
        let s = Settings {
            cpu_moe: Some(n),
            ..settings(Runtime::LlamaCpp)
        };
        let blocks = extra("qwen3-30b-a3b", &s);
        assert!((blocks - f64::from(n)).abs() < 1e-6, "{n}: {blocks}");
    }
    // Ollama keeps whole layers in RAM: each MoE block among them computes its experts there.
    let ollama = settings(Runtime::Ollama);
    let m = cat().find_model("qwen3-30b-a3b").unwrap().clone();
    let e = estimate(&m, &card, &ollama);
    let host_layers = f64::from(e.total_layers - e.gpu_layers);
    let blocks = extra("qwen3-30b-a3b", &ollama);
    assert!(
        blocks > 0.0 && blocks <= host_layers + 1e-6,
        "{blocks} {e:?}"
    );
    // A dense model spilling layers pays nothing of it.
    let dense = Settings {
        gpu_layers: Some(10),
        ..settings(Runtime::LlamaCpp)
    };
    assert_eq!(extra("llama-3.1-8b", &dense), 0.0);
}
