//! Dynamic client registration: `POST /register` (RFC 7591) validates the
//! client metadata and creates a client; `GET`/`DELETE /register/{id}`
//! (RFC 7592) read or delete it with the registration access token.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use url::{Host, Url};

use crate::oauth::{self, secrets_equal};
use crate::store::Client;
use crate::{Mutant, Variant, jws, responses, state::AppState};

const AUTH_METHODS: [&str; 3] = ["none", "client_secret_basic", "client_secret_post"];
const GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];
const RESPONSE_TYPES: [&str; 1] = ["code"];

/// RFC 7591 §2 (and §2.3) members; anything else is ignored.
const KNOWN_MEMBERS: [&str; 16] = [
    "redirect_uris",
    "token_endpoint_auth_method",
    "grant_types",
    "response_types",
    "client_name",
    "client_uri",
    "logo_uri",
    "scope",
    "contacts",
    "tos_uri",
    "policy_uri",
    "jwks_uri",
    "jwks",
    "software_id",
    "software_version",
    "software_statement",
];

/// Schemes that must never receive an authorization response.
const DANGEROUS_SCHEMES: [&str; 4] = ["javascript", "data", "file", "vbscript"];

/// A refusal: the RFC 7591 §3.2.2 error code and a description.
struct Refusal(&'static str, &'static str);

fn metadata_error(description: &'static str) -> Refusal {
    Refusal("invalid_client_metadata", description)
}

/// The validated metadata of a new client, defaults filled in.
struct Metadata {
    redirect_uris: Vec<String>,
    grant_types: Vec<String>,
    response_types: Vec<String>,
    auth_method: String,
    client_name: Option<String>,
    scope: Option<String>,
}

/// `POST /register`
pub(crate) async fn register(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if !state.offers_registration() {
        return responses::not_found();
    }
    if parts.method != Method::POST {
        return responses::method_not_allowed("POST");
    }
    // Under --rate-limit: registrations per address (there is no client yet).
    if let Some(addr) = crate::audit::peer_addr(&parts) {
        let keys = [crate::ratelimit::Key::Address(addr.ip())];
        if let Err(wait) = state.limits.admit(&keys, state.config.rate_limit, false) {
            return crate::ratelimit::too_many(wait);
        }
    }
    if state.is(Variant::RegistrationNeedsInitialToken) {
        // RFC 7591 §3: the initial access token is a bearer token (RFC
        // 6750); this server hands none out, so every request lacks one.
        return invalid_registration_token();
    }
    if !oauth::has_media_type(&parts.headers, "application/json") {
        if state.has(Mutant::DcrWrongContentType500) {
            return responses::server_error_html();
        }
        return refuse(&metadata_error("The request body must be application/json"));
    }
    let Some(body) = oauth::read_body(body).await else {
        return responses::payload_too_large();
    };
    let value = match serde_json::from_slice::<Value>(&body) {
        Ok(value) => value,
        Err(_) if state.has(Mutant::DcrMalformedJson500) => {
            return responses::server_error_html();
        }
        Err(_) => return refuse(&metadata_error("The request body is not valid JSON")),
    };
    let Value::Object(request) = value else {
        return refuse(&metadata_error("The request body must be a JSON object"));
    };
    let metadata = match validate(&state, &request) {
        Ok(metadata) => metadata,
        Err(refusal) => return refuse(&refusal),
    };

    let public = metadata.auth_method == "none";
    let client = Client {
        id: if state.has(Mutant::DcrStaticClientId) {
            "static-client".to_owned()
        } else {
            oauth::random_string(16)
        },
        secret: (!public || state.has(Mutant::DcrSecretForPublicClient))
            .then(|| oauth::random_string(32)),
        registration_token: (!state.is(Variant::NoClientManagement))
            .then(|| oauth::random_string(32)),
        issued_at: oauth::unix_now(),
        redirect_uris: metadata.redirect_uris,
        grant_types: metadata.grant_types,
        response_types: metadata.response_types,
        auth_method: metadata.auth_method,
        client_name: metadata.client_name,
        scope: metadata.scope,
    };
    let mut body = client_information(&state, &client);
    if state.has(Mutant::DcrOmitsMetadata) {
        body.remove("redirect_uris");
    }
    // Neither key member is stored; the response repeats what was registered: both under
    // the mutant, jwks_uri alone where the variant kept it.
    for member in ["jwks_uri", "jwks"] {
        let keep = match member {
            "jwks" => {
                state.has(Mutant::DcrAcceptsJwksAndJwksUri) || !request.contains_key("jwks_uri")
            }
            _ => true,
        };
        if let (true, Some(value)) = (keep, request.get(member)) {
            body.insert(member.into(), value.clone());
        }
    }
    state.store.lock().insert_client(client);
    let status = if state.has(Mutant::DcrStatus200) {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut response = responses::json(status, &Value::Object(body));
    oauth::no_store(&mut response);
    response
}

fn refuse(refusal: &Refusal) -> Response {
    oauth::error_json(StatusCode::BAD_REQUEST, refusal.0, refusal.1)
}

fn validate(state: &AppState, request: &Map<String, Value>) -> Result<Metadata, Refusal> {
    if state.has(Mutant::DcrRejectsUnknownFields) && request.keys().any(|k| !is_known_member(k)) {
        return Err(metadata_error("Unknown client metadata member"));
    }
    if state.has(Mutant::RegisterRejectsApplicationType) && request.contains_key("application_type")
    {
        return Err(metadata_error(
            "Unknown client metadata member: application_type",
        ));
    }

    check_software_statement(state, request)?;

    let replaces = state.is(Variant::RegistrationReplacesBadValues);
    let auth_method = auth_method(state, request, replaces)?;

    let mut grant_types = string_array(request, "grant_types")
        .map_err(|()| metadata_error("grant_types must be an array of strings"))?
        .unwrap_or_else(|| vec!["authorization_code".to_owned()]);
    if state.is(Variant::NoRefreshTokens) {
        // Not offered, so not registered (RFC 7591 §3.2.1 lets it drop it).
        grant_types.retain(|g| g != "refresh_token");
    }
    if grant_types
        .iter()
        .any(|g| !GRANT_TYPES.contains(&g.as_str()))
    {
        return Err(metadata_error(
            "grant_types may contain only authorization_code and refresh_token",
        ));
    }
    let uses_code = grant_types.iter().any(|g| g == "authorization_code");
    let mut response_types = string_array(request, "response_types")
        .map_err(|()| metadata_error("response_types must be an array of strings"))?
        .unwrap_or_else(|| {
            if uses_code {
                vec!["code".to_owned()]
            } else {
                Vec::new()
            }
        });
    if replaces {
        // The response types the grant types call for (RFC 7591 §2.1).
        response_types = if uses_code {
            vec!["code".to_owned()]
        } else {
            Vec::new()
        };
    }
    if !state.has(Mutant::DcrAcceptsInconsistentTypes) {
        if response_types
            .iter()
            .any(|r| !RESPONSE_TYPES.contains(&r.as_str()))
        {
            return Err(metadata_error("response_types may contain only code"));
        }
        // RFC 7591 §2.1: the code response type goes with the
        // authorization_code grant type, and the other way round.
        if uses_code != response_types.iter().any(|r| r == "code") {
            return Err(metadata_error(
                "grant_types authorization_code and response_types code must be used together",
            ));
        }
    }

    let redirect_uris = redirect_uris(state, request, uses_code)?;

    // Replacing means keeping jwks_uri; this server stores neither.
    if request.contains_key("jwks")
        && request.contains_key("jwks_uri")
        && !state.has(Mutant::DcrAcceptsJwksAndJwksUri)
        && !replaces
    {
        return Err(metadata_error("jwks and jwks_uri must not both be present"));
    }

    let scope = match request.get("scope") {
        None => None,
        Some(Value::String(scope)) if replaces || state.is(Variant::DropsUnknownScopes) => {
            oauth::known_scope(scope, state.scopes())
        }
        Some(Value::String(scope)) => Some(
            oauth::supported_scope(scope, state.scopes())
                .ok_or_else(|| metadata_error("scope lists a scope this server does not offer"))?,
        ),
        Some(_) => return Err(metadata_error("scope must be a string")),
    };
    let client_name = match request.get("client_name") {
        None => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err(metadata_error("client_name must be a string")),
    };
    // The mutant trusts what the unsigned statement claims, as RFC 7591 §2.3 forbids: its
    // values take precedence over the plain metadata.
    let client_name = match request.get("software_statement") {
        Some(Value::String(statement))
            if state.has(Mutant::DcrAcceptsUnsignedSoftwareStatement) =>
        {
            unsecured_claim(statement, "client_name").or(client_name)
        }
        _ => client_name,
    };

    if auth_method == "none" && state.is(Variant::PublicRegistrationRefused) {
        return Err(metadata_error(
            "This server registers confidential clients only: use client_secret_basic or client_secret_post",
        ));
    }

    Ok(Metadata {
        redirect_uris,
        grant_types,
        response_types,
        auth_method,
        client_name,
        scope,
    })
}

/// RFC 7591 §3.1.1: a software statement must be a signed JWT.
fn check_software_statement(state: &AppState, request: &Map<String, Value>) -> Result<(), Refusal> {
    match request.get("software_statement") {
        Some(Value::String(statement))
            if jws::is_unsecured_jwt(statement)
                && !state.has(Mutant::DcrAcceptsUnsignedSoftwareStatement) =>
        {
            return Err(Refusal(
                "invalid_software_statement",
                "The software statement is not signed",
            ));
        }
        // A signed statement from an unknown publisher proves nothing, so
        // it is ignored (RFC 7591 §3.1.1 lets the server decide).
        None | Some(Value::String(_)) => {}
        Some(_) => {
            return Err(Refusal(
                "invalid_software_statement",
                "The software statement must be a JWT string",
            ));
        }
    }
    Ok(())
}

/// The token endpoint authentication method to register, or the refusal.
fn auth_method(
    state: &AppState,
    request: &Map<String, Value>,
    replaces: bool,
) -> Result<String, Refusal> {
    let method = match request.get("token_endpoint_auth_method") {
        // RFC 7591 §2: the default is client_secret_basic.
        None => "client_secret_basic".to_owned(),
        Some(Value::String(method))
            if method == "none" && state.is(Variant::ConfidentialClientsOnly) =>
        {
            // RFC 7591 §3.2.1: the server may register other values than
            // those requested, and says so in the response.
            "client_secret_basic".to_owned()
        }
        Some(Value::String(method))
            if AUTH_METHODS.contains(&method.as_str())
                || state.has(Mutant::DcrAcceptsUnknownAuthMethod) =>
        {
            method.clone()
        }
        Some(Value::String(_)) if replaces => "client_secret_basic".to_owned(),
        Some(_) => {
            return Err(metadata_error(
                "token_endpoint_auth_method must be none, client_secret_basic or client_secret_post",
            ));
        }
    };
    Ok(method)
}

/// RFC 7591 §2.2: human-readable members may carry a language tag.
fn is_known_member(name: &str) -> bool {
    let base = name.split_once('#').map_or(name, |(base, _)| base);
    KNOWN_MEMBERS.contains(&base)
}

/// `Ok(None)` when absent; `Err` when present but not an array of strings.
fn string_array(request: &Map<String, Value>, name: &str) -> Result<Option<Vec<String>>, ()> {
    match request.get(name) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or(()))
            .collect::<Result<Vec<_>, ()>>()
            .map(Some),
        Some(_) => Err(()),
    }
}

fn redirect_uris(
    state: &AppState,
    request: &Map<String, Value>,
    uses_code: bool,
) -> Result<Vec<String>, Refusal> {
    let code = if state.has(Mutant::DcrWrongErrorCode) {
        "invalid_client_metadata"
    } else {
        "invalid_redirect_uri"
    };
    let uris = string_array(request, "redirect_uris")
        .map_err(|()| Refusal(code, "redirect_uris must be an array of strings"))?
        .unwrap_or_default();
    if uris.is_empty() && uses_code && !state.has(Mutant::DcrAcceptsMissingRedirectUris) {
        return Err(Refusal(
            code,
            "redirect_uris is required for the authorization_code grant",
        ));
    }
    let mut registered = Vec::with_capacity(uris.len());
    for uri in uris {
        // RFC 7591 §2 lets the server replace a value: here, a redirect URI
        // loses its fragment (OAuth 2.1 §2.3 forbids one).
        let uri = match uri.split_once('#') {
            Some((before, _)) if state.is(Variant::RegistrationReplacesBadValues) => {
                before.to_owned()
            }
            _ => uri,
        };
        check_redirect_uri(state, &uri).map_err(|description| Refusal(code, description))?;
        registered.push(uri);
    }
    Ok(registered)
}

/// OAuth 2.1 §2.3.1 and RFC 8252 §7: https, loopback http, or a private-use
/// (reverse domain name) scheme; always absolute and without a fragment.
fn check_redirect_uri(state: &AppState, raw: &str) -> Result<(), &'static str> {
    if !raw.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err("A redirect URI contains characters a URI cannot contain");
    }
    let Ok(url) = Url::parse(raw) else {
        return Err("A redirect URI is not an absolute URI");
    };
    if url.fragment().is_some() && !state.has(Mutant::DcrAcceptsFragmentRedirect) {
        return Err("A redirect URI must not contain a fragment");
    }
    let scheme = url.scheme();
    if DANGEROUS_SCHEMES.contains(&scheme) {
        return if state.has(Mutant::DcrAcceptsJavascriptRedirect) {
            Ok(())
        } else {
            Err("A redirect URI uses a scheme that can run code or read files")
        };
    }
    match scheme {
        "https" if url.host().is_some() => Ok(()),
        "https" => Err("An https redirect URI needs a host"),
        "http" if is_loopback(url.host()) || state.has(Mutant::DcrAcceptsHttpRedirect) => Ok(()),
        "http" => Err("A plain-http redirect URI is allowed only on a loopback host"),
        other if other.contains('.') || state.has(Mutant::DcrAcceptsUndottedScheme) => Ok(()),
        _ => Err("A private-use redirect URI scheme must be a reverse domain name"),
    }
}

fn is_loopback(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Ipv4(ip)) => ip == Ipv4Addr::LOCALHOST,
        Some(Host::Ipv6(ip)) => ip == Ipv6Addr::LOCALHOST,
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The RFC 7591 §3.2.1 client information response (also the RFC 7592 read
/// response).
fn client_information(state: &AppState, client: &Client) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("client_id".into(), client.id.clone().into());
    m.insert("client_id_issued_at".into(), client.issued_at.into());
    if let Some(secret) = &client.secret {
        m.insert("client_secret".into(), secret.clone().into());
        if !state.has(Mutant::DcrNoSecretExpiry) {
            m.insert("client_secret_expires_at".into(), 0.into());
        }
    }
    m.insert("redirect_uris".into(), json!(client.redirect_uris));
    m.insert("grant_types".into(), json!(client.grant_types));
    m.insert("response_types".into(), json!(client.response_types));
    m.insert(
        "token_endpoint_auth_method".into(),
        client.auth_method.clone().into(),
    );
    if let Some(name) = &client.client_name {
        m.insert("client_name".into(), name.clone().into());
    }
    if let Some(scope) = &client.scope {
        m.insert("scope".into(), scope.clone().into());
    }
    if let Some(token) = &client.registration_token {
        m.insert("registration_access_token".into(), token.clone().into());
        m.insert(
            "registration_client_uri".into(),
            state.url(&format!("/register/{}", client.id)).into(),
        );
    }
    m
}

/// `GET` / `DELETE /register/{client_id}` (RFC 7592).
pub(crate) async fn manage(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    let is_read = parts.method == Method::GET || parts.method == Method::HEAD;
    if !is_read && parts.method != Method::DELETE {
        return responses::method_not_allowed("GET, HEAD, DELETE");
    }
    // The raw (still percent-encoded) segment: client ids are base64url, so
    // an id needing decoding is simply unknown.
    let id = parts.uri.path().strip_prefix("/register/").unwrap_or("");
    let client = state.store.lock().client(id);
    let token = bearer_token(&parts.headers);
    let authorized = state.has(Mutant::DcrManagementNoAuth)
        || match (&client, &token) {
            (Some(client), Some(token)) => client
                .registration_token
                .as_deref()
                .is_some_and(|expected| secrets_equal(expected, token)),
            _ => false,
        };
    // RFC 7592 §2: an unknown client is answered like a bad token.
    let (true, Some(client)) = (authorized, client) else {
        return invalid_registration_token();
    };
    if is_read {
        let mut response = responses::json(
            StatusCode::OK,
            &Value::Object(client_information(&state, &client)),
        );
        oauth::no_store(&mut response);
        response
    } else {
        let keep_tokens = state.has(Mutant::DcrDeleteKeepsTokens);
        state.store.lock().remove_client(&client.id, keep_tokens);
        state.audit(json!({
            "event": "client_deleted",
            "peer": crate::audit::peer(&parts),
            "client_id": client.id,
            "tokens_revoked": !keep_tokens,
        }));
        StatusCode::NO_CONTENT.into_response()
    }
}

fn invalid_registration_token() -> Response {
    let mut response = oauth::error_json(
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        "The registration access token is missing or invalid",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

/// The token of a single `Authorization: Bearer` header, if any.
fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return None;
    };
    let value = value.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("Bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// A string claim of an unsecured (alg none) JWT's payload.
fn unsecured_claim(jwt: &str, name: &str) -> Option<String> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get(name).and_then(Value::as_str).map(str::to_owned)
}
