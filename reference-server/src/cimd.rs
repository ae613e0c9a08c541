//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, MCP 2025-11-25
//! and 2026-07-28 client registration §1): a `client_id` that is an https URL names a JSON
//! document describing the client, which this server fetches instead of a registration.
//!
//! A `client_id` enters from `/authorize`; [`resolve`] checks the URL's syntax before anything
//! else (https, a path, no fragment, no credentials, no dot segments), refuses hosts on
//! loopback, private, link-local or metadata addresses (SSRF, CIMD §6.5), fetches without
//! following redirects, within a short timeout and a 5 KB cap (§6.6), and validates the
//! document (JSON, `client_id` equal to the URL by simple string comparison, `redirect_uris`,
//! no shared-secret authentication). A good document is cached within the bounds its
//! Cache-Control gives (§4.4); an error never is. The client leaves as an ordinary public
//! [`Client`], also put in the store so that the token endpoint knows it.
//!
//! In test mode ([`crate::Config::cimd_loopback`]) a URL on the literal address `127.0.0.1`
//! may use http and is fetched: a harness serves its documents there. Variants widen the test
//! mode (`cimd-http-permitted`: http on any loopback name; `cimd-loopback-fetch`: https on
//! loopback too), add a trust policy (`cimd-allowlist`), a cache-lifetime floor
//! (`cimd-min-cache-lifetime`) or fetch before the syntax check (`cimd-fetch-then-validate`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Once;
use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::oauth::unix_now;
use crate::state::AppState;
use crate::store::Client;
use crate::{Mutant, Variant};

/// The largest document read (CIMD §6.6 recommends 5 KB).
pub(crate) const MAX_DOCUMENT: usize = 5 * 1024;
/// What `cimd-no-size-limit` reads instead: large enough to be no limit for any probe.
const NO_LIMIT: usize = 64 * 1024 * 1024;
/// A fetch that takes longer is abandoned (connection, headers and body together).
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
const DNS_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a document is kept without Cache-Control, and the most any header can ask for.
const DEFAULT_TTL: Duration = Duration::from_secs(300);
const MAX_TTL: Duration = Duration::from_secs(3600);
/// The least a document is kept under `cimd-min-cache-lifetime`, whatever its headers say.
const MIN_TTL_FLOOR: Duration = Duration::from_secs(60);

/// Whether a `client_id` asks to be treated as a metadata document URL.
pub(crate) fn is_url(client_id: &str) -> bool {
    let lower = client_id.get(..8).unwrap_or(client_id).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The host a consent page shows for a URL client_id (CIMD §6.4).
pub(crate) fn host_of(client_id: &str) -> Option<String> {
    if !is_url(client_id) {
        return None;
    }
    Url::parse(client_id)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
}

/// Resolves a URL client_id to a client; `Err` says why it cannot be used.
pub(crate) async fn resolve(
    state: &AppState,
    client_id: &str,
    requested_redirect: Option<&str>,
) -> Result<Client, String> {
    let mut client = match &state.config.cimd_sandbox {
        Some(sandbox) => {
            let outcome = in_sandbox(state, sandbox, client_id, requested_redirect).await;
            if let Err(why) = &outcome {
                sandbox.note(crate::CimdHandled {
                    client_id: client_id.to_owned(),
                    how: "refused".into(),
                    detail: Some(why.clone()),
                    redirect_uris: None,
                });
            }
            outcome?
        }
        None if state.is(Variant::CimdFetchThenValidate) => {
            fetch_then_validate(state, client_id, requested_redirect).await?
        }
        None => {
            let url = check_syntax(state, client_id)?;
            check_trusted_host(state, &url)?;
            let pinned = check_addresses(state, &url).await?;
            match state.cimd.cached(client_id) {
                Some(outcome) => outcome?,
                None => {
                    let fetched = fetch(state, &url, pinned).await;
                    settle(state, client_id, fetched, requested_redirect)?
                }
            }
        }
    };
    if state.has(Mutant::CimdDocumentIgnored) {
        return Err("the client is not registered with this server".into());
    }
    if state.has(Mutant::CimdAnyRedirectUri)
        && let Some(r) = requested_redirect
        && !client.redirect_uris.iter().any(|u| u == r)
    {
        client.redirect_uris.push(r.to_owned());
    }
    // The token endpoint looks clients up in the store.
    state.store.lock().insert_client(client.clone());
    Ok(client)
}

/// Resolution inside a sandbox (see [`crate::CimdSandbox`]): the form first, then a document
/// known in advance, a fetch, or acceptance on the form alone when no fetch can happen.
async fn in_sandbox(
    state: &AppState,
    sandbox: &crate::CimdSandbox,
    client_id: &str,
    requested_redirect: Option<&str>,
) -> Result<Client, String> {
    let url = check_syntax(state, client_id)?;
    let noted = |how: &str, detail: Option<String>, client: &Client| {
        sandbox.note(crate::CimdHandled {
            client_id: client_id.to_owned(),
            how: how.into(),
            detail,
            redirect_uris: (how != "accepted-by-form").then(|| client.redirect_uris.clone()),
        });
    };
    if let Some((_, body)) = sandbox.documents.iter().find(|(u, _)| u == client_id) {
        let (client, _) = validate(state, client_id, body.as_bytes(), requested_redirect)?;
        noted("supplied", None, &client);
        return Ok(client);
    }
    let unreachable = match check_addresses(state, &url).await {
        Ok(pinned) => match fetch(state, &url, pinned).await {
            Ok((body, _)) => {
                let (client, _) = validate(state, client_id, &body, requested_redirect)?;
                noted("fetched", None, &client);
                return Ok(client);
            }
            Err(why) => why,
        },
        Err(why) => why,
    };
    if !sandbox.accept_unreachable {
        return Err(unreachable);
    }
    let loopback = requested_redirect
        .and_then(|r| Url::parse(r).ok())
        .filter(|u| u.scheme() == "http")
        .and_then(|u| u.host_str().map(str::to_owned))
        .is_some_and(|h| h == "127.0.0.1" || h == "localhost" || h == "[::1]");
    if !loopback {
        return Err(format!(
            "{unreachable}; without the document only a loopback redirect URI is accepted"
        ));
    }
    let client = anonymous(client_id, requested_redirect);
    noted("accepted-by-form", Some(unreachable), &client);
    Ok(client)
}

/// The client hosts `cimd-allowlist` takes documents from.
const TRUSTED_HOSTS: &[&str] = &["clients.authspec.example"];

/// Under `cimd-allowlist`, a domain-based trust policy (MCP security considerations §7.3): a
/// document from any other host is refused before it is fetched.
fn check_trusted_host(state: &AppState, url: &Url) -> Result<(), String> {
    if !state.is(Variant::CimdAllowlist) {
        return Ok(());
    }
    match url.host_str() {
        Some(host) if TRUSTED_HOSTS.contains(&host) => Ok(()),
        _ => Err("the client_id host is not on this server's list of trusted client hosts".into()),
    }
}

/// Under `cimd-fetch-then-validate`: the URL is fetched first (its addresses checked as always),
/// and only then is its syntax checked; a bad identifier is refused all the same.
async fn fetch_then_validate(
    state: &AppState,
    client_id: &str,
    requested_redirect: Option<&str>,
) -> Result<Client, String> {
    let url =
        Url::parse(client_id).map_err(|e| format!("the client_id is not a valid URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("a client_id URL must use https".into());
    }
    if let Some(outcome) = state.cimd.cached(client_id) {
        return outcome;
    }
    let pinned = check_addresses(state, &url).await?;
    let fetched = fetch(state, &url, pinned).await;
    check_syntax(state, client_id)?;
    settle(state, client_id, fetched, requested_redirect)
}

/// What a fetch comes to: a validated client (cached within its lifetime) or why not.
fn settle(
    state: &AppState,
    client_id: &str,
    fetched: Result<(Vec<u8>, Duration), String>,
    requested_redirect: Option<&str>,
) -> Result<Client, String> {
    let (body, ttl) = match fetched {
        Ok(f) => f,
        Err(why) => {
            if state.has(Mutant::CimdIgnoresFetchFailure) {
                return Ok(anonymous(client_id, requested_redirect));
            }
            if state.has(Mutant::CimdCachesErrors) {
                state.cimd.keep(client_id, Err(why.clone()), MAX_TTL);
            }
            return Err(why);
        }
    };
    match validate(state, client_id, &body, requested_redirect) {
        Ok((client, logo)) => {
            state.cimd.set_logo(client_id, logo);
            state.cimd.keep(client_id, Ok(client.clone()), ttl);
            Ok(client)
        }
        Err(why) => {
            if state.has(Mutant::CimdCachesErrors) {
                state.cimd.keep(client_id, Err(why.clone()), MAX_TTL);
            }
            Err(why)
        }
    }
}

/// Under the mutants that go on without a usable document: a public client that may use the
/// redirect URI it asked for.
fn anonymous(client_id: &str, requested_redirect: Option<&str>) -> Client {
    Client {
        id: client_id.to_owned(),
        secret: None,
        registration_token: None,
        issued_at: unix_now(),
        redirect_uris: requested_redirect.into_iter().map(str::to_owned).collect(),
        grant_types: vec!["authorization_code".to_owned(), "refresh_token".to_owned()],
        response_types: vec!["code".to_owned()],
        auth_method: "none".to_owned(),
        client_name: None,
        scope: None,
    }
}

/// CIMD §3: checked on the string as sent, before any fetch (a URL parser would remove dot
/// segments and credentials' visibility).
fn check_syntax(state: &AppState, raw: &str) -> Result<Url, String> {
    let lower = raw.to_ascii_lowercase();
    let rest = raw.split_once("://").map(|(_, r)| r).unwrap_or_default();
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let after = &rest[authority_end..];
    let path = &after[..after.find(['?', '#']).unwrap_or(after.len())];
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    // Under `cimd-http-permitted` any host may use http here; the address check then admits
    // only loopback addresses for it.
    let on_test_loopback = state.config.cimd_loopback
        && lower.starts_with("http://")
        && (host_port == "127.0.0.1"
            || host_port.starts_with("127.0.0.1:")
            || state.is(Variant::CimdHttpPermitted));
    let https = lower.starts_with("https://");
    let any_http = state.has(Mutant::CimdFetchesHttp) && lower.starts_with("http://");
    if !(https || on_test_loopback || any_http) {
        return Err("a client_id URL must use https".into());
    }
    if raw.contains('#') && !state.has(Mutant::CimdAcceptsFragment) {
        return Err("a client_id URL must not have a fragment".into());
    }
    if authority.contains('@') && !state.has(Mutant::CimdAcceptsUserinfo) {
        return Err("a client_id URL must not carry a username or password".into());
    }
    if (path.is_empty() || path == "/") && !state.has(Mutant::CimdAcceptsNoPath) {
        return Err("a client_id URL must have a path".into());
    }
    let dot = |seg: &str| {
        let s = seg.to_ascii_lowercase().replace("%2e", ".");
        s == "." || s == ".."
    };
    if path.split('/').any(dot) && !state.has(Mutant::CimdAcceptsDotSegments) {
        return Err("a client_id URL must not contain . or .. path segments".into());
    }
    Url::parse(raw).map_err(|e| format!("the client_id is not a valid URL: {e}"))
}

/// CIMD §6.5: the addresses the server may connect to. An IP literal is checked as it is; a
/// name is resolved once and the fetch is pinned to what was checked (no DNS rebinding).
///
/// Test mode exempts plain-http URLs on loopback only: that is where a harness serves its
/// documents. An https URL on loopback is refused even then.
async fn check_addresses(state: &AppState, url: &Url) -> Result<Option<Vec<SocketAddr>>, String> {
    let careless = state.has(Mutant::CimdFetchesPrivateAddresses);
    let http = url.scheme() == "http";
    let test_loopback =
        state.config.cimd_loopback && (http || state.is(Variant::CimdLoopbackFetch));
    // Plain http is fetched only in the test mode, from loopback (unless a mutant says otherwise).
    let http_loopback_only = http && !careless && !state.has(Mutant::CimdFetchesHttp);
    let allowed = |ip: IpAddr| {
        if http_loopback_only {
            test_loopback && ip.is_loopback()
        } else {
            careless || is_public(ip) || (test_loopback && ip.is_loopback())
        }
    };
    let refuse = |ip: IpAddr| {
        Err(format!(
            "the client_id host is on a non-public address ({ip}), which this server does not fetch"
        ))
    };
    let port = url.port_or_known_default().unwrap_or(443);
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !allowed(IpAddr::V4(ip)) => refuse(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) if !allowed(IpAddr::V6(ip)) => refuse(IpAddr::V6(ip)),
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => Ok(None),
        Some(url::Host::Domain(name)) => {
            let lookup = tokio::net::lookup_host((name, port));
            let addrs: Vec<SocketAddr> = match tokio::time::timeout(DNS_TIMEOUT, lookup).await {
                Ok(Ok(a)) => a.collect(),
                Ok(Err(e)) => return Err(format!("the client_id host does not resolve: {e}")),
                Err(_) => return Err("resolving the client_id host timed out".into()),
            };
            if addrs.is_empty() {
                return Err("the client_id host has no address".into());
            }
            if let Some(bad) = addrs.iter().find(|a| !allowed(a.ip())) {
                return refuse(bad.ip());
            }
            Ok(Some(addrs))
        }
        None => Err("the client_id URL has no host".into()),
    }
}

/// Whether an address is on the public internet: not loopback, private, link-local (cloud
/// metadata lives there), shared, unspecified, multicast or documentation space.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

static CRYPTO: Once = Once::new();

/// Installs the TLS crypto provider the server's outgoing HTTP clients use, once.
pub(crate) fn ensure_crypto() {
    CRYPTO.call_once(|| {
        // Another component may have installed one already; either is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

fn http_client(
    state: &AppState,
    url: &Url,
    pinned: Option<&[SocketAddr]>,
) -> Result<reqwest::Client, String> {
    ensure_crypto();
    let redirects = if state.has(Mutant::CimdFollowsRedirects) {
        reqwest::redirect::Policy::limited(5)
    } else {
        reqwest::redirect::Policy::none()
    };
    let mut builder = reqwest::Client::builder()
        .redirect(redirects)
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(DNS_TIMEOUT)
        .user_agent("authspec-reference-server");
    if let (Some(addrs), Some(host)) = (pinned, url.host_str()) {
        builder = builder.resolve_to_addrs(host, addrs);
    }
    builder
        .build()
        .map_err(|e| format!("the fetch could not be set up: {e}"))
}

/// GETs the document: 200 only, no redirects, within the size cap. Returns the body and how
/// long it may be cached.
async fn fetch(
    state: &AppState,
    url: &Url,
    pinned: Option<Vec<SocketAddr>>,
) -> Result<(Vec<u8>, Duration), String> {
    let client = match pinned.as_deref() {
        Some(addrs) => http_client(state, url, Some(addrs))?,
        None => match state.cimd_client.get() {
            Some(c) => c.clone(),
            None => {
                let c = http_client(state, url, None)?;
                state.cimd_client.get_or_init(|| c).clone()
            }
        },
    };
    let cap = if state.has(Mutant::CimdNoSizeLimit) {
        NO_LIMIT
    } else {
        MAX_DOCUMENT
    };
    let mut response = client
        .get(url.clone())
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "fetching the document timed out".to_owned()
            } else {
                "the document could not be fetched".to_owned()
            }
        })?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(format!("the document URL answered HTTP {status}"));
    }
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(format!("the document is larger than {cap} bytes"));
    }
    let mut ttl = cache_ttl(state, &response);
    if state.is(Variant::CimdMinCacheLifetime) {
        ttl = ttl.max(MIN_TTL_FLOOR);
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > cap {
                    return Err(format!("the document is larger than {cap} bytes"));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(_) => return Err("reading the document failed or timed out".into()),
        }
    }
    Ok((body, ttl))
}

/// CIMD §4.4: how long a good document may be kept, from its Cache-Control, within this
/// server's bounds.
fn cache_ttl(state: &AppState, response: &reqwest::Response) -> Duration {
    if state.has(Mutant::CimdIgnoresCacheControl) {
        return MAX_TTL;
    }
    let directives: Vec<String> = response
        .headers()
        .get_all("cache-control")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|d| d.trim().to_ascii_lowercase())
        .collect();
    if directives.is_empty() {
        return DEFAULT_TTL;
    }
    if directives
        .iter()
        .any(|d| d == "no-store" || d == "no-cache")
    {
        return Duration::ZERO;
    }
    directives
        .iter()
        .find_map(|d| d.strip_prefix("max-age="))
        .and_then(|s| s.trim_matches('"').parse::<u64>().ok())
        .map(|s| Duration::from_secs(s).min(MAX_TTL))
        .unwrap_or(DEFAULT_TTL)
}

/// The document's members, checked (CIMD §4.1, MCP registration §1.1).
fn validate(
    state: &AppState,
    client_id: &str,
    body: &[u8],
    requested_redirect: Option<&str>,
) -> Result<(Client, Option<String>), String> {
    let lenient = state.has(Mutant::CimdAcceptsMalformedDocument);
    let doc: Value = match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => Value::Object(m),
        Ok(_) | Err(_) if lenient => return Ok((anonymous(client_id, requested_redirect), None)),
        Ok(_) => return Err("the document is not a JSON object".into()),
        Err(_) => return Err("the document is not valid JSON".into()),
    };
    let text = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_owned);
    match doc.get("client_id").and_then(Value::as_str) {
        None => return Err("the document has no client_id".into()),
        Some(id) if id != client_id && !state.has(Mutant::CimdClientIdUnchecked) => {
            return Err("the document's client_id differs from the URL it was fetched from".into());
        }
        Some(_) => {}
    }
    let strings = |k: &str| -> Option<Vec<String>> {
        doc.get(k)?
            .as_array()?
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let redirect_uris = match strings("redirect_uris") {
        Some(list)
            if !list.is_empty()
                && list
                    .iter()
                    .all(|u| Url::parse(u).is_ok() && !u.contains('#')) =>
        {
            list
        }
        _ if lenient => requested_redirect.into_iter().map(str::to_owned).collect(),
        _ => {
            return Err("the document needs redirect_uris: absolute URIs without fragments".into());
        }
    };
    let declared = text("token_endpoint_auth_method").unwrap_or_else(|| "none".into());
    let symmetric = declared.starts_with("client_secret")
        || doc.get("client_secret").is_some()
        || doc.get("client_secret_expires_at").is_some();
    if symmetric && !state.has(Mutant::CimdAcceptsSymmetricAuth) {
        return Err(
            "the document declares shared-secret client authentication, which a metadata document must not"
                .into(),
        );
    }
    if !symmetric && declared != "none" && !state.has(Mutant::CimdKeyAuthAsPublic) {
        return Err(format!(
            "the document declares {declared}, which this server does not support for metadata-document clients"
        ));
    }
    let client = Client {
        id: client_id.to_owned(),
        secret: None,
        registration_token: None,
        issued_at: unix_now(),
        redirect_uris,
        grant_types: strings("grant_types").unwrap_or_else(|| vec!["authorization_code".into()]),
        response_types: strings("response_types").unwrap_or_else(|| vec!["code".into()]),
        auth_method: "none".to_owned(),
        client_name: text("client_name"),
        scope: text("scope"),
    };
    Ok((client, text("logo_uri")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "169.254.169.254",
            "192.168.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "100.64.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
