#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and maintainer tools may panic on bad input
//! Every catalog entry is internally consistent: a typo in a shape cannot hide.

use fitcheck::catalog::Catalog;
use fitcheck::estimate::tensors::{inventory, parameter_count};

#[test]
fn architecture_fields_reproduce_each_stated_parameter_count() {
    let cat = Catalog::builtin().expect("parses");
    let mut bad = Vec::new();
    for m in &cat.models {
        let derived = parameter_count(&inventory(&m.arch)) as f64;
        let stated = m.params as f64;
        let err = (derived - stated) / stated;
        if err.abs() > 0.02 {
            bad.push(format!(
                "{}: derived {:.3}B vs stated {:.3}B ({:+.1}%)",
                m.id,
                derived / 1e9,
                stated / 1e9,
                err * 100.0
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_model_has_a_source_and_every_preset_a_bandwidth() {
    let cat = Catalog::builtin().expect("parses");
    for m in &cat.models {
        assert!(
            m.source.as_deref().is_some_and(|s| !s.is_empty()),
            "{} has no source",
            m.id
        );
    }
    for h in &cat.hardware {
        assert!(h.bandwidth_gbps > 0.0 && h.memory > 0, "{}", h.id);
    }
}
