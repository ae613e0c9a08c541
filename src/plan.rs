//! The run plan: everything a command settles before the engine starts, built once here for
//! `run`, `demo`, `client` and `selftest` alike. The CLI maps its flags onto a [`TargetPlan`]
//! and gets back a [`Planned`] target: the URL (or an in-process reference server), the HTTP
//! options derived from it, the driver, the concurrency and the deadline. Nothing here prints;
//! a problem comes back as a [`PlanError`] with the exit code it deserves.

use std::path::PathBuf;
use std::time::Duration;

use reference_server::{Config, RunningServer};
use url::Url;

use crate::actions::TargetContext;
use crate::actions::cimd::{self, HostedProblem};
use crate::actions::context::{AuthOptions, Driver};
use crate::http::{HttpClient, HttpOptions, Redactor};
use crate::result::exit;
use crate::vocab::SpecRevision;

/// The default bound on a whole run (`--deadline`), in seconds: long enough for a healthy
/// server however slow its network, short enough that a hung CI job ends.
pub const DEFAULT_DEADLINE_SECS: u64 = 600;

/// Why a plan could not be built, with the exit code it deserves.
#[derive(Debug)]
pub struct PlanError {
    pub code: i32,
    pub message: String,
}

impl PlanError {
    fn usage(message: impl Into<String>) -> Self {
        PlanError {
            code: exit::USAGE,
            message: message.into(),
        }
    }
    fn runtime(message: impl Into<String>) -> Self {
        PlanError {
            code: exit::RUNTIME,
            message: message.into(),
        }
    }
}

/// What a command asks of the target side of a run.
#[derive(Default)]
pub struct TargetPlan {
    /// The target URL; `None` starts the reference server in-process.
    pub target: Option<String>,
    /// The authorization server's issuer, where it is given.
    pub issuer: Option<String>,
    /// How the in-process reference server is set up, when it is the target.
    pub reference: Config,
    pub spec: SpecRevision,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Extra trusted CA certificate (`--ca-cert`).
    pub ca_cert: Option<PathBuf>,
    /// Values to scrub from every output besides what the run learns.
    pub secrets: Vec<String>,
    pub auth: AuthOptions,
    /// `--deadline`; `None` takes the default (none for a person at the manual driver).
    pub deadline: Option<Duration>,
    /// `--jobs`.
    pub jobs: usize,
    pub strict: bool,
    /// Check the run-wide rules over every exchange (`engine::observe`).
    pub observers: bool,
}

/// A target ready to run against.
pub struct Planned {
    pub ctx: TargetContext,
    /// The in-process reference server, when it is the target; shut it down after the run.
    pub server: Option<RunningServer>,
    /// Cases at once (the manual driver runs one at a time).
    pub jobs: usize,
    /// What the plan wants the user to know (a hosted document checked, jobs lowered).
    pub notes: Vec<String>,
}

impl TargetPlan {
    /// Resolves the target, builds the HTTP client and the target context, and checks a hosted
    /// Client ID Metadata Document up front, as an authorization server would read it.
    pub async fn build(self) -> Result<Planned, PlanError> {
        if let Some(i) = &self.issuer {
            Url::parse(i)
                .map_err(|e| PlanError::usage(format!("--issuer is not an absolute URL: {e}")))?;
        }
        let ca_cert = match &self.ca_cert {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                PlanError::usage(format!(
                    "cannot read the CA certificate {}: {e}",
                    path.display()
                ))
            })?),
            None => None,
        };
        let (server, target) = target_or_reference(self.target.as_deref(), self.reference).await?;
        let redactor = Redactor::with_secrets(&self.secrets);
        let options = HttpOptions {
            ca_certs_pem: ca_cert.or_else(|| {
                server
                    .as_ref()
                    .and_then(|s| s.ca_cert_pem())
                    .map(|pem| pem.as_bytes().to_vec())
            }),
            ..HttpOptions::for_target(&target, self.timeout)
        };
        let http = HttpClient::new(options, redactor)
            .map_err(|e| PlanError::runtime(format!("cannot build the HTTP client: {e}")))?;
        let manual = self.auth.driver == Driver::Manual;
        let mut notes = Vec::new();
        if manual && self.jobs > 1 {
            notes.push("the manual driver runs one case at a time".to_string());
        }
        let deadline = match self.deadline {
            Some(d) => Some(d),
            None if manual => None,
            None => Some(Duration::from_secs(DEFAULT_DEADLINE_SECS)),
        };
        let auth = match &server {
            Some(s) => crate::selftest::reference_auth(s, self.auth),
            None => self.auth,
        };
        let ctx = TargetContext::new(target, self.issuer, self.spec, http)
            .with_auth(auth)
            .with_deadline(deadline)
            .with_strict(self.strict)
            .with_observers(self.observers);
        match cimd::check_hosted(&ctx).await {
            Ok(Some(note)) => notes.push(note),
            Ok(None) => {}
            Err(HostedProblem::Invalid(e)) => return Err(PlanError::usage(e)),
            Err(HostedProblem::Unreachable(e)) => return Err(PlanError::runtime(e)),
        }
        Ok(Planned {
            ctx,
            server,
            jobs: if manual { 1 } else { self.jobs.max(1) },
            notes,
        })
    }
}

/// The given target URL, or an in-process reference server and its URL.
pub async fn target_or_reference(
    given: Option<&str>,
    config: Config,
) -> Result<(Option<RunningServer>, Url), PlanError> {
    match given {
        Some(t) => match Url::parse(t) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok((None, u)),
            Ok(u) => Err(PlanError::usage(format!(
                "the target must be an http(s) URL, got scheme `{}`",
                u.scheme()
            ))),
            Err(e) => Err(PlanError::usage(format!(
                "the target `{t}` is not an absolute URL: {e}"
            ))),
        },
        None => match crate::selftest::start(config).await {
            Ok((s, url)) => Ok((Some(s), url)),
            Err(e) => Err(PlanError::runtime(e)),
        },
    }
}
