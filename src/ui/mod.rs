//! The view: a pure function of `&App` into a frame, plus the hit map the mouse uses.

mod beyond;
mod browser;
mod compare;
mod gauges;
mod popups;
mod recommend;
mod sliders;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::action::{key_label, KEYMAP};
use crate::app::{Action, App, Mode, Slider};
use crate::estimate::units::fmt_gib;
pub use theme::Theme;

/// Smallest terminal the full layout needs.
pub const MIN_WIDTH: u16 = 80;
/// Smallest terminal height.
pub const MIN_HEIGHT: u16 = 24;

/// Where things were drawn, for mouse hit-testing on the next event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HitMap {
    /// Model list area and the y of its first data row.
    pub browser: Rect,
    /// Screen row of the first visible model.
    pub first_row_y: u16,
    /// Settings panel.
    pub sliders: Rect,
    /// (slider, its row, the x-range of its bar).
    pub slider_rows: Vec<(Slider, u16, u16, u16)>,
    /// Gauges panel.
    pub gauges: Rect,
}

/// Draws the whole screen. Mutable only for the memo inside the app (estimates on demand).
pub fn view(frame: &mut Frame, app: &mut App, theme: &Theme, hits: &mut HitMap) {
    let area = frame.area();
    *hits = HitMap::default();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "terminal too small: need {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{}",
            area.width, area.height
        );
        let y = area.height / 2;
        let line = Rect {
            x: area.x,
            y: area.y + y,
            width: area.width,
            height: area.height.min(1),
        };
        frame.render_widget(Paragraph::new(msg).centered().style(theme.warn), line);
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(frame, app, theme, header);
    let right_width = (body.width * 45 / 100).clamp(38, 64);
    let [left, right] =
        Layout::horizontal([Constraint::Min(40), Constraint::Length(right_width)]).areas(body);
    let [slider_area, gauge_area] =
        Layout::vertical([Constraint::Length(8), Constraint::Min(10)]).areas(right);
    browser::render(frame, app, theme, left, hits);
    sliders::render(frame, app, theme, slider_area, hits);
    gauges::render(frame, app, theme, gauge_area, hits);
    render_footer(frame, app, theme, footer);
    match app.mode {
        Mode::Help => popups::help(frame, theme, area),
        Mode::Picker => popups::picker(frame, app, theme, area),
        Mode::Guide => popups::guide(frame, app, theme, area),
        Mode::Recommend => recommend::render(frame, app, theme, area),
        Mode::Compare => compare::render(
            frame,
            app,
            theme,
            Rect {
                y: area.y + 1,
                height: area.height.saturating_sub(2),
                ..area
            },
        ),
        _ => {}
    }
}

fn render_header(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let hw = app.hw();
    let line = Line::from(vec![
        Span::styled(" fitcheck ", theme.title),
        Span::styled("│ ", theme.dim),
        Span::raw(hw.name.clone()),
        Span::styled(
            format!(" · {} · usable {}", hw.backend, fmt_gib(hw.usable_total())),
            theme.dim,
        ),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn render_footer(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let wanted: &[Action] = match app.mode {
        Mode::Browse => &[
            Action::Quit,
            Action::StartSearch,
            Action::OpenPicker,
            Action::ToggleCompare,
            Action::Increase,
            Action::ContextUp,
            Action::ToggleGuide,
            Action::ToggleHelp,
        ],
        Mode::Search => &[Action::Back, Action::Confirm, Action::Down],
        Mode::Picker => &[Action::Back, Action::Confirm, Action::ToggleMark],
        Mode::Help => &[Action::Back],
        Mode::Compare => &[
            Action::Back,
            Action::Increase,
            Action::ContextUp,
            Action::ApiSpendUp,
        ],
        Mode::Guide => &[Action::Back, Action::Down],
        Mode::Recommend => &[Action::Back, Action::Increase, Action::Down],
    };
    let mut spans = Vec::new();
    for a in wanted {
        // Prefer the mode's own binding (q) over a global one (Ctrl-C).
        let key = KEYMAP
            .iter()
            .find(|(m, _, act)| act == a && *m == Some(app.mode))
            .or_else(|| KEYMAP.iter().find(|(m, _, act)| act == a && m.is_none()))
            .map(|(_, k, _)| key_label(k))
            .unwrap_or_default();
        spans.push(Span::styled(format!(" {key}"), theme.key));
        spans.push(Span::styled(format!(" {} ", short(*a)), theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn short(a: Action) -> &'static str {
    match a {
        Action::Quit => "quit",
        Action::StartSearch => "search",
        Action::OpenPicker => "hardware",
        Action::FocusNext => "focus",
        Action::Increase => "adjust",
        Action::ContextUp => "context ×2",
        Action::CycleSort => "sort",
        Action::ToggleCompare => "compare",
        Action::ToggleGuide => "guide",
        Action::ToggleRecommend => "recommend",
        Action::ToggleHelp => "help",
        Action::Back => "back",
        Action::Confirm => "choose",
        Action::Down => "move",
        other => other.description(),
    }
}
