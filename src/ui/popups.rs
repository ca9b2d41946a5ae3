//! Overlays: the help (every key, from the keymap table) and the hardware picker.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{HitMap, Theme};
use crate::app::action::{key_label, KEYMAP};
use crate::app::App;
use crate::estimate::units::fmt_gib;

pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Every action once, with all its keys (from the keymap table), in one or two columns that
/// scroll together from line `scroll` when the terminal is too short for all of them.
pub fn help(frame: &mut Frame, scroll: u16, theme: &Theme, area: Rect, hits: &mut HitMap) {
    let entries = help_entries();
    // Full width on a narrow terminal, so no border of the panels below shows beside it.
    let width = if area.width <= 82 { area.width } else { 78 };
    let r = centered(area, width, area.height.saturating_sub(2));
    let inner = Rect {
        x: r.x + 1,
        y: r.y + 1,
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    };
    let rows = usize::from(inner.height.saturating_sub(2));
    let columns = if inner.width >= 70 && entries.len() > rows {
        2
    } else {
        1
    };
    let per_column = entries.len().div_ceil(columns);
    let max_scroll = per_column.saturating_sub(rows);
    hits.help_max_scroll = max_scroll.min(usize::from(u16::MAX)) as u16;
    let first = usize::from(scroll).min(max_scroll);
    let below = max_scroll - first;
    let title = if max_scroll == 0 {
        " Keys (? or Esc to close) ".to_string()
    } else if below > 0 {
        format!(" Keys (j/k scroll, ? or Esc to close) · {below} more ↓ ")
    } else {
        " Keys (j/k scroll, ? or Esc to close) · end ".to_string()
    };
    frame.render_widget(Clear, r);
    frame.render_widget(theme.panel(title, true), r);
    let col_width = inner.width / columns as u16;
    for (c, chunk) in entries.chunks(per_column.max(1)).enumerate() {
        let lines: Vec<Line> = chunk
            .iter()
            .skip(first)
            .take(rows)
            .map(|(keys, desc)| {
                Line::from(vec![
                    Span::styled(format!("{keys:<13}"), theme.key),
                    Span::raw(*desc),
                ])
            })
            .collect();
        let col = Rect {
            x: inner.x + c as u16 * col_width,
            width: col_width,
            height: inner.height.saturating_sub(2),
            ..inner
        };
        frame.render_widget(Paragraph::new(lines), col);
    }
    if inner.height >= 2 {
        let foot = Rect {
            y: inner.y + inner.height - 1,
            height: 1,
            ..inner
        };
        let text =
            "search: name, family, repo, Ollama tag, use case · mouse: click, drag sliders, wheel";
        frame.render_widget(Paragraph::new(Line::styled(text, theme.dim)), foot);
    }
}

/// (keys, description) of every action once; the same key bound in several modes shows once.
fn help_entries() -> Vec<(String, &'static str)> {
    let mut entries: Vec<(String, &'static str)> = Vec::new();
    let mut seen = Vec::new();
    for (_, _, action) in KEYMAP {
        if seen.contains(action) {
            continue;
        }
        seen.push(*action);
        let mut keys: Vec<String> = Vec::new();
        for (_, key, _) in KEYMAP.iter().filter(|(_, _, a)| a == action) {
            let label = key_label(key);
            if !keys.contains(&label) {
                keys.push(label);
            }
        }
        entries.push((keys.join(" "), action.description()));
    }
    entries
}

/// What the disk scan could not use, one entry per line (wrapped), scrollable.
pub fn problems(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let r = centered(area, 100, area.height.saturating_sub(4));
    frame.render_widget(Clear, r);
    let p = &app.problems;
    let block = theme.panel(
        format!(" Scan problems: {} (! or Esc to close) ", p.total()),
        true,
    );
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let mut lines: Vec<Line> = p
        .kept()
        .iter()
        .skip(usize::from(p.scroll))
        .map(|m| Line::from(vec![Span::styled("• ", theme.warn), Span::raw(m.clone())]))
        .collect();
    if p.total() == 0 {
        lines.push(Line::styled(
            "Every model file found so far was read.",
            theme.dim,
        ));
    }
    let hidden = p.total() - p.kept().len();
    if hidden > 0 {
        lines.push(Line::styled(
            format!("… and {hidden} more (`fitcheck list local` prints them all)"),
            theme.dim,
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The hardware picker: this machine, presets and tiers, fuzzy-filtered.
pub fn picker(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let r = centered(area, 76, area.height.saturating_sub(4));
    frame.render_widget(Clear, r);
    let block = theme.panel(" Hardware (type to filter, Enter to choose) ", true);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    if inner.height < 2 {
        return;
    }
    let query = Line::from(vec![
        Span::styled("> ", theme.key),
        Span::raw(app.picker_query.clone()),
        Span::styled("▏", theme.key),
    ]);
    frame.render_widget(Paragraph::new(query), Rect { height: 1, ..inner });
    // The last lines say where the highlighted entry's figures come from.
    let about_height = if inner.height >= 8 { 3 } else { 0 };
    if let Some(&i) = app
        .picker_rows
        .get(app.picker_selected)
        .filter(|_| about_height > 0)
    {
        let h = &app.hardware[i];
        let about = if h.kind == crate::estimate::hardware::HardwareKind::Detected {
            format!("how: {}", app.machine_notes.join(" · "))
        } else {
            format!("source: {}", h.source.as_deref().unwrap_or("not given"))
        };
        frame.render_widget(
            Paragraph::new(Line::styled(about, theme.dim))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            Rect {
                y: inner.y + inner.height - about_height,
                height: about_height,
                ..inner
            },
        );
    }
    let rows = (inner.height - 1 - about_height) as usize;
    if app.picker_rows.is_empty() {
        // A comma list names different cards in one box (llama.cpp's layer split).
        let text = match app.picker_cards() {
            Some(Ok(hw)) => format!("Enter: {} in one box (Tab marks it)", hw.name),
            Some(Err(e)) => format!("cards: {e}"),
            None => format!("no hardware matches '{}' (Ctrl-U clears)", app.picker_query),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.dim)),
            Rect {
                y: inner.y + 1,
                height: 1,
                ..inner
            },
        );
        return;
    }
    let start = app.picker_selected.saturating_sub(rows.saturating_sub(1));
    // Mark, memory, bandwidth and backend take 34 columns; the name gets the rest.
    let name_width = (inner.width as usize).saturating_sub(34).max(12);
    for (line, &i) in app.picker_rows.iter().enumerate().skip(start).take(rows) {
        let h = &app.hardware[i];
        // Different cards: their total (the name lists each card's memory).
        let mem = if !h.cards.is_empty() {
            fmt_gib(h.cards.iter().map(|c| c.memory).sum())
        } else if h.gpus > 1 {
            format!("{} × {}", h.gpus, fmt_gib(h.memory))
        } else {
            fmt_gib(h.memory)
        };
        let mark = match (i == app.hw_index, app.marked_hardware.contains(&i)) {
            (true, true) => "●+",
            (true, false) => "● ",
            (false, true) => " +",
            (false, false) => "  ",
        };
        let text = format!(
            "{mark} {:<name_width$} {:>11} {:>6} GB/s {}",
            super::browser::fit_width(&h.name, name_width),
            mem,
            h.bandwidth_gbps,
            h.backend
        );
        let style = if line == app.picker_selected {
            theme.selected
        } else {
            ratatui::style::Style::new()
        };
        let y = inner.y + 1 + (line - start) as u16;
        frame.render_widget(
            Paragraph::new(Line::styled(text, style)),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
    }
}

/// `s` cut to `w` characters (the browser's rule).
pub(super) fn truncate(s: &str, w: usize) -> String {
    super::browser::fit_width(s, w)
}

/// The source guide's claims next to the computed figures ("show where the guide is wrong").
pub fn guide(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, hits: &mut HitMap) {
    let r = centered(
        area,
        area.width.saturating_sub(4).min(110),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, r);
    let block = theme.panel(
        " The guide's figures, checked (j/k scroll, B/Esc close) ",
        true,
    );
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let ctx = |c: u32| {
        if c == 0 {
            "no fit".to_string()
        } else {
            format!("{}K", c / 1024)
        }
    };
    // Columns as the rows below lay them out; the guide's GB are shown converted to GiB.
    let header = format!(
        "{:<30}{:>7}{:>11}{:>8}{:>9}  verdict (GiB; the guide's GB converted)",
        "model", "guide", "computed", "tier", "max ctx"
    );
    let mut lines = vec![Line::styled(header, theme.title)];
    // Computed by `App::prepare_frame` when the guide opens.
    let Some(tables) = app.guide_tables.get() else {
        return;
    };
    for c in &tables.claims {
        let style = if c.holds { theme.ok } else { theme.error };
        let name = super::browser::fit_width(&c.name, 28);
        let row = format!(
            "{name:<28} ~{:>5.1} {:>6.1} GiB {:>3} GiB {:>8}  ",
            crate::guide::gb_to_gib(c.claimed_gb),
            crate::guide::gb_to_gib(c.computed_gb),
            c.tier_gb,
            ctx(c.max_context_on_tier)
        );
        let mark = Span::styled(if c.holds { "✓ " } else { "✗ " }, style);
        // A note that would wrap under the columns goes on its own indented line instead.
        if 2 + row.chars().count() + c.note.chars().count() <= inner.width as usize {
            lines.push(Line::from(vec![
                mark,
                Span::raw(row),
                Span::styled(c.note.clone(), style),
            ]));
        } else {
            lines.push(Line::from(vec![mark, Span::raw(row)]));
            lines.push(Line::from(vec![
                Span::raw("    "),
                Span::styled(c.note.clone(), style),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "practical context per tier: guide → computed (Q4_K_M)",
        theme.title,
    ));
    for t in &tables.tiers {
        let models: Vec<String> = t
            .models
            .iter()
            .map(|(m, c)| format!("{m} {}", ctx(*c)))
            .collect();
        let style = [theme.error, theme.warn, theme.ok][t.grade()];
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", t.symbol()), style),
            Span::raw(format!(
                "{:>3} GiB  {:<11} → {}",
                t.tier_gb,
                t.claimed,
                models.join(", ")
            )),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "best models for common use cases: best published score that fits with ≥10% headroom at ≥10 tok/s (R for details)",
        theme.title,
    ));
    for row in &tables.use_cases {
        let picks: Vec<String> = crate::guide::TIER_SIZES_GB
            .iter()
            .zip(&row.picks)
            .map(|(gb, p)| match p {
                Some(p) => format!("{gb} GiB: {} {}", p.name, fmt_gib(p.used_bytes)),
                None => format!("{gb} GiB: —"),
            })
            .collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{:<13}", row.use_case), theme.key),
            Span::raw(picks.join(" · ")),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "the guide's picks against the recommender's",
        theme.title,
    ));
    for d in &tables.diffs {
        let style = if d.agrees { theme.ok } else { theme.warn };
        lines.push(Line::from(vec![
            Span::styled(if d.agrees { "✓ " } else { "✗ " }, style),
            Span::raw(format!(
                "{} ({} GiB): {}",
                d.guide_use_case, d.tier_gb, d.note
            )),
        ]));
    }
    let paragraph = Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false });
    // Stop scrolling once the last line is at the bottom.
    let last = (paragraph.line_count(inner.width) as u16).saturating_sub(inner.height);
    hits.guide_max_scroll = last;
    frame.render_widget(paragraph.scroll((app.guide_scroll.min(last), 0)), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn help_screen(w: u16, h: u16, scroll: u16) -> (String, u16) {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
        let mut hits = HitMap::default();
        t.draw(|f| help(f, scroll, &Theme::monochrome(), f.area(), &mut hits))
            .unwrap_or_else(|e| panic!("{e}"));
        (format!("{}", t.backend()), hits.help_max_scroll)
    }

    #[test]
    fn a_short_help_says_more_and_scrolls_to_every_key() {
        let entries = help_entries();
        let (first, last) = (entries[0].1, entries[entries.len() - 1].1);
        // Too short for two columns of every key: it says how many lines are below.
        let (top, max) = help_screen(80, 14, 0);
        assert!(max > 0, "{top}");
        assert!(top.contains(&format!("{max} more ↓")), "{top}");
        assert!(top.contains(first) && !top.contains(last), "{top}");
        // Scrolled to the end (a larger scroll is clamped), the last key shows.
        let (end, _) = help_screen(80, 14, max + 5);
        assert!(end.contains(last) && end.contains("end"), "{end}");
        // Tall enough: every key at once, nothing to scroll.
        let (all, max) = help_screen(80, 60, 0);
        assert_eq!(max, 0);
        assert!(entries.iter().all(|(_, d)| all.contains(d)), "{all}");
        assert!(!all.contains("more ↓"));
    }
}
