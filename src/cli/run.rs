//! `authspec run`: the suites against a target (or the in-process reference server).

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::actions::TargetContext;
use crate::plan::{Planned, TargetPlan};
use crate::result::RunReport;
use crate::suite::Case;

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
    /// How many cases run at once: up to 4 always, more only while the answers the run holds
    /// are small. Whatever it is, at most 8 connections (HTTP/1.1) or 32 requests on one
    /// connection (HTTP/2) go to one origin at a time.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Per-request timeout in seconds (the whole exchange, body included).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// The bound on the whole run, in seconds: cases still running then end as `error` and the
    /// reports are written (default 600; none with --authorize manual).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub deadline: Option<u64>,
    #[command(flatten)]
    pub accept: AcceptArgs,
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

pub(super) async fn cmd_run(a: RunArgs) -> i32 {
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
    // An authorization server on its own: only the cases about it apply.
    let issuer_only =
        a.issuer.is_some() && a.target.is_none() && a.mutants.is_empty() && a.variants.is_empty();
    let (cases, baseline) = match output::cases_and_baseline(
        &suites,
        &selection,
        a.accept.baseline.as_ref(),
        a.accept.update_baseline,
        |c| !issuer_only || c.party == crate::vocab::Party::AuthorizationServer,
        ("case", "`authspec list` shows every case"),
    ) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // The reports need only the suites' titles and how many cases the level left out: the
    // loaded suites go now, so the run holds one copy of the cases.
    let titles = output::suite_titles(&suites);
    let more = suites
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| c.level > Level::Must && c.applies_to(spec))
        .count();
    drop(suites);
    let mutants = or_usage!(parse_mutants(&a.mutants));
    let variants = or_usage!(parse_variants(&a.variants));
    let auth = or_usage!(auth_options(&a.auth).await);
    let plan = TargetPlan {
        // Without a target, start the reference server in-process.
        target: if issuer_only {
            a.issuer.clone()
        } else {
            a.target.clone()
        },
        issuer: a.issuer.clone(),
        // The in-process server speaks https, so the https-only cases run too.
        reference: Config {
            mutants: mutants.iter().copied().collect(),
            variants: variants.iter().copied().collect(),
            tls: true,
            ..Config::default()
        },
        spec,
        timeout: Duration::from_secs(a.timeout),
        ca_cert: a.ca_cert.clone(),
        secrets: a.accept.secrets.clone(),
        auth,
        deadline: a.deadline.map(Duration::from_secs),
        jobs: a.jobs as usize,
        strict: a.strict,
        observers: true,
    };
    let Planned {
        ctx,
        server,
        jobs,
        notes,
    } = match plan.build().await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {}", e.message);
            return e.code;
        }
    };
    for n in notes {
        eprintln!("note: {n}");
    }
    // The run keeps the transcripts its outputs show, and no others.
    let transcripts = std::iter::once(a.format)
        .chain(a.reports.iter().map(|(kind, _)| *kind))
        .map(|f| f.reporter().transcripts(a.verbose))
        .max()
        .unwrap_or_default();
    let ctx = ctx.with_transcripts(transcripts);
    let report = run_with_progress(&cases, &ctx, &catalogue, jobs, level).await;
    say_what_cut_the_run(&report, &ctx);
    if let Some(s) = server {
        s.shutdown().await;
    }
    let out = output::Outputs {
        titles,
        catalogue: &catalogue,
        accept: &a.accept,
        baseline: baseline.as_ref(),
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

/// Runs the cases, with a progress bar where the terminal can show one.
async fn run_with_progress(
    cases: &[Case],
    ctx: &TargetContext,
    catalogue: &Catalogue,
    jobs: usize,
    level: Level,
) -> RunReport {
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
    let report = engine::run(cases, ctx, catalogue, jobs, level, &progress).await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report
}

/// Tells on stderr what cut the run short: the deadline, or endpoints that stalled.
fn say_what_cut_the_run(report: &RunReport, ctx: &TargetContext) {
    let cut = report
        .cases
        .iter()
        .filter(|c| c.message.starts_with(engine::DEADLINE_MESSAGE))
        .count();
    if let (Some(d), true) = (ctx.deadline, cut > 0) {
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
}
