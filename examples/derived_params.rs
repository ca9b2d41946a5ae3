#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and maintainer tools may panic on bad input
//! Prints each catalog model's derived parameter count and active parameters (a maintainer aid).
use fitcheck::catalog::Catalog;
use fitcheck::estimate::tensors::{inventory, parameter_count};
use fitcheck::estimate::weights::weight_table;
use fitcheck::estimate::Quant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cat = Catalog::builtin()?;
    for m in &cat.models {
        let derived = parameter_count(&inventory(&m.arch));
        let active = weight_table(m, Quant::F16).active_params();
        println!("{:32} stated {:>9.3}B derived {:>9.3}B active(derived) {:>7.2}B stated-active {:>7.2}B",
            m.id, m.params as f64 / 1e9, derived as f64 / 1e9, active as f64 / 1e9, m.active() as f64 / 1e9);
    }
    Ok(())
}
