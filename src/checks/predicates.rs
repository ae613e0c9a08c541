//! Predicates: what must hold of a subject's value.

use std::collections::BTreeMap;

use base64::Engine;
use regex::Regex;
use serde_json::Value;

use super::{Check, EvalContext, show, template_value};
use crate::oauth::{challenge, urls};

/// What must hold of a subject. Each variant has a keyword used in suite files and messages.
#[derive(Clone, Debug)]
pub enum Predicate {
    Equals(Value),
    NotEquals(Value),
    OneOf(Vec<Value>),
    Exists(bool),
    Type(String),
    NonEmpty,
    Contains(Value),
    NotContains(Value),
    Matches(Regex),
    /// Every string of an array matches (an empty array holds).
    AllMatch(Regex),
    SubsetOf(Vec<Value>),
    SecureUrl,
    NoQuery,
    ScopeTokens,
    BearerChallenge,
    UniqueParams,
    ChallengeCharset,
    UntaggedDefaults,
    NoEmptyMembers(Vec<String>),
    /// No member is an empty array (RFC 9728 §3.2 and RFC 8414 §3.2 omit zero-element claims).
    NoEmptyArrays(Vec<String>),
    SignedJwt,
    JwksUseWhenMixed,
    NoJsonrpcResult,
    /// A URL on the same origin whose path is the argument's path or a segment-boundary prefix.
    PrefixOf(Value),
    /// Equals the value, or is an array that contains it (a JWT `aud`).
    IsOrContains(Value),
    /// An object with at most one of these members.
    AtMostOneOf(Vec<String>),
    /// Valid against a shipped JSON Schema (draft 2020-12).
    Schema(String),
    /// Holds always; members the schema does not define are reported as information.
    KnownMembers(String),
    /// The same URL, where an empty path and `/` count as equal (a trailing slash on the origin).
    SameUrl(Value),
    /// Where JWT client authentication is advertised for an endpoint, its signing algorithms are
    /// listed too, and `none` is not among them (RFC 8414 §2).
    JwtAuthAlgs,
    /// Neither equals the value nor is an array containing it; absent does not hold.
    Excludes(Value),
    /// A number within the inclusive range.
    Between(f64, f64),
    /// Absent, or not a number within the inclusive range.
    NotBetween(f64, f64),
}

pub const PREDICATE_KEYWORDS: &[&str] = &[
    "equals",
    "not_equals",
    "one_of",
    "exists",
    "type",
    "non_empty",
    "contains",
    "not_contains",
    "matches",
    "all_match",
    "subset_of",
    "secure_url",
    "no_query",
    "scope_tokens",
    "bearer_challenge",
    "unique_params",
    "challenge_charset",
    "untagged_defaults",
    "no_empty_members",
    "no_empty_arrays",
    "signed_jwt",
    "jwks_use_when_mixed",
    "no_jsonrpc_result",
    "prefix_of",
    "is_or_contains",
    "at_most_one_of",
    "schema",
    "known_members",
    "same_url",
    "jwt_auth_algs",
    "excludes",
    "between",
    "not_between",
];

const JSON_TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "array", "object", "null",
];

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Predicate {
    /// Builds a predicate from its keyword and argument in a suite file.
    pub fn parse(keyword: &str, arg: &Value) -> Result<Predicate, String> {
        let flag = |p: Predicate| match arg {
            Value::Bool(true) => Ok(p),
            _ => Err(format!("`{keyword}` takes `true`")),
        };
        let list = || match arg {
            Value::Array(a) => Ok(a.clone()),
            _ => Err(format!("`{keyword}` takes a list")),
        };
        Ok(match keyword {
            "equals" => Predicate::Equals(arg.clone()),
            "not_equals" => Predicate::NotEquals(arg.clone()),
            "one_of" => Predicate::OneOf(list()?),
            "exists" => match arg {
                Value::Bool(b) => Predicate::Exists(*b),
                _ => return Err("`exists` takes `true` or `false`".into()),
            },
            "type" => match arg.as_str() {
                Some(t) if JSON_TYPES.contains(&t) => Predicate::Type(t.to_string()),
                _ => return Err(format!("`type` takes one of {}", JSON_TYPES.join(", "))),
            },
            "non_empty" => flag(Predicate::NonEmpty)?,
            "contains" => Predicate::Contains(arg.clone()),
            "not_contains" => Predicate::NotContains(arg.clone()),
            "matches" => {
                let src = arg
                    .as_str()
                    .ok_or("`matches` takes a regular expression string")?;
                Predicate::Matches(
                    Regex::new(src).map_err(|e| format!("invalid regular expression: {e}"))?,
                )
            }
            "all_match" => {
                let src = arg
                    .as_str()
                    .ok_or("`all_match` takes a regular expression string")?;
                Predicate::AllMatch(
                    Regex::new(src).map_err(|e| format!("invalid regular expression: {e}"))?,
                )
            }
            "subset_of" => Predicate::SubsetOf(list()?),
            "secure_url" => flag(Predicate::SecureUrl)?,
            "no_query" => flag(Predicate::NoQuery)?,
            "scope_tokens" => flag(Predicate::ScopeTokens)?,
            "bearer_challenge" => flag(Predicate::BearerChallenge)?,
            "unique_params" => flag(Predicate::UniqueParams)?,
            "challenge_charset" => flag(Predicate::ChallengeCharset)?,
            "untagged_defaults" => flag(Predicate::UntaggedDefaults)?,
            "no_empty_members" => Predicate::NoEmptyMembers(
                list()?
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .ok_or("`no_empty_members` takes a list of member names")
                    })
                    .collect::<Result<_, _>>()?,
            ),
            "no_empty_arrays" => Predicate::NoEmptyArrays(
                list()?
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .ok_or("`no_empty_arrays` takes a list of member names")
                    })
                    .collect::<Result<_, _>>()?,
            ),
            "signed_jwt" => flag(Predicate::SignedJwt)?,
            "jwks_use_when_mixed" => flag(Predicate::JwksUseWhenMixed)?,
            "no_jsonrpc_result" => flag(Predicate::NoJsonrpcResult)?,
            "prefix_of" => Predicate::PrefixOf(arg.clone()),
            "is_or_contains" => Predicate::IsOrContains(arg.clone()),
            "schema" | "known_members" => {
                let name = arg
                    .as_str()
                    .ok_or(format!("`{keyword}` takes a schema name"))?;
                if super::schema(name).is_none() {
                    let names: Vec<&str> = super::SCHEMAS.iter().map(|(n, _)| *n).collect();
                    return Err(format!(
                        "unknown schema `{name}` (schemas: {})",
                        names.join(", ")
                    ));
                }
                if keyword == "schema" {
                    Predicate::Schema(name.into())
                } else {
                    Predicate::KnownMembers(name.into())
                }
            }
            "same_url" => Predicate::SameUrl(arg.clone()),
            "jwt_auth_algs" => flag(Predicate::JwtAuthAlgs)?,
            "excludes" => Predicate::Excludes(arg.clone()),
            "between" | "not_between" => {
                let bounds: Vec<f64> = list()?.iter().filter_map(Value::as_f64).collect();
                let [lo, hi] = bounds[..] else {
                    return Err(format!("`{keyword}` takes two numbers, [LOW, HIGH]"));
                };
                if keyword == "between" {
                    Predicate::Between(lo, hi)
                } else {
                    Predicate::NotBetween(lo, hi)
                }
            }
            "at_most_one_of" => Predicate::AtMostOneOf(
                list()?
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .ok_or("`at_most_one_of` takes a list of member names")
                    })
                    .collect::<Result<_, _>>()?,
            ),
            other => return Err(format!("unknown predicate `{other}`")),
        })
    }

    pub fn keyword(&self) -> &'static str {
        match self {
            Predicate::Equals(_) => "equals",
            Predicate::NotEquals(_) => "not_equals",
            Predicate::OneOf(_) => "one_of",
            Predicate::Exists(_) => "exists",
            Predicate::Type(_) => "type",
            Predicate::NonEmpty => "non_empty",
            Predicate::Contains(_) => "contains",
            Predicate::NotContains(_) => "not_contains",
            Predicate::Matches(_) => "matches",
            Predicate::AllMatch(_) => "all_match",
            Predicate::SubsetOf(_) => "subset_of",
            Predicate::SecureUrl => "secure_url",
            Predicate::NoQuery => "no_query",
            Predicate::ScopeTokens => "scope_tokens",
            Predicate::BearerChallenge => "bearer_challenge",
            Predicate::UniqueParams => "unique_params",
            Predicate::ChallengeCharset => "challenge_charset",
            Predicate::UntaggedDefaults => "untagged_defaults",
            Predicate::NoEmptyMembers(_) => "no_empty_members",
            Predicate::NoEmptyArrays(_) => "no_empty_arrays",
            Predicate::SignedJwt => "signed_jwt",
            Predicate::JwksUseWhenMixed => "jwks_use_when_mixed",
            Predicate::NoJsonrpcResult => "no_jsonrpc_result",
            Predicate::PrefixOf(_) => "prefix_of",
            Predicate::IsOrContains(_) => "is_or_contains",
            Predicate::Schema(_) => "schema",
            Predicate::KnownMembers(_) => "known_members",
            Predicate::SameUrl(_) => "same_url",
            Predicate::JwtAuthAlgs => "jwt_auth_algs",
            Predicate::Excludes(_) => "excludes",
            Predicate::Between(..) => "between",
            Predicate::NotBetween(..) => "not_between",
            Predicate::AtMostOneOf(_) => "at_most_one_of",
        }
    }

    /// A short reading (`exists`, `equals "x"`), templates unresolved.
    pub fn describe_short(&self) -> String {
        match self {
            Predicate::Equals(v) => format!("equals {}", show(Some(v))),
            Predicate::NotEquals(v) => format!("differs from {}", show(Some(v))),
            Predicate::OneOf(v) => format!("is one of {}", show(Some(&Value::Array(v.clone())))),
            Predicate::Exists(true) => "exists".into(),
            Predicate::Exists(false) => "is absent".into(),
            Predicate::Type(t) => format!("is a JSON {t}"),
            Predicate::NonEmpty => "is not empty".into(),
            Predicate::Contains(v) => format!("contains {}", show(Some(v))),
            Predicate::NotContains(v) => format!("does not contain {}", show(Some(v))),
            Predicate::Matches(r) => format!("matches /{}/", r.as_str()),
            Predicate::AllMatch(r) => format!("holds only values matching /{}/", r.as_str()),
            Predicate::SubsetOf(v) => format!(
                "only holds values from {}",
                show(Some(&Value::Array(v.clone())))
            ),
            Predicate::SecureUrl => "is an https URL without fragment".into(),
            Predicate::NoQuery => "has no query component".into(),
            Predicate::ScopeTokens => "holds valid scope tokens".into(),
            Predicate::BearerChallenge => {
                "holds a well-formed Bearer challenge with parameters".into()
            }
            Predicate::UniqueParams => "repeats no parameter".into(),
            Predicate::ChallengeCharset => "uses only the allowed characters".into(),
            Predicate::UntaggedDefaults => {
                "has an untagged member for every language-tagged one".into()
            }
            Predicate::NoEmptyMembers(_) => "has no empty members".into(),
            Predicate::NoEmptyArrays(_) => "has no empty arrays".into(),
            Predicate::SignedJwt => "is a signed JWT with an iss claim".into(),
            Predicate::JwksUseWhenMixed => {
                "states `use` on every key when signing and encryption keys are mixed".into()
            }
            Predicate::NoJsonrpcResult => "carries no JSON-RPC result".into(),
            Predicate::PrefixOf(v) => format!(
                "is {} or a path prefix of it on the same origin",
                show(Some(v))
            ),
            Predicate::IsOrContains(v) => format!("is or contains {}", show(Some(v))),
            Predicate::Schema(n) => format!("is valid against the {n} schema"),
            Predicate::KnownMembers(n) => format!("uses only members the {n} schema defines"),
            Predicate::SameUrl(v) => format!("names the same URL as {}", show(Some(v))),
            Predicate::JwtAuthAlgs => {
                "lists signing algorithms wherever it offers JWT client authentication".into()
            }
            Predicate::Excludes(v) => format!("neither is nor contains {}", show(Some(v))),
            Predicate::Between(lo, hi) => format!("is a number from {lo} to {hi}"),
            Predicate::NotBetween(lo, hi) => format!("is not a number from {lo} to {hi}"),
            Predicate::AtMostOneOf(v) => format!("has at most one of {}", v.join(", ")),
        }
    }

    pub fn test(&self, value: Option<&Value>, ctx: &EvalContext<'_>) -> Result<Check, String> {
        let vars: &BTreeMap<String, Value> = ctx.vars;
        let fail = |expected: String, actual: String| Ok(Check::Failed { expected, actual });
        let held = |ok: bool, expected: String| {
            if ok {
                Ok(Check::Held)
            } else {
                fail(expected, show(value))
            }
        };
        match self {
            Predicate::Exists(want) => held(value.is_some() == *want, self.describe_short()),
            Predicate::Equals(v) => {
                let v = template_value(v, vars)?;
                // An absent subject equals a captured null (a value that was absent too).
                let expected = if v.is_null() { "absent".to_string() } else { show(Some(&v)) };
                held(value.unwrap_or(&Value::Null) == &v, expected)
            }
            Predicate::NotEquals(v) => {
                let v = template_value(v, vars)?;
                held(value.is_some() && value != Some(&v), format!("anything but {}", show(Some(&v))))
            }
            Predicate::OneOf(list) => {
                let list = list.iter().map(|v| template_value(v, vars)).collect::<Result<Vec<_>, _>>()?;
                held(value.is_some_and(|x| list.contains(x)), format!("one of {}", show(Some(&Value::Array(list)))))
            }
            Predicate::Type(t) => {
                let ok = value.is_some_and(|v| {
                    let actual = type_name(v);
                    actual == t || (t == "number" && actual == "integer")
                });
                match value {
                    Some(v) if !ok => fail(format!("a JSON {t}"), format!("a JSON {} {}", type_name(v), show(value))),
                    _ => held(ok, format!("a JSON {t}")),
                }
            }
            Predicate::NonEmpty => held(
                match value {
                    Some(Value::String(s)) => !s.is_empty(),
                    Some(Value::Array(a)) => !a.is_empty(),
                    Some(Value::Object(o)) => !o.is_empty(),
                    Some(Value::Null) | None => false,
                    Some(_) => true,
                },
                "a non-empty value".into(),
            ),
            Predicate::Contains(v) | Predicate::NotContains(v) => {
                let v = template_value(v, vars)?;
                let contains = match (value, &v) {
                    (Some(Value::Array(a)), _) => a.contains(&v),
                    (Some(Value::String(s)), Value::String(needle)) => s.contains(needle.as_str()),
                    _ => false,
                };
                let want = matches!(self, Predicate::Contains(_));
                if value.is_none() && !want {
                    return Ok(Check::Held);
                }
                held(contains == want, format!("{} {}", if want { "containing" } else { "not containing" }, show(Some(&v))))
            }
            Predicate::Matches(re) => {
                held(value.and_then(Value::as_str).is_some_and(|s| re.is_match(s)), format!("matching /{}/", re.as_str()))
            }
            Predicate::AllMatch(re) => {
                let expected = format!("only values matching /{}/", re.as_str());
                match value {
                    Some(Value::Array(items)) => {
                        let odd: Vec<&Value> =
                            items.iter().filter(|i| !i.as_str().is_some_and(|s| re.is_match(s))).collect();
                        if odd.is_empty() {
                            Ok(Check::Held)
                        } else {
                            fail(expected, show(Some(&Value::Array(odd.into_iter().cloned().collect()))))
                        }
                    }
                    _ => fail(expected, show(value)),
                }
            }
            Predicate::SubsetOf(allowed) => match value {
                Some(Value::Array(items)) => {
                    let extra: Vec<&Value> = items.iter().filter(|i| !allowed.contains(i)).collect();
                    if extra.is_empty() {
                        Ok(Check::Held)
                    } else {
                        fail(
                            format!("only values from {}", show(Some(&Value::Array(allowed.clone())))),
                            format!("also {}", extra.iter().map(|v| show(Some(v))).collect::<Vec<_>>().join(", ")),
                        )
                    }
                }
                _ => fail("a JSON array".into(), show(value)),
            },
            Predicate::SecureUrl => {
                let urls: Vec<&Value> = match value {
                    Some(Value::Array(a)) => a.iter().collect(),
                    Some(v) => vec![v],
                    None => return fail("an https URL".into(), "absent".into()),
                };
                let problems: Vec<String> = urls
                    .iter()
                    .filter_map(|v| match v.as_str() {
                        Some(s) => urls::secure_url_problem(s, ctx.target_is_loopback),
                        None => Some(format!("{} is not a string", show(Some(v)))),
                    })
                    .collect();
                if problems.is_empty() {
                    Ok(Check::Held)
                } else {
                    fail(
                        "https URLs without fragment (plain http only on loopback, for a loopback target)".into(),
                        problems.join("; "),
                    )
                }
            }
            Predicate::NoQuery => {
                let q = value.and_then(Value::as_str).and_then(|s| url::Url::parse(s).ok()).and_then(|u| u.query().map(str::to_string));
                match q {
                    Some(q) => fail("no query component".into(), format!("{} has the query `{q}`", show(value))),
                    None => Ok(Check::Held),
                }
            }
            Predicate::ScopeTokens => {
                let tokens: Vec<String> = match value {
                    Some(Value::String(s)) => s.split(' ').map(str::to_string).collect(),
                    Some(Value::Array(a)) => a.iter().map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).collect(),
                    _ => return fail("scope tokens".into(), show(value)),
                };
                let bad: Vec<String> = tokens
                    .iter()
                    .filter(|t| t.is_empty() || !t.bytes().all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E)))
                    .map(|t| format!("{t:?}"))
                    .collect();
                if bad.is_empty() {
                    Ok(Check::Held)
                } else {
                    fail("scope tokens of printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)".into(), format!("invalid tokens {}", bad.join(", ")))
                }
            }
            Predicate::BearerChallenge | Predicate::UniqueParams | Predicate::ChallengeCharset => {
                let fields: Vec<&str> = match value {
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                    Some(Value::String(s)) => vec![s.as_str()],
                    _ => return fail("a WWW-Authenticate header".into(), "absent".into()),
                };
                let parsed = match challenge::parse_all(fields.iter().copied()) {
                    Ok(p) => p,
                    Err(e) => return fail("a WWW-Authenticate value that follows RFC 9110 §11.6.1".into(), format!("{} — {e}", fields.join(" | "))),
                };
                let bearer: Vec<&challenge::Challenge> = parsed.iter().filter(|c| c.is_bearer()).collect();
                let omitted: Vec<String> = parsed.iter().filter_map(challenge::Challenge::omissions).collect();
                let judged = match self {
                    Predicate::BearerChallenge => match bearer.first() {
                        None => fail("a Bearer challenge".into(), format!("challenges with schemes {}", parsed.iter().map(|c| c.scheme.as_str()).collect::<Vec<_>>().join(", "))),
                        Some(b) if b.params.is_empty() => fail("`Bearer` followed by at least one auth-param".into(), format!("{b:?}").replace("Challenge ", "")),
                        Some(_) => Ok(Check::Held),
                    },
                    Predicate::UniqueParams => {
                        let dups: Vec<String> = bearer.iter().flat_map(|c| c.duplicate_params()).collect();
                        if dups.is_empty() { Ok(Check::Held) } else { fail("each parameter at most once".into(), format!("repeated: {}", dups.join(", "))) }
                    }
                    _ => {
                        let mut bad = Vec::new();
                        for p in bearer.iter().flat_map(|c| c.params.iter()) {
                            let ok = match p.name.as_str() {
                                "error" | "error_description" => challenge::is_nqschar_value(&p.value),
                                "scope" => challenge::is_scope_value(&p.value),
                                "error_uri" => url::Url::parse(&p.value).is_ok() || p.value.starts_with('/'),
                                _ => true,
                            };
                            if !ok {
                                bad.push(format!("{}={:?}", p.name, p.value));
                            }
                        }
                        if bad.is_empty() { Ok(Check::Held) } else { fail("error, error_description and scope within RFC 6750 §3's printable-ASCII sets".into(), bad.join(", ")) }
                    }
                };
                // A challenge cut at the parser's caps says so in the finding.
                if omitted.is_empty() {
                    return judged;
                }
                let said = format!("challenge parsed in part: {}", omitted.join("; "));
                match judged {
                    Ok(Check::Held) => Ok(Check::Info(said)),
                    Ok(Check::Failed { expected, actual }) => fail(expected, format!("{actual} ({said})")),
                    other => other,
                }
            }
            Predicate::UntaggedDefaults => {
                let Some(Value::Object(map)) = value else { return fail("a JSON object".into(), show(value)) };
                let missing: Vec<String> = map
                    .keys()
                    .filter_map(|k| k.split_once('#').map(|(base, _)| base))
                    .filter(|base| !map.contains_key(*base))
                    .map(str::to_string)
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if missing.is_empty() { Ok(Check::Held) } else { fail("an untagged member beside each language-tagged one".into(), format!("only tagged forms of {}", missing.join(", "))) }
            }
            Predicate::NoEmptyMembers(except) | Predicate::NoEmptyArrays(except) => {
                let Some(Value::Object(map)) = value else { return fail("a JSON object".into(), show(value)) };
                let arrays_only = matches!(self, Predicate::NoEmptyArrays(_));
                let is_empty = |v: &Value| {
                    v.as_array().is_some_and(Vec::is_empty)
                        || (!arrays_only
                            && (v.is_null() || v.as_str() == Some("") || v.as_object().is_some_and(|o| o.is_empty())))
                };
                let empty: Vec<String> = map
                    .iter()
                    .filter(|(k, v)| !except.contains(k) && is_empty(v))
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect();
                if empty.is_empty() {
                    Ok(Check::Held)
                } else {
                    fail("members without a value omitted".into(), format!("empty members {}", empty.join(", ")))
                }
            }
            Predicate::SignedJwt => match value.and_then(Value::as_str) {
                None => fail("a JWT string".into(), show(value)),
                Some(jwt) => match jwt_problem(jwt) {
                    None => Ok(Check::Held),
                    Some(p) => fail("a JWS-signed JWT (alg not none, signature present) with an iss claim and no nested signed_metadata".into(), p),
                },
            },
            Predicate::JwksUseWhenMixed => {
                let keys = value.and_then(|v| v.get("keys")).and_then(Value::as_array);
                let Some(keys) = keys else { return fail("a JWK Set with a keys array".into(), show(value)) };
                let purposes: Vec<Option<&str>> = keys.iter().map(key_purpose).collect();
                let mixed = purposes.contains(&Some("sig")) && purposes.contains(&Some("enc"));
                let without_use: Vec<String> = keys
                    .iter()
                    .filter(|k| k.get("use").is_none())
                    .map(|k| k.get("kid").and_then(Value::as_str).unwrap_or("(no kid)").to_string())
                    .collect();
                if mixed && !without_use.is_empty() {
                    fail("`use` on every key, since the set mixes signing and encryption keys".into(), format!("keys without `use`: {}", without_use.join(", ")))
                } else {
                    Ok(Check::Held)
                }
            }
            Predicate::PrefixOf(v) => {
                let v = template_value(v, vars)?;
                let expected = format!("{} or a same-origin URL whose path is a segment prefix of it", show(Some(&v)));
                let (Some(actual), Some(full)) = (value.and_then(Value::as_str), v.as_str()) else {
                    return fail(expected, show(value));
                };
                held(is_path_prefix(actual, full), expected)
            }
            Predicate::Between(lo, hi) | Predicate::NotBetween(lo, hi) => {
                let inside = value.and_then(Value::as_f64).is_some_and(|n| *lo <= n && n <= *hi);
                let want = matches!(self, Predicate::Between(..));
                held(inside == want, self.describe_short())
            }
            Predicate::Excludes(v) => {
                let v = template_value(v, vars)?;
                let ok = match value {
                    Some(Value::Array(a)) => !a.contains(&v),
                    Some(x) => x != &v,
                    None => false,
                };
                held(ok, format!("a value other than {}", show(Some(&v))))
            }
            Predicate::IsOrContains(v) => {
                let v = template_value(v, vars)?;
                let ok = match value {
                    Some(Value::Array(a)) => a.contains(&v),
                    Some(x) => x == &v,
                    None => false,
                };
                held(ok, format!("{} or an array containing it", show(Some(&v))))
            }
            Predicate::Schema(name) => {
                let Some((_, validator)) = super::schema(name) else { return Err(format!("unknown schema `{name}`")) };
                let Some(v) = value else { return fail(format!("a document valid against the {name} schema"), "absent".into()) };
                let errors: Vec<String> = validator
                    .iter_errors(v)
                    .take(5)
                    .map(|e| {
                        let at = e.instance_path().as_str().to_string();
                        if at.is_empty() { e.to_string() } else { format!("{at}: {e}") }
                    })
                    .collect();
                if errors.is_empty() {
                    Ok(Check::Held)
                } else {
                    fail(format!("a document valid against fixtures/schemas/{name}.schema.json"), errors.join("; "))
                }
            }
            Predicate::KnownMembers(name) => {
                let Some((schema, _)) = super::schema(name) else { return Err(format!("unknown schema `{name}`")) };
                let known = schema.get("properties").and_then(Value::as_object);
                let patterns: Vec<regex::Regex> = schema
                    .get("patternProperties")
                    .and_then(Value::as_object)
                    .map(|m| m.keys().filter_map(|k| regex::Regex::new(k).ok()).collect())
                    .unwrap_or_default();
                let unknown: Vec<String> = match value {
                    Some(Value::Object(m)) => m
                        .keys()
                        .filter(|k| !known.is_some_and(|p| p.contains_key(k.as_str())) && !patterns.iter().any(|r| r.is_match(k)))
                        .cloned()
                        .collect(),
                    _ => Vec::new(),
                };
                if unknown.is_empty() {
                    Ok(Check::Held)
                } else {
                    Ok(Check::Info(format!("members outside the {name} schema (information only): {}", unknown.join(", "))))
                }
            }
            Predicate::SameUrl(v) => {
                let v = template_value(v, vars)?;
                let norm = |s: &str| match url::Url::parse(s) {
                    Ok(u) if u.path() == "/" && !s.ends_with('/') => format!("{s}/"),
                    Ok(_) => s.to_string(),
                    Err(_) => s.to_string(),
                };
                let ok = match (value.and_then(Value::as_str), v.as_str()) {
                    (Some(a), Some(b)) => norm(a) == norm(b),
                    _ => false,
                };
                held(ok, format!("{} (a trailing slash on an empty path aside)", show(Some(&v))))
            }
            Predicate::JwtAuthAlgs => {
                let Some(Value::Object(doc)) = value else { return fail("a JSON object".into(), show(value)) };
                let mut problems = Vec::new();
                for endpoint in ["token_endpoint", "revocation_endpoint", "introspection_endpoint"] {
                    let methods = doc.get(&format!("{endpoint}_auth_methods_supported")).and_then(Value::as_array);
                    let jwt = methods.is_some_and(|m| m.iter().any(|x| x == "private_key_jwt" || x == "client_secret_jwt"));
                    let algs_key = format!("{endpoint}_auth_signing_alg_values_supported");
                    let algs = doc.get(&algs_key).and_then(Value::as_array);
                    if jwt && algs.is_none_or(|a| a.is_empty()) {
                        problems.push(format!("{endpoint} offers JWT client authentication but {algs_key} is missing"));
                    }
                    if algs.is_some_and(|a| a.iter().any(|x| x == "none")) {
                        problems.push(format!("{algs_key} lists none"));
                    }
                }
                if problems.is_empty() {
                    Ok(Check::Held)
                } else {
                    fail("signing algorithms (never none) listed for every endpoint that offers JWT client authentication".into(), problems.join("; "))
                }
            }
            Predicate::AtMostOneOf(names) => {
                let Some(Value::Object(map)) = value else { return fail("a JSON object".into(), show(value)) };
                let present: Vec<&String> = names.iter().filter(|n| map.contains_key(n.as_str())).collect();
                if present.len() <= 1 {
                    Ok(Check::Held)
                } else {
                    fail(format!("at most one of {}", names.join(", ")), format!("both {}", present.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" and ")))
                }
            }
            Predicate::NoJsonrpcResult => {
                let has_result = |v: &Value| v.get("result").is_some();
                let leaked = match value {
                    Some(Value::String(s)) => serde_json::from_str::<Value>(s).ok().is_some_and(|v| match &v {
                        Value::Array(items) => items.iter().any(has_result),
                        other => has_result(other),
                    }) || s.lines().any(|l| l.starts_with("data:") && l.contains("\"result\"")),
                    Some(v) => has_result(v),
                    None => false,
                };
                held(!leaked, "no JSON-RPC result for an unauthorized request".into())
            }
        }
    }
}

/// What a key is for: `sig`, `enc`, or unknown.
fn key_purpose(k: &Value) -> Option<&'static str> {
    if let Some(u) = k.get("use").and_then(Value::as_str) {
        return match u {
            "sig" => Some("sig"),
            "enc" => Some("enc"),
            _ => None,
        };
    }
    if let Some(alg) = k.get("alg").and_then(Value::as_str) {
        let enc = alg.starts_with("RSA-OAEP")
            || alg.starts_with("ECDH")
            || alg.ends_with("KW")
            || alg == "RSA1_5"
            || alg == "dir";
        return Some(if enc { "enc" } else { "sig" });
    }
    let ops: Vec<&str> = k
        .get("key_ops")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if ops
        .iter()
        .any(|o| matches!(*o, "encrypt" | "decrypt" | "wrapKey" | "unwrapKey"))
    {
        Some("enc")
    } else if ops.iter().any(|o| matches!(*o, "sign" | "verify")) {
        Some("sig")
    } else {
        None
    }
}

fn jwt_problem(jwt: &str) -> Option<String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return Some(format!("{} dot-separated parts instead of 3", parts.len()));
    }
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let decode = |s: &str| {
        b64.decode(s.trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    };
    let Some(header) = decode(parts[0]) else {
        return Some("the JOSE header is not base64url JSON".into());
    };
    let Some(payload) = decode(parts[1]) else {
        return Some("the payload is not base64url JSON".into());
    };
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg.is_empty() || alg.eq_ignore_ascii_case("none") {
        return Some(format!("alg is {alg:?}: the metadata is not signed"));
    }
    if parts[2].is_empty() {
        return Some("the signature part is empty".into());
    }
    if payload.get("iss").and_then(Value::as_str).is_none() {
        return Some("the payload has no iss claim".into());
    }
    if payload.get("signed_metadata").is_some() {
        return Some("the payload nests another signed_metadata".into());
    }
    None
}

/// Whether `prefix` names `full` or one of its ancestors: same origin, no query or fragment, and
/// a path that ends at a segment boundary of `full`'s path.
fn is_path_prefix(prefix: &str, full: &str) -> bool {
    if prefix == full {
        return true;
    }
    let (Ok(p), Ok(f)) = (url::Url::parse(prefix), url::Url::parse(full)) else {
        return false;
    };
    if p.origin() != f.origin()
        || p.query().is_some()
        || p.fragment().is_some()
        || prefix.ends_with('#')
    {
        return false;
    }
    let raw = p.path();
    let fp = f.path();
    if raw.len() > 1 && raw.ends_with('/') {
        // `https://h/a/` names the directory: a prefix only of paths below it.
        return fp.starts_with(raw);
    }
    let pp = raw.trim_end_matches('/');
    pp.is_empty() || fp == pp || fp.starts_with(&format!("{pp}/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn all_match_judges_every_item() {
        let p = Predicate::parse("all_match", &json!("(?i)^deny$")).expect("parses");
        let vars = BTreeMap::new();
        let ctx = EvalContext {
            vars: &vars,
            target_is_loopback: true,
        };
        let test = |v: Value| p.test(Some(&v), &ctx).expect("evaluates");
        assert_eq!(test(json!([])), Check::Held);
        assert_eq!(test(json!(["DENY", "deny"])), Check::Held);
        assert!(matches!(test(json!(["DENY", ""])), Check::Failed { .. }));
        assert!(matches!(test(json!("DENY")), Check::Failed { .. }));
        assert!(matches!(p.test(None, &ctx), Ok(Check::Failed { .. })));
    }

    #[test]
    fn path_prefixes() {
        assert!(is_path_prefix("https://h/mcp", "https://h/mcp"));
        assert!(is_path_prefix("https://h", "https://h/mcp"));
        assert!(is_path_prefix("https://h/", "https://h/mcp"));
        assert!(is_path_prefix("https://h/a", "https://h/a/mcp"));
        assert!(!is_path_prefix("https://h/mcp/", "https://h/mcp"));
        assert!(!is_path_prefix("https://h/m", "https://h/mcp"));
        assert!(!is_path_prefix("https://h/other", "https://h/mcp"));
        assert!(!is_path_prefix("https://h/mcp?tenant=a", "https://h/mcp"));
        assert!(!is_path_prefix("https://x/mcp", "https://h/mcp"));
    }
}
