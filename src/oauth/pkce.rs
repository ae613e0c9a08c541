//! PKCE (RFC 7636): code verifiers, S256 challenges, and the deliberately invalid variants the
//! suites send to see whether a server refuses them.

use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};

/// The unreserved characters a verifier is made of (RFC 7636 §4.1).
const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// A fresh random verifier of `len` characters (43 to 128 for a valid one).
pub fn verifier(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| UNRESERVED[rng.random_range(0..UNRESERVED.len())] as char)
        .collect()
}

/// BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether a verifier has a valid length and charset.
pub fn is_valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len()) && v.bytes().all(|b| UNRESERVED.contains(&b))
}

/// A random opaque value (state, nonce) of 22 base64url characters.
pub fn random_token() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers() {
        let v = verifier(64);
        assert!(is_valid_verifier(&v));
        assert!(!is_valid_verifier(&verifier(42)));
        assert!(!is_valid_verifier("a b"));
    }
}
