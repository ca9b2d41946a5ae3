#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Keeps the estimator's measured accuracy from regressing (targets from the catalog issue).

use fitcheck::catalog::Catalog;
use fitcheck::validate::{validate, Metric};

#[test]
fn decode_error_stays_within_targets() {
    let csv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/ground_truth_speed.csv"
    ))
    .unwrap();
    let report = validate(&csv, &Catalog::builtin().unwrap()).unwrap();
    let subsets = report.by_subset();
    let all = subsets[&(Metric::Decode, "all")];
    assert!(all.n >= 750, "rows checked: {}", all.n);
    assert!(
        all.median_abs <= 0.10,
        "decode median |error| {:.1}% > 10%",
        all.median_abs * 100.0
    );
    for name in [
        "moe",
        "apple",
        "cuda",
        "rocm",
        "vulkan",
        "under-3b",
        "at-depth",
        "multi-gpu",
    ] {
        let st = subsets[&(Metric::Decode, name)];
        // Issue 10's rule: a subset is held to a bound once it has 20 rows (under-3B has 4).
        if st.n < 20 {
            continue;
        }
        assert!(
            st.median_abs <= 0.20,
            "{name}: median |error| {:.1}% > 20% over {} rows",
            st.median_abs * 100.0,
            st.n
        );
    }
    // Prefill depends on kernels the rows rarely state; it is held to looser bounds, and the
    // layer-split pipeline keeps multi-GPU prompts in line with single cards.
    for (name, bound) in [("all", 0.22), ("multi-gpu", 0.25), ("apple", 0.12)] {
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
    let csv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/ground_truth_speed.csv"
    ))
    .unwrap();
    let report = validate(&csv, &Catalog::builtin().unwrap()).unwrap();
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
