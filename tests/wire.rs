//! The MCP wire models as the harness speaks them, seen from a scripted target: what a
//! 2026-07-28 request and a 2025 session look like on the wire, and what a broken answer to the
//! 2026-07-28 hello makes of a run (a finding or an error, never a hang, and a report).

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "authspec-wire-test-token-3b8f0c";

fn run(target: String, extra: &[&str]) -> Output {
    let mut args = vec![
        "run".to_string(),
        "--target".into(),
        target,
        "--format".into(),
        "json".into(),
        "--timeout".into(),
        "2".into(),
        "--access-token-env".into(),
        "AUTHSPEC_WIRE_TOKEN".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    Command::new(env!("CARGO_BIN_EXE_authspec"))
        .args(&args)
        .env("AUTHSPEC_WIRE_TOKEN", TOKEN)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("the binary runs")
}

async fn run_async(target: String, extra: &'static [&'static str]) -> Output {
    tokio::task::spawn_blocking(move || run(target, extra))
        .await
        .expect("join")
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON report ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The body of every POST the harness sent with the token, parsed.
async fn authenticated_posts(server: &MockServer) -> Vec<(Request, Value)> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| {
            r.method.as_str() == "POST"
                && r.headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.ends_with(TOKEN))
        })
        .filter_map(|r| {
            let body = serde_json::from_slice(&r.body).ok()?;
            Some((r, body))
        })
        .collect()
}

fn header_of<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Under 2026-07-28 every request carries its version in a header and in `_meta`, names its
/// method (and tool) in headers, and no request is `initialize` or carries a session.
#[tokio::test(flavor = "multi_thread")]
async fn the_2026_wire_model_is_stateless_and_mirrored() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let out = run_async(format!("{}/mcp", server.uri()), &["--level", "may"]).await;
    report(&out);
    let posts = authenticated_posts(&server).await;
    assert!(!posts.is_empty(), "no authenticated MCP request was sent");
    for (r, body) in &posts {
        let method = body["method"].as_str().unwrap_or_default();
        if method == "initialize" {
            // Only the probe of how a server treats a 2025 client (versioning §4), which is a
            // plain 2025 initialize: no modern header, no _meta.
            assert!(header_of(r, "mcp-protocol-version").is_none(), "{body}");
            assert!(body["params"].get("_meta").is_none(), "{body}");
            continue;
        }
        // Only the probe that a stale session id is ignored (streamable HTTP §7.1) sends one.
        let session = header_of(r, "mcp-session-id");
        assert!(
            matches!(session, None | Some("authspec-stale-session")),
            "{body}"
        );
        let meta = &body["params"]["_meta"];
        let version = meta["io.modelcontextprotocol/protocolVersion"].as_str();
        // Probes of the wire rules change the version on purpose; the hello never does.
        if method == "server/discover" {
            assert_eq!(
                header_of(r, "mcp-protocol-version"),
                Some("2026-07-28"),
                "{body}"
            );
            assert_eq!(version, Some("2026-07-28"), "{body}");
        }
        if let Some(m) = header_of(r, "mcp-method")
            && m == method
            && method == "tools/call"
        {
            assert!(header_of(r, "mcp-name").is_some(), "{body}");
        }
    }
    assert!(
        posts.iter().any(|(_, b)| b["method"] == "server/discover"
            && b["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"].is_object()
            && b["params"]["_meta"]["io.modelcontextprotocol/clientInfo"]["name"] == "authspec"),
        "no complete server/discover hello was sent"
    );
}

/// Under 2025-11-25 an authenticated request is preceded by initialize; later requests carry the
/// session and the version the server chose, not the `--spec` value.
#[tokio::test(flavor = "multi_thread")]
async fn the_2025_wire_model_opens_a_session_and_uses_the_negotiated_version() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/mcp"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(wiremock::matchers::body_partial_json(
            serde_json::json!({"method": "initialize"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Mcp-Session-Id", "session-42")
                .set_body_json(serde_json::json!({
                    "jsonrpc": "2.0", "id": 1,
                    "result": {"protocolVersion": "2025-06-18", "capabilities": {},
                               "serverInfo": {"name": "s", "version": "1"}}
                })),
        )
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let out = run_async(
        format!("{}/mcp", server.uri()),
        &["--spec", "2025-11-25", "--level", "may"],
    )
    .await;
    let report = report(&out);
    assert!(
        report["wire"]
            .as_str()
            .is_some_and(|w| w.contains("initialize negotiated 2025-06-18")),
        "{}",
        report["wire"]
    );
    let posts = authenticated_posts(&server).await;
    let later: Vec<_> = posts
        .iter()
        .filter(|(_, b)| b["method"] != "initialize" && b["method"] != "notifications/initialized")
        .collect();
    assert!(!later.is_empty());
    // One request names an unsupported version on purpose: the probe of
    // mcp/transports.2.7/unsupported-version-400, in the same session.
    let mut probes = 0;
    for (r, body) in later {
        assert_eq!(header_of(r, "mcp-session-id"), Some("session-42"), "{body}");
        match header_of(r, "mcp-protocol-version") {
            Some("1900-01-01") => probes += 1,
            version => assert_eq!(version, Some("2025-06-18"), "{body}"),
        }
        assert!(body["params"].get("_meta").is_none(), "{body}");
    }
    assert!(
        probes <= 1,
        "{probes} requests named an unsupported version"
    );
    assert!(
        posts
            .iter()
            .any(|(_, b)| b["method"] == "notifications/initialized"),
        "initialize was not followed by notifications/initialized"
    );
}

/// Broken answers to every MCP request: HTML, an unknown JSON-RPC error, an SSE stream that
/// never sends the response, and a 400 without a body. Each run ends with a JSON report, a
/// finding or an error per case, and exit code 1 (a failure) or 3 (harness errors only).
#[tokio::test(flavor = "multi_thread")]
async fn broken_answers_to_the_hello_end_in_findings_or_errors() {
    let modes: Vec<(&str, ResponseTemplate)> = vec![
        (
            "html",
            ResponseTemplate::new(200)
                .set_body_raw("<html><body>Welcome</body></html>", "text/html"),
        ),
        (
            "unknown json-rpc error",
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "jsonrpc": "2.0", "id": 1, "error": {"code": -32099, "message": "?"}
            })),
        ),
        (
            "sse that never answers",
            ResponseTemplate::new(200)
                .set_body_raw(": waiting\n\n", "text/event-stream")
                .set_delay(Duration::from_secs(30)),
        ),
        ("400 without a body", ResponseTemplate::new(400)),
    ];
    for (name, template) in modes {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/mcp"))
            .respond_with(template)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        let started = Instant::now();
        let out = run_async(format!("{}/mcp", server.uri()), &[]).await;
        let took = started.elapsed();
        let report = report(&out);
        assert!(
            matches!(out.status.code(), Some(1) | Some(3)),
            "{name}: exit {:?}",
            out.status.code()
        );
        assert!(
            report["cases"].as_array().is_some_and(|c| !c.is_empty()),
            "{name}: no cases in the report"
        );
        assert!(took < Duration::from_secs(90), "{name}: took {took:?}");
    }
}
