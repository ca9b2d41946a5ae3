//! Compute (graph) buffers, output buffer and per-device runtime overhead (spec §3.1–3.3).

use super::hardware::Backend;
use super::kv::{fa_f16_copy_bytes, CacheShape};
use super::model::{Arch, Attention};
use super::units::MIB;

/// Compute buffers llama.cpp reserves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ComputeBuffers {
    /// Per GPU holding at least one layer.
    pub device: u64,
    /// Host side: graph inputs (mask, embeddings).
    pub host: u64,
    /// Host output buffer: one row of f32 logits per sequence (`output buffer size` in the log).
    pub output: u64,
    /// The whole graph in one buffer, as the CPU backend alone reserves it: the inputs share the
    /// allocator with the layers, and the looked-up embeddings stay beside the logits.
    pub single: u64,
    /// Added per GPU when a full-offload layer split runs as a pipeline: the scheduler keeps
    /// `n_copies` = 4 copies of the graph inputs (mask, input embeddings), so 3 more.
    pub pipeline_device: u64,
    /// The same on the host (the mask copies).
    pub pipeline_host: u64,
    /// Vision projector weights (mmproj file), on the main GPU (mtmd offloads it by default).
    pub projector_weights: u64,
    /// The projector's clip graph buffer for its warm-up image, beside it.
    pub projector_compute: u64,
    /// F16 copies of a non-F16 cache layer for ggml-cuda's flash attention
    /// ([`super::kv::fa_f16_copy_bytes`]); part of `device` on CUDA and ROCm only, see
    /// [`ComputeBuffers::on_backend`].
    pub fa_f16_copy: u64,
}

/// `GGML_SCHED_MAX_COPIES`: graph copies in flight when llama.cpp pipelines across GPUs.
const PIPELINE_COPIES: u64 = 4;

/// Scratch the allocator keeps beside the largest layer intermediate (norms, residual, rope
/// tables): the logged Llama 3 8B buffer (560.00 MiB at 8K without flash attention) less its
/// attention scores, mask and projections; the same 12 MiB closes Mistral 7B's 164.00 and
/// 2144.00 MiB at 2K and 32K exactly.
pub const GRAPH_SLACK: u64 = 12 * MIB;

/// The worst-case graph's buffers for `shape` (ubatch, logits rows, context, flash attention).
pub fn compute_buffers(
    arch: &Arch,
    shape: &CacheShape,
    window_cells: Option<u64>,
) -> ComputeBuffers {
    // Saturating throughout: a hostile GGUF header may carry absurd widths.
    let mul = |xs: &[u64]| xs.iter().fold(1u64, |a, b| a.saturating_mul(*b));
    let add = |xs: &[u64]| xs.iter().fold(0u64, |a, b| a.saturating_add(*b));
    let (streams, cells) = shape.full_cells();
    let n_ub = u64::from(shape.n_ubatch).min(mul(&[streams, cells])).max(1);
    let h = u64::from(arch.hidden);
    let heads = u64::from(arch.heads);
    // The ubatch's tokens are split between the streams, each attending its own cells: the mask
    // is `n_kv × n_tokens/n_stream × n_stream` f32 on the host (`build_attn_inp_kv`), cast to
    // f16 on the device for flash attention; the SWA layers have a second one.
    let n_kv = add(&[cells, window_cells.unwrap_or(0)]);
    let mask_host = mul(&[4, n_ub, n_kv]);
    let mask = mul(&[if shape.flash_attn { 2 } else { 4 }, n_ub, n_kv]);
    let (q, k, v, o) = match arch.attention {
        Attention::Mla {
            kv_lora_rank,
            rope_dim,
            ..
        } => {
            let lat = u64::from(kv_lora_rank) + u64::from(rope_dim);
            (
                mul(&[heads, lat]),
                lat,
                u64::from(kv_lora_rank),
                mul(&[heads, u64::from(arch.v_head_dim())]),
            )
        }
        _ => {
            let (kvh, dk, dv) = arch.kv_shape(arch.layers.saturating_sub(1));
            let (kvh, dk, dv) = (u64::from(kvh), u64::from(dk), u64::from(dv));
            (
                mul(&[heads, dk]),
                mul(&[kvh, dk]),
                mul(&[kvh, dv]),
                mul(&[heads, dv]),
            )
        }
    };
    let mut att = mul(&[4, n_ub, add(&[q, k, v, o])]);
    if !shape.flash_attn {
        att = add(&[att, mul(&[4, n_ub, cells, heads])]);
    }
    let dense = mul(&[3, u64::from(arch.ffn)]);
    let ffn_width = match &arch.moe {
        // Selected experts' gate/up/down activations, the router logits, the shared expert, and
        // each selected expert's full-width output before the weighted sum.
        Some(m) => add(&[
            mul(&[3, u64::from(m.used), u64::from(m.expert_ffn)]),
            u64::from(m.experts),
            mul(&[3, u64::from(m.shared_width())]),
            mul(&[u64::from(m.used), h]),
        ]),
        None => dense,
    }
    .max(dense);
    let ffn = mul(&[4, n_ub, add(&[ffn_width, mul(&[2, h])])]);
    let n_out = u64::from(shape.n_outputs.max(1)).min(n_ub);
    let out = mul(&[4, n_out, add(&[u64::from(arch.vocab), h])]);
    // The logits come last, when the mask and the layer scratch are free again: a graph whose
    // logits dominate reserves just them (Llama 3.1 8B, 512 rows: 258.0 of 258.50 MiB logged).
    let device = add(&[mask, att.max(ffn), GRAPH_SLACK]).max(out);
    let embeddings = mul(&[4, h, n_ub]);
    let inputs = add(&[mask_host, embeddings]);
    // One backend (CPU only): the f32 mask input and its f16 cast live beside the layer; the
    // embeddings looked up first keep their place below the logits (measured, llama.cpp b11312
    // CPU build, tests/data/raw/cpu_2026-11-26_memory: Llama 3.2 1B 286.01 MiB without flash
    // attention = 8 + 266 + 12; 258.50 MiB with it = 254.5 of logits rows + 4 of embeddings).
    let f16_mask = if shape.flash_attn { mask } else { 0 };
    let single =
        add(&[mask_host, f16_mask, att.max(ffn), GRAPH_SLACK]).max(add(&[out, embeddings]));
    let output_buffer = mul(&[4, u64::from(arch.vocab), u64::from(shape.parallel.max(1))]);
    ComputeBuffers {
        device,
        host: inputs,
        output: output_buffer,
        single,
        pipeline_device: mul(&[PIPELINE_COPIES - 1, inputs]),
        pipeline_host: mul(&[PIPELINE_COPIES - 1, mask_host]),
        projector_weights: 0,
        projector_compute: 0,
        fa_f16_copy: fa_f16_copy_bytes(arch, shape),
    }
}

/// What a backend's runtime takes per device outside llama.cpp's logged buffers, by part
/// (docs/accuracy.md, "Overheads, line by line").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeParts {
    /// The process's driver context with the backend's kernels loaded.
    pub context: u64,
    /// The BLAS library's workspace (cuBLAS), allocated at the first large matmul.
    pub blas_workspace: u64,
}

impl RuntimeParts {
    /// Both parts.
    pub fn total(&self) -> u64 {
        self.context.saturating_add(self.blas_workspace)
    }
}

/// Host memory of a llama.cpp process outside its logged buffers (code, tokenizer, tensor and
/// graph metadata, thread stacks). Measured: with the smallest buffers (256 cells, 32-token
/// ubatch, weights read into memory), the peak resident set less the weights bounds it from
/// above and less every logged buffer from below; the four models of our CPU-only b11312 runs
/// (tests/data/raw/cpu_2026-11-26_memory: Llama 3.2 1B, Gemma 3 1B, Qwen3-30B-A3B widths, a
/// tiny Llama) give 62–87, 56–79, 48–68 and 61–78 MiB; 64 MiB lies in all four.
pub const HOST_RUNTIME: u64 = 64 * MIB;

/// The parts of [`runtime_overhead`] for a backend.
pub fn runtime_parts(backend: Backend) -> RuntimeParts {
    let (context, blas_workspace) = match backend {
        // Measured: our H200 log (b11312, CUDA 13.0) has 142629 MiB free at model load out of
        // the 143155 MiB CUDA reports (cudaGetDeviceProperties), so 526 MiB of context with
        // ggml-cuda's kernels; cuBLAS's workspace is 32 MiB on Hopper (4 MiB on older cards;
        // cuBLAS API reference, cublasSetWorkspace). The other 616 MiB nvidia-smi shows in use
        // (143771 MiB) never reach CUDA: the catalog gives CUDA's total for such cards.
        Backend::Cuda => (526 * MIB, 32 * MIB),
        // About 0.4 GiB per process outside the logged buffers on an RX 7900 XTX
        // (Quartermaster#24), hipBLAS included.
        Backend::Rocm => (420 * MIB, 0),
        // A floor: the Gemma 4 log (RTX 3090, b9849) exceeds its buffers by 29 MiB after load
        // and by 1.9 GiB more during a 2042-token prefill (lazily allocated dequant buffers).
        Backend::Vulkan | Backend::Sycl => (400 * MIB, 0),
        // Nothing on the device outside the buffers: llama.cpp's own breakdown (free memory
        // = recommendedMaxWorkingSetSize − the device's currentAllocatedSize) shows 0 MiB
        // unaccounted on an M1 Max holding 37.5 GiB of model (llama.cpp#22673). The process's
        // host memory is [`HOST_RUNTIME`], which unified machines count in the same pool.
        Backend::Metal => (0, 0),
        // The process itself, measured ([`HOST_RUNTIME`]).
        Backend::Cpu => (HOST_RUNTIME, 0),
    };
    RuntimeParts {
        context,
        blas_workspace,
    }
}

/// Memory a backend's driver/runtime takes per device outside llama.cpp's buffers.
pub fn runtime_overhead(backend: Backend) -> u64 {
    runtime_parts(backend).total()
}

impl ComputeBuffers {
    /// The buffers as `backend` allocates them: ggml-cuda (CUDA and HIP) adds the flash
    /// attention F16 copies of a non-F16 cache to the attention op's output, so they live in
    /// the device compute buffer beside the layer's activations; the CPU, Metal and Vulkan
    /// kernels read the cache types in place. The copy field is folded in (or dropped).
    pub fn on_backend(self, backend: Backend) -> ComputeBuffers {
        let copy = match backend {
            Backend::Cuda | Backend::Rocm => self.fa_f16_copy,
            _ => 0,
        };
        ComputeBuffers {
            device: self.device.saturating_add(copy),
            fa_f16_copy: 0,
            ..self
        }
    }

    /// The vision projector's weights and image buffer together.
    pub fn projector(&self) -> u64 {
        self.projector_weights
            .saturating_add(self.projector_compute)
    }
}
