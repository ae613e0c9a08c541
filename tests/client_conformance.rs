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
                if r.result == Outcome::Pass {
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
                        if r.result == Outcome::Pass {
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
    if let Some(first) = cases.first() {
        trials.extend(safety_trials(first.clone()));
    }
    libtest_mimic::run(&args, trials).exit();
}
