//! Client conformance checks itself: the mock client (the real binary, run as `authspec
//! mock-client` the way `authspec client --command` runs any client) passes every client
//! scenario, and every (scenario, client mutant) pair the scenario names fails or warns. Plus
//! the safety of running a client: a hanging client and its children are killed at the
//! deadline, and a command that cannot run is an error, never a verdict.

use std::time::{Duration, Instant};

use authspec::client_conformance::{self, ClientOptions, mock};
use authspec::requirements::Catalogue;
use authspec::result::Outcome;
use authspec::suite::model::Case;
use authspec::vocab::SpecRevision;
use libtest_mimic::{Arguments, Failed, Trial};

fn mock_command(mutant: Option<&str>) -> String {
    let bin = env!("CARGO_BIN_EXE_authspec");
    match mutant {
        Some(m) => format!("'{bin}' mock-client --mutant {m}"),
        None => format!("'{bin}' mock-client"),
    }
}

fn variant_command(variant: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_authspec");
    format!("'{bin}' mock-client --variant {variant}")
}

/// A conformant variant of the mock client, under one revision it claims: every scenario of
/// that revision passes or skips (the variant's choice made it not apply). A scenario not
/// judged is named with its reason, so it is never a silent pass.
fn variant_trials(cases: &[Case]) -> Vec<Trial> {
    let mut trials = Vec::new();
    for v in mock::ClientVariant::ALL {
        for rev in v.revisions() {
            let Some(spec) = SpecRevision::parse(rev) else {
                continue;
            };
            for case in cases.iter().filter(|c| c.applies_to(spec)) {
                let c = case.clone();
                let name = v.name();
                trials.push(
                    Trial::test(format!("variant::{name}::{rev}::{}", c.id), move || {
                        let r = run_under(&c, variant_command(name), 20, spec)?;
                        let allowed = matches!(r.result, Outcome::Pass | Outcome::Skip)
                            || (r.result == Outcome::NotJudged
                                && name == "cimd-own-url"
                                && c.id == "client/cimd/redirect-listed");
                        if allowed {
                            Ok(())
                        } else {
                            Err(format!("expected pass or skip, got {}", detail(&r)).into())
                        }
                    })
                    .with_kind(case.level.as_str()),
                );
            }
        }
    }
    trials
}

/// The default mock client registers dynamically: the metadata-document scenarios skip for it
/// (their `requires`), and the `cimd-first` variant proves they pass. Every other scenario
/// passes.
fn default_mock_ok(case: &Case, r: &authspec::result::CaseResult) -> bool {
    r.result == Outcome::Pass || (r.result == Outcome::Skip && case.id.starts_with("client/cimd/"))
}

fn revision_for(case: &Case) -> SpecRevision {
    if case.applies_to(SpecRevision::DEFAULT) {
        SpecRevision::DEFAULT
    } else {
        SpecRevision::V2025_11_25
    }
}

fn run_one(
    case: &Case,
    command: String,
    timeout: u64,
) -> Result<authspec::result::CaseResult, Failed> {
    run_under(case, command, timeout, revision_for(case))
}

fn run_under(
    case: &Case,
    command: String,
    timeout: u64,
    spec: SpecRevision,
) -> Result<authspec::result::CaseResult, Failed> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failed::from(e.to_string()))?;
    let opts = ClientOptions {
        command,
        spec,
        timeout: Duration::from_secs(timeout),
        jobs: 1,
        secrets: Vec::new(),
        documents: Vec::new(),
    };
    let catalogue = Catalogue::embedded();
    Ok(rt.block_on(client_conformance::run_case(case, &opts, &catalogue)))
}

fn detail(r: &authspec::result::CaseResult) -> String {
    let findings: Vec<String> = r
        .findings
        .iter()
        .map(|f| format!("{}: expected {}, actual {}", f.check, f.expected, f.actual))
        .collect();
    format!(
        "{} — {} {} | {}",
        r.result.as_str(),
        r.message,
        findings.join("; "),
        r.notes.join(" | ")
    )
}

fn safety_trials(case: Case) -> Vec<Trial> {
    let hanging = case.clone();
    let missing = case;
    vec![
        Trial::test("safety::hanging-client-killed-at-deadline", move || {
            let started = Instant::now();
            // The child keeps a grandchild that holds the output pipes open.
            let r = run_one(&hanging, "sh -c 'sleep 60 & sleep 60' --".into(), 1)?;
            if started.elapsed() > Duration::from_secs(5) {
                return Err(format!("the client ran {:?}", started.elapsed()).into());
            }
            if !matches!(r.result, Outcome::Error | Outcome::Fail) {
                return Err(format!("a hanging client got {}", detail(&r)).into());
            }
            if !r.notes.iter().any(|n| n.contains("killed")) {
                return Err(format!("no note says the client was killed: {}", detail(&r)).into());
            }
            Ok(())
        }),
        Trial::test("safety::missing-command-is-not-a-verdict", move || {
            let r = run_one(&missing, "/nonexistent/authspec-no-such-client".into(), 5)?;
            if r.result == Outcome::Pass {
                return Err(format!("a client that never ran passed: {}", detail(&r)).into());
            }
            Ok(())
        }),
    ]
}

fn main() {
    let args = Arguments::from_args();
    let catalogue = Catalogue::embedded();
    let suites = match client_conformance::load_suites(&[], &catalogue) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(101);
        }
    };
    let cases: Vec<Case> = suites.into_iter().flat_map(|s| s.cases).collect();
    let mut trials = Vec::new();
    for case in &cases {
        let c = case.clone();
        trials.push(
            Trial::test(format!("mock-client::{}", case.id), move || {
                let r = run_one(&c, mock_command(None), 20)?;
                if default_mock_ok(&c, &r) {
                    Ok(())
                } else {
                    Err(format!("expected pass, got {}", detail(&r)).into())
                }
            })
            .with_kind(case.level.as_str()),
        );
        for rev in [SpecRevision::V2025_11_25, SpecRevision::V2025_06_18] {
            if !case.applies_to(rev) {
                continue;
            }
            let c = case.clone();
            trials.push(
                Trial::test(
                    format!("mock-client-{}::{}", rev.as_str(), case.id),
                    move || {
                        let r = run_under(&c, mock_command(None), 20, rev)?;
                        if default_mock_ok(&c, &r) {
                            Ok(())
                        } else {
                            Err(format!("expected pass, got {}", detail(&r)).into())
                        }
                    },
                )
                .with_kind(case.level.as_str()),
            );
        }
        for m in &case.mutants {
            let c = case.clone();
            let m = m.clone();
            trials.push(
                Trial::test(format!("mutant::{m}::{}", case.id), move || {
                    let r = run_one(&c, mock_command(Some(&m)), 20)?;
                    if matches!(r.result, Outcome::Fail | Outcome::Warn) {
                        Ok(())
                    } else {
                        Err(format!(
                            "mutant {m} must make this scenario fail or warn, got {}",
                            detail(&r)
                        )
                        .into())
                    }
                })
                .with_kind(case.level.as_str()),
            );
        }
    }
    // A mutant no scenario names is a fault nothing proves is caught.
    let unnamed: Vec<&str> = mock::ClientMutant::ALL
        .iter()
        .map(|m| m.name())
        .filter(|n| !cases.iter().any(|c| c.mutants.iter().any(|m| m == n)))
        .collect();
    trials.push(Trial::test("every-client-mutant-is-named", move || {
        if unnamed.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "client mutants named by no scenario: {}",
                unnamed.join(", ")
            )
            .into())
        }
    }));
    trials.extend(variant_trials(&cases));
    if let Some(first) = cases.first() {
        trials.extend(safety_trials(first.clone()));
    }
    libtest_mimic::run(&args, trials).exit();
}
