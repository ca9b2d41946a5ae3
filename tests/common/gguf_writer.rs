//! Writes small but real GGUF files for tests: metadata, tensor table, aligned zero data.
#![allow(dead_code)]

use fitcheck::estimate::ggml::GgmlType;

/// A metadata value to write.
pub enum Meta {
    U32(u32),
    F32(f32),
    Str(&'static str),
    U32s(Vec<u32>),
    Bools(Vec<bool>),
    Strs(Vec<&'static str>),
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Serialises a GGUF v3 file with the given metadata and tensors (data zero-filled).
pub fn gguf(meta: &[(&str, Meta)], tensors: &[(&str, Vec<u64>, GgmlType)]) -> Vec<u8> {
    let (mut out, len) = gguf_header(meta, tensors);
    out.resize(len as usize, 0);
    out
}

/// The header of such a file (padded to where the data starts) and the whole file's length:
/// what a reader of a remote file's first bytes sees, without allocating the data.
pub fn gguf_header(
    meta: &[(&str, Meta)],
    tensors: &[(&str, Vec<u64>, GgmlType)],
) -> (Vec<u8>, u64) {
    let mut out = Vec::new();
    out.extend_from_slice(b"GGUF");
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&(tensors.len() as u64).to_le_bytes());
    out.extend_from_slice(&(meta.len() as u64).to_le_bytes());
    for (k, v) in meta {
        put_str(&mut out, k);
        match v {
            Meta::U32(x) => {
                out.extend_from_slice(&4u32.to_le_bytes());
                out.extend_from_slice(&x.to_le_bytes());
            }
            Meta::F32(x) => {
                out.extend_from_slice(&6u32.to_le_bytes());
                out.extend_from_slice(&x.to_le_bytes());
            }
            Meta::Str(s) => {
                out.extend_from_slice(&8u32.to_le_bytes());
                put_str(&mut out, s);
            }
            Meta::U32s(xs) => {
                out.extend_from_slice(&9u32.to_le_bytes());
                out.extend_from_slice(&4u32.to_le_bytes());
                out.extend_from_slice(&(xs.len() as u64).to_le_bytes());
                for x in xs {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
            Meta::Bools(xs) => {
                out.extend_from_slice(&9u32.to_le_bytes());
                out.extend_from_slice(&7u32.to_le_bytes());
                out.extend_from_slice(&(xs.len() as u64).to_le_bytes());
                out.extend(xs.iter().map(|b| u8::from(*b)));
            }
            Meta::Strs(xs) => {
                out.extend_from_slice(&9u32.to_le_bytes());
                out.extend_from_slice(&8u32.to_le_bytes());
                out.extend_from_slice(&(xs.len() as u64).to_le_bytes());
                for x in xs {
                    put_str(&mut out, x);
                }
            }
        }
    }
    let mut offset = 0u64;
    for (name, dims, ty) in tensors {
        put_str(&mut out, name);
        out.extend_from_slice(&(dims.len() as u32).to_le_bytes());
        for d in dims {
            out.extend_from_slice(&d.to_le_bytes());
        }
        out.extend_from_slice(&ty.gguf_id().to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        let rows: u64 = dims.iter().skip(1).product();
        let size = ty.bytes_for(dims[0]) * rows;
        offset += size.div_ceil(32) * 32;
    }
    let data_start = (out.len() as u64).div_ceil(32) * 32;
    out.resize(data_start as usize, 0);
    (out, data_start + offset)
}

/// Tensors of one standard attention + FFN block.
pub fn dense_block(
    il: u32,
    hidden: u64,
    heads: u64,
    kv: u64,
    hd: u64,
    ffn: u64,
    ty: GgmlType,
) -> Vec<(String, Vec<u64>, GgmlType)> {
    let n = |s: &str| format!("blk.{il}.{s}.weight");
    vec![
        (n("attn_norm"), vec![hidden], GgmlType::F32),
        (n("attn_q"), vec![hidden, heads * hd], ty),
        (n("attn_k"), vec![hidden, kv * hd], ty),
        (n("attn_v"), vec![hidden, kv * hd], ty),
        (n("attn_output"), vec![heads * hd, hidden], ty),
        (n("ffn_norm"), vec![hidden], GgmlType::F32),
        (n("ffn_gate"), vec![hidden, ffn], ty),
        (n("ffn_up"), vec![hidden, ffn], ty),
        (n("ffn_down"), vec![ffn, hidden], ty),
    ]
}

/// A 2-block Llama-shaped Q8_0 model named `name` (a few hundred KB): the smallest real file
/// the scanners and estimators accept.
pub fn tiny_llama(name: &'static str) -> Vec<u8> {
    let mut t = vec![(
        "token_embd.weight".to_string(),
        vec![256u64, 300],
        GgmlType::Q8_0,
    )];
    for il in 0..2 {
        t.extend(dense_block(il, 256, 4, 2, 64, 256, GgmlType::Q8_0));
    }
    let t: Vec<(&str, Vec<u64>, GgmlType)> = t
        .iter()
        .map(|(n, d, ty)| (&*Box::leak(n.clone().into_boxed_str()), d.clone(), *ty))
        .collect();
    gguf(
        &[
            ("general.architecture", Meta::Str("llama")),
            ("general.name", Meta::Str(name)),
            ("general.file_type", Meta::U32(7)),
            ("llama.block_count", Meta::U32(2)),
            ("llama.embedding_length", Meta::U32(256)),
            ("llama.attention.head_count", Meta::U32(4)),
            ("llama.attention.head_count_kv", Meta::U32(2)),
        ],
        &t,
    )
}
