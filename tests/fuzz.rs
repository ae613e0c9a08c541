//! Property tests over the parsers that read what a target or a suite author sends: the
//! `WWW-Authenticate` parser, the suite loader (YAML and template expressions), the well-known
//! and redirect-URI URL handling, the form driver's HTML form parser, and JSON-pointer subjects.
//!
//! Each target runs a fixed number of generated inputs (the `*_CASES` constants) from a fixed
//! seed, so `cargo test` stays fast and repeatable. No input may panic, and every parse error must
//! carry a position inside the input.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use authspec::actions::driver::{fill_form, is_redirect_to};
use authspec::checks::{Observation, Subject, template};
use authspec::http::Response;
use authspec::oauth::{challenge, wellknown};
use authspec::requirements::Catalogue;
use authspec::suite;
use authspec::vocab::SpecRevision;
use proptest::prelude::*;
use serde_json::{Value, json};
use url::Url;

/// Inputs per target.
const CHALLENGE_CASES: u32 = 2000;
const WELL_FORMED_CHALLENGE_CASES: u32 = 300;
const SUITE_CASES: u32 = 400;
const TEMPLATE_CASES: u32 = 1000;
const URL_CASES: u32 = 1000;
const FORM_CASES: u32 = 500;
const POINTER_CASES: u32 = 1000;

/// A fixed budget from a fixed seed, so CI is repeatable; `AUTHSPEC_FUZZ_SEED=N` explores
/// other inputs, and `AUTHSPEC_FUZZ_SCALE=K` runs K times as many.
fn budget(cases: u32) -> ProptestConfig {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    ProptestConfig {
        cases: cases.saturating_mul(env("AUTHSPEC_FUZZ_SCALE").unwrap_or(1).max(1) as u32),
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(env("AUTHSPEC_FUZZ_SEED").unwrap_or(13)),
        ..ProptestConfig::default()
    }
}

// ---- WWW-Authenticate ----

/// Pieces that challenge syntax is made of, so generated values reach deep into the parser.
fn challenge_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Bearer".to_string()),
        Just("Basic".to_string()),
        Just(" ".to_string()),
        Just(", ".to_string()),
        Just(",".to_string()),
        Just("=".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just("\t".to_string()),
        "[a-zA-Z0-9_!#$%&'*+.^`|~-]{1,8}",
        "[a-zA-Z0-9+/._~-]{1,12}={0,2}",
        "\"[^\"\\\\]{0,12}\"",
        "[a-z_]{1,8}=[a-z0-9]{0,6}",
        "[a-z_]{1,8}=\"[ -~]{0,10}\"",
        any::<char>().prop_map(String::from),
    ]
}

fn challenge_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(challenge_piece(), 0..40).prop_map(|v| v.concat()),
        any::<String>(),
    ]
}

/// A well-formed challenge: a scheme and auth-params with token or quoted values.
fn well_formed_challenge() -> impl Strategy<Value = challenge::Challenge> {
    (
        "[A-Za-z][A-Za-z0-9-]{0,8}",
        prop::collection::vec(
            ("[a-z][a-z_]{0,8}", "[ -~]{0,16}", any::<bool>()),
            1..(challenge::MAX_PARAMS + 8),
        ),
    )
        .prop_map(|(scheme, params)| {
            let kept = params.len().min(challenge::MAX_PARAMS);
            challenge::Challenge {
                scheme,
                token68: None,
                params: params
                    .iter()
                    .take(kept)
                    .map(|(name, value, quoted)| {
                        // An unquoted value must be a non-empty token.
                        let is_token = !value.is_empty()
                            && value.bytes().all(|b| {
                                b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
                            });
                        challenge::AuthParam {
                            name: name.clone(),
                            value: value.clone(),
                            quoted: *quoted || !is_token,
                        }
                    })
                    .collect(),
                omitted_params: params.len() - kept,
                omitted_challenges: 0,
            }
        })
}

proptest! {
    #![proptest_config(budget(CHALLENGE_CASES))]

    #[test]
    fn challenge_parser_never_panics_and_errors_carry_an_offset(s in challenge_text()) {
        match challenge::parse(&s) {
            Ok(challenges) => {
                prop_assert!(challenges.len() <= challenge::MAX_CHALLENGES);
                for c in &challenges {
                    prop_assert!(c.params.len() <= challenge::MAX_PARAMS);
                    // What is displayed parses again.
                    let again = challenge::parse(&c.to_string());
                    prop_assert!(again.is_ok(), "{c} does not re-parse: {again:?}");
                }
            }
            Err(e) => prop_assert!(e.offset <= s.len(), "offset {} past {}", e.offset, s.len()),
        }
    }

}

proptest! {
    #![proptest_config(budget(WELL_FORMED_CHALLENGE_CASES))]

    #[test]
    fn well_formed_challenges_round_trip(c in well_formed_challenge()) {
        let mut text = c.scheme.clone();
        text.push(' ');
        let mut all = c.params.clone();
        // The parameters beyond the cap are sent too, and must be counted, not kept.
        for i in 0..c.omitted_params {
            all.push(challenge::AuthParam { name: format!("extra{i}"), value: "v".into(), quoted: false });
        }
        let shown: Vec<String> = all
            .iter()
            .map(|p| {
                if p.quoted {
                    format!("{}=\"{}\"", p.name, p.value.replace('\\', "\\\\").replace('"', "\\\""))
                } else {
                    format!("{}={}", p.name, p.value)
                }
            })
            .collect();
        text.push_str(&shown.join(", "));
        let parsed = challenge::parse(&text);
        prop_assert_eq!(parsed, Ok(vec![c]));
    }
}

// ---- Suite loader: YAML and template expressions ----

fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(Catalogue::embedded)
}

fn mutants() -> Vec<&'static str> {
    authspec::selftest::mutant_names()
}

/// The smallest embedded suite, the seed that mutations start from.
fn seed_suite() -> &'static (&'static str, &'static str) {
    suite::EMBEDDED
        .iter()
        .min_by_key(|(_, s)| s.len())
        .expect("an embedded suite")
}

/// A mutation of a suite source: a cut, an insertion (YAML syntax, a template expression or any
/// text) or a replaced range.
#[derive(Clone, Debug)]
enum Edit {
    Cut(usize, usize),
    Insert(usize, String),
    Replace(usize, usize, String),
}

fn yaml_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(":".to_string()),
        Just("- ".to_string()),
        Just("\n".to_string()),
        Just("\n  ".to_string()),
        Just("{".to_string()),
        Just("[".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just("!!binary ".to_string()),
        Just("{{".to_string()),
        Just("}}".to_string()),
        "\\{\\{ ?[a-z_.]{0,12} ?\\}\\}",
        "[a-z_]{1,10}: [a-z0-9/{}]{0,10}",
        any::<String>(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0usize..200).prop_map(|(at, n)| Edit::Cut(at, n)),
        (any::<usize>(), yaml_piece()).prop_map(|(at, s)| Edit::Insert(at, s)),
        (any::<usize>(), 0usize..40, yaml_piece()).prop_map(|(at, n, s)| Edit::Replace(at, n, s)),
    ]
}

fn apply(source: &str, edits: &[Edit]) -> String {
    let mut s = source.to_string();
    let boundary = |s: &str, i: usize| {
        let mut i = i % (s.len() + 1);
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    for e in edits {
        match e {
            Edit::Cut(at, n) => {
                let a = boundary(&s, *at);
                let b = boundary(&s, (a + n).min(s.len()));
                s.replace_range(a..b.max(a), "");
            }
            Edit::Insert(at, text) => {
                let a = boundary(&s, *at);
                s.insert_str(a, text);
            }
            Edit::Replace(at, n, text) => {
                let a = boundary(&s, *at);
                let b = boundary(&s, (a + n).min(s.len()));
                s.replace_range(a..b.max(a), text);
            }
        }
    }
    s
}

/// Checks a load result: every error names the file and a line and column within the source.
fn check_load(file: &str, source: &str) -> Result<(), TestCaseError> {
    if let Err(e) = suite::load_source(file, source, catalogue(), &mutants()) {
        prop_assert!(!e.errors.is_empty());
        let lines = source.lines().count().max(1) + 1;
        for err in &e.errors {
            prop_assert_eq!(&err.file, file);
            prop_assert!(
                err.pos.line >= 1 && err.pos.line <= lines && err.pos.col >= 1,
                "{}:{}:{} is outside the source ({lines} lines): {}",
                err.file,
                err.pos.line,
                err.pos.col,
                err.message
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(budget(SUITE_CASES))]

    #[test]
    fn suite_loader_never_panics_and_errors_carry_a_position(
        edits in prop::collection::vec(edit(), 1..6),
        raw in any::<bool>(),
        text in any::<String>(),
    ) {
        let (file, seed) = seed_suite();
        let source = if raw { text } else { apply(seed, &edits) };
        check_load(file, &source)?;
    }
}

fn vars() -> BTreeMap<String, Value> {
    let mut v = BTreeMap::new();
    v.insert("target.url".into(), json!("http://127.0.0.1:1/mcp"));
    v.insert("n".into(), json!(3));
    v.insert("unset".into(), Value::Null);
    v
}

proptest! {
    #![proptest_config(budget(TEMPLATE_CASES))]

    #[test]
    fn templates_never_panic(parts in prop::collection::vec(yaml_piece(), 0..12)) {
        let s = parts.concat();
        match template(&s, &vars()) {
            // Text without a complete expression comes back unchanged.
            Ok(out) if !s.contains("{{") => prop_assert_eq!(out, s),
            Ok(_) => {}
            Err(e) => prop_assert!(authspec::checks::is_unset(&e), "{e}"),
        }
    }
}

// ---- URL builders: well-known insertion and redirect URIs ----

fn url_text() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("https"), Just("http")],
        prop_oneof![
            Just("127.0.0.1:8080".to_string()),
            Just("[::1]".to_string()),
            "[a-z]{1,8}(\\.[a-z]{2,5}){0,2}",
        ],
        prop::collection::vec("[a-zA-Z0-9._~%!$&'()*+,;=:@-]{0,8}", 0..4),
        any::<bool>(),
        prop::option::of("[a-z0-9=&%]{0,12}"),
        prop::option::of("[a-z0-9]{0,6}"),
    )
        .prop_map(|(scheme, host, segs, slash, query, frag)| {
            let mut s = format!("{scheme}://{host}");
            for seg in segs {
                s.push('/');
                s.push_str(&seg);
            }
            if slash {
                s.push('/');
            }
            if let Some(q) = query {
                s.push('?');
                s.push_str(&q);
            }
            if let Some(f) = frag {
                s.push('#');
                s.push_str(&f);
            }
            s
        })
}

proptest! {
    #![proptest_config(budget(URL_CASES))]

    #[test]
    fn well_known_urls_are_built_and_undone(raw in url_text(), suffix in "[a-z-]{1,30}") {
        let Ok(id) = Url::parse(&raw) else { return Ok(()) };
        let inserted = wellknown::path_inserted(&id, &suffix);
        prop_assert_eq!(inserted.origin(), id.origin());
        let well_known = format!("/.well-known/{suffix}");
        prop_assert!(inserted.path().starts_with(&well_known));
        prop_assert!(inserted.query().is_none() && inserted.fragment().is_none());
        // The identifier comes back, without query and fragment (and without the lone "/").
        let mut expected = id.clone();
        expected.set_query(None);
        expected.set_fragment(None);
        let mut expected = expected.to_string();
        if id.path() == "/" {
            expected.pop();
        }
        prop_assert_eq!(wellknown::identifier_from_path_inserted(&inserted, &suffix), Some(expected));
        let root = wellknown::root(&id, &suffix);
        prop_assert_eq!(root.path(), well_known.as_str());
        let appended = wellknown::path_appended(&id, &suffix);
        prop_assert!(appended.path().ends_with(&well_known));
        for rev in [SpecRevision::V2025_06_18, SpecRevision::DEFAULT] {
            let c = wellknown::as_metadata_candidates(&id, rev);
            prop_assert!(!c.is_empty() && c.len() <= 3);
            prop_assert_eq!(&c[0].url, &wellknown::path_inserted(&id, wellknown::OAUTH_AS_SUFFIX));
        }
    }

    #[test]
    fn redirect_uris_match_themselves_whatever_the_query(
        raw in url_text(),
        query in "[a-z0-9=&]{0,20}",
        other in any::<String>(),
    ) {
        let Ok(uri) = Url::parse(&raw) else { return Ok(()) };
        let mut location = uri.clone();
        location.set_query(Some(&query));
        location.set_fragment(None);
        prop_assert!(is_redirect_to(&location, uri.as_str()));
        // Anything at all as the registered URI: an answer, never a panic.
        let _ = is_redirect_to(&location, &other);
        if let Ok(o) = Url::parse(&other) {
            let _ = is_redirect_to(&o, uri.as_str());
        }
    }
}

// ---- The form driver's HTML form parser ----

fn html_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<form method=post action=\"/login\">".to_string()),
        Just("<form>".to_string()),
        Just("<form action=\"javascript:alert(1)\">".to_string()),
        Just("<form action=\"//other.example/x\" method=GET>".to_string()),
        Just("</form>".to_string()),
        Just("<input name=user>".to_string()),
        Just("<input type=password name=password value=\"x\">".to_string()),
        Just("<input type=checkbox name=remember checked>".to_string()),
        Just("<button name=approve value=yes>".to_string()),
        Just("<select name=s><option>a</select>".to_string()),
        Just("<textarea name=t>".to_string()),
        Just("<div>".to_string()),
        Just("<!--".to_string()),
        Just("<![CDATA[".to_string()),
        Just("<script>".to_string()),
        "<[a-z]{1,6}( [a-z]{1,6}=\"[^\"]{0,8}\")*>",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(budget(FORM_CASES))]

    #[test]
    fn form_parser_never_panics(parts in prop::collection::vec(html_piece(), 0..30), user in ".{0,12}") {
        let html = parts.concat();
        let resp = Response::new(
            200,
            vec![("content-type".to_string(), "text/html".to_string())],
            html.into_bytes(),
            std::time::Duration::ZERO,
        );
        let page = Url::parse("https://as.example/authorize?x=1").expect("url");
        let login = vec![("user".to_string(), user)];
        if let Some(req) = fill_form(&resp, &page, &login) {
            prop_assert!(req.method == "GET" || req.method == "POST");
        }
    }
}

// ---- JSON-pointer subjects ----

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z/~0-9]{0,4}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn pointer() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(
            prop_oneof![
                "[a-z0-9]{0,4}",
                Just("~0".to_string()),
                Just("~1".to_string()),
                Just("~".to_string()),
                Just("-".to_string())
            ],
            0..6
        )
        .prop_map(|v| v.iter().map(|t| format!("/{t}")).collect::<String>()),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(budget(POINTER_CASES))]

    #[test]
    fn json_pointer_subjects_never_panic(doc in json_value(), ptr in pointer(), body_is_json in any::<bool>()) {
        let body = if body_is_json { doc.to_string() } else { format!("{doc}}}") };
        let obs = Observation {
            response: Some(Response::new(
                200,
                vec![("content-type".to_string(), "application/json".to_string())],
                body.into_bytes(),
                std::time::Duration::ZERO,
            )),
            values: BTreeMap::from([("doc".to_string(), doc.clone())]),
        };
        let vars = BTreeMap::new();
        let from_body = Subject::Json(ptr.clone()).resolve(&obs, &vars);
        let from_var = Subject::Var("doc".into(), ptr.clone()).resolve(&obs, &vars);
        if body_is_json {
            prop_assert_eq!(&from_body, &doc.pointer(&ptr).cloned());
        } else {
            prop_assert_eq!(&from_body, &None);
        }
        if ptr.is_empty() {
            prop_assert_eq!(from_var, Some(doc));
        } else {
            prop_assert_eq!(from_var, doc.pointer(&ptr).cloned());
        }
    }
}

/// Deeply nested JSON in a body is refused by the parser's depth limit, not followed until the
/// stack runs out.
#[test]
fn deep_json_in_a_body_is_not_a_crash() {
    let depth = 100_000;
    let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let obs = Observation {
        response: Some(Response::new(
            200,
            vec![("content-type".to_string(), "application/json".to_string())],
            body.into_bytes(),
            std::time::Duration::ZERO,
        )),
        values: BTreeMap::new(),
    };
    assert_eq!(
        Subject::Json("/0".into()).resolve(&obs, &BTreeMap::new()),
        None
    );
}
