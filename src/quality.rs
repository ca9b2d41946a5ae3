//! `assets/quality.ron`: published quality scores per model and metric, which models accept
//! images, and what each weight format loses against FP16. Every entry carries its source and
//! date; a model without an entry for a metric has no score for it (nothing is interpolated).

use std::collections::HashMap;

use serde::Deserialize;

use crate::catalog::CatalogError;
use crate::estimate::Quant;

/// The data shipped inside the binary.
pub const BUILTIN: &str = include_str!("../assets/quality.ron");

/// The use cases the recommender ranks, each by exactly one metric (scores from different
/// benchmarks are never compared). `chat`, `rag` and `long-context` use the general score: no
/// long-context or retrieval benchmark covers enough catalog models, so for those the context
/// the use case needs is enforced by the fit check instead.
pub const USE_CASE_METRICS: &[(&str, &str)] = &[
    ("chat", GENERAL_METRIC),
    ("coding", "livecodebench"),
    ("reasoning", "gpqa-diamond"),
    ("agents", "tau2-bench"),
    ("rag", GENERAL_METRIC),
    ("long-context", GENERAL_METRIC),
    ("vision", "mmmu-pro"),
];

/// Published scores kept as facts next to the ranked ones (shown by the data, never ranked by:
/// too few catalog models have them to rank a use case).
pub const RECORDED_METRICS: &[&str] = &["swe-bench-verified"];

/// The general score: LMArena's text leaderboard (style control).
pub const GENERAL_METRIC: &str = "lmarena-text";

/// Weight formats whose published mean KL divergence against FP16 exceeds this are never
/// recommended: past it the quantized model's top token differs at over 10 % of positions
/// (RMS Δp 10.1 % at Q3_K_M on llama.cpp's LLaMA 3 8B scoreboard).
pub const MAX_QUANT_KLD: f64 = 0.1;

/// Display name and unit of a metric id.
pub fn metric_label(metric: &str) -> (&'static str, &'static str) {
    match metric {
        GENERAL_METRIC => ("LMArena text Elo", "Elo"),
        "livecodebench" => ("LiveCodeBench", "%"),
        "gpqa-diamond" => ("GPQA Diamond", "%"),
        "tau2-bench" => ("τ²-bench", "%"),
        "mmmu-pro" => ("MMMU Pro", "%"),
        "swe-bench-verified" => ("SWE-bench Verified", "%"),
        _ => ("score", ""),
    }
}

/// Column header of a metric, at most 5 characters.
pub fn metric_short(metric: &str) -> &'static str {
    match metric {
        GENERAL_METRIC => "Elo",
        "livecodebench" => "LCB%",
        "gpqa-diamond" => "GPQA%",
        "tau2-bench" => "τ²%",
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

/// The metric a use case ranks by (`None`: not a use case the recommender knows).
pub fn metric_for(use_case: &str) -> Option<&'static str> {
    USE_CASE_METRICS
        .iter()
        .find(|(u, _)| u.eq_ignore_ascii_case(use_case))
        .map(|(_, m)| *m)
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

/// A model that accepts images.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisionFact {
    pub model: String,
    pub source: String,
    pub date: String,
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
    pub quants: Vec<QuantLoss>,
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
        for (use_case, metric) in USE_CASE_METRICS {
            assert_ne!(metric_label(metric).0, "score", "{use_case}");
            assert!(!q.metric(metric).is_empty(), "{use_case}: no {metric} data");
        }
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
