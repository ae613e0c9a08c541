//! `authspec list`: every case with its level, requirements, suite and mutants.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn cmd_list(a: ListArgs) -> i32 {
    // The client scenarios of `authspec client` too (party client). The embedded suites alone
    // come from the listing made at build time; `--suite` files are loaded and checked.
    let listed = a.suites.is_empty().then(suite::listing::embedded).flatten();
    let Some(suites) = listed.or_else(|| all_suites(&a.suites, &Catalogue::embedded())) else {
        return exit::USAGE;
    };
    print_out(&render(a.format, &suites));
    exit::OK
}

/// What `list` prints, in `format`.
fn render(format: ListFormat, suites: &[Suite]) -> String {
    let cases: Vec<_> = suites.iter().flat_map(|s| s.cases.iter()).collect();
    match format {
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
            serde_json::to_string_pretty(&list).unwrap_or_default()
        }
        ListFormat::Markdown => markdown(suites),
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
            s
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `list` prints the embedded suites from the listing made at build time: every format
    /// prints what it would from the loader.
    #[test]
    fn the_listing_prints_what_the_loader_reads() {
        let loaded = all_suites(&[], &Catalogue::embedded()).expect("the embedded suites load");
        let listed = suite::listing::embedded().expect("every embedded file is listed");
        for format in [ListFormat::Console, ListFormat::Json, ListFormat::Markdown] {
            assert_eq!(
                render(format, &listed),
                render(format, &loaded),
                "{format:?}"
            );
        }
    }
}
