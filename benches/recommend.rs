#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmarks may panic on bad input
//! The recommender on a 100,000-row catalog where every row has a score: a cold ranking (fresh
//! memo, as after a hardware change), a warm one (the app's memo, as after a key press), lining
//! the scores up with the catalog (by model, and through a catalog index: the first visit of a
//! use case), and the app's use-case change in the Recommend view, drawn (a lookup once visited).

#[path = "common.rs"]
mod common;

use std::collections::HashMap;

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use fitcheck::app::{App, Mode};
use fitcheck::estimate::memo::Memo;
use fitcheck::estimate::Settings;
use fitcheck::quality::{QualityData, Score, GENERAL_METRICS};
use fitcheck::recommend::{line_up_indexed, recommend, Basis, MetricScores, ModelIndex, Request};
use fitcheck::ui::{HitMap, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn benches(c: &mut Criterion) {
    let big = common::synthetic(100_000);
    let hw = big.hardware.iter().find(|h| h.id == "tier-48").unwrap();
    // Synthetic scores (the shipped data covers only catalog ids): many ties, all distinct rows.
    let scores: HashMap<String, Score> = big
        .models
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let s = Score {
                model: m.id.clone(),
                metric: "bench".into(),
                value: (i % 1000) as f64,
                variant: String::new(),
                source: String::new(),
                date: String::new(),
                note: None,
            };
            (m.id.clone(), s)
        })
        .collect();
    c.bench_function("line_up_100k_scores", |b| {
        b.iter_batched(
            || scores.clone(),
            |s| MetricScores::new(&big.models, s),
            BatchSize::LargeInput,
        )
    });
    let index = ModelIndex::new(&big.models);
    c.bench_function("line_up_100k_scores_indexed", |b| {
        b.iter_batched(
            || scores.clone(),
            |s| MetricScores::lined_up(&index, s.into_values()),
            BatchSize::LargeInput,
        )
    });
    let scores = MetricScores::new(&big.models, scores);
    let quants = QualityData::builtin().unwrap().acceptable_quants();
    let basis = Basis {
        metric: "bench",
        scores: &scores,
        quants: &quants,
    };
    let req = Request {
        settings: Settings {
            context: 32768,
            ..Settings::default()
        },
        min_tps: 10.0,
        top: 10,
    };
    c.bench_function("recommend_100k_rows_cold_memo", |b| {
        b.iter(|| {
            let mut memo = Memo::default();
            recommend(&big.models, hw, 0, &basis, &req, &mut memo)
        })
    });
    let mut memo = Memo::with_capacity(200_000);
    c.bench_function("recommend_100k_rows_warm_memo", |b| {
        b.iter(|| recommend(&big.models, hw, 0, &basis, &req, &mut memo))
    });

    // The app: every row scored on one of the three general scales (a third each), so chat's and
    // rag's chains hold 100k scores between them.
    let data = QualityData {
        scores: big
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| Score {
                model: m.id.clone(),
                metric: GENERAL_METRICS[i % GENERAL_METRICS.len()].into(),
                value: (i % 1000) as f64 / 10.0 + 1.0,
                variant: String::new(),
                source: String::new(),
                date: String::new(),
                note: None,
            })
            .collect(),
        ..QualityData::builtin().unwrap()
    };
    // First visit of a use case: the chain's three scales lined up through the catalog index.
    c.bench_function("use_case_first_visit_100k_scores", |b| {
        b.iter(|| line_up_indexed(&index, data.tiers(GENERAL_METRICS)))
    });
    let mut a = App::new(Arc::clone(&big), big.hardware[0].clone(), Some("rtx-4090"));
    a.quality = Some(Arc::new(data));
    a.mode = Mode::Recommend;
    a.refresh_recommendation();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut step = 1;
    // Back and forth between chat and coding, both visited: the lined-up scores come from the
    // cache, the ranking from the warm memo, then the frame is drawn.
    c.bench_function("use_case_change_100k_rows_and_frame", |b| {
        b.iter(|| {
            a.cycle_use_case(step);
            step = -step;
            let mut hits = HitMap::default();
            fitcheck::ui::draw(&mut term, &mut a, &Theme::dark(), &mut hits).unwrap();
        })
    });
}

criterion_group! {
    name = recommender;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = benches
}
criterion_main!(recommender);
