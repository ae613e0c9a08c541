//! The reference server over TLS: what it publishes, how it treats clients
//! that do not complete a handshake, and the mutants that only https shows.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reference_server::{Config, Mutant};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

fn tls(mutant: Option<Mutant>) -> Config {
    let mut config = mutant.map(Config::with_mutant).unwrap_or_default();
    config.tls = true;
    config
}

#[tokio::test]
async fn every_published_url_is_https() {
    let server = start(tls(None)).await;
    let base = server.base_url().to_owned();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let ca = server.ca_cert_pem().expect("a CA certificate");
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");

    let prm = send_tls(
        &server,
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        &[],
        "",
    )
    .await;
    assert_eq!(prm.status, 200);
    let prm = prm.json();
    assert_eq!(prm["resource"], json!(format!("{base}/mcp")));
    assert_eq!(prm["authorization_servers"], json!([base]));
    let meta = send_tls(
        &server,
        "GET",
        "/.well-known/oauth-authorization-server",
        &[],
        "",
    )
    .await;
    let meta = meta.json();
    for member in [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "registration_endpoint",
        "revocation_endpoint",
        "jwks_uri",
    ] {
        let url = meta[member].as_str().unwrap_or_default();
        assert!(url.starts_with("https://"), "{member}: {url}");
    }
    let anonymous = send_tls(&server, "POST", "/mcp", &[JSON], INITIALIZE).await;
    assert_eq!(anonymous.status, 401);
    server.shutdown().await;
}

#[tokio::test]
async fn stalled_and_plain_connections_hold_up_no_one() {
    let server = start(tls(None)).await;
    let addr = server.local_addr();
    // Connections that never start a handshake, and one that speaks plain
    // http to the TLS port.
    let mut stalled = Vec::new();
    for _ in 0..64 {
        stalled.push(TcpStream::connect(addr).await.expect("connect"));
    }
    let mut plain = TcpStream::connect(addr).await.expect("connect");
    let _ = plain
        .write_all(b"GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let started = Instant::now();
    let reply = send_tls(&server, "GET", "/jwks.json", &[], "").await;
    assert_eq!(reply.status, 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(stalled);
    // The plain-http client is dropped, not answered.
    let mut buf = Vec::new();
    let read = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::io::AsyncReadExt::read_to_end(&mut plain, &mut buf),
    )
    .await;
    assert!(read.is_ok(), "the plain connection was not closed");
    assert!(!String::from_utf8_lossy(&buf).contains("issuer"));
    server.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
}

/// The discovery documents as a client sees them over TLS, port-free.
async fn discovery(server: &reference_server::RunningServer) -> Vec<String> {
    let mut out = Vec::new();
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-authorization-server",
    ] {
        let reply = send_tls(server, "GET", path, &[], "").await;
        let mut body = reply.json();
        if let Some(map) = body.as_object_mut() {
            map.remove("signed_metadata");
        }
        let addr = server.local_addr().to_string();
        out.push(format!("{path} {} {body}", reply.status).replace(&addr, "ADDR"));
    }
    let tls12 = send_tls_versions(server, true, "GET", "/jwks.json", &[], "").await;
    out.push(format!("TLS 1.2 alone: {:?}", tls12.map(|r| r.status)));
    out
}

#[tokio::test]
async fn every_tls_mutant_changes_what_a_client_sees() {
    let baseline = discovery(&start(tls(None)).await).await;
    for mutant in Mutant::ALL.iter().copied().filter(|m| m.needs_tls()) {
        let server = start(tls(Some(mutant))).await;
        assert_ne!(
            discovery(&server).await,
            baseline,
            "{mutant} changed nothing"
        );
        // Over plain http the same mutant changes nothing: that is why it
        // needs TLS.
        let plain = start(Config::with_mutant(mutant)).await;
        let plain_baseline = start(Config::default()).await;
        let doc = |s: &reference_server::RunningServer| {
            let addr = s.local_addr();
            async move {
                let reply = send(
                    addr,
                    "GET",
                    "/.well-known/oauth-authorization-server",
                    &[],
                    "",
                )
                .await;
                let mut body = reply.json();
                if let Some(map) = body.as_object_mut() {
                    map.remove("signed_metadata");
                }
                body.to_string().replace(&addr.to_string(), "ADDR")
            }
        };
        assert_eq!(doc(&plain).await, doc(&plain_baseline).await, "{mutant}");
    }
}

/// More stalled handshakes than the server runs at once: the excess is
/// dropped at once, the server keeps its bounds, and serves again as soon
/// as they go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_stalled_handshakes_is_bounded() {
    let server = start(tls(None)).await;
    let addr = server.local_addr();
    let mut stalled = Vec::new();
    for _ in 0..400 {
        if let Ok(s) = TcpStream::connect(addr).await {
            stalled.push(s);
        }
    }
    // Those over the cap are closed by the server: reading gives EOF. The
    // accept loop may take a while on a busy machine, so look for up to 10 s.
    let wanted = 400 - 256 - 8;
    let mut closed = vec![false; stalled.len()];
    let deadline = Instant::now() + Duration::from_secs(10);
    while closed.iter().filter(|c| **c).count() < wanted && Instant::now() < deadline {
        for (s, done) in stalled.iter_mut().zip(closed.iter_mut()) {
            if *done {
                continue;
            }
            let mut buf = [0u8; 1];
            let read = tokio::io::AsyncReadExt::read(s, &mut buf);
            if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_millis(1), read).await {
                *done = true;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let closed = closed.iter().filter(|c| **c).count();
    assert!(
        closed >= wanted,
        "only {closed} of 400 stalled connections were dropped"
    );
    // Within the cap, the rest are still waiting for their handshakes.
    assert!(closed < 400, "every stalled connection was dropped at once");
    drop(stalled);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let reply = send_tls(&server, "GET", "/jwks.json", &[], "").await;
    assert_eq!(reply.status, 200);
    server.shutdown().await;
}
