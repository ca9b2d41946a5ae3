//! `fitcheck fit`: one model on one machine.

use std::io::Write;

use serde_json::json;

use clap::ValueEnum;

use super::hub::{choose, Chosen};
use super::{resolve_hardware, Cli, CliError, FitArgs};
use crate::catalog::Catalog;
use crate::estimate::cluster::{Cluster, ClusterEstimate};
use crate::estimate::units::{fmt_duration, fmt_gb, fmt_gib};
use crate::estimate::weights::WeightTable;
use crate::estimate::{
    cluster_detail, estimate_with_weights, layer_split, max_context, Backend, Estimate, Hardware,
    ModelSpec, Quant, Settings, Verdict,
};
use crate::estimate::{overhead_parts, vision_parts};
use crate::gguf;

pub fn run(cat: &Catalog, cli: &Cli, args: &FitArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let hw = resolve_hardware(cat, &args.hw)?;
    let settings = args.settings();
    if hw.cluster.is_some() && (args.engine.is_some() || args.model.len() > 1) {
        return Err(CliError::Usage(
            "a cluster (--nodes or a cluster preset) is estimated for one model under llama.cpp, \
             exo or vLLM tensor parallel (--cluster-engine): --engine and several --model are \
             not modelled across nodes"
                .into(),
        ));
    }
    if args.engine.is_some() && args.model.len() > 1 {
        return Err(CliError::Usage(
            "--engine estimates one model on one server: give one --model".into(),
        ));
    }
    // Read even for a preset, where nothing in it is needed: a broken config.ron is said (with
    // its line and column), not skipped in silence.
    let config = super::hub::config_or_warn();
    let chosen: Vec<Chosen> = match &args.gguf {
        Some(path) => vec![from_gguf(path, settings.quant)?],
        // Every model the one way: its name's quant (or --quant) in the catalog, else the file
        // on this machine or the Hub with the weights it holds.
        None => args
            .model
            .iter()
            .map(|name| choose(cat, cli, &config, name, args.run.quant, settings.quant))
            .collect::<Result<_, _>>()?,
    };
    let verdict = match (args.engine, chosen.as_slice()) {
        (_, []) => return Err(CliError::Usage("give --model or --gguf".into())),
        (Some(engine), [m]) => super::several::engine(args, m, engine, &hw, &settings, out)?,
        (None, [m]) => one(out, args, &hw, settings, m)?,
        (_, many) => super::several::run(args, many, &hw, &settings, out)?,
    };
    match args.require {
        Some(r) if !r.met_by(verdict) => Err(CliError::Requirement(format!(
            "--require {} but the verdict is '{}'",
            r.to_possible_value()
                .map_or_else(String::new, |v| v.get_name().to_string()),
            verdict.label()
        ))),
        _ => Ok(()),
    }
}

/// The model in a GGUF file (`--gguf`), with a projector beside it if there is one; `quant` is
/// the run's (the file's own tensor types set its bytes).
fn from_gguf(path: &std::path::Path, quant: Quant) -> Result<Chosen<'static>, CliError> {
    let g = gguf::read_model(path).map_err(|e| CliError::Usage(e.to_string()))?;
    let id = path
        .file_stem()
        .map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned());
    let mut m =
        gguf::to_model(&g, &id).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
    m.spec.vision = gguf::projector::beside(path).and_then(|p| gguf::projector::read(&p).ok());
    Ok(Chosen {
        spec: std::borrow::Cow::Owned(m.spec),
        weights: m.weights,
        quant_label: m.quant_label,
        quant,
    })
}

/// One model on the machine: the table (or JSON), per-card and per-node lines, the serving
/// readout for `--parallel`; returns the verdict `--require` checks.
fn one(
    out: &mut dyn Write,
    args: &FitArgs,
    hw: &Hardware,
    mut settings: Settings,
    chosen: &Chosen,
) -> Result<Verdict, CliError> {
    let (model, weights, quant_label) = (&*chosen.spec, &chosen.weights, &chosen.quant_label);
    settings.quant = chosen.quant;
    settings.context = model.clamp_context(settings.context);
    let e = estimate_with_weights(model, hw, &settings, weights);
    let max_ctx = max_context(model, hw, &settings, weights);
    let serving =
        (settings.parallel > 1).then(|| super::several::concurrency(model, hw, &settings, weights));
    let cards = card_loads(model, hw, &settings, weights);
    let cluster = cluster_detail(model, hw, &settings, weights);
    if args.json {
        let mut v = to_json(model, hw, &settings, &e, max_ctx);
        v["quant"] = serde_json::Value::String(quant_label.to_string());
        if let (Some(c), Some(d)) = (&hw.cluster, &cluster) {
            v["cluster"] = cluster_json(c, d);
        }
        if !cards.is_empty() {
            v["cards"] = json!(cards
                .iter()
                .map(|c| json!({"id": c.id, "usable_bytes": c.usable, "weights_bytes": c.weights, "kv_bytes": c.kv}))
                .collect::<Vec<_>>());
        }
        if let Some(c) = &serving {
            v["serving"] = serde_json::to_value(c).map_err(|e| CliError::Usage(e.to_string()))?;
        }
        let text = serde_json::to_string_pretty(&v).map_err(|e| CliError::Usage(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else {
        write_table(out, model, quant_label, hw, &settings, &e, max_ctx)?;
        write_cards(out, &cards)?;
        if let (Some(c), Some(d)) = (&hw.cluster, &cluster) {
            write_cluster(out, c, d, model.arch.moe.is_some())?;
        }
        if let Some(c) = &serving {
            super::several::write_concurrency(out, c)?;
        }
        write_context_cap(out, args.run.context, settings.context)?;
    }
    Ok(e.verdict)
}

/// What one GPU of a layer split holds.
struct CardLoad {
    id: String,
    usable: u64,
    weights: u64,
    kv: u64,
}

/// Per-card layers of a several-GPU split (empty for one GPU, unified or CPU machines).
fn card_loads(m: &ModelSpec, hw: &Hardware, s: &Settings, w: &WeightTable) -> Vec<CardLoad> {
    if hw.gpus < 2 || hw.unified || !hw.has_gpu() || hw.cluster.is_some() {
        return Vec::new();
    }
    let usable = hw.card_usable();
    layer_split(m, hw, s, w)
        .into_iter()
        .zip(usable)
        .enumerate()
        .map(|(i, ((weights, kv), usable))| CardLoad {
            id: hw
                .cards
                .get(i)
                .map_or_else(|| hw.id.clone(), |c| c.id.clone()),
            usable,
            weights,
            kv,
        })
        .collect()
}

fn write_cards(out: &mut dyn Write, cards: &[CardLoad]) -> std::io::Result<()> {
    if cards.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nlayer split (llama.cpp default: in proportion to each card's memory)"
    )?;
    for (i, c) in cards.iter().enumerate() {
        writeln!(
            out,
            "  GPU {i} {:<22} weights {}  KV {}  of {} usable (+ its compute buffer and context)",
            c.id,
            fmt_gib(c.weights),
            fmt_gib(c.kv),
            fmt_gib(c.usable)
        )?;
    }
    Ok(())
}

/// `fit --json`'s `cluster` object: the link, its cost per token, and each node's share.
fn cluster_json(c: &Cluster, d: &ClusterEstimate) -> serde_json::Value {
    json!({
        "nodes": c.nodes,
        "link": c.link.name(),
        "engine": c.engine.name(),
        "link_gbps": c.link.gbps(),
        "message_latency_s": c.engine.message_seconds(c.link),
        "compute_s_per_token": d.compute_seconds_per_token,
        "link_s_per_token": d.link_seconds_per_token,
        "link_s_prefill": d.link_seconds_prefill,
        "per_node": d.nodes.iter().map(|n| json!({
            "layers": n.layers,
            "weights_bytes": n.weights_bytes,
            "kv_bytes": n.kv_bytes,
            "overhead_bytes": n.overhead_bytes,
            "used_bytes": n.used_bytes,
            "usable_bytes": n.usable_bytes,
        })).collect::<Vec<_>>(),
    })
}

fn write_cluster(
    out: &mut dyn Write,
    c: &Cluster,
    d: &ClusterEstimate,
    moe: bool,
) -> std::io::Result<()> {
    writeln!(
        out,
        "\ncluster: {} nodes over {} ({} Gb/s, {:.0} µs {}) · {}",
        c.nodes,
        c.link,
        c.link.gbps(),
        c.engine.message_seconds(c.link) * 1e6,
        if c.engine == crate::estimate::cluster::ClusterEngine::LlamaRpc {
            "of RPC commands per remote node and token"
        } else {
            "per message"
        },
        c.engine.label()
    )?;
    for (i, n) in d.nodes.iter().enumerate() {
        writeln!(
            out,
            "  node {i}  {:>3} layers  weights {}  KV {}  overhead {}  = {} of {}{}",
            n.layers,
            fmt_gib(n.weights_bytes),
            fmt_gib(n.kv_bytes),
            fmt_gib(n.overhead_bytes),
            fmt_gib(n.used_bytes),
            fmt_gib(n.usable_bytes),
            if n.used_bytes > n.usable_bytes {
                "  ✗ over"
            } else {
                ""
            }
        )?;
    }
    let total = d.compute_seconds_per_token + d.link_seconds_per_token;
    if total > 0.0 {
        writeln!(
            out,
            "  per token: {:.1} ms on the nodes + {:.2} ms on the link ({:.1} % of decode time)",
            d.compute_seconds_per_token * 1e3,
            d.link_seconds_per_token * 1e3,
            100.0 * d.link_seconds_per_token / total
        )?;
    }
    if moe && c.engine.tensor_parallel(c.link) {
        writeln!(
            out,
            "  note: published exo runs of MoE models sharded across nodes were up to 3.5× slower \
             than this (docs/beyond.md)"
        )?;
    }
    Ok(())
}

/// The stable JSON object of `fit --json`.
pub fn to_json(
    model: &ModelSpec,
    hw: &Hardware,
    s: &Settings,
    e: &Estimate,
    max_ctx: u32,
) -> serde_json::Value {
    let mut v = json!({
        "model": model.id,
        "model_name": model.name,
        "hardware": hw.id,
        "hardware_name": hw.name,
        "backend": hw.backend.name(),
        "gpus": hw.gpus,
        "quant": s.quant.label(),
        "context": s.context,
        "kv_type": s.kv_type.name(),
        "parallel": s.parallel,
        "runtime": s.runtime.name(),
        "weights_bytes": e.weights_bytes,
        "weights_gpu_bytes": e.weights_gpu_bytes,
        "weights_host_bytes": e.weights_host_bytes,
        "kv_bytes": e.kv_bytes,
        "state_bytes": e.state_bytes,
        "overhead_bytes": e.overhead_bytes,
        "compute_gpu_bytes": e.compute_gpu_bytes,
        "compute_host_bytes": e.compute_host_bytes,
        "runtime_gpu_bytes": e.runtime_gpu_bytes,
        "runtime_host_bytes": e.runtime_host_bytes,
        "projector_bytes": e.projector_bytes,
        "projector_compute_bytes": e.projector_compute_bytes,
        "ubatch": s.n_ubatch,
        "total_bytes": e.total_bytes,
        "usable_bytes": e.usable_bytes,
        "used_bytes": e.used_bytes,
        "headroom_bytes": e.headroom_bytes,
        "verdict": e.verdict,
        "fits_on_gpu": e.fits_on_gpu,
        "gpu_layers": e.gpu_layers,
        "total_layers": e.total_layers,
        "cpu_moe_layers": e.cpu_moe_layers,
        "max_context": max_ctx,
        "bytes_per_token": e.bytes_per_token,
        "decode_tps": round2(e.decode_tps),
        "decode_tps_full_context": round2(e.decode_tps_full_context),
        "roofline_tps": round2(e.roofline_tps),
        "prefill_tps": round2(e.prefill_tps),
        "ttft_s": if e.ttft_s.is_finite() { Some(round2(e.ttft_s)) } else { None },
        "speed_calibration": calibration_json(hw),
    });
    // The figures the text, the app and `compare` show: the device, host RAM besides.
    let device = json!({
        "device_bytes": e.device_bytes,
        "device_held_bytes": e.device_held_bytes,
        "device_usable_bytes": e.device_usable_bytes,
        "host_bytes": e.host_bytes,
        "host_usable_bytes": e.host_usable_bytes,
    });
    if let (Some(o), serde_json::Value::Object(d)) = (v.as_object_mut(), device) {
        o.extend(d);
    }
    v
}

/// This machine's `fitcheck calibrate` figures behind the speeds, or null (specs only).
pub fn calibration_json(hw: &Hardware) -> serde_json::Value {
    hw.measured.as_ref().map_or(serde_json::Value::Null, |m| {
        json!({
            "label": crate::calibrate::label(m),
            "runs": m.runs(),
            "bandwidth_gbps": round2(m.bandwidth_gbps),
            "fixed_ms": round2(m.fixed_s * 1e3),
            "prefill_tflops": m.prefill_tflops.map(round2),
        })
    })
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub(super) fn both(bytes: u64) -> String {
    format!("{:>10}  ({})", fmt_gb(bytes), fmt_gib(bytes))
}

/// The overhead's parts, each with what it is (docs/accuracy.md gives the sources).
fn write_overhead_lines(out: &mut dyn Write, hw: &Hardware, e: &Estimate) -> std::io::Result<()> {
    let part = |out: &mut dyn Write, p: &crate::estimate::Part| {
        writeln!(
            out,
            "    {:<16} {:>10}   {}",
            p.name,
            fmt_gib(p.bytes),
            p.what
        )
    };
    for p in overhead_parts(hw, e) {
        part(out, &p)?;
    }
    let vision = e.projector_bytes.saturating_add(e.projector_compute_bytes);
    if vision > 0 {
        writeln!(
            out,
            "  vision           {}   mmproj beside the model",
            both(vision)
        )?;
        for p in vision_parts(e) {
            part(out, &p)?;
        }
    }
    Ok(())
}

fn write_table(
    out: &mut dyn Write,
    m: &ModelSpec,
    quant: &str,
    hw: &Hardware,
    s: &Settings,
    e: &Estimate,
    max_ctx: u32,
) -> std::io::Result<()> {
    writeln!(out, "{} · {quant} · {} ({})", m.name, hw.name, hw.backend)?;
    writeln!(
        out,
        "context {} tokens · KV {} · {} sequence{} · ubatch {} · {}",
        s.context,
        s.kv_type,
        s.parallel,
        if s.parallel == 1 { "" } else { "s" },
        s.n_ubatch,
        s.runtime
    )?;
    writeln!(out)?;
    // Without a GPU all of it is in RAM: no "GPU 0.00 GiB" split.
    let split = if hw.has_gpu() {
        format!(
            "   GPU {} · host {}",
            fmt_gib(e.weights_gpu_bytes),
            fmt_gib(e.weights_host_bytes)
        )
    } else {
        String::new()
    };
    writeln!(out, "  weights          {}{split}", both(e.weights_bytes))?;
    writeln!(out, "  KV cache         {}", both(e.kv_bytes))?;
    if e.state_bytes > 0 {
        writeln!(out, "  recurrent state  {}", both(e.state_bytes))?;
    }
    writeln!(
        out,
        "  overhead         {}   compute buffers + runtime",
        both(e.overhead_bytes)
    )?;
    write_overhead_lines(out, hw, e)?;
    writeln!(out, "  total            {}", both(e.total_bytes))?;
    writeln!(out, "  usable           {}", both(e.usable_bytes))?;
    // The figure the app shows: what the device holds, and RAM besides when offloaded.
    writeln!(
        out,
        "  on the device    {} of {}",
        fmt_gib(e.device_bytes),
        fmt_gib(e.device_usable_bytes)
    )?;
    // Several cards: the figure above counts each as full as the tightest; say what is held.
    if e.split_idle_bytes() > 0 {
        writeln!(
            out,
            "    held on GPUs   {} + {} idle  (room the layer split leaves on the roomier cards)",
            fmt_gib(e.device_held_bytes),
            fmt_gib(e.split_idle_bytes())
        )?;
    }
    // RAM's share even when everything runs on the GPU, so the two lines add up to the total.
    if e.host_bytes > 0 {
        writeln!(
            out,
            "  host RAM         {} of {}  ({})",
            fmt_gib(e.host_bytes),
            fmt_gib(e.host_usable_bytes),
            if e.offloaded() {
                "offloaded"
            } else {
                "token embedding, host buffers"
            }
        )?;
    }
    // Mixed cards get a line each after the table instead.
    if hw.gpus > 1 && hw.cards.is_empty() && hw.cluster.is_none() && e.verdict != Verdict::CpuOnly {
        // Layers split evenly: each card holds its share plus its own compute buffer.
        let n = u64::from(hw.gpus);
        writeln!(
            out,
            "  per GPU          {} of {}  (fullest of {} cards, layers split across them)",
            fmt_gib(e.used_bytes / n),
            fmt_gib(e.usable_bytes / n),
            hw.gpus
        )?;
    }
    let sign = if e.headroom_bytes < 0 { "-" } else { "" };
    let magnitude = e.headroom_bytes.unsigned_abs();
    writeln!(
        out,
        "  headroom         {:>10}  ({sign}{})",
        format!("{sign}{}", fmt_gb(magnitude)),
        fmt_gib(magnitude)
    )?;
    writeln!(out)?;
    let placement = e.placement_note();
    writeln!(
        out,
        "verdict: {} {}{}",
        e.verdict.symbol(),
        e.verdict.label(),
        placement
    )?;
    writeln!(out, "largest context that fits: {max_ctx} tokens")?;
    for c in s.conflicts(hw) {
        writeln!(out, "warning: {c}")?;
    }
    if e.verdict != Verdict::DoesNotFit {
        writeln!(
            out,
            "decode: {:.1} tok/s (empty cache) · {:.1} tok/s at {} tokens · roofline {:.1} tok/s",
            e.decode_tps, e.decode_tps_full_context, s.context, e.roofline_tps
        )?;
        writeln!(
            out,
            "prefill: {:.0} tok/s · time to first token {} for a {}-token prompt",
            e.prefill_tps,
            fmt_duration(e.ttft_s),
            s.context
        )?;
        if let Some(m) = &hw.measured {
            writeln!(out, "speed: {}", crate::calibrate::label(m))?;
        } else if hw.backend == Backend::Cpu {
            writeln!(
                out,
                "CPU speed: estimate at the fitted per-thread rates of {} cores \
                 (docs/accuracy.md); `fitcheck calibrate` measures this machine",
                hw.cpu_class.unwrap_or_default().name()
            )?;
        }
    }
    Ok(())
}

/// The note under a table when the asked context was above the model's maximum.
pub(super) fn write_context_cap(out: &mut dyn Write, asked: u32, used: u32) -> std::io::Result<()> {
    if used < asked {
        writeln!(
            out,
            "(--context {asked} capped at the model's maximum, {used})"
        )?;
    }
    Ok(())
}
