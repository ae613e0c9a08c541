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
        ListFormat::Console | ListFormat::Markdown => {
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
