//! The browser's order: relevance, name, an estimate (fit, speed, size) or the quality score of
//! a use case ("best for coding"); reversed or not, all models or those that fit only. Orders
//! of many rows that need estimates go to a worker ([`super::sort_job`]); the app keeps the
//! newest answer only.

use std::sync::Arc;

use super::sort_job::{arrange, Order, SortJob, SYNC_SORT_ROWS};
use super::{model_ref, App};
use crate::estimate::Estimate;

/// Browser order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Search relevance (catalog order when not searching).
    Relevance,
    /// Best verdict first, then most headroom.
    Fit,
    /// Fastest decode first.
    Speed,
    /// Smallest memory first.
    Size,
    /// Highest score of the browser's use case first ("best for coding"); no score last.
    Quality,
    /// Alphabetical.
    Name,
}

impl SortKey {
    /// Label for the status line.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Relevance => "relevance",
            SortKey::Fit => "fit",
            SortKey::Speed => "speed",
            SortKey::Size => "size",
            SortKey::Quality => "quality",
            SortKey::Name => "name",
        }
    }

    pub(super) fn next(self) -> SortKey {
        match self {
            SortKey::Relevance => SortKey::Fit,
            SortKey::Fit => SortKey::Speed,
            SortKey::Speed => SortKey::Size,
            SortKey::Size => SortKey::Quality,
            SortKey::Quality => SortKey::Name,
            SortKey::Name => SortKey::Relevance,
        }
    }
}

impl App {
    /// Re-reads matches from the search and applies the sort.
    pub fn refresh_rows(&mut self) {
        let keep = self.selected_id();
        self.rows = self.search.matched_ids();
        self.apply_sort();
        self.select_id(keep);
        self.dirty = true;
    }

    /// The browser's order and filter.
    pub fn order(&self) -> Order {
        Order {
            key: self.sort,
            reverse: self.reverse,
            fits_only: self.fits_only,
        }
    }

    pub(super) fn sort_depends_on_estimates(&self) -> bool {
        self.order().needs_estimates()
    }

    /// Re-sorts the current rows (after a setting or hardware change that the key depends on).
    pub fn resort(&mut self) {
        self.resort_keeping(self.selected_id());
    }

    fn resort_keeping(&mut self, keep: Option<u32>) {
        self.apply_sort();
        self.select_id(keep);
    }

    /// Selects model `id` where it now is (row 0 when it is gone) and keeps it in view.
    pub fn select_id(&mut self, id: Option<u32>) {
        self.selected = id
            .and_then(|id| self.rows.iter().position(|r| *r == id))
            .unwrap_or(0);
        self.clamp_selection();
    }

    /// Orders the search's matches (filtered ones come back when the filter changes).
    pub(super) fn apply_sort(&mut self) {
        // Any new order makes a sort still running elsewhere stale.
        self.sort_generation += 1;
        self.sort_latest
            .store(self.sort_generation, std::sync::atomic::Ordering::Relaxed);
        self.sort_pending = None;
        self.sorting = false;
        let matched = self.search.matched_ids();
        let order = self.order();
        if order.needs_estimates() && matched.len() > SYNC_SORT_ROWS {
            // Too many rows for one frame: keep the current order until a worker answers.
            self.sort_pending = Some(SortJob {
                generation: self.sort_generation,
                order,
                quality: Arc::clone(&self.quality_scores),
                rows: matched,
                catalog: Arc::clone(&self.catalog),
                local: self.local.clone(),
                hardware: self.hw().clone(),
                settings: self.settings,
                latest: Arc::clone(&self.sort_latest),
            });
            self.sorting = true;
            return;
        }
        let estimates: Vec<Estimate> = if order.needs_estimates() {
            matched.iter().map(|&id| self.estimate_of(id)).collect()
        } else {
            Vec::new()
        };
        let (catalog, local) = (&self.catalog, &self.local);
        self.rows = arrange(&matched, &estimates, order, &self.quality_scores, |id| {
            model_ref(catalog, local, id).name.clone()
        });
    }

    /// Takes the sort a worker should run, if one is waiting.
    pub fn take_sort_job(&mut self) -> Option<SortJob> {
        self.sort_pending.take()
    }

    /// A worker's answer: applied if it is still the newest request, dropped otherwise.
    pub fn finish_sort(&mut self, generation: u64, rows: Vec<u32>) {
        if generation != self.sort_generation || !self.sorting {
            return;
        }
        let keep = self.selected_id();
        self.rows = rows;
        self.sorting = false;
        self.select_id(keep);
        self.dirty = true;
    }

    /// Cycles the sort order.
    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        self.resort();
        self.dirty = true;
    }

    /// Turns the order around.
    pub fn toggle_reverse(&mut self) {
        self.reverse = !self.reverse;
        self.resort();
        self.dirty = true;
    }

    /// Shows only the models that fit on the GPU, or all again.
    pub fn toggle_fits_only(&mut self) {
        self.fits_only = !self.fits_only;
        self.resort();
        self.dirty = true;
    }
}
