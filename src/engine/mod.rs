//! The engine: runs the selected cases against a target, concurrently and bounded, step by
//! step, and turns observations into findings. Output is a [`RunReport`]; progress goes out as
//! [`RunEvent`]s. Nothing here prints.
//!
//! ```text
//! run ──► run_case (bounded, under the deadline) ──► run_steps ──► actions::steps::run
//!                                   │                               (one StepRecord a step)
//!                                   └──► judge (judge.rs, a small Policy) ──► CaseResult
//! ```
//!
//! - `mod.rs`: scheduling, the deadline, events, the run report.
//! - `judge.rs`: preconditions, expectations, findings and the verdict.

use std::collections::BTreeMap;
use std::time::Instant;

use futures::StreamExt;
use serde_json::Value;

mod judge;
pub mod observe;

use judge::{FINDING_LIMIT, clip};
pub use judge::{Policy, judge};

use crate::actions::state::FlowState;
use crate::actions::{StepStop, TargetContext, steps, walk};

use crate::checks::Observation;
use crate::requirements::Catalogue;
use crate::result::model::{CaseResult, Outcome, RunReport, SCHEMA_VERSION, Summary, Tool};
use crate::suite::model::Case;
use crate::vocab::Level;

/// How the message of a case cut by the run deadline starts.
pub const DEADLINE_MESSAGE: &str = "the run deadline";

/// Progress of a run, for reporters that show it live.
#[derive(Clone, Debug)]
pub enum RunEvent<'a> {
    Started { total: usize },
    CaseFinished(&'a CaseResult),
}

/// Runs every case and returns the report, in the order the cases were given.
pub async fn run(
    cases: &[Case],
    ctx: &TargetContext,
    catalogue: &Catalogue,
    jobs: usize,
    level: Level,
    on_event: &(dyn Fn(RunEvent<'_>) + Sync),
) -> RunReport {
    let started = Instant::now();
    let started_at = now_rfc3339();
    on_event(RunEvent::Started { total: cases.len() });
    let deadline = ctx.deadline.map(|d| (d, tokio::time::Instant::now() + d));
    let mut dedup = crate::result::dedup::Dedup::default();
    let mut observers = ctx.observers.then(observe::Observers::default);
    let mut results: Vec<CaseResult> = futures::stream::iter(cases.iter())
        .map(|case| async move {
            let r = match deadline {
                None => run_case(case, ctx, catalogue).await,
                Some((bound, at)) => {
                    let begun = tokio::time::Instant::now() < at;
                    match tokio::time::timeout_at(at, run_case(case, ctx, catalogue)).await {
                        Ok(r) => r,
                        Err(_) => cut_by_deadline(case, bound, begun),
                    }
                }
            };
            on_event(RunEvent::CaseFinished(&r));
            r
        })
        .buffered(jobs.max(1))
        .map(|mut r| {
            if let Some(o) = observers.as_mut() {
                o.observe(&r);
            }
            // In the cases' order, so which copy stays does not depend on timing.
            dedup.apply(&mut r);
            r
        })
        .collect()
        .await;
    if let Some(o) = observers {
        let ends = observe::Endpoints::of(ctx);
        results.extend(o.finish(&ends, |ids| judge::links(ids, catalogue)));
    }
    RunReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "authspec".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: ctx.http.redactor.url(ctx.target.as_str()),
        spec: ctx.spec.as_str().into(),
        wire: Some(ctx.wire_summary()),
        strict: ctx.strict,
        level,
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        requests: ctx.requests_sent(),
        summary: Summary::of(&results),
        cases: results,
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The result of a case the run deadline ended.
fn cut_by_deadline(case: &Case, bound: std::time::Duration, begun: bool) -> CaseResult {
    let mut r = CaseResult::pending(case);
    r.result = Outcome::Error;
    r.message = format!(
        "{DEADLINE_MESSAGE} ({}s, --deadline) passed before this case {}",
        bound.as_secs(),
        if begun { "finished" } else { "started" }
    );
    r
}

/// Runs one case.
pub async fn run_case(case: &Case, ctx: &TargetContext, catalogue: &Catalogue) -> CaseResult {
    let started = Instant::now();
    let mut result = CaseResult::pending(case);
    let (outcome, message) = evaluate_case(case, ctx, catalogue, &mut result).await;
    result.result = outcome;
    result.message = ctx.http.redactor.text_within(&message, FINDING_LIMIT);
    result.duration_ms = started.elapsed().as_millis() as u64;
    result
}

async fn evaluate_case(
    case: &Case,
    ctx: &TargetContext,
    catalogue: &Catalogue,
    result: &mut CaseResult,
) -> (Outcome, String) {
    let mut vars: BTreeMap<String, Value> = ctx.builtin_vars();
    let mut observations: Vec<(String, Observation)> = Vec::new();
    let mut flow = FlowState::default();
    let outcome = run_steps(case, ctx, result, &mut vars, &mut observations, &mut flow).await;
    let cleanup = walk::cleanup(ctx, &mut flow).await;
    result.transcript.extend(cleanup);
    if let Some(o) = outcome {
        return o;
    }
    let policy = Policy {
        strict: ctx.strict,
        target_is_loopback: ctx.target_is_loopback(),
        redactor: &ctx.http.redactor,
    };
    judge(case, &policy, catalogue, result, &vars, &observations)
}

/// Runs the steps; `Some` when a step ended the case early (skip or error).
async fn run_steps(
    case: &Case,
    ctx: &TargetContext,
    result: &mut CaseResult,
    vars: &mut BTreeMap<String, Value>,
    observations: &mut Vec<(String, Observation)>,
    flow: &mut FlowState,
) -> Option<(Outcome, String)> {
    let mut captured: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for step in &case.steps {
        let block = format!("{}: {}", step.name, step.action.keyword());
        let rec = steps::run(ctx, &step.action, &block, vars, flow).await;
        result.transcript.extend(rec.exchanges);
        result.notes.extend(
            rec.notes
                .iter()
                .map(|n| clip(&format!("{}: {n}", step.name))),
        );
        let obs = match rec.result {
            Ok(o) => o,
            Err(StepStop::Unavailable(why) | StepStop::NotFound(why)) => {
                return Some((Outcome::Skip, format!("not applicable: {why}")));
            }
            Err(StepStop::Unreached(why)) => {
                return Some((Outcome::NotJudged, format!("not judged: {why}")));
            }
            Err(StepStop::Error(why)) => {
                return Some((
                    Outcome::Error,
                    format!("step `{}` could not run: {why}", step.name),
                ));
            }
        };
        // A name the case captured keeps its captured value.
        vars.extend(
            flow.vars()
                .into_iter()
                .filter(|(k, _)| !captured.contains(k)),
        );
        for (name, subject) in &step.capture {
            let v = subject.resolve(&obs, vars).unwrap_or(Value::Null);
            vars.insert(name.clone(), v);
            captured.insert(name.clone());
        }
        observations.push((step.name.clone(), obs));
    }
    None
}
