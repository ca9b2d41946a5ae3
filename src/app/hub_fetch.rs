//! Searching for `org/repo` that matches nothing offers to read it from Hugging Face. The fetch
//! runs on a worker thread (the render path never waits on the network); its result comes back
//! through [`App::fetched`].

use std::path::PathBuf;

use super::App;
use crate::hub::{repo_id, HubModel};
use crate::local::LocalModel;

/// The Hub fetch the app asked for, and what the browser says about it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HubFetch {
    /// A query waiting for the loop to start its worker.
    pending: Option<String>,
    /// Queries being fetched.
    running: Vec<String>,
    /// Shown where the browser would list matches: progress or the last error.
    pub status: Option<String>,
}

/// Where a model fetched from the Hub is listed (not a file on disk).
pub const HUB_SOURCE: &str = "hub";

impl App {
    /// Whether Enter in the search would fetch the query from the Hub: nothing matches and it
    /// reads as a repo id.
    pub fn offers_fetch(&self) -> bool {
        self.rows.is_empty() && repo_id(&self.query).is_some()
    }

    /// Asks for the query to be fetched (once per query at a time).
    pub(super) fn request_fetch(&mut self) {
        let q = self.query.trim().to_string();
        if self.hub.running.contains(&q) {
            return;
        }
        self.hub.status = Some(format!("fetching {q} from Hugging Face…"));
        self.hub.pending = Some(q);
        self.dirty = true;
    }

    /// The query to fetch now, if one is waiting; the caller runs it off the render path.
    pub fn take_fetch(&mut self) -> Option<String> {
        let q = self.hub.pending.take()?;
        self.hub.running.push(q.clone());
        Some(q)
    }

    /// A fetch finished: the model joins the browser (searchable under its repo id and
    /// selected while the query still names it), or the error is shown.
    pub fn fetched(&mut self, query: &str, result: Result<HubModel, String>) {
        self.hub.running.retain(|q| q != query);
        self.dirty = true;
        match result {
            Err(e) => self.hub.status = Some(format!("{query}: {e}")),
            Ok(m) => {
                self.hub.status = m.notes.last().cloned();
                let id = (self.catalog.models.len() + self.local.len()) as u32;
                self.add_local(LocalModel {
                    path: PathBuf::from(format!("hf.co/{}/{}", m.repo, m.file)),
                    source: HUB_SOURCE,
                    label: query.to_string(),
                    spec: m.spec,
                    weights: m.weights,
                    quant_label: m.quant_label,
                    size: m.size,
                });
                if self.query.trim() == query {
                    self.select_id(Some(id));
                }
            }
        }
    }
}
