//! `authspec list`: every case with its level, requirements, suite and mutants.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn cmd_list(a: ListArgs) -> i32 {
    let catalogue = Catalogue::embedded();
    // The client scenarios of `authspec client` too (party client).
    let Some(suites) = all_suites(&a.suites, &catalogue) else {
        return exit::USAGE;
    };
    let cases: Vec<_> = suites.iter().flat_map(|s| s.cases.iter()).collect();
    match a.format {
        ListFormat::Json => {
            let list: Vec<_> = cases
                .iter()
                .map(|c| {
                    json!({
                        "id": c.id, "title": c.title, "level": c.level, "party": c.party.as_str(),
                        "suite": c.suite, "requirements": c.requirements, "mutants": c.mutants,
                        "spec": c.spec, "tags": c.tags,
                    })
                })
                .collect();
            print_out(&serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        ListFormat::Markdown => print_out(&markdown(&suites)),
        ListFormat::Console => {
            let mut s = String::new();
            for c in &cases {
                s.push_str(&format!(
                    "{:<60} {:<6} {:<6} {}\n",
                    c.id,
                    c.level.as_str(),
                    c.party.as_str(),
                    c.title
                ));
            }
            s.push_str(&format!("{} cases\n", cases.len()));
            print_out(&s);
        }
    }
    exit::OK
}

/// The catalogue of cases as Markdown: a table per suite file (the guide's "case catalogue"
/// page is this output, kept equal by `tests/docs.rs`).
fn markdown(suites: &[Suite]) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::new();
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    out.push_str(&format!(
        "{total} cases in {} suites. Each case names the requirements it checks (ids of \
         `suites/requirements.json`) and the reference-server mutants that must make it fail.\n",
        suites.len()
    ));
    for suite in suites {
        out.push_str(&format!(
            "\n## `{}`: {}\n\n`{}`, party {}\n\n| case | level | revisions | title | requirements | mutants |\n|---|---|---|---|---|---|\n",
            suite.name,
            cell(&suite.title),
            suite.source.trim_start_matches("embedded:"),
            suite.party.as_str()
        ));
        for c in &suite.cases {
            let spec = if c.spec.is_empty() {
                "all".to_string()
            } else {
                c.spec
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                c.id,
                c.level.as_str(),
                spec,
                cell(&c.title),
                c.requirements.join(", "),
                c.mutants.join(", ")
            ));
        }
    }
    out
}
