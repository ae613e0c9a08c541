//! Every case against the reference server (it must pass), and every (case, mutant) pair the
//! case names (it must fail or warn). One libtest-mimic trial each, named by the stable ids.

use authspec::requirements::Catalogue;
use authspec::result::Outcome;
use authspec::selftest;
use authspec::suite::{self, Case};
use authspec::vocab::SpecRevision;
use libtest_mimic::{Arguments, Failed, Trial};
use reference_server::Mutant;

fn run_one(case: &Case, mutant: Option<Mutant>) -> Result<Outcome, Failed> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failed::from(e.to_string()))?;
    let catalogue = Catalogue::embedded();
    let report = rt
        .block_on(selftest::run_cases(
            std::slice::from_ref(case),
            mutant,
            selftest::revision_for(case),
            &catalogue,
            1,
        ))
        .map_err(Failed::from)?;
    let result = report
        .cases
        .first()
        .ok_or_else(|| Failed::from("the case produced no result"))?;
    let detail = || {
        let findings: Vec<String> = result
            .findings
            .iter()
            .map(|f| format!("{}: expected {}, actual {}", f.check, f.expected, f.actual))
            .collect();
        format!(
            "{} — {} {}",
            result.result.as_str(),
            result.message,
            findings.join("; ")
        )
    };
    match (mutant, result.result) {
        _ if selftest::as_expected(case, mutant, result.result) => Ok(result.result),
        (None, _) => Err(format!(
            "expected pass against the reference server, got {}",
            detail()
        )
        .into()),
        (Some(m), _) => Err(format!(
            "mutant {m} must make this case fail or warn, got {}",
            detail()
        )
        .into()),
    }
}

fn run_observers(cases: &[Case], mutant: Option<Mutant>, spec: SpecRevision) -> Result<(), Failed> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failed::from(e.to_string()))?;
    let catalogue = Catalogue::embedded();
    let report = rt
        .block_on(selftest::run_observed_under(
            cases, mutant, spec, &catalogue, 8,
        ))
        .map_err(Failed::from)?;
    let wrong: Vec<String> = report
        .cases
        .iter()
        .filter(|r| r.id.starts_with("run/"))
        .filter(|r| !selftest::observer_as_expected(&r.id, mutant, r.result))
        .map(|r| format!("{} {}: {}", r.id, r.result.as_str(), r.message))
        .collect();
    let rules = report
        .cases
        .iter()
        .filter(|r| r.id.starts_with("run/"))
        .count();
    if rules == 0 {
        return Err("the run reported no run-wide rule".into());
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let catalogue = Catalogue::embedded();
    let names = selftest::mutant_names();
    let suites = match suite::load_embedded(&catalogue, &names) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(101);
        }
    };
    let mut trials = Vec::new();
    for case in suites.iter().flat_map(|s| s.cases.iter()) {
        let c = case.clone();
        trials.push(
            Trial::test(format!("reference::{}", case.id), move || {
                run_one(&c, None).map(|_| ())
            })
            .with_kind(case.level.as_str()),
        );
        for m in &case.mutants {
            let Some(mutant) = Mutant::from_name(m) else {
                continue;
            };
            let c = case.clone();
            trials.push(
                Trial::test(format!("mutant::{m}::{}", case.id), move || {
                    run_one(&c, Some(mutant)).map(|_| ())
                })
                .with_kind(case.level.as_str()),
            );
        }
    }
    // The run-wide rules: clean against the plain server, caught under each of their mutants.
    let all: Vec<Case> = suites.iter().flat_map(|s| s.cases.clone()).collect();
    for mutant in std::iter::once(None).chain(selftest::observer_mutants().into_iter().map(Some)) {
        let all = all.clone();
        let label = mutant.map(Mutant::name).unwrap_or("reference");
        trials.push(Trial::test(format!("observers::{label}"), move || {
            run_observers(&all, mutant, SpecRevision::DEFAULT)
        }));
    }
    // The rules hold under the earlier revisions too; the schema rule judges by each
    // revision's own schema, so its mutant is shown under each.
    let schema_mutant = Mutant::from_name("rs-tool-snake-case-schema");
    for spec in SpecRevision::ALL
        .into_iter()
        .filter(|s| *s != SpecRevision::DEFAULT)
    {
        for mutant in [None, schema_mutant] {
            let all = all.clone();
            let label = mutant.map(Mutant::name).unwrap_or("reference");
            trials.push(Trial::test(
                format!("observers::{label}::{spec}"),
                move || run_observers(&all, mutant, spec),
            ));
        }
    }
    // A mutant no case and no run-wide rule names is a rule nothing proves is checked.
    let observed = selftest::observer_mutants();
    for m in Mutant::ALL {
        let named = observed.contains(m)
            || suites
                .iter()
                .flat_map(|s| &s.cases)
                .any(|c| c.mutants.iter().any(|x| x == m.name()));
        let name = m.name();
        trials.push(Trial::test(format!("mutant-named::{name}"), move || {
            if named {
                Ok(())
            } else {
                Err(format!("no case names mutant {name}").into())
            }
        }));
    }
    if suites.iter().all(|s| s.cases.is_empty()) {
        trials.push(Trial::test("suites-found", || {
            Err("no case was discovered".into())
        }));
    }
    trials.sort_by(|a, b| a.name().cmp(b.name()));
    libtest_mimic::run(&args, trials).exit();
}
