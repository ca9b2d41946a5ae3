//! The comparison view: models × hardware at the current settings. Each cell shows the verdict
//! and decode tok/s, memory on the device of what it offers, and the largest context (on the
//! GPU / with offload) with the time to first token, or the largest quant that fits. Rows
//! scroll; the first visible row's tok/s per machine is drawn as bars when there is room.

use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::browser::{fit_width, tps, verdict_style, LEGEND};
use super::{HitMap, Theme};
use crate::app::frame::CompareCell;
use crate::app::{group_thousands, App};
use crate::estimate::hardware::HardwareKind;
use crate::estimate::units::fmt_duration_compact;
use crate::estimate::units::{fmt_tokens_floor_k, GIB};
use crate::estimate::{Hardware, Verdict};

/// Lines per model row: verdict and speed, memory, context and TTFT.
const LINES_PER_ROW: u16 = 3;
/// Height of the bars under the rows, when the rows leave room.
const BARS_HEIGHT: u16 = 7;

pub fn render(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, hits: &mut HitMap) {
    frame.render_widget(Clear, area);
    let s = app.settings;
    let title = format!(
        " Compare · {} · {} tokens · KV {} · {} seq · {} ",
        s.quant,
        group_thousands(s.context),
        s.kv_type,
        s.parallel,
        s.runtime
    );
    let block = theme.panel(title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = app.compare_columns();
    if cols.is_empty() || inner.width < 30 || inner.height < 8 {
        return;
    }
    // Names get what 16-column cells leave, between 12 and 28 columns.
    let name_w = inner
        .width
        .saturating_sub(cols.len() as u16 * 16)
        .clamp(12, 28);
    let col_w = ((inner.width - name_w) / cols.len() as u16).max(8);
    let legend =
        Paragraph::new(Line::styled(legend_text(app), theme.dim)).wrap(Wrap { trim: true });
    // As many lines as the legend takes at this width (3 at 80 columns), so none is cut.
    let legend_h = legend.line_count(inner.width).clamp(1, 4) as u16;
    // Header (2), cost (1), "n more" (1), legend.
    let fixed = 4 + legend_h;
    let room = inner.height.saturating_sub(fixed);
    let all_rows = app.compare_rows_all().len();
    let bars = room >= BARS_HEIGHT + 2 * LINES_PER_ROW && all_rows > 0;
    let row_room = room - if bars { BARS_HEIGHT } else { 0 };
    hits.compare_rows = (row_room / LINES_PER_ROW).max(1);
    let line = |dy: u16| Rect {
        y: inner.y + dy,
        height: 1,
        ..inner
    };

    // Two header lines: what each machine is, then its detail (or its memory).
    let mut top = vec![Span::styled(fit("model", name_w), theme.title)];
    let mut second = vec![Span::raw(" ".repeat(name_w as usize))];
    for &c in &cols {
        let (a, b) = column_label(app.hw_at(c), col_w as usize - 1);
        top.push(Span::styled(fit(&a, col_w), theme.title));
        second.push(Span::styled(fit(&b, col_w), theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(top)), line(0));
    frame.render_widget(Paragraph::new(Line::from(second)), line(1));
    // Price and months to break even against the API bill, per column.
    let mut cost = vec![Span::styled(
        fit(
            &format!("${:.0}/mo API →", app.costs.api_usd_per_month),
            name_w,
        ),
        theme.dim,
    )];
    for &c in &cols {
        let h = app.hw_at(c);
        let wide = col_w >= 13;
        let text = match (h.price_usd, app.costs.break_even(h)) {
            (Some(p), Some(m)) if wide => format!(" ${p:.0} {m:.0} mo"),
            (Some(_), Some(m)) => format!(" {m:.0} mo"),
            (Some(p), None) if wide => format!(" ${p:.0} never"),
            (Some(_), None) => " never".to_string(),
            (None, _) => " n/a".to_string(),
        };
        cost.push(Span::styled(fit(&text, col_w), theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(cost)), line(2));

    let shown = app.frame.compare.len().min(hits.compare_rows as usize);
    for (r, row) in app.frame.compare.iter().take(shown).enumerate() {
        let y = 3 + r as u16 * LINES_PER_ROW;
        let name = fit_width(&app.model(row.id).name, name_w as usize - 1);
        let mut lines = [
            vec![Span::styled(fit(&name, name_w), theme.title)],
            vec![Span::raw(" ".repeat(name_w as usize))],
            vec![Span::raw(" ".repeat(name_w as usize))],
        ];
        for (i, cell) in row.cells.iter().enumerate() {
            let best = row.cheapest == Some(i);
            let [a, b, c] = cell_lines(cell, col_w, best);
            let mut style = verdict_style(theme, &cell.estimate);
            if best {
                style = style.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
            }
            lines[0].push(Span::styled(a, style));
            lines[1].push(Span::raw(b));
            lines[2].push(Span::styled(c, theme.dim));
        }
        for (dy, spans) in lines.into_iter().enumerate() {
            frame.render_widget(Paragraph::new(Line::from(spans)), line(y + dy as u16));
        }
    }
    let after_rows = 3 + shown as u16 * LINES_PER_ROW;
    let hidden_above = app.compare_scroll;
    let hidden_below = all_rows.saturating_sub(app.compare_scroll + shown);
    if hidden_above + hidden_below > 0 {
        let text = format!(
            "{} more below · {} above · ↑/↓ scroll",
            hidden_below, hidden_above
        );
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.key)),
            line(after_rows),
        );
    }
    if bars {
        if let Some(row) = app.frame.compare.first() {
            let area = Rect {
                x: inner.x,
                y: inner.y + inner.height - legend_h - BARS_HEIGHT,
                width: inner.width,
                height: BARS_HEIGHT,
            };
            render_bars(frame, app, theme, area, row.id, &row.cells, name_w, col_w);
        }
    }
    frame.render_widget(
        legend,
        Rect {
            y: inner.y + inner.height - legend_h,
            height: legend_h,
            ..inner
        },
    );
}

/// What the symbols and the cells' lines mean, and where the rows and columns come from.
fn legend_text(app: &App) -> String {
    let src = if app.marked_models.is_empty() {
        "rows: search results (m marks models)"
    } else {
        "rows: marked models"
    };
    let cols_src = if app.marked_hardware.is_empty() {
        "columns: memory tiers (Tab in H marks machines)"
    } else {
        "columns: marked hardware"
    };
    format!(
        "{}· * cheapest with ≥10% free · cells: tok/s · GiB device/usable (+RAM) · max ctx GPU/offload · TTFT · {src} · {cols_src}",
        LEGEND.trim_start()
    )
}

/// The three lines of a cell, each `w` wide.
fn cell_lines(cell: &CompareCell, w: u16, best: bool) -> [String; 3] {
    let e = &cell.estimate;
    let star = if best { "*" } else { " " };
    let unit = if w >= 12 { " t/s" } else { "" };
    let speed = match e.verdict {
        Verdict::DoesNotFit => "—".to_string(),
        _ => format!("{}{unit}", tps(e)),
    };
    // The CLI's "used/usable" string where the cell has room; narrow cells keep the used
    // figure whole and round the device's usable GiB.
    let full = format!(" {}", e.memory_of_usable_gib());
    let memory = if full.chars().count() <= usize::from(w) {
        full
    } else {
        let usable = e.device_usable_bytes as f64 / GIB as f64;
        format!(" {}/{usable:.0}", e.memory_gib())
    };
    let third = if e.verdict == Verdict::DoesNotFit {
        cell.best_quant
            .map_or(" nothing fits".to_string(), |q| format!(" {q} fits"))
    } else {
        // Whole K rounded down, so "≤" stays true; the TTFT only where the cell has room.
        let (gpu, offload) = cell.max_ctx;
        let ctx = format!(
            " ≤{}/{}",
            fmt_tokens_floor_k(gpu),
            fmt_tokens_floor_k(offload)
        );
        let with_ttft = format!("{ctx} {}", fmt_duration_compact(e.ttft_s));
        if with_ttft.chars().count() < usize::from(w) {
            with_ttft
        } else {
            ctx
        }
    };
    [
        fit(&format!("{star}{} {speed}", e.verdict.symbol()), w),
        fit(&memory, w),
        fit(&third, w),
    ]
}

/// Decode tok/s of one model on every column, as bars under the columns.
#[allow(clippy::too_many_arguments)]
fn render_bars(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    id: u32,
    cells: &[CompareCell],
    name_w: u16,
    col_w: u16,
) {
    let label = fit_width(&app.model(id).name, name_w as usize - 1);
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(label, theme.title),
            Line::styled("decode tok/s", theme.dim),
        ]),
        Rect {
            width: name_w,
            ..area
        },
    );
    let bars: Vec<Bar> = cells
        .iter()
        .map(|c| {
            let v = if c.estimate.verdict == Verdict::DoesNotFit {
                0
            } else {
                c.estimate.decode_tps.round() as u64
            };
            Bar::default()
                .value(v)
                .text_value(if v == 0 { "—".into() } else { v.to_string() })
                .style(verdict_style(theme, &c.estimate))
        })
        .collect();
    // One bar under each column.
    let bar_width = col_w.saturating_sub(2).clamp(1, 10);
    let chart = BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(bar_width)
        .bar_gap(col_w - bar_width)
        .value_style(theme.title.add_modifier(Modifier::REVERSED));
    frame.render_widget(
        chart,
        Rect {
            x: area.x + name_w + 1,
            width: area.width.saturating_sub(name_w + 1),
            ..area
        },
    );
}

/// Two header lines for a machine: a tier says what it is ("Mac 24 GB" / "GPU 24 GB") with its
/// class below; a preset gives its name, without the vendor when narrow, and its memory below.
fn column_label(h: &Hardware, w: usize) -> (String, String) {
    // "Apple M4 Pro (20-core GPU) 48 GB" → "Apple M4 Pro 48 GB" and "20-core GPU".
    let (name, detail) = match h.name.split_once(" (") {
        Some((n, rest)) => match rest.split_once(')') {
            Some((d, tail)) => (format!("{n}{tail}"), d),
            None => (n.to_string(), rest),
        },
        None => (h.name.clone(), ""),
    };
    let name = name.as_str();
    let gb = format!("{:.0} GB", h.memory as f64 / GIB as f64);
    if h.kind == HardwareKind::Tier {
        let kind = if h.unified { "Mac" } else { "GPU" };
        let label = format!("{kind} {gb}");
        return if label.chars().count() <= w {
            (label, detail.to_string())
        } else {
            (kind.to_string(), gb)
        };
    }
    if name.chars().count() <= w {
        return (name.to_string(), detail.to_string());
    }
    let bare = ["NVIDIA ", "AMD ", "Apple ", "Intel "]
        .iter()
        .find_map(|v| name.strip_prefix(v))
        .unwrap_or(name);
    (bare.to_string(), gb)
}

/// `s` in exactly `w` columns: cut with an ellipsis when longer, padded when shorter.
fn fit(s: &str, w: u16) -> String {
    let w = w as usize;
    let t = fit_width(s, w.saturating_sub(1));
    format!("{t:<w$}")
}
