//! The protected MCP endpoint (`/mcp`): bearer-token extraction (RFC 6750),
//! JWT access token validation and scope checks (OAuth 2.1 §5), then a tiny
//! JSON-RPC 2.0 MCP server with a single `echo` tool.

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use serde_json::Value;

use crate::audit;
use crate::challenge::{self, Rejection};
use crate::jws;
use crate::responses;
use crate::rs_jwt;
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
    let needed = (parts.method == Method::POST)
        .then(|| state.scope_for(rpc_method(&body).as_deref()))
        .flatten();
    let challenged = needed.unwrap_or_else(|| state.tools_scope());
    match authorize(&state, &parts, &body).await {
        Ok(granted) => {
            let lacks_scope =
                needed.is_some_and(|s| !granted.has_scope(s)) && !state.has(Mutant::RsIgnoresScope);
            let outcome = if lacks_scope {
                "refused: insufficient_scope"
            } else {
                "allowed"
            };
            audit_use(&state, &parts, &body, Some(&granted), outcome);
            if !lacks_scope {
                serve()
            } else if state.has(Mutant::RsInsufficientScope401) {
                challenge::reject(&state, Rejection::InvalidToken)
            } else {
                challenge::reject_needing(&state, Rejection::InsufficientScope, challenged)
            }
        }
        Err(Refusal::Crash) => responses::server_error_html(),
        Err(Refusal::Reject(Rejection::NoCredentials))
            if parts.method == Method::POST && leaks_unauthenticated(&state, &body) =>
        {
            serve()
        }
        Err(Refusal::Reject(rejection)) => {
            let outcome = match rejection {
                Rejection::InvalidRequest(_) => "refused: invalid_request",
                _ => "refused: invalid_token",
            };
            if rejection != Rejection::NoCredentials {
                audit_use(&state, &parts, &body, None, outcome);
            }
            challenge::reject_needing(&state, rejection, challenged)
        }
    }
}

/// One audit line for a token presented at `/mcp`: the client and scope
/// of a valid token (none for a refused one, whose claims prove nothing),
/// the JSON-RPC method and tool, and the outcome.
fn audit_use(
    state: &AppState,
    parts: &Parts,
    body: &[u8],
    granted: Option<&Granted>,
    outcome: &str,
) {
    if state.config.audit.is_none() {
        return;
    }
    let rpc: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let tool = (rpc.get("method").and_then(Value::as_str) == Some("tools/call"))
        .then(|| rpc.pointer("/params/name").cloned())
        .flatten();
    state.audit(serde_json::json!({
        "event": "token_use",
        "peer": audit::peer(parts),
        "client_id": granted.and_then(|g| g.client_id.clone()),
        "scope": granted.and_then(|g| g.scope.clone()),
        "method": rpc.get("method").cloned().unwrap_or_else(|| Value::String(parts.method.to_string())),
        "tool": tool,
        "result": outcome,
    }));
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

async fn authorize(state: &AppState, parts: &Parts, body: &[u8]) -> Result<Granted, Refusal> {
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
    validate(state, &token).await.map_err(Refusal::from)
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
    /// The token's `client_id` claim, when it has one.
    client_id: Option<String>,
}

impl Granted {
    fn has_scope(&self, wanted: &str) -> bool {
        self.scope
            .as_deref()
            .is_none_or(|scope| scope.split_ascii_whitespace().any(|s| s == wanted))
    }
}

/// OAuth 2.1 §5.2 and RFC 9068 validation of a JWT access token: an ES256
/// signature under the key its `kid` names in the published JWK set, this
/// issuer, this resource as audience, not expired, and not revoked.
async fn validate(state: &AppState, token: &str) -> Result<Granted, Rejection> {
    if state.has(Mutant::RsAcceptsAnyToken) {
        return Ok(Granted {
            scope: None,
            client_id: None,
        });
    }
    // Opaque tokens (the `opaque-tokens` variant) stand for a JWT the server keeps.
    let resolved = resolve_access_token(state, token).ok_or(Rejection::InvalidToken)?;
    let token = resolved.as_str();
    let resource = state.resource();
    if jws::is_unsecured_jwt(token) {
        let jwt = jws::decode(token).ok_or(Rejection::InvalidToken)?;
        return if state.has(Mutant::RsAcceptsUnsignedJwt) && audience_matches(&jwt, &resource) {
            let scope = Some(jwt.claim_str("scope").unwrap_or_default().to_owned());
            let client_id = jwt.claim_str("client_id").map(str::to_owned);
            Ok(Granted { scope, client_id })
        } else {
            Err(Rejection::InvalidToken)
        };
    }
    let check_audience = !state.has(Mutant::RsAcceptsWrongAudience);
    let verified = rs_jwt::verify(state, token, check_audience)
        .await
        .map_err(|_| Rejection::InvalidToken)?;
    let claims = verified.claims;
    let claim = |name: &str| claims.get(name).and_then(Value::as_str);
    let scope = Some(claim("scope").unwrap_or_default().to_owned());
    let client_id = claim("client_id").map(str::to_owned);
    let unverified = state.has(Mutant::RsIgnoresSignature);
    let store = state.store.lock();
    let record = claim("jti").and_then(|jti| store.access(jti));
    match record {
        Some(record) if record.revoked && !state.has(Mutant::RsAcceptsRevoked) => {
            Err(Rejection::InvalidToken)
        }
        Some(_) => Ok(Granted { scope, client_id }),
        // A token this server signed but no longer remembers was evicted,
        // so it is refused; one it never signed is only reachable when
        // signatures are not checked.
        None if unverified => Ok(Granted { scope, client_id }),
        None => Err(Rejection::InvalidToken),
    }
}

/// RFC 7519 §4.1.3: the audience is one string or an array of strings.
fn audience_matches(jwt: &jws::Jwt, resource: &str) -> bool {
    match jwt.claims.get("aud") {
        Some(Value::String(aud)) => aud == resource,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(resource)),
        _ => false,
    }
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
