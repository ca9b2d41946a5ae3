//! clap definitions of every command and flag.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use super::CliError;
use crate::estimate::cluster::{ClusterEngine, Link};
use crate::estimate::hardware::{Backend, Hardware};
use crate::estimate::serving::Engine;
use crate::estimate::train::{Framework, Method, Optimizer, Targets, TrainSettings};
use crate::estimate::units::{GB, GIB};
use crate::estimate::{KvType, Quant, Runtime, Settings};
use crate::limits;

/// Which local LLMs fit on a machine, at what context, and how fast.
#[derive(Debug, Parser)]
#[command(name = "fitcheck", version, about, long_about = None)]
pub struct Cli {
    /// Load this catalog instead of the built-in one (the XDG overlay still applies).
    #[arg(long, global = true, value_name = "PATH")]
    pub catalog: Option<PathBuf>,
    /// Open the app with this hardware selected (preset id, name or tier).
    #[arg(long, short = 'H')]
    pub hardware: Option<String>,
    /// Also look for models in this folder (repeatable; also `models_dirs` in config.ron).
    #[arg(long = "models-dir", global = true, value_name = "DIR")]
    pub models_dirs: Vec<PathBuf>,
    /// Do not scan the standard model folders (Ollama, LM Studio, Hugging Face, llama.cpp).
    #[arg(long, global = true)]
    pub no_default_model_dirs: bool,
    /// Ignore this machine's stored `fitcheck calibrate` figures (also FITCHECK_NO_CALIBRATION=1).
    #[arg(long, global = true)]
    pub no_calibration: bool,
    /// Use only the cache for Hugging Face repos not in the catalog (also `HF_HUB_OFFLINE=1`).
    #[arg(long, global = true)]
    pub offline: bool,
    /// Without a command, fitcheck opens the interactive app.
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Parses the process arguments. Negative numbers are taken as values so that
    /// `--budget -5` reaches the flag's own range check ("budget must be in 0..=…") instead
    /// of clap's "unexpected argument '-5'".
    pub fn parse_args() -> Self {
        Self::try_parse_args(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// [`Cli::parse_args`] over given arguments (the first is the program name), returning
    /// clap's error instead of exiting.
    pub fn try_parse_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = negative_numbers_as_values(Self::command()).try_get_matches_from(args)?;
        Self::from_arg_matches(&matches)
    }
}

/// clap applies this setting per command, so set it on every subcommand too.
fn negative_numbers_as_values(command: clap::Command) -> clap::Command {
    command
        .allow_negative_numbers(true)
        .mut_subcommands(negative_numbers_as_values)
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Estimate memory and speed of one model on one machine.
    Fit(FitArgs),
    /// List catalog models, hardware or quantizations.
    List {
        /// What to list.
        what: ListWhat,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The source guide's memory and context claims, recomputed: which hold, which are wrong.
    Guide {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Print Markdown tables.
        #[arg(long, conflicts_with = "json")]
        markdown: bool,
    },
    /// Compare models across hardware (default: the guide's models on its memory tiers).
    Compare(CompareArgs),
    /// Check the estimator against measured tokens/s in a CSV; print the error per subset.
    Validate {
        /// CSV with the columns of tests/data/ground_truth_speed.csv.
        file: PathBuf,
        /// Also print every row.
        #[arg(long)]
        rows: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fine-tuning memory: full, LoRA or QLoRA training of one model on one device.
    Train(TrainArgs),
    /// The best model × quantization for a use case on a machine, ranked by published quality.
    Recommend(RecommendArgs),
    /// The cheapest machines that run a model (or the best model for a use case) comfortably.
    Buy(BuyArgs),
    /// Show what was detected on this machine, and how.
    System {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fit this machine's own speed from llama-bench or Ollama runs; used from then on.
    Calibrate(CalibrateArgs),
}

/// `calibrate` flags.
#[derive(Debug, Clone, Args)]
pub struct CalibrateArgs {
    /// llama-bench `-o json`/`-o jsonl` output or `ollama run --verbose` output (`-`: stdin).
    /// Without files, runs llama-bench (when on PATH) on the --gguf models.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Models for llama-bench to run when no file is given (two sizes or more also fit the fixed
    /// cost per token).
    #[arg(long = "gguf", value_name = "PATH", conflicts_with = "files")]
    pub gguf: Vec<PathBuf>,
    /// The model of Ollama output that does not say it (no `ollama run MODEL` line).
    #[arg(long)]
    pub model: Option<String>,
    /// Print this machine's stored calibration.
    #[arg(long, conflicts_with_all = ["files", "gguf", "reset"])]
    pub show: bool,
    /// Delete this machine's stored calibration.
    #[arg(long, conflicts_with_all = ["files", "gguf"])]
    pub reset: bool,
    /// Measure this machine's RAM read bandwidth instead (all threads read 512 MiB, best of 5;
    /// a second or two) and store it: a CPU-only machine then decodes against it, not the
    /// assumed 50 GB/s.
    #[arg(long, conflicts_with_all = ["files", "gguf", "show", "reset", "model"])]
    pub memory: bool,
    /// Fit and print, but store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Things `list` can list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListWhat {
    /// Catalog models.
    Models,
    /// Hardware presets and memory tiers.
    Hardware,
    /// Quantization formats.
    Quants,
    /// Models found on this machine (Ollama, LM Studio, Hugging Face cache, llama.cpp, --models-dir).
    Local,
}

/// `fit` flags.
#[derive(Debug, Clone, Args)]
pub struct FitArgs {
    /// Catalog id, Hugging Face repo (org/name), bare repo name or Ollama tag; repeat it for
    /// several models on the machine at once (one server process each).
    #[arg(long, short, required_unless_present = "gguf")]
    pub model: Vec<String>,
    /// Serve with a pre-allocating engine instead: vllm or sglang (KV pool, max concurrency at
    /// --context tokens per request; --quant FP8/AWQ/NVFP4/BF16, --kv-type f16 or q8_0 = fp8).
    #[arg(long, value_parser = parse_engine, conflicts_with = "gguf")]
    pub engine: Option<Engine>,
    /// vLLM gpu_memory_utilization / SGLang mem_fraction_static.
    #[arg(long, default_value_t = 0.9, requires = "engine", value_parser = limits::GPU_MEMORY_UTILIZATION.flag())]
    pub gpu_memory_utilization: f64,
    /// Several models take turns (Ollama OLLAMA_MAX_LOADED_MODELS=1, llama-swap): the largest
    /// decides; default: all loaded together.
    #[arg(long)]
    pub alternate: bool,
    /// Read the model from a GGUF file instead (exact per-tensor bytes; `--quant` is ignored).
    #[arg(long, conflicts_with = "model", value_name = "PATH")]
    pub gguf: Option<PathBuf>,
    /// Quantization, context, KV type, sequences, runtime.
    #[command(flatten)]
    pub run: RunArgs,
    /// Layers on the GPU (-ngl); default: as many as fit.
    #[arg(long, value_parser = limits::GPU_LAYERS.u32_flag())]
    pub gpu_layers: Option<u32>,
    /// Keep the routed experts of the first N blocks in RAM (llama.cpp's --n-cpu-moe);
    /// default: where the runtime puts them.
    #[arg(long, value_parser = limits::CPU_MOE_BLOCKS.u32_flag())]
    pub n_cpu_moe: Option<u32>,
    /// Run without flash attention (bigger compute buffers).
    #[arg(long)]
    pub no_flash_attn: bool,
    /// The machine.
    #[command(flatten)]
    pub hw: HardwareArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Exit with status 3 when the verdict is worse than this (0 otherwise), so a script can
    /// check before it downloads: fits_on_gpu (all in GPU or unified memory), offload (at least
    /// partly on the GPU), fits (runs anywhere, CPU only included).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub require: Option<Require>,
}

/// What `fit --require` asks of the verdict, strictest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Require {
    /// Everything in GPU (or unified) memory.
    #[value(name = "fits_on_gpu", alias = "fits-on-gpu")]
    FitsOnGpu,
    /// Fits on the GPU or with part of it offloaded to host RAM.
    Offload,
    /// Runs somewhere: GPU, partial offload or CPU only.
    Fits,
}

impl Require {
    /// Whether `verdict` meets this requirement.
    pub fn met_by(self, verdict: crate::estimate::Verdict) -> bool {
        use crate::estimate::Verdict;
        match self {
            Require::FitsOnGpu => verdict == Verdict::FitsOnGpu,
            Require::Offload => matches!(verdict, Verdict::FitsOnGpu | Verdict::PartialOffload),
            Require::Fits => verdict != Verdict::DoesNotFit,
        }
    }
}

impl FitArgs {
    /// The same flags with `-H` set (the global `-H` given before `fit`).
    pub fn with_hardware(&self, hardware: &str) -> FitArgs {
        let mut args = self.clone();
        args.hw.hardware = Some(hardware.to_string());
        args
    }

    /// The estimator settings these flags describe.
    pub fn settings(&self) -> Settings {
        Settings {
            gpu_layers: self.gpu_layers,
            cpu_moe: self.n_cpu_moe,
            flash_attn: !self.no_flash_attn,
            ..self.run.settings()
        }
    }
}

/// The settings `fit` and `compare` share.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Weight format (Q4_K_M, Q8_0, MXFP4, MLX-4bit, AWQ, FP8, …) [default: the one the model
    /// name selects (`repo:Q8_0`, `…-4bit`), else Q4_K_M]
    #[arg(long, short, value_parser = parse_quant)]
    pub quant: Option<Quant>,
    /// Context in tokens (split between the sequences in llama.cpp; per sequence in Ollama; capped
    /// at each model's maximum).
    #[arg(long, short, default_value_t = 8192, value_parser = limits::CONTEXT.u32_flag())]
    pub context: u32,
    /// KV cache type.
    #[arg(long, default_value = "f16", value_parser = parse_kv)]
    pub kv_type: KvType,
    /// Sequences served at once.
    #[arg(long, default_value_t = 1, value_parser = limits::PARALLEL.u32_flag())]
    pub parallel: u32,
    /// Runtime: llama.cpp, ollama, lmstudio, mlx.
    #[arg(long, default_value = "llama.cpp", value_parser = parse_runtime)]
    pub runtime: Runtime,
    /// Physical batch (llama.cpp `-ub`, Ollama `num_batch`): sets the sliding-window cache
    /// (window + ubatch) and the compute buffers.
    #[arg(long, alias = "ubatch", default_value_t = 512, value_parser = limits::UBATCH.u32_flag())]
    pub ubatch_size: u32,
}

impl RunArgs {
    /// Estimator settings with everything else at its default.
    pub fn settings(&self) -> Settings {
        Settings {
            quant: self.quant.unwrap_or(Quant::Q4_K_M),
            context: self.context,
            kv_type: self.kv_type,
            parallel: self.parallel,
            runtime: self.runtime,
            n_ubatch: self.ubatch_size,
            ..Settings::default()
        }
    }
}

/// `train` flags.
#[derive(Debug, Clone, Args)]
pub struct TrainArgs {
    /// Catalog id, Hugging Face repo (org/name), bare repo name or Ollama tag.
    #[arg(long, short)]
    pub model: String,
    /// full (16-bit weights, gradients, optimizer), lora (16-bit base), qlora (4-bit base).
    #[arg(long, default_value = "qlora", value_parser = parse_from_str::<Method>)]
    pub method: Method,
    /// peft (Transformers + PEFT + bitsandbytes), unsloth, or mlx (mlx_lm.lora).
    #[arg(long, default_value = "peft", value_parser = parse_from_str::<Framework>)]
    pub framework: Framework,
    /// LoRA rank.
    #[arg(long, short, default_value_t = 16, value_parser = limits::LORA_RANK.u32_flag())]
    pub rank: u32,
    /// Adapted layers: qv (query and value), attn (all attention projections), all (every linear).
    #[arg(long, default_value = "all", value_parser = parse_from_str::<Targets>)]
    pub targets: Targets,
    /// Adapters on the last N blocks only (mlx_lm.lora --num-layers; default: every block).
    #[arg(long, value_parser = limits::TRAIN_LAYERS.u32_flag())]
    pub layers: Option<u32>,
    /// Tokens per training sequence.
    #[arg(long, short = 's', default_value_t = 2048, value_parser = limits::SEQ_LEN.u32_flag())]
    pub seq_len: u32,
    /// Sequences per step (micro-batch).
    #[arg(long, short, default_value_t = 1, value_parser = limits::TRAIN_BATCH.u32_flag())]
    pub batch: u32,
    /// Gradient checkpointing (Unsloth always checkpoints, offloaded to RAM).
    #[arg(long)]
    pub checkpointing: bool,
    /// adamw, adamw8bit (bitsandbytes) or sgd (with momentum).
    #[arg(long, default_value = "adamw", value_parser = parse_from_str::<Optimizer>)]
    pub optimizer: Optimizer,
    /// The machine (one device is used).
    #[command(flatten)]
    pub hw: HardwareArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `recommend` flags.
#[derive(Debug, Clone, Args)]
pub struct RecommendArgs {
    /// What the model is for: coding, reasoning, agents, rag, long-context, chat, vision.
    #[arg(long, short = 'u', default_value = "chat")]
    pub use_case: String,
    /// Context in tokens the model must hold with 10% headroom [default: 8192; long-context: 131072]
    #[arg(long, short, value_parser = limits::CONTEXT.u32_flag())]
    pub context: Option<u32>,
    /// Decode speed floor at that context, tokens/s.
    #[arg(long, default_value_t = 10.0, value_parser = limits::MIN_TPS.flag())]
    pub min_tps: f64,
    /// How many recommendations.
    #[arg(long, default_value_t = 5, value_parser = limits::TOP.u32_flag())]
    pub top: u32,
    /// The machine.
    #[command(flatten)]
    pub hw: HardwareArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

impl TrainArgs {
    /// The same flags with `-H` set (the global `-H` given before `train`).
    pub fn with_hardware(&self, hardware: &str) -> TrainArgs {
        let mut args = self.clone();
        args.hw.hardware = Some(hardware.to_string());
        args
    }

    /// The estimator's settings.
    pub fn settings(&self) -> TrainSettings {
        TrainSettings {
            method: self.method,
            framework: self.framework,
            rank: self.rank,
            targets: self.targets,
            layers: self.layers,
            seq_len: self.seq_len,
            batch: self.batch,
            checkpointing: self.checkpointing || self.framework == Framework::Unsloth,
            optimizer: self.optimizer,
        }
    }
}

/// `buy` flags.
#[derive(Debug, Args)]
pub struct BuyArgs {
    /// The model to run (catalog id, repo or Ollama tag).
    #[arg(
        long,
        short,
        required_unless_present = "use_case",
        conflicts_with = "use_case"
    )]
    pub model: Option<String>,
    /// Or: the best model for this use case on each machine.
    #[arg(long, short = 'u')]
    pub use_case: Option<String>,
    /// Context in tokens [default: 8192; long-context: 131072]
    #[arg(long, short, value_parser = limits::CONTEXT.u32_flag())]
    pub context: Option<u32>,
    /// Decode speed floor at that context, tokens/s.
    #[arg(long, default_value_t = 10.0, value_parser = limits::MIN_TPS.flag())]
    pub min_tps: f64,
    /// Leave out machines that cost more, USD.
    #[arg(long, value_parser = limits::PRICE_USD.flag())]
    pub budget: Option<f64>,
    /// Monthly API spend the machine would replace, USD [default: 150, or config.ron]
    #[arg(long, value_parser = limits::API_USD_PER_MONTH.flag())]
    pub api_usd_per_month: Option<f64>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `compare` flags.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// Models, comma-separated (default: the guide's recommended models); `-m`/`--model` as in
    /// `fit`, repeatable.
    #[arg(long, short = 'm', visible_alias = "model", value_delimiter = ',')]
    pub models: Vec<String>,
    /// Hardware ids or names, comma-separated, or `tiers` (default).
    #[arg(long, short = 'H', value_delimiter = ',')]
    pub hardware: Vec<String>,
    /// Quantization, context, KV type, sequences, runtime.
    #[command(flatten)]
    pub run: RunArgs,
    /// Monthly API spend the hardware would replace, USD (break-even) [default: 150, or config.ron]
    #[arg(long, value_parser = limits::API_USD_PER_MONTH.flag())]
    pub api_usd_per_month: Option<f64>,
    /// Electricity price, USD per kWh [default: 0.15, or config.ron]
    #[arg(long, value_parser = limits::USD_PER_KWH.flag())]
    pub usd_per_kwh: Option<f64>,
    /// Hours of use per day [default: 8, or config.ron]
    #[arg(long, value_parser = limits::HOURS_PER_DAY.flag())]
    pub hours_per_day: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Shorthand for --format json.
    #[arg(long, conflicts_with_all = ["format", "csv", "markdown"])]
    pub json: bool,
    /// Shorthand for --format csv.
    #[arg(long, conflicts_with_all = ["format", "markdown"])]
    pub csv: bool,
    /// Shorthand for --format markdown.
    #[arg(long, conflicts_with = "format")]
    pub markdown: bool,
}

impl CompareArgs {
    /// The same flags with this hardware list (the global `-H` given before `compare`).
    pub fn with_hardware(&self, hardware: Vec<String>) -> CompareArgs {
        let mut args = self.clone();
        args.hardware = hardware;
        args
    }

    /// Cost inputs: flags, else `config`, else the defaults.
    pub fn costs(&self, config: &crate::config::Config) -> crate::compare::CostInputs {
        let c = config.costs();
        crate::compare::CostInputs {
            api_usd_per_month: self.api_usd_per_month.unwrap_or(c.api_usd_per_month),
            usd_per_kwh: self.usd_per_kwh.unwrap_or(c.usd_per_kwh),
            hours_per_day: self.hours_per_day.unwrap_or(c.hours_per_day),
        }
    }

    /// The estimator settings.
    pub fn settings(&self) -> Settings {
        self.run.settings()
    }

    /// The chosen output format.
    pub fn output(&self) -> Format {
        if self.json {
            Format::Json
        } else if self.csv {
            Format::Csv
        } else if self.markdown {
            Format::Markdown
        } else {
            self.format
        }
    }
}

/// Output formats of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text.
    Text,
    /// One JSON object.
    Json,
    /// One row per cell.
    Csv,
    /// A Markdown table to paste into a discussion.
    Markdown,
}

/// A preset, or a machine described by its numbers.
#[derive(Debug, Clone, Args)]
pub struct HardwareArgs {
    /// Preset id or name, a tier (`48`, `tier-48`), or `this` (default: this machine).
    #[arg(long, short = 'H', conflicts_with_all = ["memory_gb", "memory_gib"])]
    pub hardware: Option<String>,
    /// Device memory in GB (10^9 bytes). A card sold as "24 GB" has 24 GiB: use --memory-gib.
    #[arg(long, requires = "bandwidth_gbps", value_parser = limits::MEMORY_GB.flag())]
    pub memory_gb: Option<f64>,
    /// Device memory in GiB (2^30 bytes).
    #[arg(long, requires = "bandwidth_gbps", conflicts_with = "memory_gb", value_parser = limits::MEMORY_GIB.flag())]
    pub memory_gib: Option<f64>,
    /// Peak memory bandwidth, GB/s.
    #[arg(long, value_parser = limits::BANDWIDTH_GBPS.flag())]
    pub bandwidth_gbps: Option<f64>,
    /// Backend of the custom machine [default: cuda].
    #[arg(long, value_parser = parse_backend)]
    pub backend: Option<Backend>,
    /// CPU and GPU share the memory (Apple Silicon, DGX Spark, Strix Halo).
    #[arg(long)]
    pub unified: bool,
    /// Host RAM in GB (10^9), for offloading (with a preset: replaces its RAM).
    #[arg(long, value_parser = limits::RAM_GB.flag())]
    pub ram_gb: Option<f64>,
    /// Host RAM bandwidth, GB/s (with a preset: replaces its figure).
    #[arg(long, value_parser = limits::RAM_BANDWIDTH_GBPS.flag())]
    pub ram_bandwidth_gbps: Option<f64>,
    /// Dense FP16 TFLOPS (prefill speed; with a preset: replaces its figure).
    #[arg(long, value_parser = limits::TFLOPS.flag())]
    pub tflops: Option<f64>,
    /// GPUs in the box: a count of identical cards (`2`: two of the -H preset or of the custom
    /// memory), or a comma list of GPU presets for mixed cards (`rtx-5090,rtx-5080`); llama.cpp
    /// splits layers across them in proportion to their memory.
    #[arg(long, value_parser = parse_gpus)]
    pub gpus: Option<GpuList>,
    /// Machines joined into a cluster, each the -H machine (with a cluster preset such as
    /// `2x-dgx-spark`: replaces its node count).
    #[arg(long, value_parser = limits::NODES.u32_flag())]
    pub nodes: Option<u32>,
    /// The cable between cluster nodes: tb5, tb5-rdma, 10gbe, 25gbe, 100gbe, 200gbe.
    #[arg(long, value_parser = parse_from_str::<Link>)]
    pub link: Option<Link>,
    /// What runs a model across the nodes: rpc (llama.cpp RPC, default), exo, vllm-tp.
    #[arg(long, value_parser = parse_from_str::<ClusterEngine>)]
    pub cluster_engine: Option<ClusterEngine>,
}

/// What `--gpus` names.
#[derive(Debug, Clone, PartialEq)]
pub enum GpuList {
    /// That many identical cards.
    Count(u32),
    /// These presets, in device order.
    Presets(Vec<String>),
}

impl GpuList {
    /// Number of cards.
    pub fn count(&self) -> u32 {
        match self {
            GpuList::Count(n) => *n,
            GpuList::Presets(p) => p.len() as u32,
        }
    }
}

fn parse_gpus(s: &str) -> Result<GpuList, String> {
    let s = s.trim();
    if s.parse::<f64>().is_ok() {
        return limits::GPUS.u32_flag()(s)
            .map(GpuList::Count)
            .map_err(|e| e.to_string());
    }
    let names: Vec<String> = s.split(',').map(|p| p.trim().to_string()).collect();
    if names.iter().any(String::is_empty) {
        return Err(format!("'{s}': an empty name in the GPU list"));
    }
    limits::GPUS
        .check_u32(names.len() as u32)
        .map_err(|e| e.to_string())?;
    Ok(GpuList::Presets(names))
}

impl HardwareArgs {
    /// The custom machine, if memory was given.
    pub fn custom(&self) -> Result<Option<Hardware>, CliError> {
        let memory = match (self.memory_gb, self.memory_gib) {
            (Some(gb), _) => gb * GB as f64,
            (None, Some(gib)) => gib * GIB as f64,
            (None, None) => return Ok(None),
        };
        let bw = self.bandwidth_gbps.unwrap_or(0.0);
        for (name, v) in [
            ("--memory-gb/--memory-gib", memory),
            ("--bandwidth-gbps", bw),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(CliError::Usage(format!("{name} must be a positive number")));
            }
        }
        let ram = self.ram_gb.map_or(0.0, |r| r * GB as f64);
        let gpus = match &self.gpus {
            Some(GpuList::Count(n)) => *n,
            // Listed cards replace the custom one when the machine is resolved.
            None | Some(GpuList::Presets(_)) => 1,
        };
        let backend = self.backend.unwrap_or(Backend::Cuda);
        let name = format!(
            "custom {}{:.0} GB {} @ {bw} GB/s",
            if gpus > 1 {
                format!("{gpus} × ")
            } else {
                String::new()
            },
            memory / GB as f64,
            backend
        );
        Ok(Some(Hardware {
            unified: self.unified || backend == Backend::Metal,
            gpus,
            ram: ram as u64,
            ram_bandwidth_gbps: self.ram_bandwidth_gbps.unwrap_or(0.0),
            fp16_tflops: self.tflops.unwrap_or(bw / 20.0),
            source: Some("command line".into()),
            ..Hardware::new("custom", &name, backend, memory as u64, bw)
        }))
    }
}

impl HardwareArgs {
    /// Host RAM, its bandwidth, TFLOPS and GPU count given as flags, applied to a preset or to
    /// the detected machine.
    pub fn apply_overrides(&self, hw: &mut Hardware) {
        if let Some(r) = self.ram_gb {
            hw.ram = (r * GB as f64) as u64;
        }
        if let Some(b) = self.ram_bandwidth_gbps {
            hw.ram_bandwidth_gbps = b;
        }
        if let Some(t) = self.tflops {
            hw.fp16_tflops = t;
        }
        if let Some(GpuList::Count(g)) = self.gpus {
            if g != hw.gpus {
                let scale = f64::from(g) / f64::from(hw.gpus.max(1));
                hw.price_usd = hw.price_usd.map(|p| p * scale);
                hw.power_w = hw.power_w.map(|p| p * scale);
                hw.gpus = g;
                hw.cards.clear();
            }
        }
    }
}

fn parse_from_str<T: std::str::FromStr<Err = String>>(s: &str) -> Result<T, String> {
    s.parse()
}
fn parse_engine(s: &str) -> Result<Engine, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "vllm" => Ok(Engine::Vllm),
        "sglang" => Ok(Engine::Sglang),
        other => Err(format!("unknown engine '{other}' (known: vllm, sglang)")),
    }
}

fn parse_quant(s: &str) -> Result<Quant, String> {
    s.parse()
}
fn parse_kv(s: &str) -> Result<KvType, String> {
    s.parse()
}
fn parse_runtime(s: &str) -> Result<Runtime, String> {
    s.parse()
}
fn parse_backend(s: &str) -> Result<Backend, String> {
    s.parse()
}
