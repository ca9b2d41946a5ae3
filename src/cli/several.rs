//! `fit` with several `--model`s (together or in turn), and the `--parallel N` serving readout.

use std::io::Write;

use serde::Serialize;
use serde_json::json;

use super::fit::both;
use super::hub::Chosen;
use super::{CliError, FitArgs};
use crate::estimate::kv::CacheLayout;
use crate::estimate::serving::{
    batched_decode_with_weights, combine, engine_plan, max_sequences_with_weights, Batched, Engine,
    Sharing,
};
use crate::estimate::units::fmt_gb;
use crate::estimate::weights::WeightTable;
use crate::estimate::{estimate_with_weights, Hardware, KvType, ModelSpec, Settings, Verdict};

/// Most sequences searched for (llama-server's slots are cheap, but 256 is vLLM's default
/// `max_num_seqs` and more than any local agent setup runs).
const MAX_SEQUENCES: u32 = 256;

/// Each model at its own quant and weights (as `fit` with one model chooses them); returns the
/// combined verdict `--require` checks.
pub fn run(
    args: &FitArgs,
    models: &[Chosen],
    hw: &Hardware,
    settings: &Settings,
    out: &mut dyn Write,
) -> Result<Verdict, CliError> {
    // Each model at the requested context or its own maximum, whichever is smaller (as `fit`
    // with one model and the app do), and at its own quantization.
    let own: Vec<Settings> = models
        .iter()
        .map(|m| Settings {
            context: m.spec.clamp_context(settings.context),
            quant: m.quant,
            ..*settings
        })
        .collect();
    let contexts: Vec<u32> = own.iter().map(|s| s.context).collect();
    let estimates: Vec<_> = models
        .iter()
        .zip(&own)
        .map(|(m, s)| estimate_with_weights(&m.spec, hw, s, &m.weights))
        .collect();
    let sharing = if args.alternate {
        Sharing::Alternating
    } else {
        Sharing::Concurrent
    };
    let c = combine(&estimates, hw, sharing);
    if args.json {
        let per_model: Vec<_> = models
            .iter()
            .zip(&estimates)
            .zip(&contexts)
            .map(|((m, e), context)| {
                json!({
                    "model": m.spec.id,
                    "quant": m.quant_label,
                    "context": context,
                    "weights_bytes": e.weights_bytes,
                    "kv_bytes": e.kv_bytes,
                    "state_bytes": e.state_bytes,
                    "overhead_bytes": e.overhead_bytes,
                    "total_bytes": e.total_bytes,
                    "verdict": e.verdict,
                    "decode_tps": (e.decode_tps * 100.0).round() / 100.0,
                })
            })
            .collect();
        let v = json!({
            "hardware": hw.id,
            "quant": settings.quant.label(),
            "context": settings.context,
            "runtime": settings.runtime.name(),
            "sharing": sharing,
            "models": per_model,
            "total_bytes": c.total_bytes,
            "usable_bytes": c.usable_bytes,
            "headroom_bytes": c.headroom_bytes,
            "verdict": c.verdict,
        });
        let text = serde_json::to_string_pretty(&v).map_err(|e| CliError::Usage(e.to_string()))?;
        writeln!(out, "{text}")?;
        return Ok(c.verdict);
    }
    writeln!(
        out,
        "{} models {} · {} ({})",
        models.len(),
        match sharing {
            Sharing::Concurrent => "loaded together (one server process each)",
            Sharing::Alternating => "taking turns (one loaded at a time)",
        },
        hw.name,
        hw.backend
    )?;
    writeln!(
        out,
        "context {} tokens · KV {} · {}",
        settings.context, settings.kv_type, settings.runtime
    )?;
    writeln!(out)?;
    for ((m, e), &context) in models.iter().zip(&estimates).zip(&contexts) {
        let capped = if context < settings.context {
            format!(" (context capped at its maximum, {context})")
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {:<34} {}   {} {} alone{capped}",
            format!("{} · {}", m.spec.name, m.quant_label),
            both(e.total_bytes),
            e.verdict.symbol(),
            e.verdict.label()
        )?;
    }
    let label = match sharing {
        Sharing::Concurrent => "sum",
        Sharing::Alternating => "largest",
    };
    writeln!(out, "  {label:<34} {}", both(c.total_bytes))?;
    writeln!(out, "  {:<34} {}", "usable", both(c.usable_bytes))?;
    let sign = if c.headroom_bytes < 0 { "-" } else { "" };
    writeln!(
        out,
        "  {:<34} {:>10}",
        "headroom",
        format!("{sign}{}", fmt_gb(c.headroom_bytes.unsigned_abs()))
    )?;
    writeln!(out)?;
    writeln!(out, "verdict: {} {}", c.verdict.symbol(), c.verdict.label())?;
    if sharing == Sharing::Concurrent {
        writeln!(
            out,
            "Ollama keeps them all loaded when OLLAMA_MAX_LOADED_MODELS ≥ {} (default 3 per GPU);",
            models.len()
        )?;
        writeln!(
            out,
            "llama.cpp: one llama-server per model, each with its own context and buffers."
        )?;
    }
    Ok(c.verdict)
}

/// What `fit --parallel N` adds: how many sequences fit, and how decode speed divides.
#[derive(Debug, Clone, Serialize)]
pub struct Concurrency {
    /// Tokens of context each sequence has.
    pub context_each: u32,
    /// Most sequences of that context that fit (searched up to 256).
    pub max_sequences: u32,
    /// Cache depth of every sequence in the speeds below (half its context).
    pub depth: u64,
    /// Decode speed at 1, 2, 4, … sequences up to the requested N.
    pub decode: Vec<Batched>,
}

pub fn concurrency(
    model: &ModelSpec,
    hw: &Hardware,
    settings: &Settings,
    weights: &WeightTable,
) -> Concurrency {
    let n = settings.parallel.max(1);
    let context_each = match settings.runtime.cache_layout() {
        CacheLayout::PerSequence => settings.context,
        CacheLayout::Split | CacheLayout::Unified => settings.context / n,
    }
    .max(1);
    let depth = u64::from(context_each / 2);
    let mut counts: Vec<u32> = std::iter::successors(Some(1u32), |k| Some(k * 2))
        .take_while(|k| *k < n)
        .collect();
    counts.push(n);
    Concurrency {
        context_each,
        max_sequences: max_sequences_with_weights(
            model,
            hw,
            settings,
            weights,
            context_each,
            MAX_SEQUENCES,
        ),
        depth,
        decode: counts
            .into_iter()
            .map(|k| batched_decode_with_weights(model, hw, settings, weights, k, depth))
            .collect(),
    }
}

pub fn write_concurrency(out: &mut dyn Write, c: &Concurrency) -> std::io::Result<()> {
    writeln!(out)?;
    let more = if c.max_sequences >= MAX_SEQUENCES {
        " or more"
    } else {
        ""
    };
    writeln!(
        out,
        "sequences: {}{more} fit at {} tokens each",
        c.max_sequences, c.context_each
    )?;
    writeln!(out, "decode with every sequence {} tokens deep:", c.depth)?;
    for b in &c.decode {
        writeln!(
            out,
            "  {:>4} at once   {:>7.1} tok/s each   {:>8.1} tok/s total{}",
            b.sequences,
            b.per_stream_tps,
            b.aggregate_tps,
            if b.compute_bound {
                "   (compute-bound)"
            } else {
                ""
            }
        )?;
    }
    Ok(())
}

/// `fit --engine vllm|sglang`: the KV pool a pre-allocating server leaves, and its concurrency.
/// Returns the verdict `--require` checks: on the GPU when the pool holds one request of
/// `max_model_len`, else none (these engines do not offload).
pub fn engine(
    args: &FitArgs,
    chosen: &Chosen,
    engine: Engine,
    hw: &Hardware,
    settings: &Settings,
    out: &mut dyn Write,
) -> Result<Verdict, CliError> {
    let model: &ModelSpec = &chosen.spec;
    // max_model_len at most the model's own maximum, as `fit` caps `--context`.
    let settings = &Settings {
        context: model.clamp_context(settings.context),
        quant: chosen.quant,
        ..*settings
    };
    let kv_bytes = match settings.kv_type {
        KvType::F16 | KvType::BF16 => 2,
        KvType::Q8_0 => 1,
        KvType::F32 => 4,
        other => {
            return Err(CliError::Usage(format!(
                "--kv-type {other}: vLLM and SGLang cache in 16-bit (f16) or fp8 (q8_0)"
            )))
        }
    };
    let u = args.gpu_memory_utilization;
    if !(u > 0.0 && u <= 1.0) {
        return Err(CliError::Usage(format!(
            "--gpu-memory-utilization {u}: must be in (0, 1]"
        )));
    }
    let p = engine_plan(
        model,
        hw,
        &chosen.weights,
        kv_bytes,
        settings.context,
        engine,
        u,
    );
    let fits = p.kv_tokens >= u64::from(settings.context);
    let verdict = if fits {
        Verdict::FitsOnGpu
    } else {
        Verdict::DoesNotFit
    };
    if args.json {
        let mut v = serde_json::to_value(p).map_err(|e| CliError::Usage(e.to_string()))?;
        v["model"] = json!(model.id);
        v["hardware"] = json!(hw.id);
        v["quant"] = json!(chosen.quant_label);
        v["max_model_len"] = json!(settings.context);
        v["fits"] = json!(fits);
        let text = serde_json::to_string_pretty(&v).map_err(|e| CliError::Usage(e.to_string()))?;
        writeln!(out, "{text}")?;
        return Ok(verdict);
    }
    let (tool, knob) = match engine {
        Engine::Vllm => ("vLLM", "gpu_memory_utilization"),
        Engine::Sglang => ("SGLang", "mem_fraction_static"),
    };
    writeln!(
        out,
        "{} · {} · {tool} on one GPU of {}",
        model.name, chosen.quant_label, hw.name
    )?;
    writeln!(
        out,
        "{knob} {u} · max_model_len {} · KV {} bytes/element",
        settings.context, kv_bytes
    )?;
    writeln!(out)?;
    writeln!(out, "  budget           {}", both(p.budget_bytes))?;
    writeln!(out, "  weights          {}", both(p.weights_bytes))?;
    if engine == Engine::Vllm {
        writeln!(
            out,
            "  activations      {}   profiling pass, 8192 tokens",
            both(p.activation_bytes)
        )?;
        writeln!(out, "  non-torch        {}", both(p.runtime_bytes))?;
    }
    writeln!(out, "  KV pool          {}", both(p.kv_pool_bytes))?;
    writeln!(out)?;
    writeln!(
        out,
        "KV cache: {} tokens ({} bytes each) · {:.2} requests of {} tokens at once",
        p.kv_tokens, p.kv_bytes_per_token, p.max_concurrency, settings.context
    )?;
    if !fits {
        writeln!(
            out,
            "✗ one request of max_model_len does not fit: lower --context or use a smaller quant"
        )?;
    }
    super::fit::write_context_cap(out, args.run.context, settings.context)?;
    Ok(verdict)
}
