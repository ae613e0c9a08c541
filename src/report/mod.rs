//! The reporters (console, JSON, JUnit, Markdown, HTML, SARIF) and the baseline.
//!
//! Reporters render a [`RunReport`] of [`crate::result`] without re-running any logic. Each
//! implements [`Reporter`]; [`REPORTERS`] lists them, and the CLI finds a report kind there by
//! name, so the kinds it accepts, its help and its error text for an unknown kind all come from
//! that one list. What a reporter needs besides the report travels in a [`ReportContext`].

pub mod baseline;
pub mod console;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use std::collections::BTreeMap;

use crate::requirements::Catalogue;
use crate::result::{Outcome, RunReport};

/// One output format.
pub trait Reporter: Sync {
    /// The name the CLI knows the format by (`--format KIND`, `--report KIND=PATH`).
    fn kind(&self) -> &'static str;
    /// A line of help for the CLI, for a format that needs saying more than its name.
    fn help(&self) -> Option<&'static str> {
        None
    }
    /// Which case transcripts this format shows, at the console's `verbosity` (`-v` count): a
    /// run keeps no others in memory.
    fn transcripts(&self, verbosity: u8) -> crate::result::Transcripts {
        let _ = verbosity;
        crate::result::Transcripts::All
    }
    /// Renders `report`.
    fn render(&self, report: &RunReport, cx: &ReportContext<'_>) -> String;
}

/// Everything a reporter may need besides the report itself.
#[derive(Clone, Copy, Debug)]
pub struct ReportContext<'a> {
    /// Suite name to suite title.
    pub titles: &'a BTreeMap<String, String>,
    /// The requirements the findings cite.
    pub catalogue: &'a Catalogue,
    /// Where the complete JSON report is, for the pointer a cut Markdown summary leaves.
    pub json_hint: Option<&'a str>,
    /// How much the console prints.
    pub console: console::ConsoleOptions,
    /// Whether the console colours its output (ANSI escapes); no other reporter colours.
    pub color: bool,
    /// SHOULD/MAY cases the level left out; the console says so when there are any.
    pub unrun_levels: usize,
}

impl<'a> ReportContext<'a> {
    /// A context with no JSON hint, the default console options, no colour and nothing unrun.
    pub fn new(titles: &'a BTreeMap<String, String>, catalogue: &'a Catalogue) -> Self {
        ReportContext {
            titles,
            catalogue,
            json_hint: None,
            console: console::ConsoleOptions::default(),
            color: false,
            unrun_levels: 0,
        }
    }
}

/// Every reporter, in the order the CLI lists them.
pub const REPORTERS: &[&dyn Reporter] = &[
    &console::Console,
    &json::Json,
    &junit::Junit,
    &markdown::Markdown,
    &html::Html,
    &sarif::Sarif,
];

/// The reporter named `kind` (exactly as [`Reporter::kind`] spells it).
pub fn reporter(kind: &str) -> Option<&'static dyn Reporter> {
    REPORTERS.iter().copied().find(|r| r.kind() == kind)
}

/// The kinds of [`REPORTERS`], comma-separated, for messages.
pub fn kinds() -> String {
    REPORTERS
        .iter()
        .map(|r| r.kind())
        .collect::<Vec<_>>()
        .join(", ")
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

/// `s` with each character `reference` maps replaced by what it maps it to (`None` keeps the
/// character): the one escaping loop the HTML and Markdown reporters share.
pub(crate) fn escape_with(s: &str, reference: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match reference(ch) {
            Some(r) => out.push_str(r),
            None => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_listed_once_and_found_by_name() {
        assert_eq!(kinds(), "console, json, junit, markdown, html, sarif");
        for r in REPORTERS {
            assert_eq!(reporter(r.kind()).map(|f| f.kind()), Some(r.kind()));
        }
        assert!(reporter("JSON").is_none());
    }
}
