//! Discovery actions: protected resource metadata (RFC 9728), authorization server metadata
//! (RFC 8414, OIDC discovery), the unauthenticated challenge, and the defaults a compliant client
//! derives from them (endpoints, resource, scope).

use super::context::{StepRecord, StepStop, TargetContext};
use super::mcp::unauthenticated_call;
use super::record::{Vars, exchange, harness, not_found, observed_response, skip};
use super::state::FlowState;
use crate::checks::Observation;
use crate::http::{HttpError, Request, Response};
use crate::oauth::{challenge, wellknown};
use crate::suite::model::{AsMetadataVia, DiscoveryVia};
use crate::transcript::Exchange;
use serde_json::{Map, Value};
use url::Url;

/// The authorization server's metadata, fetched once per run.
pub(crate) async fn metadata<'f>(
    ctx: &TargetContext,
    flow: &'f mut FlowState,
    log: &mut Vec<Exchange>,
) -> Result<&'f Map<String, Value>, StepStop> {
    if flow.as_metadata.is_none() {
        let rec = ctx
            .memo(
                &super::discovery::as_memo_key(&AsMetadataVia::Auto, &None),
                || super::discovery::fetch_as_auto(ctx),
            )
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
pub(crate) async fn endpoint_url(
    ctx: &TargetContext,
    flow: &mut FlowState,
    name: &str,
    log: &mut Vec<Exchange>,
) -> Result<Url, StepStop> {
    let meta = metadata(ctx, flow, log).await?;
    endpoint(meta, name, ctx)
}

pub(crate) fn endpoint(
    meta: &Map<String, Value>,
    name: &str,
    ctx: &TargetContext,
) -> Result<Url, StepStop> {
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
pub(crate) async fn defaults(ctx: &TargetContext, flow: &mut FlowState, log: &mut Vec<Exchange>) {
    if flow.resource.is_some() {
        return;
    }
    let rec = ctx
        .memo(&super::discovery::prm_memo_key(&DiscoveryVia::Auto), || {
            super::discovery::fetch_prm_auto(ctx)
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
    let scope_of = |rec: StepRecord| {
        rec.result.ok().and_then(|o| o.response).and_then(|r| {
            challenge::first_bearer(r.headers_named("www-authenticate"))?
                .param("scope")
                .map(str::to_string)
        })
    };
    let challenge_scope = scope_of(
        ctx.memo("challenge", || super::mcp::unauthenticated_call(ctx))
            .await,
    );
    // A server whose scopes differ per operation names each operation's own in its challenge
    // (MCP 2026-07-28 authorization §6); the cases call tools/list and tools/call too, so the
    // token asks for the union, as a client that stepped up to each would hold.
    let list = ctx
        .memo("challenge tools/list", || {
            super::mcp::unauthenticated_rpc(ctx, "tools/list", "unauthenticated tools/list")
        })
        .await;
    log.extend(list.exchanges.clone());
    let needed = scope_of(list);
    let call = ctx
        .memo("challenge tools/call", || {
            super::mcp::unauthenticated_rpc(ctx, "tools/call", "unauthenticated tools/call")
        })
        .await;
    log.extend(call.exchanges.clone());
    let call_scope = scope_of(call);
    let challenged = union_of(&[&challenge_scope, &needed, &call_scope]);
    let supported = crate::oauth::scopes_supported(prm.as_ref());
    flow.scope = ctx
        .auth
        .scope
        .clone()
        .or(challenged)
        .or(supported.clone())
        .filter(|s| !s.is_empty());
    if let (Some(needed), Some(supported)) = (needed, supported) {
        let needed: Vec<&str> = needed.split_ascii_whitespace().collect();
        let narrow: Vec<&str> = supported
            .split_ascii_whitespace()
            .filter(|s| !needed.contains(s))
            .collect();
        flow.narrow_scope = (!narrow.is_empty()).then(|| narrow.join(" "));
    }
}

/// The scopes of several challenges, each once, in the order first named.
fn union_of(scopes: &[&Option<String>]) -> Option<String> {
    let all = crate::oauth::scope_union(scopes.iter().filter_map(|s| s.as_deref()));
    (!all.is_empty()).then(|| all.join(" "))
}

/// The authorization server metadata the run discovered, as JSON, if any case discovered it
/// (nothing is sent: after a run, under its deadline, no new request may go out).
pub fn as_metadata_seen(ctx: &TargetContext) -> Option<Value> {
    ctx.memo_peek(&as_memo_key(&AsMetadataVia::Auto, &None))?
        .result
        .ok()?
        .response?
        .json()
}

/// How many redirects a metadata fetch follows before calling it a loop.
pub(crate) const MAX_REDIRECTS: usize = 5;

/// GET with redirects followed hop by hop (each hop checked against the follow policy).
pub(crate) async fn get_following(
    ctx: &TargetContext,
    block: &str,
    url: Url,
    log: &mut Vec<Exchange>,
) -> Result<(Url, Response), HttpError> {
    let mut url = url;
    for _ in 0..=MAX_REDIRECTS {
        let req = Request::get(url.clone()).header("Accept", "application/json");
        let resp = exchange(ctx, block, &req, log).await?;
        if !(300..400).contains(&resp.status) {
            return Ok((url, resp));
        }
        let Some(loc) = resp.header("location") else {
            return Ok((url, resp));
        };
        let next = url.join(loc).map_err(|e| HttpError::Protocol {
            url: url.to_string(),
            reason: format!("bad Location `{loc}`: {e}"),
        })?;
        if next.origin() != url.origin() {
            ctx.http.may_follow(&next)?;
        }
        url = next;
    }
    Err(HttpError::TooManyRedirects {
        url: url.to_string(),
        hops: MAX_REDIRECTS,
    })
}

/// The memo key of a resource-metadata discovery: every step that wants the same document
/// shares one fetch.
pub(crate) fn prm_memo_key(via: &DiscoveryVia) -> String {
    format!("prm:{via:?}")
}

/// The memo key of an authorization-server-metadata discovery.
pub(crate) fn as_memo_key(via: &AsMetadataVia, issuer: &Option<String>) -> String {
    format!("as:{via:?}:{issuer:?}")
}

/// The auto-discovered resource metadata (shared memo key with `fetch_resource_metadata`).
pub(crate) async fn fetch_prm_auto(ctx: &TargetContext) -> StepRecord {
    fetch_prm(ctx, DiscoveryVia::Auto).await
}

/// The auto-discovered authorization server metadata (shared memo key with `fetch_as_metadata`).
pub(crate) async fn fetch_as_auto(ctx: &TargetContext) -> StepRecord {
    fetch_as(ctx, AsMetadataVia::Auto, None).await
}

/// For a `required` discovery step: "nothing found" becomes an observation (`found` false, with
/// what was tried) instead of a reason to skip.
pub(crate) fn found_or_not(mut rec: StepRecord) -> StepRecord {
    match rec.result {
        Ok(ref mut obs) => {
            obs.values.insert("found".into(), Value::Bool(true));
        }
        Err(StepStop::NotFound(why)) => {
            let mut values = Vars::new();
            values.insert("found".into(), Value::Bool(false));
            rec.notes.push(why);
            rec.result = Ok(Observation {
                response: None,
                values,
            });
        }
        Err(_) => {}
    }
    rec
}

/// The unauthenticated challenge's `resource_metadata` URL, if any.
pub(crate) async fn challenge_metadata_url(
    ctx: &TargetContext,
) -> (Result<Option<String>, StepStop>, Vec<Exchange>) {
    let rec = ctx.memo("challenge", || unauthenticated_call(ctx)).await;
    let obs = match rec.result {
        Ok(o) => o,
        Err(e) => return (Err(e), rec.exchanges),
    };
    let url = obs.response.as_ref().and_then(|r| {
        challenge::first_bearer(r.headers_named("www-authenticate"))?
            .param("resource_metadata")
            .map(str::to_string)
    });
    (Ok(url), rec.exchanges)
}

pub(crate) async fn fetch_prm(ctx: &TargetContext, via: DiscoveryVia) -> StepRecord {
    let mut log = Vec::new();
    let mut tried = Vec::new();
    let order: Vec<DiscoveryVia> = match via {
        DiscoveryVia::Auto => vec![
            DiscoveryVia::Challenge,
            DiscoveryVia::PathInserted,
            DiscoveryVia::Root,
        ],
        v => vec![v],
    };
    let explicit = order.len() == 1;
    for v in order {
        let (url, expected) = match v {
            DiscoveryVia::Challenge => {
                let (res, ex) = challenge_metadata_url(ctx).await;
                log.extend(ex);
                match res {
                    Err(StepStop::Error(e)) => return harness(e, log),
                    Err(
                        StepStop::Unavailable(e) | StepStop::NotFound(e) | StepStop::Unreached(e),
                    ) => {
                        tried.push(format!("challenge: {e}"));
                        continue;
                    }
                    Ok(None) => {
                        tried.push(
                            "challenge: no resource_metadata parameter in the 401 challenge".into(),
                        );
                        continue;
                    }
                    Ok(Some(u)) => {
                        match Url::parse(&u) {
                            Ok(url) => (url, ctx.target.to_string()),
                            Err(e) => {
                                tried.push(format!("challenge: resource_metadata `{u}` is not an absolute URL ({e})"));
                                continue;
                            }
                        }
                    }
                }
            }
            DiscoveryVia::PathInserted => {
                let url = wellknown::path_inserted(&ctx.target, wellknown::PRM_SUFFIX);
                let expected =
                    wellknown::identifier_from_path_inserted(&url, wellknown::PRM_SUFFIX)
                        .unwrap_or_default();
                (url, expected)
            }
            DiscoveryVia::Root | DiscoveryVia::Auto => {
                let url = wellknown::root(&ctx.target, wellknown::PRM_SUFFIX);
                let expected = ctx.target.origin().ascii_serialization();
                (url, expected)
            }
        };
        if url.origin() != ctx.target.origin()
            && let Err(e) = ctx.http.may_follow(&url)
        {
            tried.push(format!("{}: {e}", via_name(&v)));
            continue;
        }
        let block = format!("fetch resource metadata ({})", via_name(&v));
        match get_following(ctx, &block, url.clone(), &mut log).await {
            Err(e) => return harness(format!("{block}: {e}"), log),
            Ok((final_url, resp)) => {
                let found = resp.status == 200;
                tried.push(format!("{}: {} → {}", via_name(&v), url, resp.status));
                let mut values = Vars::new();
                values.insert("url".into(), Value::String(final_url.to_string()));
                values.insert("via".into(), Value::String(via_name(&v).into()));
                values.insert("expected_resource".into(), Value::String(expected));
                if found || explicit {
                    let mut rec = observed_response(resp, values, log);
                    rec.notes = tried;
                    return rec;
                }
            }
        }
    }
    not_found("no protected resource metadata found", log, tried)
}

pub(crate) fn via_name(v: &DiscoveryVia) -> &'static str {
    match v {
        DiscoveryVia::Auto => "auto",
        DiscoveryVia::Challenge => "challenge",
        DiscoveryVia::PathInserted => "path-inserted",
        DiscoveryVia::Root => "root",
    }
}

pub(crate) async fn fetch_as(
    ctx: &TargetContext,
    via: AsMetadataVia,
    issuer: Option<String>,
) -> StepRecord {
    let mut log = Vec::new();
    let issuer = match (issuer, &ctx.issuer) {
        (Some(i), _) => i,
        (None, Some(i)) => i.clone(),
        (None, None) => {
            let rec = ctx
                .memo(&prm_memo_key(&DiscoveryVia::Auto), || {
                    fetch_prm(ctx, DiscoveryVia::Auto)
                })
                .await;
            log.extend(rec.exchanges);
            let obs = match rec.result {
                Ok(o) => o,
                Err(StepStop::Unavailable(e) | StepStop::NotFound(e)) => {
                    return skip(format!("no authorization server to examine: {e}"), log);
                }
                Err(e) => {
                    return StepRecord {
                        result: Err(e),
                        exchanges: log,
                        notes: rec.notes,
                    };
                }
            };
            let first = obs.response.as_ref().and_then(|r| r.json()).and_then(|j| {
                j.get("authorization_servers")
                    .and_then(Value::as_array)
                    .and_then(|a| a.first().cloned())
            });
            match first {
                Some(Value::String(s)) => s,
                _ => {
                    return skip("the resource metadata lists no authorization server", log);
                }
            }
        }
    };
    let issuer_url = match Url::parse(&issuer) {
        Ok(u) => u,
        Err(e) => {
            return skip(
                format!("the issuer `{issuer}` is not an absolute URL: {e}"),
                log,
            );
        }
    };
    if let Err(e) = ctx.http.may_follow(&issuer_url)
        && issuer_url.origin() != ctx.target.origin()
    {
        return skip(e.to_string(), log);
    }
    let candidates: Vec<wellknown::Candidate> = match via {
        AsMetadataVia::Auto => wellknown::as_metadata_candidates(&issuer_url, ctx.spec),
        AsMetadataVia::Oauth => vec![wellknown::Candidate {
            url: wellknown::path_inserted(&issuer_url, wellknown::OAUTH_AS_SUFFIX),
            form: "RFC 8414 (path-inserted)",
        }],
        AsMetadataVia::Oidc => {
            wellknown::as_metadata_candidates(&issuer_url, crate::vocab::SpecRevision::V2025_11_25)
                .into_iter()
                .filter(|c| c.form.starts_with("OpenID"))
                .collect()
        }
    };
    let explicit = !matches!(via, AsMetadataVia::Auto);
    let mut tried = Vec::new();
    let count = candidates.len();
    for (i, c) in candidates.into_iter().enumerate() {
        let block = format!("fetch authorization server metadata ({})", c.form);
        match get_following(ctx, &block, c.url.clone(), &mut log).await {
            Err(e) => return harness(format!("{block}: {e}"), log),
            Ok((final_url, resp)) => {
                tried.push(format!("{} {} → {}", c.form, c.url, resp.status));
                if resp.status == 200 {
                    // Worth a line in the report even where no case judges it.
                    if let Some(j) = resp.json() {
                        if j.get("client_id_metadata_document_supported")
                            == Some(&Value::Bool(true))
                        {
                            tried.push("the server advertises Client ID Metadata Documents (client_id_metadata_document_supported)".into());
                        }
                        if j.get("signed_metadata").is_some() {
                            tried.push("the metadata carries signed_metadata".into());
                        }
                    }
                }
                if resp.status == 200 || (explicit && i + 1 == count) {
                    let mut values = Vars::new();
                    values.insert("url".into(), Value::String(final_url.to_string()));
                    values.insert("via".into(), Value::String(c.form.into()));
                    values.insert("issuer".into(), Value::String(issuer.clone()));
                    let mut rec = observed_response(resp, values, log);
                    rec.notes = tried;
                    return rec;
                }
            }
        }
    }
    not_found(
        format!(
            "no authorization server metadata found for `{issuer}` under MCP {}",
            ctx.spec
        ),
        log,
        tried,
    )
}
