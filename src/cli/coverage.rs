//! `authspec coverage`: the catalogue with the cases that cite each requirement.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn cmd_coverage(a: ListArgs) -> i32 {
    let catalogue = Catalogue::embedded();
    // The client scenarios of `authspec client` too (party client).
    let Some(suites) = all_suites(&a.suites, &catalogue) else {
        return exit::USAGE;
    };
    let rows: Vec<_> = catalogue
        .iter()
        .map(|r| {
            let cases: Vec<String> = suites
                .iter()
                .flat_map(|s| &s.cases)
                .filter(|c| {
                    c.requirements.contains(&r.id)
                        || c.expect.iter().any(|e| e.requirements.contains(&r.id))
                })
                .map(|c| c.id.clone())
                // The run-wide rules (`run/…`) that cite it, as `mutants` lists them.
                .chain(
                    crate::engine::observe::RULES
                        .iter()
                        .filter(|rule| rule.requirements.contains(&r.id.as_str()))
                        .map(|rule| rule.id.to_string()),
                )
                .collect();
            (r, cases)
        })
        .collect();
    match a.format {
        ListFormat::Json => {
            let list: Vec<_> = rows
                .iter()
                .map(|(r, cases)| json!({"id": r.id, "level": r.level, "party": r.party, "testability": r.testability, "url": r.url(), "cases": cases}))
                .collect();
            print_out(&serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        ListFormat::Markdown => print_out(&coverage_markdown(&rows)),
        ListFormat::Console => {
            let mut s = String::new();
            let covered = rows.iter().filter(|(_, c)| !c.is_empty()).count();
            for (r, cases) in &rows {
                let mark = if cases.is_empty() { "·" } else { "✔" };
                s.push_str(&format!(
                    "{mark} {:<58} {:<10} {}\n",
                    r.id,
                    r.level,
                    cases.join(", ")
                ));
            }
            for c in coverage_by_source(&rows) {
                s.push_str(&format!(
                    "{:<52} {:>3} of {:>3} server-side testable cited, {:>3} of {:>3} client-side ({} in all)\n",
                    c.source, c.cited, c.testable, c.client_cited, c.client, c.total
                ));
            }
            s.push_str(&format!(
                "{covered} of {} requirements cited by a case\n",
                rows.len()
            ));
            print_out(&s);
        }
    }
    exit::OK
}

type CoverageRow<'a> = (&'a crate::requirements::Requirement, Vec<String>);

/// Coverage of one source. Untestable statements count in the total only; client-side ones are
/// graded by client conformance (`authspec client`), server-side ones by `run`.
#[derive(Default)]
pub(super) struct SourceCoverage {
    source: String,
    cited: usize,
    testable: usize,
    client_cited: usize,
    client: usize,
    total: usize,
}

pub(super) fn coverage_by_source(rows: &[CoverageRow<'_>]) -> Vec<SourceCoverage> {
    let mut by: BTreeMap<String, SourceCoverage> = BTreeMap::new();
    for (r, cases) in rows {
        let e = by
            .entry(r.source.clone())
            .or_insert_with(|| SourceCoverage {
                source: r.source.clone(),
                ..SourceCoverage::default()
            });
        e.total += 1;
        if r.testability == "untestable" {
            continue;
        }
        if r.party == "client" {
            e.client += 1;
            if !cases.is_empty() {
                e.client_cited += 1;
            }
            continue;
        }
        e.testable += 1;
        if !cases.is_empty() {
            e.cited += 1;
        }
    }
    by.into_values().collect()
}

pub(super) fn coverage_markdown(rows: &[CoverageRow<'_>]) -> String {
    let mut s = String::from(
        "| source | server-side cited | server-side testable | client-side cited | client-side | all statements |\n|---|---:|---:|---:|---:|---:|\n",
    );
    let mut sum = SourceCoverage::default();
    for c in coverage_by_source(rows) {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            c.source, c.cited, c.testable, c.client_cited, c.client, c.total
        ));
        sum.cited += c.cited;
        sum.testable += c.testable;
        sum.client_cited += c.client_cited;
        sum.client += c.client;
        sum.total += c.total;
    }
    s.push_str(&format!(
        "| **all** | **{}** | **{}** | **{}** | **{}** | **{}** |\n\n",
        sum.cited, sum.testable, sum.client_cited, sum.client, sum.total
    ));
    s.push_str("<details><summary>Every requirement</summary>\n\n| requirement | level | party | testability | cases |\n|---|---|---|---|---|\n");
    for (r, cases) in rows {
        let cases = if cases.is_empty() {
            "—".to_string()
        } else {
            cases
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        s.push_str(&format!(
            "| [{}]({}) | {} | {} | {} | {cases} |\n",
            r.id,
            r.url(),
            r.level,
            r.party,
            r.testability
        ));
    }
    s.push_str("\n</details>\n");
    s
}
