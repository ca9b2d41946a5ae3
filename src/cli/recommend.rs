//! `fitcheck recommend` and `fitcheck buy`: the recommender's answers in text or JSON.

use std::io::Write;

use serde_json::json;

use super::table::Table;
use super::{resolve_hardware, BuyArgs, CliError, RecommendArgs};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::estimate::memo::Memo;
use crate::estimate::units::GIB;
use crate::estimate::Settings;
use crate::quality::{
    default_context, format_score, metric_label, metrics_for, QualityData, USE_CASE_METRICS,
};
use crate::recommend::{
    buy as buy_rows, line_up, recommend_chain, Basis, BuyOptions, BuyTarget, MetricScores, Ranking,
    Request,
};

fn gib(b: f64) -> String {
    format!("{:.1}", b / GIB as f64)
}

fn quality_data() -> Result<QualityData, CliError> {
    QualityData::builtin().map_err(|e| CliError::Usage(e.to_string()))
}

fn metrics_of(use_case: &str) -> Result<&'static [&'static str], CliError> {
    metrics_for(use_case).ok_or_else(|| {
        let known: Vec<&str> = USE_CASE_METRICS.iter().map(|(u, _)| *u).collect();
        CliError::Usage(format!(
            "unknown use case '{use_case}'; known: {}",
            known.join(", ")
        ))
    })
}

fn check_floor(min_tps: f64) -> Result<(), CliError> {
    if min_tps.is_finite() && min_tps >= 0.0 {
        Ok(())
    } else {
        Err(CliError::Usage("--min-tps must be a number ≥ 0".into()))
    }
}

pub fn run(cat: &Catalog, args: &RecommendArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let metrics = metrics_of(&args.use_case)?;
    check_floor(args.min_tps)?;
    let hw = resolve_hardware(cat, &args.hw)?;
    let data = quality_data()?;
    let tiers = line_up(&cat.models, data.tiers(metrics));
    let quants = data.acceptable_quants();
    let context = args
        .context
        .unwrap_or_else(|| default_context(&args.use_case));
    let req = Request {
        settings: Settings {
            context,
            ..Settings::default()
        },
        min_tps: args.min_tps,
        top: args.top as usize,
    };
    let mut memo = Memo::default();
    let rankings = recommend_chain(&cat.models, &hw, 0, &tiers, &quants, &req, &mut memo);
    let unscored = rankings.first().map_or(0, |r| r.unscored.len());
    if args.json {
        let v = json!({
            "use_case": args.use_case, "metric": metrics[0], "metric_name": metric_label(metrics[0]).0,
            "hardware": hw.id, "speed_calibration": super::fit::calibration_json(&hw),
            "context": context, "min_tps": args.min_tps,
            "recommendations": rankings.first().map(|r| picks_json(&data, r)).unwrap_or_default(),
            "excluded": rankings.first().map(|r| excluded_json(cat, (&data, &args.use_case), r, args.min_tps, true)).unwrap_or_default(),
            "fallback": rankings.iter().skip(1).map(|r| json!({
                "metric": r.metric, "metric_name": metric_label(r.metric).0,
                "recommendations": picks_json(&data, r),
                "excluded": excluded_json(cat, (&data, &args.use_case), r, args.min_tps, false),
            })).collect::<Vec<_>>(),
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        )?;
        return Ok(());
    }
    let (label, _) = metric_label(metrics[0]);
    writeln!(
        out,
        "Best for {} on {} · {} tokens · ≥ {} tok/s · ranked by {label}",
        args.use_case, hw.name, context, args.min_tps
    )?;
    if let Some(m) = &hw.measured {
        writeln!(out, "speed {}", crate::calibrate::label(m))?;
    }
    for (i, r) in rankings.iter().enumerate() {
        if i > 0 {
            if r.recommendations.is_empty() && r.excluded.is_empty() {
                continue;
            }
            writeln!(
                out,
                "\nNot rated by the scales above; ranked by {} instead (a different scale: not comparable with the list above):",
                metric_label(r.metric).0
            )?;
        }
        write_ranking(&data, r, args.min_tps, out)?;
    }
    let labels: Vec<&str> = metrics.iter().map(|m| metric_label(m).0).collect();
    writeln!(
        out,
        "\n{unscored} catalog models have no {} score (shown as no score, never guessed). Quality is the published score of the full-precision model; formats with a mean KL divergence above 0.1 against FP16 are not considered.",
        labels.join(" or ")
    )?;
    let looked_for = rankings.first().map_or(Vec::new(), |r| {
        r.unscored
            .iter()
            .filter_map(|&i| {
                Some((
                    &cat.models[i],
                    data.absence(&cat.models[i].id, &args.use_case)?,
                ))
            })
            .collect()
    });
    for (m, a) in looked_for {
        writeln!(
            out,
            "  no score for {}: {} (checked {})",
            m.name, a.why, a.checked
        )?;
    }
    Ok(())
}

/// The recommendations as JSON objects, each with the languages its card lists.
fn picks_json(data: &QualityData, r: &Ranking) -> Vec<serde_json::Value> {
    r.recommendations
        .iter()
        .map(|p| {
            let mut v = serde_json::to_value(p).unwrap_or_default();
            if let (Some(o), Some(l)) = (v.as_object_mut(), data.languages_of(&p.model)) {
                o.insert(
                    "languages".into(),
                    json!({"listed": l.listed, "count": l.count, "source": l.source}),
                );
            }
            v
        })
        .collect()
}

/// The scored models left out; with `unscored`, also the models no metric of the chain scores
/// (with where the score was looked for, when `absences` records it).
fn excluded_json(
    cat: &Catalog,
    (data, use_case): (&QualityData, &str),
    r: &Ranking,
    min_tps: f64,
    unscored: bool,
) -> Vec<serde_json::Value> {
    let mut v: Vec<_> = r
        .excluded
        .iter()
        .map(|x| {
            json!({"model": x.model, "quality": x.quality,
                   "reason": x.reason.text(min_tps), "detail": x.reason})
        })
        .collect();
    if unscored {
        v.extend(r.unscored.iter().map(|&i| {
            let id = &cat.models[i].id;
            let why = data.absence(id, use_case).map(|a| a.why.clone());
            json!({"model": id, "reason": "no score", "kind": "no_score", "looked_for": why})
        }));
    }
    v
}

fn write_ranking(
    data: &QualityData,
    r: &Ranking,
    min_tps: f64,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (label, unit) = metric_label(r.metric);
    if r.recommendations.is_empty() {
        writeln!(out, "\nNothing qualifies.")?;
    } else {
        let mut t = Table::new(&[
            "#", "model", "quant", label, "tok/s", "GiB used", "headroom", "max ctx",
        ]);
        for (i, p) in r.recommendations.iter().enumerate() {
            t.row(vec![
                (i + 1).to_string(),
                p.name.clone(),
                p.quant.to_string(),
                format_score(p.quality, unit),
                format!("{:.1}", p.decode_tps),
                p.memory.clone(),
                gib(p.headroom_bytes as f64),
                p.max_context.to_string(),
            ]);
        }
        writeln!(out)?;
        t.write(out)?;
        writeln!(out)?;
        for (i, p) in r.recommendations.iter().enumerate() {
            writeln!(out, "{}. {}: {}", i + 1, p.name, p.why)?;
            writeln!(out, "   {} · {} ({})", p.variant, p.source, p.date)?;
            if let Some(l) = data.languages_of(&p.model) {
                writeln!(out, "   languages: {} · {}", l.summary(), l.source)?;
            }
        }
    }
    if !r.excluded.is_empty() {
        writeln!(out, "\nNot recommended:")?;
        for x in &r.excluded {
            writeln!(
                out,
                "  {} ({}): {}",
                x.name,
                format_score(x.quality, unit),
                x.reason.text(min_tps)
            )?;
        }
    }
    Ok(())
}

pub fn buy(cat: &Catalog, args: &BuyArgs, out: &mut dyn Write) -> Result<(), CliError> {
    check_floor(args.min_tps)?;
    let data = quality_data()?;
    let quants = data.acceptable_quants();
    let config = Config::load().map_err(|e| CliError::Usage(e.to_string()))?;
    let mut costs = config.costs();
    if let Some(api) = args.api_usd_per_month {
        costs.api_usd_per_month = api;
    }
    let context = args
        .context
        .unwrap_or_else(|| default_context(args.use_case.as_deref().unwrap_or("")));
    let req = Request {
        settings: Settings {
            context,
            ..Settings::default()
        },
        min_tps: args.min_tps,
        top: 1,
    };
    let scores;
    let named: Vec<_>;
    let (target, what) = match (&args.model, &args.use_case) {
        (Some(m), _) => {
            let found = cat
                .resolve_model(m)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let model = found.model;
            let i = cat
                .models
                .iter()
                .position(|x| x.id == model.id)
                .unwrap_or_default();
            // A quant in the name (`name:Q8_0`) is the one format priced, as `fit` would run it.
            let what = match found.quant {
                Some(q) => {
                    let loss = data.quant_loss(q).cloned().ok_or_else(|| {
                        CliError::Usage(format!(
                            "{} has no published quality loss to weigh; give the name without it",
                            q.label()
                        ))
                    })?;
                    named = vec![(q, loss)];
                    format!("{} at {}", model.name, q.label())
                }
                None => {
                    named = quants.clone();
                    model.name.clone()
                }
            };
            (BuyTarget::Model(i, &named), what)
        }
        (None, Some(u)) => {
            let metric = metrics_of(u)?[0];
            scores = MetricScores::new(&cat.models, data.metric(metric));
            (
                BuyTarget::Best(Basis {
                    metric,
                    scores: &scores,
                    quants: &quants,
                }),
                format!("the best {u} model"),
            )
        }
        (None, None) => return Err(CliError::Usage("give --model or --use-case".into())),
    };
    let opts = BuyOptions {
        budget_usd: args.budget,
        costs,
    };
    let mut memo = Memo::default();
    let rows = buy_rows(&cat.models, &cat.hardware, target, &req, &opts, &mut memo);
    if args.json {
        let v = json!({"target": what, "context": context, "min_tps": args.min_tps, "rows": rows});
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "Cheapest machines for {what} · {context} tokens · ≥ {} tok/s · 10% headroom",
        args.min_tps
    )?;
    if rows.is_empty() {
        writeln!(out, "\nNo priced machine qualifies.")?;
        return Ok(());
    }
    let mut t = Table::new(&[
        "hardware",
        "price",
        "model",
        "quant",
        "tok/s",
        "$ per tok/s",
        "GiB used",
        "headroom GiB",
        "break-even",
    ]);
    for r in &rows {
        t.row(vec![
            r.hardware.clone(),
            format!("${:.0}", r.price_usd),
            r.model.clone(),
            r.quant.to_string(),
            format!("{:.1}", r.decode_tps),
            format!("{:.0}", r.usd_per_tps),
            r.memory.clone(),
            gib(r.headroom_bytes as f64),
            r.break_even_months
                .map_or("—".into(), |m| format!("{m:.0} mo")),
        ]);
    }
    writeln!(out)?;
    t.write(out)?;
    writeln!(
        out,
        "\nbreak-even: months until the price is saved against {:.0} USD/month of API use (electricity counted)",
        costs.api_usd_per_month
    )?;
    if rows.iter().any(|r| r.memory.contains('+')) {
        writeln!(
            out,
            "GiB used a+b: a on the GPU, b in host RAM (offloaded); a card's price is the card's alone, not the RAM its preset assumes"
        )?;
    }
    Ok(())
}
