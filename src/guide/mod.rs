//! The source guide's figures, checked. Its claims are data (what it says); every number next to
//! them is computed by the estimator, and each claim is judged: holds, or wrong with the figure.

mod use_cases;

pub use use_cases::{
    best_for_use_cases, use_cases_and_diffs, GuideDiff, UseCaseRow, GUIDE_MIN_TPS, GUIDE_PICKS,
    TIER_SIZES_GB,
};

use serde::Serialize;

use crate::catalog::Catalog;
use crate::estimate::units::GB;
use crate::estimate::weights::weight_table;
use crate::estimate::{estimate, max_context, Quant, Settings, Verdict};

/// A figure the guide gives in GB (10^9 bytes) in GiB, the app's unit. Its tiers are memory
/// sizes, which vendors sell in GiB ("16 GB" of RAM is 16 GiB), so they keep their number.
pub fn gb_to_gib(gb: f64) -> f64 {
    gb * GB as f64 / crate::estimate::units::GIB as f64
}

/// One memory claim of the guide ("Llama 4 Scout ~45 GB").
pub struct Claim {
    /// Catalog model id.
    pub model: &'static str,
    /// The quantization the claim is about (the guide's "4-bit" is Q4_K_M; QAT Gemma is Q4_0).
    pub quant: Quant,
    /// What the guide says, GB.
    pub claimed_gb: f64,
    /// The tier it recommends the model for, GB.
    pub tier_gb: u32,
    /// The use case it gives, if any.
    pub use_case: &'static str,
}

/// The guide's memory claims, in its order (tier recommendations, use-case table, 128 GB section).
pub const CLAIMS: &[Claim] = &[
    Claim {
        model: "gemma-4-12b",
        quant: Quant::Q4_0,
        claimed_gb: 7.0,
        tier_gb: 16,
        use_case: "Student learning (~8 GB)",
    },
    Claim {
        model: "phi-4",
        quant: Quant::Q4_K_M,
        claimed_gb: 9.0,
        tier_gb: 16,
        use_case: "Coding (budget)",
    },
    Claim {
        model: "qwen2.5-14b",
        quant: Quant::Q4_K_M,
        claimed_gb: 9.0,
        tier_gb: 16,
        use_case: "",
    },
    Claim {
        model: "mistral-small-3.1-24b",
        quant: Quant::Q4_K_M,
        claimed_gb: 18.0,
        tier_gb: 32,
        use_case: "Structured output / JSON",
    },
    Claim {
        model: "deepseek-r1-distill-qwen-32b",
        quant: Quant::Q4_K_M,
        claimed_gb: 20.0,
        tier_gb: 48,
        use_case: "Mathematical reasoning",
    },
    Claim {
        model: "qwen3.6-35b-a3b",
        quant: Quant::Q4_K_M,
        claimed_gb: 22.0,
        tier_gb: 48,
        use_case: "Coding, agents, RAG",
    },
    Claim {
        model: "qwen3-32b",
        quant: Quant::Q4_K_M,
        claimed_gb: 20.0,
        tier_gb: 48,
        use_case: "\"a 32B model at Q4_K_M ~20 GB\"",
    },
    Claim {
        model: "qwen3-32b",
        quant: Quant::F16,
        claimed_gb: 64.0,
        tier_gb: 128,
        use_case: "\"a 32B model at FP16 ~64 GB\"",
    },
    Claim {
        model: "llama-3.3-70b",
        quant: Quant::Q4_K_M,
        claimed_gb: 43.0,
        tier_gb: 64,
        use_case: "Planning, long documents",
    },
    Claim {
        model: "llama-4-scout",
        quant: Quant::Q4_K_M,
        claimed_gb: 45.0,
        tier_gb: 64,
        use_case: "Long-context retrieval",
    },
    Claim {
        model: "qwen3.5-122b-a10b",
        quant: Quant::Q4_K_M,
        claimed_gb: 75.0,
        tier_gb: 128,
        use_case: "Research",
    },
    Claim {
        model: "kimi-k2.6",
        quant: Quant::Q4_K_M,
        claimed_gb: 90.0,
        tier_gb: 128,
        use_case: "Multi-agent workflows",
    },
];

/// A claim with the computed figures and a judgement.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    /// Model id.
    pub model: String,
    /// Model name.
    pub name: String,
    /// Quantization.
    pub quant: &'static str,
    /// Guide's figure, GB.
    pub claimed_gb: f64,
    /// Computed weights, GB.
    pub computed_gb: f64,
    /// Tier the guide puts it in, GB.
    pub tier_gb: u32,
    /// Verdict on that tier at 8K context.
    pub verdict_on_tier: Verdict,
    /// Largest context that fits on that tier (0: none).
    pub max_context_on_tier: u32,
    /// Within 15 % of the claim.
    pub holds: bool,
    /// One sentence.
    pub note: String,
    /// Use case, if the guide gives one.
    pub use_case: &'static str,
}

/// Everything the guide view shows.
pub struct GuideTables {
    pub claims: Vec<Checked>,
    pub tiers: Vec<TierRow>,
    pub use_cases: Vec<UseCaseRow>,
    /// The guide's own picks against the recommender's.
    pub diffs: Vec<GuideDiff>,
}

impl GuideTables {
    /// Computes all three tables.
    pub fn compute(cat: &Catalog) -> GuideTables {
        let (use_cases, diffs) = use_cases_and_diffs(cat);
        GuideTables {
            claims: check(cat),
            tiers: tiers(cat),
            use_cases,
            diffs,
        }
    }
}

/// Checks every claim against the catalog and the estimator.
pub fn check(cat: &Catalog) -> Vec<Checked> {
    CLAIMS
        .iter()
        .filter_map(|c| {
            let m = cat.find_model(c.model).ok()?;
            let tier = cat.find_hardware(&format!("tier-{}", c.tier_gb)).ok()?;
            let w = weight_table(m, c.quant);
            let computed = w.loaded_bytes() as f64 / GB as f64;
            let s = Settings {
                quant: c.quant,
                context: 8192,
                ..Settings::default()
            };
            let e = estimate(m, tier, &s);
            let max_ctx = max_context(m, tier, &s, &w);
            let err = computed / c.claimed_gb - 1.0;
            let holds = err.abs() <= 0.15;
            // Judged in the guide's own unit (GB), told in the app's (GiB).
            let computed_gib = gb_to_gib(computed);
            let note = if holds {
                format!("holds: {computed_gib:.1} GiB computed")
            } else if err > 0.0 {
                format!(
                    "guide is wrong: needs {computed_gib:.1} GiB, {:.0}% more than it says",
                    err * 100.0
                )
            } else {
                format!("guide overstates: {computed_gib:.1} GiB computed")
            };
            let note = if e.verdict == Verdict::DoesNotFit {
                format!("{note}; does not fit its {} GiB tier", c.tier_gb)
            } else {
                note
            };
            Some(Checked {
                model: m.id.clone(),
                name: m.name.clone(),
                quant: c.quant.label(),
                claimed_gb: c.claimed_gb,
                computed_gb: (computed * 100.0).round() / 100.0,
                tier_gb: c.tier_gb,
                verdict_on_tier: e.verdict,
                max_context_on_tier: max_ctx,
                holds: holds && e.verdict != Verdict::DoesNotFit,
                note,
                use_case: c.use_case,
            })
        })
        .collect()
}

/// Every model the guide recommends (its tier rows, memory claims and use-case table), each once,
/// in the guide's order.
pub fn recommended_models() -> Vec<&'static str> {
    let mut seen = Vec::new();
    let all = TIERS
        .iter()
        .flat_map(|t| t.1.iter().copied())
        .chain(CLAIMS.iter().map(|c| c.model))
        .chain(GUIDE_PICKS.iter().map(|p| p.2));
    for m in all {
        if !seen.contains(&m) {
            seen.push(m);
        }
    }
    seen
}

/// The guide's "What hardware do you need" rows: tier, its models, and its practical context.
pub const TIERS: &[(u32, &[&str], &str, u32)] = &[
    (16, &["gemma-4-12b", "phi-4"], "16K–32K", 16_384),
    (
        24,
        &["phi-4", "qwen2.5-14b", "ministral-3-14b"],
        "32K–64K",
        32_768,
    ),
    (
        32,
        &["deepseek-r1-distill-qwen-32b", "mistral-small-3.1-24b"],
        "64K+",
        65_536,
    ),
    (
        48,
        &["qwen3.6-35b-a3b", "deepseek-r1-distill-qwen-32b"],
        "128K+",
        131_072,
    ),
    (64, &["llama-3.3-70b", "llama-4-scout"], "128K+", 131_072),
    (
        128,
        &["qwen3.5-122b-a10b", "kimi-k2.6"],
        "very large",
        262_144,
    ),
];

/// A tier row recomputed: the largest context each recommended model reaches at Q4_K_M.
#[derive(Debug, Clone, Serialize)]
pub struct TierRow {
    /// Tier, GB.
    pub tier_gb: u32,
    /// The guide's practical context.
    pub claimed: &'static str,
    /// (model id, largest context that fits on the GPU; 0 = does not fit).
    pub models: Vec<(String, u32)>,
    /// Every model reaches the lower bound of the claim.
    pub holds: bool,
    /// How many of the models reach it.
    pub holds_for: usize,
}

impl TierRow {
    /// ✓ all models reach the claim, ~ some do, ✗ none.
    pub fn symbol(&self) -> &'static str {
        ["✗", "~", "✓"][self.grade()]
    }

    /// The same in words, for Markdown.
    pub fn word(&self) -> &'static str {
        ["no", "partly", "yes"][self.grade()]
    }

    /// 0 none, 1 some, 2 all.
    pub fn grade(&self) -> usize {
        match (self.holds, self.holds_for) {
            (true, _) => 2,
            (false, 0) => 0,
            _ => 1,
        }
    }
}

/// Recomputes the tier table.
pub fn tiers(cat: &Catalog) -> Vec<TierRow> {
    TIERS
        .iter()
        .filter_map(|(gb, models, claimed, lower)| {
            let hw = cat.find_hardware(&format!("tier-{gb}")).ok()?;
            let models: Vec<(String, u32)> = models
                .iter()
                .filter_map(|id| cat.find_model(id).ok())
                .map(|m| {
                    let s = Settings {
                        context: 8192,
                        ..Settings::default()
                    };
                    let fits = estimate(m, hw, &s).verdict == Verdict::FitsOnGpu;
                    let ctx = if fits {
                        max_context(m, hw, &s, &weight_table(m, s.quant))
                    } else {
                        0
                    };
                    (m.id.clone(), ctx)
                })
                .collect();
            let reaching = |c: &u32| *c >= *lower.min(&131_072);
            let holds_for = models.iter().filter(|(_, c)| reaching(c)).count();
            Some(TierRow {
                tier_gb: *gb,
                claimed,
                holds: !models.is_empty() && holds_for == models.len(),
                holds_for,
                models,
            })
        })
        .collect()
}
