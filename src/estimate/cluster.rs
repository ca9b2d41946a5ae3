//! One model on several machines: llama.cpp RPC and exo hand a token's activations from node
//! to node (a pipeline over layer ranges), vLLM splits every matrix across the nodes (tensor
//! parallel, two all-reduces per layer). Memory per node, and decode/prefill time as the
//! nodes' compute plus what the link adds (docs/beyond.md gives the physics and its sources).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::fit::{FitInputs, Placement, Verdict};
use super::hardware::{GpuCard, Hardware};
use super::overhead::runtime_overhead;
use super::per_token::{prefill_work, traffic};
use super::speed::{decode_seconds, prefill_seconds, BackendConstants};
use super::{Estimate, ModelSpec, ModelTerms, Settings};

/// The cable between the nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Link {
    /// Thunderbolt 5 as an IP bridge (TCP).
    Tb5,
    /// Thunderbolt 5 with RDMA (macOS 26.2 and later; exo 1.0 uses it).
    Tb5Rdma,
    /// 10 Gigabit Ethernet.
    Gbe10,
    /// 25 Gigabit Ethernet.
    Gbe25,
    /// 100 Gigabit Ethernet (ConnectX-class NICs: RoCE for NCCL).
    Gbe100,
    /// 200 Gigabit Ethernet: the DGX Spark's ConnectX-7 (RoCE for NCCL).
    Gbe200,
}

/// Every link, in order of speed.
pub const LINKS: [Link; 6] = [
    Link::Gbe10,
    Link::Gbe25,
    Link::Tb5,
    Link::Tb5Rdma,
    Link::Gbe100,
    Link::Gbe200,
];

/// One message through the kernel's TCP stack between two Macs, seconds: "300 µs" before RDMA
/// over Thunderbolt (J. Geerling, "1.5 TB of VRAM on Mac Studio", 2025-12). fitcheck uses it for
/// every TCP link.
pub const TCP_MESSAGE_SECONDS: f64 = 300e-6;
/// The same with RDMA over Thunderbolt 5: 5–9 µs between nodes as Stabilise.io measured it
/// (reported by aiexpert.news, 2026; J. Geerling gives "< 50 µs"); the upper end, and the same
/// for RoCE on ConnectX NICs.
pub const RDMA_MESSAGE_SECONDS: f64 = 9e-6;
/// What one remote llama.cpp RPC device adds per decoded token besides the bytes: TinyLlama
/// 1.1B F16 ran at 63 tok/s on a local CUDA backend and 60 tok/s through an RPC server on the
/// same host (llama.cpp#6829): 1/60 − 1/63 s ≈ 0.79 ms of commands and TCP round trips.
pub const RPC_HOP_SECONDS: f64 = 1.0 / 60.0 - 1.0 / 63.0;

impl Link {
    /// Line rate, Gb/s: Thunderbolt 5 80 Gb/s symmetric (Intel/Apple spec), Ethernet its name.
    pub fn gbps(self) -> f64 {
        match self {
            Link::Tb5 | Link::Tb5Rdma => 80.0,
            Link::Gbe10 => 10.0,
            Link::Gbe25 => 25.0,
            Link::Gbe100 => 100.0,
            Link::Gbe200 => 200.0,
        }
    }

    /// Bytes per second.
    pub fn bytes_per_s(self) -> f64 {
        self.gbps() * 1e9 / 8.0
    }

    /// Carries RDMA (RoCE NICs, Thunderbolt 5 on macOS 26.2+).
    pub fn rdma(self) -> bool {
        matches!(self, Link::Tb5Rdma | Link::Gbe100 | Link::Gbe200)
    }

    /// Flag spelling.
    pub fn name(self) -> &'static str {
        match self {
            Link::Tb5 => "tb5",
            Link::Tb5Rdma => "tb5-rdma",
            Link::Gbe10 => "10gbe",
            Link::Gbe25 => "25gbe",
            Link::Gbe100 => "100gbe",
            Link::Gbe200 => "200gbe",
        }
    }
}

impl TryFrom<String> for Link {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Link> for String {
    fn from(l: Link) -> String {
        l.name().to_string()
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Link {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let want = s.trim().to_ascii_lowercase();
        LINKS.into_iter().find(|l| l.name() == want).ok_or_else(|| {
            let known: Vec<&str> = LINKS.iter().map(|l| l.name()).collect();
            format!("unknown link '{s}' (known: {})", known.join(", "))
        })
    }
}

/// What runs the model across the nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ClusterEngine {
    /// llama.cpp with `rpc-server` on the other nodes: a layer split over TCP, each remote
    /// device reached through the client.
    #[default]
    LlamaRpc,
    /// exo 1.0: tensor parallel over RDMA on Thunderbolt 5, else MLX shards in a ring (a
    /// pipeline), bf16 activations.
    Exo,
    /// vLLM tensor parallel over NCCL.
    VllmTp,
}

impl ClusterEngine {
    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            ClusterEngine::LlamaRpc => "llama.cpp RPC (layer split)",
            ClusterEngine::Exo => "exo",
            ClusterEngine::VllmTp => "vLLM tensor parallel",
        }
    }

    /// Splits every matrix across the nodes on `link` (else a pipeline over layer ranges):
    /// vLLM always, exo where RDMA lets it (its tensor sharding needs RDMA over Thunderbolt 5).
    pub fn tensor_parallel(self, link: Link) -> bool {
        match self {
            ClusterEngine::LlamaRpc => false,
            ClusterEngine::Exo => link == Link::Tb5Rdma,
            ClusterEngine::VllmTp => true,
        }
    }

    /// Flag spelling.
    pub fn name(self) -> &'static str {
        match self {
            ClusterEngine::LlamaRpc => "rpc",
            ClusterEngine::Exo => "exo",
            ClusterEngine::VllmTp => "vllm-tp",
        }
    }

    /// Bytes per activation element on the wire: ggml hands f32 tensors between backends, MLX
    /// and vLLM keep bf16.
    pub fn activation_bytes(self) -> f64 {
        match self {
            ClusterEngine::LlamaRpc => 4.0,
            ClusterEngine::Exo | ClusterEngine::VllmTp => 2.0,
        }
    }

    /// Seconds one message takes on `link` with this engine's transport: llama.cpp RPC's
    /// measured cost per remote device (TCP whatever the cable); exo uses RDMA over Thunderbolt 5
    /// only; NCCL uses RoCE where the NIC has it.
    pub fn message_seconds(self, link: Link) -> f64 {
        let rdma = match self {
            ClusterEngine::LlamaRpc => return RPC_HOP_SECONDS,
            ClusterEngine::Exo => link == Link::Tb5Rdma,
            ClusterEngine::VllmTp => link.rdma(),
        };
        if rdma {
            RDMA_MESSAGE_SECONDS
        } else {
            TCP_MESSAGE_SECONDS
        }
    }
}

impl TryFrom<String> for ClusterEngine {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<ClusterEngine> for String {
    fn from(e: ClusterEngine) -> String {
        e.name().to_string()
    }
}

impl fmt::Display for ClusterEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ClusterEngine {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rpc" | "llama-rpc" | "llama.cpp" => Ok(ClusterEngine::LlamaRpc),
            "exo" => Ok(ClusterEngine::Exo),
            "vllm-tp" | "vllm" => Ok(ClusterEngine::VllmTp),
            other => Err(format!(
                "unknown cluster engine '{other}' (known: rpc, exo, vllm-tp)"
            )),
        }
    }
}

/// Identical machines joined by one kind of link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// Machines, each the hardware entry this is attached to.
    pub nodes: u32,
    /// The cable.
    pub link: Link,
    /// What runs the model.
    #[serde(default)]
    pub engine: ClusterEngine,
}

/// What one node holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NodeLoad {
    /// Blocks on this node (the last also holds the output head).
    pub layers: u32,
    /// Weights on its accelerator, bytes.
    pub weights_bytes: u64,
    /// KV cache and recurrent state of its layers, bytes.
    pub kv_bytes: u64,
    /// Compute buffers and driver context (and on node 0 the host-side buffers), bytes.
    pub overhead_bytes: u64,
    /// Sum of the three.
    pub used_bytes: u64,
    /// What the node offers (Metal's working set, the OS share of a unified pool, the cards).
    pub usable_bytes: u64,
}

/// The cluster's answer: the usual estimate for the whole, plus each node and the link's cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterEstimate {
    /// The whole cluster as one machine (memory summed over nodes; headroom is `nodes ×` the
    /// tightest node's).
    pub estimate: Estimate,
    /// Per node, in pipeline order.
    pub nodes: Vec<NodeLoad>,
    /// Seconds per decoded token spent on the link (bytes and latency).
    pub link_seconds_per_token: f64,
    /// Seconds per decoded token spent computing on the nodes.
    pub compute_seconds_per_token: f64,
    /// Seconds of link time in prefilling the context.
    pub link_seconds_prefill: f64,
}

/// Per-node hardware with room for the whole model, as one box whose cards are all the
/// accelerators of the cluster (unified nodes count as one card of their usable memory).
fn as_cards(node: &Hardware, nodes: u32) -> Hardware {
    let per_node = node.gpus.max(1);
    let card_usable = if node.unified {
        node.usable_per_device()
    } else {
        node.memory
    };
    let card = GpuCard {
        id: node.id.clone(),
        memory: card_usable,
        bandwidth_gbps: node.bandwidth_gbps,
        fp16_tflops: node.fp16_tflops,
        fp32_tflops: node.fp32_tflops,
    };
    Hardware {
        unified: false,
        memory: card_usable,
        gpus: per_node * nodes.max(1),
        working_set: None,
        cluster: None,
        cards: vec![card; (per_node * nodes.max(1)) as usize],
        ..node.clone()
    }
}

/// The cluster estimate for `model` on `hw` (a node) joined as `c`.
pub fn estimate(
    model: &ModelSpec,
    hw: &Hardware,
    c: &Cluster,
    settings: &Settings,
    terms: &ModelTerms,
) -> ClusterEstimate {
    let n_nodes = c.nodes.max(1);
    let per_node = hw.gpus.max(1);
    let cards = as_cards(hw, n_nodes);
    let inputs = FitInputs {
        weights: &terms.weights,
        cache: &terms.cache,
        compute: terms.compute.on_backend(hw.backend),
        runtime: runtime_overhead(hw.backend),
        hw: &cards,
    };
    let layers = model.arch.layers;
    let all = Placement {
        gpu_layers: layers + 1,
        cpu_moe: 0,
    };
    let (_, tally) = inputs.verdict_of(all);
    let nodes = node_loads(hw, c, terms, &inputs, all);
    let verdict = if nodes.iter().all(|n| n.used_bytes <= n.usable_bytes) {
        Verdict::FitsOnGpu
    } else {
        Verdict::DoesNotFit
    };
    // The runtime's kernels (MLX's efficiency under exo), the card and the weights, as one box.
    let k = BackendConstants::of(hw.backend).for_setup(hw, settings);
    let moe = model.arch.moe.is_some();
    let tp = c.engine.tensor_parallel(c.link);
    let ways = if tp {
        f64::from(n_nodes * per_node)
    } else {
        1.0
    };
    let decode = |depth: u64, cost: Option<&BackendConstants>| {
        let mut t = traffic(model, terms, &cards, all, depth, cost);
        t.device_weights /= ways;
        t.device_kv /= ways;
        t.device_params /= ways;
        t.attn_flops /= ways;
        decode_seconds(
            &t,
            &k,
            hw.bandwidth_gbps,
            hw.host_bandwidth(),
            hw.fp16_tflops,
            hw.fp32_tflops.unwrap_or(0.0),
            moe,
        )
    };
    // Hand-offs between the cards inside each node (PCIe), as for one box.
    let intra = if tp {
        0.0
    } else {
        f64::from(n_nodes * (per_node - 1)) * k.t_hop
    };
    // The runtime's own cost per token (MLX's, Ollama's), as on one box.
    let runtime = k.runtime_seconds(settings.runtime);
    let (t0, _) = decode(0, Some(&k));
    let (t1, _) = decode(u64::from(settings.context), Some(&k));
    let (t0, t1) = (t0 + runtime, t1 + runtime);
    let (_, roof_raw) = decode(0, None);
    let raw = traffic(model, terms, &cards, all, 0, None);
    let bytes_per_token =
        (raw.device_weights + raw.device_kv + raw.host_weights + raw.host_kv) as u64;
    let link_token = link_seconds(model, c, 1, 1, 1);
    let prompt = u64::from(settings.context.max(1));
    let mut work = prefill_work(model, terms, prompt, 0, (settings, &cards), &tally);
    let (stages, tflops) = match c.engine {
        _ if tp => (1, hw.fp16_tflops * ways),
        // llama.cpp pipelines a prompt's ubatches through all devices (RPC ones included).
        ClusterEngine::LlamaRpc => (n_nodes * per_node, hw.fp16_tflops),
        // exo runs a prompt through the shards one after another.
        _ => (1, hw.fp16_tflops),
    };
    work.pipeline_stages = stages;
    let ubatches = prompt.div_ceil(u64::from(settings.n_ubatch.max(1)));
    let link_prefill = link_seconds(model, c, prompt, ubatches, 1);
    let pp = prefill_seconds(&work, &k, tflops, false) + link_prefill;
    let runs = verdict != Verdict::DoesNotFit;
    let rate = |t: f64| if runs && t > 0.0 { 1.0 / t } else { 0.0 };
    let estimate = assemble(hw, terms, &nodes, verdict, bytes_per_token);
    let estimate = Estimate {
        decode_tps: rate(t0 + intra + link_token),
        decode_tps_full_context: rate(t1 + intra + link_token),
        roofline_tps: if roof_raw > 0.0 { 1.0 / roof_raw } else { 0.0 },
        prefill_tps: if runs && pp > 0.0 {
            prompt as f64 / pp
        } else {
            0.0
        },
        ttft_s: if runs { pp } else { f64::INFINITY },
        ..estimate
    }
    .sanitized();
    ClusterEstimate {
        estimate,
        nodes,
        link_seconds_per_token: link_token,
        compute_seconds_per_token: t0 + intra,
        link_seconds_prefill: link_prefill,
    }
}

/// Seconds of one decode step of `n` sequences at `depth` on the cluster, memory side only:
/// the weights once (the union of a batch's experts), each sequence's cache,
/// split `n` ways when tensor parallel, plus the link carrying `n` tokens; and the TFLOPS the
/// batch's extra matmuls run at (one node's, or all of them when tensor parallel).
pub fn batched_step(
    model: &ModelSpec,
    hw: &Hardware,
    c: &Cluster,
    settings: &Settings,
    terms: &ModelTerms,
    n: u32,
    depth: u64,
) -> (f64, f64) {
    let weight_share = super::serving::expert_share(model, &terms.weights, n);
    let cards = as_cards(hw, c.nodes.max(1));
    let all = Placement {
        gpu_layers: model.arch.layers + 1,
        cpu_moe: 0,
    };
    let k = BackendConstants::of(hw.backend).for_setup(hw, settings);
    let tp = c.engine.tensor_parallel(c.link);
    let ways = if tp {
        f64::from(c.nodes.max(1) * hw.gpus.max(1))
    } else {
        1.0
    };
    let nf = f64::from(n.max(1));
    let mut t = traffic(model, terms, &cards, all, depth, Some(&k));
    t.device_weights *= weight_share / ways;
    t.device_params *= weight_share / ways;
    t.device_kv *= nf / ways;
    t.attn_flops *= nf / ways;
    let moe = model.arch.moe.is_some();
    let (mem, _) = decode_seconds(
        &t,
        &k,
        hw.bandwidth_gbps,
        hw.host_bandwidth(),
        hw.fp16_tflops,
        hw.fp32_tflops.unwrap_or(0.0),
        moe,
    );
    let intra = if tp {
        0.0
    } else {
        f64::from(c.nodes.max(1) * (hw.gpus.max(1) - 1)) * k.t_hop
    };
    (
        mem + intra + link_seconds(model, c, u64::from(n.max(1)), 1, u64::from(n.max(1))),
        hw.fp16_tflops * ways,
    )
}

/// Link seconds for `tokens` tokens passing through the cluster in `batches` batches, of which
/// `outputs` rows of logits come back (one per sequence: a prompt's last token, each decoded one).
///
/// - llama.cpp RPC: each of the `nodes − 1` remote nodes gets its input activations from the
///   client and returns its output (f32, `hidden` wide), plus [`RPC_HOP_SECONDS`] of commands per
///   batch; the last node sends the logits back (one f32 row per output).
/// - exo's pipeline: `nodes` ring hops per batch (the last returns the sampled token), bf16.
/// - Tensor parallel (vLLM, exo over RDMA): two all-reduces per layer (after attention and after
///   the MLP), each moving the ring's `2 (n − 1) / n` of the activations and waiting
///   `⌈log2 n⌉` message latencies (recursive doubling, what small all-reduces use).
pub fn link_seconds(
    model: &ModelSpec,
    c: &Cluster,
    tokens: u64,
    batches: u64,
    outputs: u64,
) -> f64 {
    let n = f64::from(c.nodes.max(1));
    if n <= 1.0 {
        return 0.0;
    }
    let a = &model.arch;
    let bw = c.link.bytes_per_s();
    let hidden = f64::from(a.hidden) * c.engine.activation_bytes() * tokens as f64;
    let msg = c.engine.message_seconds(c.link);
    let b = batches.max(1) as f64;
    if c.engine.tensor_parallel(c.link) {
        let steps = n.log2().ceil();
        let per_layer = 2.0 * (2.0 * (n - 1.0) / n * hidden / bw + steps * msg * b);
        return f64::from(a.layers) * per_layer;
    }
    match c.engine {
        ClusterEngine::LlamaRpc => {
            let logits = f64::from(a.vocab) * 4.0 * outputs.max(1) as f64;
            (n - 1.0) * (2.0 * hidden / bw + msg * b) + logits / bw
        }
        _ => (n - 1.0) * hidden / bw + n * msg * b,
    }
}

/// Each node's share: for a pipeline llama.cpp's layer split over all the cluster's
/// accelerators (identical nodes: even, the first taking the remainder, the last the head); for
/// tensor parallel `1/n` of every layer. Every node has its own compute buffer and context;
/// node 0 also holds the host-side buffers and, on unified nodes, the token embedding.
fn node_loads(
    hw: &Hardware,
    c: &Cluster,
    terms: &ModelTerms,
    inputs: &FitInputs,
    all: Placement,
) -> Vec<NodeLoad> {
    let n_nodes = c.nodes.max(1) as usize;
    let per_node = hw.gpus.max(1) as usize;
    let w = &terms.weights;
    let usable = if hw.unified {
        hw.usable_per_device()
    } else {
        hw.usable_total()
    };
    let host_side = inputs.compute.host.saturating_add(inputs.compute.output);
    let tp = c.engine.tensor_parallel(c.link);
    // llama.cpp and exo keep the input embedding with the first shard (host RAM of a discrete
    // node); vLLM shards it like every other matrix.
    let embd_on_device = if hw.unified && !tp { w.token_embd } else { 0 };
    let pipelined = n_nodes * per_node > 1;
    let per_card_fixed = inputs
        .compute
        .device
        .saturating_add(if pipelined {
            terms.compute.pipeline_device
        } else {
            0
        })
        .saturating_add(inputs.runtime);
    let fixed = per_card_fixed.saturating_mul(per_node as u64);
    let cache_total = terms
        .cache
        .per_layer
        .iter()
        .fold(0u64, |a, b| a.saturating_add(*b));
    let split: Vec<(u64, u64, u32)> = if tp {
        let share = |b: u64| b / n_nodes as u64;
        vec![
            (
                share(w.loaded_bytes()),
                share(cache_total),
                w.layers.len() as u32
            );
            n_nodes
        ]
    } else {
        let cards = inputs.layer_split(all);
        let layer_counts = layers_per_card(w.layers.len() as u32, cards.len());
        cards
            .chunks(per_node)
            .zip(layer_counts.chunks(per_node))
            .map(|(ch, lc)| {
                (
                    ch.iter().map(|x| x.0).sum(),
                    ch.iter().map(|x| x.1).sum(),
                    lc.iter().sum(),
                )
            })
            .collect()
    };
    split
        .into_iter()
        .enumerate()
        .map(|(i, (weights, kv, layers))| {
            let (weights, extra) = if i == 0 {
                // The head node also holds the vision projector, as llama.cpp's main GPU does.
                (
                    weights.saturating_add(embd_on_device),
                    host_side.saturating_add(terms.compute.projector()),
                )
            } else {
                (weights, 0)
            };
            let overhead = fixed.saturating_add(extra);
            NodeLoad {
                layers,
                weights_bytes: weights,
                kv_bytes: kv,
                overhead_bytes: overhead,
                used_bytes: weights.saturating_add(kv).saturating_add(overhead),
                usable_bytes: usable,
            }
        })
        .collect()
}

/// Blocks per card of an even split of `layers` blocks (and the head) over `cards` identical
/// cards, as [`FitInputs::layer_split`] assigns them.
fn layers_per_card(layers: u32, cards: usize) -> Vec<u32> {
    let act = u64::from(layers) + 1;
    let cards = cards.max(1);
    let mut counts = vec![0u32; cards];
    for slot in 0..u64::from(layers) {
        let card = ((slot * cards as u64) / act) as usize;
        counts[card.min(cards - 1)] += 1;
    }
    counts
}

/// The whole cluster as one [`Estimate`]: memory summed, headroom `nodes ×` the tightest node's.
fn assemble(
    hw: &Hardware,
    terms: &ModelTerms,
    nodes: &[NodeLoad],
    verdict: Verdict,
    bytes_per_token: u64,
) -> Estimate {
    let sum = |f: fn(&NodeLoad) -> u64| nodes.iter().map(f).fold(0u64, u64::saturating_add);
    let usable = sum(|n| n.usable_bytes);
    let used = sum(|n| n.used_bytes);
    let tightest = nodes
        .iter()
        .map(|n| i128::from(n.usable_bytes) - i128::from(n.used_bytes))
        .min()
        .unwrap_or(0);
    let headroom =
        (tightest * nodes.len() as i128).clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    let weights = terms.weights.loaded_bytes();
    let weights_device = sum(|n| n.weights_bytes);
    let overhead = sum(|n| n.overhead_bytes);
    let runtime = runtime_overhead(hw.backend)
        .saturating_mul(u64::from(hw.gpus.max(1)))
        .saturating_mul(nodes.len() as u64);
    let host_side = terms.compute.host.saturating_add(terms.compute.output);
    let projector = terms.compute.projector();
    let overhead = overhead.saturating_sub(projector);
    Estimate {
        weights_bytes: weights,
        weights_gpu_bytes: weights_device,
        weights_host_bytes: weights.saturating_sub(weights_device),
        kv_bytes: terms.cache.kv,
        state_bytes: terms.cache.state,
        overhead_bytes: overhead,
        compute_gpu_bytes: overhead.saturating_sub(runtime).saturating_sub(host_side),
        compute_host_bytes: host_side,
        runtime_gpu_bytes: runtime,
        runtime_host_bytes: 0,
        projector_bytes: terms.compute.projector_weights,
        projector_compute_bytes: terms.compute.projector_compute,
        total_bytes: weights
            .saturating_add(terms.cache.kv)
            .saturating_add(terms.cache.state)
            .saturating_add(overhead)
            .saturating_add(projector),
        usable_bytes: usable,
        used_bytes: (i128::from(usable) - headroom).clamp(0, i128::from(u64::MAX)) as u64,
        device_bytes: used,
        device_held_bytes: used,
        device_usable_bytes: usable,
        host_bytes: 0,
        host_usable_bytes: hw.host_usable(),
        headroom_bytes: headroom as i64,
        verdict,
        fits_on_gpu: verdict == Verdict::FitsOnGpu,
        gpu_layers: terms.weights.layers.len() as u32 + 1,
        total_layers: terms.weights.layers.len() as u32 + 1,
        cpu_moe_layers: 0,
        bytes_per_token,
        decode_tps: 0.0,
        decode_tps_full_context: 0.0,
        roofline_tps: 0.0,
        prefill_tps: 0.0,
        ttft_s: f64::INFINITY,
    }
}
