//! What the view reads: the figures of what is on screen, computed by [`App::prepare_frame`]
//! (memoised) so that `ui::view` takes `&App`, computes no estimate and allocates no matcher.

use super::advice::{buying_advice, why};
use super::{App, Mode};
use crate::estimate::cluster::ClusterEstimate;
use crate::estimate::hardware::Backend;
use crate::estimate::quant::largest_that_fits;
use crate::estimate::serving::{
    batched_decode_with_weights, combine, max_sequences_with_weights, Batched, Combined, Sharing,
};
use crate::estimate::train::{
    estimate_training, Framework, Method, Optimizer, Targets, TrainEstimate, TrainSettings,
};
use crate::estimate::Hardware;
use crate::estimate::{Estimate, ModelSpec, Quant, Settings, Verdict};

/// One visible row of the browser.
#[derive(Debug, Clone)]
pub struct RowFigures {
    /// Model id.
    pub id: u32,
    /// Its estimate at the current settings.
    pub estimate: Estimate,
    /// Characters of its name that the query matched (sorted).
    pub matched: Vec<u32>,
}

/// One point of the gauges' charts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartPoint {
    /// Context, tokens.
    pub context: u32,
    /// Device memory at that context, bytes.
    pub device_bytes: u64,
    /// Decode tokens/s with that context in the cache (0 when it does not run).
    pub decode_tps: f64,
}

/// Everything the gauges panel shows about the selected model.
#[derive(Debug, Clone)]
pub struct Details {
    /// Model id.
    pub id: u32,
    /// Settings as applied to it.
    pub settings: Settings,
    /// Its estimate.
    pub estimate: Estimate,
    /// Largest context with everything on the GPU (0: none).
    pub max_ctx_gpu: u32,
    /// Largest context that runs with layers in RAM (0: none).
    pub max_ctx_offload: u32,
    /// The "why" sentence.
    pub why: String,
    /// Buying advice lines.
    pub advice: Vec<String>,
    /// Memory and decode speed against context, for the chart.
    pub chart: Vec<ChartPoint>,
    /// Settings that cannot run as chosen.
    pub conflicts: Vec<&'static str>,
    /// The fine-tuning step the gauges show instead (`f`).
    pub training: Option<(TrainSettings, TrainEstimate)>,
    /// Marked models: how many, together and in turn.
    pub marked: Option<(usize, Combined, Combined)>,
    /// Several sequences: their decode speeds and how many fit.
    pub batched: Option<(Batched, u32)>,
    /// On a cluster: the link and engine, each node's share and the link's time per token.
    pub cluster: Option<(crate::estimate::cluster::Cluster, ClusterEstimate)>,
}

/// One cell of the comparison.
#[derive(Debug, Clone)]
pub struct CompareCell {
    /// Hardware index.
    pub hw: usize,
    /// Estimate there.
    pub estimate: Estimate,
    /// Largest context on the GPU alone, and with offload.
    pub max_ctx: (u32, u32),
    /// Largest quant that fits on the GPU when the chosen one does not.
    pub best_quant: Option<Quant>,
}

/// One row of the comparison.
#[derive(Debug, Clone)]
pub struct CompareRow {
    /// Model id.
    pub id: u32,
    /// Cells in column order.
    pub cells: Vec<CompareCell>,
    /// Column of the cheapest comfortable fit (≥ 10 % headroom).
    pub cheapest: Option<usize>,
}

/// The figures of one frame.
#[derive(Debug, Clone, Default)]
pub struct FrameData {
    /// Browser rows from `App::offset`, as many as the last layout showed.
    pub rows: Vec<RowFigures>,
    /// The selected model.
    pub details: Option<Details>,
    /// Comparison rows from `App::compare_scroll`.
    pub compare: Vec<CompareRow>,
    /// What `details` was computed from.
    details_key: Option<DetailsKey>,
}

/// Everything the selected model's details read besides the memoised estimator.
#[derive(Debug, Clone, PartialEq)]
struct DetailsKey {
    id: u32,
    settings: Settings,
    hardware: u64,
    train_mode: Option<Method>,
    marked: Vec<u32>,
    query: String,
    rows: usize,
    sort: super::SortKey,
}

/// Contexts the charts sample: powers of two from 1K up to the model's maximum.
fn chart_contexts(max: u32) -> Vec<u32> {
    let mut out: Vec<u32> = (10..31)
        .map(|p| 1u32 << p)
        .take_while(|&c| c < max)
        .collect();
    out.push(max.max(1024));
    out
}

/// The training run the app shows: rank-16 adapters on every linear, one sequence of the
/// context slider's length, gradient checkpointing, AdamW; MLX-LM on Apple, PEFT elsewhere.
pub fn train_settings(hw: &Hardware, s: &Settings, method: Method) -> TrainSettings {
    TrainSettings {
        method,
        framework: if hw.backend == Backend::Metal {
            Framework::Mlx
        } else {
            Framework::Peft
        },
        rank: 16,
        targets: Targets::All,
        layers: None,
        seq_len: s.context,
        batch: 1,
        checkpointing: true,
        optimizer: Optimizer::Adamw,
    }
}

impl App {
    /// Computes what the next frame shows (memoised: unchanged figures cost a lookup).
    pub fn prepare_frame(&mut self) {
        self.clamp_selection();
        let mut frame = std::mem::take(&mut self.frame);
        frame.rows.clear();
        let end = (self.offset + self.page.max(1)).min(self.rows.len());
        for pos in self.offset..end {
            let id = self.rows[pos];
            let estimate = self.estimate_of(id);
            let mut matched = Vec::new();
            let name = &super::model_ref(&self.catalog, &self.local, id).name;
            self.highlighter.indices(&self.query, name, &mut matched);
            frame.rows.push(RowFigures {
                id,
                estimate,
                matched,
            });
        }
        // The details are recomputed only when something they read changed.
        let key = self.selected_id().map(|id| DetailsKey {
            id,
            settings: self.settings,
            hardware: self.hw_key(),
            train_mode: self.train_mode,
            marked: self.marked_models.clone(),
            query: self.query.clone(),
            rows: self.rows.len(),
            sort: self.sort,
        });
        if key != frame.details_key {
            frame.details = key.as_ref().map(|k| self.details(k.id));
            frame.details_key = key;
        }
        frame.compare.clear();
        if self.mode == Mode::Compare {
            frame.compare = self.compare_figures();
        }
        if self.mode == Mode::Guide {
            self.guide_tables
                .get_or_init(|| crate::guide::GuideTables::compute(&self.catalog));
        }
        self.frame = frame;
    }

    fn details(&mut self, id: u32) -> Details {
        let estimate = self.estimate_of(id);
        let (max_ctx_gpu, max_ctx_offload) = self.max_contexts_on(id, self.hw_index);
        let model = super::model_ref(&self.catalog, &self.local, id).clone();
        let settings = self.settings.for_model(&model);
        let hw = self.hw().clone();
        let fits_gpu_at = |q: Quant| {
            let s = Settings {
                quant: q,
                ..settings
            };
            crate::estimate::estimate(&model, &hw, &s).verdict == Verdict::FitsOnGpu
        };
        let smaller = if estimate.verdict == Verdict::FitsOnGpu {
            None
        } else {
            largest_that_fits(settings.quant, fits_gpu_at)
        };
        let why = why(&model, &hw, &settings, &estimate, max_ctx_gpu, smaller);
        let visible: Vec<&ModelSpec> = self
            .rows
            .iter()
            .take(200)
            .map(|&r| super::model_ref(&self.catalog, &self.local, r))
            .collect();
        let advice = buying_advice(&model, &settings, &estimate, &self.query, &visible);
        let chart = chart_contexts(model.max_context())
            .into_iter()
            .map(|context| {
                let e = self.estimate_with(
                    id,
                    &Settings {
                        context,
                        ..settings
                    },
                );
                ChartPoint {
                    context,
                    device_bytes: e.device_bytes,
                    decode_tps: e.decode_tps_full_context,
                }
            })
            .collect();
        let training = self.train_mode.map(|method| {
            let ts = train_settings(&hw, &settings, method);
            (ts, estimate_training(&model, &hw, &ts))
        });
        let marked = (self.marked_models.len() > 1).then(|| {
            let ids = self.marked_models.clone();
            let es: Vec<Estimate> = ids.iter().map(|&id| self.estimate_of(id)).collect();
            (
                ids.len(),
                combine(&es, &hw, Sharing::Concurrent),
                combine(&es, &hw, Sharing::Alternating),
            )
        });
        // The gauges' own weights: a file's tensors for a model on disk, else the quant's.
        let weights = self.memo.weights(id, &model, settings.quant);
        let batched =
            (settings.parallel > 1 && estimate.verdict != Verdict::DoesNotFit).then(|| {
                let n = settings.parallel;
                let each = match settings.runtime.cache_layout() {
                    crate::estimate::kv::CacheLayout::PerSequence => settings.context,
                    _ => settings.context / n,
                }
                .max(1);
                (
                    batched_decode_with_weights(
                        &model,
                        &hw,
                        &settings,
                        &weights,
                        n,
                        u64::from(each / 2),
                    ),
                    max_sequences_with_weights(&model, &hw, &settings, &weights, each, 256),
                )
            });
        let cluster = hw.cluster.and_then(|c| {
            crate::estimate::cluster_detail(&model, &hw, &settings, &weights).map(|d| (c, d))
        });
        Details {
            id,
            settings,
            cluster,
            training,
            marked,
            batched,
            conflicts: settings.conflicts(&hw),
            estimate,
            max_ctx_gpu,
            max_ctx_offload,
            why,
            advice,
            chart,
        }
    }

    fn compare_figures(&mut self) -> Vec<CompareRow> {
        let cols = self.compare_columns();
        let rows: Vec<u32> = self
            .compare_rows_all()
            .into_iter()
            .skip(self.compare_scroll)
            .take(self.compare_page.max(1))
            .collect();
        let mut out = Vec::with_capacity(rows.len());
        for id in rows {
            let mut cells = Vec::with_capacity(cols.len());
            for &c in &cols {
                let estimate = self.estimate_on(id, c, None);
                let best_quant = if estimate.verdict == Verdict::FitsOnGpu {
                    None
                } else {
                    let quant = self.settings.quant;
                    largest_that_fits(quant, |q| {
                        self.estimate_on(id, c, Some(q)).verdict == Verdict::FitsOnGpu
                    })
                };
                cells.push(CompareCell {
                    hw: c,
                    max_ctx: self.max_contexts_on(id, c),
                    estimate,
                    best_quant,
                });
            }
            let cheapest = crate::compare::cheapest_comfortable(
                cells
                    .iter()
                    .map(|cell| (&self.hardware[cell.hw], &cell.estimate)),
            );
            out.push(CompareRow {
                id,
                cells,
                cheapest,
            });
        }
        out
    }
}
