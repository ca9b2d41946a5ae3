//! `update`: the only place the app changes (keys, mouse and layout facts all arrive here as
//! actions). It only ever sets `dirty`; drawing clears it, so a key that changes nothing can
//! never cancel the redraw an earlier key of the same burst asked for.

use super::sliders::{
    context_steps, kv_steps, nearest_quant, quant_steps, runtime_steps, ubatch_steps,
};
use super::{App, Focus, Mode, Slider, SLIDERS};
use crate::app::Action;
use crate::estimate::train::Method;

/// Applies one action.
pub fn update(app: &mut App, action: Action) {
    let changed = apply(app, action);
    app.dirty |= changed;
}

/// Applies one action; whether anything visible changed.
fn apply(app: &mut App, action: Action) -> bool {
    if let Action::Layout {
        list_rows,
        compare_rows,
        guide_max_scroll,
        help_max_scroll,
    } = action
    {
        return layout(
            app,
            list_rows,
            compare_rows,
            (guide_max_scroll, help_max_scroll),
        );
    }
    match (app.mode, action) {
        (_, Action::Quit) => app.quit = true,
        (Mode::Help, Action::ToggleHelp | Action::Back | Action::ClickRow(_)) => {
            app.mode = Mode::Browse
        }
        (Mode::Help, Action::Down | Action::Scroll(true)) => return help_scroll(app, 1),
        (Mode::Help, Action::Up | Action::Scroll(false)) => return help_scroll(app, -1),
        (Mode::Help, Action::PageDown) => return help_scroll(app, 10),
        (Mode::Help, Action::PageUp) => return help_scroll(app, -10),
        (Mode::Help, _) => return false,
        (Mode::Problems, Action::ToggleProblems | Action::Back) => app.mode = Mode::Browse,
        (Mode::Problems, Action::Down | Action::Scroll(true)) => return app.problems.scroll_by(1),
        (Mode::Problems, Action::Up | Action::Scroll(false)) => return app.problems.scroll_by(-1),
        (Mode::Problems, Action::PageDown) => return app.problems.scroll_by(10),
        (Mode::Problems, Action::PageUp) => return app.problems.scroll_by(-10),
        (Mode::Problems, _) => return false,
        (Mode::Compare, a) => return compare_mode(app, a),
        (Mode::Guide, Action::ToggleGuide | Action::Back) => app.mode = Mode::Browse,
        (Mode::Guide, Action::Down | Action::Scroll(true)) => return guide_scroll(app, 1),
        (Mode::Guide, Action::Up | Action::Scroll(false)) => return guide_scroll(app, -1),
        (Mode::Guide, Action::PageDown) => return guide_scroll(app, 10),
        (Mode::Guide, Action::PageUp) => return guide_scroll(app, -10),
        (Mode::Guide, _) => return false,
        (Mode::Recommend, Action::ToggleRecommend | Action::Back) => app.mode = Mode::Browse,
        (Mode::Recommend, Action::Increase) => app.cycle_use_case(1),
        (Mode::Recommend, Action::Decrease) => app.cycle_use_case(-1),
        (Mode::Recommend, Action::Down) => app.rec.scroll = app.rec.scroll.saturating_add(1),
        (Mode::Recommend, Action::Up) => app.rec.scroll = app.rec.scroll.saturating_sub(1),
        (Mode::Recommend, _) => return false,
        (Mode::Search, a) => return search_mode(app, a),
        (Mode::Picker, a) => return picker_mode(app, a),
        (Mode::Browse, a) => return browse_mode(app, a),
    }
    true
}

fn layout(app: &mut App, list_rows: u16, compare_rows: u16, max_scroll: (u16, u16)) -> bool {
    let (guide_max, help_max) = max_scroll;
    let before = (
        app.page,
        app.compare_page,
        app.guide_max_scroll,
        app.help_max_scroll,
        app.offset,
    );
    app.page = usize::from(list_rows).max(1);
    app.compare_page = usize::from(compare_rows).max(1);
    app.guide_max_scroll = guide_max;
    app.guide_scroll = app.guide_scroll.min(guide_max);
    app.help_max_scroll = help_max;
    app.help_scroll = app.help_scroll.min(help_max);
    app.clamp_selection();
    before
        != (
            app.page,
            app.compare_page,
            app.guide_max_scroll,
            app.help_max_scroll,
            app.offset,
        )
}

/// Moves a scroll position by `delta` within `0..=max`; whether it moved.
fn scroll_within(pos: &mut u16, max: u16, delta: i32) -> bool {
    let before = *pos;
    *pos = (i32::from(*pos) + delta).clamp(0, i32::from(max)) as u16;
    *pos != before
}

fn guide_scroll(app: &mut App, delta: i32) -> bool {
    scroll_within(&mut app.guide_scroll, app.guide_max_scroll, delta)
}

fn help_scroll(app: &mut App, delta: i32) -> bool {
    scroll_within(&mut app.help_scroll, app.help_max_scroll, delta)
}

/// Step of the API-spend keys, USD per month.
const API_SPEND_STEP: f64 = 25.0;

fn compare_mode(app: &mut App, action: Action) -> bool {
    let rows = app.compare_rows_all().len();
    let last = rows.saturating_sub(app.compare_page.max(1));
    let scroll = |app: &mut App, to: usize| {
        let before = app.compare_scroll;
        app.compare_scroll = to.min(last);
        app.compare_scroll != before
    };
    match action {
        Action::Back if app.buy.is_some() => app.buy = None,
        Action::ToggleCompare | Action::Back => {
            app.buy = None;
            app.mode = Mode::Browse;
        }
        Action::CheapestMachine => {
            app.buy = match app.buy.take() {
                Some(_) => None,
                None => {
                    let top = app.compare_rows_all().get(app.compare_scroll).copied();
                    top.and_then(|id| app.cheapest_machines(id))
                }
            };
        }
        Action::Decrease => adjust(app, app.slider, -1),
        Action::Increase => adjust(app, app.slider, 1),
        Action::ContextUp => scale_context(app, true),
        Action::ContextDown => scale_context(app, false),
        Action::ApiSpendDown => adjust_api_spend(app, -API_SPEND_STEP),
        Action::ApiSpendUp => adjust_api_spend(app, API_SPEND_STEP),
        Action::Down | Action::Scroll(true) => return scroll(app, app.compare_scroll + 1),
        Action::Up | Action::Scroll(false) => {
            return scroll(app, app.compare_scroll.saturating_sub(1))
        }
        Action::PageDown => return scroll(app, app.compare_scroll + app.compare_page),
        Action::PageUp => return scroll(app, app.compare_scroll.saturating_sub(app.compare_page)),
        _ => return false,
    }
    true
}

fn adjust_api_spend(app: &mut App, delta: f64) {
    let spend = &mut app.costs.api_usd_per_month;
    *spend = (*spend + delta).clamp(0.0, 100_000.0);
    refresh_buy(app);
}

fn search_mode(app: &mut App, action: Action) -> bool {
    match action {
        Action::Type(ch) => {
            app.query.push(ch);
            requery(app, false);
        }
        Action::Backspace => {
            if app.query.pop().is_none() {
                return false;
            }
            requery(app, false);
        }
        Action::ClearQuery => {
            if app.query.is_empty() {
                return false;
            }
            app.query.clear();
            requery(app, true);
        }
        Action::Confirm if app.offers_fetch() => {
            app.request_fetch();
            app.mode = Mode::Browse;
        }
        Action::Back | Action::Confirm => app.mode = Mode::Browse,
        other => return move_selection(app, other),
    }
    true
}

/// Re-runs the search. Typing selects the best match; clearing the filter keeps the selected
/// model selected (`keep`).
fn requery(app: &mut App, keep: bool) {
    let id = app.selected_id();
    // A fetch's message was about the query that asked for it.
    app.hub.status = None;
    app.search.set_query(&app.query);
    app.refresh_rows();
    app.select_id(if keep { id } else { None });
    if !keep {
        app.offset = 0;
    }
}

fn picker_mode(app: &mut App, action: Action) -> bool {
    let last = app.picker_rows.len().saturating_sub(1);
    match action {
        Action::Type(ch) => {
            app.picker_query.push(ch);
            app.picker_selected = 0;
            app.refresh_picker();
        }
        Action::Backspace => {
            app.picker_query.pop();
            app.refresh_picker();
        }
        Action::ClearQuery => {
            app.picker_query.clear();
            app.refresh_picker();
        }
        Action::Down => app.picker_selected = (app.picker_selected + 1).min(last),
        Action::Up => app.picker_selected = app.picker_selected.saturating_sub(1),
        Action::Scroll(down) => {
            app.picker_selected = if down {
                (app.picker_selected + 3).min(last)
            } else {
                app.picker_selected.saturating_sub(3)
            }
        }
        Action::PageDown => app.picker_selected = (app.picker_selected + 10).min(last),
        Action::PageUp => app.picker_selected = app.picker_selected.saturating_sub(10),
        Action::Confirm => {
            let chosen = app.picker_rows.get(app.picker_selected).copied();
            if let Some(i) = chosen.or_else(|| app.picker_cards_index()) {
                choose_hardware(app, i);
            }
            app.mode = Mode::Browse;
        }
        Action::Back => app.mode = Mode::Browse,
        Action::ToggleMark => {
            let chosen = app.picker_rows.get(app.picker_selected).copied();
            if let Some(i) = chosen.or_else(|| app.picker_cards_index()) {
                toggle(&mut app.marked_hardware, i);
                app.refresh_picker();
            }
        }
        _ => return false,
    }
    true
}

fn toggle<T: PartialEq>(list: &mut Vec<T>, x: T) {
    match list.iter().position(|y| *y == x) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(x),
    }
}

/// Switches hardware (every row re-estimates; cache terms are kept). A runtime the new machine
/// cannot run (MLX off Apple silicon) falls back to llama.cpp.
pub fn choose_hardware(app: &mut App, index: usize) {
    app.hw_index = index.min(app.hardware.len() - 1);
    let runtimes = runtime_steps(app.hw());
    if !runtimes.contains(&app.settings.runtime) {
        app.settings.runtime = runtimes[0];
        app.settings.quant = nearest_quant(&quant_steps(app.settings.runtime), app.settings.quant);
    }
    settings_changed(app);
}

fn browse_mode(app: &mut App, action: Action) -> bool {
    match action {
        Action::StartSearch => {
            app.mode = Mode::Search;
            app.focus = Focus::Browser;
        }
        Action::Back | Action::ClearQuery => {
            if app.query.is_empty() {
                return false;
            }
            app.query.clear();
            requery(app, true);
        }
        Action::OpenPicker => {
            app.mode = Mode::Picker;
            app.picker_query.clear();
            app.refresh_picker();
            app.picker_selected = app
                .picker_rows
                .iter()
                .position(|&i| i == app.hw_index)
                .unwrap_or(0);
        }
        Action::ToggleHelp => {
            app.mode = Mode::Help;
            app.help_scroll = 0;
        }
        Action::ToggleProblems => app.mode = Mode::Problems,
        Action::ToggleCompare => {
            app.mode = Mode::Compare;
            app.compare_scroll = 0;
        }
        Action::ToggleGuide => {
            app.mode = Mode::Guide;
            app.guide_scroll = 0;
        }
        Action::ToggleRecommend => {
            app.mode = Mode::Recommend;
            app.rec.scroll = 0;
            app.refresh_recommendation();
        }
        Action::ToggleMark => match app.selected_id() {
            Some(id) => toggle(&mut app.marked_models, id),
            None => return false,
        },
        Action::CycleSort => app.cycle_sort(),
        Action::ReverseSort => app.toggle_reverse(),
        Action::ToggleFitsOnly => app.toggle_fits_only(),
        Action::CycleUseCase => app.cycle_use_case(1),
        Action::CycleTrainMode => {
            app.train_mode = match app.train_mode {
                None => Some(Method::Lora),
                Some(Method::Lora) => Some(Method::Qlora),
                Some(Method::Qlora) => Some(Method::Full),
                Some(Method::Full) => None,
            };
        }
        // Two panels take keys; the gauges only show.
        Action::FocusNext | Action::FocusPrev => {
            app.focus = match app.focus {
                Focus::Browser => Focus::Sliders,
                Focus::Sliders => Focus::Browser,
            }
        }
        Action::FocusOn(f) => {
            if app.focus == f {
                return false;
            }
            app.focus = f;
        }
        Action::Decrease => adjust(app, app.slider, -1),
        Action::Increase => adjust(app, app.slider, 1),
        Action::DecreaseFine => fine_context(app, -1024),
        Action::IncreaseFine => fine_context(app, 1024),
        Action::ContextUp => scale_context(app, true),
        Action::ContextDown => scale_context(app, false),
        Action::SetSlider(slider, permille) => {
            app.focus = Focus::Sliders;
            app.slider = slider;
            set_fraction(app, slider, f64::from(permille) / 1000.0);
        }
        Action::ClickRow(n) => {
            app.focus = Focus::Browser;
            let row = app.offset + usize::from(n);
            if row < app.rows.len() {
                app.selected = row;
            }
        }
        Action::Scroll(down) => {
            for _ in 0..3 {
                move_selection(app, if down { Action::Down } else { Action::Up });
            }
        }
        Action::Up | Action::Down if app.focus == Focus::Sliders => {
            let i = SLIDERS.iter().position(|s| *s == app.slider).unwrap_or(0) as isize;
            let step = if action == Action::Down { 1 } else { -1 };
            let next = SLIDERS[(i + step).clamp(0, SLIDERS.len() as isize - 1) as usize];
            if next == app.slider {
                return false;
            }
            app.slider = next;
        }
        other => return move_selection(app, other),
    }
    true
}

fn move_selection(app: &mut App, action: Action) -> bool {
    let last = app.rows.len().saturating_sub(1);
    let page = app.page.max(1);
    let before = (app.selected, app.offset);
    app.selected = match action {
        Action::Down => (app.selected + 1).min(last),
        Action::Up => app.selected.saturating_sub(1),
        Action::PageDown => (app.selected + page).min(last),
        Action::PageUp => app.selected.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => last,
        _ => app.selected,
    };
    app.clamp_selection();
    (app.selected, app.offset) != before
}

/// Moves a slider by `dir` steps (−1 or +1) in the order it runs.
pub fn adjust(app: &mut App, slider: Slider, dir: i32) {
    let max_ctx = app
        .selected_model()
        .map_or(131_072, |(_, m)| m.max_context());
    let layers = app.selected_model().map_or(1, |(_, m)| m.arch.layers + 1);
    let runtimes = runtime_steps(app.hw());
    let s = &mut app.settings;
    match slider {
        Slider::Context => {
            let steps = context_steps(max_ctx);
            let cur = s.context.min(max_ctx);
            s.context = if dir > 0 {
                steps.iter().copied().find(|&v| v > cur).unwrap_or(max_ctx)
            } else {
                steps
                    .iter()
                    .rev()
                    .copied()
                    .find(|&v| v < cur)
                    .unwrap_or(steps[0])
            };
        }
        Slider::Quant => s.quant = step_in(&quant_steps(s.runtime), s.quant, dir),
        Slider::KvType => s.kv_type = step_in(&kv_steps(), s.kv_type, dir),
        Slider::Sequences => s.parallel = (s.parallel as i32 + dir).clamp(1, 64) as u32,
        Slider::Ubatch => s.n_ubatch = step_in(&ubatch_steps(), s.n_ubatch, dir),
        Slider::Runtime => {
            s.runtime = step_in(&runtimes, s.runtime, dir);
            // Each runtime loads its own formats: keep the size, change the format.
            s.quant = nearest_quant(&quant_steps(s.runtime), s.quant);
        }
        Slider::GpuLayers => {
            s.gpu_layers = match (s.gpu_layers, dir > 0) {
                (None, true) => None,
                (None, false) => Some(layers),
                (Some(n), true) if n >= layers => None,
                (Some(n), true) => Some(n + 1),
                (Some(n), false) => Some(n.saturating_sub(1).min(layers)),
            };
        }
    }
    settings_changed(app);
}

/// `+` doubles and `-` halves the context (within 1K and the model's maximum).
fn scale_context(app: &mut App, up: bool) {
    let max = app
        .selected_model()
        .map_or(u32::MAX, |(_, m)| m.max_context());
    let cur = app.settings.context.min(max);
    app.settings.context = if up {
        cur.saturating_mul(2).min(max)
    } else {
        (cur / 2).max(1024)
    };
    settings_changed(app);
}

/// Sets a slider to a fraction (0..=1) of its range (mouse click or drag).
pub fn set_fraction(app: &mut App, slider: Slider, fraction: f64) {
    let (_, _, count) = app.slider_state(slider);
    let target = ((fraction.clamp(0.0, 1.0) * (count.saturating_sub(1)) as f64).round()) as usize;
    for _ in 0..count {
        let (_, pos, _) = app.slider_state(slider);
        if pos == target {
            break;
        }
        let before = app.settings;
        adjust(app, slider, if pos < target { 1 } else { -1 });
        if app.settings == before {
            break;
        }
    }
}

fn fine_context(app: &mut App, delta: i64) {
    let max = app
        .selected_model()
        .map_or(u32::MAX, |(_, m)| m.max_context());
    let cur = i64::from(app.settings.context.min(max));
    app.settings.context = (cur + delta).clamp(1024, i64::from(max)) as u32;
    settings_changed(app);
}

fn step_in<T: Copy + PartialEq>(list: &[T], cur: T, dir: i32) -> T {
    match list.iter().position(|x| *x == cur) {
        Some(i) => list[(i as i32 + dir).clamp(0, list.len() as i32 - 1) as usize],
        // A value from elsewhere (config, CLI): enter the list at its end nearest the move.
        None if dir > 0 => list[0],
        None => list[list.len() - 1],
    }
}

fn settings_changed(app: &mut App) {
    if app.sort_depends_on_estimates() {
        app.resort();
    }
    refresh_buy(app);
}

/// The cheapest machines shown follow the settings and the API spend they are weighed against.
fn refresh_buy(app: &mut App) {
    if let Some(id) = app.buy.as_ref().map(|b| b.id) {
        app.buy = app.cheapest_machines(id);
    }
}
