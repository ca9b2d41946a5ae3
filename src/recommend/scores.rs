//! One metric's scores lined up with a model slice, and the ranking order walked lazily.
//!
//! Why: at 100k rows, looking every model id up in a map of scores (SipHash, one cache miss per
//! row) and fully sorting the rows cost more than the ranking itself, which usually stops after
//! a few hundred rows. So the lookups happen once per catalog and metric ([`MetricScores::new`];
//! with a [`ModelIndex`] built once per catalog, one lookup per published score rather than per
//! row: [`MetricScores::lined_up`]), and a ranking only orders as much of the front as it reads
//! ([`RankOrder`]).

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::estimate::ModelSpec;
use crate::quality::Score;

/// Catalog ids to their position, built once per catalog (ids are unique in a valid catalog; a
/// repeated id keeps its first position).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelIndex {
    by_id: HashMap<String, u32>,
    len: usize,
}

impl ModelIndex {
    pub fn new(models: &[ModelSpec]) -> Self {
        let mut by_id = HashMap::with_capacity(models.len());
        for (i, m) in models.iter().enumerate() {
            by_id.entry(m.id.clone()).or_insert(i as u32);
        }
        ModelIndex {
            by_id,
            len: models.len(),
        }
    }

    /// Number of models indexed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no model is indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// One metric's scores by model index: the value (read for every row of every ranking) and the
/// published record (read only for the rows recommended).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricScores {
    /// Per model index: the value and its record's index in `records`.
    by_model: Vec<Option<(f64, u32)>>,
    records: Vec<Score>,
}

impl MetricScores {
    /// Lines `scores` (keyed by model id, as `QualityData::metric` gives them) up with `models`.
    /// Rankings must be asked for the same slice.
    pub fn new(models: &[ModelSpec], scores: HashMap<String, Score>) -> Self {
        let mut records = Vec::with_capacity(scores.len());
        let mut slot_of: HashMap<String, u32> = HashMap::with_capacity(scores.len());
        for (id, score) in scores {
            slot_of.insert(id, records.len() as u32);
            records.push(score);
        }
        let by_model = models
            .iter()
            .map(|m| {
                let slot = *slot_of.get(&m.id)?;
                Some((records[slot as usize].value, slot))
            })
            .collect();
        MetricScores { by_model, records }
    }

    /// Lines `scores` up with the catalog `index` was built from: one lookup per score, so a
    /// use case's scores cost what the published data holds, not what the catalog holds.
    pub fn lined_up(index: &ModelIndex, scores: impl IntoIterator<Item = Score>) -> Self {
        let mut by_model = vec![None; index.len];
        let mut records = Vec::new();
        for score in scores {
            if let Some(&i) = index.by_id.get(score.model.as_str()) {
                by_model[i as usize] = Some((score.value, records.len() as u32));
                records.push(score);
            }
        }
        MetricScores { by_model, records }
    }

    /// The score of model `index` (`None`: no score, or an index past the slice).
    pub fn get(&self, index: usize) -> Option<&Score> {
        let (_, slot) = self.by_model.get(index).copied().flatten()?;
        self.records.get(slot as usize)
    }

    /// The value of model `index` (`None`: no score).
    pub fn value(&self, index: usize) -> Option<f64> {
        self.by_model.get(index).copied().flatten().map(|(v, _)| v)
    }

    /// Number of models lined up.
    pub fn len(&self) -> usize {
        self.by_model.len()
    }

    /// Whether no model is lined up.
    pub fn is_empty(&self) -> bool {
        self.by_model.is_empty()
    }
}

/// The ranking order: score descending (`f64::total_cmp`), equal scores by model id, then by
/// index (ids are unique in a valid catalog). Yields `(model index, score)`.
///
/// Sorted lazily: each time the sorted front runs out, the next block of the best remaining rows
/// is selected in O(n) (`select_nth_unstable_by`), widened to take every row tied with its last
/// one (so a block never splits a tie), and sorted. Blocks double, so a ranking that reads k rows
/// costs O(n log(k)) at worst, and a full walk O(n log n) like a sort.
#[derive(Debug)]
pub struct RankOrder<'a> {
    rows: Vec<(u32, f64)>,
    /// `rows[..sorted]` is in final order.
    sorted: usize,
    next: usize,
    models: &'a [ModelSpec],
}

/// Rows ordered in the first block (a recommendation of 5–10 usually needs fewer).
const FIRST_BLOCK: usize = 64;

impl<'a> RankOrder<'a> {
    /// The scored rows of `models` in ranking order, and the indices of the unscored ones.
    pub fn new(models: &'a [ModelSpec], scores: &MetricScores) -> (Self, Vec<usize>) {
        let mut rows = Vec::with_capacity(models.len());
        let mut unscored = Vec::new();
        for i in 0..models.len() {
            match scores.value(i) {
                Some(v) => rows.push((i as u32, v)),
                None => unscored.push(i),
            }
        }
        let order = RankOrder {
            rows,
            sorted: 0,
            next: 0,
            models,
        };
        (order, unscored)
    }

    fn by_score(a: &(u32, f64), b: &(u32, f64)) -> Ordering {
        b.1.total_cmp(&a.1)
    }

    fn sort_next_block(&mut self) {
        let rest = &mut self.rows[self.sorted..];
        let want = self.sorted.max(FIRST_BLOCK);
        let end = if rest.len() > want {
            rest.select_nth_unstable_by(want - 1, Self::by_score);
            let last = rest[want - 1].1;
            // Rows tied with the block's last may lie beyond it: bring them in.
            let mut end = want;
            for j in want..rest.len() {
                if rest[j].1.total_cmp(&last).is_eq() {
                    rest.swap(end, j);
                    end += 1;
                }
            }
            end
        } else {
            rest.len()
        };
        let models = self.models;
        rest[..end].sort_unstable_by(|a, b| {
            Self::by_score(a, b)
                .then_with(|| models[a.0 as usize].id.cmp(&models[b.0 as usize].id))
                .then(a.0.cmp(&b.0))
        });
        self.sorted += end;
    }
}

impl Iterator for RankOrder<'_> {
    type Item = (usize, f64);

    fn next(&mut self) -> Option<(usize, f64)> {
        if self.next == self.sorted && self.sorted < self.rows.len() {
            self.sort_next_block();
        }
        let &(i, v) = self.rows.get(self.next)?;
        self.next += 1;
        Some((i as usize, v))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    fn models(ids: &[String]) -> Vec<ModelSpec> {
        let cat = crate::catalog::Catalog::builtin().expect("catalog");
        let template = &cat.models[0];
        ids.iter()
            .map(|id| ModelSpec {
                id: id.clone(),
                ..template.clone()
            })
            .collect()
    }

    fn score(id: &str, value: f64) -> Score {
        Score {
            model: id.to_string(),
            metric: "m".into(),
            value,
            variant: format!("variant of {id}"),
            source: String::new(),
            date: String::new(),
            note: None,
        }
    }

    /// The straightforward order: every scored row, fully sorted.
    fn reference(models: &[ModelSpec], scores: &HashMap<String, Score>) -> Vec<(usize, f64)> {
        let mut rows: Vec<(usize, f64)> = models
            .iter()
            .enumerate()
            .filter_map(|(i, m)| scores.get(&m.id).map(|s| (i, s.value)))
            .collect();
        rows.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| models[a.0].id.cmp(&models[b.0].id))
        });
        rows
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Few distinct values (long ties across block edges), ids in random order, some rows
        /// unscored, ±0.0: the lazy walk yields the full sort's order, and `take(k)` its prefix.
        #[test]
        fn lazy_order_is_the_full_sort(
            rows in prop::collection::vec((0u32..1_000_000, prop::option::of(-3i8..6)), 0..700),
            take in 0usize..400,
        ) {
            let mut seen = std::collections::HashSet::new();
            let rows: Vec<_> = rows.into_iter().filter(|(k, _)| seen.insert(*k)).collect();
            let ids: Vec<String> = rows.iter().map(|(k, _)| format!("m{k}")).collect();
            let models = models(&ids);
            let value = |v: i8| if v == 5 { -0.0 } else { f64::from(v) / 2.0 };
            let map: HashMap<String, Score> = rows
                .iter()
                .zip(&ids)
                .filter_map(|((_, v), id)| v.map(|v| (id.clone(), score(id, value(v)))))
                .collect();
            let want = reference(&models, &map);
            let scores = MetricScores::new(&models, map.clone());
            let (order, unscored) = RankOrder::new(&models, &scores);
            let got: Vec<(usize, f64)> = order.collect();
            prop_assert_eq!(got.iter().map(|r| (r.0, r.1.to_bits())).collect::<Vec<_>>(),
                want.iter().map(|r| (r.0, r.1.to_bits())).collect::<Vec<_>>());
            let (order, _) = RankOrder::new(&models, &scores);
            prop_assert_eq!(order.take(take).collect::<Vec<_>>(),
                want.iter().take(take).copied().collect::<Vec<_>>());
            let want_unscored: Vec<usize> =
                (0..models.len()).filter(|&i| !map.contains_key(&models[i].id)).collect();
            prop_assert_eq!(unscored, want_unscored);
            for (i, m) in models.iter().enumerate() {
                prop_assert_eq!(scores.get(i), map.get(&m.id));
            }
            // Through a catalog index: the same values and records for every row.
            let indexed = MetricScores::lined_up(&ModelIndex::new(&models), map.clone().into_values());
            prop_assert_eq!(indexed.len(), scores.len());
            for i in 0..models.len() {
                prop_assert_eq!(indexed.get(i), scores.get(i));
                prop_assert_eq!(indexed.value(i).map(f64::to_bits), scores.value(i).map(f64::to_bits));
            }
        }
    }

    /// `recommend` on a generated catalog (the real architectures under shuffled ids, scores
    /// with long ties, some unscored) against the plain way: every scored row fully sorted, then
    /// the same stopping rule.
    #[test]
    fn recommend_ranks_like_a_full_sort() {
        use crate::estimate::memo::Memo;
        use crate::estimate::Settings;
        use crate::recommend::{best_quant, recommend, Basis, Request};

        let cat = crate::catalog::Catalog::builtin().expect("catalog");
        let mut models = Vec::new();
        for k in 0..12 {
            for (j, m) in cat.models.iter().enumerate() {
                let n = (k * cat.models.len() + j) as u64;
                let id = format!("m{:08x}", n.wrapping_mul(0x9E37_79B9) % 0xFFFF_FFFF);
                models.push(ModelSpec { id, ..m.clone() });
            }
        }
        let map: HashMap<String, Score> = models
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 11 != 3)
            .map(|(i, m)| (m.id.clone(), score(&m.id, (i % 9) as f64 * 10.0)))
            .collect();
        let scores = MetricScores::new(&models, map.clone());
        let quants = crate::quality::QualityData::builtin()
            .expect("quality data")
            .acceptable_quants();
        let basis = Basis {
            metric: "m",
            scores: &scores,
            quants: &quants,
        };
        for (hw_id, context, min_tps, top) in [
            ("tier-24", 8192, 10.0, 5),
            ("tier-48", 32768, 10.0, 10),
            ("tier-16", 4096, 20.0, 3),
            ("tier-96", 131_072, 5.0, 200),
        ] {
            let hw = cat.find_hardware(hw_id).expect("tier");
            let req = Request {
                settings: Settings {
                    context,
                    ..Settings::default()
                },
                min_tps,
                top,
            };
            let got = recommend(&models, hw, 0, &basis, &req, &mut Memo::default());

            let mut memo = Memo::default();
            let mut picks: Vec<(f64, f64, String, &str)> = Vec::new();
            let mut excluded = Vec::new();
            for (i, value) in reference(&models, &map) {
                if picks.len() >= top && picks.last().is_some_and(|p| value < p.0) {
                    break;
                }
                let m = &models[i];
                match best_quant(&mut memo, i as u32, m, hw, 0, &quants, &req) {
                    Ok((q, _, e)) => {
                        picks.push((value, e.decode_tps_full_context, m.id.clone(), q.label()))
                    }
                    Err(reason) => excluded.push((m.id.clone(), value, reason)),
                }
            }
            picks.sort_by(|a, b| {
                b.0.total_cmp(&a.0)
                    .then(b.1.total_cmp(&a.1))
                    .then_with(|| a.2.cmp(&b.2))
            });
            picks.truncate(top);
            let got_picks: Vec<_> = got
                .recommendations
                .iter()
                .map(|p| (p.quality, p.decode_tps, p.model.clone(), p.quant))
                .collect();
            assert_eq!(got_picks, picks, "{hw_id}");
            assert!(
                !picks.is_empty(),
                "{hw_id}: the case should recommend something"
            );
            let got_excluded: Vec<_> = got
                .excluded
                .iter()
                .map(|x| (x.model.clone(), x.quality, x.reason.clone()))
                .collect();
            assert_eq!(got_excluded, excluded, "{hw_id}");
            let unscored: Vec<usize> = (0..models.len())
                .filter(|&i| !map.contains_key(&models[i].id))
                .collect();
            assert_eq!(got.unscored, unscored);
            for p in &got.recommendations {
                assert_eq!(p.variant, format!("variant of {}", p.model));
            }
        }
    }
}
