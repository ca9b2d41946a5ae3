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
    /// Skip scanning the standard model folders (Ollama, LM Studio, HF cache, llama.cpp).
    pub no_default_model_dirs: bool,
}

impl Config {
    /// Reads `config.ron` if it exists; a missing file is the default config.
    pub fn load() -> Result<Config, CatalogError> {
        let Some(path) = config_dir()
            .map(|d| d.join("config.ron"))
            .filter(|p| p.is_file())
        else {
            return Ok(Config::default());
        };
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| CatalogError {
            origin: origin.clone(),
            line: 0,
            col: 0,
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(&text, &origin)
    }

    /// Parses config text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, CatalogError> {
        ron::Options::default()
            .from_str(text)
            .map_err(|e| CatalogError {
                origin: origin.to_string(),
                line: e.position.line,
                col: e.position.col,
                message: e.code.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_overrides_and_typos_are_errors() {
        let c = Config::parse(
            "(hardware: Some(\"rtx-4090\"), models_dirs: [\"/m\"])",
            "c.ron",
        )
        .expect("parses");
        assert_eq!(c.hardware.as_deref(), Some("rtx-4090"));
        assert_eq!(c.context, None);
        let e = Config::parse("(\n  hardwre: Some(\"x\"),\n)", "c.ron").expect_err("typo");
        assert_eq!((e.line, e.origin.as_str()), (2, "c.ron"));
        assert!(e.message.contains("hardwre"), "{e}");
    }
}
