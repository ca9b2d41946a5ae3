//! What the columns of a benchmark row say beyond their numbers: which device a hardware label
//! names, the run settings in its notes, the build era of its build string, and the backend and
//! quantization its labels spell.

use crate::catalog::Catalog;
use crate::estimate::hardware::{Backend, Hardware};
use crate::estimate::speed::BuildEra;
use crate::estimate::Quant;
use crate::hardware::best_preset;

/// The device a hardware label names, for leave-one-device-out: `(2 GPUs)` dropped, then the
/// preset id it resolves to (`… (Radeon 8060S)` and `… (Radeon 8060S, Strix Halo)` are one
/// chip), else the label itself.
pub(super) fn device_key(label: &str, cat: &Catalog) -> String {
    let label = &without_thread_count(label);
    let base = gpu_count_suffix(label).map_or(label.as_str(), |(head, _)| head);
    best_preset(&cat.hardware, base, None).map_or_else(|| base.to_string(), |p| p.id.clone())
}

/// The preset a row's hardware label names. `X (N GPUs)` with no N-card preset of X falls back
/// to the single card X: a preset's figures are per card, and the row's GPU count makes the box
/// (as the two-card R9700 preset is one R9700's figures with `gpus: 2`).
pub(super) fn row_preset<'a>(cat: &'a Catalog, label: &str) -> Option<&'a Hardware> {
    best_preset(&cat.hardware, label, None).or_else(|| {
        let (head, n) = gpu_count_suffix(label)?;
        if n < 2 {
            return None;
        }
        best_preset(&cat.hardware, head, None).filter(|p| p.gpus <= 1 && p.cluster.is_none())
    })
}

/// `("X", N)` for a label `X (N GPUs)`.
fn gpu_count_suffix(label: &str) -> Option<(&str, u32)> {
    let (head, tail) = label.rsplit_once(" (")?;
    let n = tail.strip_suffix(" GPUs)")?.trim().parse().ok()?;
    Some((head, n))
}

/// A CPU label without its thread count ("Cix CP8180 CPU (12 threads)" → "Cix CP8180 CPU
/// (threads)"): one chip run at several thread counts is one device.
pub(super) fn without_thread_count(label: &str) -> String {
    let words: Vec<&str> = label.split(' ').collect();
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let next = |k: usize| words.get(i + k).map(|w| w.trim_end_matches([')', ',']));
        let count = w.trim_start_matches('(');
        let counts_threads = count.parse::<u32>().is_ok()
            && (next(1) == Some("threads") || next(1) == Some("CPU") && next(2) == Some("threads"));
        if counts_threads {
            if w.starts_with('(') {
                out.push("(");
            }
            continue;
        }
        out.push(w);
    }
    out.join(" ").replace("( ", "(")
}

/// The number after `key ` in a row's notes (`ngl 16; threads 16; n_ubatch 512`).
pub(super) fn note_number(notes: &str, key: &str) -> Option<u32> {
    notes.split([';', ',']).find_map(|part| {
        let mut words = part.split_whitespace();
        (words.next() == Some(key))
            .then(|| words.next()?.trim_end_matches(':').parse().ok())
            .flatten()
    })
}

/// Threads a CPU row ran on: "(12 threads)", "8 CPU threads", "16 threads (host …)" in the
/// hardware label, else `threads N` in the notes.
pub(super) fn cpu_threads(hardware: &str, notes: &str) -> Option<u32> {
    let words: Vec<&str> = hardware
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ','))
        .filter(|w| !w.is_empty())
        .collect();
    let count = |i: usize| words.get(i).and_then(|w| w.parse::<u32>().ok());
    (0..words.len())
        .find_map(|i| match (words.get(i + 1), words.get(i + 2)) {
            (Some(&"threads"), _) | (Some(&"CPU"), Some(&"threads")) => count(i),
            _ => None,
        })
        .or_else(|| note_number(notes, "threads"))
        .filter(|n| *n > 0)
}

/// The build era of a measurement: llama.cpp build numbers below 4000 (before November 2024)
/// and rows dated 2023-2024 ran 2024-era kernels; everything else (and undated rows) today's.
/// A year in the build text ("post dated 2026-03-31", "April 2025") is a date, not a build.
pub fn build_era(build: &str, notes: &str) -> BuildEra {
    if let Some(n) = build_number(build) {
        return if n < 4000 {
            BuildEra::Y2024
        } else {
            BuildEra::Current
        };
    }
    let dated = |keys: &[&str]| keys.iter().any(|k| notes.contains(k) || build.contains(k));
    if dated(&["2023-", "2024-", "(2023", "(2024"]) && !dated(&["2025", "2026"]) {
        BuildEra::Y2024
    } else {
        BuildEra::Current
    }
}

/// A bare four-digit year of llama.cpp's lifetime (2023 on), as dates in build texts write it.
pub(super) fn is_year(token: &str) -> bool {
    token.len() == 4
        && token
            .parse::<u32>()
            .is_ok_and(|y| (2023..=2039).contains(&y))
}

/// A date such as "2026-09-21" or "2026-02-05/06".
pub(super) fn is_date(token: &str) -> bool {
    token
        .split_once('-')
        .is_some_and(|(year, rest)| is_year(year) && rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// The llama.cpp build number a row states: "4426e298 (2824)", "b9174-g0253fb21f", "b8123";
/// a year or a date in the text is not one.
pub(super) fn build_number(build: &str) -> Option<u32> {
    build
        .split(|c: char| c == '(' || c == ')' || c.is_whitespace())
        .filter(|t| !is_date(t) && (!is_year(t) || build.contains(&format!("({t})"))))
        .flat_map(|t| t.split('-'))
        .filter_map(|t| t.strip_prefix('b').unwrap_or(t).parse::<u32>().ok())
        .next()
}

/// What a row's notes say when its prompt's GEMMs ran on rocBLAS's own Tensile kernels by
/// default (ROCBLAS_USE_HIPBLASLT unset on gfx11, where rocBLAS prefers hipBLASLt only on gfx12
/// and Instinct parts): such rows are left out of prefill like the ones that force it.
pub const TENSILE_NOTE: &str = "rocBLAS Tensile GEMMs";

/// First llama.cpp build whose ROCm quantized matmuls (MMQ) run on RDNA's WMMA matrix units:
/// PR #17156 (RDNA4) was merged by 2025-11-25 and #17576 (RDNA3 and 3.5, Strix Halo) by
/// 2025-12-05; before them the int8 dot products ran on the vector units. No ROCm row of the
/// calibration files lies between b6066 (August 2025) and b7205 (2025-11-30), so any boundary in
/// between splits them alike.
pub const ROCM_WMMA_MMQ_BUILD: u32 = 7100;

/// The kernel generation a prefill row's matmuls ran: its build era, except that ROCm builds
/// of 2025 before [`ROCM_WMMA_MMQ_BUILD`] (by number, or dated January–October 2025) ran the
/// pre-WMMA kernels and are fitted with the older era's constants.
pub fn prefill_era(backend: Backend, build: &str, notes: &str) -> BuildEra {
    let era = build_era(build, notes);
    if backend != Backend::Rocm || era == BuildEra::Y2024 {
        return era;
    }
    let before_wmma = match build_number(build) {
        Some(n) => n < ROCM_WMMA_MMQ_BUILD,
        None => {
            let months = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
            ];
            months.iter().enumerate().any(|(i, m)| {
                let iso = format!("2025-{:02}", i + 1);
                let (long, short) = (format!("{m} 2025"), format!("{} 2025", &m[..3]));
                [notes, build]
                    .iter()
                    .any(|t| t.contains(&iso) || t.contains(&long) || t.contains(&short))
            })
        }
    };
    if before_wmma {
        BuildEra::Y2024
    } else {
        BuildEra::Current
    }
}

/// A family name without its minor version or size ("Llama 3.1" → "llama 3", "Qwen3.6" →
/// "qwen3", "gpt-oss-20b" → "gpt oss"): variants of one generation share kernels and shapes, so
/// they are left out together.
pub fn family_key(name: &str) -> String {
    let lower = name.to_ascii_lowercase().replace(['-', '_'], " ");
    let mut words: Vec<&str> = Vec::new();
    for word in lower.split_whitespace().take(3) {
        let is_size = word
            .strip_suffix('b')
            .is_some_and(|n| n.parse::<f64>().is_ok());
        if is_size && !words.is_empty() {
            break;
        }
        words.push(word.split('.').next().unwrap_or(word));
        if word.chars().any(|c| c.is_ascii_digit()) {
            break;
        }
    }
    words.join(" ")
}

pub(super) fn parse_backend(label: &str) -> Option<Backend> {
    let l = label.to_ascii_lowercase();
    if l.contains("cuda") {
        Some(Backend::Cuda)
    } else if l.contains("metal") || l.contains("mtl") || l.contains("mlx") {
        Some(Backend::Metal)
    } else if l.contains("vulkan") {
        Some(Backend::Vulkan)
    } else if l.contains("rocm") || l.contains("hip") {
        Some(Backend::Rocm)
    } else if l.contains("sycl") {
        Some(Backend::Sycl)
    } else if l.contains("cpu") {
        Some(Backend::Cpu)
    } else {
        None
    }
}

/// Whether a quant label names an Unsloth Dynamic file of the widths whose per-tensor types are
/// sourced (`UD-IQ4_XS`, `UD-Q4_K_XL`, `UD-Q5_K_XL`, `UD-Q6_K_XL`; see
/// [`crate::estimate::weights::UD_NON_EXPERT_TYPE`]).
pub fn is_unsloth_dynamic_4_to_6_bit(label: &str) -> bool {
    let l = label.to_ascii_uppercase();
    let core = l.split(" (").next().unwrap_or(&l).trim();
    matches!(
        core.strip_prefix("UD-"),
        Some("IQ4_XS" | "Q4_K_XL" | "Q5_K_XL" | "Q6_K_XL")
    )
}

/// Maps benchmark quant labels (`UD-Q4_K_XL`, `MLX q4 (group 64)`, `Q8_0 (file label)`) to a quant.
pub fn parse_quant_label(label: &str) -> Option<Quant> {
    let l = label.to_ascii_uppercase();
    if l.contains("MLX") {
        // Labels write the width as `q8` or `8-bit`; MXFP4 experts are most of such a file.
        let bits = |n: &str| {
            l.contains(&format!("Q{n}"))
                || l.contains(&format!("{n}-BIT"))
                || l.contains(&format!("{n}BIT"))
                || l.contains(&format!("{n} BIT"))
        };
        return Some(if l.contains("BF16") {
            Quant::BF16
        } else if l.contains("MXFP4") {
            Quant::Mlx4
        } else if bits("8") {
            Quant::Mlx8
        } else if bits("6") || bits("5") {
            Quant::Mlx6
        } else if bits("3") {
            Quant::Mlx3
        } else {
            Quant::Mlx4
        });
    }
    let core = l
        .split(" (")
        .next()
        .unwrap_or(&l)
        .trim()
        .trim_start_matches("UD-");
    let mapped = match core {
        "Q8_K_XL" => "Q8_0",
        "Q6_K_XL" | "Q6_K_L" => "Q6_K",
        "Q5_K_XL" | "Q5_K_L" => "Q5_K_M",
        "Q4_K_XL" | "Q4_K_L" | "Q4_K" => "Q4_K_M",
        "Q3_K_XL" => "Q3_K_M",
        "Q2_K_XL" | "Q2_K_L" => "Q2_K",
        other => other,
    };
    mapped.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlx_labels_give_their_bit_width_however_written() {
        for (label, want) in [
            ("MLX q8 (group 64)", Quant::Mlx8),
            ("MLX 8-bit", Quant::Mlx8),
            ("mlx 6bit", Quant::Mlx6),
            ("MLX q5 g32", Quant::Mlx6),
            ("MLX 3 bit", Quant::Mlx3),
            ("MLX 4-bit (mlx-community)", Quant::Mlx4),
            ("MLX MXFP4 experts, 8-bit rest", Quant::Mlx4),
            ("MLX bf16", Quant::BF16),
        ] {
            assert_eq!(parse_quant_label(label), Some(want), "{label}");
        }
    }

    #[test]
    fn run_settings_come_from_the_notes() {
        let notes = "2026-11-26; synthetic weights; ngl 16; threads 16; n_ubatch 256";
        assert_eq!(note_number(notes, "ngl"), Some(16));
        assert_eq!(note_number(notes, "n_ubatch"), Some(256));
        assert_eq!(note_number(notes, "n_batch"), None);
        assert_eq!(note_number("nngl 5; ngl x", "ngl"), None);
        // A number followed by its explanation, as the `--n-cpu-moe` rows write it.
        let moe = "build b8125; --n-cpu-moe 14: that many layers keep their experts in host memory";
        assert_eq!(note_number(moe, "--n-cpu-moe"), Some(14));
    }

    #[test]
    fn one_cpu_at_several_thread_counts_is_one_device() {
        let cat = Catalog::builtin().unwrap();
        let xeon = |n: u32| {
            device_key(
                &format!("Intel(R) Xeon(R) Processor, {n} threads (host CPU of the NVIDIA H200 machine, a VM)"),
                &cat,
            )
        };
        assert_eq!(xeon(1), xeon(16));
        assert_eq!(
            without_thread_count("Cix CP8180 CPU (12 threads)"),
            "Cix CP8180 CPU (threads)"
        );
        assert_eq!(
            without_thread_count("Radxa Dragon Q8B (8 CPU threads)"),
            "Radxa Dragon Q8B (CPU threads)"
        );
        assert_eq!(without_thread_count("NVIDIA RTX 4090"), "NVIDIA RTX 4090");
    }

    #[test]
    fn cpu_threads_come_from_the_label_then_the_notes() {
        assert_eq!(cpu_threads("Cix CP8180 CPU (12 threads)", ""), Some(12));
        assert_eq!(cpu_threads("Radxa Dragon Q8B (8 CPU threads)", ""), Some(8));
        assert_eq!(
            cpu_threads("Raspberry Pi 5 16GB (Cortex-A76, 4 threads)", ""),
            Some(4)
        );
        assert_eq!(cpu_threads("AMD Ryzen AI Max+ 395", "threads 16"), Some(16));
        assert_eq!(
            cpu_threads("AMD Ryzen AI Max+ 395 (Radeon 8060S)", ""),
            None
        );
    }

    #[test]
    fn rocm_prefill_before_the_wmma_kernels_is_the_older_generation() {
        let old = "around b5863 (not stated per run)";
        assert_eq!(prefill_era(Backend::Rocm, old, ""), BuildEra::Y2024);
        assert_eq!(prefill_era(Backend::Vulkan, old, ""), BuildEra::Current);
        assert_eq!(
            prefill_era(Backend::Rocm, "fa0465954 (7205)", "2025-11-30"),
            BuildEra::Current
        );
        assert_eq!(
            prefill_era(Backend::Rocm, "", "results in the guide (Aug 2025)"),
            BuildEra::Y2024
        );
        assert_eq!(prefill_era(Backend::Rocm, "2f0c2db", ""), BuildEra::Current);
        assert_eq!(prefill_era(Backend::Rocm, "b2824", ""), BuildEra::Y2024);
    }

    #[test]
    fn build_eras_come_from_build_numbers_then_dates() {
        assert_eq!(build_era("4426e298 (2824)", ""), BuildEra::Y2024);
        assert_eq!(build_era("b9174-g0253fb21f", ""), BuildEra::Current);
        assert_eq!(build_era("b8123", "May 2024"), BuildEra::Current);
        assert_eq!(build_era("", "ROCm 6.0; 2024-03"), BuildEra::Y2024);
        assert_eq!(
            build_era("", "results in the guide (Aug 2025)"),
            BuildEra::Current
        );
        assert_eq!(build_era("", ""), BuildEra::Current);
        // Dates in the build text are not build numbers; a build in parentheses still is.
        for dated in [
            "not stated (PR of 2026-09-21; the columns without KleidiAI)",
            "master before PR #15355 (2025-08-15)",
            "CPU build of April 2025 (sweep table's CPU column)",
            "LM Studio version not stated (runs of 2026-02-05/06)",
        ] {
            assert_eq!(build_era(dated, ""), BuildEra::Current, "{dated}");
        }
        assert_eq!(
            build_era("not stated (report of 2024-06-02)", ""),
            BuildEra::Y2024
        );
        assert_eq!(build_era("4426e298 (2024)", ""), BuildEra::Y2024);
    }

    #[test]
    fn a_device_is_one_unit_whatever_its_label_or_card_count() {
        let cat = Catalog::builtin().unwrap();
        let key = |l: &str| device_key(l, &cat);
        // The Strix Halo under both of its labels.
        assert_eq!(
            key("AMD Ryzen AI Max+ 395 (Radeon 8060S)"),
            key("AMD Ryzen AI Max+ 395 (Radeon 8060S, Strix Halo)")
        );
        // A card and its multi-GPU configurations; different cards stay apart.
        let p100 = key("NVIDIA Tesla P100-PCIE-16GB");
        assert_eq!(p100, "tesla-p100-16");
        assert_eq!(key("NVIDIA Tesla P100-PCIE-16GB (4 GPUs)"), p100);
        assert_ne!(key("NVIDIA Tesla V100-PCIE-16GB (2 GPUs)"), p100);
        // No preset: the label without its count.
        assert_eq!(key("Some Board (2 GPUs)"), "Some Board");
        assert_eq!(key("Some Board (GPU)"), "Some Board (GPU)");
    }

    #[test]
    fn a_card_count_without_its_own_preset_reads_as_the_single_card() {
        let cat = Catalog::builtin().unwrap();
        let id = |l: &str| row_preset(&cat, l).map(|p| p.id.as_str());
        // No N-card preset: the single card's figures (per card; the row's count makes the box).
        assert_eq!(
            id("NVIDIA Tesla V100-PCIE-16GB (2 GPUs)"),
            Some("tesla-v100-16")
        );
        assert_eq!(
            id("NVIDIA Tesla P100-PCIE-16GB (4 GPUs)"),
            Some("tesla-p100-16")
        );
        // A two-card preset still wins where there is one.
        assert_eq!(
            id("AMD Radeon AI PRO R9700 (2 GPUs)"),
            Some("2x-radeon-ai-pro-r9700")
        );
        // One GPU, or a board no preset knows, adds nothing.
        assert_eq!(id("Some Board (2 GPUs)"), None);
        assert_eq!(
            gpu_count_suffix("NVIDIA RTX 4090 (1 GPUs)"),
            Some(("NVIDIA RTX 4090", 1))
        );
        assert_eq!(gpu_count_suffix("Some Board (GPU)"), None);
    }

    #[test]
    fn families_drop_minor_versions_and_sizes() {
        assert_eq!(family_key("Llama 3.1"), "llama 3");
        assert_eq!(family_key("Meta-Llama-3-8B"), "meta llama 3");
        assert_eq!(family_key("gpt-oss-20b"), "gpt oss");
        assert_eq!(family_key("TinyLlama-1.1B-1T-OpenOrca"), "tinyllama");
        assert_eq!(family_key("Qwen3.6"), "qwen3");
        assert_eq!(family_key("gemma-4-26B-A4B-it"), "gemma 4");
    }
}
