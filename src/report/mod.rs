//! Results, reporters and exit codes.
//!
//! The engine produces a [`RunReport`]; reporters render it (console, JSON) without re-running
//! any logic; [`exit_code`] turns it into the documented process exit status.

pub mod baseline;
pub mod console;
pub mod dedup;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod sarif;

pub use model::{CaseResult, Finding, Outcome, RunReport, Summary};

use crate::suite::model::Level;

/// Exit codes: part of the CLI contract.
pub mod exit {
    /// Conformant (or only baselined failures).
    pub const OK: i32 = 0;
    /// Non-conformant: a failure, or a warning under `--level should`/`may`.
    pub const NONCONFORMANT: i32 = 1;
    /// Usage or input-file error.
    pub const USAGE: i32 = 2;
    /// Harness or runtime error: the target was unreachable, the reference server failed.
    pub const RUNTIME: i32 = 3;
    /// No case was selected.
    pub const NO_CASES: i32 = 4;
}

/// The exit code for a finished run.
///
/// A failure outranks an error (the target is known to be non-conformant even if the run is
/// incomplete); an error outranks warnings; warnings count only when SHOULD cases were selected.
pub fn exit_code(report: &RunReport) -> i32 {
    exit_code_with(report, false)
}

/// [`exit_code`], where `allow_stale` keeps stale baseline entries (xpass) from failing the run.
pub fn exit_code_with(report: &RunReport, allow_stale: bool) -> i32 {
    let s = &report.summary;
    if report.cases.is_empty() {
        exit::NO_CASES
    } else if s.failed > 0 || (s.xpassed > 0 && !allow_stale) {
        exit::NONCONFORMANT
    } else if s.errored > 0 {
        exit::RUNTIME
    } else if s.warned > 0 && report.level >= Level::Should {
        exit::NONCONFORMANT
    } else {
        exit::OK
    }
}

/// GitHub Actions workflow commands for the worst findings: failures, then errors and stale
/// baseline entries, then warnings; at most 10, as GitHub shows no more per step.
pub fn annotations(report: &RunReport) -> Vec<String> {
    // Workflow-command values escape %, CR and LF; properties also escape : and ,.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut lines = Vec::new();
    for (want, cmd) in [
        (&[Outcome::Fail][..], "error"),
        (&[Outcome::Error, Outcome::Xpass][..], "error"),
        (&[Outcome::Warn][..], "warning"),
    ] {
        for c in report.cases.iter().filter(|c| want.contains(&c.result)) {
            let location = c
                .findings
                .first()
                .and_then(|f| {
                    let mut parts = f.source.rsplitn(3, ':');
                    let col = parts.next()?;
                    let line = parts.next()?;
                    let file = parts.next()?;
                    Some(format!("file={},line={line},col={col},", prop(file)))
                })
                .unwrap_or_default();
            lines.push(format!(
                "::{cmd} {location}title={}::{}",
                prop(&format!("{} ({})", c.title, c.id)),
                data(&c.message)
            ));
            if lines.len() == 10 {
                return lines;
            }
        }
    }
    lines
}
