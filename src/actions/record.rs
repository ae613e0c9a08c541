//! The small vocabulary every action shares: the records a step returns, sending one request
//! into the transcript, form bodies and parameter overrides.

use super::context::{StepRecord, StepStop, TargetContext};
use crate::checks::{Observation, template};
use crate::http::{HttpError, Request, Response};
use crate::suite::model::Param;
use crate::transcript::Exchange;
use serde_json::Value;
use std::collections::BTreeMap;

pub(crate) type Vars = BTreeMap<String, Value>;

pub(crate) fn stop(e: StepStop, exchanges: Vec<Exchange>) -> StepRecord {
    StepRecord {
        result: Err(e),
        exchanges,
        notes: Vec::new(),
    }
}

/// The case could not be reached: `msg` says why and what would reach it.
pub(crate) fn unreached(msg: impl Into<String>, exchanges: Vec<Exchange>) -> StepRecord {
    stop(StepStop::Unreached(msg.into()), exchanges)
}

pub(crate) fn skip(msg: impl Into<String>, exchanges: Vec<Exchange>) -> StepRecord {
    stop(StepStop::Unavailable(msg.into()), exchanges)
}

pub(crate) fn harness(msg: impl Into<String>, exchanges: Vec<Exchange>) -> StepRecord {
    stop(StepStop::from_message(msg.into()), exchanges)
}

pub(crate) fn observed(
    response: Option<Response>,
    values: Vars,
    exchanges: Vec<Exchange>,
) -> StepRecord {
    StepRecord {
        result: Ok(Observation { response, values }),
        exchanges,
        notes: Vec::new(),
    }
}

pub(crate) fn apply(
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

pub(crate) fn form(params: &[(String, String)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    ser.finish()
}

pub(crate) async fn send(
    ctx: &TargetContext,
    block: &str,
    req: &Request,
    log: &mut Vec<Exchange>,
) -> Result<Response, StepStop> {
    exchange(ctx, block, req, log)
        .await
        .map_err(|e| StepStop::Error(format!("{block}: {e}")))
}

pub(crate) fn not_found(
    msg: impl Into<String>,
    exchanges: Vec<Exchange>,
    notes: Vec<String>,
) -> StepRecord {
    StepRecord {
        result: Err(StepStop::NotFound(msg.into())),
        exchanges,
        notes,
    }
}

pub(crate) fn observed_response(
    response: Response,
    values: Vars,
    exchanges: Vec<Exchange>,
) -> StepRecord {
    StepRecord {
        result: Ok(Observation {
            response: Some(response),
            values,
        }),
        exchanges,
        notes: Vec::new(),
    }
}

/// Sends one request and records it.
pub(crate) async fn exchange(
    ctx: &TargetContext,
    block: &str,
    req: &Request,
    log: &mut Vec<Exchange>,
) -> Result<Response, HttpError> {
    ctx.count_request();
    let result = ctx.http.send(req).await;
    log.push(ctx.http.record(block, req, &result));
    result
}

/// A step that observed values without a response of its own, with one note.
pub(crate) fn noted(values: Vars, exchanges: Vec<Exchange>, note: String) -> StepRecord {
    StepRecord {
        result: Ok(Observation {
            response: None,
            values,
        }),
        exchanges,
        notes: vec![note],
    }
}
