//! Observation: a log of every request the server received and what it answered, for graders
//! of MCP *clients*. A server started with [`crate::spawn_observed`] records each exchange; the
//! grader reads the log through [`crate::RunningServer::observed`] once the client has finished.
//!
//! The log is raw (it holds the client's tokens and codes): whoever reads it redacts before
//! anything reaches a report.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::responses::BODY_LIMIT;

/// At most this many exchanges are kept; a client that loops does not exhaust memory.
pub const LOG_LIMIT: usize = 2000;

/// One request and the server's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObservedRequest {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8), at most [`BODY_LIMIT`] bytes.
    pub body: String,
    pub status: u16,
    /// The answer's `Location` header.
    pub location: Option<String>,
    /// The answer's `WWW-Authenticate` header.
    pub www_authenticate: Option<String>,
    /// The answer's body, kept for the token and registration endpoints (the grader learns
    /// from it which tokens and client ids were issued) and for every error answer (4xx, 5xx),
    /// which a report quotes.
    pub response_body: Option<String>,
}

impl ObservedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The shared log, in arrival order.
#[derive(Clone, Debug, Default)]
pub struct RequestLog(Arc<Mutex<Vec<ObservedRequest>>>);

impl RequestLog {
    fn lock(&self) -> MutexGuard<'_, Vec<ObservedRequest>> {
        match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// A copy of everything recorded so far.
    pub fn snapshot(&self) -> Vec<ObservedRequest> {
        self.lock().clone()
    }

    fn push(&self, r: ObservedRequest) {
        let mut log = self.lock();
        if log.len() < LOG_LIMIT {
            log.push(r);
        }
    }
}

/// How a client-conformance scenario reshapes the (otherwise unchanged) server: conformant
/// choices a real server may make, which a client must cope with. Applied around the
/// handlers, so the handlers stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// The `scope` the 401 challenge asks for, instead of the default (`mcp:tools`). A narrower
    /// scope (`mcp:read`) makes tools/list answer 403 `insufficient_scope`: step-up.
    pub challenge_scope: Option<String>,
    /// Every authenticated tools/list and tools/call gets 403 `insufficient_scope`, whatever
    /// the token (a client must stop retrying).
    pub always_insufficient_scope: bool,
    /// `token_endpoint_auth_methods_supported` in the authorization server metadata.
    pub token_auth_methods: Option<Vec<String>>,
    /// Paths answered 404, whatever the server would serve there (a metadata document that
    /// exists only at some of its well-known locations).
    pub hidden_paths: Vec<String>,
    /// Successful JSON answers of the MCP endpoint go out as a one-event SSE stream instead
    /// (`text/event-stream`, which the transport allows).
    pub answer_as_sse: bool,
    /// Token responses carry no refresh token (issuing one is up to the AS).
    pub no_refresh_token: bool,
    /// The MCP server changes authorization servers once the client has listed its tools:
    /// from then on the PRM names a second authorization server (issuer `BASE/as2`, its
    /// endpoints under `/as2/`), and tokens of the first are refused with a 401.
    pub migrate_as: bool,
    /// Every dynamic registration is refused (400 `invalid_redirect_uri`), as an OpenID
    /// Connect server refuses a loopback redirect for what it takes to be a web client.
    pub refuse_registration: bool,
    /// The authorization server's issuer gets this path (`/tenant1`): the PRM names
    /// `BASE/tenant1`, the AS metadata is served at the locations derived from that issuer
    /// (and not at the root ones) with that issuer, and authorization responses carry it as
    /// `iss`.
    pub issuer_path: Option<String>,
    /// The MCP endpoint speaks only the 2025 revisions: an authenticated request naming
    /// 2026-07-28 (or `server/discover`) gets 400 with an UnsupportedProtocolVersion error
    /// that lists the versions it supports.
    pub legacy_only: bool,
}

#[derive(Debug)]
pub(crate) struct Observer {
    pub(crate) log: RequestLog,
    pub(crate) shape: Shape,
    pub(crate) base: String,
    pub(crate) migration: Mutex<Migration>,
}

/// Where an authorization-server change ([`Shape::migrate_as`]) stands.
#[derive(Debug, Default)]
pub(crate) struct Migration {
    done: bool,
    /// Access tokens the first authorization server issued.
    first_as_tokens: Vec<String>,
}

/// The prefix of the second authorization server's endpoints and issuer.
const SECOND_AS: &str = "/as2";

impl Observer {
    fn migration(&self) -> MutexGuard<'_, Migration> {
        match self.migration.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// The middleware that records each exchange. The body is buffered (within the server's own
/// limit) and handed on unchanged.
pub(crate) async fn record(
    State(obs): State<Arc<Observer>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return crate::responses::payload_too_large(),
    };
    let mut seen = ObservedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        ..ObservedRequest::default()
    };
    let shaped = shape_request(&obs, &seen);
    let response = match shaped {
        Some(r) => r,
        None => {
            let mut parts = parts;
            if let Some(root) = tenant_metadata_root(&obs.shape, &seen.path)
                && let Ok(uri) = root.parse()
            {
                parts.uri = uri;
            }
            if let Some(inner) = second_as_path(&obs.shape, &seen)
                && let Ok(uri) = inner.parse()
            {
                parts.uri = uri;
            }
            let replaced = replace_auth_method(&obs.shape, &seen, bytes.clone());
            if replaced != bytes {
                parts.headers.remove(header::CONTENT_LENGTH);
            }
            let bytes = replaced;
            let r = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            shape_response(&obs, &seen, r).await
        }
    };
    let text = |r: &Response, name| {
        r.headers()
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    seen.status = response.status().as_u16();
    seen.location = text(&response, header::LOCATION);
    seen.www_authenticate = text(&response, header::WWW_AUTHENTICATE);
    // Error answers are kept too: a report quotes the answer a flow died at.
    let keep_body = ["/token", "/register", "/as2/token", "/as2/register"]
        .contains(&seen.path.as_str())
        || seen.status >= 400;
    let response = if keep_body {
        let (parts, body) = response.into_parts();
        let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
            return crate::responses::payload_too_large();
        };
        seen.response_body = Some(String::from_utf8_lossy(&bytes).into_owned());
        Response::from_parts(parts, Body::from(bytes))
    } else {
        response
    };
    if obs.shape.migrate_as {
        let mut m = obs.migration();
        if seen.path == "/token"
            && seen.status == 200
            && let Some(t) = seen
                .response_body
                .as_deref()
                .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
                .and_then(|j| {
                    j.get("access_token")
                        .and_then(|t| t.as_str())
                        .map(str::to_string)
                })
        {
            m.first_as_tokens.push(t);
        }
        if !m.done && seen.path == "/mcp" && seen.status == 200 && is_tools_call(&seen) {
            m.done = true;
        }
    }
    obs.log.push(seen);
    response
}

/// The first authorization server's path a second-AS path stands for: `/as2/authorize` is
/// `/authorize`, and its metadata locations are the root ones.
fn second_as_path(shape: &Shape, seen: &ObservedRequest) -> Option<String> {
    if !shape.migrate_as {
        return None;
    }
    let p = &seen.path;
    for root in AS_METADATA_ROOTS {
        if *p == format!("{root}{SECOND_AS}")
            || (root == "/.well-known/openid-configuration" && *p == format!("{SECOND_AS}{root}"))
        {
            return Some(root.to_string());
        }
    }
    let rest = p.strip_prefix(SECOND_AS)?.to_string();
    let rest = if rest.starts_with('/') {
        rest
    } else {
        return None;
    };
    Some(match &seen.query {
        Some(q) => format!("{rest}?{q}"),
        None => rest,
    })
}

fn is_tools_call(seen: &ObservedRequest) -> bool {
    serde_json::from_str::<serde_json::Value>(&seen.body)
        .ok()
        .and_then(|j| j.get("method").and_then(|m| m.as_str()).map(str::to_string))
        .is_some_and(|m| m == "tools/list" || m == "tools/call")
}

const AS_METADATA_ROOTS: [&str; 2] = [
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
];

/// Under an issuer path, the root document a path-derived AS metadata location stands for:
/// the RFC 8414 path-inserted forms and the OpenID Connect path-appended one.
fn tenant_metadata_root(shape: &Shape, path: &str) -> Option<&'static str> {
    let p = shape.issuer_path.as_deref()?;
    AS_METADATA_ROOTS.into_iter().find(|root| {
        path == format!("{root}{p}")
            || (*root == "/.well-known/openid-configuration" && path == format!("{p}{root}"))
    })
}

/// Rewrites a JSON body with `edit`, keeping everything else of the response.
async fn edit_json(
    response: Response,
    edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return crate::responses::payload_too_large();
    };
    let mut out = bytes.to_vec();
    if let Ok(mut j) = serde_json::from_slice::<serde_json::Value>(&bytes)
        && let Some(m) = j.as_object_mut()
    {
        edit(m);
        out = serde_json::to_vec(&j).unwrap_or(out);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// A registration without `token_endpoint_auth_method` where the scenario names the methods:
/// the server replaces the absent value with the first method it supports, and the answer
/// says so (RFC 7591 §3.2.1 lets a server replace requested metadata values).
fn replace_auth_method(
    shape: &Shape,
    seen: &ObservedRequest,
    bytes: axum::body::Bytes,
) -> axum::body::Bytes {
    let Some(first) = shape.token_auth_methods.as_ref().and_then(|m| m.first()) else {
        return bytes;
    };
    if seen.method != "POST" || seen.path != "/register" {
        return bytes;
    }
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut m)) if !m.contains_key("token_endpoint_auth_method") => {
            m.insert(
                "token_endpoint_auth_method".into(),
                serde_json::json!(first),
            );
            serde_json::to_vec(&m).map(Into::into).unwrap_or(bytes)
        }
        _ => bytes,
    }
}

/// An answer the scenario gives in place of the handlers'.
fn shape_request(obs: &Observer, seen: &ObservedRequest) -> Option<Response> {
    if obs.shape.migrate_as && seen.path == "/mcp" {
        let token = seen
            .header("authorization")
            .filter(|a| a.len() > 7 && a[..7].eq_ignore_ascii_case("bearer "))
            .map(|a| a[7..].trim().to_string());
        let m = obs.migration();
        if m.done && token.is_some_and(|t| m.first_as_tokens.contains(&t)) {
            let challenge = format!(
                "Bearer error=\"invalid_token\", error_description=\"this server now trusts another authorization server\", resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
                obs.base
            );
            let mut r = (
                StatusCode::UNAUTHORIZED,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"error":"invalid_token"}"#,
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            return Some(r);
        }
    }
    // Under an issuer path the root metadata documents belong to no issuer.
    if obs.shape.issuer_path.is_some() && AS_METADATA_ROOTS.contains(&seen.path.as_str()) {
        return Some(crate::responses::not_found());
    }
    if obs.shape.hidden_paths.contains(&seen.path) {
        return Some(crate::responses::not_found());
    }
    if obs.shape.refuse_registration && seen.method == "POST" && seen.path == "/register" {
        let body = serde_json::json!({
            "error": "invalid_redirect_uri",
            "error_description": "loopback redirect URIs are not allowed for this client",
        });
        return Some(
            (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response(),
        );
    }
    // A registration for a method the metadata does not list is refused, so the scenario's
    // server is consistent with what it advertises (RFC 7591 §3.2.2).
    if let Some(methods) = &obs.shape.token_auth_methods
        && seen.method == "POST"
        && seen.path == "/register"
    {
        // An absent method is replaced (see `replace_auth_method`), not refused.
        let asked = serde_json::from_str::<serde_json::Value>(&seen.body)
            .ok()
            .and_then(|j| {
                j.get("token_endpoint_auth_method")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            });
        if let Some(asked) = asked.filter(|a| !methods.contains(a)) {
            let body = serde_json::json!({
                "error": "invalid_client_metadata",
                "error_description": format!(
                    "token_endpoint_auth_method {asked} is not supported here (supported: {})",
                    methods.join(", ")
                ),
            });
            return Some(
                (
                    StatusCode::BAD_REQUEST,
                    [(header::CONTENT_TYPE, "application/json")],
                    body.to_string(),
                )
                    .into_response(),
            );
        }
    }
    let bearer = seen
        .header("authorization")
        .is_some_and(|a| a.len() > 7 && a[..7].eq_ignore_ascii_case("bearer "));
    if obs.shape.always_insufficient_scope && seen.path == "/mcp" && bearer && is_tools_call(seen) {
        let challenge = format!(
            "Bearer error=\"insufficient_scope\", scope=\"mcp:tools\", resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
            obs.base
        );
        let mut r = (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"insufficient_scope"}"#,
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        return Some(r);
    }
    if obs.shape.legacy_only && seen.path == "/mcp" && seen.method == "POST" && bearer {
        let rpc = serde_json::from_str::<serde_json::Value>(&seen.body).ok();
        let method = rpc
            .as_ref()
            .and_then(|j| j.get("method"))
            .and_then(|m| m.as_str())
            .unwrap_or("");
        let version = seen.header("mcp-protocol-version").unwrap_or("");
        if version == "2026-07-28" || method == "server/discover" {
            let id = rpc
                .as_ref()
                .and_then(|j| j.get("id").cloned())
                .unwrap_or(serde_json::Value::Null);
            let body = serde_json::json!({
                "jsonrpc": "2.0",
                "id": id,
                "error": {
                    "code": -32022,
                    "message": "Unsupported protocol version",
                    "data": {"supported": ["2025-11-25", "2025-06-18"], "requested": version},
                },
            });
            return Some(
                (
                    StatusCode::BAD_REQUEST,
                    [(header::CONTENT_TYPE, "application/json")],
                    body.to_string(),
                )
                    .into_response(),
            );
        }
    }
    None
}

/// Rewrites the handlers' answer as the scenario asks.
async fn shape_response(obs: &Observer, seen: &ObservedRequest, response: Response) -> Response {
    let mut response = response;
    if obs.shape.migrate_as && response.status() == StatusCode::OK {
        let second = format!("{}{SECOND_AS}", obs.base);
        let migrated = obs.migration().done;
        if migrated
            && seen
                .path
                .starts_with("/.well-known/oauth-protected-resource")
        {
            let second = second.clone();
            response = edit_json(response, move |m| {
                m.insert("authorization_servers".into(), serde_json::json!([second]));
                m.remove("signed_metadata");
            })
            .await;
        } else if second_as_path(&obs.shape, seen)
            .is_some_and(|inner| AS_METADATA_ROOTS.contains(&inner.as_str()))
        {
            let base = obs.base.clone();
            response = edit_json(response, move |m| {
                m.insert("issuer".into(), serde_json::json!(second));
                for (k, v) in m.iter_mut() {
                    if k.ends_with("_endpoint")
                        && let Some(u) = v.as_str()
                        && let Some(path) = u.strip_prefix(&base)
                    {
                        *v = serde_json::json!(format!("{base}{SECOND_AS}{path}"));
                    }
                }
                m.remove("signed_metadata");
            })
            .await;
        }
    }
    if obs.shape.migrate_as && seen.path == format!("{SECOND_AS}/authorize") {
        let second = format!("{}{SECOND_AS}", obs.base);
        set_redirect_iss(&mut response, &second);
    }
    if let Some(p) = &obs.shape.issuer_path {
        let issuer = format!("{}{p}", obs.base);
        if seen
            .path
            .starts_with("/.well-known/oauth-protected-resource")
            && response.status() == StatusCode::OK
        {
            let issuer = issuer.clone();
            response = edit_json(response, move |m| {
                m.insert("authorization_servers".into(), serde_json::json!([issuer]));
                m.remove("signed_metadata");
            })
            .await;
        } else if tenant_metadata_root(&obs.shape, &seen.path).is_some()
            && response.status() == StatusCode::OK
        {
            let issuer = issuer.clone();
            response = edit_json(response, move |m| {
                m.insert("issuer".into(), serde_json::json!(issuer));
                m.remove("signed_metadata");
            })
            .await;
        } else if seen.path == "/authorize" {
            set_redirect_iss(&mut response, &issuer);
        }
    }
    if let Some(scope) = &obs.shape.challenge_scope
        && seen.path == "/mcp"
        && response.status() == StatusCode::UNAUTHORIZED
        && let Some(v) = response.headers().get(header::WWW_AUTHENTICATE).cloned()
    {
        let text = String::from_utf8_lossy(v.as_bytes()).into_owned();
        let re =
            scope_param(&text).map(|old| text.replacen(&old, &format!("scope=\"{scope}\""), 1));
        if let Some(Ok(v)) = re.map(|t| HeaderValue::from_str(&t)) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    if obs.shape.answer_as_sse
        && seen.path == "/mcp"
        && response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
    {
        let (mut parts, body) = response.into_parts();
        let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
            return crate::responses::payload_too_large();
        };
        let event = format!(
            "event: message\ndata: {}\n\n",
            String::from_utf8_lossy(&bytes).replace('\n', "")
        );
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        return Response::from_parts(parts, Body::from(event));
    }
    if obs.shape.no_refresh_token && seen.path == "/token" && response.status() == StatusCode::OK {
        let (mut parts, body) = response.into_parts();
        let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
            return crate::responses::payload_too_large();
        };
        let mut out = bytes.to_vec();
        if let Ok(mut j) = serde_json::from_slice::<serde_json::Value>(&bytes)
            && let Some(m) = j.as_object_mut()
        {
            m.remove("refresh_token");
            out = serde_json::to_vec(&j).unwrap_or(out);
        }
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(out));
    }
    if let Some(methods) = &obs.shape.token_auth_methods
        && (seen.path == "/.well-known/oauth-authorization-server"
            || seen.path == "/.well-known/openid-configuration")
        && response.status() == StatusCode::OK
    {
        let (mut parts, body) = response.into_parts();
        let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
            return crate::responses::payload_too_large();
        };
        let mut out = bytes.to_vec();
        if let Ok(mut j) = serde_json::from_slice::<serde_json::Value>(&bytes)
            && let Some(m) = j.as_object_mut()
        {
            m.insert(
                "token_endpoint_auth_methods_supported".into(),
                serde_json::json!(methods),
            );
            out = serde_json::to_vec(&j).unwrap_or(out);
        }
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(out));
    }
    response
}

/// The `scope="…"` parameter as written in a challenge.
fn scope_param(challenge: &str) -> Option<String> {
    let start = challenge.find("scope=\"")?;
    let rest = &challenge[start + 7..];
    let end = rest.find('"')?;
    Some(challenge[start..start + 7 + end + 1].to_string())
}

/// Rewrites the `iss` of an authorization redirect (its `Location` query) to `issuer`, as the
/// authorization server the scenario pretends to be would send it.
fn set_redirect_iss(response: &mut Response, issuer: &str) {
    let Some(loc) = response.headers().get(header::LOCATION) else {
        return;
    };
    let loc = String::from_utf8_lossy(loc.as_bytes()).into_owned();
    let Ok(mut u) = url::Url::parse(&loc) else {
        return;
    };
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "iss" {
                issuer.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    if let Ok(v) = HeaderValue::from_str(u.as_str()) {
        response.headers_mut().insert(header::LOCATION, v);
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::Shape;
    use crate::{Config, spawn_observed};

    async fn raw(addr: SocketAddr, request: &str) -> String {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut out = String::new();
        stream.read_to_string(&mut out).await.expect("read");
        out
    }

    #[tokio::test]
    async fn records_every_exchange_with_its_body() {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let server = spawn_observed(addr, Config::default(), Shape::default())
            .await
            .expect("spawn");
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
        let a = server.local_addr();
        let answer = raw(
            a,
            &format!(
                "POST /mcp?x=1 HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ),
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        let log = server.observed();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].method, "POST");
        assert_eq!(log[0].path, "/mcp");
        assert_eq!(log[0].query.as_deref(), Some("x=1"));
        assert_eq!(log[0].body, body);
        assert_eq!(log[0].status, 401);
        assert!(log[0].www_authenticate.is_some());
        server.shutdown().await;
    }

    #[tokio::test]
    async fn the_shape_hides_paths_and_moves_the_issuer() {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let shape = Shape {
            hidden_paths: vec!["/.well-known/oauth-protected-resource/mcp".into()],
            issuer_path: Some("/tenant1".into()),
            ..Shape::default()
        };
        let server = spawn_observed(addr, Config::default(), shape)
            .await
            .expect("spawn");
        let a = server.local_addr();
        let get =
            |path: &str| format!("GET {path} HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\n\r\n");
        let hidden = raw(a, &get("/.well-known/oauth-protected-resource/mcp")).await;
        assert!(hidden.starts_with("HTTP/1.1 404"), "{hidden}");
        let root = raw(a, &get("/.well-known/oauth-authorization-server")).await;
        assert!(root.starts_with("HTTP/1.1 404"), "{root}");
        let tenant = raw(a, &get("/.well-known/oauth-authorization-server/tenant1")).await;
        assert!(tenant.starts_with("HTTP/1.1 200"), "{tenant}");
        assert!(
            tenant.contains(&format!("\"issuer\":\"{}/tenant1\"", server.base_url())),
            "{tenant}"
        );
        server.shutdown().await;
    }
}
