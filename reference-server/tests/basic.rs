//! End-to-end checks of the reference server over real sockets: the correct
//! baseline, and that every mutant visibly changes some answer.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reference_server::{Config, Mutant, RunningServer, spawn};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.all(name).first().copied()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A deliberately tiny HTTP/1.1 client: one request per connection.
async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").expect("header terminator");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

async fn start(config: Config) -> RunningServer {
    spawn("127.0.0.1:0".parse().expect("addr"), config)
        .await
        .expect("spawn")
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#;
const TOOLS_LIST: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;
const JSON: (&str, &str) = ("Content-Type", "application/json");

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
    assert_eq!(doc["scopes_supported"], json!(["mcp:tools"]));
    assert_eq!(doc["bearer_methods_supported"], json!(["header", "body"]));
    let jws = doc["signed_metadata"].as_str().expect("signed_metadata");
    let parts: Vec<&str> = jws.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));
    assert_eq!(claims["iss"], json!(res));
    assert_eq!(claims["resource"], json!(res));
    assert!(claims.get("signed_metadata").is_none());
    assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).expect("b64").len(), 32);

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
        assert_eq!(meta.json()["issuer"], json!(base));
        assert_eq!(
            meta.json()["code_challenge_methods_supported"],
            json!(["S256"])
        );
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
    assert_eq!(send(addr, "POST", "/token", &[], "").await.status, 501);

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
        URL_SAFE_NO_PAD.encode(br#"{"sub":"x"}"#)
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
    out
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

#[tokio::test]
async fn every_mutant_changes_what_a_client_sees() {
    let baseline_server = start(Config::default()).await;
    let baseline = transcript(&baseline_server).await;
    baseline_server.shutdown().await;
    for &mutant in Mutant::ALL {
        let server = start(Config::with_mutant(mutant)).await;
        let seen = transcript(&server).await;
        // Dropping without shutdown must also stop the server.
        drop(server);
        assert_ne!(seen, baseline, "{mutant} changed nothing");
    }
}
