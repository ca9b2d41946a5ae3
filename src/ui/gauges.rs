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
use crate::estimate::units::{fmt_duration, fmt_gb, fmt_gib, fmt_gib_signed, fmt_tokens, GIB};
use crate::estimate::{Backend, Estimate, Hardware, Verdict};

/// Glyphs of the stacked bar: weights, KV, state, overhead (distinct without colour).
const GLYPHS: [char; 4] = ['█', '▓', '▒', '░'];

/// The room a multi-GPU split leaves idle, in the bar.
const IDLE_GLYPH: char = '╌';

/// Text lines the gauges need before a chart gets room.
const TEXT_LINES: u16 = 12;

/// How much a line matters when the panel is short: the least important go first, so the
/// verdict and the "why" sentence always show (80×24 included).
type Priority = u8;
/// Never dropped.
const ESSENTIAL: Priority = Priority::MAX;
/// The overhead's parts, line by line.
const DETAIL: Priority = 0;
/// Tips.
const TIP: Priority = 1;
/// Restating what another line shows (KV in GB).
const EXTRA: Priority = 2;
/// Useful but not the answer.
const USEFUL: Priority = 4;
/// Most of the answer.
const MAIN: Priority = 6;

/// Drops the least important lines (the last of equals first) until the wrapped text fits
/// `height` rows of `width` columns.
fn fit_lines(
    mut lines: Vec<(Line<'static>, Priority)>,
    width: u16,
    height: u16,
) -> Vec<Line<'static>> {
    let rows = |ls: &[(Line<'static>, Priority)]| {
        Paragraph::new(ls.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>())
            .wrap(Wrap { trim: true })
            .line_count(width)
    };
    while rows(&lines) > usize::from(height) {
        let least = lines
            .iter()
            .enumerate()
            .filter(|(_, (_, p))| *p != ESSENTIAL)
            .min_by_key(|(i, (_, p))| (*p, usize::MAX - i))
            .map(|(i, _)| i);
        match least {
            Some(i) => {
                lines.remove(i);
            }
            None => break,
        }
    }
    lines.into_iter().map(|(l, _)| l).collect()
}

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
    let lines = fit_lines(lines, text_area.width, text_area.height);
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

fn text_lines(
    d: &Details,
    hw: &Hardware,
    theme: &Theme,
    width: u16,
) -> Vec<(Line<'static>, Priority)> {
    let e = &d.estimate;
    let s = &d.settings;
    let gib = |b: u64| format!("{:.2}", b as f64 / GIB as f64);
    let cards = match hw.gpus {
        n if n > 1 && !hw.unified => format!(" on {n} cards"),
        _ => String::new(),
    };
    let mut lines: Vec<(Line<'static>, Priority)> = d
        .conflicts
        .iter()
        .map(|c| (Line::styled(format!("✗ {c}"), theme.error), ESSENTIAL))
        .collect();
    lines.push((
        Line::from(vec![
            Span::styled(format!("{} ", device_name(hw)), theme.title),
            Span::raw(format!(
                "{} / {}{cards}",
                gib(e.device_bytes),
                fmt_gib(e.device_usable_bytes)
            )),
            // Several cards: the figure counts each as full as the tightest (its headroom is the
            // answer); the parts below add up to what is held, so the idle rest is said.
            Span::styled(
                match e.split_idle_bytes() {
                    0 => String::new(),
                    idle => format!(", {IDLE_GLYPH} {} idle", gib(idle)),
                },
                theme.dim,
            ),
        ]),
        ESSENTIAL,
    ));
    lines.push((
        stacked_bar(e, width.saturating_sub(2) as usize, theme),
        ESSENTIAL,
    ));
    lines.push((
        Line::from(vec![
            Span::styled("█", theme.segments[0]),
            Span::raw(format!(" weights {}  ", gib(e.weights_bytes))),
            Span::styled("▓", theme.segments[1]),
            Span::raw(format!(" KV {} GiB", gib(e.kv_bytes))),
        ]),
        MAIN,
    ));
    lines.push((
        Line::from(vec![
            Span::styled("▒", theme.segments[2]),
            Span::raw(format!(" state {}  ", gib(e.state_bytes))),
            Span::styled("░", theme.segments[3]),
            Span::raw(format!(" overhead {} GiB", gib(overhead_and_vision(e)))),
        ]),
        USEFUL,
    ));
    // Each overhead part on its own (docs/accuracy.md sources them), as `fit` lists them.
    let parts: Vec<String> = crate::estimate::overhead_parts(hw, e)
        .iter()
        .map(|p| format!("{} {}", p.name, gib(p.bytes)))
        .collect();
    lines.push((
        Line::styled(format!("  {} GiB", parts.join(" · ")), theme.dim),
        DETAIL,
    ));
    if e.projector_bytes > 0 {
        lines.push((
            Line::styled(
                format!(
                    "  vision mmproj {} + image {}",
                    gib(e.projector_bytes),
                    gib(e.projector_compute_bytes)
                ),
                theme.dim,
            ),
            USEFUL,
        ));
    }
    // The host's share even when everything runs on the GPU (token embedding, host buffers),
    // so that the device and host lines add up to the parts above.
    if e.host_bytes > 0 {
        lines.push((
            Line::from(vec![
                Span::styled("host RAM ", theme.title),
                Span::raw(format!(
                    "{} / {} besides",
                    gib(e.host_bytes),
                    fmt_gib(e.host_usable_bytes)
                )),
            ]),
            if e.offloaded() { MAIN } else { USEFUL },
        ));
    }
    lines.push((
        Line::from(format!(
            "KV at {}{}: {} ({})",
            fmt_tokens(s.context),
            per_sequence(s),
            fmt_gib(e.kv_bytes),
            fmt_gb(e.kv_bytes)
        )),
        EXTRA,
    ));
    lines.push((headroom_line(e, theme), MAIN));
    lines.push((
        Line::from(vec![
            Span::styled(
                format!("{} {}", e.verdict.symbol(), e.verdict.label()),
                verdict_style(theme, e),
            ),
            Span::raw(e.placement_note()),
        ]),
        ESSENTIAL,
    ));
    if e.verdict == Verdict::DoesNotFit {
        lines.push((Line::styled("decode —  prefill —", theme.dim), MAIN));
    } else {
        // The roofline only where it fits on the line (the tips repeat it).
        let roofline = if width >= 48 {
            format!(" · roofline {:.0}", e.roofline_tps)
        } else {
            String::new()
        };
        lines.push((
            Line::from(format!(
                "decode {:.1} tok/s · {:.1} at {}{roofline}",
                e.decode_tps,
                e.decode_tps_full_context,
                fmt_tokens(s.context),
            )),
            MAIN,
        ));
        lines.push((
            Line::from(format!(
                "prefill {:.0} tok/s · TTFT {}",
                e.prefill_tps,
                fmt_duration(e.ttft_s)
            )),
            MAIN,
        ));
        if let Some(m) = &hw.measured {
            lines.push((
                Line::styled(format!("speed {}", crate::calibrate::label(m)), theme.dim),
                USEFUL,
            ));
        } else if hw.backend == Backend::Cpu {
            let class = hw.cpu_class.unwrap_or_default().name();
            lines.push((
                Line::styled(format!("CPU speed: {class} cores, fitted rates"), theme.dim),
                USEFUL,
            ));
        }
    }
    lines.push((max_context_line(d, hw), MAIN));
    lines.extend(
        super::beyond::extra_lines(d, theme)
            .into_iter()
            .map(|l| (l, USEFUL)),
    );
    lines.push((
        Line::from(vec![
            Span::styled("why ", theme.title),
            Span::raw(d.why.clone()),
        ]),
        ESSENTIAL,
    ));
    for advice in &d.advice {
        lines.push((
            Line::from(vec![
                Span::styled("tip ", theme.key),
                Span::styled(advice.clone(), theme.dim),
            ]),
            TIP,
        ));
    }
    lines
}

/// The overhead with the vision projector: the bar's last segment and its legend.
fn overhead_and_vision(e: &Estimate) -> u64 {
    e.overhead_bytes
        .saturating_add(e.projector_bytes)
        .saturating_add(e.projector_compute_bytes)
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
    let parts = [
        e.weights_bytes,
        e.kv_bytes,
        e.state_bytes,
        overhead_and_vision(e),
    ];
    let scale = e.device_usable_bytes.max(e.device_bytes).max(1) as f64;
    // Only the device's share is drawn: the parts scaled to what the GPUs hold, then the room
    // a multi-GPU split leaves idle (the device figure counts it).
    let total: u64 = parts.iter().sum();
    let k = if total == 0 {
        0.0
    } else {
        e.device_held_bytes as f64 / total as f64
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
    let idle = ((e.split_idle_bytes() as f64 / scale) * width as f64).round() as usize;
    let idle = idle.min(width - drawn);
    drawn += idle;
    spans.push(Span::styled(IDLE_GLYPH.to_string().repeat(idle), theme.dim));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_panels_drop_details_and_tips_before_the_why() {
        let line = |s: &str, p| (Line::from(s.to_string()), p);
        let lines = vec![
            line("GPU 5.96 / 24.00 GiB", ESSENTIAL),
            line("compute 0.12 · CUDA context 0.51 · cuBLAS 0.03", DETAIL),
            line("KV at 8K: 1.00 GiB", EXTRA),
            line("✓ fits on GPU", ESSENTIAL),
            line(
                "why weights dominate; 18.04 GiB to spare on this card",
                ESSENTIAL,
            ),
            line("tip decode is memory-bound", TIP),
        ];
        // 36 columns: the why takes two rows; five rows leave room for one more line.
        let kept = fit_lines(lines.clone(), 36, 5);
        let text: Vec<String> = kept.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "GPU 5.96 / 24.00 GiB",
                "KV at 8K: 1.00 GiB",
                "✓ fits on GPU",
                "why weights dominate; 18.04 GiB to spare on this card"
            ]
        );
        assert_eq!(fit_lines(lines, 80, 20).len(), 6, "room for all");
    }
}
