//! A strict, known-good, in-process MCP server with its own OAuth 2.1
//! authorization server, which authspec's tests point at.
//!
//! It serves, on one origin (`BASE`, also the issuer):
//!
//! - `/mcp`: the protected MCP endpoint (also the resource identifier `RES`),
//!   answering 401/403 with RFC 6750 / RFC 9728 Bearer challenges;
//! - RFC 9728 protected resource metadata and RFC 8414 / OpenID Connect
//!   authorization server metadata at their well-known URLs;
//! - `/register` and `/register/{client_id}`: dynamic client registration
//!   and management (RFC 7591, RFC 7592);
//! - `/authorize` (with an optional login and consent form, see [`Consent`]),
//!   `/token` and `/revoke`: the authorization code grant with PKCE S256,
//!   resource indicators (RFC 8707), `iss` in responses (RFC 9207), refresh
//!   token rotation and revocation (RFC 7009). Access tokens are ES256 JWTs
//!   (`typ: at+jwt`) under a key made at start and published at
//!   `/jwks.json`, which `/mcp` checks them against by `kid`, for audience `RES`, with scopes `mcp:tools` (needed for `tools/list`
//!   and `tools/call`) and `mcp:read` (enough for `initialize` and `ping`).
//!
//! A `client_id` that is an https URL is a Client ID Metadata Document
//! (draft-ietf-oauth-client-id-metadata-document): `/authorize` fetches and
//! validates it (see `cimd.rs`); the metadata says
//! `client_id_metadata_document_supported: true`. [`Config::cimd_loopback`]
//! also lets plain-http documents on 127.0.0.1 through, for harnesses.
//!
//! - `/admin/clients/{client_id}/revoke` (POST, loopback peers only): voids
//!   every code and token of one client at once.
//!
//! Over TLS ([`Config::tls`]) with a certificate made at start; with an
//! audit log of JSON lines ([`Config::audit`]); failed client
//! authentication is throttled, and every request too under
//! [`Config::rate_limit`].
//!
//! A public client, `reference-public-client` with redirect URI
//! `http://127.0.0.1/callback` (any port), is always registered. The
//! authorization server also issues tokens for a second resource,
//! `BASE/archive/mcp` (listed in `protected_resources`), which `/mcp` refuses.
//!
//! Every rule it follows can be broken on purpose by switching on a
//! [`Mutant`] in the [`Config`], so each conformance check can be shown to
//! fail under exactly the fault it is meant to catch. Every free choice it
//! makes can be made differently by switching on a [`Variant`], so each
//! check can be shown to pass a server that is correct in another way.
//!
//! # The full flow with curl
//!
//! Serve it (for instance with `authspec serve --addr 127.0.0.1:8080`), then:
//!
//! ```text
//! BASE=http://127.0.0.1:8080
//! CB=http://127.0.0.1:9999/callback
//!
//! # 1. Register a public client (RFC 7591): 201 with a client_id.
//! curl -s $BASE/register -H 'Content-Type: application/json' -d '{
//!   "redirect_uris": ["'$CB'"], "token_endpoint_auth_method": "none",
//!   "grant_types": ["authorization_code", "refresh_token"]}'
//! CLIENT=...   # the client_id from the answer
//!
//! # 2. A PKCE verifier and its S256 challenge (RFC 7636).
//! VERIFIER=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
//! CHALLENGE=$(printf %s "$VERIFIER" | openssl dgst -sha256 -binary \
//!   | base64 | tr '+/' '-_' | tr -d '=')
//!
//! # 3. Authorize. With Consent::Auto the answer is at once a 302 to
//! #    $CB?code=CODE&state=xyz&iss=... (with Consent::Form it is a login
//! #    form: alice / wonderland).
//! curl -s -o /dev/null -w '%{redirect_url}\n' -G $BASE/authorize \
//!   -d response_type=code -d client_id=$CLIENT --data-urlencode redirect_uri=$CB \
//!   -d scope=mcp:tools -d state=xyz -d code_challenge=$CHALLENGE \
//!   -d code_challenge_method=S256 --data-urlencode resource=$BASE/mcp
//! CODE=...
//!
//! # 4. Redeem the code: {"access_token", "token_type": "Bearer",
//! #    "expires_in": 3600, "refresh_token", "scope"}.
//! curl -s $BASE/token -d grant_type=authorization_code -d code=$CODE \
//!   -d client_id=$CLIENT --data-urlencode redirect_uri=$CB \
//!   -d code_verifier=$VERIFIER --data-urlencode resource=$BASE/mcp
//! AT=... RT=...
//!
//! # 5. Call the MCP server.
//! curl -s $BASE/mcp -H "Authorization: Bearer $AT" \
//!   -H 'Content-Type: application/json' \
//!   -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
//!
//! # 6. Refresh (a public client gets a new refresh token each time, and the
//! #    old one stops working), then revoke: $AT is refused from then on.
//! curl -s $BASE/token -d grant_type=refresh_token -d refresh_token=$RT -d client_id=$CLIENT
//! curl -s $BASE/revoke -d token=$AT -d client_id=$CLIENT
//! ```

mod admin;
mod app;
mod audit;
mod authorize;
mod challenge;
mod cimd;
mod cimd_cache;
mod federation;
mod jws;
mod keys;
mod listener;
mod mcp;
mod metadata;
mod mutant;
mod oauth;
mod observe;
mod ratelimit;
mod register;
mod responses;
mod rs_jwt;
mod state;
mod store;
mod tls;
mod token;
mod variant;
mod wire;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use audit::AuditLog;
pub use mutant::Mutant;
pub use observe::{ObservedRequest, RequestLog, Shape};
pub use variant::Variant;

use state::AppState;

/// The client that is always registered: public, redirect URI
/// `http://127.0.0.1/callback` on any port (for servers without registration).
pub const PUBLIC_CLIENT_ID: &str = store::PUBLIC_CLIENT_ID;
/// A second built-in public client, like [`PUBLIC_CLIENT_ID`].
pub const SECOND_PUBLIC_CLIENT_ID: &str = store::SECOND_PUBLIC_CLIENT_ID;

/// The test user's login on the consent form ([`Consent::Form`]).
pub const FORM_USERNAME: &str = "alice";
/// The test user's password on the consent form ([`Consent::Form`]).
pub const FORM_PASSWORD: &str = "wonderland";

/// How `/authorize` obtains the user's consent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Consent {
    /// Approves every valid request at once with a redirect, as if the user
    /// had already consented (for unattended tests).
    #[default]
    Auto,
    /// Shows a login and consent form (`FORM_USERNAME` / `FORM_PASSWORD`),
    /// posted to `/authorize/consent`.
    Form,
}

/// How the server behaves; the default is fully correct, with automatic
/// consent.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Which faults the server exhibits.
    pub mutants: BTreeSet<Mutant>,
    /// Which conformant alternatives it chooses.
    pub variants: BTreeSet<Variant>,
    /// How `/authorize` obtains the user's consent.
    pub consent: Consent,
    /// Test mode for Client ID Metadata Documents: `client_id` URLs on the
    /// literal loopback address `127.0.0.1` may use http and are fetched
    /// (a harness serves its documents there). Off, only https URLs whose
    /// host resolves to public addresses are fetched.
    pub cimd_loopback: bool,
    /// Switches dynamic client registration off: no `registration_endpoint`
    /// in the metadata, and `/register` answers 404. Conformant: clients then
    /// use Client ID Metadata Documents or a pre-registered client.
    pub without_registration: bool,
    /// Serve https with a certificate made at start, signed by a CA also
    /// made at start ([`RunningServer::ca_cert_pem`]).
    pub tls: bool,
    /// Clients registered from the start (and never evicted).
    pub clients: Vec<PreRegistered>,
    /// Limit every request to the token, revocation and registration
    /// endpoints per client and per address (failed client authentication
    /// is always throttled).
    pub rate_limit: bool,
    /// Log one line per request to stderr.
    pub log_requests: bool,
    /// Where the audit log goes (one JSON object per line), if anywhere.
    pub audit: Option<AuditLog>,
    /// The URL clients reach the server at (behind a proxy), without a
    /// trailing slash; by default `http(s)://ADDR`. It is the issuer, and
    /// every published URL starts with it.
    pub public_url: Option<String>,
    /// How Client ID Metadata Documents are resolved inside a sandbox (client conformance):
    /// documents known in advance and, for a URL that cannot be fetched, acceptance on its
    /// form alone. `None` (the default): every document is fetched.
    pub cimd_sandbox: Option<CimdSandbox>,
}

/// Client ID Metadata Documents where the authorization server cannot reach the internet (the
/// in-process server of `authspec client`). A URL `client_id` is always checked for its form
/// (CIMD §3) first; then:
///
/// 1. a document listed in `documents` for that URL is validated as if fetched;
/// 2. otherwise the document is fetched as usual;
/// 3. when the fetch cannot happen (the host does not resolve, is not public, or does not
///    answer) and `accept_unreachable` is on, the URL is accepted on its form alone, as the
///    official MCP conformance tool accepts its `https://conformance-test.local/…` URL: a
///    public client limited to loopback redirect URIs.
///
/// What happened to each URL is recorded in `handled`, for the report.
#[derive(Clone, Debug, Default)]
pub struct CimdSandbox {
    /// Documents by URL, as JSON text.
    pub documents: Vec<(String, String)>,
    pub accept_unreachable: bool,
    pub handled: std::sync::Arc<std::sync::Mutex<Vec<CimdHandled>>>,
}

/// How one URL `client_id` was resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CimdHandled {
    pub client_id: String,
    /// `supplied` (a document known in advance), `fetched`, `accepted-by-form` (not
    /// fetchable from the sandbox; only the URL's form was checked) or `refused`.
    pub how: String,
    /// Why, for `accepted-by-form` and `refused`.
    pub detail: Option<String>,
    /// The document's redirect URIs, when a document was read.
    pub redirect_uris: Option<Vec<String>>,
}

impl CimdSandbox {
    pub(crate) fn note(&self, entry: CimdHandled) {
        let mut h = match self.handled.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if h.len() < 100 && !h.contains(&entry) {
            h.push(entry);
        }
    }

    /// Everything recorded so far.
    pub fn handled(&self) -> Vec<CimdHandled> {
        match self.handled.lock() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl Config {
    /// A configuration with exactly one mutant switched on.
    pub fn with_mutant(m: Mutant) -> Self {
        Self {
            mutants: BTreeSet::from([m]),
            ..Self::default()
        }
    }

    /// A configuration with exactly one variant switched on.
    pub fn with_variant(v: Variant) -> Self {
        Self {
            variants: BTreeSet::from([v]),
            ..Self::default()
        }
    }

    pub fn has(&self, m: Mutant) -> bool {
        self.mutants.contains(&m)
    }

    pub fn is(&self, v: Variant) -> bool {
        self.variants.contains(&v)
    }
}

/// A client the operator registers up front (`authspec serve --client`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreRegistered {
    pub client_id: String,
    /// `None` for a public client; otherwise it authenticates with HTTP Basic.
    pub client_secret: Option<String>,
    pub redirect_uri: String,
}

/// A server serving in a background task. Dropping it also stops the server
/// (gracefully, without waiting); [`RunningServer::shutdown`] waits.
#[derive(Debug)]
pub struct RunningServer {
    base_url: String,
    local_addr: SocketAddr,
    ca_cert_pem: Option<String>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
    /// Lets the crate's own tests reach the store and mint tokens.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "only the crate's tests read it")
    )]
    state: Arc<AppState>,
    /// The request log of a server started with [`spawn_observed`].
    log: Option<RequestLog>,
    /// Under `federated-login`: the upstream authorization server users sign in at.
    upstream: Option<Box<RunningServer>>,
}

impl RunningServer {
    /// `http(s)://127.0.0.1:PORT` (or the public URL), without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The protected MCP endpoint, which is also the resource identifier.
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.base_url)
    }

    /// Every exchange so far, when the server was started with [`spawn_observed`] (raw:
    /// tokens and codes included).
    pub fn observed(&self) -> Vec<ObservedRequest> {
        self.log
            .as_ref()
            .map(RequestLog::snapshot)
            .unwrap_or_default()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Under TLS, the PEM certificate of the CA that signed the server's
    /// certificate: what a client must trust.
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.ca_cert_pem.as_deref()
    }

    /// Under `federated-login`, the base URL of the upstream authorization server whose login
    /// form users fill (user [`FORM_USERNAME`], password [`FORM_PASSWORD`]).
    pub fn upstream_url(&self) -> Option<&str> {
        self.upstream.as_deref().map(RunningServer::base_url)
    }

    /// Stops accepting connections and waits for in-flight ones to finish.
    pub async fn shutdown(self) {
        // An error means the task already ended, which is what we want.
        let _ = self.stop.send(());
        let _ = self.task.await;
        if let Some(upstream) = self.upstream {
            Box::pin(upstream.shutdown()).await;
        }
    }
}

/// Binds `addr` (use 127.0.0.1:0 for an ephemeral port), then serves in a spawned tokio task.
pub async fn spawn(addr: SocketAddr, config: Config) -> io::Result<RunningServer> {
    spawn_with(addr, config, None).await
}

/// Like [`spawn`], but records every exchange (see [`RunningServer::observed`]) and reshapes
/// the server as a client-conformance scenario asks (see [`Shape`]).
pub async fn spawn_observed(
    addr: SocketAddr,
    config: Config,
    shape: Shape,
) -> io::Result<RunningServer> {
    spawn_with(addr, config, Some(shape)).await
}

async fn spawn_with(
    addr: SocketAddr,
    config: Config,
    shape: Option<Shape>,
) -> io::Result<RunningServer> {
    let listener = TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?;
    let public = public_addr(local_addr);
    let scheme = if config.tls { "https" } else { "http" };
    let base_url = match &config.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("{scheme}://{public}"),
    };
    let tls = if config.tls {
        let mut hosts = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
            public.ip().to_string(),
        ];
        if let Some(host) = url::Url::parse(&base_url)
            .ok()
            .and_then(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_owned()))
        {
            hosts.push(host);
        }
        hosts.sort();
        hosts.dedup();
        let tls12 = !config.has(Mutant::Tls13Only);
        Some(tls::generate(&hosts, tls12).map_err(io::Error::other)?)
    } else {
        None
    };
    let ca_cert_pem = tls.as_ref().map(|t| t.ca_pem.clone());
    let incoming = listener::Incoming::start(listener, tls.map(|t| t.acceptor))?;
    let keys = keys::SigningKey::generate()
        .ok_or_else(|| io::Error::other("could not generate the token-signing key"))?;
    // Under `federated-login`, the upstream authorization server users sign in at: a second
    // reference server with a login form, which knows this one as a confidential client.
    let upstream = if config.is(Variant::FederatedLogin) {
        let secret = oauth::random_string(32);
        let upstream_config = Config {
            consent: Consent::Form,
            clients: vec![PreRegistered {
                client_id: federation::CLIENT_ID.into(),
                client_secret: Some(secret.clone()),
                redirect_uri: format!("{base_url}{}", federation::CALLBACK_PATH),
            }],
            ..Config::default()
        };
        let upstream_addr = SocketAddr::new(local_addr.ip(), 0);
        let server = Box::pin(spawn_with(upstream_addr, upstream_config, None)).await?;
        Some((server, secret))
    } else {
        None
    };
    let mut app_state = AppState::new(base_url.clone(), config, keys);
    app_state.federation = upstream.as_ref().map(|(server, secret)| {
        federation::Federation::new(server.base_url.clone(), secret.clone())
    });
    let upstream = upstream.map(|(server, _)| Box::new(server));
    let state = Arc::new(app_state);
    {
        let mut store = state.store.lock();
        for c in &state.config.clients {
            store.pin_client(store::Client::pre_registered(
                &c.client_id,
                c.client_secret.as_deref(),
                &c.redirect_uri,
            ));
        }
    }
    let mut app = app::router(Arc::clone(&state));
    let log = shape.map(|shape| {
        let log = RequestLog::default();
        let observer = Arc::new(observe::Observer {
            log: log.clone(),
            shape,
            base: base_url.clone(),
            migration: std::sync::Mutex::default(),
        });
        // Around the whole router, not its routes, so that a rewritten path is routed anew.
        app = axum::Router::new()
            .fallback_service(std::mem::take(&mut app))
            .layer(axum::middleware::from_fn_with_state(
                observer,
                observe::record,
            ));
        log
    });
    let app = app.into_make_service_with_connect_info::<listener::Peer>();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        // Either a send or the sender being dropped means "stop".
        let signal = async move {
            let _ = stopped.await;
        };
        // axum's serve loop never returns an error; there is no one to
        // report one to anyway.
        let _ = axum::serve(incoming, app)
            .with_graceful_shutdown(signal)
            .await;
    });
    Ok(RunningServer {
        base_url,
        local_addr,
        ca_cert_pem,
        stop,
        task,
        state,
        log,
        upstream,
    })
}

/// A wildcard bind address is not something a client can connect to, so the
/// URLs the server publishes use loopback instead.
fn public_addr(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    }
}
