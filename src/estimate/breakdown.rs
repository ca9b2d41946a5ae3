//! The memory beyond weights and cache, part by part, as `fit` and the gauges list it: compute
//! buffers, the driver context and BLAS workspace, the host runtime; the vision projector.

use super::hardware::{Backend, Hardware};
use super::overhead::{runtime_overhead, runtime_parts};
use super::Estimate;

/// One line: a short name, bytes, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Name, e.g. `CUDA context`.
    pub name: String,
    /// Bytes (over all GPUs that hold it).
    pub bytes: u64,
    /// What it holds.
    pub what: &'static str,
}

/// The overhead's parts in display order; zero-byte parts are left out. The runtime part is split into context and BLAS workspace in the backend's proportion.
pub fn overhead_parts(hw: &Hardware, e: &Estimate) -> Vec<Part> {
    let gpu = if hw.unified { "unified" } else { "GPU" };
    let (context_name, context_what) = match hw.backend {
        Backend::Cuda => ("CUDA context", "driver context with ggml's kernels"),
        Backend::Rocm => ("HIP context", "context, hipBLAS, pool"),
        Backend::Metal => ("Metal runtime", "device, queues, library"),
        Backend::Vulkan | Backend::Sycl => ("driver context", "device context"),
        Backend::Cpu => ("runtime", "thread pools"),
    };
    let parts = runtime_parts(hw.backend);
    let devices = e.runtime_gpu_bytes / runtime_overhead(hw.backend).max(1);
    let blas = parts.blas_workspace.saturating_mul(devices);
    let lines = [
        (
            format!("compute ({gpu})"),
            e.compute_gpu_bytes,
            "graph buffer per card",
        ),
        (
            "compute (host)".into(),
            e.compute_host_bytes,
            "graph inputs, logits, CPU graph",
        ),
        (
            context_name.into(),
            e.runtime_gpu_bytes.saturating_sub(blas),
            context_what,
        ),
        ("cuBLAS workspace".into(), blas, "matmul scratch"),
        (
            "host runtime".into(),
            e.runtime_host_bytes,
            "tokenizer, threads",
        ),
    ];
    keep_nonzero(lines)
}

/// The vision projector's weights and its image buffer (none for a text-only model).
pub fn vision_parts(e: &Estimate) -> Vec<Part> {
    keep_nonzero([
        (
            "mmproj weights".into(),
            e.projector_bytes,
            "vision tower + projector",
        ),
        (
            "image buffer".into(),
            e.projector_compute_bytes,
            "clip graph for one image",
        ),
    ])
}

fn keep_nonzero<const N: usize>(lines: [(String, u64, &'static str); N]) -> Vec<Part> {
    lines
        .into_iter()
        .filter(|(_, bytes, _)| *bytes > 0)
        .map(|(name, bytes, what)| Part { name, bytes, what })
        .collect()
}
