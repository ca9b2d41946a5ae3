//! Models the catalog does not know: one `fitcheck list local` lists (by label or file name), or
//! a Hugging Face repo id fetched from the Hub (progress and notes on stderr), for `fit` and
//! `compare`.

use std::borrow::Cow;

use super::{Cli, CliError};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::estimate::weights::{weight_table, WeightTable};
use crate::estimate::{ModelSpec, Quant};
use crate::hub::{repo_id, Hub, HubModel};
use crate::local::LocalModel;

/// A model as `fit` estimates it, however it was named.
pub struct Chosen<'a> {
    /// The architecture.
    pub spec: Cow<'a, ModelSpec>,
    /// Its weights: the catalog entry at the chosen quant, or what the file holds.
    pub weights: WeightTable,
    /// The quantization as shown (the file's own label for a file).
    pub quant_label: String,
    /// The quantization the settings carry: the one the name selects (`repo:Q8_0`, `…-4bit`)
    /// unless `--quant` is given; for a file, the run's.
    pub quant: Quant,
}

/// Resolves `name` the one way every `fit` path does: the catalog (a quant in the name selects
/// it unless `explicit`, `--quant`, is given; a fine-tune's note goes to stderr), else a model
/// `list local` lists, else a Hugging Face repo. `run_quant` is the run's quantization.
pub fn choose<'a>(
    cat: &'a Catalog,
    cli: &Cli,
    config: &Config,
    name: &str,
    explicit: Option<Quant>,
    run_quant: Quant,
) -> Result<Chosen<'a>, CliError> {
    match cat.resolve_model(name) {
        Ok(found) => {
            if let Some(note) = &found.note {
                eprintln!("note: {note}");
            }
            let quant = explicit.or(found.quant).unwrap_or(run_quant);
            Ok(Chosen {
                spec: Cow::Borrowed(found.model),
                weights: weight_table(found.model, quant),
                quant_label: quant.label().to_string(),
                quant,
            })
        }
        Err(not_found) => {
            let (spec, weights, quant_label) = file_model(cli, config, name, explicit, &not_found)?;
            Ok(Chosen {
                spec: Cow::Owned(spec),
                weights,
                quant_label,
                quant: run_quant,
            })
        }
    }
}

/// The model behind a name the catalog lacks: on this machine, else on the Hub; `not_found`
/// (the catalog's answer) leads the error when neither has it.
fn file_model(
    cli: &Cli,
    config: &Config,
    name: &str,
    quant: Option<Quant>,
    not_found: &crate::resolve::NotFound,
) -> Result<(ModelSpec, WeightTable, String), CliError> {
    if let Some(l) = find_local(cli, config, name) {
        return Ok((l.spec, l.weights, l.quant_label));
    }
    match fetch(cli, name, quant) {
        None => Err(CliError::Usage(format!(
            "{not_found}\n(a GGUF file: --gguf PATH; models on this machine: `fitcheck list local`, \
             by label or file name; any Hugging Face repo: org/repo[:QUANT])"
        ))),
        Some(Err(e)) => Err(CliError::Usage(format!("{not_found}\n{e}"))),
        Some(Ok(m)) => Ok((m.spec, m.weights, m.quant_label)),
    }
}

/// `config.ron`, or the defaults with a warning naming the file, line and column where it does
/// not parse (for commands that can do without it).
pub fn config_or_warn() -> Config {
    Config::load().unwrap_or_else(|e| {
        super::warn(&format!("{e} (config.ron ignored)"));
        Config::default()
    })
}

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
pub fn find_local(cli: &Cli, config: &Config, name: &str) -> Option<LocalModel> {
    let dirs = super::model_dirs(cli, config);
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
    let config = names
        .iter()
        .any(|n| cat.resolve_model(n).is_err())
        .then(config_or_warn)
        .unwrap_or_default();
    for name in names {
        let Err(not_found) = cat.resolve_model(name) else {
            continue;
        };
        let (mut spec, weights, label) = file_model(cli, &config, name, quant, &not_found)?;
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
