//! The protected MCP endpoint (`/mcp`): bearer-token extraction (RFC 6750),
//! JWT access token validation and scope checks (OAuth 2.1 §5), then a tiny
//! JSON-RPC 2.0 MCP server with a single `echo` tool.

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::challenge::{self, Rejection};
use crate::jws;
use crate::oauth;
use crate::responses;
use crate::state::AppState;
use crate::token::resolve_access_token;
use crate::wire;
use crate::{Mutant, Variant};

pub(crate) async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    // Any read failure is treated as over-limit: the only other cause is the
    // client going away, which never sees the answer anyway.
    let Ok(body) = to_bytes(body, responses::BODY_LIMIT).await else {
        return responses::payload_too_large();
    };
    if !wire::origin_allowed(&state, &parts.headers) {
        return wire::forbidden_origin();
    }
    if state.is(Variant::VersionBeforeAuth)
        && let Some(refusal) = wire::version_refusal(&state, &parts, &body)
    {
        return refusal;
    }
    let credential = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let serve = || wire::serve(&state, &parts, &body, credential);
    if state.has(Mutant::RsNoAuthRequired) {
        return serve();
    }
    match authorize(&state, &parts, &body) {
        Ok(granted) => {
            let lacks_scope = needs_tools_scope(&parts.method, &body)
                && !granted.has_scope(state.tools_scope())
                && !state.has(Mutant::RsIgnoresScope);
            if !lacks_scope {
                serve()
            } else if state.has(Mutant::RsInsufficientScope401) {
                challenge::reject(&state, Rejection::InvalidToken)
            } else {
                challenge::reject(&state, Rejection::InsufficientScope)
            }
        }
        Err(Refusal::Crash) => responses::server_error_html(),
        Err(Refusal::Reject(Rejection::NoCredentials))
            if parts.method == Method::POST && leaks_unauthenticated(&state, &body) =>
        {
            serve()
        }
        Err(Refusal::Reject(rejection)) => challenge::reject(&state, rejection),
    }
}

enum Refusal {
    Reject(Rejection),
    /// Only produced by the `rs-malformed-auth-500` mutant.
    Crash,
}

impl From<Rejection> for Refusal {
    fn from(rejection: Rejection) -> Self {
        Refusal::Reject(rejection)
    }
}

enum HeaderCredentials {
    /// No Authorization header, or one with another scheme.
    Absent,
    Token(String),
    /// `Authorization: Bearer` and nothing after it.
    MissingToken,
    /// Not valid `credentials` syntax, or several Authorization headers.
    Malformed,
}

fn authorize(state: &AppState, parts: &Parts, body: &[u8]) -> Result<Granted, Refusal> {
    let header = header_credentials(state, &parts.headers);
    let token = match header {
        HeaderCredentials::Malformed => {
            return Err(Rejection::InvalidRequest("The Authorization header is malformed").into());
        }
        HeaderCredentials::MissingToken if state.has(Mutant::RsMalformedAuth500) => {
            return Err(Refusal::Crash);
        }
        HeaderCredentials::MissingToken => {
            return Err(Rejection::InvalidRequest(
                "The Authorization header carries no bearer token",
            )
            .into());
        }
        HeaderCredentials::Token(token) => {
            // RFC 6750 §2: clients MUST NOT use more than one method.
            if form_body_has_token(&parts.headers, body)
                && !state.has(Mutant::RsDoubleTokenAccepted)
                && !state.is(Variant::HeaderOnlyBearer)
            {
                return Err(Rejection::InvalidRequest(
                    "The access token was sent by more than one method",
                )
                .into());
            }
            Some(token)
        }
        // RFC 6750 §2.2: a form-encoded body may carry the token instead of
        // the header (a method `header-only-bearer` does not offer).
        HeaderCredentials::Absent if state.is(Variant::HeaderOnlyBearer) => None,
        HeaderCredentials::Absent => form_body_token(&parts.headers, body),
    };
    // OAuth 2.1 §5.1 forbids query tokens, so a correct server behaves as if
    // the parameter were not there at all.
    let token = token.or_else(|| {
        state
            .has(Mutant::RsReadsQueryToken)
            .then(|| query_token(parts))
            .flatten()
    });
    let Some(token) = token else {
        return Err(Rejection::NoCredentials.into());
    };
    validate(state, &token).map_err(Refusal::from)
}

fn header_credentials(state: &AppState, headers: &HeaderMap) -> HeaderCredentials {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return HeaderCredentials::Absent;
    };
    if values.next().is_some() {
        return HeaderCredentials::Malformed;
    }
    let Ok(value) = value.to_str() else {
        return HeaderCredentials::Malformed;
    };
    let value = value.trim_matches(is_http_whitespace);
    let (scheme, rest) = value.split_once(is_http_whitespace).unwrap_or((value, ""));
    if scheme.is_empty() || !scheme.chars().all(is_tchar) {
        return HeaderCredentials::Malformed;
    }
    let is_bearer = if state.has(Mutant::RsBearerCaseSensitive) {
        scheme == "Bearer"
    } else {
        scheme.eq_ignore_ascii_case("Bearer")
    };
    if !is_bearer {
        return HeaderCredentials::Absent;
    }
    let token = rest.trim_matches(is_http_whitespace);
    if token.is_empty() {
        HeaderCredentials::MissingToken
    } else if token.contains(is_http_whitespace) {
        HeaderCredentials::Malformed
    } else {
        HeaderCredentials::Token(token.to_owned())
    }
}

fn is_http_whitespace(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// RFC 9110 §5.6.2 token characters.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn form_body_has_token(headers: &HeaderMap, body: &[u8]) -> bool {
    form_body_token(headers, body).is_some()
}

fn form_body_token(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return None;
    }
    url::form_urlencoded::parse(body)
        .find(|(k, v)| k == "access_token" && !v.is_empty())
        .map(|(_, v)| v.into_owned())
}

fn query_token(parts: &Parts) -> Option<String> {
    let query = parts.uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k == "access_token" && !v.is_empty())
        .map(|(_, v)| v.into_owned())
}

/// What a valid access token allows.
#[derive(Debug)]
struct Granted {
    /// `None` when every scope is allowed (only under `rs-accepts-any-token`).
    scope: Option<String>,
}

impl Granted {
    fn has_scope(&self, wanted: &str) -> bool {
        self.scope
            .as_deref()
            .is_none_or(|scope| scope.split_ascii_whitespace().any(|s| s == wanted))
    }
}

/// OAuth 2.1 §5.2 and RFC 9068-style validation of a JWT access token: an
/// HS256 signature under the authorization server's key, this issuer, this
/// resource as audience, not expired, and not revoked.
fn validate(state: &AppState, token: &str) -> Result<Granted, Rejection> {
    if state.has(Mutant::RsAcceptsAnyToken) {
        return Ok(Granted { scope: None });
    }
    let resolved = resolve_access_token(state, token).ok_or(Rejection::InvalidToken)?;
    let jwt = jws::decode(&resolved).ok_or(Rejection::InvalidToken)?;
    let resource = state.resource();
    let scope = Some(jwt.claim_str("scope").unwrap_or_default().to_owned());
    let alg = jwt.alg().unwrap_or_default();
    if alg.eq_ignore_ascii_case("none") {
        return if state.has(Mutant::RsAcceptsUnsignedJwt) && audience_matches(&jwt, &resource) {
            Ok(Granted { scope })
        } else {
            Err(Rejection::InvalidToken)
        };
    }
    // Only the algorithm this server signs with; never trust the header to
    // pick another (RFC 8725 §3.1).
    if alg != "HS256" {
        return Err(Rejection::InvalidToken);
    }
    let unverified = state.has(Mutant::RsIgnoresSignature);
    if !unverified && !jwt.signed_by_authorization_server() {
        return Err(Rejection::InvalidToken);
    }
    if jwt.claim_str("iss") != Some(state.issuer().as_str()) {
        return Err(Rejection::InvalidToken);
    }
    if !state.has(Mutant::RsAcceptsWrongAudience) && !audience_matches(&jwt, &resource) {
        return Err(Rejection::InvalidToken);
    }
    let Some(exp) = jwt.claims.get("exp").and_then(Value::as_u64) else {
        return Err(Rejection::InvalidToken);
    };
    if exp <= oauth::unix_now() {
        return Err(Rejection::InvalidToken);
    }
    let store = state.store.lock();
    let record = jwt.claim_str("jti").and_then(|jti| store.access(jti));
    match record {
        Some(record) if record.revoked && !state.has(Mutant::RsAcceptsRevoked) => {
            Err(Rejection::InvalidToken)
        }
        Some(_) => Ok(Granted { scope }),
        // A token this server signed but no longer remembers was evicted,
        // so it is refused; one it never signed is only reachable when
        // signatures are not checked.
        None if unverified => Ok(Granted { scope }),
        None => Err(Rejection::InvalidToken),
    }
}

/// The RFC 7662 introspection response for `token`, asked by `caller`:
/// inactive unless it is an access token this server issued to that client,
/// unexpired and unrevoked.
pub(crate) fn introspection(state: &AppState, token: &str, caller: &str) -> Value {
    let inactive = json!({"active": false});
    let Some(resolved) = resolve_access_token(state, token) else {
        return inactive;
    };
    let Some(jwt) = jws::decode(&resolved) else {
        return inactive;
    };
    let live = jwt.signed_by_authorization_server()
        && jwt.claim_str("client_id") == Some(caller)
        && jwt.claims.get("exp").and_then(Value::as_u64) > Some(oauth::unix_now())
        && jwt
            .claim_str("jti")
            .and_then(|jti| state.store.lock().access(jti).map(|a| !a.revoked))
            .unwrap_or(false);
    if !live {
        return inactive;
    }
    let mut body = jwt.claims.clone();
    body.insert("active".into(), true.into());
    body.insert("token_type".into(), "Bearer".into());
    Value::Object(body)
}

/// RFC 7519 §4.1.3: the audience is one string or an array of strings.
fn audience_matches(jwt: &jws::Jwt<'_>, resource: &str) -> bool {
    match jwt.claims.get("aud") {
        Some(Value::String(aud)) => aud == resource,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(resource)),
        _ => false,
    }
}

/// MCP methods that need the `mcp:tools` scope; any valid token may
/// initialize, ping or send notifications.
fn needs_tools_scope(method: &Method, body: &[u8]) -> bool {
    *method == Method::POST
        && matches!(
            rpc_method(body).as_deref(),
            Some("tools/list" | "tools/call")
        )
}

/// Under the leak mutants: whether an unauthenticated request is served anyway.
fn leaks_unauthenticated(state: &AppState, body: &[u8]) -> bool {
    match rpc_method(body).as_deref() {
        Some("tools/list") => state.has(Mutant::RsLeaksToolsList),
        Some(m) if m.starts_with("resources/") => state.has(Mutant::RsResourcesOpen),
        _ => false,
    }
}

fn rpc_method(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.get("method")?.as_str().map(str::to_owned)
}
