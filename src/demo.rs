//! The mock client: walks the whole MCP authorization flow the way a compliant client does,
//! with the same protocol actions the suites use, and reports each step with what it proves.
//!
//! `authspec demo` narrates it; the result is plain data, so the narration (terminal) lives in
//! the CLI and tests can assert on the steps.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::actions::state::FlowState;
use crate::actions::{StepStop, TargetContext, steps};
use crate::suite::model::{
    Action, AsMetadataVia, AuthorizeAction, CallResource, DiscoveryVia, FlowAction, FlowStage,
    Grant, HELLO, TokenAction,
};
use crate::transcript::Exchange;

/// One step of the walk.
#[derive(Clone, Debug)]
pub struct WalkStep {
    pub title: &'static str,
    /// What the step demonstrates when it succeeds.
    pub proves: &'static str,
    pub ok: bool,
    /// A one-line account of what happened (redacted).
    pub detail: String,
    pub exchanges: Vec<Exchange>,
}

fn call(rpc: &str, token: Option<&str>) -> Action {
    Action::CallResource(CallResource::post(rpc, token))
}

/// The response body as JSON, or why the step could not read it.
fn json_body(o: &crate::checks::Observation) -> Result<Value, String> {
    o.response
        .as_ref()
        .and_then(|r| r.json())
        .ok_or_else(|| "the response is not JSON".into())
}

/// Judges a step's observation: a one-line account, or why the step did not do its job.
type Judge = fn(&crate::checks::Observation, &FlowState) -> Result<String, String>;

/// The walk: challenge, resource metadata, AS metadata, registration, authorization with PKCE,
/// token, MCP calls with the token, refresh.
pub async fn walk(ctx: &TargetContext) -> Vec<WalkStep> {
    let plan = stages();
    let mut flow = FlowState::default();
    let vars: BTreeMap<String, Value> = ctx.builtin_vars();
    let mut out = Vec::new();
    for (title, proves, action, judge) in plan {
        let rec = steps::run(ctx, &action, title, &vars, &mut flow).await;
        let (ok, detail) = match &rec.result {
            Ok(obs) => match judge(obs, &flow) {
                Ok(d) => (true, d),
                Err(d) => (false, d),
            },
            Err(
                StepStop::Unavailable(w)
                | StepStop::NotFound(w)
                | StepStop::Unreached(w)
                | StepStop::Error(w),
            ) => (false, w.clone()),
        };
        let stop = !ok;
        out.push(WalkStep {
            title,
            proves,
            ok,
            detail: ctx.http.redactor.text(&detail),
            exchanges: rec.exchanges,
        });
        if stop {
            break;
        }
    }
    let cleanup = crate::actions::walk::cleanup(ctx, &mut flow).await;
    if let Some(last) = out.last_mut() {
        last.exchanges.extend(cleanup);
    }
    out
}

/// The stages of the walk: title, what it proves, the action, and how its outcome is read.
fn stages() -> Vec<(&'static str, &'static str, Action, Judge)> {
    vec![
        (
            "Call the MCP endpoint without a token",
            "the server requires authorization and answers 401 with a Bearer challenge",
            call(HELLO, None),
            judge_challenge,
        ),
        (
            "Fetch the protected resource metadata (RFC 9728)",
            "the resource names its authorization server and scopes",
            Action::FetchResourceMetadata {
                via: DiscoveryVia::Auto,
                required: false,
            },
            judge_resource_metadata,
        ),
        (
            "Fetch the authorization server metadata (RFC 8414)",
            "the server publishes its endpoints and supports PKCE S256",
            Action::FetchAsMetadata {
                via: AsMetadataVia::Auto,
                issuer: None,
                required: false,
            },
            judge_as_metadata,
        ),
        (
            "Obtain a client: a Client ID Metadata Document, else dynamic registration",
            "the client gets a client_id in the order MCP gives: pre-registered, a metadata document the server fetches, else RFC 7591 registration",
            Action::Flow(FlowAction {
                until: FlowStage::Client,
                params: Vec::new(),
                register: serde_json::Map::new(),
            }),
            judge_client,
        ),
        (
            "Authorize with PKCE S256, state and resource",
            "the user agent comes back to the redirect URI with a code, the same state and iss",
            Action::Authorize(AuthorizeAction::default()),
            judge_authorization,
        ),
        (
            "Redeem the code at the token endpoint",
            "the code, verifier and resource yield an audience-bound access token and a refresh token",
            Action::Token(TokenAction::plain(Grant::AuthorizationCode, Vec::new())),
            judge_token,
        ),
        (
            "Open with the access token: server/discover (2026-07-28) or initialize (2025)",
            "the MCP server accepts a token issued for it, in the wire model of the revision",
            call(HELLO, Some("access")),
            judge_hello,
        ),
        (
            "Call tools/list with the access token",
            "the token's scope covers listing tools",
            call("tools/list", Some("access")),
            judge_tools_list,
        ),
        (
            "Refresh the access token",
            "a public client's refresh token is rotated",
            Action::Token(TokenAction::plain(Grant::RefreshToken, Vec::new())),
            judge_refresh,
        ),
    ]
}

fn judge_challenge(o: &crate::checks::Observation, _flow: &FlowState) -> Result<String, String> {
    let r = o.response.as_ref().ok_or("no response")?;
    let ch = r
        .header("www-authenticate")
        .unwrap_or("(no WWW-Authenticate)")
        .to_string();
    if r.status == 401 {
        Ok(format!("401, WWW-Authenticate: {ch}"))
    } else {
        Err(format!("got {} instead of 401", r.status))
    }
}

fn judge_resource_metadata(
    o: &crate::checks::Observation,
    _flow: &FlowState,
) -> Result<String, String> {
    let j = json_body(o)?;
    Ok(format!(
        "resource {}, authorization_servers {}",
        j.get("resource").map(|v| v.to_string()).unwrap_or_default(),
        j.get("authorization_servers")
            .map(|v| v.to_string())
            .unwrap_or_default()
    ))
}

fn judge_as_metadata(o: &crate::checks::Observation, _flow: &FlowState) -> Result<String, String> {
    let j = json_body(o)?;
    let s256 = j
        .get("code_challenge_methods_supported")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|m| m == "S256"));
    if !s256 {
        return Err(
            "code_challenge_methods_supported lacks S256: a compliant client stops here".into(),
        );
    }
    Ok(format!(
        "issuer {}, PKCE S256 supported",
        j.get("issuer").map(|v| v.to_string()).unwrap_or_default()
    ))
}

fn judge_client(o: &crate::checks::Observation, f: &FlowState) -> Result<String, String> {
    let Some(c) = f.clients.get("main") else {
        let status = o.response.as_ref().map(|r| r.status).unwrap_or_default();
        return Err(format!("no client: registration failed with HTTP {status}"));
    };
    if let Some(d) = f.cimd.get("main") {
        Ok(format!(
            "client_id {} — a Client ID Metadata Document authspec serves on loopback; the server has fetched it {} time(s), and nothing was registered",
            c.id,
            d.docs.fetches(&d.path)
        ))
    } else if c.id.starts_with("https://") {
        Ok(format!(
            "client_id {} — a Client ID Metadata Document you host; nothing was registered",
            c.id
        ))
    } else if o.response.is_some() {
        Ok(format!(
            "registered dynamically (RFC 7591, deprecated by MCP 2026-07-28 in favour of metadata documents): client_id {}",
            c.id
        ))
    } else {
        Ok(format!("the pre-registered client {}", c.id))
    }
}

fn judge_authorization(o: &crate::checks::Observation, f: &FlowState) -> Result<String, String> {
    let v = |k: &str| {
        o.values
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    if f.code.is_none() {
        return Err(format!("no code in the redirect (error {})", v("error")));
    }
    let state_ok = o.values.get("state") == o.values.get("sent_state");
    Ok(format!(
        "redirected with a code; state {}; iss {}",
        if state_ok { "matches" } else { "DIFFERS" },
        v("iss")
    ))
}

fn judge_token(o: &crate::checks::Observation, f: &FlowState) -> Result<String, String> {
    let r = o.response.as_ref().ok_or("no response")?;
    if f.access_token.is_none() {
        return Err(format!(
            "HTTP {}: {}",
            r.status,
            r.json().map(|j| j.to_string()).unwrap_or_default()
        ));
    }
    let aud = o
        .values
        .get("access_token_claims")
        .and_then(|c| c.get("aud"))
        .map(|a| a.to_string())
        .unwrap_or_else(|| "(opaque token)".into());
    Ok(format!(
        "200, token_type {}, aud {aud}, refresh token {}",
        r.json()
            .and_then(|j| j.get("token_type").cloned())
            .unwrap_or_default(),
        if f.refresh_token.is_some() {
            "issued"
        } else {
            "not issued"
        }
    ))
}

fn judge_hello(o: &crate::checks::Observation, _flow: &FlowState) -> Result<String, String> {
    let r = o.response.as_ref().ok_or("no response")?;
    if r.status != 200 {
        return Err(format!("HTTP {}", r.status));
    }
    let j = r.json().unwrap_or_default();
    if let Some(v) = j.pointer("/result/supportedVersions") {
        Ok(format!("200, server/discover: supported versions {v}"))
    } else if let Some(v) = j.pointer("/result/protocolVersion") {
        Ok(format!(
            "200, initialize: session opened with protocolVersion {v}"
        ))
    } else {
        Err("200 without a result".into())
    }
}

fn judge_tools_list(o: &crate::checks::Observation, _flow: &FlowState) -> Result<String, String> {
    let r = o.response.as_ref().ok_or("no response")?;
    let tools = r.json().and_then(|j| {
        j.pointer("/result/tools")
            .and_then(Value::as_array)
            .map(|a| a.len())
    });
    match (r.status, tools) {
        (200, Some(n)) => Ok(format!("200, {n} tool(s)")),
        (s, _) => Err(format!("HTTP {s}")),
    }
}

fn judge_refresh(o: &crate::checks::Observation, f: &FlowState) -> Result<String, String> {
    let r = o.response.as_ref().ok_or("no response")?;
    if r.status != 200 {
        return Err(format!("HTTP {}", r.status));
    }
    let rotated = f.previous_refresh_token.is_some() && f.previous_refresh_token != f.refresh_token;
    Ok(format!(
        "200, refresh token {}",
        if rotated { "rotated" } else { "NOT rotated" }
    ))
}
