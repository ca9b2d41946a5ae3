//! Ordering and filtering the browser's rows ([`arrange`]), on the spot or off the UI thread.
//! An estimate-based order (fit, speed, size) or the "fits only" filter needs a full estimate
//! per row (~5 µs), so 100,000 rows would freeze the screen for half a second; above
//! [`SYNC_SORT_ROWS`] the app keeps showing the previous order, says it is sorting, and a worker
//! returns the new order tagged with a generation so stale results are dropped.

use std::cmp::Ordering;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Arc;

use super::SortKey;
use crate::catalog::Catalog;
use crate::estimate::{estimate, estimate_with_weights, Estimate, Hardware, Settings, Verdict};
use crate::local::LocalModel;
use crate::recommend::MetricScores;

/// Up to this many rows are sorted on the spot (a few milliseconds).
pub const SYNC_SORT_ROWS: usize = 2_000;

/// How the browser orders and filters its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub key: SortKey,
    /// The key's order turned around (models without a score stay last).
    pub reverse: bool,
    /// Only models that fit on the GPU at the current settings.
    pub fits_only: bool,
}

impl Order {
    /// Whether every row needs an estimate.
    pub fn needs_estimates(&self) -> bool {
        self.fits_only || matches!(self.key, SortKey::Fit | SortKey::Speed | SortKey::Size)
    }
}

/// `rows` ordered and filtered. `estimates[i]` is row `i`'s (empty when the order needs none);
/// `quality` holds the browser's use case's scores by model id (none past the catalog); `name`
/// is asked only for a name sort. Sorts are stable: ties keep the row order.
pub fn arrange(
    rows: &[u32],
    estimates: &[Estimate],
    order: Order,
    quality: &MetricScores,
    name: impl Fn(u32) -> String,
) -> Vec<u32> {
    let mut idx: Vec<usize> = (0..rows.len())
        .filter(|&i| !order.fits_only || estimates[i].verdict == Verdict::FitsOnGpu)
        .collect();
    let score = |i: usize| quality.value(rows[i] as usize);
    match order.key {
        SortKey::Relevance => {}
        SortKey::Name => idx.sort_by_cached_key(|&i| name(rows[i]).to_lowercase()),
        SortKey::Fit | SortKey::Speed | SortKey::Size => {
            idx.sort_by(|&a, &b| compare(order.key, &estimates[a], &estimates[b]))
        }
        SortKey::Quality => idx.sort_by(|&a, &b| match (score(a), score(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }),
    }
    if order.reverse {
        // "No score" means nothing either way round: only the scored part turns.
        let scored = match order.key {
            SortKey::Quality => idx.iter().take_while(|&&i| score(i).is_some()).count(),
            _ => idx.len(),
        };
        idx[..scored].reverse();
    }
    idx.into_iter().map(|i| rows[i]).collect()
}

/// Everything a worker needs to order rows by estimates: owned, so it can leave the UI thread.
#[derive(Debug, Clone)]
pub struct SortJob {
    /// Which request this answers; the app keeps only the newest.
    pub generation: u64,
    pub order: Order,
    /// Scores of the browser's use case by model id.
    pub quality: Arc<MetricScores>,
    pub rows: Vec<u32>,
    pub catalog: Arc<Catalog>,
    pub local: Vec<LocalModel>,
    pub hardware: Hardware,
    pub settings: Settings,
    /// The app's newest request; a worker that falls behind it stops early.
    pub latest: Arc<AtomicU64>,
}

impl SortJob {
    /// The rows in the new order, on all cores; empty if a newer request made this one stale
    /// (holding a slider down must not queue a dozen half-second sorts).
    pub fn run(&self) -> Vec<u32> {
        let estimates: Vec<Estimate> = crate::parallel::map_chunks(&self.rows, 1, |ids| {
            let mut out = Vec::with_capacity(ids.len());
            for batch in ids.chunks(512) {
                if self.is_stale() {
                    return Vec::new();
                }
                out.extend(batch.iter().map(|&id| self.estimate(id)));
            }
            out
        });
        if self.is_stale() || estimates.len() != self.rows.len() {
            return Vec::new();
        }
        arrange(&self.rows, &estimates, self.order, &self.quality, |id| {
            self.spec(id).name.clone()
        })
    }

    /// A newer request exists.
    pub fn is_stale(&self) -> bool {
        self.latest.load(AtomicOrdering::Relaxed) != self.generation
    }

    fn spec(&self, id: u32) -> &crate::estimate::ModelSpec {
        super::model_ref(&self.catalog, &self.local, id)
    }

    fn estimate(&self, id: u32) -> Estimate {
        let model = self.spec(id);
        let s = self.settings.for_model(model);
        match (id as usize).checked_sub(self.catalog.models.len()) {
            Some(i) => estimate_with_weights(model, &self.hardware, &s, &self.local[i].weights),
            None => estimate(model, &self.hardware, &s),
        }
    }
}

/// Order of two rows under an estimate-based sort key (stable sorts keep ties in row order).
pub fn compare(key: SortKey, a: &Estimate, b: &Estimate) -> Ordering {
    match key {
        SortKey::Fit => a
            .verdict
            .cmp(&b.verdict)
            .then(b.headroom_bytes.cmp(&a.headroom_bytes)),
        SortKey::Speed => b.decode_tps.total_cmp(&a.decode_tps),
        SortKey::Size => a.total_bytes.cmp(&b.total_bytes),
        SortKey::Relevance | SortKey::Name | SortKey::Quality => Ordering::Equal,
    }
}
