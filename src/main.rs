use std::process::ExitCode;

use fitcheck::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    match &cli.command {
        Some(command) => cli::run(&cli, command, &mut std::io::stdout().lock()),
        None => fitcheck::tui::main(&cli),
    }
}
