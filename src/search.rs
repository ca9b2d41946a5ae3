//! Fuzzy matching (nucleo-matcher). The only module that knows it.

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

/// Indices of `items` matching `query`, best first (small lists: the hardware picker).
pub fn match_small(query: &str, items: &[String]) -> Vec<usize> {
    if query.trim().is_empty() {
        return (0..items.len()).collect();
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let atoms: Vec<Atom> = query
        .split_whitespace()
        .map(|w| {
            let kind = if w.chars().all(|c| c.is_ascii_digit()) {
                AtomKind::Substring
            } else {
                AtomKind::Fuzzy
            };
            Atom::new(w, CaseMatching::Ignore, Normalization::Smart, kind, false)
        })
        .collect();
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut buf = Vec::new();
    let mut scored: Vec<(usize, bool, u32)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let hay = Utf32Str::new(s, &mut buf);
            let score = atoms.iter().try_fold(0u32, |acc, a| {
                a.score(hay, &mut matcher).map(|sc| acc + u32::from(sc))
            })?;
            let lower = s.to_lowercase();
            let literal = words.iter().all(|w| lower.contains(w.as_str()));
            Some((i, literal, score))
        })
        .collect();
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    scored.into_iter().map(|(i, _, _)| i).collect()
}

/// Highlights matched characters with one matcher kept for the app's lifetime (no allocation
/// per frame).
pub struct Highlighter {
    matcher: Matcher,
}

impl Default for Highlighter {
    fn default() -> Self {
        Highlighter {
            matcher: Matcher::new(Config::DEFAULT),
        }
    }
}

impl std::fmt::Debug for Highlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Highlighter")
    }
}

impl Highlighter {
    /// Character positions of `query`'s match in `text`, into `out`.
    pub fn indices(&mut self, query: &str, text: &str, out: &mut Vec<u32>) {
        match_indices(query, text, &mut self.matcher, out);
    }
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

/// Fuzzy search over models: the name is scored first (short, what people type), and only
/// items whose name does not match are scored on their other fields (family, repo, tags, use
/// cases), ranked below name matches. Runs on all cores with scoped threads; a query that extends
/// the previous one only rescans the previous matches.
pub struct ModelSearch {
    names: Vec<Utf32String>,
    extras: Vec<Utf32String>,
    query: String,
    matches: Vec<u32>,
}

impl ModelSearch {
    /// Indexes (name, other searchable text) per model.
    pub fn new(items: Vec<(String, String)>) -> Self {
        let (names, extras): (Vec<_>, Vec<_>) = items
            .into_iter()
            .map(|(n, e)| (Utf32String::from(n.as_str()), Utf32String::from(e.as_str())))
            .unzip();
        let matches = (0..names.len() as u32).collect();
        ModelSearch {
            names,
            extras,
            query: String::new(),
            matches,
        }
    }

    /// Re-ranks for `query` (synchronously).
    pub fn set_query(&mut self, query: &str) {
        if query == self.query {
            return;
        }
        let narrowing = !self.query.is_empty() && query.starts_with(&self.query);
        self.query = query.to_string();
        if query.trim().is_empty() {
            self.matches = (0..self.names.len() as u32).collect();
            return;
        }
        let pool: Vec<u32> = if narrowing {
            std::mem::take(&mut self.matches)
        } else {
            (0..self.names.len() as u32).collect()
        };
        // Smart case: an all-lowercase query ignores case. Each word must match (AND).
        let ignore_case = !query.chars().any(char::is_uppercase);
        let needles: Vec<Utf32String> = query
            .split_whitespace()
            .map(|w| {
                Utf32String::from(
                    if ignore_case {
                        w.to_lowercase()
                    } else {
                        w.to_string()
                    }
                    .as_str(),
                )
            })
            .collect();
        let mut config = Config::DEFAULT;
        config.ignore_case = ignore_case;
        config.normalize = false;
        config.prefer_prefix = true;
        let (names, extras, needles) = (&self.names, &self.extras, &needles);
        let mut scored: Vec<(u32, u32)> = crate::parallel::map_chunks(&pool, 4096, |ids| {
            let mut matcher = Matcher::new(config.clone());
            ids.iter()
                .filter_map(|&id| {
                    let i = id as usize;
                    // Name matches rank above matches in the other fields.
                    if let Some(s) = greedy(&mut matcher, names[i].slice(..), needles) {
                        return Some((s + NAME_BONUS, id));
                    }
                    greedy(&mut matcher, extras[i].slice(..), needles).map(|s| (s, id))
                })
                .collect()
        });
        // One u64 key per match (score descending, then catalog order) sorts faster than pairs.
        let mut keys: Vec<u64> = scored
            .drain(..)
            .map(|(s, id)| (u64::from(u32::MAX - s) << 32) | u64::from(id))
            .collect();
        keys.sort_unstable();
        self.matches = keys.into_iter().map(|k| k as u32).collect();
    }

    /// Adds an item (a model found on disk) and re-ranks.
    pub fn push(&mut self, name: &str, extras: &str) {
        self.names.push(Utf32String::from(name));
        self.extras.push(Utf32String::from(extras));
        let query = std::mem::take(&mut self.query);
        self.matches.clear();
        if query.is_empty() {
            self.matches = (0..self.names.len() as u32).collect();
        } else {
            self.set_query(&query);
        }
    }

    /// Number of matches.
    pub fn matched(&self) -> usize {
        self.matches.len()
    }

    /// Total items.
    pub fn total(&self) -> usize {
        self.names.len()
    }

    /// Model indices of matches, best first (empty query: catalog order).
    pub fn matched_ids(&self) -> Vec<u32> {
        self.matches.clone()
    }
}

/// Sum of greedy (O(n)) fuzzy scores of every needle; `None` if one does not match.
fn greedy(matcher: &mut Matcher, hay: Utf32Str<'_>, needles: &[Utf32String]) -> Option<u32> {
    needles.iter().try_fold(0u32, |acc, n| {
        matcher
            .fuzzy_match_greedy(hay, n.slice(..))
            .map(|s| acc + u32::from(s))
    })
}

/// Added to name-match scores so they rank above matches found only in the other fields.
const NAME_BONUS: u32 = 1 << 20;
