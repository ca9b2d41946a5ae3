#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! One test per key binding, on the app state without a terminal.

mod common;

use common::app_on;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fitcheck::app::action::{action_for, KEYMAP};
use fitcheck::app::{update, Action, App, Focus, Mode, Slider, SortKey};
use fitcheck::estimate::{KvType, Quant};
use fitcheck::ui::{HitMap, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn press(app: &mut App, code: KeyCode) {
    press_mod(app, code, KeyModifiers::NONE);
}

fn press_mod(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    if let Some(a) = action_for(app.mode, KeyEvent::new(code, mods)) {
        update(app, a);
    }
}

fn type_str(app: &mut App, s: &str) {
    for ch in s.chars() {
        press(app, KeyCode::Char(ch));
    }
    app.refresh_rows();
}

fn draw(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut hits = HitMap::default();
    fitcheck::ui::draw(&mut t, app, &Theme::monochrome(), &mut hits).unwrap();
    format!("{}", t.backend())
}

#[test]
fn slash_searches_and_escape_leaves() {
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.mode, Mode::Search);
    type_str(&mut app, "gemma");
    assert_eq!(app.rows.len(), 1);
    assert_eq!(app.selected_model().unwrap().1.id, "gemma-3-27b");
    press(&mut app, KeyCode::Backspace);
    assert_eq!(app.query, "gemm");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Browse);
    assert_eq!(app.query, "gemm", "Esc leaves search but keeps the filter");
    press(&mut app, KeyCode::Esc);
    app.refresh_rows();
    assert!(
        app.query.is_empty() && app.rows.len() == 5,
        "a second Esc clears the filter"
    );
}

#[test]
fn search_matches_tags_repos_and_use_cases() {
    for (q, id) in [
        ("qwen3:30b", "qwen3-30b-a3b"),
        ("deepseek-ai", "deepseek-r1-distill-qwen-1.5b"),
        ("vision", "gemma-3-27b"),
    ] {
        let mut app = app_on("rtx-4090");
        press(&mut app, KeyCode::Char('/'));
        type_str(&mut app, q);
        assert_eq!(
            app.selected_model().map(|(_, m)| m.id.as_str()),
            Some(id),
            "{q}"
        );
    }
}

#[test]
fn j_k_and_arrows_move_the_selection() {
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Down);
    assert_eq!(app.selected, 2);
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(app.selected, 1);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    assert_eq!(app.selected, 0, "clamped at the top");
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.selected, 4);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.selected, 0);
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected, 4);
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.selected, 0);
}

#[test]
fn tab_cycles_focus_and_arrows_pick_the_slider() {
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Focus::Sliders);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.slider, Slider::Quant);
    press(&mut app, KeyCode::Right);
    assert_eq!(app.settings.quant, Quant::Q4_K_S);
    press(&mut app, KeyCode::Char('h'));
    assert_eq!(app.settings.quant, Quant::Q4_K_M);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(app.settings.kv_type, KvType::Q8_0);
    press(&mut app, KeyCode::Tab);
    assert_eq!(
        app.focus,
        Focus::Browser,
        "the gauges take no keys: Tab skips them"
    );
    press_mod(&mut app, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(app.focus, Focus::Sliders);
}

#[test]
fn plus_minus_double_and_halve_context_within_the_model_range() {
    let mut app = app_on("rtx-4090");
    assert_eq!(app.settings.context, 8192);
    press(&mut app, KeyCode::Char('+'));
    assert_eq!(app.settings.context, 16384);
    press(&mut app, KeyCode::Char('-'));
    press(&mut app, KeyCode::Char('-'));
    assert_eq!(app.settings.context, 4096);
    for _ in 0..20 {
        press(&mut app, KeyCode::Char('+'));
    }
    assert_eq!(app.settings.context, 131072, "stops at the model's maximum");
    for _ in 0..20 {
        press(&mut app, KeyCode::Char('-'));
    }
    assert_eq!(app.settings.context, 1024, "stops at 1K");
    press_mod(&mut app, KeyCode::Right, KeyModifiers::SHIFT);
    assert_eq!(app.settings.context, 2048, "fine step of 1024");
}

#[test]
fn gpu_layers_and_sequences_and_runtime_sliders() {
    let mut app = app_on("rtx-4090");
    app.slider = Slider::GpuLayers;
    press(&mut app, KeyCode::Left);
    assert_eq!(
        app.settings.gpu_layers,
        Some(33),
        "from auto to all 32 blocks + output"
    );
    press(&mut app, KeyCode::Left);
    assert_eq!(app.settings.gpu_layers, Some(32));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert_eq!(app.settings.gpu_layers, None, "back to auto");
    app.slider = Slider::Sequences;
    press(&mut app, KeyCode::Right);
    assert_eq!(app.settings.parallel, 2);
    app.slider = Slider::Runtime;
    press(&mut app, KeyCode::Right);
    assert_eq!(app.settings.runtime.name(), "ollama");
}

#[test]
fn capital_h_picks_hardware() {
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Char('H'));
    assert_eq!(app.mode, Mode::Picker);
    for ch in "m4 pro".chars() {
        press(&mut app, KeyCode::Char(ch));
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Browse);
    assert_eq!(app.hw().id, "m4-pro-48");
    press(&mut app, KeyCode::Char('H'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.hw().id, "m4-pro-48", "Esc keeps the old choice");
}

#[test]
fn question_mark_toggles_help_and_q_quits() {
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.mode, Mode::Help);
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.mode, Mode::Browse);
    press(&mut app, KeyCode::Char('?'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Browse);
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.quit, "q is text while searching");
    press_mod(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(app.quit, "Ctrl-C quits from anywhere");
}

#[test]
fn bang_lists_scan_problems_and_the_header_counts_them() {
    let mut app = app_on("rtx-4090");
    assert!(!draw(&mut app, 120, 30).contains("scan problem"));
    app.add_problem("/models/broken.gguf: offset 8: tensor count needs 8 bytes".into());
    app.add_problem("/models/locked: folder skipped: permission denied".into());
    assert!(draw(&mut app, 120, 30).contains("2 scan problems (!)"));
    press(&mut app, KeyCode::Char('!'));
    assert_eq!(app.mode, Mode::Problems);
    let screen = draw(&mut app, 120, 30);
    assert!(screen.contains("Scan problems: 2"), "{screen}");
    assert!(
        screen.contains("broken.gguf") && screen.contains("locked"),
        "{screen}"
    );
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.problems.scroll, 1);
    assert!(
        !draw(&mut app, 120, 30).contains("broken.gguf"),
        "scrolled past the first"
    );
    press(&mut app, KeyCode::Char('!'));
    assert_eq!(app.mode, Mode::Browse);
    press(&mut app, KeyCode::Char('!'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Browse);
}

#[test]
fn s_cycles_sort_and_fit_puts_fitting_models_first() {
    let mut app = app_on("tier-16");
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.sort, SortKey::Fit);
    let first = app.rows[0];
    let last = *app.rows.last().unwrap();
    assert!(app.estimate_of(first).verdict <= app.estimate_of(last).verdict);
    assert_eq!(
        app.catalog.models[last as usize].id, "llama-3.3-70b",
        "70B cannot fit 16 GB"
    );
    for _ in 0..5 {
        press(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(app.sort, SortKey::Relevance);
}

#[test]
fn every_bound_action_is_in_the_help_overlay() {
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Char('?'));
    let screen = draw(&mut app, 100, 50);
    for (_, _, action) in KEYMAP {
        assert!(
            screen.contains(action.description()),
            "help lacks {action:?}"
        );
    }
}

#[test]
fn context_slider_recomputes_no_weights_and_hardware_no_kv() {
    let mut app = app_on("rtx-4090");
    draw(&mut app, 120, 40);
    let before = app.memo.stats();
    press(&mut app, KeyCode::Char('+'));
    draw(&mut app, 120, 40);
    let after = app.memo.stats();
    assert_eq!(
        after.weights, before.weights,
        "context change rebuilt weights"
    );
    assert!(after.context > before.context);
    let before = app.memo.stats();
    press(&mut app, KeyCode::Char('H'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    draw(&mut app, 120, 40);
    let after = app.memo.stats();
    assert_eq!(
        after.context, before.context,
        "hardware change recomputed KV"
    );
    assert_eq!(after.weights, before.weights);
    assert!(after.estimates > before.estimates);
}

#[test]
fn typing_a_search_recomputes_nothing() {
    let mut app = app_on("rtx-4090");
    draw(&mut app, 120, 40);
    let before = app.memo.stats();
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "llama");
    draw(&mut app, 120, 40);
    assert_eq!(app.memo.stats(), before);
}

#[test]
fn capital_t_compares_and_sliders_still_work_inside() {
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Char('T'));
    assert_eq!(app.mode, Mode::Compare);
    press(&mut app, KeyCode::Char('+'));
    assert_eq!(
        app.settings.context, 16384,
        "the matrix follows the sliders"
    );
    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.settings.context, 20480,
        "→ is the slider's next (fine) step"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Browse);
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.marked_models, vec![app.rows[0]]);
    press(&mut app, KeyCode::Char('m'));
    assert!(app.marked_models.is_empty(), "m toggles");
}

#[test]
fn brackets_set_the_api_spend_the_comparison_weighs_prices_against() {
    let mut app = common::real_app_on("rtx-4090");
    press(&mut app, KeyCode::Char('T'));
    let before = draw(&mut app, 160, 48);
    assert!(before.contains("$150/mo API"), "{before}");
    press(&mut app, KeyCode::Char(']'));
    press(&mut app, KeyCode::Char(']'));
    assert_eq!(app.costs.api_usd_per_month, 200.0);
    let after = draw(&mut app, 160, 48);
    assert!(after.contains("$200/mo API"), "{after}");
    // A bigger bill pays a machine off sooner: the first tier's months drop.
    let months = |screen: &str| -> f64 {
        let line = screen.lines().find(|l| l.contains("/mo API")).unwrap();
        let mo = line.find(" mo").unwrap();
        line[..mo].rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert!(months(&after) < months(&before), "{before}\n{after}");
    for _ in 0..20 {
        press(&mut app, KeyCode::Char('['));
    }
    assert_eq!(app.costs.api_usd_per_month, 0.0, "never negative");
    assert!(draw(&mut app, 160, 48).contains("never"));
}

#[test]
fn the_guide_view_scrolls_to_the_use_case_table_and_stops_at_the_end() {
    let mut app = common::real_app_on("rtx-4090");
    press(&mut app, KeyCode::Char('B'));
    assert_eq!(app.mode, Mode::Guide);
    assert!(!draw(&mut app, 80, 24).contains("use cases"));
    for _ in 0..200 {
        press(&mut app, KeyCode::Char('j'));
    }
    let end = draw(&mut app, 80, 24);
    assert!(
        end.contains("Multi-Agent Workflows"),
        "the last line: the guide's picks checked\n{end}"
    );
    let stopped = app.guide_scroll;
    assert!(stopped < 200, "scrolling is clamped to the content");
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(app.guide_scroll, stopped - 1, "one step back, not 200");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('B'));
    assert_eq!(app.guide_scroll, 0, "reopening starts at the top");
}

#[test]
fn advice_for_the_guides_buying_mistakes() {
    use fitcheck::app::advice::{buying_advice, size_spread_warning};
    let cat = fitcheck::catalog::Catalog::builtin().unwrap();
    let all: Vec<&fitcheck::estimate::ModelSpec> = cat.models.iter().collect();
    // "r1" finds both a 1.5B distill and the 671B original.
    let w = size_spread_warning("r1", &all).expect("warns");
    assert!(w.contains("1.8B") && w.contains("671B"), "{w}");
    assert!(size_spread_warning("phi-4", &all).is_none());
    // MoE, roofline and context stuffing on a 16 GB Mac with 128K of context.
    let m = cat.find_model("qwen3-30b-a3b").unwrap();
    let hw = cat.find_hardware("tier-48").unwrap();
    let s = fitcheck::estimate::Settings {
        context: 131072,
        ..Default::default()
    };
    let e = fitcheck::estimate::estimate(m, hw, &s);
    let tips = buying_advice(m, &s, &e, "", &all);
    assert!(
        tips.iter().any(|t| t.starts_with("MoE: all 31B weights")),
        "{tips:?}"
    );
    assert!(tips.iter().any(|t| t.contains("roofline")), "{tips:?}");
    let dense = cat.find_model("llama-3.1-8b").unwrap();
    let e = fitcheck::estimate::estimate(dense, hw, &s);
    let tips = buying_advice(dense, &s, &e, "", &all);
    assert!(
        tips.iter().any(|t| t.starts_with("context stuffing")),
        "KV 16 GiB > weights 4.6 GiB: {tips:?}"
    );
}

#[test]
fn no_key_is_bound_twice_in_one_mode() {
    use fitcheck::app::action::key_label;
    let modes = [
        Mode::Browse,
        Mode::Search,
        Mode::Picker,
        Mode::Help,
        Mode::Compare,
        Mode::Guide,
    ];
    for mode in modes {
        let mut seen = std::collections::HashMap::new();
        for (m, key, action) in KEYMAP {
            if m.is_some_and(|m| m != mode) {
                continue;
            }
            if let Some(other) = seen.insert((key.code, key.mods), action) {
                // A mode-specific binding may refine a global one only with the same meaning.
                assert_eq!(
                    other,
                    action,
                    "{mode:?}: {} bound to {other:?} and {action:?}",
                    key_label(key)
                );
            }
        }
    }
}

#[test]
fn sorting_thousands_of_rows_runs_off_the_ui_thread_and_drops_stale_answers() {
    use fitcheck::app::sort_job::SYNC_SORT_ROWS;
    // Real architectures under new names, more rows than the on-the-spot limit.
    let mut app = common::synthetic_app_on(SYNC_SORT_ROWS + 500, "rtx-4090");
    let before = app.rows.clone();
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.sort, SortKey::Fit);
    assert!(app.sorting, "the title says it is sorting");
    assert_eq!(
        app.rows, before,
        "the previous order stays until the answer"
    );
    assert!(draw(&mut app, 120, 40).contains("sorting…"));
    let job = app.take_sort_job().expect("a job for the event loop");
    assert!(app.take_sort_job().is_none(), "taken once");

    // The worker's order equals sorting each row's own estimate.
    let sorted = job.run();
    let mut expected: Vec<(u32, fitcheck::estimate::Estimate)> =
        before.iter().map(|&id| (id, app.estimate_of(id))).collect();
    expected.sort_by(|a, b| fitcheck::app::sort_job::compare(SortKey::Fit, &a.1, &b.1));
    let expected: Vec<u32> = expected.into_iter().map(|(id, _)| id).collect();
    assert_eq!(sorted, expected);

    // A newer request (context changed) makes that answer stale.
    press(&mut app, KeyCode::Char('+'));
    assert!(job.is_stale(), "the worker can tell");
    assert!(job.run().is_empty(), "a stale worker stops early");
    app.finish_sort(job.generation, sorted.clone());
    assert!(app.sorting && app.rows == before, "stale answer dropped");
    let newer = app
        .take_sort_job()
        .expect("re-sort after the context change");
    app.finish_sort(newer.generation, newer.run());
    assert!(!app.sorting);
    assert_ne!(app.rows, before, "sorted at last");
}

#[test]
fn every_sort_order_handles_models_found_on_disk() {
    use fitcheck::estimate::weights::weight_table;
    use fitcheck::local::LocalModel;
    let mut app = app_on("rtx-4090");
    let mut spec = app.catalog.models[0].clone();
    spec.id = "local:zz".into();
    spec.name = "zz-local-finetune [Q4_K_M]".into();
    let weights = weight_table(&spec, Quant::Q4_K_M);
    app.add_local(LocalModel {
        path: "/models/zz.gguf".into(),
        source: "dir",
        label: "zz".into(),
        spec,
        weights,
        quant_label: "Q4_K_M".into(),
        size: 1,
    });
    let local_id = app.catalog.models.len() as u32;
    assert!(app.rows.contains(&local_id));
    for _ in 0..6 {
        press(&mut app, KeyCode::Char('s'));
        assert!(app.rows.contains(&local_id), "{:?}", app.sort);
        if app.sort == SortKey::Name {
            assert_eq!(app.rows.last(), Some(&local_id), "'zz…' sorts last by name");
        }
        draw(&mut app, 80, 24);
    }
}

fn screen_line<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{screen}"))
}

#[test]
fn a_key_that_changes_nothing_never_cancels_the_redraw_of_the_burst() {
    // `g j j j Esc` arrive together: g and Esc change nothing, yet the frame must follow the jjj.
    let mut app = app_on("rtx-4090");
    draw(&mut app, 110, 32);
    assert!(!app.dirty, "drawing clears the flag");
    for code in [
        KeyCode::Char('g'),
        KeyCode::Char('j'),
        KeyCode::Char('j'),
        KeyCode::Char('j'),
        KeyCode::Esc,
    ] {
        press(&mut app, code);
    }
    assert!(
        app.dirty,
        "Esc (nothing to clear) must not drop the redraw j asked for"
    );
    let screen = draw(&mut app, 110, 32);
    let fourth = app.model(app.rows[3]).name.clone();
    assert!(
        screen.contains(&format!(" {fourth} ·")),
        "the gauges follow the fourth model:\n{screen}"
    );
    assert!(!app.dirty);
    press(&mut app, KeyCode::Char('g'));
    press(&mut app, KeyCode::Char('g'));
    assert!(app.dirty, "g after j… moved back to the top");
}

#[test]
fn the_selected_model_stays_selected_across_sorts_and_clearing_a_filter() {
    let mut app = app_on("tier-16");
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    let id = app.selected_id();
    for _ in 0..6 {
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(
            app.selected_id(),
            id,
            "sort {:?} moved the selection",
            app.sort
        );
    }
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "qwen");
    press(&mut app, KeyCode::Enter);
    let picked = app.selected_id();
    press(&mut app, KeyCode::Esc);
    assert!(app.query.is_empty());
    assert_eq!(app.rows.len(), 5);
    assert_eq!(
        app.selected_id(),
        picked,
        "Esc clears the filter, not the choice"
    );
    // Ctrl-U clears the query while typing, and also keeps the choice.
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "gemma");
    let gemma = app.selected_id();
    press_mod(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert!(app.query.is_empty() && app.rows.len() == 5);
    assert_eq!(app.selected_id(), gemma);
}

#[test]
fn one_memory_figure_in_the_list_the_gauges_and_the_comparison() {
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Char('j')); // Llama 3.3 70B: offloaded on 24 GB
    let id = app.selected_id().unwrap();
    let e = app.estimate_of(id);
    assert!(e.offloaded(), "{e:?}");
    let screen = draw(&mut app, 160, 48);
    let name = app.model(id).name.clone();
    let row = screen_line(&screen, &format!("{name} "));
    assert!(row.contains(&e.memory_gib()), "list: {row}");
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    let gauge = screen_line(&screen, "│GPU ");
    assert!(
        gauge.contains(&format!("GPU {:.2} / 24.00 GiB", gib(e.device_bytes))),
        "gauges: {gauge}"
    );
    let host = screen_line(&screen, "host RAM");
    assert!(
        host.contains(&format!("{:.2} /", gib(e.host_bytes))),
        "{host}"
    );
    // The CLI's compare table prints the same figure for the same cell.
    let cat = common::ui_catalog();
    let m = cat.find_model("llama-3.3-70b").unwrap();
    let hw = cat.find_hardware("rtx-4090").unwrap();
    let cell = fitcheck::compare::cell(m, hw, &app.settings.for_model(m));
    assert_eq!(cell.estimate.memory_gib(), e.memory_gib());
}

#[test]
fn the_gauge_legend_adds_up_to_the_gpu_and_host_lines_when_it_fits() {
    // Fits on the card, yet the token embedding stays in RAM: the host line shows, so the
    // GPU figure plus it is the parts the legend lists.
    let mut app = app_on("rtx-4090");
    let id = app.selected_id().unwrap();
    let e = app.estimate_of(id);
    assert!(e.fits_on_gpu && e.host_bytes > 0, "{e:?}");
    let screen = draw(&mut app, 160, 48);
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    let host = screen_line(&screen, "host RAM");
    assert!(
        host.contains(&format!("{:.2} /", gib(e.host_bytes))),
        "{host}"
    );
    let parts = e.weights_bytes
        + e.kv_bytes
        + e.state_bytes
        + e.overhead_bytes
        + e.projector_bytes
        + e.projector_compute_bytes;
    assert_eq!(e.device_bytes + e.host_bytes, parts, "{e:?}");
}

#[test]
fn max_context_under_offload_says_both() {
    let mut app = common::real_app_on("rtx-4060-ti-16");
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "qwen3 30b-a3b");
    let id = app.selected_id().unwrap();
    let (gpu, offload) = app.max_contexts_on(id, app.hw_index);
    assert!(gpu < offload, "{gpu} {offload}");
    let screen = draw(&mut app, 160, 48);
    let line = screen_line(&screen, "max ctx GPU");
    assert!(line.contains("with offload"), "{line}");
}

#[test]
fn sliders_run_in_order_and_refuse_what_cannot_run() {
    use fitcheck::estimate::Runtime;
    let mut app = app_on("rtx-4090");
    app.slider = Slider::Runtime;
    for _ in 0..6 {
        press(&mut app, KeyCode::Right);
        assert_ne!(
            app.settings.runtime,
            Runtime::Mlx,
            "no MLX on an NVIDIA card"
        );
    }
    let mut app = app_on("m4-pro-48");
    app.slider = Slider::Runtime;
    for _ in 0..6 {
        press(&mut app, KeyCode::Right);
    }
    assert_eq!(app.settings.runtime, Runtime::Mlx);
    assert_eq!(
        app.settings.quant,
        Quant::Mlx4,
        "Q4_K_M becomes its MLX size"
    );
    app.slider = Slider::Quant;
    for _ in 0..10 {
        press(&mut app, KeyCode::Left);
        assert!(
            !app.settings.quant.is_gguf(),
            "the MLX runtime offers MLX quants only"
        );
    }
    // Quants never wrap from the smallest GGUF into MLX.
    let mut app = app_on("rtx-4090");
    app.slider = Slider::Quant;
    for _ in 0..40 {
        press(&mut app, KeyCode::Right);
    }
    assert_eq!(app.settings.quant, Quant::IQ1_S);
    app.slider = Slider::KvType;
    press(&mut app, KeyCode::Right);
    assert_eq!(app.settings.kv_type, KvType::Q8_0);
    // Combinations that cannot run are flagged where the user looks.
    let hw = app.hw().clone();
    let s = fitcheck::estimate::Settings {
        runtime: Runtime::Mlx,
        ..app.settings
    };
    assert!(s.conflicts(&hw).iter().any(|c| c.contains("Apple")));
    let s = fitcheck::estimate::Settings {
        flash_attn: false,
        kv_type: KvType::Q8_0,
        ..Default::default()
    };
    assert!(s
        .conflicts(&hw)
        .iter()
        .any(|c| c.contains("flash attention")));
    assert!(fitcheck::estimate::Settings::default()
        .conflicts(&hw)
        .is_empty());
}

#[test]
fn context_keys_step_finely_and_plus_doubles() {
    let mut app = app_on("rtx-4090");
    app.slider = Slider::Context;
    press(&mut app, KeyCode::Right);
    assert_eq!(app.settings.context, 10240, "a step between 8K and 16K");
    press(&mut app, KeyCode::Char('-'));
    assert_eq!(app.settings.context, 5120, "- halves");
    press(&mut app, KeyCode::Char('+'));
    assert_eq!(app.settings.context, 10240, "+ doubles, as help says");
    assert!(Action::ContextUp.description().contains("double"));
}

#[test]
fn picker_search_finds_mac_studios_and_numbers_as_written() {
    let mut app = common::real_app_on("rtx-4090");
    press(&mut app, KeyCode::Char('H'));
    for ch in "3090".chars() {
        press(&mut app, KeyCode::Char(ch));
    }
    assert_eq!(app.hardware[app.picker_rows[0]].id, "rtx-3090");
    assert!(app
        .picker_rows
        .iter()
        .all(|&i| !app.hardware[i].name.contains("5090")));
    // The 3090 + 3060 box shows its own 36 GiB, not twice the first card.
    let screen = draw(&mut app, 110, 32);
    let mixed = screen
        .lines()
        .find(|l| l.contains("RTX 3090 24 GB + RTX 3060 12 GB"))
        .expect("the mixed box is listed");
    assert!(
        mixed.contains("36.00 GiB") && !mixed.contains("2 ×"),
        "{mixed}"
    );
    press_mod(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    for ch in "mac studio".chars() {
        press(&mut app, KeyCode::Char(ch));
    }
    let first = &app.hardware[app.picker_rows[0]].name;
    assert!(first.contains("Ultra") || first.contains("Max"), "{first}");
    press_mod(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    for ch in "zzzz".chars() {
        press(&mut app, KeyCode::Char(ch));
    }
    assert!(draw(&mut app, 110, 32).contains("no hardware matches 'zzzz'"));
}

#[test]
fn footer_hints_follow_the_focused_panel_and_fit_80_columns() {
    let mut app = app_on("rtx-4090");
    let screen = draw(&mut app, 80, 24);
    let footer = screen.lines().last().unwrap();
    for hint in ["? help", "/ search", "Tab settings", "s sort", "m mark"] {
        assert!(footer.contains(hint), "{hint}: {footer}");
    }
    assert!(
        screen.contains("✓ GPU") && screen.contains("✗ no fit"),
        "legend"
    );
    press(&mut app, KeyCode::Tab);
    let screen = draw(&mut app, 80, 24);
    let footer = screen.lines().last().unwrap();
    assert!(
        footer.contains("←/→ change") && footer.contains("Tab list"),
        "{footer}"
    );
}

#[test]
fn mouse_events_become_actions_that_update_applies() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    use fitcheck::tui::mouse_action;
    let mut app = app_on("rtx-4090");
    let mut t = Terminal::new(TestBackend::new(110, 32)).unwrap();
    let mut hits = HitMap::default();
    fitcheck::ui::draw(&mut t, &mut app, &Theme::monochrome(), &mut hits).unwrap();
    let click = |column, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let a = mouse_action(app.mode, click(5, hits.first_row_y + 2), &hits).unwrap();
    update(&mut app, a);
    assert_eq!(app.selected, 2);
    let &(slider, y, x0, x1) = &hits.slider_rows[0];
    let a = mouse_action(app.mode, click(x1 - 1, y), &hits).unwrap();
    update(&mut app, a);
    assert_eq!((app.slider, app.focus), (slider, Focus::Sliders));
    assert_eq!(
        app.settings.context, 131072,
        "the bar's end is the model's maximum"
    );
    let a = mouse_action(app.mode, click(x0, y), &hits).unwrap();
    update(&mut app, a);
    assert_eq!(app.settings.context, 1024);
}

#[test]
fn too_small_message_fits_the_terminal_it_is_in() {
    for (w, h) in [(40, 12), (20, 8)] {
        let mut app = app_on("rtx-4090");
        let screen = draw(&mut app, w, h);
        let text: String = screen
            .lines()
            .map(|l| l.trim_matches('"').trim())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains("need 80×24"), "{w}×{h}: {screen}");
        assert!(text.contains(&format!("have {w}×{h}")), "{w}×{h}: {screen}");
    }
}

#[test]
fn the_ubatch_slider_steps_the_micro_batch_and_the_compute_buffer_follows() {
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Tab);
    for _ in 0..6 {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(app.slider, Slider::Ubatch, "the last slider");
    let before = app.estimate_on(0, app.hw_index, None).compute_gpu_bytes;
    press(&mut app, KeyCode::Right);
    assert_eq!(app.settings.n_ubatch, 1024);
    press(&mut app, KeyCode::Right);
    assert_eq!(app.settings.n_ubatch, 2048);
    let after = app.estimate_on(0, app.hw_index, None).compute_gpu_bytes;
    assert!(after > 2 * before, "{after} vs {before}");
    for _ in 0..5 {
        press(&mut app, KeyCode::Left);
    }
    assert_eq!(app.settings.n_ubatch, 128, "stops at the smallest step");
}

#[test]
fn help_shows_every_key_at_80x24_or_pages_to_them() {
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.mode, Mode::Help);
    let first = draw(&mut app, 80, 24);
    // The footer offers scrolling only when there is something to scroll.
    let footer = first.lines().last().unwrap();
    assert_eq!(footer.contains("PgDn"), app.help_max_scroll > 0, "{footer}");
    let descriptions: Vec<&str> = {
        let mut seen = Vec::new();
        KEYMAP
            .iter()
            .filter(|(_, _, a)| {
                let new = !seen.contains(a);
                seen.push(*a);
                new
            })
            .map(|(_, _, a)| a.description())
            .collect()
    };
    // Every key is on the first page, or j scrolls until the last one shows.
    let mut screen = first.clone();
    for _ in 0..descriptions.len() {
        if descriptions.iter().all(|d| screen.contains(d)) {
            break;
        }
        assert!(
            first.contains("more ↓"),
            "keys cut without a hint:\n{first}"
        );
        press(&mut app, KeyCode::Char('j'));
        screen.push_str(&draw(&mut app, 80, 24));
    }
    let missing: Vec<_> = descriptions
        .iter()
        .filter(|d| !screen.contains(*d))
        .collect();
    assert!(missing.is_empty(), "never shown: {missing:?}\n{first}");
    // j past the end changes nothing; Esc closes and the next ? starts at the top.
    let scroll = app.help_scroll;
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.help_scroll, scroll.min(app.help_max_scroll));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Browse);
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.help_scroll, 0);
}

#[test]
fn a_long_search_at_80x24_shows_its_end_and_the_way_out() {
    let mut app = app_on("rtx-4090");
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "qwen3 coder instruct thinking thirty billion end");
    assert!(app.rows.is_empty());
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("billion end▏"), "cursor end:\n{screen}");
    // The "no match" line wraps inside the list instead of losing how to clear it.
    assert!(
        screen.contains("(Ctrl-U or") && screen.contains("Esc clears)"),
        "{screen}"
    );
}

#[test]
fn compare_cells_and_legend_are_whole_at_80_and_110_columns() {
    for (w, h) in [(80, 24), (110, 32)] {
        let mut app = app_on("rtx-4090");
        press(&mut app, KeyCode::Char('T'));
        let screen = draw(&mut app, w, h);
        // Every context line of a cell is whole (bounds in K, the TTFT only where it fits).
        let ctx_lines: Vec<&str> = screen.lines().filter(|l| l.contains('≤')).collect();
        assert!(!ctx_lines.is_empty(), "{screen}");
        for l in &ctx_lines {
            for cell in l.split("  ").filter(|c| c.contains('≤')) {
                assert!(!cell.contains('…'), "{w}×{h} cut cell {cell:?}:\n{screen}");
            }
        }
        // The legend ends with where the columns come from, not cut short.
        assert!(
            screen.contains("(Tab in H marks") && screen.contains("machines)"),
            "{w}×{h} legend cut:\n{screen}"
        );
        assert!(screen.contains("decode tok/s"), "{w}×{h} bars:\n{screen}");
    }
}

/// With several sequences, the gauges' speed-per-sequence readout for a model on disk uses the
/// file's own weights (as the memory gauges do), not the catalog's architecture at the slider's
/// quant.
#[test]
fn parallel_readout_of_a_file_uses_its_own_weights() {
    use fitcheck::estimate::serving::{batched_decode_with_weights, max_sequences_with_weights};
    use fitcheck::estimate::weights::weight_table;
    use fitcheck::local::LocalModel;
    let mut app = app_on("rtx-4090");
    let base = app.catalog.find_model("llama-3.1-8b").unwrap().clone();
    let mut spec = base.clone();
    spec.id = "local:q8".into();
    spec.name = "llama-3.1-8b-file [Q8_0]".into();
    let weights = weight_table(&spec, Quant::Q8_0);
    app.add_local(LocalModel {
        path: "/models/q8.gguf".into(),
        source: "dir",
        label: "q8".into(),
        spec: spec.clone(),
        weights: weights.clone(),
        quant_label: "Q8_0".into(),
        size: 1,
    });
    let local_id = app.catalog.models.len() as u32;
    app.settings.quant = Quant::Q4_K_M;
    app.settings.parallel = 4;
    app.select_id(Some(local_id));
    draw(&mut app, 110, 32);
    let d = app.frame.details.clone().expect("details of the file");
    assert_eq!(d.id, local_id);
    let (batched, fit) = d.batched.expect("4 sequences: a batched readout");
    let s = d.settings;
    let each = s.context / 4;
    let hw = app.hw().clone();
    let want = batched_decode_with_weights(&spec, &hw, &s, &weights, 4, u64::from(each / 2));
    assert_eq!(batched, want);
    assert_eq!(
        fit,
        max_sequences_with_weights(&spec, &hw, &s, &weights, each, 256)
    );
    // The catalog's Q4_K_M architecture would read faster: the readout is not that one. (1.2
    // before session 8's decode refit; its per-token and per-block costs, which both formats
    // pay alike, are larger: 1.18×.)
    let q4 = weight_table(&spec, Quant::Q4_K_M);
    let catalog_q4 = batched_decode_with_weights(&spec, &hw, &s, &q4, 4, u64::from(each / 2));
    assert!(catalog_q4.per_stream_tps > batched.per_stream_tps * 1.15);
}

/// On a mixed box whose layer split leaves room idle on the bigger card, the gauges say how much:
/// the parts listed add up to what the cards hold plus host RAM, and the GPU figure is that plus
/// the idle room.
#[test]
fn gauges_on_a_mixed_box_show_the_idle_room_of_the_split() {
    let mut app = common::real_app_on("rtx-3090+rtx-3060-12");
    let id = app
        .catalog
        .models
        .iter()
        .position(|m| m.id == "gpt-oss-120b")
        .unwrap() as u32;
    app.select_id(Some(id));
    let screen = draw(&mut app, 110, 40);
    let e = app.frame.details.clone().unwrap().estimate;
    assert!(e.split_idle_bytes() > 0);
    let gib = |b: u64| format!("{:.2}", b as f64 / (1u64 << 30) as f64);
    let want = format!("╌ {} idle", gib(e.split_idle_bytes()));
    assert!(screen.contains(&want), "{want:?} not in:\n{screen}");
    assert!(screen.contains(&format!("GPU {} /", gib(e.device_bytes))));
    assert!(screen.contains(&format!("host RAM {} /", gib(e.host_bytes))));
    // The "why" line's shortfall counts what the cards hold, not the idle room twice.
    let short = e.device_held_bytes + e.host_bytes - e.device_usable_bytes;
    let want = format!("to fit on the GPU: +{}", gib(short));
    assert!(screen.contains(&want), "{want:?} not in:\n{screen}");
}
