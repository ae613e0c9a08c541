//! `authspec.toml`: per-profile defaults for `run` and `demo`, so CI lines stay short.
//!
//! ```toml
//! [profile.ci]
//! target = "https://mcp.example.com/mcp"
//! level = "should"
//! reports = ["json=out/authspec.json", "junit=out/junit.xml", "markdown=out/summary.md"]
//! baseline = "authspec-baseline.yaml"
//! authorize = "form"
//! login = ["username=ci-bot"]
//! ```
//!
//! A profile becomes command-line flags placed before the user's own, so anything given on the
//! command line wins (list flags such as `reports` add up).

use std::collections::BTreeMap;

use serde::Deserialize;

/// One profile: every field is optional and maps to the `run` flag of the same name.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub target: Option<String>,
    pub issuer: Option<String>,
    pub level: Option<String>,
    pub spec: Option<String>,
    pub format: Option<String>,
    #[serde(default)]
    pub reports: Vec<String>,
    pub baseline: Option<String>,
    pub allow_stale: Option<bool>,
    #[serde(default)]
    pub suites: Vec<String>,
    #[serde(default)]
    pub skip: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub jobs: Option<u16>,
    pub timeout: Option<u64>,
    pub deadline: Option<u64>,
    pub authorize: Option<String>,
    #[serde(default)]
    pub login: Vec<String>,
    pub authorize_command: Option<String>,
    pub access_token_env: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_env: Option<String>,
    pub scope: Option<String>,
    pub redirect_uri: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profile: BTreeMap<String, Profile>,
}

/// Loads `profile` from the TOML text; errors name the file and line.
pub fn load(file: &str, text: &str, profile: &str) -> Result<Profile, String> {
    let parsed: File = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1);
        format!("{file}:{line}: {}", e.message())
    })?;
    match parsed.profile.get(profile) {
        Some(p) => Ok(p.clone()),
        None => {
            let names: Vec<&str> = parsed.profile.keys().map(String::as_str).collect();
            Err(format!(
                "{file}: no profile `{profile}` (profiles: {})",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ))
        }
    }
}

impl Profile {
    /// The profile as command-line flags of `run` (or `demo`, which takes the authorization ones).
    pub fn to_args(&self, command: &str) -> Vec<String> {
        let mut args = Vec::new();
        let mut one = |flag: &str, v: &Option<String>| {
            if let Some(v) = v {
                args.push(format!("--{flag}={v}"));
            }
        };
        one("authorize", &self.authorize);
        one("authorize-command", &self.authorize_command);
        one("access-token-env", &self.access_token_env);
        one("client-id", &self.client_id);
        one("client-secret-env", &self.client_secret_env);
        one("scope", &self.scope);
        one("redirect-uri", &self.redirect_uri);
        one("target", &self.target);
        one("timeout", &self.timeout.map(|t| t.to_string()));
        if command == "run" {
            one("issuer", &self.issuer);
            one("level", &self.level);
            one("spec", &self.spec);
            one("format", &self.format);
            one("baseline", &self.baseline);
            one("jobs", &self.jobs.map(|j| j.to_string()));
            one("deadline", &self.deadline.map(|d| d.to_string()));
            if self.allow_stale == Some(true) {
                args.push("--allow-stale".into());
            }
            for (flag, list) in [
                ("report", &self.reports),
                ("suite", &self.suites),
                ("skip", &self.skip),
                ("tag", &self.tags),
            ] {
                args.extend(list.iter().map(|v| format!("--{flag}={v}")));
            }
        }
        args.extend(self.login.iter().map(|v| format!("--login={v}")));
        args
    }
}

/// Finds `--NAME VALUE` or `--NAME=VALUE` in raw arguments.
pub fn flag_value(args: &[String], name: &str) -> Option<String> {
    let long = format!("--{name}");
    let eq = format!("--{name}=");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == &long {
            return it.next().cloned();
        }
        if let Some(v) = a.strip_prefix(&eq) {
            return Some(v.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_become_flags() {
        let text = "[profile.ci]\ntarget = \"https://x.example/mcp\"\nlevel = \"should\"\nreports = [\"json=a.json\"]\n";
        let p = load("authspec.toml", text, "ci").expect("loads");
        assert_eq!(
            p.to_args("run"),
            vec![
                "--target=https://x.example/mcp",
                "--level=should",
                "--report=json=a.json"
            ]
        );
    }

    #[test]
    fn errors_name_the_line() {
        let err =
            load("authspec.toml", "[profile.ci]\nlevle = \"x\"\n", "ci").expect_err("unknown key");
        assert!(err.starts_with("authspec.toml:2:"), "{err}");
        let err = load("authspec.toml", "[profile.ci]\n", "prod").expect_err("no profile");
        assert!(err.contains("profiles: ci"), "{err}");
    }
}
