//! GGUF header reader: metadata and tensor table, never the tensor data. The file is untrusted
//! input: every count and length is checked against the bytes that remain before anything is
//! allocated, nothing panics, and every error names the file and the byte offset.

mod model;
pub mod projector;
mod reader;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

pub use model::{file_type_label, to_model, GgufModel, MetadataError, MAX_LAYERS};

use crate::estimate::ggml::GgmlType;

/// A malformed, truncated or unsupported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GgufError {
    /// File name (or a label for in-memory data).
    pub path: String,
    /// Byte offset where reading failed.
    pub offset: u64,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for GgufError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: offset {}: {}", self.path, self.offset, self.message)
    }
}

impl std::error::Error for GgufError {}

/// A metadata value (long arrays keep only their length).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Any unsigned integer type.
    Uint(u64),
    /// Any signed integer type.
    Int(i64),
    /// f32 or f64.
    Float(f64),
    /// bool.
    Bool(bool),
    /// A string (values over 64 KiB are kept truncated).
    Str(String),
    /// Numeric or bool array with up to 65,536 elements (bools as 0/1).
    Numbers(Vec<f64>),
    /// Any other array: element count only (tokenizer vocabularies, merges).
    Array(u64),
}

impl Value {
    /// As an unsigned integer, if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Uint(v) => Some(v),
            Value::Int(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }
}

/// One tensor of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GgufTensor {
    /// Name, e.g. `blk.0.attn_q.weight`.
    pub name: String,
    /// Dimensions, `ne[0]` first.
    pub dims: Vec<u64>,
    /// Storage type.
    pub ty: GgmlType,
    /// Offset of its data from the start of the data section.
    pub offset: u64,
}

impl GgufTensor {
    /// Elements.
    pub fn elements(&self) -> u64 {
        self.dims.iter().fold(1u64, |a, d| a.saturating_mul(*d))
    }

    /// Exact bytes of its data.
    pub fn bytes(&self) -> u64 {
        let row = self.dims.first().copied().unwrap_or(1);
        let rows = self
            .dims
            .iter()
            .skip(1)
            .fold(1u64, |a, d| a.saturating_mul(*d));
        self.ty.bytes_for(row).saturating_mul(rows)
    }
}

/// A parsed header.
#[derive(Debug, Clone, PartialEq)]
pub struct Gguf {
    /// Format version (2 or 3).
    pub version: u32,
    /// Metadata by key.
    pub metadata: BTreeMap<String, Value>,
    /// Tensor table in file order.
    pub tensors: Vec<GgufTensor>,
    /// Where tensor data starts.
    pub data_offset: u64,
    /// Size of the file.
    pub file_size: u64,
}

impl Gguf {
    /// An unsigned metadata value.
    pub fn u64(&self, key: &str) -> Option<u64> {
        self.metadata.get(key).and_then(Value::as_u64)
    }

    /// A string metadata value.
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.metadata.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// Sum of all tensor bytes.
    pub fn tensor_bytes(&self) -> u64 {
        self.tensors
            .iter()
            .fold(0u64, |a, t| a.saturating_add(t.bytes()))
    }
}

/// Reads the header of a GGUF file (regular files only; a FIFO or device is refused unopened).
pub fn read_file(path: &Path) -> Result<Gguf, GgufError> {
    let name = path.display().to_string();
    let file = crate::files::open_regular(path).map_err(|e| GgufError {
        path: name.clone(),
        offset: 0,
        message: format!("cannot open: {e}"),
    })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    reader::parse(std::io::BufReader::with_capacity(1 << 16, file), len, &name)
}

/// Reads a GGUF header; for the first shard of a split model (`…-00001-of-00003.gguf`) also
/// the other shards' tensor tables, so tensors and file size cover the whole model. A missing
/// shard is an error naming it.
pub fn read_model(path: &Path) -> Result<Gguf, GgufError> {
    let mut g = read_file(path)?;
    for shard in other_shards(path) {
        let part = read_file(&shard)?;
        g.tensors.extend(part.tensors);
        g.file_size = g.file_size.saturating_add(part.file_size);
    }
    Ok(g)
}

/// The paths of shards 2..=N when `path` names shard 1 of N (`-00001-of-0000N.gguf`).
pub fn other_shards(path: &Path) -> Vec<std::path::PathBuf> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let Some(at) = name.find("-00001-of-") else {
        return Vec::new();
    };
    let rest = &name[at + "-00001-of-".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let Ok(total) = digits.parse::<u32>() else {
        return Vec::new();
    };
    let width = digits.len();
    let tail = &rest[width..];
    (2..=total.min(MAX_SHARDS))
        .map(|k| path.with_file_name(format!("{}-{k:0width$}-of-{digits}{tail}", &name[..at])))
        .collect()
}

/// More shards than any published model uses (the largest split in llama.cpp's tools is a few
/// dozen): a bigger count is a damaged name, not a reason to open thousands of files.
const MAX_SHARDS: u32 = 512;

/// Parses a GGUF header held in memory (tests, fuzzing).
pub fn parse_bytes(data: &[u8], name: &str) -> Result<Gguf, GgufError> {
    reader::parse(
        std::io::BufReader::new(std::io::Cursor::new(data)),
        data.len() as u64,
        name,
    )
}

/// What [`parse_prefix`] needs to go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prefix {
    /// The header continues past the bytes given: fetch the file up to this offset.
    NeedUpTo(u64),
    /// The header is malformed (or the file truncated).
    Bad(GgufError),
}

/// Parses the header of a `file_len`-byte GGUF from its first bytes (a remote file fetched with
/// Range requests), saying how far to fetch when the header runs past them.
pub fn parse_prefix(data: &[u8], file_len: u64, name: &str) -> Result<Gguf, Prefix> {
    reader::parse_prefix(data, file_len, name).map_err(|e| match e {
        Ok(end) => Prefix::NeedUpTo(end),
        Err(bad) => Prefix::Bad(bad),
    })
}
