//! Client ID Metadata Documents end to end against the reference server: with dynamic
//! registration switched off, every flow case that passes with a dynamically registered
//! client also passes with a document client that authspec serves on loopback.

use std::collections::BTreeMap;

use authspec::actions::context::AuthOptions;
use authspec::requirements::Catalogue;
use authspec::result::Outcome;
use authspec::selftest;
use authspec::suite::Case;
use authspec::suite::model::Action;
use authspec::vocab::SpecRevision;
use reference_server::{Config, Mutant};

/// Whether a case obtains its client through `flow` alone (the path registration order
/// decides). Cases with a `register_client` step need dynamic registration itself; the one
/// flow case among them (a code redeemed by a second client) has its document counterpart in
/// `cimd/4.1/code-bound-to-document-client`.
fn uses_flow(case: &Case) -> bool {
    case.steps
        .iter()
        .any(|s| matches!(s.action, Action::Flow(_)))
        && !case
            .steps
            .iter()
            .any(|s| matches!(s.action, Action::RegisterClient(_)))
}

/// A flow whose registration asks for a shared secret cannot be a document client
/// (CIMD §4.1 forbids shared secrets), so it has no CIMD counterpart.
fn needs_shared_secret(case: &Case) -> bool {
    case.steps.iter().any(|s| match &s.action {
        Action::Flow(f) => f
            .register
            .get("token_endpoint_auth_method")
            .and_then(|v| v.as_str())
            .is_some_and(|m| m.starts_with("client_secret")),
        _ => false,
    })
}

fn results(config: Config, cases: &[Case]) -> BTreeMap<String, (Outcome, String, Vec<String>)> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let catalogue = Catalogue::embedded();
    let mut out = BTreeMap::new();
    for rev in SpecRevision::ALL {
        let group: Vec<Case> = cases
            .iter()
            .filter(|c| selftest::revision_for(c) == rev)
            .cloned()
            .collect();
        if group.is_empty() {
            continue;
        }
        let (report, _) = rt
            .block_on(selftest::run_configured(
                &group,
                config.clone(),
                AuthOptions::default(),
                rev,
                &catalogue,
                4,
            ))
            .expect("run");
        for c in report.cases {
            out.insert(c.id, (c.result, c.message, c.notes));
        }
    }
    out
}

#[test]
fn every_flow_case_passing_with_dcr_passes_with_cimd_alone() {
    let catalogue = Catalogue::embedded();
    let cases: Vec<Case> = selftest::embedded_cases(&catalogue)
        .expect("cases")
        .into_iter()
        .filter(|c| uses_flow(c) && !needs_shared_secret(c))
        .collect();
    assert!(cases.len() >= 50, "only {} flow cases", cases.len());
    // Dynamic registration: the server advertises documents but never fetches them, so the
    // flows fall back to registering (the mutant touches nothing else).
    let dcr = results(Config::with_mutant(Mutant::CimdDocumentIgnored), &cases);
    // Documents only: no registration endpoint at all.
    let cimd = results(
        Config {
            without_registration: true,
            ..Config::default()
        },
        &cases,
    );
    let mut compared = 0;
    for (id, (outcome, _, notes)) in &dcr {
        if *outcome != Outcome::Pass {
            continue;
        }
        assert!(
            !notes
                .iter()
                .any(|n| n.contains("Client ID Metadata Document http")),
            "{id} used a document in the registration run: {notes:?}"
        );
        let (with_cimd, message, notes) = &cimd[id];
        assert_eq!(
            *with_cimd,
            Outcome::Pass,
            "{id} passes with dynamic registration but not with a document client: {message} {notes:?}"
        );
        assert!(
            notes
                .iter()
                .any(|n| n.contains("Client ID Metadata Document")),
            "{id} did not use a document client: {notes:?}"
        );
        compared += 1;
    }
    assert!(compared >= 50, "only {compared} flow cases compared");
}

/// With no way to obtain a client, authspec cannot get to the flow: the case is not judged, and
/// the message names what would reach it.
#[test]
fn without_documents_or_registration_flows_are_not_judged_and_name_the_command() {
    let catalogue = Catalogue::embedded();
    let cases =
        selftest::embedded_cases_by_id(&catalogue, &["pkce/4.6/wrong-verifier"]).expect("case");
    let config = Config {
        without_registration: true,
        mutants: [Mutant::CimdDocumentIgnored].into(),
        ..Config::default()
    };
    let got = results(config, &cases);
    let (outcome, message, _) = &got["pkce/4.6/wrong-verifier"];
    assert_eq!(*outcome, Outcome::NotJudged, "{message}");
    assert!(message.contains("--client-id"), "{message}");
    assert!(message.contains("authspec client-metadata"), "{message}");
}

fn authspec(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_authspec"))
        .args(args)
        .output()
        .expect("authspec runs")
}

#[test]
fn a_plain_http_document_url_is_a_usage_error() {
    let out = authspec(&[
        "run",
        "--client-metadata-url",
        "http://app.example/client.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("must use https"), "{err}");
}

#[test]
fn client_metadata_prints_the_document_to_host() {
    let out = authspec(&[
        "client-metadata",
        "--redirect-uri",
        "http://127.0.0.1:8976/callback",
        "--name",
        "My probe",
        "--url",
        "https://app.example/authspec/client.json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["client_id"], "https://app.example/authspec/client.json");
    assert_eq!(doc["client_name"], "My probe");
    assert_eq!(doc["redirect_uris"][0], "http://127.0.0.1:8976/callback");
    assert_eq!(doc["token_endpoint_auth_method"], "none");
    let bad = authspec(&[
        "client-metadata",
        "--redirect-uri",
        "http://127.0.0.1:8976/callback",
        "--url",
        "https://app.example",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}
