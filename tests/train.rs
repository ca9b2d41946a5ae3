#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Fine-tuning memory against published figures (sources on each test; docs/beyond.md).

use fitcheck::catalog::Catalog;
use fitcheck::estimate::hardware::{Backend, Hardware};
use fitcheck::estimate::model::ModelSpec;
use fitcheck::estimate::train::{
    estimate_training, lora_params, Framework, Method, Optimizer, Targets, TrainSettings,
};
use fitcheck::estimate::units::GIB;
use fitcheck::estimate::Verdict;

fn model(id: &str) -> ModelSpec {
    Catalog::builtin()
        .unwrap()
        .find_model(id)
        .expect("model in catalog")
        .clone()
}

/// A bare CUDA card of `gib` GiB (the benchmarks ran on A100/H100 class cards).
fn card(gib: u64) -> Hardware {
    Hardware {
        ram: 256 * GIB,
        ram_bandwidth_gbps: 100.0,
        fp16_tflops: 312.0,
        ..Hardware::new(
            &format!("card-{gib}"),
            &format!("{gib} GiB card"),
            Backend::Cuda,
            gib * GIB,
            2000.0,
        )
    }
}

fn qlora(framework: Framework, rank: u32, seq_len: u32) -> TrainSettings {
    TrainSettings {
        method: Method::Qlora,
        framework,
        rank,
        targets: Targets::All,
        seq_len,
        batch: 1,
        checkpointing: true,
        optimizer: Optimizer::Adamw,
        ..TrainSettings::default()
    }
}

#[test]
fn lora_parameter_counts_match_what_the_frameworks_print() {
    // Unsloth's Llama 3 8B notebooks (r=16, q/k/v/o/gate/up/down) print 41,943,040 trainable.
    let l8 = model("llama-3-8b");
    assert_eq!(lora_params(&l8.arch, 16, Targets::All, None), 41_943_040);
    // mlx-examples#724: Llama 3 8B, rank 128 on every linear: "335.544M/8030.261M".
    assert_eq!(lora_params(&l8.arch, 128, Targets::All, None), 335_544_320);
    // ml-explore/mlx-lm#330: mlx_lm.lora defaults (rank 8, q/v, last 16 blocks) on
    // Llama 3.2 3B print "Trainable parameters: 0.041% (1.311M/3212.750M)".
    let l3 = model("llama-3.2-3b");
    assert_eq!(lora_params(&l3.arch, 8, Targets::Qv, Some(16)), 1_310_720);
    // Attention-only sits between the two.
    let attn = lora_params(&l8.arch, 16, Targets::Attn, None);
    assert!(attn > lora_params(&l8.arch, 16, Targets::Qv, None) && attn < 41_943_040);
}

/// Unsloth's context-length benchmark (unsloth.ai docs, "Unsloth Benchmarks": QLoRA on all
/// linear layers, rank 32, batch 1, sequences padded to the maximum): the longest sequence each
/// card trains, for Unsloth and for Hugging Face + FA2 (PEFT). The estimate's total at that
/// length must come within 7 % of the card.
#[test]
fn qlora_memory_at_unsloths_published_maximum_contexts() {
    let l8 = model("llama-3.1-8b");
    let rows: [(u64, u32, u32); 6] = [
        (12, 21_848, 932),
        (16, 40_724, 2_551),
        (24, 78_475, 5_789),
        (40, 153_977, 12_264),
        (48, 191_728, 15_502),
        (80, 342_733, 28_454),
    ];
    for (gib, unsloth, hf) in rows {
        for (framework, tokens) in [(Framework::Unsloth, unsloth), (Framework::Peft, hf)] {
            let e = estimate_training(&l8, &card(gib), &qlora(framework, 32, tokens));
            let err = e.total_bytes as f64 / (gib * GIB) as f64 - 1.0;
            assert!(
                err.abs() < 0.07,
                "{framework} {gib} GiB at {tokens}: {err:+.3}"
            );
        }
    }
    // Llama 3.3 70B on 48 and 80 GiB with Unsloth.
    let l70 = model("llama-3.3-70b");
    for (gib, tokens) in [(48, 12_106), (80, 89_389)] {
        let e = estimate_training(&l70, &card(gib), &qlora(Framework::Unsloth, 32, tokens));
        let err = e.total_bytes as f64 / (gib * GIB) as f64 - 1.0;
        assert!(err.abs() < 0.07, "70B {gib} GiB at {tokens}: {err:+.3}");
    }
}

#[test]
fn longest_sequence_follows_the_card_and_the_stack() {
    let l8 = model("llama-3.1-8b");
    let at = |gib, fw| estimate_training(&l8, &card(gib), &qlora(fw, 32, 2048)).max_seq_len;
    // Unsloth's 80 GiB figure is 342,733 tokens; Hugging Face's 28,454.
    let (u, h) = (at(80, Framework::Unsloth), at(80, Framework::Peft));
    assert!((u as f64 / 342_733.0 - 1.0).abs() < 0.05, "{u}");
    assert!((h as f64 / 28_454.0 - 1.0).abs() < 0.10, "{h}");
    assert!(at(24, Framework::Unsloth) < u);
}

#[test]
fn full_fine_tuning_is_sixteen_bit_weights_gradients_and_two_moments() {
    // Pure bf16 training (PyTorch AdamW keeps its moments in the parameters' dtype): 2 + 2 + 4
    // bytes per parameter, the "4 × the model" of PEFT's EuroPython 2024 talk.
    let l8 = model("llama-3-8b");
    let s = TrainSettings {
        method: Method::Full,
        seq_len: 1,
        ..TrainSettings::default()
    };
    let e = estimate_training(&l8, &card(80), &s);
    assert_eq!(
        e.weights_bytes + e.gradients_bytes + e.optimizer_bytes,
        8 * l8.params
    );
    assert_eq!(e.trainable_params, l8.params);
    assert_eq!(e.verdict, Verdict::FitsOnGpu);
    assert_eq!(
        estimate_training(&l8, &card(48), &s).verdict,
        Verdict::DoesNotFit
    );
    // 8-bit AdamW halves the optimizer states of a 16-bit model; SGD keeps one moment.
    for (opt, bytes) in [(Optimizer::Adamw8bit, 2), (Optimizer::Sgd, 2)] {
        let o = estimate_training(
            &l8,
            &card(80),
            &TrainSettings {
                optimizer: opt,
                ..s
            },
        );
        assert_eq!(o.optimizer_bytes, bytes * l8.params, "{opt:?}");
    }
}

#[test]
fn the_guides_fine_tuning_row_gemma_12b() {
    // The guide sizes "Fine-Tuning (LoRA / QLoRA)" of Gemma 12B at 64-128 GB and full
    // fine-tuning at 128 GB. QLoRA fits a 24 GB card; full fine-tuning needs a 128 GB DGX Spark.
    let cat = Catalog::builtin().unwrap();
    let g = model("gemma-3-12b");
    let hw = |id: &str| cat.find_hardware(id).unwrap().clone();
    let full = TrainSettings {
        method: Method::Full,
        ..TrainSettings::default()
    };
    assert_eq!(
        estimate_training(&g, &hw("tier-64"), &full).verdict,
        Verdict::DoesNotFit
    );
    assert_eq!(
        estimate_training(&g, &hw("dgx-spark"), &full).verdict,
        Verdict::FitsOnGpu
    );
    let q = estimate_training(&g, &hw("rtx-4090"), &TrainSettings::default());
    assert_eq!(q.verdict, Verdict::FitsOnGpu, "{q:?}");
}

#[test]
fn qlora_base_is_a_quarter_of_lora_and_checkpointing_saves_activations() {
    let l8 = model("llama-3.1-8b");
    let lora = TrainSettings {
        method: Method::Lora,
        ..qlora(Framework::Peft, 16, 4096)
    };
    let q = estimate_training(&l8, &card(80), &qlora(Framework::Peft, 16, 4096));
    let l = estimate_training(&l8, &card(80), &lora);
    assert!(
        q.weights_bytes < l.weights_bytes / 2,
        "{} {}",
        q.weights_bytes,
        l.weights_bytes
    );
    assert_eq!(q.trainable_params, l.trainable_params);
    let no_ckpt = estimate_training(
        &l8,
        &card(80),
        &TrainSettings {
            checkpointing: false,
            ..lora
        },
    );
    assert!(no_ckpt.activations_bytes > 2 * l.activations_bytes);
    // Batch 4 holds four times the activations.
    let b4 = estimate_training(&l8, &card(80), &TrainSettings { batch: 4, ..lora });
    assert_eq!(b4.activations_bytes, 4 * l.activations_bytes);
}

#[test]
fn adapters_on_the_last_blocks_keep_only_those_blocks_activations() {
    // mlx_lm.lora's default adapts the last 16 blocks; gradients never reach the others.
    let l3 = model("llama-3.2-3b");
    let s = |layers| TrainSettings {
        method: Method::Lora,
        framework: Framework::Mlx,
        rank: 8,
        targets: Targets::Qv,
        layers,
        seq_len: 512,
        batch: 4,
        checkpointing: false,
        optimizer: Optimizer::Adamw,
    };
    let all = estimate_training(&l3, &card(48), &s(None));
    let last16 = estimate_training(&l3, &card(48), &s(Some(16)));
    assert!(last16.activations_bytes < all.activations_bytes);
    assert_eq!(last16.trainable_params, 1_310_720);
}
