//! The use case the app ranks by (the Recommend view `R`, the browser's quality column and its
//! "best for" sort share it), the view's ranking for the chosen machine and settings (computed
//! by `crate::recommend` on the app's own estimator memo), and the comparison's cheapest
//! machines for a model (`$`, the code of `fitcheck buy`).

use std::collections::HashMap;
use std::sync::Arc;

use super::App;
use crate::catalog::Catalog;
use crate::estimate::memo::Memo;
use crate::estimate::Settings;
use crate::quality::{QualityData, USE_CASE_METRICS};
use crate::recommend::{
    buy, line_up_indexed, recommend_chain, BuyOptions, BuyRow, BuyTarget, MetricScores, ModelIndex,
    Ranking, Request,
};

/// Decode floor of the view, tokens/s (the CLI's default).
pub const VIEW_MIN_TPS: f64 = 10.0;
/// Recommendations shown.
pub const VIEW_TOP: usize = 5;

/// The view's state.
#[derive(Debug, Default)]
pub struct RecommendState {
    /// Index into `USE_CASE_METRICS`.
    pub use_case: usize,
    /// Lines scrolled.
    pub scroll: u16,
    /// The ranking shown (recomputed on opening and on a use-case change).
    pub ranking: Option<Ranking>,
    /// The rankings of the chain's later metrics: models the first does not rate, each list on
    /// its own scale.
    pub fallback: Vec<Ranking>,
}

impl RecommendState {
    /// The use case shown.
    pub fn use_case(&self) -> &'static str {
        USE_CASE_METRICS[self.use_case % USE_CASE_METRICS.len()].0
    }

    /// The metric the use case ranks by first (the browser's quality column shows it).
    pub fn metric(&self) -> &'static str {
        self.metrics()[0]
    }

    /// The use case's chain of metrics (`quality::USE_CASE_METRICS`).
    pub fn metrics(&self) -> &'static [&'static str] {
        USE_CASE_METRICS[self.use_case % USE_CASE_METRICS.len()].1
    }
}

/// The comparison's answer to "cheapest machine for this" (`$`).
#[derive(Debug, Clone)]
pub struct BuyView {
    /// The model asked about.
    pub id: u32,
    /// Context and floor asked with.
    pub context: u32,
    /// Priced machines that run it with 10 % headroom at the floor, cheapest first.
    pub rows: Vec<BuyRow>,
}

/// A use case's chain lined up with the catalog: (metric, its scores), first metric first.
pub type LinedUpChain = Vec<(&'static str, Arc<MetricScores>)>;

/// Each use case's chain lined up with the catalog, computed on the first visit to the use case
/// and kept: a use-case change then costs a lookup, not a pass over the catalog (at 100k rows,
/// lining up three scales took longer than a frame). Rebuilt when the catalog or the quality data
/// is replaced.
#[derive(Debug, Default)]
pub struct ScoreCache {
    catalog: Option<Arc<Catalog>>,
    data: Option<Arc<QualityData>>,
    index: ModelIndex,
    chains: HashMap<usize, LinedUpChain>,
}

impl ScoreCache {
    /// The chain of use case `use_case` (an index into `USE_CASE_METRICS`) for `catalog`.
    pub fn chain(
        &mut self,
        catalog: &Arc<Catalog>,
        data: &Arc<QualityData>,
        use_case: usize,
    ) -> LinedUpChain {
        if !self
            .catalog
            .as_ref()
            .is_some_and(|c| Arc::ptr_eq(c, catalog))
        {
            *self = ScoreCache {
                catalog: Some(Arc::clone(catalog)),
                index: ModelIndex::new(&catalog.models),
                ..ScoreCache::default()
            };
        }
        if !self.data.as_ref().is_some_and(|d| Arc::ptr_eq(d, data)) {
            self.data = Some(Arc::clone(data));
            self.chains.clear();
        }
        let index = &self.index;
        let metrics = USE_CASE_METRICS[use_case % USE_CASE_METRICS.len()].1;
        self.chains
            .entry(use_case % USE_CASE_METRICS.len())
            .or_insert_with(|| line_up_indexed(index, data.tiers(metrics)))
            .clone()
    }

    /// How many use cases are lined up (for tests).
    pub fn cached(&self) -> usize {
        self.chains.len()
    }
}

impl App {
    /// Recomputes the ranking for the chosen machine, settings and use case.
    pub fn refresh_recommendation(&mut self) {
        let Some(data) = self.quality.clone() else {
            self.rec.ranking = None;
            return;
        };
        let tiers = self
            .score_cache
            .chain(&self.catalog, &data, self.rec.use_case);
        let quants = data.acceptable_quants();
        let req = Request {
            settings: Settings {
                quant: self.settings.quant,
                ..self.settings
            },
            min_tps: VIEW_MIN_TPS,
            top: VIEW_TOP,
        };
        let key = self.hw_key();
        let hw = &self.hardware[self.hw_index.min(self.hardware.len() - 1)];
        let mut rankings = recommend_chain(
            &self.catalog.models,
            hw,
            key,
            &tiers,
            &quants,
            &req,
            &mut self.memo,
        )
        .into_iter();
        self.rec.ranking = rankings.next();
        self.rec.fallback = rankings.collect();
    }

    /// Shows the next (`+1`) or previous (`-1`) use case, here and in the browser.
    pub fn cycle_use_case(&mut self, step: isize) {
        let n = USE_CASE_METRICS.len() as isize;
        self.rec.use_case = ((self.rec.use_case as isize + step).rem_euclid(n)) as usize;
        self.rec.scroll = 0;
        self.line_up_quality();
        if self.sort == super::SortKey::Quality {
            self.resort();
        }
        if self.mode == super::Mode::Recommend {
            self.refresh_recommendation();
        }
        self.dirty = true;
    }

    /// Points the browser's quality column at the use case's first metric (from the cache).
    pub fn line_up_quality(&mut self) {
        self.quality_scores = match self.quality.clone() {
            Some(data) => {
                let chain = self
                    .score_cache
                    .chain(&self.catalog, &data, self.rec.use_case);
                chain
                    .first()
                    .map(|(_, s)| Arc::clone(s))
                    .unwrap_or_default()
            }
            None => Arc::default(),
        };
    }

    /// The score of model `id` for the use case (`None`: no score, or a model found on disk).
    pub fn quality_of(&self, id: u32) -> Option<f64> {
        self.quality_scores.value(id as usize)
    }

    /// The priced machines that run model `id` at the current settings with 10 % headroom and
    /// at least [`VIEW_MIN_TPS`], cheapest first (what `fitcheck buy --model` prints).
    pub fn cheapest_machines(&mut self, id: u32) -> Option<BuyView> {
        let data = self.quality.clone()?;
        let index = id as usize;
        if index >= self.catalog.models.len() {
            return None;
        }
        let quants = data.acceptable_quants();
        let req = Request {
            settings: self.settings,
            min_tps: VIEW_MIN_TPS,
            top: 1,
        };
        let opts = BuyOptions {
            budget_usd: None,
            costs: self.costs,
        };
        // Its own memo: `buy` keys machines by their catalog index, the app by its own list.
        let rows = buy(
            &self.catalog.models,
            &self.catalog.hardware,
            BuyTarget::Model(index, &quants),
            &req,
            &opts,
            &mut Memo::default(),
        );
        Some(BuyView {
            id,
            context: self.settings.context,
            rows,
        })
    }
}
