//! Authorization server discovery edge cases against scripted servers: an issuer with a path,
//! OpenID Connect discovery only, a trailing-slash issuer, and an AS on another host.

use std::process::Command;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A resource server at `/mcp` whose metadata names `issuer`.
async fn resource_server(issuer: &str) -> MockServer {
    let rs = MockServer::start().await;
    let prm_url = format!("{}/.well-known/oauth-protected-resource/mcp", rs.uri());
    Mock::given(method("POST"))
        .and(path("/mcp"))
        .respond_with(ResponseTemplate::new(401).insert_header(
            "WWW-Authenticate",
            format!("Bearer resource_metadata=\"{prm_url}\"").as_str(),
        ))
        .mount(&rs)
        .await;
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-protected-resource/mcp"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resource": format!("{}/mcp", rs.uri()),
            "authorization_servers": [issuer],
        })))
        .mount(&rs)
        .await;
    rs
}

fn as_document(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
    })
}

async fn run(target: String, spec: &str) -> Value {
    let spec = spec.to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_authspec"))
            .args([
                "run",
                "--target",
                &format!("{target}/mcp"),
                "--spec",
                &spec,
                "--level",
                "may",
                "rfc8414/3*",
                "--format",
                "json",
            ])
            .output()
            .expect("runs")
    })
    .await
    .expect("join");
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

fn result(report: &Value, id: &str) -> String {
    report["cases"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .map(|c| {
            format!(
                "{}: {}",
                c["result"].as_str().unwrap_or_default(),
                c["message"].as_str().unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "not run".into())
}

#[tokio::test(flavor = "multi_thread")]
async fn issuer_with_a_path_uses_path_insertion() {
    let auth = MockServer::start().await;
    let issuer = format!("{}/tenant1", auth.uri());
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server/tenant1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(as_document(&issuer)))
        .mount(&auth)
        .await;
    let rs = resource_server(&issuer).await;
    let report = run(rs.uri(), "2025-11-25").await;
    assert!(
        result(&report, "rfc8414/3/metadata-discoverable").starts_with("pass"),
        "{report:#}"
    );
    assert!(result(&report, "rfc8414/3.3/issuer-matches").starts_with("pass"));
}

#[tokio::test(flavor = "multi_thread")]
async fn oidc_discovery_alone_passes_2025_11_25_but_not_2025_06_18() {
    let auth = MockServer::start().await;
    let issuer = format!("{}/tenant1", auth.uri());
    Mock::given(method("GET"))
        .and(path("/tenant1/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(as_document(&issuer)))
        .mount(&auth)
        .await;
    let rs = resource_server(&issuer).await;
    let newer = run(rs.uri(), "2025-11-25").await;
    assert!(
        result(&newer, "rfc8414/3/metadata-discoverable").starts_with("pass"),
        "{newer:#}"
    );
    let older = run(rs.uri(), "2025-06-18").await;
    let verdict = result(&older, "rfc8414/3/oauth-metadata-for-2025-06-18");
    assert!(verdict.starts_with("fail"), "{verdict}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trailing_slash_issuer_is_a_warning_not_a_failure() {
    let auth = MockServer::start().await;
    let listed = format!("{}/", auth.uri());
    // The document drops the slash the resource metadata listed.
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(as_document(&auth.uri())))
        .mount(&auth)
        .await;
    let rs = resource_server(&listed).await;
    let report = run(rs.uri(), "2025-11-25").await;
    let verdict = result(&report, "rfc8414/3.3/issuer-matches");
    assert!(verdict.starts_with("warn"), "{verdict}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_issuer_mismatch_fails() {
    let auth = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(as_document("https://evil.example")))
        .mount(&auth)
        .await;
    let rs = resource_server(&auth.uri()).await;
    let report = run(rs.uri(), "2025-11-25").await;
    let verdict = result(&report, "rfc8414/3.3/issuer-matches");
    assert!(verdict.starts_with("fail"), "{verdict}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_authorization_server_on_another_host_is_followed_on_loopback() {
    let auth = MockServer::start().await;
    // Same machine, another host name and port than the resource.
    let issuer = auth.uri().replace("127.0.0.1", "localhost");
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(as_document(&issuer)))
        .mount(&auth)
        .await;
    let rs = resource_server(&issuer).await;
    let report = run(rs.uri(), "2025-11-25").await;
    assert!(
        result(&report, "rfc8414/3.3/issuer-matches").starts_with("pass"),
        "{report:#}"
    );
}
