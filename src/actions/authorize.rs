//! The authorization request (OAuth 2.1 §4.1.1, PKCE, RFC 8707 `resource`) and the user-agent
//! step through a driver to the redirect URI.

use super::context::{StepRecord, TargetContext};
use super::discovery::{defaults, endpoint_url};
use super::driver::Outcome;
use super::record::{Vars, apply, harness, observed, stop, unreached};
use super::state::{Client, FlowState, client_for, verifier_for};
use crate::http::Request;
use crate::oauth::pkce;
use crate::suite::model::{AuthorizeAction, ClientAuth};
use crate::transcript::Exchange;
use base64::Engine;
use serde_json::Value;

/// `authorize`.
pub async fn authorize(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &AuthorizeAction,
    block: &str,
    vars: &Vars,
) -> StepRecord {
    let mut log = Vec::new();
    if ctx.auth.access_token.is_some() && ctx.auth.client_id.is_none() && flow.clients.is_empty() {
        return unreached(
            "this case needs a fresh authorization, and the run uses --access-token-env; run \
             without it to reach it",
            log,
        );
    }
    let mut url = match endpoint_url(ctx, flow, "authorization_endpoint", &mut log).await {
        Ok(u) => u,
        Err(e) => return stop(e, log),
    };
    defaults(ctx, flow, &mut log).await;
    let Some(client) = client_for(ctx, flow, a.client.as_deref()) else {
        return unreached(
            "no client to authorize: no registration happened and no --client-id was given; \
             --client-id ID reaches it",
            log,
        );
    };
    let verifier = verifier_for(a.verifier.as_deref());
    let state = pkce::random_token();
    let mut params: Vec<(String, String)> = vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), client.id.clone()),
        ("redirect_uri".into(), client.redirect_uri.clone()),
        ("state".into(), state.clone()),
        ("code_challenge".into(), pkce::s256(&verifier)),
        ("code_challenge_method".into(), "S256".into()),
    ];
    if let Some(s) = &flow.scope {
        params.push(("scope".into(), s.clone()));
    }
    if let Some(r) = &flow.resource {
        params.push(("resource".into(), r.clone()));
    }
    let mut local = vars.clone();
    local.extend(flow.vars());
    local.insert("code_verifier".into(), Value::String(verifier.clone()));
    if let Err(e) = apply(&mut params, &a.params, &local) {
        return harness(e, log);
    }
    // A plain challenge is the verifier itself, unless the case set the challenge explicitly.
    let method = params
        .iter()
        .find(|(k, _)| k == "code_challenge_method")
        .map(|(_, v)| v.clone());
    let explicit_challenge = a.params.iter().any(|(k, _)| k == "code_challenge");
    if method.as_deref() == Some("plain") && !explicit_challenge {
        for p in params.iter_mut().filter(|(k, _)| k == "code_challenge") {
            p.1 = verifier.clone();
        }
    }
    let redirect_uri = remember_request(flow, a, &params, &verifier);
    ctx.http.redactor.add_secret(&verifier);
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in &params {
            q.append_pair(k, v);
        }
    }
    let mut targets: Vec<String> = redirect_uri.into_iter().collect();
    targets.push(client.redirect_uri.clone());
    targets.extend(client.redirect_uris.iter().cloned());
    let before = log.len();
    let outcome = match super::driver::authorize(ctx, url, &targets, block, &mut log).await {
        Ok(o) => o,
        Err(e) => return harness(format!("{block}: {e}"), log),
    };
    let mut values = Vars::new();
    values.insert("login_pages".into(), login_pages(&log[before..]));
    let origins = super::driver::origins_of(&log[before..]);
    let chain = origins.join(" → ");
    let crossed = origins.len();
    values.insert(
        "authorization_origins".into(),
        Value::Array(origins.into_iter().map(Value::String).collect()),
    );
    super::state::observe(flow, a.client.as_deref().unwrap_or("main"), &mut values);
    if let Outcome::Stuck(why) = outcome {
        return unreached(
            format!(
                "authorization could not complete (through {chain}): {why}; --authorize form \
                 with --login fields, or --authorize command, can carry it through"
            ),
            log,
        );
    }
    let mut record = authorization_record(ctx, flow, outcome, &targets, state, values, log);
    if crossed > 1 && record.result.is_ok() {
        record.notes.push(format!(
            "the authorization went through {crossed} origins: {chain}"
        ));
    }
    record
}

/// What the step observed from the driver's outcome (a stuck driver is the caller's).
fn authorization_record(
    ctx: &TargetContext,
    flow: &mut FlowState,
    outcome: Outcome,
    targets: &[String],
    state: String,
    mut values: Vars,
    log: Vec<Exchange>,
) -> StepRecord {
    match outcome {
        // Handled by the caller, which knows the origins the dance went through.
        Outcome::Stuck(why) => unreached(why, log),
        Outcome::Page { response, url } => {
            values.insert("redirected".into(), Value::Bool(false));
            values.insert("redirected_anywhere".into(), Value::Bool(false));
            values.insert(
                "page".into(),
                Value::String(ctx.http.redactor.url(url.as_str())),
            );
            observed(Some(response), values, log)
        }
        Outcome::Redirected { location, response } => {
            // Sent to the redirect_uri of the request, or (where that was not registered) to
            // another registered one.
            let to_sent = targets
                .first()
                .is_some_and(|r| super::driver::is_redirect_to(&location, r));
            values.insert("redirected".into(), Value::Bool(to_sent));
            values.insert("redirected_anywhere".into(), Value::Bool(true));
            let mut pairs: Vec<(String, String)> = location
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            if let Some(frag) = location.fragment() {
                pairs.extend(
                    url::form_urlencoded::parse(frag.as_bytes())
                        .map(|(k, v)| (k.into_owned(), v.into_owned())),
                );
                values.insert("fragment".into(), Value::Bool(true));
            }
            for (k, v) in &pairs {
                if matches!(k.as_str(), "code" | "access_token" | "id_token") {
                    ctx.http.redactor.add_secret(v);
                }
                values
                    .entry(k.clone())
                    .or_insert_with(|| Value::String(v.clone()));
            }
            if let Some(code) = pairs
                .iter()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.clone())
            {
                flow.code = Some(code);
            }
            values.insert(
                "location".into(),
                Value::String(ctx.http.redactor.url(location.as_str())),
            );
            values.insert("sent_state".into(), Value::String(state));
            observed(response, values, log)
        }
    }
}

/// Records in the case's state what the authorization request sent, for the token request and
/// the expectations; returns the redirect URI it named.
fn remember_request(
    flow: &mut FlowState,
    a: &AuthorizeAction,
    params: &[(String, String)],
    verifier: &str,
) -> Option<String> {
    let redirect_uri = params
        .iter()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.clone());
    flow.verifier = Some(verifier.to_string());
    flow.challenge = params
        .iter()
        .find(|(k, _)| k == "code_challenge")
        .map(|(_, v)| v.clone());
    flow.state = params
        .iter()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.clone());
    flow.code_redirect_uri = redirect_uri.clone();
    flow.code_client = Some(a.client.clone().unwrap_or_else(|| "main".into()));
    flow.code_resources = params
        .iter()
        .filter(|(k, _)| k == "resource")
        .map(|(_, v)| v.clone())
        .collect();
    flow.code = None;
    redirect_uri
}

/// The login and consent pages the user agent was shown on the way (HTML pages with a form),
/// each as its anti-framing headers: `Content-Security-Policy` and `X-Frame-Options`, joined
/// (empty when it has neither).
pub(crate) fn login_pages(exchanges: &[Exchange]) -> Value {
    let header = |e: &Exchange, name: &str| -> Vec<String> {
        e.response_headers_named(name).map(str::to_string).collect()
    };
    let pages = exchanges
        .iter()
        .filter(|e| {
            e.status == Some(200)
                && header(e, "content-type").iter().any(|t| t.contains("html"))
                && e.response_body
                    .as_deref()
                    .is_some_and(|b| b.to_ascii_lowercase().contains("<form"))
        })
        .map(|e| {
            let mut framing = header(e, "content-security-policy");
            framing.extend(header(e, "x-frame-options"));
            Value::String(framing.join(", "))
        })
        .collect();
    Value::Array(pages)
}

/// Adds client authentication to a token-endpoint request.
pub(crate) fn authenticate(
    req: &mut Request,
    params: &mut Vec<(String, String)>,
    client: &Client,
    how: ClientAuth,
) {
    let how = match how {
        ClientAuth::Registered => match client.auth_method.as_str() {
            "client_secret_post" => ClientAuth::Post,
            "client_secret_basic" if client.secret.is_some() => ClientAuth::Basic,
            _ => ClientAuth::None,
        },
        other => other,
    };
    let secret = client.secret.clone().unwrap_or_default();
    let basic = || {
        // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let raw = format!("{}:{}", enc(&client.id), enc(&secret));
        (
            "Authorization".to_string(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            ),
        )
    };
    let has = |params: &[(String, String)], k: &str| params.iter().any(|(n, _)| n == k);
    match how {
        ClientAuth::Registered | ClientAuth::None => {
            if !has(params, "client_id") {
                params.push(("client_id".into(), client.id.clone()));
            }
        }
        ClientAuth::Basic => req.headers.push(basic()),
        ClientAuth::Post => {
            if !has(params, "client_id") {
                params.push(("client_id".into(), client.id.clone()));
            }
            if !has(params, "client_secret") {
                params.push(("client_secret".into(), secret.clone()));
            }
        }
        ClientAuth::Both => {
            req.headers.push(basic());
            params.push(("client_id".into(), client.id.clone()));
            params.push(("client_secret".into(), secret.clone()));
        }
        ClientAuth::Query => {
            req.url
                .query_pairs_mut()
                .append_pair("client_id", &client.id)
                .append_pair("client_secret", &secret);
        }
    }
}
