#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Every screen and popup at 80×24 and 160×48 (TestBackend + insta), tiny sizes, and the few
//! places where colour carries meaning.

mod common;

use common::{app_on, screen};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fitcheck::app::action::action_for;
use fitcheck::app::{update, App};
use fitcheck::ui::{HitMap, Theme};
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;

fn keys(app: &mut App, s: &str) {
    for ch in s.chars() {
        let code = match ch {
            '\u{1b}' => KeyCode::Esc,
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        if let Some(a) = action_for(app.mode, KeyEvent::new(code, KeyModifiers::NONE)) {
            update(app, a);
        }
    }
    app.refresh_rows();
}

fn render(app: &mut App, w: u16, h: u16, theme: &Theme) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut hits = HitMap::default();
    fitcheck::ui::draw(&mut t, app, theme, &mut hits).unwrap();
    t
}

fn snap(name: &str, keys_in: &str, hw: &str) {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = app_on(hw);
        keys(&mut app, keys_in);
        let t = render(&mut app, w, h, &Theme::monochrome());
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

#[test]
fn browser() {
    snap("browser", "", "rtx-4090");
}

#[test]
fn search_active() {
    snap("search", "/qwen", "rtx-4090");
}

#[test]
fn sliders_moved_on_a_small_mac() {
    snap("sliders", "\t+++l", "tier-16");
}

#[test]
fn does_not_fit_with_advice() {
    snap("no_fit", "jj", "tier-16");
}

#[test]
fn picker_open() {
    snap("picker", "Hm4", "rtx-4090");
}

#[test]
fn help_open() {
    snap("help", "?", "rtx-4090");
}

#[test]
fn best_for_coding_fits_only_reversed() {
    snap("best_for_coding", "ssssuFS", "rtx-4090");
}

#[test]
fn too_small_says_so() {
    let mut app = app_on("rtx-4090");
    let t = render(&mut app, 60, 20, &Theme::monochrome());
    insta::assert_snapshot!("too_small_60x20", t.backend());
}

#[test]
fn tiny_terminals_never_panic() {
    for (w, h) in [(0, 0), (1, 1), (20, 5), (79, 23), (80, 24), (300, 100)] {
        for k in ["", "?", "H", "/x"] {
            let mut app = app_on("rtx-4090");
            keys(&mut app, k);
            render(&mut app, w, h, &Theme::dark());
        }
    }
}

fn find(t: &Terminal<TestBackend>, text: &str) -> (u16, u16) {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        let row: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if let Some(pos) = row.find(text) {
            let x = row[..pos].chars().count() as u16;
            return (x, y);
        }
    }
    panic!("{text:?} not on screen");
}

#[test]
fn headroom_turns_red_when_negative_and_selection_is_reversed() {
    let mut app = app_on("tier-16");
    keys(&mut app, "j"); // Llama 3.3 70B on 16 GB
    let t = render(&mut app, 120, 40, &Theme::dark());
    let (x, y) = find(&t, "headroom");
    let value = &t.backend().buffer()[(x + 9, y)];
    assert_eq!(value.fg, Color::Red, "negative headroom is an error");
    let (x, y) = find(&t, "Llama 3.3 70B");
    assert!(t.backend().buffer()[(x, y)]
        .modifier
        .contains(Modifier::REVERSED));
    let mut app = app_on("rtx-4090");
    let t = render(&mut app, 120, 40, &Theme::dark());
    let (x, y) = find(&t, "headroom");
    assert_eq!(t.backend().buffer()[(x + 9, y)].fg, Color::Green);
}

#[test]
fn monochrome_theme_sets_no_colour_at_all() {
    let mut app = app_on("tier-16");
    keys(&mut app, "j?");
    let t = render(&mut app, 120, 40, &Theme::monochrome());
    let buf = t.backend().buffer();
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset);
        assert_eq!(cell.bg, Color::Reset);
    }
}

#[test]
fn compare_view() {
    snap("compare", "T", "rtx-4090");
}

#[test]
fn compare_marked_rows_and_columns() {
    // Mark two models, pick two columns in the hardware picker (Tab), then compare.
    let mut app = app_on("rtx-4090");
    keys(&mut app, "mjjm");
    keys(&mut app, "Hm4");
    if let Some(a) = action_for(app.mode, KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)) {
        update(&mut app, a);
    }
    keys(&mut app, "\u{1b}H");
    for _ in 0..4 {
        update(&mut app, fitcheck::app::Action::Backspace);
    }
    keys(&mut app, "4090");
    if let Some(a) = action_for(app.mode, KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)) {
        update(&mut app, a);
    }
    keys(&mut app, "\u{1b}T");
    assert_eq!(app.compare_rows(10).len(), 2);
    assert_eq!(app.compare_columns().len(), 2);
    let t = render(&mut app, 120, 40, &Theme::monochrome());
    insta::assert_snapshot!("compare_marked_120x40", t.backend());
}

#[test]
fn guide_view_on_the_real_catalog() {
    // The guide's claims are about real catalog models, so this view uses the built-in catalog.
    let cat = std::sync::Arc::new(fitcheck::catalog::Catalog::builtin().unwrap());
    let mut app = App::new(cat, common::fixed_machine(), Some("rtx-4090"));
    keys(&mut app, "B");
    let t = render(&mut app, 160, 48, &Theme::monochrome());
    insta::assert_snapshot!("guide_real_catalog_160x48", t.backend());
}

#[test]
fn cheapest_machines_from_the_comparison_on_the_real_catalog() {
    // Prices are the real catalog's, so this view uses the built-in catalog.
    let cat = std::sync::Arc::new(fitcheck::catalog::Catalog::builtin().unwrap());
    let mut app = App::new(cat, common::fixed_machine(), Some("rtx-4090"));
    keys(&mut app, "T$");
    let t = render(&mut app, 160, 48, &Theme::monochrome());
    insta::assert_snapshot!("cheapest_machine_real_catalog_160x48", t.backend());
}

#[test]
fn f_cycles_the_gauges_through_fine_tuning_modes() {
    let mut app = app_on("rtx-4090");
    let inference = screen(&render(&mut app, 160, 48, &Theme::monochrome()));
    assert!(!inference.contains("fine-tuning"));
    for (press, label) in [
        ("f", "LoRA fine-tuning"),
        ("f", "QLoRA fine-tuning"),
        ("f", "full fine-tuning"),
    ] {
        keys(&mut app, press);
        let s = screen(&render(&mut app, 160, 48, &Theme::monochrome()));
        assert!(s.contains(label), "{label}\n{s}");
        assert!(s.contains("trainable") && s.contains("optimizer"), "{s}");
    }
    keys(&mut app, "f");
    let back = screen(&render(&mut app, 160, 48, &Theme::monochrome()));
    assert!(
        !back.contains("fine-tuning") && back.contains("decode"),
        "{back}"
    );
}

#[test]
fn marked_models_and_sequences_show_in_the_gauges() {
    let mut app = app_on("rtx-4090");
    keys(&mut app, "mjm");
    let s = screen(&render(&mut app, 160, 48, &Theme::monochrome()));
    assert!(
        s.contains("2 marked") && s.contains("together") && s.contains("in turn"),
        "{s}"
    );
    // Four sequences (the settings panel's sequences slider).
    app.settings.parallel = 4;
    app.dirty = true;
    let s = screen(&render(&mut app, 160, 48, &Theme::monochrome()));
    assert!(
        s.contains("4 seq") && s.contains("tok/s each") && s.contains("fit"),
        "{s}"
    );
}

/// README's capture is assets/screen-browser.txt, and that file is what the app draws today:
/// tools/capture_screens.sh types the same keys into the real binary in tmux at 110×32 (a new
/// catalog model, or any change to the browser, shows here until the capture is regenerated).
#[test]
fn readme_capture_is_what_the_app_draws() {
    let trimmed = |s: &str| {
        s.lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            .trim_end()
            .to_string()
    };
    let mut app = common::real_app_on("m4-pro-48");
    keys(&mut app, "/qwen3 30b-a3b 2507\n++");
    let drawn = trimmed(&screen(&render(&mut app, 110, 32, &Theme::monochrome())));
    let root = env!("CARGO_MANIFEST_DIR");
    let asset = std::fs::read_to_string(format!("{root}/assets/screen-browser.txt")).unwrap();
    assert_eq!(
        trimmed(&asset),
        drawn,
        "assets/screen-browser.txt is stale: run tools/capture_screens.sh"
    );
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    assert!(
        trimmed(&readme).contains(&trimmed(&asset)),
        "README's capture differs from assets/screen-browser.txt"
    );
}
