//! The one error type both entry points (the commands and the app) end with, and the one
//! exit-status policy: 0 success, 1 a failure to write or to drive the terminal, 2 bad input
//! (a name, a flag value, a catalog, config.ron, a model file), 3 `fit --require` not met.

use std::io::Write;
use std::process::ExitCode;

/// What can end a run of fitcheck.
#[derive(Debug)]
pub enum Error {
    /// Bad name, value or input file: exit status 2.
    Usage(String),
    /// `fit --require` asked for more than the verdict gives: exit status 3.
    Requirement(String),
    /// Writing the output failed: exit status 1.
    Io(std::io::Error),
    /// The interactive app could not drive the terminal: exit status 1 (a color-eyre report).
    Terminal(color_eyre::Report),
}

impl Error {
    /// The process exit status (see the module documentation).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Requirement(_) => 3,
            Error::Io(_) | Error::Terminal(_) => 1,
        }
    }

    /// Prints the error on stderr and gives the exit status. Output cut short by a closed pipe
    /// (`fitcheck list | head`) is not an error.
    pub fn exit(&self) -> ExitCode {
        if let Error::Io(e) = self {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return ExitCode::SUCCESS;
            }
        }
        report(self);
        ExitCode::from(self.exit_code())
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Usage(m) => f.write_str(m),
            Error::Requirement(m) => write!(f, "requirement not met: {m}"),
            Error::Io(e) => write!(f, "writing the output: {e}"),
            Error::Terminal(e) => write!(f, "{e:?}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// Prints an error on stderr. Nothing else can be done if stderr itself is closed or full, so
/// that write's failure is ignored (the exit status still says something went wrong).
pub fn report(e: &dyn std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "error: {e}");
}

/// Prints a warning on stderr (ignoring a closed or full stderr, as [`report`]).
pub fn warn(w: &dyn std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "warning: {w}");
}
