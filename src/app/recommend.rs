//! State of the Recommend view (`R`): which use case is shown and its ranking for the chosen
//! machine and settings, computed by `crate::recommend` on the app's own estimator memo.

use super::App;
use crate::estimate::Settings;
use crate::quality::{QualityData, USE_CASE_METRICS};
use crate::recommend::{recommend, Basis, Ranking, Request};

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
    /// Parsed once; `None` only if the built-in data failed to parse.
    data: Option<QualityData>,
}

impl RecommendState {
    /// The use case shown.
    pub fn use_case(&self) -> &'static str {
        USE_CASE_METRICS[self.use_case % USE_CASE_METRICS.len()].0
    }
}

impl App {
    /// Recomputes the ranking for the chosen machine, settings and use case.
    pub fn refresh_recommendation(&mut self) {
        if self.rec.data.is_none() {
            self.rec.data = QualityData::builtin().ok();
        }
        let Some(data) = &self.rec.data else {
            self.rec.ranking = None;
            return;
        };
        let metric = USE_CASE_METRICS[self.rec.use_case % USE_CASE_METRICS.len()].1;
        let scores = data.metric(metric);
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
        let basis = Basis {
            metric,
            scores: &scores,
            quants: &quants,
        };
        self.rec.ranking = Some(recommend(
            &self.catalog.models,
            hw,
            key,
            &basis,
            &req,
            &mut self.memo,
        ));
    }

    /// Shows the next (`+1`) or previous (`-1`) use case.
    pub fn cycle_use_case(&mut self, step: isize) {
        let n = USE_CASE_METRICS.len() as isize;
        self.rec.use_case = ((self.rec.use_case as isize + step).rem_euclid(n)) as usize;
        self.rec.scroll = 0;
        self.refresh_recommendation();
    }
}
