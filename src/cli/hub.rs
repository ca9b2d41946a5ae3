//! Models named by a Hugging Face repo id that the catalog does not know: fetched from the Hub
//! (progress and notes on stderr), for `fit` and `compare`.

use super::{Cli, CliError};
use crate::catalog::Catalog;
use crate::estimate::Quant;
use crate::hub::{repo_id, Hub, HubModel};

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

/// `cat` with the models of `names` it does not resolve but the Hub has, each under its name as
/// given (so the catalog's own lookup finds it); `None` when every name is in the catalog.
pub fn with_fetched(
    cat: &Catalog,
    cli: &Cli,
    names: &[String],
    quant: Option<Quant>,
) -> Result<Option<Catalog>, CliError> {
    let mut extended: Option<Catalog> = None;
    for name in names {
        let Err(not_found) = cat.resolve_model(name) else {
            continue;
        };
        match fetch(cli, name, quant) {
            None => return Err(CliError::Usage(not_found.to_string())),
            Some(Err(e)) => return Err(CliError::Usage(format!("{not_found}\n{e}"))),
            Some(Ok(m)) => {
                let mut spec = m.spec;
                spec.aliases.push(name.clone());
                extended
                    .get_or_insert_with(|| cat.clone())
                    .models
                    .push(spec);
            }
        }
    }
    Ok(extended)
}
