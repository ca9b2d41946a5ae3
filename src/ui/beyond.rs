//! Gauge lines beyond one model serving one sequence: the fine-tuning breakdown (`f`), the
//! marked models together, and how sequences share the model when the sequences slider is > 1.

use ratatui::text::{Line, Span};

use super::Theme;
use crate::app::App;
use crate::estimate::hardware::Backend;
use crate::estimate::serving::{batched_decode, combine, max_sequences, Sharing};
use crate::estimate::train::{
    estimate_training, Framework, Method, Optimizer, Targets, TrainSettings,
};
use crate::estimate::units::fmt_gib;
use crate::estimate::{Estimate, Hardware, ModelSpec, Settings, Verdict};

fn gib(b: u64) -> String {
    format!("{:.2}", b as f64 / (1u64 << 30) as f64)
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

/// The gauges in fine-tuning mode.
pub fn training_lines(
    model: &ModelSpec,
    hw: &Hardware,
    s: &Settings,
    method: Method,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let ts = train_settings(hw, s, method);
    let t = estimate_training(model, hw, &ts);
    let pct = 100.0 * t.trainable_params as f64 / model.params.max(1) as f64;
    let verdict_style = if t.verdict == Verdict::DoesNotFit {
        theme.error
    } else {
        theme.ok
    };
    vec![
        Line::from(vec![
            Span::styled("training ", theme.title),
            Span::raw(format!(
                "{} / {}",
                gib(t.total_bytes),
                fmt_gib(t.usable_bytes)
            )),
        ]),
        Line::from(format!(
            "{} · {} tokens · checkpointing",
            ts.framework, ts.seq_len
        )),
        Line::from(format!("weights {} GiB", gib(t.weights_bytes))),
        Line::from(format!(
            "trainable {:.2}% ({:.1}M)",
            pct,
            t.trainable_params as f64 / 1e6
        )),
        Line::from(format!(
            "gradients {} · optimizer {} GiB",
            gib(t.gradients_bytes),
            gib(t.optimizer_bytes)
        )),
        Line::from(format!(
            "activations {} · overhead {} GiB",
            gib(t.activations_bytes),
            gib(t.overhead_bytes)
        )),
        Line::styled(
            format!("{} {}", t.verdict.symbol(), t.verdict.label()),
            verdict_style,
        ),
        Line::from(format!("longest sequence {} tokens", t.max_seq_len)),
        Line::styled("f: next mode (LoRA → QLoRA → full → inference)", theme.dim),
    ]
}

/// Lines under the inference gauges: marked models together, and concurrency.
pub fn extra_lines(
    app: &mut App,
    model: &ModelSpec,
    hw: &Hardware,
    s: &Settings,
    e: &Estimate,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if app.marked_models.len() > 1 {
        let ids = app.marked_models.clone();
        let es: Vec<Estimate> = ids.iter().map(|&id| app.estimate_of(id)).collect();
        let together = combine(&es, hw, Sharing::Concurrent);
        let turns = combine(&es, hw, Sharing::Alternating);
        lines.push(Line::from(vec![
            Span::styled(format!("{} marked ", ids.len()), theme.title),
            Span::raw(format!(
                "together {} {} GiB · in turn {} {} GiB",
                together.verdict.symbol(),
                gib(together.total_bytes),
                turns.verdict.symbol(),
                gib(turns.total_bytes)
            )),
        ]));
    }
    if s.parallel > 1 && e.verdict != Verdict::DoesNotFit {
        let n = s.parallel;
        let each = match s.runtime.cache_layout() {
            crate::estimate::kv::CacheLayout::PerSequence => s.context,
            _ => s.context / n,
        }
        .max(1);
        let b = batched_decode(model, hw, s, n, u64::from(each / 2));
        let most = max_sequences(model, hw, s, each, 256);
        lines.push(Line::from(vec![
            Span::styled(format!("{n} seq "), theme.title),
            Span::raw(format!(
                "{:.1} tok/s each · {:.0} total{} · up to {most} fit",
                b.per_stream_tps,
                b.aggregate_tps,
                if b.compute_bound {
                    " (compute-bound)"
                } else {
                    ""
                }
            )),
        ]));
    }
    lines
}
