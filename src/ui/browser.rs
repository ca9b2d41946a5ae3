//! The model browser: visible rows only, name highlighted where it matched.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{HitMap, Theme};
use crate::app::{App, Focus, Mode, SortKey};
use crate::estimate::{Estimate, Verdict};
use crate::quality::{metric_label, metric_short};

/// What the verdict symbols mean (bottom border of the list).
pub const LEGEND: &str = " ✓ GPU  ~ part in RAM  c CPU  ✗ no fit ";

pub fn render(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, hits: &mut HitMap) {
    let focused = app.focus == Focus::Browser && matches!(app.mode, Mode::Browse | Mode::Search);
    let sort = match app.sort {
        SortKey::Quality => format!("best for {}", app.rec.use_case()),
        key => key.label().to_string(),
    };
    let counts = format!("{}/{}", app.rows.len(), app.search.total());
    let mut title = format!(
        " Models {counts}{} · sort: {sort}{}{} ",
        if app.fits_only { " fitting" } else { "" },
        if app.reverse { ", reversed" } else { "" },
        if app.sorting { " (sorting…)" } else { "" }
    );
    // Narrow panels (80 columns) get the same facts in short words rather than a cut title.
    if title.chars().count() + 2 > usize::from(area.width) {
        title = format!(
            " {counts}{} · {sort}{}{} ",
            if app.fits_only { " fit" } else { "" },
            if app.reverse { " ↑" } else { "" },
            if app.sorting { " …" } else { "" }
        );
    }
    let block = theme
        .panel(title, focused)
        .title_bottom(Line::styled(LEGEND, theme.dim));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    hits.browser = area;
    if inner.height < 3 || inner.width < 20 {
        return;
    }
    frame.render_widget(
        Paragraph::new(search_line(app, theme, inner.width)),
        Rect { height: 1, ..inner },
    );
    let widths = Widths::for_width(inner.width, app.sort == SortKey::Quality);
    let metric = app.rec.metric();
    frame.render_widget(
        Paragraph::new(widths.row("model", "params", metric_short(metric), "GiB", " ", "tok/s"))
            .style(theme.title),
        Rect {
            y: inner.y + 1,
            height: 1,
            ..inner
        },
    );
    let rows_area = Rect {
        y: inner.y + 2,
        height: inner.height - 2,
        ..inner
    };
    hits.first_row_y = rows_area.y;
    hits.list_rows = rows_area.height;
    if app.rows.is_empty() {
        let msg = if app.fits_only && !app.search.matched_ids().is_empty() {
            "no model fits on the GPU at these settings (F shows all)".to_string()
        } else if app.query.is_empty() {
            "no models in the catalog".to_string()
        } else if let Some(status) = &app.hub.status {
            status.clone()
        } else if app.offers_fetch() {
            format!(
                "no model matches '{}': Enter (in the search) fetches it from Hugging Face",
                app.query.trim()
            )
        } else {
            format!("no model matches '{}' (Ctrl-U or Esc clears)", app.query)
        };
        // Wrapped: at 80 columns a long query would cut the way out of it.
        frame.render_widget(
            Paragraph::new(Span::styled(msg, theme.dim))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            rows_area,
        );
        return;
    }
    for (line_no, row) in app
        .frame
        .rows
        .iter()
        .take(rows_area.height as usize)
        .enumerate()
    {
        let pos = app.offset + line_no;
        let model = app.model(row.id);
        let e = &row.estimate;
        let name = fit_width(&model.name, widths.name.saturating_sub(2));
        // "●" marks a model with a file on disk (Ollama, LM Studio, HF cache, …).
        let mark = Span::styled(
            match (
                app.is_installed(row.id),
                app.marked_models.contains(&row.id),
            ) {
                (true, true) => "●+",
                (true, false) => "● ",
                (false, true) => " +",
                (false, false) => "  ",
            },
            theme.ok,
        );
        let mut spans: Vec<Span> = std::iter::once(mark)
            .chain(name.chars().enumerate().map(|(i, ch)| {
                let style = if row.matched.binary_search(&(i as u32)).is_ok() {
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
        spans.push(Span::raw(widths.params(&params)));
        if widths.quality > 0 {
            let q = app.quality_of(row.id).map_or_else(
                || "—".to_string(),
                |v| score_text(v, metric_label(metric).1),
            );
            spans.push(Span::raw(format!("{q:>w$} ", w = widths.quality)));
        }
        spans.push(Span::raw(format!(
            "{:>w$} ",
            e.memory_gib(),
            w = widths.mem
        )));
        spans.push(Span::styled(
            format!("{} ", e.verdict.symbol()),
            verdict_style(theme, e),
        ));
        spans.push(Span::raw(format!("{:>w$}", tps(e), w = widths.tps)));
        let mut line = Line::from(spans);
        if pos == app.selected {
            line = line.style(theme.selected);
        }
        frame.render_widget(
            Paragraph::new(line),
            Rect {
                y: rows_area.y + line_no as u16,
                height: 1,
                ..rows_area
            },
        );
    }
}

/// "/ query▏", scrolled so the end of a long query (where the cursor is) stays visible.
fn search_line<'a>(app: &'a App, theme: &Theme, width: u16) -> Line<'a> {
    let typing = app.mode == Mode::Search;
    let room = (width as usize).saturating_sub(4);
    let chars = app.query.chars().count();
    let shown: String = if chars > room {
        let tail: String = app.query.chars().skip(chars - room + 1).collect();
        format!("…{tail}")
    } else {
        app.query.clone()
    };
    Line::from(vec![
        Span::styled("/ ", if typing { theme.key } else { theme.dim }),
        Span::raw(shown),
        Span::styled(if typing { "▏" } else { "" }, theme.key),
    ])
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

/// Decode tok/s, "—" when it does not run.
pub fn tps(e: &Estimate) -> String {
    if e.verdict == Verdict::DoesNotFit {
        "—".into()
    } else if e.decode_tps >= 100.0 {
        format!("{:.0}", e.decode_tps)
    } else {
        format!("{:.1}", e.decode_tps)
    }
}

/// A score as the list shows it: Elo whole, percentages to one decimal.
pub fn score_text(v: f64, unit: &str) -> String {
    if unit == "Elo" {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
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

/// `s` cut to `w` characters with an ellipsis (the one truncation rule of the view).
pub fn fit_width(s: &str, w: usize) -> String {
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
    /// 0: no params column (narrow lists; the gauges title says the size).
    params: usize,
    /// 0: no quality column.
    quality: usize,
    mem: usize,
    tps: usize,
}

impl Widths {
    /// Name gets what the figures leave; below 50 columns the params column goes, and the
    /// quality column shows only when the list is sorted by it, so names keep 20+ characters
    /// at 80×24 otherwise.
    fn for_width(w: u16, by_quality: bool) -> Widths {
        let narrow = w < 50;
        let params = if narrow { 0 } else { 10 };
        let quality = if narrow && !by_quality { 0 } else { 5 };
        let (mem, tps) = (9, 5);
        let fixed = params
            + usize::from(params > 0)
            + quality
            + usize::from(quality > 0)
            + mem
            + tps
            + 2
            + 2;
        Widths {
            name: (w as usize).saturating_sub(fixed).max(8),
            params,
            quality,
            mem,
            tps,
        }
    }

    fn params(&self, text: &str) -> String {
        if self.params == 0 {
            String::new()
        } else {
            format!("{text:>w$} ", w = self.params)
        }
    }

    fn row(
        &self,
        name: &str,
        params: &str,
        quality: &str,
        mem: &str,
        fit: &str,
        tps: &str,
    ) -> String {
        let quality = if self.quality == 0 {
            String::new()
        } else {
            format!("{quality:>w$} ", w = self.quality)
        };
        format!(
            "{name:<nw$} {}{quality}{mem:>mw$} {fit} {tps:>tw$}",
            self.params(params),
            nw = self.name,
            mw = self.mem,
            tw = self.tps
        )
    }
}
