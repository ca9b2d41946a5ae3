#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and maintainer tools may panic on bad input
//! Fits the per-backend physical constants (bandwidth efficiencies, fixed per-token cost, prefill
//! efficiency) to measured tokens/s: coordinate descent on mean |log(predicted / measured)|.
//! Usage: cargo run --release --example calibrate [-- tests/data/ground_truth_speed.csv]
//! The printed constants go into `src/estimate/speed.rs`; docs/accuracy.md records the run.

use fitcheck::catalog::Catalog;
use fitcheck::estimate::{Backend, BackendConstants};
use fitcheck::validate::{validate_with, Metric};

const BACKENDS: [Backend; 5] = [
    Backend::Cuda,
    Backend::Rocm,
    Backend::Metal,
    Backend::Vulkan,
    Backend::Cpu,
];

fn loss(
    csv: &str,
    cat: &Catalog,
    consts: &[BackendConstants; 5],
    backend: Backend,
    metric: Metric,
) -> (f64, usize) {
    let idx = |b: Backend| BACKENDS.iter().position(|x| *x == b).unwrap_or(0);
    let lookup = |b: Backend| {
        consts[idx(if b == Backend::Sycl {
            Backend::Vulkan
        } else {
            b
        })]
    };
    let Ok(report) = validate_with(csv, cat, &lookup) else {
        return (f64::MAX, 0);
    };
    let name = match backend {
        Backend::Cuda => "cuda",
        Backend::Rocm => "rocm",
        Backend::Metal => "apple",
        Backend::Vulkan => "vulkan",
        _ => "cpu",
    };
    let errs: Vec<f64> = report
        .rows
        .iter()
        .filter(|r| r.metric == metric && r.subsets.contains(&name))
        .map(|r| (r.predicted / r.measured).ln().abs())
        .collect();
    if errs.is_empty() {
        return (0.0, 0);
    }
    (errs.iter().sum::<f64>() / errs.len() as f64, errs.len())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/data/ground_truth_speed.csv".into());
    let full = std::fs::read_to_string(path)?;
    let cat = Catalog::builtin()?;
    // Only a backend's own rows matter for its constants: pre-split the CSV by backend label.
    let mut lines = full.lines();
    let header = lines.next().unwrap_or_default();
    let backend_col = header.split(',').position(|h| h == "backend").unwrap_or(7);
    let rows: Vec<&str> = lines.collect();
    let subset = |b: Backend| {
        let keys: &[&str] = match b {
            Backend::Cuda => &["CUDA"],
            Backend::Rocm => &["ROCm"],
            Backend::Metal => &["Metal", "MTL", "MLX"],
            Backend::Vulkan => &["Vulkan"],
            _ => &["CPU"],
        };
        let mut text = format!("{header}\n");
        for r in &rows {
            let field = csv_field(r, backend_col);
            if keys.iter().any(|k| field.contains(k)) {
                text.push_str(r);
                text.push('\n');
            }
        }
        text
    };
    let mut consts = BACKENDS.map(BackendConstants::of);
    for (bi, &b) in BACKENDS.iter().enumerate() {
        let csv = subset(b);
        for metric in [Metric::Decode, Metric::Prefill] {
            let (mut best, n) = loss(&csv, &cat, &consts, b, metric);
            if n == 0 {
                continue;
            }
            for step in [1.3, 1.1, 1.03] {
                for _round in 0..4 {
                    let mut improved = false;
                    let fields = if metric == Metric::Decode { 10 } else { 4 };
                    for field in 0..fields {
                        for dir in [step, 1.0 / step] {
                            let mut trial = consts;
                            let c = &mut trial[bi];
                            let slot = match (metric, field) {
                                (Metric::Decode, 0) => &mut c.eta_weights,
                                (Metric::Decode, 1) => &mut c.eta_kv,
                                (Metric::Decode, 2) => &mut c.t_fixed,
                                (Metric::Decode, 3) => &mut c.moe_eta,
                                (Metric::Decode, f) => &mut c.format_eff[f - 4],
                                (Metric::Prefill, 0) => &mut c.prefill_eff,
                                (Metric::Prefill, 1) => &mut c.t_ubatch,
                                (Metric::Prefill, 2) => &mut c.moe_prefill,
                                (Metric::Prefill, _) => &mut c.attn_eff,
                            };
                            *slot *= dir;
                            // Physics: no efficiency above 95 % of peak.
                            c.eta_weights = c.eta_weights.min(0.95);
                            c.eta_kv = c.eta_kv.min(0.95);
                            c.moe_eta = c.moe_eta.min(1.0);
                            c.moe_prefill = c.moe_prefill.min(1.0);
                            // η × format efficiency is a fraction of peak bandwidth: keep it ≤ 0.95.
                            c.format_eff.iter_mut().for_each(|e| *e = e.min(1.0));
                            c.prefill_eff = c.prefill_eff.min(0.95);
                            c.attn_eff = c.attn_eff.min(1.0);
                            // llama.cpp's per-ubatch overhead is a few ms; more would absorb a missing term.
                            c.t_ubatch = c.t_ubatch.min(0.01);
                            let (l, _) = loss(&csv, &cat, &trial, b, metric);
                            if l < best - 1e-5 {
                                best = l;
                                consts = trial;
                                improved = true;
                            }
                        }
                    }
                    if !improved {
                        break;
                    }
                }
            }
            println!("{b:?} {metric:?}: n={n} mean|log err|={best:.4}");
        }
        println!("{:?} => {:#?}", b, consts[bi]);
    }
    Ok(())
}

/// The `i`-th field of a CSV line (quotes respected).
fn csv_field(line: &str, i: usize) -> String {
    let mut field = 0;
    let mut quoted = false;
    let mut out = String::new();
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                if field == i {
                    return out;
                }
                field += 1;
                out.clear();
            }
            _ => out.push(ch),
        }
    }
    out
}
