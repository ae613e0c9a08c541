//! Running cases against the bundled reference server, plain or with one mutant switched on.
//!
//! `run` without a target, `selftest` and the test suite all come through here. The reference
//! server itself knows nothing of the runner; this module only starts it and points the engine
//! at its URL.

use std::net::SocketAddr;
use std::time::Duration;

use reference_server::{Config, Mutant};
use url::Url;

use crate::actions::context::{AuthOptions, Driver, Login};
use crate::http::{HttpClient, HttpOptions, Redactor};
use crate::requirements::Catalogue;
use crate::result::{CaseResult, Outcome, RunReport};
use crate::suite::model::Case;
use crate::vocab::{Level, SpecRevision};
use crate::{actions::TargetContext, engine};

/// Starts an in-process reference server on an ephemeral loopback port; returns it and the URL
/// of its MCP endpoint. It runs in the Client ID Metadata Document test mode, so the documents
/// the harness serves on loopback are fetched.
pub async fn start(config: Config) -> Result<(reference_server::RunningServer, Url), String> {
    let config = Config {
        cimd_loopback: true,
        ..config
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let server = reference_server::spawn(addr, config)
        .await
        .map_err(|e| format!("the reference server failed to start: {e}"))?;
    let target = Url::parse(&server.mcp_url())
        .map_err(|e| format!("the reference server URL is invalid: {e}"))?;
    Ok((server, target))
}

/// The `--login` values that get through the reference server's upstream sign-in under
/// `federated-login` (its test user, for the upstream's origin only); none otherwise.
pub fn upstream_logins(server: &reference_server::RunningServer) -> Vec<Login> {
    let Some(upstream) = server.upstream_url().and_then(|u| Url::parse(u).ok()) else {
        return Vec::new();
    };
    [
        ("username", reference_server::FORM_USERNAME),
        ("password", reference_server::FORM_PASSWORD),
    ]
    .into_iter()
    .map(|(field, value)| Login::for_origin_of(&upstream, field, value))
    .collect()
}

/// What a person would give to get through the reference server's sign-in: under
/// `federated-login`, the form driver and [`upstream_logins`], unless the user gave `--login`
/// values of their own.
pub fn reference_auth(
    server: &reference_server::RunningServer,
    mut auth: AuthOptions,
) -> AuthOptions {
    let upstream = upstream_logins(server);
    if upstream.is_empty() {
        return auth;
    }
    // Values the user gave for the server's own form are never sent upstream (the driver fills
    // a form only with the values for its origin), so the test user is added only when the
    // user gave none at all.
    if auth.login.is_empty() {
        auth.login = upstream;
    }
    if auth.driver == Driver::Auto {
        auth.driver = Driver::Form;
    }
    auth
}

/// Every embedded case, with its mutant names checked against the reference server's.
pub fn embedded_cases(catalogue: &Catalogue) -> Result<Vec<Case>, crate::suite::LoadError> {
    let suites = crate::suite::load_embedded(catalogue, &mutant_names())?;
    Ok(suites.into_iter().flat_map(|s| s.cases).collect())
}

/// The embedded cases with these ids, in this order; an unknown id is an error.
pub fn embedded_cases_by_id(catalogue: &Catalogue, ids: &[&str]) -> Result<Vec<Case>, String> {
    let all = embedded_cases(catalogue).map_err(|e| e.to_string())?;
    ids.iter()
        .map(|id| {
            all.iter()
                .find(|c| c.id == *id)
                .cloned()
                .ok_or_else(|| format!("no case `{id}`"))
        })
        .collect()
}

/// The mutants the run-wide rules name.
pub fn observer_mutants() -> Vec<Mutant> {
    Mutant::ALL
        .iter()
        .copied()
        .filter(|m| {
            crate::engine::observe::RULES
                .iter()
                .any(|r| r.mutants.contains(&m.name()))
        })
        .collect()
}

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

/// Whether a case is about https itself (its suite tags it `tls`): it skips over plain http, so
/// self-checks run it against the reference server over TLS.
pub fn needs_tls(case: &Case) -> bool {
    case.tags.iter().any(|t| t == "tls")
}

/// Starts a reference server with `mutant` (if any) and runs `cases` against it under `spec`.
/// The server speaks https when the mutant shows only there or every case is about https.
pub async fn run_cases(
    cases: &[Case],
    mutant: Option<Mutant>,
    spec: SpecRevision,
    catalogue: &Catalogue,
    jobs: usize,
) -> Result<RunReport, String> {
    let mut config = mutant.map(Config::with_mutant).unwrap_or_default();
    config.tls =
        mutant.is_some_and(Mutant::needs_tls) || (!cases.is_empty() && cases.iter().all(needs_tls));
    // A mutant is judged under --strict: a rule whose default reading only notes a fault
    // (because a conformant alternative looks the same from outside) is still shown to be
    // checked. Strictness only raises levels, so a mutant caught without it stays caught.
    let (report, _) = run_with(
        cases,
        config,
        AuthOptions::default(),
        (spec, false, mutant.is_some()),
        catalogue,
        jobs,
    )
    .await?;
    Ok(report)
}

/// Like [`run_cases`], with any server configuration and authorization options; also returns
/// the secret values the run saw (so tests can prove none reached a report).
pub async fn run_configured(
    cases: &[Case],
    config: Config,
    auth: AuthOptions,
    spec: SpecRevision,
    catalogue: &Catalogue,
    jobs: usize,
) -> Result<(RunReport, Vec<String>), String> {
    run_with(cases, config, auth, (spec, false, false), catalogue, jobs).await
}

/// Like [`run_configured`], with the run-wide rules checked too (the report ends with one
/// `run/…` result per rule): the variants test holds them to every conformant server.
pub async fn run_configured_observed(
    cases: &[Case],
    config: Config,
    auth: AuthOptions,
    spec: SpecRevision,
    catalogue: &Catalogue,
    jobs: usize,
) -> Result<RunReport, String> {
    let (report, _) = run_with(cases, config, auth, (spec, true, false), catalogue, jobs).await?;
    Ok(report)
}

/// Every case of the current revision against the reference server (with `mutant` switched
/// on), with the run-wide rules checked: the report ends with one `run/…` result per rule.
pub async fn run_observed(
    cases: &[Case],
    mutant: Option<Mutant>,
    catalogue: &Catalogue,
    jobs: usize,
) -> Result<RunReport, String> {
    run_observed_under(cases, mutant, SpecRevision::DEFAULT, catalogue, jobs).await
}

/// [`run_observed`] under another revision: the cases of `spec`, and the rules with them.
pub async fn run_observed_under(
    cases: &[Case],
    mutant: Option<Mutant>,
    spec: SpecRevision,
    catalogue: &Catalogue,
    jobs: usize,
) -> Result<RunReport, String> {
    let cases: Vec<Case> = cases
        .iter()
        .filter(|c| c.applies_to(spec) && c.client.is_none())
        .cloned()
        .collect();
    let config = Config {
        tls: true,
        ..mutant.map(Config::with_mutant).unwrap_or_default()
    };
    let (report, _) = run_with(
        &cases,
        config,
        AuthOptions::default(),
        (spec, true, false),
        catalogue,
        jobs,
    )
    .await?;
    Ok(report)
}

/// Whether a run-wide rule's result is what the self-check demands: a pass against the plain
/// reference server, a fail against a mutant the rule names; any result under another mutant
/// (its fault may break a rule in passing).
pub fn observer_as_expected(id: &str, mutant: Option<Mutant>, result: Outcome) -> bool {
    let Some(rule) = crate::engine::observe::rule(id) else {
        return false;
    };
    match mutant {
        None => result == Outcome::Pass,
        Some(m) if rule.mutants.contains(&m.name()) => result == Outcome::Fail,
        Some(_) => true,
    }
}

async fn run_with(
    cases: &[Case],
    config: Config,
    auth: AuthOptions,
    (spec, observers, strict): (SpecRevision, bool, bool),
    catalogue: &Catalogue,
    jobs: usize,
) -> Result<(RunReport, Vec<String>), String> {
    let (server, target) = start(config).await?;
    let http = HttpClient::new(
        HttpOptions {
            ca_certs_pem: server.ca_cert_pem().map(|pem| pem.as_bytes().to_vec()),
            ..HttpOptions::for_target(&target, Duration::from_secs(10))
        },
        Redactor::default(),
    )
    .map_err(|e| e.to_string())?;
    let ctx = TargetContext::new(target, None, spec, http)
        .with_auth(reference_auth(&server, auth))
        .with_observers(observers)
        .with_strict(strict);
    let report = engine::run(cases, &ctx, catalogue, jobs, Level::May, &|_| {}).await;
    server.shutdown().await;
    Ok((report, ctx.http.redactor.secrets()))
}

/// Whether a result is what the self-check demands: a pass against the plain reference server,
/// a fail or warn against a mutant the case names (judged under `--strict`, see [`run_cases`]).
/// A case that names no mutant (information only, or a page the plain server never shows) may
/// skip: the variants test covers it.
pub fn as_expected(case: &Case, mutant: Option<Mutant>, result: Outcome) -> bool {
    match mutant {
        None if case.mutants.is_empty() => matches!(result, Outcome::Pass | Outcome::Skip),
        None => result == Outcome::Pass,
        Some(_) => matches!(result, Outcome::Fail | Outcome::Warn),
    }
}

/// Runs cases against one server configuration, each under the revision it is checked with.
pub async fn run_by_revision(
    cases: &[Case],
    mutant: Option<Mutant>,
    catalogue: &Catalogue,
    jobs: usize,
) -> Result<Vec<CaseResult>, String> {
    let mut out = Vec::new();
    for rev in SpecRevision::ALL {
        for tls in [false, true] {
            let group: Vec<Case> = cases
                .iter()
                .filter(|c| revision_for(c) == rev && needs_tls(c) == tls)
                .cloned()
                .collect();
            if !group.is_empty() {
                out.extend(run_cases(&group, mutant, rev, catalogue, jobs).await?.cases);
            }
        }
    }
    Ok(out)
}

/// One self-check: a case against the plain reference server or against one mutant.
#[derive(Debug, serde::Serialize)]
pub struct SelfCheck {
    pub case: String,
    pub mutant: Option<&'static str>,
    pub result: Outcome,
    pub ok: bool,
    pub message: String,
}

/// What `selftest` found.
#[derive(Debug, serde::Serialize)]
pub struct Selftest {
    pub checks: Vec<SelfCheck>,
    /// Mutants no case names: nothing proves their rule is checked.
    pub unnamed_mutants: Vec<&'static str>,
}

impl Selftest {
    pub fn ok(&self) -> bool {
        self.unnamed_mutants.is_empty() && self.checks.iter().all(|c| c.ok)
    }
}

/// Every case against the reference server, then every mutant against the cases naming it.
pub async fn selftest(
    cases: &[Case],
    catalogue: &Catalogue,
    jobs: usize,
) -> Result<Selftest, String> {
    let mut checks = Vec::new();
    let mut unnamed_mutants = Vec::new();
    let mut record = |mutant: Option<Mutant>, results: Vec<CaseResult>| {
        checks.extend(results.into_iter().map(|r| {
            SelfCheck {
                ok: cases
                    .iter()
                    .find(|c| c.id == r.id)
                    .is_some_and(|c| as_expected(c, mutant, r.result)),
                case: r.id,
                mutant: mutant.map(Mutant::name),
                result: r.result,
                message: r.message,
            }
        }));
    };
    record(None, run_by_revision(cases, None, catalogue, jobs).await?);
    for m in Mutant::ALL {
        let named: Vec<Case> = cases
            .iter()
            .filter(|c| c.mutants.iter().any(|x| x == m.name()))
            .cloned()
            .collect();
        if named.is_empty() {
            unnamed_mutants.push(m.name());
            continue;
        }
        record(
            Some(*m),
            run_by_revision(&named, Some(*m), catalogue, jobs).await?,
        );
    }
    // The run-wide rules: clean against the plain server, caught under each of their mutants.
    let mut observe = |mutant: Option<Mutant>, report: RunReport| {
        checks.extend(
            report
                .cases
                .into_iter()
                .filter(|r| r.id.starts_with("run/"))
                .map(|r| SelfCheck {
                    ok: observer_as_expected(&r.id, mutant, r.result),
                    case: r.id,
                    mutant: mutant.map(Mutant::name),
                    result: r.result,
                    message: r.message,
                }),
        );
    };
    observe(None, run_observed(cases, None, catalogue, jobs).await?);
    for m in observer_mutants() {
        observe(
            Some(m),
            run_observed(cases, Some(m), catalogue, jobs).await?,
        );
    }
    unnamed_mutants.retain(|n| !observer_mutants().iter().any(|m| m.name() == *n));
    Ok(Selftest {
        checks,
        unnamed_mutants,
    })
}
