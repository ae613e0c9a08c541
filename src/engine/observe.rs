//! Run-wide observers: rules that hold for every exchange of a run, checked over the transcript
//! of every case as it finishes. Each rule reports once, as a result of its own (`run/…`),
//! listing every offending exchange with the case it came from.
//!
//! A rule is one row of [`RULES`]: its id, title, requirements and a function that says what is
//! wrong with one exchange, if anything. The endpoints it needs (the MCP endpoint, the token,
//! registration, revocation and introspection endpoints) come from the run's discovery.

use serde_json::Value;
use url::Url;

use crate::actions::TargetContext;
use crate::result::model::{CaseResult, Finding, Outcome};
use crate::transcript::Exchange;
use crate::vocab::Level;

/// The endpoints the rules look at, from the authorization server's metadata.
#[derive(Default)]
pub struct Endpoints {
    mcp: String,
    /// token, registration, revocation, introspection: the endpoints that answer errors in
    /// the RFC 6749 §5.2 format.
    oauth: Vec<(String, &'static str)>,
}

/// The endpoint a URL names (the HTTP layer's own reading: no query, fragment or userinfo).
fn strip(url: &str) -> String {
    Url::parse(url)
        .map(|u| crate::http::endpoint_of(&u))
        .unwrap_or_else(|_| url.to_string())
}

impl Endpoints {
    /// The endpoints of the run's target, from what its cases discovered (no request of its
    /// own).
    pub fn of(ctx: &TargetContext) -> Endpoints {
        let meta = crate::actions::discovery::as_metadata_seen(ctx);
        let mut oauth = Vec::new();
        for (member, name) in [
            ("token_endpoint", "token"),
            ("registration_endpoint", "registration"),
            ("revocation_endpoint", "revocation"),
            ("introspection_endpoint", "introspection"),
        ] {
            if let Some(url) = meta
                .as_ref()
                .and_then(|m| m.get(member))
                .and_then(Value::as_str)
            {
                oauth.push((strip(url), name));
            }
        }
        Endpoints {
            mcp: strip(ctx.target.as_str()),
            oauth,
        }
    }

    fn oauth_endpoint(&self, ex: &Exchange) -> Option<&'static str> {
        let url = strip(&ex.url);
        self.oauth
            .iter()
            .find(|(u, _)| *u == url)
            .map(|(_, name)| *name)
    }

    fn is_mcp(&self, ex: &Exchange) -> bool {
        strip(&ex.url) == self.mcp
    }
}

/// What a rule says of one exchange.
enum Verdict {
    /// The rule is not about this exchange.
    NotMine,
    Fine,
    Bad(String),
}

impl Verdict {
    fn bad_if(fault: Option<String>) -> Verdict {
        fault.map_or(Verdict::Fine, Verdict::Bad)
    }
}

/// What a rule says of one exchange.
type Check = fn(&Endpoints, &Exchange) -> Verdict;

/// One run-wide rule.
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub requirements: &'static [&'static str],
    /// Faults of the reference server that this rule must catch (`selftest` proves it).
    pub mutants: &'static [&'static str],
    check: Check,
}

/// Every run-wide rule.
pub const RULES: &[Rule] = &[
    Rule {
        id: "run/oauth21/3.2.4/error-format",
        title: "Every error from the token, registration, revocation and introspection endpoints is a JSON object with an `error` string",
        requirements: &["oauth21.3.2.4.error-format", "rfc7591.3.2.2.error-format"],
        mutants: &["token-error-plain-text"],
        check: error_format,
    },
    Rule {
        id: "run/oauth21/3.2.4/error-charset",
        title: "Error codes and descriptions from OAuth endpoints stay within the allowed characters",
        requirements: &["oauth21.3.2.4.error-charset"],
        mutants: &["token-error-bad-charset"],
        check: error_charset,
    },
    Rule {
        id: "run/oauth21/3.2.4/no-5xx",
        title: "No OAuth endpoint answers a request of the run with a 5xx (bad input gets a 4xx error)",
        requirements: &["oauth21.3.2.4.error-format", "rfc7591.3.2.2.error-format"],
        mutants: &["dcr-malformed-json-500", "token-error-html"],
        check: no_server_error,
    },
    Rule {
        id: "run/oauth21/5.3.1/challenge-on-every-401",
        title: "Every 401 from the MCP endpoint carries a Bearer challenge",
        requirements: &["oauth21.5.3.1.www-authenticate"],
        mutants: &["challenge-missing"],
        check: challenge_on_401,
    },
    Rule {
        id: "run/oauth21/3.2.3/token-no-store",
        title: "Every successful token response carries Cache-Control: no-store",
        requirements: &["oauth21.3.2.3.no-store-token"],
        mutants: &["token-no-store-missing"],
        check: token_no_store,
    },
];

fn oauth_error_body(ends: &Endpoints, ex: &Exchange) -> Option<(&'static str, Option<Value>)> {
    let name = ends.oauth_endpoint(ex)?;
    let status = ex.status?;
    // 401 from the token endpoint is the invalid_client answer, JSON too (RFC 6749 §5.2).
    if !(400..500).contains(&status) {
        return None;
    }
    let body = ex.response_body.as_deref().unwrap_or("");
    Some((name, serde_json::from_str(body).ok()))
}

fn error_format(ends: &Endpoints, ex: &Exchange) -> Verdict {
    let Some((name, json)) = oauth_error_body(ends, ex) else {
        return Verdict::NotMine;
    };
    match json {
        Some(Value::Object(m)) if m.get("error").is_some_and(Value::is_string) => Verdict::Fine,
        Some(_) => Verdict::Bad(format!(
            "the {name} endpoint's error has no `error` string member"
        )),
        None => Verdict::Bad(format!("the {name} endpoint's error body is not JSON")),
    }
}

/// RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E.
fn allowed(s: &str) -> bool {
    s.bytes()
        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

fn error_charset(ends: &Endpoints, ex: &Exchange) -> Verdict {
    let Some((name, Some(m))) = oauth_error_body(ends, ex) else {
        return Verdict::NotMine;
    };
    for member in ["error", "error_description"] {
        if let Some(v) = m.get(member).and_then(Value::as_str)
            && !allowed(v)
        {
            return Verdict::Bad(format!(
                "the {name} endpoint's {member} has characters outside %x20-21 / %x23-5B / %x5D-7E"
            ));
        }
    }
    Verdict::Fine
}

fn no_server_error(ends: &Endpoints, ex: &Exchange) -> Verdict {
    let (Some(name), Some(status)) = (ends.oauth_endpoint(ex), ex.status) else {
        return Verdict::NotMine;
    };
    Verdict::bad_if((status >= 500).then(|| format!("the {name} endpoint answered {status}")))
}

fn challenge_on_401(ends: &Endpoints, ex: &Exchange) -> Verdict {
    if ex.status != Some(401) || !ends.is_mcp(ex) {
        return Verdict::NotMine;
    }
    let bearer =
        crate::oauth::challenge::first_bearer(ex.response_headers_named("www-authenticate"))
            .is_some();
    Verdict::bad_if((!bearer).then(|| "a 401 without a Bearer challenge".to_string()))
}

fn token_no_store(ends: &Endpoints, ex: &Exchange) -> Verdict {
    if ends.oauth_endpoint(ex) != Some("token") || ex.status != Some(200) {
        return Verdict::NotMine;
    }
    let cache = ex
        .response_headers_named("cache-control")
        .next()
        .unwrap_or("");
    let no_store = cache
        .split(',')
        .any(|d| d.trim().eq_ignore_ascii_case("no-store"));
    Verdict::bad_if((!no_store).then(|| format!("Cache-Control is `{cache}`")))
}

/// How many offending exchanges a rule's finding lists.
const LISTED: usize = 20;

/// The rule a `run/…` result reports, by its id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// What a rule may need of an exchange: any answered one could be an error, a 401 or a token
/// response. Kept apart as cases finish (their transcripts may be shortened afterwards).
fn worth_keeping(ex: &Exchange) -> bool {
    ex.status.is_some_and(|s| s == 200 || s >= 400)
}

/// How much of an error body the rules keep (an OAuth error object is far smaller).
const ERROR_BODY_KEPT: usize = 2048;

/// What the rules read of an exchange.
fn compact(ex: &Exchange) -> Exchange {
    let error = ex.status.is_some_and(|s| s >= 400);
    Exchange {
        block: String::new(),
        method: ex.method.clone(),
        url: ex.url.clone(),
        request_headers: Vec::new(),
        request_body: None,
        status: ex.status,
        response_headers: ex
            .response_headers
            .iter()
            .filter(|(k, _)| {
                k.eq_ignore_ascii_case("www-authenticate")
                    || k.eq_ignore_ascii_case("cache-control")
            })
            .cloned()
            .collect(),
        response_body: ex
            .response_body
            .as_ref()
            .filter(|b| error && b.len() <= ERROR_BODY_KEPT)
            .cloned(),
        elapsed_ms: 0,
        error: None,
    }
}

/// The exchanges the rules will examine, with the case each came from.
#[derive(Default)]
pub struct Observers {
    kept: Vec<(String, Exchange)>,
}

impl Observers {
    /// Keeps what the rules need of a finished case's exchanges, and no more: the status, the
    /// two headers they read and the body of an error (short), never a success body.
    pub fn observe(&mut self, case: &CaseResult) {
        self.kept.extend(
            case.transcript
                .iter()
                .filter(|ex| worth_keeping(ex))
                .map(|ex| (case.id.clone(), compact(ex))),
        );
    }

    /// One result per rule, judged once the run is over and its endpoints are known.
    pub fn finish(
        self,
        ends: &Endpoints,
        links: impl Fn(&[String]) -> Vec<String>,
    ) -> Vec<CaseResult> {
        let seen: Vec<(usize, Vec<String>)> = RULES
            .iter()
            .map(|rule| {
                let mut examined = 0;
                let mut bad = Vec::new();
                for (case, ex) in &self.kept {
                    match (rule.check)(ends, ex) {
                        Verdict::NotMine => {}
                        Verdict::Fine => examined += 1,
                        Verdict::Bad(what) => {
                            examined += 1;
                            bad.push(format!(
                                "{case}: {} {} → {}: {what}",
                                ex.method,
                                ex.url,
                                ex.status.map(|s| s.to_string()).unwrap_or_default()
                            ));
                        }
                    }
                }
                (examined, bad)
            })
            .collect();
        RULES
            .iter()
            .zip(seen)
            .map(|(rule, (count, bad))| {
                let requirements: Vec<String> =
                    rule.requirements.iter().map(|s| s.to_string()).collect();
                let mut r = CaseResult {
                    id: rule.id.into(),
                    title: rule.title.into(),
                    suite: "run".into(),
                    section: "observers".into(),
                    level: Level::Must,
                    party: "AS".into(),
                    requirements: requirements.clone(),
                    result: Outcome::Pass,
                    message: String::new(),
                    findings: Vec::new(),
                    notes: vec![format!("{count} exchange(s) of the run examined")],
                    transcript: Vec::new(),
                    duration_ms: 0,
                };
                if count == 0 {
                    // Nothing of the kind happened in this run: the rule is not about it.
                    r.result = Outcome::Skip;
                    r.message = "not applicable: the run had no exchange this rule is about".into();
                }
                if !bad.is_empty() {
                    let mut listed: Vec<String> = bad.iter().take(LISTED).cloned().collect();
                    if bad.len() > LISTED {
                        listed.push(format!("… and {} more", bad.len() - LISTED));
                    }
                    r.result = Outcome::Fail;
                    r.message = format!("{} offending exchange(s); first: {}", bad.len(), bad[0]);
                    r.findings.push(Finding {
                        check: rule.title.into(),
                        level: Level::Must,
                        result: Outcome::Fail,
                        expected: "no offending exchange".into(),
                        actual: listed.join("\n"),
                        links: links(&requirements),
                        requirements,
                        why: None,
                        step: "the whole run".into(),
                        source: "src/engine/observe.rs".into(),
                    });
                }
                r
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_charset_is_rfc_6749s() {
        assert!(allowed("invalid_request: the code is unknown"));
        assert!(!allowed("quote \" inside"));
        assert!(!allowed("back\\slash"));
        assert!(!allowed("naïve"));
    }
}
