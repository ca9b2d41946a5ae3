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
/// the previous one only rescans the previous matches; an item lacking one of the query's
/// characters is skipped without calling the matcher ([`char_mask`]).
pub struct ModelSearch {
    names: Vec<Utf32String>,
    extras: Vec<Utf32String>,
    /// [`char_mask`] of each name and of each item's other fields.
    name_masks: Vec<u64>,
    extra_masks: Vec<u64>,
    query: String,
    matches: Vec<u32>,
}

impl ModelSearch {
    /// Indexes (name, other searchable text) per model.
    pub fn new(items: Vec<(String, String)>) -> Self {
        let mut search = ModelSearch {
            names: Vec::with_capacity(items.len()),
            extras: Vec::with_capacity(items.len()),
            name_masks: Vec::with_capacity(items.len()),
            extra_masks: Vec::with_capacity(items.len()),
            query: String::new(),
            matches: (0..items.len() as u32).collect(),
        };
        for (name, extras) in &items {
            search.add(name, extras);
        }
        search
    }

    fn add(&mut self, name: &str, extras: &str) {
        self.names.push(Utf32String::from(name));
        self.extras.push(Utf32String::from(extras));
        self.name_masks.push(char_mask(name));
        self.extra_masks.push(char_mask(extras));
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
        let words: Vec<String> = query
            .split_whitespace()
            .map(|w| {
                if ignore_case {
                    w.to_lowercase()
                } else {
                    w.to_string()
                }
            })
            .collect();
        let needles: Vec<Utf32String> = words
            .iter()
            .map(|w| Utf32String::from(w.as_str()))
            .collect();
        // Characters every match must hold (none known for a non-ASCII word: see `char_mask`).
        let need = words
            .iter()
            .filter(|w| w.is_ascii())
            .fold(0, |m, w| m | char_mask(w));
        let mut config = Config::DEFAULT;
        config.ignore_case = ignore_case;
        config.normalize = false;
        config.prefer_prefix = true;
        let (names, extras, needles) = (&self.names, &self.extras, &needles);
        let (name_masks, extra_masks) = (&self.name_masks, &self.extra_masks);
        let mut scored: Vec<(u32, u32)> = crate::parallel::map_chunks(&pool, 4096, |ids| {
            let mut matcher = Matcher::new(config.clone());
            ids.iter()
                .filter_map(|&id| {
                    let i = id as usize;
                    // Name matches rank above matches in the other fields.
                    if name_masks[i] & need == need {
                        if let Some(s) = greedy(&mut matcher, names[i].slice(..), needles) {
                            return Some((s + NAME_BONUS, id));
                        }
                    }
                    if extra_masks[i] & need != need {
                        return None;
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
        self.add(name, extras);
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

/// Which characters `text` holds, case folded: one bit per ASCII letter and digit, the other
/// ASCII characters sharing the remaining bits. A fuzzy match needs every character of the
/// needle in the haystack, so a haystack whose mask lacks a bit of the needle's cannot match.
/// Non-ASCII text gets every bit (its case folding can yield ASCII: the Kelvin sign is 'k').
fn char_mask(text: &str) -> u64 {
    if !text.is_ascii() {
        return u64::MAX;
    }
    text.bytes().fold(0, |mask, b| {
        let bit = match b.to_ascii_lowercase() {
            c @ b'a'..=b'z' => c - b'a',
            c @ b'0'..=b'9' => 26 + c - b'0',
            c => 36 + c % 27,
        };
        mask | 1 << bit
    })
}

/// Added to name-match scores so they rank above matches found only in the other fields.
const NAME_BONUS: u32 = 1 << 20;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The plain way: every item scored from scratch with the matcher alone (no masks, no
    /// narrowing, one thread), names first, then score descending and catalog order.
    fn reference(items: &[(String, String)], query: &str) -> Vec<u32> {
        if query.trim().is_empty() {
            return (0..items.len() as u32).collect();
        }
        let ignore_case = !query.chars().any(char::is_uppercase);
        let needles: Vec<Utf32String> = query
            .split_whitespace()
            .map(|w| match ignore_case {
                true => Utf32String::from(w.to_lowercase().as_str()),
                false => Utf32String::from(w),
            })
            .collect();
        let mut config = Config::DEFAULT;
        config.ignore_case = ignore_case;
        config.normalize = false;
        config.prefer_prefix = true;
        let mut matcher = Matcher::new(config);
        let mut scored: Vec<(u32, u32)> = Vec::new();
        for (i, (name, extras)) in items.iter().enumerate() {
            let (name, extras) = (
                Utf32String::from(name.as_str()),
                Utf32String::from(extras.as_str()),
            );
            let score = match greedy(&mut matcher, name.slice(..), &needles) {
                Some(s) => Some(s + NAME_BONUS),
                None => greedy(&mut matcher, extras.slice(..), &needles),
            };
            if let Some(s) = score {
                scored.push((s, i as u32));
            }
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, i)| i).collect()
    }

    /// Equal lists, or the first place they differ (the lists are long).
    fn same(got: &[u32], want: &[u32], items: &[(String, String)]) -> Result<(), String> {
        match got.iter().zip(want).position(|(a, b)| a != b) {
            None if got.len() == want.len() => Ok(()),
            None => Err(format!("{} matches, want {}", got.len(), want.len())),
            Some(k) => Err(format!(
                "at {k}: got {:?}, want {:?}",
                items[got[k] as usize], items[want[k] as usize]
            )),
        }
    }

    const WORDS: &[&str] = &[
        "Llama",
        "3.1",
        "8B",
        "Qwen3",
        "Coder",
        "30B-A3B",
        "gemma",
        "variant",
        "MoE",
        "q4_K_M",
        "Mistral",
        "Small",
        "Ministral",
        "DeepSeek",
        "R1",
        "Phi-4",
        "mini",
        "Äpfel",
        "\u{212A}elvin",
        "e\u{301}clair",
        "meta-llama/Llama-3.1-8B",
        "coding",
        "chat",
    ];

    fn item(words: &[usize]) -> String {
        let picked: Vec<&str> = words.iter().map(|&w| WORDS[w % WORDS.len()]).collect();
        picked.join(" ")
    }

    fn items(n: usize, seed: usize) -> Vec<(String, String)> {
        (0..n)
            .map(|i| {
                let k = i.wrapping_mul(2_654_435_761).wrapping_add(seed);
                let name = item(&[k % 7, k / 7 % 23, k / 161 % 11]);
                let extras = item(&[k / 13 % 23, k / 299 % 5 + 18]);
                (format!("{name} {}", i % 97), extras)
            })
            .collect()
    }

    /// Queries as typed: appends (narrowing), deletions, restarts, two words, upper case (case
    /// sensitive), digits, punctuation and non-ASCII (no mask).
    fn queries() -> impl Strategy<Value = Vec<String>> {
        let chars = prop::sample::select(vec![
            'l', 'a', 'm', 'q', 'w', 'e', 'n', '3', '8', 'b', 'c', 'o', 'd', 'r', ' ', '-', '.',
            '_', 'L', 'Q', 'K', 'é', 'ä', '\u{212A}', '\u{301}', 'z',
        ]);
        let step = prop_oneof![
            4 => chars.prop_map(Some),
            1 => Just(None),
        ];
        prop::collection::vec(step, 1..24).prop_map(|steps| {
            let mut q = String::new();
            let mut out = Vec::new();
            for s in steps {
                match s {
                    Some(c) => q.push(c),
                    None => q.clear(),
                }
                out.push(q.clone());
                if q.chars().count() > 3 && out.len() % 5 == 0 {
                    q.pop();
                    out.push(q.clone());
                }
            }
            out
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn every_keystroke_matches_the_plain_search(
            n in 0usize..400,
            seed in 0usize..1000,
            typed in queries(),
        ) {
            let list = items(n, seed);
            let mut search = ModelSearch::new(list.clone());
            for q in &typed {
                search.set_query(q);
                let r = same(&search.matched_ids(), &reference(&list, q), &list);
                prop_assert!(r.is_ok(), "query {:?}: {:?}", q, r);
            }
        }
    }

    /// Enough items for several threads, and an item added while a query is active.
    #[test]
    fn large_list_across_threads_and_after_a_push() {
        let mut list = items(9000, 7);
        let mut search = ModelSearch::new(list.clone());
        for q in [
            "l", "ll", "lla", "llama 8", "Llama", "q", "qw", "qwen3 c", "é", "k", "-a3",
        ] {
            search.set_query(q);
            same(&search.matched_ids(), &reference(&list, q), &list).expect(q);
        }
        search.push("Llama 9 pushed", "coding");
        list.push(("Llama 9 pushed".into(), "coding".into()));
        same(&search.matched_ids(), &reference(&list, "-a3"), &list).expect("push");
        search.set_query("llama");
        same(&search.matched_ids(), &reference(&list, "llama"), &list).expect("llama");
    }

    #[test]
    fn char_mask_is_case_folded_and_all_bits_outside_ascii() {
        assert_eq!(char_mask("Llama"), char_mask("mal"));
        assert_ne!(char_mask("qwen") & !char_mask("llama"), 0);
        assert_eq!(char_mask("\u{212A}"), u64::MAX);
        assert_eq!(char_mask(""), 0);
    }
}
