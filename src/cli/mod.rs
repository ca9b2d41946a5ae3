//! The command line: a stable contract for scripts. No ratatui here.

mod args;
mod calibrate;
mod compare;
mod fit;
mod guide;
mod hub;
mod list;
mod recommend;
mod several;
pub mod table;
mod train;
mod validate;

use std::io::Write;
use std::process::ExitCode;

pub use args::{
    BuyArgs, CalibrateArgs, Cli, Command, CompareArgs, FitArgs, Format, HardwareArgs,
    RecommendArgs, TrainArgs,
};

use crate::catalog::{self, Catalog};
use crate::config::Config;
use crate::estimate::{self, Hardware};
use crate::hardware::detect;

/// Runs a subcommand; returns the process exit code (see [`crate::error`]).
pub fn run(cli: &Cli, command: &Command, out: &mut dyn Write) -> ExitCode {
    if cli.no_calibration {
        crate::calibrate::disable();
    }
    let result = catalog::load(cli.catalog.as_deref())
        .map_err(|e| CliError::Usage(e.to_string()))
        .and_then(|cat| run_with(&cat, cli, command, out));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.exit(),
    }
}

fn run_with(
    cat: &Catalog,
    cli: &Cli,
    command: &Command,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    // `-H` before the subcommand means the same as after it; where it has no meaning it is an
    // error rather than silently ignored.
    let global_hw = cli.hardware.as_deref();
    match command {
        Command::Fit(args) => {
            let merged;
            let args = match (global_hw, &args.hw.hardware) {
                (Some(g), Some(h)) if !g.eq_ignore_ascii_case(h) => {
                    return Err(CliError::Usage(format!(
                        "-H given twice: '{g}' before 'fit' and '{h}' after it"
                    )))
                }
                (Some(g), None) => {
                    merged = args.with_hardware(g);
                    &merged
                }
                _ => args,
            };
            fit::run(cat, cli, args, out)
        }
        Command::Train(args) => match (global_hw, &args.hw.hardware) {
            (Some(g), Some(h)) if !g.eq_ignore_ascii_case(h) => Err(CliError::Usage(format!(
                "-H given twice: '{g}' before 'train' and '{h}' after it"
            ))),
            (Some(g), None) => train::run(cat, &args.with_hardware(g), out),
            _ => train::run(cat, args, out),
        },
        Command::Recommend(args) => match (global_hw, &args.hw.hardware) {
            (Some(g), Some(h)) if !g.eq_ignore_ascii_case(h) => Err(CliError::Usage(format!(
                "-H given twice: '{g}' before 'recommend' and '{h}' after it"
            ))),
            (Some(g), None) => {
                let mut args = args.clone();
                args.hw.hardware = Some(g.to_string());
                recommend::run(cat, &args, out)
            }
            _ => recommend::run(cat, args, out),
        },
        Command::Compare(args) if global_hw.is_some() => {
            if !args.hardware.is_empty() {
                return Err(CliError::Usage(
                    "-H given twice: before 'compare' and after it".into(),
                ));
            }
            let hardware = global_hw
                .map(|h| h.split(',').map(str::trim).map(String::from).collect())
                .unwrap_or_default();
            let fetched = hub::with_fetched(cat, cli, &args.models, args.run.quant)?;
            compare::run(cat, fetched.as_ref(), &args.with_hardware(hardware), out)
        }
        Command::Compare(args) => {
            let fetched = hub::with_fetched(cat, cli, &args.models, args.run.quant)?;
            compare::run(cat, fetched.as_ref(), args, out)
        }
        _ if global_hw.is_some() => Err(CliError::Usage(
            "-H/--hardware applies to the app, 'fit', 'train', 'recommend' and 'compare' only"
                .into(),
        )),
        Command::List { what, json } => list::run(cat, cli, *what, *json, out),
        Command::System { json } => list::system(cat, *json, out),
        Command::Guide { json, markdown } => guide::run(cat, *json, *markdown, out),
        Command::Validate { file, rows, json } => validate::run(cat, file, *rows, *json, out),
        Command::Buy(args) => recommend::buy(cat, args, out),
        Command::Calibrate(args) => calibrate::run(cat, args, out),
    }
}

pub use crate::error::{report, warn};

/// What can go wrong in a command: the crate's one error type (the app ends with it too).
pub type CliError = crate::Error;

/// Model folders to scan: the standard ones (unless disabled), the config file's, `--models-dir`.
pub fn model_dirs(cli: &Cli, config: &Config) -> Vec<(&'static str, std::path::PathBuf)> {
    let mut dirs = if cli.no_default_model_dirs || config.no_default_model_dirs {
        Vec::new()
    } else {
        crate::local::default_dirs()
    };
    dirs.extend(
        config
            .models_dirs
            .iter()
            .chain(&cli.models_dirs)
            .map(|d| ("dir", d.clone())),
    );
    dirs
}

/// The hardware a command runs against: a preset, a custom spec, or this machine; host RAM,
/// its bandwidth, TFLOPS and GPU count given as flags replace the preset's or detected figures,
/// and a `--gpus` list of presets puts those cards in the box.
pub fn resolve_hardware(cat: &Catalog, args: &HardwareArgs) -> Result<Hardware, CliError> {
    let hw = resolve_box(cat, args)?;
    with_cluster(hw, args)
}

/// `--nodes`, `--link` and `--cluster-engine` applied to one machine or a cluster preset.
fn with_cluster(mut hw: Hardware, args: &HardwareArgs) -> Result<Hardware, CliError> {
    use crate::estimate::cluster::Cluster;
    if args.nodes.is_none() && args.link.is_none() && args.cluster_engine.is_none() {
        return Ok(hw);
    }
    let usage = |m: &str| Err(CliError::Usage(m.to_string()));
    if !hw.cards.is_empty() {
        return usage(
            "--nodes: a cluster of mixed-GPU boxes is not modelled (identical nodes only)",
        );
    }
    let old = hw.cluster;
    let nodes = args.nodes.or(old.map(|c| c.nodes)).unwrap_or(1);
    let Some(link) = args.link.or(old.map(|c| c.link)) else {
        return usage("--nodes needs --link (tb5, tb5-rdma, 10gbe, 25gbe, 100gbe, 200gbe)");
    };
    if nodes < 2 && old.is_none() {
        return usage("--link and --cluster-engine need --nodes N (2 or more) or a cluster preset");
    }
    if nodes < 2 {
        return usage("--nodes 1 is one machine: name the node's own preset with -H instead");
    }
    let engine = args
        .cluster_engine
        .or(old.map(|c| c.engine))
        .unwrap_or_default();
    let was = old.map_or(1, |c| c.nodes);
    let scale = f64::from(nodes) / f64::from(was);
    hw.price_usd = hw.price_usd.map(|p| p * scale);
    hw.power_w = hw.power_w.map(|p| p * scale);
    let new = Cluster {
        nodes,
        link,
        engine,
    };
    if old != Some(new) {
        hw.name = match old {
            None => format!("{nodes} × {} ({link}, {engine})", hw.name),
            Some(_) => format!("{} → {nodes} nodes, {link}, {engine}", hw.name),
        };
        if old.is_none() {
            hw.id = format!("{nodes}x-{}", hw.id);
        }
    }
    hw.cluster = Some(new);
    Ok(hw)
}

fn resolve_box(cat: &Catalog, args: &HardwareArgs) -> Result<Hardware, CliError> {
    let usage = |e: String| CliError::Usage(e);
    match &args.gpus {
        Some(args::GpuList::Presets(names)) => {
            let cards = names
                .iter()
                .map(|n| cat.find_hardware(n).map_err(|e| usage(e.to_string())))
                .collect::<Result<Vec<_>, _>>()?;
            let named_host = args.hardware.is_some() || args.custom()?.is_some();
            let host = if named_host {
                base_hardware(cat, args)?
            } else {
                cards[0].clone()
            };
            estimate::mixed_box(&host, &cards).map_err(|e| usage(format!("--gpus: {e}")))
        }
        _ => base_hardware(cat, args),
    }
}

fn base_hardware(cat: &Catalog, args: &HardwareArgs) -> Result<Hardware, CliError> {
    if let Some(custom) = args.custom()? {
        return Ok(custom);
    }
    let mut hw = match &args.hardware {
        Some(name) if !crate::resolve::is_this_machine(name) => cat
            .find_hardware(name)
            .cloned()
            .map_err(|e| CliError::Usage(e.to_string()))?,
        _ => this_machine(cat)?,
    };
    args.apply_overrides(&mut hw);
    Ok(hw)
}

/// This machine as detected, with config.ron's corrections.
pub fn this_machine(cat: &Catalog) -> Result<Hardware, CliError> {
    let mut d = detect(&cat.hardware);
    let config = Config::load().map_err(|e| CliError::Usage(e.to_string()))?;
    config.machine.apply(&mut d.hardware, &mut d.notes);
    if let Err(w) = crate::calibrate::attach(&mut d) {
        warn(&w);
    }
    Ok(d.hardware)
}
