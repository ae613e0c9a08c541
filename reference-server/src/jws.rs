//! Minimal compact JWS helpers: HS256 signing of the protected resource
//! metadata and recognising unsecured (`alg: none`) JWTs.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The signing key lives for the whole process; nothing outside the process
/// verifies it, so it only needs to be unguessable, not persistent.
fn hmac_key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(rand::random)
}

/// Serialises `claims` as an HS256 compact JWS.
pub(crate) fn sign_hs256(claims: &Value) -> String {
    let signing_input = signing_input(&json!({"alg": "HS256", "typ": "JWT"}), claims);
    let signature = match Hmac::<Sha256>::new_from_slice(hmac_key()) {
        Ok(mut mac) => {
            mac.update(signing_input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC accepts keys of any length, so this arm is unreachable; an
        // empty signature is still a well-formed (if unverifiable) JWS.
        Err(_) => Vec::new(),
    };
    format!("{signing_input}.{}", b64url(&signature))
}

/// Serialises `claims` as an unsecured JWT (`alg: none`, empty signature).
pub(crate) fn unsecured(claims: &Value) -> String {
    let signing_input = signing_input(&json!({"alg": "none", "typ": "JWT"}), claims);
    format!("{signing_input}.")
}

fn signing_input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    )
}

/// True when `token` looks like a compact JWT whose header declares `alg: none`.
pub(crate) fn is_unsecured_jwt(token: &str) -> bool {
    let mut parts = token.split('.');
    let (Some(header), Some(_payload)) = (parts.next(), parts.next()) else {
        return false;
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(header.trim_end_matches('=')) else {
        return false;
    };
    let Ok(Value::Object(header)) = serde_json::from_slice::<Value>(&bytes) else {
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
        assert!(!is_unsecured_jwt(&sign_hs256(&claims)));
        assert!(!is_unsecured_jwt("garbage"));
        assert!(!is_unsecured_jwt("...."));
        assert!(!is_unsecured_jwt("\u{e9}.\u{e9}"));
    }
}
