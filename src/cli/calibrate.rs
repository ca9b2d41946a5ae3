//! `fitcheck calibrate`: reads (or runs) llama-bench and Ollama timings, fits this machine's
//! speed, and stores it for the detected machine only.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::{warn, CalibrateArgs, CliError};
use crate::calibrate::parse::{self, Run};
use crate::calibrate::{self as cal, memory, store, Calibration};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::estimate::machine::MachineSpeed;
use crate::hardware::{detect, Detection};

/// `--memory`: probes the RAM read bandwidth with every thread, prints it and (unless
/// `--dry-run`) stores it for this machine.
fn measure_memory(
    out: &mut dyn Write,
    d: &Detection,
    key: &str,
    args: &CalibrateArgs,
) -> Result<(), CliError> {
    let usage = CliError::Usage;
    let threads = d.cores.max(1);
    let gbps = memory::read_bandwidth_gbps(memory::PROBE_BYTES, threads, memory::PROBE_PASSES);
    crate::limits::BANDWIDTH_GBPS
        .check(gbps)
        .map_err(|e| usage(format!("the memory probe gave no usable figure: {e}")))?;
    let stored = if args.dry_run {
        None
    } else {
        let file = memory::path().map_err(usage)?;
        let entry = memory::Entry {
            machine: key.to_string(),
            read_gbps: gbps,
            threads,
            measured_at_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |t| t.as_secs()),
        };
        memory::save(&file, entry).map_err(usage)?;
        Some(file)
    };
    if args.json {
        let v = json!({
            "machine": key,
            "read_gbps": gbps,
            "threads": threads,
            "stored": stored.as_ref().map(|p| p.display().to_string()),
        });
        let text = serde_json::to_string_pretty(&v).map_err(|e| usage(e.to_string()))?;
        writeln!(out, "{text}")?;
        return Ok(());
    }
    writeln!(
        out,
        "RAM read bandwidth: {gbps:.1} GB/s ({threads} threads reading {} MiB, best of {})",
        memory::PROBE_BYTES >> 20,
        memory::PROBE_PASSES
    )?;
    match stored {
        Some(file) => writeln!(out, "stored for this machine in {}", file.display())?,
        None => writeln!(out, "not stored (--dry-run)")?,
    }
    Ok(())
}

/// Largest benchmark output read from a file or stdin.
const INPUT_LIMIT: u64 = 16 << 20;

pub fn run(cat: &Catalog, args: &CalibrateArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let usage = CliError::Usage;
    let mut d = detect(&cat.hardware);
    let config = Config::load().map_err(|e| usage(e.to_string()))?;
    config.machine.apply(&mut d.hardware, &mut d.notes);
    let key = cal::machine_key(&d);
    let file = store::path().map_err(usage)?;
    if args.show {
        return show(out, &file, &key, args.json);
    }
    if args.memory {
        return measure_memory(out, &d, &key, args);
    }
    if args.reset {
        if let Ok(mem) = memory::path() {
            if memory::remove(&mem, &key).map_err(usage)? {
                writeln!(
                    out,
                    "removed this machine's RAM bandwidth ({})",
                    mem.display()
                )?;
            }
        }
        let removed = store::remove(&file, &key).map_err(usage)?;
        let what = if removed {
            "removed this machine's calibration"
        } else {
            "no calibration stored for this machine"
        };
        writeln!(out, "{what} ({})", file.display())?;
        return Ok(());
    }
    let (mut runs, sources) = if args.files.is_empty() {
        run_llama_bench(&args.gguf, &d)?
    } else {
        read_files(&args.files)?
    };
    if let Some(m) = &args.model {
        for r in runs.iter_mut().filter(|r| r.name.is_none()) {
            r.name = Some(m.clone());
        }
    }
    let fit = cal::calibrate(&runs, cat, &d.hardware).map_err(usage)?;
    let stored = if args.dry_run {
        None
    } else {
        let entry = store::Entry {
            machine: key.clone(),
            name: d.hardware.name.clone(),
            speed: fit.speed,
            fitted_at_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |t| t.as_secs()),
            sources,
        };
        store::save(&file, entry).map_err(usage)?;
        Some(file)
    };
    if args.json {
        let v = json!({
            "machine": key,
            "name": d.hardware.name,
            "label": cal::label(&fit.speed),
            "speed": fit.speed,
            "used": fit.used,
            "notes": fit.notes,
            "stored": stored.as_ref().map(|p| p.display().to_string()),
        });
        let text = serde_json::to_string_pretty(&v).map_err(|e| usage(e.to_string()))?;
        writeln!(out, "{text}")?;
        return Ok(());
    }
    write_fit(out, &d, &fit)?;
    match stored {
        Some(p) => writeln!(
            out,
            "stored in {} for this machine only; `fit`, `compare`, `recommend` and the app use it (--no-calibration ignores it)",
            p.display()
        )?,
        None => writeln!(out, "--dry-run: nothing stored")?,
    }
    Ok(())
}

fn write_speed(out: &mut dyn Write, s: &MachineSpeed, peak_gbps: f64) -> std::io::Result<()> {
    writeln!(
        out,
        "  decode: effective bandwidth {:.0} GB/s ({:.0} % of the {:.0} GB/s peak), fixed cost {:.2} ms per token ({} runs)",
        s.bandwidth_gbps,
        100.0 * s.bandwidth_gbps / peak_gbps.max(1e-3),
        peak_gbps,
        s.fixed_s * 1e3,
        s.decode_runs
    )?;
    if s.bandwidth_gbps > peak_gbps {
        writeln!(
            out,
            "  (above the peak assumed for this machine: correct it with machine: (bandwidth_gbps: Some(N)) in config.ron)"
        )?;
    }
    match s.prefill_tflops {
        Some(t) => writeln!(
            out,
            "  prefill: {t:.2} TFLOPS effective matmul rate ({} runs)",
            s.prefill_runs
        ),
        None => writeln!(
            out,
            "  prefill: no runs (pp ≥ 64 tokens); the backend's estimate stays"
        ),
    }
}

fn write_fit(out: &mut dyn Write, d: &Detection, fit: &Calibration) -> std::io::Result<()> {
    writeln!(out, "{}: {}", d.hardware.name, cal::label(&fit.speed))?;
    let peak = if d.hardware.has_gpu() {
        d.hardware.bandwidth_gbps
    } else {
        d.hardware.host_bandwidth()
    };
    write_speed(out, &fit.speed, peak)?;
    writeln!(out, "runs used:")?;
    for u in &fit.used {
        writeln!(out, "  {u}")?;
    }
    if !fit.notes.is_empty() {
        writeln!(out, "notes:")?;
        for n in &fit.notes {
            writeln!(out, "  {n}")?;
        }
    }
    Ok(())
}

fn show(out: &mut dyn Write, file: &Path, key: &str, as_json: bool) -> Result<(), CliError> {
    let all = store::load_all(file).map_err(CliError::Usage)?;
    let entry = all.iter().find(|e| e.machine == key);
    if as_json {
        let v = json!({
            "machine": key,
            "file": file.display().to_string(),
            "calibration": entry,
            "other_machines": all.len() - usize::from(entry.is_some()),
        });
        let text = serde_json::to_string_pretty(&v).map_err(|e| CliError::Usage(e.to_string()))?;
        writeln!(out, "{text}")?;
        return Ok(());
    }
    match entry {
        Some(e) => {
            writeln!(out, "{}: {}", e.name, cal::label(&e.speed))?;
            writeln!(
                out,
                "  decode: effective bandwidth {:.0} GB/s, fixed cost {:.2} ms per token ({} runs)",
                e.speed.bandwidth_gbps,
                e.speed.fixed_s * 1e3,
                e.speed.decode_runs
            )?;
            if let Some(t) = e.speed.prefill_tflops {
                writeln!(
                    out,
                    "  prefill: {t:.2} TFLOPS effective ({} runs)",
                    e.speed.prefill_runs
                )?;
            }
            writeln!(out, "  from: {}", e.sources.join(", "))?;
            writeln!(out, "  machine: {}", e.machine)?;
        }
        None => writeln!(
            out,
            "no calibration stored for this machine ({key}); `fitcheck calibrate FILE` makes one"
        )?,
    }
    writeln!(out, "file: {}", file.display())?;
    Ok(())
}

fn read_files(files: &[PathBuf]) -> Result<(Vec<Run>, Vec<String>), CliError> {
    let mut runs = Vec::new();
    let mut sources = Vec::new();
    for f in files {
        let (text, origin) = if f.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .take(INPUT_LIMIT)
                .read_to_end(&mut buf)
                .map_err(|e| CliError::Usage(format!("<stdin>: {e}")))?;
            let text = crate::files::text_of(buf, "<stdin>")
                .map_err(|e| CliError::Usage(e.to_string()))?;
            (text, "<stdin>".to_string())
        } else {
            let text = crate::files::read_text(f, INPUT_LIMIT)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            (text, f.display().to_string())
        };
        runs.extend(parse::parse(&text, &origin).map_err(|e| CliError::Usage(e.to_string()))?);
        sources.push(origin);
    }
    Ok((runs, sources))
}

/// `llama-bench` on PATH, if it is there.
fn llama_bench_on_path() -> Option<PathBuf> {
    let name = if cfg!(windows) {
        "llama-bench.exe"
    } else {
        "llama-bench"
    };
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Runs llama-bench on each model with a progress line on stderr; keeps its raw output next to
/// the calibration file so the figures can be checked.
fn run_llama_bench(models: &[PathBuf], d: &Detection) -> Result<(Vec<Run>, Vec<String>), CliError> {
    let bench = llama_bench_on_path().ok_or_else(|| {
        CliError::Usage(
            "llama-bench is not on PATH: run it yourself and give its output \
             (llama-bench -m MODEL.gguf -o jsonl > runs.jsonl; fitcheck calibrate runs.jsonl), \
             or give `ollama run MODEL --verbose` output"
                .into(),
        )
    })?;
    if models.is_empty() {
        return Err(CliError::Usage(
            "give the models llama-bench should run: --gguf MODEL.gguf (two sizes or more also fit the fixed cost)".into(),
        ));
    }
    let ngl = if d.hardware.has_gpu() { "99" } else { "0" };
    let mut runs = Vec::new();
    let mut sources = Vec::new();
    let mut err = std::io::stderr().lock();
    for (i, m) in models.iter().enumerate() {
        let name = m.file_name().map_or_else(
            || m.display().to_string(),
            |f| f.to_string_lossy().into_owned(),
        );
        let mut child = Command::new(&bench)
            .args([
                "-p", "512", "-n", "128", "-r", "3", "-ngl", ngl, "-o", "jsonl", "-m",
            ])
            .arg(m)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| CliError::Usage(format!("{}: {e}", bench.display())))?;
        let mut stdout = child
            .stdout
            .take()
            .ok_or_else(|| CliError::Usage("llama-bench's output could not be read".into()))?;
        let reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = (&mut stdout).take(INPUT_LIMIT).read_to_end(&mut buf);
            buf
        });
        let start = Instant::now();
        let status = loop {
            let _ = write!(
                err,
                "\r[{}/{}] llama-bench {name}: pp512, tg128 × 3 … {:>4} s",
                i + 1,
                models.len(),
                start.elapsed().as_secs()
            );
            let _ = err.flush();
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) => std::thread::sleep(Duration::from_millis(250)),
                Err(e) => return Err(CliError::Usage(format!("llama-bench: {e}"))),
            }
        };
        let _ = writeln!(err);
        let buf = reader.join().unwrap_or_default();
        if !status.success() {
            return Err(CliError::Usage(format!(
                "llama-bench failed on {} ({status}); run it by hand to see why",
                m.display()
            )));
        }
        let origin = format!("llama-bench {name}");
        let text =
            crate::files::text_of(buf, &origin).map_err(|e| CliError::Usage(e.to_string()))?;
        keep_raw(&name, &text);
        runs.extend(parse::parse(&text, &origin).map_err(|e| CliError::Usage(e.to_string()))?);
        sources.push(origin);
    }
    Ok((runs, sources))
}

/// The raw llama-bench output beside the calibration file (a failure only warns).
fn keep_raw(model: &str, text: &str) {
    let Some(dir) = store::data_dir() else {
        return;
    };
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |t| t.as_secs());
    let path = dir.join(format!("llama-bench-{stamp}-{model}.jsonl"));
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
        warn(&format!("keeping {}: {e}", path.display()));
    }
}
