#![allow(clippy::expect_used)] // benchmark fixture
//! A synthetic catalog of 100,000 models (real architectures under new names).

use std::sync::Arc;

use fitcheck::catalog::Catalog;

pub fn synthetic(n: usize) -> Arc<Catalog> {
    let real = Catalog::builtin().expect("catalog");
    let mut cat = Catalog {
        models: Vec::with_capacity(n),
        hardware: real.hardware.clone(),
    };
    for i in 0..n {
        let mut m = real.models[i % real.models.len()].clone();
        m.id = format!("{}-v{i}", m.id);
        m.name = format!("{} variant {i}", m.name);
        cat.models.push(m);
    }
    Arc::new(cat)
}
