//! What the user meant. The keymap table is the single source for dispatch, footer hints and
//! the help overlay.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Focus, Mode, Slider};

/// A user intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Leave the app.
    Quit,
    /// Start typing a search.
    StartSearch,
    /// Leave search, close a popup.
    Back,
    /// Move the selection down / up.
    Down,
    /// Move the selection up.
    Up,
    /// Page down / up.
    PageDown,
    /// Page up.
    PageUp,
    /// First / last row.
    Top,
    /// Last row.
    Bottom,
    /// Cycle focus: browser → settings → gauges.
    FocusNext,
    /// Cycle focus backwards.
    FocusPrev,
    /// Decrease / increase the focused setting.
    Decrease,
    /// Increase the focused setting.
    Increase,
    /// Fine step down / up (context ±1024 tokens).
    DecreaseFine,
    /// Fine step up.
    IncreaseFine,
    /// Double / halve the context from anywhere.
    ContextUp,
    /// Halve the context.
    ContextDown,
    /// Open the hardware picker.
    OpenPicker,
    /// Choose the highlighted entry.
    Confirm,
    /// Cycle the browser's sort order.
    CycleSort,
    /// Turn the browser's order around.
    ReverseSort,
    /// Show only the models that fit on the GPU, or all.
    ToggleFitsOnly,
    /// Next use case: the quality column and "best for" sort (and the Recommend view).
    CycleUseCase,
    /// In the comparison: the cheapest priced machines for its top model.
    CheapestMachine,
    /// Cycle the gauges' mode: inference, LoRA, QLoRA, full fine-tuning.
    CycleTrainMode,
    /// Toggle the help overlay.
    ToggleHelp,
    /// Open or close the list of scan problems.
    ToggleProblems,
    /// Mark or unmark the selected model (or, in the picker, hardware) for the comparison.
    ToggleMark,
    /// Open or close the comparison of hardware tiers.
    ToggleCompare,
    /// Open or close the guide's claims, recomputed.
    ToggleGuide,
    /// Open or close the best models for a use case on this machine.
    ToggleRecommend,
    /// Lower / raise the monthly API spend the comparison weighs hardware against.
    ApiSpendDown,
    /// Raise it.
    ApiSpendUp,
    /// Delete the last character of the query.
    Backspace,
    /// Type a character into the query.
    Type(char),
    /// Clear the query (Ctrl-U, as in a shell).
    ClearQuery,
    /// What the last frame's layout had room for (fed back after drawing).
    Layout {
        /// Browser rows.
        list_rows: u16,
        /// Comparison rows.
        compare_rows: u16,
        /// Largest useful guide scroll.
        guide_max_scroll: u16,
        /// Largest useful help scroll (0 when every key shows).
        help_max_scroll: u16,
    },
    /// Mouse: select the browser row `n` lines below the first visible one.
    ClickRow(u16),
    /// Mouse: give a panel the keyboard.
    FocusOn(Focus),
    /// Mouse: set a slider to a position, in thousandths of its range.
    SetSlider(Slider, u16),
    /// Mouse wheel in a list (down when true).
    Scroll(bool),
}

impl Action {
    /// One line for the help overlay.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::StartSearch => "search models",
            Action::Back => "back / close popup",
            Action::Down => "move down",
            Action::Up => "move up",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::FocusNext => "list ↔ settings",
            Action::FocusPrev => "list ↔ settings",
            Action::Decrease => "setting: previous value",
            Action::Increase => "setting: next value",
            Action::DecreaseFine => "context −1024 tokens",
            Action::IncreaseFine => "context +1024 tokens",
            Action::ContextUp => "double the context",
            Action::ContextDown => "halve the context",
            Action::OpenPicker => "choose hardware",
            Action::Confirm => "choose",
            Action::CycleSort => "sort: fit/speed/size/best",
            Action::ReverseSort => "reverse the order",
            Action::ToggleFitsOnly => "only models that fit",
            Action::CycleUseCase => "use case: quality column",
            Action::CheapestMachine => "cheapest machine for it",
            Action::CycleTrainMode => "train: LoRA/QLoRA/full",
            Action::ToggleHelp => "this help",
            Action::ToggleProblems => "scan problems",
            Action::ToggleMark => "mark for comparison",
            Action::ToggleCompare => "compare side by side",
            Action::ToggleGuide => "guide's claims, checked",
            Action::ToggleRecommend => "best model per use case",
            Action::ApiSpendDown => "API spend −25 USD/mo",
            Action::ApiSpendUp => "API spend +25 USD/mo",
            Action::Backspace => "delete a character",
            Action::Type(_) => "type",
            Action::ClearQuery => "clear the search",
            Action::Layout { .. } => "layout changed",
            Action::ClickRow(_) => "select a row",
            Action::FocusOn(_) => "focus a panel",
            Action::SetSlider(..) => "set a slider",
            Action::Scroll(_) => "scroll",
        }
    }
}

/// A key as written in the table and the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// Key code.
    pub code: KeyCode,
    /// Required modifiers.
    pub mods: KeyModifiers,
}

const fn k(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn c(ch: char) -> Key {
    k(KeyCode::Char(ch))
}

/// Modes a binding applies in: `None` means every mode except text entry.
pub type Binding = (Option<Mode>, Key, Action);

/// The default key bindings.
pub const KEYMAP: &[Binding] = &[
    (
        None,
        Key {
            code: KeyCode::Char('c'),
            mods: KeyModifiers::CONTROL,
        },
        Action::Quit,
    ),
    (Some(Mode::Browse), c('q'), Action::Quit),
    (Some(Mode::Browse), c('/'), Action::StartSearch),
    (Some(Mode::Browse), c('j'), Action::Down),
    (Some(Mode::Browse), c('k'), Action::Up),
    (None, k(KeyCode::Down), Action::Down),
    (None, k(KeyCode::Up), Action::Up),
    (None, k(KeyCode::PageDown), Action::PageDown),
    (None, k(KeyCode::PageUp), Action::PageUp),
    (Some(Mode::Browse), c('g'), Action::Top),
    (Some(Mode::Browse), c('G'), Action::Bottom),
    (Some(Mode::Browse), k(KeyCode::Home), Action::Top),
    (Some(Mode::Browse), k(KeyCode::End), Action::Bottom),
    (Some(Mode::Browse), k(KeyCode::Tab), Action::FocusNext),
    (
        Some(Mode::Browse),
        Key {
            code: KeyCode::BackTab,
            mods: KeyModifiers::SHIFT,
        },
        Action::FocusPrev,
    ),
    (Some(Mode::Browse), k(KeyCode::Left), Action::Decrease),
    (Some(Mode::Browse), k(KeyCode::Right), Action::Increase),
    (Some(Mode::Browse), c('h'), Action::Decrease),
    (Some(Mode::Browse), c('l'), Action::Increase),
    (
        Some(Mode::Browse),
        Key {
            code: KeyCode::Left,
            mods: KeyModifiers::SHIFT,
        },
        Action::DecreaseFine,
    ),
    (
        Some(Mode::Browse),
        Key {
            code: KeyCode::Right,
            mods: KeyModifiers::SHIFT,
        },
        Action::IncreaseFine,
    ),
    (Some(Mode::Browse), c('+'), Action::ContextUp),
    (Some(Mode::Browse), c('='), Action::ContextUp),
    (Some(Mode::Browse), c('-'), Action::ContextDown),
    (Some(Mode::Browse), c('H'), Action::OpenPicker),
    (Some(Mode::Browse), c('s'), Action::CycleSort),
    (Some(Mode::Browse), c('S'), Action::ReverseSort),
    (Some(Mode::Browse), c('F'), Action::ToggleFitsOnly),
    (Some(Mode::Browse), c('u'), Action::CycleUseCase),
    (Some(Mode::Browse), c('f'), Action::CycleTrainMode),
    (Some(Mode::Browse), c('?'), Action::ToggleHelp),
    (Some(Mode::Help), c('?'), Action::ToggleHelp),
    (Some(Mode::Browse), c('!'), Action::ToggleProblems),
    (Some(Mode::Problems), c('!'), Action::ToggleProblems),
    (Some(Mode::Browse), c('m'), Action::ToggleMark),
    (Some(Mode::Picker), k(KeyCode::Tab), Action::ToggleMark),
    (Some(Mode::Browse), c('T'), Action::ToggleCompare),
    (Some(Mode::Compare), c('T'), Action::ToggleCompare),
    (Some(Mode::Browse), c('B'), Action::ToggleGuide),
    (Some(Mode::Guide), c('B'), Action::ToggleGuide),
    (Some(Mode::Guide), c('q'), Action::Back),
    (Some(Mode::Browse), c('R'), Action::ToggleRecommend),
    (Some(Mode::Recommend), c('R'), Action::ToggleRecommend),
    (Some(Mode::Recommend), c('q'), Action::Back),
    (Some(Mode::Recommend), c('j'), Action::Down),
    (Some(Mode::Recommend), c('k'), Action::Up),
    (Some(Mode::Recommend), k(KeyCode::Left), Action::Decrease),
    (Some(Mode::Recommend), k(KeyCode::Right), Action::Increase),
    (Some(Mode::Compare), c('q'), Action::Back),
    (Some(Mode::Compare), c('+'), Action::ContextUp),
    (Some(Mode::Compare), c('-'), Action::ContextDown),
    (Some(Mode::Compare), k(KeyCode::Left), Action::Decrease),
    (Some(Mode::Compare), k(KeyCode::Right), Action::Increase),
    (Some(Mode::Compare), c('['), Action::ApiSpendDown),
    (Some(Mode::Compare), c(']'), Action::ApiSpendUp),
    (Some(Mode::Compare), c('$'), Action::CheapestMachine),
    (Some(Mode::Guide), c('j'), Action::Down),
    (Some(Mode::Guide), c('k'), Action::Up),
    (Some(Mode::Help), c('q'), Action::Back),
    (Some(Mode::Help), c('j'), Action::Down),
    (Some(Mode::Help), c('k'), Action::Up),
    (Some(Mode::Problems), c('q'), Action::Back),
    (Some(Mode::Problems), c('j'), Action::Down),
    (Some(Mode::Problems), c('k'), Action::Up),
    (None, k(KeyCode::Esc), Action::Back),
    (None, k(KeyCode::Enter), Action::Confirm),
    (Some(Mode::Search), k(KeyCode::Backspace), Action::Backspace),
    (
        Some(Mode::Search),
        Key {
            code: KeyCode::Char('u'),
            mods: KeyModifiers::CONTROL,
        },
        Action::ClearQuery,
    ),
    (
        Some(Mode::Picker),
        Key {
            code: KeyCode::Char('u'),
            mods: KeyModifiers::CONTROL,
        },
        Action::ClearQuery,
    ),
    (Some(Mode::Compare), c('j'), Action::Down),
    (Some(Mode::Compare), c('k'), Action::Up),
    (Some(Mode::Picker), k(KeyCode::Backspace), Action::Backspace),
];

/// The action a key press means in `mode`; text modes turn other characters into `Type`.
pub fn action_for(mode: Mode, key: KeyEvent) -> Option<Action> {
    let mods = key.modifiers - KeyModifiers::SHIFT;
    let shifted = key.modifiers.contains(KeyModifiers::SHIFT);
    let found = KEYMAP.iter().find(|(m, b, _)| {
        let mode_ok = match m {
            Some(m) => *m == mode,
            None => true,
        };
        let code_ok = b.code == key.code;
        // Characters carry their own case; SHIFT matters only for non-character keys.
        let mods_ok = match key.code {
            KeyCode::Char(_) => b.mods - KeyModifiers::SHIFT == mods,
            _ => {
                b.mods == key.modifiers
                    || (b.mods == KeyModifiers::SHIFT && shifted && mods.is_empty())
            }
        };
        mode_ok && code_ok && mods_ok
    });
    if let Some((_, _, a)) = found {
        return Some(*a);
    }
    match (mode, key.code) {
        (Mode::Search | Mode::Picker, KeyCode::Char(ch))
            if !key.modifiers.contains(KeyModifiers::CONTROL) =>
        {
            Some(Action::Type(ch))
        }
        _ => None,
    }
}

/// Text of a key for hints and help ("Ctrl-C", "←", "/").
pub fn key_label(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(ch) => ch.to_string(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Tab".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Backspace => "Bksp".into(),
        other => format!("{other:?}"),
    };
    if key.mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{}", base.to_uppercase())
    } else if key.mods.contains(KeyModifiers::SHIFT) {
        format!("Shift-{base}")
    } else {
        base
    }
}
