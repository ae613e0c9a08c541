//! `authspec client --command CMD`: client conformance, reported like `run`; and the hidden
//! `authspec mock-client`, the mock client as a command to grade.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{Format, LevelArg, SpecArg, output, parse_report};
use crate::client_conformance::{self, ClientOptions, mock};
use crate::engine::RunEvent;
use crate::http::Redactor;
use crate::requirements::Catalogue;
use crate::result::exit;
use crate::suite::select::Selection;
use crate::vocab::{Level, SpecRevision};

#[derive(Args, Debug)]
pub struct ClientArgs {
    /// The client under test, run through `sh -c` with the MCP URL as its last argument.
    #[arg(long)]
    pub command: String,
    /// Scenario (case) ids or globs to run (`client/scope/*`); all when none is given.
    pub cases: Vec<String>,
    /// Skip scenarios matching this glob (repeatable).
    #[arg(long = "skip")]
    pub skip: Vec<String>,
    /// The weakest level to run: must, should (warnings fail the run), may.
    #[arg(long, value_enum, default_value = "should")]
    pub level: LevelArg,
    /// The MCP revision to judge by (and to pass as MCP_CONFORMANCE_PROTOCOL_VERSION).
    #[arg(long, value_enum, default_value = "2026-07-28")]
    pub spec: SpecArg,
    /// An extra client suite file to load (repeatable).
    #[arg(long = "suite")]
    pub suites: Vec<PathBuf>,
    /// Seconds one scenario's client may run before its process group is killed.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// How many scenarios run at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "console")]
    pub format: Format,
    /// Also write a report: KIND=PATH (repeatable; `-` is stdout).
    #[arg(long = "report", value_parser = parse_report)]
    pub reports: Vec<(Format, PathBuf)>,
    #[command(flatten)]
    pub accept: super::AcceptArgs,
    /// The client's Client ID Metadata Document (a JSON file; repeatable). The in-process
    /// authorization server, which cannot reach the internet, reads it for the URL in its
    /// `client_id` instead of fetching that URL, so its redirect URIs are checked.
    #[arg(long = "client-metadata")]
    pub documents: Vec<PathBuf>,
    /// More detail: -v notes (the client's output), -vv transcripts of failing scenarios.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Args, Debug)]
pub struct MockClientArgs {
    /// A deliberate fault (repeatable); `--mutant list` prints them.
    #[arg(long = "mutant")]
    pub mutants: Vec<String>,
    /// A conformant alternative (repeatable); `--variant list` prints them.
    #[arg(long = "variant")]
    pub variants: Vec<String>,
    /// The MCP endpoint.
    pub url: Option<String>,
}

pub(super) async fn cmd_client(a: ClientArgs) -> i32 {
    let catalogue = Catalogue::embedded();
    let mut extra = Vec::new();
    for p in &a.suites {
        match std::fs::read_to_string(p) {
            Ok(s) => extra.push((p.display().to_string(), s)),
            Err(e) => {
                eprintln!("error: cannot read suite file {}: {e}", p.display());
                return exit::USAGE;
            }
        }
    }
    let suites = match client_conformance::load_suites(&extra, &catalogue) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    };
    let spec: SpecRevision = a.spec.into();
    let level: Level = a.level.into();
    let selection = Selection {
        include: a.cases.clone(),
        skip: a.skip.clone(),
        tags: Vec::new(),
        level,
        spec,
    };
    if a.command.trim().is_empty() {
        eprintln!("error: --command is empty");
        return exit::USAGE;
    }
    let (cases, baseline) = match output::cases_and_baseline(
        &suites,
        &selection,
        a.accept.baseline.as_ref(),
        a.accept.update_baseline,
        |_| true,
        (
            "scenario",
            "`authspec list` shows the client scenarios, party client",
        ),
    ) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let mut documents = Vec::new();
    for p in &a.documents {
        let text = match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", p.display());
                return exit::USAGE;
            }
        };
        let id = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|j| {
                j.get("client_id")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            });
        if id.is_none() {
            eprintln!(
                "error: {} is not a metadata document (a JSON object with a client_id)",
                p.display()
            );
            return exit::USAGE;
        }
        documents.push(text);
    }
    let opts = ClientOptions {
        command: a.command.clone(),
        spec,
        timeout: Duration::from_secs(a.timeout),
        jobs: a.jobs as usize,
        secrets: a.accept.secrets.clone(),
        documents,
    };
    // Finished scenarios are kept as they come, so an interrupted run still reports them.
    let finished = std::sync::Mutex::new(Vec::new());
    let progress = |e: RunEvent<'_>| {
        if let RunEvent::CaseFinished(r) = e
            && let Ok(mut f) = finished.lock()
        {
            f.push(r.clone());
        }
    };
    let started = std::time::Instant::now();
    let report = tokio::select! {
        r = client_conformance::run(&cases, &opts, &catalogue, level, &progress) => r,
        why = interruption() => {
            client_conformance::process::kill_all();
            eprintln!("authspec: {why}: the clients were ended; writing the reports of the finished scenarios");
            let done = finished.lock().map(|f| f.clone()).unwrap_or_default();
            client_conformance::interrupted(&cases, done, &opts, level, started, why)
        }
    };
    let redactor = Redactor::with_secrets(&a.accept.secrets);
    let all_errored = !report.cases.is_empty()
        && report
            .cases
            .iter()
            .all(|c| c.result == crate::result::Outcome::Error);
    let out = output::Outputs {
        titles: output::suite_titles(&suites),
        catalogue: &catalogue,
        accept: &a.accept,
        baseline: baseline.as_ref(),
        reports: &a.reports,
        format: a.format,
        verbose: a.verbose,
        unrun_levels: None,
        redactor: &redactor,
    };
    let code = output::finish(report, &out);
    // Not one scenario could run the client: a harness problem, not a verdict.
    if all_errored {
        exit::RUNTIME.max(code)
    } else {
        code
    }
}

/// Waits for SIGINT or SIGTERM; says which.
async fn interruption() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return "SIGINT",
                _ = term.recv() => return "SIGTERM",
            }
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "SIGINT"
}

pub(super) async fn cmd_mock_client(a: MockClientArgs) -> i32 {
    if a.mutants.iter().any(|m| m == "list") {
        for m in mock::ClientMutant::ALL {
            println!("{:<34} {}", m.name(), m.description());
        }
        return exit::OK;
    }
    let mutants: Result<Vec<mock::ClientMutant>, String> =
        a.mutants.iter().map(|m| m.parse()).collect();
    let mutants = or_usage!(mutants);
    if a.variants.iter().any(|v| v == "list") {
        for v in mock::ClientVariant::ALL {
            println!("{:<28} {}", v.name(), v.description());
        }
        return exit::OK;
    }
    let variants: Result<Vec<mock::ClientVariant>, String> =
        a.variants.iter().map(|v| v.parse()).collect();
    let variants = or_usage!(variants);
    let Some(url) = a.url else {
        eprintln!("error: give the MCP endpoint URL");
        return exit::USAGE;
    };
    let mut lines = Vec::new();
    let result = mock::run(&url, &mutants, &variants, &mut lines).await;
    for l in &lines {
        eprintln!("{l}");
    }
    match result {
        Ok(msg) => {
            println!("mock client: {msg}");
            exit::OK
        }
        Err(msg) => {
            println!("mock client stopped: {msg}");
            exit::NONCONFORMANT
        }
    }
}
