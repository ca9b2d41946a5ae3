//! The "why" line: which term dominates, and what would make it fit.

use crate::estimate::kv::KvType;
use crate::estimate::units::{fmt_gib, fmt_tokens};
use crate::estimate::{estimate, Estimate, Hardware, ModelSpec, Quant, Settings, Verdict};

/// One short sentence about the estimate, with the numbers that change the answer. `max_ctx` is
/// the largest context on the GPU alone, `smaller` the largest quant that fits there.
pub fn why(
    model: &ModelSpec,
    hw: &Hardware,
    s: &Settings,
    e: &Estimate,
    max_ctx: u32,
    smaller: Option<Quant>,
) -> String {
    let terms = [
        ("weights dominate", e.weights_bytes),
        ("KV cache dominates", e.kv_bytes),
        ("recurrent state dominates", e.state_bytes),
        ("overhead dominates", e.overhead_bytes),
    ];
    let dominant = terms
        .iter()
        .max_by_key(|(_, b)| *b)
        .map_or("weights dominate", |(t, _)| *t);
    if e.verdict == Verdict::FitsOnGpu {
        let pct = e.headroom_bytes as f64 / e.usable_bytes.max(1) as f64 * 100.0;
        if pct < 10.0 {
            return format!("{dominant}; only {pct:.0}% headroom left");
        }
        return format!(
            "{dominant}; {} to spare",
            fmt_gib(e.headroom_bytes.max(0) as u64)
        );
    }
    let mut fixes = Vec::new();
    if max_ctx >= 1024 && max_ctx < s.context && e.kv_bytes > e.weights_bytes / 10 {
        fixes.push(format!("context ≤ {}", fmt_tokens(max_ctx)));
    }
    if s.kv_type == KvType::F16 && e.kv_bytes > e.weights_bytes / 4 {
        let q8 = estimate(
            model,
            hw,
            &Settings {
                kv_type: KvType::Q8_0,
                ..*s
            },
        );
        if q8.verdict == Verdict::FitsOnGpu {
            fixes.push("q8_0 KV cache".into());
        }
    }
    if let Some(q) = smaller {
        fixes.push(q.label().to_string());
    }
    // All of it on the device: what the cards hold now (not the room a split leaves idle) plus
    // what went to RAM.
    let short = (e.device_held_bytes + e.host_bytes).saturating_sub(e.device_usable_bytes);
    if short > 0 && hw.has_gpu() {
        fixes.push(format!("+{} of GPU memory", fmt_gib(short)));
    }
    if fixes.is_empty() {
        dominant.to_string()
    } else {
        format!("{dominant}; to fit on the GPU: {}", fixes.join(" or "))
    }
}

/// Short advice against the guide's buying mistakes, for the selected model (at most a few lines).
pub fn buying_advice(
    model: &ModelSpec,
    s: &Settings,
    e: &Estimate,
    query: &str,
    all: &[&ModelSpec],
) -> Vec<String> {
    let mut out = Vec::new();
    // Total vs active parameters: memory vs speed.
    if model.active() < model.params * 9 / 10 {
        out.push(format!(
            "MoE: all {:.0}B weights set memory; only {:.1}B active per token set speed",
            model.params as f64 / 1e9,
            model.active() as f64 / 1e9
        ));
    }
    // A name that hides its size ("r1" finds a 1.5B distill and the 671B original).
    if let Some(warning) = size_spread_warning(query, all) {
        out.push(warning);
    }
    // Bandwidth, not TFLOPS, sets decode speed.
    if e.roofline_tps > 0.0 && e.decode_tps > 0.0 {
        out.push(format!(
            "decode is memory-bound: {:.0}% of the bandwidth roofline ({:.0} tok/s); more TFLOPS won't raise it",
            e.decode_tps / e.roofline_tps * 100.0,
            e.roofline_tps
        ));
    }
    // Context stuffing.
    let headroom_pct = e.headroom_bytes as f64 / e.usable_bytes.max(1) as f64 * 100.0;
    if e.kv_bytes > e.weights_bytes || (headroom_pct < 10.0 && e.kv_bytes > e.weights_bytes / 4) {
        let kv_per_token = e.kv_bytes as f64 / f64::from(s.context.max(1));
        let at_8k = kv_per_token * 8192.0 / (1u64 << 30) as f64;
        out.push(format!(
            "context stuffing: KV cache {} vs weights {}; retrieving 4–8K tokens needs ~{at_8k:.2} GiB, a q8_0 cache halves it",
            fmt_gib(e.kv_bytes),
            fmt_gib(e.weights_bytes)
        ));
    }
    out
}

/// Warns when the models matching a search differ in size by more than 10× within one name.
pub fn size_spread_warning(query: &str, matches: &[&ModelSpec]) -> Option<String> {
    let q = query.trim().to_lowercase();
    if q.len() < 2 {
        return None;
    }
    let hits: Vec<&&ModelSpec> = matches
        .iter()
        .filter(|m| m.name.to_lowercase().contains(&q) || m.family.to_lowercase().contains(&q))
        .collect();
    let smallest = hits.iter().min_by_key(|m| m.params)?;
    let largest = hits.iter().max_by_key(|m| m.params)?;
    (largest.params > smallest.params.saturating_mul(10)).then(|| {
        format!(
            "'{query}' names models from {:.1}B ({}) to {:.0}B ({}): check the size",
            smallest.params as f64 / 1e9,
            smallest.name,
            largest.params as f64 / 1e9,
            largest.name
        )
    })
}
