//! The authorization server end to end: registration, authorization,
//! token, refresh and revocation, and their effect at `/mcp`.

mod common;

use common::*;
use reference_server::{Config, Consent, FORM_PASSWORD, FORM_USERNAME, Mutant};
use serde_json::{Value, json};

#[tokio::test]
async fn full_flow_register_authorize_token_mcp_refresh_revoke() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let base = server.base_url().to_owned();
    let res = server.mcp_url();

    // Registration (RFC 7591).
    let reply = register(
        addr,
        &json!({
            "redirect_uris": ["http://127.0.0.1:9999/callback"],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "client_name": "flow",
            "scope": "mcp:tools mcp:read",
        }),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.json();
    let client_id = body["client_id"].as_str().expect("client_id").to_owned();
    assert!(body.get("client_secret").is_none());
    assert_eq!(body["token_endpoint_auth_method"], json!("none"));
    assert_eq!(body["response_types"], json!(["code"]));
    assert_eq!(body["client_name"], json!("flow"));
    assert_eq!(body["scope"], json!("mcp:tools mcp:read"));
    assert!(body["client_id_issued_at"].as_u64().is_some());
    assert_eq!(
        body["registration_client_uri"],
        json!(format!("{base}/register/{client_id}"))
    );
    let client = TestClient {
        id: client_id.clone(),
        secret: None,
        redirect_uri: "http://127.0.0.1:9999/callback".into(),
    };

    // Authorization (auto consent).
    let reply = authorize(addr, &code_request(&client, &res)).await;
    assert_eq!(reply.status, 302, "{}", reply.body);
    let location = reply.location().expect("location");
    assert!(
        location
            .as_str()
            .starts_with("http://127.0.0.1:9999/callback?")
    );
    assert_eq!(reply.param("state").as_deref(), Some("st4te"));
    assert_eq!(reply.param("iss").as_deref(), Some(base.as_str()));
    assert_eq!(reply.header("x-frame-options"), Some("DENY"));
    assert_eq!(
        reply.header("content-security-policy"),
        Some("frame-ancestors 'none'")
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert!(reply.header("access-control-allow-origin").is_none());
    let code = reply.param("code").expect("code");

    // Token.
    let reply = redeem(addr, &client, &code, &res).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("pragma"), Some("no-cache"));
    let body = reply.json();
    assert_eq!(body["token_type"], json!("Bearer"));
    assert_eq!(body["expires_in"], json!(3600));
    assert_eq!(body["scope"], json!("mcp:tools"));
    let access = body["access_token"].as_str().expect("access").to_owned();
    let refresh = body["refresh_token"].as_str().expect("refresh").to_owned();
    let claims = claims(&access);
    assert_eq!(claims["iss"], json!(base));
    assert_eq!(claims["aud"], json!(res));
    assert_eq!(claims["sub"], json!("alice"));
    assert_eq!(claims["client_id"], json!(client_id));
    assert_eq!(claims["scope"], json!("mcp:tools"));
    assert!(claims["jti"].is_string());
    assert_eq!(
        claims["exp"]
            .as_u64()
            .zip(claims["iat"].as_u64())
            .map(|(e, i)| e - i),
        Some(3600)
    );

    // The MCP server.
    let reply = mcp(addr, &access, INITIALIZE).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = mcp(addr, &access, TOOLS_LIST).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["result"]["tools"][0]["name"], json!("echo"));

    // Refresh with rotation.
    let reply = token(
        addr,
        &client,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    let access2 = body["access_token"].as_str().expect("access").to_owned();
    let refresh2 = body["refresh_token"].as_str().expect("refresh").to_owned();
    assert_ne!(refresh2, refresh);
    assert_ne!(access2, access);
    assert_eq!(claims_aud(&access2), json!(res));
    assert_eq!(mcp(addr, &access2, TOOLS_LIST).await.status, 200);

    // Revoking an access token ends it at /mcp; its siblings live on.
    let revoke = form(&[("token", &access2), ("client_id", &client_id)]);
    let reply = send(addr, "POST", "/revoke", &[FORM], &revoke).await;
    assert_eq!(reply.status, 200);
    let reply = mcp(addr, &access2, INITIALIZE).await;
    assert_eq!(reply.status, 401);
    assert!(
        reply
            .header("www-authenticate")
            .unwrap_or_default()
            .contains("error=\"invalid_token\"")
    );
    assert_eq!(mcp(addr, &access, INITIALIZE).await.status, 200);

    // Revoking the refresh token takes the whole grant with it.
    let revoke = form(&[("token", &refresh2), ("client_id", &client_id)]);
    assert_eq!(
        send(addr, "POST", "/revoke", &[FORM], &revoke).await.status,
        200
    );
    assert_eq!(mcp(addr, &access, INITIALIZE).await.status, 401);
    let reply = token(
        addr,
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh2),
        ],
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_grant"));
    // Unknown tokens are still 200 (RFC 7009 §2.2).
    let revoke = form(&[("token", "nonsense"), ("client_id", &client_id)]);
    assert_eq!(
        send(addr, "POST", "/revoke", &[FORM], &revoke).await.status,
        200
    );
}

fn claims_aud(token: &str) -> Value {
    claims(token)["aud"].clone()
}

fn hidden_request_id(page: &str) -> String {
    let marker = "name=\"request\" value=\"";
    let start = page.find(marker).expect("request input") + marker.len();
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn consent_form_flow() {
    let config = Config {
        consent: Consent::Form,
        ..Config::default()
    };
    let server = start(config).await;
    let addr = server.local_addr();
    let res = server.mcp_url();
    let client = register_public(addr, "http://127.0.0.1/cb").await;

    let reply = authorize(addr, &code_request(&client, &res)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(reply.header("x-frame-options"), Some("DENY"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let page = &reply.body;
    assert!(page.contains("<form method=\"post\" action=\"/authorize/consent\">"));
    assert!(page.contains("<input type=\"text\" name=\"username\""));
    assert!(page.contains("<input type=\"password\" name=\"password\""));
    assert!(page.contains("<button type=\"submit\" name=\"decision\" value=\"approve\">"));
    assert!(page.contains("public test client"));
    let id = hidden_request_id(page);
    assert!(id.len() >= 32);

    let post = |body: String| async move {
        send(addr, "POST", "/authorize/consent", &[FORM], &body).await
    };
    let wrong = form(&[
        ("request", &id),
        ("username", FORM_USERNAME),
        ("password", "nope"),
        ("decision", "approve"),
    ]);
    let reply = post(wrong).await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("wrong"), "{}", reply.body);
    assert_eq!(hidden_request_id(&reply.body), id);

    let right = form(&[
        ("request", &id),
        ("username", FORM_USERNAME),
        ("password", FORM_PASSWORD),
        ("decision", "approve"),
    ]);
    let reply = post(right.clone()).await;
    assert_eq!(reply.status, 302, "{}", reply.body);
    assert_eq!(reply.param("state").as_deref(), Some("st4te"));
    assert_eq!(reply.param("iss").as_deref(), Some(server.base_url()));
    assert_eq!(reply.header("x-frame-options"), Some("DENY"));
    let code = reply.param("code").expect("code");
    assert_eq!(redeem(addr, &client, &code, &res).await.status, 200);
    // The request is used up.
    assert_eq!(post(right).await.status, 400);

    // Denying.
    let reply = authorize(addr, &code_request(&client, &res)).await;
    let id = hidden_request_id(&reply.body);
    let reply = post(form(&[("request", &id), ("decision", "deny")])).await;
    assert_eq!(reply.status, 302);
    assert_eq!(reply.param("error").as_deref(), Some("access_denied"));
    assert_eq!(reply.param("state").as_deref(), Some("st4te"));
    assert!(reply.param("code").is_none());

    // Junk.
    assert_eq!(post(form(&[("request", "nope")])).await.status, 400);
    assert_eq!(post(String::new()).await.status, 400);
    let reply = send(addr, "POST", "/authorize/consent", &[JSON], "{}").await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        send(addr, "GET", "/authorize/consent", &[], "")
            .await
            .status,
        405
    );
}

#[tokio::test]
async fn registration_rules() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();

    let refusals: Vec<(Value, &str)> = vec![
        (json!({}), "invalid_redirect_uri"),
        (json!({"redirect_uris": []}), "invalid_redirect_uri"),
        (
            json!({"redirect_uris": "https://a.example/cb"}),
            "invalid_redirect_uri",
        ),
        (json!({"redirect_uris": [1]}), "invalid_redirect_uri"),
        (
            json!({"redirect_uris": ["https://a.example/cb#x"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["javascript:alert(1)"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["data:text/html,hi"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["file:///etc/passwd"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["vbscript:x"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["http://a.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (json!({"redirect_uris": ["/cb"]}), "invalid_redirect_uri"),
        (
            json!({"redirect_uris": ["myapp:/cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["https://a.example/ cb"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "private_key_jwt"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["client_credentials"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "response_types": ["token"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["authorization_code"], "response_types": []}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["refresh_token"], "response_types": ["code"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "jwks": {"keys": []}, "jwks_uri": "https://a.example/jwks"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "scope": "mcp:admin"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "scope": 5}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "client_name": ["x"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "software_statement": "eyJhbGciOiJub25lIn0.eyJzb2Z0d2FyZV9pZCI6IngifQ."}),
            "invalid_software_statement",
        ),
        (json!([]), "invalid_client_metadata"),
        (json!("x"), "invalid_client_metadata"),
    ];
    for (metadata, expected) in refusals {
        let reply = register(addr, &metadata).await;
        assert_eq!(reply.status, 400, "{metadata}: {}", reply.body);
        assert_eq!(reply.error().as_deref(), Some(expected), "{metadata}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
    }
    for (headers, body) in [
        (vec![JSON], "{"),
        (vec![JSON], ""),
        (vec![("Content-Type", "text/plain")], "{}"),
        (vec![], "{}"),
    ] {
        let reply = send(addr, "POST", "/register", &headers, body).await;
        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(reply.error().as_deref(), Some("invalid_client_metadata"));
    }
    assert_eq!(send(addr, "GET", "/register", &[], "").await.status, 405);

    // Accepted shapes; unknown members are ignored and not echoed.
    for uri in [
        "https://a.example/cb",
        "http://127.0.0.1:3000/cb",
        "http://[::1]/cb",
        "http://localhost/cb",
        "com.example.app:/oauth2redirect",
    ] {
        let reply = register(
            addr,
            &json!({"redirect_uris": [uri], "unknown_member": {"x": 1}, "client_name#fr": "x"}),
        )
        .await;
        assert_eq!(reply.status, 201, "{uri}: {}", reply.body);
        let body = reply.json();
        assert!(body.get("unknown_member").is_none());
        assert_eq!(body["redirect_uris"], json!([uri]));
        // The RFC 7591 default is a confidential client_secret_basic client.
        assert_eq!(
            body["token_endpoint_auth_method"],
            json!("client_secret_basic")
        );
        assert_eq!(body["grant_types"], json!(["authorization_code"]));
        assert!(
            body["client_secret"]
                .as_str()
                .is_some_and(|s| s.len() >= 43)
        );
        assert_eq!(body["client_secret_expires_at"], json!(0));
    }
    let first = register_public(addr, "https://a.example/cb").await;
    let second = register_public(addr, "https://a.example/cb").await;
    assert_ne!(first.id, second.id);
}

#[tokio::test]
async fn client_configuration_endpoint() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let reply = register(addr, &json!({"redirect_uris": ["https://a.example/cb"]})).await;
    let body = reply.json();
    let id = body["client_id"].as_str().expect("id").to_owned();
    let rat = body["registration_access_token"]
        .as_str()
        .expect("rat")
        .to_owned();
    let path = format!("/register/{id}");
    let bearer = format!("Bearer {rat}");

    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Basic abc"),
        Some("Bearer"),
    ] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        let reply = send(addr, "GET", &path, &headers, "").await;
        assert_eq!(reply.status, 401, "{auth:?}");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer error=\"invalid_token\"")
        );
        assert_eq!(reply.error().as_deref(), Some("invalid_token"));
    }
    let reply = send(addr, "GET", &path, &[("Authorization", &bearer)], "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["client_id"], json!(id));
    assert_eq!(
        reply.json()["redirect_uris"],
        json!(["https://a.example/cb"])
    );
    // Another client's token does not open this one.
    let other = register(addr, &json!({"redirect_uris": ["https://b.example/cb"]})).await;
    let other_rat = format!(
        "Bearer {}",
        other.json()["registration_access_token"]
            .as_str()
            .unwrap_or_default()
    );
    assert_eq!(
        send(addr, "GET", &path, &[("Authorization", &other_rat)], "")
            .await
            .status,
        401
    );
    assert_eq!(
        send(addr, "PUT", &path, &[("Authorization", &bearer)], "")
            .await
            .status,
        405
    );
    let reply = send(addr, "DELETE", &path, &[("Authorization", &bearer)], "").await;
    assert_eq!(reply.status, 204);
    let reply = send(addr, "GET", &path, &[("Authorization", &bearer)], "").await;
    assert_eq!(reply.status, 401);
    let reply = send(
        addr,
        "GET",
        "/register/reference-public-client",
        &[("Authorization", "Bearer x")],
        "",
    )
    .await;
    assert_eq!(reply.status, 401);

    let server = start(Config::with_mutant(Mutant::DcrManagementNoAuth)).await;
    let addr = server.local_addr();
    let reply = register(addr, &json!({"redirect_uris": ["https://a.example/cb"]})).await;
    let id = reply.json()["client_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let reply = send(addr, "GET", &format!("/register/{id}"), &[], "").await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn pkce_is_required_and_checked() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let res = server.mcp_url();
    let client = register_public(addr, "http://127.0.0.1/cb").await;

    let without = |name: &str| -> Vec<(&str, String)> {
        code_request(&client, &res)
            .into_iter()
            .filter(|(k, _)| *k != name)
            .map(|(k, v)| (k, v.to_owned()))
            .collect()
    };
    let with = |name: &'static str, value: &str| -> Vec<(&'static str, String)> {
        let mut params: Vec<(&str, String)> = code_request(&client, &res)
            .into_iter()
            .filter(|(k, _)| *k != name)
            .map(|(k, v)| (k, v.to_owned()))
            .collect();
        params.push((name, value.to_owned()));
        params
    };
    let cases = vec![
        without("code_challenge"),
        without("code_challenge_method"),
        with("code_challenge_method", "plain"),
        with("code_challenge_method", "s256"),
        with("code_challenge", "short"),
        with("code_challenge", &"a".repeat(129)),
        with("code_challenge", &format!("{}!", "a".repeat(43))),
    ];
    for params in cases {
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = authorize(addr, &pairs).await;
        assert_eq!(reply.status, 302, "{pairs:?}");
        assert_eq!(
            reply.param("error").as_deref(),
            Some("invalid_request"),
            "{pairs:?}"
        );
        assert!(reply.param("error_description").is_some());
        assert_eq!(reply.param("state").as_deref(), Some("st4te"));
        assert_eq!(reply.param("iss").as_deref(), Some(server.base_url()));
        assert!(reply.param("code").is_none());
    }

    let code = get_code(addr, &client, &res).await.expect("code");
    let base = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1/cb"),
    ];
    let wrong = "x".repeat(43);
    for verifier in [None, Some(wrong.as_str()), Some("short"), Some(CHALLENGE)] {
        let mut pairs = base.to_vec();
        if let Some(v) = verifier {
            pairs.push(("code_verifier", v));
        }
        let reply = token(addr, &client, &pairs).await;
        assert_eq!(reply.status, 400, "{verifier:?}");
        assert_eq!(
            reply.error().as_deref(),
            Some("invalid_grant"),
            "{verifier:?}"
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
    // A verifier of the wrong shape is refused even when its hash matches.
    let short = "short-verifier";
    let challenge = s256(short);
    let mut params = code_request(&client, &res);
    params.retain(|(k, _)| *k != "code_challenge");
    params.push(("code_challenge", &challenge));
    let short_code = authorize(addr, &params).await.param("code").expect("code");
    let reply = token(
        addr,
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &short_code),
            ("redirect_uri", "http://127.0.0.1/cb"),
            ("code_verifier", short),
        ],
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_grant"));

    // Failed attempts leave the code to its rightful owner.
    let reply = redeem(addr, &client, &code, &res).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn redirect_uri_and_request_rules() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let res = server.mcp_url();
    let base = server.base_url().to_owned();
    let reply = register(
        addr,
        &json!({
            "redirect_uris": ["http://127.0.0.1/cb", "https://app.example.com/cb"],
            "token_endpoint_auth_method": "none",
        }),
    )
    .await;
    let id = reply.json()["client_id"].as_str().expect("id").to_owned();
    let request = |redirect: Option<&'static str>| {
        let id = id.clone();
        let res = res.clone();
        async move {
            let mut params = vec![
                ("response_type", "code"),
                ("client_id", id.as_str()),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
                ("resource", res.as_str()),
                ("state", "s"),
            ];
            if let Some(r) = redirect {
                params.push(("redirect_uri", r));
            }
            authorize(addr, &params).await
        }
    };

    // Shown, never redirected.
    for redirect in [
        None,
        Some("https://app.example.com/cb2"),
        Some("https://app.example.com/cb/x"),
        Some("https://APP.example.com/cb"),
        Some("https://app.example.com/cb?x=1"),
        Some("http://localhost:5000/cb"),
        Some("http://127.0.0.1:5000/cb/"),
        Some("http://127.0.0.1:x/cb"),
    ] {
        let reply = request(redirect).await;
        assert_eq!(reply.status, 400, "{redirect:?}");
        assert!(reply.header("location").is_none());
        assert_eq!(
            reply.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
    }
    // RFC 8252 §7.3: any port on a loopback redirect URI.
    for redirect in [
        "http://127.0.0.1:61234/cb",
        "http://127.0.0.1/cb",
        "https://app.example.com/cb",
    ] {
        let reply = request(Some(redirect)).await;
        assert_eq!(reply.status, 302, "{redirect}");
        let location = reply.header("location").unwrap_or_default();
        assert!(location.starts_with(&format!("{redirect}?")), "{location}");
        assert!(reply.param("code").is_some());
    }

    // Unknown clients get a page, with anything echoed escaped.
    let reply = authorize(
        addr,
        &[
            ("response_type", "code"),
            ("client_id", "nobody"),
            (
                "redirect_uri",
                "https://evil.example/<script>alert(1)</script>",
            ),
        ],
    )
    .await;
    assert_eq!(reply.status, 400);
    assert!(reply.header("location").is_none());
    assert!(!reply.body.contains("<script>"));
    assert!(reply.body.contains("&lt;script&gt;"));
    let reply = authorize(addr, &[("response_type", "code")]).await;
    assert_eq!(reply.status, 400);
    let reply = authorize(
        addr,
        &[
            ("client_id", id.as_str()),
            ("client_id", id.as_str()),
            ("redirect_uri", "http://127.0.0.1/cb"),
        ],
    )
    .await;
    assert_eq!(reply.status, 400);

    // The pre-registered client has a single redirect URI, so it may be omitted.
    let reply = authorize(
        addr,
        &[
            ("response_type", "code"),
            ("client_id", PUBLIC_CLIENT),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(reply.status, 302);
    assert!(
        reply
            .header("location")
            .unwrap_or_default()
            .starts_with("http://127.0.0.1/callback?code=")
    );
    // Without resource or scope: scope mcp:tools, audience the issuer, so
    // the token is not for the MCP server.
    let code = reply.param("code").expect("code");
    let public = TestClient {
        id: PUBLIC_CLIENT.into(),
        secret: None,
        redirect_uri: "http://127.0.0.1/callback".into(),
    };
    let reply = token(
        addr,
        &public,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["scope"], json!("mcp:tools"));
    let access = reply.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(claims(&access)["aud"], json!(base));
    assert_eq!(mcp(addr, &access, INITIALIZE).await.status, 401);

    // Errors after the redirect URI is known are redirected.
    let redirected: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (
            vec![("response_type", "code id_token")],
            "unsupported_response_type",
        ),
        (vec![("scope", "mcp:admin")], "invalid_scope"),
        (vec![("scope", "mcp:tools  mcp:read")], "invalid_scope"),
        (vec![("resource", "mcp")], "invalid_target"),
        (
            vec![("resource", "https://other.example/mcp")],
            "invalid_target",
        ),
        (vec![("state", "again")], "invalid_request"),
    ];
    let res_slash = format!("{res}/");
    let res_fragment = format!("{res}#x");
    let res_query = format!("{res}?x=1");
    let mut redirected = redirected;
    for bad in [&res_slash, &res_fragment, &res_query] {
        redirected.push((vec![("resource", bad.as_str())], "invalid_target"));
    }
    for (extra, expected) in redirected {
        let mut params = vec![
            ("client_id", PUBLIC_CLIENT),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("state", "s"),
        ];
        if !extra.iter().any(|(k, _)| *k == "response_type") {
            params.push(("response_type", "code"));
        }
        params.extend(extra.iter().copied());
        let reply = authorize(addr, &params).await;
        assert_eq!(reply.status, 302, "{extra:?}");
        assert_eq!(reply.param("error").as_deref(), Some(expected), "{extra:?}");
        assert!(reply.param("code").is_none());
    }
    // Scheme and host compare case-insensitively (RFC 3986 §6.2.2.1).
    let upper = res.replacen("http://", "HTTP://", 1);
    let reply = authorize(
        addr,
        &[
            ("response_type", "code"),
            ("client_id", PUBLIC_CLIENT),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("resource", &upper),
            ("resource", &res),
        ],
    )
    .await;
    assert!(
        reply.param("code").is_some(),
        "{:?}",
        reply.header("location")
    );

    // The token request must repeat the redirect URI and stay within the resources.
    let client = TestClient {
        id: id.clone(),
        secret: None,
        redirect_uri: "http://127.0.0.1:4444/cb".into(),
    };
    let code = get_code(addr, &client, &res).await.expect("code");
    for (redirect, resource, expected) in [
        (Some("http://127.0.0.1:4445/cb"), None, "invalid_grant"),
        (None, None, "invalid_grant"),
        (
            Some("http://127.0.0.1:4444/cb"),
            Some("https://other.example/mcp"),
            "invalid_target",
        ),
        (
            Some("http://127.0.0.1:4444/cb"),
            Some("relative"),
            "invalid_target",
        ),
    ] {
        let mut pairs = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("code_verifier", VERIFIER),
        ];
        pairs.extend(redirect.map(|r| ("redirect_uri", r)));
        pairs.extend(resource.map(|r| ("resource", r)));
        let reply = token(addr, &client, &pairs).await;
        assert_eq!(reply.error().as_deref(), Some(expected), "{pairs:?}");
    }
    let reply = token(
        addr,
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", VERIFIER),
            ("redirect_uri", "http://127.0.0.1:4444/cb"),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let access = reply.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(claims(&access)["aud"], json!(res));
}

#[tokio::test]
async fn code_replay_revokes_what_the_code_produced() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let res = server.mcp_url();
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let code = get_code(addr, &client, &res).await.expect("code");
    let body = redeem(addr, &client, &code, &res).await.json();
    let access = body["access_token"].as_str().expect("access").to_owned();
    let refresh = body["refresh_token"].as_str().expect("refresh").to_owned();
    assert_eq!(mcp(addr, &access, TOOLS_LIST).await.status, 200);

    let reply = redeem(addr, &client, &code, &res).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error().as_deref(), Some("invalid_grant"));
    assert_eq!(mcp(addr, &access, TOOLS_LIST).await.status, 401);
    let reply = token(
        addr,
        &client,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_grant"));

    // Another client cannot redeem someone else's code.
    let code = get_code(addr, &client, &res).await.expect("code");
    let other = TestClient {
        id: PUBLIC_CLIENT.into(),
        ..client.clone()
    };
    let reply = redeem(addr, &other, &code, &res).await;
    assert_eq!(reply.error().as_deref(), Some("invalid_grant"));
    assert_eq!(redeem(addr, &client, &code, &res).await.status, 200);
}

#[tokio::test]
async fn refresh_rotation_reuse_and_scope() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let res = server.mcp_url();
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let refresh = |rt: String, scope: Option<&'static str>| {
        let client = client.clone();
        async move {
            let mut pairs = vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", rt.as_str()),
            ];
            pairs.extend(scope.map(|s| ("scope", s)));
            token(addr, &client, &pairs).await
        }
    };

    let (access1, refresh1) = tokens(addr, &client, &res).await.expect("tokens");
    let body = refresh(refresh1.clone(), None).await.json();
    let access2 = body["access_token"].as_str().expect("access").to_owned();
    let refresh2 = body["refresh_token"].as_str().expect("refresh").to_owned();
    assert_ne!(refresh1, refresh2);
    // Reusing the rotated-out token revokes the family.
    let reply = refresh(refresh1, None).await;
    assert_eq!(reply.error().as_deref(), Some("invalid_grant"));
    assert_eq!(
        refresh(refresh2, None).await.error().as_deref(),
        Some("invalid_grant")
    );
    assert_eq!(mcp(addr, &access1, INITIALIZE).await.status, 401);
    assert_eq!(mcp(addr, &access2, INITIALIZE).await.status, 401);

    // Narrowing is allowed, widening is not.
    let mut params = code_request(&client, &res);
    params.retain(|(k, _)| *k != "scope");
    params.push(("scope", "mcp:tools mcp:read"));
    let code = authorize(addr, &params).await.param("code").expect("code");
    let body = redeem(addr, &client, &code, &res).await.json();
    assert_eq!(body["scope"], json!("mcp:tools mcp:read"));
    let rt = body["refresh_token"].as_str().expect("refresh").to_owned();
    let reply = refresh(rt.clone(), Some("mcp:tools mcp:admin")).await;
    assert_eq!(reply.error().as_deref(), Some("invalid_scope"));
    let reply = refresh(rt, Some("mcp:read")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["scope"], json!("mcp:read"));
    let narrow = body["access_token"].as_str().expect("access").to_owned();
    assert_eq!(mcp(addr, &narrow, INITIALIZE).await.status, 200);
    let ping = r#"{"jsonrpc":"2.0","id":9,"method":"ping"}"#;
    assert_eq!(mcp(addr, &narrow, ping).await.status, 200);
    let reply = mcp(addr, &narrow, TOOLS_LIST).await;
    assert_eq!(reply.status, 403);
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("scope=\"mcp:tools\""), "{challenge}");
    assert!(challenge.contains("resource_metadata=\""), "{challenge}");
    // The rotated token still carries the original scope.
    let rt = body["refresh_token"].as_str().expect("refresh").to_owned();
    assert_eq!(
        refresh(rt, None).await.json()["scope"],
        json!("mcp:tools mcp:read")
    );

    // Confidential clients keep their refresh token.
    let confidential =
        register_confidential(addr, "https://c.example/cb", "client_secret_post").await;
    let (_, rt) = tokens(addr, &confidential, &res).await.expect("tokens");
    let reply = token(
        addr,
        &confidential,
        &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
    )
    .await;
    assert_eq!(reply.json()["refresh_token"], json!(rt));
    // Someone else's refresh token is useless.
    let reply = token(
        addr,
        &client,
        &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_grant"));
}

#[tokio::test]
async fn client_authentication_at_the_token_endpoint() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let res = server.mcp_url();
    let basic_client =
        register_confidential(addr, "https://c.example/cb", "client_secret_basic").await;
    let secret = basic_client.secret.clone().expect("secret");
    let code = get_code(addr, &basic_client, &res).await.expect("code");
    let grant = |code: &str| {
        form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", "https://c.example/cb"),
            ("code_verifier", VERIFIER),
        ])
    };

    let wrong = basic(&basic_client.id, "wrong");
    let reply = send(
        addr,
        "POST",
        "/token",
        &[FORM, ("Authorization", &wrong)],
        &grant(&code),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.error().as_deref(), Some("invalid_client"));
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Basic realm=\"authspec-reference\"")
    );
    let garbage = send(
        addr,
        "POST",
        "/token",
        &[FORM, ("Authorization", "Basic !!!")],
        &grant(&code),
    )
    .await;
    assert_eq!(garbage.status, 401);

    // Two methods at once.
    let right = basic(&basic_client.id, &secret);
    let two = format!("{}&client_secret={secret}", grant(&code));
    let reply = send(
        addr,
        "POST",
        "/token",
        &[FORM, ("Authorization", &right)],
        &two,
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
    // The registered method only.
    let post = format!(
        "{}&client_id={}&client_secret={secret}",
        grant(&code),
        basic_client.id
    );
    let reply = send(addr, "POST", "/token", &[FORM], &post).await;
    assert_eq!(reply.status, 401);
    let none = format!("{}&client_id={}", grant(&code), basic_client.id);
    assert_eq!(
        send(addr, "POST", "/token", &[FORM], &none).await.status,
        401
    );
    // Credentials in the query are not even looked at.
    let target = format!(
        "/token?client_id={}&client_secret={secret}",
        basic_client.id
    );
    let reply = send(addr, "POST", &target, &[FORM], &grant(&code)).await;
    assert_eq!(reply.status, 401);
    // No credentials at all.
    let reply = send(addr, "POST", "/token", &[FORM], &grant(&code)).await;
    assert_eq!(reply.status, 401);
    assert!(reply.header("www-authenticate").is_some());

    let reply = send(
        addr,
        "POST",
        "/token",
        &[FORM, ("Authorization", &right)],
        &grant(&code),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // Grant types.
    for grant_type in ["password", "client_credentials", "implicit", "urn:x"] {
        let body = format!("grant_type={grant_type}&username=a&password=b");
        let reply = send(
            addr,
            "POST",
            "/token",
            &[FORM, ("Authorization", &right)],
            &body,
        )
        .await;
        assert_eq!(
            reply.error().as_deref(),
            Some("unsupported_grant_type"),
            "{grant_type}"
        );
    }
    let reply = send(
        addr,
        "POST",
        "/token",
        &[FORM, ("Authorization", &right)],
        "code=x",
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
    let reply = send(addr, "POST", "/token", &[JSON], "{}").await;
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
    let reply = send(
        addr,
        "POST",
        "/token",
        &[FORM],
        "grant_type=refresh_token&grant_type=authorization_code",
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
    assert_eq!(send(addr, "GET", "/token", &[], "").await.status, 405);

    // Revocation authenticates the same way.
    let reply = send(addr, "POST", "/revoke", &[FORM], "token=x").await;
    assert_eq!(reply.status, 401);
    let reply = send(
        addr,
        "POST",
        "/revoke",
        &[FORM, ("Authorization", &wrong)],
        "token=x",
    )
    .await;
    assert_eq!(reply.status, 401);
    let reply = send(
        addr,
        "POST",
        "/revoke",
        &[FORM, ("Authorization", &right)],
        "",
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
    let reply = send(
        addr,
        "POST",
        "/revoke",
        &[FORM, ("Authorization", &right)],
        "token=x",
    )
    .await;
    assert_eq!(reply.status, 200);

    // client_secret_post clients.
    let post_client =
        register_confidential(addr, "https://d.example/cb", "client_secret_post").await;
    let (access, _) = tokens(addr, &post_client, &res).await.expect("tokens");
    assert_eq!(mcp(addr, &access, TOOLS_LIST).await.status, 200);
    // Another client cannot revoke it.
    let revoke = format!("token={access}");
    let reply = send(
        addr,
        "POST",
        "/revoke",
        &[FORM, ("Authorization", &right)],
        &revoke,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(mcp(addr, &access, TOOLS_LIST).await.status, 200);
}

#[tokio::test]
async fn one_code_fifty_concurrent_redemptions() {
    for (config, expect_many) in [
        (Config::default(), false),
        (Config::with_mutant(Mutant::CodeRace), true),
    ] {
        let server = start(config).await;
        let addr = server.local_addr();
        let res = server.mcp_url();
        let client = register_public(addr, "http://127.0.0.1/cb").await;
        // code-race leaves one code in three open to the race: the third one.
        let mut code = get_code(addr, &client, &res).await.expect("code");
        if expect_many {
            for _ in 0..2 {
                code = get_code(addr, &client, &res).await.expect("code");
            }
        }
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let client = client.clone();
            let code = code.clone();
            let res = res.clone();
            tasks.spawn(async move { redeem(addr, &client, &code, &res).await.status });
        }
        let mut successes = 0;
        while let Some(status) = tasks.join_next().await {
            let status = status.expect("task");
            assert!(status == 200 || status == 400, "{status}");
            successes += usize::from(status == 200);
        }
        if expect_many {
            assert!(successes > 1, "code-race gave {successes} successes");
        } else {
            assert_eq!(successes, 1);
        }
    }
}

#[tokio::test]
async fn malformed_requests_never_break_the_server() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let long = "a".repeat(20_000);
    let invalid_utf8: &[u8] = b"\xff\xfe\x00=\x80&client_id=\xc3";
    let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
    let auth_headers: [(&str, &str); 6] = [
        ("Authorization", "Basic"),
        ("Authorization", "Basic ="),
        ("Authorization", "Basic Og=="),
        ("Authorization", "Basic \u{e9}"),
        ("Authorization", "Bearer a b c"),
        ("Authorization", ""),
    ];
    let targets = [
        "/authorize",
        "/authorize/consent",
        "/token",
        "/revoke",
        "/register",
        "/register/x",
        "/register/%ff%00",
        "/mcp",
    ];
    let queries = [
        "",
        "?",
        "?%",
        "?%zz=%zz",
        "?client_id=%ff",
        "?client_id=reference-public-client&redirect_uri=%00",
        "?client_id=reference-public-client&redirect_uri=http://127.0.0.1:99999999/callback",
        "?client_id=reference-public-client&response_type=code&code_challenge=&code_challenge_method=S256",
        "?client_id=reference-public-client&resource=%ff&resource=&resource=http://[::1",
        "?client_id=reference-public-client&state=%0d%0aX:%20y",
        "?a=b=c&&&=&",
    ];
    let bodies: Vec<&[u8]> = vec![
        b"",
        b"=",
        b"&&&",
        b"grant_type=authorization_code&code=",
        b"grant_type=authorization_code&code=x&code_verifier=%ff",
        b"grant_type=refresh_token&refresh_token=%00",
        b"token=a.b.c&client_id=reference-public-client",
        b"token=e30.e30.e30&client_id=reference-public-client",
        b"{\"redirect_uris\":null}",
        b"{\"redirect_uris\":[\"http://[::1\"]}",
        b"{\"redirect_uris\":[\"https://a.example/cb\"],\"grant_types\":[null]}",
        b"null",
        b"{\"a\":1e999999}",
        long.as_bytes(),
        invalid_utf8,
        deep.as_bytes(),
    ];
    let content_types = [
        Some("application/json"),
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        Some("application/x-www-form-urlencoded; charset=\u{e9}"),
        None,
    ];
    let mut count = 0;
    for target in targets {
        // Every method with every query string, without a body...
        for method in ["GET", "POST", "DELETE", "PUT"] {
            for (i, query) in queries.iter().enumerate() {
                let auth = auth_headers[(i + count) % auth_headers.len()];
                let full = format!("{target}{query}");
                let reply = send_raw(addr, method, &full, &[auth], b"").await;
                count += 1;
                assert!(
                    reply.status < 500,
                    "{method} {full} {auth:?} -> {} {}",
                    reply.status,
                    reply.body
                );
            }
        }
        // ...and every body under every content type.
        for body in &bodies {
            for content_type in content_types {
                let mut headers: Vec<(&str, &str)> = content_type
                    .map(|c| ("Content-Type", c))
                    .into_iter()
                    .collect();
                headers.push(auth_headers[count % auth_headers.len()]);
                let reply = send_raw(addr, "POST", target, &headers, body).await;
                count += 1;
                assert!(
                    reply.status < 500,
                    "POST {target} {headers:?} {:?} -> {} {}",
                    String::from_utf8_lossy(body),
                    reply.status,
                    reply.body
                );
            }
        }
    }
    assert!(count > 900);
    let reply = send(
        addr,
        "GET",
        "/.well-known/oauth-authorization-server",
        &[],
        "",
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(
        tokens(
            addr,
            &register_public(addr, "http://127.0.0.1/cb").await,
            &server.mcp_url()
        )
        .await
        .is_some()
    );
}

/// RFC 6749 §5.2: `error` and `error_description` use %x20-21 / %x23-5B /
/// %x5D-7E only.
fn error_charset(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5b | 0x5d..=0x7e))
}

/// A public client registered with two loopback redirect URIs, the first
/// carrying a query (OAuth 2.1 §2.3 allows it).
async fn register_with_query(addr: std::net::SocketAddr) -> TestClient {
    let metadata = json!({
        "redirect_uris": ["http://127.0.0.1:8976/callback?app=1", "http://127.0.0.1:8976/second"],
        "token_endpoint_auth_method": "none",
    });
    register_client(addr, &metadata, "http://127.0.0.1:8976/callback?app=1").await
}

#[tokio::test]
async fn oauth21_request_parameter_rules() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let res = server.mcp_url();
    let base = server.base_url().to_owned();
    let client = register_with_query(addr).await;

    // §2.3: the registered query stays and the response parameters follow
    // it; §3.1: an unknown parameter is ignored.
    let mut params = code_request(&client, &res);
    params.push(("authspec_unknown", "1"));
    let reply = authorize(addr, &params).await;
    assert_eq!(reply.status, 302, "{}", reply.body);
    let location = reply.header("location").unwrap_or_default();
    assert!(
        location.starts_with("http://127.0.0.1:8976/callback?app=1&code="),
        "{location}"
    );
    assert_eq!(reply.param("state").as_deref(), Some("st4te"));
    assert_eq!(reply.param("iss").as_deref(), Some(base.as_str()));
    let code = reply.param("code").expect("code");
    // §7.7: 32 random bytes, base64url.
    assert_eq!(code.len(), 43, "{code}");

    // §3.1: a repeated parameter is refused, at the client's redirect URI.
    let mut params = code_request(&client, &res);
    params.push(("state", "again"));
    let reply = authorize(addr, &params).await;
    assert_eq!(reply.status, 302);
    assert_eq!(reply.param("error").as_deref(), Some("invalid_request"));
    assert!(reply.param("code").is_none());

    // §3.1: an empty value is no value, so the method is missing.
    let mut params = code_request(&client, &res);
    params.retain(|(k, _)| *k != "code_challenge_method");
    params.push(("code_challenge_method", ""));
    let reply = authorize(addr, &params).await;
    assert_eq!(reply.param("error").as_deref(), Some("invalid_request"));
    assert!(reply.param("code").is_none());

    // §4.1.1: several registered redirect URIs and none sent: no redirect.
    let mut params = code_request(&client, &res);
    params.retain(|(k, _)| *k != "redirect_uri");
    let reply = authorize(addr, &params).await;
    assert_eq!(reply.status, 400);
    assert!(reply.header("location").is_none());

    // The scheme and host of a resource compare case-insensitively, at
    // both endpoints; §3.2: an unknown token parameter is ignored.
    let upper = res.replacen("http://", "HTTP://", 1);
    let mut params = code_request(&client, &res);
    params.retain(|(k, _)| *k != "resource");
    params.push(("resource", &upper));
    let upper_code = authorize(addr, &params).await.param("code").expect("code");
    let reply = token(
        addr,
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &upper_code),
            ("redirect_uri", &client.redirect_uri),
            ("code_verifier", VERIFIER),
            ("resource", &upper),
            ("authspec_unknown", "1"),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let access = reply.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(claims(&access)["aud"], json!(res));

    // §3.2: a repeated token parameter is refused, and the code survives.
    let pairs = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("code_verifier", VERIFIER),
    ];
    let mut repeated = pairs.to_vec();
    repeated.push(("code_verifier", VERIFIER));
    let reply = token(addr, &client, &repeated).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
    assert_eq!(token(addr, &client, &pairs).await.status, 200);

    // §4.2: client_credentials is refused for every client, public or not.
    let confidential =
        register_confidential(addr, "https://c.example/cb", "client_secret_basic").await;
    let secret = confidential.secret.clone().unwrap_or_default();
    let confidential_auth = basic(&confidential.id, &secret);
    for (headers, body) in [
        (
            vec![FORM],
            format!(
                "grant_type=client_credentials&scope=mcp:tools&client_id={}",
                client.id
            ),
        ),
        (
            vec![FORM],
            format!("grant_type=client_credentials&client_id={PUBLIC_CLIENT}"),
        ),
        (
            vec![FORM, ("Authorization", confidential_auth.as_str())],
            "grant_type=client_credentials".to_owned(),
        ),
    ] {
        let reply = send(addr, "POST", "/token", &headers, &body).await;
        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(reply.error().as_deref(), Some("unsupported_grant_type"));
        assert!(reply.json().get("access_token").is_none());
    }

    // RFC 6749 §5.2: every token error description keeps to its charset.
    let wrong_verifier = "x".repeat(43);
    for body in [
        String::new(),
        "grant_type=bogus".to_owned(),
        format!(
            "grant_type=authorization_code&code=nope&client_id={}",
            client.id
        ),
        format!(
            "grant_type=authorization_code&code={upper_code}&client_id={}&code_verifier=short",
            client.id
        ),
        format!(
            "grant_type=authorization_code&code={upper_code}&client_id={}&code_verifier={wrong_verifier}",
            client.id
        ),
        format!("grant_type=refresh_token&client_id={}", client.id),
        "grant_type=authorization_code&code=x&client_id=nobody".to_owned(),
    ] {
        let reply = send(addr, "POST", "/token", &[FORM], &body).await;
        assert!(reply.status >= 400, "{body}");
        let json = reply.json();
        for member in ["error", "error_description"] {
            let text = json[member].as_str().unwrap_or_default();
            assert!(error_charset(text), "{member} {text:?} for {body}");
        }
    }
}

#[tokio::test]
async fn request_parameter_mutants_break_their_rule() {
    let res_of = |server: &reference_server::RunningServer| server.mcp_url();

    // Each mutant on its own server, probed where it differs from the
    // baseline checked in oauth21_request_parameter_rules.
    let server = start(Config::with_mutant(Mutant::AuthorizeRejectsUnknownParams)).await;
    let (addr, res) = (server.local_addr(), res_of(&server));
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let mut params = code_request(&client, &res);
    params.push(("authspec_unknown", "1"));
    let reply = authorize(addr, &params).await;
    assert_eq!(reply.param("error").as_deref(), Some("invalid_request"));

    let server = start(Config::with_mutant(Mutant::TokenRejectsUnknownParams)).await;
    let (addr, res) = (server.local_addr(), res_of(&server));
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let code = get_code(addr, &client, &res).await.expect("code");
    let reply = token(
        addr,
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1/cb"),
            ("code_verifier", VERIFIER),
            ("authspec_unknown", "1"),
        ],
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));

    let server = start(Config::with_mutant(Mutant::AuthorizeAcceptsRepeatedParams)).await;
    let (addr, res) = (server.local_addr(), res_of(&server));
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let mut params = code_request(&client, &res);
    params.push(("state", "again"));
    let reply = authorize(addr, &params).await;
    assert!(
        reply.param("code").is_some(),
        "{:?}",
        reply.header("location")
    );
    assert_eq!(reply.param("state").as_deref(), Some("st4te"));

    let server = start(Config::with_mutant(Mutant::TokenAcceptsRepeatedParams)).await;
    let (addr, res) = (server.local_addr(), res_of(&server));
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let code = get_code(addr, &client, &res).await.expect("code");
    let reply = token(
        addr,
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1/cb"),
            ("code_verifier", VERIFIER),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let server = start(Config::with_mutant(Mutant::AuthorizeEmptyParamNotAbsent)).await;
    let (addr, res) = (server.local_addr(), res_of(&server));
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let mut params = code_request(&client, &res);
    params.retain(|(k, _)| *k != "code_challenge_method");
    params.push(("code_challenge_method", ""));
    let code = authorize(addr, &params).await.param("code").expect("code");
    // The challenge was taken as S256, so the right verifier redeems it.
    assert_eq!(redeem(addr, &client, &code, &res).await.status, 200);

    let server = start(Config::with_mutant(
        Mutant::AuthorizeDefaultRedirectWithMany,
    ))
    .await;
    let (addr, res) = (server.local_addr(), res_of(&server));
    let client = register_with_query(addr).await;
    let mut params = code_request(&client, &res);
    params.retain(|(k, _)| *k != "redirect_uri");
    let reply = authorize(addr, &params).await;
    assert_eq!(reply.status, 302);
    let location = reply.header("location").unwrap_or_default();
    assert!(
        location.starts_with("http://127.0.0.1:8976/callback?app=1&code="),
        "{location}"
    );

    let server = start(Config::with_mutant(Mutant::AuthorizeDropsRedirectQuery)).await;
    let (addr, res) = (server.local_addr(), res_of(&server));
    let client = register_with_query(addr).await;
    let reply = authorize(addr, &code_request(&client, &res)).await;
    let location = reply.header("location").unwrap_or_default();
    assert!(
        location.starts_with("http://127.0.0.1:8976/callback?code="),
        "{location}"
    );
    assert!(reply.param("app").is_none());

    let server = start(Config::with_mutant(Mutant::TokenErrorBadCharset)).await;
    let addr = server.local_addr();
    let reply = send(addr, "POST", "/token", &[FORM], "grant_type=bogus").await;
    assert_eq!(reply.error().as_deref(), Some("unsupported_grant_type"));
    let description = reply.json()["error_description"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        description.contains('"') && !description.is_ascii(),
        "{description}"
    );

    let server = start(Config::with_mutant(Mutant::TokenClientCredentialsPublic)).await;
    let (addr, res) = (server.local_addr(), res_of(&server));
    let body = format!("grant_type=client_credentials&client_id={PUBLIC_CLIENT}");
    let reply = send(addr, "POST", "/token", &[FORM], &body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let access = reply.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(claims(&access)["aud"], json!(res));
    assert_eq!(claims(&access)["scope"], json!("mcp:tools"));
    assert!(reply.json().get("refresh_token").is_none());
    assert_eq!(mcp(addr, &access, TOOLS_LIST).await.status, 200);
    // Only the public-client rule is broken: a confidential client is
    // still refused.
    let confidential =
        register_confidential(addr, "https://c.example/cb", "client_secret_post").await;
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", &confidential.id),
        (
            "client_secret",
            confidential.secret.as_deref().unwrap_or_default(),
        ),
    ]);
    let reply = send(addr, "POST", "/token", &[FORM], &body).await;
    assert_eq!(reply.error().as_deref(), Some("unsupported_grant_type"));

    let server = start(Config::with_mutant(Mutant::CodeShort)).await;
    let (addr, res) = (server.local_addr(), res_of(&server));
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let code = get_code(addr, &client, &res).await.expect("code");
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    assert_eq!(redeem(addr, &client, &code, &res).await.status, 200);

    let server = start(Config::with_mutant(Mutant::AuthorizeCaseSensitiveResource)).await;
    let (addr, res) = (server.local_addr(), res_of(&server));
    let client = register_public(addr, "http://127.0.0.1/cb").await;
    let upper = res.replacen("http://", "HTTP://", 1);
    let mut params = code_request(&client, &res);
    params.retain(|(k, _)| *k != "resource");
    params.push(("resource", &upper));
    let reply = authorize(addr, &params).await;
    assert_eq!(reply.param("error").as_deref(), Some("invalid_target"));
    // The exact spelling still works.
    assert!(get_code(addr, &client, &res).await.is_some());
}
