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
use crate::suite::model::{Action, Case};
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
    // The run-wide rules see every exchange before a transcript is dropped.
    let observed = ctx
        .observers
        .then(|| std::sync::Mutex::new(observe::Observers::new(ctx)));
    let observers = &observed;
    let run_one = |i: usize| async move {
        let case = &cases[i];
        let mut r = match deadline {
            None => run_case(case, ctx, catalogue).await,
            Some((bound, at)) => {
                let begun = tokio::time::Instant::now() < at;
                match tokio::time::timeout_at(at, run_case(case, ctx, catalogue)).await {
                    Ok(r) => r,
                    Err(_) => cut_by_deadline(case, bound, begun),
                }
            }
        };
        if let Some(o) = observers {
            match o.lock() {
                Ok(mut o) => o.observe(&r),
                Err(poisoned) => poisoned.into_inner().observe(&r),
            }
        }
        // Only the transcripts some output shows are kept.
        if !ctx.transcripts.keeps(r.result) {
            r.transcript = Vec::new();
        }
        on_event(RunEvent::CaseFinished(&r));
        (i, r)
    };
    // Each finished case sets its large values aside at once (one copy of each), so that
    // memory stays bounded whatever order cases finish in; they come back in the cases' order.
    let mut held = crate::result::dedup::Held::default();
    // Cases with race rounds start first; each case starts as soon as a slot is free, and the
    // report keeps the given order.
    let mut results: Vec<(usize, CaseResult)> = Vec::with_capacity(cases.len());
    let mut waiting = start_order(cases).into_iter().peekable();
    let mut running = futures::stream::FuturesUnordered::new();
    loop {
        while waiting.peek().is_some() && may_start(running.len(), jobs, results.is_empty()) {
            if let Some(i) = waiting.next() {
                running.push(run_one(i));
            }
        }
        let Some((i, mut r)) = running.next().await else {
            break;
        };
        held.hold(&mut r);
        results.push((i, r));
    }
    drop(running);
    results.sort_by_key(|(i, _)| *i);
    let mut results: Vec<CaseResult> = results.into_iter().map(|(_, r)| r).collect();
    // In the cases' order, so which copy stays does not depend on timing.
    held.finish(&mut results);
    if let Some(o) = observed.map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner())) {
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

/// How many cases run at once whatever their answers (`--jobs` when it is lower).
pub const STEADY_JOBS: usize = 4;
/// What the answers the run holds may come to for more than [`STEADY_JOBS`] cases to run.
pub const HELD_BUDGET: usize = crate::http::HELD_BUDGET;

/// Whether one more case may start beside `running`: up to [`STEADY_JOBS`] always; beyond, up
/// to `jobs` once a case has finished and while the answers held stay under [`HELD_BUDGET`].
/// Cases waiting on round trips overlap more, and a target that answers with its largest
/// bodies costs the memory of the steady number of cases, not of `jobs`.
fn may_start(running: usize, jobs: usize, none_finished: bool) -> bool {
    let jobs = jobs.max(1);
    running < jobs.min(STEADY_JOBS)
        || (running < jobs && !none_finished && crate::http::held_bytes() < HELD_BUDGET)
}

/// The order cases start in: those that repeat a race for many rounds (by far the longest)
/// first, then the rest in the given order. Only they move: the given order also keeps a
/// case that exhausts a rate limit on purpose after those that need the limit untouched.
fn start_order(cases: &[Case]) -> Vec<usize> {
    let rounds = |c: &Case| -> u32 {
        c.steps
            .iter()
            .map(|s| match &s.action {
                Action::Token(t) if t.rounds > 1 => t.rounds,
                _ => 0,
            })
            .sum()
    };
    let mut order: Vec<usize> = (0..cases.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(rounds(&cases[i])));
    order
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
