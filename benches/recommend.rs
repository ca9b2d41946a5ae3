#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmarks may panic on bad input
//! The recommender on a 100,000-row catalog where every row has a score: a cold ranking (fresh
//! memo, as after a hardware change), a warm one (the app's memo, as after a key press), and
//! lining the scores up with the catalog (once per catalog and use case, not per ranking).

#[path = "common.rs"]
mod common;

use std::collections::HashMap;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use fitcheck::estimate::memo::Memo;
use fitcheck::estimate::Settings;
use fitcheck::quality::{QualityData, Score};
use fitcheck::recommend::{recommend, Basis, MetricScores, Request};

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
}

criterion_group! {
    name = recommender;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = benches
}
criterion_main!(recommender);
