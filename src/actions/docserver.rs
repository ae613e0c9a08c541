//! The harness's own Client ID Metadata Documents, served on an ephemeral loopback port.
//!
//! An authorization server on the same machine that fetches `client_id` URLs (and accepts
//! plain-http loopback ones in a test mode) can then be given documents the cases vary: a
//! wrong `client_id`, a shared-secret method, a 404, 50 KB of padding, a 500 then a good
//! document. Each path answers a scripted sequence (the last answer repeats) and every fetch is
//! counted, which is how a case sees whether, and how often, the server fetched.
//!
//! A *canary* is a bare TCP listener that counts connections: a URL pointing at it (an https
//! URL on loopback, which no server should fetch) shows whether the server tried at all.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::task::JoinHandle;

/// One scripted answer at a document path.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    /// Shared, not copied, by each answer served (a padded document is a mebibyte).
    pub body: axum::body::Bytes,
    pub cache_control: Option<String>,
    pub location: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Script {
    answers: HashMap<String, Vec<Answer>>,
    fetches: HashMap<String, usize>,
}

/// The running document server; stops when dropped.
#[derive(Debug)]
pub struct DocServer {
    addr: SocketAddr,
    script: Arc<Mutex<Script>>,
    task: JoinHandle<()>,
}

pub(crate) fn lock(m: &Mutex<Script>) -> MutexGuard<'_, Script> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl DocServer {
    /// Binds 127.0.0.1 on an ephemeral port and serves in a background task.
    pub async fn start() -> std::io::Result<DocServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let script = Arc::new(Mutex::new(Script::default()));
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&script));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(DocServer { addr, script, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sets what `path` answers, in order; the last answer repeats.
    pub fn publish(&self, path: &str, answers: Vec<Answer>) {
        lock(&self.script).answers.insert(path.to_string(), answers);
    }

    /// Whether something is already published at `path`.
    pub fn has(&self, path: &str) -> bool {
        lock(&self.script).answers.contains_key(path)
    }

    /// How many requests `path` has received.
    pub fn fetches(&self, path: &str) -> usize {
        lock(&self.script).fetches.get(path).copied().unwrap_or(0)
    }
}

impl Drop for DocServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn answer(State(script): State<Arc<Mutex<Script>>>, uri: Uri) -> Response {
    let path = uri.path().to_string();
    let found = {
        let mut s = lock(&script);
        *s.fetches.entry(path.clone()).or_default() += 1;
        match s.answers.get_mut(&path) {
            Some(list) if list.len() > 1 => Some(list.remove(0)),
            Some(list) => list.first().cloned(),
            None => None,
        }
    };
    let Some(a) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = (
        StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK),
        a.body,
    )
        .into_response();
    let headers = response.headers_mut();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    };
    put("content-type", &a.content_type);
    if let Some(cc) = &a.cache_control {
        put("cache-control", cc);
    }
    if let Some(loc) = &a.location {
        put("location", loc);
    }
    response
}

/// A loopback listener that only counts the connections it gets; stops when dropped.
#[derive(Debug)]
pub struct Canary {
    port: u16,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Canary {
    pub async fn start() -> std::io::Result<Canary> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&connections);
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                seen.fetch_add(1, Ordering::SeqCst);
                drop(socket);
            }
        });
        Ok(Canary {
            port,
            connections,
            task,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Canary {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_in_order_and_counts() {
        let docs = DocServer::start().await.expect("start");
        let answer = |status| Answer {
            status,
            content_type: "application/json".into(),
            body: axum::body::Bytes::from_static(b"{}"),
            cache_control: None,
            location: None,
        };
        docs.publish("/d.json", vec![answer(500), answer(200)]);
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::new();
        let url = format!("{}/d.json", docs.base());
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(
                client
                    .get(&url)
                    .send()
                    .await
                    .expect("get")
                    .status()
                    .as_u16(),
            );
        }
        assert_eq!(seen, [500, 200, 200]);
        assert_eq!(docs.fetches("/d.json"), 3);
        assert_eq!(docs.fetches("/other"), 0);
    }
}
