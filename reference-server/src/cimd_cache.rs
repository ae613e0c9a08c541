//! The cache of Client ID Metadata Documents (see [`crate::cimd`]): what each fetch
//! concluded, until it expires, and the logo each document declared for the consent page.
//! It lives apart from the fetching so that the server state can hold it without
//! depending on the fetcher.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::store::Client;

/// The most entries each map holds before it is pruned.
const MAX_ENTRIES: usize = 1000;

/// The documents fetched so far: the cache, and what the consent page shows of each client.
#[derive(Debug, Default)]
pub(crate) struct Documents {
    cache: Mutex<HashMap<String, Entry>>,
    logos: Mutex<HashMap<String, String>>,
}

#[derive(Debug, Clone)]
struct Entry {
    outcome: Result<Client, String>,
    expires: Instant,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl Documents {
    pub(crate) fn cached(&self, id: &str) -> Option<Result<Client, String>> {
        let mut cache = lock(&self.cache);
        match cache.get(id) {
            Some(e) if e.expires > Instant::now() => Some(e.outcome.clone()),
            Some(_) => {
                cache.remove(id);
                None
            }
            None => None,
        }
    }

    pub(crate) fn keep(&self, id: &str, outcome: Result<Client, String>, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let mut cache = lock(&self.cache);
        if cache.len() >= MAX_ENTRIES {
            let now = Instant::now();
            cache.retain(|_, e| e.expires > now);
            if cache.len() >= MAX_ENTRIES {
                cache.clear();
            }
        }
        cache.insert(
            id.to_owned(),
            Entry {
                outcome,
                expires: Instant::now() + ttl,
            },
        );
    }

    /// The logo URI the client's document declared, if any.
    pub(crate) fn logo(&self, id: &str) -> Option<String> {
        lock(&self.logos).get(id).cloned()
    }

    pub(crate) fn set_logo(&self, id: &str, logo: Option<String>) {
        let mut logos = lock(&self.logos);
        match logo {
            Some(l) => {
                if logos.len() >= MAX_ENTRIES {
                    logos.clear();
                }
                logos.insert(id.to_owned(), l);
            }
            None => {
                logos.remove(id);
            }
        }
    }
}
