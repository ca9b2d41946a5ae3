//! Fuzzy matching (nucleo). The only module that knows nucleo.

use std::sync::Arc;

use nucleo::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
use nucleo::{Config, Matcher, Nucleo, Utf32Str};

/// The `n` candidates that best match `query`, best first (for "did you mean").
pub fn closest(query: &str, candidates: &[String], n: usize) -> Vec<String> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut hits: Vec<(String, u32)> = pattern
        .match_list(candidates.iter().cloned(), &mut matcher)
        .into_iter()
        .collect();
    if hits.is_empty() {
        // No subsequence match: fall back to shared characters, so a typo still gets an answer.
        let q: Vec<char> = query.to_ascii_lowercase().chars().collect();
        hits = candidates
            .iter()
            .map(|c| {
                (
                    c.clone(),
                    c.to_ascii_lowercase()
                        .chars()
                        .filter(|ch| q.contains(ch))
                        .count() as u32,
                )
            })
            .filter(|(_, s)| *s > 0)
            .collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.len().cmp(&b.0.len())));
    }
    hits.into_iter().take(n).map(|(c, _)| c).collect()
}

/// Indices of `items` matching `query`, best first (small lists: the hardware picker).
pub fn match_small(query: &str, items: &[String]) -> Vec<usize> {
    if query.trim().is_empty() {
        return (0..items.len()).collect();
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let mut buf = Vec::new();
    let mut scored: Vec<(usize, u32)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            pattern
                .score(Utf32Str::new(s, &mut buf), &mut matcher)
                .map(|sc| (i, sc))
        })
        .collect();
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.into_iter().map(|(i, _)| i).collect()
}

/// Character positions of `query`'s fuzzy match inside `text` (for highlighting).
pub fn match_indices(query: &str, text: &str, matcher: &mut Matcher, out: &mut Vec<u32>) {
    out.clear();
    if query.trim().is_empty() {
        return;
    }
    let mut buf = Vec::new();
    let hay = Utf32Str::new(text, &mut buf);
    for word in query.split_whitespace() {
        let atom = Atom::new(
            word,
            CaseMatching::Smart,
            Normalization::Smart,
            AtomKind::Fuzzy,
            false,
        );
        atom.indices(hay, matcher, out);
    }
    out.sort_unstable();
    out.dedup();
}

/// Background fuzzy search over model haystacks; items are model indices (`u32`).
pub struct ModelSearch {
    nucleo: Nucleo<u32>,
    query: String,
}

impl ModelSearch {
    /// Indexes `haystacks` (one string per model, name first); `notify` runs when results change.
    pub fn new(haystacks: Vec<String>, notify: Arc<dyn Fn() + Send + Sync>) -> Self {
        let nucleo = Nucleo::new(Config::DEFAULT, notify, None, 1);
        let injector = nucleo.injector();
        for (i, h) in haystacks.into_iter().enumerate() {
            injector.push(i as u32, move |_, cols| cols[0] = h.into());
        }
        ModelSearch {
            nucleo,
            query: String::new(),
        }
    }

    /// Sets the query; appending to the previous one lets nucleo narrow instead of restart.
    pub fn set_query(&mut self, query: &str) {
        if query == self.query {
            return;
        }
        let append = query.starts_with(&self.query);
        self.nucleo
            .pattern
            .reparse(0, query, CaseMatching::Smart, Normalization::Smart, append);
        self.query = query.to_string();
    }

    /// Advances matching for up to `ms`; returns (changed, still running).
    pub fn tick(&mut self, ms: u64) -> (bool, bool) {
        let status = self.nucleo.tick(ms);
        (status.changed, status.running)
    }

    /// Ticks until matching is complete (tests and start-up).
    pub fn finish(&mut self) {
        while self.tick(10).1 {}
    }

    /// Number of matches in the current snapshot.
    pub fn matched(&self) -> usize {
        self.nucleo.snapshot().matched_item_count() as usize
    }

    /// Total items.
    pub fn total(&self) -> usize {
        self.nucleo.snapshot().item_count() as usize
    }

    /// Model indices of matches, best first (empty query: insertion order).
    pub fn matched_ids(&self) -> Vec<u32> {
        let snap = self.nucleo.snapshot();
        snap.matched_items(..).map(|it| *it.data).collect()
    }
}
