//! Reading a predicate's argument from a suite file.

use regex::Regex;
use serde_json::Value;

/// The inclusive range of `between` and `not_between`.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub lo: f64,
    pub hi: f64,
}

const JSON_TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "array", "object", "null",
];

/// A predicate without argument is written `keyword: true`.
pub fn flag(keyword: &str, arg: &Value) -> Result<(), String> {
    match arg {
        Value::Bool(true) => Ok(()),
        _ => Err(format!("`{keyword}` takes `true`")),
    }
}

pub fn value(_keyword: &str, arg: &Value) -> Result<Value, String> {
    Ok(arg.clone())
}

pub fn list(keyword: &str, arg: &Value) -> Result<Vec<Value>, String> {
    match arg {
        Value::Array(a) => Ok(a.clone()),
        _ => Err(format!("`{keyword}` takes a list")),
    }
}

pub fn exists(_keyword: &str, arg: &Value) -> Result<bool, String> {
    match arg {
        Value::Bool(b) => Ok(*b),
        _ => Err("`exists` takes `true` or `false`".into()),
    }
}

pub fn json_type(_keyword: &str, arg: &Value) -> Result<String, String> {
    match arg.as_str() {
        Some(t) if JSON_TYPES.contains(&t) => Ok(t.to_string()),
        _ => Err(format!("`type` takes one of {}", JSON_TYPES.join(", "))),
    }
}

pub fn regex(keyword: &str, arg: &Value) -> Result<Regex, String> {
    let src = arg
        .as_str()
        .ok_or(format!("`{keyword}` takes a regular expression string"))?;
    Regex::new(src).map_err(|e| format!("invalid regular expression: {e}"))
}

/// A list of member names.
pub fn names(keyword: &str, arg: &Value) -> Result<Vec<String>, String> {
    list(keyword, arg)?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or(format!("`{keyword}` takes a list of member names"))
        })
        .collect()
}

/// The name of a schema shipped in `fixtures/schemas/`.
pub fn schema_name(keyword: &str, arg: &Value) -> Result<String, String> {
    let name = arg
        .as_str()
        .ok_or(format!("`{keyword}` takes a schema name"))?;
    if crate::checks::schema(name).is_none() {
        let names: Vec<&str> = crate::checks::SCHEMAS.iter().map(|(n, _)| *n).collect();
        return Err(format!(
            "unknown schema `{name}` (schemas: {})",
            names.join(", ")
        ));
    }
    Ok(name.into())
}

pub fn bounds(keyword: &str, arg: &Value) -> Result<Bounds, String> {
    let bounds: Vec<f64> = list(keyword, arg)?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    let [lo, hi] = bounds[..] else {
        return Err(format!("`{keyword}` takes two numbers, [LOW, HIGH]"));
    };
    Ok(Bounds { lo, hi })
}
