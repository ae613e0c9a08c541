//! In-memory store of the access tokens the resource server honours.
//!
//! The store is shared (cheaply cloned) between the resource server and the
//! authorization server that issues tokens, so issuing a token makes it
//! immediately usable at `/mcp`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// What the resource server knows about an issued access token.
#[derive(Clone, Debug)]
pub(crate) struct TokenInfo {
    /// The resource indicator (RFC 8707) the token was issued for.
    pub(crate) audience: String,
    /// Space-separated granted scopes.
    pub(crate) scope: String,
    pub(crate) expires_at: Instant,
}

impl TokenInfo {
    pub(crate) fn has_scope(&self, wanted: &str) -> bool {
        self.scope.split_ascii_whitespace().any(|s| s == wanted)
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct TokenStore {
    inner: Arc<Mutex<HashMap<String, TokenInfo>>>,
}

impl TokenStore {
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "the authorization server, which issues tokens, is not written yet"
        )
    )]
    pub(crate) fn insert(&self, token: String, info: TokenInfo) {
        // A panic elsewhere while holding the lock cannot leave the map
        // half-updated, so a poisoned lock is still safe to use.
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token, info);
    }

    pub(crate) fn get(&self, token: &str) -> Option<TokenInfo> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(token)
            .cloned()
    }
}
