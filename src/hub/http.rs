//! Blocking HTTP against a Hugging Face endpoint: whole small files and byte ranges of large
//! ones. The server is untrusted: no body is read past what was asked for, sizes it states are
//! bounded, and every request has a deadline.

use std::io::Read;
use std::time::Duration;

use super::HubError;

/// A connection pool to one endpoint, with the token sent on every request.
pub struct Http {
    agent: ureq::Agent,
    endpoint: String,
    token: Option<String>,
}

impl Http {
    /// `endpoint` is `http(s)://host[:port]` (a trailing slash is dropped).
    pub fn new(endpoint: &str, token: Option<String>) -> Result<Http, HubError> {
        let endpoint = endpoint.trim().trim_end_matches('/').to_string();
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return Err(HubError::Setup(format!(
                "HF_ENDPOINT '{endpoint}' is not an http:// or https:// URL"
            )));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            // A whole request, body included: a server that drips bytes cannot hold us longer.
            .timeout_global(Some(Duration::from_secs(120)))
            .user_agent(concat!("fitcheck/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Http {
            agent,
            endpoint,
            token: token.filter(|t| !t.trim().is_empty()),
        })
    }

    /// The endpoint, for messages and cache keys.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn call(
        &self,
        path: &str,
        range: Option<(u64, u64)>,
    ) -> Result<ureq::http::Response<ureq::Body>, HubError> {
        let url = format!("{}{path}", self.endpoint);
        let mut req = self.agent.get(&url);
        if let Some(token) = &self.token {
            req = req.header("Authorization", format!("Bearer {}", token.trim()));
        }
        if let Some((start, end)) = range {
            req = req.header("Range", format!("bytes={start}-{}", end - 1));
        }
        let resp = req
            .call()
            .map_err(|e| HubError::Network(format!("{url}: {e}")))?;
        let status = resp.status().as_u16();
        match status {
            200..=299 => Ok(resp),
            401 | 403 => Err(HubError::Status(
                status,
                format!(
                    "{url}: HTTP {status}: gated or private{}",
                    if self.token.is_some() {
                        " (HF_TOKEN was sent: has it access to this repo?)"
                    } else {
                        " (set HF_TOKEN to a token with access)"
                    }
                ),
            )),
            404 => Err(HubError::Status(
                status,
                format!("{url}: HTTP 404: not found"),
            )),
            _ => Err(HubError::Network(format!("{url}: HTTP {status}"))),
        }
    }

    /// The body of `path`; more than `limit` bytes is an error, not a truncation.
    pub fn get(&self, path: &str, limit: u64) -> Result<Vec<u8>, HubError> {
        let mut resp = self.call(path, None)?;
        let data = read_at_most(resp.body_mut().as_reader(), limit.saturating_add(1), path)?;
        if data.len() as u64 > limit {
            return Err(HubError::Bad(format!(
                "{}{path}: larger than {} bytes (the most accepted for this file)",
                self.endpoint, limit
            )));
        }
        Ok(data)
    }

    /// Bytes `start..end` of `path` and the file's total size when the server states it
    /// (`Content-Range: bytes a-b/TOTAL`). A server that ignores Range answers 200 with the
    /// whole file: from offset 0 that is usable (only the first bytes are read), from elsewhere
    /// it is an error.
    pub fn get_range(
        &self,
        path: &str,
        start: u64,
        end: u64,
    ) -> Result<(Vec<u8>, Option<u64>), HubError> {
        let mut resp = self.call(path, Some((start, end)))?;
        let partial = resp.status().as_u16() == 206;
        if !partial && start > 0 {
            return Err(HubError::Bad(format!(
                "{}{path}: the server ignores Range requests",
                self.endpoint
            )));
        }
        let total = resp
            .headers()
            .get("content-range")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit('/').next())
            .and_then(|t| t.trim().parse::<u64>().ok());
        let total = match total {
            Some(t) => Some(
                crate::limits::FILE_BYTES
                    .check(t)
                    .map_err(|e| HubError::Bad(format!("{}{path}: {e}", self.endpoint)))?,
            ),
            None => None,
        };
        let data = read_at_most(resp.body_mut().as_reader(), end - start, path)?;
        Ok((data, total))
    }
}

fn read_at_most(r: impl Read, limit: u64, path: &str) -> Result<Vec<u8>, HubError> {
    let mut data = Vec::new();
    r.take(limit)
        .read_to_end(&mut data)
        .map_err(|e| HubError::Network(format!("{path}: reading the body: {e}")))?;
    Ok(data)
}

/// `path` with every byte outside the URL-safe set (and `/`) percent-encoded.
pub fn encode_path(path: &str) -> String {
    percent_encode(path, b"-._~/")
}

/// `s` with every byte but ASCII letters, digits and `keep` written as `%XX`.
pub fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
