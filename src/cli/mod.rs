//! The command line: a stable contract for scripts. No ratatui here.

mod args;
mod compare;
mod fit;
mod guide;
mod list;
mod recommend;
mod several;
pub mod table;
mod train;
mod validate;

use std::io::Write;
use std::process::ExitCode;

pub use args::{
    BuyArgs, Cli, Command, CompareArgs, FitArgs, Format, HardwareArgs, RecommendArgs, TrainArgs,
};

use crate::catalog::{self, Catalog};
use crate::config::Config;
use crate::estimate::Hardware;
use crate::hardware::detect;

/// Runs a subcommand; returns the process exit code (2: unknown name or bad value).
pub fn run(cli: &Cli, command: &Command, out: &mut dyn Write) -> ExitCode {
    let cat = match catalog::load(cli.catalog.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let result = match command {
        Command::Fit(args) => fit::run(&cat, args, out),
        Command::List { what, json } => list::run(&cat, cli, *what, *json, out),
        Command::Train(args) => train::run(&cat, args, out),
        Command::System { json } => list::system(&cat, *json, out),
        Command::Compare(args) => compare::run(&cat, args, out),
        Command::Guide { json, markdown } => guide::run(&cat, *json, *markdown, out),
        Command::Validate { file, rows, json } => validate::run(&cat, file, *rows, *json, out),
        Command::Recommend(args) => recommend::run(&cat, args, out),
        Command::Buy(args) => recommend::buy(&cat, args, out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(CliError::Io(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// What can go wrong in a command.
#[derive(Debug)]
pub enum CliError {
    /// Bad name or value: exit status 2.
    Usage(String),
    /// Writing the output failed.
    Io(std::io::Error),
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}

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

/// The hardware a command runs against: a preset, a custom spec, or this machine.
pub fn resolve_hardware(cat: &Catalog, args: &HardwareArgs) -> Result<Hardware, CliError> {
    if let Some(custom) = args.custom()? {
        return Ok(custom);
    }
    match &args.hardware {
        Some(name)
            if !matches!(
                name.to_ascii_lowercase().as_str(),
                "this" | "this-machine" | "local"
            ) =>
        {
            cat.find_hardware(name)
                .cloned()
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        _ => {
            let mut d = detect(&cat.hardware);
            let config = Config::load().map_err(|e| CliError::Usage(e.to_string()))?;
            config.machine.apply(&mut d.hardware, &mut d.notes);
            Ok(d.hardware)
        }
    }
}
