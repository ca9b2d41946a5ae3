//! The Recommend view (`R`): the recommender's ranking for the chosen machine, settings and use
//! case, then the scored models left out and why. Figures in GiB.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::popups::{centered, truncate};
use super::Theme;
use crate::app::recommend::VIEW_MIN_TPS;
use crate::app::App;
use crate::quality::{metric_label, USE_CASE_METRICS};
use crate::recommend::Ranking;

fn score(v: f64, unit: &str) -> String {
    crate::quality::format_score(v, unit)
}

/// `https://host/a/b/...` → `host/a/b` (the full URL is in `fitcheck recommend` and the data file).
fn short_source(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').take(3).collect::<Vec<_>>().join("/")
}

/// Draws the view over the browser.
pub fn render(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let r = centered(
        area,
        area.width.saturating_sub(4).min(120),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, r);
    let block = theme.panel(
        format!(
            " Best for {} · ←/→ use case · R/Esc close ",
            app.rec.use_case()
        ),
        true,
    );
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let (label, _) = metric_label(app.rec.metric());
    let tabs: Vec<Span> = USE_CASE_METRICS
        .iter()
        .enumerate()
        .map(|(i, (u, _))| {
            let style = if i == app.rec.use_case % USE_CASE_METRICS.len() {
                theme.selected
            } else {
                theme.dim
            };
            Span::styled(format!(" {u} "), style)
        })
        .collect();
    let mut lines = vec![
        Line::from(tabs),
        Line::styled(
            format!(
                "{} · {} tokens · ≥ {VIEW_MIN_TPS:.0} tok/s at that context · 10% headroom · ranked by {label}",
                app.hw().name,
                app.settings.context
            ),
            theme.dim,
        ),
    ];
    let Some(ranking) = &app.rec.ranking else {
        lines.push(Line::styled("quality data unavailable", theme.error));
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    };
    let name_w = (inner.width as usize).saturating_sub(52).clamp(12, 40);
    lines.extend(ranking_lines(ranking, name_w, theme));
    for f in &app.rec.fallback {
        if f.recommendations.is_empty() && f.excluded.is_empty() {
            continue;
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "not rated above; ranked by {} instead (another scale, not comparable)",
                metric_label(f.metric).0
            ),
            theme.title,
        ));
        lines.extend(ranking_lines(f, name_w, theme));
    }
    let labels: Vec<&str> = app
        .rec
        .metrics()
        .iter()
        .map(|m| metric_label(m).0)
        .collect();
    lines.push(Line::styled(
        format!(
            "{} models have no {} score (never guessed) · docs/quality.md",
            ranking.unscored.len(),
            labels.join(" or ")
        ),
        theme.dim,
    ));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.rec.scroll, 0)),
        inner,
    );
}

/// One metric's list: its picks with why and source, then the scored models left out.
fn ranking_lines(ranking: &Ranking, name_w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let (_, unit) = metric_label(ranking.metric);
    // Offloaded picks read "23.6+36.9/24.0+55.3": the column widens, the name gives way.
    let mem_w = ranking
        .recommendations
        .iter()
        .map(|p| p.memory.chars().count())
        .max()
        .unwrap_or(0)
        .max(11);
    let name_w = name_w.saturating_sub(mem_w - 11).max(12);
    let mut lines = vec![Line::styled(
        format!(
            "{:<2} {:<name_w$} {:<7} {:>7} {:>6} {:>mem_w$} {:>8}",
            "#", "model", "quant", "score", "tok/s", "GiB used", "max ctx"
        ),
        theme.title,
    )];
    if ranking.recommendations.is_empty() {
        lines.push(Line::styled("nothing qualifies", theme.warn));
    }
    for (i, p) in ranking.recommendations.iter().enumerate() {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<2} ", i + 1), theme.ok),
            Span::raw(format!(
                "{:<name_w$} {:<7} {:>7} {:>6.1} {:>mem_w$} {:>8}",
                truncate(&p.name, name_w),
                p.quant,
                score(p.quality, unit),
                p.decode_tps,
                p.memory,
                p.max_context
            )),
        ]));
        lines.push(Line::styled(
            format!(
                "   {} · {}, {} ({})",
                p.why,
                p.variant,
                short_source(&p.source),
                p.date
            ),
            theme.dim,
        ));
    }
    if !ranking.excluded.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("not recommended", theme.title));
        for x in &ranking.excluded {
            lines.push(Line::from(vec![
                Span::styled("✗ ", theme.error),
                Span::raw(format!("{} ({}): ", x.name, score(x.quality, unit))),
                Span::styled(x.reason.text(VIEW_MIN_TPS), theme.dim),
            ]));
        }
    }
    lines
}
