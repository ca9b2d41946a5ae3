//! Live gauges of the selected model: memory split against usable memory, headroom, speed,
//! largest context, and the "why" line.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::browser::verdict_style;
use super::{HitMap, Theme};
use crate::app::advice::{buying_advice, why};
use crate::app::{group_thousands, App, Focus};
use crate::estimate::units::{fmt_gb, fmt_gib, fmt_gib_signed};
use crate::estimate::{Estimate, Verdict};

/// Glyphs of the stacked bar: weights, KV, state, overhead (distinct without colour).
const GLYPHS: [char; 4] = ['█', '▓', '▒', '░'];

pub fn render(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect, hits: &mut HitMap) {
    let focused = app.focus == Focus::Gauges;
    let Some((id, model)) = app.selected_model().map(|(i, m)| (i, m.clone())) else {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(" Estimate ")
            .border_style(theme.border);
        frame.render_widget(Paragraph::new("no model selected").block(block), area);
        return;
    };
    let e = app.estimate_of(id);
    let max_ctx = app.max_context_of(id);
    let s = app.settings_for(&model);
    let hw = app.hw().clone();
    let title = match app.train_mode {
        Some(method) => format!(" {} · {method} fine-tuning ", model.name),
        None => format!(" {} · {} ", model.name, s.quant),
    };
    let block = theme.panel(title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    hits.gauges = area;
    if let Some(method) = app.train_mode {
        let lines = super::beyond::training_lines(&model, &hw, &s, method, theme);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        return;
    }
    let bar_width = inner.width.saturating_sub(2) as usize;
    let gib = |b: u64| format!("{:.2}", b as f64 / (1u64 << 30) as f64);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("memory ", theme.title),
            Span::raw(format!(
                "{} / {}{}",
                gib(e.used_bytes),
                fmt_gib(e.usable_bytes),
                match app.hw().gpus {
                    n if n > 1 && e.verdict != Verdict::CpuOnly => format!(" on {n} cards"),
                    _ => String::new(),
                }
            )),
        ]),
        stacked_bar(&e, bar_width, theme),
        Line::from(vec![
            Span::styled("█", theme.segments[0]),
            Span::raw(format!(" weights {}  ", gib(e.weights_bytes))),
            Span::styled("▓", theme.segments[1]),
            Span::raw(format!(" KV {} GiB", gib(e.kv_bytes))),
        ]),
        Line::from(vec![
            Span::styled("▒", theme.segments[2]),
            Span::raw(format!(" state {}  ", gib(e.state_bytes))),
            Span::styled("░", theme.segments[3]),
            Span::raw(format!(" overhead {} GiB", gib(e.overhead_bytes))),
        ]),
        Line::from(format!(
            "KV at {}{}: {} ({})",
            short_ctx(s.context),
            per_sequence(&s),
            fmt_gib(e.kv_bytes),
            fmt_gb(e.kv_bytes)
        )),
        headroom_line(&e, theme),
        Line::from(vec![
            Span::styled(
                format!("{} {}", e.verdict.symbol(), e.verdict.label()),
                verdict_style(theme, &e),
            ),
            Span::raw(placement(&e)),
        ]),
    ];
    if e.verdict == Verdict::DoesNotFit {
        lines.push(Line::styled("decode —  prefill —", theme.dim));
    } else {
        lines.push(Line::from(format!(
            "decode {:.1} tok/s · {:.1} at {}",
            e.decode_tps,
            e.decode_tps_full_context,
            short_ctx(s.context)
        )));
        lines.push(Line::from(format!(
            "prefill {:.0} tok/s · TTFT {}",
            e.prefill_tps,
            seconds(e.ttft_s)
        )));
    }
    lines.push(Line::from(format!(
        "max ctx {} · roofline {:.0} t/s",
        group_thousands(max_ctx),
        e.roofline_tps
    )));
    lines.extend(super::beyond::extra_lines(app, &model, &hw, &s, &e, theme));
    lines.push(Line::from(vec![
        Span::styled("why ", theme.title),
        Span::raw(why(&model, &hw, &s, &e, max_ctx)),
    ]));
    // The guide's buying mistakes, when they apply (shown while there is room).
    let visible: Vec<&crate::estimate::ModelSpec> =
        app.rows.iter().take(200).map(|&r| app.model(r)).collect();
    for advice in buying_advice(&model, &s, &e, &app.query, &visible) {
        lines.push(Line::from(vec![
            Span::styled("tip ", theme.key),
            Span::styled(advice, theme.dim),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

fn stacked_bar(e: &Estimate, width: usize, theme: &Theme) -> Line<'static> {
    let width = width.max(1);
    let parts = [e.weights_bytes, e.kv_bytes, e.state_bytes, e.overhead_bytes];
    let scale = e.usable_bytes.max(e.used_bytes).max(1) as f64;
    // Only the binding pool's share is drawn (the estimate's "used").
    let total: u64 = parts.iter().sum();
    let k = if total == 0 {
        0.0
    } else {
        e.used_bytes as f64 / total as f64
    };
    let mut spans = vec![Span::raw("[")];
    let mut drawn = 0usize;
    for (i, b) in parts.iter().enumerate() {
        let cells = ((*b as f64 * k / scale) * width as f64).round() as usize;
        let cells = cells.min(width - drawn);
        drawn += cells;
        spans.push(Span::styled(
            GLYPHS[i].to_string().repeat(cells),
            theme.segments[i],
        ));
    }
    let free = width.saturating_sub(drawn);
    spans.push(Span::styled("·".repeat(free), theme.dim));
    spans.push(Span::raw("]"));
    Line::from(spans)
}

fn headroom_line(e: &Estimate, theme: &Theme) -> Line<'static> {
    let pct = e.headroom_bytes as f64 / e.usable_bytes.max(1) as f64 * 100.0;
    let style = if e.headroom_bytes < 0 {
        theme.error
    } else if pct < 10.0 {
        theme.warn
    } else {
        theme.ok
    };
    let sign = if e.headroom_bytes < 0 {
        "✗ "
    } else if pct < 10.0 {
        "! "
    } else {
        ""
    };
    Line::from(vec![
        Span::styled("headroom ", theme.title),
        Span::styled(
            format!("{sign}{} ({pct:.0}%)", fmt_gib_signed(e.headroom_bytes)),
            style,
        ),
    ])
}

fn placement(e: &Estimate) -> String {
    match e.verdict {
        Verdict::PartialOffload if e.cpu_moe_layers > 0 => {
            format!(" (experts of {} layers in RAM)", e.cpu_moe_layers)
        }
        Verdict::PartialOffload => format!(" ({}/{} layers on GPU)", e.gpu_layers, e.total_layers),
        _ => String::new(),
    }
}

fn short_ctx(n: u32) -> String {
    if n >= 1024 && n.is_multiple_of(1024) {
        format!("{}K", n / 1024)
    } else {
        group_thousands(n)
    }
}

fn seconds(s: f64) -> String {
    if !s.is_finite() {
        "—".into()
    } else if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else if s < 120.0 {
        format!("{s:.1} s")
    } else {
        format!("{:.1} min", s / 60.0)
    }
}

/// How several sequences share the context: "" for one, " = 4×2K" when llama.cpp splits it,
/// " ×4" when each sequence has the whole context (Ollama).
fn per_sequence(s: &crate::estimate::Settings) -> String {
    use crate::estimate::kv::CacheLayout;
    if s.parallel <= 1 {
        return String::new();
    }
    match s.runtime.cache_layout() {
        CacheLayout::Split => format!(" = {}×{}", s.parallel, short_ctx(s.context / s.parallel)),
        CacheLayout::PerSequence => format!(" ×{}", s.parallel),
        CacheLayout::Unified => format!(" shared by {}", s.parallel),
    }
}
