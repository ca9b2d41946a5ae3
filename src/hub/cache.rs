//! What was fetched from the Hub, kept on disk: file lists, config.json files and GGUF header
//! prefixes, one file per URL under `<cache dir>/hub/<endpoint>/`. Reads are capped like any
//! other file fitcheck opens; a damaged entry is treated as missing.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// Entries younger than this are used without asking the server again.
pub const FRESH_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

/// One endpoint's folder in the cache.
pub struct Cache {
    dir: PathBuf,
}

/// A cached body and how old it is.
pub struct Entry {
    pub data: Vec<u8>,
    pub age: Duration,
}

impl Cache {
    /// The folder for `endpoint` under `root` (`catalog::cache_dir()/hub`).
    pub fn new(root: PathBuf, endpoint: &str) -> Cache {
        Cache {
            dir: root.join(escape(endpoint)),
        }
    }

    /// Where `key` (a URL path) is kept: one flat, escaped file name, so no key can climb out.
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("f-{}", escape(key)))
    }

    /// The cached body of `key`, at most `limit` bytes.
    pub fn read(&self, key: &str, limit: u64) -> Option<Entry> {
        let path = self.path(key);
        let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
        let data = crate::files::read_bytes(&path, limit).ok()?;
        let age = SystemTime::now()
            .duration_since(modified)
            .unwrap_or_default();
        Some(Entry { data, age })
    }

    /// Stores `data` for `key` (written to a temporary file, then renamed: a reader never sees
    /// half an entry). Failure only costs a refetch next time, so it is reported, not fatal.
    pub fn write(&self, key: &str, data: &[u8]) -> Result<(), String> {
        let path = self.path(key);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::create_dir_all(&self.dir)
            .and_then(|()| std::fs::write(&tmp, data))
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                format!("{}: not cached: {e}", path.display())
            })
    }
}

/// Letters, digits, `-`, `_` and `.` kept, everything else as `%XX`, so a key is one file name.
fn escape(key: &str) -> String {
    super::http::percent_encode(key, b"-_.")
}

/// An age in words: "3 minutes", "2 days".
pub fn fmt_age(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..=119 => format!("{s} seconds"),
        120..=7199 => format!("{} minutes", s / 60),
        7200..=172_799 => format!("{} hours", s / 3600),
        _ => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_the_cache_folder() {
        let c = Cache::new(PathBuf::from("/c"), "http://h:1");
        let p = c.path("/../../etc/passwd");
        assert_eq!(
            p.parent(),
            Some(std::path::Path::new("/c/http%3A%2F%2Fh%3A1"))
        );
        assert!(p.to_string_lossy().ends_with("f-%2F..%2F..%2Fetc%2Fpasswd"));
    }
}
