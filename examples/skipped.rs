#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and maintainer tools may panic on bad input
//! Lists why validation rows were skipped (a maintainer aid for growing the catalog).
use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/data/ground_truth_speed.csv".into());
    let cat = fitcheck::catalog::Catalog::builtin()?;
    let report = fitcheck::validate::validate(&std::fs::read_to_string(path)?, &cat)?;
    let mut why: BTreeMap<String, usize> = BTreeMap::new();
    for (_, reason) in &report.skipped {
        *why.entry(reason.clone()).or_default() += 1;
    }
    let mut v: Vec<_> = why.into_iter().collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.1));
    for (reason, n) in v {
        println!("{n:5}  {reason}");
    }
    Ok(())
}
