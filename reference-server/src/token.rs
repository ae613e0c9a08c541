//! The token endpoint (`POST /token`: authorization code with PKCE and
//! refresh token grants, OAuth 2.1 §4 and RFC 8707 §2.2), the revocation
//! endpoint (`POST /revoke`, RFC 7009), client authentication for both
//! (RFC 6749 §2.3), and minting of the JWT access tokens.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use serde_json::{Value, json};

use crate::oauth::{self, Params, ResourceProblem, secrets_equal};
use crate::state::AppState;
use crate::store::{Client, CodeGrant, Inner, PkceMethod};
use crate::{Mutant, Variant, ratelimit, responses};

/// The subject of every token: the one test user.
const SUBJECT: &str = crate::FORM_USERNAME;
/// How long the `code-race` mutant leaves between checking a code and
/// consuming it.
const RACE_WINDOW: Duration = Duration::from_millis(50);
/// Ends the codes whose redemption the `code-race` mutant leaves open to a
/// race (one in three).
pub(crate) const RACY_CODE_MARK: &str = "-race";
/// The token request parameters this server understands (OAuth 2.1 §3.2,
/// RFC 8707, and `username`/`password` for the password-grant mutant); any
/// other is ignored (OAuth 2.1 §3.2), except under
/// `token-rejects-unknown-params`.
const KNOWN_TOKEN_PARAMS: [&str; 11] = [
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "client_id",
    "client_secret",
    "refresh_token",
    "scope",
    "resource",
    "username",
    "password",
];

/// A refused token or revocation request (RFC 6749 §5.2).
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    code: &'static str,
    description: &'static str,
    /// HTTP Basic was tried and failed (RFC 6749 §5.2 asks for a challenge).
    basic: bool,
}

fn bad_request(code: &'static str, description: &'static str) -> Failure {
    Failure {
        status: StatusCode::BAD_REQUEST,
        code,
        description,
        basic: false,
    }
}

fn invalid_grant(description: &'static str) -> Failure {
    bad_request("invalid_grant", description)
}

fn unsupported_grant_type() -> Failure {
    bad_request(
        "unsupported_grant_type",
        "Only authorization_code and refresh_token are supported",
    )
}

fn invalid_client(basic: bool) -> Failure {
    Failure {
        status: StatusCode::UNAUTHORIZED,
        code: "invalid_client",
        description: "Client authentication failed",
        basic,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Token,
    Revoke,
}

fn render_failure(state: &AppState, endpoint: Endpoint, failure: &Failure) -> Response {
    let token = endpoint == Endpoint::Token;
    if token && state.has(Mutant::TokenErrorHtml) {
        return responses::server_error_html();
    }
    if token && state.has(Mutant::TokenErrorPlainText) {
        return (
            failure.status,
            [(header::CONTENT_TYPE, "text/plain")],
            format!("error: {}", failure.code),
        )
            .into_response();
    }
    let mut status = failure.status;
    let mut challenge = status == StatusCode::UNAUTHORIZED;
    if token && failure.basic && state.has(Mutant::TokenBasicAuthNoChallenge) {
        status = StatusCode::BAD_REQUEST;
        challenge = false;
    }
    let mut response = if token && state.has(Mutant::TokenErrorBadCharset) {
        // RFC 6749 §5.2 allows only %x20-21 / %x23-5B / %x5D-7E here.
        let description = format!(
            "Requ\u{ea}te refus\u{e9}e \u{2014} \"{}\"",
            failure.description
        );
        oauth::error_json(status, failure.code, &description)
    } else {
        oauth::error_json(status, failure.code, failure.description)
    };
    if token && state.has(Mutant::TokenNoStoreMissing) {
        response.headers_mut().remove(header::CACHE_CONTROL);
    }
    if challenge {
        // RFC 9110 §15.5.2: every 401 carries a challenge.
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"authspec-reference\""),
        );
    }
    response
}

/// The form parameters of a POST, or the response refusing the request.
async fn form_request(
    state: &AppState,
    endpoint: Endpoint,
    request: Request,
) -> Result<(Parts, Params), Response> {
    let (parts, body) = request.into_parts();
    if parts.method != Method::POST {
        return Err(responses::method_not_allowed("POST"));
    }
    if !oauth::has_media_type(&parts.headers, oauth::FORM) {
        return Err(render_failure(
            state,
            endpoint,
            &bad_request(
                "invalid_request",
                "The body must be application/x-www-form-urlencoded",
            ),
        ));
    }
    let Some(body) = oauth::read_body(body).await else {
        return Err(responses::payload_too_large());
    };
    let params = Params::parse(&body);
    let token = endpoint == Endpoint::Token;
    let accepts_repeated = token && state.has(Mutant::TokenAcceptsRepeatedParams);
    if !accepts_repeated && params.repeated_parameter().is_some() {
        return Err(render_failure(
            state,
            endpoint,
            &bad_request("invalid_request", "A request parameter is repeated"),
        ));
    }
    if token
        && state.has(Mutant::TokenRejectsUnknownParams)
        && params.unknown_parameter(&KNOWN_TOKEN_PARAMS).is_some()
    {
        return Err(render_failure(
            state,
            endpoint,
            &bad_request("invalid_request", "The request has an unknown parameter"),
        ));
    }
    Ok((parts, params))
}

/// `POST /token`
pub(crate) async fn token(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (parts, params) = match form_request(&state, Endpoint::Token, request).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let limit_keys = throttle_keys(&parts, &params);
    if let Err(wait) = admit(&state, &limit_keys) {
        state.audit(json!({
            "event": "throttled",
            "peer": crate::audit::peer(&parts),
            "endpoint": "token",
            "client_id": claimed_client(&parts, &params),
            "retry_after": wait,
        }));
        return ratelimit::too_many(wait);
    }
    // The authenticated client, for the audit log.
    let mut who: Option<String> = None;
    let result = match params.get("grant_type") {
        None => Err(bad_request("invalid_request", "grant_type is required")),
        Some("authorization_code") => match authenticate(&state, &parts, &params, false) {
            Ok(Some(client)) => {
                who = Some(client.id.clone());
                authorization_code(&state, &client, &params).await
            }
            Ok(None) => Err(invalid_client(false)),
            Err(failure) => Err(failure),
        },
        Some("refresh_token") if state.is(Variant::NoRefreshTokens) => {
            Err(unsupported_grant_type())
        }
        Some("refresh_token") => match authenticate(&state, &parts, &params, false) {
            Ok(Some(client)) => {
                who = Some(client.id.clone());
                refresh_token(&state, &client, &params)
            }
            Ok(None) => Err(invalid_client(false)),
            Err(failure) => Err(failure),
        },
        Some("password") if state.has(Mutant::TokenAcceptsPasswordGrant) => {
            authenticate(&state, &parts, &params, true)
                .and_then(|client| bare_token(&state, client.as_ref(), &params))
        }
        // OAuth 2.1 §4.2: client_credentials needs a confidential client,
        // and this server offers it to none, so correctly it falls through
        // to unsupported_grant_type.
        Some("client_credentials") if state.has(Mutant::TokenClientCredentialsPublic) => {
            // Anything but a public client is refused as in the correct
            // server, so only the rule about public clients is broken.
            match authenticate(&state, &parts, &params, false) {
                Ok(Some(client)) if client.is_public() => {
                    bare_token(&state, Some(&client), &params)
                }
                _ => Err(unsupported_grant_type()),
            }
        }
        // The mutant serves only requests that carry no client authentication at all; any
        // authenticated (or failed) attempt is refused as in the correct server.
        Some("client_credentials")
            if state.has(Mutant::TokenClientCredentialsUnauthenticated)
                && parts.headers.get(header::AUTHORIZATION).is_none()
                && params.get("client_secret").is_none() =>
        {
            let client = params
                .get("client_id")
                .and_then(|id| state.store.lock().client(id));
            bare_token(&state, client.as_ref(), &params)
        }
        Some(_) => Err(unsupported_grant_type()),
    };
    if let Err(failure) = &result
        && failure.code == "invalid_client"
    {
        state.limits.failed(&limit_keys);
    }
    if state.config.audit.is_some() {
        let event = match params.get("grant_type") {
            Some("authorization_code") => "grant",
            Some("refresh_token") => "refresh",
            _ => "token_request",
        };
        // The client_id parameter is an identifier, never a secret; the
        // code, verifier, refresh token and client secret stay out.
        state.audit(json!({
            "event": event,
            "peer": crate::audit::peer(&parts),
            "grant_type": params.get("grant_type"),
            "client_id": who.as_deref().or(params.get("client_id")),
            "scope": result.as_ref().ok().and_then(|b| b.get("scope").cloned()),
            "result": match &result {
                Ok(_) => "issued".to_owned(),
                Err(failure) => format!("refused: {}", failure.code),
            },
        }));
    }
    match result {
        Ok(body) => {
            let mut response = responses::json(StatusCode::OK, &body);
            oauth::no_store(&mut response);
            if state.has(Mutant::TokenNoStoreMissing) {
                response.headers_mut().remove(header::CACHE_CONTROL);
            }
            response
        }
        Err(failure) => render_failure(&state, Endpoint::Token, &failure),
    }
}

/// Who an attempt counts against: the client it names (by `client_id` or
/// HTTP Basic), and the address it comes from.
fn throttle_keys(parts: &Parts, params: &Params) -> Vec<ratelimit::Key> {
    let mut keys = Vec::new();
    if let Some(id) = claimed_client(parts, params) {
        keys.push(ratelimit::Key::client(&id));
    }
    if let Some(addr) = crate::audit::peer_addr(parts) {
        keys.push(ratelimit::Key::Address(addr.ip()));
    }
    keys
}

/// The client an attempt names, authenticated or not (an identifier, never
/// a secret).
fn claimed_client(parts: &Parts, params: &Params) -> Option<String> {
    let basic = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(basic_credentials);
    match basic {
        Some(BasicHeader::Credentials(id, _)) => Some(id),
        _ => params.get("client_id").map(str::to_owned),
    }
}

/// Whether an attempt may go ahead: always refused while its client or
/// address has failed to authenticate too often (unless
/// `token-no-brute-force-limit`), and under `--rate-limit` also past the
/// request limits.
fn admit(state: &AppState, keys: &[ratelimit::Key]) -> Result<(), u64> {
    let failures = !state.has(Mutant::TokenNoBruteForceLimit);
    state.limits.admit(keys, state.config.rate_limit, failures)
}

/// RFC 6749 §2.3: authenticates the client by the one method it registered.
/// `Ok(None)` means no client identified itself at all (only allowed when
/// `anonymous` is set).
fn authenticate(
    state: &AppState,
    parts: &Parts,
    params: &Params,
    anonymous: bool,
) -> Result<Option<Client>, Failure> {
    let mut authorizations = parts.headers.get_all(header::AUTHORIZATION).iter();
    let header = authorizations.next();
    if authorizations.next().is_some() {
        return Err(bad_request(
            "invalid_request",
            "More than one Authorization header",
        ));
    }
    let basic = match header {
        None => None,
        Some(value) => match basic_credentials(value) {
            BasicHeader::NotBasic => None,
            BasicHeader::Malformed => return Err(invalid_client(true)),
            BasicHeader::Credentials(id, secret) => Some((id, secret)),
        },
    };
    let mut body_id = params.get("client_id").map(str::to_owned);
    let mut body_secret = params.get("client_secret").map(str::to_owned);
    // OAuth 2.1 §2.4.1 forbids credentials in the URI, so a correct server
    // does not even look at the query.
    if state.has(Mutant::TokenAcceptsQueryCredentials) && body_id.is_none() && body_secret.is_none()
    {
        let query = Params::from_query(parts.uri.query());
        body_id = query.get("client_id").map(str::to_owned);
        body_secret = query.get("client_secret").map(str::to_owned);
    }

    enum AuthMethod {
        Basic,
        Post,
        None,
    }
    let (method, id, secret) = if let Some((id, secret)) = basic {
        if body_secret.is_some() && !state.has(Mutant::TokenAcceptsTwoAuthMethods) {
            return Err(bad_request(
                "invalid_request",
                "The client used more than one authentication method",
            ));
        }
        if body_id.as_ref().is_some_and(|body_id| *body_id != id) {
            return Err(bad_request(
                "invalid_request",
                "client_id differs from the authenticated client",
            ));
        }
        (AuthMethod::Basic, id, Some(secret))
    } else if let Some(secret) = body_secret {
        let Some(id) = body_id else {
            return Err(invalid_client(false));
        };
        (AuthMethod::Post, id, Some(secret))
    } else if let Some(id) = body_id {
        (AuthMethod::None, id, None)
    } else if anonymous {
        return Ok(None);
    } else {
        return Err(invalid_client(false));
    };

    let is_basic = matches!(method, AuthMethod::Basic);
    let client = state.store.lock().client(&id);
    let Some(client) = client else {
        return Err(invalid_client(is_basic));
    };
    let expected_method = match method {
        AuthMethod::Basic => "client_secret_basic",
        AuthMethod::Post => "client_secret_post",
        AuthMethod::None => "none",
    };
    let secret_ok = match (&secret, &client.secret) {
        (None, _) => true,
        (Some(given), Some(expected)) => secrets_equal(given, expected),
        (Some(_), None) => false,
    };
    if client.auth_method != expected_method || !secret_ok {
        return Err(invalid_client(is_basic));
    }
    Ok(Some(client))
}

enum BasicHeader {
    NotBasic,
    Malformed,
    Credentials(String, String),
}

/// RFC 6749 §2.3.1: HTTP Basic with form-urlencoded id and secret.
fn basic_credentials(value: &HeaderValue) -> BasicHeader {
    let Ok(value) = value.to_str() else {
        return BasicHeader::Malformed;
    };
    let value = value.trim();
    let (scheme, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("Basic") {
        return BasicHeader::NotBasic;
    }
    let encoded = rest.trim();
    let Ok(decoded) = STANDARD
        .decode(encoded)
        .or_else(|_| STANDARD_NO_PAD.decode(encoded))
    else {
        return BasicHeader::Malformed;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return BasicHeader::Malformed;
    };
    match decoded.split_once(':') {
        Some((id, secret)) if !id.is_empty() => {
            BasicHeader::Credentials(oauth::form_decode(id), oauth::form_decode(secret))
        }
        _ => BasicHeader::Malformed,
    }
}

/// RFC 8707 §2.2: resources asked for at the token endpoint must lie within
/// those authorized; without any, the token is for all of those.
fn token_resources(
    state: &AppState,
    params: &Params,
    authorized: &[String],
) -> Result<Vec<String>, Failure> {
    let requested = params.all("resource");
    if requested.is_empty() {
        return Ok(authorized.to_vec());
    }
    let invalid_target = |description| bad_request("invalid_target", description);
    let mut resources: Vec<String> = Vec::new();
    for raw in requested {
        match oauth::check_resource_syntax(raw) {
            Ok(()) => {}
            Err(ResourceProblem::NotAbsolute) => {
                return Err(invalid_target("resource must be an absolute URI"));
            }
            Err(ResourceProblem::Fragment) => {
                return Err(invalid_target("resource must not contain a fragment"));
            }
        }
        let resource = match authorized.iter().find(|a| oauth::same_resource(raw, a)) {
            Some(known) => known.clone(),
            None if state.has(Mutant::TokenIgnoresResource) => raw.to_owned(),
            None => {
                return Err(invalid_target(
                    "resource was not authorized in the authorization request",
                ));
            }
        };
        if !resources.contains(&resource) {
            resources.push(resource);
        }
    }
    Ok(resources)
}

/// OAuth 2.1 §4.1.3.
async fn authorization_code(
    state: &AppState,
    client: &Client,
    params: &Params,
) -> Result<Value, Failure> {
    let Some(code) = params.get("code") else {
        return Err(bad_request("invalid_request", "code is required"));
    };
    let race = state.has(Mutant::CodeRace) && code.ends_with(RACY_CODE_MARK);
    let checked = {
        let mut store = state.store.lock();
        let Some(grant) = store.code(code).cloned() else {
            // A second valid redemption means the code leaked: everything
            // issued from it is revoked (OAuth 2.1 §4.1.3). A replay that fails
            // the verifier proves nothing and revokes nothing (SHOULD NOT).
            if let Some((family, pkce)) = store.used_code_grant(code)
                && !state.has(Mutant::CodeReplayKeepsTokens)
                && (state.has(Mutant::BadReplayRevokes) || verifier_fits(pkce.as_ref(), params))
            {
                store.revoke_grant(family);
            }
            return Err(invalid_grant(
                "The code is invalid, expired or already used",
            ));
        };
        if grant.expires_at <= Instant::now() {
            store.remove_code(code);
            return Err(invalid_grant(
                "The code is invalid, expired or already used",
            ));
        }
        let resources = check_code(state, client, params, &grant)?;
        if race {
            (grant, resources, None)
        } else {
            // Checked and consumed under one lock: exactly one concurrent
            // redemption can get here.
            let family = store.new_grant();
            if !state.has(Mutant::CodeReusable) {
                store.remove_code(code);
                store.mark_code_used(code, family, grant.authorization.pkce.clone());
            }
            let body = issue_tokens(state, &mut store, client, family, &grant, &resources);
            (grant, resources, Some(body))
        }
    };
    let (grant, resources, issued) = checked;
    if let Some(body) = issued {
        return Ok(body);
    }
    // code-race: every request that passed the check before the window
    // closes goes on to get tokens.
    tokio::time::sleep(RACE_WINDOW).await;
    let mut store = state.store.lock();
    let family = store.new_grant();
    if store.remove_code(code).is_some() {
        store.mark_code_used(code, family, grant.authorization.pkce.clone());
    }
    Ok(issue_tokens(
        state, &mut store, client, family, &grant, &resources,
    ))
}

/// Whether the request's code_verifier fits a used code's challenge (a code
/// without PKCE fits any request).
fn verifier_fits(pkce: Option<&crate::store::Pkce>, params: &Params) -> bool {
    let Some(pkce) = pkce else { return true };
    let Some(verifier) = params.get("code_verifier") else {
        return false;
    };
    let derived = match pkce.method {
        PkceMethod::S256 => oauth::s256(verifier),
        PkceMethod::Plain => verifier.to_owned(),
    };
    secrets_equal(&derived, &pkce.challenge)
}

/// Every check binding the code to this request; returns the token's
/// resources.
fn check_code(
    state: &AppState,
    client: &Client,
    params: &Params,
    grant: &CodeGrant,
) -> Result<Vec<String>, Failure> {
    let authorization = &grant.authorization;
    if authorization.client_id != client.id && !state.has(Mutant::TokenIgnoresClientBinding) {
        return Err(invalid_grant("The code was issued to another client"));
    }
    // RFC 6749 §4.1.3 (kept by OAuth 2.1 §10.2 for OAuth 2.0 clients): a
    // redirect_uri sent with the authorization request must be repeated, and
    // identical. An OAuth-2.1-only server may ignore it.
    if !state.is(Variant::RedirectUriIgnoredAtToken) {
        match params.get("redirect_uri") {
            None if authorization.redirect_uri_sent => {
                let description = "redirect_uri is required: the authorization request had one";
                return Err(if state.is(Variant::InvalidRequestErrors) {
                    bad_request("invalid_request", description)
                } else {
                    invalid_grant(description)
                });
            }
            Some(uri)
                if uri != authorization.redirect_uri
                    && !state.has(Mutant::TokenIgnoresRedirectUri) =>
            {
                return Err(invalid_grant(
                    "redirect_uri differs from the authorization request",
                ));
            }
            _ => {}
        }
    }
    let verifier = params.get("code_verifier");
    match (&authorization.pkce, verifier) {
        (None, None) => {}
        // OAuth 2.1 §4.1.3: a verifier for a code without a challenge is
        // refused (only reachable under `pkce-not-required`).
        (None, Some(_)) => {
            return Err(invalid_grant(
                "code_verifier sent for a code issued without code_challenge",
            ));
        }
        (Some(_), None) if state.has(Mutant::TokenAcceptsMissingVerifier) => {}
        (Some(_), None) if state.is(Variant::InvalidRequestErrors) => {
            return Err(bad_request("invalid_request", "code_verifier is required"));
        }
        (Some(_), None) => return Err(invalid_grant("code_verifier is required")),
        (Some(pkce), Some(verifier)) => {
            // RFC 7636 §4.1 binds the client; refusing a malformed verifier is
            // this server's choice, not a rule.
            if !oauth::is_pkce_string(verifier) && !state.is(Variant::VerifierFormatUnchecked) {
                let code = if state.is(Variant::InvalidRequestErrors) {
                    "invalid_request"
                } else {
                    "invalid_grant"
                };
                return Err(bad_request(
                    code,
                    "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
                ));
            }
            let derived = match pkce.method {
                PkceMethod::S256 => oauth::s256(verifier),
                PkceMethod::Plain => verifier.to_owned(),
            };
            if !secrets_equal(&derived, &pkce.challenge) && !state.has(Mutant::TokenIgnoresVerifier)
            {
                let code = if state.has(Mutant::TokenWrongErrorCode) {
                    "invalid_request"
                } else {
                    "invalid_grant"
                };
                return Err(bad_request(
                    code,
                    "code_verifier does not match code_challenge",
                ));
            }
        }
    }
    token_resources(state, params, &authorization.resources)
}

fn issue_tokens(
    state: &AppState,
    store: &mut Inner,
    client: &Client,
    family: u64,
    grant: &CodeGrant,
    resources: &[String],
) -> Value {
    let authorization = &grant.authorization;
    let refresh = (!state.is(Variant::NoRefreshTokens)).then(|| oauth::random_string(32));
    if let Some(refresh) = &refresh {
        store.insert_refresh(
            refresh.clone(),
            client.id.clone(),
            family,
            authorization.scope.clone(),
            authorization.resources.clone(),
        );
    }
    let access = mint_access_token(
        state,
        store,
        &client.id,
        family,
        &authorization.scope,
        resources,
    );
    token_response(state, access, refresh, &authorization.scope)
}

/// OAuth 2.1 §4.3 with refresh token rotation for public clients (§4.3.1).
fn refresh_token(state: &AppState, client: &Client, params: &Params) -> Result<Value, Failure> {
    let Some(presented) = params.get("refresh_token") else {
        return Err(bad_request("invalid_request", "refresh_token is required"));
    };
    let mut store = state.store.lock();
    let found = store.refresh(presented).cloned().or_else(|| {
        state
            .has(Mutant::RefreshAcceptsUnknown)
            .then(|| store.any_refresh_of(&client.id))
            .flatten()
    });
    let Some(record) = found else {
        return Err(invalid_grant("The refresh token is invalid or revoked"));
    };
    if record.client_id != client.id {
        return Err(invalid_grant(
            "The refresh token was issued to another client",
        ));
    }
    if record.rotated && !state.has(Mutant::RefreshReuseAllowed) {
        // A rotated-out token coming back means it was stolen: the whole
        // family goes (OAuth 2.1 §4.3.1).
        store.revoke_grant(record.grant);
        return Err(invalid_grant("The refresh token was already used"));
    }
    let scope = match params.get("scope") {
        None => record.scope.clone(),
        Some(requested) if state.has(Mutant::RefreshWidensScope) => {
            match oauth::parse_scope(requested) {
                Some(tokens) => tokens.join(" "),
                None => return Err(bad_request("invalid_scope", "The scope is malformed")),
            }
        }
        Some(requested) if state.has(Mutant::RefreshWidensToKnownScope) => {
            match oauth::known_scope(requested, state.scopes()) {
                Some(scope) => scope,
                None => {
                    return Err(bad_request(
                        "invalid_scope",
                        "No requested scope is offered",
                    ));
                }
            }
        }
        Some(requested) if state.is(Variant::DropsUnknownScopes) => {
            let granted: Vec<&str> = record.scope.split(' ').collect();
            match oauth::known_scope(requested, &granted) {
                Some(scope) => scope,
                None => {
                    return Err(bad_request(
                        "invalid_scope",
                        "No requested scope was granted",
                    ));
                }
            }
        }
        Some(requested) => match oauth::scope_within(requested, &record.scope) {
            Some(scope) => scope,
            None => {
                return Err(bad_request(
                    "invalid_scope",
                    "The scope exceeds the one originally granted",
                ));
            }
        },
    };
    let resources = token_resources(state, params, &record.resources)?;
    let rotate = client.is_public() && !state.has(Mutant::RefreshNotRotated);
    let refresh = if rotate {
        if let Some(old) = store.refresh(presented) {
            old.rotated = true;
        }
        let fresh = oauth::random_string(32);
        store.insert_refresh(
            fresh.clone(),
            client.id.clone(),
            record.grant,
            record.scope.clone(),
            record.resources.clone(),
        );
        fresh
    } else {
        presented.to_owned()
    };
    let access = mint_access_token(
        state,
        &mut store,
        &client.id,
        record.grant,
        &scope,
        &resources,
    );
    Ok(token_response(state, access, Some(refresh), &scope))
}

/// Only under `token-accepts-password-grant` (any username and password)
/// and `token-client-credentials-public`: a bare access token, without a
/// refresh token, for the requested or default scope.
fn bare_token(
    state: &AppState,
    client: Option<&Client>,
    params: &Params,
) -> Result<Value, Failure> {
    let scope = match params.get("scope") {
        None => state.tools_scope().to_owned(),
        Some(scope) => oauth::supported_scope(scope, state.scopes())
            .ok_or_else(|| bad_request("invalid_scope", "The requested scope is not offered"))?,
    };
    let own = state.resource();
    let resources = token_resources(state, params, std::slice::from_ref(&own))?;
    let client_id = client.map_or("anonymous", |c| c.id.as_str());
    let mut store = state.store.lock();
    let family = store.new_grant();
    let access = mint_access_token(state, &mut store, client_id, family, &scope, &resources);
    Ok(token_response(state, access, None, &scope))
}

fn token_response(state: &AppState, access: String, refresh: Option<String>, scope: &str) -> Value {
    let mut body = json!({
        "access_token": access,
        "token_type": if state.has(Mutant::TokenTypeNotBearer) { "mac" } else { "Bearer" },
        "scope": scope,
    });
    if let Value::Object(map) = &mut body {
        if !state.has(Mutant::TokenNoExpiresIn) {
            map.insert("expires_in".into(), oauth::ACCESS_TOKEN_TTL.into());
        }
        if let Some(refresh) = refresh {
            map.insert("refresh_token".into(), refresh.into());
        }
    }
    body
}

/// Signs a JWT access token and records its `jti` for revocation. The
/// audience is the resource (RFC 8707); without one the token is only good
/// for the authorization server itself, or (`default-audience`) for the MCP
/// endpoint. Under `opaque-tokens` the client gets a random handle instead,
/// which the resource server resolves as introspection would.
pub(crate) fn mint_access_token(
    state: &AppState,
    store: &mut Inner,
    client_id: &str,
    family: u64,
    scope: &str,
    resources: &[String],
) -> String {
    let aud = match resources {
        _ if state.has(Mutant::TokenAudienceIssuer) => json!(state.issuer()),
        [] if state.is(Variant::DefaultAudience) => json!(state.resource()),
        [] if state.is(Variant::DefaultAudienceSlash) => json!(format!("{}/", state.resource())),
        [] => json!(state.issuer()),
        [only] => json!(only),
        several => json!(several),
    };
    let iat = oauth::unix_now();
    let exp = iat + oauth::ACCESS_TOKEN_TTL;
    let jti = oauth::random_string(16);
    let token = state.keys.sign(
        "at+jwt",
        &json!({
            "iss": state.issuer(),
            "aud": aud,
            "sub": SUBJECT,
            "client_id": client_id,
            "scope": scope,
            "iat": iat,
            "exp": exp,
            "jti": jti,
        }),
    );
    store.insert_access(jti, client_id.to_owned(), family, exp);
    if state.is(Variant::OpaqueTokens) {
        let handle = oauth::random_string(32);
        store.insert_opaque(handle.clone(), token);
        handle
    } else {
        token
    }
}

/// The signed claims an access token carries or (opaque tokens) stands for.
pub(crate) fn resolve_access_token(state: &AppState, token: &str) -> Option<String> {
    if state.is(Variant::OpaqueTokens) {
        state.store.lock().opaque(token)
    } else {
        Some(token.to_owned())
    }
}

/// `POST /revoke` (RFC 7009).
pub(crate) async fn revoke(State(state): State<Arc<AppState>>, request: Request) -> Response {
    if state.is(Variant::NoRevocationEndpoint) {
        return responses::not_found();
    }
    let (parts, params) = match form_request(&state, Endpoint::Revoke, request).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let limit_keys = throttle_keys(&parts, &params);
    if let Err(wait) = admit(&state, &limit_keys) {
        return ratelimit::too_many(wait);
    }
    let client = match authenticate(&state, &parts, &params, false) {
        Ok(Some(client)) => client,
        Ok(None) => return render_failure(&state, Endpoint::Revoke, &invalid_client(false)),
        Err(failure) => {
            if failure.code == "invalid_client" {
                state.limits.failed(&limit_keys);
            }
            return render_failure(&state, Endpoint::Revoke, &failure);
        }
    };
    let Some(token) = params.get("token") else {
        return render_failure(
            &state,
            Endpoint::Revoke,
            &bad_request("invalid_request", "token is required"),
        );
    };
    if state.is(Variant::RevocationRefusesAccessTokens)
        && state.store.lock().refresh(token).is_none()
    {
        return render_failure(
            &state,
            Endpoint::Revoke,
            &bad_request(
                "unsupported_token_type",
                "Only refresh tokens can be revoked here",
            ),
        );
    }
    let revoked = if state.has(Mutant::RevokeIgnored) {
        "ignored"
    } else {
        revoke_token(&state, &client, token)
    };
    state.audit(json!({
        "event": "revocation",
        "peer": crate::audit::peer(&parts),
        "client_id": client.id,
        "token_type_hint": params.get("token_type_hint"),
        "result": revoked,
    }));
    // RFC 7009 §2.2: 200 whether or not the token was known, so the answer
    // tells an attacker nothing.
    let mut response = StatusCode::OK.into_response();
    oauth::no_store(&mut response);
    response
}

/// `POST /introspect` (RFC 7662), offered under `opaque-tokens`: what an
/// access token stands for, to the client it was issued to (§2.1 requires
/// authorization, so the endpoint cannot be used to scan for tokens).
pub(crate) async fn introspect(State(state): State<Arc<AppState>>, request: Request) -> Response {
    if !state.is(Variant::OpaqueTokens) {
        return responses::not_found();
    }
    let (parts, params) = match form_request(&state, Endpoint::Revoke, request).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let client = match authenticate(&state, &parts, &params, false) {
        Ok(Some(client)) => client,
        Ok(None) => return render_failure(&state, Endpoint::Revoke, &invalid_client(false)),
        Err(failure) => return render_failure(&state, Endpoint::Revoke, &failure),
    };
    let Some(token) = params.get("token") else {
        return render_failure(
            &state,
            Endpoint::Revoke,
            &bad_request("invalid_request", "token is required"),
        );
    };
    let body = introspection(&state, token, &client.id);
    let mut response = responses::json(StatusCode::OK, &body);
    oauth::no_store(&mut response);
    response
}

/// The RFC 7662 introspection response for `token`, asked by `caller`:
/// inactive unless it is an access token this server issued to that client,
/// unexpired and unrevoked.
pub(crate) fn introspection(state: &AppState, token: &str, caller: &str) -> Value {
    let inactive = json!({"active": false});
    let Some(resolved) = resolve_access_token(state, token) else {
        return inactive;
    };
    let Some(claims) = state.keys.verify(&resolved) else {
        return inactive;
    };
    let claim = |name: &str| claims.get(name).and_then(Value::as_str);
    let live = claim("client_id") == Some(caller)
        && claims.get("exp").and_then(Value::as_u64) > Some(oauth::unix_now())
        && claim("jti")
            .and_then(|jti| state.store.lock().access(jti).map(|a| !a.revoked))
            .unwrap_or(false);
    if !live {
        return inactive;
    }
    let mut body = claims.clone();
    body.insert("active".into(), true.into());
    body.insert("token_type".into(), "Bearer".into());
    Value::Object(body)
}

/// Revokes `token` if this client owns it, and says what it was (for the
/// audit log). A refresh token takes its whole grant with it (RFC 7009 §2.1).
fn revoke_token(state: &AppState, client: &Client, token: &str) -> &'static str {
    let mut store = state.store.lock();
    if let Some(record) = store.refresh(token).cloned() {
        if record.client_id == client.id {
            store.revoke_grant(record.grant);
            return "revoked refresh token and its grant";
        }
        return "not this client's token";
    }
    drop(store);
    let Some(resolved) = resolve_access_token(state, token) else {
        return "unknown token";
    };
    let mut store = state.store.lock();
    let Some(claims) = state.keys.verify(&resolved) else {
        return "unknown token";
    };
    let Some(jti) = claims.get("jti").and_then(Value::as_str) else {
        return "unknown token";
    };
    if store.access(jti).is_some_and(|a| a.client_id == client.id) {
        store.revoke_access(jti);
        "revoked access token"
    } else {
        "not this client's token"
    }
}
