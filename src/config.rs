//! User configuration: `config.ron` in the config directory (see [`crate::catalog::config_dir`]).
//! Every field is optional and overrides a built-in default; the file is never written for the
//! user. Unknown fields are errors with line and column, so a typo is not silently ignored.

use std::path::PathBuf;

use serde::Deserialize;

use crate::catalog::{config_dir, CatalogError};

/// Overrides from the user's config file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Extra folders to scan for GGUF / safetensors models.
    pub models_dirs: Vec<PathBuf>,
    /// Hardware preselected in the app (preset id, name or tier).
    pub hardware: Option<String>,
    /// Initial context in tokens.
    pub context: Option<u32>,
    /// Initial quantization label.
    pub quant: Option<String>,
    /// Initial physical batch (llama.cpp `-ub`, Ollama `num_batch`).
    pub ubatch: Option<u32>,
    /// Skip scanning the standard model folders (Ollama, LM Studio, HF cache, llama.cpp).
    pub no_default_model_dirs: bool,
    /// Corrections to what detection found or looked up for this machine.
    pub machine: MachineOverride,
    /// Monthly API spend a machine would replace, USD (break-even; default 150).
    pub api_usd_per_month: Option<f64>,
    /// Electricity price, USD per kWh (default 0.15).
    pub usd_per_kwh: Option<f64>,
    /// Hours of use per day (default 8).
    pub hours_per_day: Option<f64>,
}

/// Figures of this machine the user knows better than detection.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MachineOverride {
    /// Memory of one GPU (or of the unified pool / RAM), GiB.
    pub memory_gib: Option<f64>,
    /// Its peak bandwidth, GB/s.
    pub bandwidth_gbps: Option<f64>,
    /// Host RAM bandwidth, GB/s.
    pub ram_bandwidth_gbps: Option<f64>,
    /// Dense FP16 TFLOPS.
    pub fp16_tflops: Option<f64>,
}

impl MachineOverride {
    /// Applies the corrections, noting each one.
    pub fn apply(&self, hw: &mut crate::estimate::Hardware, notes: &mut Vec<String>) {
        if let Some(g) = self.memory_gib.filter(|g| *g > 0.0) {
            hw.memory = (g * (1u64 << 30) as f64) as u64;
            notes.push(format!("memory set to {g} GiB by config.ron"));
        }
        if let Some(b) = self.bandwidth_gbps.filter(|b| *b > 0.0) {
            hw.bandwidth_gbps = b;
            // Without a GPU the device memory is the host RAM: one bandwidth, not two.
            if hw.backend == crate::estimate::Backend::Cpu {
                hw.ram_bandwidth_gbps = b;
            }
            notes.push(format!("bandwidth set to {b} GB/s by config.ron"));
        }
        if let Some(b) = self.ram_bandwidth_gbps.filter(|b| *b > 0.0) {
            hw.ram_bandwidth_gbps = b;
            notes.push(format!("host RAM bandwidth set to {b} GB/s by config.ron"));
        }
        if let Some(t) = self.fp16_tflops.filter(|t| *t > 0.0) {
            hw.fp16_tflops = t;
            notes.push(format!("FP16 TFLOPS set to {t} by config.ron"));
        }
    }
}

impl Config {
    /// Cost inputs: the config's, else the defaults.
    pub fn costs(&self) -> crate::compare::CostInputs {
        let d = crate::compare::CostInputs::default();
        crate::compare::CostInputs {
            api_usd_per_month: self.api_usd_per_month.unwrap_or(d.api_usd_per_month),
            usd_per_kwh: self.usd_per_kwh.unwrap_or(d.usd_per_kwh),
            hours_per_day: self.hours_per_day.unwrap_or(d.hours_per_day),
        }
    }

    /// Where `config.ron` is read from, for messages.
    pub fn path_label() -> String {
        config_dir().map_or_else(
            || "config.ron".into(),
            |d| d.join("config.ron").display().to_string(),
        )
    }

    /// Reads `config.ron` if it exists; a missing file is the default config.
    pub fn load() -> Result<Config, CatalogError> {
        let Some(path) = config_dir()
            .map(|d| d.join("config.ron"))
            .filter(|p| p.exists())
        else {
            return Ok(Config::default());
        };
        let (text, origin) = crate::catalog::read_text(&path, crate::files::CONFIG_LIMIT)?;
        Config::parse(&text, &origin)
    }

    /// Parses config text; `origin` names it in errors. An empty file is the default config.
    pub fn parse(text: &str, origin: &str) -> Result<Config, CatalogError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let config: Config = crate::catalog::parse_ron(text, origin)?;
        config.validate().map_err(|(field, message)| {
            let (line, col) = locate_field(text, field);
            CatalogError {
                origin: origin.to_string(),
                line,
                col,
                message: format!("field '{field}': {message}"),
            }
        })?;
        Ok(config)
    }

    /// Every number within the bounds the matching command-line flag has.
    fn validate(&self) -> Result<(), crate::limits::FieldProblem> {
        use crate::limits::*;
        let check = |field: &'static str, v: Option<f64>, b: Bound<f64>| match v {
            Some(v) => b.check(v).map(|_| ()).map_err(|e| (field, e.to_string())),
            None => Ok(()),
        };
        if let Some(c) = self.context {
            CONTEXT
                .check_u32(c)
                .map_err(|e| ("context", e.to_string()))?;
        }
        if let Some(u) = self.ubatch {
            UBATCH.check_u32(u).map_err(|e| ("ubatch", e.to_string()))?;
        }
        if let Some(q) = &self.quant {
            q.parse::<crate::estimate::Quant>()
                .map_err(|e| ("quant", e.to_string()))?;
        }
        let m = &self.machine;
        check("memory_gib", m.memory_gib, MEMORY_GIB)?;
        check("bandwidth_gbps", m.bandwidth_gbps, BANDWIDTH_GBPS)?;
        check(
            "ram_bandwidth_gbps",
            m.ram_bandwidth_gbps,
            RAM_BANDWIDTH_GBPS,
        )?;
        check("fp16_tflops", m.fp16_tflops, TFLOPS)?;
        check(
            "api_usd_per_month",
            self.api_usd_per_month,
            API_USD_PER_MONTH,
        )?;
        check("usd_per_kwh", self.usd_per_kwh, USD_PER_KWH)?;
        check("hours_per_day", self.hours_per_day, HOURS_PER_DAY)?;
        Ok(())
    }
}

/// Line and column of the first `field:` in `text` (1, 1 when it is not written out).
fn locate_field(text: &str, field: &str) -> (usize, usize) {
    let offset = text.find(&format!("{field}:")).unwrap_or(0);
    let line = text[..offset].matches('\n').count() + 1;
    let col = text[..offset]
        .rfind('\n')
        .map_or(&text[..offset], |p| &text[p + 1..offset])
        .chars()
        .count()
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_corrections_apply_with_a_note() {
        let c = Config::parse(
            "(machine: (bandwidth_gbps: Some(89.6), memory_gib: Some(64.0)))",
            "c.ron",
        )
        .expect("parses");
        let mut hw = crate::catalog::Catalog::builtin()
            .expect("catalog")
            .find_hardware("cpu-ddr5-64")
            .expect("hw")
            .clone();
        let mut notes = Vec::new();
        c.machine.apply(&mut hw, &mut notes);
        assert_eq!(hw.bandwidth_gbps, 89.6);
        assert_eq!(hw.ram_bandwidth_gbps, 89.6, "a CPU machine has one memory");
        assert_eq!(hw.memory, 64 << 30);
        assert_eq!(notes.len(), 2);
    }

    #[test]
    fn only_overrides_and_typos_are_errors() {
        let c = Config::parse(
            "(hardware: Some(\"rtx-4090\"), models_dirs: [\"/m\"])",
            "c.ron",
        )
        .expect("parses");
        assert_eq!(c.hardware.as_deref(), Some("rtx-4090"));
        assert_eq!(c.context, None);
        assert_eq!(c.ubatch, None);
        let ub = Config::parse("(ubatch: Some(2048))", "c.ron").expect("parses");
        assert_eq!(ub.ubatch, Some(2048));
        let e = Config::parse("(\n  hardwre: Some(\"x\"),\n)", "c.ron").expect_err("typo");
        assert_eq!((e.line, e.origin.as_str()), (2, "c.ron"));
        assert!(e.message.contains("hardwre"), "{e}");
    }

    #[test]
    fn empty_and_bom_configs_are_accepted() {
        assert_eq!(Config::parse("", "c.ron"), Ok(Config::default()));
        assert_eq!(Config::parse("  \n", "c.ron"), Ok(Config::default()));
        let c = Config::parse("\u{feff}(context: Some(4096))", "c.ron").expect("BOM");
        assert_eq!(c.context, Some(4096));
    }

    #[test]
    fn infinite_nan_and_absurd_numbers_name_the_field() {
        for (text, field) in [
            ("(machine: (bandwidth_gbps: Some(inf)))", "bandwidth_gbps"),
            ("(machine: (memory_gib: Some(NaN)))", "memory_gib"),
            ("(machine: (fp16_tflops: Some(-3.0)))", "fp16_tflops"),
            ("(\n  hours_per_day: Some(25.0))", "hours_per_day"),
            ("(context: Some(0))", "context"),
            ("(quant: Some(\"Q9_X\"))", "quant"),
        ] {
            let e = Config::parse(text, "c.ron").expect_err(text);
            assert!(e.message.contains(field), "{text}: {e}");
            assert!(e.line >= 1, "{text}: {e}");
        }
        let e = Config::parse("(\n  hours_per_day: Some(25.0))", "c.ron").expect_err("25 h");
        assert_eq!((e.line, e.col), (2, 3));
    }
}
