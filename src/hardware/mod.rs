//! This machine: detection of memory, CPU and GPUs. Fails soft: a machine where nothing can be
//! detected still gets a CPU-only description, with notes saying what was guessed.

pub mod detect;
pub mod parse;

pub use detect::{detect, Detection};

use crate::estimate::hardware::{Backend, Hardware, HardwareKind};

/// The catalog preset whose name best matches a device name (shared tokens, e.g. "RTX 4090").
/// Every distinguishing token of the device must be in the preset's name.
pub fn best_preset<'a>(
    presets: &'a [Hardware],
    device: &str,
    backend: Option<Backend>,
) -> Option<&'a Hardware> {
    let want = parse::name_tokens(device);
    if want.is_empty() {
        return None;
    }
    presets
        .iter()
        .filter(|p| p.kind == HardwareKind::Preset && backend.is_none_or(|b| p.backend == b))
        .filter_map(|p| {
            let have = parse::name_tokens(&p.name);
            // Every product token of the device (4090, m1, a100) must appear in the preset.
            if !want
                .iter()
                .filter(|t| parse::is_model_token(t))
                .all(|t| have.contains(t))
            {
                return None;
            }
            let shared = want.iter().filter(|t| have.contains(t)).count();
            let extra = have
                .iter()
                .filter(|t| !want.contains(t) && !t.chars().all(|c| c.is_ascii_digit()))
                .count();
            (shared >= want.len().min(2) && shared > 0).then_some((
                shared,
                std::cmp::Reverse(extra),
                p,
            ))
        })
        .max_by_key(|(s, e, _)| (*s, *e))
        .map(|(_, _, p)| p)
}
