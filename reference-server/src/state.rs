//! Per-server shared state: the public base URL, the configuration and the
//! authorization server's store, plus the URLs derived from the base.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::keys::SigningKey;
use crate::ratelimit::Limits;
use crate::store::Store;
use crate::{Config, Mutant};

/// The scope the MCP tools need, and the one the challenge asks for.
pub(crate) const MCP_SCOPE: &str = "mcp:tools";

pub(crate) const PRM_ROOT_PATH: &str = "/.well-known/oauth-protected-resource";
pub(crate) const PRM_PATH: &str = "/.well-known/oauth-protected-resource/mcp";

#[derive(Debug)]
pub(crate) struct AppState {
    /// `http://127.0.0.1:PORT`, no trailing slash; also the issuer.
    pub(crate) base: String,
    pub(crate) config: Config,
    pub(crate) store: Store,
    /// The authorization server's token-signing key, made at start.
    pub(crate) keys: SigningKey,
    /// Attempt counts at the token, revocation and registration endpoints.
    pub(crate) limits: Limits,
    /// Drives the `challenge-scope-varies` mutant.
    challenge_counter: AtomicU64,
    /// Callers that called server/discover (only under `rs-requires-discover-first`).
    discovered: Mutex<HashSet<String>>,
}

impl AppState {
    pub(crate) fn new(base: String, config: Config, keys: SigningKey) -> Self {
        Self {
            base,
            config,
            store: Store::default(),
            keys,
            limits: Limits::default(),
            challenge_counter: AtomicU64::new(0),
            discovered: Mutex::new(HashSet::new()),
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

    /// The resource identifier of the MCP endpoint (RFC 8707 / RFC 9728).
    pub(crate) fn resource(&self) -> String {
        format!("{}/mcp", self.base)
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
}
