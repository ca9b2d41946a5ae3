#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! The browser's quality column and order keys (`u` use case, `s` to "best for", `S` reverse,
//! `F` fits only) and the comparison's `$` (cheapest machine, the code of `fitcheck buy`).

mod common;

use common::{app_on, real_app_on};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fitcheck::app::action::action_for;
use fitcheck::app::{update, App, Mode, SortKey};
use fitcheck::estimate::Verdict;
use fitcheck::ui::{HitMap, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn press(app: &mut App, ch: char) {
    let code = match ch {
        '\u{1b}' => KeyCode::Esc,
        c => KeyCode::Char(c),
    };
    if let Some(a) = action_for(app.mode, KeyEvent::new(code, KeyModifiers::NONE)) {
        update(app, a);
    }
}

fn keys(app: &mut App, s: &str) {
    s.chars().for_each(|ch| press(app, ch));
}

fn draw(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut hits = HitMap::default();
    fitcheck::ui::draw(&mut t, app, &Theme::monochrome(), &mut hits).unwrap();
    format!("{}", t.backend())
}

/// Scores in row order.
fn scores(app: &App) -> Vec<Option<f64>> {
    app.rows.iter().map(|&id| app.quality_of(id)).collect()
}

/// Scored rows highest first (or lowest first when `reverse`), then every unscored row.
fn assert_quality_order(app: &App, reverse: bool) {
    let s = scores(app);
    let scored = s.iter().take_while(|x| x.is_some()).count();
    assert!(
        s[scored..].iter().all(Option::is_none),
        "no score last: {s:?}"
    );
    assert!(scored > 0, "the fixture has scored models: {s:?}");
    let v: Vec<f64> = s[..scored].iter().map(|x| x.unwrap()).collect();
    assert!(
        v.windows(2)
            .all(|w| if reverse { w[0] <= w[1] } else { w[0] >= w[1] }),
        "{v:?}"
    );
}

#[test]
fn s_reaches_best_for_the_use_case_and_u_cycles_the_use_case() {
    let mut app = app_on("rtx-4090");
    keys(&mut app, "jj");
    let picked = app.selected_id();
    keys(&mut app, "ssss");
    assert_eq!(app.sort, SortKey::Quality);
    assert_eq!(app.rec.use_case(), "chat");
    assert_quality_order(&app, false);
    assert_eq!(app.selected_id(), picked, "the selection follows the model");
    let screen = draw(&mut app, 120, 30);
    assert!(screen.contains("sort: best for chat"), "{screen}");
    assert!(
        screen.contains("Elo"),
        "the column says its metric:\n{screen}"
    );
    let best = app.model(app.rows[0]).name.clone();
    let elo = format!("{:.0}", app.quality_of(app.rows[0]).unwrap());
    let line = screen.lines().find(|l| l.contains(&best)).unwrap();
    assert!(line.contains(&elo), "{elo} on {line}");

    let chat = scores(&app);
    press(&mut app, 'u');
    assert_eq!(app.rec.use_case(), "coding");
    assert_ne!(scores(&app), chat, "coding ranks by another metric");
    assert_quality_order(&app, false);
    assert_eq!(app.selected_id(), picked);
    let screen = draw(&mut app, 120, 30);
    assert!(
        screen.contains("best for coding") && screen.contains("LCB%"),
        "{screen}"
    );
    // Unscored rows say so rather than showing a number (agents: few models have a score, so
    // the first unscored row is on screen).
    keys(&mut app, "uu");
    assert_eq!(app.rec.use_case(), "agents");
    let screen = draw(&mut app, 120, 30);
    let unscored = app.rows.iter().find(|&&id| app.quality_of(id).is_none());
    let name = app.model(*unscored.unwrap()).name.clone();
    let cut: String = name.chars().take(12).collect();
    let line = screen.lines().find(|l| l.contains(&cut)).unwrap();
    assert!(line.contains('—'), "{line}");
    // Seven use cases, then chat again; the Recommend view shows the same one.
    keys(&mut app, "uuuu");
    assert_eq!(app.rec.use_case(), "chat");
    press(&mut app, 'R');
    assert_eq!(app.mode, Mode::Recommend);
    assert!(draw(&mut app, 120, 30).contains("Best for chat"));
}

#[test]
fn capital_s_reverses_every_order_and_keeps_no_score_last() {
    let mut app = app_on("rtx-4090");
    let relevance = app.rows.clone();
    press(&mut app, 'S');
    assert!(app.reverse);
    let mut back = relevance.clone();
    back.reverse();
    assert_eq!(app.rows, back);
    assert!(draw(&mut app, 120, 30).contains(", reversed"));
    keys(&mut app, "ss"); // speed, reversed: slowest first
    assert_eq!(app.sort, SortKey::Speed);
    let tps: Vec<f64> = app
        .rows
        .clone()
        .iter()
        .map(|&id| app.estimate_of(id).decode_tps)
        .collect();
    assert!(tps.windows(2).all(|w| w[0] <= w[1]), "{tps:?}");
    keys(&mut app, "ss");
    assert_eq!(app.sort, SortKey::Quality);
    assert_quality_order(&app, true);
    press(&mut app, 'u');
    assert_quality_order(&app, true);
    let id = app.selected_id();
    press(&mut app, 'S');
    assert!(!app.reverse);
    assert_quality_order(&app, false);
    assert_eq!(app.selected_id(), id, "reversing keeps the selection");
}

#[test]
fn capital_f_shows_only_what_fits_and_follows_the_settings() {
    let mut app = app_on("rtx-4090");
    let all = app.rows.len();
    let fitting = |app: &mut App| {
        app.search
            .matched_ids()
            .into_iter()
            .filter(|&id| app.estimate_of(id).verdict == Verdict::FitsOnGpu)
            .collect::<Vec<u32>>()
    };
    let expected = fitting(&mut app);
    assert!(
        expected.len() < all,
        "the fixture has a model that does not fit"
    );
    let keep = expected[1];
    app.select_id(Some(keep));
    press(&mut app, 'F');
    assert!(app.fits_only);
    assert_eq!(app.rows, expected, "relevance order, non-fitting rows gone");
    assert_eq!(app.selected_id(), Some(keep));
    assert!(draw(&mut app, 120, 30).contains(&format!("Models {}/{all} fitting", expected.len())));
    // A longer context changes what fits: the filter follows it.
    for _ in 0..4 {
        press(&mut app, '+');
    }
    let now = fitting(&mut app);
    assert_eq!(app.rows, now);
    assert!(now.len() < expected.len(), "128K leaves fewer: {now:?}");
    // Sorting inside the filter, then showing everything again.
    keys(&mut app, "ss");
    assert_eq!(app.rows.len(), now.len());
    press(&mut app, 'F');
    assert_eq!(app.rows.len(), all);
}

#[test]
fn fits_only_on_thousands_of_rows_is_filtered_by_the_worker() {
    use fitcheck::app::sort_job::SYNC_SORT_ROWS;
    let n = SYNC_SORT_ROWS + 300;
    let mut app = common::synthetic_app_on(n, "rtx-4090");
    press(&mut app, 'F');
    assert!(app.sorting);
    let job = app.take_sort_job().expect("a worker job");
    let filtered = job.run();
    let expected: Vec<u32> = app
        .search
        .matched_ids()
        .into_iter()
        .filter(|&id| app.estimate_of(id).verdict == Verdict::FitsOnGpu)
        .collect();
    assert!(!expected.is_empty() && expected.len() < n);
    assert_eq!(filtered, expected);
    app.finish_sort(job.generation, filtered);
    assert!(!app.sorting);
    assert_eq!(app.rows, expected);
}

#[test]
fn dollar_in_the_comparison_lists_the_cheapest_machines_as_fitcheck_buy_does() {
    use fitcheck::compare::CostInputs;
    use fitcheck::estimate::memo::Memo;
    use fitcheck::quality::QualityData;
    use fitcheck::recommend::{buy, BuyOptions, BuyTarget, Request};
    let mut app = real_app_on("rtx-4090");
    press(&mut app, '$');
    assert!(app.buy.is_none(), "$ means nothing in the browser");
    press(&mut app, 'T');
    press(&mut app, '$');
    let view = app.buy.clone().expect("the cheapest machines");
    let top = app.compare_rows_all()[app.compare_scroll];
    assert_eq!(view.id, top, "for the comparison's top row");

    // The same rows as the recommender's `buy` (what `fitcheck buy --model` prints).
    let data = QualityData::builtin().unwrap();
    let quants = data.acceptable_quants();
    let req = Request {
        settings: app.settings,
        min_tps: fitcheck::app::recommend::VIEW_MIN_TPS,
        top: 1,
    };
    let opts = BuyOptions {
        budget_usd: None,
        costs: CostInputs::default(),
    };
    let expected = buy(
        &app.catalog.models,
        &app.catalog.hardware,
        BuyTarget::Model(top as usize, &quants),
        &req,
        &opts,
        &mut Memo::default(),
    );
    assert!(!expected.is_empty());
    assert_eq!(view.rows, expected);
    assert!(view
        .rows
        .windows(2)
        .all(|w| w[0].price_usd <= w[1].price_usd));
    let screen = draw(&mut app, 160, 48);
    let name = app.model(top).name.clone();
    assert!(
        screen.contains(&format!("Cheapest machines for {name}")),
        "{screen}"
    );
    assert!(screen.contains(&view.rows[0].name), "{screen}");

    // Settings and the API spend re-ask; Esc closes the list first, then the comparison.
    press(&mut app, '+');
    assert_eq!(app.buy.as_ref().unwrap().context, app.settings.context);
    press(&mut app, ']');
    let spend = app.costs.api_usd_per_month;
    assert!(app
        .buy
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .all(|r| r.break_even_months
            == app
                .catalog
                .hardware
                .iter()
                .find(|h| h.id == r.hardware)
                .and_then(|h| CostInputs {
                    api_usd_per_month: spend,
                    ..CostInputs::default()
                }
                .break_even(h))));
    press(&mut app, '\u{1b}');
    assert!(app.buy.is_none() && app.mode == Mode::Compare);
    press(&mut app, '$');
    press(&mut app, '$');
    assert!(app.buy.is_none(), "$ toggles");
    press(&mut app, '\u{1b}');
    assert_eq!(app.mode, Mode::Browse);
}

#[test]
fn a_narrow_list_keeps_its_whole_title_in_short_words() {
    let mut app = app_on("rtx-4090");
    for _ in 0..8 {
        if app.sort == SortKey::Quality {
            break;
        }
        press(&mut app, 's');
    }
    assert_eq!(
        app.sort,
        SortKey::Quality,
        "s reaches best for the use case"
    );
    keys(&mut app, "SF"); // reversed, fits only
    assert!(app.reverse && app.fits_only);
    let wide = draw(&mut app, 200, 30);
    assert!(wide.contains(", reversed"), "{wide}");
    let narrow = draw(&mut app, 80, 24);
    let use_case = app.rec.use_case().to_string();
    let title = narrow
        .lines()
        .find(|l| l.contains("best for"))
        .unwrap_or_else(|| panic!("no list title:\n{narrow}"));
    assert!(
        title.contains(&format!("best for {use_case} ↑")) && title.contains(" fit "),
        "title cut or missing a fact: {title}"
    );
}
