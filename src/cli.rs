//! The command line: argument parsing and the subcommands. `main.rs` only calls [`main`].
//!
//! This is the one place that reads the environment (`NO_COLOR`, `CI`) and the terminal state.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};
use colored::Colorize;
use reference_server::{Config, Consent, Mutant, Variant};
use serde_json::json;
use url::Url;

use crate::engine::context::AuthOptions;
use crate::engine::driver::Driver;
use crate::engine::{self, RunEvent, TargetContext};
use crate::http::{HttpClient, HttpOptions, Redactor};
use crate::report::{self, console, exit};
use crate::requirements::Catalogue;
use crate::suite::model::{Level, SpecRevision, Suite};
use crate::suite::select::{Selection, select};
use crate::{reference, suite};

mod client_cmd;
mod output;

#[derive(Parser, Debug)]
#[command(
    args_override_self = true,
    name = "authspec",
    version,
    about = "Conformance tests for MCP authorization (OAuth 2.1, RFC 9728, RFC 8414, RFC 7591, PKCE, RFC 8707)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the suites against a target (the bundled reference server when no --target is given).
    Run(Box<RunArgs>),
    /// List every case: id, title, level, party, requirements and mutants.
    List(ListArgs),
    /// Serve the reference server (MCP endpoint at /mcp); prints its URL first.
    Serve(ServeArgs),
    /// List the reference server's mutants and the cases each must make fail.
    Mutants(ListArgs),
    /// List the reference server's variants: conformant alternatives under which every case
    /// passes or skips.
    Variants(ListArgs),
    /// Run every case against the reference server, then every mutant against its cases.
    Selftest(SelftestArgs),
    /// Show the requirement catalogue with the cases that cover each requirement.
    Coverage(ListArgs),
    /// Walk the whole MCP authorization flow with the mock client and narrate each step.
    Demo(Box<DemoArgs>),
    /// Render saved JSON reports: one as any format, or several side by side in one HTML page.
    Report(ReportArgs),
    /// Grade an MCP client: per scenario, an in-process reference server observes `CMD <mcp-url>`.
    Client(Box<client_cmd::ClientArgs>),
    /// The mock client as a client under test (for `client --command`); exits 0 when it reached the tools.
    #[command(hide = true)]
    MockClient(client_cmd::MockClientArgs),
    /// Print a Client ID Metadata Document to host; pass its URL to `run --client-metadata-url`.
    ClientMetadata(ClientMetadataArgs),
}

#[derive(Args, Debug)]
pub struct ClientMetadataArgs {
    /// A redirect URI the document lists (repeatable); use the one the run uses
    /// (default http://127.0.0.1:8976/callback).
    #[arg(long = "redirect-uri", required = true)]
    pub redirect_uris: Vec<String>,
    /// The client_name shown on consent pages.
    #[arg(long)]
    pub name: Option<String>,
    /// The https URL the document will be served from: it is the document's client_id. Without
    /// it the client_id is a placeholder to replace before publishing.
    #[arg(long)]
    pub url: Option<String>,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// JSON reports written by `authspec run --report json=…`.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Write an HTML page: one report, or all of them compared target by target.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Also render the (first) report in these formats: KIND=PATH, `-` for stdout.
    #[arg(long = "report", value_parser = parse_report)]
    pub reports: Vec<(Format, PathBuf)>,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum LevelArg {
    Must,
    Should,
    May,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Must => Level::Must,
            LevelArg::Should => Level::Should,
            LevelArg::May => Level::May,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum SpecArg {
    #[value(name = "2025-06-18")]
    V20250618,
    #[value(name = "2025-11-25")]
    V20251125,
    #[value(name = "2026-07-28")]
    V20260728,
}

impl From<SpecArg> for SpecRevision {
    fn from(s: SpecArg) -> SpecRevision {
        match s {
            SpecArg::V20250618 => SpecRevision::V2025_06_18,
            SpecArg::V20251125 => SpecRevision::V2025_11_25,
            SpecArg::V20260728 => SpecRevision::V2026_07_28,
        }
    }
}

/// Output of the listing commands (list, mutants, coverage, selftest).
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    Console,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Console,
    Json,
    Junit,
    Markdown,
    Html,
    /// Opt-in: for GitHub code scanning (locations are suite files).
    Sarif,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The MCP endpoint (protected resource) to test. Without it, a reference server is started.
    #[arg(long)]
    pub target: Option<String>,
    /// Test this authorization server directly (for an AS with no resource server in front).
    #[arg(long)]
    pub issuer: Option<String>,
    /// Case ids or globs to run (`rfc9728/*`); all when none is given.
    pub cases: Vec<String>,
    /// Skip cases matching this glob (repeatable).
    #[arg(long = "skip")]
    pub skip: Vec<String>,
    /// Run only cases with this tag (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// The weakest level to run: must (MUST cases), should (plus SHOULD; warnings fail the run), may (all).
    #[arg(long, value_enum, default_value = "must")]
    pub level: LevelArg,
    /// The MCP authorization revision to judge by.
    #[arg(long, value_enum, default_value = "2026-07-28")]
    pub spec: SpecArg,
    /// An extra suite file to load (repeatable).
    #[arg(long = "suite")]
    pub suites: Vec<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "console")]
    pub format: Format,
    /// Also write a report: KIND=PATH, KIND one of console, json, junit, markdown, html, sarif;
    /// PATH `-` is stdout (repeatable).
    #[arg(long = "report", value_parser = parse_report)]
    pub reports: Vec<(Format, PathBuf)>,
    /// How many cases run at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Per-request timeout in seconds (the whole exchange, body included).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// The bound on the whole run, in seconds: cases still running then end as `error` and the
    /// reports are written (default 600; none with --authorize manual).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub deadline: Option<u64>,
    /// Accept the failures listed in this YAML file (reported as xfail; a listed case that passes
    /// is a stale entry and fails the run).
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Write the current failures and warnings to the --baseline file.
    #[arg(long = "update-baseline", requires = "baseline")]
    pub update_baseline: bool,
    /// Stale baseline entries do not fail the run.
    #[arg(long = "allow-stale")]
    pub allow_stale: bool,
    /// A secret value to scrub from every output (repeatable).
    #[arg(long = "secret")]
    pub secrets: Vec<String>,
    /// Run against the reference server with this mutant switched on (repeatable; no --target).
    #[arg(long = "mutant", conflicts_with = "target")]
    pub mutants: Vec<String>,
    /// Run against the reference server with this conformant variant switched on (repeatable;
    /// no --target); see `authspec variants`.
    #[arg(long = "variant", conflicts_with = "target")]
    pub variants: Vec<String>,
    /// Read the rules the sources leave ambiguous strictly: a same-origin prefix `resource`, a
    /// trailing-slash issuer, metadata found only through the challenge fail or warn instead of
    /// passing with a warning or a note. The report records which reading was used.
    #[arg(long)]
    pub strict: bool,
    /// Also trust the CA certificate(s) in this PEM file (a private CA, or `authspec serve --tls`).
    #[arg(long = "ca-cert")]
    pub ca_cert: Option<PathBuf>,
    #[command(flatten)]
    pub auth: AuthArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// More detail: -v notes, -vv transcripts of failing cases.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Where defaults come from (read before parsing; see [`crate::config`]).
#[derive(Args, Debug)]
pub struct ProfileArgs {
    /// A TOML file of profiles (default: ./authspec.toml when it exists).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The profile to use (default: $AUTHSPEC_PROFILE, else `default` when the file has one).
    #[arg(long)]
    pub profile: Option<String>,
}

/// How the run obtains authorization (shared by `run` and `demo`).
#[derive(Args, Debug)]
pub struct AuthArgs {
    /// How to get through the authorization endpoint: auto (follow redirects with cookies),
    /// form (also fill login/consent forms), command (run --authorize-command), manual (a browser).
    #[arg(long = "authorize", value_enum, default_value = "auto")]
    pub authorize: DriverArg,
    /// A login or consent form field for the form driver (repeatable).
    #[arg(long = "login", value_parser = parse_pair)]
    pub login: Vec<(String, String)>,
    /// The command the `command` driver runs; it gets the URL as its last argument and in
    /// $AUTHSPEC_AUTHORIZE_URL, and prints the final redirect URL.
    #[arg(long = "authorize-command")]
    pub authorize_command: Option<String>,
    /// Read an access token from this environment variable (for servers only a person can log in to).
    #[arg(long = "access-token-env")]
    pub access_token_env: Option<String>,
    /// A pre-registered client id, used when the server offers no dynamic registration.
    #[arg(long = "client-id")]
    pub client_id: Option<String>,
    /// Read the pre-registered client's secret from this environment variable.
    #[arg(long = "client-secret-env", requires = "client_id")]
    pub client_secret_env: Option<String>,
    /// The scope to request (default: the challenge's scope, else scopes_supported).
    #[arg(long)]
    pub scope: Option<String>,
    /// The redirect URI to register and use (default http://127.0.0.1:8976/callback).
    #[arg(long = "redirect-uri")]
    pub redirect_uri: Option<String>,
    /// A Client ID Metadata Document you host: an https URL the authorization server can reach
    /// (`authspec client-metadata` prints the document to put there).
    #[arg(long = "client-metadata-url")]
    pub client_metadata_url: Option<String>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// The MCP endpoint to walk; without it, an in-process reference server.
    #[arg(long)]
    pub target: Option<String>,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Against the reference server: its consent mode (form needs --authorize form --login …).
    #[arg(long, value_enum, default_value = "auto")]
    pub consent: ConsentArg,
    /// The MCP revision whose flow (and wire model) to walk.
    #[arg(long, value_enum, default_value = "2026-07-28")]
    pub spec: SpecArg,
    #[command(flatten)]
    pub auth: AuthArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum DriverArg {
    Auto,
    Form,
    Command,
    Manual,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').ok_or("expected FIELD=VALUE")?;
    if k.is_empty() {
        return Err("the field name is empty".into());
    }
    Ok((k.to_string(), v.to_string()))
}

fn env_secret(flag: &str, name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{flag}: the environment variable `{name}` is not set"))
}

/// Builds the authorization options from the flags; errors are usage errors.
async fn auth_options(a: &AuthArgs) -> Result<AuthOptions, String> {
    let mut opts = AuthOptions {
        login: a.login.clone(),
        client_id: a.client_id.clone(),
        scope: a.scope.clone(),
        ..AuthOptions::default()
    };
    if let Some(r) = &a.redirect_uri {
        Url::parse(r).map_err(|e| format!("--redirect-uri is not an absolute URL: {e}"))?;
        opts.redirect_uri = r.clone();
    }
    if let Some(name) = &a.client_secret_env {
        opts.client_secret = Some(env_secret("--client-secret-env", name)?);
    }
    if let Some(u) = &a.client_metadata_url {
        crate::oauth::cimd::check_document_url(u)
            .map_err(|e| format!("--client-metadata-url: {e}"))?;
        opts.client_metadata_url = Some(u.clone());
    }
    if let Some(name) = &a.access_token_env {
        opts.access_token = Some(env_secret("--access-token-env", name)?);
    }
    opts.driver = match a.authorize {
        DriverArg::Auto => Driver::Auto,
        DriverArg::Form => Driver::Form,
        DriverArg::Command => match &a.authorize_command {
            Some(c) => Driver::Command(c.clone()),
            None => return Err("--authorize command needs --authorize-command CMD".into()),
        },
        DriverArg::Manual => {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
                .await
                .map_err(|e| format!("the manual driver cannot listen on loopback: {e}"))?;
            let port = listener.local_addr().map_err(|e| e.to_string())?.port();
            if a.redirect_uri.is_none() {
                opts.redirect_uri = format!("http://127.0.0.1:{port}/callback");
            }
            opts.listener = Some(tokio::sync::Mutex::new(listener));
            Driver::Manual
        }
    };
    if a.authorize_command.is_some() && a.authorize != DriverArg::Command {
        return Err("--authorize-command is used only with --authorize command".into());
    }
    Ok(opts)
}

fn parse_report(s: &str) -> Result<(Format, PathBuf), String> {
    let (kind, path) = s
        .split_once('=')
        .ok_or("expected KIND=PATH, e.g. json=report.json")?;
    let kind = Format::from_str(kind, true).map_err(|_| {
        format!("unknown report kind `{kind}` (console, json, junit, markdown, html, sarif)")
    })?;
    if path.is_empty() {
        return Err("the report path is empty".into());
    }
    Ok((kind, PathBuf::from(path)))
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value = "console")]
    pub format: ListFormat,
    /// An extra suite file to load (repeatable).
    #[arg(long = "suite")]
    pub suites: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Switch on a deliberate fault (repeatable); see `authspec mutants`.
    #[arg(long = "mutant")]
    pub mutants: Vec<String>,
    /// Switch on a conformant alternative (repeatable); see `authspec variants`.
    #[arg(long = "variant")]
    pub variants: Vec<String>,
    /// auto: approve at once; form: an HTML login and consent form (user alice, password wonderland).
    #[arg(long, value_enum, default_value = "auto")]
    pub consent: ConsentArg,
    /// Test mode for Client ID Metadata Documents: also fetch http documents on 127.0.0.1
    /// (where a harness serves them).
    #[arg(long)]
    pub cimd_loopback: bool,
    /// Offer no dynamic client registration (clients use metadata documents or --client-id).
    #[arg(long)]
    pub without_registration: bool,
    /// Serve https with a certificate made at start; its CA certificate is written to a file
    /// whose path is printed (give it to `authspec run --ca-cert`).
    #[arg(long)]
    pub tls: bool,
    /// The URL clients reach the server at, when it is behind a proxy (the issuer and the
    /// base of every published URL).
    #[arg(long = "public-url")]
    pub public_url: Option<url::Url>,
    /// Pre-register a client, ID:SECRET:REDIRECT_URI (an empty SECRET makes it public;
    /// repeatable).
    #[arg(long = "client", value_parser = parse_client)]
    pub clients: Vec<reference_server::PreRegistered>,
    /// Append the audit log (one JSON object per line) to this file instead of stderr.
    #[arg(long = "audit-log")]
    pub audit_log: Option<PathBuf>,
    /// Limit every request to the token, revocation and registration endpoints per client and
    /// per address (429 with Retry-After). Failed client authentication is throttled regardless.
    #[arg(long = "rate-limit")]
    pub rate_limit: bool,
}

fn parse_client(s: &str) -> Result<reference_server::PreRegistered, String> {
    let mut parts = s.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(id), Some(secret), Some(redirect)) if !id.is_empty() => {
            Url::parse(redirect)
                .map_err(|e| format!("the redirect URI `{redirect}` is not absolute: {e}"))?;
            Ok(reference_server::PreRegistered {
                client_id: id.to_owned(),
                client_secret: (!secret.is_empty()).then(|| secret.to_owned()),
                redirect_uri: redirect.to_owned(),
            })
        }
        _ => Err("expected ID:SECRET:REDIRECT_URI (SECRET may be empty)".into()),
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ConsentArg {
    Auto,
    Form,
}

impl From<ConsentArg> for Consent {
    fn from(c: ConsentArg) -> Consent {
        match c {
            ConsentArg::Auto => Consent::Auto,
            ConsentArg::Form => Consent::Form,
        }
    }
}

/// The URL to test: the one given, or an in-process reference server started with `config`.
/// `Err` carries the exit code, the message already printed.
async fn target_or_reference(
    given: Option<&String>,
    config: Config,
) -> Result<(Option<reference_server::RunningServer>, Url), i32> {
    match given {
        Some(t) => match Url::parse(t) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok((None, u)),
            Ok(u) => {
                eprintln!(
                    "error: the target must be an http(s) URL, got scheme `{}`",
                    u.scheme()
                );
                Err(exit::USAGE)
            }
            Err(e) => {
                eprintln!("error: the target `{t}` is not an absolute URL: {e}");
                Err(exit::USAGE)
            }
        },
        None => match reference::start(config).await {
            Ok((s, url)) => Ok((Some(s), url)),
            Err(e) => {
                eprintln!("error: {e}");
                Err(exit::RUNTIME)
            }
        },
    }
}

#[derive(Args, Debug)]
pub struct SelftestArgs {
    #[arg(long, value_enum, default_value = "console")]
    pub format: ListFormat,
    #[arg(long, default_value_t = 8)]
    pub jobs: u16,
}

/// What the environment says about output.
struct RunContext {
    color: bool,
    /// Running in GitHub Actions: emit annotations, append the job summary.
    github_actions: bool,
    /// Progress may be animated (a terminal, and not CI).
    animate: bool,
}

impl RunContext {
    fn from_env() -> Self {
        let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
        RunContext {
            color: std::io::stdout().is_terminal() && !set("NO_COLOR"),
            github_actions: set("GITHUB_ACTIONS"),
            animate: std::io::stderr().is_terminal() && !set("CI"),
        }
    }
}

/// Entry point; returns the process exit code.
pub fn main() -> i32 {
    let args = match with_profile(std::env::args().collect()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    exit::OK
                }
                _ => exit::USAGE,
            };
        }
    };
    let env = RunContext::from_env();
    colored::control::set_override(env.color);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::RUNTIME;
        }
    };
    runtime.block_on(dispatch(cli))
}

/// Inserts the selected profile's flags right after `run` or `demo`, before the user's own, so
/// the command line wins.
fn with_profile(mut args: Vec<String>) -> Result<Vec<String>, String> {
    let Some(command) = args.get(1).cloned().filter(|c| c == "run" || c == "demo") else {
        return Ok(args);
    };
    let explicit = crate::config::flag_value(&args, "config");
    let path = match &explicit {
        Some(p) => PathBuf::from(p),
        None if std::path::Path::new("authspec.toml").exists() => PathBuf::from("authspec.toml"),
        None => return Ok(args),
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let chosen = crate::config::flag_value(&args, "profile")
        .or_else(|| std::env::var("AUTHSPEC_PROFILE").ok());
    let name = match chosen {
        Some(n) => n,
        // Without an explicit choice a file need not have a default profile.
        None if !text.contains("[profile.default]") => return Ok(args),
        None => "default".into(),
    };
    let profile = crate::config::load(&path.display().to_string(), &text, &name)?;
    let extra = profile.to_args(&command);
    args.splice(2..2, extra);
    Ok(args)
}

async fn dispatch(cli: Cli) -> i32 {
    match cli.command {
        Command::Run(a) => cmd_run(*a).await,
        Command::List(a) => cmd_list(a),
        Command::Serve(a) => cmd_serve(a).await,
        Command::Mutants(a) => cmd_mutants(a),
        Command::Variants(a) => cmd_variants(a),
        Command::Selftest(a) => cmd_selftest(a).await,
        Command::Coverage(a) => cmd_coverage(a),
        Command::Demo(a) => cmd_demo(*a).await,
        Command::Report(a) => cmd_report(a),
        Command::Client(a) => client_cmd::cmd_client(*a).await,
        Command::MockClient(a) => client_cmd::cmd_mock_client(a).await,
        Command::ClientMetadata(a) => cmd_client_metadata(a),
    }
}

/// Loads the embedded suites plus extra files; prints errors and returns None on failure.
fn load_suites(extra: &[PathBuf], catalogue: &Catalogue) -> Option<Vec<Suite>> {
    let mutants = reference::mutant_names();
    let mut sources: Vec<(String, String)> = suite::EMBEDDED
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    for p in extra {
        match std::fs::read_to_string(p) {
            Ok(s) => sources.push((p.display().to_string(), s)),
            Err(e) => {
                eprintln!("error: cannot read suite file {}: {e}", p.display());
                return None;
            }
        }
    }
    match suite::load::load_many(sources, catalogue, &mutants) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("{e}");
            None
        }
    }
}

fn parse_mutants(names: &[String]) -> Result<Vec<Mutant>, String> {
    names.iter().map(|n| n.parse::<Mutant>()).collect()
}

fn parse_variants(names: &[String]) -> Result<Vec<Variant>, String> {
    names.iter().map(|n| n.parse::<Variant>()).collect()
}

async fn cmd_run(a: RunArgs) -> i32 {
    let catalogue = Catalogue::embedded();
    let Some(suites) = load_suites(&a.suites, &catalogue) else {
        return exit::USAGE;
    };
    let spec: SpecRevision = a.spec.into();
    let level: Level = a.level.into();
    let selection = Selection {
        include: a.cases.clone(),
        skip: a.skip.clone(),
        tags: a.tags.clone(),
        level,
        spec,
    };
    let mut cases = match select(&suites, &selection) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    // An authorization server on its own: only the cases about it apply.
    let issuer_only =
        a.issuer.is_some() && a.target.is_none() && a.mutants.is_empty() && a.variants.is_empty();
    if issuer_only {
        cases.retain(|c| c.party == crate::suite::Party::AuthorizationServer);
    }
    let mutants = match parse_mutants(&a.mutants) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let variants = match parse_variants(&a.variants) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let issuer = match a.issuer.as_deref().map(Url::parse).transpose() {
        Ok(_) => a.issuer.clone(),
        Err(e) => {
            eprintln!("error: --issuer is not an absolute URL: {e}");
            return exit::USAGE;
        }
    };
    let known: Vec<&str> = suites
        .iter()
        .flat_map(|s| &s.cases)
        .map(|c| c.id.as_str())
        .collect();
    let baseline = match output::load_baseline(a.baseline.as_ref(), a.update_baseline, &known) {
        Ok(b) => b,
        Err(code) => return code,
    };
    if cases.is_empty() {
        eprintln!(
            "error: no case selected (level {level}, MCP {spec}; `authspec list` shows every case)"
        );
        return exit::NO_CASES;
    }
    // Without a target, start the reference server in-process.
    let target_arg = if issuer_only {
        a.issuer.as_ref()
    } else {
        a.target.as_ref()
    };
    // The in-process server speaks https, so the https-only cases run too.
    let config = Config {
        mutants: mutants.iter().copied().collect(),
        variants: variants.iter().copied().collect(),
        tls: true,
        ..Config::default()
    };
    let ca_cert = match &a.ca_cert {
        Some(path) => match std::fs::read(path) {
            Ok(pem) => Some(pem),
            Err(e) => {
                eprintln!(
                    "error: cannot read the CA certificate {}: {e}",
                    path.display()
                );
                return exit::USAGE;
            }
        },
        None => None,
    };
    let (server, target) = match target_or_reference(target_arg, config).await {
        Ok(t) => t,
        Err(code) => return code,
    };
    let redactor = Redactor::default();
    for s in &a.secrets {
        redactor.add_secret(s);
    }
    let options = HttpOptions {
        timeout: Duration::from_secs(a.timeout),
        target_is_loopback: crate::oauth::urls::is_loopback(&target),
        target_is_private: crate::oauth::urls::is_private(&target),
        ca_certs_pem: ca_cert.or_else(|| {
            server
                .as_ref()
                .and_then(|s| s.ca_cert_pem())
                .map(|pem| pem.as_bytes().to_vec())
        }),
        ..HttpOptions::default()
    };
    let http = match HttpClient::new(options, redactor) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: cannot build the HTTP client: {e}");
            return exit::RUNTIME;
        }
    };
    let auth = match auth_options(&a.auth).await {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    if auth.driver == Driver::Manual && a.jobs > 1 {
        eprintln!("note: the manual driver runs one case at a time");
    }
    let jobs = if auth.driver == Driver::Manual {
        1
    } else {
        a.jobs as usize
    };
    let deadline = match a.deadline {
        Some(secs) => Some(Duration::from_secs(secs)),
        None if auth.driver == Driver::Manual => None,
        None => Some(Duration::from_secs(engine::DEFAULT_DEADLINE_SECS)),
    };
    let ctx = TargetContext::new(target, issuer, spec, http)
        .with_auth(auth)
        .with_deadline(deadline)
        .with_strict(a.strict);
    // A hosted document is checked up front, as an authorization server would read it.
    match engine::cimd::check_hosted(&ctx).await {
        Ok(Some(note)) => eprintln!("note: {note}"),
        Ok(None) => {}
        Err(engine::cimd::HostedProblem::Invalid(e)) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
        Err(engine::cimd::HostedProblem::Unreachable(e)) => {
            eprintln!("error: {e}");
            return exit::RUNTIME;
        }
    }
    let bar = RunContext::from_env().animate.then(|| {
        let bar = indicatif::ProgressBar::new(cases.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
        {
            bar.set_style(style);
        }
        bar
    });
    let progress = |e: RunEvent<'_>| {
        if let (Some(bar), RunEvent::CaseFinished(c)) = (&bar, e) {
            bar.inc(1);
            bar.set_message(format!("{} {}", c.result.as_str(), c.id));
        }
    };
    let report = engine::run(&cases, &ctx, &catalogue, jobs, level, &progress).await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let cut = report
        .cases
        .iter()
        .filter(|c| c.message.starts_with(engine::DEADLINE_MESSAGE))
        .count();
    if let (Some(d), true) = (deadline, cut > 0) {
        eprintln!(
            "error: the run deadline ({}s) passed; {cut} case{} ended as error",
            d.as_secs(),
            if cut == 1 { "" } else { "s" }
        );
    }
    for (endpoint, first) in ctx.http.tripped_endpoints() {
        eprintln!(
            "note: {endpoint} timed out or stalled; later requests to it were not sent ({first})"
        );
    }
    if let Some(s) = server {
        s.shutdown().await;
    }
    let more = suites
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| c.level > Level::Must && c.applies_to(spec))
        .count();
    let out = output::Outputs {
        suites: &suites,
        catalogue: &catalogue,
        baseline_path: a.baseline.as_ref(),
        baseline: baseline.as_ref(),
        update_baseline: a.update_baseline,
        allow_stale: a.allow_stale,
        reports: &a.reports,
        format: a.format,
        verbose: a.verbose,
        unrun_levels: (level == Level::Must && a.cases.is_empty() && a.tags.is_empty())
            .then_some(more),
        redactor: &ctx.http.redactor,
    };
    let errored = report.summary.errored;
    let mut code = output::finish(report, &out);
    if ctx.requests_sent() == 0 && errored > 0 {
        code = exit::RUNTIME;
    }
    code
}

fn print_out(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    if !s.ends_with('\n') {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
}

fn cmd_list(a: ListArgs) -> i32 {
    let catalogue = Catalogue::embedded();
    let Some(mut suites) = load_suites(&a.suites, &catalogue) else {
        return exit::USAGE;
    };
    // The client scenarios of `authspec client` too (party client).
    match crate::clientconf::load_suites(&[], &catalogue) {
        Ok(client) => suites.extend(client),
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    }
    let cases: Vec<_> = suites.iter().flat_map(|s| s.cases.iter()).collect();
    match a.format {
        ListFormat::Json => {
            let list: Vec<_> = cases
                .iter()
                .map(|c| {
                    json!({
                        "id": c.id, "title": c.title, "level": c.level, "party": c.party.as_str(),
                        "suite": c.suite, "requirements": c.requirements, "mutants": c.mutants,
                        "spec": c.spec, "tags": c.tags,
                    })
                })
                .collect();
            print_out(&serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        ListFormat::Console | ListFormat::Markdown => {
            let mut s = String::new();
            for c in &cases {
                s.push_str(&format!(
                    "{:<60} {:<6} {:<6} {}\n",
                    c.id,
                    c.level.as_str(),
                    c.party.as_str(),
                    c.title
                ));
            }
            s.push_str(&format!("{} cases\n", cases.len()));
            print_out(&s);
        }
    }
    exit::OK
}

async fn cmd_serve(a: ServeArgs) -> i32 {
    let mutants = match parse_mutants(&a.mutants) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let variants = match parse_variants(&a.variants) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let audit = match &a.audit_log {
        Some(path) => match reference_server::AuditLog::file(path) {
            Ok(log) => log,
            Err(e) => {
                eprintln!("error: cannot open the audit log {}: {e}", path.display());
                return exit::USAGE;
            }
        },
        None => reference_server::AuditLog::stderr(),
    };
    let config = Config {
        mutants: mutants.iter().copied().collect(),
        variants: variants.iter().copied().collect(),
        consent: a.consent.into(),
        cimd_loopback: a.cimd_loopback,
        without_registration: a.without_registration,
        tls: a.tls,
        public_url: a.public_url.as_ref().map(|u| u.as_str().to_owned()),
        clients: a.clients.clone(),
        log_requests: true,
        audit: Some(audit),
        rate_limit: a.rate_limit,
    };
    let server = match reference_server::spawn(a.addr, config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot serve on {}: {e}", a.addr);
            return exit::RUNTIME;
        }
    };
    let ca_path = match server.ca_cert_pem().map(|pem| write_ca_cert(&server, pem)) {
        Some(Ok(path)) => Some(path),
        Some(Err(e)) => {
            eprintln!("error: cannot write the CA certificate: {e}");
            return exit::RUNTIME;
        }
        None => None,
    };
    // The MCP URL stays alone on the first line, for scripts; the rest is for people.
    let base = server.base_url();
    let mut banner = format!(
        "{}\nissuer:                {base}\nresource metadata:     {base}/.well-known/oauth-protected-resource/mcp\nauthorization server:  {base}/.well-known/oauth-authorization-server",
        server.mcp_url()
    );
    if let Some(path) = &ca_path {
        banner.push_str(&format!("\nCA certificate:        {}", path.display()));
    }
    print_out(&banner);
    if !mutants.is_empty() {
        eprintln!(
            "mutants on: {}",
            mutants
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !variants.is_empty() {
        eprintln!(
            "variants on: {}",
            variants
                .iter()
                .map(|v| v.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    eprintln!("serving the reference server; Ctrl-C stops it");
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    exit::OK
}

/// Writes the CA certificate of a `serve --tls` server to a file of its own under the temporary
/// directory; returns the path.
fn write_ca_cert(
    server: &reference_server::RunningServer,
    pem: &str,
) -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "authspec-serve-{}-{}",
        std::process::id(),
        server.local_addr().port()
    ));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("ca.pem");
    std::fs::write(&path, pem)?;
    Ok(path)
}

fn cmd_mutants(a: ListArgs) -> i32 {
    let catalogue = Catalogue::embedded();
    let Some(suites) = load_suites(&a.suites, &catalogue) else {
        return exit::USAGE;
    };
    let cases_for = |m: &str| -> Vec<String> {
        suites
            .iter()
            .flat_map(|s| &s.cases)
            .filter(|c| c.mutants.iter().any(|x| x == m))
            .map(|c| c.id.clone())
            .collect()
    };
    match a.format {
        ListFormat::Json => {
            let list: Vec<_> = Mutant::ALL
                .iter()
                .map(|m| json!({"name": m.name(), "description": m.description(), "cases": cases_for(m.name())}))
                .collect();
            print_out(&serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        ListFormat::Console | ListFormat::Markdown => {
            let mut s = String::new();
            for m in Mutant::ALL {
                let cases = cases_for(m.name());
                s.push_str(&format!("{}\n    {}\n", m.name(), m.description()));
                if cases.is_empty() {
                    s.push_str("    (no case names it yet)\n");
                }
                for c in cases {
                    s.push_str(&format!("    must fail: {c}\n"));
                }
            }
            print_out(&s);
        }
    }
    exit::OK
}

/// The variants need no suites: every case must pass or skip under each of them (the suites
/// test proves it), so there is no per-case list to show.
fn cmd_variants(a: ListArgs) -> i32 {
    match a.format {
        ListFormat::Json => {
            let list: Vec<_> = Variant::ALL
                .iter()
                .map(|v| json!({"name": v.name(), "description": v.description(), "since": v.since()}))
                .collect();
            print_out(&serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        ListFormat::Console | ListFormat::Markdown => {
            let mut s = String::new();
            for v in Variant::ALL {
                s.push_str(&format!("{}\n    {}\n", v.name(), v.description()));
                if v.since() != "2025-06-18" {
                    s.push_str(&format!("    conformant from MCP {} on\n", v.since()));
                }
            }
            s.push_str(&format!(
                "{} variants; every case passes or skips under each\n",
                Variant::ALL.len()
            ));
            print_out(&s);
        }
    }
    exit::OK
}

fn cmd_coverage(a: ListArgs) -> i32 {
    let catalogue = Catalogue::embedded();
    let Some(mut suites) = load_suites(&a.suites, &catalogue) else {
        return exit::USAGE;
    };
    // Client scenarios (`authspec client`) cite the client-side requirements.
    match crate::clientconf::load_suites(&[], &catalogue) {
        Ok(client) => suites.extend(client),
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    }
    let rows: Vec<_> = catalogue
        .iter()
        .map(|r| {
            let cases: Vec<String> = suites
                .iter()
                .flat_map(|s| &s.cases)
                .filter(|c| {
                    c.requirements.contains(&r.id)
                        || c.expect.iter().any(|e| e.requirements.contains(&r.id))
                })
                .map(|c| c.id.clone())
                .collect();
            (r, cases)
        })
        .collect();
    match a.format {
        ListFormat::Json => {
            let list: Vec<_> = rows
                .iter()
                .map(|(r, cases)| json!({"id": r.id, "level": r.level, "party": r.party, "testability": r.testability, "url": r.url(), "cases": cases}))
                .collect();
            print_out(&serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        ListFormat::Markdown => print_out(&coverage_markdown(&rows)),
        ListFormat::Console => {
            let mut s = String::new();
            let covered = rows.iter().filter(|(_, c)| !c.is_empty()).count();
            for (r, cases) in &rows {
                let mark = if cases.is_empty() { "·" } else { "✔" };
                s.push_str(&format!(
                    "{mark} {:<58} {:<10} {}\n",
                    r.id,
                    r.level,
                    cases.join(", ")
                ));
            }
            for c in coverage_by_source(&rows) {
                s.push_str(&format!(
                    "{:<52} {:>3} of {:>3} server-side testable cited, {:>3} of {:>3} client-side ({} in all)\n",
                    c.source, c.cited, c.testable, c.client_cited, c.client, c.total
                ));
            }
            s.push_str(&format!(
                "{covered} of {} requirements cited by a case\n",
                rows.len()
            ));
            print_out(&s);
        }
    }
    exit::OK
}

type CoverageRow<'a> = (&'a crate::requirements::Requirement, Vec<String>);

/// Coverage of one source. Untestable statements count in the total only; client-side ones are
/// graded by client conformance (`authspec client`), server-side ones by `run`.
#[derive(Default)]
struct SourceCoverage {
    source: String,
    cited: usize,
    testable: usize,
    client_cited: usize,
    client: usize,
    total: usize,
}

fn coverage_by_source(rows: &[CoverageRow<'_>]) -> Vec<SourceCoverage> {
    let mut by: BTreeMap<String, SourceCoverage> = BTreeMap::new();
    for (r, cases) in rows {
        let e = by
            .entry(r.source.clone())
            .or_insert_with(|| SourceCoverage {
                source: r.source.clone(),
                ..SourceCoverage::default()
            });
        e.total += 1;
        if r.testability == "untestable" {
            continue;
        }
        if r.party == "client" {
            e.client += 1;
            if !cases.is_empty() {
                e.client_cited += 1;
            }
            continue;
        }
        e.testable += 1;
        if !cases.is_empty() {
            e.cited += 1;
        }
    }
    by.into_values().collect()
}

fn coverage_markdown(rows: &[CoverageRow<'_>]) -> String {
    let mut s = String::from(
        "| source | server-side cited | server-side testable | client-side cited | client-side | all statements |\n|---|---:|---:|---:|---:|---:|\n",
    );
    let mut sum = SourceCoverage::default();
    for c in coverage_by_source(rows) {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            c.source, c.cited, c.testable, c.client_cited, c.client, c.total
        ));
        sum.cited += c.cited;
        sum.testable += c.testable;
        sum.client_cited += c.client_cited;
        sum.client += c.client;
        sum.total += c.total;
    }
    s.push_str(&format!(
        "| **all** | **{}** | **{}** | **{}** | **{}** | **{}** |\n\n",
        sum.cited, sum.testable, sum.client_cited, sum.client, sum.total
    ));
    s.push_str("<details><summary>Every requirement</summary>\n\n| requirement | level | party | testability | cases |\n|---|---|---|---|---|\n");
    for (r, cases) in rows {
        let cases = if cases.is_empty() {
            "—".to_string()
        } else {
            cases
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        s.push_str(&format!(
            "| [{}]({}) | {} | {} | {} | {cases} |\n",
            r.id,
            r.url(),
            r.level,
            r.party,
            r.testability
        ));
    }
    s.push_str("\n</details>\n");
    s
}

async fn cmd_selftest(a: SelftestArgs) -> i32 {
    let started = Instant::now();
    let catalogue = Catalogue::embedded();
    let Some(suites) = load_suites(&[], &catalogue) else {
        return exit::USAGE;
    };
    let cases: Vec<_> = suites
        .iter()
        .flat_map(|s| s.cases.iter().cloned())
        .collect();
    let result = match reference::selftest(&cases, &catalogue, a.jobs as usize).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::RUNTIME;
        }
    };
    let bad = result.checks.iter().filter(|c| !c.ok).count();
    match a.format {
        ListFormat::Json => {
            let doc = json!({
                "ok": result.ok(),
                "checks": result.checks,
                "mutants_named_by_no_case": result.unnamed_mutants,
                "duration_ms": started.elapsed().as_millis() as u64,
            });
            print_out(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        ListFormat::Console | ListFormat::Markdown => {
            let mut s = String::new();
            for c in result.checks.iter().filter(|c| !c.ok) {
                let (against, expected) = match c.mutant {
                    Some(m) => (format!("mutant {m}"), "fail or warn"),
                    None => ("the reference server".to_string(), "pass"),
                };
                s.push_str(&format!(
                    "✘ {} against {against}: expected {expected}, got {} {}\n",
                    c.case,
                    c.result.as_str(),
                    c.message
                ));
            }
            for m in &result.unnamed_mutants {
                s.push_str(&format!(
                    "✘ mutant {m} is named by no case, so nothing proves it is caught\n"
                ));
            }
            let plain = result.checks.iter().filter(|c| c.mutant.is_none()).count();
            s.push_str(&format!(
                "selftest: {plain} cases against the reference server, {} (case, mutant) pairs, {} mutants\n",
                result.checks.len() - plain,
                Mutant::ALL.len()
            ));
            s.push_str(&format!(
                "{} passed, {} failed\n",
                result.checks.len() - bad,
                bad + result.unnamed_mutants.len()
            ));
            print_out(&s);
        }
    }
    if result.ok() {
        exit::OK
    } else {
        exit::NONCONFORMANT
    }
}

async fn cmd_demo(a: DemoArgs) -> i32 {
    let auth = match auth_options(&a.auth).await {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let config = Config {
        consent: a.consent.into(),
        ..Config::default()
    };
    let (server, target) = match target_or_reference(a.target.as_ref(), config).await {
        Ok(t) => t,
        Err(code) => return code,
    };
    let options = HttpOptions {
        timeout: Duration::from_secs(a.timeout),
        target_is_loopback: crate::oauth::urls::is_loopback(&target),
        target_is_private: crate::oauth::urls::is_private(&target),
        ..HttpOptions::default()
    };
    let http = match HttpClient::new(options, Redactor::default()) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::RUNTIME;
        }
    };
    let spec = SpecRevision::from(a.spec);
    let ctx = TargetContext::new(target.clone(), None, spec, http).with_auth(auth);
    if let Err(e) = engine::cimd::check_hosted(&ctx).await {
        let (msg, code) = match e {
            engine::cimd::HostedProblem::Invalid(m) => (m, exit::USAGE),
            engine::cimd::HostedProblem::Unreachable(m) => (m, exit::RUNTIME),
        };
        eprintln!("error: {msg}");
        return code;
    }
    println!(
        "{} the MCP {spec} authorization flow against {target}\n",
        "authspec demo:".bold()
    );
    let steps = crate::client::walk(&ctx).await;
    let all_ok = steps.iter().all(|s| s.ok) && steps.len() == 9;
    // Discovery results are shared between steps; show each exchange once, where it happened.
    let mut shown: Vec<(String, String, String, Option<u16>)> = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let mark = if s.ok {
            "✔".green().to_string()
        } else {
            "✘".red().bold().to_string()
        };
        println!("{:>2}. {} {}", i + 1, mark, s.title.bold());
        for ex in &s.exchanges {
            let key = (
                ex.block.clone(),
                ex.method.clone(),
                ex.url.clone(),
                ex.status,
            );
            if shown.contains(&key) {
                continue;
            }
            shown.push(key);
            let status = ex
                .status
                .map(|s| s.to_string())
                .unwrap_or_else(|| ex.error.clone().unwrap_or_default());
            println!("      {} {} → {}", ex.method, ex.url, status);
        }
        println!("      {}", s.detail);
        if s.ok {
            println!("      {} {}", "proves:".dimmed(), s.proves);
        }
        println!();
    }
    if let Some(s) = server {
        s.shutdown().await;
    }
    if all_ok {
        println!(
            "{}",
            "The flow completed: every step behaved as MCP authorization requires.".green()
        );
        exit::OK
    } else {
        println!("{}", "The flow stopped at the step marked ✘.".red());
        exit::NONCONFORMANT
    }
}

fn cmd_report(a: ReportArgs) -> i32 {
    let catalogue = Catalogue::embedded();
    let mut reports = Vec::new();
    for path in &a.inputs {
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                serde_json::from_str::<report::RunReport>(&t)
                    .map_err(|e| format!("line {}: {e}", e.line()))
            });
        match parsed {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!(
                    "error: {} is not an authspec JSON report: {e}",
                    path.display()
                );
                return exit::USAGE;
            }
        }
    }
    let titles: BTreeMap<String, String> = load_suites(&[], &catalogue)
        .map(|s| s.into_iter().map(|s| (s.name, s.title)).collect())
        .unwrap_or_default();
    let mut outputs: Vec<(PathBuf, String)> = Vec::new();
    if let Some(path) = &a.html {
        let page = match reports.as_slice() {
            [one] => report::html::render(one, &titles, &catalogue),
            many => report::html::render_compare(many, &catalogue),
        };
        outputs.push((path.clone(), page));
    }
    let first = &reports[0];
    for (kind, path) in &a.reports {
        colored::control::set_override(false);
        let text = match kind {
            Format::Json => report::json::render(first),
            Format::Junit => report::junit::render(first, &titles, &catalogue),
            Format::Markdown => report::markdown::render(
                first,
                &titles,
                &catalogue,
                a.inputs.first().and_then(|p| p.to_str()),
            ),
            Format::Html => report::html::render(first, &titles, &catalogue),
            Format::Sarif => report::sarif::render(first, &catalogue),
            Format::Console => console::render(
                first,
                &titles,
                &catalogue,
                console::ConsoleOptions::default(),
            ),
        };
        outputs.push((path.clone(), text));
    }
    if outputs.is_empty() {
        eprintln!("error: nothing to write: give --html PATH or --report KIND=PATH");
        return exit::USAGE;
    }
    for (path, text) in outputs {
        if path.as_os_str() == "-" {
            print_out(&text);
        } else if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return exit::RUNTIME;
        }
    }
    exit::OK
}

fn cmd_client_metadata(a: ClientMetadataArgs) -> i32 {
    const PLACEHOLDER: &str = "https://YOUR-HOST/path/authspec-client.json";
    for r in &a.redirect_uris {
        match Url::parse(r) {
            Ok(u) if u.fragment().is_none() => {}
            Ok(_) => {
                eprintln!("error: --redirect-uri {r}: a redirect URI must not have a fragment");
                return exit::USAGE;
            }
            Err(e) => {
                eprintln!("error: --redirect-uri {r} is not an absolute URL: {e}");
                return exit::USAGE;
            }
        }
    }
    let url = match &a.url {
        Some(u) => match crate::oauth::cimd::check_document_url(u) {
            Ok(_) => u.clone(),
            Err(e) => {
                eprintln!("error: --url: {e}");
                return exit::USAGE;
            }
        },
        None => PLACEHOLDER.to_string(),
    };
    let name = a
        .name
        .as_deref()
        .unwrap_or(crate::oauth::cimd::DEFAULT_NAME);
    let doc = crate::oauth::cimd::document(&url, &a.redirect_uris, name);
    print_out(&format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    ));
    if a.url.is_none() {
        eprintln!(
            "note: replace the client_id {PLACEHOLDER} with the exact https URL you publish the document at (or pass --url)"
        );
    }
    eprintln!(
        "note: publish it (served as application/json, no redirect), then run: authspec run --target MCP-URL --client-metadata-url {url}"
    );
    exit::OK
}
