//! What a client under test sent, read from the observing server's log and turned into the
//! values a client case's expectations examine (`var token_request /resource`), plus a redacted
//! transcript.
//!
//! Every value is derived here once, so the suite files stay declarative: they say which
//! value must hold what, never how to dig it out of raw HTTP.

use std::collections::BTreeMap;

use base64::Engine;
use reference_server::ObservedRequest;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::checks::Observation;
use crate::http::Redactor;
use crate::transcript::Exchange;

pub use crate::suite::model::{TRAFFIC_STEP as STEP, TRAFFIC_VALUES};

fn form(s: &str) -> Map<String, Value> {
    url::form_urlencoded::parse(s.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

fn is_prm(path: &str) -> bool {
    path.starts_with("/.well-known/oauth-protected-resource")
}

fn is_as_metadata(path: &str) -> bool {
    path.starts_with("/.well-known/oauth-authorization-server")
        || path.starts_with("/.well-known/openid-configuration")
        || path.ends_with("/.well-known/openid-configuration")
}

fn bearer(r: &ObservedRequest) -> Option<&str> {
    let a = r.header("authorization")?;
    (a.len() > 7 && a[..7].eq_ignore_ascii_case("bearer ")).then(|| a[7..].trim())
}

fn rpc(r: &ObservedRequest) -> Option<Value> {
    serde_json::from_str::<Value>(&r.body).ok()
}

/// How the client authenticated at the token endpoint.
fn client_auth(r: &ObservedRequest, body: &Map<String, Value>) -> &'static str {
    let basic = r
        .header("authorization")
        .is_some_and(|a| a.len() > 6 && a[..6].eq_ignore_ascii_case("basic "));
    match (basic, body.contains_key("client_secret")) {
        (true, true) => "basic+post",
        (true, false) => "client_secret_basic",
        (false, true) => "client_secret_post",
        (false, false) => "none",
    }
}

/// The secrets in the log: every issued token, every code, verifier and client secret.
fn secrets(log: &[ObservedRequest]) -> Vec<String> {
    let mut out = Vec::new();
    for r in log {
        if let Some(body) = r.response_body.as_deref()
            && let Ok(j) = serde_json::from_str::<Value>(body)
        {
            for k in ["access_token", "refresh_token", "id_token"] {
                if let Some(s) = j.get(k).and_then(Value::as_str) {
                    out.push(s.to_string());
                }
            }
        }
        if r.path.ends_with("/register")
            && let Some(j) = r
                .response_body
                .as_deref()
                .and_then(|b| serde_json::from_str::<Value>(b).ok())
        {
            for k in ["client_secret", "registration_access_token"] {
                if let Some(s) = j.get(k).and_then(Value::as_str) {
                    out.push(s.to_string());
                }
            }
        }
        if let Some(loc) = &r.location
            && let Ok(u) = url::Url::parse(loc)
        {
            for (k, v) in u.query_pairs() {
                if k == "code" {
                    out.push(v.into_owned());
                }
            }
        }
        for (k, v) in form(&r.body)
            .into_iter()
            .chain(form(r.query.as_deref().unwrap_or("")))
        {
            if matches!(
                k.as_str(),
                "code" | "code_verifier" | "client_secret" | "refresh_token" | "access_token"
            ) && let Value::String(s) = v
            {
                out.push(s);
            }
        }
        if let Some(t) = bearer(r) {
            out.push(t.to_string());
        }
    }
    out
}

/// The tokens the server issued.
fn issued_tokens(log: &[ObservedRequest]) -> Vec<String> {
    log.iter()
        .filter_map(|r| r.response_body.as_deref())
        .filter_map(|b| serde_json::from_str::<Value>(b).ok())
        .filter_map(|j| {
            j.get("access_token")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect()
}

/// Where an issued access token went that it must not: a URL (query or path), a request body
/// of the MCP endpoint, or any endpoint but the MCP one.
fn token_leaks(log: &[ObservedRequest], redactor: &Redactor) -> Vec<Value> {
    let tokens = issued_tokens(log);
    let mut out = Vec::new();
    for (i, r) in log.iter().enumerate() {
        let url = match &r.query {
            Some(q) => format!("{}?{q}", r.path),
            None => r.path.clone(),
        };
        for t in &tokens {
            let where_ = if url.contains(t.as_str()) {
                Some("in the URL")
            } else if r.path == "/mcp" && r.body.contains(t.as_str()) {
                Some("in the request body")
            } else if r.path != "/mcp" && bearer(r) == Some(t.as_str()) {
                Some("to an endpoint other than the MCP server")
            } else {
                None
            };
            if let Some(w) = where_ {
                out.push(Value::String(format!(
                    "request {} ({} {}): the access token {w}",
                    i + 1,
                    r.method,
                    redactor.url(&url)
                )));
            }
        }
    }
    out
}

/// Requests whose JSON-RPC id is null or neither a string nor an integer. (Reuse is allowed
/// once the earlier request is answered, which the log cannot tell apart from concurrent
/// reuse, so it is not judged.)
fn id_problems(posts: &[(&ObservedRequest, Value)]) -> Vec<String> {
    posts
        .iter()
        .filter_map(|(_, j)| {
            let method = j.get("method").and_then(Value::as_str)?;
            match j.get("id") {
                // A notification.
                None => None,
                Some(Value::String(_)) => None,
                Some(Value::Number(n)) if n.is_i64() || n.is_u64() => None,
                Some(other) => Some(format!("{method}: id {other}")),
            }
        })
        .collect()
}

/// Where an issued refresh token went but the token endpoint's body.
fn refresh_leaks(log: &[ObservedRequest], redactor: &Redactor) -> Vec<Value> {
    let tokens: Vec<String> = log
        .iter()
        .filter_map(|r| r.response_body.as_deref())
        .filter_map(|b| serde_json::from_str::<Value>(b).ok())
        .filter_map(|j| {
            j.get("refresh_token")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    let mut out = Vec::new();
    for (i, r) in log.iter().enumerate() {
        let url = match &r.query {
            Some(q) => format!("{}?{q}", r.path),
            None => r.path.clone(),
        };
        let headers: String = r.headers.iter().map(|(_, v)| v.as_str()).collect();
        for t in &tokens {
            let in_url = url.contains(t.as_str());
            let elsewhere =
                r.path != "/token" && (r.body.contains(t.as_str()) || headers.contains(t.as_str()));
            if in_url || elsewhere {
                out.push(Value::String(format!(
                    "request {} ({} {}): the refresh token {}",
                    i + 1,
                    r.method,
                    redactor.url(&url),
                    if in_url {
                        "in the URL"
                    } else {
                        "outside the token endpoint"
                    }
                )));
            }
        }
    }
    out
}

fn distinct(values: impl Iterator<Item = String>) -> Value {
    let mut v: Vec<String> = Vec::new();
    for x in values {
        if !v.contains(&x) {
            v.push(x);
        }
    }
    json!(v)
}

/// The observation of a client case: every value of [`TRAFFIC_VALUES`] from the log of a
/// server whose MCP endpoint is `mcp_url`. The redactor learns every secret in the log.
pub fn observe(log: &[ObservedRequest], mcp_url: &str, redactor: &Redactor) -> Observation {
    for s in secrets(log) {
        redactor.add_secret(&s);
    }
    let mut v: BTreeMap<String, Value> = BTreeMap::new();
    v.insert("mcp_url".into(), json!(mcp_url));
    v.insert(
        "requests".into(),
        Value::Array(
            log.iter()
                .map(|r| json!({"method": r.method, "path": r.path, "status": r.status}))
                .collect(),
        ),
    );
    let prm: Vec<String> = log
        .iter()
        .filter(|r| r.method == "GET" && is_prm(&r.path))
        .map(|r| r.path.clone())
        .collect();
    if let Some(first) = prm.first() {
        v.insert("first_prm_path".into(), json!(first));
    }
    v.insert("prm_paths".into(), json!(prm));
    v.insert(
        "as_metadata_paths".into(),
        json!(
            log.iter()
                .filter(|r| r.method == "GET" && is_as_metadata(&r.path))
                .map(|r| r.path.clone())
                .collect::<Vec<_>>()
        ),
    );
    let registrations: Vec<&ObservedRequest> = log
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/register")
        .collect();
    v.insert("registrations".into(), json!(registrations.len()));
    if let Some(j) = registrations
        .first()
        .and_then(|r| serde_json::from_str::<Value>(&r.body).ok())
    {
        v.insert("registration".into(), redactor.json(&j));
    }
    let authorizations: Vec<Map<String, Value>> = log
        .iter()
        .filter(|r| r.path == "/authorize")
        .map(|r| {
            if r.method == "POST" {
                form(&r.body)
            } else {
                form(r.query.as_deref().unwrap_or(""))
            }
        })
        .collect();
    v.insert("authorization_requests".into(), json!(authorizations.len()));
    if let Some(a) = authorizations.first() {
        v.insert("authorization_request".into(), Value::Object(a.clone()));
    }
    if let Some(a) = authorizations.last() {
        v.insert(
            "last_authorization_request".into(),
            Value::Object(a.clone()),
        );
    }
    v.insert(
        "authorization_scopes".into(),
        json!(
            authorizations
                .iter()
                .map(|a| a
                    .get("scope")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string())
                .collect::<Vec<_>>()
        ),
    );
    let tokens: Vec<(Map<String, Value>, &ObservedRequest)> = log
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/token")
        .map(|r| (form(&r.body), r))
        .filter(|(f, _)| f.get("grant_type").and_then(Value::as_str) == Some("authorization_code"))
        .collect();
    v.insert("token_requests".into(), json!(tokens.len()));
    if let Some((f, r)) = tokens.first() {
        let mut f = f.clone();
        f.insert("client_auth".into(), json!(client_auth(r, &f)));
        // The verifier must hash to the challenge of the authorization request (RFC 7636 §4.6).
        let challenge = authorizations
            .last()
            .and_then(|a| a.get("code_challenge"))
            .and_then(Value::as_str);
        let verifier = f.get("code_verifier").and_then(Value::as_str);
        let matches = match (challenge, verifier) {
            (Some(c), Some(ver)) => {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(Sha256::digest(ver.as_bytes()))
                    == c
            }
            _ => false,
        };
        v.insert("verifier_matches".into(), json!(matches));
        v.insert("token_request".into(), redactor.json(&Value::Object(f)));
    }
    let mut resources: Vec<String> = Vec::new();
    for m in authorizations.iter().chain(tokens.iter().map(|(f, _)| f)) {
        let r = m
            .get("resource")
            .and_then(Value::as_str)
            .unwrap_or("(absent)")
            .to_string();
        if !resources.contains(&r) {
            resources.push(r);
        }
    }
    v.insert("resource_values".into(), json!(resources));
    let mcp: Vec<&ObservedRequest> = log.iter().filter(|r| r.path == "/mcp").collect();
    v.insert("mcp_requests".into(), json!(mcp.len()));
    let authed: Vec<&&ObservedRequest> = mcp.iter().filter(|r| bearer(r).is_some()).collect();
    v.insert("mcp_authorized".into(), json!(authed.len()));
    v.insert(
        "mcp_succeeded".into(),
        json!(authed.iter().filter(|r| r.status == 200).count()),
    );
    let posts: Vec<(&ObservedRequest, Value)> = mcp
        .iter()
        .filter(|r| r.method == "POST")
        .filter_map(|r| rpc(r).map(|j| (*r, j)))
        .collect();
    let method_of = |j: &Value| {
        j.get("method")
            .and_then(Value::as_str)
            .unwrap_or("(response)")
            .to_string()
    };
    v.insert(
        "mcp_methods".into(),
        json!(posts.iter().map(|(_, j)| method_of(j)).collect::<Vec<_>>()),
    );
    v.insert(
        "mcp_versions".into(),
        distinct(posts.iter().map(|(r, _)| {
            r.header("mcp-protocol-version")
                .unwrap_or("(none)")
                .to_string()
        })),
    );
    v.insert(
        "mcp_header_mismatches".into(),
        json!(
            posts
                .iter()
                .filter(|(_, j)| j.get("method").is_some())
                .filter(|(r, j)| r.header("mcp-method") != Some(method_of(j).as_str()))
                .map(|(r, j)| format!(
                    "{}: Mcp-Method {}",
                    method_of(j),
                    r.header("mcp-method").unwrap_or("absent")
                ))
                .collect::<Vec<_>>()
        ),
    );
    v.insert(
        "mcp_without_meta".into(),
        json!(
            posts
                .iter()
                .filter(|(_, j)| j.get("method").is_some())
                .filter(|(_, j)| {
                    ["protocolVersion", "clientCapabilities"].iter().any(|k| {
                        j.pointer(&format!("/params/_meta/io.modelcontextprotocol~1{k}"))
                            .is_none()
                    })
                })
                .map(|(_, j)| method_of(j))
                .collect::<Vec<_>>()
        ),
    );
    v.insert(
        "session_ids".into(),
        distinct(
            mcp.iter()
                .filter_map(|r| r.header("mcp-session-id"))
                .map(|s| redactor.text(s)),
        ),
    );
    v.insert("token_leaks".into(), json!(token_leaks(log, redactor)));
    v.insert(
        "tools_attempts".into(),
        json!(
            posts
                .iter()
                .filter(|(r, j)| bearer(r).is_some()
                    && matches!(
                        j.get("method").and_then(Value::as_str),
                        Some("tools/list" | "tools/call")
                    ))
                .count()
        ),
    );
    v.insert(
        "tools_succeeded".into(),
        json!(
            posts
                .iter()
                .filter(|(r, j)| bearer(r).is_some()
                    && r.status == 200
                    && matches!(
                        j.get("method").and_then(Value::as_str),
                        Some("tools/list" | "tools/call")
                    ))
                .count()
        ),
    );
    v.insert(
        "mcp_without_client_info".into(),
        json!(
            posts
                .iter()
                .filter(|(_, j)| j.get("method").is_some())
                .filter(|(_, j)| j
                    .pointer("/params/_meta/io.modelcontextprotocol~1clientInfo")
                    .is_none())
                .map(|(_, j)| method_of(j))
                .collect::<Vec<_>>()
        ),
    );
    v.insert("mcp_id_problems".into(), json!(id_problems(&posts)));
    v.insert(
        "mcp_bad_accept".into(),
        json!(
            posts
                .iter()
                .filter(|(r, _)| {
                    let a = r.header("accept").unwrap_or("").to_ascii_lowercase();
                    !(a.contains("application/json") && a.contains("text/event-stream"))
                })
                .map(|(r, j)| format!(
                    "{}: Accept {}",
                    method_of(j),
                    r.header("accept").unwrap_or("absent")
                ))
                .collect::<Vec<_>>()
        ),
    );
    // A POST body is one JSON-RPC request or notification: never a batch, never a response.
    v.insert(
        "mcp_non_requests".into(),
        json!(
            mcp.iter()
                .filter(|r| r.method == "POST")
                .filter(|r| match rpc(r) {
                    Some(Value::Object(m)) => !m.contains_key("method"),
                    _ => true,
                })
                .map(|r| format!(
                    "{} bytes: {}",
                    r.body.len(),
                    redactor.text(&r.body.chars().take(80).collect::<String>())
                ))
                .collect::<Vec<_>>()
        ),
    );
    v.insert(
        "refresh_token_leaks".into(),
        json!(refresh_leaks(log, redactor)),
    );
    // tools/call, resources/read and prompts/get name their target in Mcp-Name.
    v.insert(
        "mcp_name_problems".into(),
        json!(
            posts
                .iter()
                .filter_map(|(r, j)| {
                    let method = j.get("method").and_then(Value::as_str)?;
                    let key = match method {
                        "tools/call" | "prompts/get" => "name",
                        "resources/read" => "uri",
                        _ => return None,
                    };
                    let want = j
                        .pointer(&format!("/params/{key}"))
                        .and_then(Value::as_str)?;
                    let got = r.header("mcp-name");
                    // A value that is not plain ASCII travels base64-encoded (=?base64?…?=).
                    let ok = got == Some(want)
                        || got.is_some_and(|g| g.starts_with("=?base64?") && !want.is_ascii());
                    (!ok).then(|| format!("{method} {want}: Mcp-Name {}", got.unwrap_or("absent")))
                })
                .collect::<Vec<_>>()
        ),
    );
    let refreshes: Vec<Map<String, Value>> = log
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/token")
        .map(|r| form(&r.body))
        .filter(|f| f.get("grant_type").and_then(Value::as_str) == Some("refresh_token"))
        .collect();
    v.insert("refresh_requests".into(), json!(refreshes.len()));
    let missing: Vec<String> = authorizations
        .iter()
        .map(|m| ("authorization", m))
        .chain(tokens.iter().map(|(f, _)| ("token", f)))
        .chain(refreshes.iter().map(|f| ("refresh", f)))
        .filter(|(_, m)| !m.contains_key("resource"))
        .map(|(kind, _)| format!("a {kind} request"))
        .collect();
    v.insert("requests_without_resource".into(), json!(missing));
    // Client ids the client used that no registration issued (the always-registered public
    // client of the reference server, which pre-registration scenarios hand out, aside).
    let issued: Vec<String> = log
        .iter()
        .filter(|r| r.path == "/register" && (200..300).contains(&r.status))
        .filter_map(|r| r.response_body.as_deref())
        .filter_map(|b| serde_json::from_str::<Value>(b).ok())
        .filter_map(|j| {
            j.get("client_id")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .chain(std::iter::once("reference-public-client".to_string()))
        .collect();
    // After a change of authorization server (`migrate_as`): what the client did at the
    // second one, and whether it brought the first one's client id along.
    let second: Vec<&ObservedRequest> = log
        .iter()
        .filter(|r| r.path.starts_with("/as2/") || r.path.ends_with("/as2"))
        .collect();
    v.insert("second_as_requests".into(), json!(second.len()));
    v.insert(
        "second_as_registrations".into(),
        json!(
            second
                .iter()
                .filter(|r| r.method == "POST" && r.path == "/as2/register")
                .count()
        ),
    );
    v.insert(
        "reused_client_ids".into(),
        distinct(
            second
                .iter()
                .filter(|r| r.path == "/as2/authorize" || r.path == "/as2/token")
                .filter_map(|r| {
                    let f = if r.method == "POST" {
                        form(&r.body)
                    } else {
                        form(r.query.as_deref().unwrap_or(""))
                    };
                    f.get("client_id")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .filter(|id| issued.iter().any(|i| i == id))
                .map(|id| redactor.text(&id)),
        ),
    );
    v.insert(
        "unissued_client_ids".into(),
        distinct(
            authorizations
                .iter()
                .chain(tokens.iter().map(|(f, _)| f))
                .filter_map(|m| m.get("client_id").and_then(Value::as_str))
                .filter(|id| !issued.iter().any(|i| i == id))
                .map(|id| redactor.text(id)),
        ),
    );
    if let Some(f) = refreshes.first() {
        v.insert(
            "refresh_request".into(),
            redactor.json(&Value::Object(f.clone())),
        );
    }
    let first_authed = mcp.iter().position(|r| bearer(r).is_some());
    v.insert(
        "mcp_unauthenticated_after_token".into(),
        json!(
            first_authed
                .map(|i| mcp[i..].iter().filter(|r| bearer(r).is_none()).count())
                .unwrap_or(0)
        ),
    );
    Observation {
        response: None,
        values: v,
    }
}

/// The log as a redacted transcript (call [`observe`] first, so the redactor knows the secrets).
pub fn transcript(log: &[ObservedRequest], base: &str, redactor: &Redactor) -> Vec<Exchange> {
    log.iter()
        .map(|r| {
            let url = match &r.query {
                Some(q) => format!("{base}{}?{q}", r.path),
                None => format!("{base}{}", r.path),
            };
            let mut response_headers = Vec::new();
            if let Some(l) = &r.location {
                response_headers.push(("location".into(), redactor.url(l)));
            }
            if let Some(w) = &r.www_authenticate {
                response_headers.push(("www-authenticate".into(), w.clone()));
            }
            Exchange {
                block: STEP.into(),
                method: r.method.clone(),
                url: redactor.url(&url),
                request_headers: r
                    .headers
                    .iter()
                    .map(|(n, v)| (n.clone(), redactor.header(n, v)))
                    .collect(),
                request_body: (!r.body.is_empty())
                    .then(|| redactor.body(r.header("content-type"), &r.body)),
                status: Some(r.status),
                response_headers,
                response_body: r
                    .response_body
                    .as_deref()
                    .map(|b| redactor.body(Some("application/json"), b)),
                elapsed_ms: 0,
                error: None,
            }
        })
        .collect()
}
