//! Any Hugging Face model, fetched on demand: the repo's file list, then config.json for a
//! safetensors/MLX repo, or only the header of the chosen quant's GGUF (HTTP Range requests,
//! grown until the header parses; every shard of a split file). `HF_ENDPOINT` and `HF_TOKEN` are
//! honoured; what was fetched is cached, and used when offline or the network fails.

mod cache;
mod http;

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

use crate::estimate::model::ModelSpec;
use crate::estimate::weights::WeightTable;
use crate::gguf;
use cache::{fmt_age, Cache, FRESH_FOR};
use http::{encode_path, Http};

/// The public Hub.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
/// Largest file list accepted (a repo of a thousand files lists about 300 KB).
const LIST_LIMIT: u64 = 16 << 20;
/// Most files a repo may list.
const MAX_FILES: usize = 100_000;
/// First bytes asked for a GGUF header (small vocabularies fit; others grow from here).
const FIRST_RANGE: u64 = 1 << 20;
/// Largest GGUF header fetched (262k-token vocabularies take about 10 MB).
const HEADER_LIMIT: u64 = 64 << 20;

/// Why a model could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubError {
    /// Bad HF_ENDPOINT, no cache folder.
    Setup(String),
    /// No connection, a timeout, a server error.
    Network(String),
    /// The server answered 401/403/404.
    Status(u16, String),
    /// The server sent something unusable (too large, malformed, not a model).
    Bad(String),
    /// Offline and not in the cache.
    NotCached(String),
}

impl fmt::Display for HubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HubError::Setup(m) | HubError::Bad(m) | HubError::Status(_, m) => f.write_str(m),
            HubError::Network(m) => write!(f, "network: {m}"),
            HubError::NotCached(m) => {
                write!(f, "{m}: not in the cache (run once without --offline)")
            }
        }
    }
}

impl std::error::Error for HubError {}

/// A model read from the Hub.
#[derive(Debug, Clone)]
pub struct HubModel {
    /// `org/repo`.
    pub repo: String,
    /// The GGUF file chosen (first shard of a split), or `config.json`.
    pub file: String,
    /// Architecture.
    pub spec: ModelSpec,
    /// Weights (exact for GGUF, scaled to the safetensors bytes otherwise).
    pub weights: WeightTable,
    /// Quantization label.
    pub quant_label: String,
    /// Bytes of the model files (all shards).
    pub size: u64,
    /// Said to the user: cache fallbacks and the like.
    pub notes: Vec<String>,
}

/// How to reach the Hub.
pub struct Hub {
    http: Http,
    cache: Option<Cache>,
    offline: bool,
    progress: Box<dyn Fn(&str) + Send + Sync>,
}

/// `org/repo` and the quant tag of a name that looks like a Hugging Face repo id
/// (`org/repo`, `hf.co/org/repo:Q4_K_M`, `https://huggingface.co/org/repo`).
pub fn repo_id(query: &str) -> Option<(String, Option<String>)> {
    let mut s = query.trim();
    for prefix in ["https://", "http://", "huggingface.co/", "hf.co/"] {
        if s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix) {
            s = &s[prefix.len()..];
        }
    }
    let (repo, tag) = match s.rsplit_once(':') {
        Some((r, t)) => (r, Some(t.to_string()).filter(|t| !t.is_empty())),
        None => (s, None),
    };
    let (org, name) = repo.trim_end_matches('/').split_once('/')?;
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 96
            && !p.starts_with(['.', '-'])
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    (part_ok(org) && part_ok(name)).then(|| (format!("{org}/{name}"), tag))
}

#[derive(Deserialize)]
struct RepoInfo {
    #[serde(default)]
    siblings: Vec<Sibling>,
}

#[derive(Deserialize)]
struct Sibling {
    rfilename: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    lfs: Option<Lfs>,
}

#[derive(Deserialize)]
struct Lfs {
    #[serde(default)]
    size: Option<u64>,
}

impl Sibling {
    fn bytes(&self) -> Option<u64> {
        self.size.or(self.lfs.as_ref().and_then(|l| l.size))
    }
}

impl Hub {
    /// From the environment: `HF_ENDPOINT` (default the public Hub), `HF_TOKEN`,
    /// `HF_HUB_OFFLINE`, the cache under `catalog::cache_dir()/hub`.
    pub fn from_env(offline: bool) -> Result<Hub, HubError> {
        let endpoint = std::env::var("HF_ENDPOINT")
            .ok()
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        let token = std::env::var("HF_TOKEN").ok();
        let offline = offline
            || std::env::var("HF_HUB_OFFLINE").is_ok_and(|v| {
                matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes")
            });
        Hub::new(&endpoint, token, offline, cache_folder())
    }

    /// An explicit endpoint, token and cache folder (`None`: no cache).
    pub fn new(
        endpoint: &str,
        token: Option<String>,
        offline: bool,
        cache_root: Option<PathBuf>,
    ) -> Result<Hub, HubError> {
        let http = Http::new(endpoint, token)?;
        let cache = cache_root.map(|d| Cache::new(d, http.endpoint()));
        Ok(Hub {
            http,
            cache,
            offline,
            progress: Box::new(|_| {}),
        })
    }

    /// Reports each network request (a line for stderr or a status bar).
    pub fn with_progress(mut self, progress: impl Fn(&str) + Send + Sync + 'static) -> Hub {
        self.progress = Box::new(progress);
        self
    }

    /// The model in `repo`; for a GGUF repo the file of quant `quant` (`Q4_K_M` when none is
    /// asked for and the repo has it, else the first file by name).
    pub fn fetch(&self, repo: &str, quant: Option<&str>) -> Result<HubModel, HubError> {
        // The repo goes into URLs and cache keys: only what a Hub repo id may hold.
        if repo_id(repo).is_none_or(|(r, tag)| r != repo || tag.is_some()) {
            return Err(HubError::Setup(format!(
                "'{repo}' is not a Hugging Face repo id (org/name)"
            )));
        }
        let mut notes = Vec::new();
        let list_key = format!("/api/models/{repo}?blobs=true");
        let list = self.get(&list_key, LIST_LIMIT, &mut notes)?;
        let info: RepoInfo = serde_json::from_slice(&list).map_err(|e| {
            HubError::Bad(format!(
                "{}{list_key}: not a model file list: {e}",
                self.http.endpoint()
            ))
        })?;
        if info.siblings.len() > MAX_FILES {
            return Err(HubError::Bad(format!(
                "{repo}: lists {} files (at most {MAX_FILES} accepted)",
                info.siblings.len()
            )));
        }
        let ggufs: Vec<&Sibling> = info
            .siblings
            .iter()
            .filter(|s| crate::local::is_model_gguf(std::path::Path::new(&s.rfilename)))
            .collect();
        if ggufs.is_empty() {
            return self.fetch_safetensors(repo, &info.siblings, notes);
        }
        let file = choose_gguf(&ggufs, quant).ok_or_else(|| {
            let mut have: Vec<&str> = ggufs.iter().map(|s| s.rfilename.as_str()).collect();
            have.truncate(12);
            HubError::Bad(format!(
                "{repo}: no GGUF file for quant '{}' (files: {})",
                quant.unwrap_or(""),
                have.join(", ")
            ))
        })?;
        self.fetch_gguf(repo, file, &info.siblings, notes)
    }

    fn fetch_gguf(
        &self,
        repo: &str,
        first: &str,
        files: &[Sibling],
        mut notes: Vec<String>,
    ) -> Result<HubModel, HubError> {
        let size_of = |name: &str| {
            files
                .iter()
                .find(|s| s.rfilename == name)
                .and_then(Sibling::bytes)
        };
        let shards: Vec<String> = gguf::other_shards(std::path::Path::new(first))
            .into_iter()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect();
        let mut g = self.gguf_header(repo, first, size_of(first), &mut notes)?;
        for shard in &shards {
            if !files.iter().any(|s| &s.rfilename == shard) {
                return Err(HubError::Bad(format!(
                    "{repo}: split file {shard} is not in the repo"
                )));
            }
            let part = self.gguf_header(repo, shard, size_of(shard), &mut notes)?;
            g.tensors.extend(part.tensors);
            g.file_size = g.file_size.saturating_add(part.file_size);
        }
        let m = gguf::to_model(&g, &format!("hf:{repo}"))
            .map_err(|e| HubError::Bad(format!("{repo}/{first}: {e}")))?;
        let mut spec = m.spec;
        spec.name = format!("{repo} [{}]", m.quant_label);
        spec.hf_repo = Some(repo.to_string());
        spec.source = Some(format!(
            "{}/{repo}/blob/main/{first} (GGUF header)",
            self.http.endpoint()
        ));
        Ok(HubModel {
            repo: repo.to_string(),
            file: first.to_string(),
            spec,
            weights: m.weights,
            quant_label: m.quant_label,
            size: g.file_size,
            notes,
        })
    }

    fn fetch_safetensors(
        &self,
        repo: &str,
        files: &[Sibling],
        mut notes: Vec<String>,
    ) -> Result<HubModel, HubError> {
        let weights: Vec<&Sibling> = files
            .iter()
            .filter(|s| !s.rfilename.contains('/') && s.rfilename.ends_with(".safetensors"))
            .collect();
        if !files.iter().any(|s| s.rfilename == "config.json") || weights.is_empty() {
            return Err(HubError::Bad(format!(
                "{repo}: neither GGUF files nor config.json with .safetensors weights"
            )));
        }
        let mut size = 0u64;
        for w in &weights {
            let b = w.bytes().ok_or_else(|| {
                HubError::Bad(format!(
                    "{repo}: the file list gives no size for {}",
                    w.rfilename
                ))
            })?;
            let b = crate::limits::FILE_BYTES
                .check(b)
                .map_err(|e| HubError::Bad(format!("{repo}/{}: {e}", w.rfilename)))?;
            size = size.saturating_add(b);
        }
        let key = format!("/{repo}/resolve/main/config.json");
        let data = self.get(&key, crate::files::HF_CONFIG_LIMIT, &mut notes)?;
        let origin = format!("{}{key}", self.http.endpoint());
        let text =
            crate::files::text_of(data, &origin).map_err(|e| HubError::Bad(e.to_string()))?;
        let (mut spec, weights, quant) =
            crate::local::model_from_config(&text, &origin, &format!("hf:{repo}"), repo, size)
                .map_err(|e| HubError::Bad(e.to_string()))?;
        spec.hf_repo = Some(repo.to_string());
        Ok(HubModel {
            repo: repo.to_string(),
            file: "config.json".into(),
            spec,
            weights,
            quant_label: quant.label().to_string(),
            size,
            notes,
        })
    }

    /// A whole small file: from the cache while fresh, else the server (then cached); offline
    /// or on a network failure, the cache at any age, with a note saying so.
    fn get(&self, key: &str, limit: u64, notes: &mut Vec<String>) -> Result<Vec<u8>, HubError> {
        let cached = self.cache.as_ref().and_then(|c| c.read(key, limit));
        if let Some(e) = cached
            .as_ref()
            .filter(|e| e.age < FRESH_FOR && !self.offline)
        {
            return Ok(e.data.clone());
        }
        let fetched = if self.offline {
            Err(HubError::NotCached(format!(
                "{}{key}",
                self.http.endpoint()
            )))
        } else {
            (self.progress)(&format!("fetching {}{key}", self.http.endpoint()));
            self.http.get(key, limit)
        };
        self.settle(key, fetched, cached, notes)
    }

    /// A fetched body stored, or the cached one when the network (or `--offline`) kept it away.
    fn settle(
        &self,
        key: &str,
        fetched: Result<Vec<u8>, HubError>,
        cached: Option<cache::Entry>,
        notes: &mut Vec<String>,
    ) -> Result<Vec<u8>, HubError> {
        match fetched {
            Ok(data) => {
                if let Some(c) = &self.cache {
                    if let Err(e) = c.write(key, &data) {
                        notes.push(e);
                    }
                }
                Ok(data)
            }
            Err(e @ (HubError::Network(_) | HubError::NotCached(_))) => match cached {
                Some(entry) => {
                    let why = if self.offline {
                        "offline".to_string()
                    } else {
                        e.to_string()
                    };
                    notes.push(format!(
                        "{why}: using the cached copy of {}{key} from {} ago",
                        self.http.endpoint(),
                        fmt_age(entry.age)
                    ));
                    Ok(entry.data)
                }
                None if self.offline => Err(e),
                // Keep the variant's own "network:" prefix once, not twice.
                None => Err(match e {
                    HubError::Network(m) => HubError::Network(format!(
                        "{m} (and no cached copy; --offline uses only the cache)"
                    )),
                    other => other,
                }),
            },
            Err(e) => Err(e),
        }
    }

    /// The header of one GGUF file: Range requests from offset 0, grown until the header
    /// parses. Cached as the file size (8 bytes, little-endian) followed by the header bytes.
    fn gguf_header(
        &self,
        repo: &str,
        file: &str,
        listed_size: Option<u64>,
        notes: &mut Vec<String>,
    ) -> Result<gguf::Gguf, HubError> {
        let key = format!("/{repo}/resolve/main/{file}#header");
        let name = format!("{}/{repo}/{file}", self.http.endpoint());
        let cached = self
            .cache
            .as_ref()
            .and_then(|c| c.read(&key, HEADER_LIMIT + 8));
        let from_cache = |data: &[u8]| -> Option<gguf::Gguf> {
            let len = u64::from_le_bytes(data.get(..8)?.try_into().ok()?);
            gguf::parse_prefix(&data[8..], len, &name).ok()
        };
        if let Some(g) = cached
            .as_ref()
            .filter(|e| e.age < FRESH_FOR && !self.offline)
            .and_then(|e| from_cache(&e.data))
        {
            return Ok(g);
        }
        let fetched = if self.offline {
            Err(HubError::NotCached(name.clone()))
        } else {
            self.fetch_header(repo, file, listed_size, &name)
        };
        let data = self.settle(&key, fetched, cached, notes)?;
        from_cache(&data).ok_or_else(|| HubError::Bad(format!("{name}: cached header is damaged")))
    }

    /// The header bytes of `file` (with its size in front, as cached).
    fn fetch_header(
        &self,
        repo: &str,
        file: &str,
        listed_size: Option<u64>,
        name: &str,
    ) -> Result<Vec<u8>, HubError> {
        let path = encode_path(&format!("/{repo}/resolve/main/{file}"));
        let bad = |m: String| HubError::Bad(format!("{name}: {m}"));
        let mut total = match listed_size {
            Some(s) => Some(
                crate::limits::FILE_BYTES
                    .check(s)
                    .map_err(|e| bad(e.to_string()))?,
            ),
            None => None,
        };
        let mut data: Vec<u8> = Vec::new();
        let mut want = FIRST_RANGE;
        loop {
            let have = data.len() as u64;
            let end = want.min(total.unwrap_or(u64::MAX)).min(HEADER_LIMIT);
            if end <= have {
                return Err(bad(format!(
                    "the GGUF header is larger than {} MiB (the most fetched)",
                    HEADER_LIMIT >> 20
                )));
            }
            (self.progress)(&format!("fetching {name} header bytes {have}..{end}"));
            let (chunk, stated) = self.http.get_range(&path, have, end)?;
            total = total.or(stated);
            let got = chunk.len() as u64;
            data.extend_from_slice(&chunk);
            let len = total.ok_or_else(|| bad("the server states no file size".into()))?;
            match gguf::parse_prefix(&data, len, name) {
                Ok(_) => {
                    let mut out = len.to_le_bytes().to_vec();
                    out.extend_from_slice(&data);
                    return Ok(out);
                }
                Err(gguf::Prefix::Bad(e)) => return Err(HubError::Bad(e.to_string())),
                Err(gguf::Prefix::NeedUpTo(need)) => {
                    if got < end - have {
                        return Err(bad(format!(
                            "the server sent {got} of {} bytes asked for",
                            end - have
                        )));
                    }
                    want = need.saturating_add(FIRST_RANGE).max(end.saturating_mul(2));
                }
            }
        }
    }
}

/// The file for `quant` (its name contains the quant, followed by `.`, `-` or `/`), Q4_K_M
/// when none is asked for, else the first by name.
fn choose_gguf<'a>(files: &[&'a Sibling], quant: Option<&str>) -> Option<&'a str> {
    let has = |name: &str, q: &str| {
        let lower = name.to_ascii_lowercase();
        let q = q.to_ascii_lowercase();
        lower.match_indices(&q).any(|(i, _)| {
            let before = lower[..i].chars().last();
            let after = lower[i + q.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && matches!(after, Some('.' | '-' | '/'))
        })
    };
    let mut sorted: Vec<&str> = files.iter().map(|s| s.rfilename.as_str()).collect();
    sorted.sort_unstable();
    match quant {
        Some(q) => sorted.into_iter().find(|n| has(n, q)),
        None => sorted
            .iter()
            .copied()
            .find(|n| has(n, "Q4_K_M"))
            .or(sorted.first().copied()),
    }
}

/// The cache folder fetched models are kept in, for messages and the README.
pub fn cache_folder() -> Option<PathBuf> {
    crate::catalog::cache_dir().map(|d| d.join("hub"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_ids_and_tags() {
        assert_eq!(
            repo_id("hf.co/unsloth/Qwen3-30B-A3B-GGUF:Q4_K_M"),
            Some(("unsloth/Qwen3-30B-A3B-GGUF".into(), Some("Q4_K_M".into())))
        );
        assert_eq!(
            repo_id("https://huggingface.co/org/m"),
            Some(("org/m".into(), None))
        );
        assert_eq!(repo_id("llama3.1:8b"), None);
        assert_eq!(repo_id("a/../b"), None);
        assert_eq!(repo_id("../etc"), None);
        assert_eq!(repo_id("org/.hidden"), None);
    }

    #[test]
    fn quant_choice_respects_boundaries() {
        let s = |n: &str| Sibling {
            rfilename: n.into(),
            size: None,
            lfs: None,
        };
        let files = [
            s("m-Q4_K_S.gguf"),
            s("m-Q4_K_M.gguf"),
            s("m-Q4_K.gguf"),
            s("m-IQ4_XS.gguf"),
        ];
        let refs: Vec<&Sibling> = files.iter().collect();
        assert_eq!(choose_gguf(&refs, None), Some("m-Q4_K_M.gguf"));
        assert_eq!(choose_gguf(&refs, Some("q4_k")), Some("m-Q4_K.gguf"));
        assert_eq!(choose_gguf(&refs, Some("IQ4_XS")), Some("m-IQ4_XS.gguf"));
        assert_eq!(choose_gguf(&refs, Some("Q8_0")), None);
    }
}
