//! The HTML reporter: one self-contained page to read a run in a browser, or to compare runs.
//!
//! Data enters as finished [`RunReport`]s, the suite titles and the requirement [`Catalogue`];
//! a `String` holding a complete HTML document leaves. The page has its style inline and needs
//! no script, font or other asset, so it can be mailed, attached to a CI run or opened from
//! disk. Reports carry target-controlled text (bodies, headers, messages), so every such string
//! is escaped, links are emitted only for http(s) URLs, and a Content-Security-Policy that
//! forbids scripts stands behind the escaping.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::markdown::by_suite;
use super::{ReportContext, Reporter};
use crate::requirements::Catalogue;
use crate::result::{CaseResult, Finding, Outcome, RunReport, Summary};
use crate::transcript::Exchange;

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

const OUTCOMES: [Outcome; 8] = [
    Outcome::Pass,
    Outcome::Fail,
    Outcome::Warn,
    Outcome::Skip,
    Outcome::NotJudged,
    Outcome::Error,
    Outcome::Xfail,
    Outcome::Xpass,
];

/// The `html` kind: one run on a page.
pub struct Html;

impl Reporter for Html {
    fn kind(&self) -> &'static str {
        "html"
    }

    fn render(&self, report: &RunReport, cx: &ReportContext<'_>) -> String {
        render(report, cx.titles, cx.catalogue)
    }
}

/// Renders one run: header, suites × results matrix, then every case with its evidence.
pub fn render(
    report: &RunReport,
    suite_titles: &BTreeMap<String, String>,
    catalogue: &Catalogue,
) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "<header>");
    let _ = writeln!(b, "<h1>{} conformance report</h1>", esc(&report.tool.name));
    let _ = writeln!(b, "{}", verdict(&report.summary, report.cases.len()));
    let _ = writeln!(b, "<dl class=\"meta\">");
    meta(
        &mut b,
        "Target",
        &format!("<code>{}</code>", esc(&report.target)),
    );
    meta(&mut b, "MCP revision", &esc(&report.spec));
    if let Some(wire) = &report.wire {
        meta(&mut b, "Wire model", &esc(wire));
    }
    meta(&mut b, "Level", report.level.as_str());
    if report.strict {
        meta(&mut b, "Reading", "strict (--strict)");
    }
    meta(&mut b, "Started", &esc(&report.started_at));
    meta(&mut b, "Duration", &duration(report.duration_ms));
    meta(&mut b, "HTTP requests", &report.requests.to_string());
    meta(
        &mut b,
        "Tool",
        &format!("{} {}", esc(&report.tool.name), esc(&report.tool.version)),
    );
    let _ = writeln!(b, "</dl>");
    let _ = writeln!(b, "{}", counts(&report.summary));
    let _ = writeln!(b, "</header>");

    let suites = by_suite(report);
    matrix(&mut b, &suites, suite_titles, &report.summary);
    attention(&mut b, report);
    for (suite, cases) in &suites {
        let _ = writeln!(
            b,
            "<section class=\"suite\" id=\"{}\">",
            anchor("suite", suite)
        );
        let _ = write!(b, "<h2><code>{}</code>", esc(suite));
        if let Some(t) = suite_titles.get(*suite).filter(|t| !t.is_empty()) {
            let _ = write!(b, " <span class=\"muted\">{}</span>", esc(t));
        }
        let _ = writeln!(b, "</h2>");
        let mut section: Option<&str> = None;
        for c in cases {
            if section != Some(c.section.as_str()) {
                section = Some(&c.section);
                let _ = writeln!(b, "<h3>{}</h3>", esc(&section_label(&c.section)));
            }
            case(&mut b, c, catalogue);
        }
        let _ = writeln!(b, "</section>");
    }
    let _ = writeln!(b, "<footer><p>{}</p></footer>", esc(&report.summary.line()));
    let title = format!("{}: {}", report.tool.name, report.target);
    page(&title, &b)
}

/// Renders several runs side by side: one row per case id (in first-seen order), one column
/// per report, each cell the result with the case's message as a tooltip.
pub fn render_compare(reports: &[RunReport], catalogue: &Catalogue) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "<header>");
    let _ = writeln!(b, "<h1>authspec: {} runs compared</h1>", reports.len());
    let _ = writeln!(b, "</header>");

    let _ = writeln!(b, "<table class=\"summary\">");
    let _ = writeln!(b, "<caption>Runs</caption>");
    let _ = write!(
        b,
        "<thead><tr><th scope=\"col\">Target</th><th scope=\"col\">MCP</th>\
         <th scope=\"col\">Level</th><th scope=\"col\">Started</th>"
    );
    for o in OUTCOMES {
        let _ = write!(b, "<th scope=\"col\">{}</th>", outcome_title(o));
    }
    let _ = writeln!(b, "</tr></thead><tbody>");
    for r in reports {
        let _ = write!(
            b,
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td>",
            esc(&r.target),
            esc(&r.spec),
            r.level.as_str(),
            esc(&r.started_at)
        );
        for o in OUTCOMES {
            count_cell(&mut b, o, count(&r.summary, o));
        }
        let _ = writeln!(b, "</tr>");
    }
    let _ = writeln!(b, "</tbody></table>");

    let mut ids: Vec<&str> = Vec::new();
    for r in reports {
        for c in &r.cases {
            if !ids.contains(&c.id.as_str()) {
                ids.push(&c.id);
            }
        }
    }
    let _ = writeln!(b, "<table class=\"compare\">");
    let _ = writeln!(b, "<caption>Results by case</caption>");
    let _ = write!(b, "<thead><tr><th scope=\"col\">Case</th>");
    for r in reports {
        let _ = write!(
            b,
            "<th scope=\"col\"><code>{}</code><br><span class=\"muted\">MCP {} · {}</span></th>",
            esc(&r.target),
            esc(&r.spec),
            r.level.as_str()
        );
    }
    let _ = writeln!(b, "</tr></thead><tbody>");
    for id in ids {
        let found: Vec<Option<&CaseResult>> = reports
            .iter()
            .map(|r| r.cases.iter().find(|c| c.id == id))
            .collect();
        let Some(first) = found.iter().flatten().next() else {
            continue;
        };
        let _ = write!(
            b,
            "<tr><th scope=\"row\"><code>{}</code><br><span class=\"muted\">{}</span>",
            esc(id),
            esc(&first.title)
        );
        let reqs: Vec<String> = first
            .requirements
            .iter()
            .map(|r| requirement_link(r, catalogue))
            .collect();
        if !reqs.is_empty() {
            let _ = write!(b, "<br><span class=\"reqs\">{}</span>", reqs.join(" "));
        }
        let _ = write!(b, "</th>");
        for c in found {
            match c {
                Some(c) => {
                    let tip = if c.message.is_empty() {
                        c.result.as_str()
                    } else {
                        c.message.as_str()
                    };
                    let _ = write!(
                        b,
                        "<td><span class=\"badge {}\" title=\"{}\">{}</span></td>",
                        c.result.as_str(),
                        esc(tip),
                        badge_text(c.result)
                    );
                }
                None => {
                    let _ = write!(
                        b,
                        "<td><span class=\"none\" title=\"not run in this report\">—</span></td>"
                    );
                }
            }
        }
        let _ = writeln!(b, "</tr>");
    }
    let _ = writeln!(b, "</tbody></table>");
    page("authspec: runs compared", &b)
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n\
         </body>\n</html>\n",
        esc(title)
    )
}

fn verdict(s: &Summary, cases: usize) -> String {
    let (class, text) = if cases == 0 {
        ("skip", "No case ran".to_string())
    } else if s.failed > 0 || s.xpassed > 0 {
        ("fail", format!("Not conformant: {}", problems(s)))
    } else if s.errored > 0 {
        ("error", format!("Incomplete: {}", problems(s)))
    } else if s.warned > 0 {
        ("warn", format!("Conformant to every MUST: {}", problems(s)))
    } else {
        ("pass", "Conformant".to_string())
    };
    format!("<p class=\"verdict {class}\">{}</p>", esc(&text))
}

fn problems(s: &Summary) -> String {
    [
        (s.failed, "failed"),
        (s.xpassed, "baselined failures gone"),
        (s.errored, "errored"),
        (s.warned, "warned"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect::<Vec<_>>()
    .join(", ")
}

fn meta(b: &mut String, name: &str, html: &str) {
    let _ = writeln!(b, "<div><dt>{name}</dt><dd>{html}</dd></div>");
}

fn counts(s: &Summary) -> String {
    let mut out = String::from("<ul class=\"counts\">");
    for o in OUTCOMES {
        let n = count(s, o);
        if n > 0 || matches!(o, Outcome::Pass | Outcome::Fail | Outcome::Warn) {
            let _ = write!(
                out,
                "<li><span class=\"badge {}\">{}</span> {n}</li>",
                o.as_str(),
                badge_text(o)
            );
        }
    }
    out.push_str("</ul>");
    out
}

fn matrix(
    b: &mut String,
    suites: &[(&str, Vec<&CaseResult>)],
    suite_titles: &BTreeMap<String, String>,
    total: &Summary,
) {
    let _ = writeln!(b, "<table class=\"matrix\">");
    let _ = writeln!(b, "<caption>Results by suite</caption>");
    let _ = write!(b, "<thead><tr><th scope=\"col\">Suite</th>");
    for o in OUTCOMES {
        let _ = write!(b, "<th scope=\"col\">{}</th>", outcome_title(o));
    }
    let _ = writeln!(b, "<th scope=\"col\">Total</th></tr></thead><tbody>");
    for (suite, cases) in suites {
        let _ = write!(
            b,
            "<tr><th scope=\"row\"><a href=\"#{}\"><code>{}</code></a>",
            anchor("suite", suite),
            esc(suite)
        );
        if let Some(t) = suite_titles.get(*suite).filter(|t| !t.is_empty()) {
            let _ = write!(b, "<br><span class=\"muted\">{}</span>", esc(t));
        }
        let _ = write!(b, "</th>");
        for o in OUTCOMES {
            count_cell(b, o, cases.iter().filter(|c| c.result == o).count());
        }
        let _ = writeln!(b, "<td class=\"n\">{}</td></tr>", cases.len());
    }
    let _ = write!(b, "</tbody><tfoot><tr><th scope=\"row\">All suites</th>");
    let mut all = 0;
    for o in OUTCOMES {
        let n = count(total, o);
        all += n;
        count_cell(b, o, n);
    }
    let _ = writeln!(b, "<td class=\"n\">{all}</td></tr></tfoot></table>");
}

fn count_cell(b: &mut String, o: Outcome, n: usize) {
    if n == 0 {
        let _ = write!(b, "<td class=\"n zero\">0</td>");
    } else {
        let _ = write!(
            b,
            "<td class=\"n\"><span class=\"badge {}\">{n}</span></td>",
            o.as_str()
        );
    }
}

/// A short index of what needs reading, so a long report need not be scrolled through.
fn attention(b: &mut String, report: &RunReport) {
    let mut cases: Vec<&CaseResult> = report
        .cases
        .iter()
        .filter(|c| is_problem(c.result))
        .collect();
    if cases.is_empty() {
        return;
    }
    // Worst first: what breaks conformance, then what left the run incomplete, then SHOULDs.
    cases.sort_by_key(|c| match c.result {
        Outcome::Fail | Outcome::Xpass => 0,
        Outcome::Error => 1,
        _ => 2,
    });
    let _ = writeln!(b, "<nav class=\"attention\"><h2>Needs attention</h2><ul>");
    for c in cases {
        let _ = writeln!(
            b,
            "<li><span class=\"badge {}\">{}</span> <a href=\"#{}\">{}</a> <code>{}</code></li>",
            c.result.as_str(),
            badge_text(c.result),
            anchor("case", &c.id),
            esc(&c.title),
            esc(&c.id)
        );
    }
    let _ = writeln!(b, "</ul></nav>");
}

fn is_problem(o: Outcome) -> bool {
    matches!(
        o,
        Outcome::Fail | Outcome::Warn | Outcome::Error | Outcome::Xpass
    )
}

fn case(b: &mut String, c: &CaseResult, catalogue: &Catalogue) {
    let open = if is_problem(c.result) { " open" } else { "" };
    let _ = writeln!(
        b,
        "<details class=\"case {}\" id=\"{}\"{open}>",
        c.result.as_str(),
        anchor("case", &c.id)
    );
    let _ = writeln!(
        b,
        "<summary><span class=\"badge {}\">{}</span> <span class=\"title\">{}</span> \
         <code class=\"id\">{}</code> <span class=\"level\">{}</span></summary>",
        c.result.as_str(),
        badge_text(c.result),
        esc(&c.title),
        esc(&c.id),
        c.level.as_str()
    );
    let _ = writeln!(b, "<div class=\"body\">");
    if !c.message.is_empty() {
        let _ = writeln!(b, "<p class=\"message\">{}</p>", esc(&c.message));
    }
    let mut reqs: Vec<&String> = c.requirements.iter().collect();
    for f in &c.findings {
        for r in &f.requirements {
            if !reqs.contains(&r) {
                reqs.push(r);
            }
        }
    }
    if !reqs.is_empty() {
        let _ = writeln!(b, "<h4>Requirements</h4><ul class=\"reqs\">");
        for id in reqs {
            requirement(b, id, catalogue);
        }
        let _ = writeln!(b, "</ul>");
    }
    if !c.findings.is_empty() {
        let _ = writeln!(b, "<h4>Findings</h4>");
        let mut previous_why = None;
        for f in &c.findings {
            // Findings of one case usually share their reason; it is shown where it changes.
            let why = f.why.as_deref().filter(|w| previous_why != Some(*w));
            finding(b, f, why);
            previous_why = f.why.as_deref();
        }
    }
    if !c.notes.is_empty() {
        let _ = writeln!(b, "<h4>Notes</h4><ul class=\"notes\">");
        for n in &c.notes {
            let _ = writeln!(b, "<li>{}</li>", esc(n));
        }
        let _ = writeln!(b, "</ul>");
    }
    if !c.transcript.is_empty() {
        let n = c.transcript.len();
        let _ = writeln!(
            b,
            "<details class=\"transcript\"><summary>Transcript ({n} exchange{})</summary>",
            if n == 1 { "" } else { "s" }
        );
        for ex in &c.transcript {
            exchange(b, ex);
        }
        let _ = writeln!(b, "</details>");
    }
    let _ = writeln!(
        b,
        "<p class=\"muted small\">Ran in {}</p>",
        duration(c.duration_ms)
    );
    let _ = writeln!(b, "</div>\n</details>");
}

fn requirement(b: &mut String, id: &str, catalogue: &Catalogue) {
    match catalogue.get(id) {
        Some(r) => {
            let cite = esc(&format!("{} {}", r.source, r.section));
            let cite = match link(&r.url()) {
                Some(href) => format!("<a href=\"{href}\">{cite}</a>"),
                None => cite,
            };
            let _ = writeln!(
                b,
                "<li><code>{}</code> {cite} <span class=\"level\">{}</span><br>{}</li>",
                esc(id),
                esc(&r.level),
                catalogue_text(&r.requirement)
            );
        }
        None => {
            let _ = writeln!(b, "<li><code>{}</code></li>", esc(id));
        }
    }
}

fn requirement_link(id: &str, catalogue: &Catalogue) -> String {
    let url = catalogue.get(id).map(|r| r.url()).unwrap_or_default();
    match link(&url) {
        Some(href) => format!("<a href=\"{href}\"><code>{}</code></a>", esc(id)),
        None => format!("<code>{}</code>", esc(id)),
    }
}

fn finding(b: &mut String, f: &Finding, why: Option<&str>) {
    let _ = writeln!(b, "<div class=\"finding {}\">", f.result.as_str());
    let _ = writeln!(
        b,
        "<p><span class=\"badge {}\">{}</span> {}</p>",
        f.result.as_str(),
        f.level.as_str(),
        esc(&f.check)
    );
    let _ = writeln!(b, "<dl>");
    let _ = writeln!(
        b,
        "<dt>Expected</dt><dd><pre>{}</pre></dd>",
        esc(&f.expected)
    );
    let _ = writeln!(b, "<dt>Actual</dt><dd><pre>{}</pre></dd>", esc(&f.actual));
    if let Some(why) = why {
        let _ = writeln!(b, "<dt>Why it matters</dt><dd>{}</dd>", esc(why));
    }
    let _ = writeln!(
        b,
        "<dt>Where</dt><dd>step <code>{}</code>, <code>{}</code></dd>",
        esc(&f.step),
        esc(&f.source)
    );
    let _ = writeln!(b, "</dl>\n</div>");
}

fn exchange(b: &mut String, ex: &Exchange) {
    let _ = writeln!(b, "<div class=\"exchange\">");
    let outcome = match (ex.status, &ex.error) {
        (Some(s), _) => format!("<span class=\"status s{}\">{s}</span>", s / 100),
        (None, Some(e)) => format!("<span class=\"status err\">{}</span>", esc(e)),
        (None, None) => "<span class=\"status err\">no response</span>".to_string(),
    };
    let _ = writeln!(
        b,
        "<p class=\"line\"><span class=\"block\">{}</span><br><b>{}</b> <code>{}</code> → \
         {outcome} <span class=\"muted\">{}</span></p>",
        esc(&ex.block),
        esc(&ex.method),
        esc(&ex.url),
        duration(ex.elapsed_ms)
    );
    headers(b, "Request headers", &ex.request_headers);
    if let Some(body) = &ex.request_body {
        let _ = writeln!(b, "<h5>Request body</h5><pre>{}</pre>", esc(body));
    }
    headers(b, "Response headers", &ex.response_headers);
    if let Some(body) = &ex.response_body {
        let _ = writeln!(b, "<h5>Response body</h5><pre>{}</pre>", esc(body));
    }
    let _ = writeln!(b, "</div>");
}

fn headers(b: &mut String, title: &str, headers: &[(String, String)]) {
    if headers.is_empty() {
        return;
    }
    let _ = write!(b, "<h5>{title}</h5><pre>");
    for (k, v) in headers {
        let _ = writeln!(b, "{}: {}", esc(k), esc(v));
    }
    let _ = writeln!(b, "</pre>");
}

fn count(s: &Summary, o: Outcome) -> usize {
    match o {
        Outcome::Pass => s.passed,
        Outcome::Fail => s.failed,
        Outcome::Warn => s.warned,
        Outcome::Skip => s.skipped,
        Outcome::NotJudged => s.not_judged,
        Outcome::Error => s.errored,
        Outcome::Xfail => s.xfailed,
        Outcome::Xpass => s.xpassed,
    }
}

/// Words, not colours alone, carry the result (for colour-blind readers and for print).
fn badge_text(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::Warn => "WARN",
        Outcome::Skip => "SKIP",
        Outcome::NotJudged => "NOT JUDGED",
        Outcome::Error => "ERROR",
        Outcome::Xfail => "XFAIL",
        Outcome::Xpass => "XPASS",
    }
}

fn outcome_title(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "Pass",
        Outcome::Fail => "Fail",
        Outcome::Warn => "Warn",
        Outcome::Skip => "Skip",
        Outcome::NotJudged => "Not judged",
        Outcome::Error => "Error",
        Outcome::Xfail => "XFail",
        Outcome::Xpass => "XPass",
    }
}

fn section_label(section: &str) -> String {
    if section.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("§{section}")
    } else {
        section.to_string()
    }
}

fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
    }
}

/// A fragment id from a case id or suite name; only characters that need no escaping in a
/// URL fragment or an attribute are kept.
fn anchor(prefix: &str, name: &str) -> String {
    let tail: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{prefix}-{tail}")
}

/// An escaped href, or nothing for a URL that is not http(s) (a `javascript:` link is never
/// written, whatever a catalogue or report holds).
fn link(url: &str) -> Option<String> {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| esc(url))
}

/// Catalogue text marks identifiers with backticks; those become code, the rest is text.
fn catalogue_text(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", esc(part))
            } else {
                esc(part)
            }
        })
        .collect()
}

/// Escapes text for element content and quoted attribute values.
fn esc(s: &str) -> String {
    super::escape_with(s, |ch| match ch {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    })
}

const STYLE: &str = r#"
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa;
  --link: #0550ae; --code: #eff2f5;
  --pass-bg: #dafbe1; --pass-fg: #0f5323;
  --fail-bg: #ffebe9; --fail-fg: #a0111f;
  --warn-bg: #fff8c5; --warn-fg: #6c4400;
  --skip-bg: #eff2f5; --skip-fg: #454c54;
  --error-bg: #fbefff; --error-fg: #6223b0;
  --xfail-bg: #ddf4ff; --xfail-fg: #0a3069;
  --xpass-bg: #ffebe9; --xpass-fg: #a0111f;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9ea7b3; --border: #3d444d; --panel: #151b23;
    --link: #79c0ff; --code: #262c36;
    --pass-bg: #12321e; --pass-fg: #7ee787;
    --fail-bg: #3c1618; --fail-fg: #ffa198;
    --warn-bg: #3a2c0b; --warn-fg: #f2cc60;
    --skip-bg: #262c36; --skip-fg: #c9d1d9;
    --error-bg: #2e1f4a; --error-fg: #d2a8ff;
    --xfail-bg: #0c2d4a; --xfail-fg: #a5d6ff;
    --xpass-bg: #3c1618; --xpass-fg: #ffa198;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
a { color: var(--link); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
code { background: var(--code); padding: 0.05em 0.3em; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: var(--panel); border: 1px solid var(--border); border-radius: 6px;
  padding: 0.5rem 0.75rem; margin: 0.25rem 0 0.75rem; overflow-x: auto;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 32rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.5rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.5rem; padding-bottom: 0.25rem; border-bottom: 1px solid var(--border); }
h3 { font-size: 1rem; margin: 1.25rem 0 0.4rem; color: var(--muted); }
h4 { font-size: 0.95rem; margin: 0.9rem 0 0.3rem; }
h5 { font-size: 0.85rem; margin: 0.5rem 0 0.1rem; color: var(--muted); }
.muted { color: var(--muted); }
.small { font-size: 0.85rem; }
header { border-bottom: 1px solid var(--border); padding-bottom: 1rem; }
.verdict { display: inline-block; font-weight: 700; font-size: 1.1rem; margin: 0 0 0.75rem;
  padding: 0.3rem 0.8rem; border-radius: 6px; border: 1px solid currentColor; }
.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 0.4rem 1.5rem; margin: 0 0 0.75rem; }
.meta dt { font-size: 0.8rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.counts { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; }
.badge { display: inline-block; min-width: 3.6em; text-align: center; font-size: 0.75rem; font-weight: 700;
  letter-spacing: 0.03em; padding: 0.1em 0.5em; border-radius: 999px; border: 1px solid currentColor; }
.pass.badge, .verdict.pass { background: var(--pass-bg); color: var(--pass-fg); }
.fail.badge, .verdict.fail { background: var(--fail-bg); color: var(--fail-fg); }
.warn.badge, .verdict.warn { background: var(--warn-bg); color: var(--warn-fg); }
.skip.badge, .verdict.skip { background: var(--skip-bg); color: var(--skip-fg); }
.not_judged.badge, .verdict.not_judged { background: var(--warn-bg); color: var(--skip-fg); border-style: dashed; }
.error.badge, .verdict.error { background: var(--error-bg); color: var(--error-fg); }
.xfail.badge { background: var(--xfail-bg); color: var(--xfail-fg); }
.xpass.badge { background: var(--xpass-bg); color: var(--xpass-fg); }
table { border-collapse: collapse; margin: 1.25rem 0; width: 100%; }
caption { text-align: left; font-weight: 700; font-size: 1.1rem; padding-bottom: 0.4rem; }
th, td { border: 1px solid var(--border); padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
thead th { background: var(--panel); font-size: 0.85rem; }
tbody th { font-weight: 400; }
tfoot th, tfoot td { background: var(--panel); font-weight: 700; }
td.n { text-align: center; }
td.zero { color: var(--muted); }
.compare td { text-align: center; }
.none { color: var(--muted); }
.attention ul { padding-left: 1.25rem; }
.attention li { margin: 0.2rem 0; }
.suite { margin-top: 1rem; }
details.case { border: 1px solid var(--border); border-left-width: 4px; border-radius: 6px; margin: 0.4rem 0; background: var(--bg); }
details.case.fail, details.case.xpass { border-left-color: var(--fail-fg); }
details.case.warn { border-left-color: var(--warn-fg); }
details.case.error { border-left-color: var(--error-fg); }
details.case.pass { border-left-color: var(--pass-fg); }
details.case > summary { cursor: pointer; padding: 0.45rem 0.75rem; display: list-item; }
details.case > summary .title { font-weight: 600; }
details.case > summary .id { font-size: 0.8rem; }
.level { font-size: 0.75rem; font-weight: 700; color: var(--muted); }
details.case > .body { padding: 0 1rem 0.5rem 1.75rem; border-top: 1px solid var(--border); }
.message { font-weight: 600; overflow-wrap: anywhere; }
.reqs li { margin-bottom: 0.35rem; }
.finding { border-left: 3px solid var(--border); padding-left: 0.75rem; margin: 0.5rem 0 0.75rem; }
.finding.fail { border-left-color: var(--fail-fg); }
.finding.warn { border-left-color: var(--warn-fg); }
.finding dl { margin: 0.25rem 0; display: grid; grid-template-columns: 8.5rem minmax(0, 1fr); gap: 0.3rem 1rem; align-items: baseline; }
.finding dt { font-weight: 600; font-size: 0.85rem; }
.finding dd { margin: 0; overflow-wrap: anywhere; }
.finding dd pre { margin: 0; }
.transcript { margin: 0.75rem 0; }
.transcript > summary { cursor: pointer; font-weight: 600; }
.exchange { border-top: 1px dashed var(--border); padding-top: 0.4rem; margin-top: 0.5rem; }
.exchange .line { margin: 0.25rem 0; overflow-wrap: anywhere; }
.exchange .block { font-size: 0.8rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
.status { font-weight: 700; }
.status.s2 { color: var(--pass-fg); }
.status.s3 { color: var(--xfail-fg); }
.status.s4, .status.s5, .status.err { color: var(--fail-fg); }
footer { margin-top: 2rem; padding-top: 0.75rem; border-top: 1px solid var(--border); font-weight: 600; }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<a href='x'>\"&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;"
        );
    }

    #[test]
    fn links_only_for_http() {
        assert!(link("javascript:alert(1)").is_none());
        assert!(link("https://www.rfc-editor.org/rfc/rfc9728.html").is_some());
    }

    #[test]
    fn anchors_keep_safe_characters_only() {
        assert_eq!(anchor("case", "rfc9728/3.3/x\"<"), "case-rfc9728-3.3-x--");
    }
}
