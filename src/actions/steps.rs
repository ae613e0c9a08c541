//! The step dispatcher: one line per step action, each handing off to the action that performs
//! it; and the raw `http` and TLS probe steps.

use super::context::{StepRecord, TargetContext};
use super::discovery::{as_memo_key, fetch_as, fetch_prm, found_or_not, prm_memo_key};
use super::mcp::{call_resource, unauthenticated_call};
use super::record::{Vars, exchange, harness, observed_response, skip};
use super::state::FlowState;
use crate::checks::{Observation, template, template_value};
use crate::http::{HttpError, Request};
use crate::suite::model::{Action, AsMetadataVia, HttpAction};
use crate::transcript::Exchange;
use serde_json::Value;

/// Runs one step of a case.
pub async fn run(
    ctx: &TargetContext,
    action: &Action,
    block: &str,
    vars: &Vars,
    flow: &mut FlowState,
) -> StepRecord {
    match action {
        Action::RegisterClient(a) => super::register::register(ctx, flow, a, block, vars).await,
        Action::Authorize(a) => super::authorize::authorize(ctx, flow, a, block, vars).await,
        Action::Token(a) => super::token::token(ctx, flow, a, block, vars).await,
        Action::Revoke(a) => super::token::revoke(ctx, flow, a, block).await,
        Action::Introspect(a) => super::token::introspect(ctx, flow, a, block).await,
        Action::Flow(a) => super::walk::walk(ctx, flow, a, block, vars).await,
        Action::CimdClient(a) => super::cimd::step(ctx, flow, a, vars).await,
        Action::Http(h) => http(ctx, h, block, vars).await,
        Action::FetchResourceMetadata { via, required } => {
            let key = prm_memo_key(via);
            let rec = ctx.memo(&key, || fetch_prm(ctx, via.clone())).await;
            if *required { found_or_not(rec) } else { rec }
        }
        Action::FetchAsMetadata {
            via,
            issuer,
            required,
        } => {
            let issuer = match issuer.as_deref().map(|i| template(i, vars)).transpose() {
                Ok(i) => i,
                Err(e) => return harness(e, Vec::new()),
            };
            let key = as_memo_key(via, &issuer);
            let default = issuer.is_none() && *via == AsMetadataVia::Auto;
            let rec = ctx.memo(&key, || fetch_as(ctx, via.clone(), issuer)).await;
            // The metadata a flow would discover: later steps may name its endpoints.
            if default && flow.as_metadata.is_none() {
                flow.as_metadata = rec
                    .result
                    .as_ref()
                    .ok()
                    .and_then(|o| o.response.as_ref())
                    .and_then(crate::http::Response::json);
            }
            if *required { found_or_not(rec) } else { rec }
        }
        Action::CallResource(c) => {
            if c.is_plain_hello() {
                // The unauthenticated challenge is the start of discovery; fetch it once.
                return ctx.memo("challenge", || unauthenticated_call(ctx)).await;
            }
            call_resource(ctx, c, block, vars, flow).await
        }
    }
}

pub(crate) async fn http(
    ctx: &TargetContext,
    h: &HttpAction,
    block: &str,
    vars: &Vars,
) -> StepRecord {
    let mut log = Vec::new();
    let raw = match template(&h.url, vars) {
        Ok(u) => u,
        Err(e) => return harness(e, log),
    };
    let url = match ctx.target.join(&raw) {
        Ok(u) => u,
        Err(e) => return skip(format!("`{raw}` is not a URL: {e}"), log),
    };
    if url.origin() != ctx.target.origin()
        && let Err(e) = ctx.http.may_follow(&url)
    {
        return skip(e.to_string(), log);
    }
    let mut req = Request {
        method: h.method.clone(),
        url,
        headers: Vec::new(),
        body: None,
    };
    for (k, v) in &h.headers {
        match template(v, vars) {
            Ok(v) => req.headers.push((k.clone(), v)),
            Err(e) => return harness(e, log),
        }
    }
    if let Some(j) = &h.json {
        match template_value(j, vars) {
            Ok(j) => {
                req.headers
                    .push(("Content-Type".into(), "application/json".into()));
                req.body = Some(j.to_string().into_bytes());
            }
            Err(e) => return harness(e, log),
        }
    } else if !h.form.is_empty() {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &h.form {
            match template(v, vars) {
                Ok(v) => {
                    ser.append_pair(k, &v);
                }
                Err(e) => return harness(e, log),
            }
        }
        req.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        req.body = Some(ser.finish().into_bytes());
    } else if let Some(b) = &h.body {
        match template(b, vars) {
            Ok(b) => req.body = Some(b.into_bytes()),
            Err(e) => return harness(e, log),
        }
    }
    let mut values = Vars::new();
    values.insert("url".into(), Value::String(req.url.to_string()));
    if h.tls.is_some() {
        return tls_1_2_probe(ctx, block, &req, values, log).await;
    }
    match exchange(ctx, block, &req, &mut log).await {
        Ok(resp) => observed_response(resp, values, log),
        Err(e) => harness(e.to_string(), log),
    }
}

/// The TLS 1.2 cipher suites the probe offers (its TLS library's: ECDHE key exchange with AEAD
/// ciphers only, no CBC and no RSA key exchange), named in a refused handshake's note so that a
/// server that takes only other suites is told apart from one without TLS 1.2.
fn tls_1_2_suites() -> String {
    rustls::crypto::ring::default_provider()
        .cipher_suites
        .iter()
        .filter(|s| s.version() == &rustls::version::TLS12)
        .map(|s| format!("{:?}", s.suite()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sends `req` on a client that offers TLS 1.2 alone. A refused handshake is what the probe
/// looks for, so it is an observation (`handshake` false, with the reason as a note); a timeout
/// stays a harness error.
pub(crate) async fn tls_1_2_probe(
    ctx: &TargetContext,
    block: &str,
    req: &Request,
    mut values: Vars,
    mut log: Vec<Exchange>,
) -> StepRecord {
    if req.url.scheme() != "https" {
        return skip(format!("{} is not an https URL", req.url), log);
    }
    let options = crate::http::HttpOptions {
        tls_1_2_only: true,
        ..ctx.http.options.clone()
    };
    let client = match ctx.http.with_options(options).await {
        Ok(c) => c,
        Err(e) => return harness(e.to_string(), log),
    };
    ctx.count_request();
    let result = client.send(req).await;
    log.push(client.record(block, req, &result));
    match result {
        Ok(resp) => {
            values.insert("handshake".into(), Value::Bool(true));
            observed_response(resp, values, log)
        }
        Err(e @ (HttpError::Connect { .. } | HttpError::Protocol { .. })) => {
            values.insert("handshake".into(), Value::Bool(false));
            StepRecord {
                result: Ok(Observation {
                    response: None,
                    values,
                }),
                exchanges: log,
                notes: vec![format!(
                    "offering TLS 1.2 alone, with the cipher suites {}: {e}",
                    tls_1_2_suites()
                )],
            }
        }
        Err(e) => harness(e.to_string(), log),
    }
}
