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
}
