//! `authspec completions` and `authspec man`: generated from the clap definitions.

use std::process::{Command, Output};

fn authspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authspec"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn ok_stdout(args: &[&str]) -> String {
    let o = authspec(args);
    assert!(
        o.status.success(),
        "{args:?} exited {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8")
}

#[test]
fn bash_completion_knows_the_subcommands_and_their_flags() {
    let s = ok_stdout(&["completions", "bash"]);
    assert!(s.contains("complete -F"), "a bash completion script:\n{s}");
    for word in [
        "run", "client", "serve", "list", "--target", "--level", "--report",
    ] {
        assert!(s.contains(word), "bash completion names `{word}`");
    }
    // The level's values are offered.
    assert!(s.contains("must should may"), "the --level values");
}

#[test]
fn every_shell_gets_a_script() {
    for (shell, marker) in [
        ("zsh", "#compdef authspec"),
        ("fish", "complete -c authspec"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let s = ok_stdout(&["completions", shell]);
        assert!(s.contains(marker), "{shell}: `{marker}` in\n{s}");
        assert!(s.contains("target"), "{shell}: the run flags");
    }
    let o = authspec(&["completions", "tcsh"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn man_page_is_roff_naming_the_subcommands() {
    let s = ok_stdout(&["man"]);
    let first_macro = s
        .lines()
        .find(|l| l.starts_with(".TH") || l.starts_with(".SH"))
        .expect("roff macros");
    assert!(
        first_macro.starts_with(".TH authspec 1"),
        "the page opens with .TH: {first_macro}"
    );
    assert!(s.contains(".SH NAME") && s.contains(".SH SYNOPSIS"));
    for sub in [
        "run",
        "client",
        "serve",
        "list",
        "selftest",
        "completions",
        "man",
    ] {
        assert!(
            s.contains(&format!("authspec\\-{sub}(1)")),
            "the page names `{sub}`"
        );
    }
    assert!(
        !s.contains("mock\\-client"),
        "the hidden subcommand stays hidden"
    );
}

#[test]
fn man_out_dir_writes_a_page_per_subcommand() {
    let dir = std::env::temp_dir().join(format!("authspec-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    ok_stdout(&["man", "--out-dir", dir.to_str().expect("utf-8 path")]);
    let top = std::fs::read_to_string(dir.join("authspec.1")).expect("authspec.1");
    assert!(top.contains(".TH authspec 1"));
    let run = std::fs::read_to_string(dir.join("authspec-run.1")).expect("authspec-run.1");
    assert!(run.contains(".TH authspec-run 1"), "{run}");
    assert!(
        run.contains("\\-\\-target"),
        "the run page documents --target"
    );
    assert!(dir.join("authspec-client.1").exists());
    assert!(!dir.join("authspec-help.1").exists());
    assert!(!dir.join("authspec-mock-client.1").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
