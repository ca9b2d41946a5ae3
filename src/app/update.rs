//! `update`: the only place the app changes. Returns nothing; sets `dirty` when the screen must
//! be redrawn.

use super::{App, Focus, Mode, Slider, SLIDERS};
use crate::app::Action;
use crate::estimate::kv::KV_TYPES;
use crate::estimate::quant::QUANTS;
use crate::estimate::settings::RUNTIMES;
use crate::estimate::train::Method;

/// Applies one action.
pub fn update(app: &mut App, action: Action) {
    app.dirty = true;
    match (app.mode, action) {
        (_, Action::Quit) => app.quit = true,
        (Mode::Help, Action::ToggleHelp | Action::Back) => app.mode = Mode::Browse,
        (Mode::Help, _) => app.dirty = false,
        (Mode::Compare, Action::ToggleCompare | Action::Back) => app.mode = Mode::Browse,
        (Mode::Compare, Action::Decrease) => adjust(app, app.slider, -1),
        (Mode::Compare, Action::Increase) => adjust(app, app.slider, 1),
        (Mode::Compare, Action::ContextUp) => adjust(app, Slider::Context, 1),
        (Mode::Compare, Action::ContextDown) => adjust(app, Slider::Context, -1),
        (Mode::Compare, Action::ApiSpendDown) => adjust_api_spend(app, -API_SPEND_STEP),
        (Mode::Compare, Action::ApiSpendUp) => adjust_api_spend(app, API_SPEND_STEP),
        (Mode::Compare, _) => app.dirty = false,
        (Mode::Guide, Action::ToggleGuide | Action::Back) => app.mode = Mode::Browse,
        (Mode::Guide, Action::Down) => app.guide_scroll = app.guide_scroll.saturating_add(1),
        (Mode::Guide, Action::Up) => app.guide_scroll = app.guide_scroll.saturating_sub(1),
        (Mode::Guide, Action::PageDown) => app.guide_scroll = app.guide_scroll.saturating_add(10),
        (Mode::Guide, Action::PageUp) => app.guide_scroll = app.guide_scroll.saturating_sub(10),
        (Mode::Guide, _) => app.dirty = false,
        (Mode::Recommend, Action::ToggleRecommend | Action::Back) => app.mode = Mode::Browse,
        (Mode::Recommend, Action::Increase) => app.cycle_use_case(1),
        (Mode::Recommend, Action::Decrease) => app.cycle_use_case(-1),
        (Mode::Recommend, Action::Down) => app.rec.scroll = app.rec.scroll.saturating_add(1),
        (Mode::Recommend, Action::Up) => app.rec.scroll = app.rec.scroll.saturating_sub(1),
        (Mode::Recommend, _) => app.dirty = false,
        (Mode::Search, a) => search_mode(app, a),
        (Mode::Picker, a) => picker_mode(app, a),
        (Mode::Browse, a) => browse_mode(app, a),
    }
}

/// Step of the API-spend keys, USD per month.
const API_SPEND_STEP: f64 = 25.0;

fn adjust_api_spend(app: &mut App, delta: f64) {
    let spend = &mut app.costs.api_usd_per_month;
    *spend = (*spend + delta).clamp(0.0, 100_000.0);
}

fn search_mode(app: &mut App, action: Action) {
    match action {
        Action::Type(ch) => {
            app.query.push(ch);
            requery(app);
        }
        Action::Backspace => {
            app.query.pop();
            requery(app);
        }
        Action::Back | Action::Confirm => app.mode = Mode::Browse,
        other => move_selection(app, other),
    }
}

fn requery(app: &mut App) {
    app.search.set_query(&app.query);
    app.selected = 0;
    app.offset = 0;
    app.rows.clear();
    app.refresh_rows();
}

fn picker_mode(app: &mut App, action: Action) {
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
        Action::Down => {
            app.picker_selected =
                (app.picker_selected + 1).min(app.picker_rows.len().saturating_sub(1))
        }
        Action::Up => app.picker_selected = app.picker_selected.saturating_sub(1),
        Action::PageDown => {
            app.picker_selected =
                (app.picker_selected + 10).min(app.picker_rows.len().saturating_sub(1))
        }
        Action::PageUp => app.picker_selected = app.picker_selected.saturating_sub(10),
        Action::Confirm => {
            if let Some(&i) = app.picker_rows.get(app.picker_selected) {
                choose_hardware(app, i);
            }
            app.mode = Mode::Browse;
        }
        Action::Back => app.mode = Mode::Browse,
        Action::ToggleMark => {
            if let Some(&i) = app.picker_rows.get(app.picker_selected) {
                toggle(&mut app.marked_hardware, i);
            }
        }
        _ => app.dirty = false,
    }
}

fn toggle<T: PartialEq>(list: &mut Vec<T>, x: T) {
    match list.iter().position(|y| *y == x) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(x),
    }
}

/// Switches hardware (every row re-estimates; cache terms are kept).
pub fn choose_hardware(app: &mut App, index: usize) {
    app.hw_index = index.min(app.hardware.len() - 1);
    settings_changed(app);
}

fn browse_mode(app: &mut App, action: Action) {
    match action {
        Action::StartSearch => {
            app.mode = Mode::Search;
            app.focus = Focus::Browser;
        }
        Action::Back => {
            if app.query.is_empty() {
                app.dirty = false;
            } else {
                app.query.clear();
                requery(app);
            }
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
        Action::ToggleHelp => app.mode = Mode::Help,
        Action::ToggleCompare => app.mode = Mode::Compare,
        Action::ToggleGuide => {
            app.mode = Mode::Guide;
            app.guide_scroll = 0;
        }
        Action::ToggleRecommend => {
            app.mode = Mode::Recommend;
            app.rec.scroll = 0;
            app.refresh_recommendation();
        }
        Action::ToggleMark => {
            if let Some(&id) = app.rows.get(app.selected) {
                toggle(&mut app.marked_models, id);
            }
        }
        Action::CycleSort => app.cycle_sort(),
        Action::CycleTrainMode => {
            app.train_mode = match app.train_mode {
                None => Some(Method::Lora),
                Some(Method::Lora) => Some(Method::Qlora),
                Some(Method::Qlora) => Some(Method::Full),
                Some(Method::Full) => None,
            };
        }
        Action::FocusNext => {
            app.focus = match app.focus {
                Focus::Browser => Focus::Sliders,
                Focus::Sliders => Focus::Gauges,
                Focus::Gauges => Focus::Browser,
            }
        }
        Action::FocusPrev => {
            app.focus = match app.focus {
                Focus::Browser => Focus::Gauges,
                Focus::Sliders => Focus::Browser,
                Focus::Gauges => Focus::Sliders,
            }
        }
        Action::Decrease => adjust(app, app.slider, -1),
        Action::Increase => adjust(app, app.slider, 1),
        Action::DecreaseFine => fine_context(app, -1024),
        Action::IncreaseFine => fine_context(app, 1024),
        Action::ContextUp => adjust(app, Slider::Context, 1),
        Action::ContextDown => adjust(app, Slider::Context, -1),
        Action::Up | Action::Down if app.focus == Focus::Sliders => {
            let i = SLIDERS.iter().position(|s| *s == app.slider).unwrap_or(0) as isize;
            let step = if action == Action::Down { 1 } else { -1 };
            app.slider = SLIDERS[(i + step).clamp(0, SLIDERS.len() as isize - 1) as usize];
        }
        other => move_selection(app, other),
    }
}

fn move_selection(app: &mut App, action: Action) {
    let last = app.rows.len().saturating_sub(1);
    let page = app.page.max(1);
    let before = app.selected;
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
    app.dirty = app.selected != before || matches!(action, Action::Confirm);
}

/// Moves a slider by `dir` steps (−1 or +1).
pub fn adjust(app: &mut App, slider: Slider, dir: i32) {
    let model = app.selected_model().map(|(_, m)| m.clone());
    let s = &mut app.settings;
    match slider {
        Slider::Context => {
            let steps = App::context_steps(model.as_ref());
            let cur = model
                .as_ref()
                .map_or(s.context, |m| s.context.min(m.max_context()));
            s.context = if dir > 0 {
                steps
                    .iter()
                    .copied()
                    .find(|&v| v > cur)
                    .unwrap_or(*steps.last().unwrap_or(&cur))
            } else {
                steps
                    .iter()
                    .rev()
                    .copied()
                    .find(|&v| v < cur)
                    .unwrap_or(steps[0])
            };
        }
        Slider::Quant => s.quant = step_in(&QUANTS, s.quant, dir),
        Slider::KvType => s.kv_type = step_in(&KV_TYPES, s.kv_type, dir),
        Slider::Sequences => s.parallel = (s.parallel as i32 + dir).clamp(1, 64) as u32,
        Slider::Runtime => s.runtime = step_in(&RUNTIMES, s.runtime, dir),
        Slider::GpuLayers => {
            let total = model.as_ref().map_or(1, |m| m.arch.layers + 1);
            s.gpu_layers = match (s.gpu_layers, dir > 0) {
                (None, true) => None,
                (None, false) => Some(total),
                (Some(n), true) if n >= total => None,
                (Some(n), true) => Some(n + 1),
                (Some(n), false) => Some(n.saturating_sub(1).min(total)),
            };
        }
    }
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
    let i = list.iter().position(|x| *x == cur).unwrap_or(0) as i32;
    list[(i + dir).clamp(0, list.len() as i32 - 1) as usize]
}

fn settings_changed(app: &mut App) {
    if matches!(
        app.sort,
        super::SortKey::Fit | super::SortKey::Speed | super::SortKey::Size
    ) {
        app.resort();
    }
    app.dirty = true;
}
