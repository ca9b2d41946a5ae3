//! The browser's order: relevance, name, or an estimate (fit, speed, size). Estimate sorts of
//! many rows go to a worker ([`super::sort_job`]); the app keeps the newest answer only.

use std::sync::Arc;

use super::sort_job::{self, SortJob, SYNC_SORT_ROWS};
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
            SortKey::Name => "name",
        }
    }

    pub(super) fn next(self) -> SortKey {
        match self {
            SortKey::Relevance => SortKey::Fit,
            SortKey::Fit => SortKey::Speed,
            SortKey::Speed => SortKey::Size,
            SortKey::Size => SortKey::Name,
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

    pub(super) fn sort_depends_on_estimates(&self) -> bool {
        matches!(self.sort, SortKey::Fit | SortKey::Speed | SortKey::Size)
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

    pub(super) fn apply_sort(&mut self) {
        // Any new order makes a sort still running elsewhere stale.
        self.sort_generation += 1;
        self.sort_latest
            .store(self.sort_generation, std::sync::atomic::Ordering::Relaxed);
        self.sort_pending = None;
        self.sorting = false;
        let mut rows = std::mem::take(&mut self.rows);
        match self.sort {
            SortKey::Relevance => {}
            SortKey::Name => {
                // Local models have ids past the catalog's: look both up.
                let (catalog, local) = (&self.catalog, &self.local);
                rows.sort_by_cached_key(|id| model_ref(catalog, local, *id).name.to_lowercase());
            }
            SortKey::Fit | SortKey::Speed | SortKey::Size if rows.len() > SYNC_SORT_ROWS => {
                // Too many rows for one frame: keep the current order until a worker answers.
                self.sort_pending = Some(SortJob {
                    generation: self.sort_generation,
                    key: self.sort,
                    rows: rows.clone(),
                    catalog: Arc::clone(&self.catalog),
                    local: self.local.clone(),
                    hardware: self.hw().clone(),
                    settings: self.settings,
                    latest: Arc::clone(&self.sort_latest),
                });
                self.sorting = true;
            }
            SortKey::Fit | SortKey::Speed | SortKey::Size => {
                let mut keyed: Vec<(u32, Estimate)> =
                    rows.iter().map(|&id| (id, self.estimate_of(id))).collect();
                keyed.sort_by(|a, b| sort_job::compare(self.sort, &a.1, &b.1));
                rows = keyed.into_iter().map(|(id, _)| id).collect();
            }
        }
        self.rows = rows;
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
        let keep = self.selected_id();
        self.sort = self.sort.next();
        self.rows = self.search.matched_ids();
        self.resort_keeping(keep);
        self.dirty = true;
    }
}
