//! The JUnit XML reporter (via quick-junit), for GitLab, Jenkins and the GitHub JUnit actions.
//!
//! One `<testsuite>` per suite, one `<testcase>` per case named by its id. `fail` and `xpass`
//! (a stale baseline entry) become `<failure>`, `error` becomes `<error>`, `skip` and `xfail`
//! become `<skipped>`; a `warn` passes, with the warning in `system-err` so it stays visible.
//! Requirement ids, level and RFC links go in properties, the transcript in `system-out`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{ReportContext, Reporter};
use crate::requirements::Catalogue;
use crate::result::{CaseResult, Outcome, RunReport};

/// The `junit` kind.
pub struct Junit;

impl Reporter for Junit {
    fn kind(&self) -> &'static str {
        "junit"
    }

    fn render(&self, report: &RunReport, cx: &ReportContext<'_>) -> String {
        render(report, cx.titles, cx.catalogue)
    }
}

fn findings_text(c: &CaseResult) -> String {
    let mut s = String::new();
    for f in &c.findings {
        let _ = writeln!(
            s,
            "{} [{}] {}",
            f.result.as_str().to_uppercase(),
            f.level,
            f.check
        );
        let _ = writeln!(s, "  Expected: {}", f.expected);
        let _ = writeln!(s, "  Actual:   {}", f.actual);
        let _ = writeln!(s, "  Requirements: {}", f.requirements.join(", "));
        if let Some(w) = &f.why {
            let _ = writeln!(s, "  Why it matters: {w}");
        }
        let _ = writeln!(s, "  At: {} (step {})", f.source, f.step);
    }
    for n in &c.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}

fn transcript_text(c: &CaseResult) -> String {
    let mut s = String::new();
    for ex in &c.transcript {
        let status = ex
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| ex.error.clone().unwrap_or_default());
        let _ = writeln!(s, "## {}\n{} {} -> {}", ex.block, ex.method, ex.url, status);
        if let Some(b) = &ex.request_body {
            let _ = writeln!(s, "> {}", b.replace('\n', "\n> "));
        }
        if let Some(b) = &ex.response_body {
            let _ = writeln!(s, "< {}", b.replace('\n', "\n< "));
        }
    }
    s
}

/// Renders the report as JUnit XML.
pub fn render(
    report: &RunReport,
    suite_titles: &BTreeMap<String, String>,
    catalogue: &Catalogue,
) -> String {
    let mut junit = Report::new("authspec");
    junit.set_time(Duration::from_millis(report.duration_ms));
    let mut order: Vec<&str> = Vec::new();
    for c in &report.cases {
        if !order.contains(&c.suite.as_str()) {
            order.push(&c.suite);
        }
    }
    for suite in order {
        let mut ts = TestSuite::new(suite);
        ts.add_property(Property::new(
            "title",
            suite_titles.get(suite).cloned().unwrap_or_default(),
        ));
        ts.add_property(Property::new("target", report.target.clone()));
        ts.add_property(Property::new("spec", report.spec.clone()));
        if report.strict {
            ts.add_property(Property::new("reading", "strict"));
        }
        for c in report.cases.iter().filter(|c| c.suite == suite) {
            let mut status = match c.result {
                Outcome::Pass | Outcome::Warn => TestCaseStatus::success(),
                Outcome::Fail | Outcome::Xpass => {
                    TestCaseStatus::non_success(NonSuccessKind::Failure)
                }
                Outcome::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
                Outcome::Skip | Outcome::NotJudged | Outcome::Xfail => TestCaseStatus::skipped(),
            };
            if !matches!(c.result, Outcome::Pass | Outcome::Warn) {
                status.set_message(format!("{}: {}", c.result.as_str(), c.message));
                status.set_type(c.result.as_str());
                let text = findings_text(c);
                if !text.is_empty() {
                    status.set_description(text);
                }
            }
            let mut tc = TestCase::new(c.id.clone(), status);
            tc.set_classname(format!("{suite}.{}", c.section));
            tc.set_time(Duration::from_millis(c.duration_ms));
            tc.add_property(Property::new("title", c.title.clone()));
            tc.add_property(Property::new("level", c.level.as_str()));
            tc.add_property(Property::new("result", c.result.as_str()));
            for id in &c.requirements {
                tc.add_property(Property::new("requirement", id.clone()));
                if let Some(r) = catalogue.get(id) {
                    tc.add_property(Property::new("link", r.url()));
                }
            }
            if c.result == Outcome::Warn {
                tc.set_system_err(format!("warning: {}\n{}", c.message, findings_text(c)));
            }
            let transcript = transcript_text(c);
            if !transcript.is_empty() {
                tc.set_system_out(transcript);
            }
            ts.add_test_case(tc);
        }
        junit.add_test_suite(ts);
    }
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot serialise the JUnit report: {e} -->"))
}
