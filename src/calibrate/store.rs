//! Where calibrations live: `$XDG_DATA_HOME/fitcheck/calibration.json` (`~/.local/share/…`,
//! `%APPDATA%` on Windows), honouring `FITCHECK_DATA_DIR`, one entry per machine key
//! ([`super::machine_file`]). Written to a temporary file
//! in the same folder and renamed over the old one, so a crash never leaves half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::machine_file::{MachineFile, PerMachine};
use crate::estimate::machine::MachineSpeed;
use crate::limits;

/// Format version; a file of another version is ignored with a warning, never misread.
pub const VERSION: u32 = 1;
/// Largest calibration file read (a few hundred bytes per machine).
const STORE_LIMIT: u64 = 1 << 20;
/// The file's name in the data folder.
pub const FILE_NAME: &str = "calibration.json";

/// One machine's calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// [`super::machine_key`] of the machine measured.
    pub machine: String,
    /// Its display name when measured.
    pub name: String,
    /// The fitted figures.
    pub speed: MachineSpeed,
    /// Seconds since the Unix epoch when it was fitted.
    pub fitted_at_unix: u64,
    /// The files the runs came from.
    pub sources: Vec<String>,
}

/// The file's format.
const FORMAT: MachineFile = MachineFile {
    what: "calibration",
    version: VERSION,
    limit: STORE_LIMIT,
};

impl PerMachine for Entry {
    fn machine(&self) -> &str {
        &self.machine
    }

    fn check(&self) -> Result<(), String> {
        check(&self.speed)
    }
}

/// `$XDG_DATA_HOME/fitcheck` (or `~/.local/share/fitcheck`), honouring `FITCHECK_DATA_DIR`.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("FITCHECK_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|b| b.data_dir().join("fitcheck"))
}

/// The calibration file's path.
pub fn path() -> Result<PathBuf, String> {
    data_file(FILE_NAME)
}

/// A file of `name` in the data folder (calibration, memory probe).
pub fn data_file(name: &str) -> Result<PathBuf, String> {
    data_dir()
        .map(|d| d.join(name))
        .ok_or_else(|| "no data directory (set XDG_DATA_HOME or FITCHECK_DATA_DIR)".into())
}

/// Every stored entry; none when the file does not exist.
pub fn load_all(file: &Path) -> Result<Vec<Entry>, String> {
    FORMAT.load_all(file)
}

/// The same bounds as a fresh fit: a hand-edited file cannot smuggle in NaN or 10^30.
fn check(s: &MachineSpeed) -> Result<(), String> {
    limits::BANDWIDTH_GBPS
        .check(s.bandwidth_gbps)
        .map_err(|e| e.to_string())?;
    if !(s.fixed_s.is_finite() && (0.0..=1.0).contains(&s.fixed_s)) {
        return Err(format!("fixed_s must be in 0..=1 s, got {}", s.fixed_s));
    }
    if let Some(t) = s.prefill_tflops {
        limits::TFLOPS.check(t).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The entry for `machine`, if one is stored.
pub fn load(file: &Path, machine: &str) -> Result<Option<Entry>, String> {
    Ok(load_all(file)?.into_iter().find(|e| e.machine == machine))
}

/// Stores `entry`, replacing that machine's previous one and keeping the others'.
pub fn save(file: &Path, entry: Entry) -> Result<(), String> {
    FORMAT.save(file, entry)
}

/// Removes `machine`'s entry (the file too when it was the last); whether one was removed.
pub fn remove(file: &Path, machine: &str) -> Result<bool, String> {
    FORMAT.remove::<Entry>(file, machine)
}

/// Writes `text` (and a newline) to `file` through a temporary file in the same folder, renamed
/// over the old one, so a crash never leaves half a file.
pub fn write_text_atomic(file: &Path, text: &str) -> Result<(), String> {
    let dir = file.parent().ok_or("calibration path has no folder")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let name = file.file_name().map_or_else(
        || FILE_NAME.to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, file)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("writing {}: {e}", file.display()));
    }
    Ok(())
}
