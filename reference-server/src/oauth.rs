//! Building blocks shared by the authorization server endpoints: request
//! parameter parsing (RFC 6749 §3.1), scope syntax (RFC 6749 §3.3), PKCE
//! strings (RFC 7636), resource indicators (RFC 8707), loopback redirect
//! URIs (RFC 8252 §7.3), random identifiers and OAuth JSON error bodies.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use url::Url;

use crate::jws::b64url;
use crate::responses;

/// Lifetime of an access token, in seconds.
pub(crate) const ACCESS_TOKEN_TTL: u64 = 3600;

/// `n` random bytes, base64url-encoded without padding.
pub(crate) fn random_string(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::fill(&mut bytes[..]);
    b64url(&bytes)
}

/// Seconds since the Unix epoch; a clock before 1970 counts as 0.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Compares secrets without leaking where they differ.
pub(crate) fn secrets_equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Decoded `application/x-www-form-urlencoded` parameters, in order.
///
/// RFC 6749 §3.1: parameters sent without a value are treated as if they
/// were omitted, so every accessor except [`Params::sent_empty`] skips
/// empty values. They are kept only so that a mutant can misread them.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub(crate) fn parse(input: &[u8]) -> Self {
        Self {
            pairs: url::form_urlencoded::parse(input)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    pub(crate) fn from_query(query: Option<&str>) -> Self {
        query.map_or_else(Self::default, |q| Self::parse(q.as_bytes()))
    }

    /// The parameters that count as sent: those with a value.
    fn present(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.present().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.present()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v)
            .collect()
    }

    pub(crate) fn is_repeated(&self, name: &str) -> bool {
        self.present().filter(|(k, _)| *k == name).count() > 1
    }

    /// RFC 6749 §3.1: parameters MUST NOT be included more than once;
    /// `resource` (RFC 8707) is the one that may repeat.
    pub(crate) fn repeated_parameter(&self) -> Option<&str> {
        self.present()
            .map(|(k, _)| k)
            .find(|k| *k != "resource" && self.is_repeated(k))
    }

    /// The first parameter (with a value) whose name is not in `known`.
    pub(crate) fn unknown_parameter(&self, known: &[&str]) -> Option<&str> {
        self.present().map(|(k, _)| k).find(|k| !known.contains(k))
    }

    /// Whether `name` was sent only with an empty value, which a correct
    /// server treats as absent.
    pub(crate) fn sent_empty(&self, name: &str) -> bool {
        self.get(name).is_none() && self.pairs.iter().any(|(k, _)| k == name)
    }
}

/// True when the request's media type (parameters ignored) is `wanted`.
pub(crate) fn has_media_type(headers: &HeaderMap, wanted: &str) -> bool {
    let mut values = headers.get_all(header::CONTENT_TYPE).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return false;
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(wanted))
}

pub(crate) const FORM: &str = "application/x-www-form-urlencoded";

/// The whole body, or `None` when it is larger than [`responses::BODY_LIMIT`]
/// (or the client went away, which never sees the answer anyway).
pub(crate) async fn read_body(body: Body) -> Option<Bytes> {
    to_bytes(body, responses::BODY_LIMIT).await.ok()
}

/// An RFC 6749 §5.2-style JSON error that must never be cached.
pub(crate) fn error_json(status: StatusCode, code: &str, description: &str) -> Response {
    let mut response = responses::json(
        status,
        &json!({"error": code, "error_description": description}),
    );
    no_store(&mut response);
    response
}

/// RFC 6749 §5.1: token-bearing responses must not be cached.
pub(crate) fn no_store(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// RFC 6749 §3.3 scope syntax: scope-tokens of %x21 / %x23-5B / %x5D-7E
/// separated by single spaces. Returns the tokens, duplicates removed.
pub(crate) fn parse_scope(scope: &str) -> Option<Vec<&str>> {
    let mut tokens: Vec<&str> = Vec::new();
    for token in scope.split(' ') {
        let valid = !token.is_empty()
            && token
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b));
        if !valid {
            return None;
        }
        if !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    Some(tokens)
}

/// The normalised scope string when every token is one the server supports.
pub(crate) fn supported_scope(scope: &str, supported: &[&str]) -> Option<String> {
    let tokens = parse_scope(scope)?;
    tokens
        .iter()
        .all(|t| supported.contains(t))
        .then(|| tokens.join(" "))
}

/// The supported tokens of a well-formed `scope`, the others dropped (RFC
/// 6749 §3.3 lets the server ignore part of the request); `None` when the
/// syntax is wrong or nothing is left.
pub(crate) fn known_scope(scope: &str, supported: &[&str]) -> Option<String> {
    let tokens = parse_scope(scope)?;
    let kept: Vec<&str> = tokens
        .into_iter()
        .filter(|t| supported.contains(t))
        .collect();
    (!kept.is_empty()).then(|| kept.join(" "))
}

/// The normalised `requested` scope when it is within `granted`.
pub(crate) fn scope_within(requested: &str, granted: &str) -> Option<String> {
    let tokens = parse_scope(requested)?;
    let granted: Vec<&str> = granted.split(' ').collect();
    tokens
        .iter()
        .all(|t| granted.contains(t))
        .then(|| tokens.join(" "))
}

/// RFC 7636 §4.1: 43–128 characters of `[A-Za-z0-9-._~]`, for both the
/// verifier and the (S256 or plain) challenge.
pub(crate) fn is_pkce_string(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))).
pub(crate) fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Why a resource indicator is refused (RFC 8707 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResourceProblem {
    NotAbsolute,
    Fragment,
}

/// RFC 8707 §2: an absolute URI without a fragment.
pub(crate) fn check_resource_syntax(raw: &str) -> Result<(), ResourceProblem> {
    if !raw.bytes().all(|b| (0x21..=0x7e).contains(&b)) || Url::parse(raw).is_err() {
        return Err(ResourceProblem::NotAbsolute);
    }
    if raw.contains('#') {
        return Err(ResourceProblem::Fragment);
    }
    Ok(())
}

/// RFC 3986 §6.2.2.1: scheme and host compare case-insensitively, the rest
/// exactly, so `/mcp/` and `/mcp?x` are other resources.
pub(crate) fn same_resource(raw: &str, resource: &str) -> bool {
    let (Some((scheme_a, rest_a)), Some((scheme_b, rest_b))) =
        (raw.split_once("://"), resource.split_once("://"))
    else {
        return raw == resource;
    };
    let split = |rest: &str| -> (String, String) {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        (authority.to_ascii_lowercase(), tail.to_owned())
    };
    scheme_a.eq_ignore_ascii_case(scheme_b) && split(rest_a) == split(rest_b)
}

/// Loopback hosts a native app may listen on (RFC 8252 §7.3).
pub(crate) const LOOPBACK_HOSTS: [&str; 3] = ["127.0.0.1", "[::1]", "localhost"];

/// For an `http` loopback URI, the URI with its port removed, compared
/// textually: RFC 8252 §7.3 lets the port vary and nothing else.
pub(crate) fn without_loopback_port(raw: &str) -> Option<String> {
    let rest = raw.strip_prefix("http://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let split = if authority.starts_with('[') {
        authority.find(']').map(|close| close + 1)
    } else {
        authority.find(':')
    };
    let (host, port) = authority.split_at(split.unwrap_or(authority.len()));
    if !valid_port_suffix(port) {
        return None;
    }
    LOOPBACK_HOSTS
        .contains(&host)
        .then(|| format!("http://{host}{tail}"))
}

fn valid_port_suffix(s: &str) -> bool {
    s.is_empty()
        || s.strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space
/// and `%XX` a byte; malformed escapes are kept literally.
pub(crate) fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(value) = hex {
                    out.push(value);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert_eq!(parse_scope("a b a"), Some(vec!["a", "b"]));
        assert_eq!(parse_scope("a  b"), None);
        assert_eq!(parse_scope(" a"), None);
        assert_eq!(parse_scope("a\"b"), None);
        assert_eq!(parse_scope(""), None);
        let supported = ["mcp:tools", "mcp:read"];
        assert_eq!(
            supported_scope("mcp:read mcp:tools", &supported).as_deref(),
            Some("mcp:read mcp:tools")
        );
        assert_eq!(supported_scope("mcp:admin", &supported), None);
        assert_eq!(
            known_scope("mcp:admin mcp:read", &supported).as_deref(),
            Some("mcp:read")
        );
        assert_eq!(known_scope("mcp:admin", &supported), None);
        assert_eq!(
            scope_within("mcp:read", "mcp:tools mcp:read").as_deref(),
            Some("mcp:read")
        );
        assert_eq!(scope_within("mcp:tools", "mcp:read"), None);
    }

    #[test]
    fn pkce() {
        // RFC 7636 Appendix B.
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(is_pkce_string(&"a".repeat(43)));
        assert!(!is_pkce_string(&"a".repeat(42)));
        assert!(!is_pkce_string(&"a".repeat(129)));
        assert!(!is_pkce_string(&format!("{}+", "a".repeat(43))));
    }

    #[test]
    fn resources() {
        let res = "http://127.0.0.1:8080/mcp";
        assert!(same_resource("HTTP://127.0.0.1:8080/mcp", res));
        assert!(!same_resource("http://127.0.0.1:8080/mcp/", res));
        assert!(!same_resource("http://127.0.0.1:8080/MCP", res));
        assert!(!same_resource("http://127.0.0.1:8081/mcp", res));
        assert!(!same_resource("mcp", res));
        assert_eq!(
            check_resource_syntax("mcp"),
            Err(ResourceProblem::NotAbsolute)
        );
        assert_eq!(
            check_resource_syntax("http://a/#x"),
            Err(ResourceProblem::Fragment)
        );
        assert_eq!(
            check_resource_syntax("http://a /"),
            Err(ResourceProblem::NotAbsolute)
        );
    }

    #[test]
    fn loopback_ports() {
        assert_eq!(
            without_loopback_port("http://127.0.0.1:5000/cb?a=1").as_deref(),
            Some("http://127.0.0.1/cb?a=1")
        );
        assert_eq!(
            without_loopback_port("http://[::1]:1/cb").as_deref(),
            Some("http://[::1]/cb")
        );
        assert_eq!(
            without_loopback_port("http://localhost").as_deref(),
            Some("http://localhost")
        );
        assert_eq!(without_loopback_port("http://127.0.0.1:x/cb"), None);
        assert_eq!(without_loopback_port("http://example.com:1/cb"), None);
        assert_eq!(without_loopback_port("https://127.0.0.1:1/cb"), None);
        assert_eq!(without_loopback_port("http://[::1/cb"), None);
    }

    #[test]
    fn form_decoding() {
        assert_eq!(form_decode("a+b%20c%3a%"), "a b c:%");
        assert_eq!(form_decode("%zz%4"), "%zz%4");
        assert_eq!(form_decode("%C3%A9"), "\u{e9}");
    }

    #[test]
    fn params() {
        let p = Params::parse(b"a=1&a=2&resource=x&resource=y&b=&c=3");
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert_eq!(p.all("resource"), vec!["x", "y"]);
        assert_eq!(p.repeated_parameter(), Some("a"));
        assert!(p.sent_empty("b"));
        assert!(!p.sent_empty("a"));
        assert!(!p.sent_empty("z"));
        assert_eq!(p.unknown_parameter(&["a", "resource"]), Some("c"));
        assert_eq!(p.unknown_parameter(&["a", "resource", "c"]), None);
        // An empty second value is no repetition: it counts as not sent.
        assert_eq!(Params::parse(b"a=1&a=").repeated_parameter(), None);
        assert_eq!(
            Params::parse(b"resource=x&resource=y").repeated_parameter(),
            None
        );
    }
}
