use std::process::ExitCode;

use clap::Parser;
use fitcheck::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(command) => cli::run(&cli, command, &mut std::io::stdout().lock()),
        None => fitcheck::tui::main(&cli),
    }
}
