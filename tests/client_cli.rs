//! `authspec client` end to end, as a user runs it: exit codes, reports, redaction.

use std::process::Command;

fn authspec() -> Command {
    Command::new(env!("CARGO_BIN_EXE_authspec"))
}

fn mock(mutant: Option<&str>) -> String {
    let bin = env!("CARGO_BIN_EXE_authspec");
    match mutant {
        Some(m) => format!("'{bin}' mock-client --mutant {m}"),
        None => format!("'{bin}' mock-client"),
    }
}

#[test]
fn conformant_client_exits_0_with_a_json_report_free_of_secrets() {
    let out = authspec()
        .args(["client", "--format", "json", "--command", &mock(None)])
        .output()
        .expect("authspec runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&text).expect("a JSON report");
    assert_eq!(report["summary"]["failed"], 0);
    assert!(report["cases"].as_array().is_some_and(|c| c.len() > 20));
    assert!(
        report["target"]
            .as_str()
            .is_some_and(|t| t.starts_with("client: "))
    );
    // Transcripts hold the traffic, with tokens, codes and verifiers redacted.
    assert!(text.contains("[redacted:"));
    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ").expect("regex");
    assert!(!jwt.is_match(&text), "a JWT reached the report");
    assert!(!text.contains("\"code_verifier\": \"") || !text.contains("code_verifier=\""));
}

#[test]
fn faulty_client_exits_1_and_names_the_scenario() {
    let out = authspec()
        .args([
            "client",
            "client/pkce/*",
            "--command",
            &mock(Some("client-no-pkce")),
        ])
        .output()
        .expect("authspec runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("client/pkce/s256"), "{text}");
}

#[test]
fn no_scenario_selected_exits_4() {
    let out = authspec()
        .args(["client", "client/nothing/*", "--command", &mock(None)])
        .output()
        .expect("authspec runs");
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn a_command_that_cannot_run_is_a_harness_error() {
    let out = authspec()
        .args([
            "client",
            "client/pkce/s256",
            "--timeout",
            "5",
            "--command",
            "/nonexistent/authspec-client",
        ])
        .output()
        .expect("authspec runs");
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_baseline_accepts_a_known_failure() {
    let dir = std::env::temp_dir().join(format!("authspec-client-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let baseline = dir.join("baseline.yaml");
    let run = |update: bool| {
        let mut c = authspec();
        c.args([
            "client",
            "client/pkce/s256",
            "--command",
            &mock(Some("client-no-pkce")),
            "--baseline",
        ])
        .arg(&baseline);
        if update {
            c.arg("--update-baseline");
        }
        c.output().expect("authspec runs")
    };
    assert_eq!(run(true).status.code(), Some(0));
    let text = std::fs::read_to_string(&baseline).expect("baseline written");
    assert!(text.contains("client/pkce/s256"), "{text}");
    assert_eq!(run(false).status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
