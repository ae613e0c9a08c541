//! Checks of the authorised path, which needs tokens planted in the store
//! (only the crate itself can do that until the authorization server exists).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::tokens::{TokenInfo, TokenStore};
use crate::{Config, Mutant, spawn_with_tokens};

async fn post(addr: SocketAddr, auth: &str, body: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {auth}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").expect("head");
    let status = head
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, head.to_owned(), body.to_owned())
}

fn plant(tokens: &TokenStore, token: &str, audience: &str, scope: &str, ttl: Option<Duration>) {
    let now = Instant::now();
    let expires_at = match ttl {
        Some(ttl) => now + ttl,
        None => now.checked_sub(Duration::from_secs(1)).unwrap_or(now),
    };
    tokens.insert(
        token.to_owned(),
        TokenInfo {
            audience: audience.to_owned(),
            scope: scope.to_owned(),
            expires_at,
        },
    );
}

#[tokio::test]
async fn authorised_requests_reach_the_mcp_server() {
    let tokens = TokenStore::default();
    let server = spawn_with_tokens(loopback(), Config::default(), tokens.clone())
        .await
        .expect("spawn");
    let addr = server.local_addr();
    let res = server.mcp_url();
    let hour = Some(Duration::from_secs(3600));
    plant(&tokens, "good", &res, "openid mcp:tools", hour);
    plant(&tokens, "narrow", &res, "openid", hour);
    plant(
        &tokens,
        "elsewhere",
        "http://127.0.0.1:1/mcp",
        "mcp:tools",
        hour,
    );
    plant(&tokens, "stale", &res, "mcp:tools", None);

    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
    let (status, _, body) = post(addr, "bearer good", init).await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["result"]["protocolVersion"], json!("2025-11-25"));

    let call = r#"{"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;
    let (status, _, body) = post(addr, "Bearer good", call).await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["result"]["content"][0]["text"], json!("hi"));

    let note = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
    assert_eq!(post(addr, "Bearer good", note).await.0, 202);
    let unknown = r#"{"jsonrpc":"2.0","id":3,"method":"nope"}"#;
    let (_, _, body) = post(addr, "Bearer good", unknown).await;
    assert!(body.contains("-32601"), "{body}");

    let (status, head, _) = post(addr, "Bearer narrow", init).await;
    assert_eq!(status, 403);
    assert!(head.contains("error=\"insufficient_scope\""), "{head}");
    for token in ["elsewhere", "stale"] {
        let (status, head, _) = post(addr, &format!("Bearer {token}"), init).await;
        assert_eq!(status, 401, "{token}");
        assert!(head.contains("error=\"invalid_token\""), "{head}");
    }
    server.shutdown().await;

    // The mutant flips a server that would otherwise refuse the token.
    let server = spawn_with_tokens(
        loopback(),
        Config::with_mutant(Mutant::RsAcceptsAnyToken),
        TokenStore::default(),
    )
    .await
    .expect("spawn");
    assert_eq!(
        post(server.local_addr(), "Bearer whatever", init).await.0,
        200
    );
    server.shutdown().await;
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}
