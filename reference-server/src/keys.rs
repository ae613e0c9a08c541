//! The authorization server's signing key: an ES256 (P-256) key pair made
//! when the server starts, used for access tokens and signed metadata, and
//! published as a JWK set at `jwks_uri`. A restart makes a new key under a new
//! `kid`, so tokens from an earlier run are refused.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};

/// The DER prefix of a P-256 SubjectPublicKeyInfo, before the 65-byte point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

pub(crate) struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    /// The public point's coordinates, base64url.
    x: String,
    y: String,
    /// The public key as SubjectPublicKeyInfo PEM (only the
    /// `rs-alg-confusion` mutant uses it, as an HMAC secret).
    public_pem: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh P-256 key pair. `None` only if the system's random source fails.
    pub(crate) fn generate() -> Option<Self> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).ok()?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .ok()?;
        let point = pair.public_key().as_ref();
        // An uncompressed point: 0x04, then x and y (32 bytes each).
        let (x, y) = point.get(1..33).zip(point.get(33..65))?;
        let mut spki = P256_SPKI_PREFIX.to_vec();
        spki.extend_from_slice(point);
        let kid_bytes: [u8; 9] = rand::random();
        Some(SigningKey {
            kid: format!("as-{}", URL_SAFE_NO_PAD.encode(kid_bytes)),
            encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
            x: URL_SAFE_NO_PAD.encode(x),
            y: URL_SAFE_NO_PAD.encode(y),
            public_pem: pem("PUBLIC KEY", &spki),
        })
    }

    pub(crate) fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// The public key as a JWK (RFC 7518 §6.2).
    pub(crate) fn public_jwk(&self) -> Value {
        json!({
            "kty": "EC",
            "crv": "P-256",
            "use": "sig",
            "alg": "ES256",
            "kid": self.kid,
            "x": self.x,
            "y": self.y,
        })
    }

    /// The claims of a token this key signed (type and expiry unchecked: the
    /// authorization server also revokes tokens that have expired).
    pub(crate) fn verify(&self, token: &str) -> Option<serde_json::Map<String, Value>> {
        let key = DecodingKey::from_ec_components(&self.x, &self.y).ok()?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_aud = false;
        jsonwebtoken::decode(token, &key, &validation)
            .ok()
            .map(|data| data.claims)
    }

    /// Signs `claims` as a compact ES256 JWS with this key's `kid` and the
    /// given `typ` (`at+jwt` for access tokens, RFC 9068 §2.1).
    pub(crate) fn sign(&self, typ: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some(typ.to_owned());
        header.kid = Some(self.kid.clone());
        // Signing with a valid P-256 key cannot fail; an empty string is
        // still refused by every verifier, should it ever happen.
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap_or_default()
    }
}

#[cfg(test)]
impl SigningKey {
    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    /// Signs `claims` under any header at all, for tests that need a token
    /// this key really signed but whose header is wrong.
    pub(crate) fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature =
            jsonwebtoken::crypto::sign(input.as_bytes(), &self.encoding, Algorithm::ES256)
                .unwrap_or_default();
        format!("{input}.{signature}")
    }
}

/// PEM armour (RFC 7468): base64 in lines of 64 characters.
fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_under_the_published_key_only() {
        let key = SigningKey::generate().expect("key");
        let other = SigningKey::generate().expect("key");
        assert_ne!(key.kid(), other.kid());
        let token = key.sign(
            "at+jwt",
            &json!({"sub": "x", "aud": "https://rs.example/mcp", "exp": 4102444800u64}),
        );
        let header = jsonwebtoken::decode_header(&token).expect("header");
        assert_eq!(header.alg, Algorithm::ES256);
        assert_eq!(header.kid.as_deref(), Some(key.kid()));
        let jwk: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(key.public_jwk()).expect("jwk parses");
        let decoding = DecodingKey::from_jwk(&jwk).expect("decoding key");
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&["https://rs.example/mcp"]);
        assert!(jsonwebtoken::decode::<Value>(&token, &decoding, &validation).is_ok());
        let jwk: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(other.public_jwk()).expect("jwk parses");
        let wrong = DecodingKey::from_jwk(&jwk).expect("decoding key");
        assert!(jsonwebtoken::decode::<Value>(&token, &wrong, &validation).is_err());
        assert!(key.verify(&token).is_some());
        assert!(other.verify(&token).is_none());
        assert!(key.public_pem().starts_with("-----BEGIN PUBLIC KEY-----\n"));
    }
}
