//! Token endpoint actions (code redemption, refresh, client credentials, concurrent rounds), and
//! revocation (RFC 7009) and introspection (RFC 7662) of the case's tokens.

use super::authorize::{authenticate, authorize};
use super::context::{StepRecord, StepStop, TargetContext};
use super::discovery::endpoint_url;
use super::record::{Vars, apply, form, harness, observed, send, skip, stop, unreached};
use super::register::remember_secrets;
use super::state::{FlowState, client_for, jwt_claims, keyword_value};
use crate::http::{Request, Response};
use crate::oauth::pkce;
use crate::suite::model::{AuthorizeAction, ClientAuth, Grant, RevokeAction, TokenAction};
use crate::transcript::Exchange;
use futures::StreamExt;
use serde_json::Value;

/// How many token requests a case's race rounds may have under way at once: rounds overlap
/// (each with its own code) up to this budget, so a case's memory is bounded by its own
/// budget and not by how many cases run beside it.
const RACE_REQUESTS_AT_ONCE: u32 = 50;

/// `token` and `refresh`; a concurrent redemption in several rounds gets a fresh code for each
/// round after the first, and reports the worst round. Rounds overlap, each on its own copy of
/// the flow (its own code); they are read in order, so the first round that fails ends the
/// step as it would have run one after the other, and the flow carries on from the last round.
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
    // Against a target whose answers are large (the run already holds much of its memory
    // budget in answers), the rounds run one after the other: each overlapping round holds its
    // own copy of the flow and its own answers.
    let at_once = if crate::http::held_bytes() >= crate::http::HELD_BUDGET / 4 {
        1
    } else {
        (RACE_REQUESTS_AT_ONCE / a.concurrent.max(1)).max(1) as usize
    };
    let base = flow.clone();
    let mut rounds = futures::stream::iter(1..=a.rounds)
        .map(|round| {
            let mut own = base.clone();
            async move {
                let rec = race_round(ctx, &mut own, a, block, vars, round).await;
                (own, rec)
            }
        })
        .buffered(at_once);
    let mut exchanges = Vec::new();
    let mut notes = Vec::new();
    let mut worst = 0u64;
    let mut raced = 0u64;
    let mut last = None;
    while let Some((own, rec)) = rounds.next().await {
        *flow = own;
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

/// One round of a race: a fresh code (after the first round), then its concurrent redemption.
async fn race_round(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &TokenAction,
    block: &str,
    vars: &Vars,
    round: u32,
) -> StepRecord {
    let mut exchanges = Vec::new();
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
        exchanges = rec.exchanges;
        if flow.code.is_none() {
            return StepRecord {
                result: Err(StepStop::Unavailable(format!(
                    "round {round}: authorization did not yield a fresh code"
                ))),
                exchanges,
                notes: Vec::new(),
            };
        }
    }
    let mut rec = token_once(ctx, flow, a, &format!("{block}: round {round}"), vars).await;
    exchanges.append(&mut rec.exchanges);
    rec.exchanges = exchanges;
    rec
}

pub(crate) async fn token_once(
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
        return unreached(
            "no client to request a token for; --client-id ID reaches it",
            log,
        );
    };
    let (grant, held, missing) = match a.grant {
        Grant::AuthorizationCode => (
            ("authorization_code", "code"),
            flow.code.clone(),
            "no authorization code was obtained",
        ),
        Grant::RefreshToken => (
            ("refresh_token", "refresh_token"),
            flow.refresh_token.clone(),
            "no refresh token was issued",
        ),
    };
    let Some(held) = held else {
        if a.optional {
            return observed(None, Vars::new(), log);
        }
        // A refresh token the server chose not to issue is its choice; a code that was never
        // obtained means the case's premise never happened.
        return match a.grant {
            Grant::RefreshToken => skip(missing, log),
            Grant::AuthorizationCode => unreached(missing, log),
        };
    };
    let mut params: Vec<(String, String)> = vec![
        ("grant_type".into(), grant.0.into()),
        (grant.1.into(), held),
    ];
    if a.grant == Grant::AuthorizationCode {
        if let Some(r) = &flow.code_redirect_uri {
            params.push(("redirect_uri".into(), r.clone()));
        }
        if let Some(v) = &flow.verifier {
            params.push(("code_verifier".into(), v.clone()));
        }
    }
    // RFC 8707 §2.2: a refresh names the resource again, so the new access token is bound to
    // it too.
    for r in &flow.code_resources {
        params.push(("resource".into(), r.clone()));
    }
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
    let sent = if a.concurrent > 1 {
        send_concurrently(ctx, &req, block, a.concurrent, &mut log, &mut values).await
    } else if a.attempts > 1 {
        send_until_throttled(
            ctx,
            &req,
            block,
            a.attempts,
            &mut log,
            &mut values,
            &mut notes,
        )
        .await
    } else {
        send(ctx, block, &req, &mut log).await
    };
    let resp = match sent {
        Ok(r) => r,
        Err(e) => return stop(e, log),
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

/// What a concurrent redemption keeps of its answers.
#[derive(Default)]
struct Race {
    /// (success, request index, answer) of the answer that stands so far.
    stands: Option<(bool, u32, Response)>,
    successes: u32,
}

/// Sends the same token request `concurrent` times at once (a code redeemed in a race); the
/// first success stands for the step (else the first answer), and `successes` counts them.
/// Each answer is read as it arrives and dropped unless it is the one that stands so far.
async fn send_concurrently(
    ctx: &TargetContext,
    req: &Request,
    block: &str,
    concurrent: u32,
    log: &mut Vec<Exchange>,
    values: &mut Vars,
) -> Result<Response, StepStop> {
    let kept = std::sync::Mutex::new(Race::default());
    let kept_ref = &kept;
    let sends = (0..concurrent).map(|i| {
        let req = req.clone();
        async move {
            ctx.count_request();
            let r = ctx.http.send(&req).await;
            let ex = ctx.http.record(block, &req, &r);
            if let Ok(resp) = r {
                let json = resp.json_ref();
                if let Some(j) = json {
                    remember_secrets(ctx, j);
                }
                let ok =
                    resp.status == 200 && json.is_some_and(|j| j.get("access_token").is_some());
                let mut k = kept_ref.lock().unwrap_or_else(|p| p.into_inner());
                k.successes += u32::from(ok);
                // A success beats a failure; among equals the earlier request stands.
                let stands = match &k.stands {
                    None => true,
                    Some((kept_ok, at, _)) => {
                        (ok, std::cmp::Reverse(i)) > (*kept_ok, std::cmp::Reverse(*at))
                    }
                };
                if stands {
                    k.stands = Some((ok, i, resp));
                }
            }
            ex
        }
    });
    log.extend(futures::future::join_all(sends).await);
    let race = kept.into_inner().unwrap_or_else(|p| p.into_inner());
    values.insert("successes".into(), Value::from(race.successes));
    values.insert("attempts".into(), Value::from(concurrent));
    race.stands
        .map(|(_, _, r)| r)
        .ok_or_else(|| StepStop::from_message(format!("{block}: every concurrent request failed")))
}

/// Sends the same token request up to `attempts` times, stopping at the first 429.
async fn send_until_throttled(
    ctx: &TargetContext,
    req: &Request,
    block: &str,
    attempts: u32,
    log: &mut Vec<Exchange>,
    values: &mut Vars,
    notes: &mut Vec<String>,
) -> Result<Response, StepStop> {
    let mut sent = 0;
    let mut last = None;
    while sent < attempts {
        let r = send(ctx, block, req, log).await?;
        sent += 1;
        let throttled = r.status == 429;
        last = Some(r);
        if throttled {
            break;
        }
    }
    values.insert("attempts".into(), Value::from(sent));
    let Some(r) = last else {
        return Err(StepStop::from_message(format!(
            "{block}: no request was sent"
        )));
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
    Ok(r)
}

/// Why a request about the case's token was not sent.
pub(crate) enum NotSent {
    /// The case does not apply (no endpoint, no token, no client).
    Skip(String),
    /// The harness could not do its job.
    Harness(String),
}

/// An RFC 7009 or RFC 7662 request about the case's current token, as the client that got it:
/// `endpoint` is the metadata member naming the endpoint, `verb` what the request does.
pub(crate) async fn about_token(
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
