//! Decode and prefill speed: a bandwidth roofline over the bytes really read per token, with
//! efficiencies and fixed costs calibrated per backend (docs/accuracy.md), never per device.

use super::hardware::Backend;

/// Physical constants of one backend, fitted on the calibration set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackendConstants {
    /// Achieved fraction of peak bandwidth streaming quantized weights.
    pub eta_weights: f64,
    /// Achieved fraction streaming the KV cache at depth.
    pub eta_kv: f64,
    /// Fixed cost per decoded token (launches, sync, sampling), seconds.
    pub t_fixed: f64,
    /// Achieved fraction of dense FP16 TFLOPS in prefill matmuls.
    pub prefill_eff: f64,
    /// Fixed cost per prefill ubatch, seconds.
    pub t_ubatch: f64,
}

/// Bandwidth efficiency multiplier for MoE decode (routing, many small matmuls).
pub const MOE_ETA_FACTOR: f64 = 0.75;
/// Grouped-GEMM prefill efficiency multiplier for MoE.
pub const MOE_PREFILL_FACTOR: f64 = 0.6;
/// Attention FLOPs run at this fraction of the matmul rate (flash attention kernels).
pub const ATTN_PREFILL_FACTOR: f64 = 0.5;
/// Practical host→device copy rate for offloaded weights during prefill (PCIe 4.0 x16), B/s.
pub const PCIE_BYTES_PER_S: f64 = 25e9;
/// CPU streaming efficiency of theoretical DRAM bandwidth.
pub const CPU_ETA: f64 = 0.6;

impl BackendConstants {
    /// The calibrated constants of `backend`.
    pub fn of(backend: Backend) -> Self {
        match backend {
            Backend::Cuda => BackendConstants {
                eta_weights: 0.70,
                eta_kv: 0.85,
                t_fixed: 0.35e-3,
                prefill_eff: 0.80,
                t_ubatch: 2e-3,
            },
            Backend::Rocm => BackendConstants {
                eta_weights: 0.55,
                eta_kv: 0.7,
                t_fixed: 0.5e-3,
                prefill_eff: 0.40,
                t_ubatch: 3e-3,
            },
            Backend::Metal => BackendConstants {
                eta_weights: 0.65,
                eta_kv: 0.7,
                t_fixed: 1.5e-3,
                prefill_eff: 0.70,
                t_ubatch: 5e-3,
            },
            Backend::Vulkan | Backend::Sycl => BackendConstants {
                eta_weights: 0.55,
                eta_kv: 0.65,
                t_fixed: 0.6e-3,
                prefill_eff: 0.35,
                t_ubatch: 3e-3,
            },
            Backend::Cpu => BackendConstants {
                eta_weights: CPU_ETA,
                eta_kv: CPU_ETA,
                t_fixed: 1.0e-3,
                prefill_eff: 0.5,
                t_ubatch: 5e-3,
            },
        }
    }
}

/// Bytes streamed per decoded token, split by where they live.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TokenTraffic {
    /// Weight bytes read from device memory.
    pub device_weights: f64,
    /// KV/state bytes read from device memory.
    pub device_kv: f64,
    /// Weight bytes read from host memory (offloaded layers or experts).
    pub host_weights: f64,
    /// KV/state bytes read from host memory.
    pub host_kv: f64,
}

/// Seconds per decoded token, and the pure-bandwidth lower bound (roofline).
pub fn decode_seconds(
    traffic: &TokenTraffic,
    device: &BackendConstants,
    device_bw_gbps: f64,
    host_bw_gbps: f64,
    moe: bool,
) -> (f64, f64) {
    let moe_f = if moe { MOE_ETA_FACTOR } else { 1.0 };
    let dev_bw = device_bw_gbps.max(1e-3) * 1e9;
    let host_bw = host_bw_gbps.max(1e-3) * 1e9;
    let host_eta = CPU_ETA * moe_f;
    let t = traffic.device_weights / (dev_bw * device.eta_weights * moe_f)
        + traffic.device_kv / (dev_bw * device.eta_kv)
        + traffic.host_weights / (host_bw * host_eta)
        + traffic.host_kv / (host_bw * CPU_ETA)
        + device.t_fixed;
    let roof = (traffic.device_weights + traffic.device_kv) / dev_bw
        + (traffic.host_weights + traffic.host_kv) / host_bw;
    (t, roof)
}

/// Inputs to the prefill model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrefillWork {
    /// Matmul FLOPs per prompt token (2 × active parameters, embeddings excluded).
    pub flops_per_token: f64,
    /// Σ over attention layers of `heads × (d_k + d_v)`: attention FLOPs = 2 × this × attended.
    pub attn_width: f64,
    /// Tokens in the prompt.
    pub prompt: u64,
    /// Tokens already in the cache.
    pub depth: u64,
    /// Physical batch.
    pub n_ubatch: u64,
    /// Weight bytes resident on the host that are copied to the GPU each ubatch.
    pub host_weight_bytes: f64,
    /// MoE model.
    pub moe: bool,
}

/// Seconds to process the prompt.
pub fn prefill_seconds(
    work: &PrefillWork,
    c: &BackendConstants,
    tflops: f64,
    gpu_offload: bool,
) -> f64 {
    let p = work.prompt.max(1) as f64;
    let d0 = work.depth as f64;
    let f_eff =
        (tflops.max(0.05) * 1e12) * c.prefill_eff * if work.moe { MOE_PREFILL_FACTOR } else { 1.0 };
    let matmul = work.flops_per_token * p / f_eff;
    // Σ_{t=1..P} (d0 + t) attended positions, causal.
    let attended = p * d0 + p * (p + 1.0) / 2.0;
    let attn = 2.0 * work.attn_width * attended / (f_eff * ATTN_PREFILL_FACTOR);
    let ubatches = (p / work.n_ubatch.max(1) as f64).ceil();
    let copies = if gpu_offload {
        ubatches * work.host_weight_bytes / PCIE_BYTES_PER_S
    } else {
        0.0
    };
    matmul + attn + ubatches * c.t_ubatch + copies
}
