//! A versioned JSON file of per-machine entries in the data folder, the shape both the speed
//! calibration (`calibration.json`) and the RAM probe (`memory.json`) are stored in: one entry
//! per machine key, so a home directory shared by several machines keeps each one's own. The
//! version is read before the fields, so a file of another version says so instead of failing
//! on a field it does not know; every entry is bounds-checked as a fresh measurement would be.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// An entry of a [`MachineFile`].
pub trait PerMachine: Serialize + DeserializeOwned {
    /// The machine key it belongs to.
    fn machine(&self) -> &str;
    /// The same bounds a fresh measurement gets: a hand-edited file cannot smuggle in NaN.
    fn check(&self) -> Result<(), String>;
}

/// How one kind of file is named in messages, its format version and its size limit.
#[derive(Debug, Clone, Copy)]
pub struct MachineFile {
    /// What the file is, as messages name it ("calibration", "memory file").
    pub what: &'static str,
    /// Format version; a file of another version is refused, never misread.
    pub version: u32,
    /// Largest file read, bytes.
    pub limit: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Contents<E> {
    version: u32,
    machines: Vec<E>,
}

impl MachineFile {
    /// Every stored entry; none when the file does not exist.
    pub fn load_all<E: PerMachine>(&self, file: &Path) -> Result<Vec<E>, String> {
        if !file.exists() {
            return Ok(Vec::new());
        }
        let text = crate::files::read_text(file, self.limit).map_err(|e| e.to_string())?;
        let at =
            |e: serde_json::Error| format!("{}:{}:{}: {e}", file.display(), e.line(), e.column());
        let value: serde_json::Value = serde_json::from_str(&text).map_err(at)?;
        if value.get("version").and_then(serde_json::Value::as_u64) != Some(u64::from(self.version))
        {
            return Err(format!(
                "{}: not a version-{} fitcheck {} (run `fitcheck calibrate --reset`)",
                file.display(),
                self.version,
                self.what
            ));
        }
        let parsed: Contents<E> = serde_json::from_str(&text).map_err(at)?;
        for e in &parsed.machines {
            e.check()
                .map_err(|m| format!("{}: machine '{}': {m}", file.display(), e.machine()))?;
        }
        Ok(parsed.machines)
    }

    /// Stores `entry`, replacing that machine's previous one and keeping the others'.
    pub fn save<E: PerMachine>(&self, file: &Path, entry: E) -> Result<(), String> {
        let mut machines: Vec<E> = self.load_all(file).unwrap_or_default();
        machines.retain(|e| e.machine() != entry.machine());
        machines.push(entry);
        self.write(file, machines)
    }

    /// Removes `machine`'s entry (the file too when it was the last, or when it cannot be read:
    /// that is what `--reset` is for); whether anything was removed.
    pub fn remove<E: PerMachine>(&self, file: &Path, machine: &str) -> Result<bool, String> {
        let machines: Vec<E> = match self.load_all(file) {
            Ok(m) => m,
            Err(_) if file.exists() => {
                std::fs::remove_file(file).map_err(|e| format!("{}: {e}", file.display()))?;
                return Ok(true);
            }
            Err(e) => return Err(e),
        };
        let before = machines.len();
        let kept: Vec<E> = machines
            .into_iter()
            .filter(|e| e.machine() != machine)
            .collect();
        if kept.len() == before {
            return Ok(false);
        }
        if kept.is_empty() {
            std::fs::remove_file(file).map_err(|e| format!("{}: {e}", file.display()))?;
        } else {
            self.write(file, kept)?;
        }
        Ok(true)
    }

    fn write<E: PerMachine>(&self, file: &Path, machines: Vec<E>) -> Result<(), String> {
        let contents = Contents {
            version: self.version,
            machines,
        };
        let text = serde_json::to_string_pretty(&contents).map_err(|e| e.to_string())?;
        super::store::write_text_atomic(file, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        machine: String,
        gbps: f64,
    }

    impl PerMachine for Probe {
        fn machine(&self) -> &str {
            &self.machine
        }
        fn check(&self) -> Result<(), String> {
            if self.gbps.is_finite() && self.gbps > 0.0 {
                Ok(())
            } else {
                Err(format!("gbps must be positive, got {}", self.gbps))
            }
        }
    }

    const FORMAT: MachineFile = MachineFile {
        what: "probe file",
        version: 3,
        limit: 1 << 16,
    };

    fn probe(machine: &str, gbps: f64) -> Probe {
        Probe {
            machine: machine.into(),
            gbps,
        }
    }

    #[test]
    fn entries_are_kept_per_machine_and_the_last_removal_removes_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("nested").join("probe.json");
        FORMAT.save(&file, probe("a", 1.0)).expect("save a");
        FORMAT.save(&file, probe("b", 2.0)).expect("save b");
        FORMAT.save(&file, probe("a", 3.0)).expect("replace a");
        let all: Vec<Probe> = FORMAT.load_all(&file).expect("load");
        assert_eq!(all, vec![probe("b", 2.0), probe("a", 3.0)]);
        assert!(FORMAT.remove::<Probe>(&file, "a").expect("remove a"));
        assert!(!FORMAT.remove::<Probe>(&file, "a").expect("a is gone"));
        assert!(FORMAT.remove::<Probe>(&file, "b").expect("remove b"));
        assert!(!file.exists(), "an empty file is removed, not left behind");
    }

    #[test]
    fn another_version_bad_json_and_bad_figures_say_where() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("probe.json");
        std::fs::write(&file, r#"{"version":4,"machines":[],"later":true}"#).expect("write");
        let err = FORMAT.load_all::<Probe>(&file).expect_err("version 4");
        assert!(err.contains("not a version-3 fitcheck probe file"), "{err}");
        std::fs::write(&file, "{\"version\":3,\n \"machines\": [}").expect("write");
        let err = FORMAT.load_all::<Probe>(&file).expect_err("bad JSON");
        assert!(err.contains("probe.json:2:"), "{err}");
        std::fs::write(
            &file,
            r#"{"version":3,"machines":[{"machine":"x","gbps":-1}]}"#,
        )
        .expect("write");
        let err = FORMAT.load_all::<Probe>(&file).expect_err("negative");
        assert!(err.contains("machine 'x': gbps must be positive"), "{err}");
        // What --reset is for: an unreadable file is removed.
        assert!(FORMAT.remove::<Probe>(&file, "y").expect("reset"));
        assert!(!file.exists());
    }
}
