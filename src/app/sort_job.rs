//! Sorting many rows by an estimate (fit, speed, size) off the UI thread. Each row needs a full
//! estimate (~5 µs), so 100,000 rows would freeze the screen for half a second; above
//! [`SYNC_SORT_ROWS`] the app keeps showing the previous order, says it is sorting, and a worker
//! returns the new order tagged with a generation so stale results are dropped.

use std::cmp::Ordering;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Arc;

use super::SortKey;
use crate::catalog::Catalog;
use crate::estimate::{estimate, estimate_with_weights, Estimate, Hardware, Settings};
use crate::local::LocalModel;

/// Up to this many rows are sorted on the spot (a few milliseconds).
pub const SYNC_SORT_ROWS: usize = 2_000;

/// Everything a worker needs to sort rows by an estimate: owned, so it can leave the UI thread.
#[derive(Debug, Clone)]
pub struct SortJob {
    /// Which request this answers; the app keeps only the newest.
    pub generation: u64,
    pub key: SortKey,
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
        let mut keyed: Vec<(u32, Estimate)> = crate::parallel::map_chunks(&self.rows, 1, |ids| {
            let mut out = Vec::with_capacity(ids.len());
            for batch in ids.chunks(512) {
                if self.is_stale() {
                    return Vec::new();
                }
                out.extend(batch.iter().map(|&id| (id, self.estimate(id))));
            }
            out
        });
        if self.is_stale() {
            return Vec::new();
        }
        keyed.sort_by(|a, b| compare(self.key, &a.1, &b.1));
        keyed.into_iter().map(|(id, _)| id).collect()
    }

    /// A newer request exists.
    pub fn is_stale(&self) -> bool {
        self.latest.load(AtomicOrdering::Relaxed) != self.generation
    }

    fn estimate(&self, id: u32) -> Estimate {
        let (model, weights) = match (id as usize).checked_sub(self.catalog.models.len()) {
            Some(i) => (&self.local[i].spec, Some(&self.local[i].weights)),
            None => (&self.catalog.models[id as usize], None),
        };
        let s = self.settings.for_model(model);
        match weights {
            Some(w) => estimate_with_weights(model, &self.hardware, &s, w),
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
        SortKey::Relevance | SortKey::Name => Ordering::Equal,
    }
}
