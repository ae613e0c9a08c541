//! Predicates against the JSON Schemas shipped in `fixtures/schemas/`.

use serde_json::Value;

use super::{Verdict, fail, none_found};
use crate::checks::{Check, EvalContext};

pub fn schema(name: &str, value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let Some((_, validator)) = crate::checks::schema(name) else {
        return Err(format!("unknown schema `{name}`"));
    };
    let Some(v) = value else {
        return fail(
            format!("a document valid against the {name} schema"),
            "absent",
        );
    };
    let errors: Vec<String> = validator
        .iter_errors(v)
        .take(5)
        .map(|e| {
            let at = e.instance_path().as_str().to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("{at}: {e}")
            }
        })
        .collect();
    none_found(
        &errors,
        format!("a document valid against fixtures/schemas/{name}.schema.json"),
        "",
        "; ",
    )
}

pub fn known_members(name: &str, value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let Some((schema, _)) = crate::checks::schema(name) else {
        return Err(format!("unknown schema `{name}`"));
    };
    let known = schema.get("properties").and_then(Value::as_object);
    let patterns: Vec<regex::Regex> = schema
        .get("patternProperties")
        .and_then(Value::as_object)
        .map(|m| m.keys().filter_map(|k| regex::Regex::new(k).ok()).collect())
        .unwrap_or_default();
    let unknown: Vec<String> = match value {
        Some(Value::Object(m)) => m
            .keys()
            .filter(|k| {
                !known.is_some_and(|p| p.contains_key(k.as_str()))
                    && !patterns.iter().any(|r| r.is_match(k))
            })
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    if unknown.is_empty() {
        Ok(Check::Held)
    } else {
        Ok(Check::Info(format!(
            "members outside the {name} schema (information only): {}",
            unknown.join(", ")
        )))
    }
}
