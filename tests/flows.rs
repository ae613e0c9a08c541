//! The authorization drivers and the mock client against the reference server, and proof
//! that no secret the run saw reaches any report.

use authspec::actions::context::AuthOptions;
use authspec::actions::context::{Driver, Login};
use authspec::report::{console, json};
use authspec::requirements::Catalogue;
use authspec::result::Outcome;
use authspec::selftest;
use authspec::suite::{self, Case};
use authspec::vocab::SpecRevision;
use reference_server::{Config, Consent, FORM_PASSWORD, FORM_USERNAME};

fn cases(ids: &[&str]) -> Vec<Case> {
    selftest::embedded_cases_by_id(&Catalogue::embedded(), ids).expect("the cases exist")
}

const FLOW_CASES: &[&str] = &[
    "mcp/9/valid-token-works",
    "oauth21/4.1.3/code-single-use",
    "oauth21/4.1.2/state-returned",
    "pkce/4.6/wrong-verifier",
    "oauth21/4.3.1/refresh-rotated",
];

fn run(
    config: Config,
    auth: AuthOptions,
    ids: &[&str],
) -> (authspec::result::RunReport, Vec<String>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let catalogue = Catalogue::embedded();
    rt.block_on(selftest::run_configured(
        &cases(ids),
        config,
        auth,
        SpecRevision::DEFAULT,
        &catalogue,
        4,
    ))
    .expect("run")
}

fn assert_all(report: &authspec::result::RunReport, want: Outcome) {
    for c in &report.cases {
        assert_eq!(c.result, want, "{}: {} {:?}", c.id, c.message, c.findings);
    }
}

#[test]
fn form_driver_logs_in_and_consents() {
    let config = Config {
        consent: Consent::Form,
        ..Config::default()
    };
    let auth = AuthOptions {
        driver: Driver::Form,
        login: vec![
            Login::field("username", FORM_USERNAME),
            Login::field("password", FORM_PASSWORD),
        ],
        ..AuthOptions::default()
    };
    let (report, secrets) = run(config, auth, FLOW_CASES);
    assert_all(&report, Outcome::Pass);
    // The login password is a form field: it must not reach the transcript either.
    let text = json::render(&report);
    assert!(!text.contains(FORM_PASSWORD), "the form password leaked");
    assert!(!secrets.is_empty());
}

#[test]
fn auto_driver_does_not_judge_past_a_login_form_it_cannot_fill() {
    let config = Config {
        consent: Consent::Form,
        ..Config::default()
    };
    let (report, _) = run(config, AuthOptions::default(), FLOW_CASES);
    assert_all(&report, Outcome::NotJudged);
    assert!(
        report.cases[0].message.contains("login or consent page"),
        "{}",
        report.cases[0].message
    );
}

#[test]
fn command_driver_reads_the_redirect_from_the_command() {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("curl is not installed; .ci/run installs it");
        return;
    }
    let auth = AuthOptions {
        driver: Driver::Command("curl -s -o /dev/null -w '%{redirect_url}\\n'".into()),
        ..AuthOptions::default()
    };
    let (report, _) = run(Config::default(), auth, FLOW_CASES);
    assert_all(&report, Outcome::Pass);
}

#[test]
fn command_driver_failure_is_not_judged_not_a_fail() {
    let auth = AuthOptions {
        driver: Driver::Command("echo not-a-url #".into()),
        ..AuthOptions::default()
    };
    let (report, _) = run(Config::default(), auth, &["mcp/9/valid-token-works"]);
    assert_all(&report, Outcome::NotJudged);
    assert!(
        report.cases[0].message.contains("authorize-command"),
        "{}",
        report.cases[0].message
    );
}

#[test]
fn access_token_env_leaves_cases_that_need_a_code_not_judged() {
    let auth = AuthOptions {
        access_token: Some("authspec-outside-token-0123456789".into()),
        ..AuthOptions::default()
    };
    let (report, _) = run(
        Config::default(),
        auth,
        &["oauth21/4.1.3/code-single-use", "pkce/4.6/wrong-verifier"],
    );
    assert_all(&report, Outcome::NotJudged);
}

/// Every secret the harness saw (tokens, codes, verifiers, client secrets) is absent from every
/// report format of a full run.
#[test]
fn no_secret_reaches_any_report() {
    let catalogue = Catalogue::embedded();
    let suites = suite::load_embedded(&catalogue, &selftest::mutant_names()).expect("suites load");
    let all: Vec<Case> = suites
        .iter()
        .flat_map(|s| s.cases.iter().cloned())
        .filter(|c| c.applies_to(SpecRevision::DEFAULT))
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (report, secrets) = rt
        .block_on(selftest::run_configured(
            &all,
            Config::default(),
            AuthOptions::default(),
            SpecRevision::DEFAULT,
            &catalogue,
            8,
        ))
        .expect("run");
    assert!(
        secrets.len() > 20,
        "the run should have seen many secrets, saw {}",
        secrets.len()
    );
    let titles = suites
        .iter()
        .map(|s| (s.name.clone(), s.title.clone()))
        .collect();
    let outputs = [
        json::render(&report),
        console::render(
            &report,
            &titles,
            &catalogue,
            console::ConsoleOptions { verbosity: 2 },
        ),
    ];
    for out in outputs.iter().map(|o| unescape(o)) {
        for s in &secrets {
            if let Some(i) = out.find(s.as_str()) {
                let from = out[..i]
                    .char_indices()
                    .rev()
                    .nth(120)
                    .map(|(j, _)| j)
                    .unwrap_or(0);
                panic!("a secret reached a report, after: {}", &out[from..i]);
            }
        }
    }
}

#[test]
fn the_mock_client_walks_the_whole_flow() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_authspec"))
        .arg("demo")
        .env("NO_COLOR", "1")
        .output()
        .expect("demo runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for step in [
        "1. ✔",
        "5. ✔ Authorize with PKCE S256",
        "9. ✔ Refresh the access token",
        "refresh token rotated",
    ] {
        assert!(text.contains(step), "missing `{step}` in:\n{text}");
    }
    assert!(!text.contains("access_token="), "{text}");
}

/// Undoes HTML/XML character references, so an escaped secret (`&#95;` for `_`) still matches.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e < 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let ch = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
