//! Minimal compact JWS helpers: HS256 signing of the discovery documents,
//! HS256 access tokens (signed and verified with the authorization server's
//! key), and recognising unsecured (`alg: none`) JWTs.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;

pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Signs the discovery documents. It lives for the whole process; nothing
/// outside the process verifies it, so it only needs to be unguessable.
fn metadata_key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(rand::random)
}

/// Signs access tokens. Kept apart from the metadata key so that a signed
/// metadata document can never pass for an access token.
fn access_token_key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(rand::random)
}

/// Serialises `claims` as an HS256 compact JWS under the metadata key.
pub(crate) fn sign_hs256(claims: &Value) -> String {
    sign(
        &json!({"alg": "HS256", "typ": "JWT"}),
        claims,
        metadata_key(),
    )
}

/// Serialises `claims` as an RFC 9068-style access token (`typ: at+jwt`).
pub(crate) fn sign_access_token(claims: &Value) -> String {
    sign(
        &json!({"alg": "HS256", "typ": "at+jwt"}),
        claims,
        access_token_key(),
    )
}

fn sign(header: &Value, claims: &Value, key: &[u8]) -> String {
    let signing_input = signing_input(header, claims);
    format!("{signing_input}.{}", b64url(&mac(key, &signing_input)))
}

fn mac(key: &[u8], signing_input: &str) -> Vec<u8> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(signing_input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC accepts keys of any length, so this arm is unreachable; an
        // empty signature is still a well-formed (if unverifiable) JWS.
        Err(_) => Vec::new(),
    }
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

/// A compact JWS split into its parts; nothing about it is verified yet.
#[derive(Debug)]
pub(crate) struct Jwt<'a> {
    pub(crate) header: Map<String, Value>,
    pub(crate) claims: Map<String, Value>,
    signing_input: &'a str,
    signature: Vec<u8>,
}

impl Jwt<'_> {
    pub(crate) fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    pub(crate) fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// True when the signature is a valid HS256 MAC under the access-token
    /// key. The comparison is constant-time (`verify_slice`).
    pub(crate) fn signed_by_authorization_server(&self) -> bool {
        match Hmac::<Sha256>::new_from_slice(access_token_key()) {
            Ok(mut mac) => {
                mac.update(self.signing_input.as_bytes());
                mac.verify_slice(&self.signature).is_ok()
            }
            Err(_) => false,
        }
    }
}

/// Splits and decodes a compact JWS (three base64url parts whose first two
/// are JSON objects). Returns `None` for anything else.
pub(crate) fn decode(token: &str) -> Option<Jwt<'_>> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (header, claims) = signing_input.split_once('.')?;
    if claims.contains('.') {
        return None;
    }
    let header = decode_object(header)?;
    let claims = decode_object(claims)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    Some(Jwt {
        header,
        claims,
        signing_input,
        signature,
    })
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
        assert!(!is_unsecured_jwt(&sign_hs256(&claims)));
        assert!(!is_unsecured_jwt("garbage"));
        assert!(!is_unsecured_jwt("...."));
        assert!(!is_unsecured_jwt("\u{e9}.\u{e9}"));
    }

    #[test]
    fn access_tokens_verify_only_under_their_own_key() {
        let claims = json!({"sub": "x"});
        let token = sign_access_token(&claims);
        let jwt = decode(&token).expect("decodes");
        assert_eq!(jwt.alg(), Some("HS256"));
        assert_eq!(jwt.header.get("typ"), Some(&json!("at+jwt")));
        assert!(jwt.signed_by_authorization_server());

        let metadata = sign_hs256(&claims);
        let jwt = decode(&metadata).expect("decodes");
        assert!(!jwt.signed_by_authorization_server());

        let mut tampered = token.clone();
        tampered.push('A');
        assert!(decode(&tampered).is_none_or(|j| !j.signed_by_authorization_server()));
        for bad in ["", ".", "..", "a.b.c", "a.b.c.d", "\u{e9}.\u{e9}.\u{e9}"] {
            assert!(decode(bad).is_none(), "{bad:?}");
        }
    }
}
