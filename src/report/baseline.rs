//! Baselines: known failures a team accepts for now, so CI stays green until they are fixed,
//! and turns red when one is fixed without the baseline being updated (a stale entry).
//!
//! The file is YAML: a list of `{id: <case id>, result: fail|warn|not_judged, reason: …}`.
//! `not_judged` accepts a case authspec cannot get to on this target (say, one behind a login
//! it cannot fill); once the case is judged, the entry is stale. Plain case ids
//! are accepted too, and so is the official MCP conformance tool's shape (a `server:` list of
//! names), so an expected-failures file carries over with its names replaced by case ids.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::result::{Outcome, RunReport, Summary};
use crate::suite::load::SuiteError;
use crate::suite::yaml;
use crate::vocab::Pos;

/// One accepted failure.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: String,
    /// `fail` or `warn`; `None` accepts either.
    pub result: Option<Outcome>,
    pub reason: Option<String>,
    pub pos: Pos,
}

#[derive(Clone, Debug, Default)]
pub struct Baseline {
    pub file: String,
    pub entries: Vec<Entry>,
}

/// What applying a baseline changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Applied {
    /// Baselined failures that happened (now `xfail`).
    pub expected: Vec<String>,
    /// Baselined cases that passed (now `xpass`): the entry is stale.
    pub stale: Vec<String>,
}

fn error(file: &str, source: &str, pos: Pos, message: String, hint: Option<String>) -> SuiteError {
    SuiteError {
        file: file.to_string(),
        pos,
        message,
        hint,
        line_text: source
            .lines()
            .nth(pos.line.saturating_sub(1))
            .map(str::to_string),
    }
}

/// Parses and validates a baseline; `known` are the case ids of the loaded suites.
pub fn parse(file: &str, source: &str, known: &[&str]) -> Result<Baseline, Vec<SuiteError>> {
    let (value, spans) = yaml::parse(source).map_err(|e| {
        vec![error(
            file,
            source,
            e.pos,
            format!("invalid YAML: {}", e.message),
            None,
        )]
    })?;
    let (list, base) = match &value {
        Value::Null => {
            return Ok(Baseline {
                file: file.into(),
                entries: Vec::new(),
            });
        }
        Value::Array(a) => (a.clone(), String::new()),
        Value::Object(m) if m.contains_key("server") => match m.get("server") {
            Some(Value::Array(a)) => (a.clone(), "/server".to_string()),
            _ => {
                let pos = spans.value("/server");
                return Err(vec![error(
                    file,
                    source,
                    pos,
                    "`server` must be a list of case ids".into(),
                    None,
                )]);
            }
        },
        _ => {
            return Err(vec![error(
                file,
                source,
                Pos { line: 1, col: 1 },
                "a baseline is a list of entries like `- {id: rfc9728/3/well-known-path-inserted, result: fail, reason: …}`".into(),
                None,
            )]);
        }
    };
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let ptr = format!("{base}/{i}");
        let pos = spans.value(&ptr);
        let (id, result, reason) = match item {
            Value::String(s) => (s.clone(), None, None),
            Value::Object(m) => {
                for k in m.keys() {
                    if !["id", "result", "reason"].contains(&k.as_str()) {
                        let hint = crate::vocab::did_you_mean(k, &["id", "result", "reason"])
                            .map(|s| format!("did you mean `{s}`?"));
                        errors.push(error(
                            file,
                            source,
                            spans.key(&format!("{ptr}/{k}")),
                            format!("unknown key `{k}`"),
                            hint,
                        ));
                    }
                }
                let Some(id) = m.get("id").and_then(Value::as_str) else {
                    errors.push(error(
                        file,
                        source,
                        pos,
                        "an entry needs an `id` (a case id)".into(),
                        None,
                    ));
                    continue;
                };
                let result = match m.get("result").map(|v| v.as_str()) {
                    None => None,
                    Some(Some("fail")) => Some(Outcome::Fail),
                    Some(Some("warn")) => Some(Outcome::Warn),
                    Some(Some("not_judged")) => Some(Outcome::NotJudged),
                    Some(_) => {
                        errors.push(error(
                            file,
                            source,
                            spans.value(&format!("{ptr}/result")),
                            "`result` is `fail`, `warn` or `not_judged`".into(),
                            None,
                        ));
                        continue;
                    }
                };
                (
                    id.to_string(),
                    result,
                    m.get("reason").and_then(Value::as_str).map(str::to_string),
                )
            }
            _ => {
                errors.push(error(
                    file,
                    source,
                    pos,
                    "an entry is a case id or a map with id, result and reason".into(),
                    None,
                ));
                continue;
            }
        };
        if !known.contains(&id.as_str()) {
            let hint =
                crate::vocab::did_you_mean(&id, known).map(|s| format!("did you mean `{s}`?"));
            errors.push(error(
                file,
                source,
                pos,
                format!("no case has the id `{id}`"),
                hint,
            ));
            continue;
        }
        if entries.iter().any(|e: &Entry| e.id == id) {
            errors.push(error(
                file,
                source,
                pos,
                format!("`{id}` is listed twice"),
                None,
            ));
            continue;
        }
        entries.push(Entry {
            id,
            result,
            reason,
            pos,
        });
    }
    if errors.is_empty() {
        Ok(Baseline {
            file: file.into(),
            entries,
        })
    } else {
        Err(errors)
    }
}

/// Marks baselined failures `xfail` and baselined passes `xpass`, then recounts.
pub fn apply(report: &mut RunReport, baseline: &Baseline) -> Applied {
    let by_id: BTreeMap<&str, &Entry> = baseline
        .entries
        .iter()
        .map(|e| (e.id.as_str(), e))
        .collect();
    let mut applied = Applied::default();
    for c in &mut report.cases {
        let Some(entry) = by_id.get(c.id.as_str()) else {
            continue;
        };
        let matches = match (entry.result, c.result) {
            (_, Outcome::Pass) => {
                c.result = Outcome::Xpass;
                c.message = format!(
                    "stale baseline entry ({}:{}): the case passes now; remove it from the baseline",
                    baseline.file, entry.pos.line
                );
                applied.stale.push(c.id.clone());
                continue;
            }
            (None, Outcome::Fail | Outcome::Warn) => true,
            // A baselined failure that is now only a warning is still not fixed.
            (Some(Outcome::Fail), Outcome::Fail | Outcome::Warn) => true,
            (Some(Outcome::Warn), Outcome::Warn) => true,
            (Some(Outcome::NotJudged), Outcome::NotJudged) => true,
            // Accepted as not judged, and judged now: the acceptance is stale, whatever the
            // verdict (a failure still fails).
            (Some(Outcome::NotJudged), Outcome::Skip) => {
                c.result = Outcome::Xpass;
                c.message = format!(
                    "stale baseline entry ({}:{}): the case is judged now ({}); remove it from the baseline",
                    baseline.file, entry.pos.line, c.message
                );
                applied.stale.push(c.id.clone());
                continue;
            }
            _ => false,
        };
        if matches {
            let reason = entry
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            c.message = format!("expected by the baseline{reason}: {}", c.message);
            c.result = Outcome::Xfail;
            applied.expected.push(c.id.clone());
        }
    }
    report.summary = Summary::of(&report.cases);
    applied
}

/// The baseline that accepts the run's current failures and warnings, keeping the reasons of
/// entries that already existed.
pub fn render_update(report: &RunReport, previous: Option<&Baseline>) -> String {
    let mut out = String::from(
        "# authspec baseline: failures accepted for now. Each entry is removed once the case passes.\n",
    );
    let reason_of = |id: &str| {
        previous
            .and_then(|b| b.entries.iter().find(|e| e.id == id))
            .and_then(|e| e.reason.clone())
    };
    for c in &report.cases {
        let result = match c.result {
            Outcome::Fail => "fail",
            Outcome::Warn => "warn",
            Outcome::NotJudged if c.level == crate::vocab::Level::Must => "not_judged",
            Outcome::Xfail => match previous
                .and_then(|b| b.entries.iter().find(|e| e.id == c.id))
                .and_then(|e| e.result)
            {
                Some(Outcome::Warn) => "warn",
                Some(Outcome::NotJudged) => "not_judged",
                _ => "fail",
            },
            _ => continue,
        };
        let reason = reason_of(&c.id).unwrap_or_else(|| {
            format!("accepted on {}", report.started_at.get(..10).unwrap_or(""))
        });
        out.push_str(&format!(
            "- id: {}\n  result: {result}\n  reason: {}\n",
            serde_json::to_string(&c.id).unwrap_or_default(),
            serde_json::to_string(&reason).unwrap_or_else(|_| "\"\"".into())
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["a/1/x", "a/1/y", "a/2/z"];

    #[test]
    fn parses_all_forms() {
        let b = parse(
            "b.yaml",
            "- a/1/x\n- {id: a/1/y, result: warn, reason: later}\n",
            KNOWN,
        )
        .expect("parses");
        assert_eq!(b.entries.len(), 2);
        assert_eq!(b.entries[1].result, Some(Outcome::Warn));
        let b = parse("b.yaml", "server:\n  - a/2/z\n", KNOWN).expect("official shape");
        assert_eq!(b.entries[0].id, "a/2/z");
    }

    #[test]
    fn errors_point_at_lines() {
        let errs = parse(
            "b.yaml",
            "- id: a/1/x\n  reslt: fail\n- id: a/9/q\n- {id: a/1/y, result: maybe}\n",
            KNOWN,
        )
        .expect_err("invalid");
        let lines: Vec<usize> = errs.iter().map(|e| e.pos.line).collect();
        assert_eq!(lines, vec![2, 3, 4], "{errs:#?}");
        assert!(errs[0].hint.as_deref() == Some("did you mean `result`?"));
    }

    #[test]
    fn a_case_not_judged_can_be_accepted_and_goes_stale_once_judged() {
        let b = parse(
            "b.yaml",
            "- {id: a/1/x, result: not_judged, reason: behind a login}\n",
            KNOWN,
        )
        .expect("parses");
        assert_eq!(b.entries[0].result, Some(Outcome::NotJudged));
        let case = |result| crate::result::CaseResult {
            id: "a/1/x".into(),
            title: String::new(),
            suite: "a".into(),
            section: "1".into(),
            level: crate::vocab::Level::Must,
            party: "AS".into(),
            requirements: Vec::new(),
            result,
            message: "not judged: behind a login".into(),
            findings: Vec::new(),
            notes: Vec::new(),
            transcript: Vec::new(),
            duration_ms: 0,
        };
        let run = |result| {
            let cases = vec![case(result)];
            let mut r = RunReport {
                schema_version: 1,
                tool: crate::result::model::Tool {
                    name: "authspec".into(),
                    version: "0".into(),
                },
                target: String::new(),
                spec: String::new(),
                wire: None,
                strict: false,
                level: crate::vocab::Level::Must,
                started_at: String::new(),
                duration_ms: 0,
                requests: 0,
                summary: Summary::of(&cases),
                cases,
            };
            let applied = apply(&mut r, &b);
            (r, applied)
        };
        // Still out of reach: accepted, and the run is not incomplete.
        let (r, applied) = run(Outcome::NotJudged);
        assert_eq!(r.cases[0].result, Outcome::Xfail);
        assert_eq!(applied.expected, vec!["a/1/x".to_string()]);
        assert_eq!(crate::result::exit_code(&r), crate::result::exit::OK);
        // Judged now (here it does not apply): the acceptance is stale.
        let (r, applied) = run(Outcome::Skip);
        assert_eq!(r.cases[0].result, Outcome::Xpass);
        assert_eq!(applied.stale, vec!["a/1/x".to_string()]);
        // Judged and failing: a failure, not an accepted case.
        let (r, _) = run(Outcome::Fail);
        assert_eq!(r.cases[0].result, Outcome::Fail);
    }
}
