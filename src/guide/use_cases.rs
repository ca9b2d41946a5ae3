//! "Best models for common use cases", recomputed: for each use case tagged in the catalog and
//! each memory tier, the largest recent model with that tag that fits comfortably (released within
//! a year of the catalog's newest; older ones only when no recent one fits). Size and recency stand
//! in for capability here; fitcheck judges fit and speed, not answer quality.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::estimate::{estimate, Estimate, Settings};

/// The use cases shown, in the guide's order of importance.
pub const USE_CASES: &[&str] = &[
    "chat",
    "coding",
    "reasoning",
    "agents",
    "math",
    "rag",
    "long-context",
    "vision",
];

/// The memory tiers, GB.
pub const TIER_SIZES_GB: &[u32] = &[16, 24, 32, 48, 64, 96, 128];

/// One use case across the tiers.
#[derive(Debug, Clone, Serialize)]
pub struct UseCaseRow {
    pub use_case: &'static str,
    /// Per tier (same order as [`TIER_SIZES_GB`]): the pick, or `None` when nothing fits.
    pub picks: Vec<Option<Pick>>,
}

/// The model chosen for one tier.
#[derive(Debug, Clone, Serialize)]
pub struct Pick {
    pub model: String,
    pub name: String,
    /// Memory used at the settings, bytes.
    pub used_bytes: u64,
    pub decode_tps: f64,
}

/// The table at Q4_K_M, 8K context, f16 KV, one sequence.
pub fn best_for_use_cases(cat: &Catalog) -> Vec<UseCaseRow> {
    let settings = Settings {
        context: 8192,
        ..Settings::default()
    };
    let tiers: Vec<_> = TIER_SIZES_GB
        .iter()
        .map(|gb| cat.find_hardware(&format!("tier-{gb}")).ok())
        .collect();
    let newest = cat
        .models
        .iter()
        .filter_map(|m| m.released.as_deref())
        .max();
    let recent_since = newest.map(year_before);
    let is_recent = |m: &crate::estimate::ModelSpec| matches!((m.released.as_deref(), recent_since.as_deref()), (Some(r), Some(c)) if r >= c);
    let tagged: Vec<_> = cat
        .models
        .iter()
        .filter(|m| USE_CASES.iter().any(|u| m.use_cases.iter().any(|t| t == u)))
        .collect();
    // One estimate per (model, tier), shared by every use case.
    let fits: Vec<Vec<Option<Estimate>>> = tagged
        .iter()
        .map(|m| {
            tiers
                .iter()
                .map(|hw| {
                    let e = estimate(m, (*hw)?, &settings);
                    crate::compare::comfortable(&e).then_some(e)
                })
                .collect()
        })
        .collect();
    USE_CASES
        .iter()
        .map(|&use_case| {
            let picks = (0..tiers.len())
                .map(|t| {
                    tagged
                        .iter()
                        .zip(&fits)
                        .filter(|(m, _)| m.use_cases.iter().any(|u| u == use_case))
                        .filter_map(|(m, row)| row[t].as_ref().map(|e| (m, e)))
                        .max_by(|(a, _), (b, _)| {
                            is_recent(a)
                                .cmp(&is_recent(b))
                                .then(a.params.cmp(&b.params))
                                .then_with(|| b.id.cmp(&a.id))
                        })
                        .map(|(m, e)| Pick {
                            model: m.id.clone(),
                            name: m.name.clone(),
                            used_bytes: e.used_bytes,
                            decode_tps: e.decode_tps,
                        })
                })
                .collect();
            UseCaseRow { use_case, picks }
        })
        .collect()
}

/// `YYYY-MM` one year earlier (`2026-03` → `2025-03`).
fn year_before(date: &str) -> String {
    match date.split_once('-') {
        Some((y, rest)) => match y.parse::<u32>() {
            Ok(y) => format!("{}-{rest}", y.saturating_sub(1)),
            Err(_) => date.to_string(),
        },
        None => date.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_tier_gets_a_larger_pick_and_every_pick_fits() {
        let cat = Catalog::builtin().expect("catalog");
        let rows = best_for_use_cases(&cat);
        let coding = rows
            .iter()
            .find(|r| r.use_case == "coding")
            .expect("coding");
        let params: Vec<u64> = coding
            .picks
            .iter()
            .map(|p| {
                p.as_ref()
                    .map_or(0, |p| cat.find_model(&p.model).expect("id").params)
            })
            .collect();
        assert!(
            params.windows(2).all(|w| w[0] <= w[1] || w[1] == 0),
            "{params:?}"
        );
        assert!(params[0] > 0 && params[6] > params[0], "{params:?}");
        for (gb, pick) in TIER_SIZES_GB.iter().zip(&coding.picks) {
            let used = pick.as_ref().expect("some coding model fits").used_bytes;
            assert!(used < u64::from(*gb) << 30, "{gb} GB: {used}");
        }
    }
}
