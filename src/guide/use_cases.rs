//! "Best models for common use cases", recomputed with the recommender (`crate::recommend`):
//! for each use case and memory tier, the model × format with the best published score for the
//! use case that fits with 10 % headroom and decodes at least [`GUIDE_MIN_TPS`]. Then the
//! guide's own picks, each said to agree or not, and why.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::estimate::memo::Memo;
use crate::estimate::{Hardware, Settings};
use crate::quality::{
    default_context, format_score, metric_label, metrics_for, QualityData, USE_CASE_METRICS,
};
use crate::recommend::{recommend, Basis, MetricScores, Ranking, Request};

/// The memory tiers, GB.
pub const TIER_SIZES_GB: &[u32] = &[16, 24, 32, 48, 64, 96, 128];

/// Speed a pick must reach at the use case's context, tokens/s (interactive use).
pub const GUIDE_MIN_TPS: f64 = 10.0;

/// One use case across the tiers.
#[derive(Debug, Clone, Serialize)]
pub struct UseCaseRow {
    pub use_case: &'static str,
    /// The metric the picks are ranked by.
    pub metric: &'static str,
    /// Context the picks must hold, tokens.
    pub context: u32,
    /// Per tier (same order as [`TIER_SIZES_GB`]): the pick, or `None` when nothing qualifies.
    pub picks: Vec<Option<Pick>>,
}

/// The model chosen for one tier.
#[derive(Debug, Clone, Serialize)]
pub struct Pick {
    pub model: String,
    pub name: String,
    pub quant: &'static str,
    /// The use case's published score.
    pub quality: f64,
    /// Memory used at the settings, bytes.
    pub used_bytes: u64,
    /// Decode tokens/s at the use case's context.
    pub decode_tps: f64,
}

/// The guide's table: its use case, our use case, its model and the tier it names.
pub const GUIDE_PICKS: &[(&str, &str, &str, u32)] = &[
    ("Student Learning", "chat", "gemma-4-12b", 16),
    ("Coding Assistant", "coding", "qwen3.6-35b-a3b", 48),
    ("Coding (Budget)", "coding", "phi-4", 24),
    (
        "Mathematical Reasoning",
        "reasoning",
        "deepseek-r1-distill-qwen-32b",
        48,
    ),
    ("AI Agents & Tool Calling", "agents", "qwen3.6-35b-a3b", 48),
    ("RAG Systems", "rag", "qwen3.6-35b-a3b", 48),
    (
        "Long-Context Retrieval",
        "long-context",
        "llama-4-scout",
        64,
    ),
    (
        "Structured Output / JSON",
        "chat",
        "mistral-small-3.1-24b",
        32,
    ),
    ("Multi-Agent Workflows", "agents", "kimi-k2.6", 128),
];

/// The guide's pick next to the recommender's.
#[derive(Debug, Clone, Serialize)]
pub struct GuideDiff {
    pub guide_use_case: &'static str,
    pub use_case: &'static str,
    pub tier_gb: u32,
    pub guide_model: &'static str,
    /// The recommender's pick on that tier.
    pub ours: Option<String>,
    pub agrees: bool,
    /// Why they differ (or "same pick").
    pub note: String,
}

struct Rankings {
    rows: Vec<UseCaseRow>,
    /// `[use case][tier]`.
    full: Vec<Vec<Option<Ranking>>>,
}

fn rank_all(cat: &Catalog) -> Rankings {
    let Ok(data) = QualityData::builtin() else {
        return Rankings {
            rows: Vec::new(),
            full: Vec::new(),
        };
    };
    let quants = data.acceptable_quants();
    let tiers: Vec<Option<&Hardware>> = TIER_SIZES_GB
        .iter()
        .map(|gb| cat.find_hardware(&format!("tier-{gb}")).ok())
        .collect();
    let mut memo = Memo::default();
    let mut rows = Vec::new();
    let mut full = Vec::new();
    // The first metric of each use case's chain: one scale per column of the table.
    for &(use_case, metrics) in USE_CASE_METRICS {
        let metric = metrics[0];
        let scores = MetricScores::new(&cat.models, data.metric(metric));
        let basis = Basis {
            metric,
            scores: &scores,
            quants: &quants,
        };
        let context = default_context(use_case);
        let req = Request {
            settings: Settings {
                context,
                ..Settings::default()
            },
            min_tps: GUIDE_MIN_TPS,
            top: 3,
        };
        let per_tier: Vec<Option<Ranking>> = tiers
            .iter()
            .enumerate()
            .map(|(t, hw)| {
                Some(recommend(
                    &cat.models,
                    (*hw)?,
                    t as u64,
                    &basis,
                    &req,
                    &mut memo,
                ))
            })
            .collect();
        let picks = per_tier
            .iter()
            .map(|r| {
                let p = r.as_ref()?.recommendations.first()?;
                Some(Pick {
                    model: p.model.clone(),
                    name: p.name.clone(),
                    quant: p.quant,
                    quality: p.quality,
                    used_bytes: p.total_bytes,
                    decode_tps: p.decode_tps,
                })
            })
            .collect();
        rows.push(UseCaseRow {
            use_case,
            metric,
            context,
            picks,
        });
        full.push(per_tier);
    }
    Rankings { rows, full }
}

/// The table: one row per use case the recommender knows.
pub fn best_for_use_cases(cat: &Catalog) -> Vec<UseCaseRow> {
    rank_all(cat).rows
}

/// The recommender's table and the guide's picks checked against it.
pub fn use_cases_and_diffs(cat: &Catalog) -> (Vec<UseCaseRow>, Vec<GuideDiff>) {
    let all = rank_all(cat);
    let data = QualityData::builtin().ok();
    let diffs = GUIDE_PICKS
        .iter()
        .map(|&(label, use_case, model, tier_gb)| {
            let u = USE_CASE_METRICS.iter().position(|(x, _)| *x == use_case);
            let t = TIER_SIZES_GB.iter().position(|g| *g == tier_gb);
            let ranking = u
                .zip(t)
                .and_then(|(u, t)| all.full.get(u)?.get(t)?.as_ref());
            diff(
                cat,
                data.as_ref(),
                (label, use_case, model, tier_gb),
                ranking,
            )
        })
        .collect();
    (all.rows, diffs)
}

/// The table ranks by the first metric of each chain; a guide pick that only a later metric rates
/// (or that nothing rates) is said so, with the other scale's score or where it was looked for.
fn unrated_note(data: Option<&QualityData>, use_case: &str, model: &str) -> String {
    let Some(data) = data else {
        return "no score".to_string();
    };
    let later = metrics_for(use_case)
        .unwrap_or_default()
        .iter()
        .skip(1)
        .find_map(|m| Some((*m, data.metric(m).remove(model)?)));
    match (later, data.absence(model, use_case)) {
        (Some((m, s)), _) => {
            let (name, unit) = metric_label(m);
            format!(
                "only {name} rates it: {}, a different scale",
                format_score(s.value, unit)
            )
        }
        (None, Some(a)) => format!("no score: {}", a.why),
        (None, None) => "no score on any scale of the use case".to_string(),
    }
}

fn diff(
    cat: &Catalog,
    data: Option<&QualityData>,
    (label, use_case, model, tier_gb): (&'static str, &'static str, &'static str, u32),
    ranking: Option<&Ranking>,
) -> GuideDiff {
    let (metric_name, unit) = ranking.map_or(("score", ""), |r| metric_label(r.metric));
    let fmt = |v: f64| format_score(v, unit);
    let top = ranking.and_then(|r| r.recommendations.first());
    let ours = top.map(|p| p.name.clone());
    let guide_name = cat
        .find_model(model)
        .map_or(model.to_string(), |m| m.name.clone());
    let we_pick = top.map_or("nothing qualifies".to_string(), |p| {
        format!("{} at {} ({})", p.name, p.quant, fmt(p.quality))
    });
    let (agrees, note) = match ranking {
        _ if top.is_some_and(|p| p.model == model) => (true, "same pick".to_string()),
        None => (false, "tier missing from the catalog".to_string()),
        Some(r) => {
            if let Some(x) = r.excluded.iter().find(|x| x.model == model) {
                (
                    false,
                    format!(
                        "{guide_name}: {}; we pick {we_pick}",
                        x.reason.text(GUIDE_MIN_TPS)
                    ),
                )
            } else if let Some(p) = r.recommendations.iter().find(|p| p.model == model) {
                (
                    false,
                    format!(
                        "{guide_name} qualifies ({metric_name} {}) but {we_pick} scores higher",
                        fmt(p.quality)
                    ),
                )
            } else if r.unscored.iter().any(|&i| cat.models[i].id == model) {
                (
                    false,
                    format!(
                        "{guide_name} has no {metric_name} score ({}); we pick {we_pick}",
                        unrated_note(data, use_case, model)
                    ),
                )
            } else {
                (
                    false,
                    format!("{guide_name} ranks below our top 3; we pick {we_pick}"),
                )
            }
        }
    };
    GuideDiff {
        guide_use_case: label,
        use_case,
        tier_gb,
        guide_model: model,
        ours,
        agrees,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::comfortable;
    use crate::estimate::estimate;

    #[test]
    fn a_pick_the_table_scale_misses_says_which_scale_rates_it_or_where_it_was_looked_for() {
        let data = QualityData::builtin().expect("quality data");
        // Gemma 4 12B is not in the arena snapshot; AA's index rates it, in points.
        let note = unrated_note(Some(&data), "chat", "gemma-4-12b");
        assert!(
            note.starts_with("only AA Intelligence Index rates it: ") && !note.contains('%'),
            "{note}"
        );
        let note = unrated_note(Some(&data), "agents", "phi-4");
        assert!(note.starts_with("no score: AA lists Phi-4"), "{note}");
        // Index points are not percentages in the diff lines either.
        let cat = Catalog::builtin().expect("catalog");
        let (_, diffs) = use_cases_and_diffs(&cat);
        let rag = diffs
            .iter()
            .find(|d| d.use_case == "rag")
            .expect("rag pick");
        assert!(
            rag.note.contains("AA Intelligence Index") && !rag.note.contains('%'),
            "{}",
            rag.note
        );
    }

    #[test]
    fn every_pick_fits_comfortably_at_the_floor_and_48gb_coding_is_not_a_slow_dense_32b() {
        let cat = Catalog::builtin().expect("catalog");
        let (rows, diffs) = use_cases_and_diffs(&cat);
        assert_eq!(rows.len(), USE_CASE_METRICS.len());
        for row in &rows {
            for (gb, pick) in TIER_SIZES_GB.iter().zip(&row.picks) {
                let Some(p) = pick else { continue };
                let m = cat.find_model(&p.model).expect("id");
                let hw = cat.find_hardware(&format!("tier-{gb}")).expect("tier");
                let s = Settings {
                    quant: p.quant.parse().expect("quant"),
                    context: row.context,
                    ..Settings::default()
                };
                let e = estimate(m, hw, &s);
                assert!(comfortable(&e), "{} {gb}: {}", row.use_case, p.model);
                assert!(e.decode_tps_full_context >= GUIDE_MIN_TPS);
            }
        }
        let coding = rows
            .iter()
            .find(|r| r.use_case == "coding")
            .expect("coding");
        let p48 = coding.picks[3].as_ref().expect("a coding pick on 48 GB");
        assert!(p48.decode_tps >= GUIDE_MIN_TPS, "{p48:?}");
        assert_ne!(p48.model, "deepseek-r1-distill-qwen-32b");
        assert_eq!(diffs.len(), GUIDE_PICKS.len());
        assert!(diffs.iter().all(|d| !d.note.is_empty()));
    }
}
