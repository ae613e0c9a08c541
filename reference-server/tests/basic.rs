//! End-to-end checks of the reference server over real sockets: the correct
//! baseline, and that every mutant visibly changes some answer.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use reference_server::{Config, Mutant, RunningServer};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use url::Url;

#[test]
fn mutant_names_round_trip_and_are_unique() {
    let names: BTreeSet<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
    assert_eq!(names.len(), Mutant::ALL.len());
    for &m in Mutant::ALL {
        assert_eq!(Mutant::from_name(m.name()), Some(m));
        assert_eq!(m.to_string().parse::<Mutant>(), Ok(m));
        assert!(!m.description().is_empty());
    }
    let err = "nope".parse::<Mutant>().expect_err("unknown name");
    assert!(err.contains("prm-missing-resource"), "{err}");
}

#[tokio::test]
async fn baseline_is_strict() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let base = server.base_url().to_owned();
    let res = server.mcp_url();
    assert_eq!(base, format!("http://{addr}"));

    let prm = send(
        addr,
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        &[],
        "",
    )
    .await;
    assert_eq!(prm.status, 200);
    assert_eq!(prm.header("content-type"), Some("application/json"));
    assert_eq!(prm.header("x-frame-options"), Some("DENY"));
    let doc = prm.json();
    assert_eq!(doc["resource"], json!(res));
    assert_eq!(doc["authorization_servers"], json!([base]));
    assert_eq!(doc["scopes_supported"], json!(["mcp:tools", "mcp:read"]));
    assert_eq!(doc["bearer_methods_supported"], json!(["header", "body"]));
    let jws = doc["signed_metadata"].as_str().expect("signed_metadata");
    let parts: Vec<&str> = jws.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    // Signed with the published ES256 key, named by its kid.
    let jwks = send(addr, "GET", "/jwks.json", &[], "").await.json();
    let key = &jwks["keys"][0];
    assert_eq!(
        (&key["kty"], &key["crv"], &key["alg"], &key["use"]),
        (
            &json!("EC"),
            &json!("P-256"),
            &json!("ES256"),
            &json!("sig")
        )
    );
    assert_eq!(
        header,
        json!({"alg": "ES256", "typ": "JWT", "kid": key["kid"].clone()})
    );
    assert_eq!(claims["iss"], json!(res));
    assert_eq!(claims["resource"], json!(res));
    assert!(claims.get("signed_metadata").is_none());
    assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).expect("b64").len(), 64);

    let root = send(
        addr,
        "GET",
        "/.well-known/oauth-protected-resource",
        &[],
        "",
    )
    .await;
    assert_eq!(
        (root.status, root.json()),
        (404, json!({"error": "not_found"}))
    );
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let meta = send(addr, "GET", path, &[], "").await;
        assert_eq!(meta.status, 200, "{path}");
        let doc = meta.json();
        assert_eq!(meta.header("content-type"), Some("application/json"));
        assert_eq!(doc["issuer"], json!(base));
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(doc["response_types_supported"], json!(["code"]));
        assert_eq!(
            doc["grant_types_supported"],
            json!(["authorization_code", "refresh_token"])
        );
        assert_eq!(doc["scopes_supported"], json!(["mcp:tools", "mcp:read"]));
        assert_eq!(
            doc["authorization_endpoint"],
            json!(format!("{base}/authorize"))
        );
        assert_eq!(doc["token_endpoint"], json!(format!("{base}/token")));
        assert_eq!(
            doc["registration_endpoint"],
            json!(format!("{base}/register"))
        );
        assert_eq!(doc["revocation_endpoint"], json!(format!("{base}/revoke")));
        assert_eq!(
            doc["revocation_endpoint_auth_methods_supported"],
            json!(["none", "client_secret_basic", "client_secret_post"])
        );
        assert_eq!(
            doc["authorization_response_iss_parameter_supported"],
            json!(true)
        );
        assert_eq!(doc["client_id_metadata_document_supported"], json!(true));
        let jws = doc["signed_metadata"].as_str().expect("signed_metadata");
        let parts: Vec<&str> = jws.split('.').collect();
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
        assert_eq!(header["alg"], json!("ES256"));
        assert_eq!(header["kid"], key["kid"]);
        assert_eq!(claims["iss"], json!(base));
        assert_eq!(claims["token_endpoint"], doc["token_endpoint"]);
        assert!(claims.get("signed_metadata").is_none());
    }
    let jwks = send(addr, "GET", "/jwks.json", &[], "").await.json();
    assert_eq!(jwks["keys"][0]["x"].as_str().map(str::len), Some(43));

    let challenge = format!(
        "Bearer resource_metadata=\"{base}/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:tools\""
    );
    let anonymous = send(addr, "POST", "/mcp", &[JSON], INITIALIZE).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.all("www-authenticate"), vec![challenge.as_str()]);
    assert_eq!(anonymous.header("cache-control"), Some("no-store"));
    assert!(anonymous.json().get("result").is_none());

    // A query token is ignored entirely, not rejected as invalid.
    let query = send(addr, "POST", "/mcp?access_token=abc", &[JSON], INITIALIZE).await;
    assert_eq!(
        (query.status, query.all("www-authenticate")),
        (401, vec![challenge.as_str()])
    );

    let bad = send(
        addr,
        "POST",
        "/mcp",
        &[JSON, ("Authorization", "bEaReR abc")],
        INITIALIZE,
    )
    .await;
    assert_eq!(bad.status, 401);
    let bad_challenge = bad.header("www-authenticate").unwrap_or_default();
    assert!(
        bad_challenge.starts_with("Bearer error=\"invalid_token\", error_description=\""),
        "{bad_challenge}"
    );
    assert!(
        bad_challenge.ends_with(", scope=\"mcp:tools\""),
        "{bad_challenge}"
    );

    for auth in ["Bearer", "Bearer a b", ""] {
        let malformed = send(
            addr,
            "POST",
            "/mcp",
            &[JSON, ("Authorization", auth)],
            INITIALIZE,
        )
        .await;
        assert_eq!(malformed.status, 400, "{auth:?}");
        let value = malformed.header("www-authenticate").unwrap_or_default();
        assert!(
            value.starts_with("Bearer error=\"invalid_request\""),
            "{value}"
        );
    }
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let double = send(
        addr,
        "POST",
        "/mcp",
        &[form, ("Authorization", "Bearer abc")],
        "access_token=abc",
    )
    .await;
    assert_eq!(double.status, 400);
    // RFC 6750 §2.2: a token in a form body alone is judged like a header token.
    let body_only = send(addr, "POST", "/mcp", &[form], "access_token=abc").await;
    assert_eq!(body_only.status, 401);
    assert!(
        body_only
            .header("www-authenticate")
            .unwrap_or_default()
            .contains("invalid_token")
    );

    let big = "x".repeat(70 * 1024);
    assert_eq!(send(addr, "POST", "/mcp", &[JSON], &big).await.status, 413);
    let unknown = send(addr, "GET", "/nope", &[], "").await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (404, json!({"error": "not_found"}))
    );
    let token = send(addr, "POST", "/token", &[], "").await;
    assert_eq!(token.status, 400);
    assert_eq!(token.error().as_deref(), Some("invalid_request"));

    server.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
}

/// Method, request target, headers, body.
type Probe<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str);

/// Everything a client can observe from a fixed set of probes, with the
/// port-dependent parts normalised away.
async fn transcript(server: &RunningServer) -> Vec<String> {
    let addr = server.local_addr();
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(json!({"sub": "x", "aud": server.mcp_url()}).to_string())
    );
    let unsigned = format!("Bearer {unsigned}");
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let probes: Vec<Probe> = vec![
        (
            "GET",
            "/.well-known/oauth-protected-resource/mcp",
            vec![],
            "",
        ),
        ("GET", "/.well-known/oauth-protected-resource", vec![], ""),
        ("GET", "/jwks.json", vec![], ""),
        ("GET", "/.well-known/oauth-authorization-server", vec![], ""),
        ("GET", "/.well-known/openid-configuration", vec![], ""),
        ("POST", "/mcp", vec![JSON], INITIALIZE),
        ("POST", "/mcp", vec![JSON], INITIALIZE),
        ("POST", "/mcp", vec![JSON], TOOLS_LIST),
        (
            "POST",
            "/mcp",
            vec![JSON, ("Authorization", "Bearer garbage")],
            INITIALIZE,
        ),
        (
            "POST",
            "/mcp",
            vec![JSON, ("Authorization", "bearer garbage")],
            INITIALIZE,
        ),
        (
            "POST",
            "/mcp",
            vec![JSON, ("Authorization", "Bearer")],
            INITIALIZE,
        ),
        ("POST", "/mcp?access_token=garbage", vec![JSON], INITIALIZE),
        (
            "POST",
            "/mcp",
            vec![form, ("Authorization", "Bearer garbage")],
            "access_token=garbage",
        ),
        (
            "POST",
            "/mcp",
            vec![JSON, ("Authorization", unsigned.as_str())],
            INITIALIZE,
        ),
    ];
    let mut out = Vec::new();
    for (index, (method, target, headers, body)) in probes.into_iter().enumerate() {
        let reply = send(addr, method, target, &headers, body).await;
        let mut body = reply.json();
        decode_signed_metadata(&mut body);
        let line = format!(
            "#{index} {method} {target} -> {} {:?} {:?} {body}",
            reply.status,
            reply.header("content-type"),
            reply.all("www-authenticate"),
        );
        out.push(line.replace(server.base_url(), "BASE"));
    }
    let keys = per_run_key_values(addr).await;
    out.into_iter()
        .map(|line| {
            keys.iter()
                .fold(line, |line, (value, name)| line.replace(value, name))
        })
        .collect()
}

/// The signing key is made at start, so its kid and coordinates differ per
/// run: each is replaced by a fixed name.
async fn per_run_key_values(addr: std::net::SocketAddr) -> Vec<(String, &'static str)> {
    let jwks = send(addr, "GET", "/jwks.json", &[], "").await.json();
    let key = &jwks["keys"][0];
    ["kid", "x", "y"]
        .into_iter()
        .filter_map(|member| Some((key[member].as_str()?.to_owned(), member)))
        .map(|(value, member)| {
            let name = match member {
                "kid" => "KID",
                "x" => "X",
                _ => "Y",
            };
            (value, name)
        })
        .collect()
}

/// Replaces the (port-dependent) JWS with its decoded header and claims.
fn decode_signed_metadata(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(decode_signed_metadata),
        Value::Object(map) => {
            if let Some(Value::String(jws)) = map.get("signed_metadata") {
                let decoded: Vec<String> = jws
                    .split('.')
                    .take(2)
                    .map(|p| {
                        String::from_utf8_lossy(&URL_SAFE_NO_PAD.decode(p).unwrap_or_default())
                            .into_owned()
                    })
                    .collect();
                map.insert("signed_metadata".into(), json!(decoded));
            }
        }
        _ => {}
    }
}

/// Members whose values are random per run.
const RANDOM_MEMBERS: [&str; 6] = [
    "client_id",
    "client_secret",
    "registration_access_token",
    "registration_client_uri",
    "client_id_issued_at",
    "refresh_token",
];

/// The claims of an access token with the per-run parts blanked.
fn jwt_view(token: &str) -> Value {
    let mut claims = claims(token);
    if let Value::Object(map) = &mut claims {
        for key in ["iat", "exp", "jti", "client_id"] {
            if let Some(v) = map.get_mut(key) {
                *v = json!("<r>");
            }
        }
    }
    claims
}

fn normalize(value: &mut Value) {
    decode_signed_metadata(value);
    match value {
        Value::Array(items) => items.iter_mut().for_each(normalize),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if RANDOM_MEMBERS.contains(&key.as_str()) {
                    *v = json!("<r>");
                } else if key == "access_token" {
                    *v = jwt_view(v.as_str().unwrap_or_default());
                } else {
                    normalize(v);
                }
            }
        }
        _ => {}
    }
}

fn normalize_location(location: &str) -> String {
    let Ok(url) = Url::parse(location) else {
        return location.to_owned();
    };
    let view = |pairs: url::form_urlencoded::Parse<'_>| -> Vec<(String, String)> {
        pairs
            .map(|(k, v)| {
                let v = match &*k {
                    "code" => "<r>".to_owned(),
                    "access_token" => jwt_view(&v).to_string(),
                    _ => v.into_owned(),
                };
                (k.into_owned(), v)
            })
            .collect()
    };
    let query = view(url.query_pairs());
    let fragment = url
        .fragment()
        .map(|f| view(url::form_urlencoded::parse(f.as_bytes())));
    format!(
        "{}://{}{} {query:?} {fragment:?}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port().map(|p| format!(":{p}")).unwrap_or_default(),
    ) + url.path()
}

/// Everything observable about one reply, with per-run values normalised.
fn observe(label: &str, reply: &Reply) -> String {
    let mut body = reply.json();
    if body.is_null() {
        body = Value::String(reply.body.clone());
    }
    normalize(&mut body);
    let headers: Vec<String> = [
        "content-type",
        "www-authenticate",
        "cache-control",
        "pragma",
        "x-frame-options",
        "content-security-policy",
        "access-control-allow-origin",
    ]
    .iter()
    .filter_map(|h| reply.header(h).map(|v| format!("{h}={v}")))
    .collect();
    let location = reply.header("location").map(normalize_location);
    format!(
        "{label} -> {} {headers:?} {location:?} {body}",
        reply.status
    )
}

/// Registration, authorization, token, refresh, revocation and use at
/// `/mcp`, each probed where a mutant could break it.
/// The 2026-07-28 wire model with a valid token: one probe per rule of the modern transport.
async fn modern_transcript(addr: std::net::SocketAddr, at: &str) -> Vec<String> {
    let t = Some(at);
    let none = json!({});
    let mut out = Vec::new();
    let mut probe = |label: &str, reply: Reply| out.push(observe(label, &reply));
    // First, before any server/discover: a stateless server answers at once.
    probe(
        "modern tools/list",
        modern(addr, t, "tools/list", json!({}), none.clone(), &[]).await,
    );
    probe(
        "discover",
        modern(addr, t, "server/discover", json!({}), none.clone(), &[]).await,
    );
    probe(
        "unsupported version",
        modern(
            addr,
            t,
            "tools/list",
            json!({}),
            json!({"protocolVersion": "1900-01-01"}),
            &[("MCP-Protocol-Version", "1900-01-01")],
        )
        .await,
    );
    probe(
        "version mismatch",
        modern(
            addr,
            t,
            "tools/list",
            json!({}),
            json!({"protocolVersion": "1900-01-01"}),
            &[],
        )
        .await,
    );
    probe(
        "no version header",
        modern(
            addr,
            t,
            "tools/list",
            json!({}),
            none.clone(),
            &[("MCP-Protocol-Version", "")],
        )
        .await,
    );
    probe(
        "no Mcp-Method",
        modern(
            addr,
            t,
            "tools/list",
            json!({}),
            none.clone(),
            &[("Mcp-Method", "")],
        )
        .await,
    );
    probe(
        "Mcp-Method in capitals",
        modern(
            addr,
            t,
            "tools/list",
            json!({}),
            none.clone(),
            &[("Mcp-Method", "TOOLS/LIST")],
        )
        .await,
    );
    probe(
        "unknown method",
        modern(addr, t, "x/unknown", json!({}), none.clone(), &[]).await,
    );
    probe(
        "foreign origin",
        modern(
            addr,
            t,
            "tools/list",
            json!({}),
            none.clone(),
            &[("Origin", "https://evil.example")],
        )
        .await,
    );
    let auth = format!("Bearer {at}");
    probe(
        "GET",
        send(addr, "GET", "/mcp", &[("Authorization", &auth)], "").await,
    );
    probe(
        "session id",
        modern(
            addr,
            t,
            "tools/list",
            json!({}),
            none.clone(),
            &[("Mcp-Session-Id", "s")],
        )
        .await,
    );
    probe(
        "last event id",
        modern(
            addr,
            t,
            "tools/list",
            json!({}),
            none.clone(),
            &[("Last-Event-ID", "1")],
        )
        .await,
    );
    probe(
        "no capabilities",
        modern(
            addr,
            t,
            "tools/list",
            json!({}),
            json!({"clientCapabilities": null}),
            &[],
        )
        .await,
    );
    probe(
        "famous client",
        modern(
            addr,
            t,
            "tools/list",
            json!({}),
            json!({"clientInfo": {"name": "claude-ai"}}),
            &[],
        )
        .await,
    );
    let notification = r#"{"jsonrpc":"2.0","method":"notifications/initialized","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
    probe(
        "notification",
        send(
            addr,
            "POST",
            "/mcp",
            &[
                JSON,
                ("Authorization", &auth),
                ("MCP-Protocol-Version", "2026-07-28"),
                ("Mcp-Method", "notifications/initialized"),
            ],
            notification,
        )
        .await,
    );
    probe(
        "unknown resource",
        modern(
            addr,
            t,
            "resources/read",
            json!({"uri": "x:///none"}),
            none.clone(),
            &[],
        )
        .await,
    );
    probe(
        "echo without capabilities",
        modern(
            addr,
            t,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "hi"}}),
            none.clone(),
            &[],
        )
        .await,
    );
    probe(
        "route with another region header",
        modern(
            addr,
            t,
            "tools/call",
            json!({"name": "route", "arguments": {"region": "eu"}}),
            none.clone(),
            &[("Mcp-Param-Region", "us")],
        )
        .await,
    );
    probe("legacy initialize", mcp(addr, at, INITIALIZE).await);
    probe(
        "anonymous resources/list",
        modern(addr, None, "resources/list", json!({}), none.clone(), &[]).await,
    );
    out
}

async fn oauth_transcript(server: &RunningServer) -> Vec<String> {
    let addr = server.local_addr();
    let res = server.mcp_url();
    let mut out = Vec::new();

    // Registration (RFC 7591 / 7592).
    let conf = register(
        addr,
        &json!({"redirect_uris": ["https://app.example.com/cb"], "client_name": "c", "unknown_member": 1}),
    )
    .await;
    out.push(observe("register confidential", &conf));
    let public = register(
        addr,
        &json!({
            "redirect_uris": ["http://127.0.0.1/cb"],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
        }),
    )
    .await;
    out.push(observe("register public", &public));
    let native = register(
        addr,
        &json!({
            "redirect_uris": ["http://127.0.0.1/cb"],
            "token_endpoint_auth_method": "none",
            "application_type": "native",
        }),
    )
    .await;
    out.push(format!("register native: {}", native.status));
    out.push(format!(
        "distinct client ids: {}",
        conf.json()["client_id"] != public.json()["client_id"]
    ));
    let refusals = [
        json!({"redirect_uris": ["https://app.example.com/cb#x"]}),
        json!({"redirect_uris": ["javascript:alert(1)"]}),
        json!({"redirect_uris": ["myapp:/callback"]}),
        json!({"redirect_uris": ["http://app.example.com/cb"]}),
        json!({"client_name": "no redirect"}),
        json!({"redirect_uris": ["https://app.example.com/cb"], "response_types": ["token"]}),
        json!({"redirect_uris": ["https://app.example.com/cb"], "token_endpoint_auth_method": "bogus"}),
        json!({"redirect_uris": ["https://app.example.com/cb"], "jwks": {"keys": []}, "jwks_uri": "https://app.example.com/jwks"}),
        json!({"redirect_uris": ["https://app.example.com/cb"], "software_statement": "eyJhbGciOiJub25lIn0.eyJzIjoxfQ."}),
    ];
    for metadata in refusals {
        out.push(observe(
            &metadata.to_string(),
            &register(addr, &metadata).await,
        ));
    }
    let malformed = send(addr, "POST", "/register", &[JSON], "{\"redirect_uris\":").await;
    out.push(observe("malformed json", &malformed));
    let plain = send(
        addr,
        "POST",
        "/register",
        &[("Content-Type", "text/plain")],
        "{}",
    )
    .await;
    out.push(observe("text/plain", &plain));
    let conf_body = conf.json();
    let conf_id = conf_body["client_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/register/{conf_id}");
    out.push(observe(
        "manage anonymously",
        &send(addr, "GET", &path, &[], "").await,
    ));
    let rat = format!(
        "Bearer {}",
        conf_body["registration_access_token"]
            .as_str()
            .unwrap_or_default()
    );
    let managed = send(addr, "GET", &path, &[("Authorization", &rat)], "").await;
    out.push(observe("manage", &managed));

    let client = TestClient {
        id: public.json()["client_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        secret: None,
        redirect_uri: "http://127.0.0.1/cb".into(),
    };
    let confidential_basic = basic(
        &conf_id,
        conf_body["client_secret"].as_str().unwrap_or_default(),
    );

    // The authorization endpoint.
    let with = |changes: &[(&'static str, &'static str)]| -> Vec<(String, String)> {
        let mut params: Vec<(String, String)> = code_request(&client, &res)
            .into_iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        params.extend(
            changes
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        params
    };
    let fragment_resource = format!("{res}#frag");
    let fragment_resource: &'static str = Box::leak(fragment_resource.into_boxed_str());
    let authorize_probes: Vec<Vec<(String, String)>> = vec![
        with(&[("redirect_uri", "http://127.0.0.1:5555/cb")]),
        with(&[("code_challenge", "")]),
        with(&[
            ("code_challenge_method", "plain"),
            ("code_challenge", VERIFIER),
        ]),
        with(&[("code_challenge_method", "S512")]),
        with(&[
            ("client_id", "nobody"),
            ("redirect_uri", "https://app.example.com/cb"),
        ]),
        with(&[("redirect_uri", "https://evil.example.com/cb")]),
        with(&[("redirect_uri", "http://127.0.0.1/cb/extra")]),
        with(&[("response_type", "token")]),
        with(&[("resource", fragment_resource)]),
        with(&[("resource", "https://other.example.com/mcp")]),
        with(&[
            ("client_id", "nobody"),
            ("redirect_uri", "https://x.example/<b>"),
        ]),
    ];
    for params in authorize_probes {
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let label = format!("authorize {pairs:?}").replace(&client.id, "CLIENT");
        out.push(observe(&label, &authorize(addr, &pairs).await));
    }

    // The token endpoint.
    let code = get_code(addr, &client, &res).await.unwrap_or_default();
    // OAuth 2.1 §7.7: 128 bits are at least 22 base64url characters.
    out.push(format!("code of 22+ characters: {}", code.len() >= 22));
    let first = redeem(addr, &client, &code, &res).await;
    out.push(observe("redeem", &first));
    let first_access = first.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    out.push(observe("replay", &redeem(addr, &client, &code, &res).await));
    out.push(observe(
        "after replay",
        &mcp(addr, &first_access, TOOLS_LIST).await,
    ));

    let exchange =
        |verifier: Option<&'static str>, redirect: &'static str, resource: Option<&'static str>| {
            let client = client.clone();
            let res = res.clone();
            async move {
                let code = get_code(addr, &client, &res).await.unwrap_or_default();
                let mut pairs = vec![
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", redirect),
                ];
                pairs.extend(verifier.map(|v| ("code_verifier", v)));
                pairs.extend(resource.map(|r| ("resource", r)));
                token(addr, &client, &pairs).await
            }
        };
    let cb = "http://127.0.0.1/cb";
    let wrong_verifier: &'static str = Box::leak("x".repeat(43).into_boxed_str());
    out.push(observe(
        "wrong verifier",
        &exchange(Some(wrong_verifier), cb, None).await,
    ));
    out.push(observe("no verifier", &exchange(None, cb, None).await));
    out.push(observe(
        "other redirect",
        &exchange(Some(VERIFIER), "http://127.0.0.1/other", None).await,
    ));
    out.push(observe(
        "other resource",
        &exchange(Some(VERIFIER), cb, Some("https://other.example.com/mcp")).await,
    ));

    let short = "short-verifier";
    let challenge = s256(short);
    let mut params = code_request(&client, &res);
    params.retain(|(k, _)| *k != "code_challenge");
    params.push(("code_challenge", &challenge));
    let short_code = authorize(addr, &params)
        .await
        .param("code")
        .unwrap_or_default();
    let reply = token(
        addr,
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &short_code),
            ("redirect_uri", cb),
            ("code_verifier", short),
        ],
    )
    .await;
    out.push(observe("short verifier", &reply));

    let code = get_code(addr, &client, &res).await.unwrap_or_default();
    let other = TestClient {
        id: PUBLIC_CLIENT.into(),
        ..client.clone()
    };
    out.push(observe(
        "other client",
        &redeem(addr, &other, &code, &res).await,
    ));

    let form_headers = [FORM, ("Authorization", "Basic Y2xpZW50Ondyb25n")];
    let body = "grant_type=authorization_code&code=x";
    out.push(observe(
        "basic unknown",
        &send(addr, "POST", "/token", &form_headers, body).await,
    ));
    let two = format!(
        "grant_type=authorization_code&code=x&client_secret={}",
        conf_body["client_secret"].as_str().unwrap_or_default()
    );
    let reply = send(
        addr,
        "POST",
        "/token",
        &[FORM, ("Authorization", &confidential_basic)],
        &two,
    )
    .await;
    out.push(observe("two methods", &reply));
    let target = format!("/token?client_id={}", client.id);
    let reply = send(
        addr,
        "POST",
        &target,
        &[FORM],
        "grant_type=authorization_code&code=x",
    )
    .await;
    out.push(observe("query credentials", &reply));
    let password = format!(
        "grant_type=password&username=u&password=p&client_id={}",
        client.id
    );
    out.push(observe(
        "password grant",
        &send(addr, "POST", "/token", &[FORM], &password).await,
    ));

    let code = get_code(addr, &client, &res).await.unwrap_or_default();
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (client, code, res) = (client.clone(), code.clone(), res.clone());
        racers.spawn(async move { redeem(addr, &client, &code, &res).await.status });
    }
    let mut successes = 0;
    while let Some(status) = racers.join_next().await {
        successes += usize::from(status.ok() == Some(200));
    }
    out.push(format!(
        "concurrent redemptions succeeded more than once: {}",
        successes > 1
    ));

    // Refresh tokens.
    let (_, rt1) = tokens(addr, &client, &res).await.unwrap_or_default();
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
    let reply = refresh(rt1.clone(), None).await;
    out.push(observe("refresh", &reply));
    let rt2 = reply.json()["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    out.push(format!("rotated: {}", rt1 != rt2));
    out.push(observe("reuse", &refresh(rt1, None).await));
    out.push(observe("after reuse", &refresh(rt2, None).await));
    let (_, rt) = tokens(addr, &client, &res).await.unwrap_or_default();
    out.push(observe(
        "widen",
        &refresh(rt, Some("mcp:tools mcp:admin")).await,
    ));

    // Revocation.
    let (at, _) = tokens(addr, &client, &res).await.unwrap_or_default();
    let revoke = form(&[("token", &at), ("client_id", &client.id)]);
    out.push(observe(
        "revoke",
        &send(addr, "POST", "/revoke", &[FORM], &revoke).await,
    ));
    out.push(observe("revoked", &mcp(addr, &at, INITIALIZE).await));

    // Tokens at the resource server.
    let (at, _) = tokens(addr, &client, &res).await.unwrap_or_default();
    out.push(observe("tools/list", &mcp(addr, &at, TOOLS_LIST).await));
    out.extend(modern_transcript(addr, &at).await);
    let mut params = code_request(&client, &res);
    params.retain(|(k, _)| *k != "resource");
    let code = authorize(addr, &params)
        .await
        .param("code")
        .unwrap_or_default();
    let reply = token(
        addr,
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", cb),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    let issuer_token = reply.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    out.push(observe(
        "aud issuer",
        &mcp(addr, &issuer_token, INITIALIZE).await,
    ));
    let mut params = code_request(&client, &res);
    params.retain(|(k, _)| *k != "scope");
    params.push(("scope", "mcp:read"));
    let code = authorize(addr, &params)
        .await
        .param("code")
        .unwrap_or_default();
    let narrow = redeem(addr, &client, &code, &res).await.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    out.push(observe(
        "narrow tools/list",
        &mcp(addr, &narrow, TOOLS_LIST).await,
    ));
    // Claims of one token under the signature of another.
    let (donor, _) = tokens(addr, &client, &res).await.unwrap_or_default();
    let (signing_input, _) = issuer_token.rsplit_once('.').unwrap_or_default();
    let (_, signature) = donor.rsplit_once('.').unwrap_or_default();
    let forged = format!("{signing_input}.{signature}");
    let forged = forged.replacen(
        signing_input.split('.').nth(1).unwrap_or_default(),
        &URL_SAFE_NO_PAD.encode(
            json!({"iss": server.base_url(), "aud": res, "scope": "mcp:tools", "exp": 4102444800u64, "jti": "forged"})
                .to_string(),
        ),
        1,
    );
    out.push(observe("forged", &mcp(addr, &forged, INITIALIZE).await));
    // The claims of a real token under keys the resource server must not use.
    for (label, token) in key_confusions(addr, &donor).await {
        out.push(observe(label, &mcp(addr, &token, INITIALIZE).await));
    }

    // Request parameter rules (OAuth 2.1 §3.1, §3.2) at both endpoints.
    let upper = res.replacen("http://", "HTTP://", 1);
    let variant = |drop: &str, add: (&'static str, &'static str)| {
        let mut params = code_request(&client, &res);
        params.retain(|(k, _)| *k != drop);
        params.push(add);
        params
    };
    let mut uppercase = code_request(&client, &res);
    uppercase.retain(|(k, _)| *k != "resource");
    uppercase.push(("resource", &upper));
    let authorize_variants = [
        ("unknown param", variant("", ("authspec_unknown", "1"))),
        ("repeated state", variant("", ("state", "again"))),
        (
            "empty method",
            variant("code_challenge_method", ("code_challenge_method", "")),
        ),
        ("uppercase resource", uppercase),
    ];
    for (label, params) in authorize_variants {
        out.push(observe(
            &format!("authorize {label}"),
            &authorize(addr, &params).await,
        ));
    }
    let token_variants = [
        (
            "unknown param",
            "grant_type=authorization_code&code=x&authspec_unknown=1",
        ),
        (
            "repeated param",
            "grant_type=authorization_code&code=x&code=y",
        ),
        (
            "client_credentials",
            "grant_type=client_credentials&scope=mcp:tools",
        ),
    ];
    for (label, body) in token_variants {
        let body = format!("{body}&client_id={}", client.id);
        out.push(observe(
            &format!("token {label}"),
            &send(addr, "POST", "/token", &[FORM], &body).await,
        ));
    }

    // A client with several redirect URIs, the first with a query.
    let reply = register(
        addr,
        &json!({
            "redirect_uris": ["http://127.0.0.1/cb?app=1", "http://127.0.0.1/second"],
            "token_endpoint_auth_method": "none",
        }),
    )
    .await;
    out.push(format!("register with query: {}", reply.status));
    let several = TestClient {
        id: reply.json()["client_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        secret: None,
        redirect_uri: "http://127.0.0.1/cb?app=1".into(),
    };
    let mut params = code_request(&several, &res);
    out.push(observe(
        "authorize redirect query",
        &authorize(addr, &params).await,
    ));
    params.retain(|(k, _)| *k != "redirect_uri");
    out.push(observe(
        "authorize several, none sent",
        &authorize(addr, &params).await,
    ));

    // OAuth 2.1 §2.4.1: guessing a client secret is throttled.
    let mut guesses = Vec::new();
    for _ in 0..12 {
        let wrong = basic(&conf_id, "not-the-secret");
        let reply = send(
            addr,
            "POST",
            "/token",
            &[FORM, ("Authorization", &wrong)],
            "grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb",
        )
        .await;
        guesses.push((reply.status, reply.header("retry-after").is_some()));
    }
    out.push(format!("secret guesses: {guesses:?}"));

    // RFC 7592 §2.3: deleting the client takes its tokens with it.
    let (doomed, _) = tokens(addr, &client, &res).await.unwrap_or_default();
    let public_rat = format!(
        "Bearer {}",
        public.json()["registration_access_token"]
            .as_str()
            .unwrap_or_default()
    );
    let deleted = send(
        addr,
        "DELETE",
        &format!("/register/{}", client.id),
        &[("Authorization", &public_rat)],
        "",
    )
    .await;
    out.push(format!("delete client: {}", deleted.status));
    out.push(observe(
        "token of a deleted client",
        &mcp(addr, &doomed, INITIALIZE).await,
    ));

    out.into_iter()
        .map(|line| line.replace(server.base_url(), "BASE"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutant_changes_what_a_client_sees() {
    // Test mode, so that documents served on loopback are fetched.
    let config = |mutant: Option<Mutant>| Config {
        cimd_loopback: true,
        ..mutant.map(Config::with_mutant).unwrap_or_default()
    };
    let baseline_server = start(config(None)).await;
    let mut baseline = transcript(&baseline_server).await;
    baseline.extend(oauth_transcript(&baseline_server).await);
    baseline.extend(cimd_transcript(&baseline_server).await);
    baseline_server.shutdown().await;
    // The baseline must not depend on per-run values.
    let again_server = start(config(None)).await;
    let mut again = transcript(&again_server).await;
    again.extend(oauth_transcript(&again_server).await);
    again.extend(cimd_transcript(&again_server).await);
    drop(again_server);
    assert_eq!(again, baseline);
    let baseline = Arc::new(baseline);

    // Those that show only over https are told apart in tests/tls.rs.
    let mutants: Vec<Mutant> = Mutant::ALL
        .iter()
        .copied()
        .filter(|m| !m.needs_tls())
        .collect();
    for chunk in mutants.chunks(24) {
        let mut runs = tokio::task::JoinSet::new();
        for &mutant in chunk {
            let baseline = Arc::clone(&baseline);
            runs.spawn(async move {
                let server = start(config(Some(mutant))).await;
                let mut seen = transcript(&server).await;
                // The longer OAuth walk only runs when the fixed probes
                // have not already told the mutant apart.
                if seen[..] == baseline[..seen.len().min(baseline.len())] {
                    seen.extend(oauth_transcript(&server).await);
                }
                if seen[..] == baseline[..seen.len().min(baseline.len())] {
                    seen.extend(cimd_transcript(&server).await);
                }
                // Dropping without shutdown must also stop the server.
                drop(server);
                (mutant, seen)
            });
        }
        while let Some(run) = runs.join_next().await {
            let (mutant, seen) = run.expect("mutant run");
            assert_ne!(seen, *baseline, "{mutant} changed nothing");
        }
    }
}

/// Client ID Metadata Documents: one probe per rule, with documents served on loopback (the
/// server runs in test mode). Each line records whether a code came back, what the page said
/// and how often the document was fetched.
async fn cimd_transcript(server: &RunningServer) -> Vec<String> {
    use common::docs::{Doc, DocServer, document};
    let addr = server.local_addr();
    let res = server.mcp_url();
    let docs = DocServer::start().await;
    let base = docs.base();
    let cb = "http://127.0.0.1:9999/cb";
    let mut out = Vec::new();
    let meta = send(
        addr,
        "GET",
        "/.well-known/oauth-authorization-server",
        &[],
        "",
    )
    .await;
    out.push(format!(
        "cimd flag: {}",
        meta.json()["client_id_metadata_document_supported"]
    ));
    // (label, client_id, path served, answers, redirect_uri sent, extra parameters)
    let good = |id: &str| vec![Doc::json(&document(id, cb))];
    let mut probes: Vec<(&str, String, &str, Vec<Doc>, &str)> = Vec::new();
    let id = format!("{base}/good.json");
    probes.push(("good", id.clone(), "/good.json", good(&id), cb));
    let id = format!("{base}/good.json");
    probes.push((
        "unlisted redirect",
        id,
        "/good.json",
        good(&format!("{base}/good.json")),
        "http://127.0.0.1:9999/other",
    ));
    let id = format!("http://localhost:{}/http.json", docs.addr.port());
    probes.push(("http", id.clone(), "/http.json", good(&id), cb));
    let id = format!("{base}/frag.json#x");
    probes.push(("fragment", id.clone(), "/frag.json", good(&id), cb));
    let id = format!("http://user:pw@{}/userinfo.json", docs.addr);
    probes.push(("userinfo", id.clone(), "/userinfo.json", good(&id), cb));
    let id = format!("{base}/a/../dots.json");
    probes.push(("dot segments", id.clone(), "/dots.json", good(&id), cb));
    let id = base.clone();
    probes.push(("no path", id.clone(), "/", good(&id), cb));
    let id = format!("{base}/mismatch.json");
    probes.push((
        "client_id mismatch",
        id,
        "/mismatch.json",
        good(&format!("{base}/mismatch.json/")),
        cb,
    ));
    let id = format!("{base}/secret.json");
    let mut secret = document(&id, cb);
    secret["token_endpoint_auth_method"] = json!("client_secret_basic");
    probes.push((
        "client_secret_basic",
        id,
        "/secret.json",
        vec![Doc::json(&secret)],
        cb,
    ));
    let id = format!("{base}/pkjwt.json");
    let mut pkjwt = document(&id, cb);
    pkjwt["token_endpoint_auth_method"] = json!("private_key_jwt");
    pkjwt["jwks_uri"] = json!(format!("{base}/jwks.json"));
    probes.push((
        "private_key_jwt",
        id,
        "/pkjwt.json",
        vec![Doc::json(&pkjwt)],
        cb,
    ));
    let id = format!("{base}/malformed.json");
    probes.push((
        "malformed",
        id,
        "/malformed.json",
        vec![Doc {
            body: "{\"client_id\":".into(),
            ..Doc::status(200)
        }],
        cb,
    ));
    let id = format!("{base}/missing.json");
    probes.push(("404", id, "/missing.json", vec![Doc::status(404)], cb));
    let id = format!("{base}/big.json");
    let mut big = document(&id, cb);
    big["padding"] = json!("x".repeat(64 * 1024));
    probes.push(("oversized", id, "/big.json", vec![Doc::json(&big)], cb));
    let id = format!("{base}/redirect.json");
    let moved = Doc {
        location: Some(format!("{base}/target.json")),
        ..Doc::status(302)
    };
    probes.push(("redirect", id.clone(), "/redirect.json", vec![moved], cb));
    docs.serve("/target.json", good(&id));
    let id = format!("https://127.0.0.1:{}/ssrf.json", docs.addr.port());
    probes.push(("https loopback", id.clone(), "/ssrf.json", good(&id), cb));
    let id = format!("{base}/flaky.json");
    probes.push((
        "500 then good (1)",
        id.clone(),
        "/flaky.json",
        vec![Doc::status(500), Doc::json(&document(&id, cb))],
        cb,
    ));
    for (label, client_id, path, answers, redirect) in probes {
        if !answers.is_empty() {
            docs.serve(path, answers);
        }
        let reply = authorize(
            addr,
            &[
                ("response_type", "code"),
                ("client_id", &client_id),
                ("redirect_uri", redirect),
                ("state", "s"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
                ("resource", &res),
            ],
        )
        .await;
        let page = reply
            .body
            .split("<p>")
            .nth(1)
            .unwrap_or_default()
            .split("</p>")
            .next()
            .unwrap_or_default()
            .to_owned();
        out.push(format!(
            "cimd {label}: {} code={} page={page:?}",
            reply.status,
            reply.param("code").is_some(),
        ));
    }
    let flaky = format!("{base}/flaky.json");
    let second = authorize(
        addr,
        &[
            ("response_type", "code"),
            ("client_id", &flaky),
            ("redirect_uri", cb),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    out.push(format!(
        "cimd 500 then good (2): code={}",
        second.param("code").is_some()
    ));
    // The whole flow, then caching: no-store means a fetch per request.
    let good_id = format!("{base}/good.json");
    let client = TestClient {
        id: good_id.clone(),
        secret: None,
        redirect_uri: cb.to_owned(),
    };
    if let Some(code) = get_code(addr, &client, &res).await {
        let t = redeem(addr, &client, &code, &res).await;
        out.push(format!(
            "cimd token: {} {}",
            t.status,
            t.json()["token_type"]
        ));
    }
    out.push(format!(
        "cimd good fetched {} times",
        docs.fetches("/good.json")
    ));
    docs.serve(
        "/cached.json",
        vec![Doc {
            cache_control: Some("max-age=600"),
            ..Doc::json(&document(&format!("{base}/cached.json"), cb))
        }],
    );
    let cached = TestClient {
        id: format!("{base}/cached.json"),
        secret: None,
        redirect_uri: cb.to_owned(),
    };
    get_code(addr, &cached, &res).await;
    get_code(addr, &cached, &res).await;
    out.push(format!(
        "cimd max-age fetched {} times",
        docs.fetches("/cached.json")
    ));
    // The consent page (prompt=consent), with a logo in the document.
    let mut logo = document(&format!("{base}/logo.json"), cb);
    logo["logo_uri"] = json!(format!("{base}/logo.png"));
    docs.serve("/logo.json", vec![Doc::json(&logo)]);
    let logo_id = format!("{base}/logo.json");
    let page = authorize(
        addr,
        &[
            ("response_type", "code"),
            ("client_id", &logo_id),
            ("redirect_uri", cb),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("prompt", "consent"),
        ],
    )
    .await;
    out.push(format!(
        "cimd consent: {} host={} img={}",
        page.status,
        page.body.contains("<strong>127.0.0.1</strong>"),
        page.body.contains("<img")
    ));
    for path in [
        "/http.json",
        "/frag.json",
        "/userinfo.json",
        "/dots.json",
        "/",
        "/ssrf.json",
        "/target.json",
    ] {
        out.push(format!("cimd fetched {path}: {}", docs.fetches(path)));
    }
    // A replay with a wrong verifier proves nothing and keeps the tokens (OAuth 2.1 §4.1.3).
    let code = get_code(addr, &client, &res).await.unwrap_or_default();
    let issued = redeem(addr, &client, &code, &res).await;
    let access = issued.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let wrong: &'static str = Box::leak("y".repeat(43).into_boxed_str());
    let bad = token(
        addr,
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://127.0.0.1/cb"),
            ("code_verifier", wrong),
        ],
    )
    .await;
    out.push(observe("bad replay", &bad));
    out.push(observe(
        "after bad replay",
        &mcp(addr, &access, TOOLS_LIST).await,
    ));
    // A refresh token the server never issued gets nothing (OAuth 2.1 §4.3).
    let unknown = token(
        addr,
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "authspec-never-issued-0123456789"),
        ],
    )
    .await;
    out.push(observe("unknown refresh token", &unknown));
    out
}

/// A real token's claims re-signed three ways a careless resource server
/// accepts: under an unknown kid with the key embedded in the header, as
/// HS256 keyed with the published public key's PEM, and under a key served
/// at a `jku` URL the token names (hosted here, on loopback).
async fn key_confusions(addr: std::net::SocketAddr, donor: &str) -> Vec<(&'static str, String)> {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, jwk::Jwk};
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

    let claims: Value = donor
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("key");
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .expect("key");
    let point = pair.public_key().as_ref();
    let own_key = EncodingKey::from_ec_der(pkcs8.as_ref());
    let own_jwk = |kid: &str| {
        json!({"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
               "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65])})
    };
    let header = |alg: Algorithm, kid: &str| {
        let mut h = Header::new(alg);
        h.typ = Some("at+jwt".into());
        h.kid = Some(kid.into());
        h
    };

    let mut embedded = header(Algorithm::ES256, "probe-unknown-kid");
    embedded.jwk = serde_json::from_value::<Jwk>(own_jwk("probe-unknown-kid")).ok();
    let unknown_kid = jsonwebtoken::encode(&embedded, &claims, &own_key).expect("sign");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let jku_addr = listener.local_addr().expect("addr");
    let set = json!({"keys": [own_jwk("probe-jku-kid")]}).to_string();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf).await;
            let reply = format!(
                "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{set}",
                set.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
        }
    });
    let mut with_jku = header(Algorithm::ES256, "probe-jku-kid");
    with_jku.jku = Some(format!("http://{jku_addr}/jwks.json"));
    let jku = jsonwebtoken::encode(&with_jku, &claims, &own_key).expect("sign");

    let published = send(addr, "GET", "/jwks.json", &[], "").await.json();
    let key = &published["keys"][0];
    let coordinate = |m: &str| {
        URL_SAFE_NO_PAD
            .decode(key[m].as_str().unwrap_or_default())
            .unwrap_or_default()
    };
    let mut spki = vec![
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
    ];
    spki.extend(coordinate("x"));
    spki.extend(coordinate("y"));
    let b64 = base64::engine::general_purpose::STANDARD.encode(&spki);
    let lines: Vec<String> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        lines.join("\n")
    );
    let confusion = jsonwebtoken::encode(
        &header(Algorithm::HS256, key["kid"].as_str().unwrap_or_default()),
        &claims,
        &EncodingKey::from_secret(pem.as_bytes()),
    )
    .expect("sign");
    vec![
        ("unknown kid with embedded jwk", unknown_kid),
        ("jku", jku),
        ("HS256 keyed with the public key", confusion),
    ]
}
