#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! The app's comparison with cluster presets as columns, and mixed cards from the picker.

mod common;

use common::{real_app_on, screen};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fitcheck::app::action::action_for;
use fitcheck::app::{update, App};
use fitcheck::ui::{HitMap, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn press(app: &mut App, code: KeyCode) {
    if let Some(a) = action_for(app.mode, KeyEvent::new(code, KeyModifiers::NONE)) {
        update(app, a);
    }
}

fn keys(app: &mut App, s: &str) {
    for ch in s.chars() {
        press(app, KeyCode::Char(ch));
    }
}

fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut hits = HitMap::default();
    fitcheck::ui::draw(&mut t, app, &Theme::monochrome(), &mut hits).unwrap();
    t
}

/// Opens the picker, types `query`, marks the first match (Tab) and closes it.
fn mark(app: &mut App, query: &str) {
    keys(app, "H");
    keys(app, query);
    press(app, KeyCode::Tab);
    press(app, KeyCode::Esc);
}

#[test]
fn two_sparks_stand_next_to_an_m3_ultra_in_the_comparison() {
    let mut app = real_app_on("dgx-spark");
    mark(&mut app, "2x-dgx-spark");
    mark(&mut app, "m3-ultra-80c");
    let ids: Vec<&str> = app
        .compare_columns()
        .iter()
        .map(|&i| app.hardware[i].id.as_str())
        .collect();
    assert_eq!(ids, ["2x-dgx-spark", "m3-ultra-80c"]);
    keys(&mut app, "T");
    let t = render(&mut app, 160, 48);
    let s = screen(&t);
    assert!(
        s.contains("2 × NVIDIA DGX Spark") || s.contains("2x-dgx-spark"),
        "{s}"
    );
    insta::assert_snapshot!("compare_cluster_columns_160x48", t.backend());
}

#[test]
fn a_comma_list_in_the_picker_is_different_cards_in_one_box() {
    let mut app = real_app_on("rtx-4090");
    let before = app.hardware.len();
    keys(&mut app, "H");
    keys(&mut app, "rtx-4090, rtx-3060-12");
    let t = render(&mut app, 120, 40);
    assert!(screen(&t).contains("in one box"), "{}", screen(&t));
    press(&mut app, KeyCode::Enter);
    let hw = app.hw();
    assert_eq!(hw.id, "rtx-4090+rtx-3060-12");
    assert_eq!(hw.cards.len(), 2);
    assert_eq!(app.hardware.len(), before + 1);
    // The same list again reuses the entry rather than adding another.
    keys(&mut app, "H");
    keys(&mut app, "rtx-4090,rtx-3060-12");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.hardware.len(), before + 1);
    // A list the catalog has as a preset is that preset.
    keys(&mut app, "H");
    keys(&mut app, "rtx-5090,rtx-5080");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.hw().id, "rtx-5090+rtx-5080");
    assert_eq!(app.hardware.len(), before + 1);
    // A name that is no card says why.
    keys(&mut app, "H");
    keys(&mut app, "rtx-5090,dgx-spark");
    let s = screen(&render(&mut app, 120, 40));
    assert!(s.contains("not a discrete GPU"), "{s}");
}

#[test]
fn on_a_cluster_the_gauges_say_what_each_node_holds() {
    let mut app = real_app_on("2x-dgx-spark");
    assert_eq!(app.hw().id, "2x-dgx-spark");
    let s = screen(&render(&mut app, 160, 48));
    assert!(s.contains("2 nodes 200gbe"), "{s}");
    assert!(s.contains("per node"), "{s}");
}

/// A wide comparison cell prints the CLI's "used/usable" memory string for its model and
/// machine (device + RAM when offloaded), the figure `compare` and `recommend` print.
#[test]
fn wide_compare_cells_print_the_clis_used_over_usable_memory() {
    let mut app = real_app_on("rtx-4090");
    mark(&mut app, "rtx-4090");
    mark(&mut app, "m4-max");
    keys(&mut app, "T");
    let t = render(&mut app, 160, 48);
    let s = screen(&t);
    let id = app.compare_rows(1)[0];
    let model = app.model(id).clone();
    let settings = app.settings_for(&model);
    for c in app.compare_columns() {
        let e = fitcheck::compare::cell(&model, &app.hardware[c], &settings).estimate;
        let want = e.memory_of_usable_gib();
        assert!(
            s.contains(&want),
            "{} missing {want}:\n{s}",
            app.hardware[c].id
        );
    }
}
