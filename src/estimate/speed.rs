//! Decode and prefill speed: a bandwidth roofline over the bytes really read per token, with
//! efficiencies and fixed costs calibrated per backend (docs/accuracy.md), never per device.

use super::ggml::GgmlType;
use super::hardware::Backend;

/// Physical constants of one backend, fitted on the calibration set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackendConstants {
    /// Achieved fraction of peak bandwidth streaming quantized weights.
    pub eta_weights: f64,
    /// Bandwidth at which one token's kernels run out of memory parallelism, GB/s: the bytes a
    /// GPU keeps in flight are bounded, so by Little's law a batch-1 decode reaches at most
    /// about this rate whatever the memory could deliver (an H200's 4.8 TB/s gives ~2 TB/s).
    /// Achieved bandwidth is `η × peak / (1 + peak / saturation)`.
    pub bw_saturation_gbps: f64,
    /// Achieved fraction streaming the KV cache at depth.
    pub eta_kv: f64,
    /// Fixed cost per decoded token (sync, sampling, graph launch), seconds.
    pub t_fixed: f64,
    /// Dispatch cost per block per decoded token (kernel launches), seconds: why small models
    /// fall further below the bandwidth roofline than big ones.
    pub t_layer: f64,
    /// Achieved fraction of dense FP16 TFLOPS in prefill matmuls.
    pub prefill_eff: f64,
    /// Fixed cost per prefill ubatch, seconds.
    pub t_ubatch: f64,
    /// Bandwidth efficiency multiplier for MoE decode (routing, many small matmuls).
    pub moe_eta: f64,
    /// Grouped-GEMM prefill efficiency multiplier for MoE.
    pub moe_prefill: f64,
    /// Attention FLOPs run at this multiple of the matmul rate: flash-attention kernels run nearer
    /// peak than quantized GEMMs (capped so that prefill_eff × attn_eff ≤ 0.95 of peak).
    pub attn_eff: f64,
    /// Relative decode efficiency of each format class (see [`format_class`]).
    pub format_eff: [f64; FORMAT_CLASSES],
}

/// Practical host→device copy rate for offloaded weights during prefill (PCIe 4.0 x16), B/s.
pub const PCIE_BYTES_PER_S: f64 = 25e9;
/// Cost of handing activations from one GPU to the next in a layer split, seconds per hop.
pub const LINK_HOP_SECONDS: f64 = 0.15e-3;
/// CPU streaming efficiency of theoretical DRAM bandwidth.
pub const CPU_ETA: f64 = 0.6;

/// Which generation of llama.cpp's kernels a figure is for: measurements from 2023-2024 builds
/// (before about b4000, November 2024) ran older, slower kernels on several backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum BuildEra {
    /// Builds from 2023 and 2024.
    Y2024,
    /// Builds from 2025 on (what the app estimates for).
    #[default]
    Current,
}

/// Whether `backend`'s constants were fitted on measurements (CPU ones are the spec's defaults
/// until enough CPU rows exist); figures from the others are labelled "uncalibrated".
pub fn calibrated(backend: Backend) -> bool {
    backend != Backend::Cpu
}

impl BackendConstants {
    /// The calibrated constants of `backend` for today's builds.
    pub fn of(backend: Backend) -> Self {
        Self::of_era(backend, BuildEra::Current)
    }

    /// The calibrated constants of `backend` for builds of `era`.
    pub fn of_era(backend: Backend, era: BuildEra) -> Self {
        // Fitted by `cargo run --release --example calibrate` on tests/data/*speed*.csv
        // (docs/accuracy.md); the CPU keeps the spec's defaults until it has rows enough.
        match (backend, era) {
            (Backend::Cuda, BuildEra::Current) => BackendConstants {
                eta_weights: 0.91,
                bw_saturation_gbps: 18467.1,
                eta_kv: 0.95,
                t_fixed: 0.001175,
                t_layer: 1.648e-5,
                prefill_eff: 0.52,
                t_ubatch: 0.01,
                moe_eta: 0.9064,
                moe_prefill: 0.6357,
                attn_eff: 1.827,
                format_eff: [1.0, 0.9709, 1.0, 0.9308, 1.0, 0.75],
            },
            (Backend::Cuda, BuildEra::Y2024) => BackendConstants {
                eta_weights: 0.95,
                bw_saturation_gbps: 5343.7,
                eta_kv: 0.8842,
                t_fixed: 0.001641,
                t_layer: 3.707e-5,
                prefill_eff: 0.3486,
                t_ubatch: 0.01,
                moe_eta: 0.9064,
                moe_prefill: 0.6357,
                attn_eff: 0.8528,
                format_eff: [1.0, 0.9709, 1.0, 1.0, 1.0, 0.75],
            },
            (Backend::Rocm, BuildEra::Current) => BackendConstants {
                eta_weights: 0.91,
                bw_saturation_gbps: 9301.7,
                eta_kv: 0.6769,
                t_fixed: 0.00168,
                t_layer: 2.785e-5,
                prefill_eff: 0.3077,
                t_ubatch: 0.002223,
                moe_eta: 0.8,
                moe_prefill: 0.3703,
                attn_eff: 1.29,
                format_eff: [1.0, 1.0, 0.9587, 0.8462, 1.0, 0.75],
            },
            (Backend::Rocm, BuildEra::Y2024) => BackendConstants {
                eta_weights: 0.91,
                bw_saturation_gbps: 9301.7,
                eta_kv: 0.6769,
                t_fixed: 0.00168,
                t_layer: 2.785e-5,
                prefill_eff: 0.3077,
                t_ubatch: 0.002223,
                moe_eta: 0.8,
                moe_prefill: 0.3703,
                attn_eff: 1.29,
                format_eff: [1.0, 1.0, 0.9587, 0.8462, 1.0, 0.75],
            },
            (Backend::Metal, BuildEra::Current) => BackendConstants {
                eta_weights: 0.9255,
                bw_saturation_gbps: 14641.0,
                eta_kv: 0.5975,
                t_fixed: 0.001563,
                t_layer: 5.101e-6,
                prefill_eff: 0.6963,
                t_ubatch: 0.007999,
                moe_eta: 0.534,
                moe_prefill: 0.8569,
                attn_eff: 0.8761,
                // K-quants: the era fit gave 0.37 (M4 8B Q4_K_M at 8.7 tok/s, about half of what
                // public 2025 runs show); keep the pre-era value until a refit on all the CSVs.
                format_eff: [1.0, 1.0, 0.9426, 0.7609, 1.0, 0.75],
            },
            (Backend::Metal, BuildEra::Y2024) => BackendConstants {
                eta_weights: 0.95,
                bw_saturation_gbps: 5126.2,
                eta_kv: 0.3195,
                t_fixed: 0.003776,
                t_layer: 1.501e-5,
                prefill_eff: 0.676,
                t_ubatch: 0.01,
                moe_eta: 0.534,
                moe_prefill: 0.8569,
                attn_eff: 0.3139,
                format_eff: [1.0, 1.0, 1.0, 0.7609, 1.0, 0.75],
            },
            (Backend::Vulkan | Backend::Sycl, BuildEra::Current) => BackendConstants {
                eta_weights: 0.95,
                bw_saturation_gbps: 23168.7,
                eta_kv: 0.7716,
                t_fixed: 8.826e-4,
                t_layer: 1.114e-5,
                prefill_eff: 0.2438,
                t_ubatch: 0.001795,
                moe_eta: 0.7273,
                moe_prefill: 0.4481,
                attn_eff: 1.131,
                format_eff: [0.8462, 1.0, 0.9709, 0.8826, 1.0, 0.75],
            },
            (Backend::Vulkan | Backend::Sycl, BuildEra::Y2024) => BackendConstants {
                eta_weights: 0.95,
                bw_saturation_gbps: 23168.7,
                eta_kv: 0.7716,
                t_fixed: 8.826e-4,
                t_layer: 1.114e-5,
                prefill_eff: 0.2438,
                t_ubatch: 0.001795,
                moe_eta: 0.7273,
                moe_prefill: 0.4481,
                attn_eff: 1.131,
                format_eff: [0.8462, 1.0, 0.9709, 0.8826, 1.0, 0.75],
            },
            (Backend::Cpu, BuildEra::Current) => BackendConstants {
                eta_weights: 0.6,
                bw_saturation_gbps: 1000000.0,
                eta_kv: 0.6,
                t_fixed: 0.001,
                t_layer: 0.0,
                prefill_eff: 0.5,
                t_ubatch: 0.005,
                moe_eta: 0.75,
                moe_prefill: 0.6,
                attn_eff: 0.5,
                format_eff: [1.0, 1.0, 0.95, 0.8, 0.85, 0.75],
            },
            (Backend::Cpu, BuildEra::Y2024) => BackendConstants {
                eta_weights: 0.6,
                bw_saturation_gbps: 1000000.0,
                eta_kv: 0.6,
                t_fixed: 0.001,
                t_layer: 0.0,
                prefill_eff: 0.5,
                t_ubatch: 0.005,
                moe_eta: 0.75,
                moe_prefill: 0.6,
                attn_eff: 0.5,
                format_eff: [1.0, 1.0, 0.95, 0.8, 0.85, 0.75],
            },
        }
    }
}

/// Weight formats whose decode kernels differ in dequantization work per byte:
/// [float, Q8_0, legacy 4/5-bit, K-quants, MXFP4/NVFP4, i-quants].
pub const FORMAT_CLASSES: usize = 6;

/// The format class of a GGML type (index into `BackendConstants::format_eff`).
pub fn format_class(ty: GgmlType) -> usize {
    use GgmlType as G;
    match ty {
        G::F32 | G::F16 | G::BF16 | G::I8 | G::I16 | G::I32 | G::I64 | G::F64 => 0,
        G::Q8_0 => 1,
        G::Q4_0 | G::Q4_1 | G::Q5_0 | G::Q5_1 | G::IQ4_NL => 2,
        G::Q2_K | G::Q3_K | G::Q4_K | G::Q5_K | G::Q6_K => 3,
        G::MXFP4 | G::NVFP4 => 4,
        _ => 5,
    }
}

/// Bytes per format class divided by the backend's efficiency for that class.
pub fn format_cost(bytes: &[f64; FORMAT_CLASSES], c: &BackendConstants) -> f64 {
    bytes
        .iter()
        .zip(c.format_eff)
        .map(|(b, e)| b / e.max(0.05))
        .sum()
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
    /// Attention FLOPs of one decoded token (grows with depth; large for absorbed MLA).
    pub attn_flops: f64,
    /// Blocks the token passes through: each costs kernel launches whatever its size.
    pub layers: f64,
}

/// Seconds per decoded token, and the pure-bandwidth lower bound (roofline). Weight bytes in
/// `traffic` are already divided by their format efficiency.
pub fn decode_seconds(
    traffic: &TokenTraffic,
    device: &BackendConstants,
    device_bw_gbps: f64,
    host_bw_gbps: f64,
    tflops: f64,
    moe: bool,
) -> (f64, f64) {
    let moe_f = if moe { device.moe_eta } else { 1.0 };
    let dev_bw = device_bw_gbps.max(1e-3) * 1e9;
    let host_bw = host_bw_gbps.max(1e-3) * 1e9;
    let host_eta = CPU_ETA * moe_f;
    let sat = 1.0 + device_bw_gbps.max(1e-3) / device.bw_saturation_gbps.max(1.0);
    let t = traffic.device_weights * sat / (dev_bw * device.eta_weights * moe_f)
        + traffic.device_kv * sat / (dev_bw * device.eta_kv)
        + traffic.host_weights / (host_bw * host_eta)
        + traffic.host_kv / (host_bw * CPU_ETA)
        + attention_seconds(traffic.attn_flops, tflops, device)
        + device.t_fixed
        + device.t_layer * traffic.layers;
    let roof = (traffic.device_weights + traffic.device_kv) / dev_bw
        + (traffic.host_weights + traffic.host_kv) / host_bw;
    (t, roof)
}

/// Decode attention compute; unknown compute (0 TFLOPS) means the term cannot be estimated.
/// One query row cannot fill the tensor cores the way a prompt does, so decode attention runs
/// at most at the GEMM rate, whatever flash attention reaches in prefill.
fn attention_seconds(flops: f64, tflops: f64, c: &BackendConstants) -> f64 {
    if tflops <= 0.0 {
        return 0.0;
    }
    flops / (tflops * 1e12 * c.prefill_eff * c.attn_eff.min(1.0))
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
    /// GPUs of a layer split that work on successive ubatches at once (1: no pipeline).
    pub pipeline_stages: u32,
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
        (tflops.max(0.05) * 1e12) * c.prefill_eff * if work.moe { c.moe_prefill } else { 1.0 };
    let matmul = work.flops_per_token * p / f_eff;
    // Σ_{t=1..P} (d0 + t) attended positions, causal.
    let attended = p * d0 + p * (p + 1.0) / 2.0;
    let attn = 2.0 * work.attn_width * attended / (f_eff * c.attn_eff);
    let ubatches = (p / work.n_ubatch.max(1) as f64).ceil();
    let copies = if gpu_offload {
        ubatches * work.host_weight_bytes / PCIE_BYTES_PER_S
    } else {
        0.0
    };
    let compute = (matmul + attn + ubatches * c.t_ubatch) / pipeline_speedup(work, p);
    compute + copies
}

/// Logical batch llama.cpp splits into ubatches (`n_batch`, default 2048 in server and bench).
pub const N_BATCH: f64 = 2048.0;

/// Speed-up of a layer split over `G` GPUs on a prompt: the ubatches of one logical batch (`B`)
/// flow through the GPUs as a pipeline, taking `B + G − 1` stage times instead of `B × G`.
/// One ubatch (a short prompt) gains nothing; a long prompt on many GPUs gains most.
fn pipeline_speedup(work: &PrefillWork, prompt: f64) -> f64 {
    let g = f64::from(work.pipeline_stages.max(1));
    if g <= 1.0 {
        return 1.0;
    }
    let b = (prompt.min(N_BATCH) / work.n_ubatch.max(1) as f64)
        .ceil()
        .max(1.0);
    let ideal = b * g / (b + g - 1.0);
    1.0 + (ideal - 1.0) * PIPELINE_EFF
}

/// Share of the ideal pipeline gain realised (stage imbalance, hand-offs, sync); fitted on the
/// multi-GPU rows of the calibration data (`docs/accuracy.md`).
pub const PIPELINE_EFF: f64 = 0.45;

#[cfg(test)]
mod tests {
    use super::*;

    fn work(prompt: u64, stages: u32) -> PrefillWork {
        PrefillWork {
            flops_per_token: 16e9,
            attn_width: 0.0,
            prompt,
            depth: 0,
            n_ubatch: 512,
            pipeline_stages: stages,
            host_weight_bytes: 0.0,
            moe: false,
        }
    }

    #[test]
    fn small_models_sit_further_below_the_roofline() {
        // 1B (16 blocks, 0.8 GB) and 70B (80 blocks, 42 GB) on the same 1 TB/s card.
        let c = BackendConstants::of(Backend::Cuda);
        let share = |bytes: f64, layers: f64| {
            let t = TokenTraffic {
                device_weights: bytes,
                layers,
                ..Default::default()
            };
            let (time, roof) = decode_seconds(&t, &c, 1000.0, 60.0, 165.0, false);
            roof / time
        };
        let (small, large) = (share(0.8e9, 16.0), share(42e9, 80.0));
        assert!(small < large && large < 1.0, "{small} {large}");
    }

    #[test]
    fn a_layer_split_pipelines_long_prompts_only() {
        // One ubatch cannot overlap with anything.
        assert_eq!(pipeline_speedup(&work(512, 8), 512.0), 1.0);
        assert_eq!(pipeline_speedup(&work(4096, 1), 4096.0), 1.0);
        // 4 ubatches per 2048-token batch through 8 GPUs: 4·8/(4+8−1) ideally.
        let ideal: f64 = 32.0 / 11.0;
        let got = pipeline_speedup(&work(4096, 8), 4096.0);
        assert!((got - (1.0 + (ideal - 1.0) * PIPELINE_EFF)).abs() < 1e-12);
        // Prefill time falls accordingly, never below one card's time / G.
        let c = BackendConstants::of(Backend::Cuda);
        let one = prefill_seconds(&work(4096, 1), &c, 165.0, false);
        let eight = prefill_seconds(&work(4096, 8), &c, 165.0, false);
        assert!(eight < one && eight > one / 8.0, "{one} {eight}");
    }
}
