//! Where every byte goes (GPU vs host), whether it fits, and how many layers to offload —
//! the same back-to-front, experts-first strategy as llama.cpp's `--fit`.

use serde::{Deserialize, Serialize};

use super::hardware::Hardware;
use super::kv::CacheBytes;
use super::overhead::{ComputeBuffers, HOST_RUNTIME};
use super::units::GIB;
use super::weights::WeightTable;

/// The answer to "does it fit".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Everything in GPU (or unified) memory.
    FitsOnGpu,
    /// Some layers or experts in host RAM: runs, slower.
    PartialOffload,
    /// Runs on the CPU from RAM only.
    CpuOnly,
    /// Does not fit anywhere.
    DoesNotFit,
}

impl Verdict {
    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::FitsOnGpu => "fits on GPU",
            Verdict::PartialOffload => "partial offload",
            Verdict::CpuOnly => "CPU only",
            Verdict::DoesNotFit => "does not fit",
        }
    }

    /// A symbol that carries the meaning without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Verdict::FitsOnGpu => "✓",
            Verdict::PartialOffload => "~",
            Verdict::CpuOnly => "c",
            Verdict::DoesNotFit => "✗",
        }
    }
}

/// Which layers sit on the GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Placement {
    /// `-ngl`: blocks counted from the end, plus the output layer when `> layers`.
    pub gpu_layers: u32,
    /// `--n-cpu-moe`: the first N blocks keep their routed experts in host RAM.
    pub cpu_moe: u32,
}

/// Bytes per memory pool for one placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Weights on GPUs (all devices).
    pub gpu_weights: u64,
    /// Weights in host RAM.
    pub host_weights: u64,
    /// Cache on GPUs.
    pub gpu_cache: u64,
    /// Cache in host RAM.
    pub host_cache: u64,
    /// Compute buffers on the GPUs (all devices; the unified pool on unified machines).
    pub gpu_compute: u64,
    /// Compute buffers, graph inputs and the output buffer in host RAM.
    pub host_compute: u64,
    /// Driver/runtime context on the GPUs (all devices).
    pub gpu_runtime: u64,
    /// Runtime allowance in host RAM.
    pub host_runtime: u64,
    /// Vision projector (weights + image buffer) on the main GPU or the unified pool.
    pub gpu_projector: u64,
    /// The same in host RAM (CPU-only machines).
    pub host_projector: u64,
    /// Used on the GPU with the least headroom (the fullest one when the cards are identical).
    pub gpu_per_device: u64,
    /// Usable bytes of that GPU.
    pub gpu_usable: u64,
    /// Used in host RAM (the unified pool for unified machines).
    pub host: u64,
}

impl Tally {
    /// All compute buffers.
    pub fn compute(&self) -> u64 {
        self.gpu_compute.saturating_add(self.host_compute)
    }

    /// All runtime allowances.
    pub fn runtime(&self) -> u64 {
        self.gpu_runtime.saturating_add(self.host_runtime)
    }
}

/// Everything placement needs, fixed for one (model, quant, cache, hardware).
pub struct FitInputs<'a> {
    /// Weights.
    pub weights: &'a WeightTable,
    /// Cache.
    pub cache: &'a CacheBytes,
    /// Compute buffers.
    pub compute: ComputeBuffers,
    /// Runtime overhead per GPU.
    pub runtime: u64,
    /// Machine.
    pub hw: &'a Hardware,
}

impl FitInputs<'_> {
    fn layers(&self) -> u32 {
        self.weights.layers.len() as u32
    }

    /// (weights, KV) on each GPU of a layer split, as llama.cpp assigns them by default
    /// (`--tensor-split` unset): each card's share is proportional to its free memory, the
    /// offloaded layers and the output head are `act` slots, and slot `k` goes to the first card
    /// whose cumulative share exceeds `k / act` (llama-model.cpp `load_tensors`). For identical
    /// cards that is card `k × gpus / act`: the first cards take one layer more, the last the head.
    pub fn layer_split(&self, p: Placement) -> Vec<(u64, u64)> {
        let w = self.weights;
        let n = self.layers();
        let shares = self.hw.card_usable();
        let gpus = shares.len().max(1);
        let act = p.gpu_layers.min(n + 1);
        let mut cards = vec![(0u64, 0u64); gpus];
        if act == 0 {
            return cards;
        }
        let first_gpu = n + 1 - act;
        let mut cumulative = Vec::with_capacity(gpus);
        let mut sum = 0u128;
        for s in &shares {
            sum += u128::from(*s);
            cumulative.push(sum);
        }
        let total = sum.max(1);
        // First card with cumulative / total > slot / act, in exact integer arithmetic.
        let card = |il: u32| {
            let slot = u128::from(il - first_gpu);
            cumulative
                .iter()
                .position(|&c| c * u128::from(act) > slot * total)
                .unwrap_or(gpus - 1)
        };
        for (il, l) in w.layers.iter().enumerate().skip(first_gpu as usize) {
            let il = il as u32;
            let experts_on_host = il < p.cpu_moe;
            let c = &mut cards[card(il).min(gpus - 1)];
            c.0 =
                c.0.saturating_add(l.bytes - if experts_on_host { l.expert_bytes } else { 0 });
            c.1 = c.1.saturating_add(self.cache.per_layer[il as usize]);
        }
        // The output layer is the first one offloaded (llama.cpp#18148): any `-ngl` ≥ 1 holds it.
        {
            let c = &mut cards[card(n).min(gpus - 1)];
            c.0 = c.0.saturating_add(w.output);
        }
        cards
    }

    /// Memory use of one placement.
    pub fn tally(&self, p: Placement) -> Tally {
        let w = self.weights;
        let cache_total = self
            .cache
            .per_layer
            .iter()
            .fold(0u64, |a, b| a.saturating_add(*b));
        let layer_total = w.layers.iter().fold(0u64, |a, l| a.saturating_add(l.bytes));
        let hw = self.hw;
        if !hw.has_gpu() || hw.unified {
            let weights = w.loaded_bytes();
            let gpu = hw.has_gpu();
            // Without a GPU the CPU backend reserves the whole graph in one buffer.
            let (device_compute, host_compute) = if gpu {
                (
                    self.compute.device,
                    self.compute.host.saturating_add(self.compute.output),
                )
            } else {
                (0, self.compute.single.saturating_add(self.compute.output))
            };
            // The process's own memory shares the pool on unified machines.
            let runtime = if gpu {
                self.runtime.saturating_add(HOST_RUNTIME)
            } else {
                HOST_RUNTIME
            };
            let projector = self.compute.projector();
            let total = weights
                .saturating_add(cache_total)
                .saturating_add(device_compute)
                .saturating_add(host_compute)
                .saturating_add(runtime)
                .saturating_add(projector);
            let on_gpu = |b: u64| if gpu { b } else { 0 };
            let on_host = |b: u64| if gpu { 0 } else { b };
            return Tally {
                gpu_weights: on_gpu(weights),
                host_weights: on_host(weights),
                gpu_cache: on_gpu(cache_total),
                host_cache: on_host(cache_total),
                gpu_compute: device_compute,
                host_compute,
                gpu_runtime: on_gpu(self.runtime),
                host_runtime: HOST_RUNTIME,
                gpu_projector: on_gpu(projector),
                host_projector: on_host(projector),
                gpu_per_device: on_gpu(total),
                gpu_usable: hw.usable_per_device(),
                host: total,
            };
        }
        let n = self.layers();
        let ngl = p.gpu_layers.min(n + 1);
        let first_gpu = n + 1 - ngl.max(1);
        // llama.cpp offloads the output layer first (llama.cpp#18148): `-ngl k` is the head plus
        // the last k − 1 blocks, so a tied head puts a copy of the embedding table on the GPU.
        let output_on_gpu = ngl > 0;
        let mut gpu_w = 0u64;
        let mut gpu_kv = 0u64;
        let mut largest_host_tensor = 0u64;
        for (il, l) in w.layers.iter().enumerate() {
            let il = il as u32;
            if ngl > 0 && il >= first_gpu {
                let experts_on_host = il < p.cpu_moe;
                gpu_w = gpu_w
                    .saturating_add(l.bytes - if experts_on_host { l.expert_bytes } else { 0 });
                gpu_kv = gpu_kv.saturating_add(self.cache.per_layer[il as usize]);
                if experts_on_host {
                    largest_host_tensor = largest_host_tensor.max(l.expert_bytes / 3);
                }
            } else {
                largest_host_tensor =
                    largest_host_tensor.max((l.bytes - l.expert_bytes) / 3 + l.expert_bytes / 3);
            }
        }
        if output_on_gpu {
            gpu_w = gpu_w.saturating_add(w.output);
        } else {
            largest_host_tensor = largest_host_tensor.max(w.output);
        }
        // A tied head's host copy is token_embd itself; anything else in `output` is its own.
        let host_output = if output_on_gpu {
            0
        } else {
            w.output.saturating_sub(w.tied_head)
        };
        let gpu_layer_bytes = gpu_w.saturating_sub(if output_on_gpu { w.output } else { 0 });
        let host_w = w
            .token_embd
            .saturating_add(host_output)
            .saturating_add(layer_total.saturating_sub(gpu_layer_bytes));
        let host_kv = cache_total.saturating_sub(gpu_kv);
        let gpus = u64::from(hw.gpus.max(1));
        let offloading = ngl <= n || p.cpu_moe > 0;
        // Every layer on several GPUs: llama.cpp pipelines, with extra copies of the inputs.
        let pipelined = gpus > 1 && !offloading && ngl > 0;
        // Even with no layer offloaded the GPU backend runs the batch's matmuls, copying each
        // host weight in (ops with a batch ≥ 32 go to the GPU, GGML_OP_OFFLOAD_MIN_BATCH), so
        // its compute buffer and context exist at `-ngl 0` too; then one card does it.
        let copy_in = if offloading { largest_host_tensor } else { 0 };
        let copies = if pipelined {
            self.compute.pipeline_device
        } else {
            0
        };
        let dev_compute = self
            .compute
            .device
            .saturating_add(copy_in)
            .saturating_add(copies);
        let active_gpus = if ngl > 0 { gpus } else { 1 };
        // The host keeps the graph inputs and logits; the big ops of host-resident layers run
        // on the GPU too, so its own graph stays small (Qwen3-30B-A3B at -ngl 0: 16.01 MiB).
        let host_compute = self
            .compute
            .host
            .saturating_add(self.compute.output)
            .saturating_add(if pipelined {
                self.compute.pipeline_host
            } else {
                0
            });
        // The card with the least headroom decides: the split is neither exactly even nor, for
        // mixed cards, onto cards of one size.
        let fixed = dev_compute.saturating_add(self.runtime);
        // The projector goes to the first GPU whatever `-ngl` is (mtmd's own backend choice).
        let projector = self.compute.projector();
        let (gpu_per_device, gpu_usable) = if gpus > 1 {
            self.layer_split(p)
                .iter()
                .zip(hw.card_usable())
                .enumerate()
                .map(|(i, ((w, kv), usable))| {
                    let own = if i == 0 { projector } else { 0 };
                    (
                        w.saturating_add(*kv)
                            .saturating_add(fixed)
                            .saturating_add(own),
                        usable,
                    )
                })
                .min_by_key(|&(used, usable)| i128::from(usable) - i128::from(used))
                .unwrap_or((fixed, hw.usable_per_device()))
        } else {
            (
                gpu_w
                    .saturating_add(gpu_kv)
                    .saturating_add(fixed)
                    .saturating_add(projector),
                hw.usable_per_device(),
            )
        };
        Tally {
            gpu_weights: gpu_w,
            host_weights: host_w,
            gpu_cache: gpu_kv,
            host_cache: host_kv,
            gpu_compute: dev_compute.saturating_mul(active_gpus),
            host_compute,
            gpu_runtime: self.runtime.saturating_mul(active_gpus),
            host_runtime: HOST_RUNTIME,
            gpu_projector: projector,
            host_projector: 0,
            gpu_per_device,
            gpu_usable,
            host: host_w
                .saturating_add(host_kv)
                .saturating_add(host_compute)
                .saturating_add(HOST_RUNTIME),
        }
    }

    fn gpu_ok(&self, t: &Tally) -> bool {
        t.gpu_per_device <= t.gpu_usable
    }

    fn host_ok(&self, t: &Tally) -> bool {
        t.host <= self.hw.host_usable()
    }

    /// Verdict of a placement.
    pub fn verdict_of(&self, p: Placement) -> (Verdict, Tally) {
        let t = self.tally(p);
        let hw = self.hw;
        let v = if !hw.has_gpu() {
            if self.host_ok(&t) {
                Verdict::CpuOnly
            } else {
                Verdict::DoesNotFit
            }
        } else if hw.unified {
            if self.gpu_ok(&t) {
                Verdict::FitsOnGpu
            } else if t.host <= hw.host_usable() {
                Verdict::CpuOnly
            } else {
                Verdict::DoesNotFit
            }
        } else if !(self.gpu_ok(&t) && self.host_ok(&t)) {
            Verdict::DoesNotFit
        } else if p.gpu_layers > self.layers() && p.cpu_moe == 0 {
            Verdict::FitsOnGpu
        } else if p.gpu_layers == 0 {
            Verdict::CpuOnly
        } else {
            Verdict::PartialOffload
        };
        (v, t)
    }

    /// Where a runtime puts what does not fit. llama.cpp's `--fit` (on by default in
    /// llama-server and llama-cli, `common/fit.cpp`) with `experts_first`: everything; else, for
    /// MoE, every block's dense tensors on the GPU and the routed experts of as many blocks as
    /// needed in host RAM; else, when even the dense tensors do not fit, the last blocks'
    /// dense tensors on the GPU and everything else in RAM. Without it (Ollama and LM Studio:
    /// their automatic offload counts whole layers, experts included; Ollama PR #16688, LM
    /// Studio's expert switch is off by default) fewer whole layers.
    pub fn auto_place(&self, experts_first: bool) -> (Placement, Verdict, Tally) {
        let n = self.layers();
        let full = Placement {
            gpu_layers: n + 1,
            cpu_moe: 0,
        };
        let (v, t) = self.verdict_of(full);
        if v != Verdict::DoesNotFit || !self.hw.has_gpu() || self.hw.unified {
            return (full, v, t);
        }
        let is_moe = self.weights.layers.iter().any(|l| l.expert_bytes > 0);
        // With the experts of every block on the host the dense tensors alone go to the GPU.
        let cpu_moe = if is_moe && experts_first {
            let gpu_fits = |k: u32| {
                self.gpu_ok(&self.tally(Placement {
                    gpu_layers: n + 1,
                    cpu_moe: k,
                }))
            };
            if gpu_fits(n) {
                let k = first_true(0, n, gpu_fits);
                let p = Placement {
                    gpu_layers: n + 1,
                    cpu_moe: k,
                };
                let (v, t) = self.verdict_of(p);
                return (p, v, t);
            }
            n
        } else {
            0
        };
        let gpu_fits = |ngl: u32| {
            self.gpu_ok(&self.tally(Placement {
                gpu_layers: ngl,
                cpu_moe,
            }))
        };
        // Largest ngl whose GPU side fits (ngl = 0 always does).
        let ngl = n + 1 - first_true(0, n + 1, |k| gpu_fits(n + 1 - k));
        let p = Placement {
            gpu_layers: ngl,
            cpu_moe: if ngl > 0 { cpu_moe } else { 0 },
        };
        let (v, t) = self.verdict_of(p);
        (p, v, t)
    }
}

/// Smallest `k` in `lo..=hi` with `pred(k)`, assuming `pred` is monotone and `pred(hi)` holds.
fn first_true(mut lo: u32, mut hi: u32, pred: impl Fn(u32) -> bool) -> u32 {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// llama.cpp's own safety margin per device (`--fit-target`, 1 GiB).
pub const FIT_MARGIN: u64 = GIB;
