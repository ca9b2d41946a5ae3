//! Benchmark output as people have it: llama-bench `-o json` (one array) or `-o jsonl` (one
//! record a line), and the timings Ollama prints with `--verbose`. Every number is bounded like
//! the command-line flags ([`crate::limits`]); a bad one is an error naming file, line and field.

use serde_json::{Map, Value};

use crate::files::ReadError;
use crate::limits::{self, Bound};

/// Which tool printed a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    /// llama.cpp's `llama-bench`.
    LlamaBench,
    /// `ollama run --verbose`.
    Ollama,
}

/// Prompt processing or generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Prompt processing (llama-bench `pp`, Ollama "prompt eval").
    Prefill,
    /// Token generation (llama-bench `tg`, Ollama "eval").
    Decode,
}

/// One measured rate and what it ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// `file:line` of the record, for messages.
    pub origin: String,
    /// The tool.
    pub tool: Tool,
    /// Prefill or decode.
    pub phase: Phase,
    /// Model file name or Ollama tag, when the output names it.
    pub name: Option<String>,
    /// llama-bench's `model_type` ("llama 8B Q4_K - Medium").
    pub model_type: Option<String>,
    /// Model file size, bytes (llama-bench `model_size`).
    pub size_bytes: Option<u64>,
    /// Parameters (llama-bench `model_n_params`).
    pub n_params: Option<u64>,
    /// Tokens processed or generated in the test.
    pub tokens: u64,
    /// Tokens already in the cache (llama-bench `n_depth`).
    pub depth: u64,
    /// Tokens per second.
    pub tps: f64,
    /// Layers on the GPU (`None`: not said, as with Ollama).
    pub gpu_layers: Option<u64>,
    /// MoE layers whose experts stay on the CPU.
    pub cpu_moe: u64,
    /// llama-bench's `backends` ("CUDA", "Metal", "CPU", …).
    pub backends: String,
    /// KV cache type of K (llama-bench `type_k`).
    pub type_k: Option<String>,
    /// CPU threads (llama-bench `n_threads`).
    pub threads: Option<u64>,
}

/// Tokens per second a benchmark can report (a 1 Hz tick to a 10M tok/s prefill).
pub const TOKENS_PER_S: Bound<f64> = Bound {
    what: "tokens/s",
    min: 1e-3,
    max: 1e7,
};
/// Token counts of a test (0 allowed: the other phase's test).
pub const TEST_TOKENS: Bound<u64> = Bound {
    what: "tokens",
    min: 0,
    max: limits::CONTEXT.max,
};
/// A model file's size, bytes (64 TiB).
pub const MODEL_BYTES: Bound<u64> = Bound {
    what: "model size (bytes)",
    min: 1,
    max: 1 << 46,
};
/// llama-bench's `n_gpu_layers` (99 or 999 mean "all").
pub const BENCH_GPU_LAYERS: Bound<u64> = Bound {
    what: "GPU layers",
    min: 0,
    max: 1 << 16,
};

/// CPU threads of a run.
pub const THREADS: Bound<u64> = Bound {
    what: "threads",
    min: 1,
    max: 1 << 16,
};

/// The runs in `text`, read from `origin` (a path or `<stdin>`).
pub fn parse(text: &str, origin: &str) -> Result<Vec<Run>, ReadError> {
    let first = text.trim_start().chars().next();
    if matches!(first, Some('{' | '[')) {
        llama_bench(text, origin)
    } else {
        ollama(text, origin)
    }
}

fn err(origin: &str, line: usize, col: usize, message: impl Into<String>) -> ReadError {
    ReadError {
        path: origin.to_string(),
        line,
        col,
        message: message.into(),
    }
}

/// 1-based (line, column) of byte `at` in `text`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Byte ranges of the top-level JSON objects: the records of a JSONL file, or the elements of
/// llama-bench's one array. Anything else at the top level is an error with its position.
fn records(text: &str, origin: &str) -> Result<Vec<(usize, usize)>, ReadError> {
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    let mut start = 0;
    let mut out = Vec::new();
    let mut outer_arrays = 0usize;
    for (i, ch) in text.char_indices() {
        if in_str {
            match (escaped, ch) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' if depth > 0 => in_str = true,
            '{' => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push((start, i + 1));
                }
            }
            _ if depth > 0 => {}
            '[' if outer_arrays == 0 => outer_arrays += 1,
            ']' if outer_arrays == 1 => outer_arrays += 1,
            c if c.is_whitespace() || c == ',' => {}
            c => {
                let (l, col) = position(text, i);
                return Err(err(
                    origin,
                    l,
                    col,
                    format!("unexpected '{c}' between llama-bench records"),
                ));
            }
        }
    }
    if depth > 0 {
        let (l, col) = position(text, start);
        return Err(err(origin, l, col, "record not closed (truncated file?)"));
    }
    Ok(out)
}

fn llama_bench(text: &str, origin: &str) -> Result<Vec<Run>, ReadError> {
    let mut runs = Vec::new();
    for (start, end) in records(text, origin)? {
        let (line, col) = position(text, start);
        let obj: Map<String, Value> = serde_json::from_str(&text[start..end]).map_err(|e| {
            let l = line + e.line().saturating_sub(1);
            let c = if e.line() <= 1 {
                col + e.column().saturating_sub(1)
            } else {
                e.column()
            };
            err(origin, l, c, format!("not a llama-bench record: {e}"))
        })?;
        let rec = Record {
            obj: &obj,
            text,
            start,
            end,
            origin,
        };
        if let Some(run) = rec.run()? {
            runs.push(run);
        }
    }
    if runs.is_empty() {
        return Err(err(origin, 0, 0, "no llama-bench pp or tg records"));
    }
    Ok(runs)
}

/// One llama-bench record with where it sits, so a bad field names its own line.
struct Record<'a> {
    obj: &'a Map<String, Value>,
    text: &'a str,
    start: usize,
    end: usize,
    origin: &'a str,
}

impl Record<'_> {
    fn field_err(&self, key: &str, message: String) -> ReadError {
        let needle = format!("\"{key}\"");
        let at = self.text[self.start..self.end]
            .find(&needle)
            .map_or(self.start, |o| self.start + o);
        let (line, col) = position(self.text, at);
        err(self.origin, line, col, format!("{key}: {message}"))
    }

    fn number(&self, key: &str) -> Result<Option<f64>, ReadError> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::Bool(b)) => Ok(Some(f64::from(u8::from(*b)))),
            Some(other) => Err(self.field_err(key, format!("expected a number, got {other}"))),
        }
    }

    /// `n_gpu_layers`: -1 is the default recent llama-bench prints (b11312: its `-ngl` default,
    /// llama.cpp's "all layers"), read as not said; other negatives are refused as bad counts.
    fn gpu_layers(&self) -> Result<Option<u64>, ReadError> {
        if self.number("n_gpu_layers")? == Some(-1.0) {
            return Ok(None);
        }
        self.uint("n_gpu_layers", BENCH_GPU_LAYERS)
    }

    fn uint(&self, key: &str, bound: Bound<u64>) -> Result<Option<u64>, ReadError> {
        let Some(v) = self.number(key)? else {
            return Ok(None);
        };
        if v.fract() != 0.0 || v < 0.0 || v > u64::MAX as f64 {
            return Err(self.field_err(
                key,
                format!(
                    "{} must be a whole number in {}..={}, got {v}",
                    bound.what, bound.min, bound.max
                ),
            ));
        }
        bound
            .check(v as u64)
            .map(Some)
            .map_err(|e| self.field_err(key, e.to_string()))
    }

    fn text_field(&self, key: &str) -> Option<String> {
        self.obj
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    fn run(&self) -> Result<Option<Run>, ReadError> {
        let n_prompt = self.uint("n_prompt", TEST_TOKENS)?.unwrap_or(0);
        let n_gen = self.uint("n_gen", TEST_TOKENS)?.unwrap_or(0);
        let tps = self
            .number("avg_ts")?
            .ok_or_else(|| self.field_err("avg_ts", "missing (not llama-bench output?)".into()))?;
        let tps = TOKENS_PER_S
            .check(tps)
            .map_err(|e| self.field_err("avg_ts", e.to_string()))?;
        let phase = match (n_prompt > 0, n_gen > 0) {
            (true, false) => Phase::Prefill,
            (false, true) => Phase::Decode,
            // pp+tg ("pg") tests mix both phases: not a rate of either.
            _ => return Ok(None),
        };
        let name = self.text_field("model_filename").map(|f| {
            f.rsplit(['/', '\\'])
                .next()
                .unwrap_or(f.as_str())
                .to_string()
        });
        Ok(Some(Run {
            origin: format!("{}:{}", self.origin, position(self.text, self.start).0),
            tool: Tool::LlamaBench,
            phase,
            name,
            model_type: self.text_field("model_type"),
            size_bytes: self.uint("model_size", MODEL_BYTES)?,
            n_params: self.uint("model_n_params", limits::PARAMS)?,
            tokens: n_prompt.max(n_gen),
            depth: self.uint("n_depth", TEST_TOKENS)?.unwrap_or(0),
            tps,
            gpu_layers: self.gpu_layers()?,
            cpu_moe: self.uint("n_cpu_moe", BENCH_GPU_LAYERS)?.unwrap_or(0),
            backends: self.text_field("backends").unwrap_or_default(),
            type_k: self.text_field("type_k"),
            threads: self.uint("n_threads", THREADS)?,
        }))
    }
}

/// The value after `label:` on a line of Ollama's timings, when the line is that label.
fn after<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let rest = line.trim_start().strip_prefix(label)?;
    rest.trim_start().strip_prefix(':').map(str::trim)
}

fn ollama(text: &str, origin: &str) -> Result<Vec<Run>, ReadError> {
    let mut runs = Vec::new();
    let mut model: Option<String> = None;
    let mut prompt_tokens = 0u64;
    let mut gen_tokens = 0u64;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if let Some(at) = line.find("ollama run ") {
            model = line[at + "ollama run ".len()..]
                .split_whitespace()
                .find(|w| !w.starts_with('-'))
                .map(str::to_string);
            continue;
        }
        let count = |v: &str, what: &str| -> Result<u64, ReadError> {
            let num = v.split_whitespace().next().unwrap_or("");
            num.parse::<u64>()
                .map_err(|_| err(origin, n, 1, format!("{what}: not a token count: '{v}'")))
                .and_then(|c| {
                    TEST_TOKENS
                        .check(c)
                        .map_err(|e| err(origin, n, 1, format!("{what}: {e}")))
                })
        };
        let rate = |v: &str, what: &str| -> Result<f64, ReadError> {
            let num = v.split_whitespace().next().unwrap_or("");
            TOKENS_PER_S
                .parse(num)
                .map_err(|e| err(origin, n, 1, format!("{what}: {e}")))
        };
        let mut push = |phase, tps, tokens| {
            runs.push(Run {
                origin: format!("{origin}:{n}"),
                tool: Tool::Ollama,
                phase,
                name: model.clone(),
                model_type: None,
                size_bytes: None,
                n_params: None,
                tokens,
                depth: 0,
                tps,
                gpu_layers: None,
                cpu_moe: 0,
                backends: String::new(),
                type_k: None,
                threads: None,
            })
        };
        if let Some(v) = after(line, "prompt eval count") {
            prompt_tokens = count(v, "prompt eval count")?;
        } else if let Some(v) = after(line, "prompt eval rate") {
            push(Phase::Prefill, rate(v, "prompt eval rate")?, prompt_tokens);
        } else if let Some(v) = after(line, "eval count") {
            gen_tokens = count(v, "eval count")?;
        } else if let Some(v) = after(line, "eval rate") {
            push(Phase::Decode, rate(v, "eval rate")?, gen_tokens);
        }
    }
    if runs.is_empty() {
        return Err(err(
            origin,
            0,
            0,
            "neither llama-bench JSON/JSONL nor Ollama --verbose timings ('eval rate: … tokens/s')",
        ));
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REC: &str = r#"{"model_filename": "/m/Llama-3.2-1B-Instruct-Q4_K_M.gguf", "model_type": "llama 1B Q4_K - Medium", "model_size": 799862912, "model_n_params": 1235814432, "backends": "CPU", "n_gpu_layers": 0, "n_prompt": 0, "n_gen": 32, "n_depth": 0, "avg_ts": 15.9}"#;

    #[test]
    fn jsonl_and_json_arrays_give_the_same_runs() {
        let jsonl = format!("{REC}\n{}\n", REC.replace("15.9", "16.1"));
        let array = format!("[\n  {REC},\n  {}\n]\n", REC.replace("15.9", "16.1"));
        let a = parse(&jsonl, "a.jsonl").expect("jsonl");
        let b = parse(&array, "b.json").expect("json");
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].tps, b[1].tps);
        assert_eq!(a[0].phase, Phase::Decode);
        assert_eq!(
            a[0].name.as_deref(),
            Some("Llama-3.2-1B-Instruct-Q4_K_M.gguf")
        );
        assert_eq!(a[1].origin, "a.jsonl:2");
        assert_eq!(b[1].origin, "b.json:3");
    }

    #[test]
    fn default_gpu_layers_of_recent_llama_bench_is_read() {
        // llama-bench b11312 on a CPU-only build prints its default, -1, and "flash_attn": -1.
        let auto = REC.replace(
            "\"n_gpu_layers\": 0",
            "\"n_gpu_layers\": -1, \"flash_attn\": -1",
        );
        let runs = parse(&auto, "cpu.jsonl").expect("n_gpu_layers -1");
        assert_eq!(runs[0].gpu_layers, None);
        let e = parse(
            &REC.replace("\"n_gpu_layers\": 0", "\"n_gpu_layers\": -2"),
            "x.jsonl",
        )
        .expect_err("-2");
        assert!(e.message.starts_with("n_gpu_layers"), "{e}");
    }

    #[test]
    fn bad_numbers_name_file_line_and_field() {
        let bad = format!("{REC}\n{}\n", REC.replace("15.9", "-3"));
        let e = parse(&bad, "x.jsonl").expect_err("negative");
        assert_eq!((e.line, e.path.as_str()), (2, "x.jsonl"));
        assert!(e.message.starts_with("avg_ts: tokens/s"), "{e}");
        let nan = REC.replace("15.9", "NaN");
        let e = parse(&nan, "y.jsonl").expect_err("NaN");
        assert_eq!(e.line, 1);
        let huge = REC.replace("799862912", "1e30");
        let e = parse(&huge, "z.jsonl").expect_err("huge");
        assert!(e.message.starts_with("model_size"), "{e}");
        let e = parse(&format!("{REC}\ngarbage\n"), "g.jsonl").expect_err("garbage");
        assert_eq!((e.line, e.col), (2, 1));
    }

    #[test]
    fn ollama_verbose_lines() {
        let text = "$ ollama run --verbose llama3.2:1b\n>>> hi\nHello!\n\ntotal duration:       1.2s\nprompt eval count:    26 token(s)\nprompt eval rate:     211.38 tokens/s\neval count:           298 token(s)\neval rate:            65.92 tokens/s\n";
        let runs = parse(text, "o.txt").expect("ollama");
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].phase, Phase::Prefill);
        assert_eq!(runs[0].tokens, 26);
        assert_eq!(runs[1].tps, 65.92);
        assert_eq!(runs[1].name.as_deref(), Some("llama3.2:1b"));
        let e = parse("eval rate: inf tokens/s\n", "o.txt").expect_err("inf");
        assert_eq!(e.line, 1);
    }
}
