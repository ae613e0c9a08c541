//! The HTTP layer every step goes through.
//!
//! It owns the limits (a per-request timeout over the whole exchange, body included; a floor
//! rate for bodies; the response-size cap), never follows a redirect by itself (steps decide,
//! hop by hop), applies the policy of which URLs the harness may follow, and turns every
//! exchange into a redacted [`Exchange`] record for the transcript, each header and body kept
//! within a fixed size.
//!
//! It also holds the run's circuit breaker: once an endpoint has timed out or stalled, later
//! requests to it fail at once with the first failure, so a dead endpoint costs one timeout
//! per run rather than one per case.

pub mod redact;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use thiserror::Error;
use url::Url;

pub use redact::Redactor;

use crate::oauth::urls;
use crate::transcript::Exchange;

/// Response bodies larger than this are refused (metadata documents are far smaller). With
/// eight cases at once (more only while the answers held are small, see [`held_bytes`]), each
/// holding a few responses, this keeps a run's memory bounded.
pub const DEFAULT_BODY_LIMIT: usize = 512 * 1024;
/// How much of a body the transcript keeps.
pub const TRANSCRIPT_BODY_LIMIT: usize = 8 * 1024;
/// How much of one header value the transcript keeps.
pub const TRANSCRIPT_HEADER_LIMIT: usize = 1024;
/// How much of all the header fields of one message the transcript keeps.
pub const TRANSCRIPT_HEADERS_LIMIT: usize = 4 * 1024;
/// The slowest a body may arrive (bytes per second, averaged from its first byte on) once the
/// grace period has passed.
pub const DEFAULT_FLOOR_RATE: u64 = 1024;
/// How long a body may take before the floor rate applies.
pub const DEFAULT_FLOOR_GRACE: Duration = Duration::from_secs(2);
/// The most connections a run opens to one origin at once: over HTTP/1.1 one fewer requests are
/// in flight through the run's client, and the one left is for a client with other options
/// (a probe of TLS 1.2 support), one at a time.
pub const MAX_CONNECTIONS_PER_ORIGIN: usize = 8;
/// The most requests in flight to one origin once it has answered over HTTP/2, where they
/// share a connection.
pub const MAX_STREAMS_PER_ORIGIN: usize = 32;

/// A request the harness is about to send.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Request {
    pub fn get(url: Url) -> Self {
        Request {
            method: "GET".into(),
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// A response as received, body already read within the size limit. Cheap to clone: a
/// memoised discovery document is shared by every case that looks at it.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Arc<[(String, String)]>,
    pub body: Arc<Vec<u8>>,
    pub elapsed: Duration,
    /// The body parsed as JSON, once, and shared by every clone.
    parsed: Arc<std::sync::OnceLock<Option<serde_json::Value>>>,
    /// Counts the answer in [`held_bytes`] while any clone of it lives.
    _held: Arc<Held>,
}

/// The bytes (bodies and header fields) of the answers the process holds right now, in every
/// live [`Response`]: the engine starts more cases than its steady number only while this
/// stays under its budget, so large answers cost memory per case, not per job.
static HELD_BYTES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// What the answers a run holds may come to before it holds back: more cases at once (the
/// engine) and overlapping race rounds (a case) wait while the held answers exceed it.
pub const HELD_BUDGET: usize = 4 * 1024 * 1024;

/// See [`HELD_BYTES`].
pub fn held_bytes() -> usize {
    HELD_BYTES.load(std::sync::atomic::Ordering::Relaxed)
}

/// One answer's share of [`HELD_BYTES`], given back when its last clone is dropped.
#[derive(Debug)]
struct Held(usize);

impl Held {
    fn new(bytes: usize) -> Held {
        HELD_BYTES.fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
        Held(bytes)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        HELD_BYTES.fetch_sub(self.0, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Response {
    pub fn new(
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        elapsed: Duration,
    ) -> Response {
        let bytes = body.len()
            + headers
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        Response {
            status,
            headers: headers.into(),
            body: Arc::new(body),
            elapsed,
            parsed: Arc::default(),
            _held: Arc::new(Held::new(bytes)),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type without parameters, lowercased (`application/json`).
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// The body as JSON (see [`Response::json_ref`]).
    pub fn json(&self) -> Option<serde_json::Value> {
        self.json_ref().cloned()
    }

    /// The body as JSON, parsed at most once however many checks read it. An SSE stream
    /// (`text/event-stream`) yields its JSON-RPC response: the last message with an `id` and a
    /// `result` or `error`, else its last JSON message.
    pub fn json_ref(&self) -> Option<&serde_json::Value> {
        self.parsed
            .get_or_init(|| {
                if self.media_type().as_deref() == Some("text/event-stream") {
                    let mut messages = sse_messages(&self.body);
                    let response = messages.iter().rposition(|m| {
                        m.get("id").is_some()
                            && (m.get("result").is_some() || m.get("error").is_some())
                    });
                    return match response {
                        Some(i) => Some(messages.swap_remove(i)),
                        None => messages.pop(),
                    };
                }
                serde_json::from_slice(&self.body).ok()
            })
            .as_ref()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as text, borrowed when it is valid UTF-8.
    pub fn text_ref(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// The JSON messages of an SSE body: each event's `data` lines joined, parsed; events whose
/// data is not JSON are left out.
pub fn sse_messages(body: &[u8]) -> Vec<serde_json::Value> {
    let text = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    let mut data = String::new();
    let mut flush = |data: &mut String| {
        if !data.is_empty() {
            if let Ok(v) = serde_json::from_str(data) {
                out.push(v);
            }
            data.clear();
        }
    };
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            flush(&mut data);
        } else if let Some(d) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(d.strip_prefix(' ').unwrap_or(d));
        }
    }
    flush(&mut data);
    out
}

/// Why the harness could not complete an exchange. Never a verdict on the target by itself.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum HttpError {
    #[error("timed out after {secs}s waiting for {url}")]
    Timeout { url: String, secs: u64 },
    #[error("could not connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("the response from {url} exceeds the {limit}-byte limit")]
    TooLarge { url: String, limit: usize },
    #[error("refused to follow {url}: {reason}")]
    Refused { url: String, reason: String },
    #[error("redirect loop or too many redirects at {url} (after {hops} hops)")]
    TooManyRedirects { url: String, hops: usize },
    #[error("HTTP error talking to {url}: {reason}")]
    Protocol { url: String, reason: String },
    #[error(
        "the body from {url} stalled: {received} bytes in {ms} ms, below the floor of {floor} bytes/s"
    )]
    Stalled {
        url: String,
        received: usize,
        ms: u128,
        floor: u64,
    },
    #[error("not sent to {url}: the endpoint {endpoint} already failed in this run ({first})")]
    EndpointDown {
        url: String,
        endpoint: String,
        first: String,
    },
}

impl HttpError {
    /// Whether the failure means the endpoint is dead or stalled for the rest of the run.
    pub fn trips_breaker(&self) -> bool {
        matches!(self, HttpError::Timeout { .. } | HttpError::Stalled { .. })
    }
}

/// Options for the client.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    pub timeout: Duration,
    pub body_limit: usize,
    /// Whether the target itself is on loopback (then plain http on loopback is acceptable).
    pub target_is_loopback: bool,
    /// Whether the target itself is on a private network (then advertised private addresses
    /// are followed).
    pub target_is_private: bool,
    /// A body arriving slower than this (bytes per second) after `floor_grace` is a stall.
    pub floor_rate: u64,
    pub floor_grace: Duration,
    /// Extra trusted CA certificates, PEM (`--ca-cert`), beside the system's.
    pub ca_certs_pem: Option<Vec<u8>>,
    /// Offer TLS 1.2 alone (a probe of TLS 1.2 support).
    pub tls_1_2_only: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(10),
            body_limit: DEFAULT_BODY_LIMIT,
            target_is_loopback: false,
            target_is_private: false,
            floor_rate: DEFAULT_FLOOR_RATE,
            floor_grace: DEFAULT_FLOOR_GRACE,
            ca_certs_pem: None,
            tls_1_2_only: false,
        }
    }
}

impl HttpOptions {
    /// The options for a run against `target`: what the target's own address allows (plain
    /// http on loopback, advertised private addresses on a private network), with this timeout.
    pub fn for_target(target: &Url, timeout: Duration) -> Self {
        HttpOptions {
            timeout,
            target_is_loopback: urls::is_loopback(target),
            target_is_private: urls::is_private(target),
            ..HttpOptions::default()
        }
    }
}

/// The shared client: cheap to clone; clones share the circuit breaker and the limits per
/// origin.
#[derive(Clone, Debug)]
pub struct HttpClient {
    inner: reqwest::Client,
    pub options: HttpOptions,
    pub redactor: Redactor,
    /// Endpoints that timed out or stalled, with their first failure.
    tripped: Arc<Mutex<HashMap<String, String>>>,
    /// The requests in flight, per origin.
    gates: Arc<Mutex<HashMap<String, Arc<Gate>>>>,
    /// One client with other options at a time, holding its turn for as long as it lives (its
    /// connection closes with it).
    others: Arc<tokio::sync::Semaphore>,
    turn: Option<Arc<tokio::sync::OwnedSemaphorePermit>>,
}

/// The requests in flight to one origin. The first goes alone, so that the run learns whether
/// the origin speaks HTTP/2 before it opens more connections; then up to
/// [`MAX_STREAMS_PER_ORIGIN`] (HTTP/2) or one fewer than [`MAX_CONNECTIONS_PER_ORIGIN`] go at
/// once.
#[derive(Debug)]
struct Gate {
    permits: tokio::sync::Semaphore,
    opened: std::sync::Once,
}

impl Gate {
    fn new() -> Self {
        Gate {
            permits: tokio::sync::Semaphore::new(1),
            opened: std::sync::Once::new(),
        }
    }

    /// After the first exchange: the permits the protocol it spoke allows.
    fn open(&self, http2: bool) {
        self.opened.call_once(|| {
            let n = if http2 {
                MAX_STREAMS_PER_ORIGIN
            } else {
                MAX_CONNECTIONS_PER_ORIGIN - 1
            };
            self.permits.add_permits(n - 1);
        });
    }
}

/// The endpoint a URL names, for the circuit breaker: scheme, authority and path.
pub fn endpoint_of(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

static CRYPTO: Once = Once::new();

impl HttpClient {
    pub fn new(options: HttpOptions, redactor: Redactor) -> Result<Self, HttpError> {
        CRYPTO.call_once(|| {
            // Another component may have installed one already; either is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let extra_roots = match &options.ca_certs_pem {
            Some(pem) => match reqwest::Certificate::from_pem_bundle(pem) {
                Ok(certs) if !certs.is_empty() => certs,
                Ok(_) => {
                    return Err(HttpError::Protocol {
                        url: String::new(),
                        reason: "the CA file holds no PEM certificate".into(),
                    });
                }
                Err(e) => {
                    return Err(HttpError::Protocol {
                        url: String::new(),
                        reason: format!("the CA certificate is not valid PEM: {e}"),
                    });
                }
            },
            None => Vec::new(),
        };
        Self::build(options, redactor, extra_roots).map(|(inner, options, redactor)| HttpClient {
            inner,
            options,
            redactor,
            tripped: Arc::new(Mutex::new(HashMap::new())),
            gates: Arc::new(Mutex::new(HashMap::new())),
            others: Arc::new(tokio::sync::Semaphore::new(1)),
            turn: None,
        })
    }

    /// A client with other options that shares this one's circuit breaker (a probe of TLS 1.2
    /// support). It waits while another such client lives, and its requests do not take the
    /// run client's turns.
    pub async fn with_options(&self, options: HttpOptions) -> Result<Self, HttpError> {
        let turn = Arc::clone(&self.others)
            .acquire_owned()
            .await
            .ok()
            .map(Arc::new);
        let roots = match &options.ca_certs_pem {
            Some(pem) => reqwest::Certificate::from_pem_bundle(pem).unwrap_or_default(),
            None => Vec::new(),
        };
        let (inner, options, redactor) = Self::build(options, self.redactor.clone(), roots)?;
        Ok(HttpClient {
            inner,
            options,
            redactor,
            tripped: Arc::clone(&self.tripped),
            gates: Arc::clone(&self.gates),
            others: Arc::clone(&self.others),
            turn,
        })
    }

    fn build(
        options: HttpOptions,
        redactor: Redactor,
        extra_roots: Vec<reqwest::Certificate>,
    ) -> Result<(reqwest::Client, HttpOptions, Redactor), HttpError> {
        let mut builder = reqwest::Client::builder().tls_certs_merge(extra_roots);
        if options.tls_1_2_only {
            builder = builder.tls_version_max(reqwest::tls::Version::TLS_1_2);
        }
        let inner = builder
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("authspec/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(MAX_CONNECTIONS_PER_ORIGIN)
            .build()
            .map_err(|e| HttpError::Protocol {
                url: String::new(),
                reason: e.to_string(),
            })?;
        Ok((inner, options, redactor))
    }

    /// The gate of the origin `url` names.
    fn gate(&self, url: &Url) -> Arc<Gate> {
        let origin = url.origin().ascii_serialization();
        let mut gates = match self.gates.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        Arc::clone(gates.entry(origin).or_insert_with(|| Arc::new(Gate::new())))
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        match self.tripped.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The endpoints that timed out or stalled in this run, with their first failure.
    pub fn tripped_endpoints(&self) -> Vec<(String, String)> {
        let mut v: Vec<_> = self
            .breaker()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        v.sort();
        v
    }

    /// Whether the harness may follow a URL that a target advertised.
    pub fn may_follow(&self, url: &Url) -> Result<(), HttpError> {
        let refuse = |reason: &str| {
            Err(HttpError::Refused {
                url: url.to_string(),
                reason: reason.into(),
            })
        };
        if urls::is_link_local_or_metadata(url) {
            return refuse("link-local and cloud-metadata addresses are never followed");
        }
        if urls::is_private(url) && !self.options.target_is_private {
            return refuse(
                "private-network addresses are followed only when the target is on a private network",
            );
        }
        match url.scheme() {
            "https" => Ok(()),
            "http" if urls::is_loopback(url) && self.options.target_is_loopback => Ok(()),
            "http" => refuse(
                "advertised plain-http URLs are followed only on loopback, for a loopback target",
            ),
            _ => refuse("only http(s) URLs are followed"),
        }
    }

    /// Sends one request; never follows redirects.
    ///
    /// The timeout covers the whole exchange, body included. A request to an endpoint that has
    /// already timed out or stalled in this run is not sent.
    pub async fn send(&self, req: &Request) -> Result<Response, HttpError> {
        let url = req.url.to_string();
        let endpoint = endpoint_of(&req.url);
        // Waiting for a turn is not the endpoint's slowness: the timeout starts after it. The
        // semaphore is never closed. A client with other options has its own turn (see
        // `with_options`).
        let gate = self.gate(&req.url);
        let _permit = match self.turn {
            Some(_) => None,
            None => gate.permits.acquire().await.ok(),
        };
        // After the wait, so that a request queued behind a dead endpoint's is not sent.
        if let Some(first) = self.breaker().get(&endpoint) {
            return Err(HttpError::EndpointDown {
                url,
                endpoint: self.redactor.url(&endpoint),
                first: first.clone(),
            });
        }
        let result = match tokio::time::timeout(self.options.timeout, self.exchange(req)).await {
            Ok(r) => {
                if self.turn.is_none() {
                    gate.open(
                        r.as_ref()
                            .is_ok_and(|(_, v)| *v == reqwest::Version::HTTP_2),
                    );
                }
                r.map(|(resp, _)| resp)
            }
            Err(_) => {
                if self.turn.is_none() {
                    gate.open(false);
                }
                Err(HttpError::Timeout {
                    url: url.clone(),
                    secs: self.options.timeout.as_secs(),
                })
            }
        };
        if let Err(e) = &result
            && e.trips_breaker()
        {
            self.breaker()
                .entry(endpoint)
                .or_insert_with(|| self.redactor.text(&e.to_string()));
        }
        result
    }

    /// One exchange, and the HTTP version it spoke.
    async fn exchange(&self, req: &Request) -> Result<(Response, reqwest::Version), HttpError> {
        let url = req.url.to_string();
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|e| {
            HttpError::Protocol {
                url: url.clone(),
                reason: e.to_string(),
            }
        })?;
        let mut builder = self.inner.request(method, req.url.clone());
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let started = Instant::now();
        let map_err = |e: reqwest::Error| self.classify(&url, e);
        let mut resp = builder.send().await.map_err(map_err)?;
        let version = resp.version();
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let limit = self.options.body_limit;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(HttpError::TooLarge { url, limit });
        }
        let expected = resp.content_length().unwrap_or(0).min(limit as u64) as usize;
        let mut body = Vec::with_capacity(expected);
        let body_started = tokio::time::Instant::now();
        let floor = self.options.floor_rate.max(1);
        loop {
            // The body may take the grace period, then must keep up with the floor rate.
            let allowed = self
                .options
                .floor_grace
                .max(Duration::from_secs_f64(body.len() as f64 / floor as f64));
            let chunk = match tokio::time::timeout_at(body_started + allowed, resp.chunk()).await {
                Ok(c) => c.map_err(|e| self.classify(&url, e))?,
                Err(_) => {
                    return Err(HttpError::Stalled {
                        url,
                        received: body.len(),
                        ms: body_started.elapsed().as_millis(),
                        floor,
                    });
                }
            };
            let Some(chunk) = chunk else { break };
            if body.len() + chunk.len() > limit {
                return Err(HttpError::TooLarge { url, limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok((
            Response::new(status, headers, body, started.elapsed()),
            version,
        ))
    }

    fn classify(&self, url: &str, e: reqwest::Error) -> HttpError {
        let secs = self.options.timeout.as_secs();
        if e.is_timeout() {
            HttpError::Timeout {
                url: url.to_string(),
                secs,
            }
        } else if e.is_connect() {
            HttpError::Connect {
                url: url.to_string(),
                reason: root_cause(&e),
            }
        } else {
            HttpError::Protocol {
                url: url.to_string(),
                reason: root_cause(&e),
            }
        }
    }

    /// The redacted record of an exchange, for the transcript.
    pub fn record(
        &self,
        block: &str,
        req: &Request,
        result: &Result<Response, HttpError>,
    ) -> Exchange {
        let r = &self.redactor;
        let req_ct = req
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str());
        let mut ex = Exchange {
            block: block.to_string(),
            method: req.method.clone(),
            url: r.url(req.url.as_str()),
            request_headers: req
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        truncate(&r.header(k, v), TRANSCRIPT_HEADER_LIMIT),
                    )
                })
                .collect(),
            request_body: req
                .body
                .as_ref()
                .map(|b| r.body_within(req_ct, &String::from_utf8_lossy(b), TRANSCRIPT_BODY_LIMIT)),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            elapsed_ms: 0,
            error: None,
        };
        match result {
            Ok(resp) => {
                ex.status = Some(resp.status);
                ex.response_headers = record_headers(&resp.headers, r);
                if !resp.body.is_empty() {
                    ex.response_body = Some(r.body_within(
                        resp.header("content-type"),
                        &resp.text_ref(),
                        TRANSCRIPT_BODY_LIMIT,
                    ));
                }
                ex.elapsed_ms = resp.elapsed.as_millis() as u64;
            }
            Err(e) => ex.error = Some(r.text_within(&e.to_string(), TRANSCRIPT_HEADER_LIMIT)),
        }
        ex
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// The redacted header fields of one message as the transcript keeps them: each name and value
/// within [`TRANSCRIPT_HEADER_LIMIT`], all of them within [`TRANSCRIPT_HEADERS_LIMIT`], and a
/// last entry saying how many fields and bytes were left out.
fn record_headers(headers: &[(String, String)], r: &Redactor) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut used = 0;
    let mut left = (0usize, 0usize);
    for (k, v) in headers {
        if used >= TRANSCRIPT_HEADERS_LIMIT {
            left.0 += 1;
            left.1 += k.len() + v.len();
            continue;
        }
        let name = truncate(k, TRANSCRIPT_HEADER_LIMIT);
        let value = r.header_within(k, v, TRANSCRIPT_HEADER_LIMIT);
        used += name.len() + value.len();
        out.push((name, value));
    }
    if left.0 > 0 {
        out.push((
            "…".into(),
            format!(
                "[truncated: {} more header fields, {} bytes, not shown]",
                left.0, left.1
            ),
        ));
    }
    out
}

/// Keeps at most `limit` bytes of `s`, marked as truncated with the original length.
pub fn truncate(s: &str, limit: usize) -> String {
    if s.len() <= limit {
        return s.to_string();
    }
    let mut end = limit;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… [truncated: {} of {} bytes shown]",
        &s[..end],
        end,
        s.len()
    )
}
