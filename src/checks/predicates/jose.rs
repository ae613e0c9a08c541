//! Predicates on JOSE objects: signed JWTs and JWK Sets.

use base64::Engine;
use serde_json::Value;

use super::{Verdict, fail};
use crate::checks::{Check, EvalContext, show};

pub fn signed_jwt(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let Some(jwt) = value.and_then(Value::as_str) else {
        return fail("a JWT string", show(value));
    };
    match jwt_problem(jwt) {
        None => Ok(Check::Held),
        Some(p) => fail(
            "a JWS-signed JWT (alg not none, signature present) with an iss claim and no nested signed_metadata",
            p,
        ),
    }
}

pub fn jwks_use_when_mixed(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let keys = value.and_then(|v| v.get("keys")).and_then(Value::as_array);
    let Some(keys) = keys else {
        return fail("a JWK Set with a keys array", show(value));
    };
    let purposes: Vec<Option<&str>> = keys.iter().map(key_purpose).collect();
    let mixed = purposes.contains(&Some("sig")) && purposes.contains(&Some("enc"));
    let without_use: Vec<String> = keys
        .iter()
        .filter(|k| k.get("use").is_none())
        .map(|k| {
            k.get("kid")
                .and_then(Value::as_str)
                .unwrap_or("(no kid)")
                .to_string()
        })
        .collect();
    if mixed && !without_use.is_empty() {
        fail(
            "`use` on every key, since the set mixes signing and encryption keys",
            format!("keys without `use`: {}", without_use.join(", ")),
        )
    } else {
        Ok(Check::Held)
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
