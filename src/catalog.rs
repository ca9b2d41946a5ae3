//! `catalog.ron`: models and hardware presets. Loads, validates and resolves names; every error
//! names the file, line, column and field.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::estimate::hardware::Hardware;
use crate::estimate::model::ModelSpec;

/// The catalog shipped inside the binary.
pub const BUILTIN: &str = include_str!("../catalog.ron");

/// Models and hardware.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Models.
    #[serde(default)]
    pub models: Vec<ModelSpec>,
    /// Hardware presets and tiers.
    #[serde(default)]
    pub hardware: Vec<Hardware>,
}

/// A catalog that could not be used, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// File (or `<builtin>`).
    pub origin: String,
    /// 1-based line, 0 if unknown.
    pub line: usize,
    /// 1-based column, 0 if unknown.
    pub col: usize,
    /// What is wrong, naming the entry and field.
    pub message: String,
}

/// Parses RON text into `T`; a syntax or type error names `origin`, line and column. One place
/// for the catalog, config.ron and the quality data, so their errors read alike.
pub fn parse_ron<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
) -> Result<T, CatalogError> {
    ron::Options::default()
        .from_str(text)
        .map_err(|e| CatalogError {
            origin: origin.to_string(),
            line: e.span.start.line,
            col: e.span.start.col,
            message: e.code.to_string(),
        })
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.origin, self.line, self.col, self.message
        )
    }
}

impl std::error::Error for CatalogError {}

pub use crate::resolve::NotFound;

impl Catalog {
    /// The built-in catalog (validated by tests, so this cannot fail at run time in practice).
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::parse(BUILTIN, "catalog.ron")
    }

    /// Reads and validates a catalog file.
    pub fn from_path(path: &Path) -> Result<Catalog, CatalogError> {
        let (text, origin) = read_text(path, crate::files::CATALOG_LIMIT)?;
        Catalog::parse(&text, &origin)
    }

    /// Parses and validates catalog text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Catalog, CatalogError> {
        let cat: Catalog = parse_ron(text, origin)?;
        cat.validate(text, origin)?;
        Ok(cat)
    }

    /// Adds the overlay's entries; an entry with an existing id replaces it.
    pub fn merge(&mut self, overlay: Catalog) {
        for m in overlay.models {
            match self.models.iter_mut().find(|x| x.id == m.id) {
                Some(slot) => *slot = m,
                None => self.models.push(m),
            }
        }
        for h in overlay.hardware {
            match self.hardware.iter_mut().find(|x| x.id == h.id) {
                Some(slot) => *slot = h,
                None => self.hardware.push(h),
            }
        }
    }

    fn validate(&self, text: &str, origin: &str) -> Result<(), CatalogError> {
        let err = |id: &str, field: &str, msg: String| {
            let (line, col) = locate(text, id, field);
            CatalogError {
                origin: origin.to_string(),
                line,
                col,
                message: format!("'{id}' field '{field}': {msg}"),
            }
        };
        let mut seen = std::collections::HashSet::new();
        for m in &self.models {
            if !seen.insert(m.id.to_ascii_lowercase()) {
                return Err(err(&m.id, "id", "duplicate model id".into()));
            }
            if let Err((field, msg)) = crate::limits::check_model(m) {
                return Err(err(&m.id, field, msg));
            }
        }
        seen.clear();
        for h in &self.hardware {
            if !seen.insert(h.id.to_ascii_lowercase()) {
                return Err(err(&h.id, "id", "duplicate hardware id".into()));
            }
            if let Err((field, msg)) = crate::limits::check_hardware(h) {
                return Err(err(&h.id, field, msg));
            }
        }
        Ok(())
    }

    /// Finds a model by any name people use for it (see [`crate::resolve::model`]).
    pub fn find_model(&self, query: &str) -> Result<&ModelSpec, NotFound> {
        self.resolve_model(query).map(|m| m.model)
    }

    /// Like [`Catalog::find_model`], also giving the quantization the name selects and a note
    /// when a fine-tune is estimated as its base.
    pub fn resolve_model(&self, query: &str) -> Result<crate::resolve::ModelMatch<'_>, NotFound> {
        crate::resolve::resolve_model(&self.models, query)
    }

    /// Finds hardware by id, name, product or chip name; `48`, `48gb` and `tier-48` name a tier.
    pub fn find_hardware(&self, query: &str) -> Result<&Hardware, NotFound> {
        crate::resolve::resolve_hardware(&self.hardware, query)
    }
}

/// Line and column of `field` inside the entry whose id is `id` (of the id itself if the field is
/// not written out).
fn locate(text: &str, id: &str, field: &str) -> (usize, usize) {
    let needle = format!("\"{id}\"");
    let Some(start) = text.find(&needle) else {
        return (0, 0);
    };
    let after = &text[start..];
    let end = after[1..].find("(id:").map_or(after.len(), |e| e + 1);
    let entry = &after[..end];
    let offset = [format!("{field}:"), format!("{field} :")]
        .iter()
        .filter_map(|f| entry.find(f.as_str()))
        .min()
        .map_or(start, |o| start + o);
    let line = text[..offset].matches('\n').count() + 1;
    let col = offset - text[..offset].rfind('\n').map_or(0, |p| p + 1) + 1;
    (line, col)
}

/// `$XDG_CONFIG_HOME/fitcheck` (or `~/.config/fitcheck`; `%APPDATA%` on Windows), honouring
/// `FITCHECK_CONFIG_DIR`.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("FITCHECK_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|b| b.config_dir().join("fitcheck"))
}

/// `$XDG_CACHE_HOME/fitcheck` (or `~/.cache/fitcheck`), honouring `FITCHECK_CACHE_DIR`.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("FITCHECK_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|b| b.cache_dir().join("fitcheck"))
}

/// A file's text (at most `limit` bytes, regular files only) and its name for error messages; an
/// unreadable file is an error naming it.
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<(String, String), CatalogError> {
    let origin = path.display().to_string();
    let text = crate::files::read_text(path, limit).map_err(|e| CatalogError {
        origin: origin.clone(),
        line: e.line,
        col: e.col,
        message: e.message,
    })?;
    Ok((text, origin))
}

/// The catalog a run uses: `--catalog PATH` or the built-in one, plus the user overlay
/// (`catalog.ron` in the config dir) when present.
pub fn load(path: Option<&Path>) -> Result<Catalog, CatalogError> {
    let mut cat = match path {
        Some(p) => Catalog::from_path(p)?,
        None => Catalog::builtin()?,
    };
    if let Some(overlay) = config_dir()
        .map(|d| d.join("catalog.ron"))
        .filter(|p| p.is_file())
    {
        let extra = Catalog::from_path(&overlay)?;
        cat.merge(extra);
    }
    Ok(cat)
}
