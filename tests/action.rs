//! The GitHub Action's scripts (`scripts/action/*.sh`, called by `action.yml`), run as a runner
//! would run them: fake `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and `GITHUB_PATH` files, the
//! built binary against the bundled reference server, and a release served from a directory.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Runner {
    dir: PathBuf,
}

impl Runner {
    fn new(name: &str) -> Runner {
        let dir =
            std::env::temp_dir().join(format!("authspec-action-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        for f in ["output", "summary", "path"] {
            std::fs::write(dir.join(f), "").expect("runner file");
        }
        Runner { dir }
    }

    fn script(&self, script: &str, env: &[(&str, &str)]) -> Output {
        let mut c = Command::new("bash");
        c.arg(Path::new(ROOT).join("scripts/action").join(script))
            .current_dir(&self.dir)
            .env("GITHUB_OUTPUT", self.dir.join("output"))
            .env("GITHUB_STEP_SUMMARY", self.dir.join("summary"))
            .env("GITHUB_PATH", self.dir.join("path"))
            .env("RUNNER_TEMP", &self.dir)
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("bash runs")
    }

    fn outputs(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(self.dir.join("output"))
            .expect("outputs")
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn explain(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn count(outputs: &BTreeMap<String, String>, k: &str) -> usize {
    outputs
        .get(k)
        .unwrap_or_else(|| panic!("output {k} in {outputs:?}"))
        .parse()
        .unwrap_or_else(|_| panic!("output {k} is a number: {outputs:?}"))
}

const BIN: &str = env!("CARGO_BIN_EXE_authspec");

#[test]
fn a_conformant_run_sets_the_outputs_and_the_job_summary() {
    let r = Runner::new("pass");
    let o = r.script(
        "run.sh",
        &[
            ("AUTHSPEC_BIN", BIN),
            ("INPUT_ARGS", "'rfc9728/*' --jobs 4"),
            ("INPUT_SARIF", "true"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", explain(&o));
    let out = r.outputs();
    assert!(count(&out, "passed") > 0, "{out:?}");
    assert_eq!(count(&out, "failed"), 0);
    assert_eq!(count(&out, "warned"), 0);
    assert_eq!(count(&out, "not-judged"), 0, "absent from the report: 0");
    assert_eq!(out["exit-code"], "0");
    for k in [
        "json-report",
        "junit-report",
        "markdown-report",
        "sarif-report",
    ] {
        let p = r.dir.join(&out[k]);
        assert!(p.is_file(), "{k}: {} exists", p.display());
    }
    assert!(r.read(&out["junit-report"]).contains("<testsuites"));
    let summary = r.read("summary");
    assert_eq!(
        summary.matches("## ✅ authspec").count(),
        1,
        "the Markdown report is in the summary once:\n{summary}"
    );
}

#[test]
fn failures_fail_the_step_unless_fail_on_is_never() {
    let args = "--mutant prm-resource-trailing-slash 'rfc9728/3*'";
    let r = Runner::new("fail");
    let o = r.script("run.sh", &[("AUTHSPEC_BIN", BIN), ("INPUT_ARGS", args)]);
    assert_eq!(o.status.code(), Some(1), "{}", explain(&o));
    let out = r.outputs();
    assert!(count(&out, "failed") > 0, "{out:?}");
    assert_eq!(out["exit-code"], "1");
    assert!(r.read("summary").contains("❌ authspec"));

    let r = Runner::new("never");
    let o = r.script(
        "run.sh",
        &[
            ("AUTHSPEC_BIN", BIN),
            ("INPUT_ARGS", args),
            ("INPUT_FAIL_ON", "never"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", explain(&o));
    assert!(count(&r.outputs(), "failed") > 0);

    let r = Runner::new("bad-policy");
    let o = r.script(
        "run.sh",
        &[("AUTHSPEC_BIN", BIN), ("INPUT_FAIL_ON", "sometimes")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", explain(&o));
}

/// A stand-in binary that writes the given summary to its JSON and Markdown reports and exits 0,
/// as authspec does when warnings do not count (level must).
fn fake_authspec(dir: &Path, summary: &str) -> PathBuf {
    let path = dir.join("fake-authspec");
    let script = format!(
        r#"#!/usr/bin/env bash
printf '%s\n' "$*" > "{args}"
while [ $# -gt 0 ]; do
  case "$1" in
    --report) case "$2" in
        json=*) printf '{{"schema_version":1,"summary":{summary}}}' > "${{2#json=}}" ;;
        markdown=*) printf '## fake summary\n' > "${{2#markdown=}}" ;;
      esac; shift ;;
  esac
  shift
done
exit 0
"#,
        args = dir.join("fake-args").display()
    );
    std::fs::write(&path, script).expect("fake binary");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

#[test]
fn fail_on_warn_fails_on_a_warning_and_not_judged_is_read_when_present() {
    let r = Runner::new("warn");
    let fake = fake_authspec(
        &r.dir,
        r#"{"passed":3,"failed":0,"warned":1,"skipped":0,"errored":0,"not_judged":2}"#,
    );
    let fake = fake.to_str().expect("utf-8");
    let env = [
        ("AUTHSPEC_BIN", fake),
        ("INPUT_COMMAND", "client"),
        ("INPUT_LEVEL", "must"),
        ("INPUT_ARGS", r#"--command "node my client.js""#),
    ];
    let o = r.script("run.sh", &env);
    assert_eq!(
        o.status.code(),
        Some(0),
        "fail-on fail follows authspec: {}",
        explain(&o)
    );
    let out = r.outputs();
    assert_eq!(count(&out, "warned"), 1);
    assert_eq!(count(&out, "not-judged"), 2);
    let args = r.read("fake-args");
    assert!(
        args.starts_with("client --level must --report json="),
        "the command and the inputs come first: {args}"
    );
    assert!(
        args.contains("--command node my client.js"),
        "quoted args stay one word: {args}"
    );
    // A binary that does not write the summary itself: the script appends the Markdown report.
    assert!(r.read("summary").contains("## fake summary"));

    let r2 = Runner::new("warn2");
    let fake = fake_authspec(&r2.dir, r#"{"passed":3,"failed":0,"warned":1}"#);
    let mut env = env.to_vec();
    env[0].1 = fake.to_str().expect("utf-8");
    env.push(("INPUT_FAIL_ON", "warn"));
    let o = r2.script("run.sh", &env);
    assert_eq!(o.status.code(), Some(1), "fail-on warn: {}", explain(&o));
    assert_eq!(count(&r2.outputs(), "not-judged"), 0);
}

/// A release directory as release.yml lays it out: one archive per target and SHA256SUMS.
fn fake_release(dir: &Path, version: &str, target: &str) -> PathBuf {
    let name = format!("authspec-v{version}-{target}");
    let stage = dir.join("stage").join(&name);
    std::fs::create_dir_all(&stage).expect("stage");
    std::fs::write(
        stage.join("authspec"),
        "#!/bin/sh\necho authspec-from-release\n",
    )
    .expect("bin");
    std::fs::set_permissions(
        stage.join("authspec"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    let release = dir.join("releases").join(format!("v{version}"));
    std::fs::create_dir_all(&release).expect("release dir");
    let archive = release.join(format!("{name}.tar.gz"));
    let ok = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.join("stage"))
        .arg(&name)
        .status()
        .expect("tar");
    assert!(ok.success());
    let sums = Command::new("sha256sum")
        .arg(format!("{name}.tar.gz"))
        .current_dir(&release)
        .output()
        .expect("sha256sum");
    std::fs::write(release.join("SHA256SUMS"), sums.stdout).expect("SHA256SUMS");
    dir.join("releases")
}

#[test]
fn install_verifies_the_release_checksum_and_falls_back_to_cargo() {
    let r = Runner::new("install");
    let releases = fake_release(&r.dir, "9.8.7", "x86_64-unknown-linux-musl");
    let base = format!("file://{}", releases.display());
    let env = [
        ("AUTHSPEC_RELEASE_BASE", base.as_str()),
        ("AUTHSPEC_VERSION", "v9.8.7"),
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
    ];
    let o = r.script("install.sh", &env);
    assert_eq!(o.status.code(), Some(0), "{}", explain(&o));
    let out = r.outputs();
    assert_eq!(out["source"], "release");
    assert_eq!(out["version"], "9.8.7");
    let bin = Command::new(&out["bin"])
        .output()
        .expect("the installed binary runs");
    assert_eq!(
        String::from_utf8_lossy(&bin.stdout).trim(),
        "authspec-from-release"
    );
    let on_path = r.read("path");
    assert!(
        Path::new(on_path.trim()).join("authspec").is_file(),
        "GITHUB_PATH: {on_path}"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("matches SHA256SUMS"));

    // A tampered checksum file: the step fails and installs nothing.
    let sums = releases.join("v9.8.7/SHA256SUMS");
    let text = std::fs::read_to_string(&sums).expect("sums");
    std::fs::write(&sums, format!("{}{}", "0".repeat(64), &text[64..])).expect("tamper");
    let r2 = Runner::new("install-bad");
    let o = r2.script("install.sh", &env);
    assert_ne!(o.status.code(), Some(0), "{}", explain(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("checksum mismatch"),
        "{}",
        explain(&o)
    );
    assert!(!r2.outputs().contains_key("bin"));

    // No archive for the platform: cargo install --locked from the action's source.
    let r3 = Runner::new("install-cargo");
    let fakebin = r3.dir.join("fakebin");
    std::fs::create_dir_all(&fakebin).expect("fakebin");
    let record = r3.dir.join("cargo-args");
    std::fs::write(
        fakebin.join("cargo"),
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\nwhile [ \"$1\" != --root ]; do shift; done\nmkdir -p \"$2/bin\" && printf '#!/bin/sh\\n' > \"$2/bin/authspec\"\n",
            record.display()
        ),
    )
    .expect("fake cargo");
    std::fs::set_permissions(
        fakebin.join("cargo"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    let path = format!(
        "{}:{}",
        fakebin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = r3.script(
        "install.sh",
        &[
            ("AUTHSPEC_RELEASE_BASE", base.as_str()),
            ("AUTHSPEC_VERSION", "9.8.7"),
            ("RUNNER_OS", "FreeBSD"),
            ("RUNNER_ARCH", "X64"),
            ("GITHUB_ACTION_PATH", ROOT),
            ("PATH", path.as_str()),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", explain(&o));
    assert_eq!(r3.outputs()["source"], "cargo");
    let args = r3.read("cargo-args");
    assert!(args.starts_with("install --locked --root"), "{args}");
    assert!(args.contains(&format!("--path {ROOT}")), "{args}");

    // A version with no release: the same fallback.
    let r4 = Runner::new("install-missing");
    let o = r4.script(
        "install.sh",
        &[
            ("AUTHSPEC_RELEASE_BASE", base.as_str()),
            ("AUTHSPEC_VERSION", "1.0.0"),
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "X64"),
            ("GITHUB_ACTION_PATH", ROOT),
            ("PATH", path.as_str()),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", explain(&o));
    assert_eq!(r4.outputs()["source"], "cargo");
}
