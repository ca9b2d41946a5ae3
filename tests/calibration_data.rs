#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! The measured-data files in tests/data cannot rot silently: every row of the own llama.cpp
//! measurements (`measured_llamacpp_*.csv`) and of the public 2025–2026 rows
//! (`public_speed_2025_2026.csv`) has the expected columns, a source, a build, a known metric and
//! a positive value; own rows point at raw files that exist; decode rows above the bandwidth
//! roofline carry a quality flag.

use std::collections::HashMap;
use std::path::Path;

const SPEED_COLUMNS: &str =
    "source,source_ref,source_type,hardware,gpu_count,memory_bandwidth_gbps,\
bw_basis,backend,engine,build,model,params_b,active_params_b,quant,model_size_gib,test,n_prompt,\
n_gen,depth,n_ctx,flash_attn,metric,value,unit,stddev,quality_flag,notes";
const MEMORY_COLUMNS: &str = "source,source_ref,source_type,hardware,backend,engine,build,model,\
params_b,active_params_b,quant,n_ctx,cache_type,n_ubatch,flash_attn,gpu_count,metric,device,value,\
unit,notes";
const SPEED_METRICS: [&str; 2] = ["prefill_tps", "decode_tps"];
const MEMORY_METRICS: [&str; 8] = [
    "model_buffer",
    "kv_cache_per_device",
    "rs_buffer_per_device",
    "compute_buffer",
    "output_buffer",
    "gguf_file_size (llama.cpp print_info file size)",
    "model_weights_size (llama-bench)",
    "peak_resident_set (/usr/bin/time -v)",
];

type Row = HashMap<String, String>;

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Reads a CSV, checking its header against `columns`; rows come with their 1-based line.
fn read(name: &str, columns: &str) -> Vec<(usize, Row)> {
    let path = data(name);
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header.join(","), columns, "{path}: header");
    rdr.deserialize::<Row>()
        .enumerate()
        .map(|(i, r)| (i + 2, r.unwrap_or_else(|e| panic!("{path}:{}: {e}", i + 2))))
        .collect()
}

fn positive(path: &str, line: usize, r: &Row, field: &str) -> f64 {
    let v: f64 = r[field]
        .parse()
        .unwrap_or_else(|_| panic!("{path}:{line}: {field} {:?} is not a number", r[field]));
    assert!(
        v > 0.0 && v.is_finite(),
        "{path}:{line}: {field} {v} not positive"
    );
    v
}

fn common_fields(path: &str, line: usize, r: &Row) {
    for field in [
        "source",
        "source_ref",
        "source_type",
        "hardware",
        "build",
        "model",
    ] {
        assert!(
            !r[field].trim().is_empty(),
            "{path}:{line}: {field} is empty"
        );
    }
    positive(path, line, r, "value");
    // own measurements cite the raw file they were read from; it must be in the repository
    if r["source"].contains("own measurement") {
        let raw = Path::new(env!("CARGO_MANIFEST_DIR")).join(&r["source_ref"]);
        assert!(raw.is_file(), "{path}:{line}: raw file {raw:?} is missing");
    }
}

/// Checks every row of a speed CSV; returns how many rows it read.
fn check_speed(name: &str) -> usize {
    let rows = read(name, SPEED_COLUMNS);
    for (line, r) in &rows {
        common_fields(name, *line, r);
        let metric = r["metric"].as_str();
        assert!(
            SPEED_METRICS.contains(&metric),
            "{name}:{line}: metric {metric:?}"
        );
        assert_eq!(r["unit"], "tokens/s", "{name}:{line}: unit");
        let want = if metric == "decode_tps" { "tg" } else { "pp" };
        assert!(
            r["test"].starts_with(want),
            "{name}:{line}: test {:?} does not match {metric}",
            r["test"]
        );
        for field in ["n_prompt", "n_gen", "depth"] {
            if !r[field].is_empty() {
                r[field]
                    .parse::<u64>()
                    .unwrap_or_else(|_| panic!("{name}:{line}: {field} {:?}", r[field]));
            }
        }
        if metric == "decode_tps" {
            check_roofline(name, *line, r);
        }
    }
    rows.len()
}

/// A decode rate that would read more weight bytes per second than the memory delivers is not
/// physically possible on one device: such a row must say so in `quality_flag`.
fn check_roofline(name: &str, line: usize, r: &Row) {
    let (Ok(bw), Ok(size), Ok(total), Ok(active), Ok(gpus)) = (
        r["memory_bandwidth_gbps"].parse::<f64>(),
        r["model_size_gib"].parse::<f64>(),
        r["params_b"].parse::<f64>(),
        r["active_params_b"].parse::<f64>(),
        r["gpu_count"].parse::<f64>(),
    ) else {
        return;
    };
    let bytes_per_token = size * (1u64 << 30) as f64 * (active / total).min(1.0);
    let value = positive(name, line, r, "value");
    let ceiling = bw * 1e9 * gpus.max(1.0) / bytes_per_token;
    assert!(
        value <= ceiling || !r["quality_flag"].is_empty(),
        "{name}:{line}: decode {value} tok/s is above the roofline {ceiling:.1} and has no quality_flag"
    );
}

fn check_memory(name: &str) -> usize {
    let rows = read(name, MEMORY_COLUMNS);
    for (line, r) in &rows {
        common_fields(name, *line, r);
        let metric = r["metric"].as_str();
        assert!(
            MEMORY_METRICS.contains(&metric),
            "{name}:{line}: metric {metric:?}"
        );
        assert!(
            ["MiB", "GiB"].contains(&r["unit"].as_str()),
            "{name}:{line}: unit {:?}",
            r["unit"]
        );
        positive(name, *line, r, "n_ctx");
        positive(name, *line, r, "n_ubatch");
    }
    rows.len()
}

#[test]
fn measured_llamacpp_speed_rows_are_well_formed() {
    assert!(check_speed("measured_llamacpp_speed.csv") >= 20);
}

#[test]
fn measured_llamacpp_memory_rows_are_well_formed() {
    assert!(check_memory("measured_llamacpp_memory.csv") >= 50);
}

#[test]
fn own_rows_match_their_raw_llama_bench_output() {
    // Spot check that the CSV was not edited by hand: each own value is the avg_ts of a JSONL
    // line in the raw file the row cites, with the same test shape.
    let name = "measured_llamacpp_speed.csv";
    let mut checked = 0;
    for (line, r) in read(name, SPEED_COLUMNS) {
        let raw =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&r["source_ref"]))
                .unwrap();
        let want: f64 = r["value"].parse().unwrap();
        // The CPU decode model reads the thread count from the notes: it must be the run's.
        let threads = r["notes"]
            .split("threads ")
            .nth(1)
            .and_then(|t| t.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|t| t.parse::<u64>().ok());
        let found = raw
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .any(|j| {
                j["n_prompt"].as_u64().map(|v| v.to_string()) == Some(r["n_prompt"].clone())
                    && j["n_gen"].as_u64().map(|v| v.to_string()) == Some(r["n_gen"].clone())
                    && j["n_depth"].as_u64().map(|v| v.to_string()) == Some(r["depth"].clone())
                    && threads.is_none_or(|t| j["n_threads"].as_u64() == Some(t))
                    && j["avg_ts"]
                        .as_f64()
                        .is_some_and(|v| (v - want).abs() < 0.01)
            });
        assert!(found, "{name}:{line}: {want} not in {}", r["source_ref"]);
        checked += 1;
    }
    assert!(checked >= 20);
}

#[test]
fn public_speed_rows_are_well_formed_and_dated() {
    let name = "public_speed_2025_2026.csv";
    let mut rows = 0;
    for (line, r) in read(name, SPEED_COLUMNS) {
        // every public row says when it was measured: a 2025/2026 date or a llama.cpp build number
        let dated = r["notes"].contains("2025-") || r["notes"].contains("2026-");
        let build_numbered = r["build"].chars().filter(char::is_ascii_digit).count() >= 4;
        assert!(
            dated || build_numbered,
            "{name}:{line}: neither a 2025/2026 date nor a build number"
        );
        assert!(
            r["source_ref"].starts_with("https://") || r["source_ref"].starts_with("github:"),
            "{name}:{line}: source_ref {:?} is not a URL or repository path",
            r["source_ref"]
        );
        rows += 1;
    }
    assert_eq!(check_speed(name), rows);
    assert!(rows >= 90);
}

#[test]
fn own_cpu_bandwidth_is_the_measured_one() {
    // A CPU row's bandwidth, where the basis says it was measured, is the best 2-thread read
    // rate tools/membw.c printed into the membw.txt file the basis names.
    let name = "measured_llamacpp_speed.csv";
    let mut checked = 0;
    for (line, r) in read(name, SPEED_COLUMNS) {
        if r["backend"] != "CPU" || !r["bw_basis"].starts_with("measured") {
            continue;
        }
        let file = r["bw_basis"]
            .split_whitespace()
            .find(|w| w.ends_with("membw.txt"))
            .unwrap_or_else(|| panic!("{name}:{line}: the basis names no membw.txt"));
        let membw = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
            .unwrap_or_else(|e| panic!("{name}:{line}: {file}: {e}"));
        let bw = positive(name, line, &r, "memory_bandwidth_gbps");
        let best = membw
            .lines()
            .filter(|l| l.starts_with("threads 2 read "))
            .filter_map(|l| l.split_whitespace().nth(3)?.parse::<f64>().ok())
            .fold(0.0, f64::max);
        assert!(
            (best - bw).abs() < 0.01,
            "{name}:{line}: bandwidth {bw} is not the best 2-thread read {best} in membw.txt"
        );
        checked += 1;
    }
    assert!(checked >= 40, "measured-bandwidth CPU rows: {checked}");
}
