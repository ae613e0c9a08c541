//! `authspec variants`: the conformant variants of the reference server.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The variants need no suites: every case must pass or skip under each of them (the suites
/// test proves it), so there is no per-case list to show.
pub(super) fn cmd_variants(a: ListArgs) -> i32 {
    match a.format {
        ListFormat::Json => {
            let list: Vec<_> = Variant::ALL
                .iter()
                .map(|v| json!({"name": v.name(), "description": v.description(), "since": v.since()}))
                .collect();
            print_out(&serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        ListFormat::Console | ListFormat::Markdown => {
            let mut s = String::new();
            for v in Variant::ALL {
                s.push_str(&format!("{}\n    {}\n", v.name(), v.description()));
                if v.since() != "2025-06-18" {
                    s.push_str(&format!("    conformant from MCP {} on\n", v.since()));
                }
            }
            s.push_str(&format!(
                "{} variants; every case passes or skips under each\n",
                Variant::ALL.len()
            ));
            print_out(&s);
        }
    }
    exit::OK
}
