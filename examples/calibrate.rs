#![allow(clippy::unwrap_used, clippy::expect_used)] // a maintainer tool: panics on bad input are fine
//! Fits the per-backend physical constants (bandwidth and format efficiencies, fixed per-token
//! cost, prefill and attention efficiency) to measured tokens/s by coordinate descent on mean
//! |log(predicted / measured)|, with physical caps (no efficiency above 95 % of peak).
//!
//!   cargo run --release --example calibrate                 # fit on all rows, print constants
//!   cargo run --release --example calibrate -- --cv 5       # 5-fold cross-validated error
//!
//! The printed constants go into `src/estimate/speed.rs`; docs/accuracy.md records the runs.

use std::collections::BTreeMap;

use fitcheck::catalog::Catalog;
use fitcheck::estimate::{Backend, BackendConstants};
use fitcheck::validate::{stats, validate_with, Checked, Metric};

const BACKENDS: [Backend; 5] = [
    Backend::Cuda,
    Backend::Rocm,
    Backend::Metal,
    Backend::Vulkan,
    Backend::Cpu,
];
const PATH: &str = "tests/data/ground_truth_speed.csv";

fn subset_name(b: Backend) -> &'static str {
    match b {
        Backend::Cuda => "cuda",
        Backend::Rocm => "rocm",
        Backend::Metal => "apple",
        Backend::Vulkan => "vulkan",
        _ => "cpu",
    }
}

fn lookup(consts: &[BackendConstants; 5]) -> impl Fn(Backend) -> BackendConstants + '_ {
    move |b: Backend| {
        let b = if b == Backend::Sycl {
            Backend::Vulkan
        } else {
            b
        };
        consts[BACKENDS.iter().position(|x| *x == b).unwrap_or(0)]
    }
}

fn loss(
    csv: &str,
    cat: &Catalog,
    consts: &[BackendConstants; 5],
    backend: Backend,
    metric: Metric,
) -> (f64, usize) {
    let Ok(report) = validate_with(csv, cat, &lookup(consts)) else {
        return (f64::MAX, 0);
    };
    let errs: Vec<f64> = report
        .rows
        .iter()
        .filter(|r| r.metric == metric && r.subsets.contains(&subset_name(backend)))
        .map(|r| (r.predicted / r.measured).ln().abs())
        .collect();
    if errs.is_empty() {
        return (0.0, 0);
    }
    (errs.iter().sum::<f64>() / errs.len() as f64, errs.len())
}

/// Coordinate descent on one backend's constants for one metric.
fn fit_backend(
    csv: &str,
    cat: &Catalog,
    consts: &mut [BackendConstants; 5],
    bi: usize,
    metric: Metric,
) -> (f64, usize) {
    let b = BACKENDS[bi];
    let (mut best, n) = loss(csv, cat, consts, b, metric);
    if n < 5 {
        return (best, n); // too few rows to fit: keep the defaults
    }
    for step in [1.3, 1.1, 1.03] {
        for _round in 0..4 {
            let mut improved = false;
            let fields = if metric == Metric::Decode { 11 } else { 4 };
            for field in 0..fields {
                for dir in [step, 1.0 / step] {
                    let mut trial = *consts;
                    let c = &mut trial[bi];
                    let slot = match (metric, field) {
                        (Metric::Decode, 0) => &mut c.eta_weights,
                        (Metric::Decode, 1) => &mut c.eta_kv,
                        (Metric::Decode, 2) => &mut c.t_fixed,
                        (Metric::Decode, 3) => &mut c.moe_eta,
                        (Metric::Decode, 10) => &mut c.t_layer,
                        (Metric::Decode, f) => &mut c.format_eff[f - 4],
                        (Metric::Prefill, 0) => &mut c.prefill_eff,
                        (Metric::Prefill, 1) => &mut c.t_ubatch,
                        (Metric::Prefill, 2) => &mut c.moe_prefill,
                        (Metric::Prefill, _) => &mut c.attn_eff,
                    };
                    *slot *= dir;
                    // Physics: η × format efficiency is a fraction of peak bandwidth.
                    c.eta_weights = c.eta_weights.min(0.95);
                    c.eta_kv = c.eta_kv.min(0.95);
                    c.moe_eta = c.moe_eta.min(1.0);
                    c.moe_prefill = c.moe_prefill.min(1.0);
                    c.prefill_eff = c.prefill_eff.min(0.95);
                    // Attention kernels may run faster than the GEMMs, up to 95 % of peak.
                    c.attn_eff = c.attn_eff.min(0.95 / c.prefill_eff);
                    // llama.cpp's per-ubatch overhead is a few ms; more would absorb a missing term.
                    c.t_ubatch = c.t_ubatch.min(0.01);
                    c.format_eff.iter_mut().for_each(|e| *e = e.min(1.0));
                    let (l, _) = loss(csv, cat, &trial, b, metric);
                    if l < best - 1e-5 {
                        best = l;
                        *consts = trial;
                        improved = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }
    (best, n)
}

/// Splits CSV rows (by backend label) so each backend is fitted on its own rows only.
fn by_backend(header: &str, rows: &[&str]) -> Vec<String> {
    let col = header.split(',').position(|h| h == "backend").unwrap_or(7);
    BACKENDS
        .iter()
        .map(|b| {
            let keys: &[&str] = match b {
                Backend::Cuda => &["CUDA"],
                Backend::Rocm => &["ROCm"],
                Backend::Metal => &["Metal", "MTL", "MLX"],
                Backend::Vulkan => &["Vulkan"],
                _ => &["CPU"],
            };
            let mut text = format!("{header}\n");
            for r in rows
                .iter()
                .filter(|r| keys.iter().any(|k| csv_field(r, col).contains(k)))
            {
                text.push_str(r);
                text.push('\n');
            }
            text
        })
        .collect()
}

fn fit(header: &str, rows: &[&str], cat: &Catalog, verbose: bool) -> [BackendConstants; 5] {
    let split = by_backend(header, rows);
    let mut consts = BACKENDS.map(BackendConstants::of);
    for bi in 0..BACKENDS.len() {
        if BACKENDS[bi] == Backend::Cpu {
            continue; // a handful of CPU rows cannot support a fit
        }
        for metric in [Metric::Decode, Metric::Prefill] {
            let (l, n) = fit_backend(&split[bi], cat, &mut consts, bi, metric);
            if verbose {
                println!("{:?} {metric:?}: n={n} mean|log err|={l:.4}", BACKENDS[bi]);
            }
        }
    }
    consts
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let folds: Option<usize> = args
        .iter()
        .position(|a| a == "--cv")
        .and_then(|i| args.get(i + 1))
        .and_then(|k| k.parse().ok());
    let full = std::fs::read_to_string(PATH).unwrap();
    let cat = Catalog::builtin().unwrap();
    let mut lines = full.lines();
    let header = lines.next().unwrap_or_default();
    let rows: Vec<&str> = lines.collect();
    match folds {
        None => {
            let consts = fit(header, &rows, &cat, true);
            for (b, c) in BACKENDS.iter().zip(consts) {
                println!("{b:?} => {c:#?}");
            }
        }
        Some(k) => {
            // Each row's fold is fixed by its position, so runs are reproducible.
            let mut held_out: Vec<Checked> = Vec::new();
            for fold in 0..k {
                let train: Vec<&str> = rows
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % k != fold)
                    .map(|(_, r)| *r)
                    .collect();
                let test: Vec<&str> = rows
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % k == fold)
                    .map(|(_, r)| *r)
                    .collect();
                let consts = fit(header, &train, &cat, false);
                let text = format!("{header}\n{}\n", test.join("\n"));
                held_out.extend(validate_with(&text, &cat, &lookup(&consts)).unwrap().rows);
                eprintln!("fold {}/{k} done", fold + 1);
            }
            let mut groups: BTreeMap<(Metric, &str), Vec<f64>> = BTreeMap::new();
            for r in &held_out {
                groups.entry((r.metric, "all")).or_default().push(r.error());
                for s in &r.subsets {
                    groups.entry((r.metric, s)).or_default().push(r.error());
                }
            }
            println!("| metric | subset | n | median abs error | median bias | p90 abs error |");
            println!("|---|---|---:|---:|---:|---:|");
            for ((m, s), e) in groups {
                if let Some(st) = stats(&e) {
                    println!(
                        "| {} | {s} | {} | {:.1}% | {:+.1}% | {:.1}% |",
                        if m == Metric::Decode {
                            "decode"
                        } else {
                            "prefill"
                        },
                        st.n,
                        st.median_abs * 100.0,
                        st.median_signed * 100.0,
                        st.p90_abs * 100.0
                    );
                }
            }
        }
    }
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
