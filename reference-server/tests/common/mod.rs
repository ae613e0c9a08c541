//! A deliberately tiny HTTP/1.1 client (one request per connection) and
//! OAuth helpers shared by the integration tests.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::net::SocketAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reference_server::{Config, RunningServer, spawn};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

pub mod docs;

pub const JSON: (&str, &str) = ("Content-Type", "application/json");
pub const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");
pub const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#;
pub const TOOLS_LIST: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;
pub const PUBLIC_CLIENT: &str = "reference-public-client";
/// A verifier and its S256 challenge (RFC 7636 Appendix B).
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.all(name).first().copied()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The `error` member of a JSON body.
    pub fn error(&self) -> Option<String> {
        self.json()["error"].as_str().map(str::to_owned)
    }

    pub fn location(&self) -> Option<Url> {
        self.header("location").and_then(|l| Url::parse(l).ok())
    }

    /// A parameter of the Location's query.
    pub fn param(&self, name: &str) -> Option<String> {
        let url = self.location()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// A parameter of the Location's fragment.
    pub fn fragment_param(&self, name: &str) -> Option<String> {
        let url = self.location()?;
        let fragment = url.fragment()?.to_owned();
        url::form_urlencoded::parse(fragment.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

pub async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    send_raw(addr, method, target, headers, body.as_bytes()).await
}

pub async fn send_raw(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
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
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).await.expect("write");
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

pub async fn start(config: Config) -> RunningServer {
    spawn("127.0.0.1:0".parse().expect("addr"), config)
        .await
        .expect("spawn")
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub fn basic(id: &str, secret: &str) -> String {
    let encode = |s: &str| form(&[("x", s)])[2..].to_owned();
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            encode(id),
            encode(secret)
        ))
    )
}

/// The claims of a JWT, unverified.
pub fn claims(jwt: &str) -> Value {
    jwt.split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

pub async fn register(addr: SocketAddr, metadata: &Value) -> Reply {
    send(addr, "POST", "/register", &[JSON], &metadata.to_string()).await
}

/// A registered client: id and, for confidential clients, secret.
#[derive(Clone, Debug)]
pub struct TestClient {
    pub id: String,
    pub secret: Option<String>,
    pub redirect_uri: String,
}

/// Registers `metadata` (which must succeed) and returns the client, using `redirect_uri`.
pub async fn register_client(addr: SocketAddr, metadata: &Value, redirect_uri: &str) -> TestClient {
    let reply = register(addr, metadata).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body = reply.json();
    TestClient {
        id: body["client_id"].as_str().unwrap_or_default().to_owned(),
        secret: body["client_secret"].as_str().map(str::to_owned),
        redirect_uri: redirect_uri.to_owned(),
    }
}

pub async fn register_public(addr: SocketAddr, redirect_uri: &str) -> TestClient {
    let metadata = json!({
        "redirect_uris": [redirect_uri],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "client_name": "public test client",
    });
    register_client(addr, &metadata, redirect_uri).await
}

pub async fn register_confidential(
    addr: SocketAddr,
    redirect_uri: &str,
    method: &str,
) -> TestClient {
    let metadata = json!({
        "redirect_uris": [redirect_uri],
        "token_endpoint_auth_method": method,
        "grant_types": ["authorization_code", "refresh_token"],
    });
    register_client(addr, &metadata, redirect_uri).await
}

/// `GET /authorize` with exactly these parameters.
pub async fn authorize(addr: SocketAddr, params: &[(&str, &str)]) -> Reply {
    send(
        addr,
        "GET",
        &format!("/authorize?{}", form(params)),
        &[],
        "",
    )
    .await
}

/// The usual valid authorization request parameters for `client`.
pub fn code_request<'a>(client: &'a TestClient, resource: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("scope", "mcp:tools"),
        ("state", "st4te"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("resource", resource),
    ]
}

/// Runs a valid authorization request and returns the code.
pub async fn get_code(addr: SocketAddr, client: &TestClient, resource: &str) -> Option<String> {
    authorize(addr, &code_request(client, resource))
        .await
        .param("code")
}

/// `POST /token` with `pairs`, adding the client's credentials
/// (client_secret_post for confidential clients).
pub async fn token(addr: SocketAddr, client: &TestClient, pairs: &[(&str, &str)]) -> Reply {
    let mut all: Vec<(&str, &str)> = pairs.to_vec();
    all.push(("client_id", client.id.as_str()));
    if let Some(secret) = &client.secret {
        all.push(("client_secret", secret.as_str()));
    }
    send(addr, "POST", "/token", &[FORM], &form(&all)).await
}

pub async fn redeem(addr: SocketAddr, client: &TestClient, code: &str, resource: &str) -> Reply {
    token(
        addr,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("code_verifier", VERIFIER),
            ("resource", resource),
        ],
    )
    .await
}

/// A full authorization: (access token, refresh token).
pub async fn tokens(
    addr: SocketAddr,
    client: &TestClient,
    resource: &str,
) -> Option<(String, String)> {
    let code = get_code(addr, client, resource).await?;
    let body = redeem(addr, client, &code, resource).await.json();
    Some((
        body["access_token"].as_str()?.to_owned(),
        body["refresh_token"].as_str()?.to_owned(),
    ))
}

/// A 2025-11-25 request (after initialize: the version in the header, no `_meta`).
pub async fn mcp(addr: SocketAddr, token: &str, body: &str) -> Reply {
    let auth = format!("Bearer {token}");
    send(
        addr,
        "POST",
        "/mcp",
        &[
            JSON,
            ("Authorization", &auth),
            ("MCP-Protocol-Version", "2025-11-25"),
        ],
        body,
    )
    .await
}

/// A 2026-07-28 request: `method` with `params` and the request metadata (`meta` members
/// replace the defaults; `null` removes one), the version and method headers, then `headers`
/// (which replace those of the same name; an empty value removes one).
pub async fn modern(
    addr: SocketAddr,
    token: Option<&str>,
    method: &str,
    params: Value,
    meta: Value,
    headers: &[(&str, &str)],
) -> Reply {
    let mut m = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"},
    });
    if let (Some(m), Some(over)) = (m.as_object_mut(), meta.as_object()) {
        for (k, v) in over {
            let key = format!("io.modelcontextprotocol/{k}");
            if v.is_null() {
                m.remove(&key);
            } else {
                m.insert(key, v.clone());
            }
        }
    }
    let mut params = params;
    params["_meta"] = m;
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut all: Vec<(&str, &str)> = vec![
        JSON,
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", method),
    ];
    let name = body["params"]["name"]
        .as_str()
        .or(body["params"]["uri"].as_str())
        .map(str::to_owned);
    if let Some(n) = &name {
        all.push(("Mcp-Name", n));
    }
    if let Some(a) = &auth {
        all.push(("Authorization", a));
    }
    for (k, v) in headers {
        all.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
        if !v.is_empty() {
            all.push((k, v));
        }
    }
    send(addr, "POST", "/mcp", &all, &body.to_string()).await
}
