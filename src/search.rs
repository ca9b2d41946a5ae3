//! Fuzzy matching (nucleo). The only module that knows nucleo.

use nucleo::pattern::{CaseMatching, Normalization, Pattern};
use nucleo::{Config, Matcher};

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
                let common = c
                    .to_ascii_lowercase()
                    .chars()
                    .filter(|ch| q.contains(ch))
                    .count();
                (c.clone(), common as u32)
            })
            .filter(|(_, s)| *s > 0)
            .collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.len().cmp(&b.0.len())));
    }
    hits.into_iter().take(n).map(|(c, _)| c).collect()
}
