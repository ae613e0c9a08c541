//! The result model: what a run found, ready for any reporter. Reporters only read it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::transcript::Exchange;
use crate::vocab::Level;

/// The verdict on one case.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every expectation held.
    Pass,
    /// The target broke a MUST, with evidence.
    Fail,
    /// The target missed a SHOULD (or a MAY it chose to use was malformed only in a SHOULD way).
    Warn,
    /// The case does not apply to this target, by the target's own choice (it offers no
    /// revocation, no dynamic registration); the message says why.
    Skip,
    /// authspec could not get to what the case examines (the authorization dance stopped, a
    /// document could not be served, a premise never happened): no verdict either way. The
    /// message says why and what would reach it.
    #[serde(rename = "not_judged")]
    NotJudged,
    /// The harness could not do its job (network, timeout, bad input); never a verdict.
    Error,
    /// A failure the baseline expected (or a case not judged that it accepts).
    Xfail,
    /// A baselined failure that no longer happens.
    Xpass,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warn => "warn",
            Outcome::Skip => "skip",
            Outcome::NotJudged => "not_judged",
            Outcome::Error => "error",
            Outcome::Xfail => "xfail",
            Outcome::Xpass => "xpass",
        }
    }
}

/// One expectation that did not hold.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The expectation, read as a sentence (`challenge scope exists`).
    pub check: String,
    pub level: Level,
    pub result: Outcome,
    pub expected: String,
    pub actual: String,
    pub requirements: Vec<String>,
    pub links: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The step whose observation was examined (its transcript block).
    pub step: String,
    /// Where the expectation is written (`suites/rfc9728.yaml:42:9`).
    pub source: String,
}

/// The result of one case.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct CaseResult {
    pub id: String,
    pub title: String,
    pub suite: String,
    pub section: String,
    pub level: Level,
    pub party: String,
    pub requirements: Vec<String>,
    pub result: Outcome,
    pub message: String,
    pub findings: Vec<Finding>,
    /// Informational notes (which URL answered, what was tried).
    pub notes: Vec<String>,
    pub transcript: Vec<Exchange>,
    pub duration_ms: u64,
}

impl CaseResult {
    /// The result of `case` before it runs: a pass with nothing found yet.
    pub fn pending(case: &crate::suite::model::Case) -> Self {
        CaseResult {
            id: case.id.clone(),
            title: case.title.clone(),
            suite: case.suite.clone(),
            section: case.section.clone(),
            level: case.level,
            party: case.party.as_str().into(),
            requirements: case.requirements.clone(),
            result: Outcome::Pass,
            message: String::new(),
            findings: Vec::new(),
            notes: Vec::new(),
            transcript: Vec::new(),
            duration_ms: 0,
        }
    }
}

/// Which case transcripts a run keeps: those some output shows, and no others.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Transcripts {
    /// None (the console without `-vv`, Markdown, SARIF).
    None,
    /// Those of cases that failed, warned or errored (the console with `-vv`).
    Failing,
    /// Every case's (JSON, JUnit, HTML; the default).
    #[default]
    All,
}

impl Transcripts {
    /// Whether a case that ended `outcome` keeps its transcript.
    pub fn keeps(self, outcome: Outcome) -> bool {
        match self {
            Transcripts::None => false,
            Transcripts::Failing => {
                matches!(outcome, Outcome::Fail | Outcome::Warn | Outcome::Error)
            }
            Transcripts::All => true,
        }
    }
}

/// Counts per outcome.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub warned: usize,
    pub skipped: usize,
    /// Cases authspec could not get to (counted apart from skips).
    #[serde(default)]
    pub not_judged: usize,
    pub errored: usize,
    pub xfailed: usize,
    pub xpassed: usize,
}

impl Summary {
    pub fn of(cases: &[CaseResult]) -> Summary {
        let mut s = Summary::default();
        for c in cases {
            match c.result {
                Outcome::Pass => s.passed += 1,
                Outcome::Fail => s.failed += 1,
                Outcome::Warn => s.warned += 1,
                Outcome::Skip => s.skipped += 1,
                Outcome::NotJudged => s.not_judged += 1,
                Outcome::Error => s.errored += 1,
                Outcome::Xfail => s.xfailed += 1,
                Outcome::Xpass => s.xpassed += 1,
            }
        }
        s
    }

    /// The closing line every reporter ends with; cases not judged are named when there are
    /// any, so a run that could not reach part of the target never reads as complete.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} passed, {} failed, {} warned, {} skipped, {} errored",
            self.passed, self.failed, self.warned, self.skipped, self.errored
        );
        if self.not_judged > 0 {
            line.push_str(&format!(", {} not judged", self.not_judged));
        }
        line
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// A whole run.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct RunReport {
    pub schema_version: u32,
    pub tool: Tool,
    pub target: String,
    pub spec: String,
    /// Which MCP wire model the target answered authenticated requests in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire: Option<String>,
    /// Whether rules the sources leave ambiguous were read strictly (`--strict`); by default
    /// the lenient reading is used and the strict one is reported as a warning or information.
    #[serde(default)]
    pub strict: bool,
    /// The weakest level selected.
    pub level: Level,
    pub started_at: String,
    pub duration_ms: u64,
    /// HTTP requests the harness sent (memoised discovery counts once).
    pub requests: usize,
    pub summary: Summary,
    pub cases: Vec<CaseResult>,
}

pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema of the report, generated from these types (draft 2020-12). The committed
/// copy, `fixtures/schemas/report.schema.json`, is checked against it by the test suite.
pub fn report_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(RunReport)).unwrap_or_default();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "$id".into(),
            "https://authspec.dev/schemas/report.schema.json".into(),
        );
        obj.insert("title".into(), "authspec run report".into());
    }
    schema
}
