//! Keeps a report from holding the same large value twice.
//!
//! Discovery documents are fetched once per run and shown in the transcript of every case that
//! uses them, and a hostile target can send the same large answer to every request. The first
//! occurrence of a large value stays; later ones become a short reference to it.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::model::CaseResult;

/// Values at least this long are shown once per report.
pub const LARGE: usize = 1024;

/// Remembers the large values seen so far, in the order cases are added.
#[derive(Debug, Default)]
pub struct Dedup {
    seen: HashMap<(u64, usize), String>,
}

impl Dedup {
    /// Replaces the large values of `case` seen in an earlier case (or earlier in this one)
    /// with a reference to where they were first shown.
    pub fn apply(&mut self, case: &mut CaseResult) {
        let id = case.id.clone();
        for (n, ex) in case.transcript.iter_mut().enumerate() {
            let at = |what: &str| format!("case {id}, exchange {}, {what}", n + 1);
            for (k, v) in ex
                .request_headers
                .iter_mut()
                .chain(ex.response_headers.iter_mut())
            {
                let place = at(&format!("header {k}"));
                self.one(v, place);
            }
            if let Some(b) = ex.request_body.as_mut() {
                self.one(b, at("request body"));
            }
            if let Some(b) = ex.response_body.as_mut() {
                self.one(b, at("response body"));
            }
        }
        for (n, note) in case.notes.iter_mut().enumerate() {
            self.one(note, format!("case {id}, note {}", n + 1));
        }
        for (n, f) in case.findings.iter_mut().enumerate() {
            self.one(
                &mut f.actual,
                format!("case {id}, finding {}, actual", n + 1),
            );
            self.one(
                &mut f.expected,
                format!("case {id}, finding {}, expected", n + 1),
            );
        }
    }

    fn one(&mut self, value: &mut String, place: String) {
        if value.len() < LARGE {
            return;
        }
        let mut h = DefaultHasher::new();
        value.hash(&mut h);
        let key = (h.finish(), value.len());
        match self.seen.get(&key) {
            Some(first) => *value = format!("[the same {} bytes as {first}]", value.len()),
            None => {
                self.seen.insert(key, place);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::model::Outcome;
    use crate::transcript::Exchange;
    use crate::vocab::Level;

    fn case(id: &str, body: &str) -> CaseResult {
        CaseResult {
            id: id.into(),
            title: String::new(),
            suite: String::new(),
            section: String::new(),
            level: Level::Must,
            party: String::new(),
            requirements: Vec::new(),
            result: Outcome::Pass,
            message: String::new(),
            findings: Vec::new(),
            notes: Vec::new(),
            transcript: vec![Exchange {
                block: "b".into(),
                method: "GET".into(),
                url: "http://127.0.0.1/x".into(),
                request_headers: Vec::new(),
                request_body: None,
                status: Some(200),
                response_headers: vec![("x-small".into(), "same".into())],
                response_body: Some(body.into()),
                elapsed_ms: 0,
                error: None,
            }],
            duration_ms: 0,
        }
    }

    #[test]
    fn a_large_value_is_kept_once() {
        let big = "x".repeat(LARGE);
        let mut d = Dedup::default();
        let (mut a, mut b) = (case("a", &big), case("b", &big));
        d.apply(&mut a);
        d.apply(&mut b);
        assert_eq!(a.transcript[0].response_body.as_deref(), Some(big.as_str()));
        assert_eq!(
            b.transcript[0].response_body.as_deref(),
            Some("[the same 1024 bytes as case a, exchange 1, response body]")
        );
        // Small values stay wherever they are.
        assert_eq!(b.transcript[0].response_headers[0].1, "same");
        let mut c = case("c", &"y".repeat(LARGE));
        d.apply(&mut c);
        assert_eq!(
            c.transcript[0].response_body.as_deref().map(str::len),
            Some(LARGE)
        );
    }
}
