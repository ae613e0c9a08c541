//! What `run` and `client` share once the cases have run: the baseline, the report files, the
//! report on stdout, the GitHub job summary and annotations, and the exit code.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use super::{Format, RunContext, print_out};
use crate::http::Redactor;
use crate::report::baseline::Baseline;
use crate::report::{self, ReportContext, Reporter, console};
use crate::requirements::Catalogue;
use crate::result::{self, RunReport, exit};
use crate::suite::select::{Selection, select};
use crate::suite::{Case, Suite};

/// The cases `selection` picks from `suites`, or the usage exit code (the message printed).
pub(super) fn select_cases(suites: &[Suite], selection: &Selection) -> Result<Vec<Case>, i32> {
    select(suites, selection).map_err(|e| {
        eprintln!("error: {e}");
        exit::USAGE
    })
}

/// The selected cases and the baseline, as `run` and `client` both settle them before a run;
/// `Err` carries the exit code, the message already printed. `what` names a case in the
/// "nothing selected" message (("case", hint)).
pub(super) fn cases_and_baseline(
    suites: &[Suite],
    selection: &Selection,
    baseline: Option<&PathBuf>,
    update: bool,
    keep: impl Fn(&Case) -> bool,
    (what, hint): (&str, &str),
) -> Result<(Vec<Case>, Option<Baseline>), i32> {
    let mut cases = select_cases(suites, selection)?;
    cases.retain(|c| keep(c));
    let baseline = load_baseline(baseline, update, suites)?;
    if cases.is_empty() {
        eprintln!(
            "error: no {what} selected (level {}, MCP {}; {hint})",
            selection.level, selection.spec
        );
        return Err(exit::NO_CASES);
    }
    Ok((cases, baseline))
}

/// Reads the `--baseline` file (unless it is about to be written for the first time), checking
/// its ids against every case of `suites`. `Err` carries the exit code, the message already
/// printed.
pub(super) fn load_baseline(
    path: Option<&PathBuf>,
    update: bool,
    suites: &[Suite],
) -> Result<Option<Baseline>, i32> {
    let known: Vec<&str> = suites
        .iter()
        .flat_map(|s| &s.cases)
        .map(|c| c.id.as_str())
        .collect();
    let known = known.as_slice();
    match path {
        Some(path) if path.exists() || !update => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: cannot read the baseline {}: {e}", path.display());
                    return Err(exit::USAGE);
                }
            };
            match report::baseline::parse(&path.display().to_string(), &text, known) {
                Ok(b) => Ok(Some(b)),
                Err(errors) => {
                    for e in errors {
                        eprint!("{e}");
                    }
                    Err(exit::USAGE)
                }
            }
        }
        _ => Ok(None),
    }
}

/// Each suite's title by its name: all the reports need of the suites once the cases are
/// chosen, so that a run does not hold the loaded suites beside the cases it runs.
pub(super) fn suite_titles(suites: &[Suite]) -> BTreeMap<String, String> {
    suites
        .iter()
        .map(|s| (s.name.clone(), s.title.clone()))
        .collect()
}

/// How a finished run is reported.
pub(super) struct Outputs<'a> {
    /// Each suite's title by its name (the suites themselves are gone by then: see
    /// [`suite_titles`]).
    pub titles: BTreeMap<String, String>,
    pub catalogue: &'a Catalogue,
    /// `--baseline`, `--update-baseline`, `--allow-stale`.
    pub accept: &'a super::AcceptArgs,
    pub baseline: Option<&'a Baseline>,
    pub reports: &'a [(Format, PathBuf)],
    pub format: Format,
    pub verbose: u8,
    /// SHOULD/MAY cases left out by the level, when the console ought to say so.
    pub unrun_levels: Option<usize>,
    /// Scrubs every output one last time.
    pub redactor: &'a Redactor,
}

/// Applies the baseline, writes every report and returns the exit code.
pub(super) fn finish(report: RunReport, o: &Outputs<'_>) -> i32 {
    let titles = &o.titles;
    let mut report = report;
    if let Some(b) = o.baseline {
        let applied = report::baseline::apply(&mut report, b);
        if !applied.stale.is_empty() && !o.accept.allow_stale {
            eprintln!(
                "error: {} stale baseline entr{} (the case passes now): {}",
                applied.stale.len(),
                if applied.stale.len() == 1 { "y" } else { "ies" },
                applied.stale.join(", ")
            );
        }
    }
    let mut code = result::exit_code_with(&report, o.accept.allow_stale);
    if o.accept.update_baseline {
        let Some(path) = o.accept.baseline.as_ref() else {
            eprintln!("error: --update-baseline needs --baseline FILE");
            return exit::USAGE;
        };
        let text = report::baseline::render_update(&report, o.baseline);
        match std::fs::write(path, &text) {
            Ok(()) => {
                let entries = text.lines().filter(|l| l.starts_with("- id:")).count();
                eprintln!("wrote the baseline {} ({entries} entries)", path.display());
                // The run is judged against the baseline just written.
                let known: Vec<&str> = report.cases.iter().map(|c| c.id.as_str()).collect();
                if let Ok(b) = report::baseline::parse(&path.display().to_string(), &text, &known) {
                    report::baseline::apply(&mut report, &b);
                }
                code = result::exit_code_with(&report, true);
            }
            Err(e) => {
                eprintln!("error: cannot write the baseline {}: {e}", path.display());
                code = code.max(exit::RUNTIME);
            }
        }
    }
    let json_hint = o
        .reports
        .iter()
        .find(|(k, _)| k.is(&report::json::Json))
        .map(|(_, p)| p.display().to_string());
    let cx = ReportContext {
        json_hint: json_hint.as_deref(),
        console: console::ConsoleOptions {
            verbosity: o.verbose,
        },
        unrun_levels: o.unrun_levels.unwrap_or(0),
        ..ReportContext::new(titles, o.catalogue)
    };
    let render = |reporter: &dyn Reporter, color: bool| -> String {
        let text = reporter.render(&report, &ReportContext { color, ..cx });
        // Every sink gets a last pass over the whole output.
        o.redactor.scrub(&text)
    };
    let env = RunContext::from_env();
    for (kind, path) in o.reports {
        if path.as_os_str() == "-" {
            continue;
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = std::fs::write(path, render(kind.reporter(), false)) {
            eprintln!(
                "error: cannot write the {} report to {}: {e}",
                kind.reporter().kind(),
                path.display()
            );
            code = code.max(exit::RUNTIME);
        }
    }
    let stdout_kind = o
        .reports
        .iter()
        .find(|(_, p)| p.as_os_str() == "-")
        .map(|(k, _)| *k)
        .unwrap_or(o.format);
    let stdout_is_console = stdout_kind.is(&console::Console);
    print_out(&render(stdout_kind.reporter(), env.color));
    // The job summary GitHub shows on the run page.
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()) {
        let text = render(&report::markdown::Markdown, false);
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&summary)
            .and_then(|mut f| f.write_all(text.as_bytes()));
        if let Err(e) = appended {
            eprintln!("note: cannot append to $GITHUB_STEP_SUMMARY: {e}");
        }
    }
    if env.github_actions {
        // Workflow commands; on stderr when stdout carries a machine-readable report.
        for line in report::annotations(&report) {
            if stdout_is_console {
                println!("{line}");
            } else {
                eprintln!("{line}");
            }
        }
    }
    code
}
