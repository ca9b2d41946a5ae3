//! `fitcheck train`: fine-tuning memory of one model on one device.

use std::io::Write;

use serde_json::json;

use super::{resolve_hardware, CliError, TrainArgs};
use crate::catalog::Catalog;
use crate::estimate::train::{estimate_training, Method, TrainEstimate, TrainSettings};
use crate::estimate::units::{fmt_gb, fmt_gib};
use crate::estimate::{Hardware, ModelSpec};

pub fn run(cat: &Catalog, args: &TrainArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let hw = resolve_hardware(cat, &args.hw)?;
    let model = cat
        .find_model(&args.model)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let s = args.settings();
    let e = estimate_training(model, &hw, &s);
    if args.json {
        let v = to_json(model, &hw, &s, &e);
        let text = serde_json::to_string_pretty(&v).map_err(|e| CliError::Usage(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else {
        write_table(out, model, &hw, &s, &e)?;
    }
    Ok(())
}

fn to_json(
    m: &ModelSpec,
    hw: &Hardware,
    s: &TrainSettings,
    e: &TrainEstimate,
) -> serde_json::Value {
    let lora = s.method != Method::Full;
    json!({
        "model": m.id,
        "model_name": m.name,
        "hardware": hw.id,
        "hardware_name": hw.name,
        "method": s.method,
        "framework": s.framework,
        "rank": if lora { Some(s.rank) } else { None },
        "targets": if lora { Some(s.targets) } else { None },
        "layers": s.layers,
        "seq_len": s.seq_len,
        "batch": s.batch,
        "checkpointing": s.checkpointing,
        "optimizer": s.optimizer,
        "weights_bytes": e.weights_bytes,
        "trainable_params": e.trainable_params,
        "gradients_bytes": e.gradients_bytes,
        "optimizer_bytes": e.optimizer_bytes,
        "activations_bytes": e.activations_bytes,
        "overhead_bytes": e.overhead_bytes,
        "total_bytes": e.total_bytes,
        "host_offload_bytes": e.host_bytes,
        "usable_bytes": e.usable_bytes,
        "headroom_bytes": e.headroom_bytes,
        "verdict": e.verdict,
        "max_seq_len": e.max_seq_len,
    })
}

fn both(bytes: u64) -> String {
    format!("{:>10}  ({})", fmt_gb(bytes), fmt_gib(bytes))
}

fn write_table(
    out: &mut dyn Write,
    m: &ModelSpec,
    hw: &Hardware,
    s: &TrainSettings,
    e: &TrainEstimate,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} · {} fine-tuning · {} · {}",
        m.name, s.method, s.framework, hw.name
    )?;
    let adapters = if s.method == Method::Full {
        String::new()
    } else {
        let layers = s
            .layers
            .map_or_else(String::new, |n| format!(" on the last {n} blocks"));
        format!("rank {} on {} linears{layers} · ", s.rank, s.targets)
    };
    writeln!(
        out,
        "{adapters}{} tokens × batch {} · {}{}",
        s.seq_len,
        s.batch,
        s.optimizer,
        if s.checkpointing {
            " · gradient checkpointing"
        } else {
            ""
        }
    )?;
    writeln!(out)?;
    let pct = 100.0 * e.trainable_params as f64 / m.params.max(1) as f64;
    writeln!(out, "  weights          {}", both(e.weights_bytes))?;
    writeln!(
        out,
        "  trainable        {:>10}  ({pct:.2} % of {})",
        e.trainable_params, m.params
    )?;
    writeln!(out, "  gradients        {}", both(e.gradients_bytes))?;
    writeln!(out, "  optimizer        {}", both(e.optimizer_bytes))?;
    writeln!(out, "  activations      {}", both(e.activations_bytes))?;
    writeln!(
        out,
        "  overhead         {}   driver/runtime context",
        both(e.overhead_bytes)
    )?;
    writeln!(out, "  total            {}", both(e.total_bytes))?;
    writeln!(
        out,
        "  usable           {}   one device",
        both(e.usable_bytes)
    )?;
    if e.host_bytes > 0 {
        writeln!(
            out,
            "  host RAM         {}   checkpoints offloaded",
            both(e.host_bytes)
        )?;
    }
    let sign = if e.headroom_bytes < 0 { "-" } else { "" };
    writeln!(
        out,
        "  headroom         {:>10}",
        format!("{sign}{}", fmt_gb(e.headroom_bytes.unsigned_abs()))
    )?;
    writeln!(out)?;
    writeln!(out, "verdict: {} {}", e.verdict.symbol(), e.verdict.label())?;
    let beyond = if e.max_seq_len > m.max_context() {
        " (beyond the model's trained context)"
    } else {
        ""
    };
    writeln!(
        out,
        "longest sequence that fits at batch {}: {} tokens{beyond}",
        s.batch, e.max_seq_len
    )?;
    Ok(())
}
