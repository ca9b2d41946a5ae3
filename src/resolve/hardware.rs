//! Hardware names: ids, names without the vendor (`RTX 4090`, `rtx4090`, `4090`), chips
//! (`m4 max`, `Ryzen AI Max+ 395`), platforms (`DGX Spark`, `Strix Halo`), memory tiers (`48`).
//! One preset matcher, also used by detection and `validate`.

use super::names::{closest_by_distance, tokens};
use super::NotFound;
use crate::estimate::hardware::{Backend, Hardware, HardwareKind};

/// Words that say nothing about which product it is. Apple's product lines (`Mac mini`,
/// `MacBook Air`, `Mac Studio`) carry no chip: the chip words (`M4`, `Pro`) decide.
const NOISE: [&str; 19] = [
    "nvidia", "geforce", "amd", "radeon", "apple", "intel", "graphics", "gpu", "core", "gb", "gib",
    "with", "x", "mac", "macbook", "imac", "mini", "air", "studio",
];

/// Words that make a different product (a 4090 Laptop is not a 4090; a 3060 Ti is not a 3060).
const VARIANTS: [&str; 14] = [
    "ti",
    "super",
    "xt",
    "xtx",
    "d",
    "laptop",
    "mobile",
    "max",
    "pro",
    "ultra",
    "q",
    "s",
    "ada",
    "blackwell",
];

/// `this`, `this-machine`, `local`: the detected machine (every command and the app accept it).
pub fn is_this_machine(name: &str) -> bool {
    matches!(
        name.trim().to_ascii_lowercase().as_str(),
        "this" | "this-machine" | "this machine" | "local"
    )
}

/// Resolves a hardware name against `hardware` (presets and tiers). `this` is not handled here:
/// it needs detection, which the callers do.
pub fn resolve_hardware<'a>(
    hardware: &'a [Hardware],
    query: &str,
) -> Result<&'a Hardware, NotFound> {
    let q = query.trim().to_ascii_lowercase();
    if let Some(h) = hardware
        .iter()
        .find(|h| h.id.eq_ignore_ascii_case(&q) || h.name.eq_ignore_ascii_case(&q))
    {
        return Ok(h);
    }
    let digits = q
        .trim_start_matches("tier-")
        .trim_end_matches("gib")
        .trim_end_matches("gb")
        .trim();
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let tier = format!("tier-{digits}");
        if let Some(h) = hardware.iter().find(|h| h.id == tier) {
            return Ok(h);
        }
    }
    if let Some(h) = match_preset(hardware, query, None) {
        return Ok(h);
    }
    let candidates: Vec<(String, Vec<String>)> = hardware
        .iter()
        .map(|h| {
            (
                h.id.clone(),
                vec![norm(&h.id).join(" "), norm(&h.name).join(" ")],
            )
        })
        .collect();
    Err(NotFound {
        what: "hardware",
        query: query.to_string(),
        suggestions: closest_by_distance(&norm(query).join(" "), &candidates, 3),
    })
}

/// The preset a device or product name means (`NVIDIA GeForce RTX 4090`, `4090`, `m4 max`):
/// every word of the name must be in the preset's id or name (words no preset uses, like `HBM3`,
/// are ignored); among those, the one with the fewest other product words wins, a multi-GPU
/// preset only when the name asks for it. `None` when nothing fits, rather than a wrong card.
pub fn match_preset<'a>(
    hardware: &'a [Hardware],
    name: &str,
    backend: Option<Backend>,
) -> Option<&'a Hardware> {
    let presets: Vec<(&Hardware, Vec<String>)> = hardware
        .iter()
        .filter(|h| h.kind == HardwareKind::Preset && backend.is_none_or(|b| h.backend == b))
        .map(|h| {
            let mut words = norm(&h.name);
            words.extend(norm(&h.id));
            (h, words)
        })
        .collect();
    let known = |w: &String| {
        VARIANTS.contains(&w.as_str()) || presets.iter().any(|(_, words)| words.contains(w))
    };
    // A word no preset knows (`HBM3`, `PCIe` where no preset says it) is dropped whole.
    let mut want: Vec<String> = Vec::new();
    for word in name.split(|c: char| !c.is_alphanumeric() && c != '.') {
        let t = norm(word);
        if t.first()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()) || known(w))
        {
            for w in t {
                if !want.contains(&w) {
                    want.push(w);
                }
            }
        }
    }
    if want.is_empty() {
        return None;
    }
    let asks_several = several_cards(name);
    presets
        .iter()
        .filter(|(_, words)| want.iter().all(|w| words.contains(w)))
        .map(|(h, words)| {
            let extra: usize = words
                .iter()
                .filter(|w| !want.contains(w))
                .map(|w| {
                    if VARIANTS.contains(&w.as_str()) {
                        10
                    } else {
                        1
                    }
                })
                .sum();
            let several = if (h.gpus > 1 || h.cluster.is_some()) && !asks_several {
                100
            } else {
                0
            };
            (extra + several, *h)
        })
        .min_by_key(|(cost, _)| *cost)
        .map(|(_, h)| h)
}

/// `2x RTX 3090`, `2 × 4090`: the name asks for several cards.
fn several_cards(name: &str) -> bool {
    let t = name.trim_start();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && t[digits..].trim_start().starts_with(['x', 'X', '×'])
}

/// Tokens of a hardware name without the noise words, each once.
fn norm(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tokens(s) {
        if !NOISE.contains(&t.as_str()) && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}
