//! The HTTP layer every step goes through.
//!
//! It owns the limits (per-request timeout, response-size cap), never follows a redirect by
//! itself (steps decide, hop by hop), applies the policy of which URLs the harness may
//! follow, and turns every exchange into a redacted [`Exchange`] record for the transcript.

pub mod redact;

use std::sync::Once;
use std::time::{Duration, Instant};

use serde::Serialize;
use thiserror::Error;
use url::Url;

pub use redact::Redactor;

use crate::oauth::urls;

/// Response bodies larger than this are refused (metadata documents are far smaller).
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// How much of a body the transcript keeps.
const TRANSCRIPT_BODY_LIMIT: usize = 16 * 1024;

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

/// A response as received, body already read within the size limit.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

impl Response {
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

    /// The body as JSON. An SSE stream (`text/event-stream`) yields its JSON-RPC response: the
    /// last message with an `id` and a `result` or `error`, else its last JSON message.
    pub fn json(&self) -> Option<serde_json::Value> {
        if self.media_type().as_deref() == Some("text/event-stream") {
            let mut messages = sse_messages(&self.body);
            let response = messages.iter().rposition(|m| {
                m.get("id").is_some() && (m.get("result").is_some() || m.get("error").is_some())
            });
            return match response {
                Some(i) => Some(messages.swap_remove(i)),
                None => messages.pop(),
            };
        }
        serde_json::from_slice(&self.body).ok()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
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
}

/// Options for the client.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    pub timeout: Duration,
    pub body_limit: usize,
    /// Whether the target itself is on loopback (then plain http on loopback is acceptable).
    pub target_is_loopback: bool,
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
            ca_certs_pem: None,
            tls_1_2_only: false,
        }
    }
}

/// The shared client: cheap to clone.
#[derive(Clone, Debug)]
pub struct HttpClient {
    inner: reqwest::Client,
    pub options: HttpOptions,
    pub redactor: Redactor,
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
        let mut builder = reqwest::Client::builder().tls_certs_merge(extra_roots);
        if options.tls_1_2_only {
            builder = builder.tls_version_max(reqwest::tls::Version::TLS_1_2);
        }
        let inner = builder
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("authspec/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(8)
            .build()
            .map_err(|e| HttpError::Protocol {
                url: String::new(),
                reason: e.to_string(),
            })?;
        Ok(HttpClient {
            inner,
            options,
            redactor,
        })
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
    pub async fn send(&self, req: &Request) -> Result<Response, HttpError> {
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
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(&url, e))? {
            if body.len() + chunk.len() > limit {
                return Err(HttpError::TooLarge { url, limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body,
            elapsed: started.elapsed(),
        })
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
                .map(|(k, v)| (k.clone(), r.header(k, v)))
                .collect(),
            request_body: req
                .body
                .as_ref()
                .map(|b| truncate(&r.body(req_ct, &String::from_utf8_lossy(b)))),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            elapsed_ms: 0,
            error: None,
        };
        match result {
            Ok(resp) => {
                ex.status = Some(resp.status);
                ex.response_headers = resp
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), r.header(k, v)))
                    .collect();
                if !resp.body.is_empty() {
                    ex.response_body =
                        Some(truncate(&r.body(resp.header("content-type"), &resp.text())));
                }
                ex.elapsed_ms = resp.elapsed.as_millis() as u64;
            }
            Err(e) => ex.error = Some(r.text(&e.to_string())),
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

fn truncate(s: &str) -> String {
    if s.len() <= TRANSCRIPT_BODY_LIMIT {
        return s.to_string();
    }
    let mut end = TRANSCRIPT_BODY_LIMIT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… [{} more bytes not shown]", &s[..end], s.len() - end)
}

/// One recorded, redacted HTTP exchange.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Exchange {
    /// The named block (step) this exchange belongs to.
    pub block: String,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    pub elapsed_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
