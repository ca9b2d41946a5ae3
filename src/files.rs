//! Reading files that anyone could have put there. Only regular files are opened (a FIFO named
//! `model.gguf` would block forever, `/dev/zero` never ends), opening never blocks, every read is
//! capped by size, and every error names the file (and, for text, the line and column).

use std::collections::HashSet;
use std::fmt;
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// Largest catalog accepted (the built-in one is about 200 KB).
pub const CATALOG_LIMIT: u64 = 16 << 20;
/// Largest config.ron accepted.
pub const CONFIG_LIMIT: u64 = 1 << 20;
/// Largest Hugging Face config.json accepted (real ones are a few KB).
pub const HF_CONFIG_LIMIT: u64 = 4 << 20;
/// Largest Ollama manifest accepted (real ones are under 2 KB).
pub const MANIFEST_LIMIT: u64 = 1 << 20;
/// Largest benchmark CSV accepted by `validate`.
pub const CSV_LIMIT: u64 = 256 << 20;

/// A file that could not be read, or whose text is unusable; `line` 0 means no position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// The file.
    pub path: String,
    /// 1-based line of the problem (0: none).
    pub line: usize,
    /// 1-based column (characters) of the problem.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.col, self.message
            )
        }
    }
}

impl std::error::Error for ReadError {}

fn kind_of(md: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = md.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if md.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading if it is (or links to) a regular file. The check comes before the
/// open and the open does not block, so a FIFO swapped in between cannot hang the caller either.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let md = std::fs::metadata(path)?;
    if !md.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} (only regular files are read)", kind_of(&md)),
        ));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let md = file.metadata()?;
    if !md.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} (only regular files are read)", kind_of(&md)),
        ));
    }
    Ok(file)
}

/// Reads at most `limit` bytes of a regular file; more is an error, not a truncation.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let err = |message: String| ReadError {
        path: path.display().to_string(),
        line: 0,
        col: 0,
        message,
    };
    let file = open_regular(path).map_err(|e| err(format!("cannot read: {e}")))?;
    let mut data = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| err(format!("cannot read: {e}")))?;
    if data.len() as u64 > limit {
        return Err(err(format!(
            "larger than {} (the most accepted for this kind of file)",
            crate::estimate::units::fmt_gib(limit)
        )));
    }
    Ok(data)
}

/// Reads a UTF-8 text file of at most `limit` bytes; a leading byte-order mark is dropped and
/// invalid UTF-8 is an error at its line and column.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let data = read_bytes(path, limit)?;
    text_of(data, &path.display().to_string())
}

/// Bytes to text, as [`read_text`] does it.
pub fn text_of(mut data: Vec<u8>, origin: &str) -> Result<String, ReadError> {
    if data.starts_with(b"\xef\xbb\xbf") {
        data.drain(..3);
    }
    String::from_utf8(data).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let (line, col) = position(good);
        ReadError {
            path: origin.to_string(),
            line,
            col,
            message: "not UTF-8 text".into(),
        }
    })
}

/// 1-based line and column just after valid UTF-8 `text`.
fn position(text: &[u8]) -> (usize, usize) {
    let text = std::str::from_utf8(text).unwrap_or_default();
    let line = text.matches('\n').count() + 1;
    let last = text.rfind('\n').map_or(text, |p| &text[p + 1..]);
    (line, last.chars().count() + 1)
}

/// Folders (and files) already seen in a walk, by device and inode, so a symlink loop or a
/// second link to the same folder is entered once.
#[derive(Default)]
pub struct Visited(HashSet<(u64, u64)>);

impl Visited {
    /// True the first time this file or folder is seen.
    pub fn first_time(&mut self, path: &Path, md: &Metadata) -> bool {
        #[cfg(unix)]
        {
            let _ = path;
            use std::os::unix::fs::MetadataExt;
            self.0.insert((md.dev(), md.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = md;
            use std::hash::{Hash, Hasher};
            let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            let mut h = std::collections::hash_map::DefaultHasher::new();
            canonical.hash(&mut h);
            self.0.insert((0, h.finish()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_reports_its_line_and_column() {
        let e = text_of(b"ab\ncd\xffe".to_vec(), "f.ron").expect_err("bad");
        assert_eq!((e.line, e.col), (2, 3), "{e}");
        assert_eq!(
            text_of(b"\xef\xbb\xbfhi".to_vec(), "f").as_deref(),
            Ok("hi")
        );
    }
}
