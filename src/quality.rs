//! `assets/quality.ron`: published quality scores per model and metric, which models accept
//! images, and what each weight format loses against FP16. Every entry carries its source and
//! date; a model without an entry for a metric has no score for it (nothing is interpolated).

use std::collections::HashMap;

use serde::Deserialize;

use crate::catalog::CatalogError;
use crate::estimate::Quant;

/// The data shipped inside the binary.
pub const BUILTIN: &str = include_str!("../assets/quality.ron");

/// The use cases the recommender ranks, each by a chain of metrics. A chain's metrics are never
/// compared with each other: a model is ranked by the first metric that has a score for it, and
/// each metric ranks its own list (the first is the use case's ranking; the later ones list, on
/// their own scale, the models the earlier ones do not rate). Where a chain starts with an
/// independent measurement (Artificial Analysis ran one harness on every model), the vendors'
/// own figures for the same benchmark come after it, because their prompting differs.
pub const USE_CASE_METRICS: &[(&str, &[&str])] = &[
    ("chat", GENERAL_METRICS),
    (
        "coding",
        &["aa-livecodebench", "aa-coding-index", "livecodebench"],
    ),
    ("reasoning", &["aa-gpqa", "gpqa-diamond"]),
    ("agents", &["aa-agentic", "tau2-bench", "bfcl-v3"]),
    ("rag", &[AA_INDEX, LMARENA, OLL_MMLU_PRO]),
    ("long-context", &["aa-lcr", AA_INDEX]),
    ("vision", &["aa-mmmu-pro", "mmmu-pro"]),
];

/// Published scores kept as facts next to the ranked ones (shown by the data, never ranked by:
/// too few catalog models have them to rank a use case).
pub const RECORDED_METRICS: &[&str] = &["swe-bench-verified"];

/// LMArena's text leaderboard (style control), one snapshot: human preference, Elo.
pub const LMARENA: &str = "lmarena-text";
/// The Artificial Analysis Intelligence Index, one snapshot of AA's leaderboard (0-100).
pub const AA_INDEX: &str = "aa-intelligence";
/// MMLU-PRO as the Open LLM Leaderboard v2 ran it (one harness for every model it listed, 5-shot,
/// percent): the only general scale that rates many small and older open models.
pub const OLL_MMLU_PRO: &str = "oll-mmlu-pro";
/// The general scores, in the order the general use cases consult them. Three scales: a model's
/// general score is its LMArena Elo if the arena rates it, else its AA index, else its Open LLM
/// Leaderboard MMLU-PRO, and no two are ever put in one ranking.
pub const GENERAL_METRICS: &[&str] = &[LMARENA, AA_INDEX, OLL_MMLU_PRO];
/// The first general score (kept for callers that want the arena scale only).
pub const GENERAL_METRIC: &str = LMARENA;

/// Weight formats whose published mean KL divergence against FP16 exceeds this are never
/// recommended: past it the quantized model's top token differs at over 10 % of positions
/// (RMS Δp 10.1 % at Q3_K_M on llama.cpp's LLaMA 3 8B scoreboard).
pub const MAX_QUANT_KLD: f64 = 0.1;

/// Display name and unit of a metric id.
pub fn metric_label(metric: &str) -> (&'static str, &'static str) {
    match metric {
        LMARENA => ("LMArena text Elo", "Elo"),
        AA_INDEX => ("AA Intelligence Index", "pts"),
        OLL_MMLU_PRO => ("MMLU-PRO (Open LLM Leaderboard v2)", "%"),
        "aa-livecodebench" => ("LiveCodeBench (AA run)", "%"),
        "aa-gpqa" => ("GPQA Diamond (AA run)", "%"),
        "aa-lcr" => ("AA Long Context Reasoning", "%"),
        "aa-mmmu-pro" => ("MMMU Pro (AA run)", "%"),
        "aa-coding-index" => ("AA Coding Index", "pts"),
        "aa-agentic" => ("AA Agentic Index", "pts"),
        "livecodebench" => ("LiveCodeBench (vendor)", "%"),
        "gpqa-diamond" => ("GPQA Diamond (vendor)", "%"),
        "tau2-bench" => ("τ²-bench (vendor)", "%"),
        "bfcl-v3" => ("BFCL v3 overall (Berkeley)", "%"),
        "mmmu-pro" => ("MMMU Pro (vendor)", "%"),
        "swe-bench-verified" => ("SWE-bench Verified", "%"),
        _ => ("score", ""),
    }
}

/// A score as shown: Elo whole, percentages and index points to one decimal.
pub fn format_score(v: f64, unit: &str) -> String {
    match unit {
        "Elo" => format!("{v:.0}"),
        "%" => format!("{v:.1}%"),
        _ => format!("{v:.1}"),
    }
}

/// Column header of a metric, at most 5 characters.
pub fn metric_short(metric: &str) -> &'static str {
    match metric {
        LMARENA => "Elo",
        AA_INDEX => "AAII",
        OLL_MMLU_PRO => "MMLP%",
        "aa-livecodebench" => "LCB%",
        "aa-gpqa" => "GPQA%",
        "aa-lcr" => "LCR%",
        "aa-mmmu-pro" => "MMMU%",
        "aa-coding-index" => "AACI",
        "aa-agentic" => "AAAI",
        "livecodebench" => "LCB%",
        "gpqa-diamond" => "GPQA%",
        "tau2-bench" => "τ²%",
        "bfcl-v3" => "BFCL%",
        "mmmu-pro" => "MMMU%",
        "swe-bench-verified" => "SWE%",
        _ => "score",
    }
}

/// The context a use case asks for unless one is given, tokens: long-context means 128K.
pub fn default_context(use_case: &str) -> u32 {
    if use_case.eq_ignore_ascii_case("long-context") {
        131_072
    } else {
        8192
    }
}

/// The metrics a use case consults, first first (`None`: not a use case the recommender knows).
pub fn metrics_for(use_case: &str) -> Option<&'static [&'static str]> {
    USE_CASE_METRICS
        .iter()
        .find(|(u, _)| u.eq_ignore_ascii_case(use_case))
        .map(|(_, m)| *m)
}

/// The metric a use case ranks by first (`None`: not a use case the recommender knows).
pub fn metric_for(use_case: &str) -> Option<&'static str> {
    metrics_for(use_case).map(|m| m[0])
}

/// One published score.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Score {
    /// Catalog model id.
    pub model: String,
    /// Metric id (see [`metric_label`]).
    pub metric: String,
    /// The number as published (percent for benchmarks, Elo for the arena).
    pub value: f64,
    /// The source's own name for the model or the benchmark's version.
    pub variant: String,
    /// URL of what was read.
    pub source: String,
    /// When it was published, `YYYY-MM`.
    pub date: String,
    /// Where the figure originally comes from, when `source` is a copy.
    #[serde(default)]
    pub note: Option<String>,
}

/// The languages a model's card says it supports.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageFact {
    pub model: String,
    /// The languages the card names, as it names them (empty when it only gives a count).
    #[serde(default)]
    pub listed: Vec<String>,
    /// How many languages the card claims, when it gives a number ("over 140": 140).
    #[serde(default)]
    pub count: Option<u32>,
    pub source: String,
    pub date: String,
    /// Where the statement originally comes from, when `source` is a copy.
    #[serde(default)]
    pub note: Option<String>,
}

impl LanguageFact {
    /// One line: the named languages, and the claimed count when the card gives more.
    pub fn summary(&self) -> String {
        let named = self.listed.join(", ");
        match self.count {
            Some(n) if self.listed.is_empty() => format!("{n} languages"),
            Some(n) if (n as usize) > self.listed.len() => format!("{n} languages, incl. {named}"),
            _ => named,
        }
    }
}

/// A model that accepts images.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisionFact {
    pub model: String,
    pub source: String,
    pub date: String,
}

/// A use-case score that was looked for and not found, and where: "no score" says why.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Absence {
    pub model: String,
    /// A use case of [`USE_CASE_METRICS`].
    pub use_case: String,
    /// What was looked at and what it lacks.
    pub why: String,
    /// When it was last looked for, `YYYY-MM`.
    pub checked: String,
}

/// What a weight format loses against FP16.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantLoss {
    /// Quant label as `Quant` parses it.
    pub quant: String,
    /// Wikitext-2 perplexity of the reference model at this format.
    pub ppl: f64,
    /// Mean KL divergence against FP16, nats per token.
    pub kld: f64,
    pub source: String,
    pub date: String,
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityData {
    #[serde(default)]
    pub scores: Vec<Score>,
    #[serde(default)]
    pub vision: Vec<VisionFact>,
    #[serde(default)]
    pub languages: Vec<LanguageFact>,
    #[serde(default)]
    pub quants: Vec<QuantLoss>,
    /// Use-case scores looked for and not published anywhere found.
    #[serde(default)]
    pub absences: Vec<Absence>,
}

impl QualityData {
    /// The built-in data.
    pub fn builtin() -> Result<QualityData, CatalogError> {
        QualityData::parse(BUILTIN, "assets/quality.ron")
    }

    /// Parses quality data; errors name the file, line and column.
    pub fn parse(text: &str, origin: &str) -> Result<QualityData, CatalogError> {
        let data: QualityData = crate::catalog::parse_ron(text, origin)?;
        for q in &data.quants {
            if q.quant.parse::<Quant>().is_err() {
                return Err(CatalogError {
                    origin: origin.to_string(),
                    line: 0,
                    col: 0,
                    message: format!("quants: unknown quant '{}'", q.quant),
                });
            }
        }
        Ok(data)
    }

    /// Scores of one metric by model id.
    pub fn metric(&self, metric: &str) -> HashMap<String, Score> {
        self.scores
            .iter()
            .filter(|s| s.metric == metric)
            .map(|s| (s.model.clone(), s.clone()))
            .collect()
    }

    /// A use case's scores split by the metric that rates each model: for every metric of the
    /// chain, the models it scores that no earlier metric does. The lists never share a model,
    /// so each is ranked on its own scale.
    pub fn tiers(&self, metrics: &[&'static str]) -> Vec<(&'static str, HashMap<String, Score>)> {
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        metrics
            .iter()
            .map(|m| {
                let mut scores = self.metric(m);
                scores.retain(|id, _| !seen.contains(id));
                seen.extend(scores.keys().cloned());
                (*m, scores)
            })
            .collect()
    }

    /// Why a model has no score for a use case, where that was looked into.
    pub fn absence(&self, model: &str, use_case: &str) -> Option<&Absence> {
        self.absences
            .iter()
            .find(|a| a.model == model && a.use_case.eq_ignore_ascii_case(use_case))
    }

    /// The languages recorded for a model.
    pub fn languages_of(&self, model: &str) -> Option<&LanguageFact> {
        self.languages.iter().find(|l| l.model == model)
    }

    /// Published loss of a weight format (`None`: nothing published, so never recommended).
    pub fn quant_loss(&self, quant: Quant) -> Option<&QuantLoss> {
        self.quants
            .iter()
            .find(|q| q.quant.parse::<Quant>().ok() == Some(quant))
    }

    /// Formats that may be recommended, least lossy first.
    pub fn acceptable_quants(&self) -> Vec<(Quant, QuantLoss)> {
        let mut v: Vec<(Quant, QuantLoss)> = self
            .quants
            .iter()
            .filter(|q| q.kld <= MAX_QUANT_KLD)
            .filter_map(|q| Some((q.quant.parse().ok()?, q.clone())))
            .collect();
        v.sort_by(|a, b| a.1.kld.total_cmp(&b.1.kld));
        v
    }

    /// Whether the model is recorded as accepting images.
    pub fn has_vision(&self, model: &str) -> bool {
        self.vision.iter().any(|v| v.model == model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_use_case_metric_has_a_label_and_scores() {
        let q = QualityData::builtin().expect("quality.ron parses");
        for (use_case, metrics) in USE_CASE_METRICS {
            for metric in *metrics {
                assert_ne!(metric_label(metric).0, "score", "{use_case}");
                assert!(!q.metric(metric).is_empty(), "{use_case}: no {metric} data");
            }
        }
    }

    #[test]
    fn tiers_never_share_a_model_and_keep_the_chain_order() {
        let q = QualityData::builtin().expect("quality.ron parses");
        for (use_case, metrics) in USE_CASE_METRICS {
            let tiers = q.tiers(metrics);
            assert_eq!(tiers.len(), metrics.len(), "{use_case}");
            let mut seen = std::collections::HashSet::new();
            for (i, (metric, scores)) in tiers.iter().enumerate() {
                assert_eq!(*metric, metrics[i]);
                for (id, s) in scores {
                    assert_eq!(s.metric, *metric);
                    assert!(seen.insert(id.clone()), "{use_case}: {id} in two lists");
                    // A later list only holds models no earlier metric scores.
                    for earlier in &metrics[..i] {
                        assert!(!q.metric(earlier).contains_key(id), "{use_case}: {id}");
                    }
                }
            }
        }
    }

    #[test]
    fn language_summaries_say_what_the_card_says() {
        let fact = |listed: &[&str], count| LanguageFact {
            model: "m".into(),
            listed: listed.iter().map(|s| s.to_string()).collect(),
            count,
            source: "https://x".into(),
            date: "2025-01".into(),
            note: None,
        };
        assert_eq!(
            fact(&["English", "German"], None).summary(),
            "English, German"
        );
        assert_eq!(fact(&[], Some(140)).summary(), "140 languages");
        assert_eq!(
            fact(&["English", "French"], Some(29)).summary(),
            "29 languages, incl. English, French"
        );
    }

    #[test]
    fn acceptable_quants_are_ordered_and_bounded() {
        let q = QualityData::builtin().expect("quality.ron parses");
        let acc = q.acceptable_quants();
        assert_eq!(acc.first().map(|a| a.0), Some(Quant::F16));
        assert!(acc.windows(2).all(|w| w[0].1.kld <= w[1].1.kld));
        assert!(acc.iter().all(|a| a.1.kld <= MAX_QUANT_KLD));
        assert!(!acc
            .iter()
            .any(|a| a.0 == Quant::Q3_K_M || a.0 == Quant::Q2_K));
    }

    #[test]
    fn unknown_fields_and_quants_are_errors_with_a_place() {
        let e = QualityData::parse("(scores: [], bogus: 1)", "q.ron").expect_err("bad field");
        assert!(e.line >= 1 && e.message.contains("bogus"), "{e}");
        let e = QualityData::parse(
            "(quants: [(quant: \"Q9_Z\", ppl: 1.0, kld: 0.0, source: \"s\", date: \"d\")])",
            "q.ron",
        )
        .expect_err("bad quant");
        assert!(e.message.contains("Q9_Z"), "{e}");
    }
}
