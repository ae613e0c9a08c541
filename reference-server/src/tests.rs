//! Checks that need the server's private signing key: access tokens crafted
//! with exactly one defect (audience, algorithm, signature, expiry,
//! revocation, scope) against the resource server and its mutants.

use std::net::SocketAddr;

use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{Config, Mutant, RunningServer, jws, oauth, spawn};

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
const LIST: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;

/// A 2025-11-25 request (after initialize), which names its version in the header.
async fn post(addr: SocketAddr, token: &str, body: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nMCP-Protocol-Version: 2025-11-25\r\n\
         Content-Length: {}\r\n\r\n{body}",
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

/// The claims of a good token for `server`, for `edit` to spoil.
fn good_claims(server: &RunningServer, jti: &str) -> Map<String, Value> {
    let now = oauth::unix_now();
    let claims = json!({
        "iss": server.base_url(),
        "aud": server.mcp_url(),
        "sub": "alice",
        "client_id": "reference-public-client",
        "scope": "mcp:tools",
        "iat": now,
        "exp": now + 600,
        "jti": jti,
    });
    match claims {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Signs `claims` with the authorization server's key and records the
/// `jti` as issued, exactly as the token endpoint would.
fn mint(server: &RunningServer, claims: Map<String, Value>) -> String {
    let mut store = server.state.store.lock();
    let grant = store.new_grant();
    if let Some(jti) = claims.get("jti").and_then(Value::as_str) {
        let exp = claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
        store.insert_access(jti.to_owned(), "reference-public-client".into(), grant, exp);
    }
    server.state.keys.sign("at+jwt", &Value::Object(claims))
}

struct Crafted {
    good: String,
    aud_array: String,
    narrow: String,
    no_scope: String,
    wrong_audience: String,
    issuer_audience: String,
    wrong_issuer: String,
    expired: String,
    revoked: String,
    unknown_jti: String,
    forged: String,
    unsigned: String,
    metadata_typ: String,
    hs512: String,
    no_exp: String,
    /// Signed by another key, under a kid the JWK set does not have, with
    /// that key embedded in the header.
    unknown_kid: String,
    /// HS256 with the published public key (PEM) as the HMAC secret.
    alg_confusion: String,
    /// The server's own key, but a header naming a critical extension.
    crit: String,
    /// The server's own key and signature, under a header claiming ES512.
    wrong_alg: String,
    oversized: String,
}

fn craft(server: &RunningServer) -> Crafted {
    let edit = |jti: &str, f: &dyn Fn(&mut Map<String, Value>)| {
        let mut claims = good_claims(server, jti);
        f(&mut claims);
        claims
    };
    let good = mint(server, good_claims(server, "good"));
    let revoked = mint(server, good_claims(server, "revoked"));
    server.state.store.lock().revoke_access("revoked");
    let unknown_jti = server.state.keys.sign(
        "at+jwt",
        &Value::Object(good_claims(server, "never-issued")),
    );
    let good_claims_value = Value::Object(good_claims(server, "good"));
    let other = crate::keys::SigningKey::generate().expect("key");
    let unknown_kid = other.sign_with_header(
        &json!({"alg": "ES256", "typ": "at+jwt", "kid": other.kid(), "jwk": other.public_jwk()}),
        &good_claims_value,
    );
    let alg_confusion = {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.typ = Some("at+jwt".into());
        header.kid = Some(server.state.keys.kid().to_owned());
        let key = jsonwebtoken::EncodingKey::from_secret(server.state.keys.public_pem().as_bytes());
        jsonwebtoken::encode(&header, &good_claims_value, &key).expect("hs256")
    };
    let kid = server.state.keys.kid();
    let crit = server.state.keys.sign_with_header(
        &json!({"alg": "ES256", "typ": "at+jwt", "kid": kid, "crit": ["exp"]}),
        &good_claims_value,
    );
    let wrong_alg = server.state.keys.sign_with_header(
        &json!({"alg": "ES512", "typ": "at+jwt", "kid": kid}),
        &good_claims_value,
    );
    let oversized = {
        let mut claims = good_claims(server, "good");
        claims.insert(
            "pad".into(),
            "x".repeat(super::rs_jwt::MAX_TOKEN_LEN).into(),
        );
        server.state.keys.sign("at+jwt", &Value::Object(claims))
    };
    let (signing_input, _) = good.rsplit_once('.').unwrap_or_default();
    let forged_claims = edit("good", &|c| {
        c.insert("scope".into(), "mcp:tools mcp:admin".into());
    });
    let forged_payload = jws::b64url(Value::Object(forged_claims).to_string().as_bytes());
    let header = signing_input.split('.').next().unwrap_or_default();
    let (_, good_signature) = good.rsplit_once('.').unwrap_or_default();
    let forged = format!("{header}.{forged_payload}.{good_signature}");
    let hs512_header = jws::b64url(br#"{"alg":"HS512","typ":"at+jwt"}"#);
    let (_, good_payload_and_sig) = good.split_once('.').unwrap_or_default();
    Crafted {
        aud_array: mint(
            server,
            edit("array", &|c| {
                c.insert("aud".into(), json!(["https://x.example", server.mcp_url()]));
            }),
        ),
        narrow: mint(
            server,
            edit("narrow", &|c| {
                c.insert("scope".into(), "mcp:read".into());
            }),
        ),
        no_scope: mint(
            server,
            edit("no-scope", &|c| {
                c.remove("scope");
            }),
        ),
        wrong_audience: mint(
            server,
            edit("aud", &|c| {
                c.insert("aud".into(), "https://other.example/mcp".into());
            }),
        ),
        issuer_audience: mint(
            server,
            edit("aud-iss", &|c| {
                c.insert("aud".into(), server.base_url().into());
            }),
        ),
        wrong_issuer: mint(
            server,
            edit("iss", &|c| {
                c.insert("iss".into(), "https://as.example".into());
            }),
        ),
        expired: mint(
            server,
            edit("expired", &|c| {
                let past = oauth::unix_now().saturating_sub(60);
                c.insert("exp".into(), past.into());
            }),
        ),
        no_exp: mint(
            server,
            edit("no-exp", &|c| {
                c.remove("exp");
            }),
        ),
        unsigned: jws::unsecured(&Value::Object(good_claims(server, "unsigned"))),
        metadata_typ: server
            .state
            .keys
            .sign("JWT", &Value::Object(good_claims(server, "good"))),
        unknown_kid,
        alg_confusion,
        crit,
        wrong_alg,
        oversized,
        hs512: format!("{hs512_header}.{good_payload_and_sig}"),
        good,
        revoked,
        unknown_jti,
        forged,
    }
}

async fn start(config: Config) -> RunningServer {
    spawn(SocketAddr::from(([127, 0, 0, 1], 0)), config)
        .await
        .expect("spawn")
}

#[tokio::test]
async fn the_resource_server_validates_every_claim() {
    let server = start(Config::default()).await;
    let addr = server.local_addr();
    let t = craft(&server);

    for token in [&t.good, &t.aud_array] {
        assert_eq!(post(addr, token, INIT).await.0, 200);
        assert_eq!(post(addr, token, LIST).await.0, 200);
    }
    // Any valid token may initialize; tools need mcp:tools.
    for token in [&t.narrow, &t.no_scope] {
        assert_eq!(post(addr, token, INIT).await.0, 200);
        let (status, head, _) = post(addr, token, LIST).await;
        assert_eq!(status, 403);
        assert!(head.contains("error=\"insufficient_scope\""), "{head}");
        assert!(head.contains("scope=\"mcp:tools\""), "{head}");
    }
    let call = r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;
    assert_eq!(post(addr, &t.narrow, call).await.0, 403);
    let (status, _, body) = post(addr, &t.good, call).await;
    assert_eq!(status, 200);
    assert!(body.contains("\"hi\""), "{body}");

    for (name, token) in [
        ("wrong audience", &t.wrong_audience),
        ("issuer audience", &t.issuer_audience),
        ("wrong issuer", &t.wrong_issuer),
        ("expired", &t.expired),
        ("no exp", &t.no_exp),
        ("revoked", &t.revoked),
        ("unknown jti", &t.unknown_jti),
        ("forged", &t.forged),
        ("alg none", &t.unsigned),
        ("metadata typ", &t.metadata_typ),
        ("HS512", &t.hs512),
        ("unknown kid", &t.unknown_kid),
        ("HS256 with the public key", &t.alg_confusion),
        ("crit", &t.crit),
        ("ES512 header", &t.wrong_alg),
        ("oversized", &t.oversized),
    ] {
        let (status, head, _) = post(addr, token, INIT).await;
        assert_eq!(status, 401, "{name}");
        assert!(head.contains("error=\"invalid_token\""), "{name}: {head}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn resource_server_mutants_accept_what_they_should_not() {
    type Pick = fn(&Crafted) -> &String;
    let cases: [(Mutant, Pick, &str); 9] = [
        (Mutant::RsIgnoresKid, |t| &t.unknown_kid, INIT),
        (Mutant::RsAlgConfusion, |t| &t.alg_confusion, LIST),
        (Mutant::RsAcceptsWrongAudience, |t| &t.wrong_audience, INIT),
        (Mutant::RsAcceptsWrongAudience, |t| &t.issuer_audience, INIT),
        (Mutant::RsIgnoresSignature, |t| &t.forged, LIST),
        (Mutant::RsIgnoresSignature, |t| &t.unknown_jti, INIT),
        (Mutant::RsAcceptsRevoked, |t| &t.revoked, INIT),
        (Mutant::RsIgnoresScope, |t| &t.narrow, LIST),
        (Mutant::RsAcceptsUnsignedJwt, |t| &t.unsigned, INIT),
    ];
    for (mutant, pick, body) in cases {
        let server = start(Config::with_mutant(mutant)).await;
        let t = craft(&server);
        let (status, _, _) = post(server.local_addr(), pick(&t), body).await;
        assert_eq!(status, 200, "{mutant}");
        // Everything else stays strict.
        assert_eq!(
            post(server.local_addr(), &t.hs512, INIT).await.0,
            401,
            "{mutant}"
        );
        server.shutdown().await;
    }

    let server = start(Config::with_mutant(Mutant::RsInsufficientScope401)).await;
    let t = craft(&server);
    let (status, head, _) = post(server.local_addr(), &t.narrow, LIST).await;
    assert_eq!(status, 401);
    assert!(head.contains("error=\"invalid_token\""), "{head}");
    server.shutdown().await;

    // The mutant keeps its meaning: only unsigned tokens for this resource.
    let server = start(Config::with_mutant(Mutant::RsAcceptsUnsignedJwt)).await;
    let mut claims = good_claims(&server, "x");
    claims.insert("aud".into(), "https://other.example/mcp".into());
    let elsewhere = jws::unsecured(&Value::Object(claims));
    assert_eq!(post(server.local_addr(), &elsewhere, INIT).await.0, 401);

    // Any-token still lets everything through.
    let server = start(Config::with_mutant(Mutant::RsAcceptsAnyToken)).await;
    assert_eq!(post(server.local_addr(), "whatever", LIST).await.0, 200);
}

#[tokio::test]
async fn state_stays_bounded_under_a_flood() {
    let server = start(Config::default()).await;
    {
        let mut store = server.state.store.lock();
        for i in 0..(crate::store::MAX_CODES + 50) {
            let authorization = crate::store::Authorization {
                client_id: "c".into(),
                redirect_uri: "http://127.0.0.1/cb".into(),
                redirect_uri_sent: true,
                state: None,
                pkce: None,
                scope: "mcp:tools".into(),
                resources: vec![],
            };
            store.insert_code(format!("code{i}"), authorization.clone());
            if i < crate::store::MAX_PENDING + 50 {
                store.insert_pending(format!("p{i}"), authorization);
            }
        }
        let [_, pending, codes, ..] = store.sizes();
        assert_eq!(pending, crate::store::MAX_PENDING);
        assert_eq!(codes, crate::store::MAX_CODES);
        assert!(store.code("code0").is_none());
        assert!(
            store
                .code(&format!("code{}", crate::store::MAX_CODES + 49))
                .is_some()
        );
    }
    server.shutdown().await;
}
