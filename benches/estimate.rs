#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmarks may panic on bad input
//! Raw estimator costs: one full estimate, and re-estimating every row of 100,000 models.

#[path = "common.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use fitcheck::catalog::Catalog;
use fitcheck::estimate::memo::Memo;
use fitcheck::estimate::{estimate, Settings};

fn benches(c: &mut Criterion) {
    let cat = Catalog::builtin().expect("catalog");
    let m = cat.find_model("llama-3.3-70b").expect("model");
    let hw = cat.find_hardware("rtx-4090").expect("hw");
    let s = Settings::default();
    c.bench_function("one_estimate_70b_partial_offload", |b| {
        b.iter(|| estimate(m, hw, &s))
    });

    let big = common::synthetic(100_000);
    let mut memo = Memo::with_capacity(200_000);
    for (i, m) in big.models.iter().enumerate() {
        memo.estimate(i as u32, m, 0, hw, &s);
    }
    let mut ctx = 8192;
    c.bench_function(
        "reestimate_100k_rows_after_context_change_weights_cached",
        |b| {
            b.iter(|| {
                ctx = if ctx >= 65536 { 8192 } else { ctx + 256 };
                let s = Settings { context: ctx, ..s };
                for (i, m) in big.models.iter().enumerate() {
                    memo.estimate(i as u32, m, 0, hw, &s);
                }
            })
        },
    );
}

criterion_group! {
    name = estimator;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(5));
    targets = benches
}
criterion_main!(estimator);
