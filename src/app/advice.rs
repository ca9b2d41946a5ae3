//! The "why" line: which term dominates, and what would make it fit.

use crate::estimate::kv::KvType;
use crate::estimate::quant::QUANTS;
use crate::estimate::units::fmt_gib;
use crate::estimate::{estimate, Estimate, Hardware, ModelSpec, Quant, Settings, Verdict};

/// One short sentence about the estimate, with the numbers that change the answer.
pub fn why(model: &ModelSpec, hw: &Hardware, s: &Settings, e: &Estimate, max_ctx: u32) -> String {
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
        fixes.push(format!("context ≤ {max_ctx}"));
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
    if let Some(q) = smaller_quant_that_fits(model, hw, s) {
        fixes.push(q.label().to_string());
    }
    let short = (e.used_bytes as i64 - e.usable_bytes as i64).max(0) as u64;
    if short > 0 {
        fixes.push(format!("+{} memory", fmt_gib(short)));
    }
    if fixes.is_empty() {
        dominant.to_string()
    } else {
        format!("{dominant}; fits on GPU with {}", fixes.join(" · "))
    }
}

fn smaller_quant_that_fits(model: &ModelSpec, hw: &Hardware, s: &Settings) -> Option<Quant> {
    let start = QUANTS.iter().position(|q| *q == s.quant)?;
    QUANTS[start + 1..]
        .iter()
        .filter(|q| q.is_gguf() == s.quant.is_gguf())
        .find(|q| estimate(model, hw, &Settings { quant: **q, ..*s }).verdict == Verdict::FitsOnGpu)
        .copied()
}
