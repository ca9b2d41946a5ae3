//! `fitcheck list` and `fitcheck system`.

use std::io::Write;

use serde_json::json;

use super::table::Table;
use super::CliError;
use crate::catalog::Catalog;
use crate::cli::args::ListWhat;
use crate::cli::Cli;
use crate::config::Config;
use crate::estimate::quant::QUANTS;
use crate::estimate::units::{fmt_gb, fmt_gib};
use crate::estimate::Hardware;
use crate::hardware::detect;

pub fn run(
    cat: &Catalog,
    cli: &Cli,
    what: ListWhat,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match (what, json) {
        (ListWhat::Local, _) => local(cat, cli, json, out),
        (ListWhat::Models, true) => {
            write_json(out, &serde_json::to_value(&cat.models).unwrap_or_default())
        }
        (ListWhat::Hardware, true) => write_json(
            out,
            &serde_json::to_value(hardware_with_this_machine(cat)?).unwrap_or_default(),
        ),
        (ListWhat::Quants, true) => {
            let v: Vec<_> = QUANTS.iter().map(|q| json!({"quant": q.label(), "gguf": q.is_gguf(), "description": q.description()})).collect();
            write_json(out, &json!(v))
        }
        (ListWhat::Models, false) => {
            let mut t = Table::new(&["id", "name", "params", "active", "context", "ollama"]);
            for m in &cat.models {
                t.row(vec![
                    m.id.clone(),
                    m.name.clone(),
                    format!("{:.1}B", m.params as f64 / 1e9),
                    format!("{:.1}B", m.active() as f64 / 1e9),
                    m.max_context().to_string(),
                    m.ollama.first().cloned().unwrap_or_default(),
                ]);
            }
            t.write(out)?;
            Ok(())
        }
        (ListWhat::Hardware, false) => {
            let mut t = Table::new(&["id", "name", "memory", "GB/s", "backend", "kind"]);
            for h in &hardware_with_this_machine(cat)? {
                let gpus = if h.gpus > 1 {
                    format!("{} × ", h.gpus)
                } else {
                    String::new()
                };
                t.row(vec![
                    h.id.clone(),
                    h.name.clone(),
                    format!("{gpus}{}", fmt_gib(h.memory)),
                    format!("{}", h.bandwidth_gbps),
                    format!("{}{}", h.backend, if h.unified { " unified" } else { "" }),
                    format!("{:?}", h.kind).to_lowercase(),
                ]);
            }
            t.write(out)?;
            Ok(())
        }
        (ListWhat::Quants, false) => {
            let mut t = Table::new(&["quant", "format", "description"]);
            for q in QUANTS {
                t.row(vec![
                    q.label().into(),
                    if q.is_gguf() { "GGUF" } else { "other" }.into(),
                    q.description().into(),
                ]);
            }
            t.write(out)?;
            Ok(())
        }
    }
}

fn local(cat: &Catalog, cli: &Cli, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let config = Config::load().map_err(|e| CliError::Usage(e.to_string()))?;
    let dirs = super::model_dirs(cli, &config);
    let mut found = Vec::new();
    let mut problems = Vec::new();
    crate::local::scan(&dirs, &mut |m| found.push(m), &mut |p| problems.push(p));
    for p in &problems {
        super::warn(p);
    }
    let catalog_id = |m: &crate::local::LocalModel| {
        let base = m
            .spec
            .name
            .split(" [")
            .next()
            .unwrap_or(&m.spec.name)
            .to_string();
        cat.find_model(&m.label)
            .or_else(|_| cat.find_model(&base))
            .ok()
            .map(|c| c.id.clone())
    };
    if json {
        let v: Vec<_> = found
            .iter()
            .map(|m| json!({"label": m.label, "source": m.source, "path": m.path, "name": m.spec.name, "quant": m.quant_label,
                            "size_bytes": m.size, "weights_bytes": m.weights.loaded_bytes(), "catalog_id": catalog_id(m)}))
            .collect();
        return write_json(out, &json!(v));
    }
    if found.is_empty() {
        writeln!(
            out,
            "no models found in: {}",
            dirs.iter()
                .map(|(_, d)| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        return Ok(());
    }
    let mut t = Table::new(&["source", "label", "quant", "size", "catalog", "path"]);
    for m in &found {
        t.row(vec![
            m.source.into(),
            m.label.clone(),
            m.quant_label.clone(),
            fmt_gb(m.size),
            catalog_id(m).unwrap_or_default(),
            m.path.display().to_string(),
        ]);
    }
    t.write(out)?;
    Ok(())
}

/// This machine (detected, with config.ron's corrections) first, then the catalog's hardware.
fn hardware_with_this_machine(cat: &Catalog) -> Result<Vec<Hardware>, CliError> {
    let mut d = detect(&cat.hardware);
    let config = Config::load().map_err(|e| CliError::Usage(e.to_string()))?;
    config.machine.apply(&mut d.hardware, &mut d.notes);
    Ok(std::iter::once(d.hardware)
        .chain(cat.hardware.iter().cloned())
        .collect())
}

pub fn system(cat: &Catalog, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let mut d = detect(&cat.hardware);
    let config = Config::load().map_err(|e| CliError::Usage(e.to_string()))?;
    config.machine.apply(&mut d.hardware, &mut d.notes);
    // The notes then say whether speeds are this machine's own (`fitcheck calibrate`).
    if let Err(w) = crate::calibrate::attach(&mut d) {
        d.notes.push(w);
    }
    if json {
        return write_json(out, &serde_json::to_value(&d).unwrap_or_default());
    }
    writeln!(out, "{}", d.hardware.name)?;
    writeln!(out, "  CPU        {} ({} logical cores)", d.cpu, d.cores)?;
    writeln!(
        out,
        "  RAM        {} total, {} available ({})",
        fmt_gib(d.ram_total),
        fmt_gib(d.ram_available),
        fmt_gb(d.ram_total)
    )?;
    for g in &d.gpus {
        writeln!(out, "  GPU        {g}")?;
    }
    writeln!(out, "  backend    {}", d.hardware.backend)?;
    writeln!(
        out,
        "  usable     {}",
        fmt_gib(d.hardware.usable_per_device())
    )?;
    writeln!(out, "  bandwidth  {} GB/s", d.hardware.bandwidth_gbps)?;
    writeln!(out, "how:")?;
    for n in &d.notes {
        writeln!(out, "  - {n}")?;
    }
    Ok(())
}

fn write_json(out: &mut dyn Write, v: &serde_json::Value) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(v).map_err(|e| CliError::Usage(e.to_string()))?;
    writeln!(out, "{text}")?;
    Ok(())
}
