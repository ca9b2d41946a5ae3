#![allow(clippy::unwrap_used, clippy::expect_used)] // a maintainer tool: panics on bad input are fine
//! Fits the physical speed constants per backend and build era (bandwidth and format
//! efficiencies, fixed per-token and per-block costs, prefill and attention efficiency) to
//! measured tokens/s by coordinate descent on mean |log(predicted / measured)|, with physical
//! caps (no efficiency above 95 % of peak), and reports honest held-out errors.
//!
//!   cargo run --release --example calibrate                 # fit on all rows, print constants
//!   cargo run --release --example calibrate -- --lodo       # leave-one-device-out and
//!                                                           # leave-one-model-family-out tables
//!   cargo run --release --example calibrate -- --cv 5       # random 5-fold (optimistic)
//!   ... -- --data FILE.csv                                  # use these files instead
//!   ... -- --skipped                                        # say why rows were left out
//!   ... -- --rows 4090                                      # in-sample rows of these devices
//!   ... -- --lodo --dump FILE.csv                           # every held-out prediction
//!   ... -- --dump FILE.csv                                  # every in-sample prediction,
//!                                                           # FILE.csv.rows.csv with each
//!                                                           # row's device, era and format
//!   ... -- --probe FILE.csv                                 # FILE's rows predicted by the fit
//!   ... -- --shrink 0                                       # no pooled GPU decode prior
//!   ... -- --no-power                                       # no board-power limit on prefill
//!   ... -- --balance 0.5                                    # GPU decode rows weighted by
//!                                                           # (rows of their device)^-0.5
//!   ... -- --decode                                         # decode rows only (faster)
//!   ... -- --prefill                                        # prefill rows only (faster)
//!   ... -- --lodo --jobs 2                                  # held-out folds on 2 threads
//!   ... -- --lodo --folds 10                                # devices (families) dealt into
//!                                                           # 10 folds, each held out whole
//!   ... -- --lodo --subset vulkan                           # hold out only the devices (and
//!                                                           # families) with rows in a subset
//!   ... -- --hold strix-halo                                # one held-out fit: devices whose
//!                                                           # key contains this, as LODO does
//!   ... -- --lodo --no-lofo                                 # devices only (half the time)
//!
//! Every fit, full or held-out, starts from the same neutral spec defaults, so no held-out row
//! leaks into its own prediction through the starting point. Decode constants are first fitted
//! on the rows of every GPU backend together; each backend's own fit is pulled towards that
//! pooled fit (a few rows' worth), and a backend with too few rows keeps it. The printed
//! constants go into `src/estimate/constants.rs`; docs/accuracy.md records the runs.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use fitcheck::catalog::Catalog;
use fitcheck::estimate::cpu::{CpuClass, CPU_CLASSES};
use fitcheck::estimate::speed::CPU_TFLOPS_PER_THREAD;
use fitcheck::estimate::{Backend, BackendConstants, BuildEra};
use fitcheck::validate::{prepare, stats, Checked, Metric, Prepared};

const BACKENDS: [Backend; 6] = [
    Backend::Cuda,
    Backend::Rocm,
    Backend::Metal,
    Backend::Vulkan,
    Backend::Sycl,
    Backend::Cpu,
];
const ERAS: [BuildEra; 2] = [BuildEra::Current, BuildEra::Y2024];
/// The measurement files, when present (the last two come from the gpu helper's runs).
const DEFAULT_DATA: [&str; 3] = [
    "tests/data/ground_truth_speed.csv",
    "tests/data/measured_llamacpp_speed.csv",
    "tests/data/public_speed_2025_2026.csv",
];
/// Fewer rows than this in a (backend, era, metric) group: keep the starting constants (issue
/// 10's rule for what a subset needs before its figures mean anything).
const MIN_ROWS: usize = 20;
/// Fewer rows than this in a GPU decode group whose fit is pulled towards the pooled GPU fit
/// (`DEFAULT_SHRINK` rows' worth a field): keep the pooled constants. Twice the prior's weight,
/// so that the group's own rows outweigh it: SYCL's four other Intel GPUs (12 rows) then fit
/// their own constants when the Arc Pro B70 is held out, rather than the pool's, which knows no
/// Intel GPU (its held-out decode error 27.1 -> 22.2 %, docs/accuracy.md "Session 10").
const MIN_PULLED_ROWS: usize = 10;
/// Fewer devices than this in a (backend, era, metric) group: keep the starting constants too,
/// however many rows it has (SYCL's 26 decode rows are two Intel cards, 22 of them one).
const MIN_DEVICES: usize = 3;
/// Fewer rows of one weight-format class (or runtime) than this: keep its starting value.
const MIN_CLASS_ROWS: usize = 5;
/// Decode fields searched: the bandwidth efficiencies, fixed costs, six format classes, the
/// saturation, host and runtime costs, the MoE block cost, dequantization (operations and
/// overlap), MLX's efficiency, the layer-split hop, the per-block costs without CUDA graphs,
/// the emulated dp4a, the per-thread decode rate of each CPU class and the extra MoE block cost
/// on unified LPDDR memory, Intel GPUs' quantized-weight efficiency on Vulkan and the extra
/// per-block cost on unified LPDDR memory and the share of the per-block costs left with
/// Programmatic Dependent Launch, and the cost of a MoE block whose experts run on the host
/// beside a GPU (the last five).
const DECODE_FIELDS: usize = 28 + CPU_CLASSES;
/// Index of `t_moe_unified` among the decode fields.
const UNIFIED_FIELD: usize = 23 + CPU_CLASSES;
/// Index of `intel_vulkan_quant_eff` among the decode fields.
const INTEL_VULKAN_FIELD: usize = 24 + CPU_CLASSES;
/// Index of `t_layer_unified` among the decode fields.
const LAYER_UNIFIED_FIELD: usize = 25 + CPU_CLASSES;
/// Index of `pdl_factor` among the decode fields.
const PDL_FIELD: usize = 26 + CPU_CLASSES;
/// Index of `t_host_moe_layer` among the decode fields.
const HOST_MOE_FIELD: usize = 27 + CPU_CLASSES;
/// The kernels an MoE block adds to a dense one: the router matmul, softmax, top-k, the
/// weights' gather, normalisation and product (six to eight), and `n_expert_used - 1` adds that
/// sum the experts' outputs (`build_moe_ffn` in llama-graph.cpp: 7 for a top-8 model, 9 for
/// top-10), fewer where a backend fuses them: about as many again as a dense block's fifteen or
/// so, and the expert-indexed matmuls' tails on top, so its launch cost is at most twice
/// `t_layer`. (Until session 10 this was 0.55, counting the experts' sum as one kernel: every
/// GPU backend's fit sat on that cap and moved the MoE rows' time into the per-token and
/// per-block costs of every model, docs/accuracy.md.)
const MOE_KERNEL_SHARE: f64 = 2.0;
/// Prefill fields searched: efficiency, ubatch cost, MoE, attention, saturation, host copies,
/// six format classes, the per-block ubatch cost, attention without flash attention, the
/// pipeline share of a layer split, the per-thread matmul rate of each CPU class and the
/// energy per FLOP that holds a card to its board power, the matmul rate of GPUs whose
/// prefill runs on their vector units and the cost of a MoE expert multiplied on its own (the
/// last three).
const PREFILL_FIELDS: usize = 18 + CPU_CLASSES;
/// Index of `pj_per_flop` among the prefill fields.
const POWER_FIELD: usize = 15 + CPU_CLASSES;
/// Index of `vector_matmul_ratio` among the prefill fields.
const VECTOR_FIELD: usize = 16 + CPU_CLASSES;
/// Index of `t_expert_gemm` among the prefill fields.
const EXPERT_GEMM_FIELD: usize = 17 + CPU_CLASSES;
/// `--no-power`: the energy per FLOP stays 0 (no board-power limit), to measure what it adds.
static NO_POWER: AtomicBool = AtomicBool::new(false);
/// Where every CPU class's per-thread decode rate starts, GB/s of format-weighted bytes: the
/// median one-thread decode rate of x86 cores measured before the classes were fitted (7.1 GB/s
/// of Q4_K ÷ its 0.8 CPU efficiency, docs/accuracy.md).
const NEUTRAL_THREAD_GBPS: f64 = 8.9;
/// The CPU class whose per-thread matmul rate the others are relative to (x86, at
/// `CPU_TFLOPS_PER_THREAD`; the CPU's `prefill_eff` scales them all).
const REFERENCE_CPU_CLASS: CpuClass = CpuClass::X86;
/// Most a CPU's fixed cost per decoded token may fit to, seconds (see `clamp`).
const CPU_MAX_T_FIXED: f64 = 1e-3;
/// The format class whose prefill rate (and, on a GPU, decode efficiency) the others are
/// relative to (K-quants).
const REFERENCE_CLASS: usize = 3;

type Table = [[BackendConstants; 2]; 6];

fn slot(b: Backend) -> usize {
    BACKENDS.iter().position(|x| *x == b).unwrap_or(0)
}

fn era_slot(e: BuildEra) -> usize {
    ERAS.iter().position(|x| *x == e).unwrap_or(0)
}

/// The spec's defaults (estimator_spec.md §4.2, §4.4): where every fit starts. I-quants start
/// at 0.75 (their decode kernels do more work per byte, spec §5 #18) until rows say otherwise.
fn neutral(b: Backend) -> BackendConstants {
    if b == Backend::Cpu {
        // 0.6 of theoretical DRAM bandwidth; no kernel launches (spec §4.2, §4.4).
        return BackendConstants {
            eta_weights: 0.6,
            bw_saturation_gbps: 1e6,
            alu_ops_per_weight: 0.0,
            alu_overlap: 1.0,
            eta_kv: 0.6,
            eta_host: 0.6,
            t_fixed: 1e-3,
            t_layer: 0.0,
            no_graphs_factor: 1.0,
            t_hop: 0.0,
            dp4a_emulated_ops: 0.0,
            prefill_eff: 0.5,
            tflops_saturation: 1e5,
            t_ubatch: 5e-3,
            host_copy_gbps: 25.0,
            moe_eta: 0.75,
            t_moe_unified: 0.0,
            t_layer_unified: 0.0,
            pdl_factor: 1.0,
            intel_vulkan_quant_eff: 1.0,
            t_moe_layer: 0.0,
            t_host_moe_layer: 0.0,
            moe_prefill: 0.6,
            attn_eff: 0.5,
            attn_eff_no_fa: 0.5,
            format_eff: [1.0, 1.0, 0.95, 0.8, 0.85, 0.75],
            prefill_format_eff: [1.0; 6],
            t_ubatch_layer: 1e-5,
            pipeline_eff: 0.5,
            runtime_t_fixed: [0.0; 3],
            mlx_eta: 1.0,
            cpu_thread_gbps: [NEUTRAL_THREAD_GBPS; CPU_CLASSES],
            cpu_thread_tflops: [CPU_TFLOPS_PER_THREAD; CPU_CLASSES],
            gemm_dequant_bytes: 0.0,
            pj_per_flop: 0.0,
            vector_matmul_ratio: fitcheck::estimate::speed::VECTOR_MATMUL_RATIO,
            attn_vector_share: 0.0,
            attn_matrix_head: 0.0,
            t_expert_gemm: fitcheck::estimate::speed::EXPERT_GEMM_SECONDS,
        };
    }
    BackendConstants {
        eta_weights: 0.7,
        bw_saturation_gbps: 10000.0,
        // A few vector operations per weight (unpack, scale, multiply-add).
        alu_ops_per_weight: 4.0,
        // Partly overlapped with the memory time to start with.
        alu_overlap: 2.0,
        eta_kv: 0.8,
        eta_host: 0.6,
        // The low end of the spec's CUDA figure with CUDA graphs (0.2-0.5 ms, §4.1); the
        // per-block costs hold the rest. The per-token and per-block costs trade along a shallow
        // valley and the descent stops where its start leaves it: from 0.2, 0.4, 0.7 and 1 ms
        // (the spec's default before session 8) today's in-sample decode error was 8.1, 8.8, 8.6
        // and 8.6 % (docs/accuracy.md, "Session 8").
        t_fixed: 2e-4,
        t_layer: 1e-5,
        no_graphs_factor: 1.0,
        // The hand-off a layer split cost before it was fitted (a PCIe copy and a sync).
        t_hop: 1.5e-4,
        dp4a_emulated_ops: fitcheck::estimate::speed::DP4A_EMULATED_OPS,
        prefill_eff: 0.4,
        tflops_saturation: 2000.0,
        t_ubatch: 5e-3,
        host_copy_gbps: 25.0,
        moe_eta: 0.8,
        t_moe_layer: 1e-5,
        // No cost per host-computed MoE block until rows of spilled MoE say otherwise.
        t_host_moe_layer: 0.0,
        // A few memory round trips more per MoE block on unified memory, to start with.
        t_moe_unified: 3e-5,
        // Likewise a little more per block, to start with.
        t_layer_unified: 1e-5,
        // Launches overlapped with nothing until rows of such cards and builds say otherwise.
        pdl_factor: 1.0,
        // Intel GPUs on Vulkan stream quantized weights as well as any card until rows say otherwise.
        intel_vulkan_quant_eff: 1.0,
        moe_prefill: 0.6,
        attn_eff: 0.5,
        attn_eff_no_fa: 0.5,
        format_eff: [1.0, 1.0, 1.0, 1.0, 1.0, 0.75],
        prefill_format_eff: [1.0; 6],
        t_ubatch_layer: 1e-5,
        // Half of the ideal gain of a layer split's pipeline until multi-GPU rows say more.
        pipeline_eff: 0.5,
        runtime_t_fixed: [0.0; 3],
        mlx_eta: 1.0,
        cpu_thread_gbps: [NEUTRAL_THREAD_GBPS; CPU_CLASSES],
        cpu_thread_tflops: [CPU_TFLOPS_PER_THREAD; CPU_CLASSES],
        gemm_dequant_bytes: 0.0,
        pj_per_flop: 0.0,
        vector_matmul_ratio: fitcheck::estimate::speed::VECTOR_MATMUL_RATIO,
        attn_vector_share: 0.0,
        attn_matrix_head: 0.0,
        t_expert_gemm: fitcheck::estimate::speed::EXPERT_GEMM_SECONDS,
    }
}

fn neutral_table() -> Table {
    BACKENDS.map(|b| [neutral(b); 2])
}

fn lookup(t: &Table, b: Backend, e: BuildEra) -> BackendConstants {
    t[slot(b)][era_slot(e)]
}

/// A decode row missed by more than this (|ln(predicted / measured)|, ln 2: a factor of two)
/// counts the same however far off it is: what slows it is outside the model (the P100 rig's
/// layer splits run 2-3× under any hop the other rigs allow, a Jetson Nano 5× under its
/// bandwidth), and at full weight such rows set the fixed costs of every card of the backend
/// (on session 6's rows CUDA's per-block and per-MoE-block costs came out at 46 and 25 µs and
/// an H200 Qwen3-30B-A3B at 206 tok/s against 306 measured; 35 and 16 µs, 243 tok/s with the cap).
const DECODE_MISS_CAP: f64 = std::f64::consts::LN_2;

/// How much a GPU decode row weighs in the fit against the other rows of its device:
/// `rows of its device ^ -DEVICE_BALANCE` (`--balance X`; 0: every row alike, 1: every device
/// alike), so that the devices with hundreds of rows (Strix Halo, R9700: half of today's decode
/// rows) would not set a backend's constants for the cards with a handful. Off by default: on
/// today's rows it made held-out decode worse (docs/accuracy.md, "Session 9"). Held in f64 bits.
static DEVICE_BALANCE: AtomicU64 = AtomicU64::new(0);

/// How rows flagged as lower bounds (runs on a loaded machine) enter a fit (`--lower-bounds`):
/// 0 as measurements, 1 one-sided (only a prediction below the bound costs), 2 not at all.
static LOWER_BOUNDS: AtomicUsize = AtomicUsize::new(0);

/// Each row's weight in a decode fit on a GPU backend (see [`DEVICE_BALANCE`]), scaled to a mean
/// of 1 so that the prior's pull stays "rows' worth"; 1 for every row elsewhere.
fn row_weights(rows: &[&Prepared], metric: Metric, on_cpu: bool) -> Vec<f64> {
    let balance = f64::from_bits(DEVICE_BALANCE.load(Ordering::Relaxed));
    if metric != Metric::Decode || on_cpu || balance == 0.0 {
        return vec![1.0; rows.len()];
    }
    let mut per_device: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *per_device.entry(r.device.as_str()).or_default() += 1;
    }
    let raw: Vec<f64> = rows
        .iter()
        .map(|r| (per_device[r.device.as_str()] as f64).powf(-balance))
        .collect();
    let mean = raw.iter().sum::<f64>() / raw.len().max(1) as f64;
    raw.into_iter().map(|w| w / mean.max(1e-12)).collect()
}

/// Weighted mean |log(predicted / measured)| over `rows` (weights from [`row_weights`]), each
/// decode row's term capped at [`DECODE_MISS_CAP`].
fn loss(rows: &[&Prepared], weights: &[f64], c: &BackendConstants) -> f64 {
    let s: f64 = rows
        .iter()
        .zip(weights)
        .map(|(r, w)| {
            let ch = r.check(c);
            let ratio = ch.predicted / ch.measured;
            if ratio.is_finite() && ratio > 0.0 {
                let one_sided = r.lower_bound && LOWER_BOUNDS.load(Ordering::Relaxed) == 1;
                let e = if one_sided && ratio >= 1.0 {
                    0.0
                } else {
                    ratio.ln().abs()
                };
                w * if r.metric == Metric::Decode {
                    e.min(DECODE_MISS_CAP)
                } else {
                    e
                }
            } else {
                w * 10.0
            }
        })
        .sum();
    s / rows.len().max(1) as f64
}

fn field(c: &mut BackendConstants, metric: Metric, i: usize) -> &mut f64 {
    match (metric, i) {
        (Metric::Decode, 0) => &mut c.eta_weights,
        (Metric::Decode, 1) => &mut c.eta_kv,
        (Metric::Decode, 2) => &mut c.t_fixed,
        (Metric::Decode, 3) => &mut c.moe_eta,
        (Metric::Decode, 10) => &mut c.t_layer,
        (Metric::Decode, 11) => &mut c.bw_saturation_gbps,
        (Metric::Decode, 12) => &mut c.eta_host,
        (Metric::Decode, f @ 13..=15) => &mut c.runtime_t_fixed[f - 13],
        (Metric::Decode, 16) => &mut c.t_moe_layer,
        (Metric::Decode, 17) => &mut c.alu_ops_per_weight,
        (Metric::Decode, 18) => &mut c.mlx_eta,
        (Metric::Decode, 19) => &mut c.alu_overlap,
        (Metric::Decode, 20) => &mut c.t_hop,
        (Metric::Decode, 21) => &mut c.no_graphs_factor,
        (Metric::Decode, 22) => &mut c.dp4a_emulated_ops,
        (Metric::Decode, UNIFIED_FIELD) => &mut c.t_moe_unified,
        (Metric::Decode, INTEL_VULKAN_FIELD) => &mut c.intel_vulkan_quant_eff,
        (Metric::Decode, LAYER_UNIFIED_FIELD) => &mut c.t_layer_unified,
        (Metric::Decode, PDL_FIELD) => &mut c.pdl_factor,
        (Metric::Decode, HOST_MOE_FIELD) => &mut c.t_host_moe_layer,
        (Metric::Decode, f @ 23..) => &mut c.cpu_thread_gbps[f - 23],
        (Metric::Decode, f) => &mut c.format_eff[f - 4],
        (Metric::Prefill, 0) => &mut c.prefill_eff,
        (Metric::Prefill, 1) => &mut c.t_ubatch,
        (Metric::Prefill, 2) => &mut c.moe_prefill,
        (Metric::Prefill, 4) => &mut c.tflops_saturation,
        (Metric::Prefill, 5) => &mut c.host_copy_gbps,
        (Metric::Prefill, f @ 6..=11) => &mut c.prefill_format_eff[f - 6],
        (Metric::Prefill, 12) => &mut c.t_ubatch_layer,
        (Metric::Prefill, 13) => &mut c.attn_eff_no_fa,
        (Metric::Prefill, 14) => &mut c.pipeline_eff,
        (Metric::Prefill, POWER_FIELD) => &mut c.pj_per_flop,
        (Metric::Prefill, VECTOR_FIELD) => &mut c.vector_matmul_ratio,
        (Metric::Prefill, EXPERT_GEMM_FIELD) => &mut c.t_expert_gemm,
        (Metric::Prefill, f @ 15..) => &mut c.cpu_thread_tflops[f - 15],
        (Metric::Prefill, _) => &mut c.attn_eff,
    }
}

/// Physics: every efficiency is a fraction of a peak; fixed costs stay in their known ranges.
fn clamp(c: &mut BackendConstants, on_cpu: bool) {
    c.eta_weights = c.eta_weights.min(0.95);
    c.eta_kv = c.eta_kv.min(0.95);
    c.eta_host = c.eta_host.min(0.95);
    // Matmul kernels saturate somewhere between a laptop GPU and beyond any card made.
    c.tflops_saturation = c.tflops_saturation.clamp(10.0, 1e5);
    // A runtime's own layers cost between nothing and 20 ms a token.
    c.runtime_t_fixed
        .iter_mut()
        .for_each(|t| *t = t.clamp(0.0, 0.02));
    // No saturation below the fastest memory measured: up to 1,000 TB/s (none).
    c.bw_saturation_gbps = c.bw_saturation_gbps.clamp(500.0, 1e6);
    c.moe_eta = c.moe_eta.min(1.0);
    // A few more kernel launches per MoE block: under 0.2 ms.
    c.t_moe_layer = c
        .t_moe_layer
        .min(2e-4)
        .min(MOE_KERNEL_SHARE * c.t_layer.max(1e-6));
    // A few memory round trips more per MoE block on unified LPDDR: under 0.2 ms.
    c.t_moe_unified = c.t_moe_unified.clamp(1e-7, 2e-4);
    // A memory round trip more per kernel of a block on unified LPDDR: under 0.2 ms a block.
    c.t_layer_unified = c.t_layer_unified.clamp(1e-7, 2e-4);
    // A hand-off between GPU and CPU and a thread-pool barrier or two: under 2 ms a block.
    c.t_host_moe_layer = c.t_host_moe_layer.clamp(0.0, 2e-3);
    // Overlapping launches can only save time, and not all of a block's.
    c.pdl_factor = c.pdl_factor.clamp(0.2, 1.0);
    // Intel's split subgroups cost throughput, never gain it; a tenth is far below any row.
    c.intel_vulkan_quant_eff = c.intel_vulkan_quant_eff.clamp(0.1, 1.0);
    c.moe_prefill = c.moe_prefill.min(1.0);
    c.prefill_eff = c.prefill_eff.min(0.95);
    // Attention kernels may run faster than the GEMMs, up to 95 % of peak.
    c.attn_eff = c.attn_eff.min(0.95 / c.prefill_eff);
    c.attn_eff_no_fa = c.attn_eff_no_fa.min(0.95 / c.prefill_eff);
    // llama.cpp's per-ubatch overhead is a few ms; more would absorb a missing term.
    c.t_ubatch = c.t_ubatch.min(0.01);
    // Host-to-GPU copies: between a slow pageable copy and a PCIe 5.0 x16 link.
    c.host_copy_gbps = c.host_copy_gbps.clamp(2.0, 64.0);
    c.t_fixed = c.t_fixed.clamp(1e-5, 0.02);
    if on_cpu {
        // A CPU's own cost per token (graph, sampling, waking the threads) is under a
        // millisecond: the M4 Pro's 10-thread rows (243 tok/s on 0.8 GB) leave at most ~1 ms
        // beside the bytes even at 95 % of its bandwidth. More would absorb a loaded machine's
        // time slices (our own sweep rows ran at load 5-15) as if every CPU paid them.
        c.t_fixed = c.t_fixed.min(CPU_MAX_T_FIXED);
    }
    // A hop moves one token's activations (a few KB) and synchronises two devices: ~10 µs
    // peer to peer, a few hundred µs staged through host memory; at most 1 ms, so that one rig's
    // topology cannot set the hop of every layer split.
    c.t_hop = c.t_hop.clamp(1e-5, 1e-3);
    // Launching a block's kernels one by one costs at least what the graph does, at most 5×.
    c.no_graphs_factor = c.no_graphs_factor.clamp(1.0, 5.0);
    // Emulating dp4a costs more than it saves, and at most a few dozen operations a weight.
    c.dp4a_emulated_ops = c.dp4a_emulated_ops.clamp(0.0, 64.0);
    if on_cpu {
        c.format_eff.iter_mut().for_each(|e| *e = e.min(1.0));
    } else {
        // A GPU's classes are ratios to the K-quants' `eta_weights` (`REFERENCE_CLASS`): one may
        // beat it, but no class streams above 95 % of peak.
        let cap = 0.95 / c.eta_weights.max(0.05);
        c.format_eff.iter_mut().for_each(|e| *e = e.min(cap));
    }
    // Unpacking, scaling and a multiply-add: between one and a few dozen operations a weight.
    c.alu_ops_per_weight = c.alu_ops_per_weight.clamp(0.5, 64.0);
    if on_cpu {
        // No separate vector units dequantize on a CPU: its threads' rate holds that cost.
        c.alu_ops_per_weight = 0.0;
    }
    // From no overlap (sum) to all but full overlap (maximum).
    c.alu_overlap = c.alu_overlap.clamp(1.0, 16.0);
    // MLX's kernels stream at most 95 % of peak (checked again where applied).
    c.mlx_eta = c.mlx_eta.clamp(0.5, 0.95 / c.eta_weights.max(0.05));
    // A format's GEMMs may beat the K-quants' but not 95 % of peak.
    let cap = 0.95 / c.prefill_eff;
    c.prefill_format_eff
        .iter_mut()
        .for_each(|e| *e = e.clamp(0.05, cap));
    // A block's kernels per ubatch: launches and tails, well under a millisecond.
    c.t_ubatch_layer = c.t_ubatch_layer.clamp(1e-7, 5e-4);
    // Between no power limit and 10 pJ a FLOP (ten times what a tensor core spends).
    c.pj_per_flop = c.pj_per_flop.clamp(0.0, 10.0);
    // Vector units multiply at their FP32 rate at least, and at most 8× (int8 dot products).
    c.vector_matmul_ratio = c.vector_matmul_ratio.clamp(1.0, 8.0);
    // A pipeline realises between a twentieth and all of its ideal gain.
    c.pipeline_eff = c.pipeline_eff.clamp(0.05, 1.0);
    // One CPU thread streams between a slow in-order core's 0.5 GB/s and a whole memory
    // controller's 200 GB/s, and peaks between 1 GFLOPS and an AMX tile unit's 4 TFLOPS.
    c.cpu_thread_gbps
        .iter_mut()
        .for_each(|g| *g = g.clamp(0.5, 200.0));
    c.cpu_thread_tflops
        .iter_mut()
        .for_each(|t| *t = t.clamp(1e-3, 4.0));
}

/// Pull of a prior on a fit: Σ over the metric's multiplicative fields of ln(c / prior)²,
/// weighted as `weight` rows' worth of evidence (the runtime costs, additive, are left free).
fn prior_penalty(
    c: &BackendConstants,
    metric: Metric,
    prior: Option<(&BackendConstants, f64)>,
    n: usize,
) -> f64 {
    let Some((p, weight)) = prior else {
        return 0.0;
    };
    let (mut c, mut p) = (*c, *p);
    let fields = if metric == Metric::Decode { 13 } else { 6 };
    let mut sum = 0.0;
    let extra: &[usize] = if metric == Metric::Decode {
        &[
            16,
            17,
            18,
            19,
            20,
            21,
            22,
            UNIFIED_FIELD,
            INTEL_VULKAN_FIELD,
            LAYER_UNIFIED_FIELD,
            PDL_FIELD,
        ]
    } else {
        &[]
    };
    for i in (0..fields).chain(extra.iter().copied()) {
        let (a, b) = (*field(&mut c, metric, i), *field(&mut p, metric, i));
        if a > 0.0 && b > 0.0 {
            sum += (a / b).ln().powi(2);
        }
    }
    weight * sum / n.max(1) as f64
}

/// Coordinate descent on the fields of one metric; with a prior, each field is pulled towards
/// the prior's value by `weight` rows' worth of evidence.
fn descend(
    rows: &[&Prepared],
    metric: Metric,
    mut c: BackendConstants,
    prior: Option<(&BackendConstants, f64)>,
) -> BackendConstants {
    let on_cpu = rows.first().is_some_and(|r| r.backend == Backend::Cpu);
    let kept: Vec<&Prepared> = rows
        .iter()
        .filter(|r| !(r.lower_bound && LOWER_BOUNDS.load(Ordering::Relaxed) == 2))
        .copied()
        .collect();
    let rows = &kept[..];
    let weights = row_weights(rows, metric, on_cpu);
    let objective = |c: &BackendConstants| {
        loss(rows, &weights, c) + prior_penalty(c, metric, prior, rows.len())
    };
    let mut best: f64;
    let fields = if metric == Metric::Decode {
        DECODE_FIELDS
    } else {
        PREFILL_FIELDS
    };
    // A format class's efficiency is fitted only on rows of that class from several devices,
    // none holding more than a third of them (else it stays where it started): one device's
    // kernels must not set the class for every card, as one TinyLlama row once set every Metal
    // K-quant and the H200's latency-bound runs would set every CUDA one. On a GPU the K-quants
    // (most rows on every backend) are the reference: their efficiency is `eta_weights`, fitted
    // on every row, and another class is a ratio to it, so a class that fails the rule moves
    // with the K-quants instead of staying where a few devices' rows left `eta_weights` (the
    // DGX Spark's Q8_0 rows once held CUDA's Q8_0 at 1.0 while its K-quants fell to 0.60).
    let spread = |keep: &dyn Fn(&Prepared) -> bool| {
        let mut per_device: BTreeMap<&str, usize> = BTreeMap::new();
        for r in rows.iter().filter(|r| keep(r)) {
            *per_device.entry(r.device.as_str()).or_default() += 1;
        }
        let n: usize = per_device.values().sum();
        let most = per_device.values().max().copied().unwrap_or(0);
        n >= MIN_CLASS_ROWS && per_device.len() >= 3 && most * 3 <= n
    };
    // On the CPU one machine's sweep over formats may set them (no other CPU was swept over
    // formats; the held-out tables show what that is worth): the CPU's dequantization kernels
    // are one code path per format whatever the core, unlike each GPU backend's per-card tuning.
    let class_fits = |class: usize| {
        if on_cpu {
            rows.iter().filter(|r| r.format == Some(class)).count() >= MIN_CLASS_ROWS
        } else {
            spread(&|r| r.format == Some(class))
        }
    };
    // The energy per FLOP, on rows of cards with a board power from at least 3 devices.
    let power_fits = rows
        .iter()
        .filter(|r| r.card_power_w() > 0.0)
        .map(|r| r.device.as_str())
        .collect::<BTreeSet<_>>()
        .len()
        >= 3
        && !NO_POWER.load(Ordering::Relaxed);
    // Likewise the pipeline share of a layer split, on multi-GPU rows only.
    let pipeline_fits = spread(&|r| r.subsets.contains(&"multi-gpu"));
    // Likewise a runtime's extra cost, fitted only on rows of that runtime.
    let runtime_rows = |name: &str| rows.iter().filter(|r| r.subsets.contains(&name)).count();
    let runtime_names = ["ollama", "lm-studio", "mlx"];
    // MLX's own kernel efficiency: only on MLX rows from at least 3 devices.
    let mlx_devices = rows
        .iter()
        .filter(|r| r.subsets.contains(&"mlx"))
        .map(|r| r.device.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    // The hop of a layer split: only on multi-GPU rows from at least 3 configurations.
    let distinct = |keep: &dyn Fn(&Prepared) -> bool| {
        let picked: Vec<&str> = rows
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.device.as_str())
            .collect();
        let n = picked.len();
        (n, picked.into_iter().collect::<BTreeSet<_>>().len())
    };
    let (hop_rows, hop_devices) = distinct(&|r| r.subsets.contains(&"multi-gpu"));
    let hop_fits = hop_rows >= MIN_CLASS_ROWS && hop_devices >= 3;
    // The per-block cost without CUDA graphs: only on rows of cards that ran without them, from at
    // least 2 of them (today's rows hold few such cards: the P100 and V100 sweeps).
    let (old_rows, old_devices) = distinct(&|r| r.without_cuda_graphs());
    let no_graphs_fits = old_rows >= MIN_CLASS_ROWS && old_devices >= 2;
    // The overlap of Programmatic Dependent Launch likewise: on rows of cards of compute
    // capability 9.0 or newer run on builds that have it, from at least 2 of them.
    let (pdl_rows, pdl_devices) = distinct(&|r| {
        !r.before_pdl
            && r.compute_capability()
                .is_some_and(|cc| cc >= fitcheck::estimate::speed::PDL_MIN_CC)
    });
    let pdl_fits = pdl_rows >= MIN_CLASS_ROWS && pdl_devices >= 2;
    // The cost of a MoE block computed on the host beside a GPU, a property of the host and the
    // hand-off rather than of a backend's kernels: fitted in the pooled GPU fit on partly
    // offloaded MoE rows from at least 3 devices (issue 10's rule for a class); each backend
    // keeps the pooled value (today's such rows are all CUDA).
    let (host_moe_rows, host_moe_devices) = distinct(&|r| {
        r.backend != Backend::Cpu
            && r.subsets.contains(&"partial-offload")
            && r.subsets.contains(&"moe")
    });
    let host_moe_fits = host_moe_rows >= MIN_CLASS_ROWS && host_moe_devices >= 3 && prior.is_none();
    // The emulated dp4a: on rows of cards without it (compute capability below 6.1), whatever
    // their number (today only the P100 sweeps; K80 and M40 presets share the figure).
    let (no_dp4a_rows, _) = distinct(&|r| {
        r.compute_capability()
            .is_some_and(|cc| cc < fitcheck::estimate::speed::DP4A_MIN_CC)
    });
    let dp4a_fits = no_dp4a_rows >= MIN_CLASS_ROWS;
    // The extra MoE block cost on unified memory, a property of the memory, not of a backend's
    // kernels: fitted on MoE rows of unified GPUs from at least 3 devices where no pooled fit
    // holds it (the pooled fit over every GPU backend: DGX Spark, Strix Halo, Macs); a backend's
    // own fit keeps the pooled value (CUDA's and ROCm's unified rows are one device each).
    let (unified_rows, unified_devices) =
        distinct(&|r| r.unified_gpu() && r.subsets.contains(&"moe"));
    let unified_fits = unified_rows >= MIN_CLASS_ROWS && unified_devices >= 3 && prior.is_none();
    // The extra per-block cost on unified memory likewise, on every row of a unified GPU but
    // Metal's (every Metal GPU is unified, so Metal's own per-block cost holds it): the DGX
    // Spark, the Strix Halo and laptop iGPUs against the discrete cards of the same backends.
    let (unified_all_rows, unified_all_devices) =
        distinct(&|r| r.unified_gpu() && r.backend != Backend::Metal);
    let layer_unified_fits =
        unified_all_rows >= MIN_CLASS_ROWS && unified_all_devices >= 3 && prior.is_none();
    // The quantized-weight efficiency of Intel GPUs on Vulkan (32-wide subgroups split on 8- or
    // 16-wide SIMD): on the Vulkan rows of Intel GPUs, from at least 3 of them (as MLX's and the
    // hop's terms).
    let (intel_rows, intel_devices) = distinct(&|r| r.backend == Backend::Vulkan && r.intel_gpu());
    let intel_vulkan_fits = intel_rows >= MIN_CLASS_ROWS && intel_devices >= 3;
    // The vector units' matmul rate: on rows of GPUs whose prefill runs there, from at least 3.
    let (vector_rows, vector_devices) = distinct(&|r| r.prefill_on_vector_units());
    let vector_fits = vector_rows >= MIN_CLASS_ROWS && vector_devices >= 3;
    // The cost of an expert multiplied on its own: on the MoE rows of the cards that do so.
    let (per_expert_rows, _) = distinct(&|r| r.per_expert_moe());
    let expert_gemm_fits = per_expert_rows >= MIN_CLASS_ROWS;
    // A CPU class's per-thread rates: on rows of that class with a known thread count. Each
    // class is one kind of core, so one device's rows may set it (the held-out tables say what
    // that is worth on a device the fit never saw).
    let cpu_class_fits = |class: usize| {
        rows.iter()
            .filter(|r| r.cpu_threads() > 0.0 && r.cpu_class().map(CpuClass::index) == Some(class))
            .count()
            >= MIN_CLASS_ROWS
    };
    // The CPU's prefill efficiency is shared by its classes: the x86 reference sets it, so it is
    // fitted only when x86 rows are there (else it would absorb another class's rate).
    let cpu_reference_fits = !on_cpu || cpu_class_fits(REFERENCE_CPU_CLASS.index());
    // x86 classes without decode rows of their own (AMX, VNNI: their wider int8 units are
    // prefill's) stream at least at the AVX2 cores' fitted rate, not the neutral start.
    let reference = REFERENCE_CPU_CLASS.index();
    let tied: Vec<usize> = [CpuClass::X86Amx, CpuClass::X86Vnni]
        .iter()
        .map(|k| k.index())
        .filter(|&k| on_cpu && metric == Metric::Decode && !cpu_class_fits(k))
        .collect();
    let tie = |c: &mut BackendConstants| {
        for &k in &tied {
            c.cpu_thread_gbps[k] = c.cpu_thread_gbps[reference];
        }
    };
    tie(&mut c);
    best = objective(&c);
    for (step, rounds) in [(1.3, 10), (1.1, 4), (1.03, 4)] {
        for _round in 0..rounds {
            let mut improved = false;
            for i in 0..fields {
                if metric == Metric::Decode
                    && ((4..10).contains(&i)
                        && (!class_fits(i - 4) || !on_cpu && i - 4 == REFERENCE_CLASS)
                        || (13..16).contains(&i)
                            && runtime_rows(runtime_names[i - 13]) < MIN_CLASS_ROWS
                        || i == 18 && (runtime_rows("mlx") < MIN_CLASS_ROWS || mlx_devices < 3)
                        || i == 20 && !hop_fits
                        || i == 21 && !no_graphs_fits
                        || i == 22 && !dp4a_fits
                        || i == UNIFIED_FIELD && !unified_fits
                        || i == INTEL_VULKAN_FIELD && !intel_vulkan_fits
                        || i == LAYER_UNIFIED_FIELD && !layer_unified_fits
                        || i == PDL_FIELD && !pdl_fits
                        || i == HOST_MOE_FIELD && !host_moe_fits
                        || (23..UNIFIED_FIELD).contains(&i) && !cpu_class_fits(i - 23))
                {
                    continue;
                }
                // Prefill format classes likewise; K-quants (class 3) are the reference, 1.
                if metric == Metric::Prefill
                    && ((6..12).contains(&i) && (i == 6 + REFERENCE_CLASS || !class_fits(i - 6))
                        || i == 14 && !pipeline_fits
                        || i == 0 && !cpu_reference_fits
                        || i == POWER_FIELD && (on_cpu || !power_fits)
                        || i == VECTOR_FIELD && !vector_fits
                        || i == EXPERT_GEMM_FIELD && !expert_gemm_fits
                        || (15..POWER_FIELD).contains(&i)
                            && (i - 15 == REFERENCE_CPU_CLASS.index() || !cpu_class_fits(i - 15)))
                {
                    continue;
                }
                for dir in [step, 1.0 / step] {
                    let mut trial = c;
                    let up = if dir > 1.0 { 1.0 } else { -1.0 };
                    if metric == Metric::Decode && (13..16).contains(&i) {
                        // A runtime's extra cost starts at nothing: additive steps of
                        // 0.6, 0.2 and 0.06 ms.
                        *field(&mut trial, metric, i) += up * (step - 1.0) * 2e-3;
                    } else if metric == Metric::Prefill && i == POWER_FIELD {
                        // No power limit to start with: steps of 0.3, 0.1 and 0.03 pJ.
                        *field(&mut trial, metric, i) += up * (step - 1.0);
                    } else if metric == Metric::Decode && i == HOST_MOE_FIELD {
                        // Likewise the host MoE block: 0.3, 0.1 and 0.03 ms.
                        *field(&mut trial, metric, i) += up * (step - 1.0) * 1e-3;
                    } else if metric == Metric::Decode && i == LAYER_UNIFIED_FIELD {
                        // Likewise the unified-memory cost per block: 30, 10 and 3 µs.
                        *field(&mut trial, metric, i) += up * (step - 1.0) * 1e-4;
                    } else {
                        *field(&mut trial, metric, i) *= dir;
                    }
                    if metric == Metric::Decode && i == 23 + reference {
                        tie(&mut trial);
                    }
                    clamp(&mut trial, on_cpu);
                    let l = objective(&trial);
                    if l < best - 1e-5 {
                        best = l;
                        c = trial;
                        improved = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }
    c
}

/// How many rows' worth of evidence the pooled GPU decode constants weigh against one
/// backend's rows (`--shrink W`; 0: every backend on its own, from the spec's defaults).
const DEFAULT_SHRINK: f64 = 5.0;

/// The decode constants every GPU backend of one era shares as a prior: one fit over the decode
/// rows of all GPU backends (CUDA, ROCm, Metal, Vulkan), the 2024 era starting from today's.
fn pooled(rows: &[&Prepared]) -> [BackendConstants; 2] {
    let mut out = [neutral(Backend::Cuda); 2];
    let mut start = neutral(Backend::Cuda);
    for (ei, e) in ERAS.iter().enumerate() {
        let group: Vec<&Prepared> = rows
            .iter()
            .filter(|r| r.backend != Backend::Cpu && r.era == *e && r.metric == Metric::Decode)
            .copied()
            .collect();
        if group.len() >= MIN_ROWS {
            start = descend(&group, Metric::Decode, start, None);
        }
        out[ei] = start;
    }
    out
}

/// Whether a (backend, era, metric) group has the rows and devices to fit its own constants:
/// [`MIN_ROWS`] on its own, [`MIN_PULLED_ROWS`] when `pulled` towards the pooled GPU fit.
fn enough(group: &[&Prepared], pulled: bool) -> bool {
    let devices: BTreeSet<&str> = group.iter().map(|r| r.device.as_str()).collect();
    let min = if pulled { MIN_PULLED_ROWS } else { MIN_ROWS };
    group.len() >= min && devices.len() >= MIN_DEVICES
}

/// Fits the groups in `only` (all when `None`) on `rows`. Without shrinkage each backend starts
/// from the neutral defaults; with it, from the pooled GPU fit of `rows`, and a group with fewer
/// than [`MIN_PULLED_ROWS`] decode rows keeps the pooled constants. The 2024 era starts from
/// today's.
fn fit(rows: &[&Prepared], base: &Table, only: Option<&BTreeSet<usize>>, shrink: f64) -> Table {
    let mut t = *base;
    let prior = (shrink > 0.0).then(|| pooled(rows));
    for (bi, b) in BACKENDS.iter().enumerate() {
        if only.is_some_and(|o| !o.contains(&bi)) {
            continue;
        }
        let gpu = *b != Backend::Cpu;
        let mut start = match prior {
            Some(p) if gpu => with_metric(neutral(*b), &p[0], Metric::Decode),
            _ => neutral(*b),
        };
        for (ei, e) in ERAS.iter().enumerate() {
            let mut c = start;
            // The kernel generation, not the fit, says whether prefill dequantizes to FP16 and
            // where flash attention runs.
            c.gemm_dequant_bytes = gemm_dequant_bytes(*b, *e);
            c.attn_vector_share = fitcheck::estimate::speed::attn_vector_share(*b);
            c.attn_matrix_head = fitcheck::estimate::speed::attn_matrix_head(*b, *e);
            let pull = prior.filter(|_| gpu).map(|p| p[ei]);
            for metric in [Metric::Decode, Metric::Prefill] {
                let group: Vec<&Prepared> = rows
                    .iter()
                    .filter(|r| slot(r.backend) == bi && r.era == *e && r.metric == metric)
                    .copied()
                    .collect();
                // Only decode is pooled: it streams bytes through one memory system per device,
                // while prefill runs each backend's own matmul kernels (MMQ, rocWMMA, coopmat).
                let pull = pull.filter(|_| metric == Metric::Decode);
                if enough(&group, pull.is_some()) {
                    c = descend(&group, metric, c, pull.as_ref().map(|p| (p, shrink)));
                } else if let Some(p) = pull {
                    c = with_metric(c, &p, metric);
                }
            }
            t[bi][ei] = c;
            if *b != Backend::Vulkan {
                // Only Vulkan runs the 32-wide subgroups Intel GPUs split.
                t[bi][ei].intel_vulkan_quant_eff = 1.0;
            }
            if *b != Backend::Cuda {
                // Programmatic Dependent Launch is a CUDA launch attribute.
                t[bi][ei].pdl_factor = 1.0;
            }
            start = c;
        }
    }
    t
}

/// FP16 bytes per weight the prefill GEMMs of `backend`'s `era` copy beyond the quantized read:
/// ROCm's older prefill slot holds the builds before the WMMA matmul kernels (and 2024's), which
/// dequantized every matrix multiplied at a batch of 64 or more for hipBLAS; every other
/// generation multiplies the quantized blocks (MMQ).
fn gemm_dequant_bytes(backend: Backend, era: BuildEra) -> f64 {
    if backend == Backend::Rocm && era == BuildEra::Y2024 {
        fitcheck::estimate::speed::DEQUANT_FP16_BYTES
    } else {
        0.0
    }
}

/// `c` with the fields of `metric` taken from `from`.
fn with_metric(
    mut c: BackendConstants,
    from: &BackendConstants,
    metric: Metric,
) -> BackendConstants {
    let mut from = *from;
    let fields = if metric == Metric::Decode {
        DECODE_FIELDS
    } else {
        PREFILL_FIELDS
    };
    for i in 0..fields {
        *field(&mut c, metric, i) = *field(&mut from, metric, i);
    }
    c
}

fn check_all(rows: &[&Prepared], t: &Table) -> Vec<Checked> {
    rows.iter()
        .map(|r| r.check(&lookup(t, r.backend, r.era)))
        .collect()
}

/// How the held-out folds run: `jobs` threads, groups dealt into `folds` folds (one group a fold
/// when `None`), and only the groups with rows in `subset` held out (all when `None`).
struct HeldOut<'a> {
    jobs: usize,
    folds: Option<usize>,
    subset: Option<&'a str>,
}

/// Leave-one-group-out: each group's rows predicted by constants fitted without them. Only
/// the backends the held-out rows run on are refitted; the others' training data is unchanged.
fn leave_one_out(
    rows: &[&Prepared],
    full: &Table,
    shrink: f64,
    key: impl Fn(&Prepared) -> String + Sync,
    label: &str,
    how: &HeldOut,
) -> Vec<Checked> {
    // With `--subset S`, only the groups with rows in S are held out, and only those rows checked.
    let HeldOut {
        jobs,
        folds,
        subset,
    } = *how;
    let in_subset = |r: &Prepared| subset.is_none_or(|s| r.subsets.contains(&s));
    let names: Vec<String> = rows
        .iter()
        .filter(|r| in_subset(r))
        .map(|r| key(r))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // With `--folds K`, the groups are dealt round-robin into K folds, each held out whole (a
    // stricter and much cheaper test than one group at a time: every fold's groups are unseen).
    let folds_of = folds.filter(|k| *k > 0 && *k < names.len());
    let fold_of = |name: &str| {
        let i = names.iter().position(|n| n == name).unwrap_or(0);
        folds_of.map_or(i, |k| i % k)
    };
    let keys: Vec<usize> = (0..folds_of.unwrap_or(names.len())).collect();
    // Folds are independent: `jobs` threads take them in turn; results keep the keys' order.
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let mut folds: Vec<(usize, Vec<Checked>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..jobs.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(k) = keys.get(i) else { break };
                        let (test, train): (Vec<&Prepared>, Vec<&Prepared>) = rows
                            .iter()
                            .copied()
                            .partition(|r| names.contains(&key(r)) && fold_of(&key(r)) == *k);
                        let test: Vec<&Prepared> =
                            test.into_iter().filter(|r| in_subset(r)).collect();
                        let touched: BTreeSet<usize> =
                            test.iter().map(|r| slot(r.backend)).collect();
                        let t = fit(&train, full, Some(&touched), shrink);
                        mine.push((i, check_all(&test, &t)));
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        eprint!("\r{label}: {n}/{} ", keys.len());
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    eprintln!();
    folds.sort_by_key(|(i, _)| *i);
    folds.into_iter().flat_map(|(_, c)| c).collect()
}

fn groups(checked: &[Checked]) -> BTreeMap<(Metric, &'static str), Vec<f64>> {
    let mut g: BTreeMap<(Metric, &'static str), Vec<f64>> = BTreeMap::new();
    for r in checked {
        g.entry((r.metric, "all")).or_default().push(r.error());
        for s in &r.subsets {
            if *s != "decode" && *s != "prefill" {
                g.entry((r.metric, s)).or_default().push(r.error());
            }
        }
    }
    g
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn metric_name(m: Metric) -> &'static str {
    match m {
        Metric::Decode => "decode",
        Metric::Prefill => "prefill",
    }
}

/// One markdown table: per subset, n and the median / p90 |error| of each held-out scheme.
fn print_tables(schemes: &[(&str, Vec<Checked>)]) {
    let grouped: Vec<_> = schemes.iter().map(|(_, c)| groups(c)).collect();
    let mut head = String::from("| metric | subset | n |");
    let mut rule = String::from("|---|---|---:|");
    for (name, _) in schemes {
        head.push_str(&format!(" {name} median | {name} bias | {name} p90 |"));
        rule.push_str("---:|---:|---:|");
    }
    println!("{head}\n{rule}");
    for (key, errs) in &grouped[0] {
        let mut line = format!("| {} | {} | {} |", metric_name(key.0), key.1, errs.len());
        for g in &grouped {
            match g.get(key).and_then(|e| stats(e)) {
                Some(s) => line.push_str(&format!(
                    " {} | {:+.1}% | {} |",
                    pct(s.median_abs),
                    s.median_signed * 100.0,
                    pct(s.p90_abs)
                )),
                None => line.push_str(" – | – | – |"),
            }
        }
        println!("{line}");
    }
}

/// Four significant digits, as a Rust literal.
fn lit(x: f64) -> String {
    if x == 0.0 {
        return "0.0".into();
    }
    if x.abs() < 1e-3 {
        return format!("{x:.3e}");
    }
    let digits = (3 - x.abs().log10().floor() as i32).max(1) as usize;
    let s = format!("{x:.digits$}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_string()
    }
}

/// The table as the match arms of `BackendConstants::of_era` in src/estimate/constants.rs.
fn print_constants(t: &Table) {
    for (bi, b) in BACKENDS.iter().enumerate() {
        for (ei, e) in ERAS.iter().enumerate() {
            let c = &t[bi][ei];
            let fmt: Vec<String> = c.format_eff.iter().map(|x| lit(*x)).collect();
            let pattern = format!("(Backend::{b:?}, BuildEra::{e:?})");
            println!(
                "            {pattern} => BackendConstants {{\n                eta_weights: {},\n                bw_saturation_gbps: {},\n                alu_ops_per_weight: {},\n                alu_overlap: {},\n                eta_kv: {},\n                eta_host: {},\n                t_fixed: {},\n                t_layer: {},\n                no_graphs_factor: {},\n                t_hop: {},\n                dp4a_emulated_ops: {},\n                prefill_eff: {},\n                tflops_saturation: {},\n                t_ubatch: {},\n                host_copy_gbps: {},\n                moe_eta: {},\n                t_moe_unified: {},\n                t_layer_unified: {},\n                pdl_factor: {},\n                intel_vulkan_quant_eff: {},\n                t_moe_layer: {},\n                t_host_moe_layer: {},\n                moe_prefill: {},\n                attn_eff: {},\n                attn_eff_no_fa: {},\n                format_eff: [{}],\n                prefill_format_eff: [{}],\n                t_ubatch_layer: {},\n                pipeline_eff: {},\n                runtime_t_fixed: [{}],\n                mlx_eta: {},\n                cpu_thread_gbps: [{}],\n                cpu_thread_tflops: [{}],\n                gemm_dequant_bytes: {},\n                pj_per_flop: {},\n                vector_matmul_ratio: {},\n                attn_vector_share: {},\n                attn_matrix_head: {},\n                t_expert_gemm: {},\n            }},",
                lit(c.eta_weights),
                lit(c.bw_saturation_gbps),
                lit(c.alu_ops_per_weight),
                lit(c.alu_overlap),
                lit(c.eta_kv),
                lit(c.eta_host),
                lit(c.t_fixed),
                lit(c.t_layer),
                lit(c.no_graphs_factor),
                lit(c.t_hop),
                lit(c.dp4a_emulated_ops),
                lit(c.prefill_eff),
                lit(c.tflops_saturation),
                lit(c.t_ubatch),
                lit(c.host_copy_gbps),
                lit(c.moe_eta),
                lit(c.t_moe_unified),
                lit(c.t_layer_unified),
                lit(c.pdl_factor),
                lit(c.intel_vulkan_quant_eff),
                lit(c.t_moe_layer),
                lit(c.t_host_moe_layer),
                lit(c.moe_prefill),
                lit(c.attn_eff),
                lit(c.attn_eff_no_fa),
                fmt.join(", "),
                c.prefill_format_eff.map(lit).join(", "),
                lit(c.t_ubatch_layer),
                lit(c.pipeline_eff),
                c.runtime_t_fixed.map(lit).join(", "),
                lit(c.mlx_eta),
                c.cpu_thread_gbps.map(lit).join(", "),
                c.cpu_thread_tflops.map(lit).join(", "),
                lit(c.gemm_dequant_bytes),
                lit(c.pj_per_flop),
                lit(c.vector_matmul_ratio),
                lit(c.attn_vector_share),
                lit(c.attn_matrix_head),
                lit(c.t_expert_gemm)
            );
        }
    }
}

/// Every held-out prediction as CSV (scheme, line, metric, hardware, model, measured,
/// predicted, subsets), for residual analysis outside this tool.
fn dump(path: &str, schemes: &[(&str, &Vec<Checked>)]) {
    let mut out = String::from("scheme,line,metric,hardware,model,measured,predicted,subsets\n");
    for (name, rows) in schemes {
        for r in rows.iter() {
            out.push_str(&format!(
                "{name},{},{},\"{}\",\"{}\",{},{},{}\n",
                r.line,
                metric_name(r.metric),
                r.hardware.replace('"', "'"),
                r.model.replace('"', "'"),
                r.measured,
                r.predicted,
                r.subsets.join("|")
            ));
        }
    }
    std::fs::write(path, out).unwrap_or_else(|e| panic!("{path}: {e}"));
}

/// The in-sample predictions with each row's device, backend, era, format class and Vulkan
/// driver, for residual analysis per device and format outside this tool.
fn dump_rows(path: &str, rows: &[&Prepared], checked: &[Checked]) {
    let mut out = String::from(
        "line,metric,device,backend,era,format,vk_driver,model,measured,predicted,subsets\n",
    );
    for (r, ch) in rows.iter().zip(checked) {
        out.push_str(&format!(
            "{},{},\"{}\",{:?},{:?},{},{},\"{}\",{},{},{}\n",
            ch.line,
            metric_name(ch.metric),
            r.device.replace('"', "'"),
            r.backend,
            r.era,
            r.format.map_or(String::from("-"), |f| f.to_string()),
            r.vk_driver()
                .map_or(String::from("-"), |d| format!("{d:?}")),
            ch.model.replace('"', "'"),
            ch.measured,
            ch.predicted,
            ch.subsets.join("|")
        ));
    }
    std::fs::write(path, out).unwrap_or_else(|e| panic!("{path}: {e}"));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let mut files: Vec<String> = args
        .windows(2)
        .filter(|w| w[0] == "--data")
        .map(|w| w[1].clone())
        .collect();
    if files.is_empty() {
        files = DEFAULT_DATA
            .iter()
            .filter(|p| std::path::Path::new(p).exists())
            .map(|p| p.to_string())
            .collect();
    }
    let cat = Catalog::builtin().unwrap();
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect();
    let mut prepared = Vec::new();
    for (f, text) in files.iter().zip(&texts) {
        let (rows, skipped) = prepare(text, &cat).unwrap_or_else(|e| panic!("{f}: {e}"));
        eprintln!("{f}: {} rows, {} skipped", rows.len(), skipped.len());
        if args.iter().any(|a| a == "--skipped") {
            for (line, why) in &skipped {
                eprintln!("  {f}:{line}: {why}");
            }
        }
        prepared.extend(rows);
    }
    NO_POWER.store(args.iter().any(|a| a == "--no-power"), Ordering::Relaxed);
    if let Some(b) = value("--balance").and_then(|b| b.parse::<f64>().ok()) {
        DEVICE_BALANCE.store(b.to_bits(), Ordering::Relaxed);
    }
    let lower_bounds = match value("--lower-bounds").map(String::as_str) {
        None | Some("fit") => 0,
        Some("one-sided") => 1,
        Some("out") => 2,
        Some(other) => panic!("--lower-bounds {other}: fit, one-sided or out"),
    };
    LOWER_BOUNDS.store(lower_bounds, Ordering::Relaxed);
    let decode_only = args.iter().any(|a| a == "--decode");
    let prefill_only = args.iter().any(|a| a == "--prefill");
    // Wall-clock rates (a request's tokens over its whole time, prompt and server included) are
    // not decode or prefill rates: `fitcheck validate` reports them, the fit leaves them out.
    let wall_clock = prepared.iter().filter(|r| r.wall_clock).count();
    eprintln!("{wall_clock} wall-clock rows left out of the fit");
    let rows: Vec<&Prepared> = prepared
        .iter()
        .filter(|r| !r.wall_clock)
        .filter(|r| !decode_only || r.metric == Metric::Decode)
        .filter(|r| !prefill_only || r.metric == Metric::Prefill)
        .collect();
    let shrink = value("--shrink")
        .and_then(|w| w.parse::<f64>().ok())
        .unwrap_or(DEFAULT_SHRINK);
    let full = fit(&rows, &neutral_table(), None, shrink);
    if args.iter().any(|a| a == "--lodo") {
        let jobs = value("--jobs")
            .and_then(|j| j.parse::<usize>().ok())
            .unwrap_or(1);
        let folds = value("--folds").and_then(|k| k.parse::<usize>().ok());
        let subset = value("--subset").map(String::as_str);
        let how = HeldOut {
            jobs,
            folds,
            subset,
        };
        let devices = leave_one_out(&rows, &full, shrink, |r| r.device.clone(), "devices", &how);
        // `--no-lofo`: devices only (half the time), the family column left empty.
        let families = if args.iter().any(|a| a == "--no-lofo") {
            Vec::new()
        } else {
            leave_one_out(&rows, &full, shrink, |r| r.family.clone(), "families", &how)
        };
        let in_sample: Vec<Checked> = check_all(&rows, &full)
            .into_iter()
            .filter(|c| subset.is_none_or(|s| c.subsets.contains(&s)))
            .collect();
        let n_dev: BTreeSet<&str> = rows.iter().map(|r| r.device.as_str()).collect();
        let n_fam: BTreeSet<&str> = rows.iter().map(|r| r.family.as_str()).collect();
        println!(
            "{} rows, {} devices, {} model families ({})\n",
            rows.len(),
            n_dev.len(),
            n_fam.len(),
            files.join(", ")
        );
        if let Some(path) = value("--dump") {
            dump(
                path,
                &[("lodo", &devices), ("lofo", &families), ("in", &in_sample)],
            );
        }
        print_tables(&[
            ("LODO", devices),
            ("LOFO", families),
            ("in-sample", in_sample),
        ]);
    } else if let Some(held) = value("--hold") {
        // One fold of the LODO table, fast: the devices whose key contains HELD, predicted by
        // constants fitted without them (only the backends they run on are refitted).
        let (test, train): (Vec<&Prepared>, Vec<&Prepared>) = rows
            .iter()
            .copied()
            .partition(|r| r.device.contains(held.as_str()));
        let touched: BTreeSet<usize> = test.iter().map(|r| slot(r.backend)).collect();
        let t = fit(&train, &full, Some(&touched), shrink);
        let checked = check_all(&test, &t);
        print_constants(&t);
        if let Some(path) = value("--dump") {
            dump(path, &[("held", &checked)]);
        }
        print_tables(&[("held-out", checked)]);
    } else if let Some(k) = value("--cv").and_then(|k| k.parse::<usize>().ok()) {
        // Each row's fold is fixed by its position, so runs are reproducible.
        let mut held_out = Vec::new();
        for fold in 0..k {
            let mut test: Vec<&Prepared> = Vec::new();
            let mut train: Vec<&Prepared> = Vec::new();
            for (i, r) in rows.iter().enumerate() {
                if i % k == fold {
                    test.push(r);
                } else {
                    train.push(r);
                }
            }
            let t = fit(&train, &neutral_table(), None, shrink);
            held_out.extend(check_all(&test, &t));
            eprintln!("fold {}/{k} done", fold + 1);
        }
        print_tables(&[(&format!("{k}-fold"), held_out)]);
    } else if let Some(filter) = value("--rows") {
        // In-sample rows of devices whose name contains FILTER.
        for ch in check_all(&rows, &full) {
            if ch.hardware.contains(filter.as_str()) {
                println!(
                    "{} {:?} {} | {} | measured {:.1} predicted {:.1} ({:+.1}%)",
                    ch.line,
                    ch.metric,
                    ch.hardware,
                    ch.model,
                    ch.measured,
                    ch.predicted,
                    ch.error() * 100.0
                );
            }
        }
    } else if let Some(path) = value("--probe") {
        // Rows of another file (measured or not) predicted by the fit, without fitting on them:
        // what the constants would give a row the fit never saw.
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (probe, skipped) = prepare(&text, &cat).unwrap_or_else(|e| panic!("{path}: {e}"));
        for (line, why) in &skipped {
            eprintln!("  {path}:{line}: {why}");
        }
        for r in &probe {
            let ch = r.check(&lookup(&full, r.backend, r.era));
            println!(
                "{} {} | {} | measured {:.1} predicted {:.1} ({:+.1}%)",
                ch.line,
                ch.hardware,
                ch.model,
                ch.measured,
                ch.predicted,
                ch.error() * 100.0
            );
        }
    } else {
        print_constants(&full);
        let in_sample = check_all(&rows, &full);
        if let Some(path) = value("--dump") {
            dump(path, &[("in", &in_sample)]);
            dump_rows(&format!("{path}.rows.csv"), &rows, &in_sample);
        }
        print_tables(&[("in-sample", in_sample)]);
    }
}
