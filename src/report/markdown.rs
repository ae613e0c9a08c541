//! The Markdown reporter: a GitHub job summary (`$GITHUB_STEP_SUMMARY`).
//!
//! Data enters as a finished [`RunReport`], the suite titles and the requirement [`Catalogue`];
//! a `String` of GitHub-flavoured Markdown leaves: a verdict line, one table per suite, then the
//! failures, warnings and errors in `<details>` blocks, and the closing count line. The output is
//! kept under [`MAX_BYTES`]; when a run would not fit, details and then table rows are dropped
//! from the end and a pointer to the JSON report takes their place.
//!
//! Every string that comes from the report may be controlled by the target (messages quote
//! response bodies), so it is written either as HTML character references or inside code
//! spans and fences sized so that it cannot close them.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{ReportContext, Reporter};
use crate::requirements::Catalogue;
use crate::result::exit;
use crate::result::{CaseResult, Finding, Outcome, RunReport};

/// GitHub refuses a step summary over 1 MiB; the margin leaves room for whatever else the
/// workflow appends to the same file.
pub const MAX_BYTES: usize = 1024 * 1024 - 4096;

/// The `markdown` kind: the job summary, pointing at [`ReportContext::json_hint`] when cut.
pub struct Markdown;

impl Reporter for Markdown {
    fn kind(&self) -> &'static str {
        "markdown"
    }

    fn transcripts(&self, _verbosity: u8) -> crate::result::Transcripts {
        crate::result::Transcripts::None
    }

    fn render(&self, report: &RunReport, cx: &ReportContext<'_>) -> String {
        render(report, cx.titles, cx.catalogue, cx.json_hint)
    }
}

/// Renders the job summary, cut to [`MAX_BYTES`] if needed. `json_report_hint` names where the
/// complete report is (the path given with `--report json=…`), for the pointer a cut leaves.
pub fn render(
    report: &RunReport,
    suite_titles: &BTreeMap<String, String>,
    catalogue: &Catalogue,
    json_report_hint: Option<&str>,
) -> String {
    let mut out = String::new();
    verdict(&mut out, report);
    for (suite, cases) in by_suite(report) {
        suite_table(&mut out, suite, suite_titles.get(suite), &cases);
    }
    let groups: [(&str, &[Outcome]); 4] = [
        ("Failures", &[Outcome::Fail, Outcome::Xpass]),
        ("Warnings", &[Outcome::Warn]),
        ("Errors", &[Outcome::Error]),
        (
            "Not judged: authspec could not get there",
            &[Outcome::NotJudged],
        ),
    ];
    for (heading, outcomes) in groups {
        let cases: Vec<&CaseResult> = report
            .cases
            .iter()
            .filter(|c| outcomes.contains(&c.result))
            .collect();
        if cases.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {heading}\n");
        for c in cases {
            details_block(&mut out, c, catalogue);
        }
    }
    let _ = writeln!(out, "{}", report.summary.line());
    truncate_to(out, MAX_BYTES, json_report_hint)
}

/// Cuts `md` to at most `max` bytes when it is longer, keeping its last line (the closing count
/// line) and ending with a pointer to the JSON report.
///
/// Cuts fall only between top-level blocks (never inside a `<details>` block or a code fence),
/// so what remains still renders; because the tables come before the details, dropping from the
/// end drops details first and table rows after them.
pub fn truncate_to(md: String, max: usize, hint: Option<&str>) -> String {
    if md.len() <= max {
        return md;
    }
    let body = md.trim_end_matches('\n');
    let (body, last) = match body.rfind('\n') {
        Some(i) => (&body[..i + 1], &body[i + 1..]),
        None => ("", body),
    };
    // The counts are not known before the cut; the longest number keeps the reservation safe.
    let reserve = last.len() + 2 + pointer(usize::MAX, usize::MAX, hint).len() + 1;
    let budget = max.saturating_sub(reserve);
    let mut cut = 0;
    let mut offset = 0;
    let mut depth = 0usize;
    let mut fence: Option<usize> = None;
    for line in body.split_inclusive('\n') {
        offset += line.len();
        let t = line.trim();
        let ticks = t.chars().take_while(|&ch| ch == '`').count();
        match fence {
            Some(n) if ticks >= n && t.len() == ticks => fence = None,
            Some(_) => {}
            None if ticks >= 3 => fence = Some(ticks),
            None => {
                depth += t.matches("<details").count();
                depth = depth.saturating_sub(t.matches("</details>").count());
            }
        }
        if fence.is_none() && depth == 0 {
            if offset > budget {
                break;
            }
            cut = offset;
        }
    }
    let dropped = &body[cut..];
    let blocks = dropped
        .lines()
        .filter(|l| l.starts_with("<details"))
        .count();
    let pipes = dropped.lines().filter(|l| l.starts_with('|')).count();
    let separators = dropped.lines().filter(|l| l.starts_with("|---")).count();
    let rows = pipes.saturating_sub(2 * separators);
    let mut out = String::with_capacity(max);
    out.push_str(&body[..cut]);
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str(last);
    out.push_str("\n\n");
    out.push_str(&pointer(blocks, rows, hint));
    out.push('\n');
    out
}

fn pointer(blocks: usize, rows: usize, hint: Option<&str>) -> String {
    let whole = match hint {
        Some(path) => format!("the JSON report {} holds everything", code_span(path)),
        None => "write the JSON report with `--report json=PATH` to see everything".to_string(),
    };
    format!(
        "> [!NOTE]\n> This summary was cut to stay under GitHub's 1 MiB step-summary limit \
         ({blocks} detail blocks and {rows} table rows left out); {whole}."
    )
}

fn verdict(out: &mut String, report: &RunReport) {
    let s = &report.summary;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    if s.failed > 0 {
        parts.push(plural(s.failed, "failure", "failures"));
    }
    if s.xpassed > 0 {
        parts.push(plural(
            s.xpassed,
            "baselined failure no longer happens",
            "baselined failures no longer happen",
        ));
    }
    if s.errored > 0 {
        parts.push(plural(s.errored, "error", "errors"));
    }
    if s.warned > 0 {
        parts.push(plural(s.warned, "warning", "warnings"));
    }
    if s.not_judged > 0 {
        parts.push(format!("{} not judged", s.not_judged));
    }
    let code = crate::result::exit_code(report);
    let (icon, text) = if report.cases.is_empty() {
        ("➖", "no case ran".to_string())
    } else if s.failed > 0 || s.xpassed > 0 {
        ("❌", parts.join(", "))
    } else if s.errored > 0 {
        ("⛔", format!("{} (incomplete run)", parts.join(", ")))
    } else if s.warned > 0 && code == exit::OK {
        (
            "✅",
            format!("conformant at MUST level, {}", parts.join(", ")),
        )
    } else if s.warned > 0 && code != exit::INCOMPLETE {
        ("⚠️", parts.join(", "))
    } else if code == exit::INCOMPLETE {
        ("❔", format!("{} (incomplete run)", parts.join(", ")))
    } else if s.not_judged > 0 {
        (
            "✅",
            format!("conformant where judged, {}", parts.join(", ")),
        )
    } else {
        ("✅", "conformant".to_string())
    };
    let _ = writeln!(
        out,
        "## {icon} {}: {text}\n",
        text_inline(&report.tool.name)
    );
    let _ = writeln!(
        out,
        "Target {} · MCP {} · level {}{} · {} {}\n",
        code_span(&report.target),
        text_inline(&report.spec),
        report.level,
        if report.strict {
            " · strict reading"
        } else {
            ""
        },
        text_inline(&report.tool.name),
        text_inline(&report.tool.version),
    );
    if let Some(wire) = &report.wire {
        let _ = writeln!(
            out,
            "Wire model: the target answered {}\n",
            text_inline(wire)
        );
    }
}

fn suite_table(out: &mut String, suite: &str, title: Option<&String>, cases: &[&CaseResult]) {
    match title {
        Some(t) if !t.is_empty() => {
            let _ = writeln!(out, "### {} — {}\n", text_inline(suite), text_inline(t));
        }
        _ => {
            let _ = writeln!(out, "### {}\n", text_inline(suite));
        }
    }
    out.push_str("| Result | Case | Title | Level |\n");
    out.push_str("|---|---|---|---|\n");
    for c in cases {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            label(c.result),
            code_span(&c.id),
            text_inline(&c.title),
            c.level
        );
    }
    out.push('\n');
}

fn details_block(out: &mut String, c: &CaseResult, catalogue: &Catalogue) {
    // The blank line after <summary> is what makes GitHub render the Markdown inside.
    let _ = writeln!(
        out,
        "<details><summary>{} {} — {} ({})</summary>\n",
        icon(c.result),
        code_span(&c.id),
        text_inline(&c.title),
        c.level
    );
    if !c.message.is_empty() {
        let _ = writeln!(out, "{}\n", text_inline(&c.message));
    }
    for f in &c.findings {
        finding(out, f);
    }
    // Findings of one case nearly always share their requirements and reason: listed once.
    let mut reqs: Vec<&str> = c.requirements.iter().map(String::as_str).collect();
    let mut whys: Vec<&str> = Vec::new();
    for f in &c.findings {
        for r in &f.requirements {
            if !reqs.contains(&r.as_str()) {
                reqs.push(r);
            }
        }
        if let Some(why) = f.why.as_deref().filter(|w| !whys.contains(w)) {
            whys.push(why);
        }
    }
    if !reqs.is_empty() {
        out.push_str("**Requirements**\n\n");
        for id in reqs {
            let _ = writeln!(out, "- {}", requirement(id, catalogue));
        }
        out.push('\n');
    }
    for why in whys {
        let _ = writeln!(out, "**Why it matters:** {}\n", text_inline(why));
    }
    if !c.notes.is_empty() {
        out.push_str("**Notes**\n\n");
        for n in &c.notes {
            let _ = writeln!(out, "- {}", text_inline(n));
        }
        out.push('\n');
    }
    out.push_str("</details>\n\n");
}

fn finding(out: &mut String, f: &Finding) {
    let _ = writeln!(out, "**{}** {}\n", f.level.as_str(), text_inline(&f.check));
    value(out, "Expected", &f.expected);
    value(out, "Actual", &f.actual);
    let _ = writeln!(
        out,
        "- **Where:** step {}, {}\n",
        code_span(&f.step),
        code_span(&f.source)
    );
}

/// Multi-line values (JSON bodies) need a fence: a code span spanning lines could be split by
/// block structure in the value itself.
fn value(out: &mut String, label: &str, v: &str) {
    if v.contains('\n') {
        let _ = writeln!(out, "- **{label}:**\n");
        let fence = "`".repeat(longest_run(v, '`').max(2) + 1);
        let _ = writeln!(out, "  {fence}text");
        for line in v.lines() {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out, "  {fence}\n");
    } else {
        let _ = writeln!(out, "- **{label}:** {}", code_span(v));
    }
}

fn requirement(id: &str, catalogue: &Catalogue) -> String {
    match catalogue.get(id) {
        Some(r) => {
            let url = r.url();
            let cite = format!("{} {}", r.source, r.section);
            let cite = if url.is_empty() {
                text_inline(&cite)
            } else {
                format!("[{}]({url})", text_inline(&cite))
            };
            format!(
                "{} ({cite}): {}",
                code_span(id),
                catalogue_text(&r.requirement)
            )
        }
        None => code_span(id),
    }
}

fn icon(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "✅",
        Outcome::Fail => "❌",
        Outcome::Warn => "⚠️",
        Outcome::Skip => "⏭️",
        Outcome::NotJudged => "❔",
        Outcome::Error => "⛔",
        Outcome::Xfail => "☑️",
        Outcome::Xpass => "❗",
    }
}

/// The icon with its word, so the table does not rely on the emoji alone.
fn label(o: Outcome) -> String {
    format!("{} {}", icon(o), o.as_str())
}

/// Text safe in a table cell, a heading, `<summary>` or running text: every character that
/// could open markup (HTML, links, emphasis, code, a cell boundary) becomes a character
/// reference, and line breaks become spaces so a row stays one row.
fn text_inline(s: &str) -> String {
    super::escape_with(s, |ch| match ch {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '|' => Some("&#124;"),
        '`' => Some("&#96;"),
        '[' => Some("&#91;"),
        ']' => Some("&#93;"),
        '*' => Some("&#42;"),
        '_' => Some("&#95;"),
        '~' => Some("&#126;"),
        '\\' => Some("&#92;"),
        '\r' => Some(""),
        '\n' => Some(" "),
        _ => None,
    })
}

/// Catalogue text marks identifiers with backticks; those become code, the rest is text.
fn catalogue_text(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                code_span(part)
            } else {
                text_inline(part)
            }
        })
        .collect()
}

/// Inline code as an HTML element rather than a backtick span: its content is escaped like
/// any other text, so one rule covers everything outside fences.
fn code_span(s: &str) -> String {
    format!("<code>{}</code>", text_inline(s))
}

fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for ch in s.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// Suites in the order they first appear, each with its cases ordered by section as the
/// console shows them (§2 < §2.1 < §10, named sections last).
pub(crate) fn by_suite(report: &RunReport) -> Vec<(&str, Vec<&CaseResult>)> {
    let mut suites: Vec<(&str, Vec<&CaseResult>)> = Vec::new();
    for c in &report.cases {
        match suites.iter_mut().find(|(s, _)| *s == c.suite) {
            Some((_, cases)) => cases.push(c),
            None => suites.push((&c.suite, vec![c])),
        }
    }
    for (_, cases) in &mut suites {
        cases.sort_by_cached_key(|c| section_order(&c.section));
    }
    suites
}

fn section_order(section: &str) -> (bool, Vec<u32>, String) {
    let nums: Option<Vec<u32>> = section.split('.').map(|p| p.parse().ok()).collect();
    match nums {
        Some(n) => (false, n, String::new()),
        None => (true, Vec::new(), section.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_cannot_break_a_row_or_open_markup() {
        let s = text_inline("a|b <script>`x`</script>\n[l](u) **b**");
        assert!(!s.contains('|') && !s.contains('<') && !s.contains('`') && !s.contains('\n'));
        assert!(!s.contains('[') && !s.contains('*'));
    }

    #[test]
    fn truncation_leaves_short_text_alone() {
        let md = "## x\n\nline\n".to_string();
        assert_eq!(truncate_to(md.clone(), 100, None), md);
    }

    #[test]
    fn truncation_never_cuts_inside_details() {
        let mut md = String::from("## v\n\n| R | C |\n|---|---|\n| a | b |\n\n");
        for i in 0..50 {
            md.push_str(&format!(
                "<details><summary>{i}</summary>\n\n```text\n{}\n```\n\n</details>\n\n",
                "x".repeat(100)
            ));
        }
        md.push_str("1 passed, 0 failed\n");
        let out = truncate_to(md, 2000, Some("r.json"));
        assert!(out.len() <= 2000, "{}", out.len());
        assert_eq!(
            out.matches("<details>").count(),
            out.matches("</details>").count()
        );
        assert!(out.trim_end().ends_with("holds everything."));
        assert!(out.contains("1 passed, 0 failed\n"));
    }
}
