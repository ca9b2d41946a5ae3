#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! The quality data and the recommender: every score sourced, fixed machines snapshot-tested,
//! and every recommended pair re-checked against the plain estimator.

use std::collections::HashSet;

use fitcheck::catalog::Catalog;
use fitcheck::compare::{comfortable, CostInputs};
use fitcheck::estimate::hardware::{Backend, Hardware};
use fitcheck::estimate::memo::Memo;
use fitcheck::estimate::units::GIB;
use fitcheck::estimate::{estimate, Quant, Settings};
use fitcheck::quality::{
    metric_for, metric_label, metrics_for, QualityData, Score, GENERAL_METRICS, LMARENA,
    MAX_QUANT_KLD, RECORDED_METRICS, USE_CASE_METRICS,
};
use fitcheck::recommend::{
    buy, line_up, recommend, recommend_chain, Basis, BuyOptions, BuyTarget, MetricScores, Reason,
    Request,
};
use proptest::prelude::*;

mod common;

fn data() -> QualityData {
    QualityData::builtin().unwrap()
}

#[test]
fn every_score_has_a_source_a_date_and_a_catalog_model() {
    let cat = Catalog::builtin().unwrap();
    let ids: HashSet<&str> = cat.models.iter().map(|m| m.id.as_str()).collect();
    let metrics: HashSet<&str> = USE_CASE_METRICS
        .iter()
        .flat_map(|(_, m)| m.iter().copied())
        .chain(RECORDED_METRICS.iter().copied())
        .collect();
    assert!(metrics.iter().all(|m| metric_label(m).0 != "score"));
    let q = data();
    let date_ok =
        |d: &str| d.len() == 7 && d[..4].chars().all(|c| c.is_ascii_digit()) && &d[4..5] == "-";
    let mut seen = HashSet::new();
    for s in &q.scores {
        assert!(
            ids.contains(s.model.as_str()),
            "{} is not a catalog id",
            s.model
        );
        assert!(
            metrics.contains(s.metric.as_str()),
            "{}: metric {}",
            s.model,
            s.metric
        );
        assert!(
            s.source.starts_with("https://"),
            "{}: source {}",
            s.model,
            s.source
        );
        assert!(date_ok(&s.date), "{}: date {}", s.model, s.date);
        assert!(
            s.value.is_finite() && s.value > 0.0,
            "{}: {}",
            s.model,
            s.value
        );
        if s.metric != LMARENA {
            assert!(s.value <= 100.0, "{} {}: a percentage", s.model, s.metric);
        }
        assert!(
            seen.insert((&s.model, &s.metric)),
            "{} {} twice",
            s.model,
            s.metric
        );
    }
    let mut with_languages = HashSet::new();
    for l in &q.languages {
        assert!(
            with_languages.insert(&l.model),
            "languages of {} twice",
            l.model
        );
        assert!(
            ids.contains(l.model.as_str())
                && l.source.starts_with("https://")
                && date_ok(&l.date)
                && (!l.listed.is_empty() || l.count.is_some()),
            "languages of {}",
            l.model
        );
    }
    for v in &q.vision {
        assert!(
            ids.contains(v.model.as_str()) && v.source.starts_with("https://") && date_ok(&v.date)
        );
    }
    for l in &q.quants {
        assert!(
            l.source.starts_with("https://") && date_ok(&l.date) && l.ppl > 0.0 && l.kld >= 0.0
        );
    }
}

#[test]
fn every_guide_model_has_each_use_case_score_or_a_documented_absence() {
    let q = data();
    let cat = Catalog::builtin().unwrap();
    let guide = fitcheck::guide::recommended_models();
    assert!(guide.len() >= 10, "{guide:?}");
    let mut gaps = Vec::new();
    for m in &guide {
        assert!(cat.find_model(m).is_ok(), "{m}: not in the catalog");
        for (use_case, metrics) in USE_CASE_METRICS {
            if *use_case == "vision" && !q.has_vision(m) {
                continue; // text-only: no vision score to look for
            }
            let scored = metrics.iter().any(|x| q.metric(x).contains_key(*m));
            match (scored, q.absence(m, use_case)) {
                (true, Some(_)) => panic!("{m} {use_case}: scored, yet recorded as absent"),
                (false, None) => gaps.push(format!("{m} {use_case}")),
                _ => {}
            }
        }
    }
    assert!(
        gaps.is_empty(),
        "guide models without a use-case score or a documented absence \
         (assets/quality.ron `absences`, docs/quality.md): {gaps:?}"
    );
    for a in &q.absences {
        assert!(cat.find_model(&a.model).is_ok(), "{}", a.model);
        assert!(metrics_for(&a.use_case).is_some(), "{}", a.use_case);
        assert!(a.why.len() > 20 && a.checked.len() == 7, "{a:?}");
    }
    // The command says why, instead of only counting the model as unscored.
    let o = cli(&["recommend", "--use-case", "agents", "-H", "tier-24"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("no score for Phi-4 14B: AA lists Phi-4"),
        "{text}"
    );
    let o = cli(&[
        "recommend",
        "--use-case",
        "agents",
        "-H",
        "tier-24",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let phi = v["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["model"] == "phi-4")
        .expect("phi-4 listed as unscored for agents");
    assert_eq!(phi["kind"], "no_score");
    assert!(phi["looked_for"].as_str().unwrap().contains("agentic"));
}

/// Catalog models (not hardware) with a score of any of `metrics`.
fn covered(metrics: &[&str]) -> (usize, usize) {
    let cat = Catalog::builtin().unwrap();
    let q = data();
    let scored: HashSet<String> = metrics
        .iter()
        .flat_map(|m| q.metric(m).into_keys())
        .collect();
    let n = cat.models.iter().filter(|m| scored.contains(&m.id)).count();
    (n, cat.models.len())
}

#[test]
fn coverage_does_not_shrink() {
    // Regression floors for the data actually collected (docs/quality.md has the figures): the
    // share of catalog models with a general score, and per use case with any metric of its chain.
    let (n, total) = covered(GENERAL_METRICS);
    assert!(
        n * 1000 >= total * GENERAL_COVERAGE_PERMILLE,
        "general score for {n} of {total} catalog models, below the floor: a model added to \
         catalog.ron without a score lowers the share (add its scores to assets/quality.ron \
         from a sourced table, or lower the floor and say why in docs/quality.md)"
    );
    for (use_case, floor) in USE_CASE_FLOORS {
        let (n, _) = covered(metrics_for(use_case).unwrap());
        assert!(n >= *floor, "{use_case}: {n} models scored, floor {floor}");
    }
}

/// The general-score coverage reached, per mille of the catalog's models.
/// 847 -> 844: Kimi K3 joined without a score (docs/quality.md), GLM-5.1 with one.
const GENERAL_COVERAGE_PERMILLE: usize = 844;
/// Models scored per use case (any metric of its chain).
const USE_CASE_FLOORS: &[(&str, usize)] = &[
    ("chat", 157),
    ("coding", 103),
    ("reasoning", 108),
    ("agents", 56),
    ("rag", 157),
    ("long-context", 106),
    ("vision", 25),
];

fn request(context: u32, min_tps: f64) -> Request {
    Request {
        settings: Settings {
            context,
            ..Settings::default()
        },
        min_tps,
        top: 5,
    }
}

fn run(hw_id: &str, use_case: &str, context: u32, min_tps: f64) -> fitcheck::recommend::Ranking {
    let cat = Catalog::builtin().unwrap();
    let q = data();
    let metric = metric_for(use_case).unwrap();
    let scores = MetricScores::new(&cat.models, q.metric(metric));
    let quants = q.acceptable_quants();
    let hw = cat.find_hardware(hw_id).unwrap().clone();
    let req = request(context, min_tps);
    let basis = Basis {
        metric,
        scores: &scores,
        quants: &quants,
    };
    recommend(&cat.models, &hw, 0, &basis, &req, &mut Memo::default())
}

/// Every list of the use case's chain, first first.
fn run_chain(
    hw_id: &str,
    use_case: &str,
    context: u32,
    min_tps: f64,
) -> Vec<fitcheck::recommend::Ranking> {
    let cat = Catalog::builtin().unwrap();
    let q = data();
    let tiers = line_up(&cat.models, q.tiers(metrics_for(use_case).unwrap()));
    let quants = q.acceptable_quants();
    let hw = cat.find_hardware(hw_id).unwrap().clone();
    let req = request(context, min_tps);
    recommend_chain(
        &cat.models,
        &hw,
        0,
        &tiers,
        &quants,
        &req,
        &mut Memo::default(),
    )
}

fn summary(r: &fitcheck::recommend::Ranking) -> String {
    let mut s = String::new();
    for p in &r.recommendations {
        s += &format!(
            "{} {} q={} tps={:.1} used={:.2}GiB headroom={:.2}GiB maxctx={}\n",
            p.model,
            p.quant,
            p.quality,
            p.decode_tps,
            p.total_bytes as f64 / GIB as f64,
            p.headroom_bytes as f64 / GIB as f64,
            p.max_context
        );
    }
    for x in &r.excluded {
        s += &format!("- {} q={}: {}\n", x.model, x.quality, x.reason.text(10.0));
    }
    s
}

#[test]
fn fixed_machines_snapshot() {
    let cases = [
        ("rtx-3090", "coding", 32768, 10.0),
        ("tier-48", "chat", 8192, 10.0),
        ("tier-48", "reasoning", 32768, 10.0),
        ("tier-128", "agents", 32768, 10.0),
        ("m4-pro-48", "vision", 8192, 10.0),
        ("rtx-4090", "long-context", 131072, 20.0),
    ];
    let mut all = String::new();
    for (hw, uc, ctx, tps) in cases {
        all += &format!("== {hw} {uc} {ctx} ≥{tps}\n");
        for r in run_chain(hw, uc, ctx, tps) {
            all += &format!("-- {}\n{}", r.metric, summary(&r));
        }
    }
    insta::assert_snapshot!("recommend_fixed_machines", all);
}

#[test]
fn deterministic_and_ranked_by_score_then_speed() {
    let a = run("tier-48", "chat", 8192, 10.0);
    let b = run("tier-48", "chat", 8192, 10.0);
    assert_eq!(a, b);
    for w in a.recommendations.windows(2) {
        assert!(
            w[0].quality > w[1].quality
                || (w[0].quality == w[1].quality && w[0].decode_tps >= w[1].decode_tps),
            "{} before {}",
            w[0].model,
            w[1].model
        );
    }
    // A higher floor can only remove picks, never add faster-but-unscored ones.
    let fast = run("tier-48", "chat", 8192, 40.0);
    assert!(fast.recommendations.iter().all(|p| p.decode_tps >= 40.0));
    assert!(fast
        .excluded
        .iter()
        .any(|x| matches!(x.reason, Reason::TooSlow { .. })));
}

#[test]
fn a_context_beyond_the_model_is_excluded_as_too_short() {
    let r = run("tier-128", "chat", 1_000_000, 1.0);
    assert!(r.excluded.iter().any(|x| x.model == "llama-3.1-8b"
        && matches!(
            x.reason,
            Reason::ContextTooShort {
                max_context: 131072
            }
        )));
}

#[test]
fn buy_lists_cheapest_first_and_respects_the_budget() {
    let cat = Catalog::builtin().unwrap();
    let q = data();
    let quants = q.acceptable_quants();
    let i = cat
        .models
        .iter()
        .position(|m| m.id == "qwen3-30b-a3b-2507")
        .unwrap();
    let req = Request {
        settings: Settings {
            context: 32768,
            ..Settings::default()
        },
        min_tps: 20.0,
        top: 1,
    };
    let opts = BuyOptions {
        budget_usd: Some(5000.0),
        costs: CostInputs::default(),
    };
    let rows = buy(
        &cat.models,
        &cat.hardware,
        BuyTarget::Model(i, &quants),
        &req,
        &opts,
        &mut Memo::default(),
    );
    assert!(!rows.is_empty());
    assert!(rows.windows(2).all(|w| w[0].price_usd <= w[1].price_usd));
    for r in &rows {
        assert!(r.price_usd <= 5000.0 && r.decode_tps >= 20.0 && r.headroom_bytes > 0);
        let hw = cat.find_hardware(&r.hardware).unwrap();
        let e = estimate(
            &cat.models[i],
            hw,
            &Settings {
                quant: r.quant.parse().unwrap(),
                ..req.settings
            },
        );
        assert!(comfortable(&e), "{}", r.hardware);
    }
}

fn machine() -> impl Strategy<Value = Hardware> {
    (
        4u64..200,
        50.0f64..2000.0,
        prop::sample::select(vec![Backend::Cuda, Backend::Metal]),
    )
        .prop_map(|(gib, bw, backend)| Hardware {
            unified: backend == Backend::Metal,
            ram: 0,
            ram_bandwidth_gbps: 0.0,
            fp16_tflops: bw / 20.0,
            ..Hardware::new("prop", "prop", backend, gib * GIB, bw)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn every_pick_fits_with_headroom_and_meets_the_floor(
        hw in machine(),
        use_case in prop::sample::select(USE_CASE_METRICS.iter().map(|(u, _)| *u).collect::<Vec<_>>()),
        context in prop::sample::select(vec![2048u32, 8192, 32768, 131072]),
        min_tps in 0.0f64..80.0,
    ) {
        let cat = Catalog::builtin().unwrap();
        let q = data();
        let tiers = line_up(&cat.models, q.tiers(metrics_for(use_case).unwrap()));
        let quants = q.acceptable_quants();
        let req = Request { settings: Settings { context, ..Settings::default() }, min_tps, top: 5 };
        let rankings = recommend_chain(&cat.models, &hw, 0, &tiers, &quants, &req, &mut Memo::default());
        prop_assert_eq!(rankings.len(), tiers.len());
        for (r, (metric, _)) in rankings.iter().zip(&tiers) {
        prop_assert_eq!(r.metric, *metric);
        for p in &r.recommendations {
            prop_assert_eq!(p.metric, *metric);
            let m = cat.find_model(&p.model).unwrap();
            let quant: Quant = p.quant.parse().unwrap();
            // Checked with the plain estimator, not the memo the recommender used.
            let e = estimate(m, &hw, &Settings { quant, ..req.settings });
            prop_assert!(comfortable(&e), "{} {}", p.model, p.quant);
            prop_assert!(e.decode_tps_full_context >= min_tps, "{} {}", p.model, p.quant);
            prop_assert!(m.max_context() >= context);
            prop_assert!(q.quant_loss(quant).unwrap().kld <= MAX_QUANT_KLD);
            prop_assert_eq!(p.total_bytes, e.pool().0);
        }
        // Every exclusion is true too: what does not fit does not, what is too slow is.
        for x in &r.excluded {
            let m = cat.find_model(&x.model).unwrap();
            match &x.reason {
                Reason::ContextTooShort { max_context } => {
                    prop_assert!(*max_context < context && m.max_context() == *max_context)
                }
                Reason::DoesNotFit { quant, .. } => {
                    // The most compressed acceptable format is the least lossy's last.
                    let quant: Quant = quant.parse().unwrap();
                    prop_assert_eq!(Some(quant), quants.last().map(|q| q.0));
                    for (q, _) in &quants {
                        let e = estimate(m, &hw, &Settings { quant: *q, ..req.settings });
                        prop_assert!(!comfortable(&e), "{} {:?} fits", x.model, q);
                    }
                }
                Reason::TooSlow { quant, decode_tps } => {
                    let quant: Quant = quant.parse().unwrap();
                    let e = estimate(m, &hw, &Settings { quant, ..req.settings });
                    prop_assert!(comfortable(&e), "{} {:?}", x.model, quant);
                    prop_assert!(*decode_tps < min_tps && e.decode_tps_full_context < min_tps);
                }
            }
        }
        }
    }
}

fn cli(args: &[&str]) -> std::process::Output {
    let empty = std::env::temp_dir().join(format!("fitcheck-rec-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args(args)
        .env("FITCHECK_CONFIG_DIR", &empty)
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .unwrap()
}

#[test]
fn recommend_and_buy_json_contracts() {
    let o = cli(&[
        "recommend",
        "--use-case",
        "coding",
        "-H",
        "rtx-3090",
        "--context",
        "32768",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let recs = v["recommendations"].as_array().unwrap();
    assert!(!recs.is_empty());
    for key in [
        "model",
        "quant",
        "quality",
        "decode_tps",
        "total_bytes",
        "headroom_bytes",
        "max_context",
        "source",
        "date",
    ] {
        assert!(!recs[0][key].is_null(), "recommendations[0].{key}");
    }
    let excluded = v["excluded"].as_array().unwrap();
    assert!(excluded
        .iter()
        .all(|x| x["model"].is_string() && x["reason"].is_string()));
    assert!(excluded.iter().any(|x| x["reason"] == "no score"));

    let o = cli(&[
        "buy",
        "--model",
        "qwen3-30b-a3b-2507",
        "--budget",
        "2000",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        for key in ["hardware", "price_usd", "decode_tps", "headroom_bytes"] {
            assert!(!r[key].is_null(), "{key}");
        }
        assert!(r["price_usd"].as_f64().unwrap() <= 2000.0);
    }
}

#[test]
fn fallback_lists_keep_their_own_scale_and_picks_show_languages() {
    let o = cli(&["recommend", "--use-case", "chat", "-H", "tier-48", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["metric"], LMARENA);
    let primary: HashSet<&str> = v["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["metric"], LMARENA, "one scale per list");
            p["model"].as_str().unwrap()
        })
        .collect();
    let fallback = v["fallback"].as_array().unwrap();
    let later_metrics: Vec<&str> = fallback
        .iter()
        .map(|f| f["metric"].as_str().unwrap())
        .collect();
    assert_eq!(
        later_metrics,
        GENERAL_METRICS[1..],
        "chat consults the general scales in order"
    );
    for (k, list) in fallback.iter().enumerate() {
        let metric = GENERAL_METRICS[k + 1];
        let later = list["recommendations"].as_array().unwrap();
        assert!(!later.is_empty(), "{metric}");
        for p in later {
            let id = p["model"].as_str().unwrap();
            assert_eq!(p["metric"], metric, "one scale per list");
            // A model an earlier scale rates is never listed again on a later one.
            for earlier in &GENERAL_METRICS[..=k] {
                assert!(!data().metric(earlier).contains_key(id), "{id} {earlier}");
            }
            assert!(!primary.contains(id));
        }
    }
    // Languages ride along where a card states them.
    let gemma = v["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["model"] == "gemma-3-27b")
        .expect("gemma-3-27b recommended for chat on 48 GB");
    assert_eq!(gemma["languages"]["count"], 140);
    assert!(gemma["languages"]["source"]
        .as_str()
        .unwrap()
        .starts_with("https://"));

    let o = cli(&["recommend", "--use-case", "chat", "-H", "tier-48"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("languages: 140 languages"), "{text}");
    for label in [
        "ranked by AA Intelligence Index instead (a different scale",
        "ranked by MMLU-PRO (Open LLM Leaderboard v2) instead (a different scale",
    ] {
        assert!(text.contains(label), "{text}");
    }
}

#[test]
fn bad_use_case_and_floor_are_usage_errors() {
    let o = cli(&["recommend", "--use-case", "poetry", "-H", "rtx-3090"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("known: chat, coding"));
    let o = cli(&["buy", "--use-case", "coding", "--min-tps", "NaN"]);
    assert_eq!(o.status.code(), Some(2));
}

fn press(app: &mut fitcheck::app::App, code: crossterm::event::KeyCode) {
    use crossterm::event::{KeyEvent, KeyModifiers};
    if let Some(a) =
        fitcheck::app::action::action_for(app.mode, KeyEvent::new(code, KeyModifiers::NONE))
    {
        fitcheck::app::update(app, a);
    }
}

fn draw(app: &mut fitcheck::app::App, w: u16, h: u16) -> String {
    use ratatui::backend::TestBackend;
    let mut t = ratatui::Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut hits = fitcheck::ui::HitMap::default();
    t.draw(|f| fitcheck::ui::view(f, app, &fitcheck::ui::Theme::monochrome(), &mut hits))
        .unwrap();
    format!("{}", t.backend())
}

#[test]
fn capital_r_shows_the_same_ranking_as_the_command_and_arrows_change_the_use_case() {
    use crossterm::event::KeyCode;
    use fitcheck::app::Mode;
    let mut app = common::real_app_on("tier-48");
    press(&mut app, KeyCode::Char('R'));
    assert_eq!(app.mode, Mode::Recommend);
    let shown = app.rec.ranking.clone().unwrap();
    let direct = run("tier-48", "chat", app.settings.context, 10.0);
    let ids = |r: &fitcheck::recommend::Ranking| {
        r.recommendations
            .iter()
            .map(|p| (p.model.clone(), p.quant))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&shown)[..5], ids(&direct)[..5]);
    let screen = draw(&mut app, 120, 40);
    assert!(
        screen.contains("Best for chat") && screen.contains("Qwen3 30B-A3B Instruct 2507"),
        "{screen}"
    );
    assert!(screen.contains("not recommended"), "{screen}");
    press(&mut app, KeyCode::Right);
    assert_eq!(app.rec.use_case(), "coding");
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("Best for coding"), "{screen}");
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    assert_eq!(app.rec.use_case(), "vision");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Browse);
}

#[test]
fn use_case_changes_reuse_lined_up_scores_and_follow_new_data() {
    use crossterm::event::KeyCode;
    let mut app = common::real_app_on("tier-48");
    press(&mut app, KeyCode::Char('R'));
    let n = USE_CASE_METRICS.len();
    let mut first_pass = Vec::new();
    for _ in 0..n {
        first_pass.push(app.rec.ranking.clone());
        press(&mut app, KeyCode::Right);
    }
    assert_eq!(app.score_cache.cached(), n, "every use case lined up once");
    // Coming back gives the same rankings, and the browser column the first metric's scores.
    let cat = Catalog::builtin().unwrap();
    for (u, want) in first_pass.iter().enumerate() {
        assert_eq!(&app.rec.ranking, want, "use case {u}");
        let direct = MetricScores::new(&cat.models, data().metric(app.rec.metric()));
        for i in 0..cat.models.len() {
            assert_eq!(app.quality_of(i as u32), direct.value(i), "{u} {i}");
        }
        press(&mut app, KeyCode::Right);
    }
    assert_eq!(app.score_cache.cached(), n);
    // Replacing the quality data is seen at the next use-case change, not served from the cache.
    let only = Score {
        model: cat.models[3].id.clone(),
        metric: app.rec.metrics()[0].to_string(),
        value: 42.0,
        variant: String::new(),
        source: String::new(),
        date: String::new(),
        note: None,
    };
    app.quality = Some(std::sync::Arc::new(QualityData {
        scores: vec![only],
        ..data()
    }));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Left);
    assert_eq!(app.quality_of(3), Some(42.0));
    assert_eq!(app.quality_of(0), None);
}

/// recommend judges a pair as `fit` does: a model that runs with experts in host RAM is judged
/// on GPU + RAM (and recommended when that leaves 10 % free at the floor), a CPU-only machine
/// gets picks, and an exclusion's figures are `fit`'s device + host figures.
#[test]
fn recommend_and_fit_agree_on_offloaded_and_cpu_only_machines() {
    use fitcheck::estimate::Verdict;
    let cat = Catalog::builtin().unwrap();
    let by_id = |id: &str| cat.models.iter().find(|m| m.id == id).unwrap();
    let coding = &run_chain("rtx-3090", "coding", 8192, 10.0)[0];
    let big = coding
        .recommendations
        .iter()
        .find(|p| p.model == "gpt-oss-120b")
        .expect("gpt-oss 120B runs offloaded on an RTX 3090 + 64 GB at > 10 tok/s");
    let hw = cat.find_hardware("rtx-3090").unwrap();
    let quant: Quant = big.quant.parse().unwrap();
    let e = estimate(
        by_id("gpt-oss-120b"),
        hw,
        &Settings {
            quant,
            context: 8192,
            ..Settings::default()
        },
    );
    assert_eq!(e.verdict, Verdict::PartialOffload);
    assert_eq!(big.verdict, e.verdict);
    assert_eq!(big.memory, e.memory_of_usable_gib());
    assert!(big.memory.contains('+'), "{}", big.memory);
    assert!(big.why.contains("in RAM"), "{}", big.why);
    // A model that fits on the GPU is never pushed to RAM for a less lossy format.
    let small = coding
        .recommendations
        .iter()
        .find(|p| p.model == "gpt-oss-20b")
        .unwrap();
    assert_eq!(small.verdict, Verdict::FitsOnGpu, "{small:?}");
    // No exclusion reads "needs less than usable": the figures are the pool it runs from.
    for x in &coding.excluded {
        if let Reason::DoesNotFit {
            used_bytes,
            usable_bytes,
            verdict,
            ..
        } = &x.reason
        {
            assert!(
                *verdict == Verdict::DoesNotFit
                    || (*usable_bytes - *used_bytes) as f64 <= 0.1 * *usable_bytes as f64,
                "{}: {}",
                x.model,
                x.reason.text(10.0)
            );
        }
    }
    let cpu = &run_chain("cpu-ddr5-5600-96", "chat", 8192, 10.0)[0];
    assert!(!cpu.recommendations.is_empty(), "a CPU-only box gets picks");
    assert!(cpu
        .recommendations
        .iter()
        .all(|p| p.verdict == Verdict::CpuOnly && !p.memory.contains('+')));
}

/// `buy --model name:QUANT` prices that format, as `fit name:QUANT` runs it; without one, any
/// acceptable format.
#[test]
fn buy_honours_a_quant_in_the_model_name() {
    let rows = |name: &str| {
        let o = cli(&["buy", "--model", name, "--json"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["rows"].as_array().unwrap().clone()
    };
    let q8 = rows("qwen3-30b-a3b:Q8_0");
    assert!(!q8.is_empty());
    assert!(q8.iter().all(|r| r["quant"] == "Q8_0"), "{q8:?}");
    let any = rows("qwen3-30b-a3b");
    assert!(any.iter().any(|r| r["quant"] != "Q8_0"));
}
