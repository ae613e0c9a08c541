//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document) from the
//! client's side: the document authspec publishes, and the rules its URL must follow.
//!
//! Pure functions: `authspec client-metadata` prints [`document`], `--client-metadata-url` is
//! checked by [`check_document_url`], and the engine's document server builds on both.

use serde_json::{Value, json};
use url::Url;

/// The client name documents carry unless told otherwise.
pub const DEFAULT_NAME: &str = "authspec conformance probe";

/// The document for a public client at `client_id` (CIMD §4.1, MCP client registration §1.1:
/// `client_id`, `client_name` and `redirect_uris` at least; no shared-secret authentication).
pub fn document(client_id: &str, redirect_uris: &[String], name: &str) -> Value {
    json!({
        "client_id": client_id,
        "client_name": name,
        "redirect_uris": redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
    })
}

/// CIMD §3: a client identifier URL uses https, has a path, and carries no fragment, no
/// credentials and no dot segments. Checked on the text as given, before any parsing that
/// would normalise it away.
pub fn check_document_url(raw: &str) -> Result<Url, String> {
    let lower = raw.to_ascii_lowercase();
    if !lower.starts_with("https://") {
        return Err(format!(
            "`{raw}` is not an https URL: a Client ID Metadata Document URL must use https (CIMD §3)"
        ));
    }
    if raw.contains('#') {
        return Err(format!(
            "`{raw}` has a fragment, which a client_id URL must not have"
        ));
    }
    let rest = &raw["https://".len()..];
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    if rest[..end].contains('@') {
        return Err(format!(
            "`{raw}` carries a username or password, which a client_id URL must not"
        ));
    }
    let after = &rest[end..];
    let path = &after[..after.find('?').unwrap_or(after.len())];
    if path.is_empty() || path == "/" {
        return Err(format!(
            "`{raw}` has no path: the document URL needs one (https://host/path/client.json)"
        ));
    }
    if path.split('/').any(|s| {
        let s = s.to_ascii_lowercase().replace("%2e", ".");
        s == "." || s == ".."
    }) {
        return Err(format!(
            "`{raw}` has . or .. path segments, which a client_id URL must not"
        ));
    }
    Url::parse(raw).map_err(|e| format!("`{raw}` is not a valid URL: {e}"))
}

/// Whether a document declares shared-secret client authentication (CIMD §4.1 forbids it).
pub fn declares_shared_secret(doc: &serde_json::Map<String, Value>) -> bool {
    doc.get("token_endpoint_auth_method")
        .and_then(Value::as_str)
        .is_some_and(|m| m.starts_with("client_secret"))
        || doc.contains_key("client_secret")
        || doc.contains_key("client_secret_expires_at")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_urls() {
        assert!(check_document_url("https://app.example.com/client.json").is_ok());
        assert!(check_document_url("https://app.example.com:8443/c?x=1").is_ok());
        for bad in [
            "http://app.example.com/client.json",
            "https://app.example.com",
            "https://app.example.com/",
            "https://app.example.com/c#x",
            "https://u:p@app.example.com/c",
            "https://app.example.com/a/../c",
            "https://app.example.com/a/%2E/c",
            "ftp://x/y",
        ] {
            assert!(check_document_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn document_has_the_required_members() {
        let d = document(
            "https://a.example/c.json",
            &["http://127.0.0.1:1/cb".into()],
            "n",
        );
        assert_eq!(d["client_id"], "https://a.example/c.json");
        assert_eq!(d["client_name"], "n");
        assert_eq!(d["redirect_uris"][0], "http://127.0.0.1:1/cb");
        assert!(!declares_shared_secret(
            d.as_object().unwrap_or(&Default::default())
        ));
    }
}
