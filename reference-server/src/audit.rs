//! The audit log: one JSON object per line for every use of a token at the
//! MCP endpoint and every grant, refresh and revocation, with who (client
//! id, peer address), what (method, tool, scope) and the outcome. Secrets
//! (tokens, codes, verifiers, client secrets) are never written: events
//! carry identifiers and outcomes only.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, LineWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Where audit lines go. Cheap to clone; clones share the sink.
#[derive(Clone)]
pub struct AuditLog {
    sink: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditLog")
    }
}

impl AuditLog {
    /// Appends to the file at `path`, creating it.
    pub fn file(path: &Path) -> io::Result<AuditLog> {
        let file: File = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(AuditLog::writer(LineWriter::new(file)))
    }

    pub fn stderr() -> AuditLog {
        AuditLog::writer(io::stderr())
    }

    /// Any writer (tests collect the lines in memory).
    pub fn writer(w: impl Write + Send + 'static) -> AuditLog {
        AuditLog {
            sink: Arc::new(Mutex::new(Box::new(w))),
        }
    }

    /// Writes `event` (an object) as one line, with `time` first. A write
    /// error is dropped: the audit log must never take the server down.
    pub(crate) fn record(&self, event: Value) {
        let mut line = Map::new();
        line.insert("time".into(), Value::String(now_rfc3339()));
        if let Value::Object(fields) = event {
            line.extend(fields);
        }
        let mut text = Value::Object(line).to_string();
        text.push('\n');
        let mut sink = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = sink.write_all(text.as_bytes());
    }
}

/// The address of the peer that sent a request, when the server knows it.
pub(crate) fn peer_addr(parts: &axum::http::request::Parts) -> Option<std::net::SocketAddr> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<crate::listener::Peer>>()
        .map(|info| info.0.0)
}

/// [`peer_addr`] as text, for the log.
pub(crate) fn peer(parts: &axum::http::request::Parts) -> Option<String> {
    peer_addr(parts).map(|a| a.to_string())
}

/// The current time, RFC 3339 in UTC, to the millisecond.
pub(crate) fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    let now = now
        .replace_nanosecond(now.millisecond() as u32 * 1_000_000)
        .unwrap_or(now);
    now.format(&Rfc3339).unwrap_or_default()
}
