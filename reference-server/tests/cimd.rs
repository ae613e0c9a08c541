//! Client ID Metadata Documents at the reference server: the test mode, the switch without
//! dynamic registration, and the cache.

mod common;

use common::docs::{Doc, DocServer, document};
use common::*;
use reference_server::Config;

const CB: &str = "http://127.0.0.1:9999/cb";

async fn code_for(addr: std::net::SocketAddr, client_id: &str) -> Reply {
    authorize(
        addr,
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", CB),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await
}

#[tokio::test]
async fn loopback_documents_are_fetched_only_in_test_mode() {
    let docs = DocServer::start().await;
    let id = format!("{}/c.json", docs.base());
    docs.serve("/c.json", vec![Doc::json(&document(&id, CB))]);
    let strict = start(Config::default()).await;
    let reply = code_for(strict.local_addr(), &id).await;
    assert_eq!(reply.status, 400);
    assert_eq!(docs.fetches("/c.json"), 0);
    let test_mode = start(Config {
        cimd_loopback: true,
        ..Config::default()
    })
    .await;
    let reply = code_for(test_mode.local_addr(), &id).await;
    assert!(reply.param("code").is_some(), "{}", reply.body);
    assert_eq!(docs.fetches("/c.json"), 1);
}

#[tokio::test]
async fn without_registration_there_is_no_endpoint() {
    let server = start(Config {
        without_registration: true,
        ..Config::default()
    })
    .await;
    let addr = server.local_addr();
    let meta = send(
        addr,
        "GET",
        "/.well-known/oauth-authorization-server",
        &[],
        "",
    )
    .await;
    assert!(meta.json().get("registration_endpoint").is_none());
    assert_eq!(meta.json()["client_id_metadata_document_supported"], true);
    let reg = register(addr, &serde_json::json!({"redirect_uris": [CB]})).await;
    assert_eq!(reg.status, 404);
}

#[tokio::test]
async fn a_cached_document_is_not_fetched_again_and_errors_are_not_cached() {
    let docs = DocServer::start().await;
    let server = start(Config {
        cimd_loopback: true,
        ..Config::default()
    })
    .await;
    let addr = server.local_addr();
    let id = format!("{}/cached.json", docs.base());
    let cached = Doc {
        cache_control: Some("max-age=600"),
        ..Doc::json(&document(&id, CB))
    };
    docs.serve("/cached.json", vec![Doc::status(503), cached]);
    assert!(code_for(addr, &id).await.param("code").is_none());
    for _ in 0..3 {
        assert!(code_for(addr, &id).await.param("code").is_some());
    }
    assert_eq!(docs.fetches("/cached.json"), 2);
}
