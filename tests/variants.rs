//! Every case under every conformant variant of the reference server, under every MCP revision,
//! with the run-wide rules (`run/…`) checked too: each must pass or skip, never fail, warn or
//! error. A check that fails a correct server is as much a defect as one that cannot fail. One
//! libtest-mimic trial per (variant, revision), named by the stable names; finding no variant is
//! itself a failure. Checks that only run on some variants (a login page, opaque tokens) are
//! shown there to catch their fault too.

use authspec::actions::context::AuthOptions;
use authspec::actions::context::{Driver, Login};
use authspec::requirements::Catalogue;
use authspec::result::Outcome;
use authspec::selftest;
use authspec::vocab::SpecRevision;
use libtest_mimic::{Arguments, Failed, Trial};
use reference_server::{
    Config, FORM_PASSWORD, FORM_USERNAME, PUBLIC_CLIENT_ID, SECOND_PUBLIC_CLIENT_ID, Variant,
};

/// Authorization options a person would give for this variant: a login form needs the form
/// driver and the test user's credentials; a server that registers no clients needs a
/// pre-registered one (`--client-id`).
fn auth_for(variant: Variant) -> AuthOptions {
    match variant {
        Variant::LoginConsentForm => AuthOptions {
            driver: Driver::Form,
            login: vec![
                Login::field("username", FORM_USERNAME),
                Login::field("password", FORM_PASSWORD),
            ],
            ..AuthOptions::default()
        },
        Variant::NoRegistrationEndpoint | Variant::RegistrationNeedsInitialToken => AuthOptions {
            client_id: Some(PUBLIC_CLIENT_ID.into()),
            second_client: Some((SECOND_PUBLIC_CLIENT_ID.into(), None)),
            ..AuthOptions::default()
        },
        _ => AuthOptions::default(),
    }
}

fn run_variant(variant: Variant, spec: SpecRevision) -> Result<(), Failed> {
    let catalogue = Catalogue::embedded();
    let cases: Vec<_> = selftest::embedded_cases(&catalogue)
        .map_err(|e| Failed::from(e.to_string()))?
        .into_iter()
        .filter(|c| c.applies_to(spec))
        .collect();
    if cases.is_empty() {
        return Err(format!("no case applies to {spec}").into());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failed::from(e.to_string()))?;
    let report = rt
        .block_on(selftest::run_configured_observed(
            &cases,
            Config::with_variant(variant),
            auth_for(variant),
            spec,
            &catalogue,
            4,
        ))
        .map_err(Failed::from)?;
    let wrong: Vec<String> = report
        .cases
        .iter()
        .filter(|r| !matches!(r.result, Outcome::Pass | Outcome::Skip | Outcome::NotJudged))
        .map(|r| {
            let findings: Vec<String> = r
                .findings
                .iter()
                .map(|f| format!("{}: expected {}, actual {}", f.check, f.expected, f.actual))
                .collect();
            format!(
                "  {} {}: {} {}",
                r.result.as_str(),
                r.id,
                r.message,
                findings.join("; ")
            )
        })
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "a correct server ({variant}: {}) got {} verdict(s) other than pass or skip:\n{}",
            variant.description(),
            wrong.len(),
            wrong.join("\n")
        )
        .into())
    }
}

/// Cases that must really run (pass, not skip) under a variant, so that a variant cannot
/// quietly turn into "everything skips".
const RUNS_UNDER_VARIANT: &[(Variant, &str)] = &[
    (
        Variant::PublicRegistrationRefused,
        "oauth21/3.2.3/token-response",
    ),
    (
        Variant::ConfidentialClientsOnly,
        "oauth21/3.2.3/token-response",
    ),
    (
        Variant::NoRegistrationEndpoint,
        "oauth21/3.2.3/token-response",
    ),
    (
        Variant::RegistrationNeedsInitialToken,
        "oauth21/3.2.3/token-response",
    ),
    (Variant::LoginConsentForm, "oauth21/3.2.3/token-response"),
    (
        Variant::LoginConsentForm,
        "oauth21/7.11/login-page-not-framable",
    ),
    (Variant::OpaqueTokens, "oauth21/5.2/tampered-token-refused"),
    (
        Variant::OpaqueTokens,
        "mcp/9.2/opaque-token-without-resource-refused",
    ),
    (
        Variant::OpaqueTokens,
        "mcp/9.2/foreign-resource-token-refused",
    ),
    (
        Variant::OtherScopeNames,
        "mcp/10.1.1/insufficient-scope-403",
    ),
    (
        Variant::MetadataAtRoot,
        "rfc9728/3/well-known-path-inserted",
    ),
    (Variant::IssuerTrailingSlash, "rfc8414/3.3/issuer-matches"),
    (Variant::IssuerTrailingSlash, "oauth21/4.1.2/iss-returned"),
    (
        Variant::DropsUnknownScopes,
        "oauth21/4.3.1/refresh-scope-not-widened",
    ),
    (
        Variant::RedirectUriIgnoredAtToken,
        "oauth21/4.1.3/redirect-uri-bound",
    ),
    (Variant::InvalidRequestErrors, "pkce/4.6/missing-verifier"),
    (
        Variant::RegistrationReplacesBadValues,
        "rfc7591/5/redirect-with-fragment-refused",
    ),
    (
        Variant::RegistrationReplacesBadValues,
        "rfc7591/2.1/inconsistent-types-refused",
    ),
    (Variant::PlainPkceAdvertised, "pkce/4.2/plain-refused"),
    // The document variants: the cases their choice bears on still run and pass.
    (Variant::CimdAllowlist, "cimd/6.5/no-loopback-https-fetch"),
    (Variant::CimdHttpPermitted, "cimd/3/https-required"),
    (
        Variant::CimdLoopbackFetch,
        "cimd/6.5/no-loopback-https-fetch",
    ),
    (Variant::CimdMinCacheLifetime, "cimd/4.4/no-store-honoured"),
    (Variant::CimdFetchThenValidate, "cimd/3/no-fragment"),
    (Variant::CimdFetchThenValidate, "cimd/3/no-userinfo"),
    (Variant::ModernOnly, "mcp-2026/http.7.1/get-delete-405"),
];

/// Checks that only run on some variants still catch their fault there: (variant, mutant, case).
const CAUGHT_UNDER_VARIANT: &[(Variant, &str, &str, Outcome)] = &[
    // The login page exists only behind a login form, where framing is a MUST.
    (
        Variant::LoginConsentForm,
        "authorize-frameable",
        "oauth21/7.11/anti-framing-and-no-cors",
        Outcome::Fail,
    ),
    (
        Variant::LoginConsentForm,
        "authorize-frameable",
        "oauth21/7.11/login-page-not-framable",
        Outcome::Fail,
    ),
    // Opaque tokens: the audience and forgery probes that need no JWT.
    (
        Variant::OpaqueTokens,
        "rs-accepts-wrong-audience",
        "mcp/9.2/foreign-resource-token-refused",
        Outcome::Fail,
    ),
    (
        Variant::OpaqueTokens,
        "rs-accepts-wrong-audience",
        "mcp/9.2/opaque-token-without-resource-refused",
        Outcome::Fail,
    ),
    (
        Variant::OpaqueTokens,
        "rs-accepts-any-token",
        "oauth21/5.2/tampered-token-refused",
        Outcome::Fail,
    ),
    (
        Variant::OpaqueTokens,
        "rs-accepts-any-token",
        "oauth21/5.2/refresh-token-as-bearer-refused",
        Outcome::Fail,
    ),
    // Step-up with scope names of the server's own.
    (
        Variant::OtherScopeNames,
        "rs-ignores-scope",
        "mcp/10.1.1/insufficient-scope-403",
        Outcome::Fail,
    ),
    // Metadata at the root, named by the challenge: the challenge must still resolve.
    (
        Variant::MetadataAtRoot,
        "prm-resource-mismatch",
        "rfc9728/3.3/resource-matches-request-url",
        Outcome::Fail,
    ),
    // A server that fetches before checking the syntax must still refuse a bad identifier.
    (
        Variant::CimdFetchThenValidate,
        "cimd-accepts-fragment",
        "cimd/3/no-fragment",
        Outcome::Fail,
    ),
    (
        Variant::CimdFetchThenValidate,
        "cimd-accepts-userinfo",
        "cimd/3/no-userinfo",
        Outcome::Fail,
    ),
    // A server that speaks 2026-07-28 alone: GET must not open a stream.
    (
        Variant::ModernOnly,
        "rs-get-opens-stream",
        "mcp-2026/http.7.1/get-delete-405",
        Outcome::Warn,
    ),
    // A confidential client must still authenticate.
    (
        Variant::ConfidentialClientsOnly,
        "token-basic-auth-no-challenge",
        "oauth21/3.2.4/invalid-client-basic-401",
        Outcome::Fail,
    ),
];

/// Runs one case under a variant, with a mutant or none, and demands one outcome.
fn run_one_case(
    variant: Variant,
    mutant: Option<&str>,
    case_id: &str,
    expected: Outcome,
) -> Result<(), Failed> {
    let catalogue = Catalogue::embedded();
    let cases = selftest::embedded_cases_by_id(&catalogue, &[case_id]).map_err(Failed::from)?;
    let mut config = Config::with_variant(variant);
    if let Some(name) = mutant {
        let mutant = reference_server::Mutant::from_name(name)
            .ok_or_else(|| Failed::from(format!("no mutant `{name}`")))?;
        config.mutants.insert(mutant);
    }
    let with = mutant.map(|m| format!(", mutant {m},")).unwrap_or_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failed::from(e.to_string()))?;
    let (report, _) = rt
        .block_on(selftest::run_configured(
            &cases,
            config,
            auth_for(variant),
            SpecRevision::DEFAULT,
            &catalogue,
            1,
        ))
        .map_err(Failed::from)?;
    let result = report
        .cases
        .first()
        .ok_or_else(|| Failed::from("the case produced no result"))?;
    if result.result == expected {
        Ok(())
    } else {
        Err(format!(
            "under {variant}{with} {case_id} must {}, got {}: {}",
            expected.as_str(),
            result.result.as_str(),
            result.message
        )
        .into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for &variant in Variant::ALL {
        for spec in SpecRevision::ALL {
            let name = format!("variant::{variant}::{spec}");
            // Some choices became conformant only with a later revision.
            let conformant = spec.as_str() >= variant.since();
            trials.push(
                Trial::test(name, move || run_variant(variant, spec))
                    .with_ignored_flag(!conformant),
            );
        }
    }
    for &(variant, case_id) in RUNS_UNDER_VARIANT {
        trials.push(Trial::test(
            format!("runs::{variant}::{case_id}"),
            move || run_one_case(variant, None, case_id, Outcome::Pass),
        ));
    }
    for &(variant, mutant, case_id, expected) in CAUGHT_UNDER_VARIANT {
        trials.push(Trial::test(
            format!("caught::{variant}::{mutant}::{case_id}"),
            move || run_one_case(variant, Some(mutant), case_id, expected),
        ));
    }
    if Variant::ALL.is_empty() {
        trials.push(Trial::test("variants-found", || {
            Err("the reference server has no variants".into())
        }));
    }
    trials.sort_by(|a, b| a.name().cmp(b.name()));
    libtest_mimic::run(&args, trials).exit();
}
