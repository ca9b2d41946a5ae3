//! The "why" line: which term dominates, and what would make it fit.

use crate::estimate::kv::KvType;
use crate::estimate::quant::QUANTS;
use crate::estimate::units::fmt_gib;
use crate::estimate::{estimate, Estimate, Hardware, ModelSpec, Settings, Verdict};

/// One short sentence about the estimate, with the numbers that change the answer.
pub fn why(model: &ModelSpec, hw: &Hardware, s: &Settings, e: &Estimate, max_ctx: u32) -> String {
    let terms = [
        ("weights", e.weights_bytes),
        ("KV cache", e.kv_bytes),
        ("recurrent state", e.state_bytes),
        ("overhead", e.overhead_bytes),
    ];
    let (dominant, _) = terms
        .iter()
        .max_by_key(|(_, b)| *b)
        .copied()
        .unwrap_or(("weights", 0));
    if e.verdict == Verdict::FitsOnGpu {
        let pct = e.headroom_bytes as f64 / e.usable_bytes.max(1) as f64 * 100.0;
        if pct < 10.0 {
            return format!("{dominant} dominate; fits with only {pct:.0}% headroom — a longer context will not fit");
        }
        return format!(
            "{dominant} dominate; fits with {} to spare",
            fmt_gib(e.headroom_bytes.max(0) as u64)
        );
    }
    let mut fixes = Vec::new();
    if let Some(q) = smaller_quant_that_fits(model, hw, s) {
        fixes.push(format!("{q}"));
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
        if q8.verdict < e.verdict {
            fixes.push("q8_0 KV cache".into());
        }
    }
    if max_ctx >= 1024 && max_ctx < s.context {
        fixes.push(format!("context ≤ {max_ctx}"));
    }
    let short = (e.used_bytes as i64 - e.usable_bytes as i64).max(0) as u64;
    if short > 0 {
        fixes.push(format!("{} more memory", fmt_gib(short)));
    }
    let what = match e.verdict {
        Verdict::PartialOffload => "runs with layers in RAM (slow)",
        Verdict::CpuOnly => "runs on the CPU only",
        _ => "does not fit",
    };
    if fixes.is_empty() {
        format!("{dominant} dominate; {what}")
    } else {
        format!(
            "{dominant} dominate; {what} — fits on GPU with {}",
            fixes.join(", or ")
        )
    }
}

fn smaller_quant_that_fits(
    model: &ModelSpec,
    hw: &Hardware,
    s: &Settings,
) -> Option<crate::estimate::Quant> {
    let start = QUANTS.iter().position(|q| *q == s.quant)?;
    QUANTS[start + 1..]
        .iter()
        .filter(|q| q.is_gguf() == s.quant.is_gguf())
        .find(|q| estimate(model, hw, &Settings { quant: **q, ..*s }).verdict == Verdict::FitsOnGpu)
        .copied()
}
