//! The console reporter: a tree by suite and section, Expected/Actual under each failure, a
//! failures recap and the closing count line. Colour is decided by the caller (TTY, NO_COLOR).

use std::collections::BTreeMap;
use std::fmt::Write;

use colored::Colorize;

use super::model::{CaseResult, Outcome, RunReport};
use crate::requirements::Catalogue;

/// How much to print.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConsoleOptions {
    /// 0: the tree; 1: plus notes for every case; 2: plus transcripts of failing cases.
    pub verbosity: u8,
}

fn mark(o: Outcome) -> String {
    match o {
        Outcome::Pass => "✔".green().to_string(),
        Outcome::Fail => "✘".red().bold().to_string(),
        Outcome::Warn => "!".yellow().bold().to_string(),
        Outcome::Skip => "-".dimmed().to_string(),
        Outcome::Error => "E".magenta().bold().to_string(),
        Outcome::Xfail => "x".cyan().to_string(),
        Outcome::Xpass => "X".red().to_string(),
    }
}

/// Renders the report as the console shows it.
pub fn render(
    report: &RunReport,
    suite_titles: &BTreeMap<String, String>,
    catalogue: &Catalogue,
    opts: ConsoleOptions,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} · target {} · MCP {} · level {}{}",
        report.tool.name.bold(),
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
        let _ = writeln!(out, "{}  {}", suite.bold(), title.dimmed());
        let cases: Vec<&CaseResult> = report.cases.iter().filter(|c| c.suite == suite).collect();
        let mut sections: Vec<&str> = Vec::new();
        for c in &cases {
            if !sections.contains(&c.section.as_str()) {
                sections.push(&c.section);
            }
        }
        sections.sort_by_key(|s| section_order(s));
        for section in sections {
            let _ = writeln!(out, "  {}", section_label(section).bold());
            for c in cases.iter().filter(|c| c.section == section) {
                case_block(&mut out, c, catalogue, opts);
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
        let _ = writeln!(out, "{}", "Failures and errors:".bold());
        for c in problems {
            let _ = writeln!(out, "  {} {} — {}", mark(c.result), c.id, c.message);
        }
        out.push('\n');
    }
    let line = report.summary.line();
    let line = if report.summary.failed > 0 || report.summary.errored > 0 {
        line.red().bold().to_string()
    } else if report.summary.warned > 0 {
        line.yellow().bold().to_string()
    } else {
        line.green().bold().to_string()
    };
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

fn case_block(out: &mut String, c: &CaseResult, catalogue: &Catalogue, opts: ConsoleOptions) {
    let level = format!("[{}]", c.level).dimmed();
    let _ = writeln!(
        out,
        "    {} {} {} {}",
        mark(c.result),
        c.title,
        c.id.dimmed(),
        level
    );
    match c.result {
        Outcome::Skip | Outcome::Error => {
            let _ = writeln!(out, "        {}", c.message.dimmed());
        }
        _ => {}
    }
    for f in &c.findings {
        let tag = if f.result == Outcome::Fail {
            "MUST".red().bold()
        } else {
            f.level.as_str().yellow().bold()
        };
        let _ = writeln!(out, "        {} {}", tag, f.check);
        let _ = writeln!(out, "          Expected: {}", f.expected);
        let _ = writeln!(out, "          Actual:   {}", f.actual);
        let _ = writeln!(
            out,
            "          {} step `{}`, {}",
            "at".dimmed(),
            f.step,
            f.source.dimmed()
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
        let _ = writeln!(out, "        Requirement: {id}{}", text.dimmed());
        if !url.is_empty() {
            let _ = writeln!(out, "          {}", url.dimmed());
        }
    }
    let mut reasons: Vec<&String> = c.findings.iter().filter_map(|f| f.why.as_ref()).collect();
    reasons.dedup();
    for why in reasons {
        let _ = writeln!(out, "        Why it matters: {why}");
    }
    if opts.verbosity >= 1 || matches!(c.result, Outcome::Fail | Outcome::Warn | Outcome::Error) {
        for n in &c.notes {
            let _ = writeln!(out, "        {} {}", "note:".dimmed(), n);
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
                ex.block.dimmed(),
                ex.method,
                ex.url,
                status
            );
        }
    }
}
