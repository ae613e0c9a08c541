//! Loading suite files: YAML → JSON (with spans) → JSON Schema → typed model → semantic checks.
//!
//! Every error carries the file, line and column, a snippet of the offending line with a caret,
//! and a "did you mean" for misspelt keys, so a suite author can fix the file without guessing.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use super::model::*;
use super::yaml::{self, SpanMap};
use crate::checks::{Expectation, Predicate, Subject, predicates_keywords};
use crate::requirements::Catalogue;
use crate::vocab::did_you_mean;
use crate::vocab::{Level, Party, Pos, SpecRevision};

const SUITE_SCHEMA: &str = include_str!("../../fixtures/schemas/suite.schema.json");

const SUITE_KEYS: &[&str] = &["suite", "title", "spec_url", "party", "cases"];
const CASE_KEYS: &[&str] = &[
    "id",
    "title",
    "level",
    "party",
    "requirements",
    "mutants",
    "tags",
    "spec",
    "why",
    "requires",
    "premise",
    "steps",
    "expect",
    "client",
];
/// Keys of a client-conformance case's `client` object.
const CLIENT_KEYS: &[&str] = &[
    "scenario",
    "mutants",
    "challenge_scope",
    "always_insufficient_scope",
    "token_auth_methods",
    "hidden_paths",
    "answer_as_sse",
    "no_refresh_token",
    "legacy_only",
    "issuer_path",
    "refuse_registration",
    "migrate_as",
    "context",
];
const STEP_KEYS: &[&str] = &[
    "name",
    "capture",
    "http",
    "fetch_resource_metadata",
    "fetch_as_metadata",
    "call_resource",
    "register_client",
    "authorize",
    "token",
    "refresh",
    "revoke",
    "introspect",
    "flow",
    "cimd_client",
];
const EXPECT_META_KEYS: &[&str] = &[
    "check",
    "level",
    "step",
    "optional",
    "why",
    "requirements",
    "when",
    "info",
    "strict",
];
const HTTP_KEYS: &[&str] = &["method", "url", "headers", "body", "json", "form", "tls"];
const CALL_KEYS: &[&str] = &[
    "method",
    "rpc",
    "token",
    "scheme",
    "token_in",
    "authorization",
    "headers",
    "params",
    "meta",
    "notification",
];

/// Variables every case can use in templates.
pub const BUILTIN_VARS: &[&str] = &[
    "target.url",
    "target.origin",
    "target.resource",
    "target.scheme",
    "spec",
];

/// One problem in one suite file.
#[derive(Clone, Debug)]
pub struct SuiteError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
    pub hint: Option<String>,
    /// The source line, for the snippet.
    pub line_text: Option<String>,
}

impl fmt::Display for SuiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        writeln!(f, "  --> {}:{}:{}", self.file, self.pos.line, self.pos.col)?;
        if let Some(text) = &self.line_text {
            let num = self.pos.line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(f, "{pad} |")?;
            writeln!(f, "{num} | {text}")?;
            let caret_at = " ".repeat(self.pos.col.saturating_sub(1));
            match &self.hint {
                Some(h) => writeln!(f, "{pad} | {caret_at}^ {h}")?,
                None => writeln!(f, "{pad} | {caret_at}^")?,
            }
        } else if let Some(h) = &self.hint {
            writeln!(f, "  = {h}")?;
        }
        Ok(())
    }
}

/// Everything wrong with a set of suite files.
#[derive(Clone, Debug)]
pub struct LoadError {
    pub errors: Vec<SuiteError>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            write!(f, "{e}")?;
        }
        write!(f, "{} error(s) in suite files", self.errors.len())
    }
}

impl std::error::Error for LoadError {}

struct Ctx<'a> {
    file: &'a str,
    source: &'a str,
    spans: &'a SpanMap,
    errors: Vec<SuiteError>,
}

impl Ctx<'_> {
    fn err_at(&mut self, pos: Pos, message: impl Into<String>, hint: Option<String>) {
        // A node the YAML parser gives no place (an empty or tag-only document) is at the start.
        let pos = Pos {
            line: pos.line.max(1),
            col: pos.col.max(1),
        };
        let line_text = self
            .source
            .lines()
            .nth(pos.line.saturating_sub(1))
            .map(str::to_string);
        self.errors.push(SuiteError {
            file: self.file.to_string(),
            pos,
            message: message.into(),
            hint,
            line_text,
        });
    }
    fn err(&mut self, pointer: &str, message: impl Into<String>) {
        let pos = self.spans.value(pointer);
        self.err_at(pos, message, None);
    }
}

/// The suites embedded in the binary.
pub fn load_embedded(catalogue: &Catalogue, mutants: &[&str]) -> Result<Vec<Suite>, LoadError> {
    load_many(
        super::EMBEDDED
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect(),
        catalogue,
        mutants,
    )
}

/// One suite file from disk.
pub fn load_file(path: &Path, catalogue: &Catalogue, mutants: &[&str]) -> Result<Suite, LoadError> {
    let file = path.display().to_string();
    let source = std::fs::read_to_string(path).map_err(|e| LoadError {
        errors: vec![SuiteError {
            file: file.clone(),
            pos: Pos { line: 1, col: 1 },
            message: format!("cannot read the suite file: {e}"),
            hint: None,
            line_text: None,
        }],
    })?;
    load_source(&file, &source, catalogue, mutants)
}

/// Several sources, checked together (case ids are unique across all of them).
pub fn load_many(
    sources: Vec<(String, String)>,
    catalogue: &Catalogue,
    mutants: &[&str],
) -> Result<Vec<Suite>, LoadError> {
    let mut suites = Vec::new();
    let mut errors = Vec::new();
    for (file, source) in &sources {
        match load_source(file, source, catalogue, mutants) {
            Ok(s) => suites.push(s),
            Err(e) => errors.extend(e.errors),
        }
    }
    check_unique_ids(&suites, &sources, &mut errors);
    if errors.is_empty() {
        Ok(suites)
    } else {
        Err(LoadError { errors })
    }
}

/// Reports a case id used twice across suites.
pub fn check_unique_ids(
    suites: &[Suite],
    sources: &[(String, String)],
    errors: &mut Vec<SuiteError>,
) {
    let mut seen: BTreeMap<&str, (&str, Pos)> = BTreeMap::new();
    for s in suites {
        for c in &s.cases {
            if let Some((file, pos)) = seen.get(c.id.as_str()) {
                let text = sources
                    .iter()
                    .find(|(f, _)| *f == s.source)
                    .and_then(|(_, src)| src.lines().nth(c.pos.line - 1))
                    .map(str::to_string);
                errors.push(SuiteError {
                    file: s.source.clone(),
                    pos: c.pos,
                    message: format!(
                        "duplicate case id `{}` (first defined at {}:{}:{})",
                        c.id, file, pos.line, pos.col
                    ),
                    hint: Some("case ids must be unique across all suites".into()),
                    line_text: text,
                });
            } else {
                seen.insert(&c.id, (&s.source, c.pos));
            }
        }
    }
}

/// Parses and checks one suite source.
pub fn load_source(
    file: &str,
    source: &str,
    catalogue: &Catalogue,
    mutants: &[&str],
) -> Result<Suite, LoadError> {
    let embedded = is_embedded(file, source);
    let compiled = embedded
        .then(|| super::COMPILED.iter().find(|(name, _, _)| *name == file))
        .flatten()
        .and_then(|(_, json, spans)| {
            serde_json::from_str::<Value>(json)
                .ok()
                .map(|v| (v, SpanMap::built(spans)))
        });
    let parsed = match compiled {
        Some(c) => Ok(c),
        None => yaml::parse(source),
    };
    let (value, spans) = match parsed {
        Ok(v) => v,
        Err(e) => {
            let mut ctx = Ctx {
                file,
                source,
                spans: &SpanMap::default(),
                errors: Vec::new(),
            };
            ctx.err_at(e.pos, format!("invalid YAML: {}", e.message), None);
            return Err(LoadError { errors: ctx.errors });
        }
    };
    let mut ctx = Ctx {
        file,
        source,
        spans: &spans,
        errors: Vec::new(),
    };
    // An embedded suite passed the schema when it was built (the test below proves it for
    // every one); a file from disk is checked now.
    if !embedded {
        schema_check(&value, &mut ctx);
    }
    // The typed build below tolerates what the schema rejected, so one pass reports both kinds
    // of problem (shape and references) together.
    let suite = build_suite(&value, &mut ctx, catalogue, mutants);
    match suite {
        Some(s) if ctx.errors.is_empty() => Ok(s),
        _ => {
            let mut errors = ctx.errors;
            errors.sort_by_key(|e| (e.pos.line, e.pos.col));
            Err(LoadError { errors })
        }
    }
}

/// Whether `source` is the embedded suite named `file`, unchanged.
fn is_embedded(file: &str, source: &str) -> bool {
    super::EMBEDDED
        .iter()
        .chain(super::CLIENT_EMBEDDED)
        .any(|(name, text)| *name == file && *text == source)
}

fn allowed_keys_at(pointer: &str) -> &'static [&'static str] {
    let parts: Vec<&str> = pointer.split('/').skip(1).collect();
    match parts.as_slice() {
        [] => SUITE_KEYS,
        ["cases", _] => CASE_KEYS,
        ["cases", _, "client"] => CLIENT_KEYS,
        ["cases", _, "steps", _] => STEP_KEYS,
        ["cases", _, "steps", _, "http"] => HTTP_KEYS,
        ["cases", _, "steps", _, "call_resource"] => CALL_KEYS,
        ["cases", _, "steps", _, "fetch_resource_metadata"] => &["via", "required"],
        ["cases", _, "steps", _, "fetch_as_metadata"] => &["via", "issuer", "required"],
        ["cases", _, "expect" | "requires" | "premise", _] => &[],
        _ => &[],
    }
}

fn expectation_keys() -> Vec<&'static str> {
    EXPECT_META_KEYS
        .iter()
        .chain(predicates_keywords().iter())
        .copied()
        .collect()
}

fn schema_check(value: &Value, ctx: &mut Ctx<'_>) {
    let schema: Value = match serde_json::from_str(SUITE_SCHEMA) {
        Ok(s) => s,
        Err(e) => {
            return ctx.err(
                "",
                format!("internal error: the suite schema is not JSON: {e}"),
            );
        }
    };
    let validator = match jsonschema::draft202012::new(&schema) {
        Ok(v) => v,
        Err(e) => {
            return ctx.err(
                "",
                format!("internal error: the suite schema is invalid: {e}"),
            );
        }
    };
    let mut reported: HashSet<String> = HashSet::new();
    for error in validator.iter_errors(value) {
        let pointer = error.instance_path().as_str().to_string();
        use jsonschema::error::ValidationErrorKind as K;
        match error.kind() {
            K::AdditionalProperties { unexpected } => {
                let is_expect = pointer.contains("/expect/")
                    || pointer.contains("/requires/")
                    || pointer.contains("/premise/");
                let keys: Vec<&str> = if is_expect {
                    expectation_keys()
                } else {
                    allowed_keys_at(&pointer).to_vec()
                };
                for key in unexpected {
                    let child = format!("{pointer}/{}", yaml::escape_token(key));
                    let hint = did_you_mean(key, &keys).map(|s| format!("did you mean `{s}`?"));
                    let pos = ctx.spans.key(&child);
                    ctx.err_at(
                        pos,
                        format!("unknown key `{key}`"),
                        hint.or_else(|| Some(format!("expected one of: {}", keys.join(", ")))),
                    );
                }
            }
            K::OneOfNotValid { .. } | K::OneOfMultipleValid { .. }
                if pointer.contains("/steps/") =>
            {
                if reported.insert(pointer.clone()) {
                    ctx.err(
                        &pointer,
                        format!(
                            "a step takes exactly one action, one of: {}",
                            super::actions::STEP_ACTIONS
                                .iter()
                                .map(|(k, _)| *k)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
            }
            _ => {
                let msg = error.to_string();
                let at = if pointer.is_empty() {
                    String::new()
                } else {
                    format!(" at {pointer}")
                };
                ctx.err(&pointer, format!("{msg}{at}"));
            }
        }
    }
}

pub(super) fn parse_party(s: &str) -> Party {
    match s {
        "AS" => Party::AuthorizationServer,
        "client" => Party::Client,
        _ => Party::ResourceServer,
    }
}

pub(super) fn parse_level(s: &str) -> Level {
    match s {
        "SHOULD" => Level::Should,
        "MAY" => Level::May,
        _ => Level::Must,
    }
}

fn build_suite(
    v: &Value,
    ctx: &mut Ctx<'_>,
    catalogue: &Catalogue,
    mutants: &[&str],
) -> Option<Suite> {
    let name = v.get("suite")?.as_str()?.to_string();
    let party = parse_party(v.get("party")?.as_str()?);
    let mut suite = Suite {
        name: name.clone(),
        title: v.get("title")?.as_str()?.to_string(),
        spec_url: v
            .get("spec_url")
            .and_then(Value::as_str)
            .map(str::to_string),
        party,
        source: ctx.file.to_string(),
        cases: Vec::new(),
    };
    let mut ids: BTreeMap<String, Pos> = BTreeMap::new();
    for (i, c) in v.get("cases")?.as_array()?.iter().enumerate() {
        let ptr = format!("/cases/{i}");
        if let Some(case) = build_case(c, &ptr, &name, party, ctx, catalogue, mutants) {
            if let Some(first) = ids.get(&case.id) {
                let msg = format!(
                    "duplicate case id `{}` (first defined at line {})",
                    case.id, first.line
                );
                ctx.err(&format!("{ptr}/id"), msg);
            } else {
                ids.insert(case.id.clone(), case.pos);
            }
            suite.cases.push(case);
        }
    }
    Some(suite)
}

#[allow(clippy::too_many_arguments)]
fn build_case(
    c: &Value,
    ptr: &str,
    suite: &str,
    party: Party,
    ctx: &mut Ctx<'_>,
    catalogue: &Catalogue,
    mutants: &[&str],
) -> Option<Case> {
    let id = c.get("id")?.as_str()?.to_string();
    let section = id.split('/').nth(1).unwrap_or("").to_string();
    let requirements = yaml::str_list(c.get("requirements"));
    for (i, r) in requirements.iter().enumerate() {
        if !catalogue.contains(r) {
            let hint = catalogue.closest(r).map(|s| format!("did you mean `{s}`?"));
            let pos = ctx.spans.value(&format!("{ptr}/requirements/{i}"));
            ctx.err_at(
                pos,
                format!("unknown requirement id `{r}` (not in suites/requirements.json)"),
                hint,
            );
        }
    }
    let case_mutants = yaml::str_list(c.get("mutants"));
    for (i, m) in case_mutants.iter().enumerate() {
        if !mutants.contains(&m.as_str()) {
            let hint = did_you_mean(m, mutants).map(|s| format!("did you mean `{s}`?"));
            let pos = ctx.spans.value(&format!("{ptr}/mutants/{i}"));
            ctx.err_at(
                pos,
                format!("unknown mutant `{m}` (see `authspec mutants`)"),
                hint,
            );
        }
    }
    let spec = yaml::str_list(c.get("spec"))
        .iter()
        .filter_map(|s| SpecRevision::parse(s))
        .collect();
    let mut defined: Vec<String> = BUILTIN_VARS
        .iter()
        .chain(super::model::FLOW_VARS)
        .map(|s| s.to_string())
        .collect();
    let client = c.get("client").map(client_scenario);
    if client.is_some() {
        defined.extend(super::model::TRAFFIC_VALUES.iter().map(|s| s.to_string()));
    }
    let mut steps = Vec::new();
    let no_steps = Vec::new();
    let step_values = match c.get("steps") {
        Some(v) => v.as_array()?,
        None => &no_steps,
    };
    for (i, s) in step_values.iter().enumerate() {
        let sp = format!("{ptr}/steps/{i}");
        if let Some(step) = build_step(s, &sp, i, ctx, &defined) {
            if steps.iter().any(|x: &Step| x.name == step.name) {
                ctx.err(
                    &format!("{sp}/name"),
                    format!("step name `{}` is used twice in this case", step.name),
                );
            }
            defined.extend(step.capture.iter().map(|(k, _)| k.clone()));
            steps.push(step);
        }
    }
    let mut step_names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    if client.is_some() {
        step_names.push(super::model::TRAFFIC_STEP);
    }
    let expectations = |key: &str, ctx: &mut Ctx<'_>| -> Vec<Expectation> {
        let mut out = Vec::new();
        for (i, e) in c
            .get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if let Some(x) = build_expectation(
                e,
                &format!("{ptr}/{key}/{i}"),
                ctx,
                &step_names,
                &defined,
                catalogue,
            ) {
                out.push(x);
            }
        }
        out
    };
    let requires = expectations("requires", ctx);
    let premise = expectations("premise", ctx);
    if !premise.is_empty() && client.is_none() {
        ctx.err(
            &format!("{ptr}/premise"),
            "`premise` is for client scenarios (a case with a `client` object); a server case uses `requires`".to_string(),
        );
    }
    let expect = expectations("expect", ctx);
    Some(Case {
        id,
        title: c.get("title")?.as_str()?.to_string(),
        suite: suite.to_string(),
        section,
        level: parse_level(c.get("level")?.as_str()?),
        party: c
            .get("party")
            .and_then(Value::as_str)
            .map(parse_party)
            .unwrap_or(party),
        requirements,
        mutants: case_mutants,
        tags: yaml::str_list(c.get("tags")),
        spec,
        why: c.get("why").and_then(Value::as_str).map(str::to_string),
        requires,
        premise,
        steps,
        expect,
        client,
        file: ctx.file.to_string(),
        pos: ctx.spans.value(ptr),
    })
}

/// The `client` object of a client-conformance case (already schema-checked).
fn client_scenario(v: &Value) -> ClientScenario {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    ClientScenario {
        scenario: s("scenario"),
        mutants: yaml::str_list(v.get("mutants")),
        challenge_scope: s("challenge_scope"),
        always_insufficient_scope: v
            .get("always_insufficient_scope")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        token_auth_methods: v.get("token_auth_methods").map(|m| yaml::str_list(Some(m))),
        hidden_paths: yaml::str_list(v.get("hidden_paths")),
        answer_as_sse: v
            .get("answer_as_sse")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        no_refresh_token: v
            .get("no_refresh_token")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        legacy_only: v
            .get("legacy_only")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        issuer_path: s("issuer_path"),
        refuse_registration: v
            .get("refuse_registration")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        migrate_as: v
            .get("migrate_as")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        context: super::actions::object(v.get("context")),
    }
}

fn check_templates(v: &Value, ptr: &str, ctx: &mut Ctx<'_>, defined: &[String]) {
    match v {
        Value::String(s) => {
            for cap in crate::checks::template_regex().captures_iter(s) {
                let name = cap.get(1).map(|m| m.as_str()).unwrap_or_default();
                if !defined.iter().any(|d| d == name) {
                    let known: Vec<&str> = defined.iter().map(String::as_str).collect();
                    let hint = did_you_mean(name, &known).map(|s| format!("did you mean `{s}`?"));
                    let pos = ctx.spans.value(ptr);
                    ctx.err_at(
                        pos,
                        format!(
                            "unknown variable `{name}` (defined here: {})",
                            known.join(", ")
                        ),
                        hint,
                    );
                }
            }
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| check_templates(x, &format!("{ptr}/{i}"), ctx, defined)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            check_templates(x, &format!("{ptr}/{}", yaml::escape_token(k)), ctx, defined)
        }),
        _ => {}
    }
}

fn build_step(
    s: &Value,
    ptr: &str,
    index: usize,
    ctx: &mut Ctx<'_>,
    defined: &[String],
) -> Option<Step> {
    let obj = s.as_object()?;
    let (keyword, args) = obj.iter().find(|(k, _)| super::actions::is_action(k))?;
    check_templates(args, &format!("{ptr}/{keyword}"), ctx, defined);
    let empty = Map::new();
    let a = args.as_object().unwrap_or(&empty);
    let action = super::actions::reader(keyword)?(a, keyword);
    let mut capture = Vec::new();
    if let Some(m) = obj.get("capture").and_then(Value::as_object) {
        for (name, subj) in m {
            match Subject::parse(subj.as_str().unwrap_or_default()) {
                Ok(s) => capture.push((name.clone(), s)),
                Err(e) => ctx.err(&format!("{ptr}/capture/{}", yaml::escape_token(name)), e),
            }
        }
    }
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("step{}", index + 1));
    Some(Step {
        name,
        action,
        capture,
        pos: ctx.spans.value(ptr),
    })
}

fn build_expectation(
    e: &Value,
    ptr: &str,
    ctx: &mut Ctx<'_>,
    steps: &[&str],
    defined: &[String],
    catalogue: &Catalogue,
) -> Option<Expectation> {
    let obj = e.as_object()?;
    let pos = ctx.spans.value(ptr);
    let subject = match Subject::parse(obj.get("check")?.as_str()?) {
        Ok(s) => s,
        Err(msg) => {
            ctx.err(&format!("{ptr}/check"), msg);
            return None;
        }
    };
    let known = predicates_keywords();
    let preds: Vec<(&String, &Value)> = obj
        .iter()
        .filter(|(k, _)| known.contains(&k.as_str()))
        .collect();
    let unknown = obj
        .keys()
        .any(|k| !known.contains(&k.as_str()) && !EXPECT_META_KEYS.contains(&k.as_str()));
    if unknown && preds.is_empty() {
        // Already reported by the schema check, with a "did you mean".
        return None;
    }
    if preds.len() != 1 {
        let found: Vec<&str> = preds.iter().map(|(k, _)| k.as_str()).collect();
        ctx.err_at(
            pos,
            format!(
                "an expectation takes exactly one predicate, found {}",
                if found.is_empty() {
                    "none".into()
                } else {
                    found.join(", ")
                }
            ),
            Some(format!("predicates: {}", predicates_keywords().join(", "))),
        );
        return None;
    }
    let (keyword, arg) = preds[0];
    check_templates(
        arg,
        &format!("{ptr}/{}", yaml::escape_token(keyword)),
        ctx,
        defined,
    );
    let predicate = match Predicate::parse(keyword, arg) {
        Ok(p) => p,
        Err(msg) => {
            ctx.err(&format!("{ptr}/{}", yaml::escape_token(keyword)), msg);
            return None;
        }
    };
    let step = obj.get("step").and_then(Value::as_str).map(str::to_string);
    if let Some(s) = &step
        && !steps.contains(&s.as_str())
    {
        let hint = did_you_mean(s, steps).map(|x| format!("did you mean `{x}`?"));
        let p = ctx.spans.value(&format!("{ptr}/step"));
        ctx.err_at(
            p,
            format!(
                "no step named `{s}` in this case (steps: {})",
                steps.join(", ")
            ),
            hint,
        );
    }
    if let Subject::Var(name, _) = &subject {
        let derived = crate::checks::STEP_VALUES;
        if !derived.contains(&name.as_str()) && !defined.iter().any(|d| d == name) {
            ctx.err(
                &format!("{ptr}/check"),
                format!("unknown variable `{name}`"),
            );
        }
    }
    let requirements = yaml::str_list(obj.get("requirements"));
    for r in &requirements {
        if !catalogue.contains(r) {
            ctx.err(
                &format!("{ptr}/requirements"),
                format!("unknown requirement id `{r}`"),
            );
        }
    }
    let when = obj
        .get("when")
        .and_then(|w| build_expectation(w, &format!("{ptr}/when"), ctx, steps, defined, catalogue));
    Some(Expectation {
        subject,
        predicate,
        when: when.map(Box::new),
        info: obj.get("info").and_then(Value::as_bool).unwrap_or(false),
        strict: obj.get("strict").and_then(Value::as_str).map(parse_level),
        level: obj.get("level").and_then(Value::as_str).map(parse_level),
        step,
        optional: obj
            .get("optional")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        why: obj.get("why").and_then(Value::as_str).map(str::to_string),
        requirements,
        pos,
    })
}

#[cfg(test)]
mod embedded_tests {
    use super::*;

    /// The loader trusts the embedded suites to match the schema (see `load_source`): this is
    /// where that is checked.
    #[test]
    fn every_embedded_suite_passes_the_schema() {
        for (file, source) in super::super::EMBEDDED
            .iter()
            .chain(super::super::CLIENT_EMBEDDED)
        {
            let (value, spans) = yaml::parse(source).expect("embedded YAML parses");
            let mut ctx = Ctx {
                file,
                source,
                spans: &spans,
                errors: Vec::new(),
            };
            schema_check(&value, &mut ctx);
            assert!(ctx.errors.is_empty(), "{file}: {:?}", ctx.errors);
        }
    }

    /// A run reads the embedded suites from the JSON `build.rs` wrote: it must be what the
    /// YAML says, with the same positions for every mapping and sequence.
    #[test]
    fn the_compiled_suites_are_the_yaml() {
        let all: Vec<_> = super::super::EMBEDDED
            .iter()
            .chain(super::super::CLIENT_EMBEDDED)
            .collect();
        assert_eq!(all.len(), super::super::COMPILED.len());
        for (file, source) in all {
            let (value, spans) = yaml::parse(source).expect("embedded YAML parses");
            let (_, json, positions) = super::super::COMPILED
                .iter()
                .find(|(name, _, _)| name == file)
                .unwrap_or_else(|| panic!("{file} was not compiled"));
            let compiled: Value = serde_json::from_str(json).expect("compiled JSON");
            assert_eq!(compiled, value, "{file}");
            let built = SpanMap::built(positions);
            let containers = spans.containers(&value);
            assert_eq!(containers.len(), positions.lines().count(), "{file}");
            for (pointer, pos) in containers {
                assert_eq!(built.value(&pointer), pos, "{file} {pointer}");
            }
        }
    }
}
