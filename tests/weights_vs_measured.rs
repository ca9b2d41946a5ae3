#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Weight bytes against every measured model size in tests/data/ground_truth_memory.csv whose
//! quant is a plain llama-quantize recipe (UD/_L/_XL/QAT files use other recipes by design).

use fitcheck::catalog::Catalog;
use fitcheck::estimate::units::{GB, GIB, MIB};
use fitcheck::estimate::weights::weight_table;
use fitcheck::validate::parse_quant_label;

#[test]
fn weights_within_two_percent_of_measured_sizes() {
    let cat = Catalog::builtin().unwrap();
    let mut rdr = csv::Reader::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/ground_truth_memory.csv"
    ))
    .unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for rec in rdr.deserialize::<std::collections::HashMap<String, String>>() {
        let r = rec.unwrap();
        let metric = &r["metric"];
        if !(metric.starts_with("model_weights_size") || metric == "gguf_file_size") {
            continue;
        }
        let label = &r["quant"];
        if ["UD-", "_L", "_XL", "QAT", "likely", "("]
            .iter()
            .any(|k| label.contains(k))
        {
            continue;
        }
        let name = r["model"].split(" (").next().unwrap();
        if name.to_lowercase().contains("qat") {
            continue; // Google's QAT GGUFs keep their own embedding type (spec §1.7)
        }
        let Ok(model) = cat.find_model(name) else {
            continue;
        };
        let Some(quant) = parse_quant_label(label) else {
            continue;
        };
        let unit = &r["unit"];
        let value: f64 = r["value"].parse().unwrap();
        let measured = if unit.starts_with("GiB") {
            value * GIB as f64
        } else if unit.starts_with("MiB") {
            value * MIB as f64
        } else {
            value * GB as f64
        };
        let ours = weight_table(model, quant).loaded_bytes() as f64;
        let err = ours / measured - 1.0;
        if let Some((_, _, why)) = NOT_STOCK.iter().find(|(m, q, _)| *m == name && *q == label) {
            // Still far off, or the exception is stale and must go.
            assert!(
                err.abs() > 0.1,
                "{name} {label} now matches: drop it ({why})"
            );
            continue;
        }
        checked += 1;
        if err.abs() > 0.02 {
            failures.push(format!(
                "{name} {label}: ours {:.2} GB vs measured {:.2} GB ({:+.1}%)",
                ours / 1e9,
                measured / 1e9,
                err * 100.0
            ));
        }
    }
    assert!(checked >= 30, "only {checked} rows checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} off by more than 2%:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Measured files that are evidently not llama-quantize's stock recipe for their label, with why.
const NOT_STOCK: &[(&str, &str, &str)] = &[(
    "Nemotron-3-Super-120B-A12B",
    "Q4_K",
    "ggml-org's DGX Spark bench file: 65.1 GiB is 4.63 bits per weight over 120.67 B, below the \
     stock Q4_K_M once the 2688-wide expert down rows fall back to Q5_0/Q8_0 (80.1 GiB; unsloth's \
     UD-Q4_K_XL is 78.0 GiB); the same recipe gives Nemotron 3 Nano 30B-A3B's Q4_K_M within 1 %",
)];
