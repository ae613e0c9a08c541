//! The OAuth protocol actions of a case: registration, authorization, token, refresh and
//! revocation, and `flow`, which walks the happy path up to a stage the way a compliant MCP
//! client does. A [`FlowState`] carries the client, PKCE pair, code and tokens between steps.
//!
//! Every action records its exchanges, adds the secrets it sees to the redactor before they
//! can reach a sink, and turns "a precondition could not be met" into a skip with the reason.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Map, Value, json};
use url::Url;

use super::context::{StepRecord, StepStop, TargetContext};
use super::driver::{self, Outcome};
use super::steps;
use crate::checks::{Observation, template};
use crate::http::{Request, Response};
use crate::oauth::{challenge, pkce};
use crate::suite::model::{
    AsMetadataVia, AuthorizeAction, ClientAuth, DiscoveryVia, FlowAction, FlowStage, Grant, Param,
    RegisterAction, RevokeAction, TokenAction,
};
use crate::transcript::Exchange;

type Vars = BTreeMap<String, Value>;

/// A registered (or pre-registered) client.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub id: String,
    pub secret: Option<String>,
    pub auth_method: String,
    pub redirect_uri: String,
    /// Every registered redirect URI, so that a redirect to any of them is recognised.
    pub redirect_uris: Vec<String>,
}

/// What a case has obtained so far.
#[derive(Clone, Debug, Default)]
pub struct FlowState {
    pub as_metadata: Option<Value>,
    pub clients: BTreeMap<String, Client>,
    pub verifier: Option<String>,
    pub challenge: Option<String>,
    pub state: Option<String>,
    pub code: Option<String>,
    /// The redirect_uri sent with the authorization request that produced the code.
    pub code_redirect_uri: Option<String>,
    pub code_client: Option<String>,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub previous_refresh_token: Option<String>,
    pub scope: Option<String>,
    /// The scopes of `scopes_supported` that the challenge to an unauthenticated `tools/list`
    /// does not name: a strict subset, to probe step-up with. `None` when there is none.
    pub narrow_scope: Option<String>,
    /// The MCP server's resource identifier (the default `resource` parameter).
    pub resource: Option<String>,
    /// The `resource` values sent with the last authorization request; the token request
    /// repeats them.
    pub code_resources: Vec<String>,
    /// The MCP session the server assigned at initialize, sent with later calls (2025).
    pub mcp_session: Option<String>,
    /// The protocol version the server chose at initialize, sent with later calls (2025).
    pub mcp_version: Option<String>,
    /// Whether the case has already opened (or tried to open) its session (2025).
    pub mcp_session_opened: bool,
    /// RFC 7592 client configuration URIs and their tokens, deleted when the case ends.
    pub cleanup: Vec<(String, String)>,
    /// Client ID Metadata Documents the harness serves for the case's clients, by label.
    pub cimd: BTreeMap<String, super::cimd::ServedDoc>,
}

impl FlowState {
    /// The values templates and `var` subjects can use.
    pub fn vars(&self) -> Vars {
        let mut v = Vars::new();
        let mut put = |k: &str, val: &Option<String>| {
            if let Some(s) = val {
                v.insert(k.to_string(), Value::String(s.clone()));
            }
        };
        if let Some(c) = self.clients.get("main") {
            put("client_id", &Some(c.id.clone()));
            put("client_secret", &c.secret);
            put("redirect_uri", &Some(c.redirect_uri.clone()));
            // The client type is what was registered (RFC 7591 §2, OAuth 2.1 §2.1), not
            // whether a secret came back.
            put("token_endpoint_auth_method", &Some(c.auth_method.clone()));
        }
        put("narrow_scope", &self.narrow_scope);
        put("code", &self.code);
        put("code_verifier", &self.verifier);
        put("code_challenge", &self.challenge);
        put("state", &self.state);
        put("access_token", &self.access_token);
        put("refresh_token", &self.refresh_token);
        put("previous_refresh_token", &self.previous_refresh_token);
        put("scope", &self.scope);
        put("resource", &self.resource);
        // The same resource with its scheme and host in capitals (MCP 2025-11-25 §8.1 says
        // servers ought to accept it).
        let upper = self.resource.as_deref().and_then(|r| {
            let (scheme, rest) = r.split_once("://")?;
            let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            Some(format!(
                "{}://{}{path}",
                scheme.to_ascii_uppercase(),
                host.to_ascii_uppercase()
            ))
        });
        put("resource_upper", &upper);
        if let Some(Value::Object(m)) = &self.as_metadata {
            // A resource the authorization server also issues tokens for (RFC 9728 §4), other
            // than this MCP server: its tokens must not work here.
            let own = self.resource.as_deref().map(|r| r.trim_end_matches('/'));
            let other = m
                .get("protected_resources")
                .and_then(Value::as_array)
                .and_then(|list| {
                    list.iter()
                        .filter_map(Value::as_str)
                        .find(|r| Some(r.trim_end_matches('/')) != own)
                })
                .map(str::to_string);
            put("other_resource", &other);
            for k in [
                "issuer",
                "authorization_endpoint",
                "token_endpoint",
                "registration_endpoint",
                "revocation_endpoint",
            ] {
                if let Some(Value::String(s)) = m.get(k) {
                    v.insert(k.to_string(), Value::String(s.clone()));
                }
            }
        }
        v
    }
}

fn stop(e: StepStop, exchanges: Vec<Exchange>) -> StepRecord {
    StepRecord {
        result: Err(e),
        exchanges,
        notes: Vec::new(),
    }
}

fn skip(msg: impl Into<String>, exchanges: Vec<Exchange>) -> StepRecord {
    stop(StepStop::Unavailable(msg.into()), exchanges)
}

fn harness(msg: impl Into<String>, exchanges: Vec<Exchange>) -> StepRecord {
    stop(StepStop::from_message(msg.into()), exchanges)
}

fn observed(response: Option<Response>, values: Vars, exchanges: Vec<Exchange>) -> StepRecord {
    StepRecord {
        result: Ok(Observation { response, values }),
        exchanges,
        notes: Vec::new(),
    }
}

/// The authorization server's metadata, fetched once per run.
pub(crate) async fn metadata<'f>(
    ctx: &TargetContext,
    flow: &'f mut FlowState,
    log: &mut Vec<Exchange>,
) -> Result<&'f Map<String, Value>, StepStop> {
    if flow.as_metadata.is_none() {
        let rec = ctx
            .memo(&steps::as_memo_key(&AsMetadataVia::Auto, &None), || {
                steps::fetch_as_auto(ctx)
            })
            .await;
        log.extend(rec.exchanges);
        let obs = match rec.result {
            Ok(o) => o,
            Err(StepStop::NotFound(e) | StepStop::Unavailable(e)) => {
                return Err(StepStop::Unavailable(e));
            }
            Err(e) => return Err(e),
        };
        flow.as_metadata = obs.response.as_ref().and_then(Response::json);
    }
    // Borrowed, not copied: a metadata document can be large.
    match &flow.as_metadata {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(StepStop::Unavailable(
            "the authorization server metadata is not a JSON object".into(),
        )),
    }
}

/// An endpoint named in the authorization server's metadata, fetched once per run.
async fn endpoint_url(
    ctx: &TargetContext,
    flow: &mut FlowState,
    name: &str,
    log: &mut Vec<Exchange>,
) -> Result<Url, StepStop> {
    let meta = metadata(ctx, flow, log).await?;
    endpoint(meta, name, ctx)
}

fn endpoint(meta: &Map<String, Value>, name: &str, ctx: &TargetContext) -> Result<Url, StepStop> {
    let raw = meta.get(name).and_then(Value::as_str).ok_or_else(|| {
        StepStop::Unavailable(format!("the authorization server metadata has no {name}"))
    })?;
    let url = Url::parse(raw)
        .map_err(|e| StepStop::Unavailable(format!("{name} `{raw}` is not a URL: {e}")))?;
    ctx.http
        .may_follow(&url)
        .map_err(|e| StepStop::Unavailable(e.to_string()))?;
    Ok(url)
}

/// The resource indicator and scope a compliant client requests: the metadata's `resource`
/// (else the target URL), and the challenge's scope (else `scopes_supported`), unless `--scope`.
async fn defaults(ctx: &TargetContext, flow: &mut FlowState, log: &mut Vec<Exchange>) {
    if flow.resource.is_some() {
        return;
    }
    let rec = ctx
        .memo(&steps::prm_memo_key(&DiscoveryVia::Auto), || {
            steps::fetch_prm_auto(ctx)
        })
        .await;
    log.extend(rec.exchanges.clone());
    let prm = rec
        .result
        .ok()
        .and_then(|o| o.response)
        .and_then(|r| r.json());
    let resource = prm
        .as_ref()
        .and_then(|p| p.get("resource"))
        .and_then(Value::as_str)
        .map(str::to_string);
    flow.resource = Some(resource.unwrap_or_else(|| ctx.target.to_string()));
    let challenge_scope = ctx
        .memo("challenge", || steps::unauthenticated_call(ctx))
        .await
        .result
        .ok()
        .and_then(|o| o.response)
        .and_then(|r| {
            challenge::first_bearer(r.headers_named("www-authenticate"))?
                .param("scope")
                .map(str::to_string)
        });
    let supported = prm
        .as_ref()
        .and_then(|p| p.get("scopes_supported"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        });
    flow.scope = ctx
        .auth
        .scope
        .clone()
        .or(challenge_scope)
        .or(supported.clone())
        .filter(|s| !s.is_empty());
    // Step-up needs a token that lacks what tools/list asks for.
    let list = ctx
        .memo("challenge tools/list", || {
            steps::unauthenticated_rpc(ctx, "tools/list", "unauthenticated tools/list")
        })
        .await;
    log.extend(list.exchanges.clone());
    let needed = list.result.ok().and_then(|o| o.response).and_then(|r| {
        challenge::first_bearer(r.headers_named("www-authenticate"))?
            .param("scope")
            .map(str::to_string)
    });
    if let (Some(needed), Some(supported)) = (needed, supported) {
        let needed: Vec<&str> = needed.split_ascii_whitespace().collect();
        let narrow: Vec<&str> = supported
            .split_ascii_whitespace()
            .filter(|s| !needed.contains(s))
            .collect();
        flow.narrow_scope = (!narrow.is_empty()).then(|| narrow.join(" "));
    }
}

fn apply(
    params: &mut Vec<(String, String)>,
    overrides: &[(String, Param)],
    vars: &Vars,
) -> Result<(), String> {
    for (k, p) in overrides {
        params.retain(|(n, _)| n != k);
        match p {
            Param::Omit => {}
            Param::One(v) => params.push((k.clone(), template(v, vars)?)),
            Param::Many(vs) => {
                for v in vs {
                    params.push((k.clone(), template(v, vars)?));
                }
            }
        }
    }
    Ok(())
}

fn form(params: &[(String, String)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    ser.finish()
}

async fn send(
    ctx: &TargetContext,
    block: &str,
    req: &Request,
    log: &mut Vec<Exchange>,
) -> Result<Response, StepStop> {
    ctx.count_request();
    let result = ctx.http.send(req).await;
    log.push(ctx.http.record(block, req, &result));
    result.map_err(|e| StepStop::Error(format!("{block}: {e}")))
}

fn remember_secrets(ctx: &TargetContext, json: &Value) {
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
            return skip(
                "the authorization server offers no dynamic client registration (no registration_endpoint)",
                log,
            );
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
            let redirect_uris: Vec<String> = json
                .get("redirect_uris")
                .or_else(|| body.get("redirect_uris"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let client = Client {
                redirect_uris,
                id: id.to_string(),
                secret: json
                    .get("client_secret")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                auth_method,
                redirect_uri,
            };
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
    // What the server filled in or changed is worth seeing (RFC 7591 §3.2.1 lets it).
    if let (Some(Value::Object(got)), Value::Object(sent)) = (resp.json(), &body) {
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
            rec.notes.push(format!(
                "server-set registration values: {}",
                ctx.http
                    .redactor
                    .text_within(&defaults.join("; "), crate::http::TRANSCRIPT_HEADERS_LIMIT)
            ));
        }
    }
    if let Ok(obs) = &mut rec.result {
        obs.values.insert("sent".into(), body);
    }
    rec
}

/// The client a step uses: by label, else the main one, else the pre-registered one.
fn client_for(ctx: &TargetContext, flow: &FlowState, label: Option<&str>) -> Option<Client> {
    if let Some(c) = flow.clients.get(label.unwrap_or("main")) {
        return Some(c.clone());
    }
    if label.is_none() || label == Some("main") {
        return ctx.auth.client_id.as_ref().map(|id| Client {
            id: id.clone(),
            secret: ctx.auth.client_secret.clone(),
            auth_method: if ctx.auth.client_secret.is_some() {
                "client_secret_basic".into()
            } else {
                "none".into()
            },
            redirect_uri: ctx.auth.redirect_uri.clone(),
            redirect_uris: vec![ctx.auth.redirect_uri.clone()],
        });
    }
    None
}

fn verifier_for(kind: Option<&str>) -> String {
    match kind {
        None => pkce::verifier(64),
        Some("short") => pkce::verifier(42),
        Some("long") => pkce::verifier(129),
        // 43 characters, one of them outside the unreserved set
        Some("bad-charset") => format!("{}+", pkce::verifier(42)),
        Some(literal) => literal.to_string(),
    }
}

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
        return skip(
            "this case needs a fresh authorization, and the run uses --access-token-env",
            log,
        );
    }
    let mut url = match endpoint_url(ctx, flow, "authorization_endpoint", &mut log).await {
        Ok(u) => u,
        Err(e) => return stop(e, log),
    };
    defaults(ctx, flow, &mut log).await;
    let Some(client) = client_for(ctx, flow, a.client.as_deref()) else {
        return skip(
            "no client to authorize: no registration happened and no --client-id was given",
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
    let redirect_uri = params
        .iter()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.clone());
    flow.verifier = Some(verifier.clone());
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
    let outcome = match driver::authorize(ctx, url, &targets, block, &mut log).await {
        Ok(o) => o,
        Err(e) => return harness(format!("{block}: {e}"), log),
    };
    let mut values = Vars::new();
    values.insert("login_pages".into(), login_pages(&log[before..]));
    super::cimd::observe(flow, a.client.as_deref().unwrap_or("main"), &mut values);
    match outcome {
        Outcome::Stuck(why) => skip(format!("authorization could not complete: {why}"), log),
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
                .is_some_and(|r| driver::is_redirect_to(&location, r));
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

/// The login and consent pages the user agent was shown on the way (HTML pages with a form),
/// each as its anti-framing headers: `Content-Security-Policy` and `X-Frame-Options`, joined
/// (empty when it has neither).
fn login_pages(exchanges: &[Exchange]) -> Value {
    let header = |e: &Exchange, name: &str| -> Vec<String> {
        e.response_headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
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
fn authenticate(
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

/// Keywords for deliberately wrong values at the token endpoint.
fn keyword_value(k: &str, v: &str, flow: &FlowState) -> String {
    match (k, v) {
        ("code_verifier", "wrong") => pkce::verifier(64),
        ("code", "wrong") => pkce::random_token(),
        ("redirect_uri", "other") => {
            let base = flow
                .code_redirect_uri
                .clone()
                .unwrap_or_else(|| super::context::DEFAULT_REDIRECT_URI.into());
            format!("{}/other", base.trim_end_matches('/'))
        }
        ("refresh_token", "previous") => flow.previous_refresh_token.clone().unwrap_or_default(),
        _ => v.to_string(),
    }
}

/// `token` and `refresh`; a concurrent redemption in several rounds gets a fresh code before
/// each round after the first, and reports the worst round.
pub async fn token(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &TokenAction,
    block: &str,
    vars: &Vars,
) -> StepRecord {
    if a.rounds <= 1 || a.grant != Grant::AuthorizationCode {
        return token_once(ctx, flow, a, block, vars).await;
    }
    let started = std::time::Instant::now();
    let mut exchanges = Vec::new();
    let mut notes = Vec::new();
    let mut worst = 0u64;
    let mut raced = 0u64;
    let mut last = None;
    for round in 1..=a.rounds {
        if round > 1 {
            let again = AuthorizeAction {
                client: a.client.clone(),
                params: Vec::new(),
                verifier: None,
            };
            let rec = authorize(
                ctx,
                flow,
                &again,
                &format!("{block}: round {round}: authorize"),
                vars,
            )
            .await;
            exchanges.extend(rec.exchanges);
            if flow.code.is_none() {
                return StepRecord {
                    result: Err(StepStop::Unavailable(format!(
                        "round {round}: authorization did not yield a fresh code"
                    ))),
                    exchanges,
                    notes,
                };
            }
        }
        let rec = token_once(ctx, flow, a, &format!("{block}: round {round}"), vars).await;
        exchanges.extend(rec.exchanges);
        notes.extend(rec.notes);
        let obs = match rec.result {
            Ok(obs) => obs,
            Err(e) => {
                return StepRecord {
                    result: Err(e),
                    exchanges,
                    notes,
                };
            }
        };
        let successes = obs
            .values
            .get("successes")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        worst = worst.max(successes);
        raced += u64::from(successes > 1);
        last = Some(obs);
    }
    notes.push(format!(
        "{} rounds of {} concurrent redemptions in {} ms; rounds with more than one success: {raced}",
        a.rounds,
        a.concurrent,
        started.elapsed().as_millis()
    ));
    let mut obs = last.unwrap_or_default();
    obs.values.insert("successes".into(), Value::from(worst));
    obs.values.insert("rounds".into(), Value::from(a.rounds));
    obs.values.insert("rounds_raced".into(), Value::from(raced));
    StepRecord {
        result: Ok(obs),
        exchanges,
        notes,
    }
}

async fn token_once(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &TokenAction,
    block: &str,
    vars: &Vars,
) -> StepRecord {
    let mut log = Vec::new();
    let url = match endpoint_url(ctx, flow, "token_endpoint", &mut log).await {
        Ok(u) => u,
        Err(e) => return stop(e, log),
    };
    let label = a.client.clone().or_else(|| flow.code_client.clone());
    let Some(client) = client_for(ctx, flow, label.as_deref()) else {
        return skip("no client to request a token for", log);
    };
    let mut params: Vec<(String, String)> = match a.grant {
        Grant::AuthorizationCode => {
            let Some(code) = flow.code.clone() else {
                if a.optional {
                    return observed(None, Vars::new(), log);
                }
                return skip("no authorization code was obtained", log);
            };
            let mut p = vec![
                ("grant_type".into(), "authorization_code".into()),
                ("code".into(), code),
            ];
            if let Some(r) = &flow.code_redirect_uri {
                p.push(("redirect_uri".into(), r.clone()));
            }
            if let Some(v) = &flow.verifier {
                p.push(("code_verifier".into(), v.clone()));
            }
            for r in &flow.code_resources {
                p.push(("resource".into(), r.clone()));
            }
            p
        }
        Grant::RefreshToken => {
            let Some(rt) = flow.refresh_token.clone() else {
                if a.optional {
                    return observed(None, Vars::new(), log);
                }
                return skip("no refresh token was issued", log);
            };
            // RFC 8707 §2.2: the refresh names the resource again, so the new access token
            // is bound to it too.
            let mut p = vec![
                ("grant_type".into(), "refresh_token".into()),
                ("refresh_token".into(), rt),
            ];
            for r in &flow.code_resources {
                p.push(("resource".into(), r.clone()));
            }
            p
        }
    };
    let mut local = vars.clone();
    local.extend(flow.vars());
    if let Err(e) = apply(&mut params, &a.params, &local) {
        return harness(e, log);
    }
    for p in params.iter_mut() {
        p.1 = keyword_value(&p.0, &p.1, flow);
    }
    // A `client_secret` override changes the credential itself, whichever way it is sent.
    let mut client = client;
    if let Some(pos) = params.iter().position(|(k, _)| k == "client_secret") {
        let (_, secret) = params.remove(pos);
        client.secret = Some(if secret == "wrong" {
            pkce::random_token()
        } else {
            secret
        });
    }
    let mut req = Request {
        method: "POST".into(),
        url,
        headers: vec![
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("Accept".into(), "application/json".into()),
        ],
        body: None,
    };
    authenticate(&mut req, &mut params, &client, a.client_auth);
    req.body = Some(form(&params).into_bytes());
    let mut values = Vars::new();
    let mut notes = Vec::new();
    let resp = if a.concurrent > 1 {
        let sends = (0..a.concurrent).map(|_| {
            let req = req.clone();
            async move {
                ctx.count_request();
                let r = ctx.http.send(&req).await;
                (ctx.http.record(block, &req, &r), r)
            }
        });
        let results = futures::future::join_all(sends).await;
        let mut first_ok = None;
        let mut first = None;
        let mut successes = 0;
        for (ex, r) in results {
            log.push(ex);
            if let Ok(resp) = r {
                if let Some(j) = resp.json() {
                    remember_secrets(ctx, &j);
                }
                let ok = resp.status == 200
                    && resp.json().is_some_and(|j| j.get("access_token").is_some());
                if ok {
                    successes += 1;
                    first_ok.get_or_insert(resp.clone());
                }
                first.get_or_insert(resp);
            }
        }
        values.insert("successes".into(), Value::from(successes));
        values.insert("attempts".into(), Value::from(a.concurrent));
        match first_ok.or(first) {
            Some(r) => r,
            None => return harness(format!("{block}: every concurrent request failed"), log),
        }
    } else if a.attempts > 1 {
        let mut sent = 0;
        let mut last = None;
        while sent < a.attempts {
            let r = match send(ctx, block, &req, &mut log).await {
                Ok(r) => r,
                Err(e) => return stop(e, log),
            };
            sent += 1;
            let throttled = r.status == 429;
            last = Some(r);
            if throttled {
                break;
            }
        }
        values.insert("attempts".into(), Value::from(sent));
        let Some(r) = last else {
            return harness(format!("{block}: no request was sent"), log);
        };
        let note = if r.status == 429 {
            values.insert("throttled_after".into(), Value::from(sent - 1));
            format!(
                "the server answered 429 after {} identical attempts (Retry-After: {})",
                sent - 1,
                r.header("retry-after").unwrap_or("absent")
            )
        } else {
            values.insert("throttled_after".into(), Value::Null);
            format!("no 429 after {sent} identical attempts")
        };
        notes.push(note);
        r
    } else {
        match send(ctx, block, &req, &mut log).await {
            Ok(r) => r,
            Err(e) => return stop(e, log),
        }
    };
    if let Some(j) = resp.json() {
        remember_secrets(ctx, &j);
        if resp.status == 200 {
            if let Some(at) = j.get("access_token").and_then(Value::as_str) {
                flow.access_token = Some(at.to_string());
                values.insert(
                    "access_token_claims".into(),
                    jwt_claims(at).unwrap_or(Value::Null),
                );
            }
            if let Some(scope) = j.get("scope") {
                values.insert("granted_scope".into(), scope.clone());
            }
            if let Some(rt) = j.get("refresh_token").and_then(Value::as_str) {
                flow.previous_refresh_token = flow.refresh_token.replace(rt.to_string());
            }
        }
    }
    let mut rec = observed(Some(resp), values, log);
    rec.notes = notes;
    rec
}

/// The payload of a JWT, if the token is one (access tokens may be opaque).
pub fn jwt_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Why a request about the case's token was not sent.
enum NotSent {
    /// The case does not apply (no endpoint, no token, no client).
    Skip(String),
    /// The harness could not do its job.
    Harness(String),
}

/// An RFC 7009 or RFC 7662 request about the case's current token, as the client that got it:
/// `endpoint` is the metadata member naming the endpoint, `verb` what the request does.
async fn about_token(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &RevokeAction,
    endpoint: &str,
    verb: &str,
    log: &mut Vec<Exchange>,
) -> Result<Request, NotSent> {
    let url = match endpoint_url(ctx, flow, endpoint, log).await {
        Ok(u) => u,
        Err(StepStop::Error(e)) => return Err(NotSent::Harness(e)),
        Err(_) => {
            return Err(NotSent::Skip(format!(
                "the authorization server advertises no {endpoint}"
            )));
        }
    };
    let (token, hint) = match a.token.as_str() {
        "refresh" => (flow.refresh_token.clone(), "refresh_token"),
        _ => (flow.access_token.clone(), "access_token"),
    };
    let Some(token) = token else {
        return Err(NotSent::Skip(format!("no token to {verb}")));
    };
    let Some(client) = client_for(ctx, flow, flow.code_client.clone().as_deref()) else {
        return Err(NotSent::Skip(format!("no client to {verb} with")));
    };
    let mut params = vec![
        ("token".to_string(), token),
        ("token_type_hint".to_string(), hint.to_string()),
    ];
    let mut req = Request {
        method: "POST".into(),
        url,
        headers: vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        body: None,
    };
    authenticate(&mut req, &mut params, &client, ClientAuth::Registered);
    req.body = Some(form(&params).into_bytes());
    Ok(req)
}

/// `revoke`.
pub async fn revoke(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &RevokeAction,
    block: &str,
) -> StepRecord {
    let mut log = Vec::new();
    let req = match about_token(ctx, flow, a, "revocation_endpoint", "revoke", &mut log).await {
        Ok(req) => req,
        Err(NotSent::Skip(why)) => return skip(why, log),
        Err(NotSent::Harness(e)) => return harness(e, log),
    };
    match send(ctx, block, &req, &mut log).await {
        Ok(r) => observed(Some(r), Vars::new(), log),
        Err(e) => stop(e, log),
    }
}

/// `introspect`: asks the authorization server, as the client, what the current token stands
/// for (RFC 7662), where it offers an introspection endpoint and lets the client use it.
pub async fn introspect(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &RevokeAction,
    block: &str,
) -> StepRecord {
    let mut log = Vec::new();
    let mut req = match about_token(
        ctx,
        flow,
        a,
        "introspection_endpoint",
        "introspect",
        &mut log,
    )
    .await
    {
        Ok(req) => req,
        Err(NotSent::Skip(why)) => return skip(why, log),
        Err(NotSent::Harness(e)) => return harness(e, log),
    };
    req.headers
        .push(("Accept".into(), "application/json".into()));
    match send(ctx, block, &req, &mut log).await {
        // RFC 7662 §2.1: the endpoint may refuse callers it does not trust; nothing to examine.
        Ok(r) if matches!(r.status, 401 | 403) => skip(
            format!(
                "the introspection endpoint answered {} to the client",
                r.status
            ),
            log,
        ),
        Ok(r) => observed(Some(r), Vars::new(), log),
        Err(e) => stop(e, log),
    }
}

/// `flow`: register (or use the pre-registered client), authorize, redeem the code. A stage that
/// does not succeed skips the case: the setup is not what the case examines.
pub async fn walk(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &FlowAction,
    block: &str,
    vars: &Vars,
) -> StepRecord {
    let mut out = StepRecord {
        result: Ok(Observation::default()),
        exchanges: Vec::new(),
        notes: Vec::new(),
    };
    if let Err(e) = walk_stages(ctx, flow, a, block, vars, &mut out).await {
        out.result = Err(e);
    }
    out
}

/// Folds a stage's record into the walk's; a stage that cannot run says which stage it was.
fn absorb(out: &mut StepRecord, rec: StepRecord, stage: &str) -> Result<Observation, StepStop> {
    out.exchanges.extend(rec.exchanges);
    out.notes.extend(rec.notes);
    rec.result.map_err(|e| match e {
        StepStop::Unavailable(w) | StepStop::NotFound(w) => {
            StepStop::Unavailable(format!("{stage}: {w}"))
        }
        other => other,
    })
}

fn status_of(obs: &Observation) -> u16 {
    obs.response.as_ref().map(|r| r.status).unwrap_or_default()
}

async fn walk_stages(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &FlowAction,
    block: &str,
    vars: &Vars,
    out: &mut StepRecord,
) -> Result<(), StepStop> {
    if ctx.auth.access_token.is_some() && a.until >= FlowStage::Code {
        if a.until == FlowStage::Token {
            // A token from outside stands in for the whole flow.
            flow.access_token = ctx.auth.access_token.clone();
            return Ok(());
        }
        return Err(StepStop::Unavailable(
            "this case needs a fresh authorization code, and the run uses --access-token-env"
                .into(),
        ));
    }
    // The endpoints, resource and scope a compliant client would use, so later steps can refer
    // to them.
    metadata(ctx, flow, &mut out.exchanges).await?;
    defaults(ctx, flow, &mut out.exchanges).await;
    if !flow.clients.contains_key("main")
        && let Some(pre) = client_for(ctx, flow, None)
    {
        // A case that registers a client with its own redirect URIs (or other metadata) is
        // about that registration; the pre-registered client cannot stand in for it.
        let own: Vec<&str> = a
            .register
            .keys()
            .map(String::as_str)
            .filter(|k| !["token_endpoint_auth_method", "application_type"].contains(k))
            .collect();
        if !own.is_empty() {
            return Err(StepStop::Unavailable(format!(
                "the case registers a client with its own {}, and the run uses a pre-registered client",
                own.join(", ")
            )));
        }
        flow.clients.insert("main".into(), pre);
    }
    // MCP client registration: a pre-registered client, else a Client ID Metadata Document
    // where the server advertises them, else dynamic registration. A case that names
    // registration metadata gets dynamic registration where the server offers it, and so does
    // a run judged by MCP 2025-06-18 (which knows no documents; they are its last resort).
    if client_for(ctx, flow, None).is_none() {
        let meta = metadata(ctx, flow, &mut out.exchanges).await?;
        let has_dcr = meta.contains_key("registration_endpoint");
        let dcr_first = ctx.spec == crate::vocab::SpecRevision::V2025_06_18;
        if !has_dcr || (a.register.is_empty() && !dcr_first) {
            let mut log = Vec::new();
            let mut notes = Vec::new();
            let found =
                super::cimd::flow_client(ctx, flow, &a.register, &mut log, &mut notes).await;
            out.exchanges.extend(log);
            out.notes.extend(notes);
            if let Some(client) = found? {
                flow.clients.insert("main".into(), client);
            }
        }
        if client_for(ctx, flow, None).is_none() && !has_dcr {
            return Err(StepStop::Unavailable(format!(
                "registration: no client: no --client-id was given, the authorization server offers no \
                 dynamic client registration, and no Client ID Metadata Document could be used \
                 (see the notes); pass --client-id ID for a client registered with redirect URI {}, or {}",
                ctx.auth.redirect_uri,
                super::cimd::hosted_hint(&ctx.auth.redirect_uri)
            )));
        }
    }
    if client_for(ctx, flow, None).is_none() {
        if ctx.spec == crate::vocab::SpecRevision::V2026_07_28 {
            out.notes.push(
                "client: registered dynamically (RFC 7591), which MCP 2026-07-28 deprecates in favour of \
                 Client ID Metadata Documents"
                    .into(),
            );
        }
        // Ask for refresh tokens too; a server that will not register that grant gets a second
        // registration without it (RFC 7591 lets it refuse what it does not offer).
        let mut with_refresh = a.register.clone();
        with_refresh
            .entry("grant_types")
            .or_insert_with(|| json!(["authorization_code", "refresh_token"]));
        let reg = RegisterAction {
            label: "main".into(),
            metadata: with_refresh.clone(),
            body: None,
            content_type: None,
        };
        let rec = register(ctx, flow, &reg, &format!("{block}: register"), vars).await;
        let mut obs = absorb(out, rec, "registration")?;
        if !flow.clients.contains_key("main")
            && status_of(&obs) == 400
            && !a.register.contains_key("grant_types")
        {
            let reg = RegisterAction {
                label: "main".into(),
                metadata: a.register.clone(),
                body: None,
                content_type: None,
            };
            let rec = register(
                ctx,
                flow,
                &reg,
                &format!("{block}: register without refresh_token"),
                vars,
            )
            .await;
            obs = absorb(out, rec, "registration")?;
        }
        // A server that registers confidential clients only (its metadata leaves out `none`)
        // gets what it offers, as a client that reads the metadata would ask for.
        let methods: Vec<String> = flow
            .as_metadata
            .as_ref()
            .and_then(|m| m.get("token_endpoint_auth_methods_supported"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_else(|| vec!["client_secret_basic".into()]);
        let confidential = ["client_secret_basic", "client_secret_post"]
            .into_iter()
            .find(|m| methods.iter().any(|x| x == m));
        if let (false, 400, false, false, Some(method)) = (
            flow.clients.contains_key("main"),
            status_of(&obs),
            a.register.contains_key("token_endpoint_auth_method"),
            methods.iter().any(|m| m == "none"),
            confidential,
        ) {
            let mut metadata = with_refresh.clone();
            metadata.insert("token_endpoint_auth_method".into(), json!(method));
            let reg = RegisterAction {
                label: "main".into(),
                metadata,
                body: None,
                content_type: None,
            };
            let rec = register(
                ctx,
                flow,
                &reg,
                &format!("{block}: register a confidential client"),
                vars,
            )
            .await;
            obs = absorb(out, rec, "registration")?;
        }
        if !flow.clients.contains_key("main") {
            return Err(StepStop::Unavailable(format!(
                "registration did not succeed (HTTP {})",
                status_of(&obs)
            )));
        }
        out.result = Ok(obs);
    }
    if a.until >= FlowStage::Code {
        let auth = AuthorizeAction {
            client: None,
            params: a.params.clone(),
            verifier: None,
        };
        let rec = authorize(ctx, flow, &auth, &format!("{block}: authorize"), vars).await;
        let obs = absorb(out, rec, "authorization")?;
        if flow.code.is_none() {
            let err = obs
                .values
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("no code in the redirect");
            return Err(StepStop::Unavailable(format!(
                "authorization did not yield a code: {err}"
            )));
        }
        out.result = Ok(obs);
    }
    if a.until >= FlowStage::Token {
        let tok = TokenAction::plain(Grant::AuthorizationCode, Vec::new());
        let rec = token(ctx, flow, &tok, &format!("{block}: token"), vars).await;
        let obs = absorb(out, rec, "token request")?;
        if flow.access_token.is_none() {
            return Err(StepStop::Unavailable(format!(
                "the token request did not succeed (HTTP {})",
                status_of(&obs)
            )));
        }
        out.result = Ok(obs);
    }
    Ok(())
}

/// Deletes the clients a case registered, where the server offers RFC 7592 management.
pub async fn cleanup(ctx: &TargetContext, flow: &mut FlowState) -> Vec<Exchange> {
    let mut log = Vec::new();
    for (uri, token) in std::mem::take(&mut flow.cleanup) {
        let Ok(url) = Url::parse(&uri) else { continue };
        if ctx.http.may_follow(&url).is_err() && url.origin() != ctx.target.origin() {
            continue;
        }
        let req = Request {
            method: "DELETE".into(),
            url,
            headers: vec![("Authorization".into(), format!("Bearer {token}"))],
            body: None,
        };
        let _ = send(
            ctx,
            "cleanup: delete the probe client (RFC 7592)",
            &req,
            &mut log,
        )
        .await;
    }
    log
}
