//! Judging: turns a case's observations into findings and a verdict. It takes a small
//! [`Policy`] (how strictly to read, whether the target is on loopback, what to redact), not a
//! target context, so client conformance judges a client's traffic with it too.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::checks::{Check, EvalContext, Expectation, Observation};
use crate::http::Redactor;
use crate::requirements::Catalogue;
use crate::result::model::{CaseResult, Finding, Outcome};
use crate::suite::model::Case;
use crate::vocab::Level;

/// What judging needs to know of the run.
#[derive(Clone, Copy)]
pub struct Policy<'a> {
    /// `--strict`: read the spec's SHOULDs about interoperability as MUSTs where a case says so.
    pub strict: bool,
    /// Whether the target is on a loopback address (some rules relax for local development).
    pub target_is_loopback: bool,
    /// Scrubs secrets from every text a finding keeps.
    pub redactor: &'a Redactor,
}

pub(crate) fn links(ids: &[String], catalogue: &Catalogue) -> Vec<String> {
    let mut out: Vec<String> = ids
        .iter()
        .filter_map(|id| catalogue.get(id))
        .map(|r| r.url())
        .filter(|u| !u.is_empty())
        .collect();
    out.dedup();
    out
}

/// How much of an expected or actual value a finding keeps.
pub(crate) const FINDING_LIMIT: usize = 4 * 1024;

/// A finding's value within [`FINDING_LIMIT`], marked when cut.
pub(crate) fn clip(s: &str) -> String {
    crate::http::truncate(s, FINDING_LIMIT)
}

/// Turns the observations into findings and a verdict (client conformance judges the
/// observed traffic of a client with it too).
pub fn judge(
    case: &Case,
    policy: &Policy<'_>,
    catalogue: &Catalogue,
    result: &mut CaseResult,
    vars: &BTreeMap<String, Value>,
    observations: &[(String, Observation)],
) -> (Outcome, String) {
    let eval = EvalContext {
        vars,
        target_is_loopback: policy.target_is_loopback,
    };
    let pick = |e: &Expectation| -> Option<&(String, Observation)> {
        match &e.step {
            Some(name) => observations.iter().find(|(n, _)| n == name),
            None => observations.last(),
        }
    };
    if let Some(stop) = preconditions(case, &eval, &pick) {
        return stop;
    }
    let mut applicable = 0;
    let mut not_applicable = Vec::new();
    for exp in &case.expect {
        let Some((step_name, obs)) = pick(exp) else {
            continue;
        };
        if let Some(when) = &exp.when {
            let cond_obs = match &when.step {
                Some(name) => observations.iter().find(|(n, _)| n == name).map(|(_, o)| o),
                None => Some(obs),
            };
            let Some(cond_obs) = cond_obs else { continue };
            let unmet = || format!("it applies only when {}", when.describe());
            match when.evaluate(cond_obs, &eval) {
                Ok(Check::Held | Check::Info(_)) => {}
                Ok(Check::Failed { .. } | Check::NotApplicable { .. }) => {
                    not_applicable.push(unmet());
                    continue;
                }
                Err(e) if crate::checks::is_unset(&e) => {
                    not_applicable.push(unmet());
                    continue;
                }
                Err(e) => {
                    return (
                        Outcome::Error,
                        format!("harness error evaluating `{}`: {e}", when.describe()),
                    );
                }
            }
        }
        let check = match exp.evaluate(obs, &eval) {
            Ok(c) => c,
            Err(e) if crate::checks::is_unset(&e) => {
                return (Outcome::Skip, format!("not applicable: {e}"));
            }
            Err(e) => {
                return (
                    Outcome::Error,
                    format!("harness error evaluating `{}`: {e}", exp.describe()),
                );
            }
        };
        match check {
            Check::Held => applicable += 1,
            Check::Info(note) => {
                applicable += 1;
                result.notes.push(clip(&format!("{step_name}: {note}")));
            }
            Check::NotApplicable { reason } => not_applicable.push(reason),
            Check::Failed { expected, actual } => {
                if let Some(why) = crate::checks::rate_limited(obs, &expected) {
                    return (
                        Outcome::NotJudged,
                        format!("not judged: step `{step_name}`: {why}"),
                    );
                }
                applicable += 1;
                let (level, info) = exp.effective(case.level, policy.strict);
                let r = policy.redactor;
                if info {
                    // A choice the text leaves to the server: worth knowing, never a verdict.
                    result.notes.push(format!(
                        "{step_name}: information: {}: expected {}, actual {}",
                        r.text(&exp.describe()),
                        r.text(&expected),
                        r.text(&actual)
                    ));
                    continue;
                }
                let finding = finding(
                    case,
                    exp,
                    step_name,
                    level,
                    (expected, actual),
                    policy,
                    catalogue,
                    vars,
                );
                result.findings.push(finding);
            }
        }
    }
    if let Some(f) = result.findings.iter().find(|f| f.result == Outcome::Fail) {
        return (
            Outcome::Fail,
            clip(&format!("{}; got {}", f.check, f.actual)),
        );
    }
    if let Some(f) = result.findings.first() {
        return (
            Outcome::Warn,
            clip(&format!("{}; got {}", f.check, f.actual)),
        );
    }
    not_applicable.dedup();
    if applicable == 0 && !not_applicable.is_empty() {
        return (
            Outcome::Skip,
            format!("not applicable: {}", not_applicable.join("; ")),
        );
    }
    (Outcome::Pass, String::new())
}

/// Checks the case's preconditions; `Some` ends the case (skip, or a harness error).
fn preconditions<'o>(
    case: &Case,
    eval: &EvalContext<'_>,
    pick: &dyn Fn(&Expectation) -> Option<&'o (String, Observation)>,
) -> Option<(Outcome, String)> {
    for req in &case.requires {
        let Some((_, obs)) = pick(req) else { continue };
        match req.evaluate(obs, eval) {
            Ok(Check::Held) => {}
            Ok(Check::Failed { expected, actual }) => {
                if let Some(why) = crate::checks::rate_limited(obs, &expected) {
                    return Some((Outcome::NotJudged, format!("not judged: {why}")));
                }
                let why = req
                    .why
                    .clone()
                    .unwrap_or_else(|| format!("{} (actual: {actual})", req.describe()));
                return Some((
                    Outcome::Skip,
                    format!("not applicable: precondition not met: {why}"),
                ));
            }
            Ok(Check::Info(_)) => {}
            Ok(Check::NotApplicable { reason }) => {
                return Some((Outcome::Skip, format!("not applicable: {reason}")));
            }
            Err(e) if crate::checks::is_unset(&e) => {
                return Some((Outcome::Skip, format!("not applicable: {e}")));
            }
            Err(e) => {
                return Some((
                    Outcome::Error,
                    format!("harness error in a precondition: {e}"),
                ));
            }
        }
    }
    None
}

/// The finding of a failed expectation, redacted and clipped.
#[allow(clippy::too_many_arguments)]
fn finding(
    case: &Case,
    exp: &Expectation,
    step_name: &str,
    level: Level,
    (expected, actual): (String, String),
    policy: &Policy<'_>,
    catalogue: &Catalogue,
    vars: &BTreeMap<String, Value>,
) -> Finding {
    let r = policy.redactor;
    // The finding cites what the expectation checks, when it says so.
    let requirements = if exp.requirements.is_empty() {
        case.requirements.clone()
    } else {
        exp.requirements.clone()
    };
    Finding {
        check: r.text(
            &crate::checks::template(&exp.describe(), vars).unwrap_or_else(|_| exp.describe()),
        ),
        level,
        result: if level == Level::Must {
            Outcome::Fail
        } else {
            Outcome::Warn
        },
        expected: r.text_within(&expected, FINDING_LIMIT),
        actual: r.text_within(&actual, FINDING_LIMIT),
        links: links(&requirements, catalogue),
        requirements,
        why: exp.why.clone().or_else(|| case.why.clone()),
        step: step_name.to_string(),
        source: format!("{}:{}:{}", case.file, exp.pos.line, exp.pos.col),
    }
}
