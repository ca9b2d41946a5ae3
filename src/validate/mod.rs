//! `fitcheck validate`: run the estimator over measured tokens/s and report the error per subset.
//! Input is a CSV with the columns of `tests/data/ground_truth_speed.csv` (at least `model`,
//! `hardware`, `backend`, `metric`, `value`; bandwidth, quant, test shape and size when known).

use std::collections::BTreeMap;

mod labels;
mod vulkan_path;

pub use labels::{
    build_era, family_key, parse_quant_label, prefill_era, ROCM_WMMA_MMQ_BUILD, TENSILE_NOTE,
};
use labels::{
    build_number, cpu_threads, device_key, is_unsloth_dynamic_4_to_6_bit, note_number,
    parse_backend, row_preset,
};
pub use vulkan_path::{vulkan_driver, vulkan_matrix, VkDriver, VkMatrix};

use crate::catalog::Catalog;
use crate::estimate::hardware::{Backend, Hardware, HardwareKind};
use crate::estimate::model::ModelSpec;
use crate::estimate::speed::{
    decode_seconds, prefill_seconds, BackendConstants, BuildEra, PrefillWork, TokenTraffic,
    CPU_TFLOPS_PER_THREAD,
};
use crate::estimate::units::GIB;
use crate::estimate::CpuClass;
use crate::estimate::{model_terms, speeds_with_constants, ModelTerms, Runtime, Settings};

/// Decode or prefill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    /// Token generation.
    Decode,
    /// Prompt processing.
    Prefill,
}

/// One measured row and what the estimator predicts for it.
#[derive(Debug, Clone)]
pub struct Checked {
    /// 1-based CSV line.
    pub line: usize,
    /// Model label as given.
    pub model: String,
    /// Hardware label as given.
    pub hardware: String,
    /// Decode or prefill.
    pub metric: Metric,
    /// Measured tokens/s.
    pub measured: f64,
    /// Predicted tokens/s.
    pub predicted: f64,
    /// Physical roofline tokens/s (decode only; 0 otherwise).
    pub roofline: f64,
    /// Subsets this row belongs to.
    pub subsets: Vec<&'static str>,
}

impl Checked {
    /// Signed relative error, predicted / measured − 1.
    pub fn error(&self) -> f64 {
        self.predicted / self.measured - 1.0
    }
}

/// The result of a validation run.
#[derive(Debug, Default)]
pub struct Report {
    /// Rows that were estimated.
    pub rows: Vec<Checked>,
    /// Rows left out, with the reason (line, why).
    pub skipped: Skipped,
}

/// Error statistics of one subset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Rows.
    pub n: usize,
    /// Median of |error|.
    pub median_abs: f64,
    /// Median signed error (bias).
    pub median_signed: f64,
    /// 90th percentile of |error|.
    pub p90_abs: f64,
}

/// Statistics of a set of errors.
pub fn stats(errors: &[f64]) -> Option<Stats> {
    if errors.is_empty() {
        return None;
    }
    let mut abs: Vec<f64> = errors.iter().map(|e| e.abs()).collect();
    let mut signed = errors.to_vec();
    abs.sort_by(f64::total_cmp);
    signed.sort_by(f64::total_cmp);
    let pick = |v: &[f64], q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    Some(Stats {
        n: errors.len(),
        median_abs: pick(&abs, 0.5),
        median_signed: pick(&signed, 0.5),
        p90_abs: pick(&abs, 0.9),
    })
}

impl Report {
    /// Stats per (metric, subset), `all` included.
    pub fn by_subset(&self) -> BTreeMap<(Metric, &'static str), Stats> {
        let mut groups: BTreeMap<(Metric, &'static str), Vec<f64>> = BTreeMap::new();
        for r in &self.rows {
            groups.entry((r.metric, "all")).or_default().push(r.error());
            for s in &r.subsets {
                groups.entry((r.metric, s)).or_default().push(r.error());
            }
        }
        groups
            .into_iter()
            .filter_map(|(k, v)| stats(&v).map(|s| (k, s)))
            .collect()
    }
}

/// A CSV that cannot be checked at all (a row that cannot be checked is skipped instead, with
/// the reason, in [`Report::skipped`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line of the problem (1: the header).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CsvError {}

/// Reads measurements from CSV text and checks each against the estimator.
pub fn validate(csv_text: &str, cat: &Catalog) -> Result<Report, CsvError> {
    validate_with(csv_text, cat, &BackendConstants::of_era)
}

/// [`validate`] with other backend constants (what `examples/calibrate.rs` searches over).
pub fn validate_with(
    csv_text: &str,
    cat: &Catalog,
    constants: &dyn Fn(Backend, BuildEra) -> BackendConstants,
) -> Result<Report, CsvError> {
    let (rows, skipped) = prepare(csv_text, cat)?;
    Ok(Report {
        rows: rows
            .iter()
            .map(|r| r.check(&constants(r.backend, r.era)))
            .collect(),
        skipped,
    })
}

/// One measured row, parsed, with everything that does not depend on the backend constants
/// computed once (so a calibration can re-check it thousands of times cheaply).
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// 1-based CSV line.
    pub line: usize,
    /// Decode or prefill.
    pub metric: Metric,
    /// Measured tokens/s.
    pub measured: f64,
    /// The physical device the row ran on (the unit of leave-one-device-out): the catalog
    /// preset its label resolves to once a "(N GPUs)" count is dropped, else that label, so a
    /// card's configurations and a chip's several labels leave the fit together.
    pub device: String,
    /// Model family (the unit of leave-one-family-out).
    pub family: String,
    /// Backend the row ran on.
    pub backend: Backend,
    /// Build era of the runtime.
    pub era: BuildEra,
    /// Format class of the main weight type (`speed::format_class`), for GGUF catalog rows; for
    /// decode, the class most of a token's bytes are read in.
    pub format: Option<usize>,
    /// Subsets this row belongs to.
    pub subsets: Vec<&'static str>,
    /// The rate is a request's tokens over its wall time (the row's flag says "wall-clock"): it
    /// includes prompt processing and the server's own time, so it is checked but not fitted.
    pub wall_clock: bool,
    /// The rate is a lower bound (the row's flag says so: a run on a machine others were loading,
    /// as our own shared build VM's): the machine runs at least this fast.
    pub lower_bound: bool,
    /// A CUDA row from a build before Programmatic Dependent Launch (or of unknown build):
    /// checked without it ([`BackendConstants::before_pdl`]).
    pub before_pdl: bool,
    /// A CUDA row from a build before CUDA graphs on Volta and Turing (or of unknown build):
    /// such cards are checked without graphs ([`BackendConstants::before_volta_graphs`]).
    pub before_volta_graphs: bool,
    /// Largest head size a ROCm row's build runs on the WMMA flash-attention kernel
    /// ([`crate::estimate::speed::rocm_attn_matrix_head`]; other backends: no limit).
    pub attn_matrix_head: f64,
    vk_driver: Option<VkDriver>,
    vk_matrix: Option<VkMatrix>,
    model_label: String,
    hardware_label: String,
    hw: Hardware,
    work: Work<'a>,
}

#[derive(Debug, Clone)]
enum Work<'a> {
    Catalog {
        model: &'a ModelSpec,
        settings: Settings,
        terms: Box<ModelTerms>,
        depth: u64,
        prompt: u64,
        roofline: f64,
    },
    Generic {
        read: f64,
        layers: f64,
        active: f64,
        prompt: u64,
        depth: u64,
        moe: bool,
        flash_attn: bool,
        runtime: Runtime,
        /// Main weight type, when the quant label names one the estimator knows.
        main: Option<crate::estimate::ggml::GgmlType>,
    },
}

impl Prepared<'_> {
    /// The kind of CPU cores a CPU row ran on, when its label or notes say.
    pub fn cpu_class(&self) -> Option<CpuClass> {
        self.hw.cpu_class
    }

    /// Threads a CPU row ran on (0: not stated).
    pub fn cpu_threads(&self) -> f64 {
        if self.backend == Backend::Cpu {
            crate::estimate::speed::cpu_threads(self.hw.fp16_tflops)
        } else {
            0.0
        }
    }

    /// NVIDIA compute capability of the row's card, when its preset records one.
    pub fn compute_capability(&self) -> Option<(u32, u32)> {
        self.hw.compute_capability
    }

    /// Whether the row's NVIDIA card ran without CUDA graphs: older than Volta, or Volta/Turing
    /// on a build before [`crate::estimate::speed::CUDA_GRAPHS_VOLTA_BUILD`].
    pub fn without_cuda_graphs(&self) -> bool {
        use crate::estimate::speed::{CUDA_GRAPHS_MIN_CC, CUDA_GRAPHS_MIN_CC_BEFORE_VOLTA_BUILD};
        let threshold = if self.before_volta_graphs {
            CUDA_GRAPHS_MIN_CC_BEFORE_VOLTA_BUILD
        } else {
            CUDA_GRAPHS_MIN_CC
        };
        self.hw.backend == Backend::Cuda
            && self.compute_capability().is_some_and(|cc| cc < threshold)
    }

    /// Board power of one of the row's GPUs, W (0: unknown, or a CPU row).
    pub fn card_power_w(&self) -> f64 {
        self.hw.card_power_w()
    }

    /// The Vulkan driver a Vulkan row ran on, when its notes or backend label say.
    pub fn vk_driver(&self) -> Option<VkDriver> {
        self.vk_driver
    }

    /// The matrix path (cooperative matrices) a Vulkan row ran on, when its notes say.
    pub fn vk_matrix(&self) -> Option<VkMatrix> {
        self.vk_matrix
    }

    /// Whether the row's prefill matmuls run on its GPU's vector units
    /// ([`Hardware::prefill_on_vector_units`]).
    pub fn prefill_on_vector_units(&self) -> bool {
        self.hw.prefill_on_vector_units()
    }

    /// Whether the row's MoE prefill multiplies its experts one at a time
    /// ([`crate::estimate::speed::MoeGemm::PerExpert`]).
    pub fn per_expert_moe(&self) -> bool {
        // Rows of models the catalog lacks are checked without the expert count it needs.
        let Work::Catalog { prompt, .. } = &self.work else {
            return false;
        };
        let prompt = *prompt;
        self.metric == Metric::Prefill
            && self.backend == Backend::Cuda
            && self.subsets.contains(&"moe")
            && self.compute_capability().is_some_and(|cc| {
                crate::estimate::speed::cuda_moe_gemm(cc, prompt.min(512))
                    == crate::estimate::speed::MoeGemm::PerExpert
            })
    }

    /// Whether the row ran on an Intel GPU.
    pub fn intel_gpu(&self) -> bool {
        self.hw.is_intel_gpu()
    }

    /// Whether the row ran on a GPU that shares the host's memory (DGX Spark, Strix Halo, Macs).
    pub fn unified_gpu(&self) -> bool {
        self.hw.unified && self.hw.has_gpu()
    }

    /// Checks the row against the estimator run with constants `c`.
    pub fn check(&self, c: &BackendConstants) -> Checked {
        let hw = &self.hw;
        let c = &if self.before_pdl { c.before_pdl() } else { *c };
        let c = &if self.before_volta_graphs {
            c.before_volta_graphs(hw)
        } else {
            *c
        };
        let c = &BackendConstants {
            attn_matrix_head: c.attn_matrix_head.min(self.attn_matrix_head),
            ..*c
        };
        let (predicted, roofline) = match &self.work {
            Work::Catalog {
                model,
                settings,
                terms,
                depth,
                prompt,
                roofline,
            } => {
                let sp = speeds_with_constants(model, hw, settings, terms, *depth, *prompt, c);
                match self.metric {
                    Metric::Decode => (sp.decode_tps, *roofline),
                    Metric::Prefill => (sp.prefill_tps, 0.0),
                }
            }
            Work::Generic {
                read,
                layers,
                active,
                prompt,
                depth,
                moe,
                flash_attn,
                runtime,
                main,
            } => match self.metric {
                Metric::Decode => {
                    let bw = hw.bandwidth_gbps;
                    let moe_layers = if *moe { *layers } else { 0.0 };
                    // A CPU's weights are host bytes, read at its threads' rate (as the
                    // estimator reads them); a GPU's are its own.
                    let (t, host_bw) = if hw.backend == Backend::Cpu {
                        let class = hw.cpu_class.unwrap_or_default();
                        let host_bw = c.cpu_bandwidth(bw, hw.fp16_tflops, class, c.eta_host);
                        let t = TokenTraffic {
                            host_weights: *read,
                            layers: *layers,
                            moe_layers,
                            ..Default::default()
                        };
                        (t, host_bw)
                    } else {
                        let t = TokenTraffic {
                            device_weights: *read,
                            device_params: *active,
                            layers: *layers,
                            moe_layers,
                            ..Default::default()
                        };
                        (t, bw)
                    };
                    let fp32 = hw.fp32_tflops.unwrap_or(0.0);
                    // As `BackendConstants::for_setup` applies them, the weights' main type
                    // included where the label names it.
                    let c = c.for_runtime(*runtime).for_hardware(hw);
                    let c = &main.map_or(c, |m| c.for_weights(hw, m));
                    let tflops = cpu_or_device_tflops(hw, c);
                    let secs = decode_seconds(&t, c, bw, host_bw, tflops, fp32, *moe).0
                        + c.link_seconds(hw)
                        + c.runtime_seconds(*runtime);
                    (1.0 / secs, bw * 1e9 / read)
                }
                Metric::Prefill => {
                    let w = PrefillWork {
                        flops_per_token: 2.0 * active,
                        attn_width: 0.0,
                        attn_width_windowed: 0.0,
                        window: 0,
                        prompt: *prompt,
                        depth: *depth,
                        n_ubatch: 512,
                        layers: *layers,
                        pipeline_stages: hw.gpus,
                        host_weight_bytes: 0.0,
                        device_weight_bytes: *read,
                        device_bw_gbps: hw.bandwidth_gbps,
                        gemm_params: 0.0,
                        format: None,
                        flash_attn: *flash_attn,
                        moe: *moe,
                        card_power_w: hw.card_power_w(),
                        vector_tflops: hw.vector_tflops(),
                        matmul_on_vector: hw.prefill_on_vector_units(),
                        attn_width_gqa: [0.0; 2],
                        attn_width_windowed_gqa: [0.0; 2],
                        routed_flops_per_token: 0.0,
                        expert_matrices: 0.0,
                        moe_gemm: crate::estimate::speed::MoeGemm::Grouped,
                    };
                    let secs = prefill_seconds(&w, c, cpu_or_device_tflops(hw, c), false);
                    (*prompt as f64 / secs, 0.0)
                }
            },
        };
        Checked {
            line: self.line,
            model: self.model_label.clone(),
            hardware: self.hardware_label.clone(),
            metric: self.metric,
            measured: self.measured,
            predicted,
            roofline,
            subsets: self.subsets.clone(),
        }
    }
}

/// The matmul TFLOPS of a row's device: a CPU's from its threads and their class.
fn cpu_or_device_tflops(hw: &Hardware, c: &BackendConstants) -> f64 {
    if hw.backend == Backend::Cpu {
        c.cpu_tflops(hw.fp16_tflops, hw.cpu_class.unwrap_or_default())
    } else {
        hw.fp16_tflops
    }
}

/// Rows left out of a check: (line, why).
pub type Skipped = Vec<(usize, String)>;

/// Parses measurement rows and prepares each for checking; rows that cannot be checked are
/// returned with the reason.
pub fn prepare<'a>(
    csv_text: &str,
    cat: &'a Catalog,
) -> Result<(Vec<Prepared<'a>>, Skipped), CsvError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| CsvError {
            line: 1,
            message: format!("cannot read the header: {e}"),
        })?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    for required in ["model", "hardware", "backend", "metric", "value"] {
        if col(required).is_none() {
            return Err(CsvError {
                line: 1,
                message: format!(
                    "missing column '{required}' (have: {})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            });
        }
    }
    let (mut rows, mut skipped) = (Vec::new(), Vec::new());
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                skipped.push((line, format!("unreadable: {e}")));
                continue;
            }
        };
        let get = |name: &str| {
            col(name)
                .and_then(|c| rec.get(c))
                .map(str::trim)
                .unwrap_or("")
        };
        let num = |name: &str| {
            get(name)
                .split_whitespace()
                .next()
                .and_then(|t| t.parse::<f64>().ok())
        };
        let row = RowIn {
            model: get("model"),
            params_b: num("params_b"),
            active_b: num("active_params_b"),
            quant: get("quant"),
            size_gib: num("model_size_gib"),
            hardware: get("hardware"),
            bandwidth: num("memory_bandwidth_gbps"),
            backend: get("backend"),
            engine: get("engine"),
            build: get("build"),
            notes: get("notes"),
            gpus: num("gpu_count").map_or(1, |g| g.max(1.0) as u32),
            metric: get("metric"),
            n_prompt: num("n_prompt").unwrap_or(0.0) as u64,
            n_gen: num("n_gen").unwrap_or(0.0) as u64,
            depth: num("depth").unwrap_or(0.0) as u64,
            value: num("value"),
            flag: get("quality_flag"),
            // "1", "0 (default)", or empty (not stated: today's default, on).
            flash_attn: match get("flash_attn").chars().next() {
                Some('0') => Some(false),
                Some('1') => Some(true),
                _ => None,
            },
        };
        match prepare_row(&row, cat) {
            Ok(p) => rows.push(Prepared { line, ..p }),
            Err(why) => skipped.push((line, why)),
        }
    }
    Ok((rows, skipped))
}

struct RowIn<'a> {
    model: &'a str,
    params_b: Option<f64>,
    active_b: Option<f64>,
    quant: &'a str,
    size_gib: Option<f64>,
    hardware: &'a str,
    bandwidth: Option<f64>,
    backend: &'a str,
    engine: &'a str,
    build: &'a str,
    notes: &'a str,
    gpus: u32,
    metric: &'a str,
    n_prompt: u64,
    n_gen: u64,
    depth: u64,
    value: Option<f64>,
    flag: &'a str,
    flash_attn: Option<bool>,
}

fn prepare_row<'a>(r: &RowIn<'_>, cat: &'a Catalog) -> Result<Prepared<'a>, String> {
    let metric = match r.metric {
        "decode_tps" => Metric::Decode,
        "prefill_tps" => Metric::Prefill,
        other => return Err(format!("metric '{other}' is not decode_tps or prefill_tps")),
    };
    let measured = r.value.filter(|v| *v > 0.0).ok_or("no measured value")?;
    if ["implausible", "anomal", "unusual host"]
        .iter()
        .any(|f| r.flag.contains(f))
    {
        return Err(format!("flagged: {}", r.flag));
    }
    if metric == Metric::Prefill && r.n_prompt == 0 {
        return Err("prefill without a stated prompt length".into());
    }
    // rocBLAS's own GEMMs forced in place of hipBLASLt, the default on today's ROCm: float
    // prompts then run up to 9x slower (Gemma 3 27B BF16 on two R9700s: 176 against 1,579 t/s),
    // a switch the app never assumes.
    if metric == Metric::Prefill && r.notes.contains("ROCBLAS_USE_HIPBLASLT=0") {
        return Err(
            "prefill with rocBLAS forced (ROCBLAS_USE_HIPBLASLT=0), not the default".into(),
        );
    }
    // The same Tensile GEMMs where mid-2025 ROCm chose them by default on gfx11 (the Strix Halo's
    // summer-2025 builds without ROCBLAS_USE_HIPBLASLT=1): they run at the forced runs' rate
    // (Llama 2 7B Q4_0 pp512 316 t/s against 348-368 forced and 920-1,100 with hipBLASLt).
    if metric == Metric::Prefill && r.notes.contains(TENSILE_NOTE) {
        return Err("prefill on rocBLAS's Tensile GEMMs, not hipBLASLt".into());
    }
    let backend =
        parse_backend(r.backend).ok_or_else(|| format!("unknown backend '{}'", r.backend))?;
    let (vk_driver, vk_matrix) = if backend == Backend::Vulkan {
        (vulkan_driver(r.backend, r.notes)?, vulkan_matrix(r.notes)?)
    } else {
        (None, None)
    };
    let preset = row_preset(cat, r.hardware);
    // Prefill is compute-bound: a CPU row whose memory bandwidth is unknown (a VM) still checks
    // the matmul rate.
    let bandwidth = r
        .bandwidth
        .or(preset.map(|p| p.bandwidth_gbps))
        .or((metric == Metric::Prefill && backend == Backend::Cpu).then_some(0.0))
        .ok_or_else(|| format!("no bandwidth for '{}'", r.hardware))?;
    // A CPU's matmul rate scales with the threads it runs (not the GPU figure of a preset that
    // shares its name, which once put CPU prefill at 7× the measured rate).
    let tflops = if backend == Backend::Cpu {
        cpu_threads(r.hardware, r.notes).map(|t| f64::from(t) * CPU_TFLOPS_PER_THREAD)
    } else {
        preset.map(|p| p.fp16_tflops).filter(|t| *t > 0.0)
    };
    if metric == Metric::Prefill && tflops.is_none() {
        return Err(if backend == Backend::Cpu {
            format!("CPU row '{}' without a thread count", r.hardware)
        } else {
            format!("no TFLOPS known for '{}' (add a preset)", r.hardware)
        });
    }
    let lower = r.hardware.to_ascii_lowercase();
    let unified = backend == Backend::Metal
        || preset.is_some_and(|p| p.unified && p.backend == backend)
        || ["apple", "spark", "gb10", "ryzen ai max", "8060s", "strix"]
            .iter()
            .any(|k| lower.contains(k));
    let hw = Hardware {
        id: "measured".into(),
        name: r.hardware.to_string(),
        kind: HardwareKind::Custom,
        backend,
        unified: unified && backend != Backend::Cpu,
        // A known device keeps its real memory (so offloaded runs are modelled as offloaded);
        // an unknown one ran, so memory does not bound it.
        memory: preset
            .filter(|p| p.backend == backend || unified)
            .map_or(1 << 44, |p| p.memory),
        gpus: r.gpus,
        cards: Vec::new(),
        cluster: None,
        bandwidth_gbps: bandwidth,
        ram: preset.map_or(1 << 44, |p| p.ram.max(64 * GIB)),
        ram_bandwidth_gbps: preset.map_or(bandwidth, |p| {
            if p.ram_bandwidth_gbps > 0.0 {
                p.ram_bandwidth_gbps
            } else {
                bandwidth
            }
        }),
        fp16_tflops: tflops.unwrap_or(0.0),
        // The vector rate that dequantizes weights in decode, from the same preset.
        fp32_tflops: preset
            .filter(|_| backend != Backend::Cpu)
            .and_then(|p| p.fp32_tflops),
        compute_capability: preset
            .filter(|_| backend == Backend::Cuda)
            .and_then(|p| p.compute_capability),
        // The kind of cores a CPU row ran on, from its label or notes (`isa amx`, "Cortex-A76").
        cpu_class: (backend == Backend::Cpu)
            .then(|| CpuClass::from_text(&format!("{} {}", r.hardware, r.notes)))
            .flatten(),
        working_set: None,
        price_usd: None,
        // One card's board power (a preset's covers its cards) times the cards the row ran on:
        // what holds a card's matmuls to its power (`BackendConstants::pj_per_flop`).
        power_w: preset
            .filter(|_| backend != Backend::Cpu)
            .and_then(|p| p.power_w)
            .map(|w| w / f64::from(preset.map_or(1, |p| p.gpus.max(1))) * f64::from(r.gpus)),
        source: None,
        measured: None,
    };
    let depth_decode = r.depth + r.n_gen / 2;
    let engine = r.engine.to_ascii_lowercase();
    let runtime = if engine.contains("mlx") {
        Runtime::Mlx
    } else if engine.contains("ollama") {
        Runtime::Ollama
    } else if engine.contains("lm studio") || engine.contains("lmstudio") {
        Runtime::LmStudio
    } else {
        Runtime::LlamaCpp
    };
    let calendar_era = build_era(r.build, r.notes);
    // Prefill runs each backend's matmul kernels, whose generations need not follow the calendar.
    let era = match metric {
        Metric::Decode => calendar_era,
        Metric::Prefill => prefill_era(backend, r.build, r.notes),
    };
    let mut offloaded = false;
    let mut format = None;
    let (work, is_moe, params, family) = match find_model(cat, r.model) {
        Some(model) => {
            let quant =
                parse_quant_label(r.quant).ok_or_else(|| format!("unknown quant '{}'", r.quant))?;
            if quant.family() == crate::estimate::quant::QuantFamily::Gguf {
                format = Some(crate::estimate::speed::format_class(quant.base_type()));
            }
            let context = (r.depth + r.n_prompt + r.n_gen).max(512) as u32;
            // An explicit `-ngl` below the block count is a partial offload as run; `ngl 99`
            // (everything) is left to the placement, which knows the card's memory.
            let gpu_layers = note_number(r.notes, "ngl").filter(|n| *n <= model.arch.layers);
            // `--n-cpu-moe N` as run: the first N blocks' experts in host RAM.
            let cpu_moe = note_number(r.notes, "--n-cpu-moe")
                .or_else(|| note_number(r.notes, "n_cpu_moe"))
                .filter(|n| {
                    *n > 0
                        && model.arch.moe.is_some()
                        && crate::limits::CPU_MOE_BLOCKS.check_u32(*n).is_ok()
                });
            // llama-bench offloads what `-ngl` asks (every layer by default) and does not fit
            // unless told to (`-fitt`): a run that completed that way had every layer on the GPU,
            // whatever fitcheck's memory model says (6 RTX 3090s held Llama 3 70B F16).
            let bench_all = runtime == Runtime::LlamaCpp
                && engine.contains("bench")
                && !r.notes.contains("fit-target")
                && cpu_moe.is_none();
            let gpu_layers = gpu_layers.or(bench_all.then_some(model.arch.layers + 1));
            let settings = Settings {
                quant,
                context,
                runtime,
                gpu_layers,
                cpu_moe,
                n_ubatch: note_number(r.notes, "n_ubatch").unwrap_or(512).max(1),
                flash_attn: r.flash_attn.unwrap_or(Settings::default().flash_attn),
                ..Settings::default()
            };
            let mut terms = model_terms(model, &settings);
            if let Some(size) = r.size_gib {
                let target = size * GIB as f64;
                let ud = (model.arch.moe.is_some() && is_unsloth_dynamic_4_to_6_bit(r.quant))
                    .then(|| unsloth_dynamic_weights(model, quant, target))
                    .flatten();
                match ud {
                    Some(w) => terms.weights = w,
                    None => scale_weights(&mut terms.weights, target),
                }
            }
            // Decode time follows the bytes each format is read in, so a decode row counts for
            // the class most of its bytes are in (gpt-oss: MXFP4, not its Q8_0 base type);
            // prefill runs the matmul kernel of the main type.
            if metric == Metric::Decode && format.is_some() {
                format = Some(terms.weights.main_read_class());
            }
            let prompt = r.n_prompt;
            let sp = speeds_with_constants(
                model,
                &hw,
                &settings,
                &terms,
                depth_decode,
                prompt,
                &BackendConstants::of(backend),
            );
            offloaded = sp.verdict == crate::estimate::Verdict::PartialOffload;
            let roofline = hw.bandwidth_gbps * 1e9 / terms.weights.read_bytes().max(1) as f64;
            let work = Work::Catalog {
                model,
                settings,
                terms: Box::new(terms),
                depth: depth_decode,
                prompt,
                roofline,
            };
            (
                work,
                model.arch.moe.is_some(),
                model.params as f64,
                family_key(&model.family),
            )
        }
        None => {
            // Attention at depth needs the model's heads and layers, which only the catalog
            // knows: such a prompt would be priced as if it attended to nothing (Devstral 2
            // 123B's 16-64K rows came out 2-4x fast).
            if metric == Metric::Prefill && r.depth > 0 {
                return Err(format!(
                    "prefill at depth {} of '{}', not in the catalog: its attention is unknown",
                    r.depth, r.model
                ));
            }
            let (work, moe, params) = generic(r, runtime)?;
            (work, moe, params, family_key(r.model))
        }
    };
    let mut subsets = vec![match metric {
        Metric::Decode => "decode",
        Metric::Prefill => "prefill",
    }];
    subsets.push(match backend {
        Backend::Cuda => "cuda",
        Backend::Rocm => "rocm",
        Backend::Metal => "apple",
        Backend::Vulkan => "vulkan",
        Backend::Sycl => "sycl",
        Backend::Cpu => "cpu",
    });
    if let Some(class) = hw.cpu_class {
        subsets.push(match class {
            CpuClass::X86 => "cpu x86",
            CpuClass::X86Amx => "cpu x86 amx",
            CpuClass::Apple => "cpu apple",
            CpuClass::Arm => "cpu arm",
            CpuClass::X86Vnni => "cpu x86 vnni",
        });
    }
    subsets.push(match runtime {
        Runtime::Mlx => "mlx",
        Runtime::Ollama => "ollama",
        Runtime::LmStudio => "lm-studio",
        Runtime::LlamaCpp if engine.contains("server") => "llama-server",
        Runtime::LlamaCpp => "llama-bench/cli",
    });
    subsets.push(match calendar_era {
        BuildEra::Y2024 => "build ≤ 2024",
        BuildEra::Current => "build 2025+",
    });
    if is_moe {
        subsets.push("moe");
    } else {
        subsets.push("dense");
    }
    if params < 3e9 {
        subsets.push("under-3b");
    } else if params >= 60e9 {
        subsets.push("60b+");
    }
    if r.gpus > 1 {
        subsets.push("multi-gpu");
    }
    if offloaded {
        subsets.push("partial-offload");
    }
    let lower_bound = r.flag.contains("lower bound");
    if lower_bound {
        subsets.push("lower bound");
    }
    if r.depth > 0 {
        subsets.push("at-depth");
        subsets.push(if r.depth <= 8192 {
            "depth ≤ 8K"
        } else {
            "depth > 8K"
        });
    }
    Ok(Prepared {
        line: 0,
        metric,
        measured,
        device: device_key(r.hardware, cat),
        family,
        backend,
        era,
        format,
        subsets,
        wall_clock: r.flag.contains("wall-clock"),
        lower_bound,
        before_pdl: backend == Backend::Cuda
            && build_number(r.build).is_none_or(|n| n < crate::estimate::speed::PDL_MIN_BUILD),
        before_volta_graphs: backend == Backend::Cuda
            && build_number(r.build)
                .is_none_or(|n| n < crate::estimate::speed::CUDA_GRAPHS_VOLTA_BUILD),
        attn_matrix_head: if backend == Backend::Rocm {
            let dated_2026 = [r.build, r.notes].iter().any(|t| t.contains("2026"));
            crate::estimate::speed::rocm_attn_matrix_head(build_number(r.build), dated_2026)
        } else {
            f64::INFINITY
        },
        vk_driver,
        vk_matrix,
        model_label: r.model.to_string(),
        hardware_label: r.hardware.to_string(),
        hw,
        work,
    })
}

/// Blocks of a typical transformer of `params` parameters (Llama 3: 16 at 1B, 32 at 8B, 80 at
/// 70B), for rows whose model is not in the catalog.
fn typical_layers(params: f64) -> f64 {
    (13.3 * (params / 1e9).max(0.1).powf(0.423)).round()
}

/// A model not in the catalog: weights from the measured size, active share from the params.
fn generic<'a>(r: &RowIn<'_>, runtime: Runtime) -> Result<(Work<'a>, bool, f64), String> {
    let size = r
        .size_gib
        .ok_or_else(|| format!("model '{}' not in the catalog and no size given", r.model))?
        * GIB as f64;
    let params = r
        .params_b
        .ok_or_else(|| format!("model '{}' not in the catalog and no params given", r.model))?
        * 1e9;
    let active = r.active_b.unwrap_or(params / 1e9) * 1e9;
    let moe = active < 0.9 * params;
    let work = Work::Generic {
        read: size * active / params,
        layers: typical_layers(params),
        active,
        prompt: r.n_prompt.max(1),
        depth: r.depth,
        moe,
        flash_attn: r.flash_attn.unwrap_or(true),
        runtime,
        main: parse_quant_label(r.quant).map(|q| q.base_type()),
    };
    Ok((work, moe, params))
}

/// File size over the recipe's estimate beyond which a row's file is taken to be a different
/// one than its label says (the recipe is kept).
const SIZE_BAND: std::ops::RangeInclusive<f64> = 0.6..=1.6;

fn scale_weights(w: &mut crate::estimate::weights::WeightTable, target: f64) {
    let k = target / (w.loaded_bytes().max(1) as f64);
    if SIZE_BAND.contains(&k) {
        w.scale_to(target as u64);
    }
}

/// An Unsloth Dynamic MoE file of `target` bytes: the tensors outside the routed experts at
/// their UD type, the routed experts scaled to take the rest of the file. None when the size
/// is outside [`SIZE_BAND`] or leaves the experts nothing.
fn unsloth_dynamic_weights(
    model: &ModelSpec,
    quant: crate::estimate::quant::Quant,
    target: f64,
) -> Option<crate::estimate::weights::WeightTable> {
    use crate::estimate::weights::unsloth_dynamic_table;
    let nominal = unsloth_dynamic_table(model, quant, 1.0);
    let total = nominal.loaded_bytes().max(1) as f64;
    let experts = nominal.expert_bytes() as f64;
    let scale = (target - (total - experts)) / experts.max(1.0);
    (SIZE_BAND.contains(&(target / total)) && experts > 0.0 && scale > 0.0)
        .then(|| unsloth_dynamic_table(model, quant, scale))
}

fn find_model<'a>(cat: &'a Catalog, name: &str) -> Option<&'a ModelSpec> {
    if let Ok(m) = cat.find_model(name) {
        return Some(m);
    }
    let base = name.split(" (").next().unwrap_or(name).trim();
    let mut key = base.to_string();
    for suffix in [
        "-Instruct-2512",
        "-Instruct",
        "-instruct",
        "-it",
        "-qat",
        "-hf",
        "-Chat",
        "-chat",
    ] {
        if let Some(k) = key.strip_suffix(suffix) {
            key = k.to_string();
        }
    }
    cat.find_model(&key).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_on_rocblas_tensile_gemms_are_left_out_of_prefill_only() {
        let cat = Catalog::builtin().unwrap();
        let head = "model,params_b,quant,model_size_gib,hardware,memory_bandwidth_gbps,backend,build,metric,n_prompt,n_gen,value,notes";
        let row = |metric: &str, notes: &str| {
            format!("Llama 2 7B,6.74,Q4_0,3.56,AMD Ryzen AI Max+ 395 (Radeon 8060S),256,ROCm,b5863,{metric},512,128,316,{notes}")
        };
        let csv = [
            head.to_string(),
            row("prefill_tps", &format!("mmap 0; {TENSILE_NOTE} (unset)")),
            row("prefill_tps", "ROCBLAS_USE_HIPBLASLT=0"),
            row("prefill_tps", "ROCBLAS_USE_HIPBLASLT=1"),
            row("decode_tps", &format!("mmap 0; {TENSILE_NOTE} (unset)")),
        ]
        .join("\n");
        let (rows, skipped) = prepare(&csv, &cat).unwrap();
        let kept: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(
            kept,
            vec![4, 5],
            "hipBLASLt prefill and every decode row stay"
        );
        assert_eq!(skipped.iter().map(|s| s.0).collect::<Vec<_>>(), vec![2, 3]);
        assert!(skipped[0].1.contains("Tensile"), "{}", skipped[0].1);
    }

    #[test]
    fn vulkan_rows_carry_their_driver_and_matrix_path() {
        let cat = Catalog::builtin().unwrap();
        let head = "model,params_b,quant,model_size_gib,hardware,memory_bandwidth_gbps,backend,metric,n_gen,value,notes";
        let row = |backend: &str, notes: &str| {
            format!("Llama 2 7B,6.74,Q4_0,3.56,AMD Radeon RX 7900 XTX,960,{backend},decode_tps,128,100,{notes}")
        };
        let csv = [
            head.to_string(),
            row("Vulkan", "vk_driver=radv; vk_matrix=KHR_coopmat"),
            row("Vulkan (AMDVLK)", ""),
            row("Vulkan", "ngl 99"),
            row("ROCm", "vk_driver=radv"),
            row("Vulkan", "vk_driver=mesa"),
        ]
        .join("\n");
        let (rows, skipped) = prepare(&csv, &cat).unwrap();
        let paths: Vec<_> = rows
            .iter()
            .map(|r| (r.vk_driver(), r.vk_matrix()))
            .collect();
        assert_eq!(
            paths,
            vec![
                (Some(VkDriver::Radv), Some(VkMatrix::KhrCoopmat)),
                (Some(VkDriver::Amdvlk), None),
                (None, None),
                // Not a Vulkan row: its notes' Vulkan keys mean nothing.
                (None, None),
            ]
        );
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].0, 6);
        assert!(
            skipped[0].1.contains("unknown vk_driver 'mesa'"),
            "{}",
            skipped[0].1
        );
    }

    #[test]
    fn the_public_table_spells_every_vulkan_path_the_reader_knows() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/public_speed_2025_2026.csv"
        );
        let mut rdr = csv::Reader::from_path(path).unwrap();
        let headers = rdr.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (backend, notes) = (col("backend"), col("notes"));
        let (mut drivers, mut coopmat2) = (std::collections::BTreeSet::new(), 0);
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.unwrap();
            if parse_backend(&rec[backend]) != Some(Backend::Vulkan) {
                continue;
            }
            let line = i + 2;
            let driver = vulkan_driver(&rec[backend], &rec[notes]);
            drivers.extend(driver.unwrap_or_else(|e| panic!("line {line}: {e}")));
            let matrix = vulkan_matrix(&rec[notes]).unwrap_or_else(|e| panic!("line {line}: {e}"));
            coopmat2 += usize::from(matrix == Some(VkMatrix::NvCoopmat2));
        }
        // The AMD toolbox rows give the driver in their backend label, the harvests in the notes.
        for d in [
            VkDriver::Radv,
            VkDriver::Amdvlk,
            VkDriver::AmdProprietary,
            VkDriver::Nvidia,
            VkDriver::IntelAnv,
            VkDriver::IntelProprietary,
        ] {
            assert!(drivers.contains(&d), "no row on {d:?}");
        }
        assert!(coopmat2 >= 5, "{coopmat2} NV_coopmat2 rows");
    }

    #[test]
    fn runs_are_placed_as_their_tool_placed_them() {
        // Qwen3-30B-A3B Q4_K_M (17.3 GiB) on a 12 GiB RTX 3060: llama-bench at its default `-ngl`
        // ran every layer on the GPU (or would have failed), a server places what fits, and
        // `--n-cpu-moe 20` keeps 20 blocks' experts in RAM.
        let cat = Catalog::builtin().unwrap();
        let head = "model,params_b,quant,model_size_gib,hardware,memory_bandwidth_gbps,backend,engine,metric,n_gen,value,notes";
        let row = |engine: &str, notes: &str| {
            format!("Qwen3-30B-A3B,30.5,Q4_K_M,17.3,NVIDIA GeForce RTX 3060 12GB,360,CUDA,{engine},decode_tps,128,50,{notes}")
        };
        let csv = [
            head.to_string(),
            row("llama.cpp llama-bench", "ngl 99"),
            row("llama.cpp llama-server", ""),
            row(
                "llama.cpp llama-bench",
                "--n-cpu-moe 20: experts of 20 blocks in RAM",
            ),
        ]
        .join("\n");
        let (rows, skipped) = prepare(&csv, &cat).unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
        let offloaded: Vec<bool> = rows
            .iter()
            .map(|r| r.subsets.contains(&"partial-offload"))
            .collect();
        assert_eq!(offloaded, vec![false, true, true]);
        let c = BackendConstants::of(Backend::Cuda);
        let tps: Vec<f64> = rows.iter().map(|r| r.check(&c).predicted).collect();
        assert!(tps[0] > tps[1] && tps[1] > tps[2], "{tps:?}");
    }

    #[test]
    fn prompts_at_depth_of_models_the_catalog_lacks_are_left_out() {
        let cat = Catalog::builtin().unwrap();
        let head = "model,params_b,quant,model_size_gib,hardware,memory_bandwidth_gbps,backend,build,metric,n_prompt,depth,value";
        let row = |model: &str, depth: u32| {
            format!("{model},123,Q4_K_M,70,AMD Radeon AI PRO R9700,640,ROCm,b8990,prefill_tps,2048,{depth},100")
        };
        let csv = [
            head.to_string(),
            row("Devstral 2 123B", 0),
            row("Devstral 2 123B", 32768),
            row("Llama 2 7B", 32768),
        ]
        .join("\n");
        let (rows, skipped) = prepare(&csv, &cat).unwrap();
        let kept: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(
            kept,
            vec![2, 4],
            "an empty cache, or a catalog model at depth, stays"
        );
        assert_eq!(skipped.iter().map(|s| s.0).collect::<Vec<_>>(), vec![3]);
        assert!(skipped[0].1.contains("attention"), "{}", skipped[0].1);
    }

    /// The weight table `prepare` builds for one decode row of `model` at `quant` and `size` GiB.
    fn row_weights(model: &str, quant: &str, size: f64) -> crate::estimate::weights::WeightTable {
        let cat = Catalog::builtin().unwrap();
        let csv = format!(
            "model,params_b,quant,model_size_gib,hardware,memory_bandwidth_gbps,backend,build,metric,n_prompt,n_gen,value,notes\n\
             {model},,{quant},{size},AMD Ryzen AI Max+ 395 (Radeon 8060S),256,ROCm,b5863,decode_tps,0,128,50,ngl 99"
        );
        let (rows, skipped) = prepare(&csv, &cat).unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
        match &rows[0].work {
            Work::Catalog { terms, .. } => terms.weights.clone(),
            Work::Generic { .. } => panic!("{model} is not in the catalog"),
        }
    }

    /// The table every tensor scaled alike to the file's size (what every row got before).
    fn uniform_weights(
        model: &str,
        quant: &str,
        size: f64,
    ) -> crate::estimate::weights::WeightTable {
        let cat = Catalog::builtin().unwrap();
        let settings = Settings {
            quant: parse_quant_label(quant).unwrap(),
            ..Settings::default()
        };
        let mut w = model_terms(find_model(&cat, model).unwrap(), &settings).weights;
        scale_weights(&mut w, size * GIB as f64);
        w
    }

    #[test]
    fn unsloth_dynamic_moe_rows_read_q8_0_outside_the_experts() {
        // File sizes of rows in tests/data/public_speed_2025_2026.csv.
        for (model, quant, size) in [
            ("Qwen3.6 35B-A3B", "UD-Q4_K_XL", 20.81),
            ("Qwen3 30B-A3B", "UD-Q6_K_XL", 24.53),
            ("Gemma 4 26B-A4B", "UD-Q4_K_XL", 15.90),
        ] {
            let ud = row_weights(model, quant, size);
            let uniform = uniform_weights(model, quant, size);
            let file = size * GIB as f64;
            assert!(
                (ud.loaded_bytes() as f64 / file - 1.0).abs() < 1e-3,
                "{model}: the table still sums to the file"
            );
            // Fewer bytes left for the experts, more read per token: the always-read tensors
            // are at 8.5 bits, not at the file's average width.
            assert!(ud.expert_bytes() < uniform.expert_bytes(), "{model}");
            assert!(
                ud.read_bytes() as f64 > 1.05 * uniform.read_bytes() as f64,
                "{model}: {} vs {}",
                ud.read_bytes(),
                uniform.read_bytes()
            );
            let q8 = crate::estimate::speed::format_class(crate::estimate::ggml::GgmlType::Q8_0);
            assert!(
                ud.output_by_format[q8] > 0.99 * ud.output as f64,
                "{model}: Q8_0 head"
            );
        }
    }

    #[test]
    fn other_quants_and_dense_unsloth_dynamic_rows_scale_every_tensor_alike() {
        for (model, quant, size) in [
            ("Qwen3 30B-A3B", "Q4_K_M", 17.3),
            ("Gemma 4 31B", "UD-Q4_K_XL", 17.46),
            // No source for the tensors outside the experts of Q8_K_XL / Q3_K_XL files.
            ("Qwen3 Coder 30B-A3B", "UD-Q8_K_XL", 33.51),
            ("Qwen3 235B-A22B", "UD-Q3_K_XL", 96.99),
        ] {
            assert_eq!(
                row_weights(model, quant, size),
                uniform_weights(model, quant, size),
                "{model} {quant}"
            );
        }
    }

    #[test]
    fn a_file_far_from_its_label_keeps_the_unsloth_dynamic_recipe_unscaled() {
        let cat = Catalog::builtin().unwrap();
        let model = find_model(&cat, "Qwen3.6 35B-A3B").unwrap();
        let quant = parse_quant_label("UD-Q4_K_XL").unwrap();
        let nominal = crate::estimate::weights::unsloth_dynamic_table(model, quant, 1.0);
        let total = nominal.loaded_bytes() as f64;
        assert!(unsloth_dynamic_weights(model, quant, 2.0 * total).is_none());
        assert!(unsloth_dynamic_weights(model, quant, 0.5 * total).is_none());
        let w = unsloth_dynamic_weights(model, quant, 1.1 * total).unwrap();
        // Only the routed experts take the extra tenth.
        let rest = |t: &crate::estimate::weights::WeightTable| t.loaded_bytes() - t.expert_bytes();
        assert_eq!(rest(&w), rest(&nominal));
        assert!((w.loaded_bytes() as f64 / (1.1 * total) - 1.0).abs() < 1e-6);
    }
}
