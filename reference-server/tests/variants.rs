//! The conformant variants, observed over HTTP: each behaves as its description says, and the
//! rest of the server stays strict.

mod common;

use common::*;
use reference_server::{Config, Variant};
use serde_json::json;

#[tokio::test]
async fn opaque_tokens_are_introspected_only_by_their_own_client() {
    let server = start(Config::with_variant(Variant::OpaqueTokens)).await;
    let addr = server.local_addr();
    let res = server.mcp_url();
    let owner = register_public(addr, "http://127.0.0.1/cb").await;
    let other = register_public(addr, "http://127.0.0.1/cb").await;
    let (access, _) = tokens(addr, &owner, &res).await.expect("tokens");
    assert!(!access.contains('.'), "an opaque token, not a JWT");
    assert_eq!(mcp(addr, &access, TOOLS_LIST).await.status, 200);

    let introspect = |client: &TestClient| {
        let body = form(&[
            ("token", access.as_str()),
            ("client_id", client.id.as_str()),
        ]);
        async move {
            send(addr, "POST", "/introspect", &[FORM], &body)
                .await
                .json()
        }
    };
    let mine = introspect(&owner).await;
    assert_eq!(mine["active"], true, "{mine}");
    assert_eq!(mine["aud"], json!(res));
    assert_eq!(introspect(&other).await["active"], false);

    let body = form(&[("token", access.as_str()), ("client_id", owner.id.as_str())]);
    assert_eq!(
        send(addr, "POST", "/revoke", &[FORM], &body).await.status,
        200
    );
    assert_eq!(introspect(&owner).await["active"], false);
    assert_eq!(mcp(addr, &access, TOOLS_LIST).await.status, 401);
}

#[tokio::test]
async fn a_token_for_the_second_resource_is_refused_at_the_mcp_endpoint() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let second = format!("{}/archive/mcp", server.base_url());
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let (access, _) = tokens(addr, &client, &second).await.expect("tokens");
    assert_eq!(claims(&access)["aud"], json!(second));
    assert_eq!(mcp(addr, &access, INITIALIZE).await.status, 401);
}

#[tokio::test]
async fn confidential_clients_only_replaces_none() {
    let server = start(Config::with_variant(Variant::ConfidentialClientsOnly)).await;
    let addr = server.local_addr();
    let reply = register(
        addr,
        &json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none"}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["token_endpoint_auth_method"], "client_secret_basic");
    assert!(body["client_secret"].is_string());
    let meta = send(
        addr,
        "GET",
        "/.well-known/oauth-authorization-server",
        &[],
        "",
    )
    .await
    .json();
    assert!(
        !meta["token_endpoint_auth_methods_supported"]
            .as_array()
            .expect("methods")
            .contains(&json!("none"))
    );
}

#[tokio::test]
async fn other_scope_names_are_used_everywhere() {
    let server = start(Config::with_variant(Variant::OtherScopeNames)).await;
    let addr = server.local_addr();
    let prm = send(
        addr,
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        &[],
        "",
    )
    .await
    .json();
    assert_eq!(prm["scopes_supported"], json!(["api.tools", "api.basic"]));
    let challenge = send(addr, "POST", "/mcp", &[JSON], TOOLS_LIST).await;
    assert!(
        challenge
            .header("www-authenticate")
            .is_some_and(|c| c.contains("scope=\"api.tools\"")),
        "{:?}",
        challenge.header("www-authenticate")
    );
}
