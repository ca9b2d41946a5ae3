//! The model browser: visible rows only, name highlighted where it matched.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{HitMap, Theme};
use crate::app::{App, Focus, Mode};
use crate::estimate::{Estimate, Verdict};
use crate::search::match_indices;

pub fn render(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect, hits: &mut HitMap) {
    let focused = app.focus == Focus::Browser && app.mode != Mode::Picker;
    let title = format!(
        " Models {}/{} · sort: {}{} ",
        app.rows.len(),
        app.search.total(),
        app.sort.label(),
        if app.sorting { " (sorting…)" } else { "" }
    );
    let block = theme.panel(title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    hits.browser = area;
    if inner.height < 3 || inner.width < 20 {
        return;
    }
    // Search line.
    let search_style = if app.mode == Mode::Search {
        theme.key
    } else {
        theme.dim
    };
    let cursor = if app.mode == Mode::Search { "▏" } else { "" };
    let search = Line::from(vec![
        Span::styled("/ ", search_style),
        Span::raw(app.query.clone()),
        Span::styled(cursor, theme.key),
    ]);
    frame.render_widget(Paragraph::new(search), Rect { height: 1, ..inner });
    // Header.
    let widths = Widths::for_width(inner.width);
    let header = Rect {
        y: inner.y + 1,
        height: 1,
        ..inner
    };
    frame.render_widget(
        Paragraph::new(widths.row("model", "params", "memory", " ", "tok/s")).style(theme.title),
        header,
    );
    let rows_area = Rect {
        y: inner.y + 2,
        height: inner.height - 2,
        ..inner
    };
    hits.first_row_y = rows_area.y;
    app.page = rows_area.height as usize;
    app.clamp_selection();
    if app.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no model matches", theme.dim)),
            rows_area,
        );
        return;
    }
    let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
    let mut indices = Vec::new();
    let end = (app.offset + rows_area.height as usize).min(app.rows.len());
    for (line_no, pos) in (app.offset..end).enumerate() {
        let id = app.rows[pos];
        let e = app.estimate_of(id);
        let installed = app.is_installed(id);
        let model = app.model(id);
        // "●" marks a model with a file on disk (Ollama, LM Studio, HF cache, …).
        let name = fit_width(&model.name, widths.name.saturating_sub(2));
        match_indices(&app.query, &name, &mut matcher, &mut indices);
        let marked = app.marked_models.contains(&id);
        let mark = Span::styled(
            match (installed, marked) {
                (true, true) => "●+",
                (true, false) => "● ",
                (false, true) => " +",
                (false, false) => "  ",
            },
            theme.ok,
        );
        let mut spans: Vec<Span> = std::iter::once(mark)
            .chain(name.chars().enumerate().map(|(i, ch)| {
                let style = if indices.binary_search(&(i as u32)).is_ok() {
                    theme.matched
                } else {
                    Style::new()
                };
                Span::styled(ch.to_string(), style)
            }))
            .collect();
        spans.push(Span::raw(
            " ".repeat(widths.name.saturating_sub(name.chars().count() + 2) + 1),
        ));
        let params = if model.active() < model.params {
            format!(
                "{}/{}",
                short_params(model.params),
                short_params(model.active())
            )
        } else {
            short_params(model.params)
        };
        spans.push(Span::raw(format!("{params:>w$} ", w = widths.params)));
        spans.push(Span::raw(format!(
            "{:>w$} ",
            gb_short(e.total_bytes),
            w = widths.mem
        )));
        spans.push(Span::styled(
            format!("{} ", e.verdict.symbol()),
            verdict_style(theme, &e),
        ));
        spans.push(Span::raw(format!("{:>w$}", tps(&e), w = widths.tps)));
        let mut line = Line::from(spans);
        if pos == app.selected {
            line = line.style(theme.selected);
        }
        let y = rows_area.y + line_no as u16;
        frame.render_widget(
            Paragraph::new(line),
            Rect {
                y,
                height: 1,
                ..rows_area
            },
        );
    }
}

/// Colour of a verdict (the symbol carries it without colour).
pub fn verdict_style(theme: &Theme, e: &Estimate) -> Style {
    match e.verdict {
        Verdict::FitsOnGpu if e.headroom_bytes < e.usable_bytes as i64 / 10 => theme.warn,
        Verdict::FitsOnGpu => theme.ok,
        Verdict::PartialOffload | Verdict::CpuOnly => theme.warn,
        Verdict::DoesNotFit => theme.error,
    }
}

fn tps(e: &Estimate) -> String {
    if e.verdict == Verdict::DoesNotFit {
        "—".into()
    } else if e.decode_tps >= 100.0 {
        format!("{:.0}", e.decode_tps)
    } else {
        format!("{:.1}", e.decode_tps)
    }
}

/// "6.8 GB", "412 GB" (decimal GB, the browser's memory column).
fn gb_short(bytes: u64) -> String {
    let gb = bytes as f64 / 1e9;
    if gb >= 100.0 {
        format!("{gb:.0} GB")
    } else {
        format!("{gb:.1} GB")
    }
}

/// "8.0B", "671B", "0.6B".
pub fn short_params(n: u64) -> String {
    let b = n as f64 / 1e9;
    if b >= 100.0 {
        format!("{b:.0}B")
    } else {
        format!("{b:.1}B")
    }
}

fn fit_width(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

struct Widths {
    name: usize,
    params: usize,
    mem: usize,
    tps: usize,
}

impl Widths {
    fn for_width(w: u16) -> Widths {
        let (params, mem, tps) = (10, 7, 5);
        let fixed = params + mem + tps + 2 + 4;
        Widths {
            name: (w as usize).saturating_sub(fixed).max(8),
            params,
            mem,
            tps,
        }
    }

    fn row(&self, name: &str, params: &str, mem: &str, fit: &str, tps: &str) -> String {
        format!(
            "{name:<nw$} {params:>pw$} {mem:>mw$} {fit} {tps:>tw$}",
            nw = self.name,
            pw = self.params,
            mw = self.mem,
            tw = self.tps
        )
    }
}
