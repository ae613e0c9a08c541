//! The Markdown, HTML and SARIF reporters.
//!
//! Snapshots are taken of a hand-built report, so they change only when a reporter (or the
//! catalogue text it quotes) changes; one more test renders a real run against the reference
//! server with mutants on and checks only the structure, since ports, dates and timings vary.
//! Set `AUTHSPEC_REPORT_DIR` to keep that run's renderings (to look at the HTML in a browser).

use std::collections::BTreeMap;

use authspec::report::{html, markdown, sarif};
use authspec::requirements::Catalogue;
use authspec::result::model::Tool;
use authspec::result::{CaseResult, Finding, Outcome, RunReport, Summary};
use authspec::selftest;
use authspec::suite::{self, Case};
use authspec::transcript::Exchange;
use authspec::vocab::{Level, SpecRevision};
use reference_server::Mutant;
use serde_json::Value;

const TARGET: &str = "http://127.0.0.1:PORT/mcp";

fn titles() -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            "rfc9728".to_string(),
            "OAuth 2.0 Protected Resource Metadata (RFC 9728)".to_string(),
        ),
        (
            "mcp".to_string(),
            "MCP authorization discovery (2025-06-18, 2025-11-25)".to_string(),
        ),
        ("acme".to_string(), "ACME in-house checks".to_string()),
    ])
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn challenge() -> Exchange {
    Exchange {
        block: "unauthenticated request".into(),
        method: "POST".into(),
        url: TARGET.into(),
        request_headers: headers(&[
            ("Accept", "application/json, text/event-stream"),
            ("Content-Type", "application/json"),
        ]),
        request_body: Some(
            "{\n  \"id\": 1,\n  \"jsonrpc\": \"2.0\",\n  \"method\": \"initialize\"\n}".into(),
        ),
        status: Some(401),
        response_headers: headers(&[
            ("content-type", "application/json"),
            (
                "www-authenticate",
                "Bearer resource_metadata=\"http://127.0.0.1:PORT/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:tools\"",
            ),
        ]),
        response_body: Some("{\n  \"error\": \"unauthorized\"\n}".into()),
        elapsed_ms: 1,
        error: None,
    }
}

fn metadata(resource: &str, scopes: bool) -> Exchange {
    let scopes = if scopes {
        ",\n  \"scopes_supported\": [\"mcp:tools\", \"mcp:read\"]"
    } else {
        ""
    };
    Exchange {
        block: "fetch resource metadata (challenge)".into(),
        method: "GET".into(),
        url: "http://127.0.0.1:PORT/.well-known/oauth-protected-resource/mcp".into(),
        request_headers: headers(&[
            ("Accept", "application/json"),
            ("Authorization", "Bearer [redacted:HASH]"),
        ]),
        request_body: None,
        status: Some(200),
        response_headers: headers(&[("content-type", "application/json")]),
        response_body: Some(format!(
            "{{\n  \"authorization_servers\": [\"http://127.0.0.1:PORT\"],\n  \"resource\": \"{resource}\"{scopes}\n}}"
        )),
        elapsed_ms: 0,
        error: None,
    }
}

/// A case result; the suite and section are read from the id, as the suites name them
/// (`rfc9728/3.3/…` is in suite `rfc9728`, section `3.3`).
fn case(
    id: &str,
    title: &str,
    level: Level,
    requirements: &[&str],
    result: Outcome,
    message: &str,
) -> CaseResult {
    let mut parts = id.split('/');
    let suite = parts.next().unwrap_or_default();
    let section = parts.next().unwrap_or_default();
    CaseResult {
        id: id.into(),
        title: title.into(),
        suite: suite.into(),
        section: section.into(),
        level,
        party: "RS".into(),
        requirements: requirements.iter().map(|s| s.to_string()).collect(),
        result,
        message: message.into(),
        findings: Vec::new(),
        notes: Vec::new(),
        transcript: Vec::new(),
        duration_ms: 3,
    }
}

/// A finding of `c` at its level, citing its requirements as the engine does.
fn finding(
    c: &CaseResult,
    check: &str,
    expected: &str,
    actual: &str,
    why: &str,
    source: &str,
) -> Finding {
    let catalogue = Catalogue::embedded();
    Finding {
        check: check.into(),
        level: c.level,
        result: if c.level == Level::Must {
            Outcome::Fail
        } else {
            Outcome::Warn
        },
        expected: expected.into(),
        actual: actual.into(),
        requirements: c.requirements.clone(),
        links: c
            .requirements
            .iter()
            .filter_map(|id| catalogue.get(id))
            .map(|r| r.url())
            .collect(),
        why: Some(why.into()),
        step: "step1".into(),
        source: source.into(),
    }
}

/// A run with one case of every kind: passes, a failure, a warning with two findings, a skip,
/// a harness error (in a suite from an extra file, with no finding to borrow a path from) and
/// a baselined failure.
fn fixture() -> RunReport {
    let note =
        "step1: challenge: http://127.0.0.1:PORT/.well-known/oauth-protected-resource/mcp → 200";

    let mut present = case(
        "rfc9728/2/resource-present",
        "The metadata carries a resource identifier",
        Level::Must,
        &["rfc9728.2.resource-required"],
        Outcome::Pass,
        "",
    );
    present.notes.push(note.into());
    present.transcript = vec![challenge(), metadata("http://127.0.0.1:PORT/mcp", true)];

    let mut matches = case(
        "rfc9728/3.3/resource-matches-well-known",
        "The resource in the metadata is the one the well-known URL was derived from",
        Level::Must,
        &["rfc9728.3.3.resource-matches-base"],
        Outcome::Fail,
        "JSON /resource equals \"http://127.0.0.1:PORT/mcp\"; got \"http://127.0.0.1:PORT/mcp/\"",
    );
    let f = finding(
        &matches,
        "JSON /resource equals \"http://127.0.0.1:PORT/mcp\"",
        "\"http://127.0.0.1:PORT/mcp\"",
        "\"http://127.0.0.1:PORT/mcp/\"",
        "Clients must discard metadata whose resource differs from the identifier they derived the URL from (§3.3); otherwise one resource could publish metadata that impersonates another.",
        "suites/rfc9728.yaml:239:9",
    );
    matches.findings.push(f);
    matches.notes.push(
        "step1: path-inserted: http://127.0.0.1:PORT/.well-known/oauth-protected-resource/mcp → 200"
            .into(),
    );
    matches.transcript = vec![metadata("http://127.0.0.1:PORT/mcp/", true)];

    let scopes_why = "Without scopes_supported a client has to guess which scope to request, or request none and get a token it cannot use.";
    let mut scopes = case(
        "rfc9728/2/scopes-supported",
        "The metadata lists the scopes used to reach the resource",
        Level::Should,
        &["rfc9728.2.scopes-supported"],
        Outcome::Warn,
        "JSON /scopes_supported is not empty; got absent",
    );
    scopes.findings = vec![
        finding(
            &scopes,
            "JSON /scopes_supported is not empty",
            "a non-empty value",
            "absent",
            scopes_why,
            "suites/rfc9728.yaml:176:9",
        ),
        finding(
            &scopes,
            "JSON /scopes_supported holds valid scope tokens",
            "scope tokens",
            "absent",
            scopes_why,
            "suites/rfc9728.yaml:178:9",
        ),
    ];
    scopes.notes.push(note.into());
    scopes.transcript = vec![challenge(), metadata("http://127.0.0.1:PORT/mcp", false)];

    let mut bearer = case(
        "rfc9728/2/bearer-methods",
        "bearer_methods_supported holds only known methods, and not the query string",
        Level::Must,
        &[
            "rfc9728.2.bearer-methods-values",
            "oauth21.5.1.rs-ignore-query",
        ],
        Outcome::Xfail,
        "JSON /bearer_methods_supported does not contain \"query\"; got [\"header\",\"query\"] (baselined)",
    );
    bearer.transcript = vec![metadata("http://127.0.0.1:PORT/mcp", true)];

    let mut unauth = case(
        "mcp/auth/401-without-token",
        "The MCP endpoint answers a request without a token with 401",
        Level::Must,
        &[
            "mcp-2025-03-26.2.3.401-when-required",
            "mcp-2025-11-25.1.2.http-conform",
        ],
        Outcome::Pass,
        "",
    );
    unauth.transcript = vec![challenge()];

    let skipped = case(
        "mcp/4.2/scope-in-challenge",
        "The 401 challenge names the scope the request needs",
        Level::Should,
        &["mcp-2025-11-25.4.2.scope-in-challenge"],
        Outcome::Skip,
        "not applicable: precondition not met: the endpoint sent no Bearer challenge",
    );

    let mut errored = case(
        "acme/token/audience-checked",
        "Tokens for another audience are refused",
        Level::Must,
        &["mcp-2025-11-25.9.2.audience"],
        Outcome::Error,
        "step `call with token` could not run: could not connect to http://127.0.0.1:PORT/mcp: Connection refused (os error 111)",
    );
    errored.transcript = vec![Exchange {
        block: "call with token".into(),
        method: "POST".into(),
        url: TARGET.into(),
        request_headers: headers(&[("Authorization", "Bearer [redacted:HASH]")]),
        request_body: None,
        status: None,
        response_headers: Vec::new(),
        response_body: None,
        elapsed_ms: 0,
        error: Some(
            "could not connect to http://127.0.0.1:PORT/mcp: Connection refused (os error 111)"
                .into(),
        ),
    }];

    report(vec![
        present, scopes, matches, bearer, unauth, skipped, errored,
    ])
}

fn report(cases: Vec<CaseResult>) -> RunReport {
    RunReport {
        schema_version: 1,
        tool: Tool {
            name: "authspec".into(),
            version: "0.1.0".into(),
        },
        target: TARGET.into(),
        spec: "2026-07-28".into(),
        wire: Some("the 2026-07-28 stateless wire model; judged by MCP 2026-07-28".into()),
        strict: false,
        level: Level::May,
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_ms: 1234,
        requests: 9,
        summary: Summary::of(&cases),
        cases,
    }
}

#[test]
fn markdown_snapshot() {
    let md = markdown::render(
        &fixture(),
        &titles(),
        &Catalogue::embedded(),
        Some("authspec-report.json"),
    );
    insta::assert_snapshot!("markdown", md);
}

#[test]
fn junit_snapshot() {
    let xml = authspec::report::junit::render(&fixture(), &titles(), &Catalogue::embedded());
    insta::assert_snapshot!("junit", xml);
}

#[test]
fn html_snapshot() {
    let page = html::render(&fixture(), &titles(), &Catalogue::embedded());
    insta::assert_snapshot!("html", page);
}

#[test]
fn html_compare_snapshot() {
    let first = fixture();
    let mut second = fixture();
    second.target = "https://mcp.example.com/mcp".into();
    second.spec = "2025-06-18".into();
    second.started_at = "2026-01-01T00:05:00Z".into();
    // The second target passes what the first fails, and never ran the extra suite.
    second.cases.retain(|c| c.suite != "acme");
    for c in &mut second.cases {
        if c.result != Outcome::Skip {
            c.result = Outcome::Pass;
            c.message.clear();
            c.findings.clear();
        }
    }
    second.cases.push(case(
        "mcp/2025-06-18/challenge-names-metadata",
        "The 401 challenge names the resource metadata URL",
        Level::Must,
        &[],
        Outcome::Fail,
        "challenge resource_metadata exists; got absent",
    ));
    second.summary = Summary::of(&second.cases);
    let page = html::render_compare(&[first, second], &Catalogue::embedded());
    insta::assert_snapshot!("html_compare", page);
}

#[test]
fn sarif_snapshot() {
    let log = sarif::render(&fixture(), &Catalogue::embedded());
    insta::assert_snapshot!("sarif", log);
}

/// A report far over GitHub's limit: the summary keeps under it, keeps whole blocks, and ends
/// by pointing at the JSON report.
#[test]
fn markdown_truncation_stays_under_the_limit() {
    let mut big = fixture().cases[2].findings[0].clone();
    big.actual = "x".repeat(3000);
    for n in [600, 12_000] {
        let cases: Vec<CaseResult> = (0..n)
            .map(|i| {
                let mut c = case(
                    &format!("huge/1/case-{i}"),
                    &format!("Case number {i} with a fairly long title to fill the table row"),
                    Level::Must,
                    &["rfc9728.2.resource-required"],
                    Outcome::Fail,
                    "JSON /resource exists; got absent",
                );
                c.findings.push(big.clone());
                c.notes.push(format!("note {i}"));
                c
            })
            .collect();
        let r = report(cases);
        let md = markdown::render(
            &r,
            &titles(),
            &Catalogue::embedded(),
            Some("out/report.json"),
        );
        assert!(
            md.len() <= markdown::MAX_BYTES,
            "{n} cases: {} bytes",
            md.len()
        );
        assert!(md.starts_with("## ❌ authspec: "), "{n} cases");
        let last = md.trim_end().lines().last().unwrap_or_default();
        assert!(
            last.contains("<code>out/report.json</code> holds everything"),
            "{n} cases: {last}"
        );
        assert!(md.contains(&r.summary.line()), "{n} cases");
        assert_eq!(
            md.matches("<details>").count(),
            md.matches("</details>").count(),
            "{n} cases"
        );
        assert!(
            md.contains("| ❌ fail | <code>huge/1/case-0</code>"),
            "{n} cases"
        );
    }
}

#[test]
fn truncate_to_without_hint_says_how_to_get_the_json() {
    let md = format!("## v\n\n{}\n\n1 passed\n", "line\n".repeat(1000));
    let out = markdown::truncate_to(md, 500, None);
    assert!(out.len() <= 500);
    assert!(out.contains("1 passed\n"));
    assert!(
        out.trim_end()
            .ends_with("--report json=PATH` to see everything.")
    );
}

const HOSTILE: &str = "<script>alert(1)</script>";

fn hostile() -> RunReport {
    let mut r = fixture();
    r.target = "http://127.0.0.1:PORT/mcp?x=\"><img src=x onerror=alert(1)>".to_string();
    let c = &mut r.cases[2];
    c.title = format!("title {HOSTILE} | `tick` [link](javascript:alert(1))");
    c.message = format!("message {HOSTILE}");
    c.notes.push(format!("note {HOSTILE}"));
    c.findings[0].actual = format!("</pre>{HOSTILE}\n<details><summary>x</summary>");
    c.findings[0].check = format!("check {HOSTILE}");
    c.transcript[0].response_body = Some(format!("</pre></details>{HOSTILE}"));
    c.transcript[0]
        .response_headers
        .push(("x-evil".into(), format!("\"'>{HOSTILE}")));
    r
}

#[test]
fn html_escapes_target_controlled_text() {
    let r = hostile();
    for page in [
        html::render(&r, &titles(), &Catalogue::embedded()),
        html::render_compare(std::slice::from_ref(&r), &Catalogue::embedded()),
    ] {
        let lower = page.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "a script tag got through");
        assert!(!lower.contains("<img"), "an img tag got through");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        ));
        assert!(!lower.contains("href=\"javascript"));
    }
}

#[test]
fn markdown_escapes_target_controlled_text() {
    let md = markdown::render(&hostile(), &titles(), &Catalogue::embedded(), None);
    // Raw HTML is allowed only inside code fences, where GitHub shows it as text.
    let mut in_fence = false;
    for line in md.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let lower = line.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{line}");
        assert!(!lower.contains("<img"), "{line}");
        assert!(!lower.contains("](javascript"), "{line}");
        if line.starts_with("| ") {
            // A cell holding `|` would add columns: every row has exactly the 5 separators.
            assert_eq!(line.matches('|').count(), 5, "{line}");
        }
    }
    assert!(!in_fence, "a fence was left open");
}

fn sarif_json(r: &RunReport) -> Value {
    let log = sarif::render(r, &Catalogue::embedded());
    serde_json::from_str(&log).expect("the SARIF log is JSON")
}

fn check_sarif(r: &RunReport) -> Vec<Value> {
    let v = sarif_json(r);
    assert_eq!(
        v["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "authspec");
    assert!(
        driver["informationUri"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
    );
    let rules = driver["rules"].as_array().expect("rules");
    let results = runs[0]["results"].as_array().expect("results").clone();
    let expected: usize = r
        .cases
        .iter()
        .map(|c| match c.result {
            Outcome::Fail | Outcome::Warn => c.findings.len(),
            Outcome::Error => 1,
            _ => 0,
        })
        .sum();
    assert_eq!(results.len(), expected);
    for res in &results {
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap_or_default();
        assert!(
            uri.starts_with("suites/") && uri.ends_with(".yaml"),
            "{res}"
        );
        assert!(
            loc["region"]["startLine"].as_u64().is_some_and(|l| l >= 1),
            "{res}"
        );
        let index = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], res["ruleId"]);
        assert!(matches!(res["level"].as_str(), Some("error" | "warning")));
        assert!(
            res["partialFingerprints"]["authspecCaseCheck/v1"]
                .as_str()
                .is_some_and(|h| h.len() == 32)
        );
        assert!(
            res["message"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
    }
    let mut ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rules.len(), "rules are distinct");
    results
}

#[test]
fn sarif_is_json_and_every_result_is_located() {
    let results = check_sarif(&fixture());
    let error = results
        .iter()
        .find(|r| r["ruleId"] == "acme/token/audience-checked")
        .expect("the error case is a result");
    assert_eq!(error["level"], "error");
    let warn = results
        .iter()
        .find(|r| r["ruleId"] == "rfc9728/2/scopes-supported")
        .expect("the warning is a result");
    assert_eq!(warn["level"], "warning");
    assert_eq!(
        warn["locations"][0]["physicalLocation"]["region"]["startColumn"],
        9
    );
}

/// The fingerprint follows the case and the check, not the wording of the evidence.
#[test]
fn sarif_fingerprints_are_stable_across_runs() {
    let a = sarif_json(&fixture());
    let mut other = fixture();
    other.cases[2].findings[0].actual = "\"https://elsewhere/\"".into();
    other.started_at = "2027-01-01T00:00:00Z".into();
    let b = sarif_json(&other);
    let fp = |v: &Value| {
        v["runs"][0]["results"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .map(|r| r["partialFingerprints"].clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    assert_eq!(fp(&a), fp(&b));
}

fn cases(ids: &[&str]) -> Vec<Case> {
    selftest::embedded_cases_by_id(&Catalogue::embedded(), ids).expect("the cases exist")
}

/// Passes and a failure from one mutant, a warning from another, merged into one report.
fn real_run() -> RunReport {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let catalogue = Catalogue::embedded();
    let run = |ids: &[&str], mutant: &str| {
        rt.block_on(selftest::run_cases(
            &cases(ids),
            Some(Mutant::from_name(mutant).expect("a known mutant")),
            SpecRevision::DEFAULT,
            &catalogue,
            4,
        ))
        .expect("run")
    };
    let mut report = run(
        &[
            "rfc9728/3.3/resource-matches-well-known",
            "rfc9728/2/resource-present",
            "mcp/auth/401-without-token",
        ],
        "prm-resource-trailing-slash",
    );
    let warned = run(&["rfc9728/2/scopes-supported"], "prm-no-scopes-supported");
    report.cases.extend(warned.cases);
    report.summary = Summary::of(&report.cases);
    report
}

#[test]
fn real_run_renders_in_every_format() {
    let report = real_run();
    let catalogue = Catalogue::embedded();
    let outcome = |id: &str| report.cases.iter().find(|c| c.id == id).map(|c| c.result);
    assert_eq!(
        outcome("rfc9728/3.3/resource-matches-well-known"),
        Some(Outcome::Fail)
    );
    assert_eq!(outcome("rfc9728/2/scopes-supported"), Some(Outcome::Warn));
    assert_eq!(outcome("rfc9728/2/resource-present"), Some(Outcome::Pass));
    let suite_titles: BTreeMap<String, String> =
        suite::load_embedded(&catalogue, &selftest::mutant_names())
            .expect("suites load")
            .into_iter()
            .map(|s| (s.name, s.title))
            .collect();

    let md = markdown::render(&report, &suite_titles, &catalogue, Some("report.json"));
    assert!(
        md.starts_with("## ❌ authspec: 1 failure, 1 warning\n"),
        "{md}"
    );
    for c in &report.cases {
        assert!(md.contains(&format!("<code>{}</code>", c.id)), "{}", c.id);
    }
    assert_eq!(md.matches("<details>").count(), 2);
    assert!(md.contains("**Expected:**") && md.contains("**Actual:**"));
    assert!(md.trim_end().ends_with(&report.summary.line()));

    let page = html::render(&report, &suite_titles, &catalogue);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert_eq!(
        page.matches("<details class=\"case fail\"").count(),
        1,
        "one failing case"
    );
    assert!(page.contains(
        "<details class=\"case fail\" id=\"case-rfc9728-3.3-resource-matches-well-known\" open>"
    ));
    assert!(page.contains("<details class=\"case pass\" id=\"case-rfc9728-2-resource-present\">"));
    let exchanges: usize = report.cases.iter().map(|c| c.transcript.len()).sum();
    assert_eq!(page.matches("<div class=\"exchange\">").count(), exchanges);

    let results = check_sarif(&report);
    assert_eq!(results.len(), 3, "one failure and two warnings");
    for r in &results {
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "suites/rfc9728.yaml"
        );
    }

    if let Ok(dir) = std::env::var("AUTHSPEC_REPORT_DIR") {
        let dir = std::path::Path::new(&dir);
        let compare = html::render_compare(&[report.clone(), fixture()], &catalogue);
        for (name, text) in [
            ("authspec-report.md", md),
            ("authspec-report.html", page),
            ("authspec-report.sarif", sarif::render(&report, &catalogue)),
            ("authspec-compare.html", compare),
        ] {
            std::fs::write(dir.join(name), text).expect("write a rendering");
        }
    }
}
