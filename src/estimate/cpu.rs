//! Kinds of CPU cores, as far as llama.cpp's CPU kernels run differently on them (the int8
//! instructions its quantized dot products use: AVX2, VNNI, AMX tiles, NEON): how many
//! weight bytes one thread dequantizes and multiplies per second in decode, and how fast its
//! int8 matmuls run in prefill (`BackendConstants::cpu_thread_gbps` / `cpu_thread_tflops`,
//! fitted per class, docs/accuracy.md). Pure: the class comes in from detection or a row label.

use serde::{Deserialize, Serialize};

/// A family of CPU cores with its own per-thread decode and prefill rates.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum CpuClass {
    /// x86-64 cores with AVX2 but no VNNI or AMX int8 units (Haswell to Comet Lake, Zen 1-3):
    /// older desktops and laptops, many servers and VMs.
    #[default]
    X86,
    /// x86-64 cores with AMX int8 tiles (Intel Sapphire Rapids and later Xeons): llama.cpp runs
    /// its quantized matmuls on the tiles, several times the AVX-512 rate.
    X86Amx,
    /// Apple M-series performance cores: wide NEON cores (dot product, i8mm from M2) whose one
    /// thread streams far more memory than an x86 core does.
    Apple,
    /// Other Arm cores (Cortex-A/X, Neoverse, Kryo, Oryon): NEON with dot product or i8mm.
    Arm,
    /// x86-64 cores with VNNI int8 dot products (AVX-VNNI from Alder Lake, AVX512-VNNI from Ice
    /// Lake and Zen 4) but no AMX: one `vpdpbusd` does what AVX2 needs `vpmaddubsw`, `vpmaddwd`
    /// and `vpaddd` for, and llama.cpp's quantized dot products use it where the build has it
    /// (its `alderlake`, `icelake` and `zen4` CPU variants).
    X86Vnni,
}

/// Number of CPU classes (length of the per-class constant arrays).
pub const CPU_CLASSES: usize = 5;

impl CpuClass {
    /// Every class, in index order.
    pub const ALL: [CpuClass; CPU_CLASSES] = [
        CpuClass::X86,
        CpuClass::X86Amx,
        CpuClass::Apple,
        CpuClass::Arm,
        CpuClass::X86Vnni,
    ];

    /// Index into the per-class constant arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Short name for notes and tables.
    pub fn name(self) -> &'static str {
        match self {
            CpuClass::X86 => "x86 (AVX2/AVX-512)",
            CpuClass::X86Amx => "x86 with AMX",
            CpuClass::Apple => "Apple M-series",
            CpuClass::Arm => "Arm (NEON)",
            CpuClass::X86Vnni => "x86 with VNNI",
        }
    }

    /// The class a CPU description names: a brand string, a row's hardware label and notes, or
    /// `/proc/cpuinfo` flags. `None` when nothing in it says which.
    pub fn from_text(text: &str) -> Option<CpuClass> {
        let lower = text.to_ascii_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .filter(|w| !w.is_empty())
            .collect();
        let has = |w: &str| words.contains(&w);
        let contains = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
        if has("apple") {
            return Some(CpuClass::Apple);
        }
        if has("amx") || has("amx_int8") {
            return Some(CpuClass::X86Amx);
        }
        // `/proc/cpuinfo` spells them `avx_vnni` and `avx512_vnni`; row notes `isa avx-vnni`.
        if ["avx_vnni", "avx512_vnni", "avx-vnni", "avx512-vnni", "vnni"]
            .iter()
            .any(|w| has(w))
        {
            return Some(CpuClass::X86Vnni);
        }
        let arm_words = [
            "cix",
            "radxa",
            "snapdragon",
            "qualcomm",
            "graviton",
            "kryo",
            "oryon",
        ];
        let arm_words_2 = [
            "rockchip", "rk3588", "arduino", "aarch64", "arm64", "asimd", "jetson",
        ];
        if contains(&["cortex-", "neoverse", "raspberry pi", "ampere altra"])
            || arm_words.iter().chain(&arm_words_2).any(|w| has(w))
        {
            return Some(CpuClass::Arm);
        }
        let x86_words = [
            "intel",
            "amd",
            "xeon",
            "epyc",
            "ryzen",
            "threadripper",
            "x86_64",
        ];
        if x86_words.iter().any(|w| has(w)) || has("avx2") || has("avx") {
            return Some(CpuClass::X86);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_brands_and_flags_name_their_class() {
        let cases = [
            ("Apple M4 Pro (CPU cores)", Some(CpuClass::Apple)),
            (
                "AMD EPYC (2-vCPU VM, the project's shared build machine)",
                Some(CpuClass::X86),
            ),
            (
                "Intel(R) Xeon(R) Processor, 16 threads",
                Some(CpuClass::X86),
            ),
            (
                "flags : fpu avx2 avx512f amx_tile amx_int8",
                Some(CpuClass::X86Amx),
            ),
            (
                "Intel(R) Xeon(R) Processor; isa avx512 amx",
                Some(CpuClass::X86Amx),
            ),
            (
                "Raspberry Pi 5 16GB (Cortex-A76, 4 threads)",
                Some(CpuClass::Arm),
            ),
            ("Cix CP8180 CPU (12 threads)", Some(CpuClass::Arm)),
            (
                "Features : fp asimd evtstrm aes asimddp i8mm",
                Some(CpuClass::Arm),
            ),
            ("Intel Core i9-13900HX", Some(CpuClass::X86)),
            ("flags : fpu avx2 avx_vnni sha_ni", Some(CpuClass::X86Vnni)),
            (
                "flags : fpu avx2 avx512f avx512_vnni",
                Some(CpuClass::X86Vnni),
            ),
            (
                "Intel Core i3-1315U (Framework 12, 2 threads) isa avx-vnni",
                Some(CpuClass::X86Vnni),
            ),
            ("flags : fpu avx avx2 fma", Some(CpuClass::X86)),
            ("Example (example)", None),
        ];
        for (text, class) in cases {
            assert_eq!(CpuClass::from_text(text), class, "{text}");
        }
        for (i, c) in CpuClass::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
    }
}
