//! Overlays: the help (every key, from the keymap table) and the hardware picker.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use super::Theme;
use crate::app::action::{key_label, KEYMAP};
use crate::app::{App, Mode};
use crate::estimate::units::fmt_gib;

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Every binding, grouped by mode, with its description.
pub fn help(frame: &mut Frame, theme: &Theme, area: Rect) {
    let r = centered(area, 72, area.height.saturating_sub(2));
    frame.render_widget(Clear, r);
    let mut lines = Vec::new();
    for (title, mode) in [
        ("anywhere", None),
        ("browsing", Some(Mode::Browse)),
        ("search", Some(Mode::Search)),
        ("hardware picker", Some(Mode::Picker)),
        ("help", Some(Mode::Help)),
    ] {
        let mut seen = Vec::new();
        for (m, key, action) in KEYMAP.iter().filter(|(m, _, _)| *m == mode) {
            let _ = m;
            if seen.contains(action) {
                // Several keys for one action go on one line.
                continue;
            }
            seen.push(*action);
            let keys: Vec<String> = KEYMAP
                .iter()
                .filter(|(m2, _, a)| *m2 == mode && a == action)
                .map(|(_, k, _)| key_label(k))
                .collect();
            if lines.is_empty() || seen.len() == 1 {
                lines.push(Line::styled(title, theme.title));
            }
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<16}", keys.join(" ")), theme.key),
                Span::raw(action.description()),
            ]));
            let _ = key;
        }
    }
    lines.push(Line::styled(
        "mouse: click rows, panels and sliders; wheel scrolls",
        theme.dim,
    ));
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Keys (? or Esc to close) ", theme.title))
        .border_style(theme.border_focus);
    frame.render_widget(Paragraph::new(lines).block(block), r);
}

/// The hardware picker: this machine, presets and tiers, fuzzy-filtered.
pub fn picker(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let r = centered(area, 76, area.height.saturating_sub(4));
    frame.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(
            " Hardware (type to filter, Enter to choose) ",
            theme.title,
        ))
        .border_style(theme.border_focus);
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
    let rows = (inner.height - 1) as usize;
    let start = app.picker_selected.saturating_sub(rows.saturating_sub(1));
    for (line, &i) in app.picker_rows.iter().enumerate().skip(start).take(rows) {
        let h = &app.hardware[i];
        let mem = if h.gpus > 1 {
            format!("{} × {}", h.gpus, fmt_gib(h.memory))
        } else {
            fmt_gib(h.memory)
        };
        let mark = if i == app.hw_index { "●" } else { " " };
        let text = format!(
            "{mark} {:<44} {:>11} {:>6} GB/s {}",
            truncate(&h.name, 44),
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

fn truncate(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(w - 1).collect();
        t.push('…');
        t
    }
}
