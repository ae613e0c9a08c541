//! Predicates: what must hold of a subject's value.
//!
//! Each predicate is one row of the table below: its keyword in suite files, the variant that
//! holds its argument (and how the argument is read), the function that judges a value, and how
//! it reads in a message. The judging functions live in family files beside this one.

mod arg;
mod challenge;
mod generic;
mod jose;
mod jsonrpc;
mod members;
mod schema;
mod url;

use regex::Regex;
use serde_json::Value;

use super::{Check, EvalContext, show};

pub use arg::Bounds;

/// Declares the predicates, one row each:
/// `"keyword" Variant(binding: Type, argument reader) => judge, reading;`
/// or, for a predicate that takes `true`, `"keyword" Variant => judge, reading;`.
/// The judge is called with the argument (if any), the subject's value and the context; the
/// reading may use the binding.
macro_rules! predicates {
    ($(
        $(#[$doc:meta])*
        $keyword:literal $variant:ident $(($binding:ident: $ty:ty, $read:path))?
            => $judge:path, $reading:expr;
    )*) => {
        /// What must hold of a subject. Each variant has a keyword used in suite files and
        /// messages.
        #[derive(Clone, Debug)]
        pub enum Predicate {
            $($(#[$doc])* $variant $(($ty))?,)*
        }

        pub const PREDICATE_KEYWORDS: &[&str] = &[$($keyword),*];

        impl Predicate {
            /// Builds a predicate from its keyword and argument in a suite file.
            pub fn parse(keyword: &str, arg: &Value) -> Result<Predicate, String> {
                Ok(match keyword {
                    $($keyword => predicates!(@build keyword, arg, $variant $(, $read)?),)*
                    other => return Err(format!("unknown predicate `{other}`")),
                })
            }

            pub fn keyword(&self) -> &'static str {
                match self {
                    $(Predicate::$variant { .. } => $keyword,)*
                }
            }

            /// A short reading (`exists`, `equals "x"`), templates unresolved.
            #[allow(unused_variables)]
            pub fn describe_short(&self) -> String {
                match self {
                    $(Predicate::$variant $(($binding))? => $reading,)*
                }
            }

            pub fn test(
                &self,
                value: Option<&Value>,
                ctx: &EvalContext<'_>,
            ) -> Verdict {
                match self {
                    $(Predicate::$variant $(($binding))? => $judge($($binding,)? value, ctx),)*
                }
            }
        }
    };
    (@build $keyword:ident, $arg:ident, $variant:ident) => {{
        arg::flag($keyword, $arg)?;
        Predicate::$variant
    }};
    (@build $keyword:ident, $arg:ident, $variant:ident, $read:path) => {
        Predicate::$variant($read($keyword, $arg)?)
    };
}

predicates! {
    "equals" Equals(v: Value, arg::value) => generic::equals, format!("equals {}", show(Some(v)));
    "not_equals" NotEquals(v: Value, arg::value)
        => generic::not_equals, format!("differs from {}", show(Some(v)));
    "one_of" OneOf(v: Vec<Value>, arg::list)
        => generic::one_of, format!("is one of {}", show(Some(&Value::Array(v.clone()))));
    "exists" Exists(want: bool, arg::exists) => generic::exists, generic::exists_reading(*want);
    "type" Type(t: String, arg::json_type) => generic::is_type, format!("is a JSON {t}");
    "non_empty" NonEmpty => generic::non_empty, "is not empty".into();
    "contains" Contains(v: Value, arg::value)
        => generic::contains, format!("contains {}", show(Some(v)));
    "not_contains" NotContains(v: Value, arg::value)
        => generic::not_contains, format!("does not contain {}", show(Some(v)));
    "matches" Matches(r: Regex, arg::regex)
        => generic::matches, format!("matches /{}/", r.as_str());
    /// Every string of an array matches (an empty array holds).
    "all_match" AllMatch(r: Regex, arg::regex)
        => generic::all_match, format!("holds only values matching /{}/", r.as_str());
    "subset_of" SubsetOf(v: Vec<Value>, arg::list) => generic::subset_of,
        format!("only holds values from {}", show(Some(&Value::Array(v.clone()))));
    "secure_url" SecureUrl => url::secure_url, "is an https URL without fragment".into();
    /// An https URL (or array of them) without fragment, loopback or not: for targets that speak
    /// https, where nothing excuses plain http.
    "https_url" HttpsUrl
        => url::https_url, "is an https URL without fragment, even on loopback".into();
    "no_query" NoQuery => url::no_query, "has no query component".into();
    "scope_tokens" ScopeTokens => challenge::scope_tokens, "holds valid scope tokens".into();
    "bearer_challenge" BearerChallenge => challenge::bearer_challenge,
        "holds a well-formed Bearer challenge with parameters".into();
    "unique_params" UniqueParams => challenge::unique_params, "repeats no parameter".into();
    "challenge_charset" ChallengeCharset
        => challenge::challenge_charset, "uses only the allowed characters".into();
    "untagged_defaults" UntaggedDefaults => members::untagged_defaults,
        "has an untagged member for every language-tagged one".into();
    "no_empty_members" NoEmptyMembers(except: Vec<String>, arg::names)
        => members::no_empty_members, "has no empty members".into();
    /// No member is an empty array (RFC 9728 §3.2 and RFC 8414 §3.2 omit zero-element claims).
    "no_empty_arrays" NoEmptyArrays(except: Vec<String>, arg::names)
        => members::no_empty_arrays, "has no empty arrays".into();
    "signed_jwt" SignedJwt => jose::signed_jwt, "is a signed JWT with an iss claim".into();
    "jwks_use_when_mixed" JwksUseWhenMixed => jose::jwks_use_when_mixed,
        "states `use` on every key when signing and encryption keys are mixed".into();
    "no_jsonrpc_result" NoJsonrpcResult
        => jsonrpc::no_jsonrpc_result, "carries no JSON-RPC result".into();
    /// A URL on the same origin whose path is the argument's path or a segment-boundary prefix.
    "prefix_of" PrefixOf(v: Value, arg::value) => url::prefix_of,
        format!("is {} or a path prefix of it on the same origin", show(Some(v)));
    /// Equals the value, or is an array that contains it (a JWT `aud`).
    "is_or_contains" IsOrContains(v: Value, arg::value)
        => generic::is_or_contains, format!("is or contains {}", show(Some(v)));
    /// An object with at most one of these members.
    "at_most_one_of" AtMostOneOf(names: Vec<String>, arg::names)
        => members::at_most_one_of, format!("has at most one of {}", names.join(", "));
    /// Valid against a shipped JSON Schema (draft 2020-12).
    "schema" Schema(n: String, arg::schema_name)
        => schema::schema, format!("is valid against the {n} schema");
    /// Holds always; members the schema does not define are reported as information.
    "known_members" KnownMembers(n: String, arg::schema_name)
        => schema::known_members, format!("uses only members the {n} schema defines");
    /// The same URL, where an empty path and `/` count as equal (a trailing slash on the origin).
    "same_url" SameUrl(v: Value, arg::value)
        => url::same_url, format!("names the same URL as {}", show(Some(v)));
    /// Names a URL other than this one, however written (an audience that is not this
    /// resource's).
    "excludes_url" ExcludesUrl(v: Value, arg::value)
        => url::excludes_url, format!("names no URL that is {}, however written", show(Some(v)));
    /// Where JWT client authentication is advertised for an endpoint, its signing algorithms are
    /// listed too, and `none` is not among them (RFC 8414 §2).
    "jwt_auth_algs" JwtAuthAlgs => members::jwt_auth_algs,
        "lists signing algorithms wherever it offers JWT client authentication".into();
    /// Neither equals the value nor is an array containing it; absent does not hold.
    "excludes" Excludes(v: Value, arg::value)
        => generic::excludes, format!("neither is nor contains {}", show(Some(v)));
    /// A number within the inclusive range.
    "between" Between(b: Bounds, arg::bounds) => generic::between, generic::between_reading(b, true);
    /// Absent, or not a number within the inclusive range.
    "not_between" NotBetween(b: Bounds, arg::bounds)
        => generic::not_between, generic::between_reading(b, false);
}

/// What a predicate says of a value; an error is a harness error (an unset variable).
type Verdict = Result<Check, String>;

/// A failed check.
fn fail(expected: impl Into<String>, actual: impl Into<String>) -> Verdict {
    Ok(Check::Failed {
        expected: expected.into(),
        actual: actual.into(),
    })
}

/// Held when `ok`; otherwise failed, with the subject's value as what was found.
fn held(ok: bool, expected: impl Into<String>, value: Option<&Value>) -> Verdict {
    if ok {
        Ok(Check::Held)
    } else {
        fail(expected, show(value))
    }
}

/// Held when nothing was found; otherwise failed, with what was found listed after `lead`.
fn none_found(
    found: &[String],
    expected: impl Into<String>,
    lead: &str,
    separator: &str,
) -> Verdict {
    if found.is_empty() {
        Ok(Check::Held)
    } else {
        fail(expected, format!("{lead}{}", found.join(separator)))
    }
}

/// Judges a JSON object; anything else fails.
fn on_object(
    value: Option<&Value>,
    judge: impl FnOnce(&serde_json::Map<String, Value>) -> Verdict,
) -> Verdict {
    match value {
        Some(Value::Object(map)) => judge(map),
        _ => fail("a JSON object", show(value)),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

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
    fn every_keyword_parses_back_to_itself() {
        for keyword in PREDICATE_KEYWORDS {
            let args = [
                json!(true),
                json!("string"),
                json!([1, 2]),
                json!(["a"]),
                json!("as-metadata"),
            ];
            let parsed = args.iter().find_map(|a| Predicate::parse(keyword, a).ok());
            let p =
                parsed.unwrap_or_else(|| panic!("{keyword} parses one of the sample arguments"));
            assert_eq!(p.keyword(), *keyword);
        }
    }
}
