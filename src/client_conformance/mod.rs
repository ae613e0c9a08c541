//! Client conformance: grading a real MCP client by what it sends.
//!
//! For each client case (a suite case with a `client` key, party `client`) the runner starts
//! the reference server in-process, observing every request and set up as the case says
//! ([`reference_server::Shape`], reference-server switches), then runs the client under test as
//! `CMD <mcp-url>` with `MCP_CONFORMANCE_SCENARIO` and `MCP_CONFORMANCE_CONTEXT` set, as the
//! official MCP conformance tool does. Once the client has finished (or been killed at the
//! deadline), its traffic becomes one observation ([`traffic::observe`]) that the case's
//! expectations are judged on by the engine's own judging, so the result is an ordinary
//! [`RunReport`] for the ordinary reporters.

pub mod mock;
pub mod process;
pub mod traffic;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures::StreamExt;
use reference_server::{Config, Mutant, Shape};
use serde_json::{Value, json};
use url::Url;

use crate::engine::RunEvent;
use crate::http::Redactor;
use crate::requirements::Catalogue;
use crate::result::model::{CaseResult, Outcome, RunReport, SCHEMA_VERSION, Summary, Tool};
use crate::suite::model::{Case, ClientScenario, Suite};
use crate::vocab::{Level, SpecRevision};

/// What the `client` command was asked to run.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The client under test; the MCP URL is appended as its last argument.
    pub command: String,
    pub spec: SpecRevision,
    /// How long one scenario's client may run.
    pub timeout: Duration,
    /// Scenarios run at once (each has its own server and process).
    pub jobs: usize,
    /// Values to scrub from every output, besides the secrets seen in the traffic.
    pub secrets: Vec<String>,
    /// The client's own Client ID Metadata Documents, as JSON text (`--client-metadata`):
    /// the in-process authorization server reads them instead of fetching their URL.
    pub documents: Vec<String>,
}

/// The metadata document URL the official MCP conformance tool has clients use; it does not
/// resolve, and the in-process server knows its document (as the official tool does).
pub const CONFORMANCE_DOCUMENT_URL: &str = "https://conformance-test.local/client-metadata.json";

/// The document behind [`CONFORMANCE_DOCUMENT_URL`]: a public client with loopback redirect
/// URIs (any port, RFC 8252 §7.3).
pub fn conformance_document() -> Value {
    json!({
        "client_id": CONFORMANCE_DOCUMENT_URL,
        "client_name": "MCP conformance test client",
        "redirect_uris": ["http://127.0.0.1/callback", "http://localhost/callback"],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    })
}

/// The documents the sandbox knows, by URL: the conformance tool's, then the client's own
/// (each keyed by its `client_id`), which win.
fn known_documents(opts: &ClientOptions) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = opts
        .documents
        .iter()
        .filter_map(|d| {
            let j: Value = serde_json::from_str(d).ok()?;
            let id = j.get("client_id")?.as_str()?.to_string();
            Some((id, d.clone()))
        })
        .collect();
    out.push((
        CONFORMANCE_DOCUMENT_URL.to_string(),
        conformance_document().to_string(),
    ));
    out
}

/// The client suites shipped in the binary, plus extra files; the mutants cases name are the
/// mock client's, and the reference-server switches in each `client` object are checked too.
pub fn load_suites(
    extra: &[(String, String)],
    catalogue: &Catalogue,
) -> Result<Vec<Suite>, String> {
    let mut sources: Vec<(String, String)> = crate::suite::CLIENT_EMBEDDED
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    sources.extend(extra.iter().cloned());
    let suites = crate::suite::load::load_many(sources, catalogue, &mock::mutant_names())
        .map_err(|e| e.to_string())?;
    let mut errors = Vec::new();
    for c in suites.iter().flat_map(|s| &s.cases) {
        match &c.client {
            None => errors.push(format!(
                "{}:{}: case `{}` is in a client suite but has no `client` object",
                c.file, c.pos.line, c.id
            )),
            Some(s) => {
                for m in &s.mutants {
                    if m.parse::<Mutant>().is_err() {
                        errors.push(format!(
                            "{}:{}: case `{}`: unknown reference-server switch `{m}` (see `authspec mutants`)",
                            c.file, c.pos.line, c.id
                        ));
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(suites)
    } else {
        Err(errors.join("\n"))
    }
}

/// The name the client sees in `MCP_CONFORMANCE_SCENARIO`.
pub fn scenario_name(case: &Case) -> String {
    case.client
        .as_ref()
        .and_then(|c| c.scenario.clone())
        .unwrap_or_else(|| case.id.clone())
}

fn server_setup(s: &ClientScenario, opts: &ClientOptions) -> (Config, Shape) {
    let config = Config {
        mutants: s.mutants.iter().filter_map(|m| m.parse().ok()).collect(),
        // The sandbox has no internet: documents it knows are read, others fetched if they
        // can be, and accepted on their URL's form when they cannot (as the official tool).
        cimd_sandbox: Some(reference_server::CimdSandbox {
            documents: known_documents(opts),
            accept_unreachable: true,
            ..Default::default()
        }),
        ..Config::default()
    };
    let shape = Shape {
        challenge_scope: s.challenge_scope.clone(),
        always_insufficient_scope: s.always_insufficient_scope,
        token_auth_methods: s.token_auth_methods.clone(),
        hidden_paths: s.hidden_paths.clone(),
        answer_as_sse: s.answer_as_sse,
        no_refresh_token: s.no_refresh_token,
        legacy_only: s.legacy_only,
        issuer_path: s.issuer_path.clone(),
        refuse_registration: s.refuse_registration,
        migrate_as: s.migrate_as,
    };
    (config, shape)
}

/// The last `max` characters of a client's output, redacted.
fn tail(text: &str, max: usize, redactor: &Redactor) -> String {
    let text = redactor.scrub(text.trim_end());
    let start = text
        .char_indices()
        .rev()
        .nth(max)
        .map(|(i, _)| i)
        .unwrap_or(0);
    if start > 0 {
        format!("…{}", &text[start..])
    } else {
        text
    }
}

/// Runs one client case: server, client, judgement.
pub async fn run_case(case: &Case, opts: &ClientOptions, catalogue: &Catalogue) -> CaseResult {
    let started = Instant::now();
    let mut result = CaseResult::pending(case);
    let redactor = Redactor::with_secrets(&opts.secrets);
    let (outcome, message) = judge_case(case, opts, catalogue, &mut result, &redactor).await;
    result.result = outcome;
    result.message = redactor.text(&message);
    result.duration_ms = started.elapsed().as_millis() as u64;
    result
}

async fn judge_case(
    case: &Case,
    opts: &ClientOptions,
    catalogue: &Catalogue,
    result: &mut CaseResult,
    redactor: &Redactor,
) -> (Outcome, String) {
    let Some(scenario) = &case.client else {
        return (
            Outcome::Error,
            "not a client case (it has no `client` object)".into(),
        );
    };
    let (config, shape) = server_setup(scenario, opts);
    let sandbox = config.cimd_sandbox.clone();
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let server = match reference_server::spawn_observed(addr, config, shape).await {
        Ok(s) => s,
        Err(e) => {
            return (
                Outcome::Error,
                format!("the reference server failed to start: {e}"),
            );
        }
    };
    let mcp_url = server.mcp_url();
    let name = scenario_name(case);
    let mut context = serde_json::Map::new();
    context.insert("name".into(), json!(name));
    context.extend(scenario.context.clone());
    let env = vec![
        ("MCP_CONFORMANCE_SCENARIO".to_string(), name),
        (
            "MCP_CONFORMANCE_CONTEXT".to_string(),
            Value::Object(context.clone()).to_string(),
        ),
        (
            "MCP_CONFORMANCE_PROTOCOL_VERSION".to_string(),
            opts.spec.as_str().to_string(),
        ),
    ];
    if let Some(Value::String(s)) = context.get("client_secret") {
        redactor.add_secret(s);
    }
    let run = process::run(&opts.command, &mcp_url, &env, opts.timeout).await;
    let log = server.observed();
    server.shutdown().await;
    let handled = sandbox.map(|s| s.handled()).unwrap_or_default();
    for h in &handled {
        result.notes.push(document_note(h));
    }
    let obs = traffic::observe(&log, &mcp_url, redactor, &handled);
    result.transcript = traffic::transcript(&log, mcp_url.trim_end_matches("/mcp"), redactor);
    let ran = match (&run.spawn_error, run.status) {
        (Some(e), _) => e.clone(),
        (None, _) if run.timed_out => format!(
            "the client was killed after {} s (its process group)",
            opts.timeout.as_secs()
        ),
        (None, Some(code)) => format!("the client exited with status {code}"),
        (None, None) => "the client was ended by a signal".into(),
    };
    result.notes.push(format!(
        "{ran} after {} ms; {} requests observed",
        run.elapsed.as_millis(),
        log.len()
    ));
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if !text.trim().is_empty() {
            result
                .notes
                .push(format!("client {stream}:\n{}", tail(text, 2000, redactor)));
        }
    }
    if let Some(e) = run.spawn_error {
        return (Outcome::Error, e);
    }
    // A client that never reached the server (a command not found, a crash at start-up) shows
    // nothing to judge: that is a harness problem, not a verdict.
    if log.is_empty() {
        return (
            Outcome::Error,
            format!(
                "the client sent no request to the server ({ran}); see its output in the notes"
            ),
        );
    }
    let Ok(target) = Url::parse(&mcp_url) else {
        return (
            Outcome::Error,
            format!("the server URL `{mcp_url}` is invalid"),
        );
    };
    let vars: BTreeMap<String, Value> = crate::actions::context::builtin_vars(&target, opts.spec);
    // The observing server runs on loopback; the client's traffic is judged as written.
    let policy = crate::engine::Policy {
        strict: false,
        target_is_loopback: true,
        redactor,
    };
    let observations = vec![(traffic::STEP.to_string(), obs)];
    let (outcome, message) =
        crate::engine::judge(case, &policy, catalogue, result, &vars, &observations);
    let (outcome, message) = match premise_unmet(case, &policy, catalogue, &vars, &observations) {
        // A finding on what was observed stands; a precondition's skip is the client's choice.
        Some(why)
            if outcome == Outcome::Pass
                || (outcome == Outcome::Skip && !message.contains("precondition not met")) =>
        {
            (Outcome::NotJudged, format!("not judged: {why}"))
        }
        _ => (outcome, message),
    };
    let (outcome, message) = explain(case, outcome, message, &log, redactor, result);
    match outcome {
        Outcome::Pass if run.timed_out => (
            Outcome::Error,
            format!(
                "the client did not finish within {} s (what it sent so far conforms)",
                opts.timeout.as_secs()
            ),
        ),
        o => (o, message),
    }
}

/// The scenario's premise (`premise:`), judged on the same observations; `Some(why)` when it
/// did not hold, so the scenario could not be judged.
fn premise_unmet(
    case: &Case,
    policy: &crate::engine::Policy<'_>,
    catalogue: &Catalogue,
    vars: &BTreeMap<String, Value>,
    observations: &[(String, crate::checks::Observation)],
) -> Option<String> {
    if case.premise.is_empty() {
        return None;
    }
    let premise = Case {
        requires: Vec::new(),
        premise: Vec::new(),
        expect: case.premise.clone(),
        level: Level::Must,
        ..case.clone()
    };
    let mut scratch = CaseResult::pending(&premise);
    let (outcome, message) = crate::engine::judge(
        &premise,
        policy,
        catalogue,
        &mut scratch,
        vars,
        observations,
    );
    if outcome == Outcome::Pass {
        return None;
    }
    let why = scratch
        .findings
        .first()
        .map(|f| match &f.why {
            Some(w) => w.clone(),
            None => format!("{} (actual: {})", f.check, f.actual),
        })
        .unwrap_or(message);
    Some(why)
}

/// How the in-process authorization server handled one metadata document URL, for the notes.
fn document_note(h: &reference_server::CimdHandled) -> String {
    let detail = h.detail.as_deref().unwrap_or("");
    match h.how.as_str() {
        "supplied" => format!(
            "metadata document {}: read from the document the run was given (not fetched)",
            h.client_id
        ),
        "fetched" => format!("metadata document {}: fetched and valid", h.client_id),
        "accepted-by-form" => format!(
            "metadata document {}: not fetchable from the sandbox ({detail}); accepted on its URL's form alone, as the official MCP conformance tool does, with a loopback redirect URI (give the document with --client-metadata to have it checked)",
            h.client_id
        ),
        _ => format!("metadata document {}: refused: {detail}", h.client_id),
    }
}

/// Adds the cause to a verdict that is not a pass: the authorization server's answer the flow
/// stopped at, quoted, and for the wire scenarios the wire model the client spoke.
fn explain(
    case: &Case,
    outcome: Outcome,
    message: String,
    log: &[reference_server::ObservedRequest],
    redactor: &Redactor,
    result: &mut CaseResult,
) -> (Outcome, String) {
    if matches!(outcome, Outcome::Pass | Outcome::Skip | Outcome::Error) {
        return (outcome, message);
    }
    let mut message = message;
    if let Some(stop) = stopped_at(log, redactor) {
        result.notes.push(format!("the flow stopped at {stop}"));
        message = format!("{message}; the flow stopped at {stop}");
    }
    if case.id.starts_with("client/wire/")
        && let Some(model) = wire_model(log)
    {
        result.notes.push(model.clone());
        message = format!("{message}; {model}");
    }
    (outcome, message)
}

/// The last error answer of the authorization server (or a refusal of the MCP server that is
/// not the ordinary 401 challenge), quoted: method, path, status and the start of its body.
fn stopped_at(log: &[reference_server::ObservedRequest], redactor: &Redactor) -> Option<String> {
    let ordinary = |r: &reference_server::ObservedRequest| {
        (r.path.ends_with("/mcp") && r.status == 401)
            || (r.path.contains("/.well-known/") && r.status == 404)
    };
    let r = log.iter().rev().find(|r| r.status >= 400 && !ordinary(r))?;
    let body = r.response_body.as_deref().unwrap_or("");
    let text = body_text(body);
    let start: String = text.chars().take(200).collect();
    let cut = if text.chars().count() > 200 {
        "…"
    } else {
        ""
    };
    Some(format!(
        "{} {} → HTTP {}: {}{cut}",
        r.method,
        r.path,
        r.status,
        redactor.text(&start)
    ))
}

/// An answer's body as one line: an HTML page's text without tags, else the body itself.
fn body_text(body: &str) -> String {
    let lower = body.trim_start().to_ascii_lowercase();
    let text = if lower.starts_with("<!doctype") || lower.starts_with("<html") {
        let body = body.split_once("<body>").map(|(_, b)| b).unwrap_or(body);
        let mut out = String::new();
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => {
                    in_tag = true;
                    out.push(' ');
                }
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    } else {
        body.to_string()
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which wire model the client spoke, read from its first MCP POST.
fn wire_model(log: &[reference_server::ObservedRequest]) -> Option<String> {
    let posts: Vec<(&reference_server::ObservedRequest, Value)> = log
        .iter()
        .filter(|r| r.path == "/mcp" && r.method == "POST")
        .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok().map(|j| (r, j)))
        .collect();
    let (first, j) = posts.first()?;
    let method = j.get("method").and_then(Value::as_str).unwrap_or("(none)");
    let version = first.header("mcp-protocol-version").unwrap_or("(none)");
    let initialize = posts
        .iter()
        .any(|(_, j)| j.get("method").and_then(Value::as_str) == Some("initialize"));
    Some(if method == "initialize" {
        "opened with `initialize`: the client speaks the 2025 wire model".to_string()
    } else if initialize {
        format!(
            "opened with `{method}` (MCP-Protocol-Version {version}), then sent `initialize`: the client fell back to the 2025 wire model"
        )
    } else if version == "2026-07-28" {
        format!(
            "opened with `{method}` under MCP-Protocol-Version 2026-07-28, without `initialize`: the client speaks the 2026-07-28 wire model"
        )
    } else {
        format!("opened with `{method}` (MCP-Protocol-Version {version})")
    })
}

/// Runs the client cases, `jobs` at a time, and reports in the order given.
pub async fn run(
    cases: &[Case],
    opts: &ClientOptions,
    catalogue: &Catalogue,
    level: Level,
    on_event: &(dyn Fn(RunEvent<'_>) + Sync),
) -> RunReport {
    let started = Instant::now();
    let started_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    on_event(RunEvent::Started { total: cases.len() });
    let results: Vec<CaseResult> = futures::stream::iter(cases.iter())
        .map(|case| async move {
            let r = run_case(case, opts, catalogue).await;
            on_event(RunEvent::CaseFinished(&r));
            r
        })
        .buffered(opts.jobs.max(1))
        .collect()
        .await;
    assemble(results, opts, level, started, started_at)
}

/// The report of a run that was interrupted: the scenarios that finished, and every other one
/// not judged, saying why.
pub fn interrupted(
    cases: &[Case],
    finished: Vec<CaseResult>,
    opts: &ClientOptions,
    level: Level,
    started: Instant,
    why: &str,
) -> RunReport {
    let started_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let results: Vec<CaseResult> = cases
        .iter()
        .map(|c| {
            finished
                .iter()
                .find(|r| r.id == c.id)
                .cloned()
                .unwrap_or_else(|| {
                    let mut r = CaseResult::pending(c);
                    r.result = Outcome::NotJudged;
                    r.message = format!(
                        "not judged: the run was interrupted ({why}) before this scenario finished; its client was ended with its process group"
                    );
                    r
                })
        })
        .collect();
    assemble(results, opts, level, started, started_at)
}

fn assemble(
    results: Vec<CaseResult>,
    opts: &ClientOptions,
    level: Level,
    started: Instant,
    started_at: String,
) -> RunReport {
    let requests = results.iter().map(|r| r.transcript.len()).sum();
    let redactor = Redactor::default();
    for s in &opts.secrets {
        redactor.add_secret(s);
    }
    RunReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "authspec".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: format!("client: {}", redactor.text(&opts.command)),
        spec: opts.spec.as_str().into(),
        // The wire model a server answered in; a client run judges the client's own.
        wire: None,
        level,
        strict: false,
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        requests,
        summary: Summary::of(&results),
        cases: results,
    }
}
