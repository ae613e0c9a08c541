//! The shared vocabulary at the bottom of the house: the words every layer uses to name a
//! level, a party, an MCP revision and its wire model, a place in a source file, and the
//! did-you-mean helper for messages. It imports nothing of the project, so any module may
//! import it without an arrow running back up.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The normative strength of a rule, a case or an expectation.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub enum Level {
    #[serde(rename = "MUST")]
    Must,
    #[serde(rename = "SHOULD")]
    Should,
    #[serde(rename = "MAY")]
    May,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which party a case examines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Party {
    #[serde(rename = "AS")]
    AuthorizationServer,
    #[serde(rename = "RS")]
    ResourceServer,
    #[serde(rename = "client")]
    Client,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Party::AuthorizationServer => "AS",
            Party::ResourceServer => "RS",
            Party::Client => "client",
        }
    }
}

/// An MCP authorization spec revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SpecRevision {
    #[serde(rename = "2025-06-18")]
    V2025_06_18,
    #[serde(rename = "2025-11-25")]
    V2025_11_25,
    #[serde(rename = "2026-07-28")]
    V2026_07_28,
}

impl SpecRevision {
    pub const ALL: [SpecRevision; 3] = [
        SpecRevision::V2025_06_18,
        SpecRevision::V2025_11_25,
        SpecRevision::V2026_07_28,
    ];
    /// The current revision, judged by when nothing else is asked for.
    pub const DEFAULT: SpecRevision = SpecRevision::V2026_07_28;

    pub fn as_str(self) -> &'static str {
        match self {
            SpecRevision::V2025_06_18 => "2025-06-18",
            SpecRevision::V2025_11_25 => "2025-11-25",
            SpecRevision::V2026_07_28 => "2026-07-28",
        }
    }

    /// The wire model MCP requests follow under this revision: the 2026-07-28 stateless model
    /// (every request carries its version and `_meta`; no `initialize`, no session), or the
    /// 2025 model (`initialize`, then the session and the version the server negotiated).
    pub fn wire(self) -> WireModel {
        match self {
            SpecRevision::V2026_07_28 => WireModel::Stateless,
            _ => WireModel::Session,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// How MCP requests travel (see [`SpecRevision::wire`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireModel {
    /// 2026-07-28: per-request `_meta` and mirrored headers, `server/discover` as the hello.
    Stateless,
    /// 2025-06-18 and 2025-11-25: `initialize`, then `Mcp-Session-Id` and the negotiated version.
    Session,
}

impl Default for SpecRevision {
    fn default() -> Self {
        SpecRevision::DEFAULT
    }
}

impl fmt::Display for SpecRevision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// The closest candidate to a misspelt word, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
