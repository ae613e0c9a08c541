//! The result model: what a run produced (case results, findings, outcomes, the run report)
//! and the documented exit codes. The engine writes it and the reporters read it, so the engine
//! never depends on a reporter.

pub mod dedup;
pub mod model;

pub use model::{CaseResult, Finding, Outcome, RunReport, Summary, Transcripts};

use crate::vocab::Level;

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
    /// Incomplete: a MUST case could not be judged (authspec could not get to it), and nothing
    /// failed. The report says, case by case, what would reach it.
    pub const INCOMPLETE: i32 = 5;
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
    } else if report
        .cases
        .iter()
        .any(|c| c.result == Outcome::NotJudged && c.level == Level::Must)
    {
        exit::INCOMPLETE
    } else {
        exit::OK
    }
}
