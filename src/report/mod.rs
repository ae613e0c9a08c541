//! The reporters (console, JSON, JUnit, Markdown, HTML, SARIF) and the baseline.
//!
//! Reporters render a [`RunReport`] of [`crate::result`] without re-running any logic. The
//! result model and the exit codes live in [`crate::result`]; they are re-exported here for the
//! reporters' convenience.

pub mod baseline;
pub mod console;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

pub use crate::result::{
    CaseResult, Finding, Outcome, RunReport, Summary, dedup, exit, exit_code, exit_code_with, model,
};

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
