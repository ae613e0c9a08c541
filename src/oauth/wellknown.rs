//! Well-known URL construction (RFC 9728 §3, RFC 8414 §3, OpenID Connect Discovery §4) and the
//! order in which each MCP revision tries them.

use url::Url;

use crate::vocab::SpecRevision;

pub const PRM_SUFFIX: &str = "oauth-protected-resource";
pub const OAUTH_AS_SUFFIX: &str = "oauth-authorization-server";
pub const OIDC_SUFFIX: &str = "openid-configuration";

/// Inserts `/.well-known/<suffix>` between the host and the path (RFC 9728 §3.1, RFC 8414 §3.1).
/// A path of just `/` counts as empty. Query and fragment are dropped.
pub fn path_inserted(identifier: &Url, suffix: &str) -> Url {
    // Only the slash right after the host goes (RFC 9728 §3.1, RFC 8414 §3.1); a trailing slash
    // on a longer path is part of the identifier.
    let path = if identifier.path() == "/" {
        ""
    } else {
        identifier.path()
    };
    at_path(identifier, &format!("/.well-known/{suffix}{path}"))
}

/// The well-known URL at the origin's root.
pub fn root(identifier: &Url, suffix: &str) -> Url {
    at_path(identifier, &format!("/.well-known/{suffix}"))
}

/// The identifier's origin with this path, and no query or fragment.
fn at_path(identifier: &Url, path: &str) -> Url {
    let mut url = identifier.clone();
    url.set_path(path);
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// OpenID Connect Discovery's own form: the suffix appended to the issuer's path.
pub fn path_appended(identifier: &Url, suffix: &str) -> Url {
    let mut url = identifier.clone();
    let path = identifier.path().trim_end_matches('/');
    url.set_path(&format!("{path}/.well-known/{suffix}"));
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// Reverses [`path_inserted`]: the identifier a metadata URL was derived from, if it is a
/// well-known URL of that suffix at all.
pub fn identifier_from_path_inserted(metadata_url: &Url, suffix: &str) -> Option<String> {
    let prefix = format!("/.well-known/{suffix}");
    let rest = metadata_url.path().strip_prefix(&prefix)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let mut id = metadata_url.clone();
    id.set_path(rest);
    id.set_query(None);
    id.set_fragment(None);
    let mut s = id.to_string();
    // Url always renders an empty path as "/"; the identifier of a root document has none.
    if rest.is_empty() && s.ends_with('/') {
        s.pop();
    }
    Some(s)
}

/// One candidate URL for authorization server metadata, with the name of its form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub url: Url,
    pub form: &'static str,
}

/// The AS metadata URLs an MCP client tries for `issuer`, in the revision's order.
///
/// 2025-06-18 uses RFC 8414 only. 2025-11-25 (and 2026-07-28, unchanged) adds OpenID Connect
/// Discovery: for an issuer with
/// a path, path-inserted OAuth, then path-inserted OIDC, then path-appended OIDC; without a
/// path, OAuth then OIDC.
pub fn as_metadata_candidates(issuer: &Url, rev: SpecRevision) -> Vec<Candidate> {
    let mut out = vec![Candidate {
        url: path_inserted(issuer, OAUTH_AS_SUFFIX),
        form: "RFC 8414 (path-inserted)",
    }];
    if rev == SpecRevision::V2025_06_18 {
        return out;
    }
    let has_path = !issuer.path().trim_end_matches('/').is_empty();
    out.push(Candidate {
        url: path_inserted(issuer, OIDC_SUFFIX),
        form: "OpenID Connect (path-inserted)",
    });
    if has_path {
        out.push(Candidate {
            url: path_appended(issuer, OIDC_SUFFIX),
            form: "OpenID Connect (path-appended)",
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn insertion_keeps_a_trailing_slash_after_a_path() {
        assert_eq!(
            path_inserted(&u("https://h.example/mcp/"), PRM_SUFFIX).as_str(),
            "https://h.example/.well-known/oauth-protected-resource/mcp/"
        );
    }

    #[test]
    fn insertion() {
        assert_eq!(
            path_inserted(&u("https://h.example/mcp"), PRM_SUFFIX).as_str(),
            "https://h.example/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            path_inserted(&u("https://h.example/"), PRM_SUFFIX).as_str(),
            "https://h.example/.well-known/oauth-protected-resource"
        );
        assert_eq!(
            path_appended(&u("https://h.example/t1"), OIDC_SUFFIX).as_str(),
            "https://h.example/t1/.well-known/openid-configuration"
        );
    }

    #[test]
    fn reverse() {
        let m = u("http://127.0.0.1:9/.well-known/oauth-protected-resource/mcp");
        assert_eq!(
            identifier_from_path_inserted(&m, PRM_SUFFIX).as_deref(),
            Some("http://127.0.0.1:9/mcp")
        );
        let m = u("http://127.0.0.1:9/.well-known/oauth-protected-resource");
        assert_eq!(
            identifier_from_path_inserted(&m, PRM_SUFFIX).as_deref(),
            Some("http://127.0.0.1:9")
        );
        let m = u("http://127.0.0.1:9/other");
        assert_eq!(identifier_from_path_inserted(&m, PRM_SUFFIX), None);
    }

    #[test]
    fn candidate_order() {
        let c = as_metadata_candidates(&u("https://a.example/t1"), SpecRevision::V2025_11_25);
        assert_eq!(c.len(), 3);
        assert!(
            c[2].url
                .as_str()
                .ends_with("/t1/.well-known/openid-configuration")
        );
        let c = as_metadata_candidates(&u("https://a.example"), SpecRevision::V2025_06_18);
        assert_eq!(c.len(), 1);
    }
}
