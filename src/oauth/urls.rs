//! URL rules: what counts as loopback, and which URLs an OAuth party may advertise.

use std::net::IpAddr;

use url::{Host, Url};

/// True for `localhost`, 127.0.0.0/8 and ::1.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// True for link-local and cloud-metadata addresses, which the harness never follows to.
pub fn is_link_local_or_metadata(url: &Url) -> bool {
    let ip: Option<IpAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => Some(ip.into()),
        Some(Host::Ipv6(ip)) => Some(ip.into()),
        Some(Host::Domain(d)) => {
            return d.eq_ignore_ascii_case("metadata.google.internal");
        }
        None => None,
    };
    match ip {
        Some(IpAddr::V4(v4)) => v4.is_link_local() || v4.octets() == [100, 100, 100, 200],
        Some(IpAddr::V6(v6)) => (v6.segments()[0] & 0xffc0) == 0xfe80,
        None => false,
    }
}

/// True for private-network addresses (RFC 1918, CGNAT, IPv6 unique-local) and the unspecified
/// address, which a public target has no business sending the harness to.
pub fn is_private(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => {
            let o = ip.octets();
            ip.is_private()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        Some(Host::Ipv6(ip)) => {
            ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_private() || v4.is_link_local())
        }
        _ => false,
    }
}

/// Why an advertised URL is not acceptable, if it is not.
///
/// OAuth 2.1 §1.5 wants https everywhere; plain http is tolerated only on loopback and only
/// when the target itself is on loopback (a local test setup), so a remote server can never pass
/// with http URLs.
pub fn secure_url_problem(raw: &str, target_is_loopback: bool) -> Option<String> {
    let url = match Url::parse(raw) {
        Ok(u) => u,
        Err(e) => return Some(format!("`{raw}` is not an absolute URL ({e})")),
    };
    if url.fragment().is_some() {
        return Some(format!("`{raw}` has a fragment"));
    }
    match url.scheme() {
        "https" => None,
        "http" if is_loopback(&url) && target_is_loopback => None,
        "http" if is_loopback(&url) => Some(format!(
            "`{raw}` uses plain http on loopback for a non-loopback target"
        )),
        "http" => Some(format!("`{raw}` uses plain http")),
        other => Some(format!("`{raw}` uses the `{other}` scheme, not https")),
    }
}

/// Parameters that name a credential: never in a URL a server sends a browser or client to.
/// (`id_token` is meant for the browser in some flows, and `code` is the point of a redirect.)
pub const CREDENTIAL_PARAMS: &[&str] = &[
    "access_token",
    "refresh_token",
    "client_secret",
    "code_verifier",
];

/// What marks a value the run knew as a secret in a recorded (redacted) text; see
/// `http::redact::marker`.
const SECRET_MARKER: &str = "[redacted:";

/// Credentials in a URL as the transcript recorded it (redacted): a query or fragment parameter
/// that names one ([`CREDENTIAL_PARAMS`]), or a value the run held as a secret (a token, a
/// client secret, a code verifier, a `--secret`), which the record shows as its marker,
/// anywhere but in `code` and `id_token`. Each fault says where; none for a clean URL.
pub fn credentials_in_url(recorded: &str) -> Vec<String> {
    let (rest, fragment) = match recorded.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (recorded, None),
    };
    let (base, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let mut faults = Vec::new();
    if base.contains(SECRET_MARKER) {
        faults.push("a secret the run holds is in the URL's path".to_string());
    }
    for (part, text) in [("query", query), ("fragment", fragment)] {
        for (k, v) in url::form_urlencoded::parse(text.unwrap_or_default().as_bytes()) {
            if CREDENTIAL_PARAMS.iter().any(|c| c.eq_ignore_ascii_case(&k)) {
                faults.push(format!("the {part} carries {k}"));
            } else if v.contains("://") {
                // A URL inside (a login page's return address): judged by the same rules.
                faults.extend(
                    credentials_in_url(&v)
                        .into_iter()
                        .map(|f| format!("in the {part} parameter {k}, {f}")),
                );
            } else if !matches!(k.to_ascii_lowercase().as_str(), "code" | "id_token")
                && (v.contains(SECRET_MARKER) || k.contains(SECRET_MARKER))
            {
                faults.push(format!(
                    "a secret the run holds is in the {part} parameter {k}"
                ));
            }
        }
    }
    faults
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_urls() {
        assert_eq!(secure_url_problem("https://a.example/x", false), None);
        assert_eq!(secure_url_problem("http://127.0.0.1:8/x", true), None);
        assert!(secure_url_problem("http://127.0.0.1:8/x", false).is_some());
        assert!(secure_url_problem("http://a.example/x", true).is_some());
        assert!(secure_url_problem("https://a.example/x#f", true).is_some());
        assert!(secure_url_problem("/relative", true).is_some());
    }

    #[test]
    fn special_addresses() {
        let u = Url::parse("http://169.254.169.254/latest").expect("url");
        assert!(is_link_local_or_metadata(&u));
        let u = Url::parse("http://localhost:3000/").expect("url");
        assert!(is_loopback(&u));
        for private in [
            "https://10.1.2.3/",
            "https://192.168.0.1/",
            "https://[fd00::1]/",
        ] {
            assert!(is_private(&Url::parse(private).expect("url")), "{private}");
        }
        assert!(!is_private(&Url::parse("https://8.8.8.8/").expect("url")));
    }

    #[test]
    fn credentials_in_recorded_urls() {
        let clean = "https://c.example/cb?code=[redacted:1a2b3c]&state=xyz&iss=https%3A%2F%2Fas";
        assert!(credentials_in_url(clean).is_empty());
        assert!(credentials_in_url("https://c.example/cb#id_token=[redacted:1a2b3c]").is_empty());
        let leaked = "https://c.example/cb?code=[redacted:1a2b3c]&access_token=[redacted:445566]";
        assert_eq!(
            credentials_in_url(leaked),
            ["the query carries access_token"]
        );
        let fragment = "https://c.example/cb#Refresh_Token=abc";
        assert_eq!(
            credentials_in_url(fragment),
            ["the fragment carries Refresh_Token"]
        );
        let described = "https://c.example/cb?error=invalid_request&error_description=secret%20%5Bredacted%3Aabcdef%5D";
        assert_eq!(
            credentials_in_url(described),
            ["a secret the run holds is in the query parameter error_description"]
        );
        assert_eq!(
            credentials_in_url("https://as/[redacted:abcdef]/x").len(),
            1
        );
    }
}
