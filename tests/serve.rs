//! `authspec serve` as a separate process, and `authspec run` against it the way a user runs
//! them side by side: over TLS with `--ca-cert`, under every revision.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

/// A `serve` process; killed when dropped.
struct Served {
    child: Child,
    /// The lines it printed before serving: the MCP URL first.
    banner: Vec<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_authspec"))
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut banner = Vec::new();
        let mut lines = BufReader::new(stdout).lines();
        // The banner ends with the authorization server line, or the CA line under --tls.
        let tls = args.contains(&"--tls");
        for line in lines.by_ref() {
            let line = line.expect("banner line");
            let last = if tls {
                line.starts_with("CA certificate:")
            } else {
                line.starts_with("authorization server:")
            };
            banner.push(line);
            if last {
                break;
            }
        }
        Served { child, banner }
    }

    fn mcp_url(&self) -> &str {
        &self.banner[0]
    }

    fn value(&self, label: &str) -> Option<String> {
        self.banner
            .iter()
            .find_map(|l| l.strip_prefix(label))
            .map(|v| v.trim().to_owned())
    }
}

fn authspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authspec"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("the binary runs")
}

/// A run against `authspec serve` is complete but for the metadata-document cases: a server not
/// in its loopback test mode rightly does not fetch the documents authspec serves on
/// 127.0.0.1, so those cases are not judged (exit 5) and say what would reach them.
fn assert_complete_but_for_loopback_documents(spec: &str, code: Option<i32>, report: &Value) {
    let not_judged: Vec<&Value> = report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["result"] == "not_judged")
        .collect();
    for c in &not_judged {
        let (id, message) = (
            c["id"].as_str().unwrap_or(""),
            c["message"].as_str().unwrap_or(""),
        );
        assert!(
            id.starts_with("cimd/"),
            "{spec}: {id} not judged: {message}"
        );
        assert!(
            message.contains("--cimd-loopback"),
            "{spec}: {id}: {message}"
        );
    }
    let want = if not_judged.is_empty() { 0 } else { 5 };
    assert_eq!(code, Some(want), "{spec}: {}", report["summary"]);
}

#[test]
fn run_with_ca_cert_passes_against_serve_tls_under_every_revision() {
    let served = Served::start(&["--tls"]);
    let url = served.mcp_url().to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{:?}", served.banner);
    let ca = served
        .value("CA certificate:")
        .expect("the CA path is printed");
    assert!(std::fs::read_to_string(&ca).is_ok_and(|pem| pem.contains("BEGIN CERTIFICATE")));

    for spec in ["2026-07-28", "2025-11-25", "2025-06-18"] {
        let out = authspec(&[
            "run",
            "--target",
            &url,
            "--ca-cert",
            &ca,
            "--spec",
            spec,
            "--format",
            "json",
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        let report: Value = serde_json::from_str(&text).expect("a JSON report");
        let failing: Vec<String> = report["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| matches!(c["result"].as_str(), Some("fail" | "error")))
            .map(|c| format!("{} {}: {}", c["id"], c["result"], c["message"]))
            .collect();
        assert!(failing.is_empty(), "{spec}: {failing:#?}");
        assert_complete_but_for_loopback_documents(spec, out.status.code(), &report);
        // The https-only cases ran, rather than skipping as they do over plain http.
        let tls_cases: Vec<&Value> = report["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["id"].as_str().is_some_and(|id| id.starts_with("tls/")))
            .collect();
        assert!(!tls_cases.is_empty(), "{spec}");
        for c in tls_cases {
            assert_eq!(c["result"], "pass", "{spec}: {c}");
        }
    }

    // Without the CA the certificate is not trusted: nothing passes.
    let out = authspec(&["run", "--target", &url, "--format", "json"]);
    assert_ne!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report["summary"]["passed"], 0, "{}", report["summary"]);
    assert!(report["summary"]["errored"].as_u64() > Some(0));
}

#[test]
fn a_run_against_plain_serve_passes_skips_the_https_cases_and_is_audited() {
    let dir = std::env::temp_dir().join(format!("authspec-serve-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let audit = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&audit);
    let audit_arg = audit.display().to_string();
    let served = Served::start(&[
        "--audit-log",
        &audit_arg,
        "--client",
        "ops-client::http://127.0.0.1:9999/callback",
    ]);
    for spec in ["2026-07-28", "2025-11-25", "2025-06-18"] {
        let out = authspec(&[
            "run",
            "--target",
            served.mcp_url(),
            "--spec",
            spec,
            "--format",
            "json",
        ]);
        let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        assert_complete_but_for_loopback_documents(spec, out.status.code(), &report);
        for c in report["cases"].as_array().into_iter().flatten() {
            if c["id"].as_str().is_some_and(|id| id.starts_with("tls/")) {
                assert_eq!(c["result"], "skip", "{c}");
            }
        }
    }
    // The pre-registered client exists: it may start an authorization.
    let origin = url::Url::parse(served.mcp_url()).expect("url");
    let addr = format!(
        "{}:{}",
        origin.host_str().unwrap_or_default(),
        origin.port().unwrap_or_default()
    );
    let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
    let request = format!(
        "GET /authorize?response_type=code&client_id=ops-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A9999%2Fcallback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=s HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    std::io::Write::write_all(&mut stream, request.as_bytes()).expect("write");
    let mut reply = String::new();
    let _ = std::io::Read::read_to_string(&mut stream, &mut reply);
    assert!(reply.starts_with("HTTP/1.1 302"), "{reply}");
    drop(served);

    let text = std::fs::read_to_string(&audit).expect("the audit log was written");
    let mut lines = 0;
    for line in text.lines() {
        let event: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(event["event"].is_string(), "{line}");
        lines += 1;
    }
    assert!(lines > 50, "only {lines} audit lines");
    assert!(
        !text.contains("eyJ"),
        "a JWT-looking value is in the audit log"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_ca_file_without_a_certificate_is_refused() {
    let path = std::env::temp_dir().join(format!("authspec-not-a-ca-{}.pem", std::process::id()));
    std::fs::write(&path, "not a certificate\n").expect("write");
    let out = authspec(&["run", "--ca-cert", &path.display().to_string()]);
    let _ = std::fs::remove_file(&path);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no PEM certificate"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_missing_ca_file_is_a_usage_error() {
    let out = authspec(&["run", "--ca-cert", "/nonexistent/ca.pem"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/ca.pem"));
}

#[test]
fn the_brute_force_probe_runs_only_when_asked_for() {
    const ID: &str = "oauth21/2.4.1/client-secret-guessing-throttled";
    let ids = |out: &Output| -> Vec<String> {
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        report["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["id"].as_str().map(str::to_owned))
            .collect()
    };
    let by_glob = authspec(&["run", "oauth21/*", "--format", "json"]);
    assert!(!ids(&by_glob).contains(&ID.to_owned()));
    for args in [vec!["run", ID], vec!["run", "--tag", "load"]] {
        let mut args = args;
        args.extend(["--format", "json"]);
        let out = authspec(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        // The case alone, besides the run-wide rules every run reports.
        let own: Vec<String> = ids(&out)
            .into_iter()
            .filter(|id| !id.starts_with("run/"))
            .collect();
        assert_eq!(own, vec![ID.to_owned()], "{args:?}");
        let report: Value = serde_json::from_slice(&out.stdout).expect("report");
        let notes = report["cases"][0]["notes"].to_string();
        assert!(
            notes.contains("answered 429 after 10 identical attempts"),
            "{notes}"
        );
    }
}
