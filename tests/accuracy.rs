#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Keeps the estimator's measured accuracy on every measurement file from regressing (bounds on
//! in-sample error per subset, issue 10).

use fitcheck::catalog::Catalog;
use fitcheck::validate::{validate, Metric};

/// Every measurement file the calibration uses, as one CSV (they share the header).
fn all_rows() -> String {
    let mut out = String::new();
    for name in [
        "ground_truth_speed.csv",
        "measured_llamacpp_speed.csv",
        "public_speed_2025_2026.csv",
    ] {
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let body = if out.is_empty() {
            text.as_str()
        } else {
            text.split_once('\n').map_or("", |(_, rest)| rest)
        };
        out.push_str(body);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[test]
fn decode_error_stays_within_targets() {
    let report = validate(&all_rows(), &Catalog::builtin().unwrap()).unwrap();
    let subsets = report.by_subset();
    let all = subsets[&(Metric::Decode, "all")];
    assert!(all.n >= 1600, "rows checked: {}", all.n);
    // In-sample figures of the shipped constants on all three files (docs/accuracy.md has the
    // held-out ones), re-baselined on 2026-11-26 (issue 10, decode second pass: 1,688 rows,
    // P100/V100 presets): all 11.3 %, MoE 17.4, Apple 8.8, CUDA 7.7, ROCm 15.1, Vulkan 15.8,
    // under 3B 16.1, at depth 11.9, multi-GPU 7.4, builds 2025+ 14.7, MLX 16.4 %; each bound is
    // that figure plus about a point, so a regression fails. CUDA was re-baselined (8.5 -> 10 %)
    // when issue 10's fourth harvest added 86 CUDA llama-server rows (pavlokhmel's 13-GPU table,
    // wall-clock rates the estimator puts 38 % high) with the constants unchanged: 7.7 -> 9.1 %.
    assert!(
        all.median_abs <= 0.12,
        "decode median |error| {:.1}% > 12%",
        all.median_abs * 100.0
    );
    for (name, bound) in [
        ("moe", 0.185),
        // 0.095 -> 0.125 (issue 10, data7): 100 client-timed decode rows of one M3 Max (Ollama,
        // oMLX, mlx-lm, llama-server, AlexHiesch/apple-silicon-llm-bench) came in at 11.9 % with
        // the constants unchanged; Ollama's Qwen3.5 35B-A3B runs at half the llama.cpp rate.
        ("apple", 0.125),
        ("cuda", 0.10),
        ("rocm", 0.16),
        ("vulkan", 0.17),
        ("under-3b", 0.175),
        // 11.9 before the build-era fix (session 6): rows whose build text is a date ("post
        // dated 2026-03-31") had been read as 2024 builds; as today's builds they give 12.6 %.
        // 0.135 -> 0.16 (issue 10, data7): the same M3 Max rows at 32K-128K depth: 15.0 %.
        ("at-depth", 0.16),
        // 0.085 -> 0.09 (issue 10, data8): kyuz0's R9700 results.json of build 7423 adds 38 decode
        // rows of Devstral 2 123B Q3_K_S on two R9700s (layer split) with the constants unchanged:
        // 8.6 % over 470 rows.
        ("multi-gpu", 0.09),
        ("build 2025+", 0.16),
        ("partial-offload", 0.12),
        ("mlx", 0.175),
        // CPU-only, per-thread rates per core class (session 6): in-sample 8.8 % (x86 8.8).
        ("cpu", 0.10),
        ("cpu x86", 0.10),
    ] {
        let st = subsets[&(Metric::Decode, name)];
        // Issue 10's rule: a subset is held to a bound once it has 20 rows.
        if st.n < 20 {
            continue;
        }
        assert!(
            st.median_abs <= bound,
            "{name}: median |error| {:.1}% > {:.0}% over {} rows",
            st.median_abs * 100.0,
            bound * 100.0,
            st.n
        );
    }
    // Prefill: in-sample figures of the shipped constants (docs/accuracy.md, "Prefill v3": ROCm
    // builds before the WMMA matmul kernels fitted apart, rocBLAS-forced runs left out, the
    // two-card R9700 preset; "Prefill v4", session 7: those builds' FP16 copy of each
    // dequantized matrix, Tensile-default runs left out, that slot refitted) on 1,681 rows: all
    // 16.5 %, multi-GPU 16.6, Apple 6.9, CUDA 14.0, builds ≤ 2024 9.9, ROCm 24.6, Vulkan 24.4,
    // MoE 24.7, at depth 18.4 %, plus about a point. Session 7 moved all 18 -> 17.5, ROCm
    // 32.5 -> 25.5 and MoE 30 -> 25.5 % (session 6's: ROCm 31.3, MoE 28.7 % on its 1,646 rows).
    // 2026 R9700 matrix (issue 10, data8; kyuz0 results.json build 8990, 270 prefill rows with the
    // constants unchanged): pp2048 at 16-64K depth on one R9700 comes in 30-70 % high on ROCm and
    // about 50 % low on RADV, and AMDVLK's pp512 half the rate RADV reaches: all 17.5 -> 19
    // (measured 18.0 %), multi-GPU 17.5 -> 18.5 (17.6), Vulkan 26.5 -> 30.5 (29.6), at-depth
    // 20 -> 26 (25.0). Left for the prefill refit (prefill8), not bent here.
    // Prefill v5 (issue 10, prefill8: each card's matmuls held to its board power, every GPU
    // arm's prefill fields refitted; on main 626d874's 1,944 rows all 18.0 -> 16.9 %, CUDA
    // 14.0 -> 12.4, Vulkan 29.6 -> 27.8, at depth 25.0 -> 24.1 %). On main 9b0f751's 2,018
    // rows: all 17.1 %, CUDA 12.4, multi-GPU 18.0, ROCm 21.9, Vulkan 28.6, MoE 23.5, at depth
    // 22.1 %; all 0.19 -> 0.18 and CUDA 0.15 -> 0.135.
    // Session 8 presets (issue 10, data8: Arc Pro B70, Lunar Lake and Meteor Lake iGPUs, RX 5700
    // XT, RTX 2070, and `X (N GPUs)` read as N single cards) bring 90 prefill rows into the check
    // with the v5 constants unchanged: Intel GPUs prefill at a fraction of their XMX rate (B70
    // up to 7x under the estimate, two A770s 6x), the V100/P100 pairs' MoE rows 50-470 % high.
    // On 2,108 rows: all 17.1 -> 18.0 %, CUDA 12.4 -> 13.5, multi-GPU 18.0 -> 21.0, Vulkan 28.6
    // -> 31.8, MoE 23.5 -> 25.4; bounds all 0.18 -> 0.19, CUDA 0.135 -> 0.145, multi-GPU 0.185
    // -> 0.22, Vulkan 0.305 -> 0.33, MoE 0.255 -> 0.265, until the prefill refit takes them in.
    // Prefill v5 refitted on those rows (prefill8, main a43f75c; the fit minimises the mean
    // |log error|, not the median): all 18.6, CUDA 14.8 (the V100/P100 pairs' rows pull it),
    // multi-GPU 18.2, ROCm 21.8, Vulkan 31.6, MoE 25.6, at depth 24.0 %; CUDA 0.145 -> 0.155.
    for (name, bound) in [
        ("all", 0.19),
        ("multi-gpu", 0.22),
        ("apple", 0.07),
        ("cuda", 0.155),
        ("build ≤ 2024", 0.11),
        ("rocm", 0.255),
        // 0.245 -> 0.255 (issue 10, data7): 5 new Vulkan prefill rows (RTX 3090 master of
        // 2026-05, RX 7900 XTX build 7361) the constants put 40-60 % low: 24.8 %.
        // 0.255 -> 0.265 (issue 10, vk7): Vulkan refitted without the SYCL rows (its own slot
        // now) and with the Intel term: 25.8 % (the fit minimises the mean |log error|, not the
        // median; Vulkan decode 15.8 -> 10.9 % in-sample).
        ("vulkan", 0.33),
        ("moe", 0.265),
        // 0.165 -> 0.19 (issue 10, data7): the MI50 README's pp2048 at a 32K depth (one MI50
        // and one R9700, 2026 builds) came in at 18.4 % with the constants unchanged.
        // 0.19 -> 0.20 (issue 10, vk7): the Vulkan arm refitted on today's rows: 19.2 %.
        // 0.26 -> 0.30 (issue 10, data8): the same toolbox matrix at build 7423 (Ministral 3
        // 8B/14B BF16, Devstral 2 123B; pp2048 at 16K and 32K depth on ROCm 6.4.4-7.9 and
        // Vulkan): 29.0 % with the constants unchanged. Left for the prefill refit.
        ("at-depth", 0.30),
        // CPU prefill at each core class's per-thread matmul rate (session 6): in-sample 14.5 %;
        // 14.7 % after session 10's CPU refit (the Ryzen AI 9 HX 370 rows).
        ("cpu", 0.155),
        ("cpu x86", 0.155),
    ] {
        let st = subsets[&(Metric::Prefill, name)];
        assert!(
            st.median_abs <= bound,
            "prefill {name}: median |error| {:.1}% > {:.0}%",
            st.median_abs * 100.0,
            bound * 100.0
        );
    }
}

#[test]
fn no_estimate_beats_the_roofline() {
    let report = validate(&all_rows(), &Catalog::builtin().unwrap()).unwrap();
    for r in report
        .rows
        .iter()
        .filter(|r| r.metric == Metric::Decode && r.roofline > 0.0)
    {
        assert!(
            r.predicted <= r.roofline * 1.0001,
            "line {}: {} > roofline {}",
            r.line,
            r.predicted,
            r.roofline
        );
    }
}
