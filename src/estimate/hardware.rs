//! A machine as the estimator sees it: memory pools, bandwidths, compute. Pure data.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::machine::MachineSpeed;
use super::units::{GB, GIB};

/// The llama.cpp backend the GPU (or CPU) runs.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Cuda,
    Rocm,
    Metal,
    Vulkan,
    Sycl,
    Cpu,
}

impl Backend {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Cuda => "cuda",
            Backend::Rocm => "rocm",
            Backend::Metal => "metal",
            Backend::Vulkan => "vulkan",
            Backend::Sycl => "sycl",
            Backend::Cpu => "cpu",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cuda" | "nvidia" => Ok(Backend::Cuda),
            "rocm" | "hip" => Ok(Backend::Rocm),
            "metal" | "mps" | "mlx" => Ok(Backend::Metal),
            "vulkan" => Ok(Backend::Vulkan),
            "sycl" => Ok(Backend::Sycl),
            "cpu" => Ok(Backend::Cpu),
            other => Err(format!(
                "unknown backend '{other}' (known: cuda, rocm, metal, vulkan, sycl, cpu)"
            )),
        }
    }
}

/// Catalog spelling of memory: GiB as a number (vendors' "24 GB" of VRAM or RAM is 24 GiB).
mod gib {
    use super::*;
    pub fn serialize<S: Serializer>(bytes: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(*bytes as f64 / GIB as f64)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let v = f64::deserialize(d)?;
        if !(v.is_finite() && v >= 0.0) {
            return Err(serde::de::Error::custom(format!(
                "memory must be a finite GiB count ≥ 0, got {v}"
            )));
        }
        Ok((v * GIB as f64).round() as u64)
    }
}

mod opt_gib {
    use super::*;
    pub fn serialize<S: Serializer>(bytes: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => s.serialize_some(&(*b as f64 / GIB as f64)),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        let v = Option::<f64>::deserialize(d)?;
        Ok(v.map(|g| (g.max(0.0) * GIB as f64).round() as u64))
    }
}

/// Where a hardware entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HardwareKind {
    /// A named product.
    #[default]
    Preset,
    /// A plain memory tier on a typical platform.
    Tier,
    /// Detected on this machine.
    Detected,
    /// Given on the command line.
    Custom,
}

/// A machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hardware {
    /// Stable id, e.g. `rtx-4090`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Preset, tier, detected or custom.
    #[serde(default)]
    pub kind: HardwareKind,
    /// Backend llama.cpp uses on it.
    pub backend: Backend,
    /// CPU and GPU share one memory pool (Apple Silicon, DGX Spark, Strix Halo).
    #[serde(default)]
    pub unified: bool,
    /// Memory of one GPU (or the unified pool, or RAM for CPU-only), bytes.
    #[serde(rename = "memory_gib", with = "gib")]
    pub memory: u64,
    /// Number of identical GPUs (layer split across them).
    #[serde(default = "one")]
    pub gpus: u32,
    /// Peak bandwidth of that memory, GB/s.
    pub bandwidth_gbps: f64,
    /// Host RAM for discrete-GPU machines, bytes (0: unknown).
    #[serde(rename = "ram_gib", with = "gib", default)]
    pub ram: u64,
    /// Host RAM bandwidth, GB/s (for offloaded layers).
    #[serde(default)]
    pub ram_bandwidth_gbps: f64,
    /// Dense FP16 tensor throughput, TFLOPS (prefill).
    #[serde(default)]
    pub fp16_tflops: f64,
    /// Non-tensor (vector) FP32 throughput, TFLOPS: the units that dequantize weights in a
    /// quantized GEMV (decode). `None`: not known (decode then keeps the backend's saturation
    /// alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp32_tflops: Option<f64>,
    /// NVIDIA compute capability (major, minor), as NVML or NVIDIA's CUDA GPU table gives it:
    /// llama.cpp runs cards below 7.0 without CUDA graphs (below 8.0 before b10042) and emulates
    /// `dp4a` below 6.1
    /// ([`super::speed::BackendConstants::for_hardware`]). `None`: not recorded, taken as a
    /// current card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_capability: Option<(u32, u32)>,
    /// Kind of CPU cores, for a CPU-only machine: it sets how fast each thread decodes and
    /// multiplies ([`super::cpu::CpuClass`]). `None`: not known, taken as x86.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_class: Option<super::cpu::CpuClass>,
    /// Metal's recommended working-set size when known, bytes.
    #[serde(rename = "working_set_gib", with = "opt_gib", default)]
    pub working_set: Option<u64>,
    /// Street price, USD.
    #[serde(default)]
    pub price_usd: Option<f64>,
    /// Power draw under load, W.
    #[serde(default)]
    pub power_w: Option<f64>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: Option<String>,
    /// Different cards in one box (`--gpus rtx-5090,rtx-5080`), in device order; empty when the
    /// machine has `gpus` identical cards of `memory` and `bandwidth_gbps`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<GpuCard>,
    /// Several of this machine joined by a network (`--nodes N --link L`, or a cluster preset
    /// such as `2x-dgx-spark`); the other figures are one node's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<super::cluster::Cluster>,
    /// This machine's own speed from `fitcheck calibrate`: set on the detected machine only,
    /// never read from or written to catalog files.
    #[serde(skip)]
    pub measured: Option<MachineSpeed>,
}

/// One card of a mixed-GPU box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuCard {
    /// Preset id, e.g. `rtx-5080`.
    pub id: String,
    /// Memory of the card, bytes.
    #[serde(rename = "memory_gib", with = "gib")]
    pub memory: u64,
    /// Peak bandwidth, GB/s.
    pub bandwidth_gbps: f64,
    /// Dense FP16 tensor throughput, TFLOPS.
    pub fp16_tflops: f64,
    /// Vector FP32 throughput, TFLOPS, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp32_tflops: Option<f64>,
}

fn one() -> u32 {
    1
}

impl Hardware {
    /// A machine of one device of `memory` bytes at `bandwidth_gbps`, its host RAM the same
    /// pool and bandwidth, and nothing else known: callers set what they know on top of it.
    pub fn new(id: &str, name: &str, backend: Backend, memory: u64, bandwidth_gbps: f64) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            kind: HardwareKind::Custom,
            backend,
            unified: false,
            memory,
            gpus: 1,
            bandwidth_gbps,
            ram: memory,
            ram_bandwidth_gbps: bandwidth_gbps,
            fp16_tflops: 0.0,
            fp32_tflops: None,
            compute_capability: None,
            cpu_class: None,
            working_set: None,
            price_usd: None,
            power_w: None,
            source: None,
            cards: Vec::new(),
            cluster: None,
            measured: None,
        }
    }

    /// Has a GPU-class accelerator.
    pub fn has_gpu(&self) -> bool {
        self.backend != Backend::Cpu
    }

    /// Board power of one GPU, W (0 when unknown or without a GPU): a preset's `power_w` covers
    /// all its cards (a unified machine's, its whole package).
    pub fn card_power_w(&self) -> f64 {
        match self.power_w {
            Some(w) if self.has_gpu() && w > 0.0 => w / f64::from(self.gpus.max(1)),
            _ => 0.0,
        }
    }

    /// Whether llama.cpp runs this GPU's prefill matmuls on its vector units rather than its
    /// matrix engines: Intel GPUs on Vulkan and SYCL. The Vulkan backend enables cooperative matrices on Intel only for
    /// Xe2 (`ggml_vk_khr_cooperative_matrix_support`: Arc A-series and Meteor Lake run the scalar
    /// `mul_mm` shaders), and its flash attention runs the scalar path on every Intel GPU; the
    /// Xe2 cards' rows (Arc B580, Pro B70, Lunar Lake, on Vulkan and SYCL) run at two to three
    /// times their FP32 rate, never near the XMX peak (eight times), so none is taken as using it.
    pub fn prefill_on_vector_units(&self) -> bool {
        self.is_intel_gpu() && matches!(self.backend, Backend::Vulkan | Backend::Sycl)
    }

    /// FP32 vector TFLOPS of the GPU, 0 when unknown or on a CPU.
    pub fn vector_tflops(&self) -> f64 {
        if self.has_gpu() {
            self.fp32_tflops.unwrap_or(0.0)
        } else {
            0.0
        }
    }

    /// Whether the GPU is Intel's (Arc cards, Core Ultra iGPUs): every Intel GPU's product name
    /// says so, on presets, detected cards and measurement labels alike.
    pub fn is_intel_gpu(&self) -> bool {
        self.has_gpu() && self.name.to_ascii_lowercase().contains("intel")
    }

    /// Bytes one device can really allocate: Metal's working-set cap, the OS share of a
    /// unified pool, or the whole card.
    pub fn usable_per_device(&self) -> u64 {
        if !self.has_gpu() {
            return self.host_usable();
        }
        if self.unified {
            if self.backend == Backend::Metal {
                return self
                    .working_set
                    .unwrap_or_else(|| metal_working_set(self.memory));
            }
            return self.memory.saturating_sub(2 * GIB + self.memory / 20);
        }
        self.memory
    }

    /// Host RAM the model may use: RAM minus an OS/app reserve (2.5 GB + 10 %); a discrete-GPU
    /// machine whose RAM is unknown is assumed to have [`ASSUMED_HOST_RAM`].
    pub fn host_usable(&self) -> u64 {
        let ram = if self.unified || !self.has_gpu() {
            self.memory
        } else if self.ram == 0 {
            ASSUMED_HOST_RAM
        } else {
            self.ram
        };
        ram.saturating_sub(5 * GB / 2 + ram / 10)
    }

    /// Usable bytes of each GPU in device order (one entry for a unified or CPU machine).
    pub fn card_usable(&self) -> Vec<u64> {
        if self.cards.is_empty() || self.unified || !self.has_gpu() {
            let n = if self.has_gpu() && !self.unified {
                self.gpus.max(1)
            } else {
                1
            };
            return vec![self.usable_per_device(); n as usize];
        }
        self.cards.iter().map(|c| c.memory).collect()
    }

    /// Usable device bytes summed over the GPUs.
    pub fn usable_total(&self) -> u64 {
        self.card_usable()
            .iter()
            .fold(0u64, |a, b| a.saturating_add(*b))
    }

    /// (bandwidth GB/s, FP16 TFLOPS, FP32 TFLOPS or 0 when unknown) of one card that would take
    /// as long as the layer split does: a token visits the cards in turn, so time = Σ bytes_k /
    /// bw_k and the effective rate is the load-weighted harmonic mean (the slow card's share
    /// dominates). `loads` are the bytes each card holds (weights + KV); identical cards return
    /// their own figures.
    pub fn split_rates(&self, loads: &[u64]) -> (f64, f64, f64) {
        let fp32 = |x: Option<f64>| x.unwrap_or(0.0);
        if self.cards.is_empty() || self.unified {
            return (
                self.bandwidth_gbps,
                self.fp16_tflops,
                fp32(self.fp32_tflops),
            );
        }
        let total: f64 = loads.iter().map(|&b| b as f64).sum();
        if total <= 0.0 {
            let first = &self.cards[0];
            return (
                first.bandwidth_gbps,
                first.fp16_tflops,
                fp32(first.fp32_tflops),
            );
        }
        let harmonic = |rate: fn(&GpuCard) -> f64| {
            let t: f64 = self
                .cards
                .iter()
                .zip(loads)
                .map(|(c, &b)| b as f64 / rate(c).max(1e-3))
                .sum();
            total / t
        };
        // One card of unknown FP32 rate leaves the split's rate unknown.
        let all_fp32 = self.cards.iter().all(|c| c.fp32_tflops.is_some());
        (
            harmonic(|c| c.bandwidth_gbps),
            harmonic(|c| c.fp16_tflops),
            if all_fp32 {
                harmonic(|c| c.fp32_tflops.unwrap_or(0.0))
            } else {
                0.0
            },
        )
    }

    /// Host bandwidth, GB/s (falls back to the device's for unified/CPU machines).
    pub fn host_bandwidth(&self) -> f64 {
        if self.unified || !self.has_gpu() || self.ram_bandwidth_gbps <= 0.0 {
            if self.has_gpu() && !self.unified {
                return 60.0;
            }
            return self.bandwidth_gbps;
        }
        self.ram_bandwidth_gbps
    }
}

/// A box holding `cards` (presets, in device order; a `2 ×` preset counts as its cards) with the
/// host (RAM, its bandwidth) of `host`. All-identical cards give an ordinary `n ×` machine.
pub fn mixed_box(host: &Hardware, cards: &[&Hardware]) -> Result<Hardware, String> {
    let first = cards.first().ok_or("an empty GPU list")?;
    for c in cards {
        if c.cluster.is_some() {
            return Err(format!("'{}' is a cluster, not a card", c.id));
        }
        if !c.has_gpu() || c.unified {
            return Err(format!(
                "'{}' is not a discrete GPU (unified or CPU machines cannot be cards)",
                c.id
            ));
        }
        if c.backend != first.backend {
            return Err(format!(
                "'{}' is {} but '{}' is {}: one llama.cpp backend drives all the cards",
                c.id, c.backend, first.id, first.backend
            ));
        }
    }
    let expanded: Vec<&Hardware> = cards
        .iter()
        .flat_map(|c| std::iter::repeat_n(*c, c.gpus.max(1) as usize))
        .collect();
    let gpus = expanded.len() as u32;
    let same = expanded.iter().all(|c| {
        c.memory == first.memory
            && c.bandwidth_gbps == first.bandwidth_gbps
            && c.fp16_tflops == first.fp16_tflops
            && c.fp32_tflops == first.fp32_tflops
            && c.compute_capability == first.compute_capability
    });
    // A `2 ×` preset's price and power already cover its cards.
    let sum = |f: fn(&Hardware) -> Option<f64>| cards.iter().map(|c| f(c)).sum::<Option<f64>>();
    let names: Vec<String> = if same && cards.iter().all(|c| c.id == first.id) && gpus > 1 {
        vec![format!("{gpus} × {}", first.name)]
    } else {
        cards.iter().map(|c| c.name.clone()).collect()
    };
    let ids: Vec<String> = cards.iter().map(|c| c.id.clone()).collect();
    let (ram, ram_bw) = if host.has_gpu() && !host.unified {
        (host.ram, host.ram_bandwidth_gbps)
    } else {
        (first.ram, first.ram_bandwidth_gbps)
    };
    Ok(Hardware {
        id: ids.join("+"),
        name: names.join(" + "),
        kind: HardwareKind::Custom,
        backend: first.backend,
        unified: false,
        memory: first.memory,
        gpus,
        bandwidth_gbps: first.bandwidth_gbps,
        ram,
        ram_bandwidth_gbps: ram_bw,
        fp16_tflops: first.fp16_tflops,
        fp32_tflops: first.fp32_tflops,
        // The oldest card sets it: its blocks pay the launches (and emulation) it runs with.
        compute_capability: cards.iter().filter_map(|c| c.compute_capability).min(),
        cpu_class: None,
        working_set: None,
        price_usd: sum(|c| c.price_usd),
        power_w: sum(|c| c.power_w),
        source: Some(format!("cards {}", ids.join(", "))),
        cards: if same {
            Vec::new()
        } else {
            expanded
                .iter()
                .map(|c| GpuCard {
                    id: c.id.clone(),
                    memory: c.usable_per_device(),
                    bandwidth_gbps: c.bandwidth_gbps,
                    fp16_tflops: c.fp16_tflops,
                    fp32_tflops: c.fp32_tflops,
                })
                .collect()
        },
        cluster: None,
        measured: None,
    })
}

/// Host RAM assumed for a discrete GPU when the machine's RAM is not given.
pub const ASSUMED_HOST_RAM: u64 = 32 * GIB;

/// Metal's `recommendedMaxWorkingSetSize`: 2/3 of RAM up to 36 GiB, 3/4 above.
pub fn metal_working_set(ram: u64) -> u64 {
    if ram <= 36 * GIB {
        ram / 3 * 2
    } else {
        ram / 4 * 3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metal_cap_matches_observed_values() {
        // 16 GB Mac reports 10922.67 MiB; 64 GB ≈ 48 GiB.
        assert_eq!(metal_working_set(16 * GIB) / (1 << 20), 10922);
        assert_eq!(metal_working_set(64 * GIB), 48 * GIB);
    }

    fn card(id: &str, gib: u64, bw: f64, backend: Backend, unified: bool) -> Hardware {
        Hardware {
            kind: HardwareKind::Preset,
            unified,
            ram: 64 * GIB,
            ram_bandwidth_gbps: 90.0,
            fp16_tflops: bw / 10.0,
            price_usd: Some(100.0),
            ..Hardware::new(id, id, backend, gib * GIB, bw)
        }
    }

    #[test]
    fn a_mixed_box_keeps_each_card_and_identical_cards_stay_a_plain_split() {
        let big = card("big", 32, 1792.0, Backend::Cuda, false);
        let small = card("small", 16, 960.0, Backend::Cuda, false);
        let mixed = mixed_box(&big, &[&big, &small]).unwrap();
        assert_eq!((mixed.gpus, mixed.cards.len()), (2, 2));
        assert_eq!(mixed.card_usable(), vec![32 * GIB, 16 * GIB]);
        assert_eq!(mixed.usable_total(), 48 * GIB);
        assert_eq!(mixed.price_usd, Some(200.0));
        let twin = mixed_box(&big, &[&big, &big]).unwrap();
        assert_eq!((twin.gpus, twin.cards.len()), (2, 0));
        assert_eq!(twin.card_usable(), vec![32 * GIB; 2]);
        let spark = card("spark", 128, 273.0, Backend::Cuda, true);
        assert!(mixed_box(&big, &[&big, &spark])
            .unwrap_err()
            .contains("spark"));
        let amd = card("amd", 24, 960.0, Backend::Rocm, false);
        assert!(mixed_box(&big, &[&big, &amd])
            .unwrap_err()
            .contains("backend"));
    }

    #[test]
    fn a_split_runs_at_the_load_weighted_harmonic_rate() {
        let big = card("big", 32, 1800.0, Backend::Cuda, false);
        let small = card("small", 16, 900.0, Backend::Cuda, false);
        let mixed = mixed_box(&big, &[&big, &small]).unwrap();
        // 2 GB at 1800 GB/s + 1 GB at 900 GB/s = 2/900 s for 3 GB: 1350 GB/s.
        let (bw, tflops, fp32) = mixed.split_rates(&[2_000_000_000, 1_000_000_000]);
        assert!((bw - 1350.0).abs() < 1e-9, "{bw}");
        assert!((tflops - 135.0).abs() < 1e-9, "{tflops}");
        // A card of unknown FP32 rate leaves the split's unknown (0).
        assert_eq!(fp32, 0.0);
        let with_fp32 = |mut h: Hardware, t: f64| {
            h.fp32_tflops = Some(t);
            h
        };
        let (big32, small32) = (with_fp32(big.clone(), 100.0), with_fp32(small, 50.0));
        let mixed = mixed_box(&big32, &[&big32, &small32]).unwrap();
        let (_, _, fp32) = mixed.split_rates(&[2_000_000_000, 1_000_000_000]);
        assert!((fp32 - 75.0).abs() < 1e-9, "{fp32}");
        // Identical cards are their own rate whatever the loads.
        assert_eq!(big.split_rates(&[5, 7]), (1800.0, 180.0, 0.0));
    }

    #[test]
    fn backend_parses() {
        assert_eq!("CUDA".parse::<Backend>(), Ok(Backend::Cuda));
        assert!("tpu".parse::<Backend>().unwrap_err().contains("tpu"));
    }
}
