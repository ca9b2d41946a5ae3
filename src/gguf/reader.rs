//! The byte-level parser. Bounded: a claimed length is accepted only if that many bytes remain.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::io::{BufReader, Read, Seek};

use super::{Gguf, GgufError, GgufTensor, Value};
use crate::estimate::ggml::GgmlType;

const MAGIC: &[u8; 4] = b"GGUF";
/// Longest key accepted.
const MAX_KEY: u64 = 1 << 16;
/// Longest string value kept (longer ones are kept truncated).
const MAX_KEPT_STRING: u64 = 1 << 16;
/// Longest numeric array kept element by element.
const MAX_KEPT_ARRAY: u64 = 1 << 16;
/// ggml's GGML_MAX_DIMS.
const MAX_DIMS: u32 = 4;
/// ggml's GGML_MAX_NAME: llama.cpp refuses longer tensor names.
const MAX_TENSOR_NAME: u64 = 64;

/// The file through a buffer: skips within the buffer (every tokenizer string) cost no system
/// call, so a 13 MB header of 128k strings is one pass over the bytes.
struct Src<R> {
    r: BufReader<R>,
    pos: u64,
    len: u64,
    /// Bytes actually present (a fetched prefix of a remote file is shorter than `len`).
    avail: u64,
    /// Set when the header runs past `avail`: the end of the bytes it needs.
    short: Option<u64>,
    name: String,
}

impl<R: Read + Seek> Src<R> {
    fn err(&self, message: impl Into<String>) -> GgufError {
        GgufError {
            path: self.name.clone(),
            offset: self.pos,
            message: message.into(),
        }
    }

    fn remaining(&self) -> u64 {
        self.len.saturating_sub(self.pos)
    }

    fn need(&mut self, n: u64, what: &dyn Display) -> Result<(), GgufError> {
        if n > self.remaining() {
            return Err(self.err(format!(
                "{what} needs {n} bytes but only {} remain (file is {} bytes: truncated?)",
                self.remaining(),
                self.len
            )));
        }
        let end = self.pos.saturating_add(n);
        if end > self.avail {
            self.short = Some(end);
            return Err(self.err(format!("{what} lies past the {} bytes fetched", self.avail)));
        }
        Ok(())
    }

    fn fill(&mut self, buf: &mut [u8], what: &dyn Display) -> Result<(), GgufError> {
        self.need(buf.len() as u64, what)?;
        self.r
            .read_exact(buf)
            .map_err(|e| self.err(format!("reading {what}: {e}")))?;
        self.pos += buf.len() as u64;
        Ok(())
    }

    fn u8(&mut self, what: &dyn Display) -> Result<u8, GgufError> {
        let mut b = [0u8; 1];
        self.fill(&mut b, what)?;
        Ok(b[0])
    }

    fn u32(&mut self, what: &dyn Display) -> Result<u32, GgufError> {
        let mut b = [0u8; 4];
        self.fill(&mut b, what)?;
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self, what: &dyn Display) -> Result<u64, GgufError> {
        let mut b = [0u8; 8];
        self.fill(&mut b, what)?;
        Ok(u64::from_le_bytes(b))
    }

    fn skip(&mut self, n: u64, what: &dyn Display) -> Result<(), GgufError> {
        self.need(n, what)?;
        let step =
            i64::try_from(n).map_err(|_| self.err(format!("{what}: length {n} too large")))?;
        self.r
            .seek_relative(step)
            .map_err(|e| self.err(format!("skipping {what}: {e}")))?;
        self.pos += n;
        Ok(())
    }

    /// A string: kept up to `keep` bytes (the rest skipped), error past the end of the file.
    fn string(&mut self, keep: u64, what: &dyn Display) -> Result<String, GgufError> {
        let n = self.u64(what)?;
        self.string_of(n, keep, what)
    }

    /// The bytes of a string whose length `n` was already read.
    fn string_of(&mut self, n: u64, keep: u64, what: &dyn Display) -> Result<String, GgufError> {
        self.need(n, what)?;
        let kept = n.min(keep);
        let mut buf = vec![0u8; kept as usize];
        self.fill(&mut buf, what)?;
        self.skip(n - kept, what)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
}

/// Size in bytes of a scalar metadata type, `None` for strings and arrays.
fn scalar_size(ty: u32) -> Option<u64> {
    match ty {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}

fn read_scalar<R: Read + Seek>(
    s: &mut Src<R>,
    ty: u32,
    what: &dyn Display,
) -> Result<Value, GgufError> {
    Ok(match ty {
        0 => Value::Uint(u64::from(s.u8(what)?)),
        1 => Value::Int(i64::from(s.u8(what)? as i8)),
        2 => {
            let mut b = [0u8; 2];
            s.fill(&mut b, what)?;
            Value::Uint(u64::from(u16::from_le_bytes(b)))
        }
        3 => {
            let mut b = [0u8; 2];
            s.fill(&mut b, what)?;
            Value::Int(i64::from(i16::from_le_bytes(b)))
        }
        4 => Value::Uint(u64::from(s.u32(what)?)),
        5 => Value::Int(i64::from(s.u32(what)? as i32)),
        6 => Value::Float(f64::from(f32::from_bits(s.u32(what)?))),
        7 => Value::Bool(s.u8(what)? != 0),
        10 => Value::Uint(s.u64(what)?),
        11 => Value::Int(s.u64(what)? as i64),
        12 => Value::Float(f64::from_bits(s.u64(what)?)),
        other => return Err(s.err(format!("{what}: unknown metadata type {other}"))),
    })
}

fn number(v: &Value) -> f64 {
    match *v {
        Value::Uint(x) => x as f64,
        Value::Int(x) => x as f64,
        Value::Float(x) => x,
        Value::Bool(b) => f64::from(u8::from(b)),
        _ => 0.0,
    }
}

fn read_value<R: Read + Seek>(
    s: &mut Src<R>,
    ty: u32,
    key: &str,
    depth: u32,
) -> Result<Value, GgufError> {
    match ty {
        8 => Ok(Value::Str(s.string(
            MAX_KEPT_STRING,
            &format_args!("string value of '{key}'"),
        )?)),
        9 => {
            if depth > 1 {
                return Err(s.err(format!("'{key}': arrays nested deeper than 2 levels")));
            }
            let elem = s.u32(&format_args!("array type of '{key}'"))?;
            let n = s.u64(&format_args!("array length of '{key}'"))?;
            // Every element takes at least its scalar size (strings: an 8-byte length).
            let min = scalar_size(elem).unwrap_or(if elem == 8 || elem == 9 { 8 } else { 1 });
            s.need(
                n.saturating_mul(min),
                &format_args!("array '{key}' of {n} elements"),
            )?;
            if let Some(size) = scalar_size(elem) {
                if n <= MAX_KEPT_ARRAY {
                    let mut out = Vec::with_capacity(n as usize);
                    for _ in 0..n {
                        out.push(number(&read_scalar(s, elem, &key)?));
                    }
                    return Ok(Value::Numbers(out));
                }
                s.skip(n * size, &format_args!("array '{key}'"))?;
                return Ok(Value::Array(n));
            }
            for _ in 0..n {
                match elem {
                    8 => {
                        let len = s.u64(&format_args!("string in array '{key}'"))?;
                        s.skip(len, &format_args!("string in array '{key}'"))?;
                    }
                    other => {
                        read_value(s, other, key, depth + 1)?;
                    }
                }
            }
            Ok(Value::Array(n))
        }
        _ => read_scalar(s, ty, &format_args!("value of '{key}'")),
    }
}

pub(super) fn parse<R: Read + Seek>(
    r: BufReader<R>,
    len: u64,
    name: &str,
) -> Result<Gguf, GgufError> {
    let mut s = Src {
        r,
        pos: 0,
        len,
        avail: len,
        short: None,
        name: name.to_string(),
    };
    parse_src(&mut s)
}

/// Parses the header from the first bytes of a file of `len` bytes; `Err(Ok(end))` when the
/// header needs the bytes up to `end`, which `data` does not hold.
pub(super) fn parse_prefix(
    data: &[u8],
    len: u64,
    name: &str,
) -> Result<Gguf, Result<u64, GgufError>> {
    let mut s = Src {
        r: BufReader::new(std::io::Cursor::new(data)),
        pos: 0,
        len,
        avail: (data.len() as u64).min(len),
        short: None,
        name: name.to_string(),
    };
    parse_src(&mut s).map_err(|e| s.short.ok_or(e))
}

fn parse_src<R: Read + Seek>(s: &mut Src<R>) -> Result<Gguf, GgufError> {
    let len = s.len;
    let name = s.name.clone();
    let name = name.as_str();
    let mut magic = [0u8; 4];
    s.fill(&mut magic, &"magic")?;
    if &magic != MAGIC {
        s.pos = 0;
        return Err(s.err(format!(
            "not a GGUF file (magic {:02x?}, expected \"GGUF\")",
            magic
        )));
    }
    let version = s.u32(&"version")?;
    if !(2..=3).contains(&version) {
        return Err(s.err(format!(
            "unsupported GGUF version {version} (2 and 3 are supported)"
        )));
    }
    let n_tensors = s.u64(&"tensor count")?;
    let n_kv = s.u64(&"metadata count")?;
    // A key-value pair takes at least 12 bytes, a tensor entry at least 24.
    s.need(
        n_kv.saturating_mul(12),
        &format_args!("{n_kv} metadata entries"),
    )?;
    let mut metadata = BTreeMap::new();
    for _ in 0..n_kv {
        let key_len = s.u64(&"metadata key length")?;
        if key_len > MAX_KEY {
            return Err(s.err(format!(
                "metadata key of {key_len} bytes (longest accepted: {MAX_KEY})"
            )));
        }
        let key = s.string_of(key_len, MAX_KEY, &"metadata key")?;
        let ty = s.u32(&format_args!("type of '{key}'"))?;
        let value = read_value(s, ty, &key, 0)?;
        metadata.insert(key, value);
    }
    s.need(
        n_tensors.saturating_mul(24),
        &format_args!("{n_tensors} tensor entries"),
    )?;
    crate::limits::TENSORS
        .check(n_tensors)
        .map_err(|e| s.err(e.to_string()))?;
    let mut tensors = Vec::with_capacity(n_tensors as usize);
    for i in 0..n_tensors {
        let name_len = s.u64(&format_args!("name length of tensor {i}"))?;
        if name_len >= MAX_TENSOR_NAME {
            return Err(s.err(format!(
                "tensor {i} has a {name_len}-byte name (llama.cpp accepts under {MAX_TENSOR_NAME})"
            )));
        }
        let name = s.string_of(
            name_len,
            MAX_TENSOR_NAME,
            &format_args!("name of tensor {i}"),
        )?;
        let n_dims = s.u32(&format_args!("dimension count of '{name}'"))?;
        if n_dims == 0 || n_dims > MAX_DIMS {
            return Err(s.err(format!(
                "tensor '{name}' has {n_dims} dimensions (1..={MAX_DIMS} allowed)"
            )));
        }
        let mut dims = Vec::with_capacity(n_dims as usize);
        let mut elements: u64 = 1;
        for _ in 0..n_dims {
            let d = s.u64(&format_args!("dimension of '{name}'"))?;
            // llama.cpp reads dimensions and their product as int64_t and refuses negatives.
            elements = elements
                .checked_mul(d)
                .filter(|&n| n <= i64::MAX as u64 && d <= i64::MAX as u64)
                .ok_or_else(|| {
                    s.err(format!(
                        "tensor '{name}' dimension {d} or its element count exceeds 2^63 - 1 (llama.cpp's int64 limit)"
                    ))
                })?;
            dims.push(d);
        }
        let ty_id = s.u32(&format_args!("type of '{name}'"))?;
        let ty = GgmlType::from_gguf_id(ty_id)
            .ok_or_else(|| s.err(format!("tensor '{name}' has unknown type id {ty_id}")))?;
        let offset = s.u64(&format_args!("offset of '{name}'"))?;
        tensors.push(GgufTensor {
            name,
            dims,
            ty,
            offset,
        });
    }
    let alignment = metadata
        .get("general.alignment")
        .and_then(Value::as_u64)
        .unwrap_or(32);
    if alignment == 0 || !alignment.is_power_of_two() || alignment > 1 << 20 {
        return Err(s.err(format!(
            "general.alignment {alignment} is not a power of two up to 1 MiB"
        )));
    }
    let data_offset = s.pos.div_ceil(alignment) * alignment;
    let data_len = len.saturating_sub(data_offset);
    // As llama.cpp's loader: tensors follow each other in table order, each padded to the
    // alignment, so none overlaps another or lies outside the file.
    let mut expected = 0u64;
    for t in &tensors {
        if t.offset != expected {
            return Err(GgufError {
                path: name.to_string(),
                offset: data_offset.saturating_add(t.offset),
                message: format!(
                    "tensor '{}' data starts at {} but the table puts it at {expected} (overlapping or misplaced tensors)",
                    t.name, t.offset
                ),
            });
        }
        let end = t.offset.saturating_add(t.bytes());
        if end > data_len {
            let at = data_offset.saturating_add(t.offset);
            return Err(GgufError {
                path: name.to_string(),
                offset: at,
                message: format!("tensor '{}' data ({} bytes) runs past the end of the file (truncated download?)", t.name, t.bytes()),
            });
        }
        expected = end.div_ceil(alignment).saturating_mul(alignment);
    }
    Ok(Gguf {
        version,
        metadata,
        tensors,
        data_offset,
        file_size: len,
    })
}
