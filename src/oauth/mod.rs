//! Protocol pieces shared by the steps and the checks: challenge parsing, well-known URL
//! construction, URL rules and deliberately mis-signed tokens. Pure functions; no I/O.

pub mod challenge;
pub mod cimd;
pub mod jose;
pub mod pkce;
pub mod urls;
pub mod wellknown;

use serde_json::Value;

/// A metadata member that holds an array of strings (`redirect_uris`, `scopes_supported`, …),
/// its strings in order; `None` when the member is absent or not an array.
pub fn string_list(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

/// The client authentication methods an authorization server's metadata lists; absent, the
/// RFC 8414 §2 default `client_secret_basic`.
pub fn token_auth_methods(meta: Option<&Value>) -> Vec<String> {
    string_list(meta.and_then(|m| m.get("token_endpoint_auth_methods_supported")))
        .unwrap_or_else(|| vec!["client_secret_basic".into()])
}

/// The protected resource's `scopes_supported`, space-separated as a `scope` parameter.
pub fn scopes_supported(prm: Option<&Value>) -> Option<String> {
    string_list(prm.and_then(|p| p.get("scopes_supported"))).map(|s| s.join(" "))
}

/// The scopes of several space-separated scope strings, each once, in the order first named.
pub fn scope_union<'a>(scopes: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut all: Vec<&str> = Vec::new();
    for one in scopes.into_iter().flat_map(str::split_ascii_whitespace) {
        if !all.contains(&one) {
            all.push(one);
        }
    }
    all
}

/// Whether an `error` or `error_description` value stays within RFC 6749 §5.2's characters:
/// %x20-21 / %x23-5B / %x5D-7E.
pub fn error_text_allowed(s: &str) -> bool {
    s.bytes()
        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

#[cfg(test)]
mod error_text_tests {
    use super::error_text_allowed as allowed;

    #[test]
    fn the_error_charset_is_rfc_6749s() {
        assert!(allowed("invalid_request: the code is unknown"));
        assert!(!allowed("quote \" inside"));
        assert!(!allowed("back\\slash"));
        assert!(!allowed("naïve"));
    }
}
