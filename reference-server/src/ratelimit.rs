//! Throttling at the token and registration endpoints.
//!
//! Always on: failed client authentication (OAuth 2.1 §2.4.1 asks endpoints
//! that take client secrets to resist brute force). After
//! [`FAILURES_PER_CLIENT`] failures for one client, or
//! [`FAILURES_PER_ADDRESS`] from one address, within [`WINDOW`], further
//! attempts for that client or from that address get 429 with
//! `Retry-After` until the window ends. A full conformance run fails far
//! fewer times than that.
//!
//! With [`crate::Config::rate_limit`] (`authspec serve --rate-limit`): every
//! request to those endpoints counts, [`REQUESTS_PER_CLIENT`] per client and
//! [`REQUESTS_PER_ADDRESS`] per address within the window.
//!
//! The tables are bounded: at most [`MAX_KEYS`] keys each, the oldest
//! windows dropped first.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::oauth;

pub(crate) const WINDOW: Duration = Duration::from_secs(60);
pub(crate) const FAILURES_PER_CLIENT: u32 = 10;
pub(crate) const FAILURES_PER_ADDRESS: u32 = 50;
pub(crate) const REQUESTS_PER_CLIENT: u32 = 60;
pub(crate) const REQUESTS_PER_ADDRESS: u32 = 300;
const MAX_KEYS: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Client(u64),
    Address(IpAddr),
}

impl Key {
    /// Client ids are hashed so the table holds no caller-chosen strings.
    pub(crate) fn client(id: &str) -> Key {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut h);
        Key::Client(h.finish())
    }
}

#[derive(Debug)]
struct Window {
    started: Instant,
    count: u32,
}

#[derive(Debug, Default)]
struct Table(Mutex<HashMap<Key, Window>>);

impl Table {
    /// The seconds until `key`'s window ends, if it is over `limit`.
    fn blocked(&self, key: Key, limit: u32) -> Option<u64> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let w = map.get(&key)?;
        let left = WINDOW.checked_sub(w.started.elapsed())?;
        (w.count >= limit).then(|| left.as_secs().max(1))
    }

    fn count(&self, key: Key) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if map.len() >= MAX_KEYS && !map.contains_key(&key) {
            map.retain(|_, w| now.duration_since(w.started) < WINDOW);
            while map.len() >= MAX_KEYS {
                let oldest = map.iter().min_by_key(|(_, w)| w.started).map(|(k, _)| *k);
                match oldest {
                    Some(k) => map.remove(&k),
                    None => break,
                };
            }
        }
        let w = map.entry(key).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(w.started) >= WINDOW {
            *w = Window {
                started: now,
                count: 0,
            };
        }
        w.count = w.count.saturating_add(1);
    }
}

#[derive(Debug, Default)]
pub(crate) struct Limits {
    failures: Table,
    requests: Table,
}

impl Limits {
    /// Whether an attempt by `keys` may go ahead; if not, the Retry-After
    /// seconds. `requests` also counts it against the request limits.
    pub(crate) fn admit(&self, keys: &[Key], requests: bool, failures: bool) -> Result<(), u64> {
        for &key in keys {
            let (failure_limit, request_limit) = match key {
                Key::Client(_) => (FAILURES_PER_CLIENT, REQUESTS_PER_CLIENT),
                Key::Address(_) => (FAILURES_PER_ADDRESS, REQUESTS_PER_ADDRESS),
            };
            if failures && let Some(wait) = self.failures.blocked(key, failure_limit) {
                return Err(wait);
            }
            if requests && let Some(wait) = self.requests.blocked(key, request_limit) {
                return Err(wait);
            }
        }
        if requests {
            for &key in keys {
                self.requests.count(key);
            }
        }
        Ok(())
    }

    /// Records a failed client authentication by `keys`.
    pub(crate) fn failed(&self, keys: &[Key]) {
        for &key in keys {
            self.failures.count(key);
        }
    }
}

/// 429 with `Retry-After` (RFC 6585 §4), as an OAuth-style JSON error.
pub(crate) fn too_many(retry_after: u64) -> Response {
    let mut response = oauth::error_json(
        StatusCode::TOO_MANY_REQUESTS,
        "slow_down",
        "Too many attempts; try again later",
    );
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    oauth::no_store(&mut response);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_block_the_client_then_the_address() {
        let limits = Limits::default();
        let client = Key::client("c");
        let addr = Key::Address(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..FAILURES_PER_CLIENT {
            assert!(limits.admit(&[client, addr], false, true).is_ok());
            limits.failed(&[client, addr]);
        }
        let wait = limits
            .admit(&[client, addr], false, true)
            .expect_err("blocked");
        assert!((1..=60).contains(&wait));
        // Another client from the same address still may try.
        assert!(limits.admit(&[Key::client("d"), addr], false, true).is_ok());
        // Without the failure check (the mutant), nothing is blocked.
        assert!(limits.admit(&[client, addr], false, false).is_ok());
    }

    #[test]
    fn the_tables_stay_bounded() {
        let table = Table::default();
        for i in 0..(MAX_KEYS as u64 + 100) {
            table.count(Key::Client(i));
        }
        assert!(table.0.lock().expect("lock").len() <= MAX_KEYS);
    }
}
