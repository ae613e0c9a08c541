//! The authorization server's in-memory state: registered clients, pending
//! consent forms, authorization codes, refresh tokens and issued access
//! tokens, shared with the resource server so that issuing or revoking a
//! token takes effect at `/mcp` at once.
//!
//! Everything sits behind one lock so that multi-step changes (redeeming a
//! code, rotating a refresh token, revoking a whole grant) are atomic. The
//! lock is never held across an `.await`. Every map is capped, so a flood of
//! requests can only evict old entries, never grow memory without bound.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::oauth::unix_now;

pub(crate) const MAX_CLIENTS: usize = 1000;
pub(crate) const MAX_PENDING: usize = 1000;
pub(crate) const MAX_CODES: usize = 10_000;
const MAX_USED_CODES: usize = 10_000;
const MAX_REFRESH_TOKENS: usize = 10_000;
const MAX_ACCESS_TOKENS: usize = 20_000;

pub(crate) const CODE_TTL: Duration = Duration::from_secs(60);
pub(crate) const PENDING_TTL: Duration = Duration::from_secs(600);
/// How long a redeemed code is remembered, to detect replays.
const USED_CODE_MEMORY: Duration = Duration::from_secs(600);
/// Expired access tokens are still remembered this long (seconds), so that an
/// expired token is refused as expired rather than as unknown.
const EXPIRED_ACCESS_MEMORY: u64 = 3600;

/// The pre-registered public client that always exists.
pub(crate) const PUBLIC_CLIENT_ID: &str = "reference-public-client";
/// A second built-in public client, so that rules between two clients can be checked without
/// dynamic registration.
pub(crate) const SECOND_PUBLIC_CLIENT_ID: &str = "reference-public-client-2";

#[derive(Clone, Debug)]
pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) secret: Option<String>,
    /// RFC 7592 registration access token; the pre-registered client has none.
    pub(crate) registration_token: Option<String>,
    pub(crate) issued_at: u64,
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) grant_types: Vec<String>,
    pub(crate) response_types: Vec<String>,
    pub(crate) auth_method: String,
    pub(crate) client_name: Option<String>,
    pub(crate) scope: Option<String>,
}

impl Client {
    /// An operator's client (`authspec serve --client`): public without a
    /// secret, else authenticating with HTTP Basic.
    pub(crate) fn pre_registered(id: &str, secret: Option<&str>, redirect_uri: &str) -> Client {
        Client {
            id: id.to_owned(),
            secret: secret.map(str::to_owned),
            registration_token: None,
            issued_at: 0,
            redirect_uris: vec![redirect_uri.to_owned()],
            grant_types: vec!["authorization_code".to_owned(), "refresh_token".to_owned()],
            response_types: vec!["code".to_owned()],
            auth_method: if secret.is_some() {
                "client_secret_basic"
            } else {
                "none"
            }
            .to_owned(),
            client_name: None,
            scope: None,
        }
    }

    pub(crate) fn is_public(&self) -> bool {
        self.auth_method == "none"
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PkceMethod {
    S256,
    Plain,
}

#[derive(Clone, Debug)]
pub(crate) struct Pkce {
    pub(crate) challenge: String,
    pub(crate) method: PkceMethod,
}

/// An authorization request that passed every check and awaits (or got)
/// the user's consent.
#[derive(Clone, Debug)]
pub(crate) struct Authorization {
    pub(crate) client_id: String,
    /// The redirect URI the response goes to.
    pub(crate) redirect_uri: String,
    /// Whether the request named it (then the token request must repeat it).
    pub(crate) redirect_uri_sent: bool,
    pub(crate) state: Option<String>,
    pub(crate) pkce: Option<Pkce>,
    pub(crate) scope: String,
    pub(crate) resources: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct CodeGrant {
    pub(crate) authorization: Authorization,
    pub(crate) expires_at: Instant,
    seq: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Pending {
    pub(crate) authorization: Authorization,
    pub(crate) expires_at: Instant,
    seq: u64,
}

#[derive(Clone, Debug)]
struct UsedCode {
    grant: u64,
    /// The code's PKCE challenge, so a replay can be told valid (revoke) from invalid (keep).
    pkce: Option<Pkce>,
    forget_at: Instant,
    seq: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct RefreshToken {
    pub(crate) client_id: String,
    /// Every token descending from one authorization code shares this.
    pub(crate) grant: u64,
    /// The scope originally granted; a refresh may only narrow it.
    pub(crate) scope: String,
    pub(crate) resources: Vec<String>,
    /// Replaced by a newer token (rotation); presenting it again is reuse.
    pub(crate) rotated: bool,
    seq: u64,
}

/// What the server remembers about an access token it issued, by `jti`.
#[derive(Clone, Debug)]
pub(crate) struct AccessToken {
    pub(crate) client_id: String,
    pub(crate) grant: u64,
    /// Unix time (seconds).
    pub(crate) expires_at: u64,
    pub(crate) revoked: bool,
    seq: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    inner: Mutex<Inner>,
}

impl Store {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock cannot leave the maps
        // half-updated in a way that matters here, so poison is ignored.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    /// The pre-registered client lives outside the capped map so that it is
    /// never evicted.
    clients: HashMap<String, (Client, u64)>,
    /// Clients the operator registered at start: never evicted.
    pinned: HashMap<String, Client>,
    pending: HashMap<String, Pending>,
    codes: HashMap<String, CodeGrant>,
    used_codes: HashMap<String, UsedCode>,
    refresh: HashMap<String, RefreshToken>,
    access: HashMap<String, AccessToken>,
    /// Opaque access tokens (the `opaque-tokens` variant): handle → the
    /// signed claims the handle stands for, and when it was added.
    opaque: HashMap<String, (String, u64)>,
    seq: u64,
}

/// Makes room for one more entry: drops expired entries, then the oldest.
fn make_room<V>(
    map: &mut HashMap<String, V>,
    cap: usize,
    expired: impl Fn(&V) -> bool,
    age: impl Fn(&V) -> u64,
) {
    if map.len() < cap {
        return;
    }
    map.retain(|_, v| !expired(v));
    while map.len() >= cap {
        let oldest = map
            .iter()
            .min_by_key(|(_, v)| age(v))
            .map(|(k, _)| k.clone());
        match oldest {
            Some(key) => map.remove(&key),
            None => break,
        };
    }
}

impl Inner {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A fresh identifier for a grant (a token family).
    pub(crate) fn new_grant(&mut self) -> u64 {
        self.next_seq()
    }

    pub(crate) fn client(&self, id: &str) -> Option<Client> {
        if id == PUBLIC_CLIENT_ID || id == SECOND_PUBLIC_CLIENT_ID {
            return Some(public_client(id));
        }
        if let Some(client) = self.pinned.get(id) {
            return Some(client.clone());
        }
        self.clients.get(id).map(|(c, _)| c.clone())
    }

    pub(crate) fn pin_client(&mut self, client: Client) {
        self.pinned.insert(client.id.clone(), client);
    }

    pub(crate) fn insert_client(&mut self, client: Client) {
        let seq = self.next_seq();
        if !self.clients.contains_key(&client.id) {
            make_room(&mut self.clients, MAX_CLIENTS, |_| false, |(_, s)| *s);
        }
        self.clients.insert(client.id.clone(), (client, seq));
    }

    /// RFC 7592 §2.3: deleting a client also invalidates its grants
    /// (unless `keep_tokens`, the `dcr-delete-keeps-tokens` mutant).
    pub(crate) fn remove_client(&mut self, id: &str, keep_tokens: bool) -> bool {
        let removed = self.clients.remove(id).is_some();
        if removed && !keep_tokens {
            self.revoke_client_tokens(id);
        }
        removed
    }

    /// Invalidates every code, refresh token and access token of a client
    /// at once; returns how many access and refresh tokens were live.
    pub(crate) fn revoke_client_tokens(&mut self, id: &str) -> (usize, usize) {
        self.codes.retain(|_, c| c.authorization.client_id != id);
        self.pending.retain(|_, p| p.authorization.client_id != id);
        let before = self.refresh.len();
        self.refresh.retain(|_, r| r.client_id != id);
        let refresh = before - self.refresh.len();
        let mut access = 0;
        for token in self.access.values_mut() {
            if token.client_id == id && !token.revoked {
                token.revoked = true;
                access += 1;
            }
        }
        (access, refresh)
    }

    pub(crate) fn insert_pending(&mut self, id: String, authorization: Authorization) {
        let now = Instant::now();
        let seq = self.next_seq();
        make_room(
            &mut self.pending,
            MAX_PENDING,
            |p| p.expires_at <= now,
            |p| p.seq,
        );
        self.pending.insert(
            id,
            Pending {
                authorization,
                expires_at: now + PENDING_TTL,
                seq,
            },
        );
    }

    /// The pending request `id`, if it has not expired.
    pub(crate) fn pending(&mut self, id: &str) -> Option<Pending> {
        let now = Instant::now();
        if self.pending.get(id).is_some_and(|p| p.expires_at <= now) {
            self.pending.remove(id);
        }
        self.pending.get(id).cloned()
    }

    pub(crate) fn take_pending(&mut self, id: &str) -> Option<Pending> {
        let pending = self.pending.remove(id)?;
        (pending.expires_at > Instant::now()).then_some(pending)
    }

    pub(crate) fn insert_code(&mut self, code: String, authorization: Authorization) {
        let now = Instant::now();
        let seq = self.next_seq();
        make_room(
            &mut self.codes,
            MAX_CODES,
            |c| c.expires_at <= now,
            |c| c.seq,
        );
        self.codes.insert(
            code,
            CodeGrant {
                authorization,
                expires_at: now + CODE_TTL,
                seq,
            },
        );
    }

    pub(crate) fn code(&self, code: &str) -> Option<&CodeGrant> {
        self.codes.get(code)
    }

    pub(crate) fn remove_code(&mut self, code: &str) -> Option<CodeGrant> {
        self.codes.remove(code)
    }

    /// Remembers that `code` was redeemed into `grant`, to catch replays.
    pub(crate) fn mark_code_used(&mut self, code: &str, grant: u64, pkce: Option<Pkce>) {
        let now = Instant::now();
        let seq = self.next_seq();
        make_room(
            &mut self.used_codes,
            MAX_USED_CODES,
            |u| u.forget_at <= now,
            |u| u.seq,
        );
        self.used_codes.insert(
            code.to_owned(),
            UsedCode {
                grant,
                pkce,
                forget_at: now + USED_CODE_MEMORY,
                seq,
            },
        );
    }

    /// The grant a previously redeemed `code` produced.
    pub(crate) fn used_code_grant(&self, code: &str) -> Option<(u64, Option<Pkce>)> {
        self.used_codes
            .get(code)
            .filter(|u| u.forget_at > Instant::now())
            .map(|u| (u.grant, u.pkce.clone()))
    }

    pub(crate) fn insert_refresh(
        &mut self,
        token: String,
        client_id: String,
        grant: u64,
        scope: String,
        resources: Vec<String>,
    ) {
        let seq = self.next_seq();
        make_room(&mut self.refresh, MAX_REFRESH_TOKENS, |_| false, |r| r.seq);
        self.refresh.insert(
            token,
            RefreshToken {
                client_id,
                grant,
                scope,
                resources,
                rotated: false,
                seq,
            },
        );
    }

    pub(crate) fn refresh(&mut self, token: &str) -> Option<&mut RefreshToken> {
        self.refresh.get_mut(token)
    }

    /// Any live refresh token of `client_id` (the `refresh-accepts-unknown` fault looks a
    /// refresh up by its client instead of by its value).
    pub(crate) fn any_refresh_of(&self, client_id: &str) -> Option<RefreshToken> {
        self.refresh
            .values()
            .find(|r| r.client_id == client_id && !r.rotated)
            .cloned()
    }

    pub(crate) fn insert_access(&mut self, jti: String, client_id: String, grant: u64, exp: u64) {
        let seq = self.next_seq();
        let forget_before = unix_now().saturating_sub(EXPIRED_ACCESS_MEMORY);
        make_room(
            &mut self.access,
            MAX_ACCESS_TOKENS,
            |a| a.expires_at < forget_before,
            |a| a.seq,
        );
        self.access.insert(
            jti,
            AccessToken {
                client_id,
                grant,
                expires_at: exp,
                revoked: false,
                seq,
            },
        );
    }

    /// Remembers what an opaque access token stands for.
    pub(crate) fn insert_opaque(&mut self, handle: String, jwt: String) {
        let seq = self.next_seq();
        make_room(&mut self.opaque, MAX_ACCESS_TOKENS, |_| false, |(_, s)| *s);
        self.opaque.insert(handle, (jwt, seq));
    }

    /// The signed claims behind an opaque access token, as introspection
    /// (RFC 7662) would look them up.
    pub(crate) fn opaque(&self, handle: &str) -> Option<String> {
        self.opaque.get(handle).map(|(jwt, _)| jwt.clone())
    }

    pub(crate) fn access(&self, jti: &str) -> Option<&AccessToken> {
        self.access.get(jti)
    }

    pub(crate) fn revoke_access(&mut self, jti: &str) {
        if let Some(token) = self.access.get_mut(jti) {
            token.revoked = true;
        }
    }

    /// Revokes every access and refresh token descending from `grant`.
    pub(crate) fn revoke_grant(&mut self, grant: u64) {
        self.refresh.retain(|_, r| r.grant != grant);
        for token in self.access.values_mut() {
            if token.grant == grant {
                token.revoked = true;
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn sizes(&self) -> [usize; 6] {
        [
            self.clients.len(),
            self.pending.len(),
            self.codes.len(),
            self.used_codes.len(),
            self.refresh.len(),
            self.access.len(),
        ]
    }
}

fn public_client(id: &str) -> Client {
    Client {
        id: id.to_owned(),
        secret: None,
        registration_token: None,
        issued_at: 0,
        redirect_uris: vec!["http://127.0.0.1/callback".to_owned()],
        grant_types: vec!["authorization_code".to_owned(), "refresh_token".to_owned()],
        response_types: vec!["code".to_owned()],
        auth_method: "none".to_owned(),
        client_name: Some("authspec reference public client".to_owned()),
        scope: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(id: &str) -> Client {
        Client {
            id: id.to_owned(),
            ..public_client(PUBLIC_CLIENT_ID)
        }
    }

    #[test]
    fn clients_are_capped_oldest_first() {
        let mut inner = Inner::default();
        for i in 0..=MAX_CLIENTS {
            inner.insert_client(client(&format!("c{i}")));
        }
        assert_eq!(inner.clients.len(), MAX_CLIENTS);
        assert!(inner.client("c0").is_none());
        assert!(inner.client("c1").is_some());
        assert!(inner.client(PUBLIC_CLIENT_ID).is_some());
        // Re-registering an existing id replaces it without evicting another.
        inner.insert_client(client("c5"));
        assert!(inner.client("c1").is_some());
    }

    #[test]
    fn grants_revoke_as_a_family() {
        let mut inner = Inner::default();
        let grant = inner.new_grant();
        let other = inner.new_grant();
        inner.insert_refresh("r1".into(), "c".into(), grant, "s".into(), vec![]);
        inner.insert_refresh("r2".into(), "c".into(), other, "s".into(), vec![]);
        inner.insert_access("a1".into(), "c".into(), grant, u64::MAX);
        inner.insert_access("a2".into(), "c".into(), other, u64::MAX);
        inner.revoke_grant(grant);
        assert!(inner.refresh("r1").is_none());
        assert!(inner.refresh("r2").is_some());
        assert!(inner.access("a1").is_some_and(|a| a.revoked));
        assert!(inner.access("a2").is_some_and(|a| !a.revoked));
    }
}
