//! The authorization endpoint (`/authorize`, OAuth 2.1 §4.1.1 with PKCE,
//! RFC 8707 resource indicators and RFC 9207 `iss`) and the test login and
//! consent form behind it (`/authorize/consent`).
//!
//! Until the client and its redirect URI are established, errors are shown
//! as an HTML page; after that they are redirected to the client.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::oauth::{self, Params, ResourceProblem, secrets_equal};
use crate::responses::{self, AllowFraming, escape_html};
use crate::state::AppState;
use crate::store::{Authorization, Client, Pkce, PkceMethod};
use crate::{Consent, FORM_PASSWORD, FORM_USERNAME, Mutant, Variant, token};

/// The authorization request parameters this server understands (OAuth 2.1
/// §4.1.1, RFC 8707); any other is ignored (OAuth 2.1 §3.1), except under
/// `authorize-rejects-unknown-params`.
const KNOWN_PARAMS: [&str; 9] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "resource",
    "prompt",
];

/// `GET` or `POST /authorize`
pub(crate) async fn authorize(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let response = handle_authorize(&state, request).await;
    protect(&state, response)
}

/// `POST /authorize/consent`: the submitted login and consent form.
pub(crate) async fn consent(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let response = handle_consent(&state, request).await;
    protect(&state, response)
}

/// Headers every authorization endpoint response carries: it must not be
/// framed (RFC 6749 §10.13), cached, or read cross-origin.
fn protect(state: &AppState, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if state.has(Mutant::AuthorizeCorsWildcard) {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    if state.has(Mutant::AuthorizeFrameable) {
        response.extensions_mut().insert(AllowFraming);
    } else {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
    }
    response
}

/// The request parameters from the query (GET) or a form body (POST).
async fn request_params(request: Request, methods: &[Method]) -> Result<Params, Response> {
    let (parts, body) = request.into_parts();
    let method = &parts.method;
    if !methods.contains(method) {
        let allow = if methods.contains(&Method::GET) {
            "GET, HEAD, POST"
        } else {
            "POST"
        };
        return Err(responses::method_not_allowed(allow));
    }
    if *method == Method::GET || *method == Method::HEAD {
        return Ok(Params::from_query(parts.uri.query()));
    }
    if !oauth::has_media_type(&parts.headers, oauth::FORM) {
        return Err(page(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "The request body must be application/x-www-form-urlencoded.",
        ));
    }
    match oauth::read_body(body).await {
        Some(body) => Ok(Params::parse(&body)),
        None => Err(responses::payload_too_large()),
    }
}

async fn handle_authorize(state: &AppState, request: Request) -> Response {
    let params = match request_params(request, &[Method::GET, Method::HEAD, Method::POST]).await {
        Ok(params) => params,
        Err(response) => return response,
    };
    let requested_redirect = params.get("redirect_uri");
    let show_error = |message: &str| error_page(state, message, requested_redirect);
    let accepts_repeated = state.has(Mutant::AuthorizeAcceptsRepeatedParams);
    if !accepts_repeated && (params.is_repeated("client_id") || params.is_repeated("redirect_uri"))
    {
        return show_error("The client_id and redirect_uri parameters must not repeat.");
    }
    let Some(client_id) = params.get("client_id") else {
        return show_error("The request has no client_id.");
    };
    // CIMD: a URL client_id is resolved by fetching its metadata document.
    let client = if crate::cimd::is_url(client_id) {
        match crate::cimd::resolve(state, client_id, requested_redirect).await {
            Ok(client) => Some(client),
            Err(why) => {
                return show_error(&format!(
                    "The client's metadata document cannot be used: {why}."
                ));
            }
        }
    } else {
        state.store.lock().client(client_id)
    };
    let Some(client) = client else {
        if state.has(Mutant::AuthorizeRedirectsUnknownClient)
            && let Some(uri) = requested_redirect.filter(|u| Url::parse(u).is_ok())
        {
            let reply = Reply::new(state, uri, params.get("state"));
            return reply.error("unauthorized_client", "The client is not registered");
        }
        return show_error("The client is not registered with this server.");
    };
    let redirect_uri = match resolve_redirect_uri(state, &client, requested_redirect) {
        Ok(uri) => uri,
        Err(message) => return show_error(message),
    };

    // From here on the redirect URI is trusted, so errors go back to it.
    let client_state = params.get("state");
    let reply = Reply::new(state, &redirect_uri, client_state);
    if !accepts_repeated && params.repeated_parameter().is_some() {
        return reply.error("invalid_request", "A request parameter is repeated");
    }
    if state.has(Mutant::AuthorizeRejectsUnknownParams)
        && params.unknown_parameter(&KNOWN_PARAMS).is_some()
    {
        return reply.error("invalid_request", "The request has an unknown parameter");
    }
    let implicit = match params.get("response_type") {
        None => return reply.error("invalid_request", "response_type is required"),
        Some("code") => false,
        Some("token") if state.has(Mutant::AuthorizeAcceptsTokenResponseType) => true,
        Some(_) => {
            return reply.error(
                "unsupported_response_type",
                "Only response_type code is supported",
            );
        }
    };
    if !implicit && !client.response_types.iter().any(|t| t == "code") {
        return reply.error(
            "unauthorized_client",
            "The client is not registered for response_type code",
        );
    }
    let pkce = if implicit {
        None
    } else {
        match pkce(state, &params) {
            Ok(pkce) => pkce,
            Err(description) => return reply.error("invalid_request", description),
        }
    };
    let scope = match params.get("scope") {
        None if state.is(Variant::ScopeRequired) => {
            return reply.error("invalid_scope", "The request must name a scope");
        }
        None => state.tools_scope().to_owned(),
        Some(scope) => {
            let granted = if state.is(Variant::DropsUnknownScopes) {
                oauth::known_scope(scope, state.scopes())
            } else {
                oauth::supported_scope(scope, state.scopes())
            };
            match granted {
                Some(scope) => scope,
                None => return reply.error("invalid_scope", "The requested scope is not offered"),
            }
        }
    };
    if state.is(Variant::ResourceRequired) && params.all("resource").is_empty() {
        return reply.error("invalid_target", "The request must name a resource");
    }
    let resources = match authorized_resources(state, &params.all("resource")) {
        Ok(resources) => resources,
        Err(description) => return reply.error("invalid_target", description),
    };
    let authorization = Authorization {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.clone(),
        redirect_uri_sent: requested_redirect.is_some(),
        state: client_state.map(str::to_owned),
        pkce,
        scope,
        resources,
    };
    if implicit {
        return implicit_response(state, &reply, &authorization);
    }
    // OpenID Connect's prompt=consent asks for the consent page even where the server would
    // approve by itself.
    let prompt_consent = params
        .get("prompt")
        .is_some_and(|p| p.split(' ').any(|v| v == "consent"));
    match state.consent() {
        Consent::Auto if !prompt_consent => match state.federation.as_ref() {
            Some(federation) => crate::federation::start(state, federation, authorization),
            None => issue_code(state, &reply, authorization),
        },
        Consent::Auto | Consent::Form => {
            let id = oauth::random_string(24);
            state
                .store
                .lock()
                .insert_pending(id.clone(), authorization.clone());
            consent_page(state, &client, &authorization, &id, None)
        }
    }
}

/// OAuth 2.1 §4.1.1 / RFC 6749 §3.1.2.3: the redirect URI must be one of the
/// registered ones, compared as strings, except that a loopback URI's port
/// may vary (RFC 8252 §7.3); it may be left out only when just one is
/// registered.
fn resolve_redirect_uri(
    state: &AppState,
    client: &Client,
    requested: Option<&str>,
) -> Result<String, &'static str> {
    let Some(requested) = requested else {
        return match client.redirect_uris.as_slice() {
            [only] => Ok(only.clone()),
            [first, ..] if state.has(Mutant::AuthorizeDefaultRedirectWithMany) => Ok(first.clone()),
            [] => Err("The client has no registered redirect URI."),
            _ => Err("The request has no redirect_uri and the client registered several."),
        };
    };
    if state.has(Mutant::AuthorizeRedirectsUnregisteredUri) && Url::parse(requested).is_ok() {
        return Ok(requested.to_owned());
    }
    let matches = |registered: &String| {
        if registered == requested {
            return true;
        }
        if state.has(Mutant::AuthorizePrefixRedirectMatch)
            && requested.starts_with(registered.as_str())
        {
            return true;
        }
        if state.has(Mutant::AuthorizeFixedLoopbackPort) {
            return false;
        }
        match (
            oauth::without_loopback_port(registered),
            oauth::without_loopback_port(requested),
        ) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    };
    if client.redirect_uris.iter().any(matches) {
        Ok(requested.to_owned())
    } else {
        Err("The redirect_uri is not registered for this client.")
    }
}

/// OAuth 2.1 §4.1.1: PKCE with S256 is required.
fn pkce(state: &AppState, params: &Params) -> Result<Option<Pkce>, &'static str> {
    let Some(challenge) = params.get("code_challenge") else {
        return if state.has(Mutant::PkceNotRequired) {
            Ok(None)
        } else {
            Err("code_challenge is required")
        };
    };
    let method = match params.get("code_challenge_method") {
        Some("S256") => PkceMethod::S256,
        Some("plain")
            if state.has(Mutant::PkceAcceptsPlain) || state.is(Variant::PlainPkceAdvertised) =>
        {
            PkceMethod::Plain
        }
        Some(_) if state.has(Mutant::PkceAcceptsUnknownMethod) => PkceMethod::S256,
        Some(_) => return Err("code_challenge_method must be S256"),
        // OAuth 2.1 §3.1 makes `code_challenge_method=` the same as leaving
        // it out; the mutant reads it as the default it wishes for.
        None if state.has(Mutant::AuthorizeEmptyParamNotAbsent)
            && params.sent_empty("code_challenge_method") =>
        {
            PkceMethod::S256
        }
        // RFC 7636 §4.3: absent means plain, which a server may refuse (this one does, unless
        // it accepts plain at all).
        None if state.is(Variant::PlainPkceAdvertised) => PkceMethod::Plain,
        None if state.has(Mutant::PkceAbsentMethodS256) => PkceMethod::S256,
        None => return Err("code_challenge_method is required and must be S256"),
    };
    if !oauth::is_pkce_string(challenge) {
        return Err("code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~");
    }
    Ok(Some(Pkce {
        challenge: challenge.to_owned(),
        method,
    }))
}

/// RFC 8707 §2: each resource must be an absolute URI without a fragment,
/// and this server only issues tokens for its own MCP endpoint and for the
/// second resource it serves.
fn authorized_resources(state: &AppState, values: &[&str]) -> Result<Vec<String>, &'static str> {
    let own = state.resource();
    let second = state.second_resource();
    let mut resources: Vec<String> = Vec::new();
    for &raw in values {
        let mut candidate = raw;
        match oauth::check_resource_syntax(raw) {
            Ok(()) => {}
            Err(ResourceProblem::NotAbsolute) => return Err("resource must be an absolute URI"),
            Err(ResourceProblem::Fragment)
                if state.has(Mutant::AuthorizeAcceptsFragmentResource) =>
            {
                candidate = raw.split_once('#').map_or(raw, |(before, _)| before);
            }
            Err(ResourceProblem::Fragment) => {
                return Err("resource must not contain a fragment");
            }
        }
        let same = if state.has(Mutant::AuthorizeCaseSensitiveResource) {
            candidate == own
        } else {
            oauth::same_resource(candidate, &own)
        };
        let resource = if same {
            own.clone()
        } else if oauth::same_resource(candidate, &second) {
            second.clone()
        } else if state.has(Mutant::AuthorizeAcceptsForeignResource) {
            candidate.to_owned()
        } else {
            return Err("This server issues tokens only for its own MCP endpoint");
        };
        if !resources.contains(&resource) {
            resources.push(resource);
        }
    }
    Ok(resources)
}

fn issue_code(state: &AppState, reply: &Reply<'_>, authorization: Authorization) -> Response {
    // 32 random bytes: well over the 128 bits OAuth 2.1 §7.7 asks for.
    let code = if state.has(Mutant::CodeShort) {
        format!("{:06}", rand::random_range(0..1_000_000u32))
    } else if state.has(Mutant::CodeRace) && state.next_race_count() % 3 == 2 {
        // A real race is won only now and then: one code in three has the window open.
        format!("{}{}", oauth::random_string(32), token::RACY_CODE_MARK)
    } else {
        oauth::random_string(32)
    };
    let mut params = vec![("code", code.clone())];
    if state.has(Mutant::RedirectLeaksToken) {
        params.push(("access_token", access_token_for(state, &authorization)));
    }
    state.store.lock().insert_code(code, authorization);
    reply.redirect(params, false)
}

/// An access token of a new grant for what `authorization` asked, straight from the
/// authorization endpoint (only the implicit-grant and token-leak mutants do this).
fn access_token_for(state: &AppState, authorization: &Authorization) -> String {
    let mut store = state.store.lock();
    let grant = store.new_grant();
    token::mint_access_token(
        state,
        &mut store,
        &authorization.client_id,
        grant,
        &authorization.scope,
        &authorization.resources,
    )
}

/// Only under `authorize-accepts-token-response-type`: the implicit grant.
fn implicit_response(
    state: &AppState,
    reply: &Reply<'_>,
    authorization: &Authorization,
) -> Response {
    let access_token = access_token_for(state, authorization);
    reply.redirect(
        vec![
            ("access_token", access_token),
            ("token_type", "Bearer".to_owned()),
            ("expires_in", oauth::ACCESS_TOKEN_TTL.to_string()),
            ("scope", authorization.scope.clone()),
        ],
        true,
    )
}

/// Sends the authorization response (success or error) to the client.
struct Reply<'a> {
    state: &'a AppState,
    redirect_uri: &'a str,
    client_state: Option<&'a str>,
}

impl<'a> Reply<'a> {
    fn new(state: &'a AppState, redirect_uri: &'a str, client_state: Option<&'a str>) -> Self {
        Self {
            state,
            redirect_uri,
            client_state,
        }
    }

    fn error(&self, code: &str, description: &str) -> Response {
        self.redirect(
            vec![
                ("error", code.to_owned()),
                ("error_description", description.to_owned()),
            ],
            false,
        )
    }

    /// A 302 to the redirect URI with `params` (plus `state` and `iss`) in
    /// its query, or in its fragment for the implicit mutant.
    fn redirect(&self, mut params: Vec<(&str, String)>, in_fragment: bool) -> Response {
        let state = self.state;
        if let Some(client_state) = self.client_state
            && !state.has(Mutant::AuthorizeDropsState)
        {
            let value = if state.has(Mutant::AuthorizeAltersState) {
                format!("{client_state}x")
            } else {
                client_state.to_owned()
            };
            params.push(("state", value));
        }
        let is_error = params.iter().any(|(k, _)| *k == "error");
        let omit_iss = state.has(Mutant::AuthorizeOmitsIss)
            || (is_error && state.has(Mutant::AuthorizeErrorOmitsIss));
        if !omit_iss {
            let issuer = state.issuer();
            let iss = if state.has(Mutant::AuthorizeIssMismatch) {
                format!("{issuer}/")
            } else if state.has(Mutant::AuthorizeIssWithQuery) {
                format!("{issuer}?tenant=1")
            } else {
                issuer
            };
            params.push(("iss", iss));
        }
        let Ok(mut url) = Url::parse(self.redirect_uri) else {
            return error_page(state, "The redirect_uri is not a URI.", None);
        };
        // Correctly, the parameters are appended to the registered query
        // (OAuth 2.1 §2.3), which the client may rely on to route the answer.
        if state.has(Mutant::AuthorizeDropsRedirectQuery) {
            url.set_query(None);
        }
        if in_fragment {
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params)
                .finish();
            url.set_fragment(Some(&encoded));
        } else {
            url.query_pairs_mut().extend_pairs(params);
        }
        match HeaderValue::from_str(url.as_str()) {
            Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
            Err(_) => error_page(state, "The redirect_uri cannot be used.", None),
        }
    }
}

async fn handle_consent(state: &AppState, request: Request) -> Response {
    let params = match request_params(request, &[Method::POST]).await {
        Ok(params) => params,
        Err(response) => return response,
    };
    let expired = expired_page;
    let Some(id) = params.get("request") else {
        return expired();
    };
    let Some(pending) = state.store.lock().pending(id) else {
        return expired();
    };
    let authorization = pending.authorization;
    let client = state.store.lock().client(&authorization.client_id);
    let Some(client) = client else {
        return expired();
    };
    let retry = |message: &str| consent_page(state, &client, &authorization, id, Some(message));
    match params.get("decision") {
        Some("deny") => {
            if state.store.lock().take_pending(id).is_none() {
                return expired();
            }
            let reply = Reply::new(
                state,
                &authorization.redirect_uri,
                authorization.state.as_deref(),
            );
            reply.error("access_denied", "The user denied the request")
        }
        Some("approve") => {
            let username = params.get("username").unwrap_or("");
            let password = params.get("password").unwrap_or("");
            // Both comparisons always run, so timing tells nothing.
            let valid =
                secrets_equal(username, FORM_USERNAME) & secrets_equal(password, FORM_PASSWORD);
            if !valid {
                return retry("The username or password is wrong.");
            }
            // Taking it out under the lock makes a double submit harmless.
            if state.store.lock().take_pending(id).is_none() {
                return expired();
            }
            let reply = Reply::new(
                state,
                &authorization.redirect_uri,
                authorization.state.as_deref(),
            );
            issue_code(state, &reply, authorization.clone())
        }
        _ => retry("Choose Approve or Deny."),
    }
}

/// The page for an answer to an authorization request this server no longer knows.
pub(crate) fn expired_page() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Authorization error",
        "This authorization request is unknown or has expired. Start again from the application.",
    )
}

/// The end of a federated login (`federated-login`): this server's own code when the user
/// signed in upstream, `access_denied` otherwise.
pub(crate) fn finish_federated(
    state: &AppState,
    authorization: Authorization,
    signed_in: bool,
) -> Response {
    let reply = Reply::new(
        state,
        &authorization.redirect_uri,
        authorization.state.as_deref(),
    );
    let response = if signed_in {
        issue_code(state, &reply, authorization.clone())
    } else {
        reply.error(
            "access_denied",
            "The sign-in at the identity provider did not complete",
        )
    };
    protect(state, response)
}

/// The login and consent form (Consent::Form).
fn consent_page(
    state: &AppState,
    client: &Client,
    authorization: &Authorization,
    request_id: &str,
    error: Option<&str>,
) -> Response {
    let name = client.client_name.as_deref().unwrap_or(&client.id);
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>\n", escape_html(e)))
        .unwrap_or_default();
    // CIMD §6.4: for a metadata-document client, the host of its client_id is what the user
    // can trust; the name is whatever the document says. A logo would be prefetched (§6.7);
    // this server shows none.
    let mut origin = String::new();
    if let Some(host) = crate::cimd::host_of(&client.id)
        && !state.has(Mutant::CimdConsentHidesHost)
    {
        origin.push_str(&format!(
            "<p class=\"client-host\">This application is published at <strong>{}</strong>.</p>\n",
            escape_html(&host)
        ));
    }
    if state.has(Mutant::CimdConsentHotlinksLogo)
        && let Some(logo) = state.cimd.logo(&client.id)
    {
        origin.push_str(&format!("<img src=\"{}\" alt=\"\">\n", escape_html(&logo)));
    }
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Authorize {name}</title></head>\n<body>\n\
         <h1>Authorize {name}</h1>\n{origin}\
         <p>{name} asks for access to the authspec reference MCP server with scope \
         <code>{scope}</code>.</p>\n{error}\
         <form method=\"post\" action=\"/authorize/consent\">\n\
         <input type=\"hidden\" name=\"request\" value=\"{id}\">\n\
         <label>Username <input type=\"text\" name=\"username\" autocomplete=\"username\"></label>\n\
         <label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\"></label>\n\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
         </form>\n</body></html>\n",
        name = escape_html(name),
        scope = escape_html(&authorization.scope),
        id = escape_html(request_id),
    );
    responses::html(StatusCode::OK, body)
}

/// The error page for requests whose redirect URI cannot be trusted
/// (RFC 6749 §4.1.2.1): nothing is redirected.
fn error_page(state: &AppState, message: &str, redirect_uri: Option<&str>) -> Response {
    let shown = redirect_uri
        .map(|uri| {
            let uri = if state.has(Mutant::AuthorizeReflectsUnescaped) {
                uri.to_owned()
            } else {
                escape_html(uri)
            };
            format!("<p>Redirect URI: <code>{uri}</code></p>\n")
        })
        .unwrap_or_default();
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Authorization error</title></head>\n<body>\n\
         <h1>Authorization error</h1>\n<p>{}</p>\n{shown}</body></html>\n",
        escape_html(message)
    );
    responses::html(StatusCode::BAD_REQUEST, body)
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<p>{message}</p>\n</body></html>\n",
        title = escape_html(title),
        message = escape_html(message),
    );
    responses::html(status, body)
}
