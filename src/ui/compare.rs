//! The comparison view: models × hardware at the current settings. Each cell shows the verdict,
//! memory used of usable, decode tok/s and time to first token, the best quantization that fits
//! and the largest context; the cheapest column where a row first fits comfortably is marked.

use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::Theme;
use crate::app::{group_thousands, App};
use crate::estimate::quant::QUANTS;
use crate::estimate::units::GIB;
use crate::estimate::Verdict;

pub fn render(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    frame.render_widget(Clear, area);
    let s = app.settings;
    let title = format!(
        " Compare · {} · {} tokens · KV {} · {} seq · {} (T/Esc close, ←→ +/- adjust) ",
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
    if cols.is_empty() || inner.width < 30 || inner.height < 6 {
        return;
    }
    let name_w = (inner.width / 6).clamp(14, 28);
    let col_w = ((inner.width - name_w) / cols.len() as u16).max(8);
    let lines_per_row = if inner.height >= 30 { 3 } else { 2 };
    // Header, cost line and footer take three lines.
    let max_rows = ((inner.height - 3) / lines_per_row) as usize;
    let rows = app.compare_rows(max_rows);
    // Header: hardware names (and price) per column.
    let mut header = vec![Span::styled(
        format!("{:<w$}", "model", w = name_w as usize),
        theme.title,
    )];
    for &c in &cols {
        let h = &app.hardware[c];
        let mut label = column_label(&h.name);
        if label.chars().count() >= col_w as usize {
            label = label.trim_end_matches(" unified");
        }
        let name = short(label, col_w as usize - 1);
        header.push(Span::styled(
            format!("{name:<w$}", w = col_w as usize),
            theme.title,
        ));
    }
    frame.render_widget(
        Paragraph::new(Line::from(header)),
        Rect { height: 1, ..inner },
    );
    // Price and months to break even against the API bill, per column.
    let mut cost = vec![Span::styled(
        fit(
            &format!("${:.0}/mo API →", app.costs.api_usd_per_month),
            name_w,
        ),
        theme.dim,
    )];
    for &c in &cols {
        let h = &app.hardware[c];
        // Narrow columns drop the price and keep the months.
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
    frame.render_widget(
        Paragraph::new(Line::from(cost)),
        Rect {
            y: inner.y + 1,
            height: 1,
            ..inner
        },
    );
    for (r, &id) in rows.iter().enumerate() {
        let cells: Vec<_> = cols
            .iter()
            .map(|&c| (c, app.estimate_on(id, c, None)))
            .collect();
        // Cheapest column (by price, else by memory) where the row fits with ≥ 10 % headroom.
        let comfortable = |e: &crate::estimate::Estimate| {
            e.verdict == Verdict::FitsOnGpu
                && e.headroom_bytes as f64 >= 0.1 * e.usable_bytes as f64
        };
        let cost = |c: usize| {
            app.hardware[c]
                .price_usd
                .unwrap_or(app.hardware[c].memory as f64 / 1e6)
        };
        let cheapest = cells
            .iter()
            .filter(|(_, e)| comfortable(e))
            .map(|(c, _)| *c)
            .min_by(|a, b| cost(*a).total_cmp(&cost(*b)));
        let y = inner.y + 2 + r as u16 * lines_per_row;
        let name = short(&app.model(id).name, name_w as usize - 1);
        let mut line1 = vec![Span::styled(
            format!("{name:<w$}", w = name_w as usize),
            theme.title,
        )];
        let mut line2 = vec![Span::raw(" ".repeat(name_w as usize))];
        let mut line3 = vec![Span::raw(" ".repeat(name_w as usize))];
        for (c, e) in &cells {
            let best = Some(*c) == cheapest;
            let mut style = super::browser::verdict_style(theme, e);
            if best {
                style = style.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
            }
            let star = if best { "*" } else { " " };
            let speed = if e.verdict == Verdict::DoesNotFit {
                "—".to_string()
            } else {
                format!(
                    "{:.0}{}",
                    e.decode_tps,
                    if col_w >= 12 { " t/s" } else { "" }
                )
            };
            line1.push(Span::styled(
                fit(&format!("{star}{} {speed}", e.verdict.symbol()), col_w),
                style,
            ));
            line2.push(Span::raw(fit(
                &format!(
                    " {:.1}/{:.0}{}",
                    e.used_bytes as f64 / GIB as f64,
                    e.usable_bytes as f64 / GIB as f64,
                    if col_w >= 13 { " GiB" } else { "" }
                ),
                col_w,
            )));
            if lines_per_row >= 3 {
                let extra = if e.verdict == Verdict::DoesNotFit {
                    best_quant(app, id, *c)
                        .map_or(" nothing fits".to_string(), |q| format!(" {q} fits"))
                } else {
                    format!(
                        " ≤{} {}",
                        short_ctx(app.max_context_on(id, *c)),
                        secs(e.ttft_s)
                    )
                };
                line3.push(Span::styled(fit(&extra, col_w), theme.dim));
            }
        }
        let put = |frame: &mut Frame, dy: u16, spans: Vec<Span<'static>>| {
            if y + dy < inner.y + inner.height {
                frame.render_widget(
                    Paragraph::new(Line::from(spans)),
                    Rect {
                        y: y + dy,
                        height: 1,
                        ..inner
                    },
                );
            }
        };
        put(frame, 0, line1);
        put(frame, 1, line2);
        if lines_per_row >= 3 {
            put(frame, 2, line3);
        }
    }
    let foot = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    let src = if app.marked_models.is_empty() {
        "rows: search results (m marks models)"
    } else {
        "rows: marked models"
    };
    let cols_src = if app.marked_hardware.is_empty() {
        "columns: memory tiers (Tab in the H picker marks hardware)"
    } else {
        "columns: marked hardware"
    };
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!("* cheapest comfortable fit · cell: decode tok/s, GiB used/usable, max context · TTFT · [ ] API spend · {src} · {cols_src}"),
            theme.dim,
        )),
        foot,
    );
}

/// A hardware name without its parenthesised detail: "16 GB unified (M4-class…)" → "16 GB unified".
fn column_label(name: &str) -> &str {
    name.split(" (").next().unwrap_or(name)
}

fn best_quant(app: &mut App, id: u32, c: usize) -> Option<&'static str> {
    let gguf = app.settings.quant.is_gguf();
    QUANTS
        .iter()
        .filter(|q| q.is_gguf() == gguf)
        .find(|q| app.estimate_on(id, c, Some(**q)).verdict == Verdict::FitsOnGpu)
        .map(|q| q.label())
}

fn fit(s: &str, w: u16) -> String {
    let w = w as usize;
    let t: String = s.chars().take(w.saturating_sub(1)).collect();
    format!("{t:<w$}")
}

fn short(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn short_ctx(n: u32) -> String {
    if n >= 1024 {
        format!("{}K", n / 1024)
    } else {
        n.to_string()
    }
}

fn secs(s: f64) -> String {
    if !s.is_finite() {
        "—".into()
    } else if s < 1.0 {
        format!("{:.0}ms", s * 1000.0)
    } else if s < 10.0 {
        format!("{s:.1}s")
    } else if s < 600.0 {
        format!("{s:.0}s")
    } else {
        format!("{:.0}min", s / 60.0)
    }
}
