//! Live gauges of the selected model: what the device holds against what it offers, the host
//! RAM part when offloaded, headroom, speed, the largest contexts, the "why" line, and charts of
//! memory and speed against context when there is room.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::browser::verdict_style;
use super::{chart, HitMap, Theme};
use crate::app::frame::Details;
use crate::app::App;
use crate::estimate::speed::calibrated;
use crate::estimate::units::{fmt_duration, fmt_gb, fmt_gib, fmt_gib_signed, fmt_tokens, GIB};
use crate::estimate::{Backend, Estimate, Hardware, Verdict};

/// Glyphs of the stacked bar: weights, KV, state, overhead (distinct without colour).
const GLYPHS: [char; 4] = ['█', '▓', '▒', '░'];

/// Text lines the gauges need before a chart gets room.
const TEXT_LINES: u16 = 12;

pub fn render(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, hits: &mut HitMap) {
    hits.gauges = area;
    let Some(d) = app.frame.details.as_ref() else {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(" Estimate ")
            .border_style(theme.border);
        frame.render_widget(Paragraph::new("no model selected").block(block), area);
        return;
    };
    let model = app.model(d.id);
    let title = match d.training {
        Some((ts, _)) => format!(" {} · {} fine-tuning ", model.name, ts.method),
        None => format!(" {} · {} ", model.name, d.settings.quant),
    };
    let block = theme.panel(title, false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if d.training.is_some() {
        let lines = super::beyond::training_lines(d, model.params, theme);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        return;
    }
    let hw = app.hw();
    let lines = text_lines(d, hw, theme, inner.width);
    let chart_height = if inner.height >= TEXT_LINES + 8 {
        (inner.height - TEXT_LINES).min(14)
    } else {
        0
    };
    let [text_area, chart_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(chart_height)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), text_area);
    if chart_height > 0 {
        chart::render(frame, d, theme, chart_area);
    }
}

/// "GPU", "unified", or "RAM": what the device is on this machine.
fn device_name(hw: &Hardware) -> &'static str {
    if !hw.has_gpu() {
        "RAM"
    } else if hw.unified {
        "unified"
    } else {
        "GPU"
    }
}

fn text_lines(d: &Details, hw: &Hardware, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let e = &d.estimate;
    let s = &d.settings;
    let gib = |b: u64| format!("{:.2}", b as f64 / GIB as f64);
    let cards = match hw.gpus {
        n if n > 1 && !hw.unified => format!(" on {n} cards"),
        _ => String::new(),
    };
    let mut lines: Vec<Line<'static>> = d
        .conflicts
        .iter()
        .map(|c| Line::styled(format!("✗ {c}"), theme.error))
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!("{} ", device_name(hw)), theme.title),
        Span::raw(format!(
            "{} / {}{cards}",
            gib(e.device_bytes),
            fmt_gib(e.device_usable_bytes)
        )),
    ]));
    lines.push(stacked_bar(e, width.saturating_sub(2) as usize, theme));
    lines.push(Line::from(vec![
        Span::styled("█", theme.segments[0]),
        Span::raw(format!(" weights {}  ", gib(e.weights_bytes))),
        Span::styled("▓", theme.segments[1]),
        Span::raw(format!(" KV {} GiB", gib(e.kv_bytes))),
    ]));
    lines.push(Line::from(vec![
        Span::styled("▒", theme.segments[2]),
        Span::raw(format!(" state {}  ", gib(e.state_bytes))),
        Span::styled("░", theme.segments[3]),
        Span::raw(format!(" overhead {} GiB", gib(e.overhead_bytes))),
    ]));
    if e.offloaded() {
        lines.push(Line::from(vec![
            Span::styled("host RAM ", theme.title),
            Span::raw(format!(
                "{} / {} besides",
                gib(e.host_bytes),
                fmt_gib(e.host_usable_bytes)
            )),
        ]));
    }
    lines.push(Line::from(format!(
        "KV at {}{}: {} ({})",
        fmt_tokens(s.context),
        per_sequence(s),
        fmt_gib(e.kv_bytes),
        fmt_gb(e.kv_bytes)
    )));
    lines.push(headroom_line(e, theme));
    lines.push(Line::from(vec![
        Span::styled(
            format!("{} {}", e.verdict.symbol(), e.verdict.label()),
            verdict_style(theme, e),
        ),
        Span::raw(e.placement_note()),
    ]));
    let on_cpu = hw.backend == Backend::Cpu || e.verdict == Verdict::CpuOnly;
    if e.verdict == Verdict::DoesNotFit {
        lines.push(Line::styled("decode —  prefill —", theme.dim));
    } else {
        // The roofline only where it fits on the line (the tips repeat it).
        let roofline = if width >= 48 {
            format!(" · roofline {:.0}", e.roofline_tps)
        } else {
            String::new()
        };
        lines.push(Line::from(format!(
            "decode {:.1} tok/s · {:.1} at {}{roofline}",
            e.decode_tps,
            e.decode_tps_full_context,
            fmt_tokens(s.context),
        )));
        lines.push(Line::from(format!(
            "prefill {:.0} tok/s · TTFT {}",
            e.prefill_tps,
            fmt_duration(e.ttft_s)
        )));
        if on_cpu && !calibrated(Backend::Cpu) {
            lines.push(Line::styled(
                "CPU speed: estimate, uncalibrated",
                theme.warn,
            ));
        }
    }
    lines.push(max_context_line(d, hw));
    lines.extend(super::beyond::extra_lines(d, theme));
    lines.push(Line::from(vec![
        Span::styled("why ", theme.title),
        Span::raw(d.why.clone()),
    ]));
    for advice in &d.advice {
        lines.push(Line::from(vec![
            Span::styled("tip ", theme.key),
            Span::styled(advice.clone(), theme.dim),
        ]));
    }
    lines
}

/// "max ctx GPU 52K · with offload 128K" (one figure on a machine without a GPU).
fn max_context_line(d: &Details, hw: &Hardware) -> Line<'static> {
    let ctx = |c: u32| {
        if c == 0 {
            "none".to_string()
        } else {
            fmt_tokens(c)
        }
    };
    if !hw.has_gpu() {
        return Line::from(format!("max ctx {}", ctx(d.max_ctx_offload)));
    }
    Line::from(format!(
        "max ctx GPU {} · with offload {}",
        ctx(d.max_ctx_gpu),
        ctx(d.max_ctx_offload)
    ))
}

fn stacked_bar(e: &Estimate, width: usize, theme: &Theme) -> Line<'static> {
    let width = width.max(1);
    let parts = [e.weights_bytes, e.kv_bytes, e.state_bytes, e.overhead_bytes];
    let scale = e.device_usable_bytes.max(e.device_bytes).max(1) as f64;
    // Only the device's share is drawn: the parts scaled to what the device holds.
    let total: u64 = parts.iter().sum();
    let k = if total == 0 {
        0.0
    } else {
        e.device_bytes as f64 / total as f64
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

/// How several sequences share the context: "" for one, " = 4×2K" when llama.cpp splits it,
/// " ×4" when each sequence has the whole context (Ollama).
fn per_sequence(s: &crate::estimate::Settings) -> String {
    use crate::estimate::kv::CacheLayout;
    if s.parallel <= 1 {
        return String::new();
    }
    match s.runtime.cache_layout() {
        CacheLayout::Split => format!(" = {}×{}", s.parallel, fmt_tokens(s.context / s.parallel)),
        CacheLayout::PerSequence => format!(" ×{}", s.parallel),
        CacheLayout::Unified => format!(" shared by {}", s.parallel),
    }
}
