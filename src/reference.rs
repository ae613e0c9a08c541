//! Running cases against the bundled reference server, plain or with one mutant switched on.
//!
//! `run` without a target, `selftest` and the test suite all come through here. The reference
//! server itself knows nothing of the runner; this module only starts it and points the engine
//! at its URL.

use std::net::SocketAddr;
use std::time::Duration;

use reference_server::{Config, Mutant};
use url::Url;

use crate::engine::{self, TargetContext};
use crate::http::{HttpClient, HttpOptions, Redactor};
use crate::report::RunReport;
use crate::requirements::Catalogue;
use crate::suite::model::{Case, Level, SpecRevision};

/// Names of every mutant the reference server knows.
pub fn mutant_names() -> Vec<&'static str> {
    Mutant::ALL.iter().map(|m| m.name()).collect()
}

/// The revision a case is exercised under in self-checks: the default when it applies.
pub fn revision_for(case: &Case) -> SpecRevision {
    if case.applies_to(SpecRevision::DEFAULT) {
        SpecRevision::DEFAULT
    } else {
        case.spec.first().copied().unwrap_or(SpecRevision::DEFAULT)
    }
}

/// Starts a reference server with `mutant` (if any) and runs `cases` against it under `spec`.
pub async fn run_cases(
    cases: &[Case],
    mutant: Option<Mutant>,
    spec: SpecRevision,
    catalogue: &Catalogue,
    jobs: usize,
) -> Result<RunReport, String> {
    let config = mutant.map(Config::with_mutant).unwrap_or_default();
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let server = reference_server::spawn(addr, config)
        .await
        .map_err(|e| format!("the reference server failed to start: {e}"))?;
    let target = Url::parse(&server.mcp_url())
        .map_err(|e| format!("the reference server URL is invalid: {e}"))?;
    let http = HttpClient::new(
        HttpOptions {
            timeout: Duration::from_secs(10),
            target_is_loopback: true,
            ..HttpOptions::default()
        },
        Redactor::default(),
    )
    .map_err(|e| e.to_string())?;
    let ctx = TargetContext::new(target, None, spec, http);
    let report = engine::run(cases, &ctx, catalogue, jobs, Level::May, &|_| {}).await;
    server.shutdown().await;
    Ok(report)
}
