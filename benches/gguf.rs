//! GGUF header parsing on a Llama-3-sized tokenizer: 128,256 token strings, 280,147 merges and
//! a token-type array: 12.8 MB of metadata before the tensor table, about the 12.9 MB header of a
//! real Llama 3 8B GGUF (issue 12 asked for < 50 ms; it took 4.3 s with one system call per string).

use criterion::{criterion_group, criterion_main, Criterion};

fn string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s);
}

/// A header with Llama 3's tokenizer shape (sizes as in Meta-Llama-3-8B's GGUF), no tensors.
fn llama3_header() -> Vec<u8> {
    let mut out = b"GGUF".to_vec();
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes()); // tensors
    out.extend_from_slice(&4u64.to_le_bytes()); // metadata entries
    string(&mut out, b"general.architecture");
    out.extend_from_slice(&8u32.to_le_bytes());
    string(&mut out, b"llama");
    let arrays: [(&[u8], u64, usize); 2] = [
        (b"tokenizer.ggml.tokens", 128_256, 20),
        (b"tokenizer.ggml.merges", 280_147, 23),
    ];
    for (key, n, len) in arrays {
        string(&mut out, key);
        out.extend_from_slice(&9u32.to_le_bytes());
        out.extend_from_slice(&8u32.to_le_bytes());
        out.extend_from_slice(&n.to_le_bytes());
        for i in 0..n {
            let text = format!("{i:0len$}");
            string(&mut out, text.as_bytes());
        }
    }
    string(&mut out, b"tokenizer.ggml.token_type");
    out.extend_from_slice(&9u32.to_le_bytes());
    out.extend_from_slice(&5u32.to_le_bytes());
    out.extend_from_slice(&128_256u64.to_le_bytes());
    out.resize(out.len() + 128_256 * 4, 0);
    out
}

fn bench(c: &mut Criterion) {
    let data = llama3_header();
    let path = std::env::temp_dir().join(format!("fitcheck-bench-{}.gguf", std::process::id()));
    if std::fs::write(&path, &data).is_err() {
        return;
    }
    c.bench_function(
        &format!("gguf read_file, {:.1} MB header", data.len() as f64 / 1e6),
        |b| b.iter(|| fitcheck::gguf::read_file(&path).map(|g| g.metadata.len())),
    );
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, bench);
criterion_main!(benches);
