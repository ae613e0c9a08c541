//! What an operator relies on: the audit log (every token use, grant,
//! refresh and revocation, and no secret), revoking a client from the
//! loopback admin surface, and staying up under a flood of hostile tokens.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use reference_server::{AuditLog, Config};
use serde_json::{Value, json};

/// A writer whose bytes the test reads back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

const CALL: &str = r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;

#[tokio::test]
async fn the_audit_log_has_every_event_and_no_secret() {
    let captured = Captured::default();
    let server = start(Config {
        audit: Some(AuditLog::writer(captured.clone())),
        ..Config::default()
    })
    .await;
    let addr = server.local_addr();
    let res = server.mcp_url();
    let registered = register(
        addr,
        &json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"]}),
    )
    .await
    .json();
    let client = TestClient {
        id: registered["client_id"].as_str().expect("id").to_owned(),
        secret: None,
        redirect_uri: "http://127.0.0.1/cb".into(),
    };
    let rat = registered["registration_access_token"]
        .as_str()
        .expect("registration token")
        .to_owned();
    let code = get_code(addr, &client, &res).await.expect("code");
    let body = redeem(addr, &client, &code, &res).await.json();
    let access = body["access_token"].as_str().expect("access").to_owned();
    let refresh = body["refresh_token"].as_str().expect("refresh").to_owned();
    assert_eq!(mcp(addr, &access, CALL).await.status, 200);
    assert_eq!(mcp(addr, "garbage", TOOLS_LIST).await.status, 401);
    let refreshed = token(
        addr,
        &client,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await
    .json();
    let new_refresh = refreshed["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_owned();
    let revoke = send(
        addr,
        "POST",
        "/revoke",
        &[FORM],
        &form(&[("token", &access), ("client_id", &client.id)]),
    )
    .await;
    assert_eq!(revoke.status, 200);
    let auth = format!("Bearer {rat}");
    let path = format!("/register/{}", client.id);
    assert_eq!(
        send(addr, "DELETE", &path, &[("Authorization", &auth)], "")
            .await
            .status,
        204
    );
    server.shutdown().await;

    let text = captured.text();
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let of = |kind: &str| -> Vec<&Value> { events.iter().filter(|e| e["event"] == kind).collect() };
    let uses = of("token_use");
    assert_eq!(uses.len(), 2, "{text}");
    assert_eq!(uses[0]["client_id"], json!(client.id));
    assert_eq!(uses[0]["tool"], "echo");
    assert_eq!(uses[0]["method"], "tools/call");
    assert_eq!(uses[0]["scope"], "mcp:tools");
    assert_eq!(uses[0]["result"], "allowed");
    assert_eq!(uses[1]["result"], "refused: invalid_token");
    assert_eq!(of("grant").len(), 1, "{text}");
    assert_eq!(of("grant")[0]["result"], "issued");
    assert_eq!(of("refresh")[0]["client_id"], json!(client.id));
    assert_eq!(of("revocation")[0]["result"], "revoked access token");
    assert_eq!(of("client_deleted")[0]["client_id"], json!(client.id));
    for e in &events {
        assert!(e["time"].as_str().is_some_and(|t| t.ends_with('Z')), "{e}");
        assert!(
            e["peer"]
                .as_str()
                .is_some_and(|p| p.starts_with("127.0.0.1:")),
            "{e}"
        );
    }
    for secret in [
        &access,
        &refresh,
        &new_refresh,
        &code,
        &rat,
        &VERIFIER.to_owned(),
    ] {
        assert!(
            !text.contains(secret.as_str()),
            "a secret reached the audit log"
        );
    }
}

#[tokio::test]
async fn revoking_a_client_invalidates_all_its_tokens_and_keeps_the_client() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let res = server.mcp_url();
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let other = register_public(addr, "http://127.0.0.1/cb").await;
    let (a1, r1) = tokens(addr, &client, &res).await.expect("tokens");
    let (a2, _) = tokens(addr, &client, &res).await.expect("tokens");
    let (kept, _) = tokens(addr, &other, &res).await.expect("tokens");

    let path = format!("/admin/clients/{}/revoke", client.id);
    let revoked = send(addr, "POST", &path, &[], "").await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(revoked.json()["revoked_access_tokens"], 2);
    assert_eq!(revoked.json()["revoked_refresh_tokens"], 2);
    for t in [&a1, &a2] {
        assert_eq!(mcp(addr, t, INITIALIZE).await.status, 401);
    }
    let refresh = token(
        addr,
        &client,
        &[("grant_type", "refresh_token"), ("refresh_token", &r1)],
    )
    .await;
    assert_eq!(refresh.error().as_deref(), Some("invalid_grant"));
    // Another client's tokens stand, and the revoked client can start again.
    assert_eq!(mcp(addr, &kept, INITIALIZE).await.status, 200);
    let (fresh, _) = tokens(addr, &client, &res)
        .await
        .expect("the client is still registered");
    assert_eq!(mcp(addr, &fresh, INITIALIZE).await.status, 200);

    assert_eq!(
        send(addr, "POST", "/admin/clients/nobody/revoke", &[], "")
            .await
            .status,
        404
    );
    assert_eq!(send(addr, "GET", &path, &[], "").await.status, 405);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_hostile_tokens_changes_nothing() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let res = server.mcp_url();
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let (good, _) = tokens(addr, &client, &res).await.expect("tokens");
    let b64 = |v: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let payload = good.split('.').nth(1).unwrap_or_default().to_owned();
    let hostile: Vec<String> = vec![
        format!(
            "{}.{payload}.AAAA",
            b64(&json!({"alg": "ES999", "typ": "at+jwt"}))
        ),
        format!(
            "{}.{payload}.AAAA",
            b64(&json!({"alg": "ES256", "crit": ["x"], "kid": "k"}))
        ),
        format!(
            "{}.{payload}.AAAA",
            b64(&json!({"alg": "ES256", "kid": "k", "jku": "http://127.0.0.1:1/"}))
        ),
        format!(
            "{}.{payload}.AAAA",
            b64(&json!({"alg": "ES256", "kid": {"nested": [1, 2]}}))
        ),
        format!(
            "{}.{payload}.AAAA",
            b64(&json!({"alg": "ES256", "jwk": {"kty": "EC", "x": 1}}))
        ),
        format!("{}.{payload}.AAAA", b64(&json!([1, 2, 3]))),
        "a.b.c.d.e".into(),
        "x".repeat(7000),
        format!("{}.{}.", b64(&json!({"alg": "ES256"})), "A".repeat(7000)),
    ];
    let mut runs = tokio::task::JoinSet::new();
    for round in 0..40 {
        for token in hostile.clone() {
            runs.spawn(async move {
                let reply = mcp(addr, &token, INITIALIZE).await;
                (round, reply.status)
            });
        }
    }
    while let Some(run) = runs.join_next().await {
        let (_, status) = run.expect("no panic");
        assert!(matches!(status, 400 | 401 | 413 | 431), "{status}");
    }
    // Too long for any header at all: refused or dropped, never served.
    let huge = "A".repeat(200_000);
    let huge = send(
        addr,
        "POST",
        "/mcp",
        &[JSON, ("Authorization", &format!("Bearer {huge}"))],
        INITIALIZE,
    )
    .await;
    assert_ne!(huge.status, 200);
    assert_eq!(mcp(addr, &good, INITIALIZE).await.status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after_only_when_switched_on() {
    let body = "grant_type=authorization_code&code=x&client_id=reference-public-client";
    for rate_limit in [false, true] {
        let server = start(Config {
            rate_limit,
            ..Config::default()
        })
        .await;
        let addr = server.local_addr();
        let mut statuses = Vec::new();
        for _ in 0..61 {
            statuses.push(send(addr, "POST", "/token", &[FORM], body).await);
        }
        let last = statuses.last().expect("replies");
        if rate_limit {
            assert!(statuses[..60].iter().all(|r| r.status == 400));
            assert_eq!(last.status, 429);
            let wait: u64 = last
                .header("retry-after")
                .and_then(|v| v.parse().ok())
                .expect("Retry-After");
            assert!((1..=60).contains(&wait));
        } else {
            assert!(statuses.iter().all(|r| r.status == 400));
        }
        server.shutdown().await;
    }
}
