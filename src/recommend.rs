//! The recommender: which model × quantization is best for a use case on a machine, and which
//! machine is cheapest for a model. Pure: every memory and speed figure comes from the estimator
//! memo (`estimate::memo`); this module only filters and ranks.
//!
//! Rule: a pair qualifies when it runs as `fit` says it does at the requested context (on the
//! GPU, offloaded to host RAM, or on the CPU) with ≥ 10 % of the memory it runs from free (the
//! GPU's, or GPU + RAM when offloaded: `compare::comfortable`), and decodes at least the speed
//! floor at that context. Per model the least lossy acceptable
//! format that qualifies is chosen (published KL divergence vs FP16, `quality::MAX_QUANT_KLD`).
//! Pairs rank by the use case's one metric, higher first; equal scores rank by speed.

mod scores;

use std::collections::HashMap;

use serde::Serialize;

use scores::RankOrder;
pub use scores::{MetricScores, ModelIndex};

use crate::compare::{comfortable, CostInputs};
use crate::estimate::memo::Memo;
use crate::estimate::{Estimate, Hardware, ModelSpec, Quant, Settings, Verdict};
use crate::quality::{format_score, metric_label, QuantLoss, Score};

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request {
    /// Context, KV type, sequences and runtime (the quant is searched, not taken from here).
    pub settings: Settings,
    /// Decode speed floor at the requested context, tokens/s.
    pub min_tps: f64,
    /// How many recommendations.
    pub top: usize,
}

/// One recommended pair with its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pick {
    pub model: String,
    pub name: String,
    pub quant: &'static str,
    /// The use case's metric as published (full-precision model).
    pub quality: f64,
    pub metric: &'static str,
    pub variant: String,
    pub source: String,
    pub date: String,
    /// Mean KL divergence of the chosen format against FP16 (published, LLaMA 3 8B).
    pub quant_kld: f64,
    /// Perplexity of the chosen format over FP16's on the same scoreboard.
    pub quant_ppl_ratio: f64,
    /// Decode tokens/s at the requested context.
    pub decode_tps: f64,
    /// Decode tokens/s with an empty cache.
    pub decode_tps_empty: f64,
    /// Used and usable in the memory it runs from (GPU + host RAM when offloaded).
    pub total_bytes: u64,
    pub usable_bytes: u64,
    pub headroom_bytes: i64,
    /// "used/usable" GiB as every table shows it ("23.2+36.7/24.0+55.3" when offloaded).
    pub memory: String,
    /// `fit`'s verdict: fits on the GPU, partial offload or CPU only.
    pub verdict: Verdict,
    /// Where the layers went when not all on the GPU ("(experts of the first 23 layers in RAM)").
    pub placement: String,
    pub max_context: u32,
    /// One line on why it ranks where it does.
    pub why: String,
}

/// Why a scored model was left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The model's own maximum context is below the request.
    ContextTooShort { max_context: u32 },
    /// Even the most compressed acceptable format leaves less than 10 % headroom.
    DoesNotFit {
        quant: &'static str,
        /// Used and usable in the memory it would run from (as [`Estimate::pool`]).
        used_bytes: u64,
        usable_bytes: u64,
        /// The figures are GPU + host RAM (layers or experts offloaded), not the GPU alone.
        with_offload: bool,
        /// Used and usable GiB as `fit` and the tables show them ("23.8+150.9", "24.0+55.3").
        used_gib: String,
        usable_gib: String,
        /// `fit`'s verdict at that format.
        verdict: Verdict,
    },
    /// Fits, but no fitting format reaches the speed floor.
    TooSlow {
        quant: &'static str,
        decode_tps: f64,
    },
}

impl Reason {
    /// Human wording (GiB).
    pub fn text(&self, min_tps: f64) -> String {
        match self {
            Reason::ContextTooShort { max_context } => {
                format!("context too short: the model supports {max_context} tokens")
            }
            Reason::DoesNotFit {
                quant,
                with_offload,
                used_gib,
                usable_gib,
                verdict,
                ..
            } => {
                let what = if *verdict == Verdict::DoesNotFit {
                    "does not fit"
                } else {
                    "does not fit with 10% headroom"
                };
                format!(
                    "{what}{}: needs {used_gib} GiB of {usable_gib} GiB usable{} even at {quant}",
                    if *with_offload {
                        " even offloading"
                    } else {
                        ""
                    },
                    if *with_offload { " (GPU + RAM)" } else { "" }
                )
            }
            Reason::TooSlow { quant, decode_tps } => {
                format!("too slow: {decode_tps:.1} tok/s at {quant} (floor {min_tps:.0})")
            }
        }
    }
}

/// A scored model that did not qualify.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluded {
    pub model: String,
    pub name: String,
    pub quality: f64,
    pub reason: Reason,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    pub metric: &'static str,
    pub recommendations: Vec<Pick>,
    /// Scored models ranked above the last recommendation (or among the first evaluated) that
    /// did not qualify, best score first.
    pub excluded: Vec<Excluded>,
    /// Indices (into the model slice) of the models with no score for the metric.
    #[serde(skip)]
    pub unscored: Vec<usize>,
}

/// How one model fares on one machine: the least lossy acceptable format that qualifies, or why
/// none does.
pub fn best_quant(
    memo: &mut Memo,
    idx: u32,
    model: &ModelSpec,
    hw: &Hardware,
    hw_key: u64,
    quants: &[(Quant, QuantLoss)],
    req: &Request,
) -> Result<(Quant, QuantLoss, Estimate), Reason> {
    if model.max_context() < req.settings.context {
        return Err(Reason::ContextTooShort {
            max_context: model.max_context(),
        });
    }
    let mut fastest_fitting: Option<(Quant, f64)> = None;
    let mut last: Option<(Quant, Estimate)> = None;
    // Least lossy first, but all on the GPU beats offloaded (and offloaded beats the CPU):
    // an offloaded format is kept only until a later one qualifies with a better verdict.
    let mut best: Option<(Quant, QuantLoss, Estimate)> = None;
    for (q, loss) in quants {
        let s = Settings {
            quant: *q,
            ..req.settings
        };
        let e = memo.estimate(idx, model, hw_key, hw, &s);
        if comfortable(&e) {
            if e.decode_tps_full_context >= req.min_tps {
                if e.verdict == Verdict::FitsOnGpu {
                    return Ok((*q, loss.clone(), e));
                }
                if best.as_ref().is_none_or(|b| e.verdict < b.2.verdict) {
                    best = Some((*q, loss.clone(), e.clone()));
                }
            }
            if fastest_fitting.is_none_or(|(_, t)| e.decode_tps_full_context > t) {
                fastest_fitting = Some((*q, e.decode_tps_full_context));
            }
        }
        last = Some((*q, e));
    }
    if let Some(b) = best {
        return Ok(b);
    }
    match (fastest_fitting, last) {
        (Some((q, t)), _) => Err(Reason::TooSlow {
            quant: q.label(),
            decode_tps: t,
        }),
        (None, Some((q, e))) => {
            let (used_bytes, usable_bytes) = e.pool();
            Err(Reason::DoesNotFit {
                quant: q.label(),
                used_bytes,
                usable_bytes,
                with_offload: e.offloaded(),
                used_gib: e.memory_gib(),
                usable_gib: e.usable_gib(),
                verdict: e.verdict,
            })
        }
        (None, None) => Err(Reason::DoesNotFit {
            quant: "none",
            used_bytes: 0,
            usable_bytes: hw.memory,
            with_offload: false,
            used_gib: "0.0".into(),
            usable_gib: format!(
                "{:.1}",
                hw.memory as f64 / crate::estimate::units::GIB as f64
            ),
            verdict: Verdict::DoesNotFit,
        }),
    }
}

/// The quality side of a request: the metric ranked by, its scores, the acceptable formats.
#[derive(Debug, Clone, Copy)]
pub struct Basis<'a> {
    pub metric: &'static str,
    /// Lined up with the model slice ranked (build once per catalog and metric).
    pub scores: &'a MetricScores,
    /// Least lossy first (`QualityData::acceptable_quants`).
    pub quants: &'a [(Quant, QuantLoss)],
}

/// Ranks the models for one metric on one machine. `hw_key` identifies the machine in the memo.
pub fn recommend(
    models: &[ModelSpec],
    hw: &Hardware,
    hw_key: u64,
    basis: &Basis<'_>,
    req: &Request,
    memo: &mut Memo,
) -> Ranking {
    let Basis {
        metric,
        scores,
        quants,
    } = *basis;
    let (order, unscored) = RankOrder::new(models, scores);
    let mut picks: Vec<Pick> = Vec::new();
    let mut excluded = Vec::new();
    for (i, value) in order {
        // Once `top` picks exist, a strictly lower score can no longer enter the list.
        if picks.len() >= req.top && picks.last().is_some_and(|p| value < p.quality) {
            break;
        }
        let m = &models[i];
        match best_quant(memo, i as u32, m, hw, hw_key, quants, req) {
            Ok((q, loss, e)) => {
                let s = Settings {
                    quant: q,
                    ..req.settings
                };
                let max_context = memo.max_context(i as u32, m, hw_key, hw, &s);
                let (used, usable) = e.pool();
                let (variant, source, date) = scores
                    .get(i)
                    .map(|r| (r.variant.clone(), r.source.clone(), r.date.clone()))
                    .unwrap_or_default();
                picks.push(Pick {
                    model: m.id.clone(),
                    name: m.name.clone(),
                    quant: q.label(),
                    quality: value,
                    metric,
                    variant,
                    source,
                    date,
                    quant_kld: loss.kld,
                    quant_ppl_ratio: loss.ppl / reference_ppl(quants),
                    decode_tps: e.decode_tps_full_context,
                    decode_tps_empty: e.decode_tps,
                    total_bytes: used,
                    usable_bytes: usable,
                    headroom_bytes: e.pool_headroom(),
                    memory: e.memory_of_usable_gib(),
                    verdict: e.verdict,
                    placement: e.placement_note().trim_matches([' ', '(', ')']).to_string(),
                    max_context,
                    why: String::new(),
                });
            }
            Err(reason) => excluded.push(Excluded {
                model: m.id.clone(),
                name: m.name.clone(),
                quality: value,
                reason,
            }),
        }
    }
    picks.sort_by(|a, b| {
        b.quality
            .total_cmp(&a.quality)
            .then(b.decode_tps.total_cmp(&a.decode_tps))
            .then_with(|| a.model.cmp(&b.model))
    });
    picks.truncate(req.top);
    explain(&mut picks, metric);
    Ranking {
        metric,
        recommendations: picks,
        excluded,
        unscored,
    }
}

/// A chain's tiers (`QualityData::tiers`) lined up with `models` for [`recommend_chain`].
pub fn line_up(
    models: &[ModelSpec],
    tiers: Vec<(&'static str, HashMap<String, Score>)>,
) -> Vec<(&'static str, MetricScores)> {
    tiers
        .into_iter()
        .map(|(metric, scores)| (metric, MetricScores::new(models, scores)))
        .collect()
}

/// A chain's tiers lined up through a catalog index built once ([`ModelIndex`]): what the app
/// keeps per use case, so that coming back to a use case costs nothing.
pub fn line_up_indexed(
    index: &ModelIndex,
    tiers: Vec<(&'static str, HashMap<String, Score>)>,
) -> Vec<(&'static str, std::sync::Arc<MetricScores>)> {
    tiers
        .into_iter()
        .map(|(metric, scores)| {
            let lined = MetricScores::lined_up(index, scores.into_values());
            (metric, std::sync::Arc::new(lined))
        })
        .collect()
}

/// One ranking per metric of a use case's chain, first first (`tiers` from
/// `QualityData::tiers` through [`line_up`]: no model in two lists, so no list mixes scales).
/// Each ranking's `unscored` is the models that no metric of the chain scores.
pub fn recommend_chain<S: std::borrow::Borrow<MetricScores>>(
    models: &[ModelSpec],
    hw: &Hardware,
    hw_key: u64,
    tiers: &[(&'static str, S)],
    quants: &[(Quant, QuantLoss)],
    req: &Request,
    memo: &mut Memo,
) -> Vec<Ranking> {
    let unscored: Vec<usize> = (0..models.len())
        .filter(|&i| tiers.iter().all(|(_, s)| s.borrow().value(i).is_none()))
        .collect();
    tiers
        .iter()
        .map(|(metric, scores)| {
            let basis = Basis {
                metric,
                scores: scores.borrow(),
                quants,
            };
            let mut r = recommend(models, hw, hw_key, &basis, req, memo);
            r.unscored.clone_from(&unscored);
            r
        })
        .collect()
}

/// FP16's perplexity on the scoreboard (the first, least lossy entry).
fn reference_ppl(quants: &[(Quant, QuantLoss)]) -> f64 {
    quants.first().map_or(1.0, |q| q.1.ppl)
}

fn explain(picks: &mut [Pick], metric: &str) {
    let (label, unit) = metric_label(metric);
    let fmt = |v: f64| format_score(v, unit);
    let mut prev: Option<(String, f64, f64)> = None;
    for p in picks.iter_mut() {
        let place = match &prev {
            None => format!("highest {label} ({}) that fits", fmt(p.quality)),
            Some((name, q, _)) if *q == p.quality => {
                format!("same {label} as {name} ({}), slower", fmt(p.quality))
            }
            Some((name, q, _)) => {
                format!("{label} {} below {name}'s {}", fmt(p.quality), fmt(*q))
            }
        };
        let offload = if p.placement.is_empty() {
            match p.verdict {
                Verdict::CpuOnly => " (on the CPU)",
                _ => "",
            }
            .to_string()
        } else {
            format!(" ({})", p.placement)
        };
        p.why = format!(
            "{place}; {} is the least lossy format that leaves 10% free{offload} at {:.1} tok/s",
            p.quant, p.decode_tps
        );
        prev = Some((p.name.clone(), p.quality, p.decode_tps));
    }
}

/// One machine that runs the request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuyRow {
    pub hardware: String,
    pub name: String,
    pub price_usd: f64,
    pub model: String,
    pub quant: &'static str,
    pub quality: Option<f64>,
    pub decode_tps: f64,
    /// Free in the memory it runs from (GPU + host RAM when offloaded).
    pub headroom_bytes: i64,
    /// "used/usable" GiB as every table shows it ("23.2+36.7/24.0+55.3" when offloaded).
    pub memory: String,
    pub usd_per_tps: f64,
    pub break_even_months: Option<f64>,
}

/// What to buy for.
#[derive(Debug, Clone, Copy)]
pub enum BuyTarget<'a> {
    /// One model (its index in the slice); the formats it may use.
    Model(usize, &'a [(Quant, QuantLoss)]),
    /// The best model for a use case's metric on each machine.
    Best(Basis<'a>),
}

/// Price limit and the bill a machine replaces.
#[derive(Debug, Clone, Copy)]
pub struct BuyOptions {
    pub budget_usd: Option<f64>,
    pub costs: CostInputs,
}

/// The priced machines that run the target with headroom at the floor, cheapest first.
pub fn buy(
    models: &[ModelSpec],
    hardware: &[Hardware],
    target: BuyTarget<'_>,
    req: &Request,
    opts: &BuyOptions,
    memo: &mut Memo,
) -> Vec<BuyRow> {
    let (budget_usd, costs) = (opts.budget_usd, &opts.costs);
    let mut rows = Vec::new();
    for (h, hw) in hardware.iter().enumerate() {
        let Some(price) = hw.price_usd else { continue };
        if budget_usd.is_some_and(|b| price > b) {
            continue;
        }
        let found = match target {
            BuyTarget::Model(i, quants) => {
                best_quant(memo, i as u32, &models[i], hw, h as u64, quants, req)
                    .ok()
                    .map(|(q, _, e)| (i, q, None, e))
            }
            BuyTarget::Best(basis) => {
                let one = Request { top: 1, ..*req };
                recommend(models, hw, h as u64, &basis, &one, memo)
                    .recommendations
                    .into_iter()
                    .next()
                    .and_then(|p| {
                        let i = models.iter().position(|m| m.id == p.model)?;
                        let q: Quant = p.quant.parse().ok()?;
                        let s = Settings {
                            quant: q,
                            ..req.settings
                        };
                        let e = memo.estimate(i as u32, &models[i], h as u64, hw, &s);
                        Some((i, q, Some(p.quality), e))
                    })
            }
        };
        if let Some((i, q, quality, e)) = found {
            rows.push(BuyRow {
                hardware: hw.id.clone(),
                name: hw.name.clone(),
                price_usd: price,
                model: models[i].id.clone(),
                quant: q.label(),
                quality,
                decode_tps: e.decode_tps_full_context,
                headroom_bytes: e.pool_headroom(),
                memory: e.memory_of_usable_gib(),
                usd_per_tps: price / e.decode_tps_full_context.max(f64::MIN_POSITIVE),
                break_even_months: costs.break_even(hw),
            });
        }
    }
    rows.sort_by(|a, b| {
        a.price_usd
            .total_cmp(&b.price_usd)
            .then(b.decode_tps.total_cmp(&a.decode_tps))
            .then_with(|| a.hardware.cmp(&b.hardware))
    });
    rows
}
