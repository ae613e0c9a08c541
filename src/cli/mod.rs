//! The command line: argument parsing and the subcommands. `main.rs` only calls [`main`].
//!
//! This is the one place that reads the environment (`NO_COLOR`, `CI`) and the terminal state.
//!
//! One file per command (`run.rs`, `client_cmd.rs`, `serve.rs`, `list.rs`, …), each mapping its
//! flags onto the library: a [`crate::plan::TargetPlan`] for the target side, and
//! `output.rs` (reports through the [`crate::report::REPORTERS`] registry, baseline, exit code).

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

use crate::actions::context::AuthOptions;
use crate::actions::context::Driver;
use crate::actions::context::Login;
use crate::engine::{self, RunEvent};
use crate::report;
use crate::requirements::Catalogue;
use crate::result::exit;
use crate::suite;
use crate::suite::model::Suite;
use crate::suite::select::Selection;
use crate::vocab::{Level, SpecRevision};

/// The value of a `Result`, or: print `error: …` and return the usage exit code.
macro_rules! or_usage {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: {e}");
                return crate::result::exit::USAGE;
            }
        }
    };
}

mod client_cmd;
mod client_metadata;
mod completions;
mod coverage;
mod demo;
mod list;
mod man;
mod mutants;
mod output;
mod report_cmd;
mod run;
mod selftest;
mod serve;
mod variants;

pub use client_metadata::*;
use coverage::*;
pub use demo::*;
use list::*;
use mutants::*;
pub use report_cmd::*;
pub use run::*;
pub use selftest::*;
pub use serve::*;
use variants::*;

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
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff), or write one page per subcommand with --out-dir.
    Man(man::ManArgs),
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

/// A report kind: one of [`report::REPORTERS`], by its place there, so the values the flags
/// accept, their help and the error for an unknown kind all come from that one list.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Format(usize);

/// Every [`Format`], in the order of [`report::REPORTERS`].
static FORMATS: [Format; report::REPORTERS.len()] = {
    let mut all = [Format(0); report::REPORTERS.len()];
    let mut i = 0;
    while i < all.len() {
        all[i] = Format(i);
        i += 1;
    }
    all
};

impl Format {
    /// The reporter of this kind.
    pub fn reporter(self) -> &'static dyn report::Reporter {
        report::REPORTERS[self.0]
    }

    /// Whether this is `reporter`'s kind.
    pub fn is(self, reporter: &dyn report::Reporter) -> bool {
        self.reporter().kind() == reporter.kind()
    }
}

impl std::fmt::Debug for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reporter().kind())
    }
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &FORMATS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let r = self.reporter();
        let value = clap::builder::PossibleValue::new(r.kind());
        Some(match r.help() {
            Some(help) => value.help(help),
            None => value,
        })
    }
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
    /// A login or consent form field for the form driver (repeatable): FIELD=VALUE fills the
    /// authorization server's own forms; HOST[:PORT]:FIELD=VALUE fills the forms of that origin
    /// only (an upstream identity provider the authorization sends the browser to).
    #[arg(long = "login", value_parser = Login::parse, value_name = "[HOST[:PORT]:]FIELD=VALUE")]
    pub login: Vec<Login>,
    /// The command the `command` driver runs; it gets the URL as its last argument and in
    /// $AUTHSPEC_AUTHORIZE_URL, and prints the final redirect URL.
    #[arg(long = "authorize-command")]
    pub authorize_command: Option<String>,
    /// Read an access token from this environment variable (for servers only a person can log in to).
    #[arg(long = "access-token-env")]
    pub access_token_env: Option<String>,
    /// A pre-registered client id, used when the server offers no dynamic registration. Give it
    /// twice for a second client: the rules between two clients (a code bound to its client)
    /// then need no registration.
    #[arg(long = "client-id")]
    pub client_id: Vec<String>,
    /// Read the pre-registered client's secret from this environment variable (given twice: the
    /// second --client-id's secret).
    #[arg(long = "client-secret-env", requires = "client_id")]
    pub client_secret_env: Vec<String>,
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

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum DriverArg {
    Auto,
    Form,
    Command,
    Manual,
}

/// What a run accepts and scrubs, shared by `run` and `client`.
#[derive(Args, Debug)]
pub struct AcceptArgs {
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
}

fn env_secret(flag: &str, name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{flag}: the environment variable `{name}` is not set"))
}

/// Builds the authorization options from the flags; errors are usage errors.
async fn auth_options(a: &AuthArgs) -> Result<AuthOptions, String> {
    let mut opts = AuthOptions {
        login: a.login.clone(),
        client_id: a.client_id.first().cloned(),
        scope: a.scope.clone(),
        ..AuthOptions::default()
    };
    if let Some(r) = &a.redirect_uri {
        Url::parse(r).map_err(|e| format!("--redirect-uri is not an absolute URL: {e}"))?;
        opts.redirect_uri = r.clone();
    }
    if a.client_id.len() > 2 || a.client_secret_env.len() > a.client_id.len() {
        return Err(
            "--client-id is given at most twice, and --client-secret-env at most once per --client-id"
                .into(),
        );
    }
    let secret = |i: usize| -> Result<Option<String>, String> {
        a.client_secret_env
            .get(i)
            .map(|name| env_secret("--client-secret-env", name))
            .transpose()
    };
    opts.client_secret = secret(0)?;
    if let Some(id) = a.client_id.get(1) {
        opts.second_client = Some((id.clone(), secret(1)?));
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
    let kind = Format::from_str(kind, true)
        .map_err(|_| format!("unknown report kind `{kind}` ({})", report::kinds()))?;
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
    let args = or_usage!(with_profile(std::env::args().collect()));
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
    // Listing needs no runtime: its threads would cost start-up time and memory.
    if let Command::List(a) = cli.command {
        return cmd_list(a);
    }
    // One thread: a run waits on the network far more than it computes, and every hand-over
    // between worker threads costs a wake-up; on loopback one thread finishes a MUST run in
    // about three quarters of the time two workers take (benches/speed.rs). Blocking work
    // (name resolution) still goes to tokio's blocking pool.
    let runtime = match tokio::runtime::Builder::new_current_thread()
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
        Command::Completions(a) => completions::cmd_completions(a),
        Command::Man(a) => man::cmd_man(a),
    }
}

/// Loads the embedded suites plus extra files; prints errors and returns None on failure.
fn load_suites(extra: &[PathBuf], catalogue: &Catalogue) -> Option<Vec<Suite>> {
    let mutants = crate::selftest::mutant_names();
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

/// The server suites (with `--suite` files) and the client scenarios, for the commands that
/// list them all; `None` when one could not be read (the message printed).
fn all_suites(extra: &[PathBuf], catalogue: &Catalogue) -> Option<Vec<Suite>> {
    let mut suites = load_suites(extra, catalogue)?;
    match crate::client_conformance::load_suites(&[], catalogue) {
        Ok(client) => suites.extend(client),
        Err(e) => {
            eprintln!("{e}");
            return None;
        }
    }
    Some(suites)
}

fn parse_mutants(names: &[String]) -> Result<Vec<Mutant>, String> {
    names.iter().map(|n| n.parse::<Mutant>()).collect()
}

fn parse_variants(names: &[String]) -> Result<Vec<Variant>, String> {
    names.iter().map(|n| n.parse::<Variant>()).collect()
}

fn print_out(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    if !s.ends_with('\n') {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
}
