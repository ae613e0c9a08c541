//! Predicates on any value: presence, equality, membership, type, pattern and range.

use regex::Regex;
use serde_json::Value;

use super::arg::Bounds;
use super::{Verdict, fail, held, none_found};
use crate::checks::{Check, EvalContext, show, template_value};

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

pub fn exists_reading(want: bool) -> String {
    if want { "exists" } else { "is absent" }.into()
}

pub fn exists(want: &bool, value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    held(value.is_some() == *want, exists_reading(*want), value)
}

pub fn equals(v: &Value, value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    let v = template_value(v, ctx.vars)?;
    // An absent subject equals a captured null (a value that was absent too).
    let expected = if v.is_null() {
        "absent".to_string()
    } else {
        show(Some(&v))
    };
    held(value.unwrap_or(&Value::Null) == &v, expected, value)
}

pub fn not_equals(v: &Value, value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    let v = template_value(v, ctx.vars)?;
    let expected = format!("anything but {}", show(Some(&v)));
    held(value.is_some() && value != Some(&v), expected, value)
}

pub fn one_of(list: &[Value], value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    let list = list
        .iter()
        .map(|v| template_value(v, ctx.vars))
        .collect::<Result<Vec<_>, _>>()?;
    let ok = value.is_some_and(|x| list.contains(x));
    held(
        ok,
        format!("one of {}", show(Some(&Value::Array(list)))),
        value,
    )
}

pub fn is_type(t: &str, value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let ok = value.is_some_and(|v| {
        let actual = type_name(v);
        actual == t || (t == "number" && actual == "integer")
    });
    match value {
        Some(v) if !ok => fail(
            format!("a JSON {t}"),
            format!("a JSON {} {}", type_name(v), show(value)),
        ),
        _ => held(ok, format!("a JSON {t}"), value),
    }
}

pub fn non_empty(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let ok = match value {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    };
    held(ok, "a non-empty value", value)
}

pub fn contains(v: &Value, value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    contains_or_not(v, true, value, ctx)
}

pub fn not_contains(v: &Value, value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    contains_or_not(v, false, value, ctx)
}

/// An array holding the value, or a string holding the string; an absent subject contains
/// nothing, which `not_contains` accepts.
fn contains_or_not(v: &Value, want: bool, value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    let v = template_value(v, ctx.vars)?;
    let contains = match (value, &v) {
        (Some(Value::Array(a)), _) => a.contains(&v),
        (Some(Value::String(s)), Value::String(needle)) => s.contains(needle.as_str()),
        _ => false,
    };
    if value.is_none() && !want {
        return Ok(Check::Held);
    }
    let how = if want { "containing" } else { "not containing" };
    held(contains == want, format!("{how} {}", show(Some(&v))), value)
}

pub fn matches(re: &Regex, value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let ok = value
        .and_then(Value::as_str)
        .is_some_and(|s| re.is_match(s));
    held(ok, format!("matching /{}/", re.as_str()), value)
}

pub fn all_match(re: &Regex, value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let expected = format!("only values matching /{}/", re.as_str());
    let Some(Value::Array(items)) = value else {
        return fail(expected, show(value));
    };
    let odd: Vec<Value> = items
        .iter()
        .filter(|i| !i.as_str().is_some_and(|s| re.is_match(s)))
        .cloned()
        .collect();
    if odd.is_empty() {
        Ok(Check::Held)
    } else {
        fail(expected, show(Some(&Value::Array(odd))))
    }
}

pub fn subset_of(allowed: &[Value], value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let Some(Value::Array(items)) = value else {
        return fail("a JSON array", show(value));
    };
    let extra: Vec<String> = items
        .iter()
        .filter(|i| !allowed.contains(i))
        .map(|v| show(Some(v)))
        .collect();
    let expected = format!(
        "only values from {}",
        show(Some(&Value::Array(allowed.to_vec())))
    );
    none_found(&extra, expected, "also ", ", ")
}

/// Whether the subject is the value or an array containing it; `None` when absent.
fn is_or_holds(value: Option<&Value>, v: &Value) -> Option<bool> {
    Some(match value? {
        Value::Array(a) => a.contains(v),
        x => x == v,
    })
}

pub fn is_or_contains(v: &Value, value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    let v = template_value(v, ctx.vars)?;
    let expected = format!("{} or an array containing it", show(Some(&v)));
    held(is_or_holds(value, &v) == Some(true), expected, value)
}

pub fn excludes(v: &Value, value: Option<&Value>, ctx: &EvalContext<'_>) -> Verdict {
    let v = template_value(v, ctx.vars)?;
    let expected = format!("a value other than {}", show(Some(&v)));
    held(is_or_holds(value, &v) == Some(false), expected, value)
}

pub fn between_reading(b: &Bounds, inside: bool) -> String {
    let not = if inside { "" } else { "not " };
    format!("is {not}a number from {} to {}", b.lo, b.hi)
}

pub fn between(b: &Bounds, value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    between_or_not(b, true, value)
}

pub fn not_between(b: &Bounds, value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    between_or_not(b, false, value)
}

fn between_or_not(b: &Bounds, want: bool, value: Option<&Value>) -> Verdict {
    let inside = value
        .and_then(Value::as_f64)
        .is_some_and(|n| b.lo <= n && n <= b.hi);
    held(inside == want, between_reading(b, want), value)
}
