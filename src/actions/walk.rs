//! The happy-path walker: composes discovery, registration (pre-registered, metadata document or
//! dynamic), authorization and token into the `flow` step, and cleans up after a case.

use super::authorize::authorize;
use super::context::{StepRecord, StepStop, TargetContext};
use super::discovery::{defaults, metadata};
use super::record::{Vars, send};
use super::register::register;
use super::state::{FlowState, client_for};
use super::token::token;
use crate::checks::Observation;
use crate::http::Request;
use crate::suite::model::{
    AuthorizeAction, FlowAction, FlowStage, Grant, RegisterAction, TokenAction,
};
use crate::transcript::Exchange;
use serde_json::{Value, json};
use url::Url;

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
pub(crate) fn absorb(
    out: &mut StepRecord,
    rec: StepRecord,
    stage: &str,
) -> Result<Observation, StepStop> {
    out.exchanges.extend(rec.exchanges);
    out.notes.extend(rec.notes);
    rec.result.map_err(|e| match e {
        StepStop::Unavailable(w) | StepStop::NotFound(w) => {
            StepStop::Unavailable(format!("{stage}: {w}"))
        }
        StepStop::Unreached(w) => StepStop::Unreached(format!("{stage}: {w}")),
        other => other,
    })
}

pub(crate) fn status_of(obs: &Observation) -> u16 {
    obs.response.as_ref().map(|r| r.status).unwrap_or_default()
}

pub(crate) async fn walk_stages(
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
        return Err(StepStop::Unreached(
            "this case needs a fresh authorization code, and the run uses --access-token-env; \
             run without it (with --client-id, or letting authspec register) to reach it"
                .into(),
        ));
    }
    // The endpoints, resource and scope a compliant client would use, so later steps can refer
    // to them.
    metadata(ctx, flow, &mut out.exchanges).await?;
    defaults(ctx, flow, &mut out.exchanges).await;
    use_preregistered(ctx, flow, a)?;
    document_client(ctx, flow, a, out).await?;
    if client_for(ctx, flow, None).is_none() {
        register_dynamically(ctx, flow, a, block, vars, out).await?;
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
            // An explicit error redirect is the server's answer to this request (its policy);
            // no redirect at all means authspec could not carry the user agent through.
            if let Some(err) = obs.values.get("error").and_then(Value::as_str) {
                return Err(StepStop::Unavailable(format!(
                    "the authorization server refused the flow's authorization request: {err}"
                )));
            }
            return Err(StepStop::Unreached(
                "authorization did not yield a code (no redirect with one); --authorize form \
                 with --login fields, or --authorize command, can carry a login or consent page"
                    .into(),
            ));
        }
        out.result = Ok(obs);
    }
    if a.until >= FlowStage::Token {
        let tok = TokenAction::plain(Grant::AuthorizationCode, Vec::new());
        let rec = token(ctx, flow, &tok, &format!("{block}: token"), vars).await;
        let obs = absorb(out, rec, "token request")?;
        if flow.access_token.is_none() {
            return Err(StepStop::Unreached(format!(
                "the token request did not succeed (HTTP {}); the token cases judge why",
                status_of(&obs)
            )));
        }
        out.result = Ok(obs);
    }
    Ok(())
}

/// The pre-registered client (`--client-id`) stands in as `main`, unless the case registers a
/// client with metadata of its own.
fn use_preregistered(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &FlowAction,
) -> Result<(), StepStop> {
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
            return Err(StepStop::Unreached(format!(
                "the case registers a client with its own {}, and the run uses a pre-registered \
                 client; a run without --client-id reaches it where the server registers clients",
                own.join(", ")
            )));
        }
        flow.clients.insert("main".into(), pre);
    }
    Ok(())
}

/// A Client ID Metadata Document where the server advertises them (see the order below).
async fn document_client(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &FlowAction,
    out: &mut StepRecord,
) -> Result<(), StepStop> {
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
            return Err(StepStop::Unreached(format!(
                "registration: no client: no --client-id was given, the authorization server offers no \
                 dynamic client registration, and no Client ID Metadata Document could be used \
                 (see the notes); pass --client-id ID for a client registered with redirect URI {}, or {}",
                ctx.auth.redirect_uri,
                super::cimd::hosted_hint(&ctx.auth.redirect_uri)
            )));
        }
    }
    Ok(())
}

/// Dynamic client registration (RFC 7591), asking for refresh tokens first and falling back to
/// what the server offers.
async fn register_dynamically(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &FlowAction,
    block: &str,
    vars: &Vars,
    out: &mut StepRecord,
) -> Result<(), StepStop> {
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
    let stage = Stage { block, vars };
    let mut obs = stage
        .register_main(ctx, flow, with_refresh.clone(), "register", out)
        .await?;
    if !flow.clients.contains_key("main")
        && status_of(&obs) == 400
        && !a.register.contains_key("grant_types")
    {
        obs = stage
            .register_main(
                ctx,
                flow,
                a.register.clone(),
                "register without refresh_token",
                out,
            )
            .await?;
    }
    // A server that registers confidential clients only (its metadata leaves out `none`)
    // gets what it offers, as a client that reads the metadata would ask for.
    let methods = crate::oauth::token_auth_methods(flow.as_metadata.as_ref());
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
        obs = stage
            .register_main(ctx, flow, metadata, "register a confidential client", out)
            .await?;
    }
    if !flow.clients.contains_key("main") {
        let status = status_of(&obs);
        // A 4xx is the server's answer to this registration (its policy); anything else means
        // authspec could not get a client.
        if (400..500).contains(&status) {
            return Err(StepStop::Unavailable(format!(
                "the authorization server refused the flow's registration (HTTP {status})"
            )));
        }
        return Err(StepStop::Unreached(format!(
            "registration did not succeed (HTTP {status}); --client-id ID reaches it with a \
             client registered beforehand"
        )));
    }
    out.result = Ok(obs);
    Ok(())
}

/// The step a stage of the walk belongs to, for its requests' block names.
struct Stage<'a> {
    block: &'a str,
    vars: &'a Vars,
}

impl Stage<'_> {
    /// Registers the `main` client with this metadata; the record folds into the walk's.
    async fn register_main(
        &self,
        ctx: &TargetContext,
        flow: &mut FlowState,
        metadata: serde_json::Map<String, Value>,
        what: &str,
        out: &mut StepRecord,
    ) -> Result<Observation, StepStop> {
        let reg = RegisterAction {
            label: "main".into(),
            metadata,
            ..RegisterAction::default()
        };
        let block = format!("{}: {what}", self.block);
        let rec = register(ctx, flow, &reg, &block, self.vars).await;
        absorb(out, rec, "registration")
    }
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
