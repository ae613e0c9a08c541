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

/// A large value set aside by [`Held::hold`]: this, the key's hash and length. It starts with a
/// NUL, which no recorded text holds.
const HELD: &str = "\u{0}held:";

/// Large values set aside as cases finish, in whatever order they finish, one copy of each, so
/// that a run holds each large value once however long the report's order keeps it waiting;
/// [`Held::finish`] then puts them back in the cases' order, as [`Dedup`] does.
#[derive(Debug, Default)]
pub struct Held {
    values: HashMap<(u64, usize), String>,
}

impl Held {
    /// Sets aside the large values of `case` (each kept once), leaving a short stand-in.
    pub fn hold(&mut self, case: &mut CaseResult) {
        for_each_value(case, |value, _| {
            if value.len() < LARGE {
                return;
            }
            let key = key_of(value);
            let stand_in = format!("{HELD}{}:{}", key.0, key.1);
            self.values
                .entry(key)
                .or_insert_with(|| std::mem::replace(value, stand_in.clone()));
            *value = stand_in;
        });
    }

    /// Puts the values back in the cases' order: the first occurrence whole, later ones a
    /// reference to it (what [`Dedup::apply`] makes of cases added in this order).
    pub fn finish(self, cases: &mut [CaseResult]) {
        let mut dedup = Dedup::default();
        for case in cases.iter_mut() {
            for_each_value(case, |value, _| {
                if let Some(key) = value.strip_prefix(HELD).and_then(parse_key)
                    && let Some(v) = self.values.get(&key)
                {
                    *value = v.clone();
                }
            });
            dedup.apply(case);
        }
    }
}

fn key_of(value: &str) -> (u64, usize) {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    (h.finish(), value.len())
}

fn parse_key(s: &str) -> Option<(u64, usize)> {
    let (h, n) = s.split_once(':')?;
    Some((h.parse().ok()?, n.parse().ok()?))
}

/// Calls `f` on every text of `case` that may be large, with where it is.
fn for_each_value(case: &mut CaseResult, mut f: impl FnMut(&mut String, String)) {
    let id = case.id.clone();
    for (n, ex) in case.transcript.iter_mut().enumerate() {
        let at = |what: &str| format!("case {id}, exchange {}, {what}", n + 1);
        for (k, v) in ex
            .request_headers
            .iter_mut()
            .chain(ex.response_headers.iter_mut())
        {
            f(v, at(&format!("header {k}")));
        }
        if let Some(b) = ex.request_body.as_mut() {
            f(b, at("request body"));
        }
        if let Some(b) = ex.response_body.as_mut() {
            f(b, at("response body"));
        }
    }
    for (n, note) in case.notes.iter_mut().enumerate() {
        f(note, format!("case {id}, note {}", n + 1));
    }
    for (n, finding) in case.findings.iter_mut().enumerate() {
        f(
            &mut finding.actual,
            format!("case {id}, finding {}, actual", n + 1),
        );
        f(
            &mut finding.expected,
            format!("case {id}, finding {}, expected", n + 1),
        );
    }
}

impl Dedup {
    /// Replaces the large values of `case` seen in an earlier case (or earlier in this one)
    /// with a reference to where they were first shown.
    pub fn apply(&mut self, case: &mut CaseResult) {
        for_each_value(case, |value, place| self.one(value, place));
    }

    fn one(&mut self, value: &mut String, place: String) {
        if value.len() < LARGE {
            return;
        }
        let key = key_of(value);
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

    #[test]
    fn held_values_come_back_as_dedup_makes_them_in_the_cases_order() {
        let big = "x".repeat(LARGE);
        let (mut a, mut b) = (case("a", &big), case("b", &big));
        let mut held = Held::default();
        // Finished in the other order.
        held.hold(&mut b);
        held.hold(&mut a);
        assert!(a.transcript[0].response_body.as_deref().unwrap().len() < 64);
        let mut cases = vec![a, b];
        held.finish(&mut cases);
        let (mut x, mut y) = (case("a", &big), case("b", &big));
        let mut d = Dedup::default();
        d.apply(&mut x);
        d.apply(&mut y);
        assert_eq!(
            cases[0].transcript[0].response_body,
            x.transcript[0].response_body
        );
        assert_eq!(
            cases[1].transcript[0].response_body,
            y.transcript[0].response_body
        );
    }
}
