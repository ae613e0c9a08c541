//! The assertion vocabulary: an [`Expectation`] is a [`Subject`] (what to look at in a step's
//! observation) plus a [`Predicate`] (what must hold of it), with an optional level of its own.
//!
//! Evaluation takes an [`Observation`] recorded by the engine and returns a [`Check`]: held or
//! not, with the expected and actual text a reader needs. Levels and citations are chosen where
//! an expectation is used (the case), never inside a predicate.

pub mod mcp_schema;
mod predicates;

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::Value;

use crate::http::Response;
use crate::oauth::challenge;
use crate::vocab::Level;
use crate::vocab::Pos;

pub use predicates::Predicate;

/// What a step observed: the final response (if any) and the values the step derived.
#[derive(Clone, Debug, Default)]
pub struct Observation {
    pub response: Option<Response>,
    /// Values the step derived (`url`, `via`, `expected_resource`, …).
    pub values: BTreeMap<String, Value>,
}

/// Why an answer that fails an expectation proves nothing: the server refused the request for
/// its rate (429) instead of answering it, and the expectation did not ask for that.
/// RFC 6585 §4 lets any server do so; what it would have answered is unknown.
pub fn rate_limited(obs: &Observation, expected: &str) -> Option<String> {
    let response = obs.response.as_ref().filter(|r| r.status == 429)?;
    if expected.contains("429") {
        return None;
    }
    let wait = response
        .header("retry-after")
        .map(|w| format!(" (Retry-After: {w})"))
        .unwrap_or_default();
    Some(format!(
        "the server answered 429 Too Many Requests{wait}, so its answer to the request is \
         unknown: run again once its rate limit has passed, with fewer --jobs, or against a \
         fresh server"
    ))
}

/// What to look at.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    Status,
    Header(String),
    Headers(String),
    MediaType,
    Body,
    Json(String),
    /// The first Bearer challenge, as an object.
    Challenge,
    /// A parameter of the first Bearer challenge.
    ChallengeParam(String),
    /// Every `WWW-Authenticate` field value, raw.
    Challenges,
    /// A value the step derived, or a run/case variable, optionally with a JSON Pointer into it.
    Var(String, String),
}

/// Values a step derives from what it saw. A `var` subject with one of these names reads only
/// the step's own value: a step that did not produce it (an error redirect without `state`)
/// must not borrow the case variable of the same name.
pub const STEP_VALUES: &[&str] = &[
    "url",
    "via",
    "expected_resource",
    "issuer",
    "found",
    "handshake",
    "redirected",
    "redirected_anywhere",
    "location",
    "page",
    "fragment",
    "sent_state",
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "successes",
    "throttled_after",
    "attempts",
    "rounds",
    "rounds_raced",
    "access_token_claims",
    "granted_scope",
    "login_pages",
    "registered_client_id",
    "sent",
    "request_id",
    "sse_events",
    "sse_requests",
    "x_mcp_tool",
    "x_mcp_property",
    "x_mcp_header",
    "safe_tool",
    "safe_arguments",
    "input_request_methods",
    "document_fetches",
    "canary_connections",
    "document",
    "document_url",
    "cimd_host",
    "loopback_test_mode",
    "authorize_query",
];

/// Subject keywords, for messages and "did you mean".
pub const SUBJECT_KEYWORDS: &[&str] = &[
    "status",
    "header",
    "headers",
    "media_type",
    "body",
    "json",
    "challenge",
    "challenges",
    "var",
];

impl Subject {
    pub fn parse(s: &str) -> Result<Subject, String> {
        let s = s.trim();
        let (head, arg) = match s.split_once(char::is_whitespace) {
            Some((h, a)) => (h, Some(a.trim())),
            None => (s, None),
        };
        let need = |arg: Option<&str>| {
            arg.filter(|a| !a.is_empty())
                .map(str::to_string)
                .ok_or_else(|| format!("`{head}` needs an argument, e.g. `{head} NAME`"))
        };
        Ok(match head {
            "status" => Subject::Status,
            "header" => Subject::Header(need(arg)?.to_ascii_lowercase()),
            "headers" => Subject::Headers(need(arg)?.to_ascii_lowercase()),
            "media_type" => Subject::MediaType,
            "body" => Subject::Body,
            "json" => {
                let p = arg.unwrap_or("").to_string();
                if !(p.is_empty() || p.starts_with('/')) {
                    return Err(format!("a JSON Pointer starts with `/`, got `{p}`"));
                }
                Subject::Json(p)
            }
            "challenge" => match arg {
                Some(a) if !a.is_empty() => Subject::ChallengeParam(a.to_ascii_lowercase()),
                _ => Subject::Challenge,
            },
            "challenges" => Subject::Challenges,
            "var" => {
                let full = need(arg)?;
                match full.split_once(char::is_whitespace) {
                    Some((name, ptr)) if ptr.trim().starts_with('/') => {
                        Subject::Var(name.to_string(), ptr.trim().to_string())
                    }
                    Some(_) => {
                        return Err(format!(
                            "`var {full}`: a JSON Pointer after the name starts with `/`"
                        ));
                    }
                    None => Subject::Var(full, String::new()),
                }
            }
            other => {
                let hint = crate::vocab::did_you_mean(other, SUBJECT_KEYWORDS)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(format!("unknown subject `{other}`{hint}"));
            }
        })
    }

    /// How the subject reads in a message.
    pub fn describe(&self) -> String {
        match self {
            Subject::Status => "status".into(),
            Subject::Header(n) => format!("header {n}"),
            Subject::Headers(n) => format!("headers {n}"),
            Subject::MediaType => "media type".into(),
            Subject::Body => "body".into(),
            Subject::Json(p) if p.is_empty() => "JSON body".into(),
            Subject::Json(p) => format!("JSON {p}"),
            Subject::Challenge => "Bearer challenge".into(),
            Subject::ChallengeParam(p) => format!("challenge {p}"),
            Subject::Challenges => "WWW-Authenticate".into(),
            Subject::Var(v, p) if p.is_empty() => format!("var {v}"),
            Subject::Var(v, p) => format!("{v} {p}"),
        }
    }

    /// The subject's value in an observation; `None` when absent.
    pub fn resolve(&self, obs: &Observation, vars: &BTreeMap<String, Value>) -> Option<Value> {
        if let Subject::Var(name, ptr) = self {
            let v = match obs.values.get(name) {
                Some(v) => v,
                None if STEP_VALUES.contains(&name.as_str()) => return None,
                None => vars.get(name)?,
            };
            return if ptr.is_empty() {
                Some(v.clone())
            } else {
                v.pointer(ptr).cloned()
            };
        }
        let resp = obs.response.as_ref()?;
        match self {
            Subject::Status => Some(Value::from(resp.status)),
            // `header a|b`: every one of several headers that is present, joined, so a predicate
            // can look for what either carries.
            Subject::Header(n) => {
                let found: Vec<&str> = n.split('|').filter_map(|h| resp.header(h.trim())).collect();
                (!found.is_empty()).then(|| Value::String(found.join(", ")))
            }
            Subject::Headers(n) => {
                let all: Vec<Value> = resp
                    .headers_named(n)
                    .map(|v| Value::String(v.to_string()))
                    .collect();
                (!all.is_empty()).then_some(Value::Array(all))
            }
            Subject::MediaType => resp.media_type().map(Value::String),
            Subject::Body => Some(Value::String(resp.text())),
            Subject::Json(p) => resp.json_ref().and_then(|j| j.pointer(p).cloned()),
            Subject::Challenge | Subject::ChallengeParam(_) => {
                // The syntax itself is judged by `bearer_challenge`.
                let bearer = challenge::first_bearer(resp.headers_named("www-authenticate"))?;
                match self {
                    Subject::ChallengeParam(p) => {
                        bearer.param(p).map(|v| Value::String(v.to_string()))
                    }
                    _ => Some(Value::String(bearer.to_string())),
                }
            }
            Subject::Challenges => {
                let all: Vec<Value> = resp
                    .headers_named("www-authenticate")
                    .map(|v| Value::String(v.to_string()))
                    .collect();
                (!all.is_empty()).then_some(Value::Array(all))
            }
            Subject::Var(..) => None,
        }
    }
}

/// One expectation of a case.
#[derive(Clone, Debug)]
pub struct Expectation {
    pub subject: Subject,
    pub predicate: Predicate,
    /// Overrides the case's level (a SHOULD inside a MUST case).
    pub level: Option<Level>,
    /// The step whose observation is examined; the last step when `None`.
    pub step: Option<String>,
    /// When true, an absent subject makes the expectation not apply instead of failing.
    pub optional: bool,
    /// Why this matters, shown with a failure.
    pub why: Option<String>,
    /// The requirement ids this expectation checks; its finding cites these alone. Empty: the
    /// case's.
    pub requirements: Vec<String>,
    /// The expectation applies only where this one holds (replace-or-refuse rules: what a 201
    /// must look like, what a 400 must look like). Its step defaults to this expectation's.
    pub when: Option<Box<Expectation>>,
    /// A failure is information for the reader (local policy, a choice the text leaves open),
    /// never a finding.
    pub info: bool,
    /// The level under `--strict`, for rules whose text is read leniently by default; a strict
    /// reading also turns `info` into a finding.
    pub strict: Option<Level>,
    pub pos: Pos,
}

/// What evaluation needs besides the observation.
pub struct EvalContext<'a> {
    pub vars: &'a BTreeMap<String, Value>,
    pub target_is_loopback: bool,
}

/// The outcome of one expectation.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    Held,
    Failed {
        expected: String,
        actual: String,
    },
    /// Held, with something the reader should know (unknown members, server defaults).
    Info(String),
    /// The subject is absent and the expectation is optional.
    NotApplicable {
        reason: String,
    },
}

impl Expectation {
    /// A one-line reading of the expectation (`challenge scope exists`).
    pub fn describe(&self) -> String {
        format!(
            "{} {}",
            self.subject.describe(),
            self.predicate.describe_short()
        )
    }

    /// The level a failure is reported at, and whether it is only information, under the
    /// lenient or the strict reading.
    pub fn effective(&self, case_level: Level, strict: bool) -> (Level, bool) {
        match self.strict {
            Some(level) if strict => (level, false),
            _ => (self.level.unwrap_or(case_level), self.info),
        }
    }

    pub fn evaluate(&self, obs: &Observation, ctx: &EvalContext<'_>) -> Result<Check, String> {
        let value = self.subject.resolve(obs, ctx.vars);
        if value.is_none() && self.optional {
            return Ok(Check::NotApplicable {
                reason: format!("{} is absent", self.subject.describe()),
            });
        }
        self.predicate.test(value.as_ref(), ctx)
    }
}

/// Renders a value for Expected/Actual lines.
pub fn show(v: Option<&Value>) -> String {
    match v {
        None => "absent".into(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(v) => {
            let s = v.to_string();
            if s.len() > 300 {
                format!(
                    "{}…",
                    &s[..s.char_indices().nth(300).map(|(i, _)| i).unwrap_or(s.len())]
                )
            } else {
                s
            }
        }
    }
}

/// Replaces `{{name}}` with variables; an unknown name is a harness error.
pub fn template(s: &str, vars: &BTreeMap<String, Value>) -> Result<String, String> {
    if !s.contains("{{") {
        return Ok(s.to_string());
    }
    let re = template_regex();
    let mut err = None;
    let out = re.replace_all(s, |caps: &regex::Captures| {
        let name = caps.get(1).map(|m| m.as_str()).unwrap_or_default();
        match vars.get(name) {
            Some(Value::String(v)) => v.clone(),
            // A null in text would send "null" to the target (a URL, a header): no value.
            Some(Value::Null) | None => {
                err.get_or_insert_with(|| unset(name));
                String::new()
            }
            Some(v) => v.to_string(),
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(out.into_owned()),
    }
}

/// How every "this variable has no value" error starts. The loader has checked that each name
/// is defined somewhere, so at run time a missing value means an earlier step did not produce
/// it: the engine turns such errors into a skip, not a harness error.
pub const UNSET: &str = "no value for variable";

fn unset(name: &str) -> String {
    format!("{UNSET} `{name}`: an earlier step did not produce it")
}

/// Whether a templating error means a value was not produced (see [`UNSET`]).
pub fn is_unset(error: &str) -> bool {
    error.starts_with(UNSET)
}

/// The `{{ name }}` template syntax.
pub fn template_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}").unwrap_or_else(|_| unreachable!())
    })
}

/// Templating applied through a JSON value's strings.
pub fn template_value(v: &Value, vars: &BTreeMap<String, Value>) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => {
            // A template that is exactly one variable keeps the variable's JSON type.
            let re = template_regex();
            if let Some(c) = re.captures(s)
                && c.get(0).is_some_and(|m| m.as_str() == s)
            {
                let name = c.get(1).map(|m| m.as_str()).unwrap_or_default();
                return vars.get(name).cloned().ok_or_else(|| unset(name));
            }
            Value::String(template(s, vars)?)
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| template_value(x, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), template_value(x, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// Every predicate keyword, for suite validation and "did you mean".
pub fn predicates_keywords() -> &'static [&'static str] {
    predicates::PREDICATE_KEYWORDS
}

/// The JSON Schemas shipped in `fixtures/schemas/`, by the name suites use (`schema: as-metadata`).
pub const SCHEMAS: &[(&str, &str)] = &[
    (
        "as-metadata",
        include_str!("../../fixtures/schemas/as-metadata.schema.json"),
    ),
    (
        "protected-resource-metadata",
        include_str!("../../fixtures/schemas/protected-resource-metadata.schema.json"),
    ),
    (
        "client-information",
        include_str!("../../fixtures/schemas/client-information.schema.json"),
    ),
];

/// A compiled schema by name, built once per process.
pub fn schema(name: &str) -> Option<&'static (serde_json::Value, jsonschema::Validator)> {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static COMPILED: OnceLock<HashMap<&'static str, (serde_json::Value, jsonschema::Validator)>> =
        OnceLock::new();
    COMPILED
        .get_or_init(|| {
            SCHEMAS
                .iter()
                .filter_map(|(n, text)| {
                    let v: serde_json::Value = serde_json::from_str(text).ok()?;
                    let validator = jsonschema::draft202012::options()
                        .should_validate_formats(true)
                        .build(&v)
                        .ok()?;
                    Some((*n, (v, validator)))
                })
                .collect()
        })
        .get(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expectation(level: Option<Level>, info: bool, strict: Option<Level>) -> Expectation {
        Expectation {
            subject: Subject::Status,
            predicate: Predicate::Exists(true),
            level,
            step: None,
            optional: false,
            why: None,
            requirements: Vec::new(),
            when: None,
            info,
            strict,
            pos: Pos::default(),
        }
    }

    #[test]
    fn the_strict_reading_changes_level_and_information() {
        let lenient_should = expectation(Some(Level::Should), false, Some(Level::Must));
        assert_eq!(
            lenient_should.effective(Level::Must, false),
            (Level::Should, false)
        );
        assert_eq!(
            lenient_should.effective(Level::Must, true),
            (Level::Must, false)
        );
        let noted = expectation(None, true, Some(Level::Should));
        assert_eq!(noted.effective(Level::Must, false), (Level::Must, true));
        assert_eq!(noted.effective(Level::Must, true), (Level::Should, false));
        let plain = expectation(None, true, None);
        assert_eq!(plain.effective(Level::May, true), (Level::May, true));
    }
}
