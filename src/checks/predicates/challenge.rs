//! Predicates on `WWW-Authenticate` challenges (RFC 9110 §11.6.1, RFC 6750 §3) and on the
//! scope-token syntax they share with metadata (RFC 6749 §3.3).

use serde_json::Value;

use super::{Verdict, fail, none_found};
use crate::checks::{Check, EvalContext, show};
use crate::oauth::challenge::{self, Challenge};

pub fn scope_tokens(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let tokens: Vec<String> = match value {
        Some(Value::String(s)) => s.split(' ').map(str::to_string).collect(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect(),
        _ => return fail("scope tokens", show(value)),
    };
    let bad: Vec<String> = tokens
        .iter()
        .filter(|t| {
            t.is_empty()
                || !t
                    .bytes()
                    .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
        })
        .map(|t| format!("{t:?}"))
        .collect();
    none_found(
        &bad,
        "scope tokens of printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)",
        "invalid tokens ",
        ", ",
    )
}

pub fn bearer_challenge(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    on_challenges(value, |parsed, bearer| match bearer.first() {
        None => fail(
            "a Bearer challenge",
            format!(
                "challenges with schemes {}",
                parsed
                    .iter()
                    .map(|c| c.scheme.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Some(b) if b.params.is_empty() => fail(
            "`Bearer` followed by at least one auth-param",
            format!("{b:?}").replace("Challenge ", ""),
        ),
        Some(_) => Ok(Check::Held),
    })
}

pub fn unique_params(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    on_challenges(value, |_, bearer| {
        let dups: Vec<String> = bearer.iter().flat_map(|c| c.duplicate_params()).collect();
        none_found(&dups, "each parameter at most once", "repeated: ", ", ")
    })
}

/// RFC 6750 §3: `error_uri` is a URI reference, absolute or relative, of the printable ASCII
/// characters but space, `"` and `\`.
fn is_error_uri(v: &str) -> bool {
    let chars_ok = v
        .chars()
        .all(|c| matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e'));
    let base = url::Url::parse("http://authspec.invalid/").ok();
    chars_ok && (url::Url::parse(v).is_ok() || base.is_some_and(|b| b.join(v).is_ok()))
}

pub fn challenge_charset(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    on_challenges(value, |_, bearer| {
        let mut bad = Vec::new();
        for p in bearer.iter().flat_map(|c| c.params.iter()) {
            let ok = match p.name.as_str() {
                "error" | "error_description" => challenge::is_nqschar_value(&p.value),
                "scope" => challenge::is_scope_value(&p.value),
                // A URI reference (relative ones too) within %x21 / %x23-5B / %x5D-7E.
                "error_uri" => is_error_uri(&p.value),
                _ => true,
            };
            if !ok {
                bad.push(format!("{}={:?}", p.name, p.value));
            }
        }
        none_found(
            &bad,
            "error, error_description and scope within RFC 6750 §3's printable-ASCII sets",
            "",
            ", ",
        )
    })
}

/// Parses the header fields and judges every challenge and the Bearer ones; a challenge cut
/// at the parser's caps says so in the finding.
fn on_challenges(
    value: Option<&Value>,
    judge: impl FnOnce(&[Challenge], &[&Challenge]) -> Verdict,
) -> Verdict {
    let fields: Vec<&str> = match value {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => return fail("a WWW-Authenticate header", "absent"),
    };
    let parsed = match challenge::parse_all(fields.iter().copied()) {
        Ok(p) => p,
        Err(e) => {
            return fail(
                "a WWW-Authenticate value that follows RFC 9110 §11.6.1",
                format!("{} — {e}", fields.join(" | ")),
            );
        }
    };
    let bearer: Vec<&Challenge> = parsed.iter().filter(|c| c.is_bearer()).collect();
    let omitted: Vec<String> = parsed.iter().filter_map(Challenge::omissions).collect();
    let judged = judge(&parsed, &bearer);
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

#[cfg(test)]
mod tests {
    #[test]
    fn error_uri_is_any_uri_reference_in_the_allowed_characters() {
        assert!(super::is_error_uri("https://as.example/errors/x"));
        assert!(super::is_error_uri("/errors/x"));
        assert!(super::is_error_uri("errors/x"));
        assert!(!super::is_error_uri("errors x"));
        assert!(!super::is_error_uri("errors\"x"));
        assert!(!super::is_error_uri("errors\\x"));
    }
}
