#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmarks may panic on bad input
//! Keypress-to-frame costs on a 100,000-model catalog (docs/performance.md).

#[path = "common.rs"]
mod common;

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use fitcheck::app::update::adjust;
use fitcheck::app::{App, Slider};
use fitcheck::catalog::Catalog;
use fitcheck::ui::{HitMap, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn app(cat: Arc<Catalog>) -> App {
    let machine = cat.hardware[0].clone();
    App::new(cat, machine, Some("rtx-4090"))
}

fn frame(app: &mut App, term: &mut Terminal<TestBackend>) {
    let mut hits = HitMap::default();
    fitcheck::ui::draw(term, app, &Theme::dark(), &mut hits).expect("draw");
}

/// Moves the context by 256 tokens, bouncing between 2K and 120K: every step is a context the
/// memo has not seen, so the visible rows really re-estimate.
fn step_context(a: &mut App, up: &mut bool) {
    a.settings.context = if *up {
        a.settings.context + 256
    } else {
        a.settings.context - 256
    };
    if a.settings.context > 120_000 {
        *up = false;
    } else if a.settings.context < 2048 {
        *up = true;
    }
}

fn benches(c: &mut Criterion) {
    let cat = common::synthetic(100_000);
    let mut group = c.benchmark_group("100k_models");

    // Slider change: every step is a context the memo has not seen (visible rows re-estimate).
    let mut a = app(Arc::clone(&cat));
    let mut term = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    frame(&mut a, &mut term);
    let mut up = true;
    group.bench_function("context_slider_change_and_frame", |b| {
        b.iter(|| {
            step_context(&mut a, &mut up);
            adjust(&mut a, Slider::Sequences, 0);
            frame(&mut a, &mut term);
        })
    });

    // A keystroke in search: reparse, match 100k haystacks, rebuild the ranked list, draw.
    let mut a = app(Arc::clone(&cat));
    let queries = [
        "l", "ll", "lla", "llam", "llama", "llama 8", "q", "qw", "qwe", "qwen", "qwen3", "g", "ge",
        "gem",
    ];
    let mut i = 0;
    group.bench_function("search_keystroke_and_frame", |b| {
        b.iter(|| {
            let q = queries[i % queries.len()];
            i += 1;
            a.search.set_query(q);
            a.refresh_rows();
            frame(&mut a, &mut term);
        })
    });

    // Sorted by fit: a slider change hands the 100k re-sort to a worker and draws at once.
    let mut a = app(Arc::clone(&cat));
    a.cycle_sort();
    if let Some(job) = a.take_sort_job() {
        a.finish_sort(job.generation, job.run());
    }
    frame(&mut a, &mut term);
    let mut up = true;
    group.bench_function("context_slider_change_and_frame_sorted_by_fit", |b| {
        b.iter(|| {
            step_context(&mut a, &mut up);
            adjust(&mut a, Slider::Sequences, 0);
            let job = a.take_sort_job().expect("a worker job");
            frame(&mut a, &mut term);
            job
        })
    });
    // The worker itself: 100k full estimates on all cores, then the sort.
    let job = {
        a.resort();
        a.take_sort_job().expect("a worker job")
    };
    group.sample_size(10);
    group.bench_function("background_sort_by_fit_worker", |b| b.iter(|| job.run()));
    group.finish();

    let real = Arc::new(Catalog::builtin().expect("catalog"));
    c.bench_function("startup_to_first_frame_real_catalog", |b| {
        b.iter_batched(
            || Terminal::new(TestBackend::new(160, 48)).expect("terminal"),
            // The app and terminal are returned so that criterion drops them untimed: the user
            // sees the first frame before anything is torn down.
            |mut t| {
                let cat = Arc::new(Catalog::builtin().expect("catalog"));
                let mut a = app(cat);
                frame(&mut a, &mut t);
                (a, t)
            },
            BatchSize::SmallInput,
        )
    });
    drop(real);
}

criterion_group! {
    name = tui;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = benches
}
criterion_main!(tui);
