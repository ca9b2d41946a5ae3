//! Model names as people paste them: `Meta-Llama-3.1-8B-Instruct`, `bartowski/…-GGUF`,
//! `hf.co/org/repo:Q4_K_M`, `llama3.1:8b-instruct-q4_K_M`, `mlx-community/…-4bit`, a GGUF file
//! name, or a fine-tune whose name contains a known base.

use super::names::{closest_by_distance, tokens};
use super::NotFound;
use crate::estimate::model::ModelSpec;
use crate::estimate::Quant;

/// A resolved model name.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelMatch<'a> {
    /// The catalog entry.
    pub model: &'a ModelSpec,
    /// The quantization the name selects (`:Q4_K_M`, `-4bit`), if any.
    pub quant: Option<Quant>,
    /// Said to the user when the match is not exact (a fine-tune estimated as its base).
    pub note: Option<String>,
}

/// Words that name a packaging or tuning, not an architecture.
const NOISE: [&str; 12] = [
    "instruct", "it", "chat", "gguf", "mlx", "hf", "awq", "gptq", "exl2", "qat", "imatrix", "i1",
];

/// Resolves `query` against `models`; see the module doc for what is understood.
pub fn resolve_model<'a>(models: &'a [ModelSpec], query: &str) -> Result<ModelMatch<'a>, NotFound> {
    let (name, quant) = split_quant(query);
    if let Some(m) = exact(models, query.trim()) {
        // A listed Ollama tag may itself name the quant (`qwen3:30b-a3b-q8_0`).
        return Ok(ModelMatch {
            model: m,
            quant,
            note: None,
        });
    }
    if let Some(m) = exact(models, &name) {
        return Ok(ModelMatch {
            model: m,
            quant,
            note: None,
        });
    }
    let want = key(&name);
    let forms: Vec<Vec<Vec<String>>> = models.iter().map(model_keys).collect();
    if let Some(i) = forms.iter().position(|f| f.contains(&want)) {
        return Ok(ModelMatch {
            model: &models[i],
            quant,
            note: None,
        });
    }
    // A fine-tune or variant: the longest catalog name whose tokens appear in order in the query
    // (with the size tokens adjacent), e.g. `Hermes-3-Llama-3.1-8B` → Llama 3.1 8B.
    let best = forms
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.iter().map(move |k| (i, k)))
        .filter(|(_, k)| k.len() >= 3 && contains_in_order(&want, k))
        .max_by_key(|(i, k)| (k.len(), std::cmp::Reverse(*i)));
    if let Some((i, _)) = best {
        let m = &models[i];
        return Ok(ModelMatch {
            model: m,
            quant,
            note: Some(format!(
                "'{}' is not in the catalog; estimated with the architecture of {} ({}), whose name it contains",
                query.trim(),
                m.name,
                m.id
            )),
        });
    }
    // A shortened name that only one catalog model's name contains in order, with its size:
    // `nemotron 3 super 120b` → Nemotron 3 Super 120B-A12B. Two or more: a suggestion, no guess.
    let mut shortened = forms
        .iter()
        .enumerate()
        .filter(|(_, f)| want.len() >= 3 && f.iter().any(|k| contains_in_order(k, &want)))
        .map(|(i, _)| i);
    if let (Some(i), None) = (shortened.next(), shortened.next()) {
        return Ok(ModelMatch {
            model: &models[i],
            quant,
            note: None,
        });
    }
    let candidates: Vec<(String, Vec<String>)> = models
        .iter()
        .zip(&forms)
        .map(|(m, f)| (m.id.clone(), f.iter().map(|k| k.join(" ")).collect()))
        .collect();
    Err(NotFound {
        what: "model",
        query: query.to_string(),
        suggestions: closest_by_distance(&want.join(" "), &candidates, 3),
    })
}

/// Id, Hugging Face repo (or its bare name), Ollama tag, name or alias, in any case.
fn exact<'a>(models: &'a [ModelSpec], query: &str) -> Option<&'a ModelSpec> {
    let q = query.to_ascii_lowercase();
    let q_no_latest = q.strip_suffix(":latest").unwrap_or(&q);
    models.iter().find(|m| {
        let repo = m.hf_repo.as_deref().unwrap_or("").to_ascii_lowercase();
        m.id.eq_ignore_ascii_case(&q)
            || repo == q
            || (!repo.is_empty() && repo.rsplit('/').next() == Some(q.as_str()))
            || m.ollama
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&q) || t.eq_ignore_ascii_case(q_no_latest))
            || m.name.eq_ignore_ascii_case(&q)
            || m.aliases.iter().any(|a| a.eq_ignore_ascii_case(&q))
    })
}

/// The name without URL prefix, `.gguf`, split-shard suffix and quantization, and the
/// quantization it names (`:Q4_K_M`, `-q4_K_M`, `-4bit`, `.Q8_0.gguf`).
pub fn split_quant(query: &str) -> (String, Option<Quant>) {
    let mut s = query.trim();
    for prefix in ["https://", "http://", "huggingface.co/", "hf.co/"] {
        if s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix) {
            s = &s[prefix.len()..];
        }
    }
    let mut s = s.to_string();
    if s.to_ascii_lowercase().ends_with(".gguf") {
        s.truncate(s.len() - 5);
    }
    if let Some(pos) = s.to_ascii_lowercase().find("-00001-of-") {
        s.truncate(pos);
    }
    // `repo:QUANT` or an Ollama tag `name:size-variant-quant`.
    if let Some((name, tag)) = s.rsplit_once(':') {
        if let Some(q) = parse_quant(tag) {
            return (name.to_string(), Some(q));
        }
        if let Some((at, q)) = quant_suffix(tag) {
            return (format!("{name}:{}", &tag[..at]), Some(q));
        }
        return (s, None);
    }
    match quant_suffix(&s) {
        Some((at, q)) => (s[..at].to_string(), Some(q)),
        None => (s, None),
    }
}

/// The first separator after which the rest of `s` is a quantization: (its position, the quant).
fn quant_suffix(s: &str) -> Option<(usize, Quant)> {
    s.char_indices()
        .filter(|(_, c)| matches!(c, '-' | '_' | '.'))
        .find_map(|(i, _)| parse_quant(&s[i + 1..]).map(|q| (i, q)))
}

/// A quantization as file and repo names write it (`Q4_K_M`, `UD-Q4_K_XL`, `4bit`, `bf16`).
fn parse_quant(s: &str) -> Option<Quant> {
    let lower = s.to_ascii_lowercase();
    match lower.as_str() {
        "3bit" => return Some(Quant::Mlx3),
        "6bit" => return Some(Quant::Mlx6),
        "" | "mlx" => return None,
        _ => {}
    }
    if let Ok(q) = s.parse::<Quant>() {
        return Some(q);
    }
    let starts_like_gguf =
        lower.starts_with('q') || lower.starts_with("iq") || lower.starts_with("ud");
    starts_like_gguf
        .then(|| crate::validate::parse_quant_label(s))
        .flatten()
}

/// Normalised tokens of a model name: org, `Meta-` prefix and packaging words dropped.
fn key(name: &str) -> Vec<String> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let mut t = tokens(base);
    if t.first().is_some_and(|w| w == "meta") && t.len() > 1 {
        t.remove(0);
    }
    t.retain(|w| !NOISE.contains(&w.as_str()));
    t
}

/// Every normalised form of a catalog model's names.
fn model_keys(m: &ModelSpec) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let names = [m.id.as_str(), m.name.as_str()]
        .into_iter()
        .chain(m.hf_repo.as_deref())
        .chain(m.ollama.iter().map(String::as_str))
        .chain(m.aliases.iter().map(String::as_str));
    for n in names {
        let k = key(&split_quant(n).0);
        if !k.is_empty() && !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// `needle`'s tokens appear in `hay` in order, and its last two (the size: `8`, `b`) adjacent.
fn contains_in_order(hay: &[String], needle: &[String]) -> bool {
    let mut pos = 0;
    let mut last = None;
    for (n, tok) in needle.iter().enumerate() {
        let Some(found) = hay[pos..].iter().position(|h| h == tok) else {
            return false;
        };
        let at = pos + found;
        if n + 1 == needle.len() && last.is_some_and(|l| l + 1 != at) {
            return false;
        }
        last = Some(at);
        pos = at + 1;
    }
    // A size must be present: a number token followed by `b`/`m` (billions, millions).
    needle.windows(2).any(|w| {
        w[0].chars().all(|c| c.is_ascii_digit() || c == '.') && (w[1] == "b" || w[1] == "m")
    })
}
