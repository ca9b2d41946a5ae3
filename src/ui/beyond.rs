//! Gauge lines beyond one model serving one sequence: the fine-tuning breakdown (`f`), the
//! marked models together, and how sequences share the model when the sequences slider is > 1.
//! The figures come from `App::prepare_frame` (`Details`); this only lays them out.

use ratatui::text::{Line, Span};

use super::Theme;
use crate::app::frame::Details;
use crate::estimate::units::fmt_gib;
use crate::estimate::Verdict;

fn gib(b: u64) -> String {
    format!("{:.2}", b as f64 / (1u64 << 30) as f64)
}

/// The gauges in fine-tuning mode.
pub fn training_lines(d: &Details, params: u64, theme: &Theme) -> Vec<Line<'static>> {
    let Some((ts, t)) = d.training else {
        return Vec::new();
    };
    let pct = 100.0 * t.trainable_params as f64 / params.max(1) as f64;
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
pub fn extra_lines(d: &Details, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some((n, together, turns)) = d.marked {
        lines.push(Line::from(vec![
            Span::styled(format!("{n} marked "), theme.title),
            Span::raw(format!(
                "together {} {} GiB · in turn {} {} GiB",
                together.verdict.symbol(),
                gib(together.total_bytes),
                turns.verdict.symbol(),
                gib(turns.total_bytes)
            )),
        ]));
    }
    if let Some((c, detail)) = &d.cluster {
        lines.push(Line::from(vec![
            Span::styled(format!("{} nodes ", c.nodes), theme.title),
            Span::raw(format!(
                "{} · {} · link {:.2} ms/token",
                c.link,
                c.engine.label(),
                detail.link_seconds_per_token * 1e3
            )),
        ]));
        let nodes: Vec<String> = detail
            .nodes
            .iter()
            .map(|n| format!("{}/{}", gib(n.used_bytes), fmt_gib(n.usable_bytes)))
            .collect();
        lines.push(Line::from(format!("per node {}", nodes.join(" · "))));
    }
    if let Some((b, most)) = d.batched {
        lines.push(Line::from(vec![
            Span::styled(format!("{} seq ", d.settings.parallel), theme.title),
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
