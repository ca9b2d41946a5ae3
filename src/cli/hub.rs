//! Models the catalog does not know: one `fitcheck list local` lists (by label or file name), or
//! a Hugging Face repo id fetched from the Hub (progress and notes on stderr), for `fit` and
//! `compare`.

use super::{Cli, CliError};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::estimate::weights::WeightTable;
use crate::estimate::Quant;
use crate::hub::{repo_id, Hub, HubModel};
use crate::local::LocalModel;

/// The model in the repo `name` names, when it names one: the quant from `:TAG` in the name,
/// else `quant` (`--quant`). `None` when `name` is not a repo id.
pub fn fetch(cli: &Cli, name: &str, quant: Option<Quant>) -> Option<Result<HubModel, CliError>> {
    let (repo, tag) = repo_id(name)?;
    let hub = match Hub::from_env(cli.offline) {
        Ok(h) => h.with_progress(|line| eprintln!("fitcheck: {line}")),
        Err(e) => return Some(Err(CliError::Usage(e.to_string()))),
    };
    let want = tag.or_else(|| quant.map(|q| q.label().to_string()));
    Some(
        hub.fetch(&repo, want.as_deref())
            .inspect(|m| {
                for note in &m.notes {
                    eprintln!("note: {note}");
                }
            })
            .map_err(|e| CliError::Usage(format!("Hugging Face: {e}"))),
    )
}

/// A model `fitcheck list local` lists, by its label (`llama3.1:8b`, `org/repo`), file name or
/// file stem, in any case.
pub fn find_local(cli: &Cli, name: &str) -> Option<LocalModel> {
    let config = Config::load().ok()?;
    let dirs = super::model_dirs(cli, &config);
    let want = name.trim().to_lowercase();
    let mut hit = None;
    crate::local::scan(
        &dirs,
        &mut |m| {
            let file = m
                .path
                .file_name()
                .map(|f| f.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let stem = file.strip_suffix(".gguf").unwrap_or(&file).to_string();
            if hit.is_none() && (m.label.to_lowercase() == want || file == want || stem == want) {
                hit = Some(m);
            }
        },
        &mut |_| {},
    );
    hit
}

/// The catalog with models it lacks added, and each added model's weights as its file holds
/// them (so `compare` counts the same bytes as `fit`).
pub struct Extended {
    /// The catalog plus the added models.
    pub catalog: Catalog,
    /// (model id, weights, quantization label) of each added model.
    pub files: Vec<(String, WeightTable, String)>,
}

impl Extended {
    /// The weights and quantization label of the file behind model `id`, if it was added.
    pub fn file_of(&self, id: &str) -> Option<(&WeightTable, &str)> {
        self.files
            .iter()
            .find(|(i, _, _)| i == id)
            .map(|(_, w, q)| (w, q.as_str()))
    }
}

/// `cat` with the models of `names` it does not resolve but this machine (`list local`) or the
/// Hub has, each under its name as given (so the catalog's own lookup finds it); `None` when
/// every name is in the catalog.
pub fn with_fetched(
    cat: &Catalog,
    cli: &Cli,
    names: &[String],
    quant: Option<Quant>,
) -> Result<Option<Extended>, CliError> {
    let mut extended: Option<Extended> = None;
    for name in names {
        let Err(not_found) = cat.resolve_model(name) else {
            continue;
        };
        let (mut spec, weights, label) = if let Some(l) = find_local(cli, name) {
            (l.spec, l.weights, l.quant_label)
        } else {
            match fetch(cli, name, quant) {
                None => return Err(CliError::Usage(not_found.to_string())),
                Some(Err(e)) => return Err(CliError::Usage(format!("{not_found}\n{e}"))),
                Some(Ok(m)) => (m.spec, m.weights, m.quant_label),
            }
        };
        let ext = extended.get_or_insert_with(|| Extended {
            catalog: cat.clone(),
            files: Vec::new(),
        });
        // The file's weights are keyed by id: one already taken becomes the name as given.
        if ext.catalog.models.iter().any(|m| m.id == spec.id) {
            spec.id = name.clone();
        }
        spec.aliases.push(name.clone());
        ext.files.push((spec.id.clone(), weights, label));
        ext.catalog.models.push(spec);
    }
    Ok(extended)
}
