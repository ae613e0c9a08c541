//! `authspec mutants`: the mutants and the cases that each must make fail.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn cmd_mutants(a: ListArgs) -> i32 {
    let catalogue = Catalogue::embedded();
    let Some(suites) = load_suites(&a.suites, &catalogue) else {
        return exit::USAGE;
    };
    let cases_for = |m: &str| -> Vec<String> {
        suites
            .iter()
            .flat_map(|s| &s.cases)
            .filter(|c| c.mutants.iter().any(|x| x == m))
            .map(|c| c.id.clone())
            // The run-wide rules (`run/…`) that must catch it.
            .chain(
                crate::engine::observe::RULES
                    .iter()
                    .filter(|r| r.mutants.contains(&m))
                    .map(|r| r.id.to_string()),
            )
            .collect()
    };
    match a.format {
        ListFormat::Json => {
            let list: Vec<_> = Mutant::ALL
                .iter()
                .map(|m| json!({"name": m.name(), "description": m.description(), "cases": cases_for(m.name())}))
                .collect();
            print_out(&serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        ListFormat::Console | ListFormat::Markdown => {
            let mut s = String::new();
            for m in Mutant::ALL {
                let cases = cases_for(m.name());
                s.push_str(&format!("{}\n    {}\n", m.name(), m.description()));
                if cases.is_empty() {
                    s.push_str("    (no case names it yet)\n");
                }
                for c in cases {
                    s.push_str(&format!("    must fail: {c}\n"));
                }
            }
            print_out(&s);
        }
    }
    exit::OK
}
