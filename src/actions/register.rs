//! Registration actions: dynamic client registration (RFC 7591) and the secrets it returns.

use super::context::{StepRecord, StepStop, TargetContext};
use super::discovery::endpoint_url;
use super::record::{Vars, harness, observed, send, skip, stop, unreached};
use super::state::{Client, FlowState};
use crate::http::{Request, Response};
use crate::oauth::pkce;
use crate::suite::model::RegisterAction;
use serde_json::{Value, json};

pub(crate) fn remember_secrets(ctx: &TargetContext, json: &Value) {
    for k in [
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "registration_access_token",
    ] {
        if let Some(s) = json.get(k).and_then(Value::as_str) {
            ctx.http.redactor.add_secret(s);
        }
    }
}

/// `register_client`.
pub async fn register(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &RegisterAction,
    block: &str,
    vars: &Vars,
) -> StepRecord {
    let mut log = Vec::new();
    let url = match endpoint_url(ctx, flow, "registration_endpoint", &mut log).await {
        Ok(u) => u,
        Err(StepStop::Unavailable(w)) if w.contains("registration_endpoint") => {
            if a.or_given
                && let Some((id, secret)) = &ctx.auth.second_client
            {
                flow.clients
                    .insert(a.label.clone(), Client::given(ctx, id, secret.as_deref()));
                let mut record = observed(None, Vars::new(), log);
                record.notes.push(format!(
                    "no dynamic registration: the second --client-id is the `{}` client",
                    a.label
                ));
                return record;
            }
            let why = "the authorization server offers no dynamic client registration (no \
                       registration_endpoint)";
            // Where a client registered out of band would do, the case is within reach: the
            // run lacks it, the server did nothing wrong or optional.
            if a.or_given {
                return unreached(
                    format!(
                        "{why}, and the run has one client only: a second --client-id (another \
                         pre-registered client, with --client-secret-env if confidential) \
                         reaches it"
                    ),
                    log,
                );
            }
            return skip(why, log);
        }
        Err(e) => return stop(e, log),
    };
    let mut body = json!({
        "client_name": format!("authspec-probe-{}", &pkce::random_token()[..8]),
        "redirect_uris": [ctx.auth.redirect_uri],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    // No `scope` member: it is optional (RFC 7591 §2), and servers whose resource scopes are not
    // client scopes refuse registrations that name them.
    if let Value::Object(m) = &mut body {
        for (k, v) in &a.metadata {
            match crate::checks::template_value(v, vars) {
                Ok(Value::Null) => {
                    m.remove(k);
                }
                Ok(v) => {
                    m.insert(k.clone(), v);
                }
                Err(e) => return harness(e, log),
            }
        }
    }
    let (raw, content_type) = match &a.body {
        Some(b) => (
            b.clone(),
            a.content_type
                .clone()
                .unwrap_or_else(|| "application/json".into()),
        ),
        None => (
            body.to_string(),
            a.content_type
                .clone()
                .unwrap_or_else(|| "application/json".into()),
        ),
    };
    let req = Request {
        method: "POST".into(),
        url,
        headers: vec![
            ("Content-Type".into(), content_type),
            ("Accept".into(), "application/json".into()),
        ],
        body: Some(raw.into_bytes()),
    };
    let resp = match send(ctx, block, &req, &mut log).await {
        Ok(r) => r,
        Err(e) => return stop(e, log),
    };
    if matches!(resp.status, 401 | 403) {
        // RFC 7591 §3 lets the endpoint require an initial access token; without one there is
        // nothing to examine.
        return skip(
            format!(
                "the registration endpoint answered {}: it needs an initial access token (RFC 7591 §3)",
                resp.status
            ),
            log,
        );
    }
    let mut values = Vars::new();
    if let Some(json) = resp.json() {
        remember_secrets(ctx, &json);
        if let (true, Some(id)) = (
            matches!(resp.status, 200 | 201),
            json.get("client_id").and_then(Value::as_str),
        ) {
            let client = registered_client(ctx, id, &json, &body);
            values.insert(
                "registered_client_id".into(),
                Value::String(client.id.clone()),
            );
            flow.clients.insert(
                if a.label.is_empty() {
                    "main".into()
                } else {
                    a.label.clone()
                },
                client,
            );
            if let (Some(uri), Some(tok)) = (
                json.get("registration_client_uri").and_then(Value::as_str),
                json.get("registration_access_token")
                    .and_then(Value::as_str),
            ) {
                flow.cleanup.push((uri.to_string(), tok.to_string()));
            }
        }
    }
    let mut rec = observed(Some(resp.clone()), values, log);
    rec.notes.extend(server_set_values(ctx, &resp, &body));
    if let Ok(obs) = &mut rec.result {
        obs.values.insert("sent".into(), body);
    }
    rec
}

/// The client a successful registration yields: what the server answered, else what was sent.
fn registered_client(ctx: &TargetContext, id: &str, json: &Value, body: &Value) -> Client {
    let auth_method = json
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
        .or_else(|| {
            body.get("token_endpoint_auth_method")
                .and_then(Value::as_str)
        })
        .unwrap_or("client_secret_basic")
        .to_string();
    let redirect_uri = json
        .pointer("/redirect_uris/0")
        .or_else(|| body.pointer("/redirect_uris/0"))
        .and_then(Value::as_str)
        .unwrap_or(&ctx.auth.redirect_uri)
        .to_string();
    let redirect_uris = crate::oauth::string_list(
        json.get("redirect_uris")
            .or_else(|| body.get("redirect_uris")),
    )
    .unwrap_or_default();
    Client {
        redirect_uris,
        id: id.to_string(),
        secret: json
            .get("client_secret")
            .and_then(Value::as_str)
            .map(str::to_string),
        auth_method,
        redirect_uri,
    }
}

/// What the server filled in or changed is worth seeing (RFC 7591 §3.2.1 lets it).
fn server_set_values(ctx: &TargetContext, resp: &Response, body: &Value) -> Option<String> {
    if let (Some(Value::Object(got)), Value::Object(sent)) = (resp.json(), body) {
        let defaults: Vec<String> = got
            .iter()
            .filter(|(k, v)| {
                !["client_id", "client_secret", "registration_access_token"].contains(&k.as_str())
                    && sent.get(*k) != Some(v)
            })
            .map(|(k, v)| match sent.get(k) {
                Some(orig) => format!("{k} changed from {orig} to {v}"),
                None => format!("{k} = {v}"),
            })
            .collect();
        if !defaults.is_empty() {
            return Some(format!(
                "server-set registration values: {}",
                ctx.http
                    .redactor
                    .text_within(&defaults.join("; "), crate::http::TRANSCRIPT_HEADERS_LIMIT)
            ));
        }
    }
    None
}
