//! The `federated-login` variant: this authorization server signs its users in at an upstream
//! one, as the OAuth proxies of MCP frameworks put GitHub or Google login behind their own
//! authorization server.
//!
//! The upstream is a second reference server on another port (so another origin) that shows a
//! login and consent form. Once `/authorize` has checked the client's request, the browser is
//! sent upstream with this server's own client id, PKCE challenge and a `state` naming the
//! pending request. The upstream sends the browser back to `/authorize/upstream`; this server
//! redeems the upstream code on the back channel and only then issues its own code to the
//! client. A browser (or authspec's driver) crosses origins twice on the way.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::oauth::{self, Params};
use crate::responses;
use crate::state::AppState;
use crate::store::Authorization;

/// The client id this server holds at its upstream.
pub(crate) const CLIENT_ID: &str = "authspec-federation";
/// Where the upstream sends the browser back.
pub(crate) const CALLBACK_PATH: &str = "/authorize/upstream";
/// How long a user may take at the upstream.
const PENDING_FOR: Duration = Duration::from_secs(600);
/// Pending upstream logins kept at most (the oldest go first).
const MAX_PENDING: usize = 1000;

/// This server's registration at its upstream, and the logins under way there.
#[derive(Debug)]
pub(crate) struct Federation {
    /// The upstream's base URL (its issuer), without a trailing slash.
    pub(crate) upstream: String,
    secret: String,
    /// `state` sent upstream → the client's request and the PKCE verifier sent upstream.
    pending: Mutex<HashMap<String, Pending>>,
    http: reqwest::Client,
}

#[derive(Debug)]
struct Pending {
    authorization: Authorization,
    verifier: String,
    since: Instant,
}

impl Federation {
    pub(crate) fn new(upstream: String, secret: String) -> Self {
        crate::cimd::ensure_crypto();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap_or_default();
        Self {
            upstream,
            secret,
            pending: Mutex::default(),
            http,
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        match self.pending.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// Sends the browser to the upstream to sign in, for a request this server has checked.
pub(crate) fn start(state: &AppState, federation: &Federation, authz: Authorization) -> Response {
    let key = oauth::random_string(24);
    let verifier = oauth::random_string(43);
    let mut url = match Url::parse(&format!("{}/authorize", federation.upstream)) {
        Ok(u) => u,
        Err(_) => return upstream_unavailable(),
    };
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", &format!("{}{CALLBACK_PATH}", state.base))
        .append_pair("state", &key)
        .append_pair("code_challenge", &oauth::s256(&verifier))
        .append_pair("code_challenge_method", "S256");
    {
        let mut pending = federation.pending();
        pending.retain(|_, p| p.since.elapsed() < PENDING_FOR);
        if pending.len() >= MAX_PENDING
            && let Some(oldest) = pending
                .iter()
                .min_by_key(|(_, p)| p.since)
                .map(|(k, _)| k.clone())
        {
            pending.remove(&oldest);
        }
        pending.insert(
            key,
            Pending {
                authorization: authz,
                verifier,
                since: Instant::now(),
            },
        );
    }
    match HeaderValue::from_str(url.as_str()) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => upstream_unavailable(),
    }
}

/// `GET /authorize/upstream`: the upstream's answer. The upstream code is redeemed here, on the
/// back channel; the client then gets this server's own code (or `access_denied`).
pub(crate) async fn callback(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let Some(federation) = state.federation.as_ref() else {
        return responses::html(StatusCode::NOT_FOUND, not_found());
    };
    let params = Params::from_query(request.uri().query());
    let Some(pending) = params
        .get("state")
        .and_then(|key| federation.pending().remove(key))
        .filter(|p| p.since.elapsed() < PENDING_FOR)
    else {
        return crate::authorize::expired_page();
    };
    let authz = pending.authorization;
    // RFC 9207: the answer must come from the upstream this server sent the browser to.
    let from_upstream = params
        .get("iss")
        .is_none_or(|iss| iss.trim_end_matches('/') == federation.upstream);
    let signed_in = match (params.get("code"), from_upstream) {
        (Some(code), true) => redeem(&state, federation, code, &pending.verifier).await,
        _ => false,
    };
    crate::authorize::finish_federated(&state, authz, signed_in)
}

/// Redeems the upstream code; whether the upstream issued a token for it.
async fn redeem(state: &AppState, federation: &Federation, code: &str, verifier: &str) -> bool {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("code_verifier", verifier)
        .append_pair("redirect_uri", &format!("{}{CALLBACK_PATH}", state.base))
        .finish();
    let sent = federation
        .http
        .post(format!("{}/token", federation.upstream))
        .basic_auth(CLIENT_ID, Some(&federation.secret))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await;
    let Ok(response) = sent else { return false };
    if !response.status().is_success() {
        return false;
    }
    let Ok(body) = response.bytes().await else {
        return false;
    };
    body.len() < 64 * 1024
        && serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .is_some_and(|v| v.get("access_token").is_some_and(|t| t.is_string()))
}

fn upstream_unavailable() -> Response {
    responses::html(
        StatusCode::BAD_GATEWAY,
        "<!doctype html><title>Sign-in unavailable</title><p>The identity provider cannot be reached.</p>".into(),
    )
}

fn not_found() -> String {
    "<!doctype html><title>Not found</title><p>Not found.</p>".into()
}
