//! The binary as a user runs it: exit codes, report formats, bad input and hostile targets.

use std::process::{Command, Output};

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn authspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authspec"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("the binary runs")
}

async fn authspec_async(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        authspec(&refs)
    })
    .await
    .expect("join")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn report_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("../fixtures/schemas/report.schema.json"))
            .expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

fn assert_valid_report(v: &Value) {
    let validator = report_validator();
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report does not match its schema: {errors:#?}"
    );
}

#[test]
fn run_against_the_reference_server_passes() {
    let out = authspec(&["run"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    // The two skips: the plain server approves at once, so it shows no login page to judge,
    // and its tokens are JWTs, so the opaque-token probe does not apply.
    assert!(
        text.lines()
            .any(|l| l.ends_with("0 failed, 0 warned, 2 skipped, 0 errored")),
        "{text}"
    );
    assert!(text.contains("- Every login and consent page on the way to the code forbids framing"));
    assert!(text.contains("- An opaque token issued without a resource indicator"));
    assert!(text.contains("rfc9728/3.3/resource-matches-request-url"));
}

#[test]
fn json_report_matches_its_schema_and_hides_secrets() {
    let dir = std::env::temp_dir().join(format!("authspec-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("report.json");
    let console = dir.join("report.txt");
    let out = authspec(&[
        "run",
        "--level",
        "may",
        "--format",
        "json",
        "--report",
        &format!("json={}", file.display()),
        "--report",
        &format!("console={}", console.display()),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_valid_report(&v);
    assert_eq!(v["summary"]["failed"], 0);
    let written: Value =
        serde_json::from_slice(&std::fs::read(&file).expect("report file")).expect("file is JSON");
    assert_valid_report(&written);
    // The invalid token the harness sends is still a credential-shaped value: never printed.
    let all = format!(
        "{}{}",
        stdout(&out),
        std::fs::read_to_string(&console).expect("console report")
    );
    assert!(!all.contains("authspec-invalid-token-4mQ9xZ2bT7wL1cV8nR3kP6yH0sJ5dF"));
    assert!(all.contains("Bearer [redacted:"));
}

#[test]
fn a_mutant_makes_the_run_fail_with_evidence() {
    let out = authspec(&["run", "--mutant", "prm-resource-mismatch"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("Expected:") && text.contains("/other"),
        "{text}"
    );
    assert!(text.contains("rfc9728.3.3.resource-matches-base"));
    assert!(text.contains("https://www.rfc-editor.org/rfc/rfc9728.html#section-3.3"));
}

#[test]
fn warnings_fail_only_under_level_should() {
    let out = authspec(&["run", "--mutant", "challenge-no-scope"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = authspec(&["run", "--level", "should", "--mutant", "challenge-no-scope"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("1 warned"));
}

#[test]
fn bad_flags_are_usage_errors() {
    let out = authspec(&["run", "--level", "sometimes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sometimes"), "{}", stderr(&out));
    let out = authspec(&["run", "--target", "not a url"]);
    assert_eq!(out.status.code(), Some(2));
    let out = authspec(&["run", "--mutant", "no-such-mutant"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such-mutant"));
    let out = authspec(&["run", "--report", "pdf=x.pdf"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn no_selected_case_exits_4() {
    let out = authspec(&["run", "no/such/*"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).contains("no case selected"));
}

#[test]
fn malformed_suites_point_at_file_and_line() {
    let out = authspec(&["list", "--suite", "fixtures/suites/misspelt-key.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("fixtures/suites/misspelt-key.yaml:6:5"),
        "{err}"
    );
    assert!(
        err.contains("unknown key `titel`") && err.contains("did you mean `title`?"),
        "{err}"
    );

    let out = authspec(&["list", "--suite", "fixtures/suites/bad-references.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for needle in [
        "unknown requirement id `rfc9728.2.resource-requird`",
        "did you mean `rfc9728.2.resource-required`?",
        "unknown mutant `prm-missing-resourse`",
        "no step named `frist`",
        "unknown variable `target.urll`",
        "duplicate case id `broken-refs/1/refs`",
        "unknown key `exsts`",
    ] {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }

    let out = authspec(&["list", "--suite", "fixtures/suites/invalid-yaml.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid YAML"), "{}", stderr(&out));
    let out = authspec(&["list", "--suite", "fixtures/suites/does-not-exist.yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unreachable_target_is_a_runtime_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let target = format!("http://127.0.0.1:{port}/mcp");
    let out = authspec(&["run", "--target", &target, "--timeout", "2"]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("could not connect"), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
}

#[test]
fn list_and_mutants_as_json() {
    let out = authspec(&["list", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let cases = v.as_array().expect("array");
    assert!(cases.len() > 30);
    for c in cases {
        for key in ["id", "title", "level", "party", "requirements", "mutants"] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
    }
    let out = authspec(&["mutants", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    for m in v.as_array().expect("array") {
        assert!(
            !m["cases"].as_array().expect("cases").is_empty(),
            "mutant named by no case: {m}"
        );
    }
}

#[test]
fn variants_are_listed_and_each_runs_clean() {
    let out = authspec(&["variants", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let variants = v.as_array().expect("array");
    assert!(variants.len() >= 15, "{} variants", variants.len());
    for x in variants {
        for key in ["name", "description", "since"] {
            assert!(x[key].is_string(), "{key} missing in {x}");
        }
    }
    let out = authspec(&["run", "--variant", "opaque-tokens", "--level", "should"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = authspec(&["run", "--variant", "opaque-token"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown variant `opaque-token`"));
}

#[test]
fn a_finding_cites_the_rule_its_expectation_checks() {
    let out = authspec(&[
        "run",
        "oauth21/3.2.3/token-response",
        "--mutant",
        "token-no-expires-in",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let case = &v["cases"][0];
    assert_eq!(case["result"], "warn", "{case}");
    // The case cites three rules; the missing expires_in breaks one of them.
    assert_eq!(case["requirements"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        case["findings"][0]["requirements"],
        serde_json::json!(["oauth21.3.2.3.expires-in"])
    );
}

#[test]
fn the_report_says_which_reading_was_used() {
    let args = [
        "run",
        "rfc9728/3/well-known-path-inserted",
        "--variant",
        "metadata-at-root",
        "--format",
        "json",
    ];
    let lenient: Value = serde_json::from_slice(&authspec(&args).stdout).expect("json");
    assert_eq!(lenient["strict"], false);
    assert_eq!(lenient["cases"][0]["result"], "pass");
    let strict_args: Vec<&str> = args.iter().copied().chain(["--strict"]).collect();
    let strict: Value = serde_json::from_slice(&authspec(&strict_args).stdout).expect("json");
    assert_valid_report(&strict);
    assert_eq!(strict["strict"], true);
    assert_eq!(strict["cases"][0]["result"], "warn");
}

/// A target that answers HTML everywhere: metadata checks fail with evidence, nothing panics.
#[tokio::test(flavor = "multi_thread")]
async fn html_where_json_is_due() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("<html><body>Welcome</body></html>", "text/html"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("WWW-Authenticate", "Bearer realm=\"x\"")
                .set_body_raw("<html>login</html>", "text/html"),
        )
        .mount(&server)
        .await;
    let out = authspec_async(vec![
        "run".into(),
        "--target".into(),
        format!("{}/mcp", server.uri()),
        "--format".into(),
        "json".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_valid_report(&v);
    let case = v["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == "rfc9728/3.2/success-200-json")
        .expect("case");
    assert_eq!(case["result"], "fail");
    assert!(
        case["message"]
            .as_str()
            .unwrap_or_default()
            .contains("text/html"),
        "{case}"
    );
}

/// 5xx everywhere: failures with the status as evidence, not a crash.
#[tokio::test(flavor = "multi_thread")]
async fn server_errors_everywhere() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let out = authspec_async(vec![
        "run".into(),
        "--target".into(),
        format!("{}/mcp", server.uri()),
    ])
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("got 503"), "{}", stdout(&out));
}

/// A redirect loop at the metadata URL and a 50 MB body: errors that name the URL, no hang.
#[tokio::test(flavor = "multi_thread")]
async fn redirect_loops_and_huge_bodies_are_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/mcp"))
        .respond_with(ResponseTemplate::new(401).insert_header(
            "WWW-Authenticate",
            format!("Bearer resource_metadata=\"{}/huge\"", server.uri()).as_str(),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-protected-resource/mcp"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", "/.well-known/oauth-protected-resource/mcp"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/huge"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(vec![b'{'; 50 * 1024 * 1024], "application/json"),
        )
        .mount(&server)
        .await;
    let out = authspec_async(vec![
        "run".into(),
        "--target".into(),
        format!("{}/mcp", server.uri()),
        "rfc9728/3.3/resource-matches-well-known".into(),
        "rfc9728/5.1/*".into(),
        "--format".into(),
        "json".into(),
    ])
    .await;
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_valid_report(&v);
    let by_id = |id: &str| {
        v["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .expect(id)
    };
    let looped = by_id("rfc9728/3.3/resource-matches-well-known");
    assert_eq!(looped["result"], "error", "{looped}");
    assert!(
        looped["message"]
            .as_str()
            .unwrap_or_default()
            .contains("redirect loop"),
        "{looped}"
    );
    let huge = by_id("rfc9728/5.1/resource-metadata-resolves");
    assert_eq!(huge["result"], "error", "{huge}");
    assert!(
        huge["message"]
            .as_str()
            .unwrap_or_default()
            .contains("exceeds"),
        "{huge}"
    );
    assert_eq!(out.status.code(), Some(3));
}

/// A target that never answers in time: every request times out, the run ends, exit 3.
#[tokio::test(flavor = "multi_thread")]
async fn slow_targets_time_out() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(5)))
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let out = authspec_async(vec![
        "run".into(),
        "--target".into(),
        format!("{}/mcp", server.uri()),
        "--timeout".into(),
        "1".into(),
        "rfc9728/3/*".into(),
        "mcp/auth/*".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("timed out after 1s"),
        "{}",
        stdout(&out)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// `authspec serve ARGS` as its own process, and the first line it prints.
fn serve(args: &[&str]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_authspec"))
        .arg("serve")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut line).expect("a line");
    (child, line)
}

#[test]
fn serve_prints_its_url_first() {
    let (mut child, line) = serve(&["--mutant", "prm-missing-resource"]);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("http://127.0.0.1:") && line.trim_end().ends_with("/mcp"),
        "{line}"
    );
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("authspec-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir
}

#[test]
fn baselined_failures_pass_and_stale_entries_fail() {
    let dir = tmp("baseline");
    let file = dir.join("baseline.yaml");
    let path = file.display().to_string();
    // Write the baseline from a failing run.
    let out = authspec(&[
        "run",
        "--mutant",
        "prm-resource-mismatch",
        "--baseline",
        &path,
        "--update-baseline",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = std::fs::read_to_string(&file).expect("baseline written");
    assert!(
        text.contains("- id: \"rfc9728/3.3/resource-matches-well-known\"\n  result: fail"),
        "{text}"
    );
    // The same failure, now expected: exit 0, reported as xfail.
    let out = authspec(&[
        "run",
        "--mutant",
        "prm-resource-mismatch",
        "--baseline",
        &path,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_valid_report(&v);
    assert!(
        v["summary"]["xfailed"].as_u64().unwrap_or_default() >= 2,
        "{}",
        v["summary"]
    );
    assert_eq!(v["summary"]["failed"], 0);
    // Fixed server, stale baseline: exit 1 and the entry is named; --allow-stale tolerates it.
    let out = authspec(&["run", "--baseline", &path]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("stale baseline entr"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("stale baseline entry"),
        "{}",
        stdout(&out)
    );
    let out = authspec(&["run", "--baseline", &path, "--allow-stale"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn a_broken_baseline_points_at_its_line() {
    let dir = tmp("badbaseline");
    let file = dir.join("baseline.yaml");
    std::fs::write(
        &file,
        "- id: rfc9728/3/well-known-path-inserted\n  result: fail\n- id: rfc9728/3/no-such-case\n",
    )
    .expect("write");
    let out = authspec(&["run", "--baseline", &file.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("baseline.yaml:3:")
            && err.contains("no case has the id `rfc9728/3/no-such-case`"),
        "{err}"
    );
}

#[test]
fn junit_has_one_testcase_per_case_and_maps_results() {
    let out = authspec(&[
        "run",
        "--mutant",
        "prm-resource-mismatch",
        "--level",
        "may",
        "--format",
        "junit",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<testsuite name=\"rfc9728\""));
    assert!(xml.contains("<failure"));
    let names: Vec<&str> = xml
        .match_indices("<testcase name=\"")
        .map(|(i, m)| {
            let rest = &xml[i + m.len()..];
            &rest[..rest.find('"').unwrap_or(0)]
        })
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(names.len(), unique.len(), "test case names must be unique");
    assert!(names.len() > 100);
}

#[test]
fn profiles_from_authspec_toml() {
    let dir = tmp("profile");
    let report = dir.join("out/report.json");
    std::fs::write(
        dir.join("authspec.toml"),
        format!(
            "[profile.ci]\nlevel = \"should\"\nreports = [\"json={}\"]\n",
            report.display()
        ),
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_authspec"))
        .args(["run", "--profile", "ci", "rfc9728/*"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("level SHOULD"), "{}", stdout(&out));
    assert!(report.exists());
    let out = Command::new(env!("CARGO_BIN_EXE_authspec"))
        .args(["run", "--profile", "prod"])
        .current_dir(&dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no profile `prod`"));
}

#[test]
fn github_annotations_are_capped_at_ten() {
    let out = Command::new(env!("CARGO_BIN_EXE_authspec"))
        .args(["run", "--mutant", "rs-no-auth-required", "--level", "may"])
        .env("GITHUB_ACTIONS", "true")
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let text = stdout(&out);
    let n = text
        .lines()
        .filter(|l| l.starts_with("::error") || l.starts_with("::warning"))
        .count();
    assert!((1..=10).contains(&n), "{n} annotations:\n{text}");
    assert!(text.contains("::error file=suites/"), "{text}");
}

/// One run writes every format; `report` re-renders saved JSON and compares runs.
#[test]
fn one_run_writes_every_format() {
    let dir = tmp("formats");
    let p = |n: &str| dir.join(n).display().to_string();
    let summary = dir.join("step-summary.md");
    let out = Command::new(env!("CARGO_BIN_EXE_authspec"))
        .args(["run", "--mutant", "prm-resource-trailing-slash"])
        .args([
            "--report",
            &format!("json={}", p("r.json")),
            "--report",
            &format!("junit={}", p("r.xml")),
        ])
        .args([
            "--report",
            &format!("markdown={}", p("r.md")),
            "--report",
            &format!("html={}", p("r.html")),
        ])
        .args([
            "--report",
            &format!("sarif={}", p("r.sarif")),
            "--report",
            "json=-",
        ])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v: Value =
        serde_json::from_slice(&out.stdout).expect("`json=-` writes the report to stdout");
    assert_valid_report(&v);
    for f in ["r.json", "r.xml", "r.md", "r.html", "r.sarif"] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap_or_default();
        assert!(text.len() > 200, "{f} is empty");
        assert!(
            !text.contains("authspec-invalid-token-4mQ9xZ2bT7wL1cV8nR3kP6yH0sJ5dF"),
            "{f} leaks a token"
        );
    }
    let md = std::fs::read_to_string(&summary).expect("the job summary was appended");
    assert!(md.contains("rfc9728/3.3/resource-matches-well-known"));
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.sarif")).unwrap_or_default())
            .expect("sarif json");
    assert_eq!(sarif["version"], "2.1.0");
    // Re-render and compare from the saved JSON.
    let out = authspec(&[
        "report",
        &p("r.json"),
        &p("r.json"),
        "--html",
        &p("compare.html"),
        "--report",
        "markdown=-",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("resource-matches-well-known"));
    let page = std::fs::read_to_string(dir.join("compare.html")).unwrap_or_default();
    assert!(
        page.contains("2 runs compared"),
        "{}",
        &page[..page.len().min(400)]
    );
    let out = authspec(&["report", &p("r.md"), "--html", &p("x.html")]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn case_order_does_not_depend_on_concurrency() {
    let ids = |jobs: &str| -> Vec<String> {
        let out = authspec(&["run", "--level", "may", "--jobs", jobs, "--format", "json"]);
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        v["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .map(|c| c["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let serial = ids("1");
    assert!(serial.len() > 100);
    assert_eq!(serial, ids("32"));
}

/// What a run wrote in each format: console, the JSON report (parsed and its text), JUnit and
/// Markdown, with the exit code.
struct EveryFormat {
    code: Option<i32>,
    console: String,
    stderr: String,
    report: Value,
    json: String,
    junit: String,
    markdown: String,
}

/// Runs authspec with `args` and `env`, writing the JSON, JUnit and Markdown reports beside the
/// console, and reads them all back.
fn run_in_every_format(label: &str, args: &[&str], env: &[(&str, &str)]) -> EveryFormat {
    let dir = std::env::temp_dir().join(format!("authspec-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (json, junit, md) = (dir.join("r.json"), dir.join("r.xml"), dir.join("r.md"));
    let out = Command::new(env!("CARGO_BIN_EXE_authspec"))
        .args(args)
        .arg("--report")
        .arg(format!("json={}", json.display()))
        .arg("--report")
        .arg(format!("junit={}", junit.display()))
        .arg("--report")
        .arg(format!("markdown={}", md.display()))
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("the binary runs");
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap_or_default();
    let json_text = read(&json);
    let formats = EveryFormat {
        code: out.status.code(),
        console: stdout(&out),
        stderr: stderr(&out),
        report: serde_json::from_str(&json_text).unwrap_or(Value::Null),
        json: json_text,
        junit: read(&junit),
        markdown: read(&md),
    };
    let _ = std::fs::remove_dir_all(&dir);
    formats
}

/// A case authspec cannot get to is "not judged": counted apart from skips in every format,
/// with its reason, and a MUST case not judged makes the run incomplete (exit 5).
#[test]
fn a_case_authspec_cannot_reach_is_not_judged_in_every_format() {
    // With a token from outside, a case that needs a fresh authorization code cannot be reached.
    let run = run_in_every_format(
        "not-judged",
        &[
            "run",
            "pkce/4.6/wrong-verifier",
            "--access-token-env",
            "AUTHSPEC_NOT_JUDGED_TOKEN",
        ],
        &[("AUTHSPEC_NOT_JUDGED_TOKEN", "an-outside-token")],
    );
    let (console, report) = (&run.console, &run.report);
    assert_eq!(run.code, Some(5), "{console}{}", run.stderr);
    assert!(console.contains("1 not judged"), "{console}");
    assert!(console.contains("--access-token-env"), "{console}");
    assert_valid_report(report);
    assert_eq!(report["summary"]["not_judged"], 1);
    assert_eq!(report["cases"][0]["result"], "not_judged");
    // Counted apart: no case of the selection is a skip (the run-wide rules, which had nothing
    // to examine in a run this small, are).
    let skipped_cases = report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["result"] == "skip" && !c["id"].as_str().unwrap_or("").starts_with("run/"))
        .count();
    assert_eq!(skipped_cases, 0);
    let (xml, summary) = (&run.junit, &run.markdown);
    assert!(xml.contains("not_judged"), "{xml}");
    assert!(summary.contains("Not judged"), "{summary}");
    assert!(summary.contains("incomplete run"), "{summary}");
}

/// An authorization that stops at a login form on another origin (an upstream identity provider
/// the user gave no `--login` values for) leaves the flow not judged, says at which origin and
/// what would get past it, in every format, and the run is incomplete (exit 5). The values the
/// user gave for the authorization server are not sent to the other origin.
#[test]
fn a_login_form_on_another_origin_without_values_for_it_is_not_judged() {
    let run = run_in_every_format(
        "cross-origin",
        &[
            "run",
            "oauth21/4.1.3/code-single-use",
            "--variant",
            "federated-login",
            "--authorize",
            "form",
            "--login",
            "username=alice",
            "--login",
            "password=not-for-the-upstream",
        ],
        &[],
    );
    let (console, report) = (&run.console, &run.report);
    assert_eq!(run.code, Some(5), "{console}{}", run.stderr);
    assert!(console.contains("1 not judged"), "{console}");
    assert!(console.contains("asks for a password"), "{console}");
    assert!(console.contains(":FIELD=VALUE"), "{console}");
    assert_valid_report(report);
    assert_eq!(report["summary"]["not_judged"], 1);
    let case = &report["cases"][0];
    assert_eq!(case["result"], "not_judged");
    // The reason names the chain of origins the dance went through.
    let message = case["message"].as_str().unwrap_or_default();
    assert!(message.matches("127.0.0.1:").count() >= 2, "{message}");
    let (xml, summary) = (&run.junit, &run.markdown);
    assert!(xml.contains("not_judged"), "{xml}");
    assert!(summary.contains("Not judged"), "{summary}");
    assert!(summary.contains("asks for a password"), "{summary}");
    for text in [console, &run.json, xml, summary] {
        assert!(
            !text.contains("not-for-the-upstream"),
            "a --login value leaked"
        );
    }
}

/// Through an OAuth proxy (`federated-login`), the default run fills the upstream's login form
/// with the reference test user for that origin only, and every flow case passes; the report
/// lists the origins the authorization went through.
#[test]
fn the_authorization_dance_crosses_origins() {
    let out = authspec(&[
        "run",
        "oauth21/4.1.3/code-single-use",
        "--variant",
        "federated-login",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let case = &v["cases"][0];
    assert_eq!(case["result"], "pass", "{case}");
    let notes = case["notes"].to_string();
    assert!(notes.contains("went through 3 origins"), "{notes}");
}

/// Without dynamic registration, `--client-id` given twice is the second client the rules
/// between two clients need: a code bound to its client is judged, and its fault is caught.
#[test]
fn a_second_client_id_judges_the_rules_between_two_clients() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "oauth21/4.1.3/code-bound-to-client",
            "--variant",
            "no-registration-endpoint",
            "--client-id",
            "reference-public-client",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = authspec(&args);
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        (out.status.code(), v["cases"][0]["result"].clone())
    };
    // One client only: within reach of a second id, so not judged (exit 5, incomplete), not
    // skipped.
    let (code, result) = run(&[]);
    assert_eq!((code, result.as_str()), (Some(5), Some("not_judged")));
    let second = ["--client-id", "reference-public-client-2"];
    let (code, result) = run(&second);
    assert_eq!((code, result.as_str()), (Some(0), Some("pass")));
    let mut mutant = second.to_vec();
    mutant.extend(["--mutant", "token-ignores-client-binding"]);
    let (code, result) = run(&mutant);
    assert_eq!((code, result.as_str()), (Some(1), Some("fail")));
    let out = authspec(&[
        "run",
        "--client-id",
        "a",
        "--client-id",
        "b",
        "--client-id",
        "c",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("at most twice"), "{}", stderr(&out));
}

/// A server that stops answering for its rate (429) has not answered wrongly: the cases it
/// refused are not judged, with the reason, never failed. `authspec serve` throttles an address
/// after fifty failed client authentications a minute, and the secret-guessing probe makes ten
/// each run, so a few runs in a row meet the limit.
#[test]
fn a_rate_limited_answer_is_not_judged_never_failed() {
    let (mut child, target) = serve(&[]);
    let mut seen = Vec::new();
    for _ in 0..10 {
        let out = authspec(&[
            "run",
            "--target",
            target.trim(),
            "oauth21/3.2.4/invalid-client-basic-401",
            "oauth21/2.4.1/client-secret-guessing-throttled",
            "--format",
            "json",
        ]);
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        let cases = v["cases"].as_array().cloned().unwrap_or_default();
        seen.extend(cases.iter().map(|c| c["result"].clone()));
        let refused: Vec<&Value> = cases
            .iter()
            .filter(|c| c["result"] == "not_judged")
            .collect();
        if let Some(case) = refused.first() {
            let message = case["message"].as_str().unwrap_or_default();
            assert!(message.contains("429"), "{case}");
            assert_eq!(out.status.code(), Some(5), "{case}");
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(!seen.iter().any(|r| r == "fail"), "{seen:?}");
    assert!(
        seen.iter().any(|r| r == "not_judged"),
        "the server never throttled: {seen:?}"
    );
}

/// `coverage` counts the run-wide rules with the cases: a requirement only a `run/…` rule
/// checks is covered, by that rule.
#[test]
fn coverage_counts_the_run_wide_rules() {
    let out = authspec(&["coverage", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Value = serde_json::from_slice(&out.stdout).expect("json");
    let row = rows
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .find(|r| r["id"] == "mcp-2026-07-28.basic.1.messages-follow-schema")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        row["cases"],
        serde_json::json!(["run/mcp/basic.1/schema"]),
        "{row}"
    );
}
