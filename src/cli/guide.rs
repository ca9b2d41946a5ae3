//! `fitcheck guide`: the source guide's claims next to the computed figures.

use std::io::Write;

use serde_json::json;

use super::table::Table;
use super::CliError;
use crate::catalog::Catalog;
use crate::guide::{check, tiers};

pub fn run(
    cat: &Catalog,
    as_json: bool,
    markdown: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let claims = check(cat);
    let tier_rows = tiers(cat);
    if as_json {
        let v = json!({"claims": claims, "tiers": tier_rows});
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
                "| {} | {} | ~{} GB | {:.1} GB | {} GB | {} | {} |",
                c.name,
                c.quant,
                c.claimed_gb,
                c.computed_gb,
                c.tier_gb,
                ctx(c.max_context_on_tier),
                c.note
            )?;
        }
        writeln!(out, "\n| tier | guide's practical context | computed largest context (Q4_K_M) | holds |\n|---:|---|---|---|")?;
        for r in &tier_rows {
            writeln!(
                out,
                "| {} GB | {} | {} | {} |",
                r.tier_gb,
                r.claimed,
                models_cell(r),
                r.word()
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
            format!("~{} GB", c.claimed_gb),
            format!("{:.1} GB", c.computed_gb),
            format!("{} GB", c.tier_gb),
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
            format!("{} GB", r.tier_gb),
            r.claimed.into(),
            models_cell(r),
        ]);
    }
    t.write(out)?;
    Ok(())
}
