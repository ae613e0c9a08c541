//! Predicates on URLs: https, query, prefix and sameness.

use serde_json::Value;

use super::{Verdict, fail, held, none_found};
use crate::checks::{Check, EvalContext, show, template_value};
use crate::oauth::urls;

pub fn secure_url(value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    https(value, ctx.target_is_loopback)
}

pub fn https_url(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    // Only https targets are judged by https_url, and there loopback excuses nothing.
    https(value, false)
}

/// An https URL, or an array of them, without fragment; plain http on loopback where
/// `loopback_ok`.
fn https(value: Option<&Value>, loopback_ok: bool) -> Verdict {
    let urls: Vec<&Value> = match value {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => return fail("an https URL", "absent"),
    };
    let problems: Vec<String> = urls
        .iter()
        .filter_map(|v| match v.as_str() {
            Some(s) => urls::secure_url_problem(s, loopback_ok),
            None => Some(format!("{} is not a string", show(Some(v)))),
        })
        .collect();
    let expected = if loopback_ok {
        "https URLs without fragment (plain http only on loopback, for a loopback target)"
    } else {
        "https URLs without fragment"
    };
    none_found(&problems, expected, "", "; ")
}

pub fn no_query(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let q = value
        .and_then(Value::as_str)
        .and_then(|s| ::url::Url::parse(s).ok())
        .and_then(|u| u.query().map(str::to_string));
    match q {
        Some(q) => fail(
            "no query component",
            format!("{} has the query `{q}`", show(value)),
        ),
        None => Ok(Check::Held),
    }
}

pub fn prefix_of(v: &Value, value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    let v = template_value(v, ctx.vars)?;
    let expected = format!(
        "{} or a same-origin URL whose path is a segment prefix of it",
        show(Some(&v))
    );
    let (Some(actual), Some(full)) = (value.and_then(Value::as_str), v.as_str()) else {
        return fail(expected, show(value));
    };
    held(is_path_prefix(actual, full), expected, value)
}

pub fn same_url(v: &Value, value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    let v = template_value(v, ctx.vars)?;
    let norm = |s: &str| match ::url::Url::parse(s) {
        Ok(u) if u.path() == "/" && !s.ends_with('/') => format!("{s}/"),
        Ok(_) => s.to_string(),
        Err(_) => s.to_string(),
    };
    let ok = match (value.and_then(Value::as_str), v.as_str()) {
        (Some(a), Some(b)) => norm(a) == norm(b),
        _ => false,
    };
    let expected = format!(
        "{} (a trailing slash on an empty path aside)",
        show(Some(&v))
    );
    held(ok, expected, value)
}

/// Whether a value (a string, or an array of them such as a JWT's `aud`) names a URL other than
/// `v`, spelling aside: a trailing slash, the case of the scheme and host, a default port. An
/// audience that is this resource written another way is not another audience. Nothing there
/// (an opaque token) does not hold either.
pub fn excludes_url(v: &Value, value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    let v = template_value(v, ctx.vars)?;
    let expected = format!("names no URL that is {}, however written", show(Some(&v)));
    let canonical = |s: &str| match ::url::Url::parse(s) {
        Ok(u) => u.as_str().trim_end_matches('/').to_string(),
        Err(_) => s.trim_end_matches('/').to_string(),
    };
    let target = canonical(v.as_str().unwrap_or_default());
    let names_target = |s: &str| canonical(s) == target;
    let names = match value {
        Some(Value::String(s)) => Some(names_target(s)),
        Some(Value::Array(items)) => Some(items.iter().filter_map(Value::as_str).any(names_target)),
        _ => None,
    };
    held(names == Some(false), expected, value)
}

/// Whether `prefix` names `full` or one of its ancestors: same origin, no query or fragment, and
/// a path that ends at a segment boundary of `full`'s path.
fn is_path_prefix(prefix: &str, full: &str) -> bool {
    if prefix == full {
        return true;
    }
    let (Ok(p), Ok(f)) = (::url::Url::parse(prefix), ::url::Url::parse(full)) else {
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

    #[test]
    fn another_audience_is_one_that_names_another_url() {
        let vars = std::collections::BTreeMap::new();
        let ctx = EvalContext {
            vars: &vars,
            target_is_loopback: false,
        };
        let resource = Value::from("https://h/mcp");
        let excluded =
            |aud: Value| matches!(excludes_url(&resource, Some(&aud), &ctx), Ok(Check::Held));
        assert!(excluded(Value::from("https://other/mcp")));
        assert!(excluded(serde_json::json!([
            "https://h/other",
            "https://x/mcp"
        ])));
        assert!(excluded(Value::from("https://h/mcp2")));
        assert!(excluded(Value::from("https://h")));
        assert!(!excluded(Value::from("https://h/mcp")));
        assert!(!excluded(Value::from("https://h/mcp/")));
        assert!(!excluded(Value::from("HTTPS://H:443/mcp")));
        assert!(!excluded(serde_json::json!(["https://x", "https://h/mcp"])));
        assert!(matches!(
            excludes_url(&resource, None, &ctx),
            Ok(Check::Failed { .. })
        ));
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
