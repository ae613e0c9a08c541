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

/// SIGTERM to `authspec client`: the client's whole process group ends, and the reports are
/// written, with the unfinished scenario not judged.
#[cfg(unix)]
#[test]
fn sigterm_ends_the_clients_and_flushes_the_reports() {
    use std::time::{Duration, Instant};
    let dir = std::env::temp_dir().join(format!("authspec-client-term-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pids = dir.join("pids");
    let report = dir.join("report.json");
    // A client that leaves a grandchild behind, and says where it is.
    let command = format!(
        "sh -c 'sleep 60 & echo $! >> {p}; echo $$ >> {p}; wait' --",
        p = pids.display()
    );
    let mut child = authspec()
        .args([
            "client",
            "client/pkce/s256",
            "--timeout",
            "120",
            "--command",
        ])
        .arg(&command)
        .arg("--report")
        .arg(format!("json={}", report.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("authspec runs");
    let started = Instant::now();
    while std::fs::read_to_string(&pids).map_or(true, |t| t.lines().count() < 2) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the client never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "authspec did not end on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_ne!(status.code(), Some(0));
    let text = std::fs::read_to_string(&report).expect("the JSON report was written");
    let json: serde_json::Value = serde_json::from_str(&text).expect("a JSON report");
    assert_eq!(json["cases"][0]["result"], "not_judged", "{text}");
    assert!(text.contains("interrupted (SIGTERM)"), "{text}");
    // Every process of the client's group is gone (or a zombie waiting for its reaper).
    std::thread::sleep(Duration::from_millis(300));
    for pid in std::fs::read_to_string(&pids).expect("pids").lines() {
        let out = Command::new("ps")
            .args(["-o", "stat=", "-p", pid.trim()])
            .output()
            .expect("ps runs");
        let stat = String::from_utf8_lossy(&out.stdout);
        assert!(
            stat.trim().is_empty() || stat.trim().starts_with('Z'),
            "process {pid} of the client still runs ({stat})"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A flow that dies at an answer of the authorization server: the verdict quotes that answer.
#[test]
fn a_flow_that_dies_at_the_authorization_server_quotes_its_answer() {
    let out = authspec()
        .args([
            "client",
            "client/discovery/metadata-default",
            "--format",
            "json",
            "--command",
            &mock(Some("client-cimd-redirect-unlisted")),
        ])
        .output()
        .expect("authspec runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&text).expect("a JSON report");
    let message = report["cases"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("the flow stopped at GET /authorize → HTTP 400: Authorization error"),
        "{message}"
    );
    assert!(
        message.contains("redirect_uri is not registered"),
        "{message}"
    );
    let notes = report["cases"][0]["notes"].to_string();
    assert!(
        notes.contains("read from the document the run was given"),
        "{notes}"
    );
}

/// The client's own metadata document, given with --client-metadata, is read for its URL.
#[test]
fn the_clients_own_document_is_read_instead_of_fetched() {
    let dir = std::env::temp_dir().join(format!("authspec-client-doc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let doc = dir.join("client.json");
    std::fs::write(
        &doc,
        serde_json::json!({
            "client_id": "https://mcp-client.example/oauth/client-metadata.json",
            "client_name": "own",
            "redirect_uris": ["http://127.0.0.1/callback"],
            "token_endpoint_auth_method": "none",
        })
        .to_string(),
    )
    .expect("write");
    let bin = env!("CARGO_BIN_EXE_authspec");
    let out = authspec()
        .args(["client", "client/cimd/*", "--format", "json", "--command"])
        .arg(format!("'{bin}' mock-client --variant cimd-own-url"))
        .arg("--client-metadata")
        .arg(&doc)
        .output()
        .expect("authspec runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&text).expect("a JSON report");
    let redirect = report["cases"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "client/cimd/redirect-listed"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(redirect["result"], "pass", "{redirect}");
    let _ = std::fs::remove_dir_all(&dir);
}
