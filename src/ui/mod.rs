//! The view: a pure function of `&App` into a frame, plus the hit map the mouse uses and the
//! layout facts that flow back to the app as an action.

mod beyond;
mod browser;
mod buy;
mod chart;
mod compare;
mod gauges;
mod popups;
mod recommend;
mod sliders;
pub mod theme;

use ratatui::backend::Backend;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::{Frame, Terminal};

use crate::app::action::{key_label, KEYMAP};
use crate::app::{update, Action, App, Focus, Mode, Slider};
use crate::estimate::units::fmt_gib;
pub use theme::Theme;

/// Smallest terminal the full layout needs.
pub const MIN_WIDTH: u16 = 80;
/// Smallest terminal height.
pub const MIN_HEIGHT: u16 = 24;

/// Where things were drawn, for mouse hit-testing on the next event, and what the layout had
/// room for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HitMap {
    /// Model list area.
    pub browser: Rect,
    /// Screen row of the first visible model.
    pub first_row_y: u16,
    /// Model rows the list has room for.
    pub list_rows: u16,
    /// Settings panel.
    pub sliders: Rect,
    /// (slider, its row, the x-range of its bar).
    pub slider_rows: Vec<(Slider, u16, u16, u16)>,
    /// Gauges panel.
    pub gauges: Rect,
    /// Comparison rows there was room for.
    pub compare_rows: u16,
    /// Largest useful scroll of the guide at this width.
    pub guide_max_scroll: u16,
    /// Largest useful scroll of the help at this size.
    pub help_max_scroll: u16,
}

impl HitMap {
    /// The layout facts as the action that tells the app.
    pub fn layout_action(&self) -> Action {
        Action::Layout {
            list_rows: self.list_rows,
            compare_rows: self.compare_rows,
            guide_max_scroll: self.guide_max_scroll,
            help_max_scroll: self.help_max_scroll,
        }
    }
}

/// Prepares the figures, draws a frame, and feeds the layout back; when the layout changed
/// what should be on screen (first frame, resize), draws once more.
pub fn draw<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    theme: &Theme,
    hits: &mut HitMap,
) -> Result<(), B::Error> {
    for _ in 0..2 {
        app.prepare_frame();
        terminal.draw(|f| view(f, app, theme, hits))?;
        app.dirty = false;
        update(app, hits.layout_action());
        if !app.dirty {
            break;
        }
    }
    Ok(())
}

/// Draws the whole screen from the app as it is; computes nothing (see `App::prepare_frame`).
pub fn view(frame: &mut Frame, app: &App, theme: &Theme, hits: &mut HitMap) {
    let area = frame.area();
    *hits = HitMap {
        list_rows: app.page.min(u16::MAX as usize) as u16,
        compare_rows: app.compare_page.min(u16::MAX as usize) as u16,
        guide_max_scroll: app.guide_max_scroll,
        help_max_scroll: app.help_max_scroll,
        ..HitMap::default()
    };
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, theme, area);
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
    let [slider_area, gauge_area] = Layout::vertical([
        Constraint::Length(crate::app::SLIDERS.len() as u16 + 2),
        Constraint::Min(10),
    ])
    .areas(right);
    browser::render(frame, app, theme, left, hits);
    sliders::render(frame, app, theme, slider_area, hits);
    gauges::render(frame, app, theme, gauge_area, hits);
    render_footer(frame, app, theme, footer);
    match app.mode {
        Mode::Help => popups::help(frame, app.help_scroll, theme, area, hits),
        Mode::Problems => popups::problems(frame, app, theme, area),
        Mode::Picker => popups::picker(frame, app, theme, area),
        Mode::Guide => popups::guide(frame, app, theme, area, hits),
        Mode::Recommend => recommend::render(frame, app, theme, area),
        Mode::Compare => {
            let compare_area = Rect {
                y: area.y + 1,
                height: area.height.saturating_sub(2),
                ..area
            };
            compare::render(frame, app, theme, compare_area, hits);
            if let Some(view) = &app.buy {
                buy::render(frame, app, theme, compare_area, view);
            }
        }
        _ => {}
    }
}

/// The "too small" message, wrapped to fit whatever there is.
fn too_small(frame: &mut Frame, theme: &Theme, area: Rect) {
    let msg = format!(
        "terminal too small: need {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{}",
        area.width, area.height
    );
    let paragraph = Paragraph::new(msg)
        .centered()
        .style(theme.warn)
        .wrap(Wrap { trim: true });
    let lines = (paragraph.line_count(area.width) as u16).min(area.height);
    let r = Rect {
        y: area.y + area.height.saturating_sub(lines) / 2,
        height: lines,
        ..area
    };
    frame.render_widget(paragraph, r);
}

fn render_header(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let hw = app.hw();
    let usable = if hw.has_gpu() {
        hw.usable_total()
    } else {
        hw.host_usable()
    };
    let mut spans = vec![
        Span::styled(" fitcheck ", theme.title),
        Span::styled("│ ", theme.dim),
        Span::raw(hw.name.clone()),
        Span::styled(
            format!(" · {} · usable {}", hw.backend, fmt_gib(usable)),
            theme.dim,
        ),
    ];
    let problems = app.problems.total();
    if problems > 0 {
        let plural = if problems == 1 { "" } else { "s" };
        spans.push(Span::styled(
            format!(" · {problems} scan problem{plural} (!)"),
            theme.warn,
        ));
    }
    let line = Line::from(spans);
    frame.render_widget(Paragraph::new(line), area);
}

/// The hints of the mode, and in the browser of the focused panel, most useful first; what does
/// not fit the width is left out (never cut in the middle).
fn hints(app: &App) -> &'static [Action] {
    match (app.mode, app.focus) {
        (Mode::Browse, Focus::Browser) => &[
            Action::ToggleHelp,
            Action::StartSearch,
            Action::FocusNext,
            Action::CycleSort,
            Action::ToggleMark,
            Action::OpenPicker,
            Action::ToggleCompare,
            Action::ContextUp,
            Action::ToggleRecommend,
            Action::CycleUseCase,
            Action::ToggleFitsOnly,
            Action::ReverseSort,
            Action::ToggleGuide,
            Action::Quit,
        ],
        (Mode::Browse, Focus::Sliders) => &[
            Action::ToggleHelp,
            Action::Down,
            Action::Increase,
            Action::IncreaseFine,
            Action::ContextUp,
            Action::FocusNext,
            Action::OpenPicker,
            Action::ToggleCompare,
            Action::Quit,
        ],
        (Mode::Search, _) => &[
            Action::Confirm,
            Action::Back,
            Action::ClearQuery,
            Action::Down,
        ],
        (Mode::Picker, _) => &[
            Action::Confirm,
            Action::Back,
            Action::ToggleMark,
            Action::ClearQuery,
        ],
        // Scroll keys only when the help is taller than the screen.
        (Mode::Help, _) if app.help_max_scroll > 0 => {
            &[Action::Back, Action::Down, Action::PageDown]
        }
        (Mode::Help, _) => &[Action::Back],
        (Mode::Problems, _) => &[Action::Back, Action::Down, Action::PageDown],
        (Mode::Compare, _) => &[
            Action::Back,
            Action::Down,
            Action::Increase,
            Action::CheapestMachine,
            Action::ContextUp,
            Action::ApiSpendUp,
        ],
        (Mode::Recommend, _) => &[Action::Back, Action::Increase, Action::Down],
        (Mode::Guide, _) => &[Action::Back, Action::Down, Action::PageDown],
    }
}

fn render_footer(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let mut spans = Vec::new();
    let mut used = 0usize;
    for a in hints(app) {
        let key = hint_key(app.mode, *a);
        let text = short(app.focus, *a);
        let width = key.chars().count() + text.chars().count() + 3;
        if used + width > area.width as usize {
            break;
        }
        used += width;
        spans.push(Span::styled(format!(" {key}"), theme.key));
        spans.push(Span::styled(format!(" {text} "), theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The key of an action in `mode` for a hint: the mode's own binding (q) before a global one
/// (Ctrl-C); moves and changes as pairs ("j/k", "←/→").
fn hint_key(mode: Mode, a: Action) -> String {
    match a {
        Action::Down if mode == Mode::Browse || mode == Mode::Compare => "↑/↓".into(),
        Action::Down => "↓".into(),
        Action::Increase => "←/→".into(),
        Action::IncreaseFine => "Shift-←/→".into(),
        Action::ContextUp => "+/-".into(),
        Action::ApiSpendUp => "[/]".into(),
        _ => KEYMAP
            .iter()
            .find(|(m, _, act)| *act == a && *m == Some(mode))
            .or_else(|| KEYMAP.iter().find(|(m, _, act)| *act == a && m.is_none()))
            .or_else(|| KEYMAP.iter().find(|(_, _, act)| *act == a))
            .map(|(_, k, _)| key_label(k))
            .unwrap_or_default(),
    }
}

fn short(focus: Focus, a: Action) -> &'static str {
    match a {
        Action::Quit => "quit",
        Action::StartSearch => "search",
        Action::OpenPicker => "hardware",
        Action::FocusNext if focus == Focus::Browser => "settings",
        Action::FocusNext => "list",
        Action::Increase => "change",
        Action::IncreaseFine => "±1K",
        Action::ContextUp => "context ×2 ÷2",
        Action::CycleSort => "sort",
        Action::ToggleMark => "mark",
        Action::ToggleCompare => "compare",
        Action::ToggleGuide => "guide",
        Action::ToggleRecommend => "recommend",
        Action::ToggleHelp => "help",
        Action::ToggleProblems => "scan problems",
        Action::Back => "back",
        Action::Confirm => "choose",
        Action::ClearQuery => "clear",
        Action::Down => "move",
        Action::PageDown => "page",
        Action::ApiSpendUp => "API $",
        Action::CycleUseCase => "use case",
        Action::ToggleFitsOnly => "fits only",
        Action::ReverseSort => "reverse",
        Action::CheapestMachine => "cheapest machine",
        other => other.description(),
    }
}
