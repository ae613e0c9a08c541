//! Per-server shared state: the public base URL, the configuration and the
//! authorization server's store, plus the URLs derived from the base.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::keys::SigningKey;
use crate::ratelimit::Limits;
use crate::store::Store;
use crate::{Config, Mutant, Variant};

/// The scope the MCP tools need, and the one the challenge asks for.
pub(crate) const MCP_SCOPE: &str = "mcp:tools";
/// Every scope the authorization server grants: the tools scope first.
const SCOPES: [&str; 2] = [MCP_SCOPE, "mcp:read"];
/// The same under the `other-scope-names` variant.
const OTHER_SCOPES: [&str; 2] = ["api.tools", "api.basic"];

pub(crate) const PRM_ROOT_PATH: &str = "/.well-known/oauth-protected-resource";
pub(crate) const PRM_PATH: &str = "/.well-known/oauth-protected-resource/mcp";

#[derive(Debug)]
pub(crate) struct AppState {
    /// `http://127.0.0.1:PORT`, no trailing slash; also the issuer.
    pub(crate) base: String,
    pub(crate) config: Config,
    pub(crate) store: Store,
    /// Client ID Metadata Documents fetched so far (the cache).
    pub(crate) cimd: crate::cimd_cache::Documents,
    /// The authorization server's token-signing key, made at start.
    pub(crate) keys: SigningKey,
    /// Attempt counts at the token, revocation and registration endpoints.
    pub(crate) limits: Limits,
    /// Drives the `challenge-scope-varies` mutant.
    challenge_counter: AtomicU64,
    /// Callers that called server/discover (only under `rs-requires-discover-first`).
    discovered: Mutex<HashSet<String>>,
    /// Drives the `code-race` mutant.
    race_counter: AtomicU64,
    /// The client that fetches Client ID Metadata Documents from IP-literal URLs, built once
    /// (a URL with a host name pins the addresses it resolved to, in a client of its own).
    pub(crate) cimd_client: std::sync::OnceLock<reqwest::Client>,
    /// Under `federated-login`: the upstream authorization server users sign in at.
    pub(crate) federation: Option<crate::federation::Federation>,
}

impl AppState {
    pub(crate) fn new(base: String, config: Config, keys: SigningKey) -> Self {
        Self {
            base,
            config,
            store: Store::default(),
            cimd: crate::cimd_cache::Documents::default(),
            keys,
            limits: Limits::default(),
            challenge_counter: AtomicU64::new(0),
            discovered: Mutex::new(HashSet::new()),
            race_counter: AtomicU64::new(0),
            cimd_client: std::sync::OnceLock::new(),
            federation: None,
        }
    }

    /// Records an audit event, when the server keeps an audit log.
    pub(crate) fn audit(&self, event: serde_json::Value) {
        if let Some(log) = &self.config.audit {
            log.record(event);
        }
    }

    pub(crate) fn has(&self, mutant: Mutant) -> bool {
        self.config.has(mutant)
    }

    pub(crate) fn is(&self, variant: Variant) -> bool {
        self.config.is(variant)
    }

    /// The issuer identifier: the base URL, with a trailing slash under
    /// `issuer-trailing-slash`.
    pub(crate) fn issuer(&self) -> String {
        if self.is(Variant::IssuerTrailingSlash) {
            format!("{}/", self.base)
        } else {
            self.base.clone()
        }
    }

    /// Every scope the authorization server grants.
    pub(crate) fn scopes(&self) -> &'static [&'static str] {
        if self.is(Variant::OtherScopeNames) {
            &OTHER_SCOPES
        } else {
            &SCOPES
        }
    }

    /// The scope `tools/list` and `tools/call` need; also granted when a
    /// request names none.
    pub(crate) fn tools_scope(&self) -> &'static str {
        self.scopes()[0]
    }

    /// The scope an MCP request needs, by its JSON-RPC method; `None` when any valid token may
    /// send it. Under `per-operation-scopes` each operation has its own.
    pub(crate) fn scope_for(&self, rpc: Option<&str>) -> Option<&'static str> {
        if self.is(Variant::PerOperationScopes) {
            return match rpc {
                Some("tools/call") => Some(self.scopes()[0]),
                Some(m) if m.starts_with("notifications/") || m == "ping" => None,
                Some(_) => Some(self.scopes()[1]),
                None => None,
            };
        }
        matches!(rpc, Some("tools/list" | "tools/call")).then(|| self.tools_scope())
    }

    /// How `/authorize` obtains consent.
    /// Whether dynamic client registration is offered (neither the variant nor the switch
    /// without it is on).
    pub(crate) fn offers_registration(&self) -> bool {
        !self.is(Variant::NoRegistrationEndpoint) && !self.config.without_registration
    }

    pub(crate) fn consent(&self) -> crate::Consent {
        if self.is(Variant::LoginConsentForm) {
            crate::Consent::Form
        } else {
            self.config.consent
        }
    }

    /// The resource identifier of the MCP endpoint (RFC 8707 / RFC 9728).
    pub(crate) fn resource(&self) -> String {
        format!("{}/mcp", self.base)
    }

    /// A second resource the authorization server issues tokens for: not
    /// this MCP endpoint, so tokens for it must be refused here.
    pub(crate) fn second_resource(&self) -> String {
        format!("{}/archive/mcp", self.base)
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn discovered_callers(&self) -> MutexGuard<'_, HashSet<String>> {
        match self.discovered.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Returns a different number on every call.
    pub(crate) fn next_challenge_count(&self) -> u64 {
        self.challenge_counter.fetch_add(1, Ordering::Relaxed)
    }

    /// Counts the codes issued under `code-race`.
    pub(crate) fn next_race_count(&self) -> u64 {
        self.race_counter.fetch_add(1, Ordering::Relaxed)
    }
}
