//! A parser for `WWW-Authenticate` challenges (RFC 9110 §11.6.1, RFC 6750 §3).
//!
//! Input is one header field value (a server may send several fields, and one field may hold
//! several comma-separated challenges). Output is the list of challenges with their scheme and
//! auth-params in order, duplicates kept, so that checks can judge the syntax the server used.

use std::fmt;

/// How many auth-params a parsed challenge keeps; the rest are checked for syntax and counted.
pub const MAX_PARAMS: usize = 64;
/// How many challenges one field value yields; the rest are checked for syntax and counted.
pub const MAX_CHALLENGES: usize = 32;

/// One challenge: an auth-scheme with either a token68 or a list of auth-params.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    pub token68: Option<String>,
    /// Parameters in the order sent; names lowercased, duplicates kept; at most [`MAX_PARAMS`].
    pub params: Vec<AuthParam>,
    /// Parameters sent beyond [`MAX_PARAMS`], not kept.
    pub omitted_params: usize,
    /// Challenges that followed this one in the field beyond [`MAX_CHALLENGES`], not kept.
    pub omitted_challenges: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthParam {
    pub name: String,
    pub value: String,
    pub quoted: bool,
}

impl Challenge {
    pub fn is_bearer(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("bearer")
    }

    /// The first value of a parameter (names are case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_str())
    }

    /// What the parser left out of this challenge, in words, if anything.
    pub fn omissions(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.omitted_params > 0 {
            parts.push(format!(
                "only the first {MAX_PARAMS} of {} parameters were kept",
                MAX_PARAMS + self.omitted_params
            ));
        }
        if self.omitted_challenges > 0 {
            parts.push(format!(
                "{} further challenges were left out (at most {MAX_CHALLENGES} are kept)",
                self.omitted_challenges
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// Parameter names that occur more than once.
    pub fn duplicate_params(&self) -> Vec<String> {
        let mut seen: Vec<&str> = Vec::new();
        let mut dups = Vec::new();
        for p in &self.params {
            if seen.contains(&p.name.as_str()) {
                if !dups.contains(&p.name) {
                    dups.push(p.name.clone());
                }
            } else {
                seen.push(&p.name);
            }
        }
        dups
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.scheme)?;
        if let Some(t) = &self.token68 {
            return write!(f, " {t}");
        }
        for (i, p) in self.params.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ", " })?;
            if p.quoted {
                write!(
                    f,
                    "{}=\"{}\"",
                    p.name,
                    p.value.replace('\\', "\\\\").replace('"', "\\\"")
                )?;
            } else {
                write!(f, "{}={}", p.name, p.value)?;
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeSyntaxError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ChallengeSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

fn is_token68_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~+/".contains(&c)
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn skip_ws(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
        self.i - start
    }
    fn token(&mut self) -> &str {
        let start = self.i;
        while self.peek().is_some_and(is_tchar) {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default()
    }
    fn err(&self, message: impl Into<String>) -> ChallengeSyntaxError {
        ChallengeSyntaxError {
            offset: self.i,
            message: message.into(),
        }
    }
    /// True when a token68 (and nothing else) stands here up to the end or a comma.
    fn token68_ahead(&self) -> Option<usize> {
        let mut j = self.i;
        while self.s.get(j).copied().is_some_and(is_token68_char) {
            j += 1;
        }
        if j == self.i {
            return None;
        }
        while self.s.get(j) == Some(&b'=') {
            j += 1;
        }
        let mut k = j;
        while matches!(self.s.get(k), Some(b' ' | b'\t')) {
            k += 1;
        }
        matches!(self.s.get(k), None | Some(b',')).then_some(j)
    }
    /// True when `token BWS "="` (an auth-param) starts here.
    fn param_ahead(&self) -> bool {
        let mut j = self.i;
        while self.s.get(j).copied().is_some_and(is_tchar) {
            j += 1;
        }
        if j == self.i {
            return false;
        }
        while matches!(self.s.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        self.s.get(j) == Some(&b'=')
    }
    fn quoted_string(&mut self) -> Result<String, ChallengeSyntaxError> {
        let start = self.i;
        self.i += 1; // opening quote
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => {
                    self.i = start;
                    return Err(self.err("unterminated quoted-string"));
                }
                Some(b'"') => {
                    self.i += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(c) => {
                            out.push(c);
                            self.i += 1;
                        }
                        None => return Err(self.err("dangling backslash in quoted-string")),
                    }
                }
                Some(c) => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }
}

/// Parses one `WWW-Authenticate` field value into its challenges.
pub fn parse(value: &str) -> Result<Vec<Challenge>, ChallengeSyntaxError> {
    let mut c = Cursor {
        s: value.as_bytes(),
        i: 0,
    };
    let mut out = Vec::new();
    loop {
        while matches!(c.peek(), Some(b' ' | b'\t' | b',')) {
            c.i += 1;
        }
        if c.peek().is_none() {
            break;
        }
        let scheme = c.token().to_string();
        if scheme.is_empty() {
            return Err(c.err("expected an auth-scheme token"));
        }
        let mut ch = Challenge {
            scheme,
            token68: None,
            params: Vec::new(),
            omitted_params: 0,
            omitted_challenges: 0,
        };
        let spaces = c.skip_ws();
        if matches!(c.peek(), None | Some(b',')) {
            keep(&mut out, ch);
            continue;
        }
        if spaces == 0 {
            return Err(c.err("expected a space after the auth-scheme"));
        }
        if !c.param_ahead()
            && let Some(end) = c.token68_ahead()
        {
            ch.token68 = Some(String::from_utf8_lossy(&c.s[c.i..end]).into_owned());
            c.i = end;
            keep(&mut out, ch);
            continue;
        }
        // auth-params, until the end or a token that starts the next challenge
        loop {
            let name = c.token().to_ascii_lowercase();
            if name.is_empty() {
                return Err(c.err("expected an auth-param name"));
            }
            c.skip_ws();
            if c.peek() != Some(b'=') {
                return Err(c.err(format!("expected `=` after parameter `{name}`")));
            }
            c.i += 1;
            c.skip_ws();
            let (value, quoted) = match c.peek() {
                Some(b'"') => (c.quoted_string()?, true),
                Some(b) if is_tchar(b) => (c.token().to_string(), false),
                _ => {
                    return Err(c.err(format!(
                        "expected a token or quoted-string value for `{name}`"
                    )));
                }
            };
            if ch.params.len() < MAX_PARAMS {
                ch.params.push(AuthParam {
                    name,
                    value,
                    quoted,
                });
            } else {
                ch.omitted_params += 1;
            }
            c.skip_ws();
            match c.peek() {
                None => break,
                Some(b',') => {
                    while matches!(c.peek(), Some(b' ' | b'\t' | b',')) {
                        c.i += 1;
                    }
                    if c.peek().is_none() || !c.param_ahead() {
                        break;
                    }
                }
                Some(_) => return Err(c.err("expected `,` between auth-params")),
            }
        }
        keep(&mut out, ch);
    }
    Ok(out)
}

/// Adds a parsed challenge, or counts it on the last kept one once [`MAX_CHALLENGES`] are kept.
fn keep(out: &mut Vec<Challenge>, ch: Challenge) {
    if out.len() < MAX_CHALLENGES {
        out.push(ch);
    } else if let Some(last) = out.last_mut() {
        last.omitted_challenges += 1;
    }
}

/// Parses every `WWW-Authenticate` field of a response and returns all challenges.
pub fn parse_all<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Challenge>, ChallengeSyntaxError> {
    let mut out = Vec::new();
    for v in values {
        out.extend(parse(v)?);
    }
    Ok(out)
}

/// The first Bearer challenge among several `WWW-Authenticate` field values. Each field is
/// parsed on its own, so a malformed one does not hide a valid Bearer challenge in another.
pub fn first_bearer<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Challenge> {
    values
        .into_iter()
        .filter_map(|v| parse(v).ok())
        .flatten()
        .find(Challenge::is_bearer)
}

/// Characters RFC 6750 §3 allows in `error` and `error_description` values.
pub fn is_nqschar_value(s: &str) -> bool {
    s.bytes()
        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// Characters RFC 6750 §3 allows in a `scope` value (space-separated scope-tokens).
pub fn is_scope_value(s: &str) -> bool {
    s.bytes()
        .all(|b| matches!(b, 0x20 | 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_with_params() {
        let c = parse(r#"Bearer resource_metadata="https://x/.well-known/oauth-protected-resource", scope="a b""#)
            .expect("parses");
        assert_eq!(c.len(), 1);
        assert!(c[0].is_bearer());
        assert_eq!(c[0].param("scope"), Some("a b"));
        assert_eq!(
            c[0].param("RESOURCE_METADATA"),
            Some("https://x/.well-known/oauth-protected-resource")
        );
    }

    #[test]
    fn several_challenges_in_one_field() {
        let c = parse(
            r#"Basic realm="x", Bearer error="invalid_token", scope=read, DPoP algs="ES256""#,
        )
        .expect("parses");
        let schemes: Vec<_> = c.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["Basic", "Bearer", "DPoP"]);
        assert_eq!(c[1].param("scope"), Some("read"));
    }

    #[test]
    fn bare_scheme_and_token68() {
        let c = parse("Bearer").expect("parses");
        assert!(c[0].params.is_empty());
        let c = parse("Negotiate abc+/def==").expect("parses");
        assert_eq!(c[0].token68.as_deref(), Some("abc+/def=="));
    }

    #[test]
    fn escapes_and_duplicates() {
        let c =
            parse(r#"Bearer error_description="a \"b\"", scope="x", scope="x""#).expect("parses");
        assert_eq!(c[0].param("error_description"), Some("a \"b\""));
        assert_eq!(c[0].duplicate_params(), vec!["scope".to_string()]);
    }

    #[test]
    fn malformed() {
        assert!(parse(r#"Bearer scope="unterminated"#).is_err());
        assert!(parse(r#"Bearer a=1 b=2"#).is_err());
        assert!(parse("Bearer =x").is_err());
    }

    #[test]
    fn caps_parameters_and_challenges() {
        let many: Vec<String> = (0..1000).map(|i| format!("p{i}=v")).collect();
        let c = parse(&format!("Bearer {}", many.join(", "))).expect("parses");
        assert_eq!(c[0].params.len(), MAX_PARAMS);
        assert_eq!(c[0].omitted_params, 1000 - MAX_PARAMS);
        assert!(
            c[0].omissions()
                .expect("said")
                .contains("of 1000 parameters")
        );
        let c = parse(&vec!["Basic"; 100].join(", ")).expect("parses");
        assert_eq!(c.len(), MAX_CHALLENGES);
        assert_eq!(
            c[MAX_CHALLENGES - 1].omitted_challenges,
            100 - MAX_CHALLENGES
        );
        // The syntax past the cap is still checked.
        assert!(parse(&format!("Bearer {}, x=\"open", many.join(", "))).is_err());
    }

    #[test]
    fn charsets() {
        assert!(is_nqschar_value("The token expired"));
        assert!(!is_nqschar_value("token \"x\""));
        assert!(!is_nqschar_value("é"));
        assert!(is_scope_value("mcp:tools read"));
    }
}
