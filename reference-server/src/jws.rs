//! Minimal compact JWS helpers for unsecured (`alg: none`) JWTs: making them
//! (only mutants do) and recognising them. Signed tokens are jsonwebtoken's
//! work (see `keys` and `rs_jwt`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Serialises `claims` as an unsecured JWT (`alg: none`, empty signature).
pub(crate) fn unsecured(claims: &Value) -> String {
    let header = json!({"alg": "none", "typ": "JWT"});
    format!(
        "{}.{}.",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    )
}

/// A compact JWS split into its parts; nothing about it is verified.
#[derive(Debug)]
pub(crate) struct Jwt {
    pub(crate) claims: Map<String, Value>,
}

impl Jwt {
    pub(crate) fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }
}

/// Splits and decodes a compact JWS (three base64url parts whose first two
/// are JSON objects). Returns `None` for anything else.
pub(crate) fn decode(token: &str) -> Option<Jwt> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (header, claims) = signing_input.split_once('.')?;
    if claims.contains('.') {
        return None;
    }
    decode_object(header)?;
    let claims = decode_object(claims)?;
    URL_SAFE_NO_PAD.decode(signature).ok()?;
    Some(Jwt { claims })
}

fn decode_object(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    match serde_json::from_slice::<Value>(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// True when `token` looks like a compact JWT whose header declares `alg: none`.
pub(crate) fn is_unsecured_jwt(token: &str) -> bool {
    let mut parts = token.split('.');
    let (Some(header), Some(_payload)) = (parts.next(), parts.next()) else {
        return false;
    };
    let Some(header) = decode_object(header) else {
        return false;
    };
    header
        .get("alg")
        .and_then(Value::as_str)
        .is_some_and(|alg| alg.eq_ignore_ascii_case("none"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsecured_tokens_are_recognised() {
        let claims = json!({"sub": "x"});
        assert!(is_unsecured_jwt(&unsecured(&claims)));
        assert!(decode(&unsecured(&claims)).is_some());
        assert!(!is_unsecured_jwt("garbage"));
        assert!(!is_unsecured_jwt("...."));
        assert!(!is_unsecured_jwt("\u{e9}.\u{e9}"));
        for bad in ["", ".", "..", "a.b.c", "a.b.c.d", "\u{e9}.\u{e9}.\u{e9}"] {
            assert!(decode(bad).is_none(), "{bad:?}");
        }
    }
}
