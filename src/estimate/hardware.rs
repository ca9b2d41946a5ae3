//! A machine as the estimator sees it: memory pools, bandwidths, compute. Pure data.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
}

fn one() -> u32 {
    1
}

impl Hardware {
    /// Has a GPU-class accelerator.
    pub fn has_gpu(&self) -> bool {
        self.backend != Backend::Cpu
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

    #[test]
    fn backend_parses() {
        assert_eq!("CUDA".parse::<Backend>(), Ok(Backend::Cuda));
        assert!("tpu".parse::<Backend>().unwrap_err().contains("tpu"));
    }
}
