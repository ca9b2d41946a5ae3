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
use crate::quality::{default_context, metric_for, metric_label, QualityData, USE_CASE_METRICS};
use crate::recommend::{buy as buy_rows, recommend, Basis, BuyOptions, BuyTarget, Request};

fn gib(b: f64) -> String {
    format!("{:.1}", b / GIB as f64)
}

fn quality_data() -> Result<QualityData, CliError> {
    QualityData::builtin().map_err(|e| CliError::Usage(e.to_string()))
}

fn metric_of(use_case: &str) -> Result<&'static str, CliError> {
    metric_for(use_case).ok_or_else(|| {
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

fn format_quality(v: f64, unit: &str) -> String {
    if unit == "%" {
        format!("{v:.1}%")
    } else {
        format!("{v:.0}")
    }
}

pub fn run(cat: &Catalog, args: &RecommendArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let metric = metric_of(&args.use_case)?;
    check_floor(args.min_tps)?;
    let hw = resolve_hardware(cat, &args.hw)?;
    let data = quality_data()?;
    let scores = data.metric(metric);
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
    let basis = Basis {
        metric,
        scores: &scores,
        quants: &quants,
    };
    let mut memo = Memo::default();
    let r = recommend(&cat.models, &hw, 0, &basis, &req, &mut memo);
    let (label, unit) = metric_label(metric);
    if args.json {
        let unscored: Vec<_> = r
            .unscored
            .iter()
            .map(|&i| json!({"model": cat.models[i].id, "reason": "no score", "kind": "no_score"}))
            .collect();
        let mut excluded: Vec<_> = r
            .excluded
            .iter()
            .map(|x| {
                json!({"model": x.model, "quality": x.quality,
                       "reason": x.reason.text(args.min_tps), "detail": x.reason})
            })
            .collect();
        excluded.extend(unscored);
        let v = json!({
            "use_case": args.use_case, "metric": metric, "metric_name": label,
            "hardware": hw.id, "speed_calibration": super::fit::calibration_json(&hw),
            "context": context, "min_tps": args.min_tps,
            "recommendations": r.recommendations, "excluded": excluded,
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "Best for {} on {} · {} tokens · ≥ {} tok/s · ranked by {label}",
        args.use_case, hw.name, context, args.min_tps
    )?;
    if let Some(m) = &hw.measured {
        writeln!(out, "speed {}", crate::calibrate::label(m))?;
    }
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
                format_quality(p.quality, unit),
                format!("{:.1}", p.decode_tps),
                format!(
                    "{}/{}",
                    gib(p.total_bytes as f64),
                    gib(p.usable_bytes as f64)
                ),
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
        }
    }
    if !r.excluded.is_empty() {
        writeln!(out, "\nNot recommended:")?;
        for x in &r.excluded {
            writeln!(
                out,
                "  {} ({}): {}",
                x.name,
                format_quality(x.quality, unit),
                x.reason.text(args.min_tps)
            )?;
        }
    }
    writeln!(
        out,
        "\n{} catalog models have no {label} score (shown as no score, never guessed). Quality is the published score of the full-precision model; formats with a mean KL divergence above 0.1 against FP16 are not considered.",
        r.unscored.len()
    )?;
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
    let (target, what) = match (&args.model, &args.use_case) {
        (Some(m), _) => {
            let model = cat
                .find_model(m)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let i = cat
                .models
                .iter()
                .position(|x| x.id == model.id)
                .unwrap_or_default();
            (BuyTarget::Model(i, &quants), model.name.clone())
        }
        (None, Some(u)) => {
            let metric = metric_of(u)?;
            scores = data.metric(metric);
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
    Ok(())
}
