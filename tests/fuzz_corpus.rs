#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Every input the fuzzers kept (fuzz/corpus/<target>) and every input that once crashed one
//! (tests/fixtures/gguf_regressions) parses or fails cleanly, within bounds on CPU time and
//! memory: a quadratic path, a retry loop or a count that sizes an allocation shows up here.
//!
//! The bounds are robust to a loaded machine: time is this thread's CPU time (waiting for a core
//! does not count), memory is the peak of bytes allocated while one input is handled (counted
//! by this binary's allocator; this file holds one test, so no other test allocates meanwhile).
//! A watchdog ends the run, naming the input, if one never finishes (a true hang).

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fitcheck::catalog::Catalog;
use fitcheck::estimate::{estimate, estimate_with_weights, Settings};

/// Bytes allocated and not yet freed, and the most there were since the last reset.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let now = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// CPU time this thread has used (Linux; elsewhere wall time, still far inside the bound).
fn thread_cpu() -> Duration {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid out-pointer; CLOCK_THREAD_CPUTIME_ID needs no other set-up.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        }
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// CPU time one input may take: inputs are a few KB and take micro- to milliseconds, so a
/// second means a quadratic path or a loop, whatever else runs on the machine.
const CPU_LIMIT: Duration = Duration::from_secs(2);
/// Memory one input may hold at once beyond what was live before it: parsing keeps at most a
/// few times the input (bounded strings, arrays and tables) and the estimator's tables are
/// sized by bounded layer counts.
fn memory_limit(input_len: usize) -> usize {
    (32 << 20) + 64 * input_len
}
/// Wall time after which an input counts as hung (generous: only a never-ending input hits it).
const HANG_LIMIT: Duration = Duration::from_secs(120);

/// CPU time and peak extra bytes of `f`.
fn measure(f: impl FnOnce()) -> (Duration, usize) {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    let cpu = thread_cpu();
    f();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(live);
    (thread_cpu().saturating_sub(cpu), peak)
}

fn corpus(dir: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        // A running fuzzer may replace corpus files while this reads them.
        .filter_map(|e| std::fs::read(e.path()).ok().map(|d| (e.path(), d)))
        .collect();
    out.sort();
    out
}

fn gguf(data: &[u8], hw: &fitcheck::estimate::Hardware) {
    let Ok(g) = fitcheck::gguf::parse_bytes(data, "corpus.gguf") else {
        return;
    };
    // What a parse keeps is bounded by the input: every tensor entry and array took bytes of
    // it, and no string is longer than the file.
    assert!(g.tensors.len() * 24 <= data.len());
    for v in g.metadata.values() {
        match v {
            fitcheck::gguf::Value::Str(s) => assert!(s.len() <= data.len()),
            fitcheck::gguf::Value::Numbers(n) => assert!(n.len() <= data.len()),
            _ => {}
        }
    }
    if let Ok(m) = fitcheck::gguf::to_model(&g, "corpus") {
        // Per-layer tables are sized by the bounded layer count.
        assert!(m.spec.arch.layers <= fitcheck::gguf::MAX_LAYERS);
        let s = Settings {
            parallel: 2,
            ..Default::default()
        };
        let _ = estimate_with_weights(&m.spec, hw, &s, &m.weights);
    }
}

fn catalog(data: &[u8]) {
    let Ok(text) = fitcheck::files::text_of(data.to_vec(), "corpus.ron") else {
        return;
    };
    match Catalog::parse(&text, "corpus.ron") {
        Ok(cat) => {
            for h in &cat.hardware {
                fitcheck::limits::check_hardware(h).unwrap();
            }
            for m in cat.models.iter().take(8) {
                for h in cat.hardware.iter().take(4) {
                    let _ = estimate(m, h, &Settings::default());
                }
            }
        }
        // Errors name the origin and a position.
        Err(e) => assert!(e.to_string().starts_with("corpus.ron:"), "{e}"),
    }
}

fn config(data: &[u8]) {
    let Ok(text) = fitcheck::files::text_of(data.to_vec(), "config.ron") else {
        return;
    };
    if let Err(e) = fitcheck::config::Config::parse(&text, "config.ron") {
        assert!(e.to_string().starts_with("config.ron:"), "{e}");
    }
}

fn hf_config(data: &[u8], hw: &fitcheck::estimate::Hardware) {
    let Ok(text) = fitcheck::files::text_of(data.to_vec(), "config.json") else {
        return;
    };
    match fitcheck::local::model_from_config(&text, "config.json", "local:org/m", "m", 1 << 30) {
        Ok((spec, _, _)) => {
            fitcheck::limits::check_model(&spec).unwrap();
            let _ = estimate(&spec, hw, &Settings::default());
        }
        Err(e) => assert!(e.to_string().starts_with("config.json"), "{e}"),
    }
}

fn manifest(data: &[u8]) {
    if let Ok(Some(blobs)) = fitcheck::local::manifest_blobs(data) {
        for blob in std::iter::once(&blobs.model).chain(&blobs.projector) {
            // Never a path out of the store.
            assert!(!blob.is_empty());
            assert!(blob.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        }
    }
}

#[test]
fn every_corpus_input_parses_or_fails_cleanly_within_time_and_memory() {
    let cat = Catalog::builtin().unwrap();
    let hw = cat.find_hardware("rtx-4090").unwrap().clone();
    // The bounds themselves work: a 100 MiB allocation and a busy second are both caught.
    let (_, big) = measure(|| drop(std::hint::black_box(vec![1u8; 100 << 20])));
    assert!(big > memory_limit(1000), "allocation counted: {big}");
    let (busy, _) = measure(|| {
        let t = thread_cpu();
        while thread_cpu() - t < Duration::from_millis(50) {
            std::hint::black_box(0u64);
        }
    });
    assert!(
        busy >= Duration::from_millis(50),
        "CPU time counted: {busy:?}"
    );

    let current = Arc::new(Mutex::new(PathBuf::new()));
    let started = Arc::new(Mutex::new(Instant::now()));
    {
        let (current, started) = (Arc::clone(&current), Arc::clone(&started));
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            let since = started.lock().map(|s| s.elapsed()).unwrap_or_default();
            if since > HANG_LIMIT {
                eprintln!(
                    "{:?} still running after {since:?}: a hang",
                    current.lock().map(|c| c.clone()).unwrap_or_default()
                );
                std::process::exit(101);
            }
        });
    }
    type Target<'a> = Box<dyn Fn(&[u8]) + 'a>;
    let targets: [(&str, Target); 6] = [
        ("fuzz/corpus/gguf", Box::new(|d| gguf(d, &hw))),
        (
            "tests/fixtures/gguf_regressions",
            Box::new(|d| gguf(d, &hw)),
        ),
        ("fuzz/corpus/catalog", Box::new(catalog)),
        ("fuzz/corpus/config", Box::new(config)),
        ("fuzz/corpus/hf_config", Box::new(|d| hf_config(d, &hw))),
        ("fuzz/corpus/ollama_manifest", Box::new(manifest)),
    ];
    for (dir, run) in &targets {
        let inputs = corpus(dir);
        assert!(!inputs.is_empty(), "{dir}: no seed corpus");
        for (path, data) in inputs {
            *current.lock().unwrap() = path.clone();
            *started.lock().unwrap() = Instant::now();
            let (cpu, bytes) = measure(|| run(&data));
            assert!(cpu < CPU_LIMIT, "{path:?} took {cpu:?} of CPU time");
            assert!(
                bytes < memory_limit(data.len()),
                "{path:?} ({} bytes) held {bytes} bytes at once",
                data.len()
            );
        }
    }
}
