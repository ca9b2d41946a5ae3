//! Decode and prefill speed: a bandwidth roofline over the bytes really read per token, with
//! efficiencies and fixed costs calibrated per backend (docs/accuracy.md), never per device.

use super::cpu::{CpuClass, CPU_CLASSES};
use super::ggml::GgmlType;
use super::hardware::{Backend, Hardware};
use super::settings::{Runtime, Settings};

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
    /// Vector-unit operations per weight a decoded token reads (unpack, scale, dot product),
    /// run at the card's FP32 (non-tensor) rate: a quantized GEMV dequantizes every block on
    /// the CUDA cores / SIMDs, so a card whose memory is fast next to its FP32 rate (A100, H200)
    /// falls short of its bandwidth while one with a high FP32 rate (RTX 4090, 5090) does not.
    /// Combined with the memory time by [`BackendConstants::alu_overlap`].
    pub alu_ops_per_weight: f64,
    /// How the dequantization and memory times overlap: the time is `(mem^p + alu^p)^(1/p)`,
    /// so 1 adds them (no overlap) and a large `p` takes the larger (full overlap: warps
    /// waiting on memory while others compute).
    pub alu_overlap: f64,
    /// Achieved fraction streaming the KV cache at depth.
    pub eta_kv: f64,
    /// Achieved fraction of the host's RAM bandwidth streaming layers (or experts) kept in host
    /// memory while the GPU runs the rest (`-ngl` below the block count).
    pub eta_host: f64,
    /// Fixed cost per decoded token (sync, sampling, graph launch), seconds.
    pub t_fixed: f64,
    /// Dispatch cost per block per decoded token (kernel launches), seconds: why small models
    /// fall further below the bandwidth roofline than big ones.
    pub t_layer: f64,
    /// How much longer a block's kernels take on a CUDA card llama.cpp runs without CUDA graphs
    /// ([`CUDA_GRAPHS_MIN_CC`]; Volta and Turing too on builds before
    /// [`CUDA_GRAPHS_VOLTA_BUILD`]): each kernel is launched from the
    /// host, so the per-block costs (`t_layer`, `t_moe_layer`) grow by this factor.
    pub no_graphs_factor: f64,
    /// Vector operations per weight added where `dp4a` is missing (compute capability below
    /// 6.1, [`DP4A_MIN_CC`]): llama.cpp then emulates each 4-byte dot product. Starts from the
    /// instruction count [`DP4A_EMULATED_OPS`]; fitted where such cards have rows.
    pub dp4a_emulated_ops: f64,
    /// Handing one token's activations from one GPU to the next in a layer split, seconds per
    /// hop (a small copy over PCIe and the synchronisation around it: latency, not bytes).
    pub t_hop: f64,
    /// Achieved fraction of dense FP16 TFLOPS in prefill matmuls.
    pub prefill_eff: f64,
    /// Compute rate at which llama.cpp's quantized matmul kernels (MMQ: int8 dot products, not
    /// the tensor-core FP16 GEMMs the spec sheet rates) stop scaling with the card, TFLOPS:
    /// usable compute is `peak / (1 + peak / saturation)`, so an H200's 989 FP16 TFLOPS give
    /// far less than 989 × efficiency, while a 100-TFLOPS card keeps most of its peak.
    pub tflops_saturation: f64,
    /// Fixed cost per prefill ubatch, seconds.
    pub t_ubatch: f64,
    /// Rate at which host-resident weights are copied to the GPU for each prefill ubatch
    /// (llama.cpp offloads big batches' matmuls of host layers), GB/s: pageable copies run
    /// well below the PCIe link rate.
    pub host_copy_gbps: f64,
    /// Bandwidth efficiency multiplier for MoE decode (expert-indexed matmuls read scattered
    /// slices).
    pub moe_eta: f64,
    /// Extra seconds per MoE block on a GPU that shares the host's LPDDR memory (DGX Spark, Strix
    /// Halo, Apple silicon), added to `t_moe_layer`: the expert reads of a block cannot start
    /// before the router's top-k ids are written and read back (a dependent fetch across kernel
    /// boundaries), and each such round trip costs a memory latency that is longer on a shared
    /// LPDDR controller than on a card's own GDDR or HBM. 0 on discrete cards.
    pub t_moe_unified: f64,
    /// Extra seconds per block on a GPU that shares the host's LPDDR memory (DGX Spark, Strix
    /// Halo, laptop iGPUs), added to `t_layer`: each of a block's dozen or so kernels starts
    /// with a dependent read of its inputs, and a shared LPDDR controller's latency is longer
    /// than a card's own GDDR or HBM. 0 on discrete cards; not added on Metal, where every GPU
    /// is unified and `t_layer` itself holds it.
    pub t_layer_unified: f64,
    /// Share of the per-block costs (`t_layer`, `t_moe_layer`) left on a card that runs
    /// llama.cpp's kernels with Programmatic Dependent Launch (compute capability 9.0 and newer,
    /// [`PDL_MIN_CC`], on builds from [`PDL_MIN_BUILD`]): each kernel is launched while the one
    /// before it finishes and waits on its results only where it reads them
    /// (`ggml_cuda_pdl_sync`), so a block's launch gaps and tails overlap. 1 elsewhere.
    pub pdl_factor: f64,
    /// Share of a quantized format's decode efficiency (`format_eff` of every class but float) an
    /// Intel GPU keeps on the Vulkan backend. llama.cpp's Vulkan shaders ask for 32-wide
    /// subgroups, which Intel's GPUs (8-wide SIMD on Xe and Xe-HPG, 16-wide on Xe2) run split
    /// (0cc4m, llama.cpp issue #12690: "SIMD8 is the baseline, SIMD32 is emulated"; PR #17374:
    /// up to 5× on matmuls with 16-wide subgroups on Xe2), and the rows show the cost falls on
    /// the quantized mat-vec shaders: an Arc Pro B70 and a Lunar Lake iGPU decode BF16 weights at
    /// 80 % of their bandwidth and K-quants at 35-50 %. 1 elsewhere: SYCL's kernels are written
    /// for Intel's sub-group widths, and NVIDIA and AMD GPUs run 32 natively.
    pub intel_vulkan_quant_eff: f64,
    /// Extra cost per MoE block per decoded token, seconds: the router, top-k selection and
    /// expert-indexed matmuls are several more kernels than a dense FFN, a fixed time whatever
    /// the bytes, so an MoE model falls further below its roofline on fast memory than on slow.
    pub t_moe_layer: f64,
    /// Fixed seconds per decoded token for each MoE block whose routed experts are computed on
    /// the host while a GPU runs the rest (`--n-cpu-moe`, llama.cpp's fit, or whole layers left
    /// in RAM): the hidden state and the router's expert ids cross to the CPU and back, and the
    /// CPU's thread pool meets at a barrier after each of the block's expert matmuls, a cost
    /// the expert bytes do not carry (spilled MoE ran about 2× slower than its host bytes
    /// predict, docs/accuracy.md). Fitted once over every GPU backend's spilled-MoE rows (a
    /// property of the host and the hand-off, not of a backend's kernels); 0 on the CPU backend,
    /// where no hand-off exists.
    pub t_host_moe_layer: f64,
    /// Grouped-GEMM prefill efficiency multiplier for MoE.
    pub moe_prefill: f64,
    /// Attention FLOPs run at this multiple of the matmul rate: flash-attention kernels run nearer
    /// peak than quantized GEMMs (capped so that prefill_eff × attn_eff ≤ 0.95 of peak).
    pub attn_eff: f64,
    /// `attn_eff` for attention without flash attention: the scores and their product with V
    /// as two batched GEMMs with the score matrix written out between them, a different
    /// kernel (and rate) than the fused one, faster on some backends' builds, slower on others.
    pub attn_eff_no_fa: f64,
    /// Relative decode efficiency of each format class (see [`format_class`]).
    pub format_eff: [f64; FORMAT_CLASSES],
    /// Relative prefill matmul rate of each format class, K-quants = 1: the kernels differ by
    /// format (int8 dot products after a cheap or a costly unpacking of the blocks, or float
    /// weights on the backend's FP16/BF16 GEMMs), and so does the rate they reach.
    pub prefill_format_eff: [f64; FORMAT_CLASSES],
    /// Fixed cost per block per prefill ubatch, seconds (the kernel launches and tails of a
    /// block's dozen kernels): why small models run further below the compute rate.
    pub t_ubatch_layer: f64,
    /// Share of the ideal pipeline gain a layer split over several GPUs realises on a prompt
    /// (stage imbalance, hand-offs, synchronisation): see `pipeline_speedup`.
    pub pipeline_eff: f64,
    /// Extra seconds per decoded token of a runtime over llama.cpp's own tools (HTTP, sampling
    /// and scheduling layers): [Ollama, LM Studio, MLX].
    pub runtime_t_fixed: [f64; 3],
    /// Weight-streaming efficiency of MLX's own kernels relative to llama.cpp's
    /// (`eta_weights`): an MLX engine is not llama.cpp's kernels, and runs faster on the same Mac.
    pub mlx_eta: f64,
    /// Weight bytes one CPU thread of each [`CpuClass`] dequantizes and multiplies per second in
    /// decode, GB/s of format-weighted bytes (CPU backend only; see [`cpu_decode_bandwidth`]):
    /// an Apple performance core streams several times what an x86 core does.
    pub cpu_thread_gbps: [f64; CPU_CLASSES],
    /// Peak int8 matmul rate of one CPU thread of each [`CpuClass`], TFLOPS, of which prefill
    /// reaches `prefill_eff` (CPU backend only): x86 is the reference,
    /// [`CPU_TFLOPS_PER_THREAD`]; AMX tiles, Apple and other Arm cores are fitted relative to it.
    pub cpu_thread_tflops: [f64; CPU_CLASSES],
    /// Bytes per weight a prefill GEMM path writes and reads back when it dequantizes a
    /// quantized matrix to FP16 before a BLAS GEMM ([`DEQUANT_FP16_BYTES`] where a kernel
    /// generation does so, 0 where MMQ multiplies the quantized blocks): set by the kernel
    /// generation, not fitted.
    pub gemm_dequant_bytes: f64,
    /// Energy a prompt's matmuls spend per FLOP at the card's spec rate, pJ (W per TFLOPS): a
    /// card whose tensor units would draw more than its board power at full clock runs them
    /// slower, so the usable rate is held to `board power / this` as well
    /// ([`BackendConstants::usable_tflops_at`]). An RTX 6000 Ada (364 TFLOPS in 300 W) runs its
    /// prompts slower for its TFLOPS than an RTX 4090 (330 in 450 W). 0: no power limit.
    pub pj_per_flop: f64,
    /// Matmul FLOPs per FP32 FLOP the vector units reach ([`PrefillWork::vector_tflops`]) on a
    /// GPU whose prefill GEMMs llama.cpp runs there rather than on its matrix engines
    /// ([`PrefillWork::matmul_on_vector`]): the prefill peak is then `vector_tflops × this`, at
    /// most the matrix peak. Also the rate of attention's vector share. Starts at
    /// [`VECTOR_MATMUL_RATIO`]; fitted on the rows of such GPUs.
    pub vector_matmul_ratio: f64,
    /// Share of prefill flash attention's FLOPs that run on the vector units rather than the
    /// matrix engines (0: all on the matrix engines): set per backend by the kernel llama.cpp
    /// runs, [`attn_vector_share`].
    pub attn_vector_share: f64,
    /// Largest head size whose prefill flash attention runs on the matrix units after all where
    /// the backend's kernel otherwise runs on the vector units (`attn_vector_share`): ROCm's
    /// `fattn-mma-f16` on AMD's WMMA units, for layers that group query heads
    /// ([`PrefillWork::attn_width_gqa`]). 0: none. Set by the kernel generation
    /// ([`attn_matrix_head`], [`rocm_attn_matrix_head`]), not fitted.
    pub attn_matrix_head: f64,
    /// Seconds per routed expert matrix per ubatch where llama.cpp multiplies a MoE layer's
    /// experts one at a time ([`MoeGemm::PerExpert`]): after a host synchronisation that reads
    /// the router's choices back, `ggml_cuda_mul_mat_id`'s fallback loops over the experts and
    /// launches each one's matmul (quantize the activations, MMQ) from the host, so a model
    /// with 256 experts pays 768 launches a layer whatever its FLOPs. Starts at
    /// [`EXPERT_GEMM_SECONDS`]; fitted on the rows of such cards.
    pub t_expert_gemm: f64,
}

/// Which kernels multiply a MoE layer's routed experts in prefill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MoeGemm {
    /// The grouped quantized kernels (MMQ) over every expert at once, at the matmul rate.
    #[default]
    Grouped,
    /// MMQ with `dp4a` emulated (compute capability 6.0, the P100): the routed matmuls run on
    /// the vector units at [`DP4A_EMULATED_MATMUL_RATIO`] of the FP32 rate.
    EmulatedDp4a,
    /// One expert at a time from the host (`ggml_cuda_mul_mat_id`'s fallback): Volta at a
    /// ubatch of [`MMQ_MIN_GEMM_BATCH`] tokens or more, cards before Pascal always; each expert
    /// matrix costs [`BackendConstants::t_expert_gemm`] on top of its FLOPs.
    PerExpert,
}

/// The kernels llama.cpp's CUDA backend (b11312 `ggml_cuda_should_use_mmq`, called by
/// `ggml_cuda_mul_mat_id` with the ubatch's token count) multiplies a MoE layer's routed experts
/// with on a card of compute capability `cc` at a ubatch of `batch` tokens: MMQ wherever int8
/// tensor cores exist (Turing on) or FP16 ones do not (Pascal 6.1); with `dp4a` emulated on
/// the 6.0 P100 ("for MoE, mmq is faster even without native dp4a"); on Volta, which has FP16
/// tensor cores but no int8 ones, MMQ only below [`MMQ_MIN_GEMM_BATCH`] tokens
/// (`MMQ_DP4A_MAX_BATCH_SIZE`) and the per-expert fallback above; before Pascal, the fallback.
pub fn cuda_moe_gemm(cc: (u32, u32), batch: u64) -> MoeGemm {
    if cc < (6, 0) {
        MoeGemm::PerExpert
    } else if cc < DP4A_MIN_CC {
        MoeGemm::EmulatedDp4a
    } else if ((7, 0)..(7, 5)).contains(&cc) && batch as f64 >= MMQ_MIN_GEMM_BATCH {
        MoeGemm::PerExpert
    } else {
        MoeGemm::Grouped
    }
}

/// Matmul FLOPs per FP32 FLOP of MMQ with `dp4a` emulated: `dp4a` does four int8
/// multiply-adds (8 operations) in one instruction, its emulation about 12 instructions
/// ([`DP4A_EMULATED_OPS`]), so 8 / 12 operations per instruction against the 2 of an FP32 FMA.
/// The P100's MoE rows at pp512 ran their routed matmuls at 0.29 of its FP32 rate.
pub const DP4A_EMULATED_MATMUL_RATIO: f64 = 1.0 / 3.0;

/// Where [`BackendConstants::t_expert_gemm`] starts: three kernels per expert (activations
/// quantized to q8_1, the MMQ kernel, its stream-k fix-up) launched from the host, about 5 µs
/// each on CUDA without graphs (the fitted per-block cost launched from the host, 76 µs, over
/// a block's fifteen or so kernels).
pub const EXPERT_GEMM_SECONDS: f64 = 1.5e-5;

/// Share of `backend`'s prefill flash attention run on the vector units
/// ([`BackendConstants::attn_vector_share`]). CUDA runs the tensor-core kernels (`fattn-mma-f16`,
/// before it `fattn-wmma-f16`) on every card of the rows; Metal's GPUs multiply at one rate.
/// ROCm runs `fattn-tile` on the vector units on RDNA: the WMMA `fattn-mma-f16` came for RDNA4
/// in January 2026 (llama.cpp PR 18481) and even then only where the grouped-query
/// optimisation applies (`ggml_cuda_get_best_fattn_kernel`; those layers are taken back to the
/// matrix units by [`BackendConstants::attn_matrix_head`]), and MI50's GCN has no matrix
/// units. So an RDNA4 card (matrix rate four times its FP32 rate) runs deep prompts slower for
/// its TFLOPS than a Strix Halo (twice): R9700 rows at 16-64K depth ran 27-51 % under a shared
/// matrix-rate attention efficiency, Strix Halo rows 32 % over. Set, not fitted: on cards whose
/// matrix rate is twice their FP32 rate the share and `attn_eff` trade one for one, so a fit
/// without the R9700 cannot see it (a fit over every ROCm row gives 0.96).
pub fn attn_vector_share(backend: Backend) -> f64 {
    if backend == Backend::Rocm {
        1.0
    } else {
        0.0
    }
}

/// Largest head size whose prefill flash attention `backend`'s kernels of `era` run on the
/// matrix units although [`attn_vector_share`] puts the rest on the vector units
/// ([`BackendConstants::attn_matrix_head`]): on ROCm, today's builds (b11312's
/// `ggml_cuda_get_best_fattn_kernel`) take `fattn-mma-f16` on RDNA3/3.5/4's WMMA units for every
/// layer that groups query heads (`gqa_opt_applies`: GQA ≥ 2) with a head size up to 256, and
/// the tile kernel on the vector units for the others (Llama 2's one-to-one heads, Gemma 4's
/// 512-wide global layers, MLA's 576). Other backends: 0 (their share is 0 already). Not told
/// apart by card: on AMD GPUs without WMMA (GCN's MI50, RDNA2) the presets' FP16 figure is
/// packed FP16 at twice the FP32 rate, the vector units' own rate, so where the layers go
/// changes nothing there; CDNA's MFMA path also takes one-to-one heads (no rows show it).
pub fn attn_matrix_head(backend: Backend, era: BuildEra) -> f64 {
    if backend == Backend::Rocm && era == BuildEra::Current {
        256.0
    } else {
        0.0
    }
}

/// First llama.cpp build whose ROCm flash attention runs `fattn-mma-f16` on RDNA4's WMMA units
/// (PR #18481 "HIP: add fattn-mma-f16 for RDNA4", merged in January 2026, head sizes up to 128):
/// the first build the rows show it in. The R9700's rows of b7423 (2025-12-27) run the tile
/// kernel (GQA models at 16-32K depth within 5 % of it), those of b8990 the matrix units
/// (Ministral 3 and gpt-oss at depth twice the tile kernel's rate); the merge's release number is
/// not in our sources and no row lies between.
pub const ROCM_FATTN_MMA_BUILD: u32 = 8990;

/// First build known to take head size 256 to `fattn-mma-f16` on RDNA (the source this model
/// reads, b11312): b9158's RDNA3 port kept the tile kernel above 128, where the WMMA kernel did
/// not beat it, and PR #26419 (opened 2026-08-01) widened it after "WMMA tensor cores not being
/// used at all for head dim 256" on an R9700; b8990's rows of Qwen3.5/3.6 (head size 256) run at
/// the tile kernel's rate. Its release number is not in our sources.
pub const ROCM_FATTN_MMA_256_BUILD: u32 = 11312;

/// [`BackendConstants::attn_matrix_head`] of a ROCm build (`None`: number not stated, `dated_2026`
/// whether its text dates it in 2026): 0 before [`ROCM_FATTN_MMA_BUILD`], 128 before
/// [`ROCM_FATTN_MMA_256_BUILD`], 256 from it. A 2026 row without a number is taken as between.
pub fn rocm_attn_matrix_head(build: Option<u32>, dated_2026: bool) -> f64 {
    match build {
        Some(n) if n >= ROCM_FATTN_MMA_256_BUILD => 256.0,
        Some(n) if n >= ROCM_FATTN_MMA_BUILD => 128.0,
        Some(_) => 0.0,
        None if dated_2026 => 128.0,
        None => 0.0,
    }
}

/// Where [`BackendConstants::vector_matmul_ratio`] starts: packed FP16 on the vector units runs
/// at twice their FP32 rate (Intel Arc A770: 39.3 against 19.7 TFLOPS; XMX: 138).
pub const VECTOR_MATMUL_RATIO: f64 = 2.0;

/// FP16 bytes per weight a dequantize-then-GEMM prefill moves beyond the quantized read: the
/// dequantize kernel writes a 2-byte copy of each weight and the GEMM reads it back. ROCm
/// builds before the WMMA matmul kernels (llama.cpp before b7100) did this for every matrix
/// multiplied at a batch of 64 or more on RDNA3/3.5/4: `ggml_cuda_should_use_mmq` returned
/// false there (`MMQ_DP4A_MAX_BATCH_SIZE`), and hipBLAS multiplied the FP16 copy.
pub const DEQUANT_FP16_BYTES: f64 = 4.0;

/// Tokens per routed expert from which that batch ran dequantize-then-GEMM rather than MMQ on
/// the builds of [`DEQUANT_FP16_BYTES`] (`MMQ_DP4A_MAX_BATCH_SIZE`): with 512 tokens, 8 of 128
/// experts see 32 each on average and stay on the quantized kernel; with 4 of 32, 64 each, about
/// half of them reach it.
pub const MMQ_MIN_GEMM_BATCH: f64 = 64.0;

/// Peak int8 matmul rate of one x86 (AVX2) thread for llama.cpp's quantized kernels, TFLOPS: the
/// reference of [`BackendConstants::cpu_thread_tflops`] and the unit in which a CPU's
/// `fp16_tflops` counts its threads (detection, presets and calibration rows set it to threads ×
/// this, so [`cpu_threads`] reads the count back). A 256-bit AVX2 core at 3–5 GHz peaks at
/// 0.2–0.6; what prefill reaches of it is the CPU's `prefill_eff` (docs/accuracy.md).
pub const CPU_TFLOPS_PER_THREAD: f64 = 0.1;

/// Bandwidth a CPU-only decode is charged at, GB/s: the DRAM's, unless the threads cannot
/// dequantize that fast. `eta` is the backend's achieved fraction of DRAM bandwidth and
/// `per_thread_gbps` what one thread of this CPU's class streams
/// ([`BackendConstants::cpu_thread_gbps`]), so the decode runs at `min(η × DRAM, threads ×
/// per-thread rate)`; unknown threads (0) leave the DRAM figure.
pub fn cpu_decode_bandwidth(dram_gbps: f64, threads: f64, per_thread_gbps: f64, eta: f64) -> f64 {
    if threads <= 0.0 {
        return dram_gbps;
    }
    dram_gbps.min(threads * per_thread_gbps / eta.max(0.05))
}

/// Threads a CPU's compute figure stands for (detection and the calibration rows set it to
/// threads × [`CPU_TFLOPS_PER_THREAD`]).
pub fn cpu_threads(fp16_tflops: f64) -> f64 {
    (fp16_tflops / CPU_TFLOPS_PER_THREAD).round()
}

impl BackendConstants {
    /// The peak matmul TFLOPS of a CPU whose `fp16_tflops` counts its threads: threads × the
    /// per-thread rate of its class.
    pub fn cpu_tflops(&self, fp16_tflops: f64, class: CpuClass) -> f64 {
        cpu_threads(fp16_tflops) * self.cpu_thread_tflops[class.index()]
    }

    /// [`cpu_decode_bandwidth`] for a CPU of `class` whose `fp16_tflops` counts its threads.
    pub fn cpu_bandwidth(
        &self,
        dram_gbps: f64,
        fp16_tflops: f64,
        class: CpuClass,
        eta: f64,
    ) -> f64 {
        cpu_decode_bandwidth(
            dram_gbps,
            cpu_threads(fp16_tflops),
            self.cpu_thread_gbps[class.index()],
            eta,
        )
    }
}

/// First compute capability for which llama.cpp captures a decode step as a CUDA graph on
/// today's builds (b11312: `ggml_cuda_graph_set_enabled` disables graphs below
/// `GGML_CUDA_CC_VOLTA`; PR #25749 lowered it from Ampere in build [`CUDA_GRAPHS_VOLTA_BUILD`]).
pub const CUDA_GRAPHS_MIN_CC: (u32, u32) = (7, 0);

/// The threshold before [`CUDA_GRAPHS_VOLTA_BUILD`]: graphs were disabled below
/// `GGML_CUDA_CC_AMPERE`, so Volta and Turing cards launched every kernel from the host.
pub const CUDA_GRAPHS_MIN_CC_BEFORE_VOLTA_BUILD: (u32, u32) = (8, 0);

/// First llama.cpp build with CUDA graphs on Volta and Turing (PR #25749 "Enable CUDA graphs on
/// volta+turing", merge commit 3f08ef2c5 = release b10042, July 2026: a public issue prints
/// `version: 10042 (3f08ef2c5)`). Rows from older builds, or whose build is not stated, are
/// checked without graphs on those cards ([`BackendConstants::before_volta_graphs`]).
pub const CUDA_GRAPHS_VOLTA_BUILD: u32 = 10042;

/// First compute capability on which llama.cpp's CUDA kernels use Programmatic Dependent Launch
/// (`ggml_cuda_pdl_sync` / `ggml_cuda_pdl_lc` compile to the grid-dependency instructions for
/// `__CUDA_ARCH__ >= GGML_CUDA_CC_HOPPER`; Hopper, and Blackwell datacenter, consumer and GB10).
pub const PDL_MIN_CC: (u32, u32) = (9, 0);

/// First llama.cpp build with Programmatic Dependent Launch (PR #22522, merged in May 2026; a
/// r/LocalLLaMA post of 2026-05-21 reports it in build 9254). In build 11312 it is on wherever
/// the CUDA runtime is 12.3 or newer (`GGML_CUDA_USE_PDL` in `common.cuh`; `GGML_CUDA_PDL=0`
/// turns it off). The app estimates for today's builds, which have it; calibration rows from
/// older builds, or whose build is not stated, are checked without it.
pub const PDL_MIN_BUILD: u32 = 9254;

/// Share of a mat-vec kernel's rate a BF16 weight matrix reaches in decode on SYCL: its
/// mat-vec kernels (`dmmv`, `mmvq`) cover F16 and the quantized types but not BF16, so
/// `ggml_sycl_op_mul_mat_sycl` multiplies a BF16 matrix by the one decoded token as a GEMM, and
/// without oneDNN's BF16 path it first converts the whole matrix to FP32 (`to_fp32_sycl`): 2 bytes
/// read, 4 written and 4 read back by the GEMM for the 2 a mat-vec reads, 0.2 by the byte count.
/// Measured: an Arc Pro B70 (build 9039, kyuz0's results.json) decodes three BF16 models at 0.18
/// of its float-class prediction, and its quantized models within 20 % of theirs.
pub const SYCL_BF16_DECODE_SHARE: f64 = 0.2;

/// First compute capability with the `dp4a` instruction (`GGML_CUDA_CC_DP4A` = 610) that
/// llama.cpp's quantized dot products use.
pub const DP4A_MIN_CC: (u32, u32) = (6, 1);

/// Extra vector operations per weight where `dp4a` is missing by instruction count (the start of
/// [`BackendConstants::dp4a_emulated_ops`]), counted as
/// [`BackendConstants::alu_ops_per_weight`] counts them (2 FLOPs per instruction at the FP32
/// rate): `ggml_cuda_dp4a` then takes the four bytes of each operand apart and multiplies and
/// adds them one by one, about 12 instructions (8 byte extractions, 4 multiply-adds) where
/// `dp4a` is one, for 4 weights: 11 / 4 more instructions a weight, 5.5 FLOPs.
pub const DP4A_EMULATED_OPS: f64 = 5.5;

/// Which generation of llama.cpp's kernels a figure is for: measurements from 2023-2024 builds
/// (before about b4000, November 2024) ran older, slower kernels on several backends. ROCm
/// prefill from 2025 builds before the WMMA matmul kernels is fitted with the older constants
/// too (`validate::prefill_era`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum BuildEra {
    /// Builds from 2023 and 2024.
    Y2024,
    /// Builds from 2025 on (what the app estimates for).
    #[default]
    Current,
}

impl BackendConstants {
    /// Extra seconds per decoded token `runtime` spends over llama.cpp's tools.
    pub fn runtime_seconds(&self, runtime: Runtime) -> f64 {
        match runtime {
            Runtime::LlamaCpp => 0.0,
            Runtime::Ollama => self.runtime_t_fixed[0],
            Runtime::LmStudio => self.runtime_t_fixed[1],
            Runtime::Mlx => self.runtime_t_fixed[2],
        }
    }

    /// The constants as `runtime` runs them: MLX streams weights with its own kernels' efficiency
    /// (never above 95 % of peak bandwidth).
    pub fn for_runtime(&self, runtime: Runtime) -> Self {
        if runtime != Runtime::Mlx {
            return *self;
        }
        Self {
            eta_weights: (self.eta_weights * self.mlx_eta).min(0.95),
            ..*self
        }
    }

    /// The constants as they apply to `hw`: a GPU on unified LPDDR memory pays its own extra
    /// time per block and per MoE block (`t_layer_unified`, `t_moe_unified`), an Intel GPU on
    /// Vulkan streams quantized weights at `intel_vulkan_quant_eff` of the usual efficiency, an
    /// NVIDIA card older than Volta runs without CUDA graphs (its own per-block cost), one older
    /// than compute capability 6.1 emulates `dp4a` (more operations per weight), and one of 9.0
    /// or newer overlaps its kernels' launches (`pdl_factor`). Cards of unknown capability are
    /// taken as current.
    pub fn for_hardware(&self, hw: &Hardware) -> Self {
        let mut c = *self;
        if hw.unified && hw.has_gpu() {
            c.t_moe_layer += c.t_moe_unified;
            if hw.backend != Backend::Metal {
                // Every Metal GPU shares LPDDR: Metal's own `t_layer` already holds it.
                c.t_layer += c.t_layer_unified;
            }
        }
        if hw.backend == Backend::Vulkan && hw.is_intel_gpu() {
            c.format_eff[1..]
                .iter_mut()
                .for_each(|e| *e *= c.intel_vulkan_quant_eff);
        }
        let Some(cc) = hw
            .compute_capability
            .filter(|_| hw.backend == Backend::Cuda)
        else {
            return c;
        };
        if cc < CUDA_GRAPHS_MIN_CC {
            c.t_layer *= c.no_graphs_factor;
            c.t_moe_layer *= c.no_graphs_factor;
        }
        if cc < DP4A_MIN_CC {
            c.alu_ops_per_weight += c.dp4a_emulated_ops;
        }
        if cc >= PDL_MIN_CC {
            c.t_layer *= c.pdl_factor;
            c.t_moe_layer *= c.pdl_factor;
        }
        c
    }

    /// The constants for a build before CUDA graphs on Volta and Turing
    /// ([`CUDA_GRAPHS_VOLTA_BUILD`]) on `hw`: a card of compute capability 7.x pays the per-block
    /// costs without graphs, as [`BackendConstants::for_hardware`] charges older cards (the
    /// unified per-block cost included, which `for_hardware` adds before it scales). Other cards
    /// keep the constants.
    pub fn before_volta_graphs(&self, hw: &Hardware) -> Self {
        let launched_from_host = hw.backend == Backend::Cuda
            && hw.compute_capability.is_some_and(|cc| {
                (CUDA_GRAPHS_MIN_CC..CUDA_GRAPHS_MIN_CC_BEFORE_VOLTA_BUILD).contains(&cc)
            });
        if !launched_from_host {
            return *self;
        }
        Self {
            t_layer: self.t_layer * self.no_graphs_factor,
            t_moe_layer: self.t_moe_layer * self.no_graphs_factor,
            t_layer_unified: self.t_layer_unified * self.no_graphs_factor,
            ..*self
        }
    }

    /// The constants as an estimate of `settings` on `hw` applies them: the runtime's kernels,
    /// the card's generation and memory, the weights' main type. Every estimate path goes
    /// through here, so that a new term cannot be left out of one of them.
    pub fn for_setup(&self, hw: &Hardware, settings: &Settings) -> Self {
        self.for_runtime(settings.runtime)
            .for_hardware(hw)
            .for_weights(hw, settings.quant.base_type())
    }

    /// The constants as they apply to a model whose main weight type is `main` on `hw`: on
    /// SYCL, BF16 weights decode at [`SYCL_BF16_DECODE_SHARE`] of the float class's rate.
    pub fn for_weights(&self, hw: &Hardware, main: GgmlType) -> Self {
        let mut c = *self;
        if hw.backend == Backend::Sycl && main == GgmlType::BF16 {
            c.format_eff[0] *= SYCL_BF16_DECODE_SHARE;
        }
        c
    }

    /// The constants for a build before Programmatic Dependent Launch ([`PDL_MIN_BUILD`]).
    pub fn before_pdl(&self) -> Self {
        Self {
            pdl_factor: 1.0,
            ..*self
        }
    }

    /// Layer-split hand-offs of one decoded token on `hw` (its GPUs − 1 hops; none on a
    /// unified or CPU machine).
    pub fn link_seconds(&self, hw: &Hardware) -> f64 {
        if hw.has_gpu() && !hw.unified {
            f64::from(hw.gpus.saturating_sub(1)) * self.t_hop
        } else {
            0.0
        }
    }

    /// The compute rate llama.cpp's matmul kernels reach on a card of `peak` FP16 TFLOPS.
    pub fn usable_tflops(&self, peak: f64) -> f64 {
        peak / (1.0 + peak / self.tflops_saturation.max(1.0))
    }

    /// [`BackendConstants::usable_tflops`] on a card of `power_w` board power (0: unknown, no
    /// power limit): the kernels' rate and the rate that power sustains at `pj_per_flop` in
    /// series, `1 / (1 / kernels + pJ per FLOP / W)`.
    pub fn usable_tflops_at(&self, peak: f64, power_w: f64) -> f64 {
        let kernels = self.usable_tflops(peak);
        if power_w <= 0.0 || self.pj_per_flop <= 0.0 {
            return kernels;
        }
        1.0 / (1.0 / kernels + self.pj_per_flop / power_w)
    }

    /// The calibrated constants of `backend` for today's builds.
    pub fn of(backend: Backend) -> Self {
        Self::of_era(backend, BuildEra::Current)
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
    /// Weights (elements) read from device memory: each is dequantized on the vector units.
    pub device_params: f64,
    /// Weight bytes read from host memory (offloaded layers or experts).
    pub host_weights: f64,
    /// KV/state bytes read from host memory.
    pub host_kv: f64,
    /// Attention FLOPs of one decoded token (grows with depth; large for absorbed MLA).
    pub attn_flops: f64,
    /// Blocks the token passes through: each costs kernel launches whatever its size.
    pub layers: f64,
    /// Of those, blocks with routed experts (each costs the MoE dispatch on top).
    pub moe_layers: f64,
    /// Of those, blocks whose routed experts are computed on the host beside a GPU (each costs
    /// [`BackendConstants::t_host_moe_layer`]).
    pub host_moe_layers: f64,
}

/// Seconds per decoded token, and the pure-bandwidth lower bound (roofline). Weight bytes in
/// `traffic` are already divided by their format efficiency. `fp32_tflops` is the device's
/// vector rate (0: unknown, no dequantization term).
pub fn decode_seconds(
    traffic: &TokenTraffic,
    device: &BackendConstants,
    device_bw_gbps: f64,
    host_bw_gbps: f64,
    tflops: f64,
    fp32_tflops: f64,
    moe: bool,
) -> (f64, f64) {
    let moe_f = if moe { device.moe_eta } else { 1.0 };
    let dev_bw = device_bw_gbps.max(1e-3) * 1e9;
    let host_bw = host_bw_gbps.max(1e-3) * 1e9;
    let host_eta = device.eta_host * moe_f;
    let sat = 1.0 + device_bw_gbps.max(1e-3) / device.bw_saturation_gbps.max(1.0);
    let memory = traffic.device_weights * sat / (dev_bw * device.eta_weights * moe_f)
        + traffic.device_kv * sat / (dev_bw * device.eta_kv);
    let alu = dequant_seconds(traffic.device_params, fp32_tflops, device);
    let t = overlap(memory, alu, device.alu_overlap)
        + traffic.host_weights / (host_bw * host_eta)
        + traffic.host_kv / (host_bw * device.eta_host)
        + attention_seconds(traffic.attn_flops, tflops, device)
        + device.t_fixed
        + device.t_layer * traffic.layers
        + device.t_moe_layer * traffic.moe_layers
        + device.t_host_moe_layer * traffic.host_moe_layers;
    let roof = (traffic.device_weights + traffic.device_kv) / dev_bw
        + (traffic.host_weights + traffic.host_kv) / host_bw;
    (t, roof)
}

/// Two times that overlap as a p-norm: `p` = 1 their sum, large `p` their maximum.
fn overlap(a: f64, b: f64, p: f64) -> f64 {
    if b <= 0.0 || a <= 0.0 {
        return a + b;
    }
    let p = p.max(1.0);
    let m = a.max(b);
    m * ((a / m).powf(p) + (b / m).powf(p)).powf(1.0 / p)
}

/// Dequantizing the weights a token reads on the device's vector units; unknown rate (0)
/// means the term cannot be estimated.
pub fn dequant_seconds(params: f64, fp32_tflops: f64, c: &BackendConstants) -> f64 {
    if fp32_tflops <= 0.0 {
        return 0.0;
    }
    params * c.alu_ops_per_weight / (fp32_tflops * 1e12)
}

/// Decode attention compute; unknown compute (0 TFLOPS) means the term cannot be estimated.
/// One query row cannot fill the tensor cores the way a prompt does, so decode attention runs
/// at most at the GEMM rate, whatever flash attention reaches in prefill.
fn attention_seconds(flops: f64, tflops: f64, c: &BackendConstants) -> f64 {
    if tflops <= 0.0 {
        return 0.0;
    }
    flops / (c.usable_tflops(tflops) * 1e12 * c.prefill_eff * c.attn_eff.min(1.0))
}

/// Inputs to the prefill model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrefillWork {
    /// Matmul FLOPs per prompt token (2 × active parameters, embeddings excluded).
    pub flops_per_token: f64,
    /// Σ over full-attention layers of `heads × (d_k + d_v)`: attention FLOPs = 2 × this ×
    /// attended positions.
    pub attn_width: f64,
    /// The same over sliding-window (or chunked) layers, which attend to at most `window`
    /// positions before the token's ubatch.
    pub attn_width_windowed: f64,
    /// Window (or chunk) of those layers, tokens.
    pub window: u64,
    /// Tokens in the prompt.
    pub prompt: u64,
    /// Tokens already in the cache.
    pub depth: u64,
    /// Physical batch.
    pub n_ubatch: u64,
    /// Blocks: each costs its kernels' fixed time once per ubatch.
    pub layers: f64,
    /// GPUs of a layer split that work on successive ubatches at once (1: no pipeline).
    pub pipeline_stages: u32,
    /// Weight bytes resident on the host that are copied to the GPU each ubatch.
    pub host_weight_bytes: f64,
    /// Weight bytes on the device that one ubatch's matmuls read (every expert a ubatch routes
    /// a token to: nearly all of them at 512 tokens).
    pub device_weight_bytes: f64,
    /// Peak bandwidth of the device's memory, GB/s (0: unknown, no weight-read term).
    pub device_bw_gbps: f64,
    /// Parameters of quantized matrices one ubatch multiplies at a batch of
    /// [`MMQ_MIN_GEMM_BATCH`] or more (dense and shared weights, and the routed experts that many
    /// tokens reach), which a dequantize-then-GEMM path copies to FP16
    /// ([`BackendConstants::gemm_dequant_bytes`]).
    pub gemm_params: f64,
    /// Format class of the main weight type (GGUF files; `None`: MLX and other formats).
    pub format: Option<usize>,
    /// Flash attention on (the fused kernel) or off (two GEMMs).
    pub flash_attn: bool,
    /// MoE model.
    pub moe: bool,
    /// Board power of one GPU, W (0: unknown or no GPU): see
    /// [`BackendConstants::usable_tflops_at`].
    pub card_power_w: f64,
    /// FP32 vector TFLOPS of the GPU (0: unknown, or no GPU).
    pub vector_tflops: f64,
    /// The prefill matmuls run on the vector units, not the matrix engines
    /// ([`Hardware::prefill_on_vector_units`]).
    pub matmul_on_vector: bool,
    /// Of `attn_width`, the part from layers that group query heads (GQA ≥ 2) with equal K and V
    /// head sizes of at most [128, 256] (not 40 or 72): what ROCm's WMMA flash-attention kernel
    /// takes ([`BackendConstants::attn_matrix_head`]).
    pub attn_width_gqa: [f64; 2],
    /// The same of `attn_width_windowed`.
    pub attn_width_windowed_gqa: [f64; 2],
    /// Of `flops_per_token`, the routed experts' matmul FLOPs.
    pub routed_flops_per_token: f64,
    /// Routed expert matrices one ubatch multiplies (MoE layers × 3 × experts touched).
    pub expert_matrices: f64,
    /// The kernels the routed experts run on.
    pub moe_gemm: MoeGemm,
}

/// Of `widths` (head sizes up to [128, 256]), the part a kernel taking head sizes up to `head`
/// runs.
fn up_to_head(widths: [f64; 2], head: f64) -> f64 {
    if head >= 256.0 {
        widths[1]
    } else if head >= 128.0 {
        widths[0]
    } else {
        0.0
    }
}

/// Σ over the `prompt` tokens after `depth` of the positions each attends to: causal, and
/// for a windowed layer at most `window` positions before the token's own ubatch (its cache
/// holds window + ubatch cells, and the kernel runs over all of them).
fn attended(work: &PrefillWork, window: Option<u64>) -> f64 {
    let p = work.prompt.max(1) as f64;
    let d0 = work.depth as f64;
    let full = p * d0 + p * (p + 1.0) / 2.0;
    let Some(w) = window else {
        return full;
    };
    let cap = (w + work.n_ubatch.max(1)) as f64;
    // Positions d0+1 … d0+P, each attending to min(position, cap).
    let (a, b) = (d0 + 1.0, d0 + p);
    let m = b.min(cap);
    let below = if a <= m {
        (a + m) * (m - a + 1.0) / 2.0
    } else {
        0.0
    };
    let above = (b - m.max(a - 1.0)) * cap;
    below + above
}

/// Seconds to process the prompt.
pub fn prefill_seconds(
    work: &PrefillWork,
    c: &BackendConstants,
    tflops: f64,
    gpu_offload: bool,
) -> f64 {
    let p = work.prompt.max(1) as f64;
    // The vector units' matmul rate, never above the matrix engines' (0: unknown).
    let vector_peak = (work.vector_tflops * c.vector_matmul_ratio).min(tflops);
    let peak = if work.matmul_on_vector && vector_peak > 0.0 {
        vector_peak
    } else {
        tflops
    };
    let rate = c.usable_tflops_at(peak.max(0.05), work.card_power_w) * 1e12 * c.prefill_eff;
    let format = work
        .format
        .and_then(|f| c.prefill_format_eff.get(f).copied())
        .unwrap_or(1.0)
        .max(0.05);
    let f_eff = rate * format * if work.moe { c.moe_prefill } else { 1.0 };
    let ubatches = (p / work.n_ubatch.max(1) as f64).ceil();
    let routed = work.routed_flops_per_token.clamp(0.0, work.flops_per_token);
    let matmul = match work.moe_gemm {
        MoeGemm::Grouped => work.flops_per_token * p / f_eff,
        MoeGemm::EmulatedDp4a => {
            let peak =
                (work.vector_tflops * DP4A_EMULATED_MATMUL_RATIO).clamp(0.05, tflops.max(0.05));
            let emulated = c.usable_tflops_at(peak, work.card_power_w) * 1e12 * c.prefill_eff;
            let routed_rate = emulated * format * c.moe_prefill;
            (work.flops_per_token - routed) * p / f_eff + routed * p / routed_rate
        }
        MoeGemm::PerExpert => {
            work.flops_per_token * p / f_eff + ubatches * work.expert_matrices * c.t_expert_gemm
        }
    };
    // Attention runs on the activations whatever the weights' format or routing.
    let attn_eff = if work.flash_attn {
        c.attn_eff
    } else {
        c.attn_eff_no_fa
    };
    // Flash attention's vector share runs at the vector units' rate (when known); without it,
    // attention is two batched GEMMs on the matrix engines.
    let share = if work.flash_attn && vector_peak > 0.0 {
        c.attn_vector_share.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let vector_rate =
        c.usable_tflops_at(vector_peak.max(0.05), work.card_power_w) * 1e12 * c.prefill_eff;
    // The layers a matrix-unit kernel takes after all run at the matrix rate.
    let matrix = if share > 0.0 {
        (
            up_to_head(work.attn_width_gqa, c.attn_matrix_head).min(work.attn_width),
            up_to_head(work.attn_width_windowed_gqa, c.attn_matrix_head)
                .min(work.attn_width_windowed),
        )
    } else {
        (0.0, 0.0)
    };
    let (full, windowed) = (attended(work, None), attended(work, Some(work.window)));
    let on_matrix = matrix.0 * full + matrix.1 * windowed;
    let shared =
        (work.attn_width - matrix.0) * full + (work.attn_width_windowed - matrix.1) * windowed;
    let attn = 2.0 * (shared * ((1.0 - share) / rate + share / vector_rate) + on_matrix / rate)
        / attn_eff.max(0.01);
    // Each ubatch's matmuls read the weights they touch once from device memory, and a
    // dequantize-then-GEMM path writes and reads back an FP16 copy of its quantized matrices.
    let reads = if work.device_bw_gbps > 0.0 {
        ubatches * (work.device_weight_bytes + work.gemm_params * c.gemm_dequant_bytes)
            / (work.device_bw_gbps * 1e9)
    } else {
        0.0
    };
    let copies = if gpu_offload {
        ubatches * work.host_weight_bytes / (c.host_copy_gbps.max(0.1) * 1e9)
    } else {
        0.0
    };
    let fixed = ubatches * (c.t_ubatch + c.t_ubatch_layer * work.layers);
    let compute = (matmul + attn + reads + fixed) / pipeline_speedup(work, p, c);
    compute + copies
}

/// Ubatches llama.cpp's scheduler keeps in flight through a layer split
/// (`GGML_SCHED_MAX_COPIES`: four copies of the graph inputs, the four copies the memory
/// model charges): more GPUs than this cannot all be busy at once.
pub const PIPELINE_COPIES: f64 = 4.0;

/// Speed-up of a layer split over `G` GPUs on a prompt of `B` ubatches: llama.cpp submits
/// the ubatches without waiting for each (llama-bench and the server synchronise once the
/// prompt is in), so they flow through the GPUs as a pipeline, taking `B + G − 1` stage times
/// instead of `B × G`, with at most [`PIPELINE_COPIES`] ubatches in flight. One ubatch (a short
/// prompt) gains nothing; `c.pipeline_eff` of the ideal gain is realised. The 2024 multi-GPU
/// rows of Llama 3 8B show it: 4 cards run 1K/4K/8K prompts 1.5/2.5/2.85× faster than one
/// (ideal 1.6/2.9/3.4), and 8 RTX 4090s reach 3.4× at 8K, past what a 2048-token batch allows.
fn pipeline_speedup(work: &PrefillWork, prompt: f64, c: &BackendConstants) -> f64 {
    let g = f64::from(work.pipeline_stages.max(1));
    // The per-expert path waits on the host inside every MoE layer: nothing overlaps.
    if g <= 1.0 || work.moe_gemm == MoeGemm::PerExpert {
        return 1.0;
    }
    let b = (prompt / work.n_ubatch.max(1) as f64).ceil().max(1.0);
    let ideal = (b * g / (b + g - 1.0)).min(PIPELINE_COPIES);
    1.0 + (ideal - 1.0) * c.pipeline_eff.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(prompt: u64, stages: u32) -> PrefillWork {
        PrefillWork {
            flops_per_token: 16e9,
            attn_width: 0.0,
            attn_width_windowed: 0.0,
            window: 0,
            prompt,
            depth: 0,
            n_ubatch: 512,
            layers: 32.0,
            pipeline_stages: stages,
            host_weight_bytes: 0.0,
            device_weight_bytes: 0.0,
            device_bw_gbps: 0.0,
            gemm_params: 0.0,
            format: None,
            flash_attn: true,
            moe: false,
            card_power_w: 0.0,
            vector_tflops: 0.0,
            matmul_on_vector: false,
            attn_width_gqa: [0.0; 2],
            attn_width_windowed_gqa: [0.0; 2],
            routed_flops_per_token: 0.0,
            expert_matrices: 0.0,
            moe_gemm: MoeGemm::Grouped,
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
            let (time, roof) = decode_seconds(&t, &c, 1000.0, 60.0, 165.0, 80.0, false);
            roof / time
        };
        let (small, large) = (share(0.8e9, 16.0), share(42e9, 80.0));
        assert!(small < large && large < 1.0, "{small} {large}");
    }

    #[test]
    fn slow_vector_units_hold_decode_below_the_bandwidth() {
        // 8 B weights in 4.9 GB on one 1 TB/s card: an A100-like FP32 rate (19.5 TFLOPS) is
        // slower than an RTX 4090-like one (82.6); an unknown rate (0) adds nothing.
        let c = BackendConstants {
            alu_ops_per_weight: 4.0,
            alu_overlap: 2.0,
            ..BackendConstants::of(Backend::Cuda)
        };
        let t = TokenTraffic {
            device_weights: 4.9e9,
            device_params: 8e9,
            layers: 32.0,
            ..Default::default()
        };
        let time = |fp32: f64| decode_seconds(&t, &c, 1000.0, 60.0, 165.0, fp32, false).0;
        assert!(time(19.5) > time(82.6) && time(82.6) > time(0.0));
        let none = decode_seconds(
            &t,
            &BackendConstants {
                alu_ops_per_weight: 0.0,
                ..c
            },
            1000.0,
            60.0,
            165.0,
            19.5,
            false,
        )
        .0;
        assert!((none - time(0.0)).abs() < 1e-12);
    }

    fn nvidia(cc: Option<(u32, u32)>, gpus: u32) -> Hardware {
        Hardware {
            gpus,
            ram: 64 << 30,
            ram_bandwidth_gbps: 90.0,
            fp16_tflops: 112.0,
            fp32_tflops: Some(14.0),
            compute_capability: cc,
            ..Hardware::new("card", "card", Backend::Cuda, 16 << 30, 900.0)
        }
    }

    #[test]
    fn old_nvidia_cards_launch_without_graphs_and_emulate_dp4a() {
        let c = BackendConstants {
            t_layer: 3e-5,
            t_moe_layer: 2e-5,
            no_graphs_factor: 2.0,
            alu_ops_per_weight: 9.0,
            dp4a_emulated_ops: 5.5,
            ..BackendConstants::of(Backend::Cuda)
        };
        // Unknown and Ampere-or-newer cards keep the constants.
        assert_eq!(c.for_hardware(&nvidia(None, 1)), c);
        assert_eq!(c.for_hardware(&nvidia(Some((8, 6)), 1)), c);
        // Volta and Turing: CUDA graphs on today's builds, none before b10042; dp4a either way.
        for cc in [(7, 0), (7, 5)] {
            assert_eq!(c.for_hardware(&nvidia(Some(cc), 1)), c, "{cc:?}");
            let old = c
                .before_volta_graphs(&nvidia(Some(cc), 1))
                .for_hardware(&nvidia(Some(cc), 1));
            assert_eq!(
                (old.t_layer, old.t_moe_layer, old.alu_ops_per_weight),
                (6e-5, 4e-5, 9.0),
                "{cc:?}"
            );
        }
        // The old build changes nothing on Ampere, nor twice on Pascal.
        let ampere = nvidia(Some((8, 6)), 1);
        assert_eq!(c.before_volta_graphs(&ampere).for_hardware(&ampere), c);
        let pascal = nvidia(Some((6, 0)), 1);
        assert_eq!(
            c.before_volta_graphs(&pascal).for_hardware(&pascal).t_layer,
            6e-5
        );
        // Pascal GP100 (6.0): neither; GP102 (6.1) has dp4a.
        let p100 = c.for_hardware(&nvidia(Some((6, 0)), 1));
        assert_eq!(p100.alu_ops_per_weight, 9.0 + c.dp4a_emulated_ops);
        let p40 = c.for_hardware(&nvidia(Some((6, 1)), 1));
        assert_eq!(p40.alu_ops_per_weight, 9.0);
        // The capability is NVIDIA's: another backend keeps the constants.
        let mut amd = nvidia(Some((6, 0)), 1);
        amd.backend = Backend::Rocm;
        assert_eq!(c.for_hardware(&amd), c);
    }

    #[test]
    fn hopper_and_newer_overlap_their_launches_on_todays_builds() {
        let c = BackendConstants {
            t_layer: 4e-5,
            t_moe_layer: 2e-5,
            pdl_factor: 0.5,
            ..BackendConstants::of(Backend::Cuda)
        };
        // Ada (8.9) and unknown cards launch as before; Hopper (9.0) and Blackwell (12.0) overlap.
        assert_eq!(c.for_hardware(&nvidia(Some((8, 9)), 1)), c);
        assert_eq!(c.for_hardware(&nvidia(None, 1)), c);
        for cc in [(9, 0), (12, 0)] {
            let k = c.for_hardware(&nvidia(Some(cc), 1));
            assert_eq!((k.t_layer, k.t_moe_layer), (2e-5, 1e-5), "{cc:?}");
        }
        // A build before Programmatic Dependent Launch keeps the full per-block costs.
        let old = c.before_pdl().for_hardware(&nvidia(Some((9, 0)), 1));
        assert_eq!((old.t_layer, old.t_moe_layer), (4e-5, 2e-5));
    }

    #[test]
    fn unified_gpus_pay_their_latency_per_block_except_on_metal() {
        let c = BackendConstants {
            t_layer: 4e-5,
            t_layer_unified: 1e-5,
            ..BackendConstants::of(Backend::Cuda)
        };
        let mut spark = nvidia(None, 1);
        spark.unified = true;
        assert!((c.for_hardware(&spark).t_layer - 5e-5).abs() < 1e-12);
        assert_eq!(c.for_hardware(&nvidia(None, 1)).t_layer, 4e-5);
        let mut mac = spark.clone();
        mac.backend = Backend::Metal;
        assert_eq!(c.for_hardware(&mac).t_layer, 4e-5);
    }

    #[test]
    fn intel_gpus_on_vulkan_stream_quantized_weights_slower() {
        let c = BackendConstants {
            intel_vulkan_quant_eff: 0.5,
            ..BackendConstants::of(Backend::Vulkan)
        };
        let mut arc = nvidia(None, 1);
        arc.name = "Intel Arc B580 12 GB".into();
        arc.backend = Backend::Vulkan;
        let on_arc = c.for_hardware(&arc);
        // Float weights keep their efficiency; every quantized class loses half.
        assert_eq!(on_arc.format_eff[0], c.format_eff[0]);
        for class in 1..FORMAT_CLASSES {
            assert_eq!(on_arc.format_eff[class], c.format_eff[class] * 0.5);
        }
        // SYCL's kernels and other vendors' GPUs on Vulkan keep the constants.
        arc.backend = Backend::Sycl;
        assert_eq!(c.for_hardware(&arc), c);
        let mut radeon = nvidia(None, 1);
        radeon.name = "AMD Radeon RX 9070 XT".into();
        radeon.backend = Backend::Vulkan;
        assert_eq!(c.for_hardware(&radeon), c);
    }

    #[test]
    fn sycl_runs_bf16_weights_through_a_gemm_in_decode() {
        let c = BackendConstants::of(Backend::Sycl);
        let mut arc = nvidia(None, 1);
        arc.name = "Intel Arc Pro B70".into();
        arc.backend = Backend::Sycl;
        let bf16 = c.for_weights(&arc, GgmlType::BF16);
        assert_eq!(bf16.format_eff[0], c.format_eff[0] * SYCL_BF16_DECODE_SHARE);
        assert_eq!(bf16.format_eff[1..], c.format_eff[1..]);
        // F16 has SYCL's mat-vec kernel; other backends have a BF16 one.
        assert_eq!(c.for_weights(&arc, GgmlType::F16), c);
        arc.backend = Backend::Vulkan;
        let vk = BackendConstants::of(Backend::Vulkan);
        assert_eq!(vk.for_weights(&arc, GgmlType::BF16), vk);
    }

    #[test]
    fn a_layer_split_pays_one_hop_per_extra_gpu() {
        let c = BackendConstants {
            t_hop: 1e-3,
            ..BackendConstants::of(Backend::Cuda)
        };
        assert_eq!(c.link_seconds(&nvidia(None, 1)), 0.0);
        assert!((c.link_seconds(&nvidia(None, 4)) - 3e-3).abs() < 1e-15);
        let mut unified = nvidia(None, 4);
        unified.unified = true;
        assert_eq!(c.link_seconds(&unified), 0.0);
    }

    #[test]
    fn overlap_runs_from_the_sum_to_the_maximum() {
        assert!((overlap(3.0, 1.0, 1.0) - 4.0).abs() < 1e-12);
        assert!((overlap(3.0, 4.0, 2.0) - 5.0).abs() < 1e-12);
        assert!((overlap(3.0, 1.0, 16.0) - 3.0).abs() < 1e-6);
        assert_eq!(overlap(3.0, 0.0, 2.0), 3.0);
    }

    #[test]
    fn a_layer_split_pipelines_long_prompts_only() {
        let c = BackendConstants::of(Backend::Cuda);
        // One ubatch cannot overlap with anything.
        assert_eq!(pipeline_speedup(&work(512, 8), 512.0, &c), 1.0);
        assert_eq!(pipeline_speedup(&work(4096, 1), 4096.0, &c), 1.0);
        // 8 ubatches (the whole prompt, not one 2048-token batch) through 4 GPUs: 8·4/(8+4−1).
        let ideal: f64 = 32.0 / 11.0;
        let got = pipeline_speedup(&work(4096, 4), 4096.0, &c);
        assert!((got - (1.0 + (ideal - 1.0) * c.pipeline_eff)).abs() < 1e-12);
        // 8 GPUs: 16 ubatches would give 128/23 = 5.6×, but only 4 are in flight.
        let capped = pipeline_speedup(&work(8192, 8), 8192.0, &c);
        assert!((capped - (1.0 + 3.0 * c.pipeline_eff)).abs() < 1e-12);
        // Prefill time falls accordingly, never below one card's time / G.
        let one = prefill_seconds(&work(4096, 1), &c, 165.0, false);
        let eight = prefill_seconds(&work(4096, 8), &c, 165.0, false);
        assert!(eight < one && eight > one / 8.0, "{one} {eight}");
    }

    #[test]
    fn cpu_decode_is_bounded_by_its_threads_before_dram() {
        // 2 threads at 8 GB/s each cannot dequantize 50 GB/s of weights; 64 threads can.
        let two = cpu_decode_bandwidth(50.0, 2.0, 8.0, 0.6);
        assert!((two * 0.6 - 2.0 * 8.0).abs() < 1e-9);
        assert_eq!(cpu_decode_bandwidth(50.0, 64.0, 8.0, 0.6), 50.0);
        assert_eq!(cpu_decode_bandwidth(50.0, 0.0, 8.0, 0.6), 50.0);
        assert_eq!(cpu_threads(16.0 * CPU_TFLOPS_PER_THREAD), 16.0);
        // More threads never slow the decode down.
        let mut last = 0.0;
        for t in 1..=32 {
            let bw = cpu_decode_bandwidth(50.0, f64::from(t), 8.0, 0.6);
            assert!(bw >= last);
            last = bw;
        }
        // A class whose threads stream faster reaches the DRAM bound with fewer of them.
        let mut c = BackendConstants::of(Backend::Cpu);
        c.cpu_thread_gbps = [6.0, 6.0, 30.0, 3.0, 12.0];
        let four = 4.0 * CPU_TFLOPS_PER_THREAD;
        let apple = c.cpu_bandwidth(200.0, four, CpuClass::Apple, 0.6);
        let x86 = c.cpu_bandwidth(200.0, four, CpuClass::X86, 0.6);
        assert!((apple / x86 - 5.0).abs() < 1e-9, "{apple} {x86}");
        // VNNI cores get their own rate, not the AVX2 cores' (here twice it).
        let vnni = c.cpu_bandwidth(200.0, four, CpuClass::X86Vnni, 0.6);
        assert!((vnni / x86 - 2.0).abs() < 1e-9, "{vnni} {x86}");
        assert_eq!(
            c.cpu_bandwidth(100.0, 64.0 * CPU_TFLOPS_PER_THREAD, CpuClass::Apple, 0.6),
            100.0
        );
        // Prefill compute is threads × the class's per-thread rate.
        c.cpu_thread_tflops = [0.1, 0.3, 0.4, 0.05, 0.2];
        assert!((c.cpu_tflops(four, CpuClass::X86Amx) - 1.2).abs() < 1e-9);
        assert!((c.cpu_tflops(four, CpuClass::X86Vnni) - 0.8).abs() < 1e-9);
    }

    #[test]
    fn windowed_layers_attend_to_their_window_and_ubatch_only() {
        let mut w = work(2048, 1);
        w.depth = 32768;
        // Full attention: every earlier position, causal.
        let full = 2048.0 * 32768.0 + 2048.0 * 2049.0 / 2.0;
        assert_eq!(attended(&w, None), full);
        // Far beyond the window: each token sees window + ubatch cells.
        assert_eq!(attended(&w, Some(1024)), 2048.0 * 1536.0);
        // From an empty cache the cap is reached after 1536 tokens: 1..=1536, then 512 × 1536.
        w.depth = 0;
        let expect = 1536.0 * 1537.0 / 2.0 + 512.0 * 1536.0;
        assert_eq!(attended(&w, Some(1024)), expect);
        // A window longer than the prompt changes nothing.
        assert_eq!(attended(&w, Some(8192)), attended(&w, None));
    }

    #[test]
    fn each_ubatch_reads_its_weights_and_pays_its_blocks() {
        let mut c = BackendConstants::of(Backend::Cuda);
        c.t_ubatch_layer = 0.0;
        let base = prefill_seconds(&work(2048, 1), &c, 165.0, false);
        // 4 ubatches each read 10 GB at 1 TB/s: 40 ms more.
        let mut w = work(2048, 1);
        w.device_weight_bytes = 10e9;
        w.device_bw_gbps = 1000.0;
        let read = prefill_seconds(&w, &c, 165.0, false);
        assert!((read - base - 0.04).abs() < 1e-9, "{base} {read}");
        // 32 blocks × 0.1 ms per ubatch, 4 ubatches: 12.8 ms more.
        c.t_ubatch_layer = 1e-4;
        let blocks = prefill_seconds(&work(2048, 1), &c, 165.0, false);
        assert!((blocks - base - 0.0128).abs() < 1e-9, "{base} {blocks}");
    }

    #[test]
    fn a_dequantizing_gemm_path_moves_an_fp16_copy_each_ubatch() {
        let mut c = BackendConstants::of(Backend::Rocm);
        c.gemm_dequant_bytes = 0.0;
        let mut w = work(2048, 1);
        w.device_bw_gbps = 256.0;
        w.gemm_params = 6.4e9;
        let mmq = prefill_seconds(&w, &c, 59.0, false);
        // 4 ubatches × 6.4 G weights × 4 bytes at 256 GB/s: 0.4 s more.
        c.gemm_dequant_bytes = DEQUANT_FP16_BYTES;
        let dequant = prefill_seconds(&w, &c, 59.0, false);
        assert!((dequant - mmq - 0.4).abs() < 1e-9, "{mmq} {dequant}");
        // Today's builds multiply the quantized blocks.
        assert_eq!(BackendConstants::of(Backend::Rocm).gemm_dequant_bytes, 0.0);
        assert_eq!(
            BackendConstants::of_era(Backend::Rocm, BuildEra::Y2024).gemm_dequant_bytes,
            DEQUANT_FP16_BYTES
        );
    }

    #[test]
    fn a_format_class_sets_its_own_matmul_rate() {
        let mut c = BackendConstants::of(Backend::Cuda);
        c.prefill_format_eff = [2.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let mut w = work(512, 1);
        let other = prefill_seconds(&w, &c, 165.0, false);
        w.format = Some(0);
        let float = prefill_seconds(&w, &c, 165.0, false);
        // Twice the rate halves the matmul time; the per-ubatch costs stay.
        let fixed = c.t_ubatch + c.t_ubatch_layer * w.layers;
        assert!(((other - fixed) / (float - fixed) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_card_short_of_power_for_its_tflops_runs_prompts_slower() {
        let mut c = BackendConstants::of(Backend::Cuda);
        c.pj_per_flop = 1.0;
        // 364 TFLOPS in 300 W (RTX 6000 Ada) against the same TFLOPS in 450 W.
        let cap = c.usable_tflops_at(364.0, 300.0);
        let roomy = c.usable_tflops_at(364.0, 450.0);
        assert!(
            cap < roomy && roomy < c.usable_tflops(364.0),
            "{cap} {roomy}"
        );
        // Unknown power or no energy figure: the kernels' rate alone.
        assert_eq!(c.usable_tflops_at(364.0, 0.0), c.usable_tflops(364.0));
        c.pj_per_flop = 0.0;
        assert_eq!(c.usable_tflops_at(364.0, 300.0), c.usable_tflops(364.0));
        let mut w = work(2048, 1);
        c.pj_per_flop = 1.0;
        let unknown = prefill_seconds(&w, &c, 364.0, false);
        w.card_power_w = 300.0;
        assert!(prefill_seconds(&w, &c, 364.0, false) > unknown);
    }

    #[test]
    fn matmuls_on_the_vector_units_run_at_their_rate_not_the_matrix_peak() {
        let c = BackendConstants::of(Backend::Vulkan);
        // Arc Pro B70: 183.5 TFLOPS on XMX, 22.9 FP32 on the vector engines.
        let mut w = work(2048, 1);
        w.vector_tflops = 22.9;
        let matrix = prefill_seconds(&w, &c, 183.5, false);
        w.matmul_on_vector = true;
        let vector = prefill_seconds(&w, &c, 183.5, false);
        let ratio = c.usable_tflops(183.5) / c.usable_tflops(22.9 * c.vector_matmul_ratio);
        assert!(
            (vector / matrix - ratio).abs() < 0.1 * ratio,
            "{vector} {matrix}"
        );
        // Never faster than the matrix peak, and an unknown vector rate keeps the matrix one.
        w.vector_tflops = 1e4;
        assert_eq!(prefill_seconds(&w, &c, 183.5, false), matrix);
        w.vector_tflops = 0.0;
        assert_eq!(prefill_seconds(&w, &c, 183.5, false), matrix);
    }

    #[test]
    fn flash_attention_on_the_vector_units_slows_deep_prompts_of_matrix_heavy_cards() {
        let mut c = BackendConstants::of(Backend::Rocm);
        let deep = |c: &BackendConstants, vector: f64, fa: bool| {
            let mut w = work(2048, 1);
            (w.attn_width, w.depth, w.vector_tflops, w.flash_attn) =
                (262_144.0, 32_768, vector, fa);
            prefill_seconds(&w, c, 191.0, false)
        };
        // R9700: 191 TFLOPS matrix, 47.8 FP32; the same card with twice the vector rate.
        c.attn_vector_share = 1.0;
        assert!(deep(&c, 47.8, true) > deep(&c, 95.6, true));
        // Attention on the matrix engines, or without flash attention (two GEMMs): no matter.
        for (share, fa) in [(0.0, true), (1.0, false)] {
            c.attn_vector_share = share;
            assert_eq!(deep(&c, 47.8, fa), deep(&c, 95.6, fa));
        }
        assert_eq!(attn_vector_share(Backend::Rocm), 1.0);
        assert_eq!(attn_vector_share(Backend::Cuda), 0.0);
    }

    #[test]
    fn grouped_query_layers_of_the_wmma_kernels_head_sizes_run_on_the_matrix_units() {
        let mut c = BackendConstants::of(Backend::Rocm);
        c.attn_vector_share = 1.0;
        // An R9700 at 32K depth; `gqa` is the part of the width that groups its query heads,
        // with head sizes up to [128, 256].
        let deep = |c: &BackendConstants, gqa: [f64; 2]| {
            let mut w = work(2048, 1);
            (w.attn_width, w.depth, w.vector_tflops, w.flash_attn) =
                (262_144.0, 32_768, 47.8, true);
            w.attn_width_gqa = gqa;
            prefill_seconds(&w, c, 191.0, false)
        };
        let none = [0.0; 2];
        let head_128 = [262_144.0; 2];
        let head_256 = [0.0, 262_144.0];
        c.attn_matrix_head = 0.0;
        let tile = deep(&c, head_128);
        assert_eq!(tile, deep(&c, none));
        c.attn_matrix_head = 128.0;
        assert!(deep(&c, head_128) < 0.8 * tile);
        assert_eq!(deep(&c, head_256), tile);
        c.attn_matrix_head = 256.0;
        assert!(deep(&c, head_256) < 0.8 * tile);
        // Layers without grouped heads stay on the tile kernel whatever the build.
        assert_eq!(deep(&c, none), tile);
        // Where attention is on the matrix units already, nothing changes.
        c.attn_vector_share = 0.0;
        assert_eq!(deep(&c, head_128), deep(&c, none));
    }

    #[test]
    fn cuda_cards_multiply_experts_with_the_kernels_their_units_allow() {
        assert_eq!(cuda_moe_gemm((8, 6), 512), MoeGemm::Grouped);
        assert_eq!(cuda_moe_gemm((6, 1), 512), MoeGemm::Grouped);
        assert_eq!(cuda_moe_gemm((6, 0), 512), MoeGemm::EmulatedDp4a);
        assert_eq!(cuda_moe_gemm((7, 0), 512), MoeGemm::PerExpert);
        assert_eq!(cuda_moe_gemm((7, 0), 32), MoeGemm::Grouped);
        assert_eq!(cuda_moe_gemm((7, 5), 512), MoeGemm::Grouped);
        assert_eq!(cuda_moe_gemm((5, 2), 512), MoeGemm::PerExpert);
    }

    #[test]
    fn experts_one_at_a_time_pay_per_expert_and_emulated_dp4a_runs_at_the_vector_rate() {
        let c = BackendConstants::of(Backend::Cuda);
        let moe = |gemm: MoeGemm, stages: u32| {
            let mut w = work(2048, stages);
            (
                w.moe,
                w.routed_flops_per_token,
                w.expert_matrices,
                w.vector_tflops,
            ) = (true, 4e9, 40.0 * 3.0 * 256.0, 14.0);
            w.flops_per_token = 6e9;
            w.moe_gemm = gemm;
            prefill_seconds(&w, &c, 112.0, false)
        };
        let grouped = moe(MoeGemm::Grouped, 1);
        // Four ubatches × 30,720 expert matrices at `t_expert_gemm` each, on top.
        let per_expert = moe(MoeGemm::PerExpert, 1);
        let extra = 4.0 * 30_720.0 * c.t_expert_gemm;
        assert!((per_expert - grouped - extra).abs() < 1e-9 * per_expert);
        // A layer split cannot pipeline a path that waits on the host in every layer.
        assert!(moe(MoeGemm::Grouped, 2) < grouped);
        assert_eq!(moe(MoeGemm::PerExpert, 2), per_expert);
        // Emulated dp4a: the routed FLOPs at a third of the 14 FP32 TFLOPS, not 112.
        assert!(moe(MoeGemm::EmulatedDp4a, 1) > 2.0 * grouped);
    }

    #[test]
    fn rocm_builds_reach_the_wmma_flash_attention_in_two_steps() {
        assert_eq!(rocm_attn_matrix_head(Some(7423), false), 0.0);
        assert_eq!(
            rocm_attn_matrix_head(Some(ROCM_FATTN_MMA_BUILD), false),
            128.0
        );
        assert_eq!(
            rocm_attn_matrix_head(Some(ROCM_FATTN_MMA_256_BUILD), false),
            256.0
        );
        assert_eq!(rocm_attn_matrix_head(None, true), 128.0);
        assert_eq!(rocm_attn_matrix_head(None, false), 0.0);
        assert_eq!(attn_matrix_head(Backend::Rocm, BuildEra::Current), 256.0);
        assert_eq!(attn_matrix_head(Backend::Rocm, BuildEra::Y2024), 0.0);
        assert_eq!(attn_matrix_head(Backend::Vulkan, BuildEra::Current), 0.0);
    }
}
