//! Styles grouped by meaning. Colours come only from here; `monochrome` (for NO_COLOR) sets no
//! colour at all, only modifiers.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

/// Every style the view uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    /// Panel borders.
    pub border: Style,
    /// Border of the focused panel.
    pub border_focus: Style,
    /// Titles and headers.
    pub title: Style,
    /// Secondary text.
    pub dim: Style,
    /// Selected row.
    pub selected: Style,
    /// Matched characters.
    pub matched: Style,
    /// Fits.
    pub ok: Style,
    /// Tight or partial.
    pub warn: Style,
    /// Does not fit.
    pub error: Style,
    /// Gauge segments: weights, KV, state, overhead.
    pub segments: [Style; 4],
    /// Key names in hints.
    pub key: Style,
}

impl Theme {
    /// A bordered panel with a title, its border highlighted when it has the focus.
    pub fn panel(&self, title: impl Into<String>, focused: bool) -> Block<'static> {
        Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(title.into(), self.title))
            .border_style(if focused {
                self.border_focus
            } else {
                self.border
            })
    }

    /// The default colours.
    pub const fn dark() -> Theme {
        Theme {
            border: Style::new().fg(Color::DarkGray),
            border_focus: Style::new().fg(Color::Cyan),
            title: Style::new().add_modifier(Modifier::BOLD),
            dim: Style::new().fg(Color::DarkGray),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            matched: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            segments: [
                Style::new().fg(Color::Blue),
                Style::new().fg(Color::Magenta),
                Style::new().fg(Color::Cyan),
                Style::new().fg(Color::Gray),
            ],
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        }
    }

    /// No colours: meaning rides on symbols and modifiers only (NO_COLOR).
    pub const fn monochrome() -> Theme {
        Theme {
            border: Style::new(),
            border_focus: Style::new().add_modifier(Modifier::BOLD),
            title: Style::new().add_modifier(Modifier::BOLD),
            dim: Style::new(),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            matched: Style::new().add_modifier(Modifier::UNDERLINED),
            ok: Style::new(),
            warn: Style::new().add_modifier(Modifier::BOLD),
            error: Style::new().add_modifier(Modifier::BOLD),
            segments: [Style::new(), Style::new(), Style::new(), Style::new()],
            key: Style::new().add_modifier(Modifier::BOLD),
        }
    }

    /// `monochrome` when NO_COLOR is set to a non-empty value, else `dark`.
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::monochrome(),
            _ => Theme::dark(),
        }
    }
}
