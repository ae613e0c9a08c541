//! How the MCP endpoint checks an access token, as a resource server apart
//! from the authorization server would: it knows only the JWK set published
//! at `jwks_uri` (here the very document that URL serves), picks the key by
//! the token's `kid`, and accepts ES256 alone (RFC 8725 §3.1). The JOSE work
//! is jsonwebtoken's; this module decides what to ask of it.
//!
//! Three mutants break it the way real resource servers have been broken:
//! `rs-ignores-kid` verifies a token under an unknown `kid` with the key the
//! token embeds, `rs-alg-confusion` verifies `HS256` tokens with the public
//! key as the HMAC secret, and `rs-trusts-jku` fetches keys from the URL the
//! token names.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::state::AppState;
use crate::{Mutant, Variant};

/// Longer tokens are refused unread: this server's are under 1 KiB.
pub(crate) const MAX_TOKEN_LEN: usize = 8 * 1024;
/// The most a `jku` fetch (only under `rs-trusts-jku`) reads.
const MAX_JKU_BODY: usize = 64 * 1024;

/// Why a token was refused, for the audit log (never the token itself).
pub(crate) type Reason = &'static str;

/// The verified claims of a token that passed every check but revocation,
/// which the caller looks up.
pub(crate) struct Verified {
    pub(crate) claims: Map<String, Value>,
}

/// Verifies `token`'s signature, algorithm, key, type, issuer, audience and
/// expiry. `check_audience` is false only under `rs-accepts-wrong-audience`.
pub(crate) async fn verify(
    state: &AppState,
    token: &str,
    check_audience: bool,
) -> Result<Verified, Reason> {
    if token.len() > MAX_TOKEN_LEN {
        return Err("the token is too long");
    }
    let header = header_object(token).ok_or("the token is not a compact JWS")?;
    // RFC 7515 §4.1.11: extensions listed in crit must be understood, and
    // this server understands none.
    if header.contains_key("crit") {
        return Err("the token names critical header extensions");
    }
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kid = header.get("kid").and_then(Value::as_str);
    let (key, algorithm) = match alg {
        "HS256" if state.has(Mutant::RsAlgConfusion) => (
            DecodingKey::from_secret(state.keys.public_pem().as_bytes()),
            Algorithm::HS256,
        ),
        "ES256" => (es256_key(state, &header, kid).await?, Algorithm::ES256),
        _ => return Err("the token's algorithm is not ES256"),
    };
    // RFC 9068 §4: the resource server checks the type.
    let typ = header
        .get("typ")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !typ.eq_ignore_ascii_case("at+jwt") && !typ.eq_ignore_ascii_case("application/at+jwt") {
        return Err("the token is not typed at+jwt");
    }
    let mut validation = Validation::new(algorithm);
    validation.leeway = 0;
    validation.set_issuer(&[state.issuer().as_str()]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    if check_audience && state.is(Variant::DefaultAudienceSlash) {
        validation.set_audience(&[state.resource(), format!("{}/", state.resource())]);
    } else if check_audience {
        validation.set_audience(&[state.resource()]);
    } else {
        validation.validate_aud = false;
    }
    if state.has(Mutant::RsIgnoresSignature) {
        validation.insecure_disable_signature_validation();
    }
    jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .map(|data| Verified {
            claims: data.claims,
        })
        .map_err(|_| "the token's signature or claims are not valid")
}

/// The key for an ES256 token: the published key its `kid` names.
async fn es256_key(
    state: &AppState,
    header: &Map<String, Value>,
    kid: Option<&str>,
) -> Result<DecodingKey, Reason> {
    if state.has(Mutant::RsTrustsJku)
        && let Some(jku) = header.get("jku").and_then(Value::as_str)
    {
        let set = fetch_jku(jku).await.ok_or("the jku URL gave no JWK set")?;
        return key_by_kid(&set, kid).ok_or("no key in the jku set has the token's kid");
    }
    if let Some(key) = key_by_kid(&crate::metadata::jwks_document(state), kid) {
        return Ok(key);
    }
    if state.has(Mutant::RsIgnoresKid)
        && let Some(embedded) = header.get("jwk")
    {
        let jwk: Jwk = serde_json::from_value(embedded.clone())
            .map_err(|_| "the embedded key does not parse")?;
        return DecodingKey::from_jwk(&jwk).map_err(|_| "the embedded key is not usable");
    }
    Err("the token's kid names no published key")
}

/// The signing key named `kid` in a JWK set document. Each key is read on
/// its own, so one this library cannot read (or a malformed one) spoils
/// nothing but itself; a set that is not an object with a `keys` array
/// yields no key.
pub(crate) fn key_by_kid(set: &Value, kid: Option<&str>) -> Option<DecodingKey> {
    let kid = kid?;
    let keys = set.get("keys")?.as_array()?;
    let jwk = keys
        .iter()
        .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid))?;
    if jwk
        .get("use")
        .and_then(Value::as_str)
        .is_some_and(|u| u != "sig")
    {
        return None;
    }
    let jwk: Jwk = serde_json::from_value(jwk.clone()).ok()?;
    DecodingKey::from_jwk(&jwk).ok()
}

/// The decoded JOSE header, if `token` has the three parts of a compact JWS.
pub(crate) fn header_object(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let bytes = URL_SAFE_NO_PAD.decode(header).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Under `rs-trusts-jku` only: GETs a JWK set from a plain-http loopback
/// URL (the fault is shown without ever reaching beyond this machine), with
/// a short timeout and a size cap.
async fn fetch_jku(jku: &str) -> Option<Value> {
    let url = url::Url::parse(jku).ok()?;
    let loopback = match url.host()? {
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
        url::Host::Domain(d) => d == "localhost",
    };
    if url.scheme() != "http" || !loopback {
        return None;
    }
    let addr = (url.host_str()?.trim_matches(['[', ']']), url.port()?);
    let fetch = async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        let request = format!(
            "GET {} HTTP/1.0\r\nHost: {}\r\nConnection: close\r\n\r\n",
            url.path(),
            url.authority()
        );
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut raw = Vec::new();
        stream
            .take(MAX_JKU_BODY as u64)
            .read_to_end(&mut raw)
            .await
            .ok()?;
        Some(raw)
    };
    let raw = tokio::time::timeout(Duration::from_secs(2), fetch)
        .await
        .ok()??;
    let start = raw.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    serde_json::from_slice(raw.get(start..)?).ok()
}
