//! `fitcheck guide`: the source guide's claims next to the computed figures.

use std::io::Write;

use serde_json::json;

use super::table::Table;
use super::CliError;
use crate::catalog::Catalog;
use crate::estimate::units::fmt_gib;
use crate::guide::gb_to_gib;
use crate::guide::{check, tiers, use_cases_and_diffs, GUIDE_MIN_TPS, TIER_SIZES_GB};

pub fn run(
    cat: &Catalog,
    as_json: bool,
    markdown: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let claims = check(cat);
    let tier_rows = tiers(cat);
    let (use_cases, diffs) = use_cases_and_diffs(cat);
    if as_json {
        let v = json!({"claims": claims, "tiers": tier_rows, "use_cases": use_cases, "guide_picks": diffs});
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| CliError::Usage(e.to_string()))?
        )?;
        return Ok(());
    }
    let ctx = |c: u32| {
        if c == 0 {
            "does not fit".to_string()
        } else {
            format!("{}K", c / 1024)
        }
    };
    let models_cell = |r: &crate::guide::TierRow| {
        r.models
            .iter()
            .map(|(m, c)| format!("{m} {}", ctx(*c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if markdown {
        writeln!(out, "| model | quant | guide says | computed | tier | largest context on tier | verdict |\n|---|---|---:|---:|---:|---:|---|")?;
        for c in &claims {
            writeln!(
                out,
                "| {} | {} | ~{} GB ({:.1} GiB) | {:.1} GiB | {} GiB | {} | {} |",
                c.name,
                c.quant,
                c.claimed_gb,
                gb_to_gib(c.claimed_gb),
                gb_to_gib(c.computed_gb),
                c.tier_gb,
                ctx(c.max_context_on_tier),
                c.note
            )?;
        }
        writeln!(out, "\n| tier | guide's practical context | computed largest context (Q4_K_M) | holds |\n|---:|---|---|---|")?;
        for r in &tier_rows {
            writeln!(
                out,
                "| {} GiB | {} | {} | {} |",
                r.tier_gb,
                r.claimed,
                models_cell(r),
                r.word()
            )?;
        }
        writeln!(
            out,
            "\n| use case | {} |\n|---|{}",
            TIER_SIZES_GB
                .iter()
                .map(|g| format!("{g} GiB"))
                .collect::<Vec<_>>()
                .join(" | "),
            "---|".repeat(TIER_SIZES_GB.len())
        )?;
        for r in &use_cases {
            let cells: Vec<String> = r
                .picks
                .iter()
                .map(|p| {
                    p.as_ref().map_or("—".into(), |p| {
                        format!("{} ({})", p.name, fmt_gib(p.used_bytes))
                    })
                })
                .collect();
            writeln!(out, "| {} | {} |", r.use_case, cells.join(" | "))?;
        }
        writeln!(
            out,
            "\n| guide's use case | tier | guide's pick | agrees | why |\n|---|---:|---|---|---|"
        )?;
        for d in &diffs {
            writeln!(
                out,
                "| {} | {} GiB | {} | {} | {} |",
                d.guide_use_case,
                d.tier_gb,
                d.guide_model,
                if d.agrees { "yes" } else { "no" },
                d.note
            )?;
        }
        return Ok(());
    }
    writeln!(out, "Memory claims (weights; tier at 8K context):")?;
    let mut t = Table::new(&[
        "",
        "model",
        "quant",
        "guide",
        "computed",
        "tier",
        "max context",
        "verdict",
    ]);
    for c in &claims {
        t.row(vec![
            if c.holds { "✓" } else { "✗" }.into(),
            c.name.clone(),
            c.quant.into(),
            format!("~{} GB = {:.1} GiB", c.claimed_gb, gb_to_gib(c.claimed_gb)),
            format!("{:.1} GiB", gb_to_gib(c.computed_gb)),
            format!("{} GiB", c.tier_gb),
            ctx(c.max_context_on_tier),
            c.note.clone(),
        ]);
    }
    t.write(out)?;
    writeln!(out, "\nPractical context per tier (guide vs computed, Q4_K_M, f16 KV, usable memory of the tier):")?;
    let mut t = Table::new(&["", "tier", "guide", "computed"]);
    for r in &tier_rows {
        t.row(vec![
            r.symbol().into(),
            format!("{} GiB", r.tier_gb),
            r.claimed.into(),
            models_cell(r),
        ]);
    }
    t.write(out)?;
    writeln!(out, "\nBest models for common use cases (fitcheck recommend: best published score for the use case that fits with ≥10% headroom at ≥ {GUIDE_MIN_TPS:.0} tok/s; 8K context, long-context 128K):")?;
    let mut t = Table::new(&[
        "use case", "tier", "model", "quant", "score", "memory", "decode",
    ]);
    for r in &use_cases {
        for (i, (gb, pick)) in TIER_SIZES_GB.iter().zip(&r.picks).enumerate() {
            let label = if i == 0 { r.use_case } else { "" };
            let (model, quant, score, memory, decode) = match pick {
                Some(p) => (
                    p.name.clone(),
                    p.quant.to_string(),
                    format!("{:.1}", p.quality),
                    fmt_gib(p.used_bytes),
                    format!("{:.0} tok/s", p.decode_tps),
                ),
                None => (
                    "nothing qualifies".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
            };
            t.row(vec![
                label.into(),
                format!("{gb} GiB"),
                model,
                quant,
                score,
                memory,
                decode,
            ]);
        }
    }
    t.write(out)?;
    writeln!(out, "\nThe guide's picks against the recommender's:")?;
    for d in &diffs {
        writeln!(
            out,
            "{} {} ({} GiB): {}",
            if d.agrees { "✓" } else { "✗" },
            d.guide_use_case,
            d.tier_gb,
            d.note
        )?;
    }
    Ok(())
}
