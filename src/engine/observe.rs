//! Run-wide observers: rules that hold for every exchange of a run, checked over the transcript
//! of every case as it finishes. Each rule reports once, as a result of its own (`run/…`),
//! listing every offending exchange with the case it came from.
//!
//! A rule is one row of [`RULES`]: its id, title, requirements and a function that says what is
//! wrong with one exchange, if anything. Most judge, once the run is over, what was kept of each
//! exchange; the endpoints they need (the MCP endpoint, the token, registration, revocation and
//! introspection endpoints) come from the run's discovery. A rule that reads what is not kept
//! (a success body, a redirect) judges each exchange as its case finishes, and keeps only its
//! verdicts.

use serde_json::Value;
use url::Url;

use crate::actions::TargetContext;
use crate::result::model::{CaseResult, Finding, Outcome};
use crate::transcript::Exchange;
use crate::vocab::{Level, SpecRevision};

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

/// What the run knows before any case has run.
pub struct Known {
    mcp: String,
    spec: SpecRevision,
}

/// How a rule judges.
enum Judge {
    /// What was kept of each exchange, once the run is over.
    Kept(Check),
    /// Each whole exchange as its case finishes.
    Early(fn(&Known, &Exchange) -> Verdict),
}

/// One run-wide rule.
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub requirements: &'static [&'static str],
    /// The party the rule holds to account (`AS`, `RS`).
    pub party: &'static str,
    /// Faults of the reference server that this rule must catch (`selftest` proves it).
    pub mutants: &'static [&'static str],
    judge: Judge,
}

/// Every run-wide rule.
pub const RULES: &[Rule] = &[
    Rule {
        id: "run/oauth21/3.2.4/error-format",
        title: "Every error from the token, registration, revocation and introspection endpoints is a JSON object with an `error` string",
        requirements: &["oauth21.3.2.4.error-format", "rfc7591.3.2.2.error-format"],
        party: "AS",
        mutants: &["token-error-plain-text"],
        judge: Judge::Kept(error_format),
    },
    Rule {
        id: "run/oauth21/3.2.4/error-charset",
        title: "Error codes and descriptions from OAuth endpoints stay within the allowed characters",
        requirements: &["oauth21.3.2.4.error-charset"],
        party: "AS",
        mutants: &["token-error-bad-charset"],
        judge: Judge::Kept(error_charset),
    },
    Rule {
        id: "run/oauth21/3.2.4/no-5xx",
        title: "No OAuth endpoint answers a request of the run with a 5xx (bad input gets a 4xx error)",
        requirements: &["oauth21.3.2.4.error-format", "rfc7591.3.2.2.error-format"],
        party: "AS",
        mutants: &["dcr-malformed-json-500", "token-error-html"],
        judge: Judge::Kept(no_server_error),
    },
    Rule {
        id: "run/oauth21/5.3.1/challenge-on-every-401",
        title: "Every 401 from the MCP endpoint carries a Bearer challenge",
        requirements: &["oauth21.5.3.1.www-authenticate"],
        party: "RS",
        mutants: &["challenge-missing"],
        judge: Judge::Kept(challenge_on_401),
    },
    Rule {
        id: "run/oauth21/3.2.3/token-no-store",
        title: "Every successful token response carries Cache-Control: no-store",
        requirements: &["oauth21.3.2.3.no-store-token"],
        party: "AS",
        mutants: &["token-no-store-missing"],
        judge: Judge::Kept(token_no_store),
    },
    Rule {
        id: "run/oauth21/7.1.3/no-credential-in-url",
        title: "No redirect from the authorization server or the MCP endpoint carries an access token, refresh token, client secret or code verifier in its URL",
        requirements: &[
            "oauth21.7.1.3.no-tokens-in-urls",
            "oauth21.2.4.1.secret-not-in-uri",
            "mcp-2026-07-28.auth-security.2.secure-storage",
        ],
        party: "AS",
        mutants: &["redirect-leaks-token"],
        judge: Judge::Early(no_credential_in_url),
    },
    Rule {
        id: "run/mcp/basic.1/schema",
        title: "Every JSON-RPC message from the MCP endpoint validates against the published schema of the revision it speaks",
        requirements: &["mcp-2026-07-28.basic.1.messages-follow-schema"],
        party: "RS",
        mutants: &["rs-tool-snake-case-schema"],
        judge: Judge::Early(mcp_schema),
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

fn error_charset(ends: &Endpoints, ex: &Exchange) -> Verdict {
    let Some((name, Some(m))) = oauth_error_body(ends, ex) else {
        return Verdict::NotMine;
    };
    for member in ["error", "error_description"] {
        if let Some(v) = m.get(member).and_then(Value::as_str)
            && !crate::oauth::error_text_allowed(v)
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

fn no_credential_in_url(_: &Known, ex: &Exchange) -> Verdict {
    let location = match ex.status {
        Some(300..=399) => ex.response_headers_named("location").next(),
        _ => None,
    };
    let Some(location) = location.map(str::trim) else {
        return Verdict::NotMine;
    };
    let faults = crate::oauth::urls::credentials_in_url(location);
    Verdict::bad_if((!faults.is_empty()).then(|| {
        let quoted = crate::http::truncate(location, 200);
        format!("{} (Location: {quoted})", faults.join("; "))
    }))
}

fn mcp_schema(known: &Known, ex: &Exchange) -> Verdict {
    let judged = (strip(&ex.url) == known.mcp)
        .then(|| crate::checks::mcp_schema::exchange_faults(ex, known.spec))
        .flatten();
    judged.map_or(Verdict::NotMine, |(rev, faults)| {
        Verdict::bad_if((!faults.is_empty()).then(|| format!("under {rev}: {}", faults.join("; "))))
    })
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

/// What a rule that judges early has seen: how many exchanges it examined and the first
/// offending ones (with how many more there were).
#[derive(Default)]
struct Tally {
    examined: usize,
    bad: Vec<String>,
    more: usize,
}

/// One offending exchange, as a finding lists it.
fn offence(case: &str, ex: &Exchange, what: &str) -> String {
    format!(
        "{case}: {} {} → {}: {what}",
        ex.method,
        ex.url,
        ex.status.map(|s| s.to_string()).unwrap_or_default()
    )
}

/// The exchanges the rules will examine, with the case each came from.
pub struct Observers {
    known: Known,
    kept: Vec<(String, Exchange)>,
    /// One per rule, in [`RULES`] order (used by the rules that judge early).
    early: Vec<Tally>,
}

impl Observers {
    /// Observers for a run against this target.
    pub fn new(ctx: &TargetContext) -> Observers {
        Observers {
            known: Known {
                mcp: strip(ctx.target.as_str()),
                spec: ctx.spec,
            },
            kept: Vec::new(),
            early: RULES.iter().map(|_| Tally::default()).collect(),
        }
    }

    /// Keeps what the rules need of a finished case's exchanges, and no more: the status, the
    /// two headers they read and the body of an error (short), never a success body. The rules
    /// that judge early judge each exchange now and keep only their verdicts.
    pub fn observe(&mut self, case: &CaseResult) {
        for (rule, tally) in RULES.iter().zip(&mut self.early) {
            let Judge::Early(check) = rule.judge else {
                continue;
            };
            for ex in &case.transcript {
                match check(&self.known, ex) {
                    Verdict::NotMine => {}
                    Verdict::Fine => tally.examined += 1,
                    Verdict::Bad(what) => {
                        tally.examined += 1;
                        if tally.bad.len() < LISTED {
                            tally.bad.push(offence(&case.id, ex, &what));
                        } else {
                            tally.more += 1;
                        }
                    }
                }
            }
        }
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
        let mut early = self.early.into_iter();
        let seen: Vec<(usize, Vec<String>, usize)> = RULES
            .iter()
            .map(|rule| {
                let tally = early.next().unwrap_or_default();
                let Judge::Kept(check) = rule.judge else {
                    return (tally.examined, tally.bad, tally.more);
                };
                let mut examined = 0;
                let mut bad = Vec::new();
                for (case, ex) in &self.kept {
                    match check(ends, ex) {
                        Verdict::NotMine => {}
                        Verdict::Fine => examined += 1,
                        Verdict::Bad(what) => {
                            examined += 1;
                            bad.push(offence(case, ex, &what));
                        }
                    }
                }
                let more = bad.len().saturating_sub(LISTED);
                bad.truncate(LISTED);
                (examined, bad, more)
            })
            .collect();
        RULES
            .iter()
            .zip(seen)
            .map(|(rule, (count, bad, more))| {
                let requirements: Vec<String> =
                    rule.requirements.iter().map(|s| s.to_string()).collect();
                let mut r = CaseResult {
                    id: rule.id.into(),
                    title: rule.title.into(),
                    suite: "run".into(),
                    section: "observers".into(),
                    level: Level::Must,
                    party: rule.party.into(),
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
                    let total = bad.len() + more;
                    r.result = Outcome::Fail;
                    r.message = format!("{total} offending exchange(s); first: {}", bad[0]);
                    let mut listed = bad;
                    if more > 0 {
                        listed.push(format!("… and {more} more"));
                    }
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
