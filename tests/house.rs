//! The house rules, enforced: where a rule about the layout exists, a test fails when it is
//! broken (CONTRIBUTING.md explains each one).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use authspec::requirements::Catalogue;
use authspec::suite::{self, CLIENT_EMBEDDED, EMBEDDED};
use serde_json::Value;

/// Cases that name no mutant yet, each with why. A case listed here that gains a mutant must
/// leave the list (the test says so); a new server-side case may not join it.
const NO_MUTANT_YET: &[&str] = &[
    // Each needs a reference-server fault the catalogue does not have yet: a server that
    // advertises plain, accepts short or badly formed verifiers, lets its login page be
    // framed, or widens a refresh's resource beyond the grant.
    "rfc7636/7.2/plain-not-advertised",
    "pkce/4.1/verifier-too-short",
    "pkce/4.1/verifier-bad-charset",
    "oauth21/7.11/login-page-not-framable",
    "rfc8707/2.2/token-resource-within-grant",
    // The reference server issues JWTs by default; the opaque-token variant proves this case.
    "mcp/9.2/opaque-token-without-resource-refused",
];

/// Case-id prefixes that belong to the same spec as another prefix.
const SAME_SPEC: &[(&str, &str)] = &[("rfc7636", "pkce")];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn all_cases() -> Vec<suite::Case> {
    let catalogue = Catalogue::embedded();
    let mut suites = suite::load_embedded(&catalogue, &authspec::selftest::mutant_names())
        .expect("the embedded suites load");
    suites.extend(
        authspec::client_conformance::load_suites(&[], &catalogue).expect("client suites load"),
    );
    suites.into_iter().flat_map(|s| s.cases).collect()
}

#[test]
fn every_suite_file_is_embedded_and_every_embedded_file_exists() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join("suites"))
        .expect("suites/")
        .filter_map(|e| e.ok())
        .map(|e| format!("suites/{}", e.file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    let embedded: BTreeSet<String> = EMBEDDED
        .iter()
        .chain(CLIENT_EMBEDDED)
        .map(|(n, _)| n.to_string())
        .collect();
    let missing: Vec<_> = on_disk.difference(&embedded).collect();
    assert!(
        missing.is_empty(),
        "suite files not embedded (add them to EMBEDDED in src/suite/mod.rs): {missing:?}"
    );
    let gone: Vec<_> = embedded.difference(&on_disk).collect();
    assert!(gone.is_empty(), "embedded but not in suites/: {gone:?}");
}

#[test]
fn each_suite_file_holds_one_spec() {
    let mut by_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in all_cases() {
        let prefix = c.id.split('/').next().unwrap_or_default();
        let spec = SAME_SPEC
            .iter()
            .find(|(p, _)| *p == prefix)
            .map(|(_, s)| *s)
            .unwrap_or(prefix);
        by_file.entry(c.file).or_default().insert(spec.to_string());
    }
    let mixed: Vec<_> = by_file.iter().filter(|(_, s)| s.len() > 1).collect();
    assert!(
        mixed.is_empty(),
        "suite files that hold cases of several specs (move each case to its spec's file): {mixed:?}"
    );
}

#[test]
fn every_server_case_names_a_mutant() {
    let cases = all_cases();
    let lacking: Vec<&str> = cases
        .iter()
        .filter(|c| c.client.is_none() && c.mutants.is_empty())
        .map(|c| c.id.as_str())
        .filter(|id| !NO_MUTANT_YET.contains(id))
        .collect();
    assert!(
        lacking.is_empty(),
        "server-side cases with no mutant (add one in reference-server/src/mutant.rs and name it): {lacking:?}"
    );
    let stale: Vec<&&str> = NO_MUTANT_YET
        .iter()
        .filter(|id| cases.iter().any(|c| c.id == **id && !c.mutants.is_empty()))
        .collect();
    assert!(
        stale.is_empty(),
        "these cases name a mutant now: take them off NO_MUTANT_YET: {stale:?}"
    );
}

fn schema_properties(def: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("fixtures/schemas/suite.schema.json"))
        .expect("the suite schema");
    let schema: Value = serde_json::from_str(&text).expect("JSON");
    schema
        .pointer(&format!("/$defs/{def}/properties"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn the_suite_schema_knows_every_predicate_and_step_action() {
    let expectation = schema_properties("expectation");
    let missing: Vec<&&str> = authspec::checks::predicates_keywords()
        .iter()
        .filter(|k| !expectation.contains(**k))
        .collect();
    assert!(
        missing.is_empty(),
        "predicates missing from fixtures/schemas/suite.schema.json ($defs/expectation): {missing:?}"
    );
    let step = schema_properties("step");
    let missing: Vec<&str> = authspec::suite::actions::STEP_ACTIONS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| !step.contains(*k))
        .collect();
    assert!(
        missing.is_empty(),
        "step actions missing from fixtures/schemas/suite.schema.json ($defs/step): {missing:?}"
    );
}

/// The `use` lines of every Rust file under `dir`.
fn imports(dir: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root().join(dir)];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).expect("dir").flatten() {
                stack.push(e.path());
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&p).expect("source");
            for line in text.lines().filter(|l| l.contains("crate::")) {
                out.push((p.display().to_string(), line.trim().to_string()));
            }
        }
    }
    out
}

#[test]
fn no_import_runs_back_up() {
    // (folder, modules it must never name)
    let rules: &[(&str, &[&str])] = &[
        ("src/vocab.rs", &["crate::"]),
        ("src/transcript.rs", &["crate::"]),
        (
            "src/oauth",
            &["crate::suite", "crate::engine", "crate::actions"],
        ),
        (
            "src/checks",
            &["crate::suite", "crate::engine", "crate::actions"],
        ),
        (
            "src/suite",
            &[
                "crate::engine",
                "crate::actions",
                "crate::client_conformance",
            ],
        ),
        (
            "src/result",
            &["crate::http", "crate::report", "crate::engine"],
        ),
        (
            "src/report",
            &["crate::http", "crate::engine", "crate::actions"],
        ),
        (
            "src/actions",
            &["crate::engine", "crate::report", "crate::cli"],
        ),
        ("src/engine", &["crate::report", "crate::cli"]),
    ];
    let mut broken = Vec::new();
    for (dir, never) in rules {
        for (file, line) in imports(dir) {
            if line.starts_with("//") {
                continue;
            }
            for n in *never {
                if line.contains(n) {
                    broken.push(format!("{file}: {line}"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "imports that run back up: {broken:#?}");
}

#[test]
fn the_engine_stays_slim() {
    let mut lines = 0;
    for e in std::fs::read_dir(root().join("src/engine"))
        .expect("engine")
        .flatten()
    {
        lines += std::fs::read_to_string(e.path())
            .expect("source")
            .lines()
            .count();
    }
    assert!(
        lines < 1000,
        "src/engine/ has {lines} lines: protocol work belongs in src/actions/"
    );
}
