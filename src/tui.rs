//! Terminal set-up and the event loop: std threads and one channel; the main thread blocks on
//! `recv` (idle costs nothing) and draws only when something visible changed.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::{mpsc, Arc};
use std::thread;

use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind, MouseButton, MouseEvent,
    MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};

use crate::app::action::action_for;
use crate::app::{update, Action, App, Focus, Mode};
use crate::catalog;
use crate::cli::{model_dirs, Cli};
use crate::config::Config;
use crate::error::Error;
use crate::estimate::hardware::{Backend, Hardware, HardwareKind};
use crate::hardware::detect;
use crate::local::LocalModel;
use crate::ui::{HitMap, Theme};

/// Everything that can wake the loop.
pub enum Msg {
    /// Key, mouse, resize.
    Term(Event),
    /// Hardware detection finished.
    Detected(Box<(Hardware, Vec<String>)>),
    /// The terminal's input ended.
    InputClosed,
    /// A worker's sorted rows, with the generation they answer.
    Sorted(u64, Vec<u32>),
    /// SIGTERM, SIGINT, SIGHUP, SIGQUIT (leave) or SIGTSTP (suspend), or Ctrl-Z typed.
    Signal(i32),
    /// The disk scan found a model.
    Local(Box<LocalModel>),
    /// A Hugging Face fetch finished: the query and the model or the error.
    Fetched(String, Box<Result<crate::hub::HubModel, String>>),
    /// The disk scan could not use a file or folder.
    Problem(String),
}

/// `fitcheck` with no command: the interactive app. It ends as the commands do (one error
/// type, one exit-status policy: see [`crate::error`]).
pub fn main(cli: &Cli) -> ExitCode {
    match start(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.exit(),
    }
}

fn start(cli: &Cli) -> Result<(), Error> {
    if cli.no_calibration {
        crate::calibrate::disable();
    }
    let usage = |e: &dyn std::fmt::Display| Error::Usage(e.to_string());
    let cat = Arc::new(catalog::load(cli.catalog.as_deref()).map_err(|e| usage(&e))?);
    let config = Config::load().map_err(|e| usage(&e))?;
    // `this` is the default: the detected machine.
    let this = |h: &&String| !crate::resolve::is_this_machine(h);
    let preselect_id = match (
        cli.hardware.as_ref().filter(this),
        config.hardware.as_ref().filter(this),
    ) {
        (Some(h), _) => Some(cat.find_hardware(h).map_err(|e| usage(&e))?.id.clone()),
        (None, Some(h)) => Some(
            cat.find_hardware(h)
                .map_err(|e| usage(&format!("{}: hardware: {e}", Config::path_label())))?
                .id
                .clone(),
        ),
        (None, None) => None,
    };
    // config.ron's quant was checked when it was read.
    let quant = config
        .quant
        .as_deref()
        .and_then(|q| q.parse::<crate::estimate::Quant>().ok());
    let dirs = model_dirs(cli, &config);
    if !std::io::stdout().is_terminal() {
        return Err(usage(
            &"the interactive app needs a terminal; for scripts use `fitcheck fit --model M --json` (see --help)",
        ));
    }
    if let Err(e) = color_eyre::install() {
        crate::error::warn(&e);
    }
    run(
        cat,
        preselect_id.as_deref(),
        (config.context, config.ubatch),
        quant,
        (dirs, cli.offline),
        config.machine.clone(),
        config.costs(),
    )
    .map_err(Error::Terminal)
}

/// A first description of this machine from RAM alone, shown until detection finishes.
fn placeholder_machine() -> Hardware {
    let mut sys = sysinfo::System::new();
    sys.refresh_memory();
    let ram = sys.total_memory();
    Hardware {
        kind: HardwareKind::Detected,
        fp16_tflops: 0.5,
        ..Hardware::new(
            "this-machine",
            "This machine (detecting…)",
            Backend::Cpu,
            ram,
            50.0,
        )
    }
}

fn run(
    cat: Arc<catalog::Catalog>,
    preselect: Option<&str>,
    (context, ubatch): (Option<u32>, Option<u32>),
    quant: Option<crate::estimate::Quant>,
    (dirs, offline): (Vec<(&'static str, std::path::PathBuf)>, bool),
    machine: crate::config::MachineOverride,
    costs: crate::compare::CostInputs,
) -> color_eyre::Result<()> {
    let (tx, rx) = mpsc::channel::<Msg>();
    let mut app = App::new(Arc::clone(&cat), placeholder_machine(), preselect);
    app.costs = costs;
    if let Some(c) = context {
        app.settings.context = c.max(256);
    }
    if let Some(q) = quant {
        app.settings.quant = q;
    }
    if let Some(ub) = ubatch {
        // config.ron's ubatch was checked against limits::UBATCH when it was read.
        app.settings.n_ubatch = ub;
    }
    {
        // The disk scan streams models into the browser; start-up never waits for it.
        let tx = tx.clone();
        let problem_tx = tx.clone();
        thread::spawn(move || {
            crate::local::scan(
                &dirs,
                &mut |m| {
                    let _ = tx.send(Msg::Local(Box::new(m)));
                },
                &mut |problem| {
                    let _ = problem_tx.send(Msg::Problem(problem));
                },
            );
        });
    }
    {
        let tx = tx.clone();
        let presets = cat.hardware.clone();
        let corrections = machine.clone();
        thread::spawn(move || {
            let mut d = detect(&presets);
            corrections.apply(&mut d.hardware, &mut d.notes);
            if let Err(w) = crate::calibrate::attach(&mut d) {
                d.notes.push(w);
            }
            let _ = tx.send(Msg::Detected(Box::new((d.hardware, d.notes))));
        });
    }
    let theme = Theme::from_env();
    let mut terminal = ratatui::init();
    let restore = || {
        let _ = execute!(
            std::io::stdout(),
            DisableMouseCapture,
            crossterm::cursor::Show
        );
        ratatui::restore();
    };
    // ratatui's hook restores the screen; ours also releases the mouse first.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    execute!(std::io::stdout(), EnableMouseCapture)?;
    {
        let tx = tx.clone();
        thread::spawn(move || {
            while let Ok(ev) = event::read() {
                if tx.send(Msg::Term(ev)).is_err() {
                    return;
                }
            }
            // The terminal is gone: nothing more can be typed.
            let _ = tx.send(Msg::InputClosed);
        });
    }
    #[cfg(unix)]
    signals::forward(tx.clone())?;
    // Sort workers answer on this sender.
    let sort_tx = tx;
    let mut fatal_signal = None;
    let mut hits = HitMap::default();
    let result = (|| -> color_eyre::Result<()> {
        draw(&mut terminal, &mut app, &theme, &mut hits)?;
        while let Ok(first) = rx.recv() {
            // A burst is applied whole, then drawn once: `update` only ever sets `dirty`.
            let mut signal = None;
            for msg in std::iter::once(first).chain(rx.try_iter()) {
                match msg {
                    Msg::Signal(sig) => signal = Some(sig),
                    Msg::Term(Event::Key(k)) if signals::is_ctrl_z(&k) => {
                        signal = signals::SUSPEND;
                    }
                    other => handle(&mut app, other, &hits),
                }
            }
            if let Some(sig) = signal {
                if Some(sig) == signals::SUSPEND {
                    restore();
                    signals::stop_until_continued();
                    signals::reenter(&mut terminal)?;
                    app.dirty = true;
                } else {
                    fatal_signal = Some(sig);
                    break;
                }
            }
            if let Some(job) = app.take_sort_job() {
                let tx = sort_tx.clone();
                thread::spawn(move || {
                    let rows = job.run();
                    let _ = tx.send(Msg::Sorted(job.generation, rows));
                });
            }
            if let Some(query) = app.take_fetch() {
                let tx = sort_tx.clone();
                thread::spawn(move || {
                    let result = crate::hub::repo_id(&query)
                        .ok_or_else(|| format!("'{query}' is not a repo id"))
                        .and_then(|(repo, tag)| {
                            crate::hub::Hub::from_env(offline)
                                .and_then(|hub| hub.fetch(&repo, tag.as_deref()))
                                .map_err(|e| e.to_string())
                        });
                    let _ = tx.send(Msg::Fetched(query, Box::new(result)));
                });
            }
            if app.quit {
                break;
            }
            if app.dirty {
                draw(&mut terminal, &mut app, &theme, &mut hits)?;
            }
        }
        Ok(())
    })();
    restore();
    let _ = std::io::stdout().flush();
    if let Some(sig) = fatal_signal {
        // The terminal is back: now end as the signal asked (status 128 + signal number).
        std::process::exit(128 + sig);
    }
    result
}

/// Signals that would otherwise leave the terminal raw, in the alternate screen, with the mouse
/// captured and the cursor hidden: they reach the event loop as messages, which restores the
/// terminal before leaving (or, for Ctrl-Z / SIGTSTP, before stopping and after resuming).
mod signals {
    use super::Msg;

    #[cfg(unix)]
    pub const SUSPEND: Option<i32> = Some(signal_hook::consts::SIGTSTP);
    #[cfg(not(unix))]
    pub const SUSPEND: Option<i32> = None;

    /// Ctrl-Z: raw mode delivers it as a key, not as SIGTSTP.
    pub fn is_ctrl_z(k: &crossterm::event::KeyEvent) -> bool {
        SUSPEND.is_some()
            && k.kind == crossterm::event::KeyEventKind::Press
            && k.code == crossterm::event::KeyCode::Char('z')
            && k.modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL)
    }

    /// Sends each signal to the loop from a thread of its own.
    #[cfg(unix)]
    pub fn forward(tx: std::sync::mpsc::Sender<Msg>) -> std::io::Result<()> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};
        let mut signals =
            signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGTSTP])?;
        std::thread::spawn(move || {
            for sig in signals.forever() {
                if tx.send(Msg::Signal(sig)).is_err() {
                    return;
                }
            }
        });
        Ok(())
    }

    /// Stops the process as the default SIGTSTP would; returns once it is continued.
    pub fn stop_until_continued() {
        #[cfg(unix)]
        {
            let _ = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP);
        }
    }

    /// Takes the terminal back after a resume and forces a full redraw. Not `Terminal::clear`:
    /// it asks the terminal for the cursor position, whose answer the input thread (blocked in
    /// `event::read`) holds back, so it failed after 2 s and ended the app on every `fg`.
    /// `resize` clears the screen and resets the back buffer without asking anything.
    pub fn reenter(terminal: &mut ratatui::DefaultTerminal) -> std::io::Result<()> {
        crossterm::terminal::enable_raw_mode()?;
        crossterm::execute!(
            std::io::stdout(),
            crossterm::terminal::EnterAlternateScreen,
            crossterm::event::EnableMouseCapture
        )?;
        let size = terminal.size()?;
        terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
    }
}

/// One frame, wrapped in a synchronized update so terminals that support it never show half
/// of it (others ignore the sequence).
fn draw(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    theme: &Theme,
    hits: &mut HitMap,
) -> std::io::Result<()> {
    execute!(std::io::stdout(), BeginSynchronizedUpdate)?;
    let drawn = crate::ui::draw(terminal, app, theme, hits);
    execute!(std::io::stdout(), EndSynchronizedUpdate)?;
    drawn
}

fn handle(app: &mut App, msg: Msg, hits: &HitMap) {
    match msg {
        Msg::Term(Event::Key(key)) if key.kind == KeyEventKind::Press => {
            // Lets the end-to-end test prove a panic hands the terminal back intact.
            if key.code == crossterm::event::KeyCode::F(12)
                && std::env::var_os("FITCHECK_CRASH_TEST").is_some()
            {
                panic!("crash requested with F12 (FITCHECK_CRASH_TEST is set)");
            }
            if let Some(action) = action_for(app.mode, key) {
                update(app, action);
            }
        }
        Msg::Term(Event::Mouse(m)) => {
            if let Some(action) = mouse_action(app.mode, m, hits) {
                update(app, action);
            }
        }
        Msg::Term(Event::Resize(..)) => app.dirty = true,
        Msg::Term(_) => {}
        Msg::Detected(found) => {
            let (hw, notes) = *found;
            app.set_machine(hw, notes);
        }
        Msg::Local(m) => app.add_local(*m),
        Msg::Fetched(query, result) => app.fetched(&query, *result),
        Msg::Problem(p) => app.add_problem(p),
        Msg::Sorted(generation, rows) => app.finish_sort(generation, rows),
        // Signals are handled by the loop, which owns the terminal.
        Msg::InputClosed | Msg::Signal(_) => app.quit = true,
    }
}

fn inside(r: ratatui::layout::Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
}

/// What a mouse event means, from where the last frame drew things; `update` applies it.
pub fn mouse_action(mode: Mode, m: MouseEvent, hits: &HitMap) -> Option<Action> {
    let (x, y) = (m.column, m.row);
    match m.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let down = m.kind == MouseEventKind::ScrollDown;
            let in_list = inside(hits.browser, x, y) && mode == Mode::Browse;
            (in_list
                || matches!(
                    mode,
                    Mode::Picker | Mode::Compare | Mode::Guide | Mode::Problems | Mode::Help
                ))
            .then_some(Action::Scroll(down))
        }
        MouseEventKind::Down(MouseButton::Left) | MouseEventKind::Drag(MouseButton::Left) => {
            if mode == Mode::Help {
                return Some(Action::Back);
            }
            if mode != Mode::Browse {
                return None;
            }
            if inside(hits.browser, x, y) {
                if y >= hits.first_row_y && y < hits.first_row_y + hits.list_rows {
                    Some(Action::ClickRow(y - hits.first_row_y))
                } else {
                    Some(Action::FocusOn(Focus::Browser))
                }
            } else if let Some(&(slider, _, x0, x1)) =
                hits.slider_rows.iter().find(|(_, row, _, _)| *row == y)
            {
                if x < x0 || x >= x1 || x1 <= x0 + 1 {
                    return Some(Action::FocusOn(Focus::Sliders));
                }
                let permille = u32::from(x - x0) * 1000 / u32::from(x1 - x0 - 1);
                Some(Action::SetSlider(slider, permille as u16))
            } else if inside(hits.sliders, x, y) {
                Some(Action::FocusOn(Focus::Sliders))
            } else {
                None
            }
        }
        _ => None,
    }
}
