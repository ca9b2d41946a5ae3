//! `fitcheck calibrate --memory`: this machine's RAM read bandwidth, the one figure of a CPU-only
//! machine the OS does not report without root (DMI), measured the way `tools/membw.c` measures
//! the calibration rows' machines (every thread sums its own slice of a large array of 64-bit
//! integers, best of several passes), and stored beside the speed calibration
//! (`$XDG_DATA_HOME/fitcheck/memory.json`, one entry per machine key).

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::machine_file::{MachineFile, PerMachine};
use crate::estimate::{Backend, Hardware};
use crate::hardware::Detection;
use crate::limits;

/// Format version of the file.
const VERSION: u32 = 1;
/// The file's name in the data folder.
pub const FILE_NAME: &str = "memory.json";
/// Largest file read.
const FILE_LIMIT: u64 = 1 << 20;
/// Bytes the probe reads per pass: far larger than any cache, small next to any machine's RAM.
pub const PROBE_BYTES: usize = 512 << 20;
/// Passes; the best is kept (the others lost time to the rest of the machine).
pub const PROBE_PASSES: usize = 5;

/// One machine's measured RAM bandwidth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// `calibrate::machine_key` of the machine measured.
    pub machine: String,
    /// Best read bandwidth over the passes, GB/s (10^9 B/s).
    pub read_gbps: f64,
    /// Threads that read.
    pub threads: usize,
    /// Seconds since the Unix epoch when it was measured.
    pub measured_at_unix: u64,
}

/// The file's format.
const FORMAT: MachineFile = MachineFile {
    what: "memory file",
    version: VERSION,
    limit: FILE_LIMIT,
};

impl PerMachine for Entry {
    fn machine(&self) -> &str {
        &self.machine
    }

    fn check(&self) -> Result<(), String> {
        limits::BANDWIDTH_GBPS
            .check(self.read_gbps)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Reads `bytes` of memory on `threads` threads, `passes` times: the best rate, GB/s.
pub fn read_bandwidth_gbps(bytes: usize, threads: usize, passes: usize) -> f64 {
    let threads = threads.max(1);
    let words = (bytes / 8).max(threads);
    // Written once so every page is really there (a fresh allocation maps one zero page).
    let data: Vec<u64> = (0..words as u64).map(|i| i & 1023).collect();
    let chunk = words.div_ceil(threads);
    let mut best = 0.0f64;
    for _ in 0..passes.max(1) {
        let start = Instant::now();
        let sum: u64 = std::thread::scope(|s| {
            let parts: Vec<_> = data
                .chunks(chunk)
                .map(|part| s.spawn(move || part.iter().fold(0u64, |a, x| a.wrapping_add(*x))))
                .collect();
            parts
                .into_iter()
                .map(|p| p.join().unwrap_or(0))
                .fold(0u64, u64::wrapping_add)
        });
        std::hint::black_box(sum);
        let secs = start.elapsed().as_secs_f64();
        if secs > 0.0 {
            best = best.max((words * 8) as f64 / secs / 1e9);
        }
    }
    best
}

/// The file's path in the data folder.
pub fn path() -> Result<PathBuf, String> {
    super::store::data_file(FILE_NAME)
}

/// Every stored entry; none when the file does not exist.
pub fn load_all(file: &Path) -> Result<Vec<Entry>, String> {
    FORMAT.load_all(file)
}

/// Stores `entry`, replacing that machine's previous one and keeping the others'.
pub fn save(file: &Path, entry: Entry) -> Result<(), String> {
    FORMAT.save(file, entry)
}

/// Removes `machine`'s entry (the file too when it was the last); whether one was removed.
pub fn remove(file: &Path, machine: &str) -> Result<bool, String> {
    FORMAT.remove::<Entry>(file, machine)
}

/// Gives a CPU-only machine its measured RAM bandwidth in place of the assumed one, and says so.
/// A machine with a GPU keeps its figures (its host RAM only matters for offloaded layers).
pub fn apply(hw: &mut Hardware, notes: &mut Vec<String>, entry: &Entry) {
    if hw.backend != Backend::Cpu {
        return;
    }
    hw.bandwidth_gbps = entry.read_gbps;
    hw.ram_bandwidth_gbps = entry.read_gbps;
    notes.retain(|n| !n.starts_with("RAM bandwidth assumed"));
    notes.push(format!(
        "RAM bandwidth {:.1} GB/s measured by `fitcheck calibrate --memory` ({} threads reading, best of {PROBE_PASSES})",
        entry.read_gbps, entry.threads
    ));
}

/// Applies this machine's stored measurement to `d`, if one exists; `Ok(true)` when applied.
pub fn attach(d: &mut Detection, machine: &str) -> Result<bool, String> {
    let Ok(file) = path() else {
        return Ok(false);
    };
    match load_all(&file)?.into_iter().find(|e| e.machine == machine) {
        Some(entry) => {
            apply(&mut d.hardware, &mut d.notes, &entry);
            Ok(true)
        }
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_reads_its_buffer_and_reports_a_rate() {
        // A small buffer: the figure is a cache rate here, only its sanity is checked.
        let gbps = read_bandwidth_gbps(1 << 20, 2, 2);
        assert!(gbps.is_finite() && gbps > 0.0, "{gbps}");
    }

    #[test]
    fn a_measured_figure_replaces_the_assumed_one_on_a_cpu_machine_only() {
        let cat = crate::catalog::Catalog::builtin().expect("catalog");
        let mut d = crate::hardware::detect::describe(
            crate::hardware::detect::Facts::default(),
            &cat.hardware,
        );
        assert!(d
            .notes
            .iter()
            .any(|n| n.starts_with("RAM bandwidth assumed")));
        let entry = Entry {
            machine: "m".into(),
            read_gbps: 17.1,
            threads: 2,
            measured_at_unix: 0,
        };
        apply(&mut d.hardware, &mut d.notes, &entry);
        assert_eq!(d.hardware.bandwidth_gbps, 17.1);
        assert_eq!(d.hardware.ram_bandwidth_gbps, 17.1);
        assert!(!d
            .notes
            .iter()
            .any(|n| n.starts_with("RAM bandwidth assumed")));
        assert!(d.notes.iter().any(|n| n.contains("17.1 GB/s measured")));
        let mut gpu = cat
            .hardware
            .iter()
            .find(|h| h.backend == Backend::Cuda)
            .expect("a CUDA preset")
            .clone();
        let before = gpu.clone();
        apply(&mut gpu, &mut Vec::new(), &entry);
        assert_eq!(gpu, before);
    }

    #[test]
    fn entries_round_trip_per_machine_and_bad_figures_are_refused() {
        let dir = std::env::temp_dir().join(format!("fitcheck-memory-{}", std::process::id()));
        let file = dir.join(FILE_NAME);
        let entry = |m: &str, g: f64| Entry {
            machine: m.into(),
            read_gbps: g,
            threads: 4,
            measured_at_unix: 1,
        };
        save(&file, entry("a", 20.0)).expect("save a");
        save(&file, entry("b", 90.0)).expect("save b");
        save(&file, entry("a", 21.0)).expect("replace a");
        let all = load_all(&file).expect("load");
        assert_eq!(all.len(), 2);
        assert_eq!(
            all.iter().find(|e| e.machine == "a").map(|e| e.read_gbps),
            Some(21.0)
        );
        assert!(remove(&file, "a").expect("remove"));
        assert!(!remove(&file, "a").expect("remove again"));
        std::fs::write(&file, r#"{"version":1,"machines":[{"machine":"x","read_gbps":1e30,"threads":1,"measured_at_unix":0}]}"#).expect("write");
        let err = load_all(&file).expect_err("1e30 GB/s is refused");
        assert!(err.contains("machine 'x'"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
