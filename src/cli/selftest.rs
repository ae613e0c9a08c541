//! `authspec selftest`: every case against the reference server, then every mutant.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Args, Debug)]
pub struct SelftestArgs {
    #[arg(long, value_enum, default_value = "console")]
    pub format: ListFormat,
    #[arg(long, default_value_t = 8)]
    pub jobs: u16,
}

pub(super) async fn cmd_selftest(a: SelftestArgs) -> i32 {
    let started = Instant::now();
    let catalogue = Catalogue::embedded();
    let Some(suites) = load_suites(&[], &catalogue) else {
        return exit::USAGE;
    };
    let cases: Vec<_> = suites
        .iter()
        .flat_map(|s| s.cases.iter().cloned())
        .collect();
    let result = match crate::selftest::selftest(&cases, &catalogue, a.jobs as usize).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::RUNTIME;
        }
    };
    let bad = result.checks.iter().filter(|c| !c.ok).count();
    match a.format {
        ListFormat::Json => {
            let doc = json!({
                "ok": result.ok(),
                "checks": result.checks,
                "mutants_named_by_no_case": result.unnamed_mutants,
                "duration_ms": started.elapsed().as_millis() as u64,
            });
            print_out(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        ListFormat::Console | ListFormat::Markdown => {
            let mut s = String::new();
            for c in result.checks.iter().filter(|c| !c.ok) {
                let (against, expected) = match c.mutant {
                    Some(m) => (format!("mutant {m}"), "fail or warn"),
                    None => ("the reference server".to_string(), "pass"),
                };
                s.push_str(&format!(
                    "✘ {} against {against}: expected {expected}, got {} {}\n",
                    c.case,
                    c.result.as_str(),
                    c.message
                ));
            }
            for m in &result.unnamed_mutants {
                s.push_str(&format!(
                    "✘ mutant {m} is named by no case, so nothing proves it is caught\n"
                ));
            }
            let plain = result.checks.iter().filter(|c| c.mutant.is_none()).count();
            s.push_str(&format!(
                "selftest: {plain} cases against the reference server, {} (case, mutant) pairs, {} mutants\n",
                result.checks.len() - plain,
                Mutant::ALL.len()
            ));
            s.push_str(&format!(
                "{} passed, {} failed\n",
                result.checks.len() - bad,
                bad + result.unnamed_mutants.len()
            ));
            print_out(&s);
        }
    }
    if result.ok() {
        exit::OK
    } else {
        exit::NONCONFORMANT
    }
}
