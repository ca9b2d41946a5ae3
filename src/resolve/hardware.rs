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

/// Words of a kind of device, not of a product: the catalog's CPU presets are memory
/// configurations ("Desktop CPU, 64 GB DDR5-6000 dual channel"), so a chip no preset knows
/// ("Cix CP8180 CPU") must not become one of them through `CPU` alone (its RAM bandwidth was
/// then the preset's, 2.2× the chip's).
const KINDS: [&str; 2] = ["cpu", "desktop"];

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
    let cards = card_count(name);
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    // Words every match must have, and memory sizes (`32 GB`, `16GB`): a card must have its
    // size, a unified-memory chip should (a size no preset of the chip lists still names it).
    let mut want: Vec<String> = Vec::new();
    let mut memory: Vec<String> = Vec::new();
    // `38-core`: required, but no product on its own.
    let mut core_counts: Vec<String> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let next = words.get(i + 1).map(String::as_str);
        let before = i.checked_sub(1).map(|p| words[p].as_str());
        let number = |w: Option<&str>| w.is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()));
        // The count of `(2 GPUs)` (which `cards` holds), `250 W`, `4 threads`; `MacBook Pro`.
        let unit = |w: Option<&str>| w.is_some_and(|w| is_gpu_word(w) || UNITS.contains(&w));
        let counted = (number(Some(word)) && unit(next)) || (unit(Some(word)) && number(before));
        let product_line = word == "pro" && before.is_some_and(|b| b == "mac" || b == "macbook");
        if counted || product_line {
            continue;
        }
        if let Some(size) = memory_size(word, next) {
            memory.push(size);
            continue;
        }
        if number(Some(word)) && next.is_some_and(|n| n == "core" || n == "cores") {
            core_counts.push(word.clone());
        }
        // A word no preset knows (`HBM3`, `PCIe` where no preset says it) is dropped whole.
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
    // Variant words, kinds, short numbers and core counts alone name no product: `Pro` of
    // `Radeon Pro VII` (whose `VII` no preset knows), `CPU` of `Cix CP8180 CPU`, the `1` of
    // `Tegra X1`, the `128-core GPU` of a Jetson Nano; `4090`, `M4` and `Max` do.
    let names_a_product = |w: &String| {
        let number = w.chars().all(|c| c.is_ascii_digit() || c == '.');
        !VARIANTS.contains(&w.as_str())
            && !KINDS.contains(&w.as_str())
            && (!number || w.len() >= 3)
            && !core_counts.contains(w)
    };
    if !want.iter().any(names_a_product) {
        return None;
    }
    let several = |h: &Hardware| h.gpus > 1 || h.cluster.is_some();
    presets
        .iter()
        .filter(|(_, words)| want.iter().all(|w| words.contains(w)))
        // Several cards asked for are never one card (`--gpus N` makes that box).
        .filter(|(h, _)| cards.is_none_or(|n| n < 2 || several(h)))
        // A card's memory is the product (a V100 16 GB is not the 32 GB one); a unified-memory
        // chip comes in several sizes, and the preset's size stands in for the one asked.
        .filter(|(h, words)| h.unified || memory.iter().all(|m| words.contains(m)))
        .map(|(h, words)| {
            let extra: usize = words
                .iter()
                .filter(|w| !want.contains(w) && !memory.contains(w))
                .map(|w| {
                    if VARIANTS.contains(&w.as_str()) {
                        10
                    } else {
                        1
                    }
                })
                .sum();
            let other_memory = 5 * memory.iter().filter(|m| !words.contains(m)).count();
            let units = h.gpus.max(1) * h.cluster.map_or(1, |c| c.nodes.max(1));
            let count = match cards {
                None if several(h) => 100,
                Some(n) if n != units => 50,
                _ => 0,
            };
            (extra + other_memory + count, *h)
        })
        .min_by_key(|(cost, _)| *cost)
        .map(|(_, h)| h)
}

/// How many cards the name asks for: `2x RTX 3090`, `2 × 4090`, `RTX 5090 (2 GPUs)`.
fn card_count(name: &str) -> Option<u32> {
    let t = name.trim_start();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && t[digits..].trim_start().starts_with(['x', 'X', '×']) {
        return t[..digits].parse().ok();
    }
    let words: Vec<&str> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .find(|w| is_gpu_word(w[1]))
        .and_then(|w| w[0].parse().ok())
}

/// Units after a number that is no part of a product's name (`250 W`, `8 threads`).
const UNITS: [&str; 7] = ["w", "watts", "threads", "thread", "ghz", "mhz", "tb"];

/// The memory size a word gives (`16GB`, or `32` before `GB`), if it gives one.
fn memory_size(word: &str, next: Option<&str>) -> Option<String> {
    let number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if number(word) && next.is_some_and(|n| n == "gb" || n == "gib") {
        return Some(word.to_string());
    }
    let digits = word
        .strip_suffix("gb")
        .or_else(|| word.strip_suffix("gib"))?;
    number(digits).then(|| digits.to_string())
}

/// `GPU`, `GPUs`, `cards`: the word after a card count.
fn is_gpu_word(word: &str) -> bool {
    ["gpu", "gpus", "card", "cards"]
        .iter()
        .any(|g| word.eq_ignore_ascii_case(g))
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
