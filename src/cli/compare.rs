//! `fitcheck compare`: the matrix in text, JSON, CSV or Markdown.

use std::io::Write;

use serde_json::json;

use super::hub::Extended;
use super::table::Table;
use super::{CliError, CompareArgs, Format};
use crate::catalog::Catalog;
use crate::compare::{build_with, resolve, Cell, CostInputs, Matrix};
use crate::config::Config;
use crate::estimate::weights::WeightTable;
use crate::estimate::{Hardware, Verdict};

/// `fetched`: the models the catalog lacks, found on this machine or the Hub; their rows count
/// the bytes their files hold, as `fit` does.
pub fn run(
    cat: &Catalog,
    fetched: Option<&Extended>,
    args: &CompareArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let cat = fetched.map_or(cat, |f| &f.catalog);
    // `this` is the detected machine: added to a copy of the catalog under its own id.
    let with_this;
    let cat = if args
        .hardware
        .iter()
        .any(|h| crate::resolve::is_this_machine(h))
    {
        let mut c = cat.clone();
        c.hardware.push(super::this_machine(cat)?);
        with_this = c;
        &with_this
    } else {
        cat
    };
    let names: Vec<String> = args
        .hardware
        .iter()
        .map(|h| {
            if crate::resolve::is_this_machine(h) {
                "this-machine".to_string()
            } else {
                h.clone()
            }
        })
        .collect();
    let (rows, hardware) = resolve(cat, &args.models, &names).map_err(CliError::Usage)?;
    let models: Vec<_> = rows.iter().map(|(m, _)| *m).collect();
    let files: Vec<Option<(&WeightTable, &str)>> = models
        .iter()
        .map(|m| fetched.and_then(|f| f.file_of(&m.id)))
        .collect();
    let weights: Vec<Option<&WeightTable>> = files.iter().map(|f| f.map(|(w, _)| w)).collect();
    // Each row at its quant as `fit` picks it: --quant, else the one its name selects.
    let settings: Vec<_> = rows
        .iter()
        .map(|(_, named)| {
            let mut s = args.settings();
            if let Some(q) = args.run.quant.or(*named) {
                s.quant = q;
            }
            s
        })
        .collect();
    let mut m = build_with(&models, &weights, &hardware, &settings);
    let quants: Vec<String> = files
        .iter()
        .zip(&settings)
        .map(|(f, s)| f.map_or_else(|| s.quant.label().to_string(), |(_, q)| q.to_string()))
        .collect();
    let run_quant = args.settings().quant.label();
    if !matches!(args.output(), Format::Json) {
        // A row at another quant than the run's says so (JSON has a `quant` per row).
        for ((id, q), (_, named)) in m.models.iter_mut().zip(&quants).zip(&rows) {
            if named.is_some() && q != run_quant {
                *id = format!("{id} {q}");
            }
        }
    }
    let costs = args.costs(&Config::load().map_err(|e| CliError::Usage(e.to_string()))?);
    let break_even: Vec<Option<f64>> = hardware.iter().map(|h| costs.break_even(h)).collect();
    match args.output() {
        Format::Json => json_out(out, &m, &quants, &hardware, &break_even, args, &costs),
        Format::Csv => csv_out(out, &m),
        Format::Markdown => markdown_out(out, &m, &hardware, &break_even),
        Format::Text => text_out(out, &m, &hardware, &break_even),
    }
}

fn cell_text(c: &Cell) -> String {
    let e = &c.estimate;
    if e.verdict == Verdict::DoesNotFit {
        let best = c
            .best_quant
            .map_or(String::new(), |q| format!(" (fits at {q})"));
        return format!("✗ {}G{best}", e.memory_of_usable_gib());
    }
    // The same "used/usable" as `recommend` and `buy`: GPU + RAM apart when offloaded.
    format!(
        "{} {}G {:.0} t/s",
        e.verdict.symbol(),
        e.memory_of_usable_gib(),
        e.decode_tps
    )
}

fn text_out(
    out: &mut dyn Write,
    m: &Matrix,
    hw: &[&Hardware],
    be: &[Option<f64>],
) -> Result<(), CliError> {
    let mut header = vec!["model".to_string()];
    header.extend(m.hardware.iter().cloned());
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(&header);
    for (r, row) in m.cells.iter().enumerate() {
        let mut cells = vec![m.models[r].clone()];
        for (c, cell) in row.iter().enumerate() {
            let star = if m.cheapest_fit[r] == Some(c) {
                "*"
            } else {
                ""
            };
            cells.push(format!("{star}{}", cell_text(cell)));
        }
        t.row(cells);
    }
    let mut costs = vec!["break-even".to_string()];
    costs.extend(be.iter().zip(hw).map(|(b, h)| match (b, h.price_usd) {
        (Some(m), Some(p)) => format!("{m:.0} mo (${p:.0})"),
        _ => "—".into(),
    }));
    t.row(costs);
    t.write(out)?;
    writeln!(out, "\nGiB on the device (+ host RAM when offloaded) / usable (+ RAM) · decode tok/s · ✓ fits on GPU  ~ partial offload  c CPU only  ✗ does not fit · * cheapest comfortable fit (≥10% free; GPU + RAM when offloaded)")?;
    calibration_lines(out, hw)?;
    Ok(())
}

fn markdown_out(
    out: &mut dyn Write,
    m: &Matrix,
    hw: &[&Hardware],
    be: &[Option<f64>],
) -> Result<(), CliError> {
    writeln!(
        out,
        "| model | {} |",
        hw.iter()
            .map(|h| h.name.as_str())
            .collect::<Vec<_>>()
            .join(" | ")
    )?;
    writeln!(out, "|---|{}", "---|".repeat(hw.len()))?;
    for (r, row) in m.cells.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if m.cheapest_fit[r] == Some(c) {
                    format!("**{}**", cell_text(cell))
                } else {
                    cell_text(cell)
                }
            })
            .collect();
        writeln!(out, "| {} | {} |", m.models[r], cells.join(" | "))?;
    }
    let costs: Vec<String> = be
        .iter()
        .map(|b| b.map_or("—".into(), |m| format!("{m:.0} months")))
        .collect();
    writeln!(out, "| break-even | {} |", costs.join(" | "))?;
    Ok(())
}

fn csv_out(out: &mut dyn Write, m: &Matrix) -> Result<(), CliError> {
    // The csv crate quotes names that hold commas or quotes ("2× RTX 3090, NVLink").
    let mut w = csv::Writer::from_writer(out);
    let csv_err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(io) => CliError::Io(io),
        other => CliError::Usage(format!("CSV: {other:?}")),
    };
    w.write_record([
        "model",
        "hardware",
        "verdict",
        "used_bytes",
        "usable_bytes",
        "headroom_bytes",
        "weights_bytes",
        "kv_bytes",
        "decode_tps",
        "ttft_s",
        "best_quant",
        "max_context",
        "cheapest_fit",
    ])
    .map_err(csv_err)?;
    for (r, row) in m.cells.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let e = &cell.estimate;
            let verdict = serde_json::to_value(e.verdict)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let ttft = if e.ttft_s.is_finite() {
                format!("{:.2}", e.ttft_s)
            } else {
                String::new()
            };
            w.write_record([
                m.models[r].as_str(),
                m.hardware[c].as_str(),
                &verdict,
                &e.used_bytes.to_string(),
                &e.usable_bytes.to_string(),
                &e.headroom_bytes.to_string(),
                &e.weights_bytes.to_string(),
                &e.kv_bytes.to_string(),
                &format!("{:.2}", e.decode_tps),
                &ttft,
                cell.best_quant.unwrap_or(""),
                &cell.max_context.to_string(),
                &(m.cheapest_fit[r] == Some(c)).to_string(),
            ])
            .map_err(csv_err)?;
        }
    }
    w.flush()?;
    Ok(())
}

fn json_out(
    out: &mut dyn Write,
    m: &Matrix,
    quants: &[String],
    hw: &[&Hardware],
    be: &[Option<f64>],
    args: &CompareArgs,
    costs: &CostInputs,
) -> Result<(), CliError> {
    let columns: Vec<_> = hw
        .iter()
        .zip(be)
        .map(|(h, b)| json!({"id": h.id, "name": h.name, "usable_bytes": h.usable_per_device(), "price_usd": h.price_usd, "power_w": h.power_w, "break_even_months": b,
                             "speed_calibration": super::fit::calibration_json(h)}))
        .collect();
    let rows: Vec<_> = m
        .cells
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let cells: Vec<_> = row
                .iter()
                .enumerate()
                .map(|(c, cell)| {
                    let e = &cell.estimate;
                    json!({"hardware": m.hardware[c], "verdict": e.verdict, "fits_on_gpu": e.fits_on_gpu, "weights_bytes": e.weights_bytes,
                           "kv_bytes": e.kv_bytes, "state_bytes": e.state_bytes, "total_bytes": e.total_bytes, "used_bytes": e.used_bytes,
                           "usable_bytes": e.usable_bytes, "headroom_bytes": e.headroom_bytes, "device_bytes": e.device_bytes, "device_usable_bytes": e.device_usable_bytes,
                           "host_bytes": e.host_bytes, "decode_tps": (e.decode_tps * 100.0).round() / 100.0,
                           "prefill_tps": (e.prefill_tps * 100.0).round() / 100.0, "ttft_s": e.ttft_s.is_finite().then_some((e.ttft_s * 100.0).round() / 100.0),
                           "best_quant": cell.best_quant, "max_context": cell.max_context, "comfortable": cell.comfortable,
                           "cheapest_fit": m.cheapest_fit[r] == Some(c)})
                })
                .collect();
            json!({"model": m.models[r], "quant": quants[r], "cells": cells})
        })
        .collect();
    let s = args.settings();
    let v = json!({"quant": s.quant.label(), "context": s.context, "kv_type": s.kv_type.name(), "parallel": s.parallel,
                   "runtime": s.runtime.name(), "api_usd_per_month": costs.api_usd_per_month, "hardware": columns, "rows": rows});
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&v).map_err(|e| CliError::Usage(e.to_string()))?
    )?;
    Ok(())
}

/// Which columns run at their own measured speed (`fitcheck calibrate`).
fn calibration_lines(out: &mut dyn Write, hw: &[&Hardware]) -> std::io::Result<()> {
    for h in hw {
        if let Some(m) = &h.measured {
            writeln!(out, "{}: speed {}", h.id, crate::calibrate::label(m))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn csv_quotes_names_with_commas_and_quotes() {
        let cat = Catalog::builtin().unwrap();
        let model = cat.find_model("phi-4").unwrap();
        let hw = cat.find_hardware("rtx-4090").unwrap();
        let mut m = crate::compare::build(&[model], &[hw], &crate::estimate::Settings::default());
        m.models[0] = "my \"phi\", tuned".into();
        let mut out = Vec::new();
        csv_out(&mut out, &m).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let row = rdr.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "my \"phi\", tuned");
        assert_eq!(&row[1], "rtx-4090");
        assert_eq!(row.len(), 13);
    }
}
