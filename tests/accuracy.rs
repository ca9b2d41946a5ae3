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
        ("apple", 0.095),
        ("cuda", 0.10),
        ("rocm", 0.16),
        ("vulkan", 0.17),
        ("under-3b", 0.175),
        // 11.9 before the build-era fix (session 6): rows whose build text is a date ("post
        // dated 2026-03-31") had been read as 2024 builds; as today's builds they give 12.6 %.
        ("at-depth", 0.135),
        ("multi-gpu", 0.085),
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
    // Prefill: in-sample figures of the prefill v2 model (per-format matmul rate, per-block
    // ubatch cost, weight reads per ubatch, windowed and absorbed-MLA attention, flash attention
    // on or off) with a layer split pipelining the whole prompt (docs/accuracy.md), plus about a
    // point. Held out it is 19.0 % (LODO, 1,283 rows). Re-baselined with the constants unchanged
    // when issue 10's fourth harvest added kyuz0's Strix Halo results.json (build 6486, 376
    // prefill rows, 17 models x 5 toolboxes x flash attention off/on): all 14.9 -> 18.6 % (bound
    // 16 -> 19.5), MoE 22.1 -> 32.0 (23 -> 33), ROCm 30.7 -> 33.8 (33 -> 35). On that machine the
    // estimator is 40-80 % high on MoE prefill (GLM-4.5-Air, Qwen3 30B-A3B) and 35-60 % low on
    // Llama 4 Scout, Gemma 3 27B BF16 and gpt-oss; docs/accuracy.md, for the prefill refit.
    for (name, bound) in [
        ("all", 0.195),
        ("multi-gpu", 0.15),
        ("apple", 0.065),
        ("cuda", 0.14),
        ("build ≤ 2024", 0.11),
        ("rocm", 0.35),
        ("vulkan", 0.25),
        // 21.4 before the build-era fix (session 6): MoE rows whose build text is a date, now
        // predicted as today's builds with constants fitted while they counted as 2024's: 22.1 %.
        ("moe", 0.33),
        ("at-depth", 0.19),
        // CPU prefill at each core class's per-thread matmul rate (session 6): in-sample 14.5 %.
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
