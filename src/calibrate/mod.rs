//! `fitcheck calibrate`: this machine's own decode bandwidth, fixed cost per token and prefill
//! rate, fitted from its llama-bench or Ollama runs ([`crate::estimate::machine`] holds the
//! physics), stored under the XDG data directory ([`store`]) and applied to this machine only.

pub mod machine_file;
pub mod memory;
pub mod parse;
pub mod store;

use std::sync::atomic::{AtomicBool, Ordering};

use crate::catalog::Catalog;
use crate::estimate::machine::{decode_bytes, fit_decode, fit_prefill, DecodePoint, MachineSpeed};
use crate::estimate::weights::weight_table;
use crate::estimate::{BackendConstants, Hardware, KvType, ModelSpec, Quant, Runtime, Settings};
use crate::hardware::Detection;
use crate::limits;
use parse::{Phase, Run, Tool};

/// A fit and what went into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// The figures.
    pub speed: MachineSpeed,
    /// One line per run used: origin, model, phase, rate.
    pub used: Vec<String>,
    /// Runs left out, and assumptions made, each with its origin.
    pub notes: Vec<String>,
}

/// Which model a run measured: a catalog entry (with its weights scaled to the real file) or,
/// for a model the catalog lacks, only the file's size and parameter count.
enum Subject<'a> {
    Known(&'a ModelSpec, Quant, Option<u64>),
    Unknown {
        name: String,
        bytes: u64,
        params: u64,
    },
}

/// A stable description of the machine a calibration belongs to: backend, CPU, cores, RAM and
/// GPUs as detected (before config.ron's corrections), so it is never applied elsewhere.
pub fn machine_key(d: &Detection) -> String {
    let gib = d.ram_total as f64 / crate::estimate::units::GIB as f64;
    format!(
        "{} | {} | {} cores | {:.0} GiB RAM | {}",
        d.hardware.backend,
        d.cpu,
        d.cores,
        gib,
        if d.gpus.is_empty() {
            "no GPU".to_string()
        } else {
            d.gpus.join(", ")
        }
    )
}

/// Set by `--no-calibration`: estimate this machine from its specs like any preset.
static DISABLED: AtomicBool = AtomicBool::new(false);
/// Environment variable that does what `--no-calibration` does (any value but empty or `0`).
pub const DISABLE_ENV: &str = "FITCHECK_NO_CALIBRATION";

/// Turns stored calibrations off for this process (`--no-calibration`).
pub fn disable() {
    DISABLED.store(true, Ordering::Relaxed);
}

/// Whether stored calibrations are off (the flag or [`DISABLE_ENV`]).
pub fn disabled() -> bool {
    DISABLED.load(Ordering::Relaxed)
        || std::env::var_os(DISABLE_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Gives the detected machine `d` its stored calibration, if one was made on this machine and
/// calibration is not disabled (presets and tiers never get one). `Ok(true)` when applied; an
/// unreadable file is an error to warn about, never a reason to fail the command.
pub fn attach(d: &mut Detection) -> Result<bool, String> {
    if disabled() {
        return Ok(false);
    }
    let key = machine_key(d);
    // The measured RAM bandwidth first (`--memory`): an unreadable file is warned about like the
    // speed's, and never stops the speed from applying.
    let memory = memory::attach(d, &key);
    let Ok(file) = store::path() else {
        return memory.map(|_| false);
    };
    match store::load(&file, &key) {
        Ok(Some(entry)) => {
            d.notes.push(format!("speed {}", label(&entry.speed)));
            d.hardware.measured = Some(entry.speed);
            Ok(true)
        }
        Ok(None) => memory.map(|_| false),
        Err(e) => Err(format!("stored calibration ignored: {e}")),
    }
}

/// "calibrated on this machine (n runs)", the one wording of CLI, JSON and app.
pub fn label(s: &MachineSpeed) -> String {
    let n = s.runs();
    let plural = if n == 1 { "" } else { "s" };
    format!("calibrated on this machine ({n} run{plural})")
}

/// llama-bench's file type ("Q4_K - Medium", "Q8_0", "IQ4_XS - 4.25 bpw") as a quant.
fn ftype_quant(model_type: &str) -> Option<Quant> {
    let ftype = model_type.split_whitespace().skip(2).collect::<Vec<_>>();
    let (base, rest) = match ftype.iter().position(|w| *w == "-") {
        Some(i) => (ftype[..i].join("_"), ftype.get(i + 1).copied()),
        None => (ftype.join("_"), None),
    };
    let suffix = match rest {
        Some("Medium") => "_M",
        Some("Small") => "_S",
        Some("Large") => "_L",
        _ => "",
    };
    format!("{base}{suffix}")
        .parse()
        .ok()
        .or_else(|| base.parse().ok())
}

/// Whether a catalog match is the file measured: weights within 15 % of its size, or parameters
/// within 10 % when only those are known.
fn consistent(m: &ModelSpec, quant: Quant, run: &Run) -> bool {
    if let Some(size) = run.size_bytes {
        let est = weight_table(m, quant).loaded_bytes() as f64;
        return (est / size as f64 - 1.0).abs() <= 0.15;
    }
    match run.n_params {
        Some(p) => (m.params as f64 / p as f64 - 1.0).abs() <= 0.10,
        None => true,
    }
}

fn subject<'a>(cat: &'a Catalog, run: &Run) -> Option<Subject<'a>> {
    let bench_quant = run.model_type.as_deref().and_then(ftype_quant);
    let mut names: Vec<String> = run.name.iter().cloned().collect();
    if let Some(t) = &run.model_type {
        // "llama 8B Q4_K - Medium" → "llama 8B": the architecture and size llama.cpp reports.
        names.push(t.split_whitespace().take(2).collect::<Vec<_>>().join(" "));
    }
    for name in &names {
        let Ok(found) = cat.resolve_model(name) else {
            continue;
        };
        // Ollama's library tags that name no quant are Q4_K_M.
        let quant = bench_quant.or(found.quant).unwrap_or(Quant::Q4_K_M);
        if consistent(found.model, quant, run) {
            return Some(Subject::Known(found.model, quant, run.size_bytes));
        }
    }
    if let Some(found) = by_shape(cat, run, bench_quant) {
        return Some(found);
    }
    match (run.size_bytes, run.n_params) {
        (Some(bytes), Some(params)) => Some(Subject::Unknown {
            name: run
                .name
                .clone()
                .or_else(|| run.model_type.clone())
                .unwrap_or_else(|| "unnamed model".into()),
            bytes,
            params,
        }),
        _ => None,
    }
}

/// The catalog model of llama.cpp's architecture (`model_type`'s first word) whose parameter
/// count is within 3 % of the file's and whose weights match its size: how a file named
/// `model.gguf` is still recognised.
fn by_shape<'a>(cat: &'a Catalog, run: &Run, quant: Option<Quant>) -> Option<Subject<'a>> {
    let kind = run.model_type.as_deref()?.split_whitespace().next()?;
    let params = run.n_params? as f64;
    let quant = quant?;
    cat.models
        .iter()
        .filter(|m| m.arch.kind.eq_ignore_ascii_case(kind))
        .map(|m| (m, (m.params as f64 / params - 1.0).abs()))
        .filter(|(m, off)| *off <= 0.03 && consistent(m, quant, run))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(m, _)| Subject::Known(m, quant, run.size_bytes))
}

/// Why a run does not measure the machine's main memory pool as a whole, if it does not.
fn placement_problem(run: &Run, hw: &Hardware, layers: Option<u32>) -> Option<String> {
    if run.cpu_moe > 0 {
        return Some(format!("experts of {} layers kept on the CPU", run.cpu_moe));
    }
    let on_cpu = run.backends.eq_ignore_ascii_case("cpu") || run.gpu_layers == Some(0);
    if !hw.has_gpu() {
        return (!on_cpu && run.tool == Tool::LlamaBench)
            .then(|| format!("ran on {} but this machine has no GPU", run.backends));
    }
    if on_cpu {
        return Some("ran on the CPU only; this machine's GPU is what is calibrated".into());
    }
    let all = layers.map_or(99, |l| u64::from(l) + 1);
    match run.gpu_layers {
        Some(g) if g < all => Some(format!("partly offloaded ({g} of {all} layers on the GPU)")),
        _ => None,
    }
}

/// Prompts shorter than this are dominated by per-request overhead, not matmuls.
const MIN_PREFILL_TOKENS: u64 = 64;

/// Fits `hw`'s speed from `runs`; every run left out gets a note saying why.
pub fn calibrate(runs: &[Run], cat: &Catalog, hw: &Hardware) -> Result<Calibration, String> {
    let c = BackendConstants::of(hw.backend);
    let mut points = Vec::new();
    let mut flops = Vec::new();
    let mut used = Vec::new();
    let mut notes = Vec::new();
    // Runs at several thread counts measure several CPUs' worth of speed: keep the most threads
    // (llama.cpp's default is every physical core).
    let threads = runs.iter().filter_map(|r| r.threads).max();
    let mut unknown_said = std::collections::HashSet::new();
    for run in runs {
        if let (Some(t), Some(max)) = (run.threads, threads) {
            if hw.backend == crate::estimate::Backend::Cpu && t < max {
                notes.push(format!(
                    "{}: skipped: {t} threads (the fit uses the runs at {max})",
                    run.origin
                ));
                continue;
            }
        }
        let Some(subject) = subject(cat, run) else {
            notes.push(match &run.name {
                Some(name) => format!(
                    "{}: skipped: model '{name}' is not in the catalog and the output gives no size",
                    run.origin
                ),
                None => format!(
                    "{}: skipped: no model named (add an `ollama run MODEL` line above it, or --model M)",
                    run.origin
                ),
            });
            continue;
        };
        let layers = match &subject {
            Subject::Known(m, ..) => Some(m.arch.layers),
            Subject::Unknown { .. } => None,
        };
        if let Some(why) = placement_problem(run, hw, layers) {
            notes.push(format!("{}: skipped: {why}", run.origin));
            continue;
        }
        let (label, bytes, flops_per_token, fixed) = match &subject {
            Subject::Known(m, quant, size) => {
                let mut w = weight_table(m, *quant);
                if let Some(s) = size {
                    w.scale_to(*s);
                }
                let settings = Settings {
                    quant: *quant,
                    context: u32::try_from(run.depth + run.tokens + 1)
                        .unwrap_or(u32::MAX)
                        .min(limits::CONTEXT.max as u32),
                    kv_type: run
                        .type_k
                        .as_deref()
                        .and_then(|k| k.parse::<KvType>().ok())
                        .unwrap_or(KvType::F16),
                    runtime: if run.tool == Tool::Ollama {
                        Runtime::Ollama
                    } else {
                        Runtime::LlamaCpp
                    },
                    ..Settings::default()
                };
                let (b, f, t) = decode_bytes(m, &w, &settings, &c, run.depth);
                (format!("{} {}", m.name, quant.label()), b, f, t)
            }
            Subject::Unknown {
                name,
                bytes,
                params,
            } => {
                if run.depth > 0 {
                    notes.push(format!(
                        "{}: skipped: '{name}' is not in the catalog, so its cache reads at depth {} are unknown",
                        run.origin, run.depth
                    ));
                    continue;
                }
                if unknown_said.insert(name.clone()) {
                    notes.push(format!(
                        "{}: '{name}' is not in the catalog: its file size ({:.2} GB) taken as the bytes read per token",
                        run.origin,
                        *bytes as f64 / 1e9
                    ));
                }
                (name.clone(), *bytes as f64, 2.0 * *params as f64, c.t_fixed)
            }
        };
        match run.phase {
            Phase::Decode => points.push(DecodePoint {
                bytes,
                seconds: 1.0 / run.tps,
                fixed_s: fixed,
            }),
            Phase::Prefill if run.depth == 0 && run.tokens >= MIN_PREFILL_TOKENS => {
                flops.push(flops_per_token * run.tps)
            }
            Phase::Prefill => {
                notes.push(format!(
                    "{}: prefill skipped: {} tokens at depth {} (needs ≥ {MIN_PREFILL_TOKENS} on an empty cache)",
                    run.origin, run.tokens, run.depth
                ));
                continue;
            }
        }
        let phase = match run.phase {
            Phase::Decode => "decode",
            Phase::Prefill => "prefill",
        };
        used.push(format!(
            "{}: {label}, {phase} {:.1} tok/s",
            run.origin, run.tps
        ));
    }
    let (bytes_per_s, fixed_s) = fit_decode(&points).map_err(|e| {
        let mut msg = e.to_string();
        for n in &notes {
            msg.push_str("\n  ");
            msg.push_str(n);
        }
        msg
    })?;
    let bandwidth_gbps = limits::BANDWIDTH_GBPS
        .check(bytes_per_s / 1e9)
        .map_err(|e| format!("fitted {e}"))?;
    let prefill_tflops = fit_prefill(&flops)
        .map(|t| limits::TFLOPS.check(t).map_err(|e| format!("fitted {e}")))
        .transpose()?;
    if !(0.0..=1.0).contains(&fixed_s) {
        return Err(format!(
            "fitted fixed cost {:.1} ms per token is not plausible",
            fixed_s * 1e3
        ));
    }
    Ok(Calibration {
        speed: MachineSpeed {
            bandwidth_gbps,
            fixed_s,
            prefill_tflops,
            decode_runs: points.len() as u32,
            prefill_runs: flops.len() as u32,
        },
        used,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llama_bench_file_types() {
        assert_eq!(ftype_quant("llama 8B Q4_K - Medium"), Some(Quant::Q4_K_M));
        assert_eq!(ftype_quant("llama 8B Q8_0"), Some(Quant::Q8_0));
        assert_eq!(
            ftype_quant("qwen3moe 30B.A3B Q4_K - Medium"),
            Some(Quant::Q4_K_M)
        );
        assert_eq!(
            ftype_quant("llama 8B IQ4_XS - 4.25 bpw"),
            Some(Quant::IQ4_XS)
        );
    }
}
