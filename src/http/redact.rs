//! Redaction of secrets before anything is recorded.
//!
//! Every sink (transcript, findings, reports, console) sees only redacted text. A secret is
//! replaced by a shape-preserving marker with a short hash, `[redacted:3f2a9c]`, so that the same
//! token can be followed across steps without being revealed.

use std::sync::{Arc, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use sha2::{Digest, Sha256};

/// Header names whose credentials are removed (the auth scheme is kept).
pub const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "dpop",
];

/// JSON members, form fields and query parameters whose values are secrets.
pub const SENSITIVE_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "code",
    "code_verifier",
    "registration_access_token",
    "password",
];

/// The marker that stands for a secret value.
pub fn marker(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let hex: String = digest.iter().take(3).map(|b| format!("{b:02x}")).collect();
    format!("[redacted:{hex}]")
}

/// Redacts secrets; cheap to clone and shared by every sink of a run.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    /// Literal values to scrub wherever they appear (tokens seen, `--secret` values).
    values: Arc<RwLock<Vec<String>>>,
    /// One automaton over the ends ([`KEY`] bytes) of the first `.1` values, so a text is
    /// scanned once however many secrets the run has seen; the values that came after it (at
    /// most [`RECENT`]) are looked for one by one, and the automaton is built again when more
    /// have come.
    matcher: Arc<RwLock<Option<Covering>>>,
}

/// An automaton and how many of the first values it covers.
type Covering = (Arc<AhoCorasick>, usize);

/// How many secrets may arrive before the automaton is built again over all of them: a run
/// learns secrets throughout (every token), and texts are scanned far more often.
const RECENT: usize = 32;

/// How much of the end of a secret the automaton looks for; a place it matches is a secret
/// only where the whole value ends there. Secrets are random (tokens, codes), and their ends
/// most of all (a JWT's signature), so a few bytes tell them apart; the automaton stays small
/// however long the tokens are.
const KEY: usize = 16;

/// The part of a secret the automaton holds.
fn key(value: &str) -> &[u8] {
    let b = value.as_bytes();
    &b[b.len().saturating_sub(KEY)..]
}

impl Redactor {
    /// A redactor that already knows these secrets (`--secret` values).
    pub fn with_secrets<S: AsRef<str>>(secrets: &[S]) -> Redactor {
        let redactor = Redactor::default();
        for s in secrets {
            redactor.add_secret(s.as_ref());
        }
        redactor
    }

    /// Remembers a secret value so that it is scrubbed from any text later.
    pub fn add_secret(&self, value: &str) {
        // Very short values would scrub innocent text; they are not credentials anyway.
        if value.len() < 6 {
            return;
        }
        if let Ok(mut v) = self.values.write()
            && !v.iter().any(|s| s == value)
        {
            v.push(value.to_string());
        }
    }

    /// The automaton and how many values it covers; `None` while there are few values.
    fn matcher(&self, values: &[String]) -> Option<Covering> {
        if let Some((m, covered)) = self.matcher.read().ok().and_then(|m| m.clone())
            && values.len() - covered <= RECENT
        {
            return Some((m, covered));
        }
        if values.len() <= RECENT {
            return None;
        }
        // Every place a key ends is wanted (one key may end inside another), so the automaton
        // reports overlapping matches. An NFA is quick to build.
        let built = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(values.iter().map(|v| key(v)))
            .ok()
            .map(Arc::new)?;
        if let Ok(mut m) = self.matcher.write() {
            *m = Some((Arc::clone(&built), values.len()));
        }
        Some((built, values.len()))
    }

    /// Where remembered secrets stand in the text: `(start, index of the value)`, leftmost
    /// first and, of those starting at one place, the longest; none overlaps the one before.
    /// `first_only` stops at the first found (any, not the leftmost).
    fn find(&self, values: &[String], text: &str, first_only: bool) -> Vec<(usize, usize)> {
        let bytes = text.as_bytes();
        let whole_at = |end: usize, i: usize| {
            let v = values[i].as_bytes();
            (end >= v.len() && &bytes[end - v.len()..end] == v).then(|| (end - v.len(), i))
        };
        let mut found = Vec::new();
        let covered = match self.matcher(values) {
            Some((m, covered)) => {
                for hit in m.find_overlapping_iter(text) {
                    if let Some(at) = whole_at(hit.end(), hit.pattern().as_usize()) {
                        found.push(at);
                        if first_only {
                            return found;
                        }
                    }
                }
                covered
            }
            None => 0,
        };
        for (i, v) in values.iter().enumerate().skip(covered) {
            // `contains` is quick where the text is short; `match_indices` would first prepare
            // a searcher for the secret, the whole cost of a miss.
            if v.len() > text.len() || !text.contains(v.as_str()) {
                continue;
            }
            for (start, _) in text.match_indices(v.as_str()) {
                found.push((start, i));
                if first_only {
                    return found;
                }
            }
        }
        found.sort_by_key(|&(start, i)| (start, std::cmp::Reverse(values[i].len())));
        let mut end = 0;
        found.retain(|&(start, i)| {
            let keep = start >= end;
            if keep {
                end = start + values[i].len();
            }
            keep
        });
        found
    }

    /// Whether the text holds a remembered secret.
    fn holds_secret(&self, text: &str) -> bool {
        let Ok(values) = self.values.read() else {
            return false;
        };
        !self.find(&values, text, true).is_empty()
    }

    /// The last pass over a finished output (a whole report): every remembered secret.
    pub fn scrub(&self, output: &str) -> String {
        self.text(output)
    }

    /// The secret values remembered so far (for tests that prove none reached a sink).
    pub fn secrets(&self) -> Vec<String> {
        self.values.read().map(|v| v.clone()).unwrap_or_default()
    }

    /// Scrubs remembered secret values from free text, in one scan however many there are.
    pub fn text(&self, text: &str) -> String {
        let Ok(values) = self.values.read() else {
            return text.to_string();
        };
        let found = self.find(&values, text, false);
        if found.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, i) in found {
            out.push_str(&text[at..start]);
            out.push_str(&marker(&values[i]));
            at = start + values[i].len();
        }
        out.push_str(&text[at..]);
        out
    }

    /// A header value: sensitive headers keep their scheme and lose the credential.
    pub fn header(&self, name: &str, value: &str) -> String {
        if ["location", "content-location"]
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
        {
            return self.url(value);
        }
        if SENSITIVE_HEADERS
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
        {
            let lower = name.to_ascii_lowercase();
            if lower == "cookie" || lower == "set-cookie" {
                return redact_cookie(value);
            }
            return match value.split_once(' ') {
                Some((scheme, cred)) if !cred.trim().is_empty() => {
                    format!("{scheme} {}", marker(cred.trim()))
                }
                _ if value.trim().is_empty() => value.to_string(),
                _ => marker(value),
            };
        }
        self.text(value)
    }

    /// A JSON value: sensitive members are replaced, then remembered values scrubbed.
    pub fn json(&self, value: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::String(s) if is_sensitive_field(k) => Value::String(marker(s)),
                            other => self.json(other),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.json(v)).collect()),
            Value::String(s) => Value::String(self.text(s)),
            other => other.clone(),
        }
    }

    /// A body of any content type.
    pub fn body(&self, content_type: Option<&str>, body: &str) -> String {
        let ct = content_type.unwrap_or_default().to_ascii_lowercase();
        if (ct.contains("json") || body.trim_start().starts_with('{'))
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(body)
        {
            return serde_json::to_string_pretty(&self.json(&v)).unwrap_or_default();
        }
        if ct.starts_with("application/x-www-form-urlencoded") {
            return self.form(body);
        }
        self.text(body)
    }

    /// [`Redactor::body`] within `limit` bytes, marked as truncated with the original length.
    ///
    /// A large body is never copied whole: JSON is redacted in place and written out only up to
    /// the limit; other text is cut (with a margin, so that no secret is cut in two where it
    /// could still show) before it is redacted.
    pub fn body_within(&self, content_type: Option<&str>, body: &str, limit: usize) -> String {
        if body.len() <= LARGE_BODY {
            return crate::http::truncate(&self.body(content_type, body), limit);
        }
        let ct = content_type.unwrap_or_default().to_ascii_lowercase();
        let shown = if (ct.contains("json") || body.trim_start().starts_with('{'))
            && let Ok(mut v) = serde_json::from_str::<serde_json::Value>(body)
        {
            self.json_in_place(&mut v, limit + SECRET_MARGIN);
            let mut out = Capped {
                buf: Vec::with_capacity(limit),
                cap: limit,
            };
            // Stops with an error once the cap is reached; what was written is kept.
            let _ = serde_json::to_writer_pretty(&mut out, &v);
            match String::from_utf8(out.buf) {
                Ok(s) => s,
                Err(e) => {
                    let valid = e.utf8_error().valid_up_to();
                    let mut bytes = e.into_bytes();
                    bytes.truncate(valid);
                    String::from_utf8(bytes).unwrap_or_default()
                }
            }
        } else if ct.starts_with("application/x-www-form-urlencoded") {
            return within(body, limit, |head| self.form(head));
        } else {
            return self.text_within(body, limit);
        };
        format!(
            "{shown}… [truncated: {} of {} bytes shown]",
            shown.len(),
            body.len()
        )
    }

    /// [`Redactor::json`] without a copy of the document. Strings longer than `keep` are cut
    /// first: no more of them can be shown.
    fn json_in_place(&self, value: &mut serde_json::Value, keep: usize) {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    match v {
                        Value::String(s) if is_sensitive_field(k) => *s = marker(s),
                        other => self.json_in_place(other, keep),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.json_in_place(v, keep)),
            Value::String(s) => {
                if s.len() > keep {
                    let end = floor_boundary(s, keep);
                    s.truncate(end);
                }
                if self.holds_secret(s) {
                    *s = self.text(s);
                }
            }
            _ => {}
        }
    }

    /// [`Redactor::text`] within `limit` bytes, marked as truncated with the original length;
    /// a long text is cut (with a margin) before it is scanned.
    pub fn text_within(&self, text: &str, limit: usize) -> String {
        within(text, limit, |head| self.text(head))
    }

    /// [`Redactor::header`] within `limit` bytes, like [`Redactor::text_within`].
    pub fn header_within(&self, name: &str, value: &str, limit: usize) -> String {
        within(value, limit, |head| self.header(name, head))
    }

    /// An `application/x-www-form-urlencoded` string or URL query.
    pub fn form(&self, encoded: &str) -> String {
        let pairs: Vec<String> = encoded
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if is_sensitive_field(k) && !v.is_empty() => {
                    format!("{k}={}", marker(v))
                }
                _ => pair.to_string(),
            })
            .collect();
        self.text(&pairs.join("&"))
    }

    /// A URL: sensitive query and fragment parameters are replaced (a redirect carries the
    /// code in its query, an implicit-grant response the token in its fragment).
    pub fn url(&self, url: &str) -> String {
        let (rest, fragment) = match url.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (url, None),
        };
        let mut out = match rest.split_once('?') {
            Some((base, query)) => format!("{}?{}", self.text(base), self.form(query)),
            None => self.text(rest),
        };
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(&self.form(f));
        }
        out
    }
}

/// Bodies longer than this are redacted by [`Redactor::body_within`] without a whole copy.
const LARGE_BODY: usize = 64 * 1024;
/// How much text past the cut is still redacted, so a secret that straddles the cut is caught.
const SECRET_MARGIN: usize = 16 * 1024;

/// The largest char boundary of `s` at or below `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Redacts the head of `text` with `redact`, and keeps `limit` bytes of the result, marked with
/// the original length when cut. The head runs past the limit by a margin, so a secret that
/// straddles the cut is still replaced before the cut.
fn within(text: &str, limit: usize, redact: impl Fn(&str) -> String) -> String {
    if text.len() <= limit {
        let out = redact(text);
        if out.len() <= limit {
            return out;
        }
        return crate::http::truncate(&out, limit);
    }
    let head = &text[..floor_boundary(text, limit + SECRET_MARGIN)];
    let out = redact(head);
    let cut = floor_boundary(&out, limit);
    format!(
        "{}… [truncated: {} of {} bytes shown]",
        &out[..cut],
        cut,
        text.len()
    )
}

/// A writer that keeps the first `cap` bytes and then refuses more.
struct Capped {
    buf: Vec<u8>,
    cap: usize,
}

impl std::io::Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = self.cap - self.buf.len();
        if room == 0 {
            return Err(std::io::Error::other("the transcript limit is reached"));
        }
        let n = room.min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn is_sensitive_field(name: &str) -> bool {
    SENSITIVE_FIELDS
        .iter()
        .any(|f| f.eq_ignore_ascii_case(name))
}

fn redact_cookie(value: &str) -> String {
    value
        .split(';')
        .enumerate()
        .map(|(i, part)| match part.split_once('=') {
            // Only the first pair of Set-Cookie is the cookie; the rest are attributes.
            Some((k, v)) if i == 0 || !value.contains("Path=") => {
                format!("{k}={}", marker(v.trim()))
            }
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_bodies_are_cut_and_redacted() {
        let r = Redactor::default();
        r.add_secret("s3cr3t-value");
        let big = format!(
            "{{\"access_token\":\"tok-123456\",\"note\":\"s3cr3t-value\",\"pad\":\"{}\"}}",
            "x".repeat(200_000)
        );
        let out = r.body_within(Some("application/json"), &big, 1024);
        assert!(
            !out.contains("tok-123456") && !out.contains("s3cr3t-value"),
            "{out}"
        );
        assert!(
            out.ends_with(&format!("of {} bytes shown]", big.len())),
            "{out}"
        );
        assert!(out.len() < 1200);
        let text = format!("{}s3cr3t-value{}", "y".repeat(1020), "z".repeat(100_000));
        let out = r.body_within(Some("text/plain"), &text, 1024);
        assert!(
            !out.contains("s3cr3t"),
            "a secret cut in two still shows: {out}"
        );
    }

    #[test]
    fn headers_keep_scheme() {
        let r = Redactor::default();
        let v = r.header("Authorization", "Bearer abcdefghijkl");
        assert!(v.starts_with("Bearer [redacted:"));
        assert!(!v.contains("abcdefghijkl"));
        assert_eq!(
            r.header("Content-Type", "application/json"),
            "application/json"
        );
    }

    #[test]
    fn json_and_form_fields() {
        let r = Redactor::default();
        let v =
            r.json(&serde_json::json!({"access_token": "tok-123456", "n": [{"code": "c0de-xyz"}]}));
        let s = v.to_string();
        assert!(!s.contains("tok-123456") && !s.contains("c0de-xyz"));
        let f = r.form("grant_type=authorization_code&code=abc123456&code_verifier=vvvvvvvv");
        assert!(f.starts_with("grant_type=authorization_code&code=[redacted:"));
        assert!(!f.contains("vvvvvvvv"));
    }

    #[test]
    fn remembered_values() {
        let r = Redactor::default();
        r.add_secret("s3cr3t-value");
        assert_eq!(
            r.text("x s3cr3t-value y"),
            format!("x {} y", marker("s3cr3t-value"))
        );
        assert!(
            r.url("http://h/p?access_token=zzzzzzzz")
                .contains("access_token=[redacted:")
        );
        let loc = r.header(
            "Location",
            "http://127.0.0.1:1/cb?code=abcdefgh&state=s#access_token=tttttttt",
        );
        assert!(
            !loc.contains("abcdefgh") && !loc.contains("tttttttt") && loc.contains("state=s"),
            "{loc}"
        );
        let many = Redactor::default();
        for i in 0..300 {
            many.add_secret(&format!("secret-value-{i:04}"));
        }
        let out = many.scrub("a secret-value-0007 b secret-value-0299 c");
        assert!(
            !out.contains("secret-value-0007") && !out.contains("secret-value-0299"),
            "{out}"
        );
    }
    /// The redaction a reader expects: at each place, the longest secret that starts there.
    fn naive(secrets: &[String], text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            match secrets
                .iter()
                .filter(|s| rest.starts_with(s.as_str()))
                .max_by_key(|s| s.len())
            {
                Some(s) => {
                    out.push_str(&marker(s));
                    rest = &rest[s.len()..];
                }
                None => {
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 200,
            failure_persistence: None,
            ..Default::default()
        })]
        /// Secrets that overlap, contain one another and share their ends (few letters, many
        /// secrets, so that the automaton and the recent values both take part).
        #[test]
        fn redaction_scrubs_the_longest_secret_at_each_place(
            secrets in proptest::collection::vec("[ab-]{6,24}", 0..90),
            pieces in proptest::collection::vec((0usize..100, "[abé-]{0,5}"), 0..30),
        ) {
            let r = Redactor::default();
            let mut kept: Vec<String> = Vec::new();
            for s in &secrets {
                r.add_secret(s);
                if !kept.contains(s) {
                    kept.push(s.clone());
                }
            }
            let mut text = String::new();
            for (pick, filler) in &pieces {
                if let Some(s) = kept.get(*pick) {
                    text.push_str(s);
                }
                text.push_str(filler);
            }
            proptest::prop_assert_eq!(r.text(&text), naive(&kept, &text));
            proptest::prop_assert_eq!(r.holds_secret(&text), kept.iter().any(|s| text.contains(s.as_str())));
        }
    }
}
