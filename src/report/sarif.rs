//! The SARIF reporter: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! Data enters as a finished [`RunReport`] and the requirement [`Catalogue`]; one JSON document
//! leaves, with a single run. Each case that produced a result is a rule (its id, title,
//! requirement ids as tags, and a link to the first requirement); each finding of a failing or
//! warning case is a result, and so is each case the harness could not run. Results point at
//! the expectation in the suite file that was not met (`Finding::source`), so an alert opens on
//! the YAML line that states the rule. Passes, skips and baselined outcomes (xfail, xpass) are
//! not alerts and do not appear.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{ReportContext, Reporter};
use crate::requirements::Catalogue;
use crate::result::{CaseResult, Finding, Outcome, RunReport};
use crate::vocab::Level;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of the fingerprint in `partialFingerprints`; the version lets the hash input change
/// later without GitHub mistaking new fingerprints for old ones.
pub const FINGERPRINT_KEY: &str = "authspecCaseCheck/v1";

/// The `sarif` kind.
pub struct Sarif;

impl Reporter for Sarif {
    fn kind(&self) -> &'static str {
        "sarif"
    }

    fn transcripts(&self, _verbosity: u8) -> crate::result::Transcripts {
        crate::result::Transcripts::None
    }

    fn help(&self) -> Option<&'static str> {
        Some("Opt-in: for GitHub code scanning (locations are suite files)")
    }

    fn render(&self, report: &RunReport, cx: &ReportContext<'_>) -> String {
        render(report, cx.catalogue)
    }
}

/// Renders the report as a SARIF 2.1.0 log.
pub fn render(report: &RunReport, catalogue: &Catalogue) -> String {
    let mut rules: Vec<Rule> = Vec::new();
    let mut results: Vec<SarifResult> = Vec::new();
    for c in &report.cases {
        let alerts: Vec<SarifResult> = match c.result {
            Outcome::Fail | Outcome::Warn => {
                c.findings.iter().map(|f| finding_result(c, f)).collect()
            }
            Outcome::Error => vec![error_result(c, report)],
            _ => Vec::new(),
        };
        if alerts.is_empty() {
            continue;
        }
        let index = match rules.iter().position(|r| r.id == c.id) {
            Some(i) => i,
            None => {
                rules.push(rule(c, catalogue));
                rules.len() - 1
            }
        };
        results.extend(alerts.into_iter().map(|mut r| {
            r.rule_index = index;
            r
        }));
    }
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: report.tool.name.clone(),
                    version: report.tool.version.clone(),
                    semantic_version: report.tool.version.clone(),
                    information_uri: information_uri(&report.spec),
                    rules,
                },
            },
            results,
            properties: RunProperties {
                target: report.target.clone(),
                spec: report.spec.clone(),
                level: report.level.as_str(),
                summary: report.summary.line(),
            },
        }],
    };
    serde_json::to_string_pretty(&log)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise the SARIF log: {e}\"}}"))
}

/// The project's page once Cargo.toml names one; until then, the specification the tool
/// checks, which is what a reader of an alert needs most.
fn information_uri(spec: &str) -> String {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!("https://modelcontextprotocol.io/specification/{spec}/basic/authorization")
        })
}

fn rule(c: &CaseResult, catalogue: &Catalogue) -> Rule {
    let mut tags: Vec<String> = c.requirements.clone();
    for f in &c.findings {
        for r in &f.requirements {
            if !tags.contains(r) {
                tags.push(r.clone());
            }
        }
    }
    let help_uri = tags
        .iter()
        .filter_map(|id| catalogue.get(id))
        .map(|r| r.url())
        .find(|u| !u.is_empty())
        .or_else(|| {
            c.findings
                .iter()
                .flat_map(|f| f.links.first())
                .next()
                .cloned()
        });
    let mut help = String::new();
    for id in &tags {
        match catalogue.get(id) {
            Some(r) => help.push_str(&format!(
                "{id} ({} {}, {}): {}\n",
                r.source, r.section, r.level, r.requirement
            )),
            None => help.push_str(&format!("{id}\n")),
        }
    }
    if let Some(why) = c.findings.iter().find_map(|f| f.why.as_deref()) {
        help.push_str(&format!("Why it matters: {why}\n"));
    }
    Rule {
        id: c.id.clone(),
        short_description: Text {
            text: c.title.clone(),
        },
        help: (!help.is_empty()).then(|| Text {
            text: help.trim_end().to_string(),
        }),
        help_uri,
        default_configuration: Configuration {
            level: if c.level == Level::Must {
                "error"
            } else {
                "warning"
            },
        },
        properties: RuleProperties {
            tags,
            level: c.level.as_str(),
            suite: c.suite.clone(),
            section: c.section.clone(),
        },
    }
}

fn finding_result(c: &CaseResult, f: &Finding) -> SarifResult {
    let (uri, line, col) = split_source(&f.source);
    SarifResult {
        rule_id: c.id.clone(),
        rule_index: 0,
        level: if f.result == Outcome::Fail {
            "error"
        } else {
            "warning"
        },
        message: Text {
            text: format!(
                "{}\nExpected: {}\nActual: {}",
                f.check, f.expected, f.actual
            ),
        },
        locations: vec![location(uri, line, col)],
        partial_fingerprints: fingerprint(&c.id, &f.check),
    }
}

fn error_result(c: &CaseResult, report: &RunReport) -> SarifResult {
    let (uri, line, col) = case_location(c, report);
    let text = if c.message.is_empty() {
        "the harness could not run this case".to_string()
    } else {
        c.message.clone()
    };
    SarifResult {
        rule_id: c.id.clone(),
        rule_index: 0,
        level: "error",
        message: Text { text },
        locations: vec![location(uri, line, col)],
        // Keyed like a finding, so the alert survives a change of error message.
        partial_fingerprints: fingerprint(&c.id, "harness error"),
    }
}

fn location(uri: String, line: usize, col: Option<usize>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri },
            region: Region {
                start_line: line.max(1),
                start_column: col.filter(|&c| c >= 1),
            },
        },
    }
}

fn fingerprint(case: &str, check: &str) -> BTreeMap<&'static str, String> {
    let digest = Sha256::new()
        .chain_update(case.as_bytes())
        .chain_update([0u8])
        .chain_update(check.as_bytes())
        .finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    BTreeMap::from([(FINGERPRINT_KEY, hex)])
}

/// `suites/x.yaml:42:9` → (`suites/x.yaml`, 42, Some(9)); the numbers are taken from the end
/// so a path holding a colon survives.
fn split_source(source: &str) -> (String, usize, Option<usize>) {
    let (path, line, col) = match source.rsplit_once(':') {
        Some((rest, last)) if last.parse::<usize>().is_ok() => {
            let last = last.parse::<usize>().ok();
            match rest.rsplit_once(':') {
                Some((path, mid)) if mid.parse::<usize>().is_ok() => {
                    (path, mid.parse::<usize>().ok(), last)
                }
                _ => (rest, last, None),
            }
        }
        _ => (source, None, None),
    };
    (artifact_uri(path), line.unwrap_or(1), col)
}

/// Code scanning wants a repository-relative URI with forward slashes.
fn artifact_uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_string()
}

/// Where a case without findings is written. A case from the embedded suites is found by its
/// id (ids are unique across suites); otherwise the file another finding of the same suite
/// came from; failing both, `suites/<suite>.yaml`, which is only a guess because suite names
/// and file names differ (`mcp` lives in `suites/mcp-discovery.yaml`).
fn case_location(c: &CaseResult, report: &RunReport) -> (String, usize, Option<usize>) {
    if let Some((file, line, col)) = embedded_case(&c.id) {
        return (file.to_string(), line, Some(col));
    }
    let sibling = report
        .cases
        .iter()
        .filter(|o| o.suite == c.suite)
        .flat_map(|o| o.findings.first())
        .map(|f| split_source(&f.source).0)
        .next();
    match sibling {
        Some(file) => (file, 1, None),
        None => (format!("suites/{}.yaml", c.suite), 1, None),
    }
}

fn embedded_case(id: &str) -> Option<(&'static str, usize, usize)> {
    for (file, text) in crate::suite::EMBEDDED {
        for (i, line) in text.lines().enumerate() {
            let item = line.trim_start();
            let key = item.strip_prefix("- ").unwrap_or(item).trim_start();
            let Some(value) = key.strip_prefix("id:") else {
                continue;
            };
            if value.trim().trim_matches(['"', '\'']) == id {
                return Some((file, i + 1, line.len() - key.len() + 1));
            }
        }
    }
    None
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
    properties: RunProperties,
}

#[derive(Serialize)]
struct RunProperties {
    target: String,
    spec: String,
    level: &'static str,
    summary: String,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: String,
    version: String,
    semantic_version: String,
    information_uri: String,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    short_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    level: &'static str,
    suite: String,
    section: String,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_splits_from_the_end() {
        assert_eq!(
            split_source("suites/rfc9728.yaml:239:9"),
            ("suites/rfc9728.yaml".into(), 239, Some(9))
        );
        assert_eq!(
            split_source("C:\\x\\s.yaml:3:1"),
            ("C:/x/s.yaml".into(), 3, Some(1))
        );
        assert_eq!(split_source("./s.yaml:7"), ("s.yaml".into(), 7, None));
        assert_eq!(split_source("s.yaml"), ("s.yaml".into(), 1, None));
    }

    #[test]
    fn embedded_cases_are_found_by_id() {
        let (file, line, col) =
            embedded_case("mcp/auth/401-without-token").expect("an embedded case");
        assert_eq!(file, "suites/mcp-discovery.yaml");
        assert!(line > 1 && col > 1);
        assert!(embedded_case("no/such/case").is_none());
    }

    #[test]
    fn fingerprints_depend_on_case_and_check_only() {
        assert_eq!(fingerprint("a", "b"), fingerprint("a", "b"));
        assert_ne!(fingerprint("a", "bc"), fingerprint("ab", "c"));
    }
}
