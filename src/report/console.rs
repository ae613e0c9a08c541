//! The console reporter: a tree by suite and section, Expected/Actual under each failure, a
//! failures recap and the closing count line. Colour is the caller's choice (TTY, NO_COLOR),
//! passed in [`ReportContext::color`].

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{ReportContext, Reporter};
use crate::requirements::Catalogue;
use crate::result::{CaseResult, Outcome, RunReport};

/// The `console` kind: the tree, coloured when [`ReportContext::color`] says so, then a line
/// about the SHOULD/MAY cases the level left out ([`ReportContext::unrun_levels`]).
pub struct Console;

impl Reporter for Console {
    fn kind(&self) -> &'static str {
        "console"
    }

    fn transcripts(&self, verbosity: u8) -> crate::result::Transcripts {
        // `-vv` lists the exchanges of failing cases.
        if verbosity >= 2 {
            crate::result::Transcripts::Failing
        } else {
            crate::result::Transcripts::None
        }
    }

    fn render(&self, report: &RunReport, cx: &ReportContext<'_>) -> String {
        let paint = Paint(cx.color);
        let mut out = render_with(report, cx.titles, cx.catalogue, cx.console, paint);
        if cx.unrun_levels > 0 {
            let _ = writeln!(
                out,
                "({} SHOULD/MAY cases not run; add --level should or --level may)",
                cx.unrun_levels
            );
        }
        out
    }
}

/// ANSI styles, as SGR parameters.
const BOLD: &str = "1";
const DIM: &str = "2";
const GREEN: &str = "32";
const RED: &str = "31";
const CYAN: &str = "36";
const GREEN_BOLD: &str = "1;32";
const RED_BOLD: &str = "1;31";
const YELLOW_BOLD: &str = "1;33";
const MAGENTA_BOLD: &str = "1;35";

/// Styling switched on or off for one rendering. The escapes are written here rather than by
/// the `colored` crate because `colored` decides colour through a process-wide switch
/// (`colored::control::set_override`), which one render would have to flip and every other
/// render, on any thread, would see. The bytes are the ones `colored` writes: the style, the
/// text with the style restored after every reset inside it, then a reset.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn on(self, sgr: &str, text: &str) -> String {
        if !self.0 {
            return text.to_string();
        }
        let start = format!("\x1B[{sgr}m");
        let text = text.replace("\x1B[0m", &format!("\x1B[0m{start}"));
        format!("{start}{text}\x1B[0m")
    }
}

/// How much to print.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConsoleOptions {
    /// 0: the tree; 1: plus notes for every case; 2: plus transcripts of failing cases.
    pub verbosity: u8,
}

fn mark(p: Paint, o: Outcome) -> String {
    match o {
        Outcome::Pass => p.on(GREEN, "✔"),
        Outcome::Fail => p.on(RED_BOLD, "✘"),
        Outcome::Warn => p.on(YELLOW_BOLD, "!"),
        Outcome::Skip => p.on(DIM, "-"),
        Outcome::NotJudged => p.on(YELLOW_BOLD, "?"),
        Outcome::Error => p.on(MAGENTA_BOLD, "E"),
        Outcome::Xfail => p.on(CYAN, "x"),
        Outcome::Xpass => p.on(RED, "X"),
    }
}

/// Renders the report as the console shows it, without colour and without the unrun-levels
/// line ([`Console`] adds both).
pub fn render(
    report: &RunReport,
    suite_titles: &BTreeMap<String, String>,
    catalogue: &Catalogue,
    opts: ConsoleOptions,
) -> String {
    render_with(report, suite_titles, catalogue, opts, Paint(false))
}

fn render_with(
    report: &RunReport,
    suite_titles: &BTreeMap<String, String>,
    catalogue: &Catalogue,
    opts: ConsoleOptions,
    p: Paint,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} · target {} · MCP {} · level {}{}",
        p.on(BOLD, &report.tool.name),
        report.tool.version,
        report.target,
        report.spec,
        report.level,
        if report.strict {
            " · strict reading"
        } else {
            ""
        }
    );
    if let Some(wire) = &report.wire {
        let _ = writeln!(out, "wire: the target answered {wire}");
    }
    out.push('\n');
    let mut suites: Vec<&str> = Vec::new();
    for c in &report.cases {
        if !suites.contains(&c.suite.as_str()) {
            suites.push(&c.suite);
        }
    }
    for suite in suites {
        let title = suite_titles.get(suite).map(String::as_str).unwrap_or("");
        let _ = writeln!(out, "{}  {}", p.on(BOLD, suite), p.on(DIM, title));
        let cases: Vec<&CaseResult> = report.cases.iter().filter(|c| c.suite == suite).collect();
        let mut sections: Vec<&str> = Vec::new();
        for c in &cases {
            if !sections.contains(&c.section.as_str()) {
                sections.push(&c.section);
            }
        }
        sections.sort_by_key(|s| section_order(s));
        for section in sections {
            let _ = writeln!(out, "  {}", p.on(BOLD, &section_label(section)));
            for c in cases.iter().filter(|c| c.section == section) {
                case_block(&mut out, c, catalogue, opts, p);
            }
        }
        out.push('\n');
    }
    let problems: Vec<&CaseResult> = report
        .cases
        .iter()
        .filter(|c| matches!(c.result, Outcome::Fail | Outcome::Error | Outcome::Xpass))
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(out, "{}", p.on(BOLD, "Failures and errors:"));
        for c in problems {
            let _ = writeln!(out, "  {} {} — {}", mark(p, c.result), c.id, c.message);
        }
        out.push('\n');
    }
    let line = report.summary.line();
    let style = if report.summary.failed > 0 || report.summary.errored > 0 {
        RED_BOLD
    } else if report.summary.warned > 0 {
        YELLOW_BOLD
    } else {
        GREEN_BOLD
    };
    let line = p.on(style, &line);
    let _ = writeln!(out, "{line}");
    out
}

/// Numbered sections in numeric order (§2 < §2.1 < §3.2 < §10), named ones after them.
fn section_order(section: &str) -> (bool, Vec<u32>, String) {
    let nums: Option<Vec<u32>> = section.split('.').map(|p| p.parse().ok()).collect();
    match nums {
        Some(n) => (false, n, String::new()),
        None => (true, Vec::new(), section.to_string()),
    }
}

fn section_label(section: &str) -> String {
    if section.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("§{section}")
    } else {
        section.to_string()
    }
}

fn case_block(
    out: &mut String,
    c: &CaseResult,
    catalogue: &Catalogue,
    opts: ConsoleOptions,
    p: Paint,
) {
    let level = p.on(DIM, &format!("[{}]", c.level));
    let _ = writeln!(
        out,
        "    {} {} {} {}",
        mark(p, c.result),
        c.title,
        p.on(DIM, &c.id),
        level
    );
    match c.result {
        Outcome::Skip | Outcome::NotJudged | Outcome::Error => {
            let _ = writeln!(out, "        {}", p.on(DIM, &c.message));
        }
        _ => {}
    }
    for f in &c.findings {
        let tag = if f.result == Outcome::Fail {
            p.on(RED_BOLD, "MUST")
        } else {
            p.on(YELLOW_BOLD, f.level.as_str())
        };
        let _ = writeln!(out, "        {} {}", tag, f.check);
        let _ = writeln!(out, "          Expected: {}", f.expected);
        let _ = writeln!(out, "          Actual:   {}", f.actual);
        let _ = writeln!(
            out,
            "          {} step `{}`, {}",
            p.on(DIM, "at"),
            f.step,
            p.on(DIM, &f.source)
        );
    }
    // The rules and the reason, once per case however many findings cite them.
    let mut cited: Vec<&String> = Vec::new();
    for id in c.findings.iter().flat_map(|f| &f.requirements) {
        if !cited.contains(&id) {
            cited.push(id);
        }
    }
    for id in cited {
        let (text, url) = catalogue
            .get(id)
            .map(|r| {
                (
                    format!(" ({} {}) {}", r.source, r.section, r.requirement),
                    r.url(),
                )
            })
            .unwrap_or_default();
        let _ = writeln!(out, "        Requirement: {id}{}", p.on(DIM, &text));
        if !url.is_empty() {
            let _ = writeln!(out, "          {}", p.on(DIM, &url));
        }
    }
    let mut reasons: Vec<&String> = c.findings.iter().filter_map(|f| f.why.as_ref()).collect();
    reasons.dedup();
    for why in reasons {
        let _ = writeln!(out, "        Why it matters: {why}");
    }
    if opts.verbosity >= 1 || matches!(c.result, Outcome::Fail | Outcome::Warn | Outcome::Error) {
        for n in &c.notes {
            let _ = writeln!(out, "        {} {}", p.on(DIM, "note:"), n);
        }
    }
    if opts.verbosity >= 2 && matches!(c.result, Outcome::Fail | Outcome::Warn | Outcome::Error) {
        for ex in &c.transcript {
            let status = ex
                .status
                .map(|s| s.to_string())
                .unwrap_or_else(|| ex.error.clone().unwrap_or_default());
            let _ = writeln!(
                out,
                "        {} {} {} → {}",
                p.on(DIM, &ex.block),
                ex.method,
                ex.url,
                status
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paint_writes_what_colored_writes_and_nothing_when_off() {
        assert_eq!(Paint(false).on(RED_BOLD, "a\x1B[0mb"), "a\x1B[0mb");
        assert_eq!(Paint(true).on(DIM, ""), "\x1B[2m\x1B[0m");
        // A reset inside the text is followed by the style again, as `colored` does.
        assert_eq!(
            Paint(true).on(RED_BOLD, "a\x1B[0mb"),
            "\x1B[1;31ma\x1B[0m\x1B[1;31mb\x1B[0m"
        );
    }
}
