//! What a client under test sent, read from the observing server's log and turned into the
//! values a client case's expectations examine (`var token_request /resource`), plus a redacted
//! transcript.
//!
//! Every value is derived here once, so the suite files stay declarative: they say which
//! value must hold what, never how to dig it out of raw HTTP.

use base64::Engine;
use reference_server::{CimdHandled, ObservedRequest};
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

/// The values of one member (`access_token`, `refresh_token`) in the server's JSON answers.
fn issued(log: &[ObservedRequest], member: &str) -> Vec<String> {
    log.iter()
        .filter_map(|r| r.response_body.as_deref())
        .filter_map(|b| serde_json::from_str::<Value>(b).ok())
        .filter_map(|j| j.get(member).and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// The path and query of a request.
fn path_and_query(r: &ObservedRequest) -> String {
    match &r.query {
        Some(q) => format!("{}?{q}", r.path),
        None => r.path.clone(),
    }
}

/// The parameters of a request: its form body for a POST, else its query.
fn params(r: &ObservedRequest) -> Map<String, Value> {
    if r.method == "POST" {
        form(&r.body)
    } else {
        form(r.query.as_deref().unwrap_or(""))
    }
}

/// Where an issued access token went that it must not: a URL (query or path), a request body
/// of the MCP endpoint, or any endpoint but the MCP one.
fn token_leaks(t: &Traffic<'_>) -> Option<Value> {
    let tokens = issued(t.log, "access_token");
    let mut out = Vec::new();
    for (i, r) in t.log.iter().enumerate() {
        let url = path_and_query(r);
        for token in &tokens {
            let where_ = if url.contains(token.as_str()) {
                Some("in the URL")
            } else if r.path == "/mcp" && r.body.contains(token.as_str()) {
                Some("in the request body")
            } else if r.path != "/mcp" && bearer(r) == Some(token.as_str()) {
                Some("to an endpoint other than the MCP server")
            } else {
                None
            };
            if let Some(w) = where_ {
                out.push(Value::String(format!(
                    "request {} ({} {}): the access token {w}",
                    i + 1,
                    r.method,
                    t.redactor.url(&url)
                )));
            }
        }
    }
    Some(json!(out))
}

/// Requests whose JSON-RPC id is null or neither a string nor an integer. (Reuse is allowed
/// once the earlier request is answered, which the log cannot tell apart from concurrent
/// reuse, so it is not judged.)
fn id_problems(t: &Traffic<'_>) -> Option<Value> {
    let problems: Vec<String> = t
        .posts
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
        .collect();
    Some(json!(problems))
}

/// The endpoints a refresh token may be sent to, of both authorization servers.
const TOKEN_ENDPOINTS: &[&str] = &[
    "/token",
    "/revoke",
    "/introspect",
    "/as2/token",
    "/as2/revoke",
    "/as2/introspect",
];

/// Where an issued refresh token went but the token, revocation and introspection endpoints.
fn refresh_leaks(t: &Traffic<'_>) -> Option<Value> {
    let tokens = issued(t.log, "refresh_token");
    let mut out = Vec::new();
    for (i, r) in t.log.iter().enumerate() {
        let url = path_and_query(r);
        let headers: String = r.headers.iter().map(|(_, v)| v.as_str()).collect();
        for token in &tokens {
            let in_url = url.contains(token.as_str());
            // The token endpoint, and the revocation and introspection endpoints, which take
            // the refresh token by design (RFC 7009 §2.1, RFC 7662 §2.1).
            let its_endpoint = TOKEN_ENDPOINTS.contains(&r.path.as_str());
            let elsewhere = !its_endpoint
                && (r.body.contains(token.as_str()) || headers.contains(token.as_str()));
            if in_url || elsewhere {
                out.push(Value::String(format!(
                    "request {} ({} {}): the refresh token {}",
                    i + 1,
                    r.method,
                    t.redactor.url(&url),
                    if in_url {
                        "in the URL"
                    } else {
                        "outside the token endpoint"
                    }
                )));
            }
        }
    }
    Some(json!(out))
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

/// A client's traffic and the views of it that several values share.
struct Traffic<'a> {
    log: &'a [ObservedRequest],
    mcp_url: &'a str,
    redactor: &'a Redactor,
    /// The parameters of every authorization request.
    authorizations: Vec<Map<String, Value>>,
    /// The form of every authorization-code token request, with the request.
    tokens: Vec<(Map<String, Value>, &'a ObservedRequest)>,
    /// The form of every refresh-token request.
    refreshes: Vec<Map<String, Value>>,
    /// The requests to the MCP endpoint.
    mcp: Vec<&'a ObservedRequest>,
    /// The POSTs to the MCP endpoint whose body is JSON, with the JSON.
    posts: Vec<(&'a ObservedRequest, Value)>,
    /// After a change of authorization server (`migrate_as`): the requests to the second one.
    second: Vec<&'a ObservedRequest>,
    /// How the authorization server resolved each URL `client_id` (metadata documents).
    cimd: &'a [CimdHandled],
}

impl<'a> Traffic<'a> {
    fn new(
        log: &'a [ObservedRequest],
        mcp_url: &'a str,
        redactor: &'a Redactor,
        cimd: &'a [CimdHandled],
    ) -> Self {
        let token_forms = |grant: &str| {
            log.iter()
                .filter(|r| r.method == "POST" && r.path == "/token")
                .map(|r| (form(&r.body), r))
                .filter(|(f, _)| f.get("grant_type").and_then(Value::as_str) == Some(grant))
                .collect::<Vec<_>>()
        };
        let mcp: Vec<&ObservedRequest> = log.iter().filter(|r| r.path == "/mcp").collect();
        Traffic {
            log,
            mcp_url,
            redactor,
            authorizations: log
                .iter()
                .filter(|r| r.path == "/authorize")
                .map(params)
                .collect(),
            tokens: token_forms("authorization_code"),
            refreshes: token_forms("refresh_token")
                .into_iter()
                .map(|(f, _)| f)
                .collect(),
            posts: mcp
                .iter()
                .filter(|r| r.method == "POST")
                .filter_map(|r| rpc(r).map(|j| (*r, j)))
                .collect(),
            mcp,
            second: log
                .iter()
                .filter(|r| r.path.starts_with("/as2/") || r.path.ends_with("/as2"))
                .collect(),
            cimd,
        }
    }

    /// The MCP POSTs that are requests or notifications (they name a method).
    fn calls(&self) -> impl Iterator<Item = &(&'a ObservedRequest, Value)> {
        self.posts.iter().filter(|(_, j)| j.get("method").is_some())
    }

    /// Authorized tools/list and tools/call requests.
    fn tool_calls(&self) -> impl Iterator<Item = &&'a ObservedRequest> {
        self.posts
            .iter()
            .filter(|(r, j)| {
                bearer(r).is_some()
                    && matches!(
                        j.get("method").and_then(Value::as_str),
                        Some("tools/list" | "tools/call")
                    )
            })
            .map(|(r, _)| r)
    }

    /// The parameters of the authorization and authorization-code token requests.
    fn grant_requests(&self) -> impl Iterator<Item = &Map<String, Value>> {
        self.authorizations
            .iter()
            .chain(self.tokens.iter().map(|(f, _)| f))
    }
}

fn method_of(j: &Value) -> String {
    j.get("method")
        .and_then(Value::as_str)
        .unwrap_or("(response)")
        .to_string()
}

/// How a value of [`TRAFFIC_VALUES`] is derived; `None` leaves it absent.
type Derive = fn(&Traffic<'_>) -> Option<Value>;

/// Every value of [`TRAFFIC_VALUES`], with how it is derived.
const VALUES: &[(&str, Derive)] = &[
    ("mcp_url", |t| Some(json!(t.mcp_url))),
    ("requests", requests),
    ("prm_paths", |t| Some(json!(prm_paths(t.log)))),
    ("first_prm_path", |t| {
        prm_paths(t.log).first().map(|p| json!(p))
    }),
    ("as_metadata_paths", as_metadata_paths),
    ("registrations", |t| {
        Some(json!(registrations(t.log).count()))
    }),
    ("registration", registration),
    ("authorization_requests", |t| {
        Some(json!(t.authorizations.len()))
    }),
    ("authorization_request", |t| {
        t.authorizations.first().cloned().map(Value::Object)
    }),
    ("last_authorization_request", |t| {
        t.authorizations.last().cloned().map(Value::Object)
    }),
    ("authorization_scopes", authorization_scopes),
    ("token_requests", |t| Some(json!(t.tokens.len()))),
    ("token_request", token_request),
    ("verifier_matches", verifier_matches),
    ("resource_values", resource_values),
    ("mcp_requests", |t| Some(json!(t.mcp.len()))),
    ("mcp_authorized", |t| Some(json!(authorized(t).count()))),
    ("mcp_succeeded", |t| {
        Some(json!(authorized(t).filter(|r| r.status == 200).count()))
    }),
    ("mcp_methods", mcp_methods),
    ("mcp_versions", mcp_versions),
    ("mcp_header_mismatches", |t| {
        header_findings(t.calls(), "mcp-method", "Mcp-Method", |got, j| {
            got == Some(method_of(j).as_str())
        })
    }),
    ("mcp_without_meta", |t| {
        calls_without_meta(t, &["protocolVersion", "clientCapabilities"])
    }),
    ("session_ids", session_ids),
    ("token_leaks", token_leaks),
    ("tools_attempts", |t| Some(json!(t.tool_calls().count()))),
    ("tools_succeeded", |t| {
        Some(json!(t.tool_calls().filter(|r| r.status == 200).count()))
    }),
    (
        "mcp_unauthenticated_after_token",
        mcp_unauthenticated_after_token,
    ),
    ("mcp_id_problems", id_problems),
    ("mcp_without_client_info", |t| {
        calls_without_meta(t, &["clientInfo"])
    }),
    ("mcp_bad_accept", |t| {
        header_findings(t.posts.iter(), "accept", "Accept", |got, _| {
            let a = got.unwrap_or("").to_ascii_lowercase();
            a.contains("application/json") && a.contains("text/event-stream")
        })
    }),
    ("mcp_non_requests", mcp_non_requests),
    ("refresh_token_leaks", refresh_leaks),
    ("mcp_name_problems", mcp_name_problems),
    ("refresh_requests", |t| Some(json!(t.refreshes.len()))),
    ("refresh_request", |t| {
        t.refreshes
            .first()
            .map(|f| t.redactor.json(&Value::Object(f.clone())))
    }),
    ("requests_without_resource", requests_without_resource),
    ("unissued_client_ids", unissued_client_ids),
    ("second_as_requests", |t| Some(json!(t.second.len()))),
    ("second_as_registrations", second_as_registrations),
    ("reused_client_ids", reused_client_ids),
    ("codes_issued", codes_issued),
    ("unsupported_version_answers", |t| {
        let count = t
            .posts
            .iter()
            .filter(|(r, _)| r.status == 400 && bearer(r).is_some())
            .filter(|(r, _)| {
                r.response_body
                    .as_deref()
                    .and_then(|b| serde_json::from_str::<Value>(b).ok())
                    .and_then(|j| j.pointer("/error/code").and_then(Value::as_i64))
                    == Some(-32022)
            })
            .count();
        Some(json!(count))
    }),
    ("legacy_first_method", |t| {
        t.calls()
            .find(|(r, j)| {
                r.header("mcp-protocol-version") != Some("2026-07-28")
                    && j.get("method").and_then(Value::as_str) != Some("server/discover")
            })
            .map(|(_, j)| json!(method_of(j)))
    }),
    ("url_client_ids", |t| {
        Some(distinct(url_ids(t).map(|(_, id)| id.to_string())))
    }),
    ("url_client_id_problems", url_client_id_problems),
    ("cimd_documents", cimd_documents),
    ("cimd_refusals", |t| {
        Some(json!(
            t.cimd
                .iter()
                .filter(|h| h.how == "refused")
                .map(|h| format!("{}: {}", h.client_id, h.detail.as_deref().unwrap_or("")))
                .collect::<Vec<_>>()
        ))
    }),
    ("redirect_uris_unlisted", redirect_uris_unlisted),
    ("second_as_url_client_ids", |t| {
        Some(distinct(
            t.second
                .iter()
                .filter(|r| r.path == "/as2/authorize" || r.path == "/as2/token")
                .filter_map(|r| {
                    params(r)
                        .get("client_id")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .filter(|id| is_url_id(id)),
        ))
    }),
];

/// Whether a client id is a URL (a Client ID Metadata Document's).
fn is_url_id(id: &str) -> bool {
    let lower = id.get(..8).unwrap_or(id).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The URL client ids of the authorization requests, with each request's parameters.
fn url_ids<'t>(t: &'t Traffic<'_>) -> impl Iterator<Item = (&'t Map<String, Value>, &'t str)> {
    t.authorizations.iter().filter_map(|a| {
        a.get("client_id")
            .and_then(Value::as_str)
            .filter(|id| is_url_id(id))
            .map(|id| (a, id))
    })
}

/// Authorization responses that carried a code (first and second authorization server).
fn codes_issued(t: &Traffic<'_>) -> Option<Value> {
    let count = t
        .log
        .iter()
        .filter(|r| r.path == "/authorize" || r.path == "/as2/authorize")
        .filter_map(|r| r.location.as_deref())
        .filter_map(|l| url::Url::parse(l).ok())
        .filter(|u| u.query_pairs().any(|(k, _)| k == "code"))
        .count();
    Some(json!(count))
}

/// CIMD §3: a client identifier URL uses https, has a path, and has no fragment, no
/// credentials and no dot segments. One line per problem of each URL client id used.
fn url_client_id_problems(t: &Traffic<'_>) -> Option<Value> {
    let mut out: Vec<String> = Vec::new();
    let ids = distinct(url_ids(t).map(|(_, id)| id.to_string()));
    for id in ids
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let rest = id.split_once("://").map(|(_, r)| r).unwrap_or_default();
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let after = &rest[authority_end..];
        let path = &after[..after.find(['?', '#']).unwrap_or(after.len())];
        let dot = |seg: &str| {
            let s = seg.to_ascii_lowercase().replace("%2e", ".");
            s == "." || s == ".."
        };
        let problems = [
            (
                !id.to_ascii_lowercase().starts_with("https://"),
                "not https",
            ),
            (path.is_empty() || path == "/", "no path"),
            (id.contains('#'), "a fragment"),
            (rest[..authority_end].contains('@'), "credentials"),
            (path.split('/').any(dot), "a dot segment"),
        ];
        for (_, what) in problems.iter().filter(|(bad, _)| *bad) {
            out.push(format!("{}: {what}", t.redactor.text(id)));
        }
    }
    Some(json!(out))
}

/// How the authorization server resolved each URL client id: `{client_id, how, detail}`.
fn cimd_documents(t: &Traffic<'_>) -> Option<Value> {
    Some(json!(
        t.cimd
            .iter()
            .map(|h| json!({"client_id": h.client_id, "how": h.how, "detail": h.detail}))
            .collect::<Vec<_>>()
    ))
}

/// Redirect URIs of authorization requests that the client's metadata document does not list
/// (a loopback redirect may differ in its port, RFC 8252 §7.3); absent when no document was
/// read (a URL accepted on its form alone).
fn redirect_uris_unlisted(t: &Traffic<'_>) -> Option<Value> {
    let port_free = |u: &str| -> String {
        match url::Url::parse(u) {
            Ok(mut p) if p.scheme() == "http" && crate::oauth::urls::is_loopback(&p) => {
                let _ = p.set_port(None);
                p.to_string()
            }
            _ => u.to_string(),
        }
    };
    let mut judged = false;
    let mut out = Vec::new();
    for (a, id) in url_ids(t) {
        let Some(listed) = t
            .cimd
            .iter()
            .find(|h| h.client_id == id)
            .and_then(|h| h.redirect_uris.as_ref())
        else {
            continue;
        };
        judged = true;
        let asked = a.get("redirect_uri").and_then(Value::as_str).unwrap_or("");
        if !listed.iter().any(|l| port_free(l) == port_free(asked)) {
            out.push(format!("{asked} (listed: {})", listed.join(", ")));
        }
    }
    judged.then(|| distinct(out.into_iter()))
}

/// The observation of a client case: every value of [`TRAFFIC_VALUES`] from the log of a
/// server whose MCP endpoint is `mcp_url`. The redactor learns every secret in the log.
pub fn observe(
    log: &[ObservedRequest],
    mcp_url: &str,
    redactor: &Redactor,
    cimd: &[CimdHandled],
) -> Observation {
    for s in secrets(log) {
        redactor.add_secret(&s);
    }
    let traffic = Traffic::new(log, mcp_url, redactor, cimd);
    let values = VALUES
        .iter()
        .filter_map(|(name, derive)| Some((name.to_string(), derive(&traffic)?)))
        .collect();
    Observation {
        response: None,
        values,
    }
}

fn requests(t: &Traffic<'_>) -> Option<Value> {
    Some(Value::Array(
        t.log
            .iter()
            .map(|r| json!({"method": r.method, "path": r.path, "status": r.status}))
            .collect(),
    ))
}

fn prm_paths(log: &[ObservedRequest]) -> Vec<String> {
    log.iter()
        .filter(|r| r.method == "GET" && is_prm(&r.path))
        .map(|r| r.path.clone())
        .collect()
}

fn as_metadata_paths(t: &Traffic<'_>) -> Option<Value> {
    let paths: Vec<&str> = t
        .log
        .iter()
        .filter(|r| r.method == "GET" && is_as_metadata(&r.path))
        .map(|r| r.path.as_str())
        .collect();
    Some(json!(paths))
}

fn registrations(log: &[ObservedRequest]) -> impl Iterator<Item = &ObservedRequest> {
    log.iter()
        .filter(|r| r.method == "POST" && r.path == "/register")
}

/// The body of the last successful registration request (an earlier one the server refused
/// may be corrected, RFC 7591 §3.2.2), else of the last attempt.
fn registration(t: &Traffic<'_>) -> Option<Value> {
    let chosen = registrations(t.log)
        .filter(|r| (200..300).contains(&r.status))
        .last()
        .or_else(|| registrations(t.log).last())?;
    let j = serde_json::from_str::<Value>(&chosen.body).ok()?;
    Some(t.redactor.json(&j))
}

fn authorization_scopes(t: &Traffic<'_>) -> Option<Value> {
    let scopes: Vec<&str> = t
        .authorizations
        .iter()
        .map(|a| a.get("scope").and_then(Value::as_str).unwrap_or(""))
        .collect();
    Some(json!(scopes))
}

/// The first authorization-code token request's form, with how the client authenticated.
fn first_token_request(t: &Traffic<'_>) -> Option<Map<String, Value>> {
    let (f, r) = t.tokens.first()?;
    let mut f = f.clone();
    f.insert("client_auth".into(), json!(client_auth(r, &f)));
    Some(f)
}

fn token_request(t: &Traffic<'_>) -> Option<Value> {
    let f = first_token_request(t)?;
    Some(t.redactor.json(&Value::Object(f)))
}

/// Whether the verifier hashes to the challenge of the authorization request (RFC 7636 §4.6).
fn verifier_matches(t: &Traffic<'_>) -> Option<Value> {
    let f = first_token_request(t)?;
    let challenge = t
        .authorizations
        .last()
        .and_then(|a| a.get("code_challenge"))
        .and_then(Value::as_str);
    let verifier = f.get("code_verifier").and_then(Value::as_str);
    let matches = match (challenge, verifier) {
        (Some(c), Some(ver)) => {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(ver.as_bytes()))
                == c
        }
        _ => false,
    };
    Some(json!(matches))
}

fn resource_values(t: &Traffic<'_>) -> Option<Value> {
    Some(distinct(t.grant_requests().map(|m| {
        m.get("resource")
            .and_then(Value::as_str)
            .unwrap_or("(absent)")
            .to_string()
    })))
}

fn authorized<'t>(t: &'t Traffic<'_>) -> impl Iterator<Item = &'t &'t ObservedRequest> {
    t.mcp.iter().filter(|r| bearer(r).is_some())
}

fn mcp_methods(t: &Traffic<'_>) -> Option<Value> {
    let methods: Vec<String> = t.posts.iter().map(|(_, j)| method_of(j)).collect();
    Some(json!(methods))
}

fn mcp_versions(t: &Traffic<'_>) -> Option<Value> {
    Some(distinct(t.posts.iter().map(|(r, _)| {
        r.header("mcp-protocol-version")
            .unwrap_or("(none)")
            .to_string()
    })))
}

/// The MCP requests whose header is not as `ok` wants it, as `method: Label value`.
fn header_findings<'x>(
    posts: impl Iterator<Item = &'x (&'x ObservedRequest, Value)>,
    header: &str,
    label: &str,
    ok: impl Fn(Option<&str>, &Value) -> bool,
) -> Option<Value> {
    let found: Vec<String> = posts
        .filter(|(r, j)| !ok(r.header(header), j))
        .map(|(r, j)| {
            let got = r.header(header).unwrap_or("absent");
            format!("{}: {label} {got}", method_of(j))
        })
        .collect();
    Some(json!(found))
}

/// The methods of the MCP requests whose `_meta` lacks one of these members (named without
/// their `io.modelcontextprotocol/` prefix).
fn calls_without_meta(t: &Traffic<'_>, members: &[&str]) -> Option<Value> {
    let found: Vec<String> = t
        .calls()
        .filter(|(_, j)| {
            members.iter().any(|k| {
                j.pointer(&format!("/params/_meta/io.modelcontextprotocol~1{k}"))
                    .is_none()
            })
        })
        .map(|(_, j)| method_of(j))
        .collect();
    Some(json!(found))
}

fn session_ids(t: &Traffic<'_>) -> Option<Value> {
    Some(distinct(
        t.mcp
            .iter()
            .filter_map(|r| r.header("mcp-session-id"))
            .map(|s| t.redactor.text(s)),
    ))
}

/// A POST body is one JSON-RPC request or notification: never a batch, never a response.
fn mcp_non_requests(t: &Traffic<'_>) -> Option<Value> {
    let found: Vec<String> = t
        .mcp
        .iter()
        .filter(|r| r.method == "POST")
        .filter(|r| match rpc(r) {
            Some(Value::Object(m)) => !m.contains_key("method"),
            _ => true,
        })
        .map(|r| {
            format!(
                "{} bytes: {}",
                r.body.len(),
                t.redactor
                    .text(&r.body.chars().take(80).collect::<String>())
            )
        })
        .collect();
    Some(json!(found))
}

/// tools/call, resources/read and prompts/get name their target in Mcp-Name.
fn mcp_name_problems(t: &Traffic<'_>) -> Option<Value> {
    let found: Vec<String> = t
        .posts
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
        .collect();
    Some(json!(found))
}

fn requests_without_resource(t: &Traffic<'_>) -> Option<Value> {
    let missing: Vec<String> = t
        .authorizations
        .iter()
        .map(|m| ("authorization", m))
        .chain(t.tokens.iter().map(|(f, _)| ("token", f)))
        .chain(t.refreshes.iter().map(|f| ("refresh", f)))
        .filter(|(_, m)| !m.contains_key("resource"))
        .map(|(kind, _)| format!("a {kind} request"))
        .collect();
    Some(json!(missing))
}

/// The client ids registrations issued, and the always-registered public client of the
/// reference server, which pre-registration scenarios hand out.
fn issued_client_ids(log: &[ObservedRequest]) -> Vec<String> {
    log.iter()
        .filter(|r| r.path == "/register" && (200..300).contains(&r.status))
        .filter_map(|r| r.response_body.as_deref())
        .filter_map(|b| serde_json::from_str::<Value>(b).ok())
        .filter_map(|j| {
            j.get("client_id")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .chain(std::iter::once("reference-public-client".to_string()))
        .collect()
}

/// Client ids the client used that no registration issued.
fn unissued_client_ids(t: &Traffic<'_>) -> Option<Value> {
    let issued = issued_client_ids(t.log);
    Some(distinct(
        t.grant_requests()
            .filter_map(|m| m.get("client_id").and_then(Value::as_str))
            .filter(|id| !issued.iter().any(|i| i == id) && !is_url_id(id))
            .map(|id| t.redactor.text(id)),
    ))
}

fn second_as_registrations(t: &Traffic<'_>) -> Option<Value> {
    let count = t
        .second
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/as2/register")
        .count();
    Some(json!(count))
}

/// Whether the client brought a client id issued before the change of authorization server
/// along to the second one.
fn reused_client_ids(t: &Traffic<'_>) -> Option<Value> {
    let issued = issued_client_ids(t.log);
    Some(distinct(
        t.second
            .iter()
            .filter(|r| r.path == "/as2/authorize" || r.path == "/as2/token")
            .filter_map(|r| {
                params(r)
                    .get("client_id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .filter(|id| issued.iter().any(|i| i == id))
            .map(|id| t.redactor.text(&id)),
    ))
}

fn mcp_unauthenticated_after_token(t: &Traffic<'_>) -> Option<Value> {
    let first_authed = t.mcp.iter().position(|r| bearer(r).is_some());
    let count = first_authed
        .map(|i| t.mcp[i..].iter().filter(|r| bearer(r).is_none()).count())
        .unwrap_or(0);
    Some(json!(count))
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_traffic_value_is_derived_once() {
        let names: BTreeSet<&str> = VALUES.iter().map(|(n, _)| *n).collect();
        assert_eq!(names.len(), VALUES.len(), "a value is derived twice");
        assert_eq!(names, TRAFFIC_VALUES.iter().copied().collect());
    }
}
